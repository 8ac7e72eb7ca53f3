/* SPDX-License-Identifier: MIT */
/*
 * RSA-2048 verify-only helpers over mbedTLS 2.28. A fresh mbedTLS context is
 * built for each verification: the public operation caches values inside the
 * context, and the keys it uses are shared (trust anchors, the cert cache).
 */
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include "kiosk/err.h"
#include "mnc_rsa_pub.h"

int mnc_rsa_pub_set(struct mnc_rsa_pub *k, const uint8_t *n, size_t n_len, const uint8_t *e,
		    size_t e_len)
{
	if (k == NULL || n == NULL || e == NULL) {
		return KIOSK_ERR_CARD_DATA;
	}
	memset(k, 0, sizeof(*k));
	if (n_len == MNC_RSA_BYTES + 1 && n[0] == 0x00) {
		n++;
		n_len--;
	}
	while (e_len > 0 && e[0] == 0x00) {
		e++;
		e_len--;
	}
	if (n_len != MNC_RSA_BYTES || (n[0] & 0x80) == 0 || (n[n_len - 1] & 1) == 0) {
		return KIOSK_ERR_CARD_DATA;
	}
	if (e_len == 0 || e_len > MNC_RSA_E_MAX || (e[e_len - 1] & 1) == 0 ||
	    (e_len == 1 && e[0] < 3)) {
		return KIOSK_ERR_CARD_DATA;
	}
	memcpy(k->n, n, MNC_RSA_BYTES);
	memcpy(k->e, e, e_len);
	k->e_len = e_len;
	return 0;
}

int mnc_sha256(const uint8_t *msg, size_t len, uint8_t out[32])
{
	if (mbedtls_sha256_ret(msg, len, out, 0) != 0) {
		return KIOSK_ERR_CRYPTO;
	}
	return 0;
}

bool mnc_rsa_verify_digest(const struct mnc_rsa_pub *k, const uint8_t digest[32],
			   const uint8_t *sig, size_t sig_len)
{
	mbedtls_rsa_context rsa;
	bool ok = false;

	if (k == NULL || k->e_len == 0 || digest == NULL || sig == NULL ||
	    sig_len != MNC_RSA_BYTES) {
		return false;
	}
	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V15, 0);
	if (mbedtls_rsa_import_raw(&rsa, k->n, MNC_RSA_BYTES, NULL, 0, NULL, 0, NULL, 0, k->e,
				   k->e_len) != 0 ||
	    mbedtls_rsa_complete(&rsa) != 0 || mbedtls_rsa_check_pubkey(&rsa) != 0 ||
	    mbedtls_rsa_get_len(&rsa) != MNC_RSA_BYTES) {
		goto out;
	}
	/* PKCS#1 v1.5 "unprefixed" verify in mbedTLS rebuilds the expected block
	 * (00 01 FF.. 00 DigestInfo hash) and compares all of it. */
	ok = mbedtls_rsa_pkcs1_verify(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_SHA256, 32,
				      digest, sig) == 0;
out:
	mbedtls_rsa_free(&rsa);
	return ok;
}

bool mnc_rsa_verify_sha256(const struct mnc_rsa_pub *k, const uint8_t *msg, size_t msg_len,
			   const uint8_t *sig, size_t sig_len)
{
	uint8_t digest[32];
	bool ok;

	if (msg == NULL || mnc_sha256(msg, msg_len, digest) != 0) {
		return false;
	}
	ok = mnc_rsa_verify_digest(k, digest, sig, sig_len);
	/* The digest of personal data is itself personal data. */
	mbedtls_platform_zeroize(digest, sizeof(digest));
	return ok;
}

bool mnc_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	volatile uint8_t acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc |= (uint8_t)(a[i] ^ b[i]);
	}
	return acc == 0;
}
