/* SPDX-License-Identifier: MIT */
/*
 * One error type for the whole firmware: 0 is success, negative values are
 * KIOSK_ERR_*, banded per subsystem. Library codes (PC/SC LONG, mbedTLS int)
 * never leak into these values; a context keeps them in its last_lib_err.
 */
#ifndef KIOSK_ERR_H
#define KIOSK_ERR_H

enum kiosk_err {
	KIOSK_OK = 0,

	/* -1xx: arguments, memory, generic */
	KIOSK_ERR_INVALID_ARG = -100,
	KIOSK_ERR_NO_MEMORY = -101,
	KIOSK_ERR_BUFFER_TOO_SMALL = -102,
	KIOSK_ERR_NOT_SUPPORTED = -103,
	KIOSK_ERR_INTERNAL = -104,
	KIOSK_ERR_VAULT = -105,          /* locked memory unavailable */
	KIOSK_ERR_CONFIG = -106,         /* board configuration invalid */
	KIOSK_ERR_IO = -107,
	KIOSK_ERR_TIMEOUT = -108,        /* a wait (not an APDU) ran out */
	KIOSK_ERR_ANCHORS_MISSING = -109, /* no trust anchors for a production board */
	KIOSK_ERR_TEST_ANCHOR = -110,    /* a test-only anchor on a production board */
	KIOSK_ERR_REFUSED = -111,        /* a QA-only option on a production board */

	/* -2xx: reader and card transport */
	KIOSK_ERR_NO_READER = -200,      /* no reader matches the board's pattern */
	KIOSK_ERR_READER_GONE = -201,    /* reader or PC/SC service disappeared */
	KIOSK_ERR_NO_CARD = -202,        /* no card placed within the wait */
	KIOSK_ERR_CARD_REMOVED = -203,   /* card pulled out mid-transaction */
	KIOSK_ERR_CARD_TIMEOUT = -204,   /* card stopped answering (watchdog) */
	KIOSK_ERR_CARD_BUSY = -205,      /* reader held by another process */
	KIOSK_ERR_CARD_PROTOCOL = -206,  /* malformed response or unexpected SW */
	KIOSK_ERR_NOT_MYNUMBER_CARD = -207, /* AP SELECT answered 6A 82 */
	KIOSK_ERR_CARD_DATA = -208,      /* EF content malformed (TLV, UTF-8, date, ...) */
	KIOSK_ERR_MYNUMBER_CHECK_DIGIT = -209,

	/* -3xx: PIN */
	KIOSK_ERR_PIN_FORMAT = -300,     /* not 4 ASCII digits; never sent to the card */
	KIOSK_ERR_PIN_INCORRECT = -301,
	KIOSK_ERR_PIN_BLOCKED = -302,
	KIOSK_ERR_PIN_CANCELLED = -303,
	KIOSK_ERR_PIN_TIMEOUT = -304,
	KIOSK_ERR_PIN_NOT_VERIFIED = -305, /* protected EF read before VERIFY */

	/* -4xx: signature chain and crypto */
	KIOSK_ERR_CHAIN_UNKNOWN_CA = -400,
	KIOSK_ERR_CHAIN_CERT = -401,        /* check A: CV certificate signature */
	KIOSK_ERR_CHAIN_RECORD = -402,      /* check B: integrity record signature */
	KIOSK_ERR_CHAIN_MYNUMBER_HASH = -403, /* check C */
	KIOSK_ERR_CHAIN_BASIC4_HASH = -404, /* check D */
	KIOSK_ERR_PRESENCE = -405,          /* check E or the nonce signature */
	KIOSK_ERR_CRYPTO = -406,            /* mbedTLS failure unrelated to data */

	/* -5xx: network, TLS, center protocol (later issues) */
	KIOSK_ERR_NETWORK = -500,

	/* -6xx: display, printer, audio (later issues) */
	KIOSK_ERR_PRINTER = -600,

	/* -7xx: update and flash (later issues) */
	KIOSK_ERR_UPDATE = -700,
};

/** Short English developer text for an error code; never NULL. */
const char *kiosk_strerror(int err);

/** Stable symbolic name ("CARD_REMOVED") for logs and JSON; never NULL. */
const char *kiosk_err_name(int err);

#endif /* KIOSK_ERR_H */
