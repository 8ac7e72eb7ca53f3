/* SPDX-License-Identifier: MIT */
/* cardsim_apdu_parse: every ISO 7816-3 case, and malformed input of every kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardsim/cardsim.h"

static int parse(const uint8_t *b, size_t n, struct cardsim_apdu *a)
{
	return cardsim_apdu_parse(b, n, a);
}

static void test_case1(void **state)
{
	static const uint8_t b[] = { 0x00, 0x20, 0x00, 0x80 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(b, sizeof(b), &a), 0);
	assert_int_equal(a.cla, 0x00);
	assert_int_equal(a.ins, 0x20);
	assert_int_equal(a.p1, 0x00);
	assert_int_equal(a.p2, 0x80);
	assert_int_equal(a.lc, 0);
	assert_null(a.data);
	assert_false(a.has_le);
	assert_int_equal(a.le, 0);
	assert_false(a.extended);
}

static void test_case2s(void **state)
{
	static const uint8_t b1[] = { 0x00, 0xB0, 0x00, 0x00, 0x11 };
	static const uint8_t b2[] = { 0x00, 0xB0, 0x01, 0x00, 0x00 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(b1, sizeof(b1), &a), 0);
	assert_true(a.has_le);
	assert_int_equal(a.le, 0x11);
	assert_int_equal(a.lc, 0);
	assert_false(a.extended);
	assert_int_equal(parse(b2, sizeof(b2), &a), 0);
	assert_int_equal(a.le, 256); /* Le 00 = 256 */
	assert_int_equal(a.p1, 0x01);
}

static void test_case3s(void **state)
{
	static const uint8_t b[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(b, sizeof(b), &a), 0);
	assert_int_equal(a.lc, 2);
	assert_ptr_equal(a.data, b + 5);
	assert_false(a.has_le);
	assert_false(a.extended);
}

static void test_case4s(void **state)
{
	uint8_t b[5 + 0x33 + 1];
	struct cardsim_apdu a;

	(void)state;
	memset(b, 0xAB, sizeof(b));
	b[0] = 0x80;
	b[1] = 0x2A;
	b[2] = 0x00;
	b[3] = 0x00;
	b[4] = 0x33;
	b[sizeof(b) - 1] = 0x00;
	assert_int_equal(parse(b, sizeof(b), &a), 0);
	assert_int_equal(a.lc, 0x33);
	assert_ptr_equal(a.data, b + 5);
	assert_true(a.has_le);
	assert_int_equal(a.le, 256);
	b[sizeof(b) - 1] = 0x10;
	assert_int_equal(parse(b, sizeof(b), &a), 0);
	assert_int_equal(a.le, 0x10);
}

static void test_case2e(void **state)
{
	static const uint8_t b1[] = { 0x00, 0xB0, 0x00, 0x04, 0x00, 0x06, 0x1F };
	static const uint8_t b2[] = { 0x00, 0xB0, 0x81, 0x00, 0x00, 0x00, 0x00 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(b1, sizeof(b1), &a), 0);
	assert_true(a.extended);
	assert_true(a.has_le);
	assert_int_equal(a.le, 0x061F);
	assert_int_equal(a.lc, 0);
	assert_null(a.data);
	assert_int_equal(parse(b2, sizeof(b2), &a), 0);
	assert_int_equal(a.le, 65536); /* 0000 = 65536 */
}

static void test_case3e(void **state)
{
	static const uint8_t b[] = { 0x00, 0x20, 0x00, 0x80, 0x00, 0x00,
				     0x04, 0x31, 0x32, 0x33, 0x34 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(b, sizeof(b), &a), 0);
	assert_true(a.extended);
	assert_int_equal(a.lc, 4);
	assert_ptr_equal(a.data, b + 7);
	assert_false(a.has_le);
}

static void test_case4e(void **state)
{
	uint8_t b[7 + 300 + 2];
	struct cardsim_apdu a;

	(void)state;
	memset(b, 0x5A, sizeof(b));
	b[0] = 0x80;
	b[1] = 0x2A;
	b[2] = 0;
	b[3] = 0;
	b[4] = 0;
	b[5] = 0x01;
	b[6] = 0x2C; /* 300 */
	b[7 + 300] = 0x01;
	b[8 + 300] = 0x00;
	assert_int_equal(parse(b, sizeof(b), &a), 0);
	assert_true(a.extended);
	assert_int_equal(a.lc, 300);
	assert_true(a.has_le);
	assert_int_equal(a.le, 256);
	b[7 + 300] = 0;
	b[8 + 300] = 0;
	assert_int_equal(parse(b, sizeof(b), &a), 0);
	assert_int_equal(a.le, 65536);
}

static void test_too_short(void **state)
{
	static const uint8_t b[] = { 0x00, 0xA4, 0x04 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(NULL, 0, &a), -1);
	assert_int_equal(parse(b, 0, &a), -1);
	assert_int_equal(parse(b, 1, &a), -1);
	assert_int_equal(parse(b, 2, &a), -1);
	assert_int_equal(parse(b, 3, &a), -1);
	assert_int_equal(parse(b, 3, NULL), -1);
}

static void test_truncated_and_overlong(void **state)
{
	/* SELECT with Lc = 0A but only 9 data bytes, and with 12. */
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00,
				       0x31, 0x00, 0x01, 0x01, 0x04, 0x08, 0x00, 0x00 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(sel, 14, &a), -1); /* 1 byte short */
	assert_int_equal(parse(sel, 15, &a), 0);  /* case 3S */
	assert_int_equal(parse(sel, 16, &a), 0);  /* case 4S */
	assert_int_equal(parse(sel, 17, &a), -1); /* 2 bytes too many */
}

static void test_extended_malformed(void **state)
{
	static const uint8_t six[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t lc0[] = { 0x00, 0x20, 0x00, 0x80, 0x00, 0x00, 0x00, 0x31 };
	static const uint8_t short_data[] = { 0x00, 0x20, 0x00, 0x80, 0x00,
					      0x00, 0x04, 0x31, 0x32 };
	static const uint8_t one_le[] = { 0x00, 0x20, 0x00, 0x80, 0x00, 0x00, 0x01, 0x31, 0x00 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(six, sizeof(six), &a), -1);        /* 00 then one byte */
	assert_int_equal(parse(lc0, sizeof(lc0), &a), -1);        /* extended Lc 0000 */
	assert_int_equal(parse(short_data, sizeof(short_data), &a), -1);
	assert_int_equal(parse(one_le, sizeof(one_le), &a), -1);  /* 1-byte Le after ext Lc */
}

static void test_failure_clears_output(void **state)
{
	static const uint8_t ok[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11 };
	struct cardsim_apdu a;

	(void)state;
	assert_int_equal(parse(ok, sizeof(ok), &a), 0);
	assert_int_equal(parse(ok, 6, &a), -1);
	assert_null(a.data);
	assert_int_equal(a.lc, 0);
	assert_false(a.has_le);
}

/* Arbitrary bytes: never reads outside the input, and what it accepts is consistent. */
static void test_random_bytes(void **state)
{
	uint8_t *buf;
	uint32_t seed = 0x1234567u;

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		size_t n;
		struct cardsim_apdu a;

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 80;
		if (iter % 97 == 0) {
			n = 270 + (seed >> 8) % 300;
		}
		/* An exact-size heap copy, so ASan catches any read past the end. */
		buf = malloc(n > 0 ? n : 1);
		assert_non_null(buf);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 24);
			/* Bias towards interesting length bytes. */
			if (i == 4 && (seed & 3) == 0) {
				buf[i] = (uint8_t)(n > 5 ? n - 5 : 0);
			}
			if (i == 4 && (seed & 3) == 1) {
				buf[i] = 0;
			}
		}
		if (parse(buf, n, &a) == 0) {
			size_t hdr = a.extended ? 7 : 5;
			size_t lelen = a.has_le ? (a.extended ? (a.lc ? 2 : 0) : 1) : 0;

			assert_true(n >= 4);
			if (a.lc > 0) {
				assert_ptr_equal(a.data, buf + hdr);
				assert_int_equal(hdr + a.lc + lelen, n);
			} else {
				assert_null(a.data);
			}
			assert_true(a.le <= 65536);
		}
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case1),
		cmocka_unit_test(test_case2s),
		cmocka_unit_test(test_case3s),
		cmocka_unit_test(test_case4s),
		cmocka_unit_test(test_case2e),
		cmocka_unit_test(test_case3e),
		cmocka_unit_test(test_case4e),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_truncated_and_overlong),
		cmocka_unit_test(test_extended_malformed),
		cmocka_unit_test(test_failure_clears_output),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
