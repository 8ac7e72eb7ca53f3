/* SPDX-License-Identifier: MIT */
/*
 * kioskctl provision keygen | csr | install-cert | install-anchors | status,
 * and "provision bundle build" for the release machine. Options are parsed
 * here; the work is in provision.c and anchor_bundle.c. Status shows what is
 * installed (modes, subjects, validity, fingerprints) and never key material.
 */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "kioskctl.h"
#include "provision.h"
#include "provision_util.h"

struct prov_opts {
	const char *dir;
	const char *kiosk_id;
	const char *board;
	const char *ca;
	const char *bundle_root;
	const char *key;
	const char *cert;
	const char *out;
	bool json;
	int npos;
	char **pos;
};

static void prov_usage(FILE *f)
{
	fprintf(f,
		"usage: kioskctl provision keygen --dir DIR\n"
		"       kioskctl provision csr --dir DIR --kiosk-id ID --board NAME\n"
		"       kioskctl provision install-cert --dir DIR CERT.pem --ca KIOSK_CA.pem\n"
		"       kioskctl provision install-anchors --dir DIR BUNDLE --bundle-root ROOT.pem\n"
		"       kioskctl provision status --dir DIR [--json]\n"
		"       kioskctl provision bundle build --key KEY --cert CERT -o BUNDLE [NAME=]FILE...\n");
}

static int parse(int argc, char **argv, struct prov_opts *o)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "kiosk-id", required_argument, NULL, 'i' },
		{ "board", required_argument, NULL, 'b' },
		{ "ca", required_argument, NULL, 'c' },
		{ "bundle-root", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'C' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dir = optarg; break;
		case 'i': o->kiosk_id = optarg; break;
		case 'b': o->board = optarg; break;
		case 'c': o->ca = optarg; break;
		case 'r': o->bundle_root = optarg; break;
		case 'k': o->key = optarg; break;
		case 'C': o->cert = optarg; break;
		case 'o': o->out = optarg; break;
		case 'j': o->json = true; break;
		default: return KIOSKCTL_EXIT_USAGE;
		}
	}
	o->npos = argc - optind;
	o->pos = argv + optind;
	return KIOSKCTL_EXIT_OK;
}

static int exit_for(int rc, const char *what, const char *why)
{
	if (rc == 0) {
		return KIOSKCTL_EXIT_OK;
	}
	fprintf(stderr, "kioskctl: provision %s: %s\n", what, why[0] ? why : kiosk_strerror(rc));
	if (rc == KIOSK_ERR_REFUSED) {
		return KIOSKCTL_EXIT_VERIFY;
	}
	if (rc == KIOSK_ERR_INVALID_ARG || rc == KIOSK_ERR_CONFIG) {
		return KIOSKCTL_EXIT_USAGE;
	}
	return KIOSKCTL_EXIT_FAIL;
}

/* "[NAME=]PATH": without a name, a 32-hex key id file goes under card-ca/. */
static int bundle_input(const char *arg, struct provision_bundle_input *in)
{
	const char *eq = strchr(arg, '=');
	const char *base;

	if (eq != NULL) {
		if ((size_t)(eq - arg) >= sizeof(in->name)) {
			return -1;
		}
		memcpy(in->name, arg, (size_t)(eq - arg));
		in->name[eq - arg] = '\0';
		in->path = eq + 1;
		return 0;
	}
	base = strrchr(arg, '/');
	base = base ? base + 1 : arg;
	in->path = arg;
	snprintf(in->name, sizeof(in->name), "%s", base);
	if (!provision_bundle_name_ok(in->name)) {
		snprintf(in->name, sizeof(in->name), "card-ca/%.50s", base);
	}
	return 0;
}

static int cmd_bundle(const struct prov_opts *o)
{
	struct provision_bundle_input *in;
	char why[256] = "";
	int i, rc;

	if (o->npos < 2 || strcmp(o->pos[0], "build") != 0 || o->key == NULL ||
	    o->cert == NULL || o->out == NULL) {
		prov_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	in = calloc((size_t)o->npos, sizeof(*in));
	if (in == NULL) {
		return KIOSKCTL_EXIT_FAIL;
	}
	for (i = 1; i < o->npos; i++) {
		if (bundle_input(o->pos[i], &in[i - 1]) != 0) {
			free(in);
			fprintf(stderr, "kioskctl: provision bundle: bad file argument\n");
			return KIOSKCTL_EXIT_USAGE;
		}
	}
	rc = provision_bundle_build(o->key, o->cert, o->out, in, (size_t)o->npos - 1, why,
				    sizeof(why));
	free(in);
	return exit_for(rc, "bundle build", why);
}

/* ---- status ---------------------------------------------------------- */

static void fmt_time(const mbedtls_x509_time *t, char *out, size_t cap)
{
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", t->year, t->mon, t->day, t->hour,
		 t->min, t->sec);
}

static void sha_hex(const uint8_t *p, size_t n, char out[65])
{
	uint8_t h[32];
	size_t i;

	mbedtls_sha256_ret(p, n, h, 0);
	for (i = 0; i < 32; i++) {
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	}
}

static bool file_sha(const char *path, char out[65])
{
	FILE *f = fopen(path, "rb");
	mbedtls_sha256_context c;
	uint8_t buf[4096];
	uint8_t h[32];
	size_t n, i;

	if (f == NULL) {
		return false;
	}
	mbedtls_sha256_init(&c);
	mbedtls_sha256_starts_ret(&c, 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		mbedtls_sha256_update_ret(&c, buf, n);
	}
	fclose(f);
	mbedtls_sha256_finish_ret(&c, h);
	mbedtls_sha256_free(&c);
	for (i = 0; i < 32; i++) {
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	}
	return true;
}

/* Describe a certificate file into @obj; true when it parsed. */
static bool describe_cert(const char *path, cJSON *obj, mbedtls_x509_crt *keep)
{
	mbedtls_x509_crt local;
	mbedtls_x509_crt *crt = keep ? keep : &local;
	char buf[512];
	char fp[65];
	bool ok;

	if (keep == NULL) {
		mbedtls_x509_crt_init(&local);
	}
	ok = mbedtls_x509_crt_parse_file(crt, path) == 0;
	if (ok) {
		mbedtls_x509_dn_gets(buf, sizeof(buf), &crt->subject);
		cJSON_AddStringToObject(obj, "subject", buf);
		mbedtls_x509_dn_gets(buf, sizeof(buf), &crt->issuer);
		cJSON_AddStringToObject(obj, "issuer", buf);
		fmt_time(&crt->valid_from, buf, sizeof(buf));
		cJSON_AddStringToObject(obj, "not_before", buf);
		fmt_time(&crt->valid_to, buf, sizeof(buf));
		cJSON_AddStringToObject(obj, "not_after", buf);
		cJSON_AddBoolToObject(obj, "valid_now",
				      !mbedtls_x509_time_is_past(&crt->valid_to) &&
				      !mbedtls_x509_time_is_future(&crt->valid_from));
		sha_hex(crt->raw.p, crt->raw.len, fp);
		cJSON_AddStringToObject(obj, "sha256", fp);
	}
	if (keep == NULL) {
		mbedtls_x509_crt_free(&local);
	}
	return ok;
}

static void add_anchor(cJSON *arr, const char *dir, const char *name, bool is_cert)
{
	char path[PATH_MAX];
	char fp[65];
	cJSON *a;

	if (provision_path(path, sizeof(path), dir, name) != 0 || !file_sha(path, fp)) {
		return;
	}
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "name", name);
	cJSON_AddStringToObject(a, "file_sha256", fp);
	if (is_cert && !describe_cert(path, a, NULL)) {
		cJSON_AddStringToObject(a, "error", "not a certificate");
	}
	cJSON_AddItemToArray(arr, a);
}

static cJSON *status_json(const char *dir)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *key = cJSON_AddObjectToObject(root, "key");
	cJSON *crt = cJSON_AddObjectToObject(root, "certificate");
	cJSON *anchors = cJSON_AddArrayToObject(root, "anchors");
	mbedtls_pk_context pk;
	mbedtls_x509_crt cert;
	char path[PATH_MAX];
	char adir[PATH_MAX];
	char mode[8];
	struct stat st;
	bool have_key = false;
	DIR *d;

	mbedtls_pk_init(&pk);
	mbedtls_x509_crt_init(&cert);
	cJSON_AddStringToObject(root, "dir", dir);
	provision_path(path, sizeof(path), dir, PROVISION_KEY_FILE);
	cJSON_AddBoolToObject(key, "present", stat(path, &st) == 0);
	if (stat(path, &st) == 0) {
		snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 07777));
		cJSON_AddStringToObject(key, "mode", mode);
		cJSON_AddBoolToObject(key, "mode_ok", (st.st_mode & 077) == 0);
		have_key = mbedtls_pk_parse_keyfile(&pk, path, NULL) == 0;
		cJSON_AddBoolToObject(key, "usable", have_key && provision_pk_is_p256(&pk));
	}
	provision_path(path, sizeof(path), dir, PROVISION_CERT_FILE);
	cJSON_AddBoolToObject(crt, "present", stat(path, &st) == 0);
	if (stat(path, &st) == 0) {
		if (describe_cert(path, crt, &cert)) {
			cJSON_AddBoolToObject(crt, "matches_key",
					      have_key && provision_same_public_key(&cert.pk, &pk));
		} else {
			cJSON_AddStringToObject(crt, "error", "not a certificate");
		}
	}
	provision_path(adir, sizeof(adir), dir, PROVISION_ANCHORS_DIR);
	add_anchor(anchors, adir, "center-ca.crt.pem", true);
	add_anchor(anchors, adir, "csca.crt.pem", true);
	add_anchor(anchors, adir, "shc-jwks.json", false);
	provision_path(path, sizeof(path), adir, "card-ca");
	d = opendir(path);
	if (d != NULL) {
		struct dirent *e;
		char name[BUNDLE_NAME_MAX + 8];

		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' || strlen(e->d_name) > 40) {
				continue;
			}
			snprintf(name, sizeof(name), "card-ca/%.40s", e->d_name);
			add_anchor(anchors, adir, name, false);
		}
		closedir(d);
	}
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&cert);
	return root;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "-";
}

static const char *jbool(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "yes" : "no") : "-";
}

static void status_table(const cJSON *s)
{
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(s, "key");
	const cJSON *crt = cJSON_GetObjectItemCaseSensitive(s, "certificate");
	const cJSON *a;

	printf("unit folder   %s\n", jstr(s, "dir"));
	printf("key           present %s, mode %s (0600 expected: %s), usable %s\n",
	       jbool(key, "present"), jstr(key, "mode"), jbool(key, "mode_ok"),
	       jbool(key, "usable"));
	printf("certificate   present %s, matches key %s, valid now %s\n", jbool(crt, "present"),
	       jbool(crt, "matches_key"), jbool(crt, "valid_now"));
	printf("  subject     %s\n  issuer      %s\n  validity    %s .. %s\n  sha256      %s\n",
	       jstr(crt, "subject"), jstr(crt, "issuer"), jstr(crt, "not_before"),
	       jstr(crt, "not_after"), jstr(crt, "sha256"));
	printf("anchors\n");
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(s, "anchors")) {
		printf("  %-48s sha256 %.16s…", jstr(a, "name"), jstr(a, "file_sha256"));
		if (cJSON_GetObjectItemCaseSensitive(a, "not_after") != NULL) {
			printf("  until %s  valid now %s", jstr(a, "not_after"), jbool(a, "valid_now"));
		}
		printf("\n");
	}
}

static int cmd_status(const struct prov_opts *o)
{
	cJSON *s = status_json(o->dir);
	char *text;

	if (s == NULL) {
		return KIOSKCTL_EXIT_FAIL;
	}
	if (o->json) {
		text = cJSON_PrintUnformatted(s);
		if (text != NULL) {
			printf("%s\n", text);
			free(text);
		}
	} else {
		status_table(s);
	}
	cJSON_Delete(s);
	return KIOSKCTL_EXIT_OK;
}

int kioskctl_provision(int argc, char **argv)
{
	struct prov_opts o;
	const char *sub;
	char why[256] = "";
	int code;
	int rc;

	if (kiosk_harden_process() != 0) {
		return KIOSKCTL_EXIT_FAIL;
	}
	if (argc < 2) {
		prov_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	sub = argv[1];
	code = parse(argc - 1, argv + 1, &o);
	if (code != KIOSKCTL_EXIT_OK) {
		prov_usage(stderr);
		return code;
	}
	if (strcmp(sub, "bundle") == 0) {
		return cmd_bundle(&o);
	}
	if (o.dir == NULL) {
		prov_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	if (strcmp(sub, "keygen") == 0 && o.npos == 0) {
		rc = provision_keygen(o.dir, why, sizeof(why));
		return exit_for(rc, "keygen", why);
	}
	if (strcmp(sub, "csr") == 0 && o.npos == 0 && o.kiosk_id && o.board) {
		rc = provision_csr(o.dir, o.kiosk_id, o.board, why, sizeof(why));
		return exit_for(rc, "csr", why);
	}
	if (strcmp(sub, "install-cert") == 0 && o.npos == 1 && o.ca) {
		rc = provision_install_cert(o.dir, o.pos[0], o.ca, why, sizeof(why));
		return exit_for(rc, "install-cert", why);
	}
	if (strcmp(sub, "install-anchors") == 0 && o.npos == 1 && o.bundle_root) {
		rc = provision_install_anchors(o.dir, o.pos[0], o.bundle_root, why, sizeof(why));
		return exit_for(rc, "install-anchors", why);
	}
	if (strcmp(sub, "status") == 0 && o.npos == 0) {
		return cmd_status(&o);
	}
	prov_usage(stderr);
	return KIOSKCTL_EXIT_USAGE;
}
