/* SPDX-License-Identifier: MIT */
/*
 * Card-phase scenarios through the real stack: firmware -> reader HAL (pcsc
 * backend) -> libpcsclite -> pcscd -> vpcd -> tools/cardsim. Run under
 * tools/rig, one scenario per ctest entry: card_scenarios <scenario>.
 * The simulator is steered over its control socket ($KIOSK_CARDSIM_CTL) and
 * its APDU log is the witness for "exactly one VERIFY" and APDU counts.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "hal/reader.h"
#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "kiosk/vault.h"
#include "card_flow.h"
#include "simctl.h"

#define WAIT_MS 5000u

static struct mnc_anchors *anchors;
static struct kiosk_vault vault;

/* --- the simulator --- */

static void sim(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sim(const char *fmt, ...)
{
	char cmd[512];
	char reply[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (simctl_cmd(NULL, cmd, reply, sizeof(reply)) != 0) {
		fail_msg("simulator refused '%s': %s", cmd, reply);
	}
}

static long sim_stat(const char *key)
{
	char reply[256];

	assert_int_equal(simctl_cmd(NULL, "stats", reply, sizeof(reply)), 0);
	return simctl_stat(reply, key);
}

/* Count logged commands with this INS that carried data (lc > 0). */
static int sim_count_ins(unsigned ins, bool with_data)
{
	static char reply[1 << 20];
	char want[8];
	int n = 0;
	char *line;

	assert_int_equal(simctl_cmd(NULL, "log", reply, sizeof(reply)), 0);
	snprintf(want, sizeof(want), " %02X ", ins);
	line = strchr(reply, '\n');
	while (line != NULL && line[1] != '\0') {
		char *next = strchr(line + 1, '\n');
		char *ins_at = line + 1;

		/* "<idx> <CLA> <INS> ..." */
		ins_at = strchr(ins_at, ' ');
		if (ins_at != NULL) {
			ins_at = strchr(ins_at + 1, ' ');
		}
		if (ins_at != NULL && strncmp(ins_at, want, 4) == 0) {
			char *lc = strstr(ins_at, "lc=");

			if (!with_data || (lc != NULL && strtol(lc + 3, NULL, 10) > 0)) {
				n++;
			}
		}
		line = next;
	}
	return n;
}

static void read_card(const struct read_opts *ro, struct outcome *o)
{
	card_flow_read(ro, &vault, anchors, o);
}

static void read_ok(const struct persona *p, bool presence, struct mnc_cert_cache *cache,
		    struct outcome *o)
{
	struct read_opts ro = { .pin = p->pin, .presence = presence, .cache = cache, .expect = p };

	read_card(&ro, o);
	if (o->rc != 0) {
		fail_msg("read failed: %s", kiosk_err_name(o->rc));
	}
	assert_int_equal(o->chain, MNC_CHAIN_OK);
	assert_true(o->data_matches);
	assert_true(o->vault_wiped);
	if (presence) {
		assert_int_equal(o->presence, MNC_PRESENCE_OK);
	}
}

static void swap_card(const char *insert_cmd)
{
	int rc = card_swap(insert_cmd, WAIT_MS);

	if (rc != 0) {
		fail_msg("card swap with '%s' failed: %d", insert_cmd, rc);
	}
}

static void reinsert(void)
{
	swap_card("insert");
}

/* A fresh card for @persona (faults off, counters as in the persona); log cleared. */
static void use_persona(const char *persona, struct persona *p)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "load %s/%s.json", getenv("KIOSK_PERSONAS"), persona);
	swap_card(cmd);
	sim("clear");
	if (p != NULL) {
		assert_int_equal(persona_load(persona, p), 0);
	}
}

/* --- scenarios --- */

static void happy_path(void **state)
{
	struct persona p;
	struct outcome o;

	(void)state;
	use_persona("standard", &p);
	read_ok(&p, true, NULL, &o);
	assert_int_equal(o.tries_before, p.tries);
	assert_int_equal(sim_count_ins(0x20, true), 1);
	assert_int_equal(sim_stat("verify"), 1);
	assert_int_equal(sim_stat("powered"), 0); /* unpowered at the end */
	assert_int_equal(sim_stat("verified"), 0);
	print_message("happy path: %u APDUs, %ld us\n", o.apdus, o.us);
}

static void apdu_budget_extended(void **state)
{
	struct persona p;
	struct outcome o;

	(void)state;
	use_persona("standard", &p);
	read_ok(&p, false, NULL, &o);
	assert_true(o.extended);
	assert_true(o.apdus <= 7);
	assert_int_equal((long)o.apdus, sim_stat("apdus"));
	sim("clear");
	read_ok(&p, true, NULL, &o);
	assert_true(o.apdus <= 7 + 2);
	print_message("extended: %u APDUs with the presence proof\n", o.apdus);
}

static void apdu_budget_short(void **state)
{
	struct mnc_cert_cache *cache = mnc_cert_cache_new(16);
	struct persona p;
	struct outcome o;

	(void)state;
	/* A card whose ATR does not offer extended length. */
	use_persona("no_ext", &p);
	read_ok(&p, false, cache, &o);
	assert_false(o.extended);
	assert_true(o.sfi);
	assert_true(o.apdus <= 10);
	assert_int_equal((long)o.apdus, sim_stat("apdus"));
	print_message("short: %u APDUs (certificate read in full)\n", o.apdus);
	sim("clear");
	read_ok(&p, false, cache, &o);
	assert_true(o.cert_cached);
	assert_true(o.apdus <= 8);
	print_message("short: %u APDUs (certificate from the cache)\n", o.apdus);
	sim("clear");
	read_ok(&p, true, NULL, &o);
	assert_true(o.apdus <= 10 + 4);
	mnc_cert_cache_free(cache);
}

static void wrong_pin_costs_one_try(void **state)
{
	struct persona p;
	struct outcome o;
	struct read_opts ro = { .pin = NULL };
	char wrong[12];

	(void)state;
	use_persona("standard", &p);
	snprintf(wrong, sizeof(wrong), "%04u", (unsigned)(atoi(p.pin) + 1) % 10000u);
	ro.pin = wrong;
	read_card(&ro, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_INCORRECT);
	assert_int_equal(o.tries_before, p.tries);
	assert_int_equal(o.tries_after, p.tries - 1);
	assert_int_equal(sim_stat("tries"), p.tries - 1);
	assert_int_equal(sim_count_ins(0x20, true), 1); /* no second VERIFY */
	assert_int_equal(o.chain, MNC_CHAIN_NOT_RUN);
	assert_true(o.vault_wiped);
	/* The resident types again: the right PIN works and resets the counter. */
	read_ok(&p, false, NULL, &o);
	assert_int_equal(o.tries_before, p.tries - 1);
	assert_int_equal(sim_count_ins(0x20, true), 2);
	assert_int_equal(sim_stat("tries"), 3);
}

static void last_try_blocks(void **state)
{
	struct persona p;
	struct outcome o;
	struct read_opts ro = { .pin = "0000" };

	(void)state;
	use_persona("one_try", &p);
	if (strcmp(p.pin, "0000") == 0) {
		ro.pin = "9999";
	}
	read_card(&ro, &o);
	assert_int_equal(o.tries_before, 1);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(sim_count_ins(0x20, true), 1);
	/* The card is blocked now: the next resident session sends no VERIFY. */
	ro.pin = p.pin;
	read_card(&ro, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(sim_count_ins(0x20, true), 1);
	assert_true(o.vault_wiped);
}

static void blocked_card_gets_no_verify(void **state)
{
	struct persona p;
	struct outcome o;
	struct read_opts ro;

	(void)state;
	use_persona("blocked", &p);
	ro = (struct read_opts){ .pin = p.pin };
	read_card(&ro, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(sim_count_ins(0x20, true), 0);
	assert_int_equal(sim_stat("verify"), 0);
	assert_true(o.vault_wiped);
}

static void malformed_pin_never_sent(void **state)
{
	static const char *bad[] = { "12a4", "123", "12345", "", "１２３４" };
	struct persona p;
	struct outcome o;

	(void)state;
	use_persona("standard", &p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct read_opts ro = { .pin = bad[i] };

		read_card(&ro, &o);
		assert_int_equal(o.rc, KIOSK_ERR_PIN_FORMAT);
	}
	assert_int_equal(sim_count_ins(0x20, true), 0);
	assert_int_equal(sim_stat("tries"), p.tries);
}

static void removed_at_every_step(void **state)
{
	struct persona p;
	struct outcome o;
	unsigned total;

	(void)state;
	/* Short APDUs and the presence proof: the longest sequence there is. */
	use_persona("no_ext", &p);
	read_ok(&p, true, NULL, &o);
	total = o.apdus;
	for (unsigned k = 1; k < total; k++) {
		struct read_opts ro = { .pin = p.pin, .presence = true, .expect = &p };

		sim("fault reinsert_ms 0");
		sim("fault remove_after %u", k);
		read_card(&ro, &o);
		if (o.rc != KIOSK_ERR_CARD_REMOVED) {
			fail_msg("removal after APDU %u of %u gave %s", k, total,
				 kiosk_err_name(o.rc));
		}
		assert_true(o.vault_wiped);
		assert_true(o.us < 3000000); /* no hang */
		/* APDU k was answered; APDU k + 1 met the empty slot. */
		assert_true(o.apdus == k || o.apdus == k + 1);
		reinsert();
	}
	/* No removal cost a PIN try. */
	assert_int_equal(sim_stat("tries"), 3);
	print_message("removed at each of %u steps: CARD_REMOVED, vault wiped\n", total - 1);
}

static void mute_card_watchdog(void **state)
{
	struct persona p;
	struct outcome o;
	struct read_opts ro;

	(void)state;
	use_persona("standard", &p);
	ro = (struct read_opts){ .pin = p.pin, .apdu_timeout_ms = 1000 };
	sim("fault mute_after 3");
	read_card(&ro, &o);
	assert_int_equal(o.rc, KIOSK_ERR_CARD_TIMEOUT);
	assert_true(o.us >= 1000000);
	assert_true(o.us < 2500000);
	assert_true(o.vault_wiped);
	/* The resident pulls the card; the kiosk recovers for the next one. */
	sim("fault mute_after -1");
	sim("remove");
	reinsert();
	sim("clear");
	read_ok(&p, false, NULL, &o);
	print_message("mute card: watchdog fired; next card read fine\n");
}

static void transport_quirks(void **state)
{
	static const char *faults[] = { "first_6f00", "chain_61xx", "wrong_le_6c", "no_sfi",
					"no_extended", "ext_atr_only" };
	struct persona p;
	struct outcome o;

	(void)state;
	use_persona("standard", &p);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		use_persona("standard", NULL);
		sim("fault %s 1", faults[i]);
		read_ok(&p, true, NULL, &o);
		assert_int_equal(sim_count_ins(0x20, true), 1);
		print_message("%s: %u APDUs, sfi=%d extended=%d\n", faults[i], o.apdus, o.sfi,
			      o.extended);
		if (strcmp(faults[i], "no_sfi") == 0) {
			assert_false(o.sfi);
		}
		if (strcmp(faults[i], "no_extended") == 0 || strcmp(faults[i], "ext_atr_only") == 0) {
			assert_false(o.extended);
		}
	}
}

static void not_a_mynumber_card(void **state)
{
	struct outcome o;
	struct read_opts ro = { .pin = "1234" };

	(void)state;
	use_persona("standard", NULL);
	sim("fault not_mynumber 1");
	read_card(&ro, &o);
	assert_int_equal(o.rc, KIOSK_ERR_NOT_MYNUMBER_CARD);
	assert_int_equal(o.apdus, 1);
	assert_int_equal(sim_count_ins(0x20, false), 0);
	assert_true(o.vault_wiped);
}

static void expect_chain_failure(const char *fault, const char *value, int want_rc,
				 enum mnc_chain_result want_step)
{
	struct persona p;
	struct outcome o;
	struct read_opts ro;

	use_persona("standard", &p);
	sim("fault %s %s", fault, value);
	ro = (struct read_opts){ .pin = p.pin, .expect = &p };
	read_card(&ro, &o);
	if (o.rc != want_rc) {
		fail_msg("%s=%s gave %s", fault, value, kiosk_err_name(o.rc));
	}
	assert_int_equal(o.chain, want_step);
	assert_false(o.data_matches); /* never parsed, never used */
	assert_true(o.vault_wiped);
}

static void tampered_data(void **state)
{
	(void)state;
	expect_chain_failure("tamper", "my_number", KIOSK_ERR_CHAIN_MYNUMBER_HASH,
			     MNC_CHAIN_MY_NUMBER_HASH);
	expect_chain_failure("tamper", "basic4", KIOSK_ERR_CHAIN_BASIC4_HASH,
			     MNC_CHAIN_BASIC4_HASH);
	expect_chain_failure("tamper", "record", KIOSK_ERR_CHAIN_RECORD, MNC_CHAIN_RECORD);
	expect_chain_failure("tamper", "cert", KIOSK_ERR_CHAIN_CERT, MNC_CHAIN_CERT);
	expect_chain_failure("unknown_ca", "1", KIOSK_ERR_CHAIN_UNKNOWN_CA, MNC_CHAIN_UNKNOWN_CA);
}

static void replayed_dump_fails_presence(void **state)
{
	struct persona p;
	struct outcome o;
	struct read_opts ro;

	(void)state;
	use_persona("standard", &p);
	sim("fault replay 1");
	ro = (struct read_opts){ .pin = p.pin, .presence = true, .expect = &p };
	read_card(&ro, &o);
	assert_int_equal(o.rc, KIOSK_ERR_PRESENCE);
	assert_int_equal(o.chain, MNC_CHAIN_OK); /* the data itself is genuine */
	assert_int_equal(o.presence, MNC_PRESENCE_FAIL);
	assert_true(o.vault_wiped);
}

static void every_persona(void **state)
{
	static const char *names[] = { "standard", "long", "rare_kanji", "foreign", "no_ext",
				       "no_sfi" };
	struct persona p;
	struct outcome o;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		use_persona(names[i], &p);
		read_ok(&p, true, NULL, &o);
		print_message("persona %s: %u APDUs\n", names[i], o.apdus);
	}
}

static void reader_service_gone(void **state)
{
	char path[1024];
	struct hal_reader r;
	struct hal_reader_config cfg = { .name_pattern = "Virtual PCD" };
	struct mnc_options opt = { .allow_sfi = true, .allow_extended = true };
	struct mnc_session s;
	FILE *f;
	int pid = 0;
	int rc;

	(void)state;
	use_persona("standard", NULL);
	hal_reader_init(&r);
	assert_int_equal(hal_reader_open(&r, hal_reader_backend("pcsc"), &cfg), 0);
	assert_int_equal(hal_reader_wait_card(&r, true, WAIT_MS), 0);
	assert_int_equal(hal_reader_connect(&r), 0);
	assert_int_equal(mnc_session_init(&s, &r, &vault, anchors, NULL, &opt), 0);
	assert_int_equal(mnc_select_ap(&s), 0);
	/* pcscd dies under the kiosk (the rig owns it; it is ours to kill). */
	snprintf(path, sizeof(path), "%s/run/pcscd/pcscd.pid", getenv("KIOSK_RIG_DIR"));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &pid), 1);
	fclose(f);
	assert_int_equal(kill(pid, SIGKILL), 0);
	for (int i = 0; i < 500 && kill(pid, 0) == 0; i++) {
		usleep(10000);
	}
	rc = mnc_read_certificate(&s);
	assert_true(rc == KIOSK_ERR_READER_GONE || rc == KIOSK_ERR_CARD_REMOVED);
	mnc_session_end(&s);
	hal_reader_close(&r);
	kiosk_vault_wipe(&vault);
	assert_true(kiosk_vault_is_wiped(&vault));
}

static int group_setup(void **state)
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

static int group_teardown(void **state)
{
	(void)state;
	mnc_anchors_free(anchors);
	kiosk_vault_free(&vault);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(happy_path),
		cmocka_unit_test(apdu_budget_extended),
		cmocka_unit_test(apdu_budget_short),
		cmocka_unit_test(wrong_pin_costs_one_try),
		cmocka_unit_test(last_try_blocks),
		cmocka_unit_test(blocked_card_gets_no_verify),
		cmocka_unit_test(malformed_pin_never_sent),
		cmocka_unit_test(removed_at_every_step),
		cmocka_unit_test(mute_card_watchdog),
		cmocka_unit_test(transport_quirks),
		cmocka_unit_test(not_a_mynumber_card),
		cmocka_unit_test(tampered_data),
		cmocka_unit_test(replayed_dump_fails_presence),
		cmocka_unit_test(every_persona),
		cmocka_unit_test(reader_service_gone),
	};

	bool known = false;

	for (size_t i = 0; argc == 2 && i < sizeof(tests) / sizeof(tests[0]); i++) {
		known = known || strcmp(tests[i].name, argv[1]) == 0;
	}
	/* An unknown name would run nothing and pass: refuse it instead. */
	if (!known) {
		fprintf(stderr, "usage: card_scenarios SCENARIO (run under tools/rig)\n");
		return 2;
	}
	cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
