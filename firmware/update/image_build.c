/* SPDX-License-Identifier: MIT */
/*
 * Building an image (the release machine): hash the payload files (streamed),
 * serialize and sign the manifest with the release key, write header,
 * manifest, signature, signer certificate (DER) and the payloads to a
 * temporary file beside the output, then rename.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "kiosk/err.h"
#include "update/image.h"
#include "update_internal.h"

static int sign_front(const uint8_t *front, size_t front_len, const char *key_pem, uint8_t *sig,
		      size_t *sig_len, char *why, size_t why_cap)
{
	static const char pers[] = "kiosk-image-build";
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context pk;
	uint8_t hash[32];
	uint8_t der[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t n = 0;
	int rc;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&pk);
	if (mbedtls_pk_parse_keyfile(&pk, key_pem, NULL) != 0) {
		rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "cannot read the signing key");
		goto out;
	}
	if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY ||
	    mbedtls_pk_ec(pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
		rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "signing key is not ECDSA P-256");
		goto out;
	}
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, (const uint8_t *)pers,
				  sizeof(pers) - 1) != 0 ||
	    mbedtls_sha256_ret(front, front_len, hash, 0) != 0 ||
	    mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), der, &n,
			    mbedtls_ctr_drbg_random, &drbg) != 0 || n > UPDATE_SIG_MAX) {
		rc = update_why(why, why_cap, KIOSK_ERR_CRYPTO, "signing failed");
		goto out;
	}
	memcpy(sig, der, n);
	*sig_len = n;
	rc = KIOSK_OK;
out:
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return rc;
}

static int copy_file(int out, const char *path, uint8_t *buf)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	int rc = KIOSK_OK;

	if (in < 0) {
		return KIOSK_ERR_IO;
	}
	for (;;) {
		ssize_t n = read(in, buf, UPDATE_IO_CHUNK);

		if (n < 0) {
			rc = KIOSK_ERR_IO;
			break;
		}
		if (n == 0) {
			break;
		}
		rc = update_write_full(out, buf, (size_t)n);
		if (rc != KIOSK_OK) {
			break;
		}
	}
	close(in);
	return rc;
}

static void put_u16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int update_image_write(const char *out_path, const struct update_manifest *m,
		       const char *const *payload_paths, const char *key_pem, const char *cert_pem,
		       char *why, size_t why_cap)
{
	/* header + manifest + sig + cert: all capped, so a fixed buffer */
	static const size_t front_cap = UPDATE_HEADER_LEN + UPDATE_MANIFEST_MAX + 2 +
					UPDATE_SIG_MAX + 2 + UPDATE_CERT_MAX;
	mbedtls_x509_crt crt;
	uint8_t *front = NULL;
	uint8_t *buf = NULL;
	char tmp[4096];
	size_t mlen = 0;
	size_t sig_len = 0;
	size_t off;
	int fd = -1;
	int rc;

	mbedtls_x509_crt_init(&crt);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", out_path) >= (int)sizeof(tmp)) {
		return update_why(why, why_cap, KIOSK_ERR_INVALID_ARG, "output path too long");
	}
	front = malloc(front_cap);
	buf = malloc(UPDATE_IO_CHUNK);
	if (front == NULL || buf == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	if (mbedtls_x509_crt_parse_file(&crt, cert_pem) != 0 || crt.raw.len > UPDATE_CERT_MAX) {
		rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "cannot read the signer certificate");
		goto out;
	}
	rc = update_manifest_serialize(m, front + UPDATE_HEADER_LEN, UPDATE_MANIFEST_MAX, &mlen);
	if (rc != KIOSK_OK) {
		update_why(why, why_cap, rc, "manifest fields out of range");
		goto out;
	}
	memcpy(front, UPDATE_MAGIC, 8);
	front[8] = 0;
	front[9] = UPDATE_FORMAT_VERSION;
	front[10] = 0;
	front[11] = 0;
	front[12] = (uint8_t)(mlen >> 24);
	front[13] = (uint8_t)(mlen >> 16);
	front[14] = (uint8_t)(mlen >> 8);
	front[15] = (uint8_t)mlen;
	off = UPDATE_HEADER_LEN + mlen;
	rc = sign_front(front, off, key_pem, front + off + 2, &sig_len, why, why_cap);
	if (rc != KIOSK_OK) {
		goto out;
	}
	put_u16(front + off, sig_len);
	off += 2 + sig_len;
	put_u16(front + off, crt.raw.len);
	memcpy(front + off + 2, crt.raw.p, crt.raw.len);
	off += 2 + crt.raw.len;

	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = update_why(why, why_cap, KIOSK_ERR_IO, "cannot create the output file");
		goto out;
	}
	fchmod(fd, 0644);
	rc = update_write_full(fd, front, off);
	for (unsigned i = 0; rc == KIOSK_OK && i < m->n_payloads; i++) {
		rc = copy_file(fd, payload_paths[i], buf);
	}
	if (rc == KIOSK_OK && fsync(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (close(fd) != 0 && rc == KIOSK_OK) {
		rc = KIOSK_ERR_IO;
	}
	fd = -1;
	if (rc == KIOSK_OK && rename(tmp, out_path) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (rc != KIOSK_OK) {
		unlink(tmp);
		update_why(why, why_cap, rc, "writing the image failed");
		goto out;
	}
	update_fsync_dir_of(out_path);
out:
	mbedtls_x509_crt_free(&crt);
	free(front);
	free(buf);
	return rc;
}

int update_image_build(const char *out_path, struct update_manifest *m,
		       const char *const *payload_paths, const char *key_pem, const char *cert_pem,
		       char *why, size_t why_cap)
{
	mbedtls_x509_crt crt;
	mbedtls_pk_context pk;
	int match;

	if (m == NULL || m->n_payloads == 0 || m->n_payloads > UPDATE_PAYLOADS_MAX) {
		return update_why(why, why_cap, KIOSK_ERR_INVALID_ARG, "1 to %d payloads",
				  UPDATE_PAYLOADS_MAX);
	}
	for (unsigned i = 0; i < m->n_payloads; i++) {
		struct stat st;
		int fd = open(payload_paths[i], O_RDONLY | O_CLOEXEC);
		int rc;

		for (unsigned j = 0; j < i; j++) {
			if (strcmp(m->payloads[i].slot_class, m->payloads[j].slot_class) == 0) {
				if (fd >= 0) {
					close(fd);
				}
				return update_why(why, why_cap, KIOSK_ERR_INVALID_ARG,
						  "slot class %s given twice",
						  m->payloads[i].slot_class);
			}
		}
		if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
		    (uint64_t)st.st_size > UPDATE_PAYLOAD_SIZE_MAX) {
			if (fd >= 0) {
				close(fd);
			}
			return update_why(why, why_cap, KIOSK_ERR_INVALID_ARG,
					  "payload %u: not a readable, non-empty regular file", i + 1);
		}
		m->payloads[i].size = (uint64_t)st.st_size;
		rc = update_hash_fd(fd, 0, m->payloads[i].size, m->payloads[i].sha256);
		close(fd);
		if (rc != KIOSK_OK) {
			return update_why(why, why_cap, rc, "payload %u: read failed", i + 1);
		}
	}
	/* refuse to produce an image no unit would accept */
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&pk);
	match = mbedtls_x509_crt_parse_file(&crt, cert_pem) == 0 &&
		mbedtls_pk_parse_keyfile(&pk, key_pem, NULL) == 0 &&
		mbedtls_pk_check_pair(&crt.pk, &pk) == 0;
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&crt);
	if (!match) {
		return update_why(why, why_cap, KIOSK_ERR_CONFIG,
				  "signing key and certificate unreadable or not a pair");
	}
	return update_image_write(out_path, m, payload_paths, key_pem, cert_pem, why, why_cap);
}
