/* SPDX-License-Identifier: MIT */
/* Pure validators: PIN, My Number check digit, dates, strict UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/mynacard.h"

static void pin(void **state)
{
	(void)state;
	assert_true(mnc_pin_is_valid("1234", 4));
	assert_true(mnc_pin_is_valid("0000", 4));
	assert_true(mnc_pin_is_valid("9999", 4));
	assert_false(mnc_pin_is_valid("12a4", 4));
	assert_false(mnc_pin_is_valid("abcd", 4));
	assert_false(mnc_pin_is_valid("123", 3));
	assert_false(mnc_pin_is_valid("12345", 5));
	assert_false(mnc_pin_is_valid("1234", 3));
	assert_false(mnc_pin_is_valid("", 0));
	assert_false(mnc_pin_is_valid(NULL, 4));
	/* full-width digits １２３４ (UTF-8, 12 bytes, or its first 4 bytes) */
	assert_false(mnc_pin_is_valid("１２３４", strlen("１２３４")));
	assert_false(mnc_pin_is_valid("１２３４", 4));
	/* an embedded NUL is not a digit */
	assert_false(mnc_pin_is_valid("12\0" "4", 4));
	assert_false(mnc_pin_is_valid("123 ", 4));
	assert_false(mnc_pin_is_valid(" 123", 4));
	assert_false(mnc_pin_is_valid("12-4", 4));
	assert_false(mnc_pin_is_valid("123/", 4)); /* '0' - 1 */
	assert_false(mnc_pin_is_valid("123:", 4)); /* '9' + 1 */
}

static void check_digit(void **state)
{
	char d[13];

	(void)state;
	assert_true(mnc_my_number_is_valid("537686677188", 12));
	assert_true(mnc_my_number_is_valid("123456789018", 12));
	/* remainder 0 or 1 gives check digit 0 */
	assert_true(mnc_my_number_is_valid("000000000000", 12));
	/* every single-digit change of the vector is caught */
	for (int pos = 0; pos < 12; pos++) {
		for (char c = '0'; c <= '9'; c++) {
			memcpy(d, "537686677188", 13);
			if (d[pos] == c) {
				continue;
			}
			d[pos] = c;
			assert_false(mnc_my_number_is_valid(d, 12));
		}
	}
	assert_false(mnc_my_number_is_valid("53768667718", 11));
	assert_false(mnc_my_number_is_valid("5376866771880", 13));
	assert_false(mnc_my_number_is_valid("53768667718A", 12));
	assert_false(mnc_my_number_is_valid(" 37686677188", 12));
	assert_false(mnc_my_number_is_valid(NULL, 12));
}

static void dates(void **state)
{
	(void)state;
	assert_true(mnc_date_is_valid("19800217", 8));
	assert_true(mnc_date_is_valid("20000229", 8)); /* divisible by 400 */
	assert_true(mnc_date_is_valid("20240229", 8));
	assert_true(mnc_date_is_valid("19520229", 8));
	assert_false(mnc_date_is_valid("19000229", 8)); /* divisible by 100, not 400 */
	assert_false(mnc_date_is_valid("20230229", 8));
	assert_false(mnc_date_is_valid("21000229", 8));
	assert_true(mnc_date_is_valid("19000101", 8));
	assert_true(mnc_date_is_valid("21001231", 8));
	assert_false(mnc_date_is_valid("18991231", 8));
	assert_false(mnc_date_is_valid("21010101", 8));
	assert_false(mnc_date_is_valid("19801301", 8));
	assert_false(mnc_date_is_valid("19800001", 8));
	assert_false(mnc_date_is_valid("19800100", 8));
	assert_false(mnc_date_is_valid("19800132", 8));
	assert_true(mnc_date_is_valid("19800131", 8));
	assert_false(mnc_date_is_valid("19800431", 8));
	assert_true(mnc_date_is_valid("19800430", 8));
	assert_false(mnc_date_is_valid("1980021", 7));
	assert_false(mnc_date_is_valid("198002170", 9));
	assert_false(mnc_date_is_valid("1980-2-1", 8));
	assert_false(mnc_date_is_valid("H0101010", 8));
	assert_false(mnc_date_is_valid(NULL, 8));
}

static bool u8(const char *s, size_t n)
{
	return mnc_utf8_is_valid((const uint8_t *)s, n);
}

static void utf8(void **state)
{
	(void)state;
	assert_true(u8("", 0));
	assert_true(u8("abc", 3));
	assert_true(u8("黒桐\xE3\x80\x80幹也", strlen("黒桐\xE3\x80\x80幹也")));
	assert_true(u8("\xC2\x80", 2));             /* U+0080 */
	assert_true(u8("\xDF\xBF", 2));             /* U+07FF */
	assert_true(u8("\xE0\xA0\x80", 3));         /* U+0800 */
	assert_true(u8("\xED\x9F\xBF", 3));         /* U+D7FF */
	assert_true(u8("\xEE\x80\x80", 3));         /* U+E000 (private use: 外字) */
	assert_true(u8("\xF0\x90\x80\x80", 4));     /* U+10000 */
	assert_true(u8("\xF4\x8F\xBF\xBF", 4));     /* U+10FFFF */
	/* overlongs */
	assert_false(u8("\xC0\xAF", 2));
	assert_false(u8("\xC1\xBF", 2));
	assert_false(u8("\xE0\x80\xAF", 3));
	assert_false(u8("\xE0\x9F\xBF", 3));
	assert_false(u8("\xF0\x8F\xBF\xBF", 4));
	assert_false(u8("\xC0\x80", 2)); /* "modified UTF-8" NUL */
	/* surrogates */
	assert_false(u8("\xED\xA0\x80", 3));
	assert_false(u8("\xED\xBF\xBF", 3));
	/* beyond U+10FFFF */
	assert_false(u8("\xF4\x90\x80\x80", 4));
	assert_false(u8("\xF5\x80\x80\x80", 4));
	assert_false(u8("\xFF", 1));
	/* truncated and stray */
	assert_false(u8("\xE3\x80", 2));
	assert_false(u8("a\xE3", 2));
	assert_false(u8("\xF0\x90\x80", 3));
	assert_false(u8("\x80", 1));
	assert_false(u8("\xE3\x80\x41", 3));
	/* NUL and C0 controls */
	assert_false(u8("a\0b", 3));
	assert_false(u8("a\nb", 3));
	assert_false(u8("\x1F", 1));
	assert_true(u8(" ", 1));
	assert_false(mnc_utf8_is_valid(NULL, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pin),
		cmocka_unit_test(check_digit),
		cmocka_unit_test(dates),
		cmocka_unit_test(utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
