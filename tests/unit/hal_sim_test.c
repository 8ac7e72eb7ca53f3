/* SPDX-License-Identifier: MIT */
/*
 * The in-process sim reader over a real cardsim model: connect/unpower, the
 * transport rules against the model's faults, and removal and mute mapping to
 * the right errors within the watchdog time. Personas: $KIOSK_PERSONAS; test
 * PKI: $KIOSK_TEST_PKI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include <mbedtls/platform_util.h>

#include "cardsim/cardsim.h"
#include "cardsim_fixture.h"
#include "hal/reader.h"
#include "kiosk/err.h"

#define TEST_TIMEOUT_MS 300u
/* Generous upper bound for "returned within the timeout" on a loaded CI box. */
#define SLACK_MS 1500u

struct fixture {
	struct cardsim_card *card;
	struct hal_reader r;
};

static const uint8_t select_ap[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00,
				     0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
static const uint8_t select_pin[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11 };
static const uint8_t select_ef5[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x05 };
static const uint8_t read_binary[] = { 0x00, 0xB0, 0x00, 0x00, 0x00 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L };

	nanosleep(&ts, NULL);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct hal_reader_config cfg;

	assert_non_null(fx);
	fx->card = cardsim_fixture_load("standard");
	memset(&cfg, 0, sizeof(cfg));
	cfg.apdu_timeout_ms = TEST_TIMEOUT_MS;
	cfg.sim_card = fx->card;
	hal_reader_init(&fx->r);
	assert_int_equal(hal_reader_open(&fx->r, hal_reader_backend("sim"), &cfg), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	hal_reader_close(&fx->r);
	cardsim_card_free(fx->card);
	free(fx);
	return 0;
}

static int xmit(struct fixture *fx, const uint8_t *cmd, size_t clen, uint16_t *sw)
{
	uint8_t resp[HAL_RAPDU_MAX];
	size_t n = 0;
	int rc;

	rc = hal_reader_transmit(&fx->r, cmd, clen, resp, sizeof(resp), &n);
	if (rc == 0) {
		assert_true(n >= 2);
		*sw = (uint16_t)(resp[n - 2] << 8 | resp[n - 1]);
	}
	mbedtls_platform_zeroize(resp, sizeof(resp));
	return rc;
}

static void expect_sw(struct fixture *fx, const uint8_t *cmd, size_t clen, uint16_t want)
{
	uint16_t sw = 0;

	assert_int_equal(xmit(fx, cmd, clen, &sw), 0);
	assert_int_equal(sw, want);
}

static void test_backend_and_connect(void **state)
{
	struct fixture *fx = *state;
	uint8_t atr[HAL_ATR_MAX];
	size_t atr_len;
	uint8_t buf[16];
	size_t n;

	assert_ptr_equal(hal_reader_backend("sim"), &hal_reader_sim);
	assert_int_equal(hal_reader_wait_card(&fx->r, true, 0), 0);
	assert_int_equal(hal_reader_wait_card(&fx->r, false, 20), KIOSK_ERR_TIMEOUT);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	assert_true(cardsim_powered(fx->card));
	atr_len = cardsim_atr(fx->card, atr, sizeof(atr));
	assert_true(atr_len > 0);
	assert_int_equal(fx->r.info.atr_len, atr_len);
	assert_memory_equal(fx->r.info.atr, atr, atr_len);
	assert_int_equal(fx->r.info.caps, 0);
	assert_true(fx->r.info.reader_name[0] != '\0');
	assert_int_equal(hal_reader_get_features(&fx->r, buf, sizeof(buf), &n),
			 KIOSK_ERR_NOT_SUPPORTED);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	assert_int_equal(fx->r.apdu_count, 1);
	assert_int_equal(hal_reader_disconnect(&fx->r), 0);
	assert_false(cardsim_powered(fx->card));
}

/* Disconnect unpowers the card: the PIN security status does not outlive the session. */
static void test_disconnect_clears_security_status(void **state)
{
	static const uint8_t verify_1234[] = { 0x00, 0x20, 0x00, 0x80, 0x04,
					       0x31, 0x32, 0x33, 0x34 };
	struct fixture *fx = *state;

	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	expect_sw(fx, select_pin, sizeof(select_pin), 0x9000);
	expect_sw(fx, verify_1234, sizeof(verify_1234), 0x9000);
	assert_true(cardsim_verified(fx->card));
	assert_int_equal(cardsim_verify_count(fx->card), 1);
	assert_int_equal(hal_reader_disconnect(&fx->r), 0);
	assert_false(cardsim_verified(fx->card));
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	assert_false(cardsim_verified(fx->card));
	/* close() of a connected reader unpowers too. */
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	expect_sw(fx, select_pin, sizeof(select_pin), 0x9000);
	expect_sw(fx, verify_1234, sizeof(verify_1234), 0x9000);
	assert_true(cardsim_verified(fx->card));
	hal_reader_close(&fx->r);
	assert_false(cardsim_verified(fx->card));
	assert_false(cardsim_powered(fx->card));
}

static void test_answer_then_remove(void **state)
{
	struct fixture *fx = *state;
	uint16_t sw = 0;
	uint64_t t0;

	assert_int_equal(cardsim_set(fx->card, "remove_after", "2"), 0);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	/* The second answer arrives, then the card is gone. */
	expect_sw(fx, select_ef5, sizeof(select_ef5), 0x9000);
	t0 = now_ms();
	assert_int_equal(xmit(fx, read_binary, sizeof(read_binary), &sw), KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(xmit(fx, read_binary, sizeof(read_binary), &sw), KIOSK_ERR_CARD_REMOVED);
	assert_true(now_ms() - t0 < 100);
	assert_int_equal(fx->r.apdu_count, 4);
	assert_int_equal(cardsim_log_count(fx->card), 2); /* nothing reached the card after */
	assert_int_equal(hal_reader_wait_card(&fx->r, false, 0), 0);
	assert_int_equal(hal_reader_disconnect(&fx->r), KIOSK_ERR_CARD_REMOVED);

	/* No card: waiting for one times out; connecting fails like PC/SC does. */
	t0 = now_ms();
	assert_int_equal(hal_reader_wait_card(&fx->r, true, 100), KIOSK_ERR_TIMEOUT);
	assert_true(now_ms() - t0 >= 100);
	assert_int_equal(hal_reader_connect(&fx->r), KIOSK_ERR_CARD_REMOVED);

	hal_reader_sim_insert(&fx->r);
	assert_int_equal(hal_reader_wait_card(&fx->r, true, 0), 0);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	assert_int_equal(hal_reader_disconnect(&fx->r), 0);
}

static void test_remove_now(void **state)
{
	struct fixture *fx = *state;
	uint16_t sw = 0;

	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	assert_int_equal(cardsim_set(fx->card, "remove_after", "0"), 0);
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_REMOVED);
	assert_false(cardsim_present(fx->card));
	assert_int_equal(hal_reader_wait_card(&fx->r, false, 0), 0);
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(hal_reader_disconnect(&fx->r), KIOSK_ERR_CARD_REMOVED);
}

static void test_removed_while_idle(void **state)
{
	struct fixture *fx = *state;
	uint16_t sw = 0;

	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	hal_reader_sim_remove(&fx->r);
	assert_false(cardsim_present(fx->card));
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(hal_reader_wait_card(&fx->r, false, 0), 0);
	/* Re-insertion does not revive the old connection. */
	hal_reader_sim_insert(&fx->r);
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
}

static void test_mute_times_out(void **state)
{
	struct fixture *fx = *state;
	uint16_t sw = 0;
	uint64_t t0;
	uint64_t dt;

	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	assert_int_equal(cardsim_set(fx->card, "mute_after", "0"), 0);
	t0 = now_ms();
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_TIMEOUT);
	dt = now_ms() - t0;
	assert_true(dt >= TEST_TIMEOUT_MS);
	assert_true(dt < TEST_TIMEOUT_MS + SLACK_MS);
	/* The connection is dead: later ops fail fast without touching the card. */
	t0 = now_ms();
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_TIMEOUT);
	assert_true(now_ms() - t0 < 100);
	assert_int_equal(cardsim_log_count(fx->card), 2);
	/* The card is still in the reader. */
	assert_int_equal(hal_reader_wait_card(&fx->r, false, 0), KIOSK_ERR_TIMEOUT);
	assert_int_equal(hal_reader_disconnect(&fx->r), KIOSK_ERR_CARD_TIMEOUT);
	assert_false(cardsim_powered(fx->card));

	/* Once unmuted, a new connection works. */
	cardsim_unmute(fx->card);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
}

static void *remove_later(void *arg)
{
	sleep_ms(100);
	hal_reader_sim_remove(arg);
	return NULL;
}

/* A mute card pulled out: the stuck transmit ends with CARD_REMOVED, as on vpcd. */
static void test_mute_then_removed(void **state)
{
	struct fixture *fx = *state;
	struct hal_reader_config cfg;
	pthread_t t;
	uint16_t sw = 0;
	uint64_t t0;

	/* A long watchdog, so only the removal can end the wait early. */
	hal_reader_close(&fx->r);
	memset(&cfg, 0, sizeof(cfg));
	cfg.apdu_timeout_ms = 5000;
	cfg.sim_card = fx->card;
	assert_int_equal(hal_reader_open(&fx->r, &hal_reader_sim, &cfg), 0);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	assert_int_equal(cardsim_set(fx->card, "mute_after", "0"), 0);
	assert_int_equal(pthread_create(&t, NULL, remove_later, &fx->r), 0);
	t0 = now_ms();
	assert_int_equal(xmit(fx, select_ap, sizeof(select_ap), &sw), KIOSK_ERR_CARD_REMOVED);
	assert_true(now_ms() - t0 < 2500);
	pthread_join(t, NULL);
	assert_int_equal(hal_reader_wait_card(&fx->r, false, 0), 0);
	assert_int_equal(hal_reader_disconnect(&fx->r), KIOSK_ERR_CARD_REMOVED);
}

static void test_delay(void **state)
{
	struct fixture *fx = *state;
	uint16_t sw = 0;
	uint64_t t0;

	assert_int_equal(hal_reader_connect(&fx->r), 0);
	assert_int_equal(cardsim_set(fx->card, "delay_ms", "60"), 0);
	t0 = now_ms();
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	assert_true(now_ms() - t0 >= 60);
	/* A delay beyond the watchdog is a timeout, and kills the connection. */
	assert_int_equal(cardsim_set(fx->card, "delay_ms", "2000"), 0);
	t0 = now_ms();
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_TIMEOUT);
	assert_true(now_ms() - t0 < TEST_TIMEOUT_MS + SLACK_MS);
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_TIMEOUT);
	assert_int_equal(hal_reader_disconnect(&fx->r), KIOSK_ERR_CARD_TIMEOUT);
}

static void test_reinsert_ms(void **state)
{
	struct fixture *fx = *state;
	uint16_t sw = 0;
	uint64_t t0;

	assert_int_equal(cardsim_set(fx->card, "remove_after", "1"), 0);
	assert_int_equal(cardsim_set(fx->card, "reinsert_ms", "150"), 0);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	assert_int_equal(xmit(fx, select_ef5, sizeof(select_ef5), &sw), KIOSK_ERR_CARD_REMOVED);
	t0 = now_ms();
	assert_int_equal(hal_reader_wait_card(&fx->r, false, 0), 0);
	assert_int_equal(hal_reader_wait_card(&fx->r, true, 2000), 0);
	assert_true(now_ms() - t0 >= 140);
	assert_true(now_ms() - t0 < 150 + SLACK_MS);
	assert_int_equal(hal_reader_disconnect(&fx->r), KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
}

/* The core's transport rules against the model's own faults. */
static void test_first_6f00_retried(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(cardsim_set(fx->card, "first_6f00", "1"), 0);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	assert_int_equal(fx->r.apdu_count, 2);
	assert_int_equal(cardsim_log_count(fx->card), 2);
	assert_int_equal(cardsim_log_get(fx->card, 0)->sw, 0x6F00);
}

static void test_chain_61xx(void **state)
{
	struct fixture *fx = *state;
	uint8_t resp[HAL_RAPDU_MAX];
	const uint8_t *ef;
	size_t ef_len = 0;
	size_t n = 0;

	assert_int_equal(cardsim_set(fx->card, "chain_61xx", "1"), 0);
	ef = cardsim_ef(fx->card, 0x0005, &ef_len);
	assert_non_null(ef);
	assert_true(ef_len > 0 && ef_len <= 256);
	assert_int_equal(hal_reader_connect(&fx->r), 0);
	expect_sw(fx, select_ap, sizeof(select_ap), 0x9000);
	expect_sw(fx, select_ef5, sizeof(select_ef5), 0x9000);
	fx->r.apdu_count = 0;
	assert_int_equal(hal_reader_transmit(&fx->r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_true(fx->r.apdu_count >= 2); /* READ BINARY + GET RESPONSE(s) */
	assert_int_equal(n, ef_len + 2);
	assert_memory_equal(resp, ef, ef_len);
	assert_int_equal(resp[n - 2], 0x90);
	assert_int_equal(resp[n - 1], 0x00);
	mbedtls_platform_zeroize(resp, sizeof(resp));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_backend_and_connect),
		T(test_disconnect_clears_security_status),
		T(test_answer_then_remove),
		T(test_remove_now),
		T(test_removed_while_idle),
		T(test_mute_times_out),
		T(test_mute_then_removed),
		T(test_delay),
		T(test_reinsert_ms),
		T(test_first_6f00_retried),
		T(test_chain_61xx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
