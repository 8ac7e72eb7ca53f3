/* SPDX-License-Identifier: MIT */
/*
 * Faults that act per APDU (remove_after, mute_after, delay_ms, first_6f00,
 * chain_61xx with GET RESPONSE, wrong_le_6c), fault name/value checking, and
 * the APDU log (one entry per command, never the command data).
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

struct rsp {
	enum cardsim_action act;
	uint16_t sw;
	size_t len;
	uint8_t data[1024];
};

static void txr(struct cardsim_card *c, const char *hex, struct rsp *r)
{
	uint8_t cmd[600], resp[1026];
	size_t n = 0, rlen = 99;

	for (const char *p = hex; *p != '\0'; p += 2) {
		unsigned v;

		assert_int_equal(sscanf(p, "%2x", &v), 1);
		cmd[n++] = (uint8_t)v;
	}
	memset(r, 0, sizeof(*r));
	r->act = cardsim_process(c, cmd, n, resp, sizeof(resp), &rlen);
	if (r->act == CARDSIM_MUTE || r->act == CARDSIM_REMOVE_NOW) {
		assert_int_equal(rlen, 0);
		return;
	}
	assert_true(rlen >= 2);
	r->len = rlen - 2;
	memcpy(r->data, resp, r->len);
	r->sw = (uint16_t)((resp[rlen - 2] << 8) | resp[rlen - 1]);
}

/* The plain case: must be answered. */
static uint16_t tx(struct cardsim_card *c, const char *hex)
{
	struct rsp r;

	txr(c, hex, &r);
	assert_int_equal(r.act, CARDSIM_ANSWER);
	return r.sw;
}

static void test_remove_after(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct rsp r;

	(void)state;
	cardsim_power(c, CARDSIM_POWER_ON);
	assert_int_equal(cardsim_set(c, "remove_after", "3"), 0);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, "00A4020C020011"), 0x9000);
	txr(c, "00200080", &r);
	assert_int_equal(r.act, CARDSIM_ANSWER_THEN_REMOVE);
	assert_int_equal(r.sw, 0x63C3); /* the third APDU is still answered */
	assert_false(cardsim_present(c));
	txr(c, SELECT_AP, &r); /* no card in the reader */
	assert_int_equal(r.act, CARDSIM_REMOVE_NOW);
	/* One-shot: after re-insertion the card stays. */
	cardsim_insert(c);
	cardsim_power(c, CARDSIM_POWER_ON);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(tx(c, SELECT_AP), 0x9000);
	}
	cardsim_card_free(c);
}

static void test_remove_after_counts_from_power_on(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct rsp r;

	(void)state;
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(cardsim_set(c, "remove_after", "2"), 0);
	cardsim_power(c, CARDSIM_RESET);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	txr(c, SELECT_AP, &r);
	assert_int_equal(r.act, CARDSIM_ANSWER_THEN_REMOVE);
	cardsim_card_free(c);
}

static void test_remove_now(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct rsp r;

	(void)state;
	assert_int_equal(cardsim_set(c, "remove_after", "0"), 0);
	txr(c, SELECT_AP, &r);
	assert_int_equal(r.act, CARDSIM_REMOVE_NOW);
	assert_false(cardsim_present(c));
	cardsim_insert(c);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	cardsim_card_free(c);
}

static void test_mute_after(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct rsp r;

	(void)state;
	assert_int_equal(cardsim_set(c, "mute_after", "2"), 0);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, "00A4020C020004"), 0x9000);
	for (int i = 0; i < 3; i++) {
		txr(c, "00B0000000", &r);
		assert_int_equal(r.act, CARDSIM_MUTE);
	}
	/* A power cycle does not wake it; the ATR is still there for the front end. */
	cardsim_power(c, CARDSIM_RESET);
	txr(c, SELECT_AP, &r);
	assert_int_equal(r.act, CARDSIM_MUTE);
	/* Muted commands are logged with SW 0. */
	assert_int_equal(cardsim_log_get(c, cardsim_log_count(c) - 1)->sw, 0);
	assert_int_equal(cardsim_set(c, "mute_after", "-1"), 0);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	cardsim_card_free(c);
}

static void test_mute_now_and_unmute(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct rsp r;

	(void)state;
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(cardsim_set(c, "mute_after", "0"), 0);
	txr(c, SELECT_AP, &r);
	assert_int_equal(r.act, CARDSIM_MUTE);
	cardsim_unmute(c);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);

	/* Removal clears the latch; the fault re-arms per insertion. */
	assert_int_equal(cardsim_set(c, "mute_after", "1"), 0);
	txr(c, SELECT_AP, &r);
	assert_int_equal(r.act, CARDSIM_MUTE);
	cardsim_remove(c);
	cardsim_insert(c);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	txr(c, SELECT_AP, &r);
	assert_int_equal(r.act, CARDSIM_MUTE);
	cardsim_card_free(c);
}

static void test_first_6f00(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(cardsim_set(c, "first_6f00", "1"), 0);
	cardsim_power(c, CARDSIM_POWER_ON);
	assert_int_equal(tx(c, SELECT_AP), 0x6F00);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	cardsim_power(c, CARDSIM_RESET);
	assert_int_equal(tx(c, SELECT_AP), 0x6F00);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	/* The 6F00 command was not executed. */
	cardsim_power(c, CARDSIM_POWER_ON);
	assert_int_equal(tx(c, SELECT_AP), 0x6F00);
	assert_int_equal(tx(c, "00A4020C020004"), 0x6A82);
	cardsim_card_free(c);
}

static void test_delay_and_reinsert_values(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(cardsim_delay_ms(c), 0);
	assert_int_equal(cardsim_set(c, "delay_ms", "250"), 0);
	assert_int_equal(cardsim_delay_ms(c), 250);
	assert_int_equal(cardsim_set(c, "delay_ms", "-1"), -1);
	assert_int_equal(cardsim_delay_ms(c), 250);
	assert_int_equal(cardsim_reinsert_ms(c), 0);
	assert_int_equal(cardsim_set(c, "reinsert_ms", "1500"), 0);
	assert_int_equal(cardsim_reinsert_ms(c), 1500);
	assert_int_equal(cardsim_delay_ms(NULL), 0);
	cardsim_card_free(c);
}

static void test_bad_names_and_values(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(cardsim_set(c, "no_such_fault", "1"), -1);
	assert_int_equal(cardsim_set(c, "chain_61xx", "2"), -1);
	assert_int_equal(cardsim_set(c, "chain_61xx", ""), -1);
	assert_int_equal(cardsim_set(c, "remove_after", "3x"), -1);
	assert_int_equal(cardsim_set(c, "remove_after", "-2"), -1);
	assert_int_equal(cardsim_set(c, "mute_after", ""), -1);
	assert_int_equal(cardsim_set(c, "tamper", "all"), -1);
	assert_int_equal(cardsim_set(c, NULL, "1"), -1);
	assert_int_equal(cardsim_set(c, "replay", NULL), -1);
	assert_int_equal(cardsim_set(NULL, "replay", "1"), -1);
	assert_int_equal(cardsim_set(c, "chain_61xx", "true"), 0);
	assert_int_equal(cardsim_set(c, "chain_61xx", "off"), 0);
	/* Nothing changed behaviour. */
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, "00A4020C020004"), 0x9000);
	assert_int_equal(tx(c, "00B0000000"), 0x9000);
	cardsim_card_free(c);
}

static void test_chain_61xx(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	size_t len;
	const uint8_t *f4 = cardsim_ef(c, 0x0004, &len);
	uint8_t got[600];
	size_t n = 0;
	struct rsp r;

	(void)state;
	assert_int_equal(cardsim_set(c, "chain_61xx", "1"), 0);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);       /* no data: no 61 */
	assert_int_equal(tx(c, "00A4020C020004"), 0x9000);
	assert_int_equal(tx(c, "00C0000010"), 0x6985);    /* nothing pending */
	txr(c, "00B0000000", &r);
	assert_int_equal(r.sw, 0x6100);                   /* 256 bytes waiting */
	assert_int_equal(r.len, 0);
	txr(c, "00C0000064", &r);                         /* 100 of them */
	assert_int_equal(r.len, 100);
	assert_int_equal(r.sw, 0x619C);                   /* 156 left */
	memcpy(got, r.data, r.len);
	n = r.len;
	txr(c, "00C0000000", &r);                         /* Le 256 > 156 left */
	assert_int_equal(r.len, 156);
	assert_int_equal(r.sw, 0x9000);
	memcpy(got + n, r.data, r.len);
	n += r.len;
	assert_int_equal(n, 256);
	assert_memory_equal(got, f4, 256);
	assert_int_equal(tx(c, "00C0000010"), 0x6985);    /* all served */

	/* The tail: 56 bytes. */
	txr(c, "00B0020000", &r);
	assert_int_equal(r.sw, 0x6138);
	txr(c, "00C0000038", &r);
	assert_int_equal(r.sw, 0x9000);
	assert_memory_equal(r.data, f4 + 512, 56);

	/* Any other command drops what was pending. */
	txr(c, "00B0000010", &r);
	assert_int_equal(r.sw, 0x6110);
	assert_int_equal(tx(c, "00A4020C020004"), 0x9000);
	assert_int_equal(tx(c, "00C0000010"), 0x6985);
	assert_int_equal(tx(c, "00C0010010"), 0x6A86);
	assert_int_equal(tx(c, "00C00000"), 0x6700);

	/* Errors pass through unchained; 80 2A chains its signature. */
	assert_int_equal(tx(c, "00B0030000"), 0x6B00);
	cardsim_card_free(c);
}

static void test_chain_61xx_signature(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	char cmd[256];
	int pos;
	struct rsp r;

	(void)state;
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, "00A4020C020011"), 0x9000);
	assert_int_equal(tx(c, "002000800431323334"), 0x9000);
	assert_int_equal(cardsim_set(c, "chain_61xx", "1"), 0);
	pos = snprintf(cmd, sizeof(cmd), "802A000033");
	for (int i = 0; i < 51; i++) {
		pos += snprintf(cmd + pos, sizeof(cmd) - (size_t)pos, "%02X", i);
	}
	snprintf(cmd + pos, sizeof(cmd) - (size_t)pos, "00");
	txr(c, cmd, &r);
	assert_int_equal(r.sw, 0x6100);
	assert_int_equal(r.len, 0);
	txr(c, "00C0000000", &r);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.len, 256);
	cardsim_card_free(c);
}

static void test_wrong_le_6c(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct rsp r;

	(void)state;
	assert_int_equal(cardsim_set(c, "wrong_le_6c", "1"), 0);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, "00A4020C020004"), 0x9000);
	txr(c, "00B0000000", &r);                          /* 568 >= 256: plain */
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.len, 256);
	txr(c, "00B0020000", &r);                          /* 56 remain, Le 256 */
	assert_int_equal(r.sw, 0x6C38);
	assert_int_equal(r.len, 0);
	txr(c, "00B0020038", &r);                          /* resent with Le = 56 */
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.len, 56);
	txr(c, "00B0020010", &r);                          /* Le below what remains: fine */
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.len, 16);
	assert_int_equal(tx(c, "00A4020C020008"), 0x9000);
	assert_int_equal(tx(c, "00B0000000"), 0x6C10);     /* 16-byte EF 0008 */
	cardsim_card_free(c);
}

static void test_log_entries(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	const struct cardsim_log_entry *e;
	struct rsp r;

	(void)state;
	assert_int_equal(cardsim_set(c, "chain_61xx", "1"), 0);
	assert_int_equal(tx(c, SELECT_AP), 0x9000);
	assert_int_equal(tx(c, "00A4020C020011"), 0x9000);
	assert_int_equal(tx(c, "002000800431323334"), 0x9000);
	assert_int_equal(tx(c, "00A4020C020001"), 0x9000);
	txr(c, "00B0000000", &r);
	txr(c, "00C0000011", &r);
	assert_int_equal(tx(c, "00B000000000"), 0x6700);   /* ext Le with 1 extra byte */
	assert_int_equal(tx(c, "00A4"), 0x6700);

	assert_int_equal(cardsim_log_count(c), 8);
	e = cardsim_log_get(c, 0);
	assert_int_equal(e->cla, 0x00);
	assert_int_equal(e->ins, 0xA4);
	assert_int_equal(e->p1, 0x04);
	assert_int_equal(e->p2, 0x0C);
	assert_int_equal(e->lc, 10);
	assert_int_equal(e->le, 0);
	assert_false(e->extended);
	assert_int_equal(e->sw, 0x9000);
	e = cardsim_log_get(c, 2);
	assert_int_equal(e->ins, 0x20);
	assert_int_equal(e->lc, 4);
	assert_int_equal(e->sw, 0x9000);
	e = cardsim_log_get(c, 4);
	assert_int_equal(e->ins, 0xB0);
	assert_int_equal(e->le, 256);
	assert_int_equal(e->sw, 0x6111);
	e = cardsim_log_get(c, 5);                         /* GET RESPONSE is logged too */
	assert_int_equal(e->ins, 0xC0);
	assert_int_equal(e->le, 0x11);
	assert_int_equal(e->sw, 0x9000);
	e = cardsim_log_get(c, 7);
	assert_int_equal(e->cla, 0x00);
	assert_int_equal(e->ins, 0xA4);
	assert_int_equal(e->p1, 0x00);
	assert_int_equal(e->sw, 0x6700);
	assert_null(cardsim_log_get(c, 8));
	assert_null(cardsim_log_get(NULL, 0));

	/* No PIN bytes anywhere in the log: scan every entry's memory. */
	for (size_t i = 0; i < cardsim_log_count(c); i++) {
		const uint8_t *b = (const uint8_t *)cardsim_log_get(c, i);

		for (size_t k = 0; k + 4 <= sizeof(*e); k++) {
			assert_false(memcmp(b + k, "1234", 4) == 0);
		}
	}
	cardsim_card_free(c);
}

static void test_log_ring(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	for (int i = 0; i < CARDSIM_LOG_MAX + 10; i++) {
		char cmd[16];

		snprintf(cmd, sizeof(cmd), "00B0%04X01", i & 0x7FFF);
		assert_int_equal(tx(c, cmd), 0x6986);
	}
	assert_int_equal(cardsim_log_count(c), CARDSIM_LOG_MAX);
	assert_int_equal(cardsim_apdu_count(c), CARDSIM_LOG_MAX + 10);
	/* Oldest dropped first: entry 0 is APDU number 10. */
	assert_int_equal(cardsim_log_get(c, 0)->p2, 10);
	assert_int_equal(cardsim_log_get(c, CARDSIM_LOG_MAX - 1)->p2,
			 (CARDSIM_LOG_MAX + 9) & 0xFF);
	cardsim_log_clear(c);
	assert_int_equal(cardsim_log_count(c), 0);
	cardsim_card_free(c);
}

static void test_small_response_buffer(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	uint8_t resp[20];
	size_t rlen = 0;
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00,
				       0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
	static const uint8_t sel4[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x04 };
	static const uint8_t rd[] = { 0x00, 0xB0, 0x00, 0x00, 0x00 };

	(void)state;
	assert_int_equal(cardsim_process(c, sel, sizeof(sel), resp, sizeof(resp), &rlen),
			 CARDSIM_ANSWER);
	assert_int_equal(cardsim_process(c, sel4, sizeof(sel4), resp, sizeof(resp), &rlen),
			 CARDSIM_ANSWER);
	assert_int_equal(cardsim_process(c, rd, sizeof(rd), resp, sizeof(resp), &rlen),
			 CARDSIM_ANSWER);
	assert_int_equal(rlen, sizeof(resp)); /* clamped to the caller's buffer */
	assert_int_equal(resp[rlen - 2], 0x90);
	assert_int_equal(cardsim_process(c, rd, sizeof(rd), resp, 1, &rlen), CARDSIM_MUTE);
	assert_int_equal(rlen, 0);
	cardsim_card_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_after),
		cmocka_unit_test(test_remove_after_counts_from_power_on),
		cmocka_unit_test(test_remove_now),
		cmocka_unit_test(test_mute_after),
		cmocka_unit_test(test_mute_now_and_unmute),
		cmocka_unit_test(test_first_6f00),
		cmocka_unit_test(test_delay_and_reinsert_values),
		cmocka_unit_test(test_bad_names_and_values),
		cmocka_unit_test(test_chain_61xx),
		cmocka_unit_test(test_chain_61xx_signature),
		cmocka_unit_test(test_wrong_le_6c),
		cmocka_unit_test(test_log_entries),
		cmocka_unit_test(test_log_ring),
		cmocka_unit_test(test_small_response_buffer),
	};

	if (getenv("KIOSK_TEST_PKI") == NULL || getenv("KIOSK_PERSONAS") == NULL) {
		fprintf(stderr, "KIOSK_TEST_PKI and KIOSK_PERSONAS must be set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
