/* SPDX-License-Identifier: MIT */
/*
 * BER-TLV reader and the EF 0001/0002 parsers: the public EF 0002 vector of
 * mynacard.md §4.3 (synthetic test-card data, not a real person), long-form
 * lengths, filler, and every malformed shape we can think of.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "kiosk/tlv.h"
#include "mnc_basic4.h"

static const char VECTOR_HEX[] =
	"ff2065df2108000e002000590064df220fe9bb92e6a190e38080e5b9b9e4b99fdf2336e69db1e4baace9"
	"83bde6b885e780ace5b882e8a6b3e5b883e5ad90e58d97efbc91efbc92efbc8defbc97efbc8defbc92ef"
	"bc90efbc92df24083139383030323137df250131";

static const uint8_t TAG_FF20[] = { 0xFF, 0x20 };
static const uint8_t TAG_DF22[] = { 0xDF, 0x22 };
static const uint8_t TAG_DF23[] = { 0xDF, 0x23 };
static const uint8_t TAG_DF25[] = { 0xDF, 0x25 };

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* Append one TLV with the shortest length form. */
static size_t put_tlv(uint8_t *buf, size_t pos, const uint8_t *tag, size_t tag_len,
		      const void *val, size_t len)
{
	memcpy(buf + pos, tag, tag_len);
	pos += tag_len;
	if (len < 0x80) {
		buf[pos++] = (uint8_t)len;
	} else if (len < 0x100) {
		buf[pos++] = 0x81;
		buf[pos++] = (uint8_t)len;
	} else {
		buf[pos++] = 0x82;
		buf[pos++] = (uint8_t)(len >> 8);
		buf[pos++] = (uint8_t)len;
	}
	memcpy(buf + pos, val, len);
	return pos + len;
}

/* A well-formed EF 0002 with correct offsets. */
static size_t build_basic4(uint8_t *out, size_t cap, const char *name, const char *addr,
			   const char *dob, const char *sex)
{
	static const uint8_t t21[] = { 0xDF, 0x21 }, t22[] = { 0xDF, 0x22 },
			     t23[] = { 0xDF, 0x23 }, t24[] = { 0xDF, 0x24 },
			     t25[] = { 0xDF, 0x25 };
	uint8_t inner[2048];
	uint8_t offs[8] = { 0 };
	size_t pos[4];
	size_t n = 0, hdr, total;
	size_t in_len;

	/* Lay out the children once to learn the outer header size. */
	n = put_tlv(inner, 0, t21, 2, offs, 8);
	pos[0] = n;
	n = put_tlv(inner, n, t22, 2, name, strlen(name));
	pos[1] = n;
	n = put_tlv(inner, n, t23, 2, addr, strlen(addr));
	pos[2] = n;
	n = put_tlv(inner, n, t24, 2, dob, strlen(dob));
	pos[3] = n;
	n = put_tlv(inner, n, t25, 2, sex, strlen(sex));
	in_len = n;
	hdr = 2 + (in_len < 0x80 ? 1 : in_len < 0x100 ? 2 : 3);
	for (int i = 0; i < 4; i++) {
		size_t o = hdr + pos[i];

		inner[3 + 2 * i] = (uint8_t)(o >> 8);
		inner[3 + 2 * i + 1] = (uint8_t)o;
	}
	total = put_tlv(out, 0, TAG_FF20, 2, inner, in_len);
	assert_true(total <= cap);
	assert_int_equal(total, hdr + in_len);
	return total;
}

static void vector_parses_fully(void **state)
{
	uint8_t f[256];
	size_t n = unhex(VECTOR_HEX, f, sizeof(f));
	struct tlv outer, t;
	struct tlv_iter it;
	struct mnc_personal p;
	size_t off, span;
	static const size_t want_pos[5] = { 3, 0x0E, 0x20, 0x59, 0x64 };
	size_t i = 0;

	(void)state;
	assert_int_equal(n, 104);
	assert_int_equal(tlv_parse(f, n, &outer), 0);
	assert_true(tlv_tag_is(&outer, TAG_FF20, 2));
	assert_int_equal(outer.tag_len, 2);
	assert_int_equal(outer.hdr_len, 3);
	assert_int_equal(outer.len, 0x65);
	assert_int_equal(outer.total_len, 104);

	/* Children at the positions DF21 announces. */
	tlv_iter_init(&it, outer.value, outer.len);
	while (tlv_iter_next(&it, &t) == 1) {
		assert_true(i < 5);
		assert_int_equal((size_t)(t.value - f) - t.hdr_len, want_pos[i]);
		assert_int_equal(t.tag[0], 0xDF);
		assert_int_equal(t.tag[1], 0x21 + i);
		i++;
	}
	assert_int_equal(i, 5);

	assert_int_equal(tlv_find(outer.value, outer.len, TAG_DF23, 2, &t), 1);
	assert_int_equal(t.len, 0x36);

	assert_int_equal(mnc_basic4_parse(f, n, &p), 0);
	assert_string_equal(p.name, "黒桐\xE3\x80\x80幹也");
	assert_int_equal(p.family_len, 6);
	assert_int_equal(p.given_off, 9);
	assert_memory_equal(p.name, "黒桐", p.family_len);
	assert_string_equal(p.name + p.given_off, "幹也");
	assert_string_equal(p.address, "東京都清瀬市観布子南１２－７－２０２");
	assert_true(mnc_utf8_is_valid((const uint8_t *)p.address, strlen(p.address)));
	assert_string_equal(p.birth_date, "19800217");
	assert_int_equal(p.sex, '1');

	/* Check D's span: DF22 tag to the end of DF25, DF21 excluded. */
	assert_int_equal(mnc_basic4_digest_span(f, n, &off, &span), 0);
	assert_int_equal(off, 0x0E);
	assert_int_equal(span, 104 - 0x0E);
}

static void vector_offsets_must_match(void **state)
{
	uint8_t f[256];
	size_t n = unhex(VECTOR_HEX, f, sizeof(f));
	struct mnc_personal p;
	size_t off, span;

	(void)state;
	for (size_t k = 6; k < 14; k++) {
		f[k] ^= 0x01;
		assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
		/* Wiped on failure. */
		assert_int_equal(p.name[0], 0);
		assert_int_equal(p.sex, 0);
		/* The span check D hashes does not depend on the offsets. */
		assert_int_equal(mnc_basic4_digest_span(f, n, &off, &span), 0);
		assert_int_equal(off, 0x0E);
		f[k] ^= 0x01;
	}
	assert_int_equal(mnc_basic4_parse(f, n, &p), 0);
}

static void vector_bad_fields(void **state)
{
	uint8_t f[256];
	size_t n;
	struct mnc_personal p;

	(void)state;
	/* sex '3' */
	n = unhex(VECTOR_HEX, f, sizeof(f));
	f[n - 1] = '3';
	assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
	/* sex '0', '2', '9' are fine */
	f[n - 1] = '0';
	assert_int_equal(mnc_basic4_parse(f, n, &p), 0);
	f[n - 1] = '9';
	assert_int_equal(mnc_basic4_parse(f, n, &p), 0);
	/* month 13 */
	n = unhex(VECTOR_HEX, f, sizeof(f));
	f[0x59 + 3 + 4] = '1';
	f[0x59 + 3 + 5] = '3';
	assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
	/* a broken UTF-8 sequence in the name (continuation byte replaced) */
	n = unhex(VECTOR_HEX, f, sizeof(f));
	f[0x0E + 3 + 1] = 0x41;
	assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
	/* a control character in the address */
	n = unhex(VECTOR_HEX, f, sizeof(f));
	f[0x20 + 3] = 0x0A;
	f[0x20 + 4] = 0x41;
	f[0x20 + 5] = 0x41;
	assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
	/* children swapped: DF24 tag where DF23 should be */
	n = unhex(VECTOR_HEX, f, sizeof(f));
	f[0x21] = 0x24;
	assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
	/* wrong outer tag */
	n = unhex(VECTOR_HEX, f, sizeof(f));
	f[1] = 0x21;
	assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
	/* truncated file */
	n = unhex(VECTOR_HEX, f, sizeof(f));
	assert_int_equal(mnc_basic4_parse(f, n - 1, &p), KIOSK_ERR_CARD_DATA);
	/* filler after the TLV is fine */
	memset(f + n, 0xFF, 8);
	assert_int_equal(mnc_basic4_parse(f, n + 8, &p), 0);
}

static void built_long_forms_and_latin(void **state)
{
	uint8_t f[2048];
	char addr[400];
	struct mnc_personal p;
	struct tlv outer, t;
	size_t n, off, span;

	(void)state;
	/* 81 xx: a name alone is short, the FF20 value passes 127 bytes */
	memset(addr, 0, sizeof(addr));
	for (int i = 0; i < 40; i++) {
		memcpy(addr + 3 * i, "見", 3);
	}
	n = build_basic4(f, sizeof(f), "SMITH JOHN", addr, "20000229", "2");
	assert_int_equal(f[2], 0x81);
	assert_int_equal(tlv_parse(f, n, &outer), 0);
	assert_int_equal(outer.hdr_len, 4);
	assert_int_equal(mnc_basic4_parse(f, n, &p), 0);
	/* Latin name without U+3000: all of it is the family name. */
	assert_string_equal(p.name, "SMITH JOHN");
	assert_int_equal(p.family_len, strlen("SMITH JOHN"));
	assert_int_equal(p.given_off, 0);
	assert_int_equal(p.sex, '2');

	/* 82 xx xx: the address itself needs 81, FF20 needs 82 */
	for (int i = 0; i < 120; i++) {
		memcpy(addr + 3 * i, "東", 3);
	}
	addr[360] = '\0';
	n = build_basic4(f, sizeof(f), "見本\xE3\x80\x80太郎", addr, "19520229", "1");
	assert_int_equal(f[2], 0x82);
	assert_int_equal(tlv_parse(f, n, &outer), 0);
	assert_int_equal(outer.hdr_len, 5);
	assert_int_equal(tlv_find(outer.value, outer.len, TAG_DF23, 2, &t), 1);
	assert_int_equal(t.len, 360);
	assert_int_equal(t.hdr_len, 5); /* DF 23 82 01 68 */
	assert_int_equal(mnc_basic4_parse(f, n, &p), 0);
	assert_int_equal(strlen(p.address), 360);
	assert_int_equal(p.family_len, 6);
	assert_string_equal(p.name + p.given_off, "太郎");
	assert_int_equal(mnc_basic4_digest_span(f, n, &off, &span), 0);
	assert_int_equal(off + span, n);

	/* 1951 was not a leap year */
	n = build_basic4(f, sizeof(f), "A", "B", "19510229", "1");
	assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
	/* an empty name is not a name */
	n = build_basic4(f, sizeof(f), "", "B", "19510228", "1");
	assert_int_equal(mnc_basic4_parse(f, n, &p), KIOSK_ERR_CARD_DATA);
	/* an extra child after DF25 is refused (not covered by check D) */
	n = build_basic4(f, sizeof(f), "A", "B", "19510228", "1");
	{
		uint8_t g[64];
		size_t m;

		memcpy(g, f, n);
		g[n] = 0xDF;
		g[n + 1] = 0x26;
		g[n + 2] = 0x00;
		g[2] = (uint8_t)(g[2] + 3);
		m = n + 3;
		assert_int_equal(mnc_basic4_parse(g, m, &p), KIOSK_ERR_CARD_DATA);
	}
}

static void filler_ends_children(void **state)
{
	static const uint8_t ff[] = { 0xDF, 0x22, 0x01, 0x41, 0xFF, 0xFF, 0xDF, 0x23, 0x00 };
	static const uint8_t zz[] = { 0xDF, 0x22, 0x01, 0x41, 0x00, 0x17 };
	static const uint8_t lead_ff[] = { 0xFF, 0xFF, 0xFF };
	struct tlv_iter it;
	struct tlv t;

	(void)state;
	tlv_iter_init(&it, ff, sizeof(ff));
	assert_int_equal(tlv_iter_next(&it, &t), 1);
	assert_true(tlv_tag_is(&t, TAG_DF22, 2));
	assert_int_equal(t.len, 1);
	assert_int_equal(t.value[0], 0x41);
	assert_int_equal(tlv_iter_next(&it, &t), 0);
	assert_int_equal(tlv_iter_next(&it, &t), 0);
	/* DF23 sits behind the filler: not a child */
	assert_int_equal(tlv_find(ff, sizeof(ff), TAG_DF23, 2, &t), 0);

	tlv_iter_init(&it, zz, sizeof(zz));
	assert_int_equal(tlv_iter_next(&it, &t), 1);
	assert_int_equal(tlv_iter_next(&it, &t), 0);

	tlv_iter_init(&it, lead_ff, sizeof(lead_ff));
	assert_int_equal(tlv_iter_next(&it, &t), 0);
	tlv_iter_init(&it, NULL, 5);
	assert_int_equal(tlv_iter_next(&it, &t), 0);
}

static void tags_multi_byte(void **state)
{
	static const uint8_t ff10[] = { 0xFF, 0x10, 0x01, 0x30 };
	static const uint8_t three[] = { 0xDF, 0x81, 0x01, 0x01, 0xAA };
	static const uint8_t four[] = { 0xDF, 0x81, 0x81, 0x01, 0x01, 0xAA };
	static const uint8_t one[] = { 0x90, 0x03, 0x01, 0x00, 0x01 };
	static const uint8_t tag_cut[] = { 0x5F };
	static const uint8_t tag_cut2[] = { 0x5F, 0x81 };
	static const uint8_t t3[] = { 0xDF, 0x81, 0x01 };
	struct tlv t;

	(void)state;
	assert_int_equal(tlv_parse(ff10, sizeof(ff10), &t), 0);
	assert_int_equal(t.tag_len, 2);
	assert_int_equal(t.tag[0], 0xFF);
	assert_int_equal(t.tag[1], 0x10);
	/* compared as raw bytes, not as a tag number */
	assert_false(tlv_tag_is(&t, (const uint8_t *)"\x10", 1));
	assert_int_equal(tlv_parse(three, sizeof(three), &t), 0);
	assert_int_equal(t.tag_len, 3);
	assert_true(tlv_tag_is(&t, t3, 3));
	assert_int_equal(t.len, 1);
	assert_int_equal(tlv_parse(four, sizeof(four), &t), KIOSK_ERR_CARD_DATA);
	assert_int_equal(tlv_parse(one, sizeof(one), &t), 0);
	assert_int_equal(t.tag_len, 1);
	assert_int_equal(t.hdr_len, 2);
	assert_int_equal(tlv_parse(tag_cut, sizeof(tag_cut), &t), KIOSK_ERR_CARD_DATA);
	assert_int_equal(tlv_parse(tag_cut2, sizeof(tag_cut2), &t), KIOSK_ERR_CARD_DATA);
}

static void lengths(void **state)
{
	uint8_t b[300];
	struct tlv t;

	(void)state;
	memset(b, 0x41, sizeof(b));
	b[0] = 0x04;

	/* 81 80: 128 bytes */
	b[1] = 0x81;
	b[2] = 0x80;
	assert_int_equal(tlv_parse(b, 3 + 128, &t), 0);
	assert_int_equal(t.len, 128);
	assert_int_equal(t.hdr_len, 3);
	assert_int_equal(t.total_len, 131);
	assert_ptr_equal(t.value, b + 3);
	/* one byte short */
	assert_int_equal(tlv_parse(b, 3 + 127, &t), KIOSK_ERR_CARD_DATA);
	/* 81 05: not minimal, tolerated */
	b[2] = 0x05;
	assert_int_equal(tlv_parse(b, 8, &t), 0);
	assert_int_equal(t.len, 5);
	/* 82 01 00: 256 bytes */
	b[1] = 0x82;
	b[2] = 0x01;
	b[3] = 0x00;
	assert_int_equal(tlv_parse(b, 4 + 256, &t), 0);
	assert_int_equal(t.len, 256);
	assert_int_equal(t.hdr_len, 4);
	assert_int_equal(tlv_parse(b, 4 + 255, &t), KIOSK_ERR_CARD_DATA);
	/* 82 FF FF: far beyond the buffer */
	b[2] = 0xFF;
	b[3] = 0xFF;
	assert_int_equal(tlv_parse(b, sizeof(b), &t), KIOSK_ERR_CARD_DATA);
	/* but the header alone parses (chunked reads) */
	assert_int_equal(tlv_parse_header(b, 4, &t), 0);
	assert_int_equal(t.len, 0xFFFF);
	assert_int_equal(t.total_len, 4 + 0xFFFF);
	/* 80 (indefinite), 83, 84, FF: refused */
	b[1] = 0x80;
	assert_int_equal(tlv_parse(b, sizeof(b), &t), KIOSK_ERR_CARD_DATA);
	assert_int_equal(tlv_parse_header(b, sizeof(b), &t), KIOSK_ERR_CARD_DATA);
	b[1] = 0x83;
	b[2] = 0x00;
	b[3] = 0x00;
	b[4] = 0x01;
	assert_int_equal(tlv_parse(b, sizeof(b), &t), KIOSK_ERR_CARD_DATA);
	b[1] = 0x84;
	assert_int_equal(tlv_parse(b, sizeof(b), &t), KIOSK_ERR_CARD_DATA);
	b[1] = 0xFF;
	assert_int_equal(tlv_parse(b, sizeof(b), &t), KIOSK_ERR_CARD_DATA);
	/* length bytes cut off */
	b[1] = 0x81;
	assert_int_equal(tlv_parse(b, 2, &t), KIOSK_ERR_CARD_DATA);
	b[1] = 0x82;
	assert_int_equal(tlv_parse(b, 3, &t), KIOSK_ERR_CARD_DATA);
	assert_int_equal(tlv_parse_header(b, 3, &t), KIOSK_ERR_CARD_DATA);
	/* no length at all, empty, NULL */
	assert_int_equal(tlv_parse(b, 1, &t), KIOSK_ERR_CARD_DATA);
	assert_int_equal(tlv_parse(b, 0, &t), KIOSK_ERR_CARD_DATA);
	assert_int_equal(tlv_parse(NULL, 10, &t), KIOSK_ERR_CARD_DATA);
	/* zero-length value */
	b[1] = 0x00;
	assert_int_equal(tlv_parse(b, 2, &t), 0);
	assert_int_equal(t.len, 0);
	assert_int_equal(t.total_len, 2);
}

static void nested_children(void **state)
{
	/* FF20 { DF21 { }, DF22 "A" } inside a file with filler */
	static const uint8_t f[] = { 0xFF, 0x20, 0x07, 0xDF, 0x21, 0x00, 0xDF, 0x22,
				     0x01, 0x41, 0xFF, 0xFF };
	/* a child running past its parent's value */
	static const uint8_t over[] = { 0xFF, 0x20, 0x05, 0xDF, 0x22, 0x05, 0x41, 0x42, 0x43 };
	/* a child with a malformed length */
	static const uint8_t badlen[] = { 0xFF, 0x20, 0x04, 0xDF, 0x22, 0x80, 0x41 };
	struct tlv outer, t;
	struct tlv_iter it;

	(void)state;
	assert_int_equal(tlv_parse(f, sizeof(f), &outer), 0);
	assert_int_equal(outer.total_len, 10);
	assert_int_equal(tlv_find(outer.value, outer.len, TAG_DF22, 2, &t), 1);
	assert_int_equal(t.value[0], 0x41);
	assert_int_equal(tlv_find(outer.value, outer.len, TAG_DF25, 2, &t), 0);

	/* The outer TLV fits the buffer, the child does not fit the outer value. */
	assert_int_equal(tlv_parse(over, 8, &outer), 0);
	tlv_iter_init(&it, outer.value, outer.len);
	assert_int_equal(tlv_iter_next(&it, &t), KIOSK_ERR_CARD_DATA);
	assert_int_equal(tlv_iter_next(&it, &t), 0); /* and stays stopped */
	assert_int_equal(tlv_find(outer.value, outer.len, TAG_DF22, 2, &t),
			 KIOSK_ERR_CARD_DATA);

	assert_int_equal(tlv_parse(badlen, sizeof(badlen), &outer), 0);
	assert_int_equal(tlv_find(outer.value, outer.len, TAG_DF22, 2, &t),
			 KIOSK_ERR_CARD_DATA);
}

static void my_number_file(void **state)
{
	uint8_t f[17] = { 0xFF, 0x10, 0x0C };
	struct mnc_personal p;

	(void)state;
	memcpy(f + 3, "537686677188", 12);
	f[15] = 0xFF;
	f[16] = 0xFF;
	memset(&p, 0x55, sizeof(p));
	assert_int_equal(mnc_my_number_parse(f, sizeof(f), &p), 0);
	assert_string_equal(p.my_number, "537686677188");
	/* the 15-byte TLV alone also parses (filler carries nothing) */
	assert_int_equal(mnc_my_number_parse(f, 15, &p), 0);

	f[14] = '9';
	assert_int_equal(mnc_my_number_parse(f, sizeof(f), &p), KIOSK_ERR_MYNUMBER_CHECK_DIGIT);
	assert_int_equal(p.my_number[0], 0);
	f[14] = 'A';
	assert_int_equal(mnc_my_number_parse(f, sizeof(f), &p), KIOSK_ERR_CARD_DATA);
	f[14] = '8';
	f[2] = 0x0B;
	assert_int_equal(mnc_my_number_parse(f, sizeof(f), &p), KIOSK_ERR_CARD_DATA);
	f[2] = 0x0C;
	f[1] = 0x11;
	assert_int_equal(mnc_my_number_parse(f, sizeof(f), &p), KIOSK_ERR_CARD_DATA);
	f[1] = 0x10;
	assert_int_equal(mnc_my_number_parse(f, 14, &p), KIOSK_ERR_CARD_DATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vector_parses_fully),
		cmocka_unit_test(vector_offsets_must_match),
		cmocka_unit_test(vector_bad_fields),
		cmocka_unit_test(built_long_forms_and_latin),
		cmocka_unit_test(filler_ends_children),
		cmocka_unit_test(tags_multi_byte),
		cmocka_unit_test(lengths),
		cmocka_unit_test(nested_children),
		cmocka_unit_test(my_number_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
