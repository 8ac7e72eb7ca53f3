/* SPDX-License-Identifier: MIT */
/* Loading the TEST keys and signing with them (mbedTLS 2.28). */
#include "pki.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include "kiosk/err.h"

const uint8_t cardsim_ca_key_id[CARDSIM_KEY_ID_LEN] = {
	'6', '0', '0', '0', '0', '3', '3', 0x08, 0x05, '0', '0', '1', 0, 0, 0, 0,
};
const uint8_t cardsim_unknown_ca_key_id[CARDSIM_KEY_ID_LEN] = {
	'6', '9', '9', '9', '9', '3', '3', 0x08, 0x05, '0', '0', '1', 0, 0, 0, 0,
};
const uint8_t cardsim_ap_key_id[CARDSIM_KEY_ID_LEN] = {
	'6', '0', '0', '0', '0', '3', '4', 0x08, 0x05, '0', '0', '1', 0, 0, 0, 0,
};

static const uint8_t sha256_di_prefix[19] = {
	0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

static const char drbg_personalisation[] = "cardsim test card";

void cardsim_pki_init(struct cardsim_pki *k)
{
	memset(k, 0, sizeof(*k));
	mbedtls_pk_init(&k->ca);
	mbedtls_pk_init(&k->unknown_ca);
	mbedtls_pk_init(&k->municipality);
	mbedtls_pk_init(&k->card);
	mbedtls_entropy_init(&k->entropy);
	mbedtls_ctr_drbg_init(&k->drbg);
}

void cardsim_pki_free(struct cardsim_pki *k)
{
	if (k == NULL) {
		return;
	}
	mbedtls_pk_free(&k->ca);
	mbedtls_pk_free(&k->unknown_ca);
	mbedtls_pk_free(&k->municipality);
	mbedtls_pk_free(&k->card);
	mbedtls_ctr_drbg_free(&k->drbg);
	mbedtls_entropy_free(&k->entropy);
	mbedtls_platform_zeroize(k, sizeof(*k));
}

static int load_key(mbedtls_pk_context *pk, const char *dir, const char *rel, char *err,
		    size_t err_cap)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, rel);
	const mbedtls_rsa_context *rsa;

	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, err_cap, "pki: path too long for %s", rel);
		return KIOSK_ERR_INVALID_ARG;
	}
	if (mbedtls_pk_parse_keyfile(pk, path, NULL) != 0) {
		snprintf(err, err_cap, "pki: cannot load key %s (run the test_pki target)", path);
		return KIOSK_ERR_IO;
	}
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA) {
		snprintf(err, err_cap, "pki: %s is not an RSA key", path);
		return KIOSK_ERR_CRYPTO;
	}
	rsa = mbedtls_pk_rsa(*pk);
	if (mbedtls_rsa_get_len(rsa) != CARDSIM_RSA_LEN) {
		snprintf(err, err_cap, "pki: %s is not RSA-2048", path);
		return KIOSK_ERR_CRYPTO;
	}
	return 0;
}

int cardsim_pki_setup(struct cardsim_pki *k, const char *dir, const char *id, const char *muni,
		      char *err, size_t err_cap)
{
	char rel[128];
	int rc;

	if (dir == NULL || id == NULL || muni == NULL || strlen(muni) != 6) {
		snprintf(err, err_cap, "pki: no PKI directory given");
		return KIOSK_ERR_INVALID_ARG;
	}
	rc = load_key(&k->ca, dir, "ca.key.pem", err, err_cap);
	if (rc == 0) {
		rc = load_key(&k->unknown_ca, dir, "unknown-ca.key.pem", err, err_cap);
	}
	if (rc == 0) {
		snprintf(rel, sizeof(rel), "municipalities/%s.key.pem", muni);
		rc = load_key(&k->municipality, dir, rel, err, err_cap);
	}
	if (rc == 0) {
		snprintf(rel, sizeof(rel), "cards/%s.key.pem", id);
		rc = load_key(&k->card, dir, rel, err, err_cap);
	}
	if (rc != 0) {
		return rc;
	}
	if (mbedtls_ctr_drbg_seed(&k->drbg, mbedtls_entropy_func, &k->entropy,
				  (const unsigned char *)drbg_personalisation,
				  sizeof(drbg_personalisation) - 1) != 0) {
		snprintf(err, err_cap, "pki: cannot seed the DRBG");
		return KIOSK_ERR_CRYPTO;
	}
	/* The municipality's key id (subject of EF 0004): <code>"1" 08 05 "001" 00000000. */
	memcpy(k->municipality_key_id, muni, 6);
	k->municipality_key_id[6] = '1';
	k->municipality_key_id[7] = 0x08;
	k->municipality_key_id[8] = 0x05;
	memcpy(&k->municipality_key_id[9], "001", 3);
	memset(&k->municipality_key_id[12], 0, 4);
	return 0;
}

void cardsim_sha256(const uint8_t *in, size_t len, uint8_t out[32])
{
	/* Only fails on bad parameters, which cannot happen here. */
	(void)mbedtls_sha256_ret(in, len, out, 0);
}

void cardsim_digest_info(const uint8_t *msg, size_t len, uint8_t out[CARDSIM_DIGEST_INFO_LEN])
{
	memcpy(out, sha256_di_prefix, sizeof(sha256_di_prefix));
	cardsim_sha256(msg, len, out + sizeof(sha256_di_prefix));
}

int cardsim_sign_sha256(struct cardsim_pki *k, mbedtls_pk_context *key, const uint8_t *msg,
			size_t len, uint8_t sig[CARDSIM_RSA_LEN])
{
	uint8_t h[32];
	int rc;

	cardsim_sha256(msg, len, h);
	rc = mbedtls_rsa_rsassa_pkcs1_v15_sign(mbedtls_pk_rsa(*key), mbedtls_ctr_drbg_random,
					       &k->drbg, MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_SHA256,
					       sizeof(h), h, sig);
	return rc == 0 ? 0 : KIOSK_ERR_CRYPTO;
}

int cardsim_sign_raw(struct cardsim_pki *k, mbedtls_pk_context *key, const uint8_t *di,
		     size_t di_len, uint8_t sig[CARDSIM_RSA_LEN])
{
	int rc;

	if (di_len == 0 || di_len > CARDSIM_RSA_LEN - 11) {
		return KIOSK_ERR_INVALID_ARG;
	}
	rc = mbedtls_rsa_rsassa_pkcs1_v15_sign(mbedtls_pk_rsa(*key), mbedtls_ctr_drbg_random,
					       &k->drbg, MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_NONE,
					       (unsigned int)di_len, di, sig);
	return rc == 0 ? 0 : KIOSK_ERR_CRYPTO;
}

int cardsim_modulus(const mbedtls_pk_context *key, uint8_t out[CARDSIM_RSA_LEN])
{
	mbedtls_mpi n;
	int rc;

	mbedtls_mpi_init(&n);
	rc = mbedtls_rsa_export(mbedtls_pk_rsa(*key), &n, NULL, NULL, NULL, NULL);
	if (rc == 0) {
		rc = mbedtls_mpi_write_binary(&n, out, CARDSIM_RSA_LEN);
	}
	mbedtls_mpi_free(&n);
	return rc == 0 ? 0 : KIOSK_ERR_CRYPTO;
}
