/* SPDX-License-Identifier: MIT */
/*
 * Signed anchor bundles (docs/anchor-bundle.md): built on the release machine,
 * verified on the unit before a single byte lands in its anchors folder.
 * Order on install: container framing, signer chain to the pinned root,
 * signature over the manifest, every file's size and SHA-256 and the exact set
 * of files; only then a staging folder is written, its contents parsed the way
 * the kiosk will parse them, and swapped in with one rename.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "kiosk/io.h"
#include "kiosk/certificate.h"
#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "provision.h"
#include "provision_util.h"

#define SEC_NAME_MAX (BUNDLE_NAME_MAX + 8)
#define SEC_MAX (BUNDLE_FILES_MAX + 3)
#define HEADER_LINE_MAX 128

struct bsec {
	char name[SEC_NAME_MAX];
	const uint8_t *p;
	size_t len;
};

struct bundle {
	uint8_t *buf;
	size_t len;
	struct bsec sec[SEC_MAX];
	size_t n;
};

struct mentry {
	char name[BUNDLE_NAME_MAX];
	size_t size;
	uint8_t sha[32];
	bool seen;
};

struct gbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool oom;
};

static const char *const required_names[] = { "center-ca.crt.pem", "shc-jwks.json",
					       "csca.crt.pem" };

int provision_bundle_name_ok(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(required_names) / sizeof(required_names[0]); i++) {
		if (strcmp(name, required_names[i]) == 0) {
			return 1;
		}
	}
	/* card-ca/<32 hex>.pem: the card CA key ids mnc_anchors_load_dir() expects. */
	if (strlen(name) != 8 + 32 + 4 || strncmp(name, "card-ca/", 8) != 0 ||
	    strcmp(name + 40, ".pem") != 0) {
		return 0;
	}
	for (i = 8; i < 40; i++) {
		char c = name[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

static int read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	size_t n = 0;
	size_t r;

	*out = NULL;
	if (f == NULL) {
		return KIOSK_ERR_IO;
	}
	p = malloc(max + 2);
	if (p == NULL) {
		fclose(f);
		return KIOSK_ERR_NO_MEMORY;
	}
	while ((r = fread(p + n, 1, max + 1 - n, f)) > 0) {
		n += r;
		if (n > max) {
			break;
		}
	}
	fclose(f);
	if (n > max) {
		free(p);
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	p[n] = '\0';
	*out = p;
	*len = n;
	return KIOSK_OK;
}

static void gput(struct gbuf *g, const void *d, size_t n)
{
	if (g->oom) {
		return;
	}
	if (g->len + n > g->cap) {
		size_t cap = (g->cap ? g->cap * 2 : 4096) + n;
		uint8_t *p = realloc(g->p, cap);

		if (p == NULL) {
			g->oom = true;
			return;
		}
		g->p = p;
		g->cap = cap;
	}
	memcpy(g->p + g->len, d, n);
	g->len += n;
}

static void gsection(struct gbuf *g, const char *name, const uint8_t *d, size_t n)
{
	char hdr[HEADER_LINE_MAX];
	int h = snprintf(hdr, sizeof(hdr), "S %s %zu\n", name, n);

	gput(g, hdr, (size_t)h);
	gput(g, d, n);
	gput(g, "\n", 1);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int provision_bundle_build(const char *key_path, const char *cert_path, const char *out_path,
			   const struct provision_bundle_input *in, size_t n, char *why,
			   size_t why_cap)
{
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	mbedtls_x509_crt crt;
	struct gbuf man = { 0 };
	struct gbuf out = { 0 };
	uint8_t *data[BUNDLE_FILES_MAX] = { 0 };
	size_t dlen[BUNDLE_FILES_MAX] = { 0 };
	uint8_t *signer = NULL;
	size_t signer_len = 0;
	uint8_t hash[32];
	uint8_t sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t sig_len = 0;
	char line[BUNDLE_NAME_MAX + 128];
	char sechex[65];
	size_t i, j;
	int rc;

	mbedtls_pk_init(&key);
	mbedtls_x509_crt_init(&crt);
	rc = provision_rng_setup(&ent, &drbg);
	if (rc != 0) {
		goto out;
	}
	rc = KIOSK_ERR_INVALID_ARG;
	if (n == 0 || n > BUNDLE_FILES_MAX) {
		provision_why(why, why_cap, "1 to %u files", BUNDLE_FILES_MAX);
		goto out;
	}
	if (mbedtls_pk_parse_keyfile(&key, key_path, NULL) != 0 || !provision_pk_is_p256(&key)) {
		provision_why(why, why_cap, "%s: not an ECDSA P-256 private key", key_path);
		goto out;
	}
	if (read_file(cert_path, BUNDLE_SECTION_MAX, &signer, &signer_len) != 0 ||
	    mbedtls_x509_crt_parse(&crt, signer, signer_len + 1) != 0) {
		provision_why(why, why_cap, "%s: not a PEM certificate chain", cert_path);
		goto out;
	}
	if (!provision_same_public_key(&crt.pk, &key)) {
		provision_why(why, why_cap, "the signer certificate is for another key");
		goto out;
	}
	gput(&man, BUNDLE_MANIFEST_MAGIC, strlen(BUNDLE_MANIFEST_MAGIC));
	for (i = 0; i < n; i++) {
		if (!provision_bundle_name_ok(in[i].name)) {
			provision_why(why, why_cap, "file name not allowed in a bundle: %s",
				      in[i].name);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(in[i].name, in[j].name) == 0) {
				provision_why(why, why_cap, "duplicate file %s", in[i].name);
				goto out;
			}
		}
		if (read_file(in[i].path, BUNDLE_SECTION_MAX, &data[i], &dlen[i]) != 0) {
			provision_why(why, why_cap, "cannot read %s", in[i].path);
			goto out;
		}
		mbedtls_sha256_ret(data[i], dlen[i], hash, 0);
		hex(hash, sizeof(hash), sechex);
		snprintf(line, sizeof(line), "file %s %zu %s\n", in[i].name, dlen[i], sechex);
		gput(&man, line, strlen(line));
	}
	rc = KIOSK_ERR_CRYPTO;
	if (man.oom || mbedtls_sha256_ret(man.p, man.len, hash, 0) != 0 ||
	    mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &sig_len,
			    mbedtls_ctr_drbg_random, &drbg) != 0) {
		provision_why(why, why_cap, "signing failed");
		goto out;
	}
	gput(&out, BUNDLE_MAGIC, strlen(BUNDLE_MAGIC));
	gsection(&out, "manifest", man.p, man.len);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "file:%s", in[i].name);
		gsection(&out, line, data[i], dlen[i]);
	}
	gsection(&out, "signer", signer, signer_len);
	gsection(&out, "signature", sig, sig_len);
	gput(&out, "END\n", 4);
	rc = KIOSK_ERR_NO_MEMORY;
	if (out.oom || out.len > BUNDLE_MAX) {
		provision_why(why, why_cap, "bundle too large");
		goto out;
	}
	rc = provision_write_atomic(out_path, out.p, out.len, 0644);
	if (rc != 0) {
		provision_why(why, why_cap, "cannot write %s", out_path);
	}
out:
	for (i = 0; i < BUNDLE_FILES_MAX; i++) {
		free(data[i]);
	}
	free(signer);
	free(man.p);
	free(out.p);
	mbedtls_pk_free(&key);
	mbedtls_x509_crt_free(&crt);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return rc;
}

/* ---- the unit side --------------------------------------------------- */

/* Parse "S <name> <len>\n<bytes>\n" sections up to "END\n" at the very end. */
static int bundle_parse(struct bundle *b)
{
	size_t pos = strlen(BUNDLE_MAGIC);

	if (b->len < pos || memcmp(b->buf, BUNDLE_MAGIC, pos) != 0) {
		return KIOSK_ERR_REFUSED;
	}
	for (;;) {
		const uint8_t *nl = memchr(b->buf + pos, '\n',
					   b->len - pos < HEADER_LINE_MAX ? b->len - pos :
									    HEADER_LINE_MAX);
		char line[HEADER_LINE_MAX];
		size_t ll;
		char *sp;
		char *end;
		unsigned long len;

		if (nl == NULL) {
			return KIOSK_ERR_REFUSED;
		}
		ll = (size_t)(nl - (b->buf + pos));
		memcpy(line, b->buf + pos, ll);
		line[ll] = '\0';
		pos += ll + 1;
		if (strcmp(line, "END") == 0) {
			return pos == b->len ? KIOSK_OK : KIOSK_ERR_REFUSED;
		}
		if (b->n >= SEC_MAX || strncmp(line, "S ", 2) != 0) {
			return KIOSK_ERR_REFUSED;
		}
		sp = strchr(line + 2, ' ');
		if (sp == NULL || sp == line + 2 || (size_t)(sp - (line + 2)) >= SEC_NAME_MAX) {
			return KIOSK_ERR_REFUSED;
		}
		*sp = '\0';
		if (sp[1] < '0' || sp[1] > '9' || strlen(sp + 1) > 7) {
			return KIOSK_ERR_REFUSED;
		}
		errno = 0;
		len = strtoul(sp + 1, &end, 10);
		if (errno != 0 || *end != '\0' || len > BUNDLE_SECTION_MAX ||
		    len + 1 > b->len - pos || b->buf[pos + len] != '\n') {
			return KIOSK_ERR_REFUSED;
		}
		memcpy(b->sec[b->n].name, line + 2, (size_t)(sp - (line + 2)) + 1);
		b->sec[b->n].p = b->buf + pos;
		b->sec[b->n].len = len;
		b->n++;
		pos += len + 1;
	}
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;

		if (v < 0) {
			return -1;
		}
		out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] | v) : (v << 4));
	}
	return s[2 * n] == '\0' ? 0 : -1;
}

/* "kiosk-anchor-bundle 1\n" then "file NAME SIZE SHA256HEX\n" lines, nothing else. */
static int manifest_parse(const uint8_t *p, size_t len, struct mentry *m, size_t *n, char *why,
			  size_t why_cap)
{
	size_t pos = strlen(BUNDLE_MANIFEST_MAGIC);
	size_t i;

	*n = 0;
	if (len < pos || memcmp(p, BUNDLE_MANIFEST_MAGIC, pos) != 0) {
		provision_why(why, why_cap, "manifest: unknown format");
		return KIOSK_ERR_REFUSED;
	}
	while (pos < len) {
		const uint8_t *nl = memchr(p + pos, '\n', len - pos);
		char line[BUNDLE_NAME_MAX + 128];
		char name[BUNDLE_NAME_MAX + 1];
		char shahex[66];
		unsigned long size;
		char tail;
		size_t ll;

		if (nl == NULL || (ll = (size_t)(nl - (p + pos))) >= sizeof(line) ||
		    *n >= BUNDLE_FILES_MAX) {
			provision_why(why, why_cap, "manifest: malformed");
			return KIOSK_ERR_REFUSED;
		}
		memcpy(line, p + pos, ll);
		line[ll] = '\0';
		pos += ll + 1;
		if (sscanf(line, "file %64s %lu %65s%c", name, &size, shahex, &tail) != 3 ||
		    strlen(name) >= BUNDLE_NAME_MAX || size > BUNDLE_SECTION_MAX ||
		    strlen(shahex) != 64 || unhex(shahex, m[*n].sha, 32) != 0) {
			provision_why(why, why_cap, "manifest: malformed entry");
			return KIOSK_ERR_REFUSED;
		}
		if (!provision_bundle_name_ok(name)) {
			provision_why(why, why_cap, "manifest: file name not allowed: %s", name);
			return KIOSK_ERR_REFUSED;
		}
		for (i = 0; i < *n; i++) {
			if (strcmp(m[i].name, name) == 0) {
				provision_why(why, why_cap, "manifest: duplicate file %s", name);
				return KIOSK_ERR_REFUSED;
			}
		}
		memcpy(m[*n].name, name, strlen(name) + 1); /* < BUNDLE_NAME_MAX, checked above */
		m[*n].size = size;
		m[*n].seen = false;
		(*n)++;
	}
	return KIOSK_OK;
}

static int verify_signature(const struct bundle *b, const char *root_path, char *why,
			    size_t why_cap)
{
	const struct bsec *man = &b->sec[0];
	const struct bsec *signer = &b->sec[b->n - 2];
	const struct bsec *sig = &b->sec[b->n - 1];
	mbedtls_x509_crt root;
	mbedtls_x509_crt chain;
	uint8_t *pem = NULL;
	uint8_t hash[32];
	uint32_t flags = 0;
	int rc = KIOSK_ERR_REFUSED;

	mbedtls_x509_crt_init(&root);
	mbedtls_x509_crt_init(&chain);
	if (mbedtls_x509_crt_parse_file(&root, root_path) != 0) {
		provision_why(why, why_cap, "%s: not a certificate (bundle root)", root_path);
		rc = KIOSK_ERR_INVALID_ARG;
		goto out;
	}
	pem = malloc(signer->len + 1);
	if (pem == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	memcpy(pem, signer->p, signer->len);
	pem[signer->len] = '\0';
	if (mbedtls_x509_crt_parse(&chain, pem, signer->len + 1) != 0) {
		provision_why(why, why_cap, "signer certificate unreadable");
		goto out;
	}
	if (mbedtls_x509_crt_verify(&chain, &root, NULL, NULL, &flags, NULL, NULL) != 0) {
		provision_why(why, why_cap, "signer does not chain to the pinned bundle root%s",
			      flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE) ?
			      " (expired or not yet valid)" : "");
		goto out;
	}
	if (!provision_pk_is_p256(&chain.pk) ||
	    mbedtls_x509_crt_check_key_usage(&chain, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0) {
		provision_why(why, why_cap, "signer is not an ECDSA P-256 signing certificate");
		goto out;
	}
	if (mbedtls_sha256_ret(man->p, man->len, hash, 0) != 0 ||
	    mbedtls_pk_verify(&chain.pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig->p,
			      sig->len) != 0) {
		provision_why(why, why_cap, "bundle signature does not verify");
		goto out;
	}
	rc = KIOSK_OK;
out:
	free(pem);
	mbedtls_x509_crt_free(&root);
	mbedtls_x509_crt_free(&chain);
	return rc;
}

/* Every file section is listed once in the manifest with its size and hash, and back. */
static int verify_files(const struct bundle *b, struct mentry *m, size_t nm, char *why,
			size_t why_cap)
{
	size_t i, k;
	uint8_t hash[32];

	if (b->n - 3 != nm) {
		provision_why(why, why_cap, "bundle files do not match the manifest");
		return KIOSK_ERR_REFUSED;
	}
	for (i = 1; i + 2 < b->n; i++) {
		const struct bsec *s = &b->sec[i];
		struct mentry *e = NULL;

		if (strncmp(s->name, "file:", 5) != 0) {
			provision_why(why, why_cap, "unexpected section %s", s->name);
			return KIOSK_ERR_REFUSED;
		}
		for (k = 0; k < nm; k++) {
			if (strcmp(m[k].name, s->name + 5) == 0) {
				e = &m[k];
			}
		}
		if (e == NULL || e->seen) {
			provision_why(why, why_cap, "file %s not in the manifest (or twice)",
				      s->name + 5);
			return KIOSK_ERR_REFUSED;
		}
		e->seen = true;
		mbedtls_sha256_ret(s->p, s->len, hash, 0);
		if (s->len != e->size || memcmp(hash, e->sha, sizeof(hash)) != 0) {
			provision_why(why, why_cap, "file %s does not match its manifest hash",
				      e->name);
			return KIOSK_ERR_REFUSED;
		}
	}
	for (k = 0; k < sizeof(required_names) / sizeof(required_names[0]); k++) {
		for (i = 0; i < nm && strcmp(m[i].name, required_names[k]) != 0; i++) {
		}
		if (i == nm) {
			provision_why(why, why_cap, "bundle lacks %s", required_names[k]);
			return KIOSK_ERR_REFUSED;
		}
	}
	for (i = 0; i < nm && strncmp(m[i].name, "card-ca/", 8) != 0; i++) {
	}
	if (i == nm) {
		provision_why(why, why_cap, "bundle has no card CA key (card-ca/<key id>.pem)");
		return KIOSK_ERR_REFUSED;
	}
	return KIOSK_OK;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int stage_file(const char *stage, const char *name, const uint8_t *p, size_t len)
{
	char path[PATH_MAX];
	int fd;
	int rc = KIOSK_OK;

	if (provision_path(path, sizeof(path), stage, name) != 0) {
		return KIOSK_ERR_IO;
	}
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	rc = kiosk_write_all(fd, p, len);
	if (rc == 0 && fsync(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (close(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	return rc;
}

/* Parse the staged files the way the kiosk will: a bundle that verifies but the
 * kiosk cannot use is refused too. */
static int check_staged(const char *stage, char *why, size_t why_cap)
{
	char path[PATH_MAX];
	mbedtls_x509_crt ca;
	struct cert_keyset *ks = NULL;
	struct cert_csca *csca = NULL;
	struct mnc_anchors *an = NULL;
	int rc = KIOSK_ERR_REFUSED;

	mbedtls_x509_crt_init(&ca);
	provision_path(path, sizeof(path), stage, "center-ca.crt.pem");
	if (mbedtls_x509_crt_parse_file(&ca, path) != 0) {
		provision_why(why, why_cap, "center-ca.crt.pem is not a certificate");
		goto out;
	}
	provision_path(path, sizeof(path), stage, "shc-jwks.json");
	if (cert_keyset_load_jwks(&ks, path) != 0) {
		provision_why(why, why_cap, "shc-jwks.json is not a usable issuer key set");
		goto out;
	}
	provision_path(path, sizeof(path), stage, "csca.crt.pem");
	if (cert_csca_load(&csca, path) != 0) {
		provision_why(why, why_cap, "csca.crt.pem is not a usable CSCA");
		goto out;
	}
	provision_path(path, sizeof(path), stage, "card-ca");
	if (mnc_anchors_load_dir(&an, path, false) != 0) {
		provision_why(why, why_cap, "card-ca keys unusable");
		goto out;
	}
	rc = KIOSK_OK;
out:
	mbedtls_x509_crt_free(&ca);
	cert_keyset_free(ks);
	cert_csca_free(csca);
	mnc_anchors_free(an);
	return rc;
}

static int install_staged(const char *dir, const struct bundle *b, char *why, size_t why_cap)
{
	char stage[PATH_MAX];
	char target[PATH_MAX];
	char sub[PATH_MAX];
	struct stat st;
	size_t i;
	int rc = KIOSK_ERR_IO;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		provision_why(why, why_cap, "cannot create %s", dir);
		return KIOSK_ERR_IO;
	}
	if (snprintf(stage, sizeof(stage), "%s/.anchors.new-XXXXXX", dir) >= (int)sizeof(stage) ||
	    provision_path(target, sizeof(target), dir, PROVISION_ANCHORS_DIR) != 0 ||
	    mkdtemp(stage) == NULL) {
		provision_why(why, why_cap, "cannot create a staging folder in %s", dir);
		return KIOSK_ERR_IO;
	}
	provision_path(sub, sizeof(sub), stage, "card-ca");
	if (chmod(stage, 0755) != 0 || mkdir(sub, 0755) != 0) {
		provision_why(why, why_cap, "cannot prepare %s", stage);
		goto fail;
	}
	for (i = 1; i + 2 < b->n; i++) {
		if (stage_file(stage, b->sec[i].name + 5, b->sec[i].p, b->sec[i].len) != 0) {
			provision_why(why, why_cap, "cannot write %s", b->sec[i].name + 5);
			goto fail;
		}
	}
	rc = check_staged(stage, why, why_cap);
	if (rc != 0) {
		goto fail;
	}
	rc = KIOSK_ERR_IO;
	if (provision_fsync_dir(sub) != 0 || provision_fsync_dir(stage) != 0) {
		provision_why(why, why_cap, "cannot sync %s", stage);
		goto fail;
	}
	if (lstat(target, &st) == 0) {
		/* One exchange: readers see the old set or the new one, never a mix. */
		if (renameat2(AT_FDCWD, stage, AT_FDCWD, target, RENAME_EXCHANGE) != 0) {
			provision_why(why, why_cap, "cannot swap in the new anchors");
			goto fail;
		}
	} else if (rename(stage, target) != 0) {
		provision_why(why, why_cap, "cannot move the anchors into place");
		goto fail;
	}
	rc = provision_fsync_dir(dir);
	/* After an exchange the staging name holds the old anchors. */
	rm_tree(stage);
	return rc;
fail:
	rm_tree(stage);
	return rc;
}

int provision_install_anchors(const char *dir, const char *bundle_path, const char *root_path,
			      char *why, size_t why_cap)
{
	struct bundle *b = calloc(1, sizeof(*b));
	struct mentry *m = calloc(BUNDLE_FILES_MAX, sizeof(*m));
	size_t nm = 0;
	int rc = KIOSK_ERR_NO_MEMORY;

	if (b == NULL || m == NULL) {
		goto out;
	}
	rc = read_file(bundle_path, BUNDLE_MAX, &b->buf, &b->len);
	if (rc != 0) {
		provision_why(why, why_cap, rc == KIOSK_ERR_IO ? "cannot read %s" :
			      "%s: bundle too large", bundle_path);
		rc = rc == KIOSK_ERR_IO ? KIOSK_ERR_INVALID_ARG : KIOSK_ERR_REFUSED;
		goto out;
	}
	rc = bundle_parse(b);
	if (rc == 0 && (b->n < 4 || strcmp(b->sec[0].name, "manifest") != 0 ||
			strcmp(b->sec[b->n - 2].name, "signer") != 0 ||
			strcmp(b->sec[b->n - 1].name, "signature") != 0)) {
		rc = KIOSK_ERR_REFUSED;
	}
	if (rc != 0) {
		provision_why(why, why_cap, "not an anchor bundle (framing)");
		goto out;
	}
	rc = verify_signature(b, root_path, why, why_cap);
	if (rc == 0) {
		rc = manifest_parse(b->sec[0].p, b->sec[0].len, m, &nm, why, why_cap);
	}
	if (rc == 0) {
		rc = verify_files(b, m, nm, why, why_cap);
	}
	if (rc == 0) {
		rc = install_staged(dir, b, why, why_cap);
	}
out:
	if (b != NULL) {
		free(b->buf);
	}
	free(b);
	free(m);
	return rc;
}
