/* SPDX-License-Identifier: MIT */
/*
 * The TEST key hierarchy a simulated card is made with (certs/make-test-pki.sh):
 * card CA -> municipality key (EF 0004) -> EF 0003, EF 0007; the card's own key
 * signs 80 2A challenges. Plus the small crypto helpers the card files need.
 */
#ifndef CARDSIM_PKI_H
#define CARDSIM_PKI_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#define CARDSIM_KEY_ID_LEN 16
#define CARDSIM_RSA_LEN 256 /* RSA-2048 */
#define CARDSIM_DIGEST_INFO_LEN 51

/* "6000033" 08 05 "001" 00000000: the TEST kenhojo card CA. */
extern const uint8_t cardsim_ca_key_id[CARDSIM_KEY_ID_LEN];
/* "6999933" 08 05 "001" 00000000: a CA no kiosk trusts (fault unknown_ca). */
extern const uint8_t cardsim_unknown_ca_key_id[CARDSIM_KEY_ID_LEN];
/* "6000034" 08 05 "001" 00000000: the id EF 0005 DF42 carries (test card value). */
extern const uint8_t cardsim_ap_key_id[CARDSIM_KEY_ID_LEN];

struct cardsim_pki {
	mbedtls_pk_context ca;
	mbedtls_pk_context unknown_ca;
	mbedtls_pk_context municipality;
	mbedtls_pk_context card;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg; /* RSA blinding only; signatures are deterministic */
	uint8_t municipality_key_id[CARDSIM_KEY_ID_LEN];
};

void cardsim_pki_init(struct cardsim_pki *k);

/**
 * Load the four RSA-2048 keys for persona @id in municipality @muni from @dir.
 * @return 0; KIOSK_ERR_IO / KIOSK_ERR_CRYPTO with the file name (no key bytes) in @err.
 */
int cardsim_pki_setup(struct cardsim_pki *k, const char *dir, const char *id, const char *muni,
		      char *err, size_t err_cap);

void cardsim_pki_free(struct cardsim_pki *k);

/** SHA-256 of @len bytes into @out (32 bytes). */
void cardsim_sha256(const uint8_t *in, size_t len, uint8_t out[32]);

/** The 51-byte DigestInfo for SHA-256(@msg). */
void cardsim_digest_info(const uint8_t *msg, size_t len, uint8_t out[CARDSIM_DIGEST_INFO_LEN]);

/** RSASSA-PKCS1-v1_5 with SHA-256 over @msg by @key. @return 0 or KIOSK_ERR_CRYPTO. */
int cardsim_sign_sha256(struct cardsim_pki *k, mbedtls_pk_context *key, const uint8_t *msg,
			size_t len, uint8_t sig[CARDSIM_RSA_LEN]);

/** PKCS#1 v1.5 signature over a raw, caller-formatted DigestInfo (what 80 2A does). */
int cardsim_sign_raw(struct cardsim_pki *k, mbedtls_pk_context *key, const uint8_t *di,
		     size_t di_len, uint8_t sig[CARDSIM_RSA_LEN]);

/** Big-endian modulus of @key (256 bytes). @return 0 or KIOSK_ERR_CRYPTO. */
int cardsim_modulus(const mbedtls_pk_context *key, uint8_t out[CARDSIM_RSA_LEN]);

#endif /* CARDSIM_PKI_H */
