/* SPDX-License-Identifier: MIT */
/*
 * Internal: an RSA-2048 public key as raw bytes (public data), and the one
 * verify every check of the chain uses: RSASSA-PKCS1-v1_5 with SHA-256, the
 * whole decoded block compared by mbedTLS (mynacard.md §5.2).
 */
#ifndef MNC_RSA_PUB_H
#define MNC_RSA_PUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiosk/mynacard.h"

#define MNC_RSA_E_MAX 8

struct mnc_rsa_pub {
	uint8_t n[MNC_RSA_BYTES]; /* big-endian modulus, exactly 2048 bits */
	uint8_t e[MNC_RSA_E_MAX]; /* big-endian exponent */
	size_t e_len;
};

/**
 * Fill @k from raw big-endian @n (exactly 256 bytes, top bit set, odd; one
 * leading 00 is tolerated) and @e (odd, >= 3, at most 8 bytes after leading
 * zeros). @return 0 or KIOSK_ERR_CARD_DATA.
 */
int mnc_rsa_pub_set(struct mnc_rsa_pub *k, const uint8_t *n, size_t n_len, const uint8_t *e,
		    size_t e_len);

/** Verify @sig over SHA-256(@msg). @return true only for a valid signature. */
bool mnc_rsa_verify_sha256(const struct mnc_rsa_pub *k, const uint8_t *msg, size_t msg_len,
			   const uint8_t *sig, size_t sig_len);

/** Verify @sig over the precomputed 32-byte @digest. */
bool mnc_rsa_verify_digest(const struct mnc_rsa_pub *k, const uint8_t digest[32],
			   const uint8_t *sig, size_t sig_len);

/** SHA-256; @return 0 or KIOSK_ERR_CRYPTO. */
int mnc_sha256(const uint8_t *msg, size_t len, uint8_t out[32]);

/** Compare without an early exit (digests of personal data). */
bool mnc_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

#endif /* MNC_RSA_PUB_H */
