/* SPDX-License-Identifier: MIT */
/*
 * EF 0004 / 0003 / 0007 parsers (mynacard.md §5.1). Strict about order and
 * sizes: the signed spans are defined by position, so a file whose children
 * are shuffled or padded is refused rather than guessed at.
 */
#include <string.h>

#include "kiosk/err.h"
#include "kiosk/tlv.h"
#include "mnc_cvcert.h"

static const uint8_t TAG_7F21[] = { 0x7F, 0x21 };
static const uint8_t TAG_5F4E[] = { 0x5F, 0x4E };
static const uint8_t TAG_5F37[] = { 0x5F, 0x37 };
static const uint8_t TAG_FF30[] = { 0xFF, 0x30 };
static const uint8_t TAG_DF31[] = { 0xDF, 0x31 };
static const uint8_t TAG_DF32[] = { 0xDF, 0x32 };
static const uint8_t TAG_DF33[] = { 0xDF, 0x33 };
static const uint8_t TAG_FF50[] = { 0xFF, 0x50 };
static const uint8_t TAG_DF51[] = { 0xDF, 0x51 };
static const uint8_t TAG_DF52[] = { 0xDF, 0x52 };
static const uint8_t TAG_90[] = { 0x90 };
static const uint8_t TAG_91[] = { 0x91 };

#define HASH_LEN 32

/* The next child of @it must carry @tag. */
static int expect_child(struct tlv_iter *it, const uint8_t *tag, size_t tag_len, struct tlv *out)
{
	int rc = tlv_iter_next(it, out);

	if (rc != 1 || !tlv_tag_is(out, tag, tag_len)) {
		return KIOSK_ERR_CARD_DATA;
	}
	return 0;
}

/* No more children (end of value or filler). */
/* The file's outer object must carry @tag; @it then walks its children. */
static int open_outer(const uint8_t *ef, size_t len, const uint8_t *tag, size_t tag_len,
		      struct tlv *outer, struct tlv_iter *it)
{
	if (tlv_parse(ef, len, outer) != 0 || !tlv_tag_is(outer, tag, tag_len)) {
		return KIOSK_ERR_CARD_DATA;
	}
	tlv_iter_init(it, outer->value, outer->len);
	return 0;
}

static int expect_end(struct tlv_iter *it)
{
	struct tlv t;

	return tlv_iter_next(it, &t) == 0 ? 0 : KIOSK_ERR_CARD_DATA;
}

/* 90 e then 91 n, nothing else: the key layout of the 5F4E tail and of DF51. */
static int parse_e_n(const uint8_t *p, size_t len, const uint8_t **e, size_t *e_len,
		     const uint8_t **n, size_t *n_len)
{
	struct tlv_iter it;
	struct tlv t;
	int rc;

	tlv_iter_init(&it, p, len);
	rc = expect_child(&it, TAG_90, sizeof(TAG_90), &t);
	if (rc != 0 || t.len == 0) {
		return KIOSK_ERR_CARD_DATA;
	}
	*e = t.value;
	*e_len = t.len;
	rc = expect_child(&it, TAG_91, sizeof(TAG_91), &t);
	if (rc != 0 || t.len != MNC_RSA_BYTES) {
		return KIOSK_ERR_CARD_DATA;
	}
	*n = t.value;
	*n_len = t.len;
	/* The body is raw bytes, not a TLV list: nothing may follow the modulus. */
	return it.left == 0 ? 0 : KIOSK_ERR_CARD_DATA;
}

int mnc_cvcert_parse_body(const uint8_t *body, size_t len, struct mnc_cvcert *out)
{
	int rc;

	if (body == NULL || out == NULL || len <= MNC_CERT_IDS_LEN) {
		return KIOSK_ERR_CARD_DATA;
	}
	out->body = body;
	out->body_len = len;
	out->issuer_id = body;
	out->subject_id = body + MNC_KEY_ID_LEN;
	rc = parse_e_n(body + MNC_CERT_IDS_LEN, len - MNC_CERT_IDS_LEN, &out->e, &out->e_len,
		       &out->n, &out->n_len);
	return rc;
}

int mnc_cvcert_parse(const uint8_t *ef, size_t len, struct mnc_cvcert *out)
{
	struct tlv outer, t;
	struct tlv_iter it;
	int rc;

	if (out == NULL) {
		return KIOSK_ERR_CARD_DATA;
	}
	memset(out, 0, sizeof(*out));
	rc = open_outer(ef, len, TAG_7F21, sizeof(TAG_7F21), &outer, &it);
	if (rc != 0) {
		goto out;
	}
	rc = expect_child(&it, TAG_5F4E, sizeof(TAG_5F4E), &t);
	if (rc != 0) {
		goto out;
	}
	rc = mnc_cvcert_parse_body(t.value, t.len, out);
	if (rc != 0) {
		goto out;
	}
	rc = expect_child(&it, TAG_5F37, sizeof(TAG_5F37), &t);
	if (rc != 0 || t.len != MNC_RSA_BYTES) {
		rc = KIOSK_ERR_CARD_DATA;
		goto out;
	}
	out->sig = t.value;
	out->sig_len = t.len;
	rc = expect_end(&it);
out:
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int mnc_cvcert_head(const uint8_t *ef, size_t len, const uint8_t **body, size_t *avail,
		    size_t *body_len)
{
	struct tlv outer, inner;
	size_t off;

	if (tlv_parse_header(ef, len, &outer) != 0 ||
	    !tlv_tag_is(&outer, TAG_7F21, sizeof(TAG_7F21))) {
		return KIOSK_ERR_CARD_DATA;
	}
	off = outer.hdr_len;
	if (tlv_parse_header(ef + off, len - off, &inner) != 0 ||
	    !tlv_tag_is(&inner, TAG_5F4E, sizeof(TAG_5F4E)) ||
	    inner.total_len > outer.len) {
		return KIOSK_ERR_CARD_DATA;
	}
	off += inner.hdr_len;
	*body = ef + off;
	*body_len = inner.len;
	*avail = len - off < inner.len ? len - off : inner.len;
	if (*avail < MNC_CERT_IDS_LEN || inner.len <= MNC_CERT_IDS_LEN) {
		return KIOSK_ERR_CARD_DATA;
	}
	return 0;
}

int mnc_record_parse(const uint8_t *ef, size_t len, struct mnc_record *out)
{
	struct tlv outer, h1, h2, sig;
	struct tlv_iter it;

	if (out == NULL) {
		return KIOSK_ERR_CARD_DATA;
	}
	memset(out, 0, sizeof(*out));
	if (open_outer(ef, len, TAG_FF30, sizeof(TAG_FF30), &outer, &it) != 0) {
		return KIOSK_ERR_CARD_DATA;
	}
	if (expect_child(&it, TAG_DF31, sizeof(TAG_DF31), &h1) != 0 || h1.len != HASH_LEN ||
	    expect_child(&it, TAG_DF32, sizeof(TAG_DF32), &h2) != 0 || h2.len != HASH_LEN ||
	    expect_child(&it, TAG_DF33, sizeof(TAG_DF33), &sig) != 0 ||
	    sig.len != MNC_RSA_BYTES || expect_end(&it) != 0) {
		return KIOSK_ERR_CARD_DATA;
	}
	out->h_my_number = h1.value;
	out->h_basic4 = h2.value;
	out->sig = sig.value;
	out->sig_len = sig.len;
	/* Check B signs exactly the two digest TLVs as they sit in the file. */
	out->signed_span = outer.value;
	out->signed_len = h1.total_len + h2.total_len;
	return 0;
}

int mnc_signed_key_parse(const uint8_t *ef, size_t len, struct mnc_signed_key *out)
{
	struct tlv outer, key, sig;
	struct tlv_iter it;
	int rc;

	if (out == NULL) {
		return KIOSK_ERR_CARD_DATA;
	}
	memset(out, 0, sizeof(*out));
	if (open_outer(ef, len, TAG_FF50, sizeof(TAG_FF50), &outer, &it) != 0) {
		return KIOSK_ERR_CARD_DATA;
	}
	if (expect_child(&it, TAG_DF51, sizeof(TAG_DF51), &key) != 0 ||
	    expect_child(&it, TAG_DF52, sizeof(TAG_DF52), &sig) != 0 ||
	    sig.len != MNC_RSA_BYTES || expect_end(&it) != 0) {
		return KIOSK_ERR_CARD_DATA;
	}
	rc = parse_e_n(key.value, key.len, &out->e, &out->e_len, &out->n, &out->n_len);
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->df51 = outer.value; /* DF51 is the first child */
	out->df51_len = key.total_len;
	out->sig = sig.value;
	out->sig_len = sig.len;
	return 0;
}
