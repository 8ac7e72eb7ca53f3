/* SPDX-License-Identifier: MIT */
/*
 * Test vectors for kiosk_certificate, built in the tests with the TEST-ONLY
 * center PKI ($KIOSK_CENTER_PKI): SHC JWS and VDS-NC seals signed with mbedTLS.
 * All names and dates here are fictitious.
 */
#ifndef CERT_TESTKIT_H
#define CERT_TESTKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tk_zip { TK_ZIP_RAW, TK_ZIP_ZLIB, TK_ZIP_GZIP };

/* "$KIOSK_CENTER_PKI/@file" in a static buffer (one at a time). */
const char *tk_pki(const char *file);

/* The kid of the first key in a JWKS file (static buffer). */
const char *tk_jwks_kid(const char *jwks_file);

/* ES256 over SHA-256(@msg) with a PEM key: 64-byte r||s, or DER when @der. */
int tk_sign(const char *key_file, const void *msg, size_t len, bool der, uint8_t *sig,
	    size_t *sig_len);

/* A compact JWS: header text as given, @payload deflated per @zip. malloc'ed. */
char *tk_make_jws(const char *header_json, const char *payload, size_t payload_len,
		  enum tk_zip zip, bool der_sig, const char *key_file);

/* The usual header {"alg":"ES256","zip":"DEF","kid":@kid}. malloc'ed. */
char *tk_header(const char *kid);

struct tk_dose {
	const char *cvx;
	const char *date;   /* YYYY-MM-DD */
	const char *lot;
};

/* JWT claims in Japan's shape (§2.3): kanji name (use usual; @given may be NULL),
 * optional romaji name,
 * birth date, the doses in the order given. malloc'ed. */
char *tk_claims(const char *family, const char *given, const char *romaji_family,
		const char *romaji_given, const char *birth, const struct tk_dose *doses,
		size_t ndoses);

/* A VDS-NC seal {"data":@data_json,"sig":{alg,cer,sigvl}} signed over JCS(data). malloc'ed. */
char *tk_make_vds(const char *data_json, const char *key_file, const char *cert_file);

/* Base64url without padding, malloc'ed. */
char *tk_b64url(const void *p, size_t n);

#endif /* CERT_TESTKIT_H */
