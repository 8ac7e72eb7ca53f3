/* SPDX-License-Identifier: MIT */
/*
 * PIN rules of the simulated card: the tries query costs nothing, wrong PINs
 * count down to 63 C0 then 69 84, a right PIN resets the counter and opens the
 * protected EFs until power-off/reset or a new SELECT of the AP, the counter
 * survives power cycles, 0012 is always blocked, and the VERIFY count.
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
#define SELECT_PIN "00A4020C020011"

static uint16_t tx(struct cardsim_card *c, const char *hex, size_t *out_len)
{
	uint8_t cmd[600], resp[1024];
	size_t n = 0, rlen = 0;

	for (const char *p = hex; *p != '\0'; p += 2) {
		unsigned v;

		assert_int_equal(sscanf(p, "%2x", &v), 1);
		cmd[n++] = (uint8_t)v;
	}
	assert_int_equal(cardsim_process(c, cmd, n, resp, sizeof(resp), &rlen), CARDSIM_ANSWER);
	assert_true(rlen >= 2);
	if (out_len != NULL) {
		*out_len = rlen - 2;
	}
	return (uint16_t)((resp[rlen - 2] << 8) | resp[rlen - 1]);
}

static void test_query_costs_nothing(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(tx(c, "00200080", NULL), 0x63C3);
	}
	assert_int_equal(cardsim_tries_left(c), 3);
	assert_int_equal(cardsim_verify_count(c), 0);
	cardsim_card_free(c);
}

static void test_wrong_then_right(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800430303030", NULL), 0x63C2);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C2);
	assert_int_equal(tx(c, "002000800439393939", NULL), 0x63C1);
	assert_false(cardsim_verified(c));
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x9000);
	assert_true(cardsim_verified(c));
	assert_int_equal(cardsim_tries_left(c), 3); /* reset on success */
	assert_int_equal(tx(c, "00200080", NULL), 0x9000); /* already verified */
	assert_int_equal(cardsim_verify_count(c), 3);
	/* A wrong PIN after success drops the security status again. */
	assert_int_equal(tx(c, "002000800431313131", NULL), 0x63C2);
	assert_false(cardsim_verified(c));
	assert_int_equal(tx(c, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(tx(c, "00B0000000", NULL), 0x6982);
	cardsim_card_free(c);
}

static void test_block_sequence(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800430303030", NULL), 0x63C2);
	assert_int_equal(tx(c, "002000800430303030", NULL), 0x63C1);
	assert_int_equal(tx(c, "002000800430303030", NULL), 0x63C0); /* used the last try */
	assert_int_equal(tx(c, "00200080", NULL), 0x63C0);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x6984); /* right PIN, too late */
	assert_false(cardsim_verified(c));
	assert_int_equal(cardsim_tries_left(c), 0);
	assert_int_equal(cardsim_verify_count(c), 4);
	cardsim_card_free(c);
}

static void test_one_try_and_blocked_personas(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("one_try");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C1);
	assert_int_equal(tx(c, "002000800430303030", NULL), 0x63C0);
	assert_int_equal(tx(c, "002000800439383736", NULL), 0x6984);
	cardsim_card_free(c);

	c = cardsim_fixture_load("blocked");
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C0);
	assert_int_equal(tx(c, "002000800431313131", NULL), 0x6984);
	assert_int_equal(cardsim_tries_left(c), 0);
	cardsim_card_free(c);

	/* one_try with the right PIN: back to 3. */
	c = cardsim_fixture_load("one_try");
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800439383736", NULL), 0x9000);
	assert_int_equal(cardsim_tries_left(c), 3);
	cardsim_card_free(c);
}

static void test_protected_files(void **state)
{
	static const char *const protected_efs[] = { "0001", "0002", "0003", "0006", "0007" };
	static const char *const free_efs[] = { "0004", "0005", "0008" };
	struct cardsim_card *c = cardsim_fixture_load("standard");
	char sel[32];
	size_t n;

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	for (size_t i = 0; i < 5; i++) {
		snprintf(sel, sizeof(sel), "00A4020C02%s", protected_efs[i]);
		assert_int_equal(tx(c, sel, NULL), 0x9000);
		assert_int_equal(tx(c, "00B0000000", &n), 0x6982);
		assert_int_equal(n, 0);
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(sel, sizeof(sel), "00A4020C02%s", free_efs[i]);
		assert_int_equal(tx(c, sel, NULL), 0x9000);
		assert_int_equal(tx(c, "00B0000000", &n), 0x9000);
		assert_true(n > 0);
	}
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x9000);
	for (size_t i = 0; i < 5; i++) {
		snprintf(sel, sizeof(sel), "00A4020C02%s", protected_efs[i]);
		assert_int_equal(tx(c, sel, NULL), 0x9000);
		assert_int_equal(tx(c, "00B0000000", &n), 0x9000);
		assert_true(n > 0);
	}
	cardsim_card_free(c);
}

static void test_power_cycle_rules(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800430303030", NULL), 0x63C2);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x9000);
	assert_int_equal(tx(c, "002000800430303030", NULL), 0x63C2);

	/* Reset: security status and selection gone, counter kept. */
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x9000);
	cardsim_power(c, CARDSIM_RESET);
	assert_false(cardsim_verified(c));
	assert_int_equal(tx(c, "00B0000000", NULL), 0x6986);        /* no current EF */
	assert_int_equal(tx(c, "00A4020C020001", NULL), 0x6A82);    /* no AP selected */
	assert_int_equal(tx(c, "00200080", NULL), 0x6A88);          /* no key EF selected */
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(tx(c, "00B0000000", NULL), 0x6982);

	/* The counter persists across power-off/on. */
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800430303030", NULL), 0x63C2);
	cardsim_power(c, CARDSIM_POWER_OFF);
	cardsim_power(c, CARDSIM_POWER_ON);
	assert_true(cardsim_powered(c));
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C2);
	assert_int_equal(cardsim_tries_left(c), 2);
	/* ... and across removal and re-insertion. */
	cardsim_remove(c);
	assert_false(cardsim_present(c));
	cardsim_insert(c);
	cardsim_power(c, CARDSIM_POWER_ON);
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C2);
	cardsim_card_free(c);
}

static void test_reselect_ap_clears_status(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_false(cardsim_verified(c));
	/* "Select MF" changes nothing. */
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x9000);
	assert_int_equal(tx(c, "00A40000", NULL), 0x9000);
	assert_true(cardsim_verified(c));
	cardsim_card_free(c);
}

static void test_verify_needs_key_ef(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x6A88); /* nothing selected */
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x6A88);
	assert_int_equal(tx(c, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x6A88); /* an EF, not a key */
	assert_int_equal(cardsim_tries_left(c), 3);
	assert_int_equal(tx(c, "002001800431323334", NULL), 0x6A86); /* P1 != 00 */
	assert_int_equal(tx(c, "002000000431323334", NULL), 0x6A86); /* P2 00 */
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "0020008003313233", NULL), 0x6700);   /* 3 digits: no try used */
	assert_int_equal(cardsim_tries_left(c), 3);
	assert_int_equal(tx(c, "00B0000000", NULL), 0x6981);         /* READ on a key EF */
	cardsim_card_free(c);
}

static void test_verify_sfi_form(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00200091", NULL), 0x63C3);
	assert_int_equal(tx(c, "002000910431323334", NULL), 0x9000);
	assert_true(cardsim_verified(c));
	assert_int_equal(tx(c, "00200094", NULL), 0x6A88); /* 照合番号A not modelled */
	assert_int_equal(tx(c, "00200083", NULL), 0x6A88); /* SFI 03 is not a key */
	cardsim_card_free(c);

	c = cardsim_fixture_load("no_sfi");
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00200091", NULL), 0x6A86);
	assert_int_equal(tx(c, "002000910431333537", NULL), 0x6A86);
	assert_int_equal(cardsim_tries_left(c), 3);
	cardsim_card_free(c);
}

static void test_key_0012_blocked(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, "00A4020C020012", NULL), 0x9000);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C0);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x6984);
	assert_int_equal(tx(c, "00200092", NULL), 0x63C0);
	/* The real PIN counter is untouched. */
	assert_int_equal(cardsim_tries_left(c), 3);
	assert_false(cardsim_verified(c));
	cardsim_card_free(c);
}

static void test_tries_and_blocked_faults(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(cardsim_set(c, "tries", "1"), 0);
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C1);
	assert_int_equal(cardsim_set(c, "blocked", "1"), 0);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C0);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x6984);
	assert_int_equal(cardsim_set(c, "blocked", "0"), 0);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C3);
	assert_int_equal(cardsim_set(c, "tries", "4"), -1);
	assert_int_equal(cardsim_set(c, "tries", "x"), -1);
	assert_int_equal(cardsim_tries_left(c), 3);
	cardsim_card_free(c);
}

static void test_verify_count_clear(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(tx(c, SELECT_AP, NULL), 0x9000);
	assert_int_equal(tx(c, SELECT_PIN, NULL), 0x9000);
	assert_int_equal(tx(c, "00200080", NULL), 0x63C3);
	assert_int_equal(tx(c, "002000800431323334", NULL), 0x9000);
	assert_int_equal(cardsim_verify_count(c), 1);
	assert_int_equal(cardsim_apdu_count(c), 4);
	cardsim_log_clear(c);
	assert_int_equal(cardsim_verify_count(c), 0);
	assert_int_equal(cardsim_apdu_count(c), 0);
	assert_int_equal(cardsim_log_count(c), 0);
	assert_true(cardsim_verified(c)); /* clearing the log is not a card event */
	cardsim_card_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_costs_nothing),
		cmocka_unit_test(test_wrong_then_right),
		cmocka_unit_test(test_block_sequence),
		cmocka_unit_test(test_one_try_and_blocked_personas),
		cmocka_unit_test(test_protected_files),
		cmocka_unit_test(test_power_cycle_rules),
		cmocka_unit_test(test_reselect_ap_clears_status),
		cmocka_unit_test(test_verify_needs_key_ef),
		cmocka_unit_test(test_verify_sfi_form),
		cmocka_unit_test(test_key_0012_blocked),
		cmocka_unit_test(test_tries_and_blocked_faults),
		cmocka_unit_test(test_verify_count_clear),
	};

	if (getenv("KIOSK_TEST_PKI") == NULL || getenv("KIOSK_PERSONAS") == NULL) {
		fprintf(stderr, "KIOSK_TEST_PKI and KIOSK_PERSONAS must be set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
