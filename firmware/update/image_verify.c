/* SPDX-License-Identifier: MIT */
/*
 * Reading and verifying an image's front matter: bounded reads of header,
 * manifest, signature and signer certificate; then the certificate chain to
 * the pinned release root, validity at a given time, key usage, the ECDSA
 * signature, and only then the manifest parser sees the bytes.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "kiosk/err.h"
#include "update/image.h"
#include "update_internal.h"

void update_image_init(struct update_image *img)
{
	memset(img, 0, sizeof(*img));
	img->fd = -1;
}

void update_image_free(struct update_image *img)
{
	if (img == NULL) {
		return;
	}
	if (img->fd >= 0) {
		close(img->fd);
	}
	update_image_init(img);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int refuse(enum update_reason *why, enum update_reason r)
{
	if (why != NULL) {
		*why = r;
	}
	return KIOSK_ERR_UPDATE;
}

/* A u16 length (1..cap) at @off, then that many bytes into @dst. */
static int read_lv(struct update_image *img, uint64_t *off, uint8_t *dst, size_t cap,
		   size_t *out_len, enum update_reason *why)
{
	uint8_t l[2];
	size_t n;

	if (*off + 2 > img->file_size) {
		return refuse(why, UPDATE_R_TRUNCATED);
	}
	if (update_pread_full(img->fd, l, 2, *off) != KIOSK_OK) {
		return refuse(why, UPDATE_R_IO);
	}
	n = (size_t)l[0] << 8 | l[1];
	if (n == 0) {
		return refuse(why, UPDATE_R_FORMAT);
	}
	if (n > cap) {
		return refuse(why, UPDATE_R_TOO_LARGE);
	}
	if (*off + 2 + n > img->file_size) {
		return refuse(why, UPDATE_R_TRUNCATED);
	}
	if (update_pread_full(img->fd, dst, n, *off + 2) != KIOSK_OK) {
		return refuse(why, UPDATE_R_IO);
	}
	*out_len = n;
	*off += 2 + n;
	return KIOSK_OK;
}

int update_image_open(struct update_image *img, const char *path, enum update_reason *why)
{
	struct stat st;
	uint64_t off;
	uint32_t mlen;
	int rc;

	update_image_free(img);
	if (why != NULL) {
		*why = UPDATE_R_NONE;
	}
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0) {
		refuse(why, UPDATE_R_IO);
		return KIOSK_ERR_IO;
	}
	if (fstat(img->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		refuse(why, UPDATE_R_IO);
		return KIOSK_ERR_IO;
	}
	img->file_size = (uint64_t)st.st_size;
	if (img->file_size < UPDATE_HEADER_LEN) {
		return refuse(why, UPDATE_R_TRUNCATED);
	}
	if (update_pread_full(img->fd, img->header, UPDATE_HEADER_LEN, 0) != KIOSK_OK) {
		return refuse(why, UPDATE_R_IO);
	}
	if (memcmp(img->header, UPDATE_MAGIC, 8) != 0 || img->header[8] != 0 ||
	    img->header[9] != UPDATE_FORMAT_VERSION || img->header[10] != 0 ||
	    img->header[11] != 0) {
		return refuse(why, UPDATE_R_FORMAT);
	}
	mlen = be32(img->header + 12);
	if (mlen == 0) {
		return refuse(why, UPDATE_R_FORMAT);
	}
	if (mlen > UPDATE_MANIFEST_MAX) {
		return refuse(why, UPDATE_R_TOO_LARGE);
	}
	if (UPDATE_HEADER_LEN + (uint64_t)mlen > img->file_size) {
		return refuse(why, UPDATE_R_TRUNCATED);
	}
	if (update_pread_full(img->fd, img->manifest_raw, mlen, UPDATE_HEADER_LEN) != KIOSK_OK) {
		return refuse(why, UPDATE_R_IO);
	}
	img->manifest_len = mlen;
	off = UPDATE_HEADER_LEN + (uint64_t)mlen;
	rc = read_lv(img, &off, img->sig, sizeof(img->sig), &img->sig_len, why);
	if (rc == KIOSK_OK) {
		rc = read_lv(img, &off, img->cert, sizeof(img->cert), &img->cert_len, why);
	}
	img->payload_offset = off;
	return rc;
}

/* mbedtls_x509_time vs a UTC calendar time: <0, 0, >0 */
static int cmp_time(const mbedtls_x509_time *a, const struct tm *t)
{
	const int av[6] = { a->year, a->mon, a->day, a->hour, a->min, a->sec };
	const int tv[6] = { t->tm_year + 1900, t->tm_mon + 1, t->tm_mday, t->tm_hour, t->tm_min,
			    t->tm_sec };

	for (int i = 0; i < 6; i++) {
		if (av[i] != tv[i]) {
			return av[i] < tv[i] ? -1 : 1;
		}
	}
	return 0;
}

static int valid_at(const mbedtls_x509_crt *c, const struct tm *t)
{
	return cmp_time(&c->valid_from, t) <= 0 && cmp_time(&c->valid_to, t) >= 0;
}

/* Is @signer a P-256 signing leaf (digitalSignature, codeSigning if EKU present)? */
static int signer_usage_ok(mbedtls_x509_crt *signer)
{
	if (signer->ca_istrue) {
		return 0;
	}
	if (!(signer->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) ||
	    mbedtls_x509_crt_check_key_usage(signer, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0) {
		return 0;
	}
	if (mbedtls_x509_crt_check_extended_key_usage(signer, MBEDTLS_OID_CODE_SIGNING,
						       MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)) != 0) {
		return 0;
	}
	if (mbedtls_pk_get_type(&signer->pk) != MBEDTLS_PK_ECKEY ||
	    mbedtls_pk_ec(signer->pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
		return 0;
	}
	return 1;
}

int update_image_verify(struct update_image *img, const char *root_pem, time_t now,
			enum update_reason *why)
{
	mbedtls_x509_crt root;
	mbedtls_x509_crt signer;
	mbedtls_sha256_context sha;
	uint8_t hash[32];
	uint32_t flags = 0;
	struct tm t;
	uint64_t total = 0;
	int rc;

	mbedtls_x509_crt_init(&root);
	mbedtls_x509_crt_init(&signer);
	mbedtls_sha256_init(&sha);
	img->verified = false;
	if (img->fd < 0 || img->manifest_len == 0 || img->cert_len == 0) {
		rc = KIOSK_ERR_INVALID_ARG;
		goto out;
	}
	if (root_pem == NULL || mbedtls_x509_crt_parse_file(&root, root_pem) != 0) {
		refuse(why, UPDATE_R_CONFIG);
		rc = KIOSK_ERR_CONFIG;
		goto out;
	}
	if (mbedtls_x509_crt_parse_der(&signer, img->cert, img->cert_len) != 0 ||
	    signer.next != NULL) {
		rc = refuse(why, UPDATE_R_FORMAT);
		goto out;
	}
	mbedtls_x509_dn_gets(img->signer, sizeof(img->signer), &signer.subject);
	/*
	 * mbedTLS checks validity against the system clock; the caller's time
	 * decides here (the unit may boot with a wrong clock, tests pin time),
	 * so the clock flags are dropped and validity is checked below.
	 */
	if (mbedtls_x509_crt_verify(&signer, &root, NULL, NULL, &flags, NULL, NULL) != 0) {
		flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
		if (flags != 0) {
			rc = refuse(why, UPDATE_R_CHAIN);
			goto out;
		}
	}
	if (gmtime_r(&now, &t) == NULL) {
		rc = KIOSK_ERR_INVALID_ARG;
		goto out;
	}
	if (!valid_at(&signer, &t)) {
		rc = refuse(why, UPDATE_R_EXPIRED);
		goto out;
	}
	/* the root that signed it must be valid too (any of the pinned roots) */
	{
		int any = 0;

		for (mbedtls_x509_crt *r = &root; r != NULL && r->raw.len > 0; r = r->next) {
			if (r->subject_raw.len == signer.issuer_raw.len &&
			    memcmp(r->subject_raw.p, signer.issuer_raw.p, r->subject_raw.len) == 0 &&
			    valid_at(r, &t)) {
				any = 1;
			}
		}
		if (!any) {
			rc = refuse(why, UPDATE_R_EXPIRED);
			goto out;
		}
	}
	if (!signer_usage_ok(&signer)) {
		rc = refuse(why, UPDATE_R_KEY_USAGE);
		goto out;
	}
	mbedtls_sha256_starts_ret(&sha, 0);
	mbedtls_sha256_update_ret(&sha, img->header, UPDATE_HEADER_LEN);
	mbedtls_sha256_update_ret(&sha, img->manifest_raw, img->manifest_len);
	mbedtls_sha256_finish_ret(&sha, hash);
	if (mbedtls_pk_verify(&signer.pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), img->sig,
			      img->sig_len) != 0) {
		rc = refuse(why, UPDATE_R_SIGNATURE);
		goto out;
	}
	/* signed bytes: now they may be parsed */
	rc = update_manifest_parse(&img->manifest, img->manifest_raw, img->manifest_len, why);
	if (rc != KIOSK_OK) {
		goto out;
	}
	for (unsigned i = 0; i < img->manifest.n_payloads; i++) {
		total += img->manifest.payloads[i].size; /* each <= 2^40: no overflow */
	}
	if (img->payload_offset + total != img->file_size) {
		rc = refuse(why, UPDATE_R_TRUNCATED);
		goto out;
	}
	img->verified = true;
	if (why != NULL) {
		*why = UPDATE_R_NONE;
	}
	rc = KIOSK_OK;
out:
	mbedtls_platform_zeroize(hash, sizeof(hash));
	mbedtls_sha256_free(&sha);
	mbedtls_x509_crt_free(&signer);
	mbedtls_x509_crt_free(&root);
	return rc;
}
