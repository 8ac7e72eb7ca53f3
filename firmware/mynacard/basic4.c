/* SPDX-License-Identifier: MIT */
/*
 * EF 0001 and EF 0002 (mynacard.md §4.2-§4.3). The parsers read the very
 * bytes the chain verified: they run on s->raw after mnc_verify_chain().
 */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "kiosk/tlv.h"
#include "mnc_basic4.h"

#define BASIC4_KIDS 5 /* DF21 offsets, DF22 name, DF23 address, DF24 birth, DF25 sex */

static const uint8_t TAG_FF10[] = { 0xFF, 0x10 };
static const uint8_t TAG_FF20[] = { 0xFF, 0x20 };
static const uint8_t BASIC4_TAGS[BASIC4_KIDS][2] = {
	{ 0xDF, 0x21 }, { 0xDF, 0x22 }, { 0xDF, 0x23 }, { 0xDF, 0x24 }, { 0xDF, 0x25 },
};
static const uint8_t IDEOGRAPHIC_SPACE[3] = { 0xE3, 0x80, 0x80 }; /* U+3000 */

/* FF20 must hold exactly DF21..DF25 in this order (then filler at most):
 * the signed span and the offset table are both defined by position. */
static int walk(const uint8_t *file, size_t len, struct tlv kids[BASIC4_KIDS],
		size_t pos[BASIC4_KIDS])
{
	struct tlv outer, extra;
	struct tlv_iter it;

	if (tlv_parse(file, len, &outer) != 0 || !tlv_tag_is(&outer, TAG_FF20, sizeof(TAG_FF20))) {
		return KIOSK_ERR_CARD_DATA;
	}
	tlv_iter_init(&it, outer.value, outer.len);
	for (size_t i = 0; i < BASIC4_KIDS; i++) {
		if (tlv_iter_next(&it, &kids[i]) != 1 ||
		    !tlv_tag_is(&kids[i], BASIC4_TAGS[i], sizeof(BASIC4_TAGS[i]))) {
			return KIOSK_ERR_CARD_DATA;
		}
		pos[i] = (size_t)(kids[i].value - file) - kids[i].hdr_len;
	}
	if (tlv_iter_next(&it, &extra) != 0) {
		return KIOSK_ERR_CARD_DATA;
	}
	return 0;
}

int mnc_basic4_digest_span(const uint8_t *file, size_t len, size_t *off, size_t *span_len)
{
	struct tlv kids[BASIC4_KIDS];
	size_t pos[BASIC4_KIDS];
	int rc;

	if (off == NULL || span_len == NULL) {
		return KIOSK_ERR_CARD_DATA;
	}
	rc = walk(file, len, kids, pos);
	if (rc != 0) {
		return rc;
	}
	*off = pos[1];
	*span_len = pos[4] + kids[4].total_len - pos[1];
	return 0;
}

static int copy_text(char *dst, size_t cap, const struct tlv *t, size_t min_len)
{
	if (t->len < min_len || t->len > cap || !mnc_utf8_is_valid(t->value, t->len)) {
		return KIOSK_ERR_CARD_DATA;
	}
	memcpy(dst, t->value, t->len);
	dst[t->len] = '\0';
	return 0;
}

int mnc_basic4_parse(const uint8_t *file, size_t len, struct mnc_personal *out)
{
	struct tlv kids[BASIC4_KIDS];
	size_t pos[BASIC4_KIDS];
	const struct tlv *name = &kids[1], *dob = &kids[3], *sex = &kids[4];
	int rc;

	if (out == NULL) {
		return KIOSK_ERR_CARD_DATA;
	}
	mbedtls_platform_zeroize(out, sizeof(*out));
	rc = walk(file, len, kids, pos);
	if (rc != 0) {
		goto out;
	}

	/* DF21: four big-endian offsets from the file start, which must be where
	 * DF22..DF25 really are (they are not covered by the signature). */
	rc = KIOSK_ERR_CARD_DATA;
	if (kids[0].len != 8) {
		goto out;
	}
	for (size_t i = 0; i < 4; i++) {
		size_t o = ((size_t)kids[0].value[2 * i] << 8) | kids[0].value[2 * i + 1];

		if (o != pos[i + 1]) {
			goto out;
		}
	}

	if (copy_text(out->name, MNC_NAME_MAX, name, 1) != 0 ||
	    copy_text(out->address, MNC_ADDRESS_MAX, &kids[2], 0) != 0) {
		goto out;
	}
	/* Family and given name are separated by U+3000; a name without one
	 * (e.g. in Latin letters) is all family name. */
	out->family_len = name->len;
	out->given_off = 0;
	for (size_t i = 0; i + sizeof(IDEOGRAPHIC_SPACE) <= name->len; i++) {
		if (memcmp(name->value + i, IDEOGRAPHIC_SPACE, sizeof(IDEOGRAPHIC_SPACE)) == 0) {
			out->family_len = i;
			out->given_off = i + sizeof(IDEOGRAPHIC_SPACE);
			break;
		}
	}

	if (dob->len != 8 || !mnc_date_is_valid((const char *)dob->value, dob->len)) {
		goto out;
	}
	memcpy(out->birth_date, dob->value, 8);
	out->birth_date[8] = '\0';

	if (sex->len != 1 || (sex->value[0] != '0' && sex->value[0] != '1' &&
			      sex->value[0] != '2' && sex->value[0] != '9')) {
		goto out;
	}
	out->sex = (char)sex->value[0];
	rc = 0;
out:
	if (rc != 0) {
		mbedtls_platform_zeroize(out, sizeof(*out));
	}
	return rc;
}

int mnc_my_number_parse(const uint8_t *file, size_t len, struct mnc_personal *out)
{
	struct tlv t;
	int rc = KIOSK_ERR_CARD_DATA;

	if (out == NULL) {
		return KIOSK_ERR_CARD_DATA;
	}
	mbedtls_platform_zeroize(out->my_number, sizeof(out->my_number));
	/* Only the TLV is the number; the FF filler after it is hashed (check C)
	 * but carries nothing. */
	if (tlv_parse(file, len, &t) != 0 || !tlv_tag_is(&t, TAG_FF10, sizeof(TAG_FF10)) ||
	    t.len != 12) {
		goto out;
	}
	for (size_t i = 0; i < 12; i++) {
		if (t.value[i] < '0' || t.value[i] > '9') {
			goto out;
		}
	}
	if (!mnc_my_number_is_valid((const char *)t.value, t.len)) {
		rc = KIOSK_ERR_MYNUMBER_CHECK_DIGIT;
		goto out;
	}
	memcpy(out->my_number, t.value, 12);
	out->my_number[12] = '\0';
	rc = 0;
out:
	if (rc != 0) {
		mbedtls_platform_zeroize(out->my_number, sizeof(out->my_number));
	}
	return rc;
}

int mnc_parse_personal(struct mnc_session *s)
{
	int rc;

	if (s == NULL || s->raw == NULL || s->personal == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	/* Only bytes the chain has vouched for become personal data. */
	if (s->chain != MNC_CHAIN_OK) {
		return KIOSK_ERR_INVALID_ARG;
	}
	rc = mnc_basic4_parse(s->raw->ef0002, s->raw->ef0002_len, s->personal);
	if (rc == 0) {
		rc = mnc_my_number_parse(s->raw->ef0001, s->raw->ef0001_len, s->personal);
	}
	if (rc != 0) {
		mbedtls_platform_zeroize(s->personal, sizeof(*s->personal));
	}
	return rc;
}
