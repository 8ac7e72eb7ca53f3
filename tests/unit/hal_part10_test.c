/* SPDX-License-Identifier: MIT */
/* PC/SC part 10 feature list parsing with canned CM_IOCTL_GET_FEATURE_REQUEST answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hal/reader.h"
#include "kiosk/err.h"

/* A pinpad reader as libccid reports it: verify, modify, PIN properties, TLV properties. */
static const uint8_t pinpad_list[] = {
	0x06, 0x04, 0x42, 0x33, 0x00, 0x06, /* FEATURE_VERIFY_PIN_DIRECT */
	0x07, 0x04, 0x42, 0x33, 0x00, 0x07, /* FEATURE_MODIFY_PIN_DIRECT */
	0x0A, 0x04, 0x42, 0x33, 0x00, 0x0A, /* FEATURE_IFD_PIN_PROPERTIES */
	0x12, 0x04, 0x42, 0x33, 0x00, 0x12, /* FEATURE_GET_TLV_PROPERTIES */
};

static void test_pinpad_list(void **state)
{
	struct hal_part10_features f;

	(void)state;
	assert_int_equal(hal_part10_parse_features(pinpad_list, sizeof(pinpad_list), &f), 0);
	assert_int_equal(f.count, 4);
	assert_int_equal(f.f[0].tag, 0x06);
	/* The value is big-endian on the wire. */
	assert_int_equal(f.f[0].ioctl, 0x42330006u);
	assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_VERIFY_PIN_DIRECT), 0x42330006u);
	assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_MODIFY_PIN_DIRECT), 0x42330007u);
	assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_IFD_PIN_PROPERTIES), 0x4233000Au);
	assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_GET_TLV_PROPERTIES), 0x42330012u);
	assert_int_equal(hal_part10_find(&f, 0x20), 0);
}

/* Upstream vpcd (2023+) answers with GET_TLV_PROPERTIES only: no pinpad. */
static void test_tlv_properties_only(void **state)
{
	static const uint8_t buf[] = { 0x12, 0x04, 0x42, 0x00, 0x0D, 0x48 };
	struct hal_part10_features f;

	(void)state;
	assert_int_equal(hal_part10_parse_features(buf, sizeof(buf), &f), 0);
	assert_int_equal(f.count, 1);
	assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_GET_TLV_PROPERTIES), 0x42000D48u);
	assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_VERIFY_PIN_DIRECT), 0);
}

static void test_empty(void **state)
{
	struct hal_part10_features f;

	(void)state;
	memset(&f, 0xA5, sizeof(f));
	assert_int_equal(hal_part10_parse_features(NULL, 0, &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_VERIFY_PIN_DIRECT), 0);
	assert_int_equal(hal_part10_parse_features(pinpad_list, 0, &f), 0);
	assert_int_equal(f.count, 0);
}

static void test_length_not_multiple_of_6(void **state)
{
	struct hal_part10_features f;

	(void)state;
	for (size_t len = 1; len < sizeof(pinpad_list); len++) {
		if (len % 6 == 0) {
			continue;
		}
		assert_int_equal(hal_part10_parse_features(pinpad_list, len, &f),
				 KIOSK_ERR_CARD_PROTOCOL);
		/* A rejected list advertises nothing, not even the entries before the error. */
		assert_int_equal(f.count, 0);
		assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_VERIFY_PIN_DIRECT), 0);
	}
}

static void test_entry_length_not_4(void **state)
{
	uint8_t buf[sizeof(pinpad_list)];
	struct hal_part10_features f;
	static const uint8_t bad_len[] = { 0x00, 0x02, 0x03, 0x05, 0x06, 0xFF };

	(void)state;
	for (size_t i = 0; i < sizeof(bad_len); i++) {
		memcpy(buf, pinpad_list, sizeof(buf));
		buf[3 * 6 + 1] = bad_len[i]; /* the last entry */
		assert_int_equal(hal_part10_parse_features(buf, sizeof(buf), &f),
				 KIOSK_ERR_CARD_PROTOCOL);
		assert_int_equal(f.count, 0);
		assert_int_equal(hal_part10_find(&f, HAL_PART10_FEATURE_VERIFY_PIN_DIRECT), 0);
	}
}

static void test_too_many_entries(void **state)
{
	uint8_t buf[(HAL_PART10_MAX_FEATURES + 1) * 6];
	struct hal_part10_features f;

	(void)state;
	for (size_t i = 0; i < HAL_PART10_MAX_FEATURES + 1; i++) {
		uint8_t *e = buf + i * 6;

		e[0] = (uint8_t)(i + 1);
		e[1] = 4;
		e[2] = 0x42;
		e[3] = 0x33;
		e[4] = 0x00;
		e[5] = (uint8_t)(i + 1);
	}
	/* Exactly the maximum is fine... */
	assert_int_equal(hal_part10_parse_features(buf, HAL_PART10_MAX_FEATURES * 6, &f), 0);
	assert_int_equal(f.count, HAL_PART10_MAX_FEATURES);
	assert_int_equal(hal_part10_find(&f, HAL_PART10_MAX_FEATURES), 0x42330000u |
			 HAL_PART10_MAX_FEATURES);
	/* ...one more is not. */
	assert_int_equal(hal_part10_parse_features(buf, sizeof(buf), &f), KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(f.count, 0);
}

static void test_bad_args(void **state)
{
	struct hal_part10_features f;

	(void)state;
	assert_int_equal(hal_part10_parse_features(pinpad_list, sizeof(pinpad_list), NULL),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_part10_parse_features(NULL, 6, &f), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_part10_find(NULL, HAL_PART10_FEATURE_VERIFY_PIN_DIRECT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinpad_list),
		cmocka_unit_test(test_tlv_properties_only),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_length_not_multiple_of_6),
		cmocka_unit_test(test_entry_length_not_4),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
