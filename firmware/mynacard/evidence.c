/* SPDX-License-Identifier: MIT */
/*
 * The card evidence checked without a live card: what the certificate center
 * does with the files a kiosk sends (docs/center-protocol.md). The same
 * parsers and the same RSA verify as the session's checks A-E (chain.c,
 * presence.c); only the source of the bytes differs.
 */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "mnc_anchors.h"
#include "mnc_basic4.h"
#include "mnc_chain.h"
#include "mnc_cvcert.h"
#include "mnc_rsa_pub.h"

/* A-D; @cert_key gets the EF 0004 key when the result is MNC_CHAIN_OK. */
static enum mnc_chain_result chain(const struct mnc_anchors *a, const struct mnc_evidence *ev,
				   struct mnc_rsa_pub *cert_key)
{
	const struct mnc_rsa_pub *ca;
	const uint8_t *body;
	size_t avail, body_len;
	struct mnc_cvcert cv;

	/* A: the whole certificate must be there (no cache on this side) */
	if (mnc_cvcert_head(ev->ef0004, ev->ef0004_len, &body, &avail, &body_len) != 0) {
		return MNC_CHAIN_CERT;
	}
	ca = mnc_anchors_find(a, body);
	if (ca == NULL) {
		return MNC_CHAIN_UNKNOWN_CA;
	}
	if (mnc_cvcert_parse(ev->ef0004, ev->ef0004_len, &cv) != 0 ||
	    !mnc_rsa_verify_sha256(ca, cv.body, cv.body_len, cv.sig, cv.sig_len) ||
	    mnc_rsa_pub_set(cert_key, cv.n, cv.n_len, cv.e, cv.e_len) != 0) {
		return MNC_CHAIN_CERT;
	}
	return mnc_chain_check_data(cert_key, ev->ef0001, ev->ef0001_len, ev->ef0002,
				    ev->ef0002_len, ev->ef0003, ev->ef0003_len);
}

/* E, then the challenge signature with the certified card key. */
static bool presence(const struct mnc_rsa_pub *cert_key, const struct mnc_evidence *ev)
{
	struct mnc_signed_key sk;
	struct mnc_rsa_pub card_key;
	bool ok;

	if (ev->challenge == NULL || ev->challenge_len == 0 || ev->challenge_sig == NULL ||
	    ev->challenge_sig_len != MNC_RSA_BYTES) {
		return false;
	}
	if (mnc_signed_key_parse(ev->ef0007, ev->ef0007_len, &sk) != 0 ||
	    !mnc_rsa_verify_sha256(cert_key, sk.df51, sk.df51_len, sk.sig, sk.sig_len) ||
	    mnc_rsa_pub_set(&card_key, sk.n, sk.n_len, sk.e, sk.e_len) != 0) {
		return false;
	}
	ok = mnc_rsa_verify_sha256(&card_key, ev->challenge, ev->challenge_len,
				   ev->challenge_sig, ev->challenge_sig_len);
	mbedtls_platform_zeroize(&card_key, sizeof(card_key));
	return ok;
}

int mnc_verify_evidence(const struct mnc_anchors *a, const struct mnc_evidence *ev,
			enum mnc_chain_result *step, struct mnc_personal *out)
{
	struct mnc_rsa_pub cert_key;
	enum mnc_chain_result res;
	int rc;

	if (step != NULL) {
		*step = MNC_CHAIN_NOT_RUN;
	}
	if (a == NULL || ev == NULL || out == NULL || ev->ef0001 == NULL ||
	    ev->ef0002 == NULL || ev->ef0003 == NULL || ev->ef0004 == NULL ||
	    ev->ef0007 == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	mbedtls_platform_zeroize(out, sizeof(*out));
	memset(&cert_key, 0, sizeof(cert_key));
	res = chain(a, ev, &cert_key);
	if (step != NULL) {
		*step = res;
	}
	if (res != MNC_CHAIN_OK) {
		rc = mnc_chain_err(res);
		goto out;
	}
	if (!presence(&cert_key, ev)) {
		rc = KIOSK_ERR_PRESENCE;
		goto out;
	}
	/* Only bytes the chain vouched for become personal data. */
	rc = mnc_basic4_parse(ev->ef0002, ev->ef0002_len, out);
	if (rc == 0) {
		rc = mnc_my_number_parse(ev->ef0001, ev->ef0001_len, out);
	}
out:
	if (rc != 0) {
		mbedtls_platform_zeroize(out, sizeof(*out));
	}
	mbedtls_platform_zeroize(&cert_key, sizeof(cert_key));
	return rc;
}
