/* SPDX-License-Identifier: MIT */
/*
 * BER-TLV reader for the My Number card. Tags are raw bytes compared as bytes
 * (FF 10 is a two-byte tag here even though DER forbids that form); lengths are
 * short form or 81 xx / 82 xx xx; a walk over children stops at 00 or FF filler.
 * Every length is checked against the buffer before use.
 */
#ifndef KIOSK_TLV_H
#define KIOSK_TLV_H

#include <stddef.h>
#include <stdint.h>

#define TLV_TAG_MAX 3

struct tlv {
	uint8_t tag[TLV_TAG_MAX];
	size_t tag_len;
	const uint8_t *value; /* points into the parsed buffer */
	size_t len;           /* value length */
	size_t hdr_len;       /* tag + length bytes */
	size_t total_len;     /* hdr_len + len */
};

/**
 * Parse one TLV at the start of @buf.
 * @return 0; KIOSK_ERR_CARD_DATA when the header is malformed or the value runs
 *         past @len.
 */
int tlv_parse(const uint8_t *buf, size_t len, struct tlv *out);

/**
 * Parse only the tag and length of the TLV at the start of @buf, for a file
 * read in chunks: the value may run past @len. @out->value points just after
 * the header (inside @buf); @out->len and @out->total_len are what the header
 * says. @return 0; KIOSK_ERR_CARD_DATA when the header itself is malformed or
 * not complete within @len.
 */
int tlv_parse_header(const uint8_t *buf, size_t len, struct tlv *out);

/** Does @t carry the tag given as raw bytes? */
int tlv_tag_is(const struct tlv *t, const uint8_t *tag, size_t tag_len);

/** Iterator over the children of a constructed value. */
struct tlv_iter {
	const uint8_t *p;
	size_t left;
};
void tlv_iter_init(struct tlv_iter *it, const uint8_t *value, size_t len);
/**
 * Next child. @return 1 with @out filled; 0 at the end (end of data or 00/FF
 * filler); KIOSK_ERR_CARD_DATA on a malformed child.
 */
int tlv_iter_next(struct tlv_iter *it, struct tlv *out);

/** Find the first child of @value with @tag. @return 1 found, 0 absent, or KIOSK_ERR_CARD_DATA. */
int tlv_find(const uint8_t *value, size_t len, const uint8_t *tag, size_t tag_len,
	     struct tlv *out);

#endif /* KIOSK_TLV_H */
