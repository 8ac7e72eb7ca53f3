/* SPDX-License-Identifier: MIT */
/*
 * BER-TLV reader for the My Number card (mynacard.md §4.1). Tags stay raw
 * bytes: the card uses FF 10 .. FF 50, which DER forbids, so nothing here
 * normalises a tag. Only the length forms the card uses are accepted.
 */
#include <string.h>

#include "kiosk/err.h"
#include "kiosk/tlv.h"

int tlv_parse_header(const uint8_t *buf, size_t len, struct tlv *out)
{
	size_t i = 0;
	size_t vlen;

	if (buf == NULL || out == NULL || len < 2) {
		return KIOSK_ERR_CARD_DATA;
	}
	memset(out, 0, sizeof(*out));

	/* Tag: one byte, or more while the first has all five low bits set and
	 * each following byte has bit 8 set; at most TLV_TAG_MAX bytes. */
	out->tag[0] = buf[i++];
	if ((out->tag[0] & 0x1F) == 0x1F) {
		for (;;) {
			if (i >= len || i >= TLV_TAG_MAX) {
				return KIOSK_ERR_CARD_DATA;
			}
			out->tag[i] = buf[i];
			i++;
			if ((out->tag[i - 1] & 0x80) == 0) {
				break;
			}
		}
	}
	out->tag_len = i;

	/* Length: short form, 81 xx or 82 xx xx. 80 (indefinite) and 83+ never
	 * occur on this card and are rejected. 81 with a value below 80 is not
	 * minimal but harmless, so it is tolerated. */
	if (i >= len) {
		return KIOSK_ERR_CARD_DATA;
	}
	if (buf[i] < 0x80) {
		vlen = buf[i];
		i += 1;
	} else if (buf[i] == 0x81) {
		if (len - i < 2) {
			return KIOSK_ERR_CARD_DATA;
		}
		vlen = buf[i + 1];
		i += 2;
	} else if (buf[i] == 0x82) {
		if (len - i < 3) {
			return KIOSK_ERR_CARD_DATA;
		}
		vlen = ((size_t)buf[i + 1] << 8) | buf[i + 2];
		i += 3;
	} else {
		return KIOSK_ERR_CARD_DATA;
	}

	out->value = buf + i;
	out->len = vlen;
	out->hdr_len = i;
	out->total_len = i + vlen;
	return 0;
}

int tlv_parse(const uint8_t *buf, size_t len, struct tlv *out)
{
	int rc = tlv_parse_header(buf, len, out);

	if (rc != 0) {
		return rc;
	}
	if (out->len > len - out->hdr_len) {
		memset(out, 0, sizeof(*out));
		return KIOSK_ERR_CARD_DATA;
	}
	return 0;
}

int tlv_tag_is(const struct tlv *t, const uint8_t *tag, size_t tag_len)
{
	if (t == NULL || tag == NULL || tag_len == 0 || t->tag_len != tag_len) {
		return 0;
	}
	return memcmp(t->tag, tag, tag_len) == 0;
}

void tlv_iter_init(struct tlv_iter *it, const uint8_t *value, size_t len)
{
	it->p = value;
	it->left = value != NULL ? len : 0;
}

int tlv_iter_next(struct tlv_iter *it, struct tlv *out)
{
	int rc;

	if (it->left == 0) {
		return 0;
	}
	/* 00 or FF where a child would start is filler: the children end here. */
	if (it->p[0] == 0x00 || it->p[0] == 0xFF) {
		it->left = 0;
		return 0;
	}
	rc = tlv_parse(it->p, it->left, out);
	if (rc != 0) {
		it->left = 0;
		return rc;
	}
	it->p += out->total_len;
	it->left -= out->total_len;
	return 1;
}

int tlv_find(const uint8_t *value, size_t len, const uint8_t *tag, size_t tag_len,
	     struct tlv *out)
{
	struct tlv_iter it;
	struct tlv t;
	int rc;

	tlv_iter_init(&it, value, len);
	while ((rc = tlv_iter_next(&it, &t)) == 1) {
		if (tlv_tag_is(&t, tag, tag_len)) {
			if (out != NULL) {
				*out = t;
			}
			return 1;
		}
	}
	return rc;
}
