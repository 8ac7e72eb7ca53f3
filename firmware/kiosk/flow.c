/* SPDX-License-Identifier: MIT */
/*
 * The issuance state machine (see kiosk/flow.h for the picture). Taps,
 * ticks and work are the only inputs; enter() is the only way into a state
 * and finish() the only way out of an issuance.
 */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/clock.h"
#include "kiosk/err.h"
#include "kiosk/flow.h"
#include "kiosk/oplog.h"

/* Countdown shown in the last seconds before an inactivity timeout. */
#define FLOW_COUNTDOWN_MS 10000L
/* The take-card reminder is spoken again this often while the card stays in. */
#define FLOW_REMIND_MS 8000L

/* Which screens time out, and after which board setting. */
static long timeout_of(const struct flow *f, enum kiosk_screen_id s)
{
	switch (s) {
	case KIOSK_SCREEN_LANGUAGE:
	case KIOSK_SCREEN_TYPE:
	case KIOSK_SCREEN_MUNICIPALITY:
	case KIOSK_SCREEN_PLACE_CARD:
	case KIOSK_SCREEN_CONFIRM:
		return f->t.screen_ms;
	case KIOSK_SCREEN_PIN:
		return f->t.pin_ms;
	case KIOSK_SCREEN_TAKE_CARD:
		return f->t.take_card_ms;
	case KIOSK_SCREEN_TAKE_CERTIFICATE:
		return f->t.take_paper_ms;
	case KIOSK_SCREEN_MESSAGE:
		return f->t.message_ms;
	default:
		return -1; /* idle waits forever; work screens end with their work */
	}
}

/* The voice prompt that goes with entering a screen. */
static const char *prompt_of(const struct flow *f, enum kiosk_screen_id s)
{
	switch (s) {
	case KIOSK_SCREEN_LANGUAGE:
		return "welcome";
	case KIOSK_SCREEN_PLACE_CARD:
		return "place_card";
	case KIOSK_SCREEN_PIN:
		if (f->view.pin_was_wrong) {
			return f->view.tries_left == 1 ? "pin_last_try" : "pin_wrong";
		}
		return "enter_pin";
	case KIOSK_SCREEN_TAKE_CARD:
		return "take_card";
	case KIOSK_SCREEN_CONFIRM:
		return "confirm";
	case KIOSK_SCREEN_PRINTING:
		return "printing";
	case KIOSK_SCREEN_TAKE_CERTIFICATE:
		return "take_certificate";
	case KIOSK_SCREEN_MESSAGE:
		return f->card_in ? "take_card" : "error";
	default:
		return NULL;
	}
}

/* How long a blocking step took, for the operation log. */
static long step_ms(int64_t t0)
{
	return (long)(kiosk_now_ms() - t0);
}

static void enter(struct flow *f, enum kiosk_screen_id s, long now)
{
	f->state = s;
	f->view.id = s;
	f->view.seconds_left = 0;
	f->entered_ms = now;
	f->last_input_ms = now;
	f->changed = true;
	f->prompt = prompt_of(f, s);
}

static void forget_pin(struct flow *f)
{
	if (f->pin != NULL) {
		mbedtls_platform_zeroize(f->pin, FLOW_PIN_LEN + 1);
	}
	f->pin = NULL;
	f->view.pin_digits = 0;
}

/* The one way out of an issuance: the services unpower the card and wipe the vault. */
static void finish(struct flow *f, int result, long now)
{
	forget_pin(f);
	f->view.holder_name = NULL;
	f->view.holder_birth_date = NULL;
	f->svc->end(f->svc->ctx);
	f->ends++;
	if (f->in_issuance) {
		oplog_event(OPLOG_ISSUANCE, NULL, result, now - f->issuance_start_ms);
	}
	f->in_issuance = false;
	f->last_result = result;
}

static void go_idle(struct flow *f, long now)
{
	if (f->in_issuance) {
		finish(f, KIOSK_ERR_CANCELLED, now);
	}
	/* the next resident starts from nothing, in Japanese */
	memset(&f->view, 0, sizeof(f->view));
	f->view.lang = KIOSK_LANG_JA;
	f->view.tries_left = -1;
	f->municipality[0] = '\0';
	f->n_munis = 0;
	enter(f, KIOSK_SCREEN_IDLE, now);
}

/* Leave the issuance; a card still on the reader is asked back first. */
static void leave(struct flow *f, int result, long now)
{
	if (f->in_issuance) {
		finish(f, result, now);
	}
	if (f->card_in) {
		f->after_take_card = KIOSK_SCREEN_IDLE;
		enter(f, KIOSK_SCREEN_TAKE_CARD, now);
	} else {
		go_idle(f, now);
	}
}

/* Something went wrong: wipe at once, then say what happened. */
static void fail(struct flow *f, int err, long now)
{
	finish(f, err, now);
	f->view.message = kiosk_err_msg(err);
	enter(f, KIOSK_SCREEN_MESSAGE, now);
}

void flow_init(struct flow *f, const struct flow_services *svc, const struct flow_timeouts *t,
	       long now_ms)
{
	memset(f, 0, sizeof(*f));
	f->svc = svc;
	f->t = *t;
	go_idle(f, now_ms);
}

/* The municipalities this resident may choose: participating, and able to
 * issue overseas certificates when that is what was asked for. */
static int load_munis(struct flow *f)
{
	const struct center_municipality *list = NULL;
	size_t n = 0;
	int rc = f->svc->municipalities(f->svc->ctx, &list, &n);

	f->n_munis = 0;
	if (rc != 0) {
		return rc;
	}
	for (size_t i = 0; i < n && f->n_munis < FLOW_MUNIS_MAX; i++) {
		if (f->view.type == CENTER_CERT_OVERSEAS && !list[i].overseas) {
			continue;
		}
		f->munis[f->n_munis++] = list[i];
	}
	f->view.munis = f->munis;
	f->view.n_munis = f->n_munis;
	f->view.page = 0;
	return 0;
}

static bool offered(const struct flow *f, const char *code)
{
	for (size_t i = 0; i < f->n_munis; i++) {
		if (strcmp(f->munis[i].code, code) == 0) {
			return true;
		}
	}
	return false;
}

static void tap_municipality(struct flow *f, const char *id, long now)
{
	size_t pages = (f->n_munis + KIOSK_UI_MUNIS_PER_PAGE - 1) / KIOSK_UI_MUNIS_PER_PAGE;

	if (strcmp(id, KIOSK_BTN_NEXT) == 0 && f->view.page + 1 < pages) {
		f->view.page++;
		f->changed = true;
	} else if (strcmp(id, KIOSK_BTN_PREV) == 0 && f->view.page > 0) {
		f->view.page--;
		f->changed = true;
	} else if (strcmp(id, KIOSK_BTN_BACK) == 0) {
		enter(f, KIOSK_SCREEN_TYPE, now);
	} else if (strncmp(id, "m:", 2) == 0 && strlen(id + 2) == CENTER_MUNI_CODE_LEN &&
		   offered(f, id + 2)) {
		/* Only a municipality the center listed can be chosen. */
		memcpy(f->municipality, id + 2, CENTER_MUNI_CODE_LEN + 1);
		enter(f, KIOSK_SCREEN_PLACE_CARD, now);
	}
}

static void tap_pin(struct flow *f, const char *id, long now)
{
	if (f->view.pinpad || f->pin == NULL) {
		return; /* the PIN is typed on the reader */
	}
	if (id[0] >= '0' && id[0] <= '9' && id[1] == '\0') {
		if (f->view.pin_digits < FLOW_PIN_LEN) {
			f->pin[f->view.pin_digits++] = id[0];
			f->changed = true;
		}
	} else if (strcmp(id, KIOSK_BTN_DELETE) == 0 && f->view.pin_digits > 0) {
		f->pin[--f->view.pin_digits] = '\0';
		f->changed = true;
	} else if (strcmp(id, KIOSK_BTN_OK) == 0 && f->view.pin_digits == FLOW_PIN_LEN) {
		f->verify_pending = true;
	}
	(void)now;
}

void flow_tap(struct flow *f, const char *id, long now_ms)
{
	f->last_input_ms = now_ms;
	if (strcmp(id, KIOSK_BTN_CANCEL) == 0 && f->state != KIOSK_SCREEN_IDLE &&
	    !flow_has_work(f)) {
		oplog_event(OPLOG_CANCEL, kiosk_screen_name(f->state), KIOSK_ERR_CANCELLED, 0);
		leave(f, KIOSK_ERR_CANCELLED, now_ms);
		return;
	}
	switch (f->state) {
	case KIOSK_SCREEN_IDLE:
		if (strcmp(id, KIOSK_BTN_START) == 0) {
			f->in_issuance = true;
			f->issuance_start_ms = now_ms;
			enter(f, KIOSK_SCREEN_LANGUAGE, now_ms);
		}
		break;
	case KIOSK_SCREEN_LANGUAGE:
		if (strcmp(id, KIOSK_BTN_JA) == 0 || strcmp(id, KIOSK_BTN_EN) == 0) {
			f->view.lang = id[0] == 'e' ? KIOSK_LANG_EN : KIOSK_LANG_JA;
			enter(f, KIOSK_SCREEN_TYPE, now_ms);
		}
		break;
	case KIOSK_SCREEN_TYPE:
		if (strcmp(id, KIOSK_BTN_BACK) == 0) {
			enter(f, KIOSK_SCREEN_LANGUAGE, now_ms);
		} else if (strcmp(id, KIOSK_BTN_DOMESTIC) == 0 ||
			   strcmp(id, KIOSK_BTN_OVERSEAS) == 0) {
			int rc;

			f->view.type = id[0] == 'o' ? CENTER_CERT_OVERSEAS : CENTER_CERT_DOMESTIC;
			rc = load_munis(f);
			oplog_event(OPLOG_MUNICIPALITIES, NULL, rc, 0);
			if (rc != 0) {
				fail(f, rc, now_ms);
			} else {
				enter(f, KIOSK_SCREEN_MUNICIPALITY, now_ms);
			}
		}
		break;
	case KIOSK_SCREEN_MUNICIPALITY:
		tap_municipality(f, id, now_ms);
		break;
	case KIOSK_SCREEN_PIN:
		tap_pin(f, id, now_ms);
		break;
	case KIOSK_SCREEN_CONFIRM:
		if (strcmp(id, KIOSK_BTN_CONFIRM) == 0) {
			enter(f, KIOSK_SCREEN_REQUESTING, now_ms);
		}
		break;
	case KIOSK_SCREEN_MESSAGE:
		if (strcmp(id, KIOSK_BTN_OK) == 0) {
			leave(f, f->last_result, now_ms);
		}
		break;
	default:
		break; /* work and reminder screens take no taps */
	}
}

static void timed_out(struct flow *f, long now)
{
	oplog_event(OPLOG_TIMEOUT, kiosk_screen_name(f->state), KIOSK_ERR_TIMEOUT, now - f->entered_ms);
	switch (f->state) {
	case KIOSK_SCREEN_TAKE_CARD:
		/* Nobody took the card: go on anyway (it is unpowered); a resident who
		 * walked away meets the confirmation screen's own timeout. */
		if (f->after_take_card == KIOSK_SCREEN_CONFIRM && f->in_issuance) {
			enter(f, KIOSK_SCREEN_CONFIRM, now);
		} else {
			go_idle(f, now);
		}
		break;
	case KIOSK_SCREEN_TAKE_CERTIFICATE:
		go_idle(f, now);
		break;
	case KIOSK_SCREEN_MESSAGE:
		leave(f, f->last_result, now);
		break;
	default:
		leave(f, KIOSK_ERR_CANCELLED, now); /* walked away */
		break;
	}
}

/* Card polling where the card matters: arrival, removal, being taken back. */
static void poll_card(struct flow *f, long now)
{
	int present;

	switch (f->state) {
	case KIOSK_SCREEN_PLACE_CARD:
	case KIOSK_SCREEN_PIN:
	case KIOSK_SCREEN_TAKE_CARD:
	case KIOSK_SCREEN_MESSAGE:
		break;
	default:
		return;
	}
	present = f->svc->card_present(f->svc->ctx, 0);
	if (present < 0) {
		if (f->state == KIOSK_SCREEN_PLACE_CARD || f->state == KIOSK_SCREEN_PIN) {
			f->card_in = false;
			fail(f, present, now);
		}
		return;
	}
	if (f->state == KIOSK_SCREEN_PLACE_CARD) {
		if (present == 1) {
			f->card_in = true;
			f->card_seen = true;
		}
		return;
	}
	if (present == 0 && f->card_in) {
		f->card_in = false;
		if (f->state == KIOSK_SCREEN_PIN) {
			fail(f, KIOSK_ERR_CARD_REMOVED, now);
		} else if (f->state == KIOSK_SCREEN_TAKE_CARD) {
			oplog_event(OPLOG_CARD_TAKEN, NULL, KIOSK_OK, now - f->entered_ms);
			if (f->after_take_card == KIOSK_SCREEN_CONFIRM && f->in_issuance) {
				enter(f, KIOSK_SCREEN_CONFIRM, now);
			} else {
				go_idle(f, now);
			}
		}
	}
}

void flow_tick(struct flow *f, long now_ms)
{
	long left;

	poll_card(f, now_ms);
	if (flow_has_work(f)) {
		return;
	}
	left = flow_ms_left(f, now_ms);
	if (left == 0) {
		timed_out(f, now_ms);
		return;
	}
	if (f->state == KIOSK_SCREEN_TAKE_CARD && f->card_in &&
	    now_ms - f->entered_ms >= FLOW_REMIND_MS * (long)(f->reminders + 1)) {
		f->reminders++;
		f->prompt = "take_card";
	}
	if (left > 0 && left <= FLOW_COUNTDOWN_MS && f->state != KIOSK_SCREEN_TAKE_CERTIFICATE &&
	    f->state != KIOSK_SCREEN_TAKE_CARD) {
		unsigned s = (unsigned)((left + 999) / 1000);

		if (s != f->view.seconds_left) {
			f->view.seconds_left = s;
			f->changed = true;
		}
	}
}

bool flow_has_work(const struct flow *f)
{
	switch (f->state) {
	case KIOSK_SCREEN_PLACE_CARD:
		return f->card_seen;
	case KIOSK_SCREEN_PIN:
		return f->verify_pending;
	case KIOSK_SCREEN_READING:
	case KIOSK_SCREEN_REQUESTING:
	case KIOSK_SCREEN_PRINTING:
		return true;
	default:
		return false;
	}
}

static void work_open(struct flow *f, long now)
{
	int tries = -1;
	bool pinpad = false;
	int rc;

	int64_t t0 = kiosk_now_ms();

	f->card_seen = false;
	rc = f->svc->card_open(f->svc->ctx, &tries, &pinpad);
	oplog_event(OPLOG_CARD_OPEN, NULL, rc, step_ms(t0));
	if (rc == 0 && tries == 0) {
		rc = KIOSK_ERR_PIN_BLOCKED; /* reported, never probed with a VERIFY */
	}
	if (rc != 0) {
		fail(f, rc, now);
		return;
	}
	f->view.tries_left = tries;
	f->view.pinpad = pinpad;
	f->view.pin_was_wrong = false;
	f->pin = pinpad ? NULL : f->svc->pin_buffer(f->svc->ctx);
	if (!pinpad && f->pin == NULL) {
		fail(f, KIOSK_ERR_VAULT, now);
		return;
	}
	/* With a PIN pad the reader collects the PIN as soon as the screen asks. */
	f->verify_pending = pinpad;
	enter(f, KIOSK_SCREEN_PIN, now);
}

static void work_verify(struct flow *f, long now)
{
	int tries = f->view.tries_left;
	int64_t t0 = kiosk_now_ms();
	int rc;

	f->verify_pending = false;
	f->verify_calls++;
	rc = f->svc->card_verify(f->svc->ctx, f->view.pinpad ? NULL : f->pin,
				 f->view.pinpad ? 0 : f->view.pin_digits, &tries);
	/* The digits are not needed once the card has answered. */
	if (f->pin != NULL) {
		mbedtls_platform_zeroize(f->pin, FLOW_PIN_LEN + 1);
	}
	f->view.pin_digits = 0;
	oplog_event(OPLOG_PIN_VERIFY, NULL, rc, step_ms(t0));
	if (rc == KIOSK_ERR_PIN_INCORRECT && tries > 0) {
		f->view.pin_was_wrong = true;
		f->view.tries_left = tries;
		/* A PIN pad asks again on its own keypad: that is a new PIN typed. */
		f->verify_pending = f->view.pinpad;
		enter(f, KIOSK_SCREEN_PIN, now);
		return;
	}
	if (rc == KIOSK_ERR_PIN_INCORRECT) {
		rc = KIOSK_ERR_PIN_BLOCKED;
	}
	if (rc != 0) {
		if (rc == KIOSK_ERR_CARD_REMOVED) {
			f->card_in = false;
		}
		fail(f, rc, now);
		return;
	}
	forget_pin(f);
	enter(f, KIOSK_SCREEN_READING, now);
}

static void work_read(struct flow *f, long now)
{
	const char *name = NULL, *birth = NULL;
	int64_t t0 = kiosk_now_ms();
	int rc = f->svc->card_read(f->svc->ctx, &name, &birth);

	oplog_event(OPLOG_CARD_READ, NULL, rc, step_ms(t0));
	if (rc != 0) {
		if (rc == KIOSK_ERR_CARD_REMOVED) {
			f->card_in = false;
		}
		fail(f, rc, now);
		return;
	}
	f->view.holder_name = name;
	f->view.holder_birth_date = birth;
	/* The card goes back to the resident before anything is printed. */
	f->after_take_card = KIOSK_SCREEN_CONFIRM;
	f->reminders = 0;
	enter(f, KIOSK_SCREEN_TAKE_CARD, now);
}

void flow_work(struct flow *f, long now_ms)
{
	int64_t t0 = kiosk_now_ms();
	int rc;

	switch (f->state) {
	case KIOSK_SCREEN_PLACE_CARD:
		work_open(f, now_ms);
		break;
	case KIOSK_SCREEN_PIN:
		work_verify(f, now_ms);
		break;
	case KIOSK_SCREEN_READING:
		work_read(f, now_ms);
		break;
	case KIOSK_SCREEN_REQUESTING:
		rc = f->svc->request(f->svc->ctx, f->municipality, f->view.type);
		oplog_event(OPLOG_REQUEST, NULL, rc, step_ms(t0));
		if (rc != 0) {
			fail(f, rc, now_ms);
		} else {
			enter(f, KIOSK_SCREEN_PRINTING, now_ms);
		}
		break;
	case KIOSK_SCREEN_PRINTING:
		rc = f->svc->print(f->svc->ctx);
		oplog_event(OPLOG_PRINT, NULL, rc, step_ms(t0));
		if (rc != 0) {
			fail(f, rc, now_ms);
			break;
		}
		f->issuances_done++;
		/* Nothing personal is needed any more: wipe before the goodbye. */
		finish(f, KIOSK_OK, now_ms);
		enter(f, KIOSK_SCREEN_TAKE_CERTIFICATE, now_ms);
		break;
	default:
		break;
	}
}

const char *flow_take_prompt(struct flow *f)
{
	const char *p = f->prompt;

	f->prompt = NULL;
	return p;
}

long flow_ms_left(const struct flow *f, long now_ms)
{
	long limit = timeout_of(f, f->state);
	long since;

	if (limit < 0) {
		return -1;
	}
	/* Reminder screens count from their start; input screens from the last tap. */
	since = (f->state == KIOSK_SCREEN_TAKE_CARD || f->state == KIOSK_SCREEN_TAKE_CERTIFICATE ||
		 f->state == KIOSK_SCREEN_MESSAGE)
			? now_ms - f->entered_ms
			: now_ms - f->last_input_ms;
	return since >= limit ? 0 : limit - since;
}
