/* SPDX-License-Identifier: MIT */
/*
 * The card phase through the STOCK libnfc pn532_uart driver: firmware -> reader
 * HAL 'nfc' backend -> libnfc -> pseudo-terminal -> pn532emu (in a thread of
 * this process) -> the cardsim card model. Prints APDUs and time per read (no
 * card data).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <nfc/nfc.h>

#include "card_flow.h"
#include "cardsim/cardsim.h"
#include "cardsim_fixture.h"
#include "kiosk/board.h"
#include "kiosk/err.h"
#include "hal/reader.h"
#include "pn532emu_server.h"

static struct mnc_anchors *anchors;
static struct kiosk_vault vault;

struct rig {
	char dir[64];
	char link[128];
	char connstring[160];
	struct cardsim_card *card;
	struct pn532emu_server srv;
};

static void rig_up(struct rig *r, const char *persona, const char *fault, const char *value)
{
	snprintf(r->dir, sizeof(r->dir), "/tmp/pn532emu-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->link, sizeof(r->link), "%s/tty", r->dir);
	snprintf(r->connstring, sizeof(r->connstring), "pn532_uart:%s", r->link);
	r->card = cardsim_fixture_load(persona);
	cardsim_insert(r->card);
	if (fault != NULL) {
		assert_int_equal(cardsim_set(r->card, fault, value), 0);
	}
	assert_int_equal(pn532emu_server_open(&r->srv, r->card, r->link), 0);
	assert_int_equal(pn532emu_server_start(&r->srv), 0);
}

static void rig_down(struct rig *r)
{
	pn532emu_server_close(&r->srv);
	cardsim_card_free(r->card);
	(void)rmdir(r->dir);
}

struct card_stats {
	unsigned verify;
	int tries;
	unsigned long card_apdus;
};

static void get_stats(struct pn532emu *e, void *arg)
{
	struct card_stats *st = arg;

	st->verify = cardsim_verify_count(e->card);
	st->tries = cardsim_tries_left(e->card);
	st->card_apdus = e->apdus;
}

static struct card_stats stats(struct rig *r)
{
	struct card_stats st;

	pn532emu_server_locked(&r->srv, get_stats, &st);
	return st;
}

static void read_nfc(struct rig *r, const char *pin, bool presence, const struct persona *expect,
		     const char *label, struct outcome *o)
{
	struct read_opts ro = { .backend = "nfc", .reader_pattern = r->connstring, .pin = pin,
				.presence = presence, .expect = expect,
				.apdu_timeout_ms = 10000, .wait_ms = 3000 };

	card_flow_read(&ro, &vault, anchors, o);
	printf("nfc read [%s]: rc=%s apdus=%u time=%ld us\n", label, kiosk_err_name(o->rc),
	       o->apdus, o->us);
}

static void happy_path(void **state)
{
	struct rig r;
	struct persona p;
	struct outcome o;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	rig_up(&r, "standard", NULL, NULL);
	read_nfc(&r, p.pin, true, &p, "happy, presence", &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.chain, MNC_CHAIN_OK);
	assert_int_equal(o.presence, MNC_PRESENCE_OK);
	assert_true(o.data_matches);
	assert_true(o.vault_wiped);
	assert_false(o.extended); /* the synthesised ATR carries no capability bits */
	assert_int_equal(stats(&r).verify, 1);
	/* A second read on the same reader works after the unpower. */
	read_nfc(&r, p.pin, false, &p, "happy, no presence", &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.data_matches);
	assert_int_equal(stats(&r).verify, 2);
	rig_down(&r);
}

static void wrong_pin_costs_one_try(void **state)
{
	struct rig r;
	struct persona p;
	struct outcome o;
	struct card_stats st;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	rig_up(&r, "standard", NULL, NULL);
	read_nfc(&r, strcmp(p.pin, "0000") != 0 ? "0000" : "1111", false, &p, "wrong pin", &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_INCORRECT);
	st = stats(&r);
	assert_int_equal(st.verify, 1); /* no second VERIFY */
	assert_int_equal(st.tries, p.tries - 1);
	assert_int_equal(o.tries_before, p.tries);
	assert_int_equal(o.tries_after, p.tries - 1);
	assert_int_equal(o.chain, MNC_CHAIN_NOT_RUN);
	assert_false(o.data_matches);
	assert_true(o.vault_wiped);
	/* The resident types again: the right PIN works and resets the counter. */
	read_nfc(&r, p.pin, false, &p, "right pin after a wrong one", &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.tries_before, p.tries - 1);
	assert_true(o.data_matches);
	st = stats(&r);
	assert_int_equal(st.verify, 2);
	assert_int_equal(st.tries, 3);
	rig_down(&r);
}

static void blocked_card_gets_no_verify(void **state)
{
	struct rig r;
	struct persona p;
	struct outcome o;

	(void)state;
	assert_int_equal(persona_load("blocked", &p), 0);
	rig_up(&r, "blocked", NULL, NULL);
	read_nfc(&r, p.pin, false, &p, "blocked", &o);
	assert_int_equal(o.rc, KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(o.tries_before, 0);
	assert_int_equal(stats(&r).verify, 0);
	assert_int_equal(stats(&r).tries, 0);
	assert_false(o.data_matches);
	assert_true(o.vault_wiped);
	rig_down(&r);
}

static void removed_at_every_step(void **state)
{
	struct persona p;
	struct outcome o;
	unsigned total;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	{
		struct rig r;

		/* The presence proof too: the longest sequence there is. */
		rig_up(&r, "standard", NULL, NULL);
		read_nfc(&r, p.pin, true, &p, "reference", &o);
		assert_int_equal(o.rc, 0);
		total = (unsigned)stats(&r).card_apdus;
		assert_int_equal(o.apdus, total); /* every APDU reached the card once */
		rig_down(&r);
	}
	for (unsigned n = 1; n < total; n++) {
		struct rig r;
		struct card_stats st;
		char v[16];
		char label[32];

		snprintf(v, sizeof(v), "%u", n);
		snprintf(label, sizeof(label), "removed after %u", n);
		rig_up(&r, "standard", "remove_after", v);
		read_nfc(&r, p.pin, true, &p, label, &o);
		if (o.rc != KIOSK_ERR_CARD_REMOVED) {
			fail_msg("remove_after=%u: %s", n, kiosk_err_name(o.rc));
		}
		assert_true(o.vault_wiped);
		assert_true(o.us < 3000000); /* no hang */
		/* APDU n was answered; APDU n + 1 met the empty field. */
		assert_true(o.apdus == n || o.apdus == n + 1);
		st = stats(&r);
		assert_int_equal(st.card_apdus, n);
		assert_true(st.verify <= 1); /* never a second VERIFY */
		assert_int_equal(st.tries, p.tries); /* no removal cost a PIN try */
		/* The resident taps again: the same reader reads the card. */
		pn532emu_server_insert(&r.srv);
		read_nfc(&r, p.pin, false, &p, "tapped again", &o);
		assert_int_equal(o.rc, 0);
		assert_true(o.data_matches);
		rig_down(&r);
	}
	printf("nfc: removed at each of %u steps: CARD_REMOVED, vault wiped\n", total - 1);
}

static void tampered_data_fails_at_its_step(void **state)
{
	static const struct {
		const char *value;
		int rc;
		enum mnc_chain_result step;
	} cases[] = {
		{ "my_number", KIOSK_ERR_CHAIN_MYNUMBER_HASH, MNC_CHAIN_MY_NUMBER_HASH },
		{ "basic4", KIOSK_ERR_CHAIN_BASIC4_HASH, MNC_CHAIN_BASIC4_HASH },
		{ "record", KIOSK_ERR_CHAIN_RECORD, MNC_CHAIN_RECORD },
		{ "cert", KIOSK_ERR_CHAIN_CERT, MNC_CHAIN_CERT },
		{ NULL, KIOSK_ERR_CHAIN_UNKNOWN_CA, MNC_CHAIN_UNKNOWN_CA }, /* unknown_ca=1 */
	};
	struct persona p;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rig r;
		struct outcome o;

		const char *fault = cases[i].value ? "tamper" : "unknown_ca";
		const char *value = cases[i].value ? cases[i].value : "1";

		rig_up(&r, "standard", fault, value);
		read_nfc(&r, p.pin, false, &p, value, &o);
		if (o.rc != cases[i].rc) {
			fail_msg("%s=%s: %s", fault, value, kiosk_err_name(o.rc));
		}
		assert_int_equal(o.chain, cases[i].step);
		assert_false(o.data_matches); /* never parsed, never used */
		assert_true(o.vault_wiped);
		assert_int_equal(stats(&r).verify, 1); /* the PIN was right, the data was not */
		rig_down(&r);
	}
}

static void pn532_board_loads(void **state)
{
	struct kiosk_board b;
	char why[256] = "";
	char dir[4096];

	(void)state;
	assert_non_null(getenv("KIOSK_SOURCE_DIR"));
	snprintf(dir, sizeof(dir), "%s/board", getenv("KIOSK_SOURCE_DIR"));
	setenv("KIOSK_BOARD_DIR", dir, 1);
	if (kiosk_board_load(&b, "pn532", why, sizeof(why)) != KIOSK_OK) {
		fail_msg("board pn532: %s", why);
	}
	assert_true(b.production);
	assert_string_equal(b.reader_backend, "nfc");
	assert_int_equal(strncmp(b.reader_pattern, "pn532_uart:", 11), 0);
	assert_non_null(hal_reader_backend(b.reader_backend));
}

static void unmute(struct pn532emu *e, void *arg)
{
	*(int *)arg = cardsim_set(e->card, "mute_after", "-1");
}

static void mute_card_times_out(void **state)
{
	struct rig r;
	struct persona p;
	struct outcome o;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	rig_up(&r, "standard", "mute_after", "2");
	read_nfc(&r, p.pin, false, &p, "mute after 2", &o);
	assert_int_equal(o.rc, KIOSK_ERR_CARD_TIMEOUT);
	/* The chip's own RF timeout ends the exchange (status 01), long before
	 * the kiosk's 10 s APDU timeout. */
	assert_true(o.us < 3000000);
	assert_int_equal(o.apdus, 3);
	assert_int_equal(stats(&r).verify, 0);
	assert_int_equal(stats(&r).tries, p.tries);
	assert_false(o.data_matches);
	assert_true(o.vault_wiped);
	/* The resident takes the card away and taps it again: it reads fine
	 * (the fault switched off: mute_after counts from each insertion). */
	{
		int rc = -1;

		pn532emu_server_locked(&r.srv, unmute, &rc);
		assert_int_equal(rc, 0);
	}
	pn532emu_server_remove(&r.srv);
	pn532emu_server_insert(&r.srv);
	read_nfc(&r, p.pin, false, &p, "after the mute card", &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.data_matches);
	assert_int_equal(stats(&r).verify, 1);
	rig_down(&r);
}

static void rf_errors_end_the_session(void **state)
{
	static const uint8_t statuses[] = { PN532EMU_ST_TIMEOUT, PN532EMU_ST_CRC, PN532EMU_ST_RF };
	struct persona p;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	for (size_t i = 0; i < sizeof(statuses); i++) {
		struct rig r;
		struct outcome o;

		rig_up(&r, "standard", NULL, NULL);
		pn532emu_server_inject(&r.srv, statuses[i], 1);
		read_nfc(&r, p.pin, false, &p, "injected status", &o);
		assert_int_equal(o.rc, KIOSK_ERR_CARD_TIMEOUT);
		assert_int_equal(stats(&r).verify, 0);
		/* The next read on a fresh session works. */
		read_nfc(&r, p.pin, false, &p, "after the fault", &o);
		assert_int_equal(o.rc, 0);
		assert_true(o.data_matches);
		rig_down(&r);
	}
}

static void *insert_later(void *arg)
{
	struct rig *r = arg;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 300 * 1000000L };

	(void)nanosleep(&ts, NULL);
	pn532emu_server_insert(&r->srv);
	return NULL;
}

static void card_tapped_later_and_no_card(void **state)
{
	struct rig r;
	struct persona p;
	struct outcome o;
	struct read_opts ro = { .backend = "nfc", .apdu_timeout_ms = 10000, .wait_ms = 300 };
	pthread_t t;

	(void)state;
	assert_int_equal(persona_load("standard", &p), 0);
	rig_up(&r, "standard", NULL, NULL);
	pn532emu_server_remove(&r.srv);
	ro.reader_pattern = r.connstring;
	ro.pin = p.pin;
	card_flow_read(&ro, &vault, anchors, &o);
	assert_int_equal(o.rc, KIOSK_ERR_TIMEOUT);
	assert_int_equal(o.apdus, 0);
	assert_int_equal(pthread_create(&t, NULL, insert_later, &r), 0);
	read_nfc(&r, p.pin, false, &p, "tapped after 300 ms", &o);
	pthread_join(t, NULL);
	assert_int_equal(o.rc, 0);
	assert_true(o.data_matches);
	rig_down(&r);
}

struct ef_copy {
	uint8_t buf[1024];
	size_t len;
};

static void copy_ef0004(struct pn532emu *e, void *arg)
{
	struct ef_copy *ef = arg;
	size_t len = 0;
	const uint8_t *b = cardsim_ef(e->card, 0x0004, &len);

	ef->len = 0;
	if (b != NULL && len <= sizeof(ef->buf)) {
		memcpy(ef->buf, b, len);
		ef->len = len;
	}
}

/*
 * Responses over one PN532 frame (262 data bytes): the emulator chains them (MI
 * bit) and libnfc's pn53x_transceive reassembles them, but only into its own
 * 264-byte buffer: 263 bytes (Le 261 + SW) pass, the whole 568-byte EF 0004 in
 * one extended READ BINARY fails (libnfc ESMALLBUF -> NFC_ECHIP ->
 * KIOSK_ERR_CARD_PROTOCOL). Hence the nfc backend keeps to short APDUs.
 */
static void long_response_is_chained(void **state)
{
	static const uint8_t sel_ap[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10,
					  0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
	static const uint8_t sel_ef[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x04 };
	static const uint8_t read_263[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x05 };
	static const uint8_t read_all[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct rig r;
	struct hal_reader hr;
	struct hal_reader_config cfg = { .apdu_timeout_ms = 10000 };
	static uint8_t resp[HAL_RAPDU_MAX];
	static struct ef_copy ef;
	size_t rlen = 0;

	(void)state;
	rig_up(&r, "standard", NULL, NULL);
	pn532emu_server_locked(&r.srv, copy_ef0004, &ef);
	assert_true(ef.len > PN532EMU_DATA_MAX);
	cfg.name_pattern = r.connstring;
	hal_reader_init(&hr);
	assert_int_equal(hal_reader_open(&hr, hal_reader_backend("nfc"), &cfg), 0);
	assert_int_equal(hal_reader_wait_card(&hr, true, 3000), 0);
	assert_int_equal(hal_reader_connect(&hr), 0);
	assert_int_equal(hr.info.atr[0], 0x3B);
	assert_int_equal(hr.info.atr_len, 13);
	assert_int_equal(hal_reader_transmit(&hr, sel_ap, sizeof(sel_ap), resp, sizeof(resp),
					     &rlen), 0);
	assert_int_equal(rlen, 2);
	assert_int_equal(hal_reader_transmit(&hr, sel_ef, sizeof(sel_ef), resp, sizeof(resp),
					     &rlen), 0);
	assert_int_equal(resp[0], 0x90);
	assert_int_equal(hal_reader_transmit(&hr, read_263, sizeof(read_263), resp, sizeof(resp),
					     &rlen), 0);
	assert_int_equal(rlen, 261 + 2);
	assert_memory_equal(resp, ef.buf, 261);
	assert_int_equal(resp[261], 0x90);
	printf("nfc chained response: %zu bytes in one APDU (2 PN532 frames)\n", rlen);
	assert_int_equal(hal_reader_transmit(&hr, read_all, sizeof(read_all), resp, sizeof(resp),
					     &rlen), KIOSK_ERR_CARD_PROTOCOL);
	hal_reader_close(&hr);
	memset(resp, 0, sizeof(resp));
	memset(&ef, 0, sizeof(ef));
	rig_down(&r);
}

/* The pn532emu executable: --ready-fd, signals for removal and re-insertion. */
static void emulator_process_and_signals(void **state)
{
	char dir[] = "/tmp/pn532emu-XXXXXX";
	char link[64], conn[96], persona[1024], fdarg[16], ready[8] = "";
	struct hal_reader hr;
	struct hal_reader_config cfg = { .apdu_timeout_ms = 5000 };
	int pfd[2];
	int status = 0;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/tty", dir);
	snprintf(conn, sizeof(conn), "pn532_uart:%s", link);
	snprintf(persona, sizeof(persona), "%s/standard.json", getenv("KIOSK_PERSONAS"));
	assert_int_equal(pipe(pfd), 0);
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A failed assertion in the parent must not leave the emulator behind. */
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		close(pfd[0]);
		execl(PN532EMU_EXE, "pn532emu", "--link", link, "--persona", persona, "--pki",
		      getenv("KIOSK_TEST_PKI"), "--ready-fd", fdarg, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], ready, sizeof(ready) - 1), 6);
	close(pfd[0]);
	assert_string_equal(ready, "ready\n");
	cfg.name_pattern = conn;
	hal_reader_init(&hr);
	assert_int_equal(hal_reader_open(&hr, hal_reader_backend("nfc"), &cfg), 0);
	assert_int_equal(hal_reader_wait_card(&hr, true, 3000), 0);
	assert_int_equal(hal_reader_connect(&hr), 0);
	assert_int_equal(hal_reader_disconnect(&hr), 0);
	assert_int_equal(kill(pid, SIGUSR1), 0);
	assert_int_equal(hal_reader_wait_card(&hr, false, 3000), 0);
	assert_int_equal(hal_reader_wait_card(&hr, true, 200), KIOSK_ERR_TIMEOUT);
	assert_int_equal(kill(pid, SIGUSR2), 0);
	assert_int_equal(hal_reader_wait_card(&hr, true, 3000), 0);
	hal_reader_close(&hr);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(access(link, F_OK), -1); /* the link is gone */
	(void)rmdir(dir);
}

/* nfc_initiator_poll_target (InAutoPoll on a PN532) through the stock driver. */
static void auto_poll_through_libnfc(void **state)
{
	static const nfc_modulation mod = { .nmt = NMT_ISO14443B, .nbr = NBR_106 };
	struct rig r;
	nfc_context *ctx = NULL;
	nfc_device *dev;
	nfc_target nt;
	nfc_connstring cs; /* nfc_open takes the full-size array type */

	(void)state;
	rig_up(&r, "standard", NULL, NULL);
	snprintf(cs, sizeof(cs), "%s", r.connstring);
	nfc_init(&ctx);
	assert_non_null(ctx);
	dev = nfc_open(ctx, cs);
	assert_non_null(dev);
	assert_true(nfc_initiator_init(dev) >= 0);
	memset(&nt, 0, sizeof(nt));
	assert_int_equal(nfc_initiator_poll_target(dev, &mod, 1, 2, 1, &nt), 1);
	assert_int_equal(nt.nm.nmt, NMT_ISO14443B);
	assert_int_equal(nt.nti.nbi.abtProtocolInfo[1], 0x81);
	assert_int_equal(nfc_initiator_target_is_present(dev, &nt), NFC_SUCCESS);
	pn532emu_server_remove(&r.srv);
	assert_true(nfc_initiator_target_is_present(dev, &nt) < 0);
	assert_int_equal(nfc_initiator_poll_target(dev, &mod, 1, 2, 1, &nt), 0);
	nfc_close(dev);
	nfc_exit(ctx);
	rig_down(&r);
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
		cmocka_unit_test(pn532_board_loads),
		cmocka_unit_test(happy_path),
		cmocka_unit_test(wrong_pin_costs_one_try),
		cmocka_unit_test(blocked_card_gets_no_verify),
		cmocka_unit_test(removed_at_every_step),
		cmocka_unit_test(tampered_data_fails_at_its_step),
		cmocka_unit_test(long_response_is_chained),
		cmocka_unit_test(mute_card_times_out),
		cmocka_unit_test(rf_errors_end_the_session),
		cmocka_unit_test(card_tapped_later_and_no_card),
		cmocka_unit_test(emulator_process_and_signals),
		cmocka_unit_test(auto_poll_through_libnfc),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, setup, teardown);
}
