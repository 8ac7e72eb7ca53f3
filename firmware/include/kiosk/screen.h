/* SPDX-License-Identifier: MIT */
/*
 * What the kiosk shows: one screen model per flow state, filled by the flow
 * (firmware/kiosk) and drawn by the UI (firmware/ui, cairo/pango) for pixel
 * displays or printed as text by the tty display. Backends never decide what
 * a screen says; they only draw this.
 *
 * Personal data: only the confirmation screen carries any (the holder's name
 * and birth date), and only as pointers into the vault (@holder_*), never as
 * copies in this struct. Text displays that are not a terminal mask them.
 */
#ifndef KIOSK_SCREEN_H
#define KIOSK_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

#include "kiosk/msg.h"

/* One per flow state (the flow's states and the screens are the same list). */
enum kiosk_screen_id {
	KIOSK_SCREEN_IDLE = 0,       /* 「証明書を発行する / Issue a certificate」 */
	KIOSK_SCREEN_LANGUAGE,       /* 日本語 / English */
	KIOSK_SCREEN_TYPE,           /* domestic / overseas + domestic */
	KIOSK_SCREEN_MUNICIPALITY,   /* participating municipalities, paged */
	KIOSK_SCREEN_PLACE_CARD,     /* place the My Number card on the reader */
	KIOSK_SCREEN_PIN,            /* 4-digit PIN, tries left; keypad or PIN pad */
	KIOSK_SCREEN_READING,        /* reading and verifying the card */
	KIOSK_SCREEN_TAKE_CARD,      /* please take your card */
	KIOSK_SCREEN_CONFIRM,        /* name and birth date; confirm / cancel */
	KIOSK_SCREEN_REQUESTING,     /* asking the certificate center */
	KIOSK_SCREEN_PRINTING,       /* printing */
	KIOSK_SCREEN_TAKE_CERTIFICATE, /* please take your certificate */
	KIOSK_SCREEN_MESSAGE,        /* what happened and what to do, then idle */
	KIOSK_SCREEN_COUNT
};

#define KIOSK_BUTTON_ID_MAX 24
#define KIOSK_BUTTON_LABEL_MAX 96
#define KIOSK_SCREEN_BUTTONS_MAX 16
#define KIOSK_SCREEN_TITLE_MAX 160
#define KIOSK_SCREEN_BODY_MAX 640

/* Stable button ids (scripts and tests tap these). Municipality buttons are
 * "m:<6-digit code>"; keypad digits are "0".."9". */
#define KIOSK_BTN_START "start"
#define KIOSK_BTN_JA "ja"
#define KIOSK_BTN_EN "en"
#define KIOSK_BTN_DOMESTIC "domestic"
#define KIOSK_BTN_OVERSEAS "overseas"
#define KIOSK_BTN_PREV "prev"
#define KIOSK_BTN_NEXT "next"
#define KIOSK_BTN_DELETE "del"
#define KIOSK_BTN_OK "ok"
#define KIOSK_BTN_CONFIRM "confirm"
#define KIOSK_BTN_CANCEL "cancel"
#define KIOSK_BTN_BACK "back"
#define KIOSK_BTN_RETRY "retry"   /* wrong PIN: type again */

struct kiosk_button {
	char id[KIOSK_BUTTON_ID_MAX];
	char label[KIOSK_BUTTON_LABEL_MAX]; /* in the screen's language */
	bool primary;                       /* the one big button the resident should press */
};

enum kiosk_screen_tone { KIOSK_TONE_NORMAL = 0, KIOSK_TONE_ATTENTION, KIOSK_TONE_ERROR };

struct kiosk_screen {
	enum kiosk_screen_id id;
	enum kiosk_lang lang;
	bool bilingual;          /* idle / language: show Japanese and English together */
	enum kiosk_screen_tone tone;
	char title[KIOSK_SCREEN_TITLE_MAX];
	char title_en[KIOSK_SCREEN_TITLE_MAX]; /* used when @bilingual */
	char body[KIOSK_SCREEN_BODY_MAX];      /* may hold '\n' */
	char body_en[KIOSK_SCREEN_BODY_MAX];   /* used when @bilingual */
	struct kiosk_button buttons[KIOSK_SCREEN_BUTTONS_MAX];
	size_t n_buttons;
	/* PIN screen */
	bool keypad;             /* draw a 0-9 / del / ok keypad (ids "0".."9", del, ok) */
	unsigned pin_digits;     /* how many digits typed so far (drawn as dots) */
	int tries_left;          /* -1 when unknown */
	/* confirmation screen: vault pointers, NULL elsewhere */
	const char *holder_name;       /* "family given", UTF-8 */
	const char *holder_birth_date; /* YYYY-MM-DD */
	unsigned seconds_left;   /* inactivity countdown shown near the cancel button; 0 = none */
};

/** Stable lower-case name ("idle", "pin", "take_card", ...), for scripts and logs. */
const char *kiosk_screen_name(enum kiosk_screen_id id);
/** The id for a name; KIOSK_SCREEN_COUNT when unknown. */
enum kiosk_screen_id kiosk_screen_by_name(const char *name);

/* Append a button; silently ignores overflow (screens are built from fixed lists). */
void kiosk_screen_add_button(struct kiosk_screen *s, const char *id, const char *label,
			     bool primary);

#endif /* KIOSK_SCREEN_H */
