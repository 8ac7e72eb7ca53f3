/* SPDX-License-Identifier: MIT */
/*
 * Card presence (mynacard.md §5.5): checks A-D prove the data came from
 * J-LIS, not that a real card is in the reader. Check E certifies the card's
 * own key (EF 0007 DF51, signed by the EF 0004 key); then the card signs the
 * kiosk's fresh nonce with it (80 2A), which a dump cannot do.
 */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "mnc_apdu.h"
#include "mnc_cvcert.h"
#include "mnc_session_io.h"

int mnc_prove_presence(struct mnc_session *s, const uint8_t *nonce, size_t nonce_len)
{
	struct mnc_raw *raw;
	struct mnc_signed_key sk;
	struct mnc_rsa_pub card_key;
	uint8_t digest[32];
	size_t dlen;
	uint16_t sw;
	int rc = KIOSK_ERR_PRESENCE;

	if (s == NULL || s->raw == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	raw = s->raw;
	if (!s->opt.presence_proof) {
		s->presence = MNC_PRESENCE_OFF;
		return 0;
	}
	s->presence = MNC_PRESENCE_FAIL;
	memset(digest, 0, sizeof(digest));
	if (nonce == NULL || nonce_len == 0 || nonce_len > sizeof(raw->nonce)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	/* Only a key the chain certified can certify the card key. */
	if (s->chain != MNC_CHAIN_OK || s->card_key == NULL) {
		goto out;
	}

	/* E: the DF51 TLV exactly as written, header included */
	if (mnc_signed_key_parse(raw->ef0007, raw->ef0007_len, &sk) != 0 ||
	    !mnc_rsa_verify_sha256(s->card_key, sk.df51, sk.df51_len, sk.sig, sk.sig_len) ||
	    mnc_rsa_pub_set(&card_key, sk.n, sk.n_len, sk.e, sk.e_len) != 0) {
		goto out;
	}

	memcpy(raw->nonce, nonce, nonce_len);
	raw->nonce_len = nonce_len;
	raw->nonce_sig_len = 0;
	if (mnc_sha256(raw->nonce, raw->nonce_len, digest) != 0) {
		goto out;
	}
	rc = mnc_xfer(s, mnc_apdu_sign(mnc_capdu(s), HAL_CAPDU_MAX, digest), &dlen, &sw);
	if (rc != 0) {
		goto out; /* transport errors stay what they are */
	}
	rc = KIOSK_ERR_PRESENCE;
	if (sw != MNC_SW_OK || dlen != MNC_RSA_BYTES) {
		goto out;
	}
	memcpy(raw->nonce_sig, mnc_rapdu(s), MNC_RSA_BYTES);
	raw->nonce_sig_len = MNC_RSA_BYTES;
	if (!mnc_rsa_verify_digest(&card_key, digest, raw->nonce_sig, raw->nonce_sig_len)) {
		goto out;
	}
	s->presence = MNC_PRESENCE_OK;
	rc = 0;
out:
	mbedtls_platform_zeroize(digest, sizeof(digest));
	mnc_scratch_wipe(s);
	return rc;
}
