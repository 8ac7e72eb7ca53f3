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
	KIOSK_ERR_CANCELLED = -112,      /* the resident cancelled or walked away */

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
	/* -41x: issued certificates (SMART Health Card, VDS-NC) */
	KIOSK_ERR_CERT_FORMAT = -410,       /* malformed JWS/seal/JSON, wrong alg/zip/type, field missing */
	KIOSK_ERR_CERT_SIGNATURE = -411,    /* signature does not verify (or is not raw r||s) */
	KIOSK_ERR_CERT_UNKNOWN_KEY = -412,  /* kid not in the pinned SHC key set */
	KIOSK_ERR_CERT_CHAIN = -413,        /* VDS-NC signer does not chain to the pinned CSCA */
	KIOSK_ERR_CERT_TOO_LARGE = -414,    /* input, inflated payload (zip bomb) or field over its cap */
	KIOSK_ERR_CERT_HOLDER_MISMATCH = -415, /* certificate is for someone other than the card holder */
	KIOSK_ERR_CERT_TRUST = -416,        /* pinned JWKS / CSCA file unusable (e.g. kid != thumbprint) */

	/* -5xx: network, TLS, center protocol (later issues) */
	KIOSK_ERR_NETWORK = -500,
	KIOSK_ERR_CENTER_UNREACHABLE = -501,  /* connection refused, no route, no address */
	KIOSK_ERR_CONNECT_TIMEOUT = -502,     /* TCP connect ran out of time */
	KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT = -503,
	KIOSK_ERR_READ_TIMEOUT = -504,        /* the center stopped answering mid-exchange */
	KIOSK_ERR_TLS_UNTRUSTED = -505,       /* server certificate not from the pinned CA */
	KIOSK_ERR_TLS_EXPIRED = -506,         /* server certificate expired or not yet valid */
	KIOSK_ERR_TLS_WRONG_HOST = -507,      /* server certificate for another host name */
	KIOSK_ERR_TLS_CLIENT_CERT_REFUSED = -508, /* the center refused the kiosk's certificate */
	KIOSK_ERR_TLS_HANDSHAKE = -509,       /* any other TLS failure (version, cipher, ...) */
	KIOSK_ERR_CONNECTION_DROPPED = -510,  /* peer closed before the answer was complete */
	KIOSK_ERR_HTTP_PROTOCOL = -511,       /* malformed HTTP framing */
	KIOSK_ERR_HTTP_HEADERS_TOO_LARGE = -512,
	KIOSK_ERR_HTTP_BODY_TOO_LARGE = -513,
	KIOSK_ERR_CENTER_PROTOCOL = -520,     /* answer does not match the protocol schema */
	KIOSK_ERR_CENTER_BAD_REQUEST = -521,
	KIOSK_ERR_CENTER_NOT_PARTICIPATING = -522,
	KIOSK_ERR_CENTER_NO_RECORDS = -523,
	KIOSK_ERR_CENTER_CHALLENGE_EXPIRED = -524,
	KIOSK_ERR_CENTER_CARD_INVALID = -525,
	KIOSK_ERR_CENTER_PRESENCE_FAILED = -526,
	KIOSK_ERR_CENTER_OVERSEAS_NOT_REGISTERED = -527,
	KIOSK_ERR_CENTER_BUSY = -528,
	KIOSK_ERR_CENTER_INTERNAL = -529,

	/* -6xx: display, printer, audio (later issues) */
	KIOSK_ERR_PRINTER = -600,
	KIOSK_ERR_PRINTER_UNREACHABLE = -601, /* no connection to the printer (refused, no route) */
	KIOSK_ERR_PRINTER_TIMEOUT = -602,     /* printer or job did not answer/finish in time */
	KIOSK_ERR_MEDIA_EMPTY = -603,         /* printer-state-reasons media-empty / media-needed */
	KIOSK_ERR_MEDIA_JAM = -604,           /* media-jam */
	KIOSK_ERR_DOOR_OPEN = -605,           /* door-open, cover-open, interlock-open */
	KIOSK_ERR_PRINTER_OFFLINE = -606,     /* offline, shutdown, paused, printer stopped */
	KIOSK_ERR_TONER_EMPTY = -607,         /* toner-empty, marker-supply-empty */
	KIOSK_ERR_JOB_FAILED = -608,          /* job refused, aborted or canceled by the printer */
	/* -64x: rendering the certificate (QR codes, page) */
	KIOSK_ERR_QR_TOO_LARGE = -640,   /* payload does not fit the allowed QR version */
	KIOSK_ERR_RENDER = -641,         /* cairo/pango/libqrencode failure unrelated to data */
	KIOSK_ERR_GLYPH_MISSING = -642,  /* the font cannot print the holder's name */

	/* -7xx: update and flash (later issues) */
	KIOSK_ERR_UPDATE = -700,
};

/** Short English developer text for an error code; never NULL. */
const char *kiosk_strerror(int err);

/** Stable symbolic name ("CARD_REMOVED") for logs and JSON; never NULL. */
const char *kiosk_err_name(int err);

#endif /* KIOSK_ERR_H */
