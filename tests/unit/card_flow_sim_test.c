/* SPDX-License-Identifier: MIT */
/*
 * The whole card phase in-process: firmware -> reader HAL 'sim' backend ->
 * the same card model the vpcd simulator runs. Fast, so every persona and
 * every fault runs here too; the integration suite repeats the important
 * ones through the real pcscd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "card_flow.h"
#include "cardsim/cardsim.h"
#include "cardsim_fixture.h"
#include "kiosk/err.h"

static struct mnc_anchors *anchors;
static struct kiosk_vault vault;

static void read_sim(struct cardsim_card *c, const char *pin, bool presence,
		     const struct persona *expect, struct outcome *o)
{
	struct read_opts ro = { .backend = "sim", .sim_card = c, .pin = pin,
				.presence = presence, .expect = expect, .apdu_timeout_ms = 300 };

	card_flow_read(&ro, &vault, anchors, o);
}

static void every_persona_reads_and_verifies(void **state)
{
	static const char *names[] = { "standard", "long", "rare_kanji", "foreign", "no_ext",
				       "no_sfi", "one_try" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cardsim_card *c = cardsim_fixture_load(names[i]);
		struct persona p;
		struct outcome o;

		assert_int_equal(persona_load(names[i], &p), 0);
		read_sim(c, p.pin, true, &p, &o);
		if (o.rc != 0) {
			fail_msg("%s: %s", names[i], kiosk_err_name(o.rc));
		}
		assert_int_equal(o.chain, MNC_CHAIN_OK);
		assert_int_equal(o.presence, MNC_PRESENCE_OK);
		assert_true(o.data_matches);
		assert_true(o.vault_wiped);
		assert_int_equal(cardsim_verify_count(c), 1);
		cardsim_card_free(c);
	}
}

static void apdu_budgets(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct mnc_cert_cache *cache = mnc_cert_cache_new(8);
	struct read_opts ro = { .backend = "sim", .sim_card = c, .cache = cache };
	struct persona p;
	struct outcome o;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	ro.pin = p.pin;
	ro.expect = &p;
	card_flow_read(&ro, &vault, anchors, &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.extended);
	assert_true(o.apdus <= 7);
	assert_int_equal(cardsim_set(c, "no_extended", "1"), 0);
	ro.cache = NULL;
	card_flow_read(&ro, &vault, anchors, &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.apdus <= 10);
	ro.cache = cache;
	card_flow_read(&ro, &vault, anchors, &o); /* fills the cache */
	card_flow_read(&ro, &vault, anchors, &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.cert_cached);
	assert_true(o.apdus <= 8);
	/* Only the head was read, but the session holds the whole file (for the center). */
	assert_int_equal(o.ef0004_len, 568);
	ro.presence = true;
	ro.cache = NULL;
	card_flow_read(&ro, &vault, anchors, &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.apdus <= 14);
	mnc_cert_cache_free(cache);
	cardsim_card_free(c);
}

static void wrong_pin_then_right_pin(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct persona p;
	struct outcome o;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	read_sim(c, strcmp(p.pin, "0000") ? "0000" : "1111", false, &p, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_INCORRECT);
	assert_int_equal(o.tries_after, 2);
	assert_int_equal(cardsim_verify_count(c), 1);
	assert_int_equal(cardsim_tries_left(c), 2);
	assert_true(o.vault_wiped);
	read_sim(c, p.pin, false, &p, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(cardsim_verify_count(c), 2);
	assert_int_equal(cardsim_tries_left(c), 3);
	cardsim_card_free(c);
}

static void blocked_and_malformed_send_no_verify(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("blocked");
	struct persona p;
	struct outcome o;

	(void)state;
	assert_int_equal(persona_load("blocked", &p), 0);
	read_sim(c, p.pin, false, &p, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(cardsim_verify_count(c), 0);
	cardsim_card_free(c);
	c = cardsim_fixture_load("standard");
	read_sim(c, "12345", false, NULL, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_FORMAT);
	read_sim(c, "", false, NULL, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_FORMAT);
	assert_int_equal(cardsim_verify_count(c), 0);
	assert_int_equal(cardsim_tries_left(c), 3);
	cardsim_card_free(c);
}

static void each_tampering_fails_at_its_step(void **state)
{
	static const struct {
		const char *fault;
		const char *value;
		int rc;
		enum mnc_chain_result step;
	} cases[] = {
		{ "tamper", "my_number", KIOSK_ERR_CHAIN_MYNUMBER_HASH, MNC_CHAIN_MY_NUMBER_HASH },
		{ "tamper", "basic4", KIOSK_ERR_CHAIN_BASIC4_HASH, MNC_CHAIN_BASIC4_HASH },
		{ "tamper", "record", KIOSK_ERR_CHAIN_RECORD, MNC_CHAIN_RECORD },
		{ "tamper", "cert", KIOSK_ERR_CHAIN_CERT, MNC_CHAIN_CERT },
		{ "unknown_ca", "1", KIOSK_ERR_CHAIN_UNKNOWN_CA, MNC_CHAIN_UNKNOWN_CA },
	};
	struct persona p;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cardsim_card *c = cardsim_fixture_load("standard");
		struct outcome o;

		assert_int_equal(cardsim_set(c, cases[i].fault, cases[i].value), 0);
		read_sim(c, p.pin, false, &p, &o);
		if (o.rc != cases[i].rc) {
			fail_msg("%s=%s: %s", cases[i].fault, cases[i].value, kiosk_err_name(o.rc));
		}
		assert_int_equal(o.chain, cases[i].step);
		assert_false(o.data_matches);
		assert_true(o.vault_wiped);
		cardsim_card_free(c);
	}
}

static void replay_fails_presence(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct persona p;
	struct outcome o;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	assert_int_equal(cardsim_set(c, "replay", "1"), 0);
	read_sim(c, p.pin, true, &p, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PRESENCE);
	assert_int_equal(o.presence, MNC_PRESENCE_FAIL);
	assert_true(o.vault_wiped);
	cardsim_card_free(c);
}

static void transport_faults(void **state)
{
	static const char *faults[] = { "first_6f00", "chain_61xx", "wrong_le_6c", "no_sfi",
					"no_extended", "ext_atr_only" };
	struct persona p;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		struct cardsim_card *c = cardsim_fixture_load("standard");
		struct outcome o;

		assert_int_equal(cardsim_set(c, faults[i], "1"), 0);
		read_sim(c, p.pin, true, &p, &o);
		if (o.rc != 0) {
			fail_msg("%s: %s", faults[i], kiosk_err_name(o.rc));
		}
		assert_true(o.data_matches);
		assert_int_equal(cardsim_verify_count(c), 1);
		cardsim_card_free(c);
	}
}

static void removal_and_mute(void **state)
{
	struct persona p;
	struct outcome o;
	unsigned total;
	struct cardsim_card *c = cardsim_fixture_load("standard");

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	assert_int_equal(cardsim_set(c, "no_extended", "1"), 0);
	read_sim(c, p.pin, true, &p, &o);
	assert_int_equal(o.rc, 0);
	total = o.apdus;
	cardsim_card_free(c);
	for (unsigned k = 1; k < total; k++) {
		char n[16];

		c = cardsim_fixture_load("standard");
		snprintf(n, sizeof(n), "%u", k);
		assert_int_equal(cardsim_set(c, "no_extended", "1"), 0);
		assert_int_equal(cardsim_set(c, "remove_after", n), 0);
		read_sim(c, p.pin, true, &p, &o);
		if (o.rc != KIOSK_ERR_CARD_REMOVED) {
			fail_msg("removed after APDU %u: %s", k, kiosk_err_name(o.rc));
		}
		assert_true(o.vault_wiped);
		cardsim_card_free(c);
	}
	c = cardsim_fixture_load("standard");
	assert_int_equal(cardsim_set(c, "mute_after", "2"), 0);
	read_sim(c, p.pin, false, &p, &o);
	assert_int_equal(o.rc, KIOSK_ERR_CARD_TIMEOUT);
	assert_true(o.vault_wiped);
	cardsim_card_free(c);
}

static void not_mynumber(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct outcome o;

	(void)state;
	assert_int_equal(cardsim_set(c, "not_mynumber", "1"), 0);
	read_sim(c, "1234", false, NULL, &o);
	assert_int_equal(o.rc, KIOSK_ERR_NOT_MYNUMBER_CARD);
	assert_int_equal(cardsim_verify_count(c), 0);
	cardsim_card_free(c);
}

static int setup(void **state)
{
	char dir[1024];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	kiosk_vault_init(&vault);
	if (kiosk_vault_setup(&vault, KIOSK_VAULT_DEFAULT_SIZE) != 0) {
		return -1;
	}
	return mnc_anchors_load_dir(&anchors, dir, false);
}

static int teardown(void **state)
{
	(void)state;
	mnc_anchors_free(anchors);
	kiosk_vault_free(&vault);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_persona_reads_and_verifies),
		cmocka_unit_test(apdu_budgets),
		cmocka_unit_test(wrong_pin_then_right_pin),
		cmocka_unit_test(blocked_and_malformed_send_no_verify),
		cmocka_unit_test(each_tampering_fails_at_its_step),
		cmocka_unit_test(replay_fails_presence),
		cmocka_unit_test(transport_faults),
		cmocka_unit_test(removal_and_mute),
		cmocka_unit_test(not_mynumber),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
