/* SPDX-License-Identifier: MIT */
/*
 * The center's signing keys (TEST-ONLY, certs/make-center-pki.sh): the SHC
 * issuer key and its kid from the JWKS, the rogue issuer key (fault), the
 * VDS-NC signer key and certificate. ES256 signatures leave here as JOSE
 * r||s, never DER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "center.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (f == NULL) {
		return NULL;
	}
	p = malloc(65537);
	if (p != NULL) {
		n = fread(p, 1, 65536, f);
		p[n] = '\0';
	}
	fclose(f);
	return p;
}

static int jwks_kid(const char *text, char *kid, size_t cap)
{
	cJSON *root = cJSON_Parse(text);
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
	const cJSON *k = cJSON_GetArrayItem(keys, 0);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, "kid");
	int rc = -1;

	if (cJSON_IsString(v) && strlen(v->valuestring) < cap) {
		snprintf(kid, cap, "%s", v->valuestring);
		rc = 0;
	}
	cJSON_Delete(root);
	return rc;
}

static int load_key(mbedtls_pk_context *pk, const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mbedtls_pk_parse_keyfile(pk, path, NULL) != 0 ||
	    mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY) {
		fprintf(stderr, "kiosk-center: cannot load key %s\n", name);
		return -1;
	}
	return 0;
}

int rc_keys_load(struct rc_keys *k, const char *dir)
{
	static const char pers[] = "kiosk-center";
	char path[4096];
	char *text = NULL;
	mbedtls_x509_crt crt;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	mbedtls_entropy_init(&k->entropy);
	mbedtls_ctr_drbg_init(&k->drbg);
	mbedtls_pk_init(&k->shc);
	mbedtls_pk_init(&k->rogue);
	mbedtls_pk_init(&k->vds);
	mbedtls_x509_crt_init(&crt);
	if (mbedtls_ctr_drbg_seed(&k->drbg, mbedtls_entropy_func, &k->entropy,
				  (const unsigned char *)pers, sizeof(pers) - 1) != 0) {
		goto out;
	}
	if (load_key(&k->shc, dir, "shc-issuer.key.pem") != 0 ||
	    load_key(&k->rogue, dir, "shc-rogue.key.pem") != 0 ||
	    load_key(&k->vds, dir, "vdsnc-signer.key.pem") != 0) {
		goto out;
	}
	snprintf(path, sizeof(path), "%s/shc-rogue-jwks.json", dir);
	text = slurp(path);
	if (text == NULL || jwks_kid(text, k->rogue_kid, sizeof(k->rogue_kid)) != 0) {
		goto out;
	}
	free(text);
	snprintf(path, sizeof(path), "%s/shc-jwks.json", dir);
	text = slurp(path);
	if (text == NULL || jwks_kid(text, k->kid, sizeof(k->kid)) != 0) {
		goto out;
	}
	k->jwks = text;
	text = NULL;
	snprintf(path, sizeof(path), "%s/vdsnc-signer.crt.pem", dir);
	if (mbedtls_x509_crt_parse_file(&crt, path) != 0) {
		goto out;
	}
	k->vds_cer = malloc(crt.raw.len);
	if (k->vds_cer == NULL) {
		goto out;
	}
	memcpy(k->vds_cer, crt.raw.p, crt.raw.len);
	k->vds_cer_len = crt.raw.len;
	rc = 0;
out:
	free(text);
	mbedtls_x509_crt_free(&crt);
	if (rc != 0) {
		fprintf(stderr, "kiosk-center: cannot load the center PKI from %s\n", dir);
		rc_keys_free(k);
	}
	return rc;
}

void rc_keys_free(struct rc_keys *k)
{
	if (k == NULL) {
		return;
	}
	mbedtls_pk_free(&k->shc);
	mbedtls_pk_free(&k->rogue);
	mbedtls_pk_free(&k->vds);
	mbedtls_ctr_drbg_free(&k->drbg);
	mbedtls_entropy_free(&k->entropy);
	free(k->vds_cer);
	free(k->jwks);
	memset(k, 0, sizeof(*k));
}

int rc_random(struct rc_keys *k, uint8_t *out, size_t len)
{
	return mbedtls_ctr_drbg_random(&k->drbg, out, len) == 0 ? 0 : -1;
}

int rc_es256_sign(struct rc_keys *k, mbedtls_pk_context *key, const uint8_t *msg, size_t len,
		  uint8_t rs[64])
{
	mbedtls_ecp_keypair *ec = mbedtls_pk_ec(*key);
	mbedtls_mpi r, s;
	uint8_t hash[32];
	int rc = -1;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (ec == NULL || mbedtls_sha256_ret(msg, len, hash, 0) != 0) {
		goto out;
	}
	if (mbedtls_ecdsa_sign(&ec->grp, &r, &s, &ec->d, hash, sizeof(hash),
			       mbedtls_ctr_drbg_random, &k->drbg) != 0 ||
	    mbedtls_mpi_write_binary(&r, rs, 32) != 0 ||
	    mbedtls_mpi_write_binary(&s, rs + 32, 32) != 0) {
		goto out;
	}
	rc = 0;
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	mbedtls_platform_zeroize(hash, sizeof(hash));
	return rc;
}
