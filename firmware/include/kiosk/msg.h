/* SPDX-License-Identifier: MIT */
/*
 * The resident-facing message catalogue: every error a resident can meet has
 * a message id with Japanese and English text. Texts carry no personal data;
 * the only placeholder is {tries} (PIN tries left), filled by kiosk_msg_format().
 */
#ifndef KIOSK_MSG_H
#define KIOSK_MSG_H

#include <stddef.h>

enum kiosk_lang { KIOSK_LANG_JA = 0, KIOSK_LANG_EN = 1 };

enum kiosk_msg_id {
	KIOSK_MSG_NONE = 0,
	KIOSK_MSG_NO_CARD,
	KIOSK_MSG_CARD_REMOVED,
	KIOSK_MSG_NOT_MYNUMBER_CARD,
	KIOSK_MSG_CARD_UNREADABLE,
	KIOSK_MSG_CARD_TIMEOUT,
	KIOSK_MSG_CARD_INVALID,
	KIOSK_MSG_PRESENCE_FAILED,
	KIOSK_MSG_PIN_FORMAT,
	KIOSK_MSG_PIN_INCORRECT,
	KIOSK_MSG_PIN_LAST_TRY,
	KIOSK_MSG_PIN_BLOCKED,
	KIOSK_MSG_PIN_CANCELLED,
	KIOSK_MSG_PIN_TIMEOUT,
	KIOSK_MSG_OUT_OF_SERVICE,
	KIOSK_MSG_CERT_INVALID,
	KIOSK_MSG_CERT_HOLDER_MISMATCH,
	KIOSK_MSG_CENTER_UNAVAILABLE,
	KIOSK_MSG_NOT_PARTICIPATING,
	KIOSK_MSG_NO_RECORDS,
	KIOSK_MSG_CHALLENGE_EXPIRED,
	KIOSK_MSG_OVERSEAS_NOT_REGISTERED,
	KIOSK_MSG_PLEASE_WAIT,
	KIOSK_MSG_NAME_NOT_PRINTABLE,  /* the font lacks a character of the name */
	KIOSK_MSG_CERT_NOT_PRINTABLE,  /* the QR code would exceed its size limit */
	KIOSK_MSG_PRINTER_NO_PAPER,
	KIOSK_MSG_PRINTER_JAM,
	KIOSK_MSG_PRINTER_DOOR_OPEN,
	KIOSK_MSG_PRINTER_NO_TONER,
	KIOSK_MSG_PRINTER_UNAVAILABLE,  /* unreachable, timed out, offline */
	KIOSK_MSG_PRINT_FAILED,         /* the job failed for another reason */
	KIOSK_MSG_CANCELLED,            /* the resident cancelled or walked away */
	KIOSK_MSG_COUNT
};

struct kiosk_msg {
	const char *key; /* stable id, e.g. "card_removed" */
	const char *text[2]; /* [KIOSK_LANG_JA], [KIOSK_LANG_EN] */
};

/** The catalogue entry for @id; NULL for an out-of-range id. */
const struct kiosk_msg *kiosk_msg_get(enum kiosk_msg_id id);

/** The message a resident sees for @err; KIOSK_MSG_NONE for KIOSK_OK. Every
 *  other code maps to a message (unknown ones to "out of service"). */
enum kiosk_msg_id kiosk_err_msg(int err);

/**
 * Render @id in @lang into @buf, replacing {tries} with @tries.
 * @return 0, or KIOSK_ERR_BUFFER_TOO_SMALL / KIOSK_ERR_INVALID_ARG.
 */
int kiosk_msg_format(enum kiosk_msg_id id, enum kiosk_lang lang, int tries, char *buf,
		     size_t cap);

#endif /* KIOSK_MSG_H */
