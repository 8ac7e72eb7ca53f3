/* SPDX-License-Identifier: MIT */
/*
 * Reader HAL core: the ISO transport rules (61 xx, 6C xx, 6F 00, VERIFY never
 * re-sent), the wire APDU count, and the dispatch wrappers, over a scripted fake
 * backend that records every command it receives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hal/reader.h"
#include "kiosk/err.h"

#define MAX_STEPS 128
#define STEP_MAX 300

struct step {
	uint8_t resp[STEP_MAX];
	size_t len;
	int rc;
};

/* The fake backend's script and recording (the core owns its priv, so it lives here). */
static struct {
	struct step steps[MAX_STEPS];
	size_t nsteps;
	size_t next;
	uint8_t sent[MAX_STEPS][HAL_CAPDU_MAX];
	size_t sent_len[MAX_STEPS];
	int opens, closes, connects, disconnects;
	int open_rc;
	bool priv_was_zero;
	void *priv_seen;
	bool card_gone; /* wait_card reports the card absent */
	unsigned waits_absent; /* wait_card(absent) calls */
} fake;

#define FAKE_PRIV_SIZE 64

static int fake_open(void *priv, const struct hal_reader_config *cfg)
{
	const uint8_t *b = priv;

	assert_non_null(cfg);
	fake.opens++;
	fake.priv_seen = priv;
	fake.priv_was_zero = true;
	for (size_t i = 0; i < FAKE_PRIV_SIZE; i++) {
		if (b[i] != 0) {
			fake.priv_was_zero = false;
		}
	}
	memset(priv, 0x5A, FAKE_PRIV_SIZE); /* the core must free this */
	return fake.open_rc;
}

static void fake_close(void *priv)
{
	assert_ptr_equal(priv, fake.priv_seen);
	fake.closes++;
}

static int fake_wait_card(void *priv, bool present, unsigned timeout_ms)
{
	(void)priv;
	(void)timeout_ms;
	if (!present) {
		fake.waits_absent++;
	}
	return present != fake.card_gone ? 0 : KIOSK_ERR_TIMEOUT;
}

static int fake_connect(void *priv, struct hal_card_info *info)
{
	(void)priv;
	fake.connects++;
	info->atr[0] = 0x3B;
	info->atr_len = 1;
	return 0;
}

static int fake_disconnect(void *priv)
{
	(void)priv;
	fake.disconnects++;
	return 0;
}

static int fake_transmit(void *priv, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
			 size_t rcap, size_t *rlen)
{
	const struct step *s;

	(void)priv;
	if (fake.next >= fake.nsteps) {
		fail_msg("unexpected APDU #%zu", fake.next + 1);
	}
	assert_true(clen <= HAL_CAPDU_MAX);
	memcpy(fake.sent[fake.next], capdu, clen);
	fake.sent_len[fake.next] = clen;
	s = &fake.steps[fake.next++];
	if (s->rc != 0) {
		return s->rc;
	}
	assert_true(s->len <= rcap);
	memcpy(rapdu, s->resp, s->len);
	*rlen = s->len;
	return 0;
}

static const struct hal_reader_ops fake_ops = {
	.name = "fake",
	.priv_size = FAKE_PRIV_SIZE,
	.open = fake_open,
	.close = fake_close,
	.wait_card = fake_wait_card,
	.connect = fake_connect,
	.transmit = fake_transmit,
	.disconnect = fake_disconnect,
	.get_features = NULL,
};

static void push(const uint8_t *b, size_t n)
{
	assert_true(fake.nsteps < MAX_STEPS && n <= STEP_MAX);
	if (n > 0) {
		memcpy(fake.steps[fake.nsteps].resp, b, n);
	}
	fake.steps[fake.nsteps].len = n;
	fake.steps[fake.nsteps].rc = 0;
	fake.nsteps++;
}

#define PUSH(...) push((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* @n data bytes counting up from @seed, then SW1 SW2. */
static void push_data(size_t n, uint8_t seed, uint8_t sw1, uint8_t sw2)
{
	uint8_t b[STEP_MAX];

	assert_true(n + 2 <= STEP_MAX);
	for (size_t i = 0; i < n; i++) {
		b[i] = (uint8_t)(seed + i);
	}
	b[n] = sw1;
	b[n + 1] = sw2;
	push(b, n + 2);
}

static void push_error(int rc)
{
	assert_true(fake.nsteps < MAX_STEPS);
	fake.steps[fake.nsteps].len = 0;
	fake.steps[fake.nsteps].rc = rc;
	fake.nsteps++;
}

static void assert_sent(size_t i, const uint8_t *b, size_t n)
{
	assert_true(i < fake.next);
	assert_int_equal(fake.sent_len[i], n);
	assert_memory_equal(fake.sent[i], b, n);
}

#define ASSERT_SENT(i, ...)                                                                       \
	assert_sent(i, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void check_data(const uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(b[i], (uint8_t)(seed + i));
	}
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0) {
			return false;
		}
	}
	return true;
}

static int setup(void **state)
{
	struct hal_reader *r = calloc(1, sizeof(*r));

	memset(&fake, 0, sizeof(fake));
	hal_reader_init(r);
	assert_int_equal(hal_reader_open(r, &fake_ops, NULL), 0);
	assert_int_equal(hal_reader_connect(r), 0);
	assert_true(r->connected);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct hal_reader *r = *state;

	hal_reader_close(r);
	free(r);
	return 0;
}

static const uint8_t read_binary[] = { 0x00, 0xB0, 0x00, 0x00, 0x00 };
static const uint8_t select_ap[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00,
				     0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
static const uint8_t verify_pin[] = { 0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34 };

/* A throwaway first command, so 6F 00 handling does not apply to the command under test. */
static void warm_up(struct hal_reader *r)
{
	uint8_t resp[8];
	size_t n;

	PUSH(0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), 0);
}

static void test_plain(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n = 99;

	push_data(16, 0x40, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_int_equal(n, 18);
	check_data(resp, 16, 0x40);
	assert_int_equal(resp[16], 0x90);
	assert_int_equal(resp[17], 0x00);
	assert_int_equal(r->apdu_count, 1);
	assert_sent(0, read_binary, sizeof(read_binary));
}

static void test_61xx_one_round(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n;

	warm_up(r);
	PUSH(0x61, 0x10);
	push_data(16, 0x00, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_int_equal(n, 18);
	check_data(resp, 16, 0x00);
	assert_int_equal(resp[16], 0x90);
	ASSERT_SENT(2, 0x00, 0xC0, 0x00, 0x00, 0x10);
	assert_int_equal(r->apdu_count, 3);
}

static void test_61xx_many_rounds(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[HAL_RAPDU_MAX];
	size_t n;

	warm_up(r);
	push_data(10, 0x00, 0x61, 0x00);  /* 10 bytes, then "256 more" */
	push_data(256, 0x0A, 0x61, 0x20); /* 256, then 32 more */
	push_data(32, 0x0A, 0x62, 0x82);  /* last chunk; the final SW is the card's */
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_int_equal(n, 10 + 256 + 32 + 2);
	check_data(resp, 10, 0x00);
	check_data(resp + 10, 256, 0x0A);
	check_data(resp + 266, 32, 0x0A);
	assert_int_equal(resp[298], 0x62);
	assert_int_equal(resp[299], 0x82);
	ASSERT_SENT(2, 0x00, 0xC0, 0x00, 0x00, 0x00); /* xx = 00 asks for 256 */
	ASSERT_SENT(3, 0x00, 0xC0, 0x00, 0x00, 0x20);
	assert_int_equal(r->apdu_count, 4);
}

static void test_61xx_exact_fit(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[4 + 8 + 2];
	size_t n;

	warm_up(r);
	push_data(4, 0x00, 0x61, 0x08);
	push_data(8, 0x04, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_int_equal(n, sizeof(resp));
	check_data(resp, 12, 0x00);
}

static void test_61xx_buffer_too_small(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[100];
	size_t n = 99;

	warm_up(r);
	/* The card announces more than the caller can keep: not even fetched. */
	push_data(20, 0x01, 0x61, 0x00);
	memset(resp, 0xEE, sizeof(resp));
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 0);
	assert_int_equal(r->apdu_count, 2);
	/* The partial data (maybe personal) is wiped from the caller's buffer. */
	assert_true(all_zero(resp, 20));

	/* The card sends more than it announced. */
	push_data(20, 0x01, 0x61, 0x10);
	push_data(90, 0x01, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 0);
	assert_int_equal(r->apdu_count, 4);
	assert_true(all_zero(resp, 20));

	/* Plain answer bigger than the buffer. */
	push_data(120, 0x01, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(r->apdu_count, 5);

	/* Not even room for SW1 SW2. */
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp, 1, &n),
			 KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(r->apdu_count, 5);
}

static void test_61xx_round_cap(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[HAL_RAPDU_MAX];
	size_t n;

	warm_up(r);
	/* A card that never stops saying "one more byte". */
	for (unsigned i = 0; i < HAL_READER_MAX_GET_RESPONSE + 1; i++) {
		push_data(1, (uint8_t)i, 0x61, 0x01);
	}
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(n, 0);
	assert_int_equal(r->apdu_count, 1 + 1 + HAL_READER_MAX_GET_RESPONSE);
}

static void test_6cxx_resend_once(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[300];
	size_t n;

	warm_up(r);
	/* Case 2: Le replaced. */
	PUSH(0x6C, 0x20);
	push_data(32, 0x00, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_int_equal(n, 34);
	check_data(resp, 32, 0x00);
	ASSERT_SENT(1, 0x00, 0xB0, 0x00, 0x00, 0x00);
	ASSERT_SENT(2, 0x00, 0xB0, 0x00, 0x00, 0x20);
	assert_int_equal(r->apdu_count, 3);

	/* Only once: a second 6C is the caller's to judge. */
	PUSH(0x6C, 0x20);
	PUSH(0x6C, 0x10);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(resp[0], 0x6C);
	assert_int_equal(resp[1], 0x10);
	assert_int_equal(r->apdu_count, 5);

	/* The re-sent command may chain with 61 xx. */
	PUSH(0x6C, 0x00);
	PUSH(0x61, 0x04);
	push_data(4, 0x10, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_int_equal(n, 6);
	check_data(resp, 4, 0x10);
	ASSERT_SENT(6, 0x00, 0xB0, 0x00, 0x00, 0x00);
	ASSERT_SENT(7, 0x00, 0xC0, 0x00, 0x00, 0x04);
	assert_int_equal(r->apdu_count, 8);
}

static void test_6cxx_cases(void **state)
{
	struct hal_reader *r = *state;
	static const uint8_t case1[] = { 0x00, 0xB0, 0x00, 0x00 };
	static const uint8_t case3[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11 };
	static const uint8_t case4[] = { 0x00, 0xA4, 0x02, 0x00, 0x02, 0x00, 0x11, 0x00 };
	static const uint8_t ext[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x10, 0x00 };
	uint8_t resp[64];
	size_t n;

	warm_up(r);
	PUSH(0x6C, 0x05);
	push_data(5, 0, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, case1, sizeof(case1), resp, sizeof(resp), &n), 0);
	ASSERT_SENT(2, 0x00, 0xB0, 0x00, 0x00, 0x05); /* Le appended */

	PUSH(0x6C, 0x0A);
	push_data(10, 0, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, case3, sizeof(case3), resp, sizeof(resp), &n), 0);
	ASSERT_SENT(4, 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11, 0x0A);

	PUSH(0x6C, 0x0B);
	push_data(11, 0, 0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, case4, sizeof(case4), resp, sizeof(resp), &n), 0);
	ASSERT_SENT(6, 0x00, 0xA4, 0x02, 0x00, 0x02, 0x00, 0x11, 0x0B); /* Le replaced */
	assert_int_equal(r->apdu_count, 7);

	/* Extended length: not a short case, not re-sent. */
	PUSH(0x6C, 0x10);
	assert_int_equal(hal_reader_transmit(r, ext, sizeof(ext), resp, sizeof(resp), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(resp[0], 0x6C);
	assert_int_equal(r->apdu_count, 8);
}

static void test_6f00_first_command_only(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n;

	/* First command after connect: re-sent once. */
	PUSH(0x6F, 0x00);
	PUSH(0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(resp[0], 0x90);
	assert_sent(0, select_ap, sizeof(select_ap));
	assert_sent(1, select_ap, sizeof(select_ap));
	assert_int_equal(r->apdu_count, 2);

	/* Any later command: 6F 00 is the caller's to judge. */
	PUSH(0x6F, 0x00);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(resp[0], 0x6F);
	assert_int_equal(resp[1], 0x00);
	assert_int_equal(r->apdu_count, 3);

	/* A new connection resets both the count and the first-command rule. */
	assert_int_equal(hal_reader_disconnect(r), 0);
	assert_int_equal(hal_reader_connect(r), 0);
	assert_int_equal(r->apdu_count, 0);
	PUSH(0x6F, 0x00);
	PUSH(0x6F, 0x00); /* and it is re-sent only once */
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), 0);
	assert_int_equal(resp[0], 0x6F);
	assert_int_equal(r->apdu_count, 2);
	assert_int_equal(fake.next, fake.nsteps);
}

static void test_verify_never_resent(void **state)
{
	static const uint8_t query[] = { 0x80, 0x20, 0x00, 0x80 };
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n;

	/* Even as the first command: a second VERIFY could use a PIN try. */
	PUSH(0x6F, 0x00);
	assert_int_equal(hal_reader_transmit(r, verify_pin, sizeof(verify_pin), resp, sizeof(resp),
					     &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(resp[0], 0x6F);
	assert_int_equal(r->apdu_count, 1);

	PUSH(0x6C, 0x04);
	assert_int_equal(hal_reader_transmit(r, verify_pin, sizeof(verify_pin), resp, sizeof(resp),
					     &n), 0);
	assert_int_equal(resp[0], 0x6C);
	assert_int_equal(resp[1], 0x04);
	assert_int_equal(r->apdu_count, 2);

	/* The empty VERIFY (tries query), proprietary class too. */
	PUSH(0x6C, 0x00);
	assert_int_equal(hal_reader_transmit(r, query, sizeof(query), resp, sizeof(resp), &n), 0);
	assert_int_equal(resp[0], 0x6C);
	assert_int_equal(r->apdu_count, 3);
	assert_int_equal(fake.next, 3);
	for (size_t i = 0; i < 2; i++) {
		assert_sent(i, verify_pin, sizeof(verify_pin));
	}
}

static void test_first_command_is_consumed_by_verify(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n;

	/* The VERIFY was the first command: a later 6F 00 is not retried either. */
	PUSH(0x90, 0x00);
	assert_int_equal(hal_reader_transmit(r, verify_pin, sizeof(verify_pin), resp, sizeof(resp),
					     &n), 0);
	PUSH(0x6F, 0x00);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), 0);
	assert_int_equal(resp[0], 0x6F);
	assert_int_equal(r->apdu_count, 2);
}

static void test_short_response_is_protocol_error(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n = 99;

	PUSH(0x90);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(n, 0);
	push(NULL, 0);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), KIOSK_ERR_CARD_PROTOCOL);
	/* ...also for a GET RESPONSE answer. */
	PUSH(0x61, 0x02);
	PUSH(0x01);
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(r->apdu_count, 4);
}

/* No answer from a card that has just been pulled (vpcd does this): removed,
 * not a protocol error; a card still present keeps the protocol error. */
static void test_empty_answer_from_pulled_card(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n = 99;

	push(NULL, 0);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(fake.waits_absent, 1);
	fake.card_gone = true;
	push(NULL, 0);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(n, 0);
	/* a one-byte answer is garbled, whatever the card's state */
	PUSH(0x90);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), KIOSK_ERR_CARD_PROTOCOL);
	assert_int_equal(fake.waits_absent, 2);
}

static void test_backend_errors_pass_through(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n = 99;

	push_error(KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(n, 0);
	/* An error in the middle of a chain wipes what was gathered. */
	push_data(8, 0x01, 0x61, 0x08);
	push_error(KIOSK_ERR_CARD_TIMEOUT);
	memset(resp, 0xEE, sizeof(resp));
	assert_int_equal(hal_reader_transmit(r, read_binary, sizeof(read_binary), resp,
					     sizeof(resp), &n), KIOSK_ERR_CARD_TIMEOUT);
	assert_true(all_zero(resp, 8));
	assert_int_equal(r->apdu_count, 3); /* failed wire APDUs count too */
}

static void test_bad_args(void **state)
{
	struct hal_reader *r = *state;
	uint8_t resp[64];
	size_t n;

	assert_int_equal(hal_reader_transmit(NULL, select_ap, sizeof(select_ap), resp,
					     sizeof(resp), &n), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_transmit(r, select_ap, 3, resp, sizeof(resp), &n),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_transmit(r, NULL, 5, resp, sizeof(resp), &n),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), NULL, 0, &n),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(r->apdu_count, 0);
	/* Not connected. */
	assert_int_equal(hal_reader_disconnect(r), 0);
	assert_int_equal(hal_reader_transmit(r, select_ap, sizeof(select_ap), resp, sizeof(resp),
					     &n), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_disconnect(r), 0); /* idempotent */
	assert_int_equal(fake.disconnects, 1);
}

static void test_lifecycle(void **state)
{
	struct hal_reader r;

	(void)state;
	memset(&fake, 0, sizeof(fake));
	hal_reader_init(&r);
	hal_reader_close(&r); /* closing a never-opened reader is fine */
	hal_reader_close(NULL);
	assert_int_equal(hal_reader_open(&r, &fake_ops, NULL), 0);
	assert_true(fake.priv_was_zero);
	assert_int_equal(hal_reader_open(&r, &fake_ops, NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_wait_card(&r, true, 0), 0);
	assert_int_equal(hal_reader_wait_card(&r, false, 0), KIOSK_ERR_TIMEOUT);
	assert_int_equal(hal_reader_connect(&r), 0);
	assert_int_equal(r.info.atr_len, 1);
	/* Connecting again ends the old session first (unpowering the card). */
	assert_int_equal(hal_reader_connect(&r), 0);
	assert_int_equal(fake.disconnects, 1);
	assert_int_equal(fake.connects, 2);
	/* Close disconnects a live session. */
	hal_reader_close(&r);
	assert_int_equal(fake.disconnects, 2);
	assert_int_equal(fake.closes, 1);
	assert_null(r.ops);
	assert_null(r.priv);
	assert_false(r.connected);
	hal_reader_close(&r); /* idempotent */
	assert_int_equal(fake.closes, 1);

	/* A failed open still lets the backend clean up, and frees priv (ASan checks). */
	fake.open_rc = KIOSK_ERR_NO_READER;
	assert_int_equal(hal_reader_open(&r, &fake_ops, NULL), KIOSK_ERR_NO_READER);
	assert_int_equal(fake.closes, 2);
	assert_null(r.ops);
	assert_null(r.priv);
	hal_reader_close(&r);
	assert_int_equal(fake.closes, 2);
}

static int empty_open(void *priv, const struct hal_reader_config *cfg)
{
	(void)priv;
	(void)cfg;
	return 0;
}

static void test_null_ops_not_supported(void **state)
{
	static const struct hal_reader_ops empty_ops = { .name = "empty", .open = empty_open };
	static const struct hal_reader_ops no_open = { .name = "no-open" };
	struct hal_reader r;
	uint8_t buf[64];
	size_t n;

	(void)state;
	hal_reader_init(&r);
	assert_int_equal(hal_reader_open(&r, &no_open, NULL), KIOSK_ERR_NOT_SUPPORTED);
	assert_null(r.ops);
	assert_int_equal(hal_reader_open(&r, &empty_ops, NULL), 0);
	assert_null(r.priv); /* priv_size 0 */
	assert_int_equal(hal_reader_wait_card(&r, true, 10), KIOSK_ERR_NOT_SUPPORTED);
	assert_int_equal(hal_reader_connect(&r), KIOSK_ERR_NOT_SUPPORTED);
	assert_int_equal(hal_reader_transmit(&r, select_ap, sizeof(select_ap), buf, sizeof(buf),
					     &n), KIOSK_ERR_NOT_SUPPORTED);
	assert_int_equal(hal_reader_disconnect(&r), KIOSK_ERR_NOT_SUPPORTED);
	assert_int_equal(hal_reader_get_features(&r, buf, sizeof(buf), &n),
			 KIOSK_ERR_NOT_SUPPORTED);
	hal_reader_close(&r);

	/* Unopened reader: invalid, not a crash. */
	assert_int_equal(hal_reader_wait_card(&r, true, 10), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_connect(&r), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_disconnect(NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_open(NULL, &empty_ops, NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_reader_open(&r, NULL, NULL), KIOSK_ERR_INVALID_ARG);
}

static void test_backend_by_name(void **state)
{
	(void)state;
	assert_ptr_equal(hal_reader_backend("pcsc"), &hal_reader_pcsc);
	assert_string_equal(hal_reader_pcsc.name, "pcsc");
	assert_null(hal_reader_backend("libnfc"));
	assert_null(hal_reader_backend(""));
	assert_null(hal_reader_backend(NULL));
	/* Not a pcsc reader: no diagnostics, no crash. */
	assert_int_equal(hal_reader_pcsc_last_lib_err(NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plain),
		T(test_61xx_one_round),
		T(test_61xx_many_rounds),
		T(test_61xx_exact_fit),
		T(test_61xx_buffer_too_small),
		T(test_61xx_round_cap),
		T(test_6cxx_resend_once),
		T(test_6cxx_cases),
		T(test_6f00_first_command_only),
		T(test_verify_never_resent),
		T(test_first_command_is_consumed_by_verify),
		T(test_short_response_is_protocol_error),
		T(test_empty_answer_from_pulled_card),
		T(test_backend_errors_pass_through),
		T(test_bad_args),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_null_ops_not_supported),
		cmocka_unit_test(test_backend_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
