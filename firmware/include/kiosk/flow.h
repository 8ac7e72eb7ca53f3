/* SPDX-License-Identifier: MIT */
/*
 * The resident's issuance as one explicit state machine. Every state is a
 * screen (kiosk/screen.h); every transition is in firmware/kiosk/flow.c's
 * tables and handlers, and nowhere else:
 *
 *   idle -> language -> type -> municipality -> place_card -> pin -> reading
 *        -> take_card -> confirm -> requesting -> printing -> take_certificate -> idle
 *
 * plus message (what went wrong, then idle), cancel on every screen and an
 * inactivity timeout on every screen but idle. The card goes back to the
 * resident (take_card) before the certificate is requested and printed.
 *
 * The flow does no I/O itself: it calls the services (card, center, printer)
 * through an ops table, so unit tests drive it with fakes and the kiosk with
 * the real pcscd, center and printer. It never holds personal data: the PIN
 * digits go straight into a vault buffer the services lend, and the holder's
 * name and birth date stay in the vault (the view only points at them).
 *
 * Every way out of an issuance (done, cancel, timeout, error, card pulled)
 * calls services->end(), which wipes the vault; the flow counts those calls
 * so tests can check that none is missed.
 */
#ifndef KIOSK_FLOW_H
#define KIOSK_FLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "kiosk/center.h"
#include "kiosk/ui.h"

#define FLOW_PIN_LEN 4
#define FLOW_MUNIS_MAX 64

struct flow_services {
	void *ctx;
	/** Participating municipalities (cached by the services; refreshed when stale). */
	int (*municipalities)(void *ctx, const struct center_municipality **list, size_t *n);
	/** Is a card on the reader? Waits at most @wait_ms. 1 yes, 0 no, <0 reader error. */
	int (*card_present)(void *ctx, unsigned wait_ms);
	/** Connect, select the AP, read the certificate, ask the tries (no try used). */
	int (*card_open)(void *ctx, int *tries_left, bool *pinpad);
	/** A vault buffer of @cap >= FLOW_PIN_LEN + 1 bytes for the typed digits. */
	char *(*pin_buffer)(void *ctx);
	/** Exactly one VERIFY: with @pin (on-screen keypad) or on the reader's keypad
	 *  (@pin NULL). Sets @tries_left on a wrong PIN. */
	int (*card_verify)(void *ctx, const char *pin, size_t len, int *tries_left);
	/** Read + verify the card data and prove presence over the center's
	 *  challenge; unpower the card. @name / @birth point into the vault. */
	int (*card_read)(void *ctx, const char **name, const char **birth);
	/** Request the certificate and verify it (issuer, holder). */
	int (*request)(void *ctx, const char *municipality, enum center_cert_type type);
	/** Render and print the verified certificate. */
	int (*print)(void *ctx);
	/** The issuance is over: unpower the card, wipe the vault. Idempotent. */
	void (*end)(void *ctx);
};

struct flow_timeouts {
	unsigned screen_ms;     /* any screen, no input -> idle */
	unsigned pin_ms;        /* the PIN screen */
	unsigned take_card_ms;  /* waiting for the card to be taken back */
	unsigned take_paper_ms; /* "take your certificate" shown this long */
	unsigned message_ms;    /* an error message shown this long */
};

struct flow {
	enum kiosk_screen_id state;
	struct kiosk_view view;
	const struct flow_services *svc;
	struct flow_timeouts t;
	char municipality[CENTER_MUNI_CODE_LEN + 1];
	struct center_municipality munis[FLOW_MUNIS_MAX]; /* offered (public data) */
	size_t n_munis;
	bool card_seen;          /* place_card: a card arrived, open it */
	bool verify_pending;     /* pin: a full PIN was typed (or the PIN pad is asked) */
	unsigned reminders;      /* take_card: reminders spoken so far */
	char *pin;               /* vault buffer (services), NULL outside the PIN screen */
	long entered_ms;         /* when the state was entered */
	long last_input_ms;      /* inactivity timer */
	bool in_issuance;        /* between start and the end() that closes it */
	long issuance_start_ms;
	bool card_in;            /* a card is (or may be) on the reader */
	enum kiosk_screen_id after_take_card; /* take_card leads here once the card is gone */
	bool changed;            /* the screen must be drawn again */
	const char *prompt;      /* voice prompt to play now (static name), or NULL */
	int last_result;         /* how the last step ended (KIOSK_OK / KIOSK_ERR_*) */
	unsigned verify_calls;   /* VERIFYs asked for (one per PIN typed) */
	unsigned ends;           /* services->end() calls (vault wipes) */
	unsigned issuances_done; /* certificates printed */
	bool quit_when_idle;     /* stop once back on the idle screen */
};

void flow_init(struct flow *f, const struct flow_services *svc, const struct flow_timeouts *t,
	       long now_ms);
/** A button was pressed. */
void flow_tap(struct flow *f, const char *id, long now_ms);
/** Time passed: timeouts, card polling, countdowns. Call at least every 200 ms. */
void flow_tick(struct flow *f, long now_ms);
/** True when the current state has blocking work (card, center, printer) to do. */
bool flow_has_work(const struct flow *f);
/** Do that work (after its screen is shown) and move on. */
void flow_work(struct flow *f, long now_ms);
/** The voice prompt due now (and forget it), or NULL. */
const char *flow_take_prompt(struct flow *f);
/** Milliseconds until this state times out; -1 when it never does. */
long flow_ms_left(const struct flow *f, long now_ms);

#endif /* KIOSK_FLOW_H */
