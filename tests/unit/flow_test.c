/* SPDX-License-Identifier: MIT */
/*
 * The issuance state machine with fake services: every path a resident can
 * take, and on each of them the vault is wiped (end() called) and no PIN is
 * sent twice. The same paths through the real pcscd, center and printer are
 * in tests/integration/kiosk_*.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/err.h"
#include "kiosk/flow.h"
#include "kiosk/oplog.h"

struct fake {
	struct center_municipality munis[3];
	size_t n_munis;
	int munis_rc;
	int present;           /* what card_present answers */
	int open_rc;
	int open_tries;
	bool pinpad;
	char pin_buf[FLOW_PIN_LEN + 1];
	char last_pin[FLOW_PIN_LEN + 1];
	int verify_rc[8];      /* per call */
	int verify_tries[8];
	unsigned verify_n;
	int read_rc;
	int request_rc;
	int print_rc;
	unsigned ends;
	unsigned prints;
	char requested_muni[8];
	enum center_cert_type requested_type;
};

static int f_munis(void *ctx, const struct center_municipality **l, size_t *n)
{
	struct fake *k = ctx;

	*l = k->munis;
	*n = k->n_munis;
	return k->munis_rc;
}

static int f_present(void *ctx, unsigned wait_ms)
{
	(void)wait_ms;
	return ((struct fake *)ctx)->present;
}

static int f_open(void *ctx, int *tries, bool *pinpad)
{
	struct fake *k = ctx;

	*tries = k->open_tries;
	*pinpad = k->pinpad;
	return k->open_rc;
}

static char *f_pin_buffer(void *ctx)
{
	return ((struct fake *)ctx)->pin_buf;
}

static int f_verify(void *ctx, const char *pin, size_t len, int *tries)
{
	struct fake *k = ctx;
	unsigned i = k->verify_n++;

	if (pin != NULL) {
		assert_int_equal(len, FLOW_PIN_LEN);
		memcpy(k->last_pin, pin, len);
		k->last_pin[len] = '\0';
	}
	*tries = k->verify_tries[i];
	return k->verify_rc[i];
}

static int f_read(void *ctx, const char **name, const char **birth)
{
	struct fake *k = ctx;

	*name = "山田 太郎";
	*birth = "1985-04-12";
	return k->read_rc;
}

static int f_request(void *ctx, const char *m, enum center_cert_type t)
{
	struct fake *k = ctx;

	snprintf(k->requested_muni, sizeof(k->requested_muni), "%s", m);
	k->requested_type = t;
	return k->request_rc;
}

static int f_print(void *ctx)
{
	struct fake *k = ctx;

	k->prints++;
	return k->print_rc;
}

static void f_end(void *ctx)
{
	struct fake *k = ctx;

	k->ends++;
	memset(k->pin_buf, 0, sizeof(k->pin_buf));
}

static struct fake fk;
static struct flow_services svc = {
	.ctx = &fk,
	.municipalities = f_munis,
	.card_present = f_present,
	.card_open = f_open,
	.pin_buffer = f_pin_buffer,
	.card_verify = f_verify,
	.card_read = f_read,
	.request = f_request,
	.print = f_print,
	.end = f_end,
};
static const struct flow_timeouts tmo = {
	.screen_ms = 60000, .pin_ms = 30000, .take_card_ms = 30000,
	.take_paper_ms = 8000, .message_ms = 8000,
};
static long now;

static void add_muni(const char *code, const char *ja, bool overseas)
{
	struct center_municipality *m = &fk.munis[fk.n_munis++];

	snprintf(m->code, sizeof(m->code), "%s", code);
	snprintf(m->name_ja, sizeof(m->name_ja), "%s", ja);
	snprintf(m->name_en, sizeof(m->name_en), "%s", code);
	m->overseas = overseas;
}

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	add_muni("131016", "千代田区", true);
	add_muni("271004", "大阪市", false);
	fk.open_tries = 3;
	now = 1000;
	oplog_open(OPLOG_SINK_NONE, "TEST-KIOSK");
	return 0;
}

static void tick(struct flow *f, long ms)
{
	now += ms;
	flow_tick(f, now);
	while (flow_has_work(f)) {
		flow_work(f, now);
	}
}

static void tap(struct flow *f, const char *id)
{
	now += 10;
	flow_tap(f, id, now);
	while (flow_has_work(f)) {
		flow_work(f, now);
	}
}

static void type_pin(struct flow *f, const char *pin)
{
	for (const char *p = pin; *p; p++) {
		char id[2] = { *p, '\0' };

		tap(f, id);
	}
	tap(f, KIOSK_BTN_OK);
}

/* idle -> ... -> the PIN screen with a card in. */
static void to_pin(struct flow *f, const char *type)
{
	flow_init(f, &svc, &tmo, now);
	assert_int_equal(f->state, KIOSK_SCREEN_IDLE);
	tap(f, KIOSK_BTN_START);
	assert_int_equal(f->state, KIOSK_SCREEN_LANGUAGE);
	tap(f, KIOSK_BTN_JA);
	assert_int_equal(f->state, KIOSK_SCREEN_TYPE);
	tap(f, type);
	assert_int_equal(f->state, KIOSK_SCREEN_MUNICIPALITY);
	tap(f, "m:131016");
	assert_int_equal(f->state, KIOSK_SCREEN_PLACE_CARD);
	tick(f, 100); /* no card yet */
	assert_int_equal(f->state, KIOSK_SCREEN_PLACE_CARD);
	fk.present = 1;
	tick(f, 100);
	assert_int_equal(f->state, KIOSK_SCREEN_PIN);
}

static void happy_path(void **state)
{
	struct flow f;
	bool heard_card = false, heard_paper = false;
	const char *p;

	(void)state;
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	assert_int_equal(f.view.tries_left, 3);
	type_pin(&f, "1234");
	assert_string_equal(fk.last_pin, "1234");
	assert_int_equal(fk.verify_n, 1);
	/* the digits are gone from the vault buffer once the card answered */
	assert_int_equal(fk.pin_buf[0], 0);
	assert_int_equal(f.state, KIOSK_SCREEN_TAKE_CARD);
	p = flow_take_prompt(&f);
	heard_card = p != NULL && strcmp(p, "take_card") == 0;
	assert_true(heard_card);
	assert_int_equal(fk.ends, 0);
	fk.present = 0;
	tick(&f, 500);
	assert_int_equal(f.state, KIOSK_SCREEN_CONFIRM);
	assert_string_equal(f.view.holder_name, "山田 太郎");
	tap(&f, KIOSK_BTN_CONFIRM);
	assert_string_equal(fk.requested_muni, "131016");
	assert_int_equal(fk.requested_type, CENTER_CERT_DOMESTIC);
	assert_int_equal(fk.prints, 1);
	assert_int_equal(f.state, KIOSK_SCREEN_TAKE_CERTIFICATE);
	p = flow_take_prompt(&f);
	heard_paper = p != NULL && strcmp(p, "take_certificate") == 0;
	assert_true(heard_paper);
	/* wiped before the goodbye screen, and the view forgot the name */
	assert_int_equal(fk.ends, 1);
	assert_null(f.view.holder_name);
	tick(&f, 8001);
	assert_int_equal(f.state, KIOSK_SCREEN_IDLE);
	assert_int_equal(fk.ends, 1);
	assert_int_equal(f.issuances_done, 1);
}

static void wrong_then_right(void **state)
{
	struct flow f;

	(void)state;
	fk.verify_rc[0] = KIOSK_ERR_PIN_INCORRECT;
	fk.verify_tries[0] = 2;
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	type_pin(&f, "1111");
	assert_int_equal(f.state, KIOSK_SCREEN_PIN);
	assert_true(f.view.pin_was_wrong);
	assert_int_equal(f.view.tries_left, 2);
	assert_string_equal(flow_take_prompt(&f), "pin_wrong");
	type_pin(&f, "1234");
	assert_int_equal(fk.verify_n, 2); /* one VERIFY per PIN typed */
	assert_int_equal(f.state, KIOSK_SCREEN_TAKE_CARD);
}

static void last_try_then_blocked(void **state)
{
	struct flow f;

	(void)state;
	fk.verify_rc[0] = KIOSK_ERR_PIN_INCORRECT;
	fk.verify_tries[0] = 1;
	fk.verify_rc[1] = KIOSK_ERR_PIN_INCORRECT;
	fk.verify_tries[1] = 0;
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	type_pin(&f, "1111");
	assert_int_equal(f.view.tries_left, 1);
	assert_string_equal(flow_take_prompt(&f), "pin_last_try");
	type_pin(&f, "2222");
	assert_int_equal(f.state, KIOSK_SCREEN_MESSAGE);
	assert_int_equal(f.view.message, KIOSK_MSG_PIN_BLOCKED);
	assert_int_equal(fk.ends, 1);
	assert_int_equal(fk.verify_n, 2);
	/* the card is still in: after the message, the resident is asked for it */
	tap(&f, KIOSK_BTN_OK);
	assert_int_equal(f.state, KIOSK_SCREEN_TAKE_CARD);
	fk.present = 0;
	tick(&f, 100);
	assert_int_equal(f.state, KIOSK_SCREEN_IDLE);
	assert_int_equal(fk.verify_n, 2);
}

static void blocked_card_never_verified(void **state)
{
	struct flow f;

	(void)state;
	fk.open_tries = 0;
	flow_init(&f, &svc, &tmo, now);
	tap(&f, KIOSK_BTN_START);
	tap(&f, KIOSK_BTN_EN);
	tap(&f, KIOSK_BTN_DOMESTIC);
	tap(&f, "m:131016");
	fk.present = 1;
	tick(&f, 100);
	assert_int_equal(f.state, KIOSK_SCREEN_MESSAGE);
	assert_int_equal(f.view.message, KIOSK_MSG_PIN_BLOCKED);
	assert_int_equal(f.view.lang, KIOSK_LANG_EN);
	assert_int_equal(fk.verify_n, 0);
	assert_int_equal(fk.ends, 1);
}

static void short_pin_not_sent(void **state)
{
	struct flow f;

	(void)state;
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	tap(&f, "1");
	tap(&f, "2");
	tap(&f, "3");
	tap(&f, KIOSK_BTN_OK);
	assert_int_equal(fk.verify_n, 0);
	assert_int_equal(f.view.pin_digits, 3);
	tap(&f, KIOSK_BTN_DELETE);
	assert_int_equal(f.view.pin_digits, 2);
	assert_int_equal(fk.pin_buf[2], 0);
	tap(&f, "9");
	tap(&f, "9");
	tap(&f, "9"); /* a fifth digit is ignored */
	assert_int_equal(f.view.pin_digits, 4);
	tap(&f, KIOSK_BTN_OK);
	assert_int_equal(fk.verify_n, 1);
	assert_string_equal(fk.last_pin, "1299");
}

static void card_pulled_on_pin_screen(void **state)
{
	struct flow f;

	(void)state;
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	tap(&f, "1");
	fk.present = 0;
	tick(&f, 100);
	assert_int_equal(f.state, KIOSK_SCREEN_MESSAGE);
	assert_int_equal(f.view.message, KIOSK_MSG_CARD_REMOVED);
	assert_int_equal(fk.ends, 1);
	assert_int_equal(fk.pin_buf[0], 0);
	tick(&f, 8001);
	assert_int_equal(f.state, KIOSK_SCREEN_IDLE);
}

static void card_pulled_while_reading(void **state)
{
	struct flow f;

	(void)state;
	fk.read_rc = KIOSK_ERR_CARD_REMOVED;
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	fk.present = 0;
	type_pin(&f, "1234");
	assert_int_equal(f.state, KIOSK_SCREEN_MESSAGE);
	assert_int_equal(f.view.message, KIOSK_MSG_CARD_REMOVED);
	assert_int_equal(fk.ends, 1);
	assert_string_equal(flow_take_prompt(&f), "error");
}

/* Walk away on every screen that waits for the resident. */
static void timeouts_everywhere(void **state)
{
	struct flow f;
	static const char *const steps[] = { KIOSK_BTN_START, KIOSK_BTN_JA, KIOSK_BTN_DOMESTIC,
					     "m:131016" };

	(void)state;
	for (size_t n = 1; n <= 4; n++) {
		setup(NULL);
		flow_init(&f, &svc, &tmo, now);
		for (size_t i = 0; i < n; i++) {
			tap(&f, steps[i]);
		}
		assert_int_not_equal(f.state, KIOSK_SCREEN_IDLE);
		tick(&f, 59000);
		assert_int_not_equal(f.state, KIOSK_SCREEN_IDLE);
		assert_int_equal(f.view.seconds_left, 1);
		tick(&f, 1001);
		assert_int_equal(f.state, KIOSK_SCREEN_IDLE);
		assert_int_equal(fk.ends, 1);
	}
	/* PIN screen: 30 s, and the card still in is asked back */
	setup(NULL);
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	tick(&f, 30001);
	assert_int_equal(f.state, KIOSK_SCREEN_TAKE_CARD);
	assert_int_equal(fk.ends, 1);
	tick(&f, 30001); /* nobody took it: back to idle anyway */
	assert_int_equal(f.state, KIOSK_SCREEN_IDLE);
	assert_int_equal(fk.verify_n, 0);
	/* confirmation screen */
	setup(NULL);
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	type_pin(&f, "1234");
	fk.present = 0;
	tick(&f, 100);
	assert_int_equal(f.state, KIOSK_SCREEN_CONFIRM);
	tick(&f, 60001);
	assert_int_equal(f.state, KIOSK_SCREEN_IDLE);
	assert_int_equal(fk.ends, 1);
	assert_int_equal(fk.prints, 0);
}

static void cancel_everywhere(void **state)
{
	struct flow f;
	static const char *const steps[] = { KIOSK_BTN_START, KIOSK_BTN_JA, KIOSK_BTN_OVERSEAS,
					     "m:131016" };

	(void)state;
	for (size_t n = 1; n <= 4; n++) {
		setup(NULL);
		flow_init(&f, &svc, &tmo, now);
		for (size_t i = 0; i < n; i++) {
			tap(&f, steps[i]);
		}
		tap(&f, KIOSK_BTN_CANCEL);
		assert_int_equal(f.state, KIOSK_SCREEN_IDLE);
		assert_int_equal(fk.ends, 1);
	}
	setup(NULL);
	to_pin(&f, KIOSK_BTN_DOMESTIC);
	tap(&f, "5");
	tap(&f, KIOSK_BTN_CANCEL);
	assert_int_equal(f.state, KIOSK_SCREEN_TAKE_CARD);
	assert_int_equal(fk.ends, 1);
	assert_int_equal(fk.pin_buf[0], 0);
	assert_int_equal(fk.verify_n, 0);
}

static void only_participating_offered(void **state)
{
	struct flow f;

	(void)state;
	flow_init(&f, &svc, &tmo, now);
	tap(&f, KIOSK_BTN_START);
	tap(&f, KIOSK_BTN_JA);
	tap(&f, KIOSK_BTN_OVERSEAS);
	/* Osaka does not issue overseas certificates here: not offered */
	assert_int_equal(f.view.n_munis, 1);
	assert_string_equal(f.view.munis[0].code, "131016");
	tap(&f, "m:271004");
	assert_int_equal(f.state, KIOSK_SCREEN_MUNICIPALITY);
	tap(&f, "m:999999");
	assert_int_equal(f.state, KIOSK_SCREEN_MUNICIPALITY);
	tap(&f, KIOSK_BTN_BACK);
	tap(&f, KIOSK_BTN_DOMESTIC);
	assert_int_equal(f.view.n_munis, 2);
}

static void center_down_for_list(void **state)
{
	struct flow f;

	(void)state;
	fk.munis_rc = KIOSK_ERR_CENTER_UNREACHABLE;
	flow_init(&f, &svc, &tmo, now);
	tap(&f, KIOSK_BTN_START);
	tap(&f, KIOSK_BTN_JA);
	tap(&f, KIOSK_BTN_DOMESTIC);
	assert_int_equal(f.state, KIOSK_SCREEN_MESSAGE);
	assert_int_equal(f.view.message, KIOSK_MSG_CENTER_UNAVAILABLE);
	assert_int_equal(fk.ends, 1);
}

static void request_and_print_failures(void **state)
{
	static const struct {
		int request_rc, print_rc;
		enum kiosk_msg_id msg;
	} cases[] = {
		{ KIOSK_ERR_CERT_HOLDER_MISMATCH, 0, KIOSK_MSG_CERT_HOLDER_MISMATCH },
		{ KIOSK_ERR_CENTER_UNREACHABLE, 0, KIOSK_MSG_CENTER_UNAVAILABLE },
		{ 0, KIOSK_ERR_MEDIA_EMPTY, KIOSK_MSG_PRINTER_NO_PAPER },
	};
	struct flow f;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(NULL);
		fk.request_rc = cases[i].request_rc;
		fk.print_rc = cases[i].print_rc;
		to_pin(&f, KIOSK_BTN_DOMESTIC);
		type_pin(&f, "1234");
		fk.present = 0;
		tick(&f, 100);
		tap(&f, KIOSK_BTN_CONFIRM);
		assert_int_equal(f.state, KIOSK_SCREEN_MESSAGE);
		assert_int_equal(f.view.message, cases[i].msg);
		assert_int_equal(fk.ends, 1);
		assert_int_equal(f.issuances_done, 0);
		assert_null(f.view.holder_name);
		tap(&f, KIOSK_BTN_OK);
		assert_int_equal(f.state, KIOSK_SCREEN_IDLE);
	}
}

static void pinpad_reader(void **state)
{
	struct flow f;

	(void)state;
	fk.pinpad = true;
	fk.verify_rc[0] = KIOSK_ERR_PIN_INCORRECT;
	fk.verify_tries[0] = 2;
	flow_init(&f, &svc, &tmo, now);
	tap(&f, KIOSK_BTN_START);
	tap(&f, KIOSK_BTN_JA);
	tap(&f, KIOSK_BTN_DOMESTIC);
	tap(&f, "m:131016");
	fk.present = 1;
	flow_tick(&f, now);
	flow_work(&f, now); /* open */
	/* the reader is asked for the PIN at once; the screen keypad is not used */
	assert_int_equal(f.state, KIOSK_SCREEN_PIN);
	assert_true(f.view.pinpad);
	assert_null(f.pin);
	assert_true(flow_has_work(&f));
	flow_tap(&f, "1", now);
	assert_int_equal(f.view.pin_digits, 0);
	flow_work(&f, now); /* the resident types a wrong PIN on the reader */
	assert_int_equal(fk.verify_n, 1);
	assert_int_equal(f.state, KIOSK_SCREEN_PIN);
	assert_true(f.view.pin_was_wrong);
	flow_work(&f, now); /* ... and the right one */
	assert_int_equal(fk.verify_n, 2);
	assert_int_equal(f.state, KIOSK_SCREEN_READING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(happy_path, setup),
		cmocka_unit_test_setup(wrong_then_right, setup),
		cmocka_unit_test_setup(last_try_then_blocked, setup),
		cmocka_unit_test_setup(blocked_card_never_verified, setup),
		cmocka_unit_test_setup(short_pin_not_sent, setup),
		cmocka_unit_test_setup(card_pulled_on_pin_screen, setup),
		cmocka_unit_test_setup(card_pulled_while_reading, setup),
		cmocka_unit_test_setup(timeouts_everywhere, setup),
		cmocka_unit_test_setup(cancel_everywhere, setup),
		cmocka_unit_test_setup(only_participating_offered, setup),
		cmocka_unit_test_setup(center_down_for_list, setup),
		cmocka_unit_test_setup(request_and_print_failures, setup),
		cmocka_unit_test_setup(pinpad_reader, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
