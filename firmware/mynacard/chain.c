/* SPDX-License-Identifier: MIT */
/*
 * Checks A-D (mynacard.md §5.2, §5.6) over the raw EF bytes, before any of
 * the personal data is parsed:
 *   A  EF 0004 body (5F4E value) signed by the pinned CA its issuer id names;
 *   B  EF 0003's DF31 and DF32 TLVs signed by the EF 0004 key (DF33);
 *   C  SHA-256 of all physical EF 0001 bytes (filler included) == DF31;
 *   D  SHA-256 of EF 0002 from the DF22 tag to the end of DF25 == DF32.
 * A file too malformed to run its check fails that check.
 */
#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "mnc_anchors.h"
#include "mnc_basic4.h"
#include "mnc_cert_cache.h"
#include "mnc_chain.h"
#include "mnc_cvcert.h"
#include "mnc_session_io.h"

int mnc_chain_err(enum mnc_chain_result r)
{
	switch (r) {
	case MNC_CHAIN_OK:
		return 0;
	case MNC_CHAIN_UNKNOWN_CA:
		return KIOSK_ERR_CHAIN_UNKNOWN_CA;
	case MNC_CHAIN_CERT:
		return KIOSK_ERR_CHAIN_CERT;
	case MNC_CHAIN_RECORD:
		return KIOSK_ERR_CHAIN_RECORD;
	case MNC_CHAIN_MY_NUMBER_HASH:
		return KIOSK_ERR_CHAIN_MYNUMBER_HASH;
	case MNC_CHAIN_BASIC4_HASH:
		return KIOSK_ERR_CHAIN_BASIC4_HASH;
	case MNC_CHAIN_NOT_RUN:
	default:
		return KIOSK_ERR_INTERNAL;
	}
}

/* Check A, or the cache's earlier check A on the same bytes and anchor. */
static enum mnc_chain_result check_cert(struct mnc_session *s, int *err)
{
	const struct mnc_raw *raw = s->raw;
	const struct mnc_rsa_pub *ca;
	const uint8_t *body;
	size_t avail, body_len;
	struct mnc_cvcert cv;
	struct mnc_rsa_pub key;

	*err = 0;
	if (mnc_cvcert_head(raw->ef0004, raw->ef0004_len, &body, &avail, &body_len) != 0) {
		return MNC_CHAIN_CERT;
	}
	ca = mnc_anchors_find(s->anchors, body); /* all 16 bytes of the issuer id */
	if (ca == NULL) {
		return MNC_CHAIN_UNKNOWN_CA;
	}
	if (s->cert_from_cache && s->card_key != NULL) {
		return MNC_CHAIN_OK;
	}
	if (mnc_cvcert_parse(raw->ef0004, raw->ef0004_len, &cv) != 0 ||
	    !mnc_rsa_verify_sha256(ca, cv.body, cv.body_len, cv.sig, cv.sig_len) ||
	    mnc_rsa_pub_set(&key, cv.n, cv.n_len, cv.e, cv.e_len) != 0) {
		return MNC_CHAIN_CERT;
	}
	*err = mnc_session_set_key(s, &key);
	if (*err != 0) {
		return MNC_CHAIN_CERT;
	}
	mnc_cert_cache_insert(s->cache, cv.body, cv.body_len, raw->ef0004, raw->ef0004_len, ca);
	return MNC_CHAIN_OK;
}

enum mnc_chain_result mnc_chain_check_data(const struct mnc_rsa_pub *cert_key,
					   const uint8_t *ef0001, size_t ef0001_len,
					   const uint8_t *ef0002, size_t ef0002_len,
					   const uint8_t *ef0003, size_t ef0003_len)
{
	enum mnc_chain_result res;
	struct mnc_record rec;
	uint8_t digest[32];
	size_t off, span;

	/* B */
	if (mnc_record_parse(ef0003, ef0003_len, &rec) != 0 ||
	    !mnc_rsa_verify_sha256(cert_key, rec.signed_span, rec.signed_len, rec.sig,
				   rec.sig_len)) {
		return MNC_CHAIN_RECORD;
	}
	/* C: the physical file, never the trimmed TLV */
	res = MNC_CHAIN_MY_NUMBER_HASH;
	if (ef0001_len == 0 || mnc_sha256(ef0001, ef0001_len, digest) != 0 ||
	    !mnc_ct_equal(digest, rec.h_my_number, sizeof(digest))) {
		goto out;
	}
	/* D: DF21 (the offsets) is outside the signed span */
	res = MNC_CHAIN_BASIC4_HASH;
	if (mnc_basic4_digest_span(ef0002, ef0002_len, &off, &span) != 0 ||
	    mnc_sha256(ef0002 + off, span, digest) != 0 ||
	    !mnc_ct_equal(digest, rec.h_basic4, sizeof(digest))) {
		goto out;
	}
	res = MNC_CHAIN_OK;
out:
	mbedtls_platform_zeroize(digest, sizeof(digest));
	return res;
}

int mnc_verify_chain(struct mnc_session *s)
{
	enum mnc_chain_result res;
	int err = 0;

	if (s == NULL || s->raw == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	s->chain = MNC_CHAIN_NOT_RUN;
	res = check_cert(s, &err);
	if (res == MNC_CHAIN_OK) {
		res = mnc_chain_check_data(s->card_key, s->raw->ef0001, s->raw->ef0001_len,
					   s->raw->ef0002, s->raw->ef0002_len, s->raw->ef0003,
					   s->raw->ef0003_len);
	}
	s->chain = res;
	if (res == MNC_CHAIN_OK) {
		return 0;
	}
	/* Unverified personal data does not stay around. */
	mbedtls_platform_zeroize(s->raw, sizeof(*s->raw));
	if (s->personal != NULL) {
		mbedtls_platform_zeroize(s->personal, sizeof(*s->personal));
	}
	(void)mnc_session_set_key(s, NULL);
	s->cert_from_cache = false;
	return err != 0 ? err : mnc_chain_err(res);
}
