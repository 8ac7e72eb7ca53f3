/* SPDX-License-Identifier: MIT */
/*
 * The session with one card: SELECT the AP, read its files with as few APDUs
 * as the card and reader allow, and end by wiping everything.
 *
 * APDU economy (mynacard.md §3): an EF is addressed by SFI when the card says
 * it supports that (READ BINARY 00 B0 8x 00 makes the EF current without a
 * SELECT), and read in one extended-length APDU when card and reader allow,
 * else in 256-byte chunks; only as many chunks as the TLV length needs are
 * read. Each feature falls back once per connection when the card refuses it.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "kiosk/tlv.h"
#include "mnc_anchors.h"
#include "mnc_apdu.h"
#include "mnc_cert_cache.h"
#include "mnc_cvcert.h"
#include "mnc_session_io.h"

/* --- the wire ------------------------------------------------------------ */

uint8_t *mnc_rapdu(struct mnc_session *s)
{
	return s->raw->scratch;
}

uint8_t *mnc_capdu(struct mnc_session *s)
{
	return s->raw->scratch + HAL_RAPDU_MAX;
}

void mnc_scratch_wipe(struct mnc_session *s)
{
	if (s != NULL && s->raw != NULL) {
		mbedtls_platform_zeroize(s->raw->scratch, sizeof(s->raw->scratch));
	}
}

int mnc_xfer(struct mnc_session *s, size_t clen, size_t *dlen, uint16_t *sw)
{
	uint8_t *r = mnc_rapdu(s);
	size_t rlen = 0;
	int rc;

	*dlen = 0;
	*sw = 0;
	if (clen == 0) {
		return KIOSK_ERR_INTERNAL;
	}
	rc = hal_reader_transmit(s->reader, mnc_capdu(s), clen, r, HAL_RAPDU_MAX, &rlen);
	if (rc != 0) {
		return rc; /* transport errors go up unchanged */
	}
	if (rlen < 2 || rlen > HAL_RAPDU_MAX) {
		return KIOSK_ERR_CARD_PROTOCOL;
	}
	*sw = (uint16_t)(r[rlen - 2] << 8 | r[rlen - 1]);
	*dlen = rlen - 2;
	return 0;
}

int mnc_select_ef(struct mnc_session *s, uint16_t fid)
{
	size_t dlen;
	uint16_t sw;
	int rc;

	if (s->current_ef == fid) {
		return 0;
	}
	rc = mnc_xfer(s, mnc_apdu_select_ef(mnc_capdu(s), HAL_CAPDU_MAX, fid), &dlen, &sw);
	if (rc != 0) {
		return rc;
	}
	rc = mnc_sw_to_err(MNC_CMD_SELECT_EF, sw);
	if (rc != 0) {
		s->current_ef = 0;
		return rc;
	}
	s->current_ef = fid;
	return 0;
}

int mnc_session_set_key(struct mnc_session *s, const struct mnc_rsa_pub *k)
{
	struct mnc_rsa_pub *copy = NULL;

	if (k != NULL) {
		copy = malloc(sizeof(*copy));
		if (copy == NULL) {
			return KIOSK_ERR_NO_MEMORY;
		}
		*copy = *k;
	}
	if (s->card_key != NULL) {
		mbedtls_platform_zeroize(s->card_key, sizeof(struct mnc_rsa_pub));
		free(s->card_key);
	}
	s->card_key = copy;
	return 0;
}

/* --- reading an EF ------------------------------------------------------- */

/* Progress of one EF read into a caller buffer. */
struct ef_read {
	uint8_t *dst;
	size_t cap;
	size_t got;      /* bytes kept in dst */
	bool eof;        /* the card returned less than asked: the EF ended */
	bool overflow;   /* the card returned more than dst holds */
};

static bool sfi_read_refused(uint16_t sw)
{
	return sw == MNC_SW_FUNC || sw == MNC_SW_NOT_FOUND || sw == MNC_SW_WRONG_P1P2 ||
	       sw == MNC_SW_NO_EF || sw == MNC_SW_INS;
}

static void keep(struct mnc_session *s, struct ef_read *r, size_t dlen, size_t asked)
{
	size_t room = r->cap - r->got;
	size_t n = dlen < room ? dlen : room;

	memcpy(r->dst + r->got, mnc_rapdu(s), n);
	r->got += n;
	if (dlen > room) {
		r->overflow = true;
	}
	if (dlen < asked) {
		r->eof = true;
	}
}

/* One READ BINARY at @off (by SFI when @sfi != 0). The HAL re-sends a short
 * command answered 6C xx, not an extended one: an extended read answered
 * 6C xx (the card wants the exact length) is re-sent here once, in short form
 * with Le = xx. @ext says on return whether the answer is to an extended
 * command, @asked how many bytes that command asked for. */
static int read_cmd(struct mnc_session *s, uint8_t sfi, size_t off, bool *ext, size_t *asked,
		    size_t *dlen, uint16_t *sw)
{
	int rc;

	*asked = *ext ? MNC_READ_EXT_LE : MNC_READ_SHORT_MAX;
	rc = mnc_xfer(s, mnc_apdu_read_binary(mnc_capdu(s), HAL_CAPDU_MAX, sfi, off, *asked, *ext),
		      dlen, sw);
	if (rc == 0 && *ext && (*sw & 0xFF00u) == 0x6C00u) {
		*ext = false;
		*asked = (*sw & 0xFFu) != 0 ? (*sw & 0xFFu) : MNC_READ_SHORT_MAX;
		rc = mnc_xfer(s, mnc_apdu_read_binary(mnc_capdu(s), HAL_CAPDU_MAX, sfi, off, *asked,
						      false),
			      dlen, sw);
	}
	return rc;
}

/* First chunk at offset 0: by SFI (making the EF current) or SELECT + offset
 * form; extended Le when in use. An extended read answered 67 00 turns
 * extended length off for the connection, an SFI read answered with one of
 * the "no such addressing" SWs turns SFI off; either costs one APDU, once. */
static int read_first(struct mnc_session *s, uint16_t fid, struct ef_read *r)
{
	/* Two flags that only ever go from true to false: at most three tries. */
	for (int attempt = 0; attempt < 3; attempt++) {
		bool sfi = s->sfi;
		bool ext = s->extended;
		size_t asked, dlen;
		uint16_t sw;
		int rc;

		if (!sfi) {
			rc = mnc_select_ef(s, fid);
			if (rc != 0) {
				return rc;
			}
		}
		rc = read_cmd(s, sfi ? (uint8_t)(fid & 0xFF) : 0, 0, &ext, &asked, &dlen, &sw);
		if (rc != 0) {
			return rc;
		}
		if (ext && sw == MNC_SW_WRONG_LENGTH) {
			s->extended = false;
			continue;
		}
		if (sfi && sfi_read_refused(sw)) {
			s->sfi = false;
			continue;
		}
		rc = mnc_sw_to_err(MNC_CMD_READ, sw);
		if (rc != 0) {
			return rc;
		}
		if (sfi) {
			s->current_ef = fid;
		}
		if (dlen == 0) {
			return KIOSK_ERR_CARD_DATA;
		}
		keep(s, r, dlen, asked);
		return 0;
	}
	return KIOSK_ERR_CARD_PROTOCOL;
}

/* The rest of a TLV-shaped EF: parse the header from what we have, then read
 * offset-form chunks until the TLV is complete. Trims @r->got to the TLV. */
static int read_rest(struct mnc_session *s, struct ef_read *r)
{
	struct tlv t;
	int rc;

	rc = tlv_parse_header(r->dst, r->got, &t);
	if (rc != 0 || t.total_len > r->cap) {
		return KIOSK_ERR_CARD_DATA;
	}
	while (r->got < t.total_len) {
		bool ext = s->extended;
		size_t asked, dlen;
		uint16_t sw;

		if (r->eof || r->overflow) {
			return KIOSK_ERR_CARD_DATA; /* the EF ends before its TLV does */
		}
		rc = read_cmd(s, 0, r->got, &ext, &asked, &dlen, &sw);
		if (rc != 0) {
			return rc;
		}
		rc = mnc_sw_to_err(MNC_CMD_READ, sw);
		if (rc != 0) {
			return rc;
		}
		if (dlen == 0) {
			return KIOSK_ERR_CARD_DATA;
		}
		keep(s, r, dlen, asked);
	}
	/* Bytes past the TLV (filler) are dropped, except for EF 0001. */
	mbedtls_platform_zeroize(r->dst + t.total_len, r->got - t.total_len);
	r->got = t.total_len;
	return 0;
}

enum ef_shape {
	EF_TLV,      /* keep the TLV, read as many chunks as it needs */
	EF_PHYSICAL, /* keep every byte the card returns (EF 0001: check C hashes the filler) */
};

static int read_ef(struct mnc_session *s, uint16_t fid, enum ef_shape shape, uint8_t *dst,
		   size_t cap, size_t *out_len)
{
	struct ef_read r = { .dst = dst, .cap = cap };
	int rc;

	*out_len = 0;
	rc = read_first(s, fid, &r);
	if (rc == 0 && shape == EF_PHYSICAL && r.overflow) {
		rc = KIOSK_ERR_CARD_DATA;
	}
	if (rc == 0 && shape == EF_TLV) {
		rc = read_rest(s, &r);
	}
	if (rc != 0) {
		mbedtls_platform_zeroize(dst, cap);
	} else {
		*out_len = r.got;
	}
	mnc_scratch_wipe(s);
	return rc;
}

/* --- the public session API ---------------------------------------------- */

int mnc_session_init(struct mnc_session *s, struct hal_reader *r, struct kiosk_vault *v,
		     const struct mnc_anchors *anchors, struct mnc_cert_cache *cache,
		     const struct mnc_options *opt)
{
	if (s == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(s, 0, sizeof(*s));
	s->tries_before = -1;
	s->tries_after = -1;
	if (r == NULL || v == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	s->reader = r;
	s->vault = v;
	s->anchors = anchors;
	s->cache = cache;
	if (opt != NULL) {
		s->opt = *opt;
	}
	s->raw = kiosk_vault_alloc(v, sizeof(*s->raw));
	s->personal = kiosk_vault_alloc(v, sizeof(*s->personal));
	if (s->raw == NULL || s->personal == NULL) {
		s->raw = NULL;
		s->personal = NULL;
		return KIOSK_ERR_VAULT;
	}
	return 0;
}

int mnc_select_ap(struct mnc_session *s)
{
	bool sfi = false, ext = false;
	size_t dlen;
	uint16_t sw;
	int rc;

	if (s == NULL || s->raw == NULL || s->reader == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	rc = mnc_xfer(s, mnc_apdu_select_ap(mnc_capdu(s), HAL_CAPDU_MAX), &dlen, &sw);
	if (rc == 0) {
		rc = mnc_sw_to_err(MNC_CMD_SELECT_AP, sw);
	}
	mnc_scratch_wipe(s);
	if (rc != 0) {
		return rc;
	}
	s->current_ef = 0;
	/* Capabilities are decided once per connection: a fallback taken later
	 * (SFI or extended refused) must not be undone by a second SELECT. */
	if (!s->ap_selected) {
		size_t atr_len = s->reader->info.atr_len;

		if (atr_len > sizeof(s->reader->info.atr)) {
			atr_len = 0;
		}
		(void)mnc_atr_capabilities(s->reader->info.atr, atr_len, &sfi, &ext);
		s->sfi = s->opt.allow_sfi && sfi;
		s->extended = s->opt.allow_extended && ext;
	}
	s->ap_selected = true;
	return 0;
}

int mnc_read_certificate(struct mnc_session *s)
{
	struct ef_read r;
	const uint8_t *body, *cached;
	const uint8_t *cached_file = NULL;
	size_t avail, body_len, cached_len = 0;
	size_t cached_file_len = 0;
	struct mnc_cvcert cv;
	struct mnc_rsa_pub key;
	int rc;

	if (s == NULL || s->raw == NULL || !s->ap_selected) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(&r, 0, sizeof(r));
	r.dst = s->raw->ef0004;
	r.cap = sizeof(s->raw->ef0004);
	s->raw->ef0004_len = 0;
	s->cert_from_cache = false;
	rc = mnc_session_set_key(s, NULL);
	if (rc != 0) {
		goto out;
	}
	rc = read_first(s, MNC_FID_CERT, &r);
	if (rc != 0) {
		goto out;
	}
	rc = mnc_cvcert_head(r.dst, r.got, &body, &avail, &body_len);
	if (rc != 0) {
		goto out;
	}
	memcpy(s->subject_key_id, body + MNC_KEY_ID_LEN, MNC_KEY_ID_LEN);

	/* A municipality certificate verified earlier (same bytes, same anchor):
	 * its key is already trusted, and the head is all we need to read. */
	cached = mnc_cert_cache_lookup(s->cache, s->anchors, body, avail, &cached_len,
				       &cached_file, &cached_file_len);
	if (cached != NULL && cached_len == body_len &&
	    mnc_cvcert_parse_body(cached, cached_len, &cv) == 0 &&
	    mnc_rsa_pub_set(&key, cv.n, cv.n_len, cv.e, cv.e_len) == 0) {
		rc = mnc_session_set_key(s, &key);
		if (rc != 0) {
			goto out;
		}
		s->cert_from_cache = true;
		if (avail < body_len && cached_file_len <= sizeof(s->raw->ef0004)) {
			/* The rest is the cached file's (public data): the center is sent
			 * EF 0004 in full either way. */
			memcpy(s->raw->ef0004, cached_file, cached_file_len);
			s->raw->ef0004_len = cached_file_len;
			goto out;
		}
	}
	rc = read_rest(s, &r);
	if (rc == 0) {
		s->raw->ef0004_len = r.got;
	}
out:
	if (rc != 0) {
		mbedtls_platform_zeroize(s->raw->ef0004, sizeof(s->raw->ef0004));
		s->raw->ef0004_len = 0;
		s->cert_from_cache = false;
		(void)mnc_session_set_key(s, NULL);
	}
	mnc_scratch_wipe(s);
	return rc;
}

int mnc_read_personal(struct mnc_session *s)
{
	struct mnc_raw *raw;
	int rc;

	if (s == NULL || s->raw == NULL || !s->ap_selected) {
		return KIOSK_ERR_INVALID_ARG;
	}
	raw = s->raw;
	raw->ef0001_len = raw->ef0002_len = raw->ef0003_len = raw->ef0007_len = 0;
	/* EF 0001 is kept physically, filler included: check C hashes all of it. */
	rc = read_ef(s, MNC_FID_MY_NUMBER, EF_PHYSICAL, raw->ef0001, sizeof(raw->ef0001),
		     &raw->ef0001_len);
	if (rc == 0) {
		rc = read_ef(s, MNC_FID_BASIC4, EF_TLV, raw->ef0002, sizeof(raw->ef0002),
			     &raw->ef0002_len);
	}
	if (rc == 0) {
		rc = read_ef(s, MNC_FID_RECORD, EF_TLV, raw->ef0003, sizeof(raw->ef0003),
			     &raw->ef0003_len);
	}
	if (rc == 0 && s->opt.presence_proof) {
		rc = read_ef(s, MNC_FID_SIGNED_KEY, EF_TLV, raw->ef0007, sizeof(raw->ef0007),
			     &raw->ef0007_len);
	}
	return rc;
}

void mnc_session_end(struct mnc_session *s)
{
	if (s == NULL) {
		return;
	}
	/* The vault may already be wiped (fine) or unmapped (then there is
	 * nothing left to wipe and touching it would fault). */
	if (s->raw != NULL && kiosk_vault_owns(s->vault, s->raw, sizeof(*s->raw))) {
		mbedtls_platform_zeroize(s->raw, sizeof(*s->raw));
	}
	if (s->personal != NULL && kiosk_vault_owns(s->vault, s->personal, sizeof(*s->personal))) {
		mbedtls_platform_zeroize(s->personal, sizeof(*s->personal));
	}
	s->raw = NULL;
	s->personal = NULL;
	(void)mnc_session_set_key(s, NULL);
	s->pin_verified = false;
	s->cert_from_cache = false;
}

const char *mnc_chain_result_name(enum mnc_chain_result r)
{
	switch (r) {
	case MNC_CHAIN_OK:
		return "ok";
	case MNC_CHAIN_UNKNOWN_CA:
		return "unknown_ca";
	case MNC_CHAIN_CERT:
		return "cert";
	case MNC_CHAIN_RECORD:
		return "record";
	case MNC_CHAIN_MY_NUMBER_HASH:
		return "my_number_hash";
	case MNC_CHAIN_BASIC4_HASH:
		return "basic4_hash";
	case MNC_CHAIN_NOT_RUN:
	default:
		return "not_run";
	}
}

const char *mnc_presence_result_name(enum mnc_presence_result r)
{
	switch (r) {
	case MNC_PRESENCE_OK:
		return "ok";
	case MNC_PRESENCE_FAIL:
		return "fail";
	case MNC_PRESENCE_OFF:
	default:
		return "off";
	}
}
