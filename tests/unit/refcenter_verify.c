/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <zlib.h>

#include "center.h"
#include "refcenter_verify.h"

static bool es256_verify(mbedtls_pk_context *pk, const uint8_t *msg, size_t len,
			 const uint8_t *rs, size_t rs_len)
{
	mbedtls_ecp_keypair *ec = mbedtls_pk_ec(*pk);
	mbedtls_mpi r, s;
	uint8_t hash[32];
	bool ok = false;

	if (rs_len != 64 || ec == NULL) {
		return false;
	}
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	mbedtls_sha256_ret(msg, len, hash, 0);
	if (mbedtls_mpi_read_binary(&r, rs, 32) == 0 &&
	    mbedtls_mpi_read_binary(&s, rs + 32, 32) == 0 &&
	    mbedtls_ecdsa_verify(&ec->grp, hash, 32, &ec->Q, &r, &s) == 0) {
		ok = true;
	}
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ok;
}

const char *refc_jwks_kid(const char *path)
{
	static char kid[128];
	char buf[8192];
	FILE *f = fopen(path, "rb");
	size_t n;
	cJSON *root;
	const cJSON *k;

	kid[0] = '\0';
	if (f == NULL) {
		return kid;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	root = cJSON_Parse(buf);
	k = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "keys"), 0), "kid");
	if (cJSON_IsString(k)) {
		snprintf(kid, sizeof(kid), "%s", k->valuestring);
	}
	cJSON_Delete(root);
	return kid;
}

cJSON *refc_shc_open(const char *jws, const char *key_pem_path, const char *kid)
{
	const char *d1 = strchr(jws, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	char part[8192];
	static uint8_t raw[8192], out[65536];
	uint8_t sig[128];
	size_t hlen = 0, plen = 0, slen = 0;
	cJSON *hdr = NULL, *claims = NULL;
	mbedtls_pk_context pk;
	z_stream z;

	if (d2 == NULL || strchr(d2 + 1, '.') != NULL || (size_t)(d1 - jws) >= sizeof(part)) {
		return NULL;
	}
	/* header */
	memcpy(part, jws, (size_t)(d1 - jws));
	part[d1 - jws] = '\0';
	if (rc_b64url_decode(part, raw, sizeof(raw) - 1, &hlen) != 0) {
		return NULL;
	}
	raw[hlen] = '\0';
	hdr = cJSON_Parse((const char *)raw);
	if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(hdr, "alg")) ?: "", "ES256") != 0 ||
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(hdr, "zip")) ?: "", "DEF") != 0 ||
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(hdr, "kid")) ?: "", kid) != 0 ||
	    cJSON_GetArraySize(hdr) != 3) {
		cJSON_Delete(hdr);
		return NULL;
	}
	cJSON_Delete(hdr);
	/* signature over "header.payload" */
	if (rc_b64url_decode(d2 + 1, sig, sizeof(sig), &slen) != 0 || slen != 64) {
		return NULL;
	}
	mbedtls_pk_init(&pk);
	if (mbedtls_pk_parse_keyfile(&pk, key_pem_path, NULL) != 0 ||
	    !es256_verify(&pk, (const uint8_t *)jws, (size_t)(d2 - jws), sig, slen)) {
		mbedtls_pk_free(&pk);
		return NULL;
	}
	mbedtls_pk_free(&pk);
	/* payload: raw DEFLATE (a zlib header would fail here) */
	if ((size_t)(d2 - d1 - 1) >= sizeof(part)) {
		return NULL;
	}
	memcpy(part, d1 + 1, (size_t)(d2 - d1 - 1));
	part[d2 - d1 - 1] = '\0';
	if (rc_b64url_decode(part, raw, sizeof(raw), &plen) != 0) {
		return NULL;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK) {
		return NULL;
	}
	z.next_in = raw;
	z.avail_in = (uInt)plen;
	z.next_out = out;
	z.avail_out = sizeof(out) - 1;
	if (inflate(&z, Z_FINISH) == Z_STREAM_END) {
		out[z.total_out] = '\0';
		/* minified: no whitespace outside strings is expected; check a sample */
		if (strstr((const char *)out, "\": ") == NULL &&
		    strchr((const char *)out, '\n') == NULL) {
			claims = cJSON_Parse((const char *)out);
		}
	}
	inflateEnd(&z);
	return claims;
}

bool refc_vdsnc_verify(const cJSON *seal)
{
	const cJSON *data = cJSON_GetObjectItem(seal, "data");
	const cJSON *sig = cJSON_GetObjectItem(seal, "sig");
	const char *cer = cJSON_GetStringValue(cJSON_GetObjectItem(sig, "cer"));
	const char *sigvl = cJSON_GetStringValue(cJSON_GetObjectItem(sig, "sigvl"));
	static uint8_t der[4096];
	uint8_t rs[128];
	size_t dlen = 0, rlen = 0;
	struct rc_buf canon = {0};
	mbedtls_x509_crt crt;
	bool ok = false;

	if (data == NULL || cer == NULL || sigvl == NULL ||
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(sig, "alg")) ?: "", "ES256") != 0 ||
	    rc_b64url_decode(cer, der, sizeof(der), &dlen) != 0 ||
	    rc_b64url_decode(sigvl, rs, sizeof(rs), &rlen) != 0 || rc_jcs(data, &canon) != 0) {
		rc_buf_free(&canon);
		return false;
	}
	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_der(&crt, der, dlen) == 0) {
		ok = es256_verify(&crt.pk, (const uint8_t *)canon.p, canon.len, rs, rlen);
	}
	mbedtls_x509_crt_free(&crt);
	rc_buf_free(&canon);
	return ok;
}
