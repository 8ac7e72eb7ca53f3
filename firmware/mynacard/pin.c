/* SPDX-License-Identifier: MIT */
/*
 * The kenhojo PIN (EF 0011, 3 tries; mynacard.md §2). The tries query costs
 * nothing and always comes first; a VERIFY is sent exactly once per call,
 * only in the addressing form the query proved, and never on a card known
 * to be blocked. EF 0012 (issued blocked on every card) is never touched.
 */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "mnc_apdu.h"
#include "mnc_session_io.h"

#define PIN_P2_SELECTED 0x80 /* the key in the current EF (after SELECT 0011) */
#define PIN_P2_SFI (0x80 | (MNC_FID_PIN & 0x1F)) /* 91: EF 0011 by SFI, no SELECT */

static bool sfi_verify_refused(uint16_t sw)
{
	return sw == MNC_SW_WRONG_P1P2 || sw == MNC_SW_REF_NOT_FOUND || sw == MNC_SW_FUNC;
}

int mnc_query_tries(struct mnc_session *s, int *tries)
{
	uint8_t p2 = PIN_P2_SELECTED;
	size_t dlen;
	uint16_t sw = 0;
	int x;
	int rc;

	if (tries != NULL) {
		*tries = -1;
	}
	if (s == NULL || s->raw == NULL || !s->ap_selected) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (s->sfi) {
		rc = mnc_xfer(s, mnc_apdu_verify_query(mnc_capdu(s), HAL_CAPDU_MAX, PIN_P2_SFI),
			      &dlen, &sw);
		if (rc != 0) {
			goto out;
		}
		if (sfi_verify_refused(sw)) {
			s->sfi = false; /* the empty query cost no try: ask again by SELECT */
		} else {
			p2 = PIN_P2_SFI;
		}
	}
	if (p2 == PIN_P2_SELECTED) {
		rc = mnc_select_ef(s, MNC_FID_PIN);
		if (rc != 0) {
			goto out;
		}
		rc = mnc_xfer(s, mnc_apdu_verify_query(mnc_capdu(s), HAL_CAPDU_MAX, p2), &dlen,
			      &sw);
		if (rc != 0) {
			goto out;
		}
	}

	x = mnc_sw_tries(sw);
	if (sw == MNC_SW_OK) {
		/* Already verified on this power cycle: the card does not say how
		 * many tries are left. */
		s->tries_before = -1;
	} else if (x > 0) {
		s->tries_before = x;
	} else {
		rc = mnc_sw_to_err(MNC_CMD_TRIES, sw);
		if (rc == KIOSK_ERR_PIN_BLOCKED) {
			s->blocked = true;
			s->tries_before = 0;
			if (tries != NULL) {
				*tries = 0;
			}
		}
		goto out;
	}
	if (tries != NULL) {
		*tries = s->tries_before;
	}
	s->tries_queried = true;
	s->verify_p2 = p2;
	rc = 0;
out:
	mnc_scratch_wipe(s);
	return rc;
}

int mnc_pin_answer(struct mnc_session *s, uint16_t sw, int *tries_left)
{
	int x = mnc_sw_tries(sw);
	int rc = mnc_sw_to_err(MNC_CMD_VERIFY, sw);

	if (rc == 0) {
		s->pin_verified = true;
		s->tries_after = MNC_PIN_TRIES_MAX;
	} else if (rc == KIOSK_ERR_PIN_INCORRECT) {
		s->tries_after = x;
		if (tries_left != NULL) {
			*tries_left = x;
		}
	} else if (rc == KIOSK_ERR_PIN_BLOCKED) {
		s->blocked = true;
		s->tries_after = 0;
		if (tries_left != NULL) {
			*tries_left = 0;
		}
	}
	return rc;
}

int mnc_verify_pin(struct mnc_session *s, const char *pin, size_t pin_len, int *tries_left)
{
	size_t clen, dlen;
	uint16_t sw;
	int rc;

	if (tries_left != NULL) {
		*tries_left = -1;
	}
	if (s == NULL || s->raw == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	/* A malformed entry never reaches the card, so it never costs a try. */
	if (!mnc_pin_is_valid(pin, pin_len)) {
		return KIOSK_ERR_PIN_FORMAT;
	}
	if (s->blocked) {
		return KIOSK_ERR_PIN_BLOCKED;
	}
	if (!s->tries_queried) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (s->verify_p2 == PIN_P2_SELECTED) {
		/* P2 80 names the key in the current EF; something may have been
		 * read since the query. */
		rc = mnc_select_ef(s, MNC_FID_PIN);
		if (rc != 0) {
			goto out;
		}
	}

	clen = mnc_apdu_verify(mnc_capdu(s), HAL_CAPDU_MAX, s->verify_p2, pin, pin_len);
	s->verify_sent++;
	rc = mnc_xfer(s, clen, &dlen, &sw);
	/* The command held the PIN: gone before anything else happens. */
	mnc_scratch_wipe(s);
	if (rc != 0) {
		/* Whether an interrupted VERIFY counted is unknown: the caller must
		 * query the tries again on a new connection before another one. */
		s->tries_queried = false;
		goto out;
	}
	if (s->verify_p2 == PIN_P2_SFI) {
		s->current_ef = 0; /* not specified for SFI-addressed keys: assume nothing */
	}

	rc = mnc_pin_answer(s, sw, tries_left);
out:
	mnc_scratch_wipe(s);
	return rc;
}
