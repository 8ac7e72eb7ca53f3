/* SPDX-License-Identifier: MIT */
/*
 * Command rules of the simulated card: SELECT, READ BINARY (offset, SFI and
 * extended forms), class/instruction errors, and the switches that change the
 * ATR's capability bits (SFI, extended length, ext_atr_only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardsim/cardsim.h"
#include "cardsim_fixture.h"

#define SELECT_AP "00A4040C0AD3921000310001010408"

static uint8_t data[70000];

/* Hex APDU in, SW out; data in the static buffer above, its length in @out_len. */
static uint16_t tx(struct cardsim_card *c, const char *hex, size_t *out_len)
{
	static uint8_t resp[70000];
	uint8_t cmd[600];
	size_t n = 0, rlen = 0;

	for (const char *p = hex; *p != '\0'; p += 2) {
		unsigned v;

		assert_int_equal(sscanf(p, "%2x", &v), 1);
		cmd[n++] = (uint8_t)v;
	}
	assert_int_equal(cardsim_process(c, cmd, n, resp, sizeof(resp), &rlen), CARDSIM_ANSWER);
	assert_true(rlen >= 2);
	memcpy(data, resp, rlen - 2);
	if (out_len != NULL) {
		*out_len = rlen - 2;
	}
	return (uint16_t)((resp[rlen - 2] << 8) | resp[rlen - 1]);
}

static void verify_pin(struct cardsim_card *c, const char *pin_hex)
{
	char cmd[64];

	assert_int_equal(tx(c, "00A4020C020011", NULL), 0x9000);
	snprintf(cmd, sizeof(cmd), "0020008004%s", pin_hex);
	assert_int_equal(tx(c, cmd, NULL), 0x9000);
}

static void test_select_rules(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, "00A40000", NULL), 0x6A86);         /* select MF after cold reset */
	assert_int_equal(tx(c, "00A4020C020004", NULL), 0x6A82);   /* EF before the AP */
	assert_int_equal(tx(c, "00A4040C09D39210003100010104", NULL), 0x6A82); /* prefix */
	assert_int_equal(tx(c, "00A4040C0AD3921000310001010402", NULL), 0x6A82); /* kenkaku */
	assert_int_equal(tx(c, "00A4040C0AD392F000260100000001", NULL), 0x6A82); /* JPKI */
	assert_int_equal(tx(c, "00A4040C0BD392100031000101040800", NULL), 0x6A82);
	assert_int_equal(tx(c, "00A404000AD3921000310001010408", NULL), 0x6A86); /* P2 00 */
	assert_int_equal(tx(c, "00A4040C", NULL), 0x6700);
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00A40000", NULL), 0x9000);         /* AP stays current */
	assert_int_equal(tx(c, "00A4020C023F00", NULL), 0x6A82);
	assert_int_equal(tx(c, "00A4020C020009", NULL), 0x6A82);
	assert_int_equal(tx(c, "00A4020C03000400", NULL), 0x6700);
	assert_int_equal(tx(c, "00A40200020004", NULL), 0x6A86);
	assert_int_equal(tx(c, "00A4080C020004", NULL), 0x6A86);
	assert_int_equal(tx(c, "00A4020C020004", NULL), 0x9000);
	assert_int_equal(tx(c, "00A4000C020004", NULL), 0x9000);   /* P1 00 with a FID */
	cardsim_card_free(c);
}

static void test_not_mynumber(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(cardsim_set(c, "not_mynumber", "1"), 0);
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x6A82);
	assert_int_equal(tx(c, "00A4020C020004", NULL), 0x6A82);
	assert_int_equal(cardsim_set(c, "not_mynumber", "0"), 0);
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	cardsim_card_free(c);
}

static void test_read_binary_offsets(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	size_t n, len;
	const uint8_t *f4 = cardsim_ef(c, 0x0004, &len);

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00B0000000", NULL), 0x6986);      /* no current EF */
	assert_int_equal(tx(c, "00A4020C020004", NULL), 0x9000);
	assert_int_equal(tx(c, "00B0000007", &n), 0x9000);         /* jpki/myna's header read */
	assert_int_equal(n, 7);
	assert_memory_equal(data, f4, 7);
	assert_int_equal(tx(c, "00B0000000", &n), 0x9000);         /* Le 00 = 256 */
	assert_int_equal(n, 256);
	assert_memory_equal(data, f4, 256);
	assert_int_equal(tx(c, "00B0010000", &n), 0x9000);
	assert_int_equal(n, 256);
	assert_memory_equal(data, f4 + 256, 256);
	assert_int_equal(tx(c, "00B0020000", &n), 0x9000);         /* only 56 remain */
	assert_int_equal(n, 56);
	assert_memory_equal(data, f4 + 512, 56);
	assert_int_equal(tx(c, "00B0020038", &n), 0x9000);
	assert_int_equal(n, 56);
	assert_int_equal(tx(c, "00B0023701", &n), 0x9000);         /* the last byte */
	assert_int_equal(n, 1);
	assert_int_equal(data[0], f4[567]);
	assert_int_equal(tx(c, "00B0023801", &n), 0x6B00);         /* offset == size */
	assert_int_equal(n, 0);
	assert_int_equal(tx(c, "00B07FFF01", NULL), 0x6B00);       /* 15-bit offset */
	assert_int_equal(tx(c, "00B00000", NULL), 0x6700);         /* no Le */
	assert_int_equal(tx(c, "00B000000100", NULL), 0x6700);     /* data on a READ */
	cardsim_card_free(c);
}

static void test_read_my_number_physical(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	size_t n;

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	verify_pin(c, "31323334");
	assert_int_equal(tx(c, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(tx(c, "00B0000000", &n), 0x9000);
	assert_int_equal(n, 17); /* the filler comes too */
	assert_memory_equal(data, "\xFF\x10\x0C" "123456789018" "\xFF\xFF", 17);
	cardsim_card_free(c);
}

static void test_sfi_reads(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	size_t n, len;
	const uint8_t *f5 = cardsim_ef(c, 0x0005, &len);

	(void)state;
	assert_int_equal(tx(c, "00B0850000", NULL), 0x6A82);       /* no AP yet */
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00B0850000", &n), 0x9000);
	assert_int_equal(n, len);
	assert_memory_equal(data, f5, len);
	/* The SFI read made 0005 current. */
	assert_int_equal(tx(c, "00B0000010", &n), 0x9000);
	assert_memory_equal(data, f5, 16);
	assert_int_equal(tx(c, "00B0851004", &n), 0x9000);         /* P2 = offset */
	assert_memory_equal(data, f5 + 16, 4);
	assert_int_equal(tx(c, "00B0890000", NULL), 0x6A82);       /* no SFI 09 */
	assert_int_equal(tx(c, "00B0810000", NULL), 0x6982);       /* 0001 needs the PIN */
	assert_int_equal(tx(c, "00B0910000", NULL), 0x6981);       /* 0011 is a key */
	assert_int_equal(tx(c, "00B0C50000", NULL), 0x6A86);       /* bits 7-6 must be 00 */
	assert_int_equal(tx(c, "00B0800000", NULL), 0x6A86);       /* SFI 0 */
	cardsim_card_free(c);

	c = cardsim_fixture_load("no_sfi");
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00B0850000", NULL), 0x6A86);
	assert_int_equal(tx(c, "00A4020C020005", NULL), 0x9000);
	assert_int_equal(tx(c, "00B0000000", NULL), 0x9000);
	assert_int_equal(cardsim_set(c, "no_sfi", "0"), 0);
	assert_int_equal(tx(c, "00B0850000", NULL), 0x9000);
	cardsim_card_free(c);
}

static void test_extended_le(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("long");
	size_t n, len;
	const uint8_t *f2 = cardsim_ef(c, 0x0002, &len);

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	verify_pin(c, "32353830");
	assert_int_equal(tx(c, "00A4020C020002", NULL), 0x9000);
	assert_int_equal(tx(c, "00B00000000000", &n), 0x9000);     /* Le 0000 = 65536 */
	assert_int_equal(n, len);
	assert_memory_equal(data, f2, len);
	assert_int_equal(tx(c, "00B00000000123", &n), 0x9000);
	assert_int_equal(n, 0x123);
	assert_int_equal(tx(c, "00B0820000000000", NULL), 0x6700); /* SFI + ext Le: 8 bytes */
	assert_int_equal(tx(c, "00B08200000000", &n), 0x9000);     /* SFI 02, ext Le */
	assert_int_equal(n, len);
	/* Extended Lc works too. */
	assert_int_equal(tx(c, "00A4020C0000020004", NULL), 0x9000);
	cardsim_card_free(c);
}

static void test_no_extended(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("no_ext");
	size_t n;

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00A4020C020004", NULL), 0x9000);
	assert_int_equal(tx(c, "00B00000000000", &n), 0x6700);
	assert_int_equal(n, 0);
	assert_int_equal(tx(c, "00A4020C0000020004", NULL), 0x6700);
	assert_int_equal(tx(c, "00B0000000", &n), 0x9000);         /* short APDUs still work */
	assert_int_equal(n, 256);
	cardsim_card_free(c);

	c = cardsim_fixture_load("standard");
	assert_int_equal(cardsim_set(c, "ext_atr_only", "1"), 0);
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00A4020C020004", NULL), 0x9000);
	assert_int_equal(tx(c, "00B00000000000", NULL), 0x6700);
	assert_int_equal(cardsim_set(c, "ext_atr_only", "0"), 0);
	assert_int_equal(tx(c, "00B00000000000", &n), 0x9000);
	assert_int_equal(n, 568);
	assert_int_equal(cardsim_set(c, "no_extended", "1"), 0);
	assert_int_equal(tx(c, "00B00000000000", NULL), 0x6700);
	cardsim_card_free(c);
}

static void check_atr(struct cardsim_card *c, uint8_t cap1, uint8_t cap3)
{
	uint8_t atr[40], x = 0;
	size_t n = cardsim_atr(c, atr, sizeof(atr));

	assert_int_equal(n, 19);
	assert_memory_equal(atr, "\x3B\xDA\x13\xFF\x81\x31\xFB\x46\x80\x12\x39\x2F\x31\xC1\x73",
			    15);
	assert_int_equal(atr[15], cap1);
	assert_int_equal(atr[16], 0x01);
	assert_int_equal(atr[17], cap3);
	for (size_t i = 1; i < n; i++) {
		x ^= atr[i];
	}
	assert_int_equal(x, 0); /* TCK */
	/* T=1: TD1 low nibble. */
	assert_int_equal(atr[4] & 0x0F, 1);
	assert_int_equal(cardsim_atr(c, atr, 18), 0);
}

static void test_atr_bits(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	uint8_t atr[40];

	(void)state;
	check_atr(c, 0xC6, 0xC0);
	assert_int_equal(cardsim_atr(c, atr, sizeof(atr)), 19);
	assert_int_equal(atr[18], 0x3B); /* the real card's TCK */
	assert_int_equal(cardsim_set(c, "no_sfi", "1"), 0);
	check_atr(c, 0xC2, 0xC0);
	assert_int_equal(cardsim_set(c, "no_extended", "1"), 0);
	check_atr(c, 0xC2, 0x80);
	assert_int_equal(cardsim_set(c, "ext_atr_only", "1"), 0);
	check_atr(c, 0xC2, 0xC0); /* claims what it refuses */
	cardsim_card_free(c);

	c = cardsim_fixture_load("no_sfi");
	check_atr(c, 0xC2, 0xC0);
	cardsim_card_free(c);
	c = cardsim_fixture_load("no_ext");
	check_atr(c, 0xC6, 0x80);
	cardsim_card_free(c);
}

static void test_class_and_ins_errors(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	size_t n;

	(void)state;
	assert_int_equal(tx(c, "01A4040C0AD3921000310001010408", NULL), 0x6881);
	assert_int_equal(tx(c, "03B0000000", NULL), 0x6881);
	assert_int_equal(tx(c, "0CA4040C0AD3921000310001010408", NULL), 0x6E00); /* SM */
	assert_int_equal(tx(c, "10A4040C0AD3921000310001010408", NULL), 0x6E00); /* chaining */
	assert_int_equal(tx(c, "A0A4040C0AD3921000310001010408", NULL), 0x6E00);
	assert_int_equal(tx(c, "FFCA000000", NULL), 0x6E00);
	assert_int_equal(tx(c, "0084000008", NULL), 0x6D00);       /* GET CHALLENGE */
	assert_int_equal(tx(c, "00880000", NULL), 0x6D00);
	assert_int_equal(tx(c, "80A4040C0AD3921000310001010408", NULL), 0x6D00);
	assert_int_equal(tx(c, "002A00000100", NULL), 0x6D00);
	assert_int_equal(tx(c, "00A4", &n), 0x6700);               /* malformed */
	assert_int_equal(n, 0);
	assert_int_equal(tx(c, "00A4040C0A", NULL), 0x6700);       /* Lc, no data */
	assert_int_equal(tx(c, "00A4040C05D392", NULL), 0x6700);   /* truncated */
	cardsim_card_free(c);
}

static void test_sign_rules(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	char cmd[256];
	int pos;
	size_t n;

	(void)state;
	pos = snprintf(cmd, sizeof(cmd), "802A000033");
	for (int i = 0; i < 51; i++) {
		pos += snprintf(cmd + pos, sizeof(cmd) - (size_t)pos, "%02X", i);
	}
	snprintf(cmd + pos, sizeof(cmd) - (size_t)pos, "00");
	assert_int_equal(tx(c, cmd, NULL), 0x6985);                /* no AP */
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, cmd, NULL), 0x6982);                /* no PIN */
	verify_pin(c, "31323334");
	assert_int_equal(tx(c, cmd, &n), 0x9000);
	assert_int_equal(n, 256);
	assert_int_equal(tx(c, "802A01000100", NULL), 0x6A86);
	assert_int_equal(tx(c, "802A000001AA", NULL), 0x6700);     /* no Le */
	assert_int_equal(tx(c, "802A000001AA10", NULL), 0x6C00);   /* Le too small */
	cardsim_card_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select_rules),
		cmocka_unit_test(test_not_mynumber),
		cmocka_unit_test(test_read_binary_offsets),
		cmocka_unit_test(test_read_my_number_physical),
		cmocka_unit_test(test_sfi_reads),
		cmocka_unit_test(test_extended_le),
		cmocka_unit_test(test_no_extended),
		cmocka_unit_test(test_atr_bits),
		cmocka_unit_test(test_class_and_ins_errors),
		cmocka_unit_test(test_sign_rules),
	};

	if (getenv("KIOSK_TEST_PKI") == NULL || getenv("KIOSK_PERSONAS") == NULL) {
		fprintf(stderr, "KIOSK_TEST_PKI and KIOSK_PERSONAS must be set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
