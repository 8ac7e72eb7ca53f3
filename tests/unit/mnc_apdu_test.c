/* SPDX-License-Identifier: MIT */
/* APDU builders byte for byte, and the status-word table (mynacard.md §2.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "mnc_apdu.h"

#define EXPECT(buf, n, ...)                                        \
	do {                                                       \
		static const uint8_t want_[] = { __VA_ARGS__ };    \
		assert_int_equal((n), sizeof(want_));              \
		assert_memory_equal((buf), want_, sizeof(want_));  \
	} while (0)

static void builders(void **state)
{
	uint8_t b[300];
	uint8_t digest[32];
	size_t n;

	(void)state;
	n = mnc_apdu_select_ap(b, sizeof(b));
	EXPECT(b, n, 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01,
	       0x01, 0x04, 0x08);
	assert_memory_equal(MNC_AID_KENHOJO, b + 5, 10);
	assert_int_equal(mnc_apdu_select_ap(b, 14), 0);

	n = mnc_apdu_select_ef(b, sizeof(b), 0x0011);
	EXPECT(b, n, 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11);
	n = mnc_apdu_select_ef(b, sizeof(b), 0x0004);
	EXPECT(b, n, 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x04);
	assert_int_equal(mnc_apdu_select_ef(b, 6, 0x0004), 0);

	/* READ BINARY: SFI, offset, short and extended Le */
	n = mnc_apdu_read_binary(b, sizeof(b), 0x01, 0, 256, false);
	EXPECT(b, n, 0x00, 0xB0, 0x81, 0x00, 0x00);
	n = mnc_apdu_read_binary(b, sizeof(b), 0x04, 0, 4096, true);
	EXPECT(b, n, 0x00, 0xB0, 0x84, 0x00, 0x00, 0x10, 0x00);
	n = mnc_apdu_read_binary(b, sizeof(b), 0, 0x100, 256, false);
	EXPECT(b, n, 0x00, 0xB0, 0x01, 0x00, 0x00);
	n = mnc_apdu_read_binary(b, sizeof(b), 0, 0x200, 0x38, false);
	EXPECT(b, n, 0x00, 0xB0, 0x02, 0x00, 0x38);
	n = mnc_apdu_read_binary(b, sizeof(b), 0, 0, 4096, true);
	EXPECT(b, n, 0x00, 0xB0, 0x00, 0x00, 0x00, 0x10, 0x00);
	n = mnc_apdu_read_binary(b, sizeof(b), 0, 0, 65536, true);
	EXPECT(b, n, 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00);
	assert_int_equal(mnc_apdu_read_binary(b, sizeof(b), 0, 0x8000, 256, false), 0);
	assert_int_equal(mnc_apdu_read_binary(b, sizeof(b), 1, 0x100, 256, false), 0);
	assert_int_equal(mnc_apdu_read_binary(b, sizeof(b), 31, 0, 256, false), 0);
	assert_int_equal(mnc_apdu_read_binary(b, sizeof(b), 0, 0, 257, false), 0);
	assert_int_equal(mnc_apdu_read_binary(b, sizeof(b), 0, 0, 0, false), 0);
	assert_int_equal(mnc_apdu_read_binary(b, 6, 0, 0, 4096, true), 0);

	/* VERIFY: the empty query (case 1) and the PIN form */
	n = mnc_apdu_verify_query(b, sizeof(b), 0x91);
	EXPECT(b, n, 0x00, 0x20, 0x00, 0x91);
	n = mnc_apdu_verify_query(b, sizeof(b), 0x80);
	EXPECT(b, n, 0x00, 0x20, 0x00, 0x80);
	n = mnc_apdu_verify(b, sizeof(b), 0x80, "1234", 4);
	EXPECT(b, n, 0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34);
	n = mnc_apdu_verify(b, sizeof(b), 0x91, "0000", 4);
	EXPECT(b, n, 0x00, 0x20, 0x00, 0x91, 0x04, 0x30, 0x30, 0x30, 0x30);
	assert_int_equal(mnc_apdu_verify(b, sizeof(b), 0x80, "12345", 5), 0);
	assert_int_equal(mnc_apdu_verify(b, 8, 0x80, "1234", 4), 0);

	/* 80 2A 00 00 33 DigestInfo 00 */
	for (int i = 0; i < 32; i++) {
		digest[i] = (uint8_t)i;
	}
	n = mnc_apdu_sign(b, sizeof(b), digest);
	assert_int_equal(n, 5 + 51 + 1);
	EXPECT(b, 5, 0x80, 0x2A, 0x00, 0x00, 0x33);
	EXPECT(b + 5, 19, 0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	       0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20);
	assert_memory_equal(b + 24, digest, 32);
	assert_int_equal(b[56], 0x00);
	assert_int_equal(mnc_apdu_sign(b, 56, digest), 0);
}

static void sw_table(void **state)
{
	static const struct {
		enum mnc_cmd cmd;
		uint16_t sw;
		int want;
	} t[] = {
		{ MNC_CMD_SELECT_AP, 0x9000, 0 },
		{ MNC_CMD_SELECT_AP, 0x6A82, KIOSK_ERR_NOT_MYNUMBER_CARD },
		{ MNC_CMD_SELECT_AP, 0x6A86, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_SELECT_AP, 0x6982, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_SELECT_EF, 0x9000, 0 },
		{ MNC_CMD_SELECT_EF, 0x6A82, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_SELECT_EF, 0x6982, KIOSK_ERR_PIN_NOT_VERIFIED },
		{ MNC_CMD_READ, 0x9000, 0 },
		{ MNC_CMD_READ, 0x6282, 0 },
		{ MNC_CMD_READ, 0x6982, KIOSK_ERR_PIN_NOT_VERIFIED },
		{ MNC_CMD_READ, 0x6B00, KIOSK_ERR_CARD_DATA },
		{ MNC_CMD_READ, 0x6700, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_READ, 0x6A82, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_READ, 0x6A86, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_READ, 0x63C2, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_READ, 0x6F00, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_TRIES, 0x9000, 0 },
		{ MNC_CMD_TRIES, 0x63C3, 0 },
		{ MNC_CMD_TRIES, 0x63C1, 0 },
		{ MNC_CMD_TRIES, 0x63C0, KIOSK_ERR_PIN_BLOCKED },
		{ MNC_CMD_TRIES, 0x6984, KIOSK_ERR_PIN_BLOCKED },
		{ MNC_CMD_TRIES, 0x6983, KIOSK_ERR_PIN_BLOCKED },
		{ MNC_CMD_TRIES, 0x6300, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_TRIES, 0x6A88, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_VERIFY, 0x9000, 0 },
		{ MNC_CMD_VERIFY, 0x63C2, KIOSK_ERR_PIN_INCORRECT },
		{ MNC_CMD_VERIFY, 0x63C1, KIOSK_ERR_PIN_INCORRECT },
		{ MNC_CMD_VERIFY, 0x63C0, KIOSK_ERR_PIN_BLOCKED },
		{ MNC_CMD_VERIFY, 0x6984, KIOSK_ERR_PIN_BLOCKED },
		{ MNC_CMD_VERIFY, 0x6983, KIOSK_ERR_PIN_BLOCKED },
		{ MNC_CMD_VERIFY, 0x6700, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_VERIFY, 0x6982, KIOSK_ERR_CARD_PROTOCOL },
		{ MNC_CMD_SIGN, 0x9000, 0 },
		{ MNC_CMD_SIGN, 0x6982, KIOSK_ERR_PIN_NOT_VERIFIED },
		{ MNC_CMD_SIGN, 0x6985, KIOSK_ERR_CARD_PROTOCOL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = mnc_sw_to_err(t[i].cmd, t[i].sw);

		if (got != t[i].want) {
			fail_msg("row %zu: cmd %d sw %04X -> %d, want %d", i, (int)t[i].cmd,
				 t[i].sw, got, t[i].want);
		}
	}
	assert_int_equal(mnc_sw_tries(0x63C3), 3);
	assert_int_equal(mnc_sw_tries(0x63C0), 0);
	assert_int_equal(mnc_sw_tries(0x6300), -1);
	assert_int_equal(mnc_sw_tries(0x9000), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builders),
		cmocka_unit_test(sw_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
