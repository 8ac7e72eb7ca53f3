/* SPDX-License-Identifier: MIT */
/*
 * The kenhojo PIN entered on the reader's own keypad (PC/SC part 10,
 * FEATURE_VERIFY_PIN_DIRECT). The kiosk builds only the PIN_VERIFY_STRUCTURE,
 * a template of the VERIFY with placeholder bytes where the reader puts the
 * digits, so the PIN never exists in kiosk memory. The rules of
 * mnc_verify_pin() hold: the tries query first, never on a blocked card,
 * exactly one VERIFY per call, never retried.
 */
#include <string.h>

#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "mnc_apdu.h"
#include "mnc_session_io.h"

#define PIN_P2_SELECTED 0x80
#define PIN_P2_SFI (0x80 | (MNC_FID_PIN & 0x1F))
#define PINPAD_DEFAULT_TIMEOUT_S 30u
#define PINPAD_MAX_TIMEOUT_S 255u

/* PIN_VERIFY_STRUCTURE (pcsc-lite reader.h; multi-byte fields little-endian). */
#define PVS_FORMAT_ASCII_BYTES 0x82 /* bmFormatString: byte units, offset 0, left, ASCII */
#define PVS_BLOCK_4 0x04            /* bmPINBlockString: no length field, 4-byte block */
#define PVS_LENGTH_NONE 0x00        /* bmPINLengthFormat */
#define PVS_VALIDATE_KEY 0x02       /* bEntryValidationCondition: OK key pressed */
#define PVS_LANG_JA 0x0411          /* wLangId */
#define PVS_PLACEHOLDER 0xFF        /* template bytes the reader overwrites */
#define PVS_HDR_LEN 19u

#define SW_KEYPAD_TIMEOUT 0x6400
#define SW_KEYPAD_CANCEL 0x6401

int mnc_pinpad_verify_structure(uint8_t p2, unsigned timeout_s, uint8_t *out, size_t cap,
				size_t *out_len)
{
	size_t i = 0;
	size_t k;

	if (out_len != NULL) {
		*out_len = 0;
	}
	if (out == NULL || out_len == NULL || (p2 != PIN_P2_SELECTED && p2 != PIN_P2_SFI)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (cap < MNC_PIN_VERIFY_STRUCTURE_LEN) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	if (timeout_s == 0) {
		timeout_s = PINPAD_DEFAULT_TIMEOUT_S;
	} else if (timeout_s > PINPAD_MAX_TIMEOUT_S) {
		timeout_s = PINPAD_MAX_TIMEOUT_S;
	}
	out[i++] = (uint8_t)timeout_s; /* bTimerOut */
	out[i++] = (uint8_t)timeout_s; /* bTimerOut2: after the first key */
	out[i++] = PVS_FORMAT_ASCII_BYTES;
	out[i++] = PVS_BLOCK_4;
	out[i++] = PVS_LENGTH_NONE;
	out[i++] = MNC_PIN_LEN; /* wPINMaxExtraDigit 0xXXYY (min XX, max YY), LE */
	out[i++] = MNC_PIN_LEN;
	out[i++] = PVS_VALIDATE_KEY;
	out[i++] = 0x01; /* bNumberMessage */
	out[i++] = PVS_LANG_JA & 0xFF;
	out[i++] = PVS_LANG_JA >> 8;
	out[i++] = 0x00; /* bMsgIndex */
	out[i++] = 0x00; /* bTeoPrologue: T=1 prologue filled by the reader */
	out[i++] = 0x00;
	out[i++] = 0x00;
	out[i++] = 5 + MNC_PIN_LEN; /* ulDataLength, LE */
	out[i++] = 0x00;
	out[i++] = 0x00;
	out[i++] = 0x00;
	/* abData: 00 20 00 P2 04 <4 placeholders> */
	out[i++] = 0x00;
	out[i++] = 0x20;
	out[i++] = 0x00;
	out[i++] = p2;
	out[i++] = MNC_PIN_LEN;
	for (k = 0; k < MNC_PIN_LEN; k++) {
		out[i++] = PVS_PLACEHOLDER;
	}
	*out_len = i;
	return 0;
}

int mnc_verify_pin_pinpad(struct mnc_session *s, unsigned timeout_s, int *tries_left)
{
	uint8_t pvs[MNC_PIN_VERIFY_STRUCTURE_LEN];
	uint8_t swb[2];
	size_t pvs_len = 0;
	size_t swlen = 0;
	uint16_t sw;
	int rc;

	if (tries_left != NULL) {
		*tries_left = -1;
	}
	if (s == NULL || s->raw == NULL || s->reader == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if ((s->reader->info.caps & HAL_READER_CAP_PINPAD) == 0) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	/* A keypad that cannot take exactly 4 digits cannot enter this PIN. */
	if ((s->reader->info.pin_min != 0 && s->reader->info.pin_min > MNC_PIN_LEN) ||
	    (s->reader->info.pin_max != 0 && s->reader->info.pin_max < MNC_PIN_LEN)) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	if (s->blocked) {
		return KIOSK_ERR_PIN_BLOCKED;
	}
	if (!s->tries_queried) {
		return KIOSK_ERR_INVALID_ARG;
	}
	rc = mnc_pinpad_verify_structure(s->verify_p2, timeout_s, pvs, sizeof(pvs), &pvs_len);
	if (rc != 0) {
		return rc;
	}
	if (s->verify_p2 == PIN_P2_SELECTED) {
		/* P2 80 names the key in the current EF. */
		rc = mnc_select_ef(s, MNC_FID_PIN);
		if (rc != 0) {
			goto out;
		}
	}

	rc = hal_reader_verify_pin_direct(s->reader, pvs, pvs_len, swb, &swlen);
	if (rc != 0) {
		/* The reader may or may not have sent the VERIFY: count it, and make
		 * the caller query the tries again before another one. */
		s->verify_sent++;
		s->tries_queried = false;
		goto out;
	}
	sw = (uint16_t)(swb[0] << 8 | swb[1]);
	if (sw == SW_KEYPAD_TIMEOUT) {
		rc = KIOSK_ERR_PIN_TIMEOUT; /* nothing reached the card */
		goto out;
	}
	if (sw == SW_KEYPAD_CANCEL) {
		rc = KIOSK_ERR_PIN_CANCELLED;
		goto out;
	}
	s->verify_sent++;
	if (s->verify_p2 == PIN_P2_SFI) {
		s->current_ef = 0;
	}
	rc = mnc_pin_answer(s, sw, tries_left);
out:
	mnc_scratch_wipe(s);
	return rc;
}
