/* SPDX-License-Identifier: MIT */
/*
 * PIN-pad path pieces that need no reader: the PIN_VERIFY_STRUCTURE bytes the
 * firmware hands to a part 10 reader, the false-pinpad table, and the HAL
 * wrapper's rules over a fake backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <PCSC/reader.h> /* pcsc-lite's PIN_VERIFY_STRUCTURE, for the layout */

#include "hal/reader.h"
#include "kiosk/err.h"
#include "kiosk/mynacard.h"

static void test_structure_bytes_p2_80(void **state)
{
	static const uint8_t want[] = {
		0x1E, 0x1E,             /* bTimerOut, bTimerOut2: 30 s */
		0x82,                   /* bmFormatString: bytes, offset 0, left, ASCII */
		0x04,                   /* bmPINBlockString: no length field, 4-byte block */
		0x00,                   /* bmPINLengthFormat */
		0x04, 0x04,             /* wPINMaxExtraDigit: min 4, max 4 */
		0x02,                   /* bEntryValidationCondition: OK key */
		0x01,                   /* bNumberMessage */
		0x11, 0x04,             /* wLangId 0x0411 (Japanese), LE */
		0x00,                   /* bMsgIndex */
		0x00, 0x00, 0x00,       /* bTeoPrologue */
		0x09, 0x00, 0x00, 0x00, /* ulDataLength 9, LE */
		0x00, 0x20, 0x00, 0x80, 0x04, 0xFF, 0xFF, 0xFF, 0xFF,
	};
	uint8_t out[64];
	size_t n = 0;

	(void)state;
	assert_int_equal(sizeof(want), MNC_PIN_VERIFY_STRUCTURE_LEN);
	assert_int_equal(mnc_pinpad_verify_structure(0x80, 30, out, sizeof(out), &n), 0);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void test_structure_p2_91_and_timeouts(void **state)
{
	uint8_t out[MNC_PIN_VERIFY_STRUCTURE_LEN];
	size_t n = 0;

	(void)state;
	assert_int_equal(mnc_pinpad_verify_structure(0x91, 0, out, sizeof(out), &n), 0);
	assert_int_equal(n, sizeof(out));
	assert_int_equal(out[0], 30); /* 0 = the firmware's default, never the reader's */
	assert_int_equal(out[22], 0x91);
	assert_int_equal(mnc_pinpad_verify_structure(0x91, 1000, out, sizeof(out), &n), 0);
	assert_int_equal(out[0], 255);
	assert_int_equal(mnc_pinpad_verify_structure(0x91, 5, out, sizeof(out), &n), 0);
	assert_int_equal(out[0], 5);
	/* Never a digit in the template: the reader writes the PIN. */
	for (size_t i = 24; i < n; i++) {
		assert_int_equal(out[i], 0xFF);
	}
}

static void test_structure_errors(void **state)
{
	uint8_t out[MNC_PIN_VERIFY_STRUCTURE_LEN];
	size_t n = 99;

	(void)state;
	assert_int_equal(mnc_pinpad_verify_structure(0x81, 30, out, sizeof(out), &n),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(n, 0);
	assert_int_equal(mnc_pinpad_verify_structure(0x80, 30, out, sizeof(out) - 1, &n),
			 KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(mnc_pinpad_verify_structure(0x80, 30, NULL, 0, &n),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(mnc_pinpad_verify_structure(0x80, 30, out, sizeof(out), NULL),
			 KIOSK_ERR_INVALID_ARG);
}

/* The bytes match pcsc-lite's packed struct field by field. */
static void test_structure_matches_pcsc_lite_layout(void **state)
{
	uint8_t out[MNC_PIN_VERIFY_STRUCTURE_LEN];
	PIN_VERIFY_STRUCTURE pvs;
	size_t n = 0;

	(void)state;
	assert_int_equal(offsetof(PIN_VERIFY_STRUCTURE, abData), 19);
	assert_int_equal(mnc_pinpad_verify_structure(0x80, 20, out, sizeof(out), &n), 0);
	memcpy(&pvs, out, 19);
	assert_int_equal(pvs.bTimerOut, 20);
	assert_int_equal(pvs.bmFormatString, 0x82);
	assert_int_equal(pvs.bmPINBlockString, 0x04);
	assert_int_equal(pvs.wPINMaxExtraDigit, 0x0404);
	assert_int_equal(pvs.bEntryValidationCondition, 0x02);
	assert_int_equal(pvs.wLangId, 0x0411); /* little-endian host */
	assert_int_equal(pvs.ulDataLength, 9);
	assert_int_equal(n, 19 + pvs.ulDataLength);
}

static void test_false_pinpad_table(void **state)
{
	(void)state;
	/* Names libccid 1.5.2 gives the models OpenSC lists by USB id. */
	assert_true(hal_reader_false_pinpad("HID Global OMNIKEY 3x21 Smart Card Reader [OMNIKEY 3x21 Smart Card Reader] 00 00"));
	assert_true(hal_reader_false_pinpad("OMNIKEY AG CardMan 3121 00 00"));
	assert_true(hal_reader_false_pinpad("OMNIKEY AG 3121 USB 00 00"));
	assert_true(hal_reader_false_pinpad("HID Global OMNIKEY 6121 Smart Card Reader 00 00"));
	assert_true(hal_reader_false_pinpad("OMNIKEY AG CardMan 6121 01 00"));
	assert_true(hal_reader_false_pinpad("OMNIKEY AG 6121 USB mobile 00 00"));
	/* Real pinpads and plain readers are left alone. */
	assert_false(hal_reader_false_pinpad("REINER SCT cyberJack RFID standard (1234) 00 00"));
	assert_false(hal_reader_false_pinpad("Gemalto PC Pinpad (12345678) 00 00"));
	assert_false(hal_reader_false_pinpad("HID Global OMNIKEY 5022 Smart Card Reader 00 00"));
	assert_false(hal_reader_false_pinpad("HID Global OMNIKEY 5422 Smartcard Reader 01 00"));
	assert_false(hal_reader_false_pinpad("Virtual PIN pad 00 00"));
	assert_false(hal_reader_false_pinpad("Virtual PCD 00 00"));
	assert_false(hal_reader_false_pinpad(""));
	assert_false(hal_reader_false_pinpad(NULL));
}

static void test_pin_limits(void **state)
{
	/* As libccid answers for a pinpad reader with a 2x16 display. */
	static const uint8_t ccid[] = {
		0x01, 0x02, 0x10, 0x02, /* wLcdLayout 0x0210 */
		0x02, 0x01, 0x02,       /* bEntryValidationCondition */
		0x03, 0x01, 0x00,       /* bTimeOut2 */
		0x06, 0x01, 0x04,       /* bMinPINSize */
		0x07, 0x01, 0x08,       /* bMaxPINSize */
		0x0A, 0x04, 0x00, 0x01, 0x00, 0x00, /* dwMaxAPDUDataSize */
	};
	static const uint8_t runs_past[] = { 0x06, 0x01, 0x04, 0x07, 0x02, 0x08 };
	static const uint8_t bad_len[] = { 0x06, 0x02, 0x04, 0x00 };
	static const uint8_t max_only[] = { 0x0B, 0x02, 0x6B, 0x07, 0x07, 0x01, 0x0C };
	uint8_t min = 9, max = 9;
	bool disp = false;

	(void)state;
	assert_int_equal(hal_part10_pin_limits(ccid, sizeof(ccid), &min, &max, &disp), 0);
	assert_int_equal(min, 4);
	assert_int_equal(max, 8);
	assert_true(disp);
	assert_int_equal(hal_part10_pin_limits(max_only, sizeof(max_only), &min, &max, &disp), 0);
	assert_int_equal(min, 0);
	assert_int_equal(max, 12);
	assert_false(disp);
	assert_int_equal(hal_part10_pin_limits(NULL, 0, &min, &max, &disp), 0);
	assert_int_equal(max, 0);
	assert_int_equal(hal_part10_pin_limits(runs_past, sizeof(runs_past), &min, &max, &disp),
			 KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(hal_part10_pin_limits(bad_len, sizeof(bad_len), &min, &max, &disp),
			 KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(hal_part10_pin_limits(ccid, 1, &min, &max, &disp),
			 KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(hal_part10_pin_limits(ccid, sizeof(ccid), NULL, &max, &disp),
			 KIOSK_ERR_INVALID_ARG);
}

/* ---- the HAL wrapper over a fake backend ---------------------------------- */

struct fake {
	unsigned calls;
	size_t last_len;
	uint8_t sw[3];
	size_t swlen;
	int rc;
};

static struct fake *g_fake;

static int fake_open(void *priv, const struct hal_reader_config *cfg)
{
	(void)priv;
	(void)cfg;
	return 0;
}

static int fake_connect(void *priv, struct hal_card_info *info)
{
	(void)priv;
	info->caps = HAL_READER_CAP_PINPAD;
	return 0;
}

static int fake_disconnect(void *priv)
{
	(void)priv;
	return 0;
}

static int fake_verify(void *priv, const uint8_t *pvs, size_t len, uint8_t *sw, size_t *swlen)
{
	(void)priv;
	(void)pvs;
	g_fake->calls++;
	g_fake->last_len = len;
	memcpy(sw, g_fake->sw, 2); /* the caller's buffer holds SW1 SW2 */
	*swlen = g_fake->swlen;
	return g_fake->rc;
}

static const struct hal_reader_ops fake_ops = {
	.name = "fake",
	.open = fake_open,
	.connect = fake_connect,
	.disconnect = fake_disconnect,
	.verify_pin_direct = fake_verify,
};

static const struct hal_reader_ops fake_no_pinpad_ops = {
	.name = "fake-plain",
	.open = fake_open,
	.connect = fake_connect,
	.disconnect = fake_disconnect,
};

static void test_hal_wrapper(void **state)
{
	struct fake f = { .sw = { 0x90, 0x00 }, .swlen = 2 };
	struct hal_reader r;
	uint8_t pvs[MNC_PIN_VERIFY_STRUCTURE_LEN];
	uint8_t sw[2];
	size_t n = 0;
	size_t swlen = 9;

	(void)state;
	g_fake = &f;
	assert_int_equal(mnc_pinpad_verify_structure(0x80, 30, pvs, sizeof(pvs), &n), 0);
	hal_reader_init(&r);
	assert_int_equal(hal_reader_open(&r, &fake_ops, NULL), 0);
	/* Not connected: nothing reaches the backend. */
	assert_int_equal(hal_reader_verify_pin_direct(&r, pvs, n, sw, &swlen),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(swlen, 0);
	assert_int_equal(f.calls, 0);
	assert_int_equal(hal_reader_connect(&r), 0);
	assert_int_equal(hal_reader_verify_pin_direct(&r, pvs, n, sw, &swlen), 0);
	assert_int_equal(swlen, 2);
	assert_int_equal(sw[0], 0x90);
	assert_int_equal(f.calls, 1);
	assert_int_equal(f.last_len, n);
	assert_int_equal(r.apdu_count, 1); /* one VERIFY on the wire */
	/* A keypad status is a status word, not an error, at this layer. */
	f.sw[0] = 0x64;
	f.sw[1] = 0x01;
	assert_int_equal(hal_reader_verify_pin_direct(&r, pvs, n, sw, &swlen), 0);
	assert_int_equal(sw[0], 0x64);
	assert_int_equal(sw[1], 0x01);
	/* Anything but exactly SW1 SW2 is a protocol error, never re-sent. */
	f.swlen = 3;
	assert_int_equal(hal_reader_verify_pin_direct(&r, pvs, n, sw, &swlen),
			 KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(swlen, 0);
	assert_int_equal(f.calls, 3);
	f.swlen = 2;
	f.rc = KIOSK_ERR_CARD_REMOVED;
	assert_int_equal(hal_reader_verify_pin_direct(&r, pvs, n, sw, &swlen),
			 KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(f.calls, 4);
	assert_int_equal(hal_reader_verify_pin_direct(&r, NULL, n, sw, &swlen),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(f.calls, 4);
	hal_reader_close(&r);

	hal_reader_init(&r);
	assert_int_equal(hal_reader_open(&r, &fake_no_pinpad_ops, NULL), 0);
	assert_int_equal(hal_reader_connect(&r), 0);
	assert_int_equal(hal_reader_verify_pin_direct(&r, pvs, n, sw, &swlen),
			 KIOSK_ERR_NOT_SUPPORTED);
	hal_reader_close(&r);
	g_fake = NULL;
}

static void test_firmware_guards(void **state)
{
	int tries = 7;

	(void)state;
	assert_int_equal(mnc_verify_pin_pinpad(NULL, 30, &tries), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(tries, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure_bytes_p2_80),
		cmocka_unit_test(test_structure_p2_91_and_timeouts),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_structure_matches_pcsc_lite_layout),
		cmocka_unit_test(test_false_pinpad_table),
		cmocka_unit_test(test_pin_limits),
		cmocka_unit_test(test_hal_wrapper),
		cmocka_unit_test(test_firmware_guards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
