/* SPDX-License-Identifier: MIT */
/* Card capabilities from ATR historical bytes (mynacard.md §6 ATRs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kiosk/err.h"
#include "kiosk/mynacard.h"

#define CAPS(atr, s, e, want_rc)                                                   \
	do {                                                                       \
		bool s_ = true, e_ = true;                                         \
		assert_int_equal(mnc_atr_capabilities(atr, sizeof(atr), &s_, &e_), \
				 want_rc);                                         \
		assert_int_equal(s_, s);                                           \
		assert_int_equal(e_, e);                                           \
	} while (0)

static void real_atrs(void **state)
{
	/* T=1 contact ATR, capabilities C6 01 C0: SFI and extended length */
	static const uint8_t a1[] = { 0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12,
				      0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6, 0x01, 0xC0, 0x3B };
	/* capabilities C6 01 00: SFI, no extended length */
	static const uint8_t a2[] = { 0x3B, 0xC5, 0xFF, 0x81, 0x31, 0xFB, 0x45,
				      0x80, 0x73, 0xC6, 0x01, 0x00, 0x00 };
	/* proprietary historical bytes (category 00 would need a status; here 42) */
	static const uint8_t a3[] = { 0x3B, 0xF5, 0x91, 0x00, 0xFF, 0x91, 0x81, 0x71, 0xFE,
				      0x40, 0x00, 0x42, 0x00, 0x01, 0x00, 0xD1, 0xD6 };
	/* contactless (PC/SC part 3): historical bytes are ATQB data, not COMPACT-TLV */
	static const uint8_t a4[] = { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05,
				      0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x7F };
	/* no historical bytes */
	static const uint8_t a5[] = { 0x3B, 0x80, 0x80, 0x01, 0x01 };

	(void)state;
	CAPS(a1, true, true, 0);
	CAPS(a2, true, false, 0);
	CAPS(a3, false, false, 0);
	CAPS(a4, false, false, 0);
	CAPS(a5, false, false, 0);
}

static void compact_tlv_variants(void **state)
{
	/* category 00 is not read (contactless ATRs carry ATQB bytes there) */
	static const uint8_t c00[] = { 0x3B, 0x08, 0x00, 0x73, 0x04, 0x00, 0x40,
				       0x00, 0x90, 0x00 };
	/* only the first capability byte: SFI known, extended not */
	static const uint8_t one_byte[] = { 0x3B, 0x03, 0x80, 0x71, 0x04 };
	/* tag 7 present but SFI bit clear, extended bit set */
	static const uint8_t ext_only[] = { 0x3B, 0x05, 0x80, 0x73, 0x80, 0x00, 0x40 };
	/* other tags first, then 7 */
	static const uint8_t later[] = { 0x3B, 0x0A, 0x80, 0x12, 0x39, 0x2F, 0x31,
					 0xC1, 0x73, 0x04, 0x01, 0x00 };

	(void)state;
	CAPS(c00, false, false, 0);
	CAPS(one_byte, true, false, 0);
	CAPS(ext_only, false, true, 0);
	CAPS(later, true, false, 0);
}

static void malformed(void **state)
{
	/* K = 10 but the ATR ends early */
	static const uint8_t short_hist[] = { 0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31,
					      0xFB, 0x46, 0x80, 0x73, 0xC6 };
	/* interface bytes announced but missing */
	static const uint8_t short_if[] = { 0x3B, 0xF0, 0x11 };
	/* TD chain that never ends within the buffer */
	static const uint8_t td_loop[] = { 0x3B, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 };
	/* a COMPACT-TLV length past the historical bytes */
	static const uint8_t ctlv_over[] = { 0x3B, 0x03, 0x80, 0x73, 0x04 };
	/* bad TS */
	static const uint8_t bad_ts[] = { 0x12, 0x03, 0x80, 0x73, 0x04 };
	static const uint8_t one[] = { 0x3B };
	bool s = true, e = true;

	(void)state;
	CAPS(short_hist, false, false, KIOSK_ERR_CARD_DATA);
	CAPS(short_if, false, false, KIOSK_ERR_CARD_DATA);
	CAPS(td_loop, false, false, KIOSK_ERR_CARD_DATA);
	CAPS(ctlv_over, false, false, KIOSK_ERR_CARD_DATA);
	CAPS(bad_ts, false, false, KIOSK_ERR_CARD_DATA);
	CAPS(one, false, false, KIOSK_ERR_CARD_DATA);
	assert_int_equal(mnc_atr_capabilities(NULL, 10, &s, &e), KIOSK_ERR_CARD_DATA);
	assert_false(s);
	assert_false(e);
	assert_int_equal(mnc_atr_capabilities(one, 1, NULL, &e), KIOSK_ERR_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_atrs),
		cmocka_unit_test(compact_tlv_variants),
		cmocka_unit_test(malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
