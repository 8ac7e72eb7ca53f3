/* SPDX-License-Identifier: MIT */
/*
 * Internal: how the session modules (session.c, pin.c, presence.c, chain.c)
 * talk to the card. The APDU buffers live in the vault (s->raw->scratch):
 * the response at the start, the command after it.
 */
#ifndef MNC_SESSION_IO_H
#define MNC_SESSION_IO_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk/mynacard.h"
#include "mnc_rsa_pub.h"

/** Command buffer (HAL_CAPDU_MAX bytes) inside s->raw->scratch. */
uint8_t *mnc_capdu(struct mnc_session *s);
/** Response buffer (HAL_RAPDU_MAX bytes) inside s->raw->scratch. */
uint8_t *mnc_rapdu(struct mnc_session *s);

/**
 * Send the @clen-byte command in mnc_capdu(); the response data (without SW)
 * is in mnc_rapdu(), @dlen bytes. @return 0 (any SW) or the HAL's transport
 * error unchanged; KIOSK_ERR_INTERNAL when @clen is 0 (a builder refused).
 */
int mnc_xfer(struct mnc_session *s, size_t clen, size_t *dlen, uint16_t *sw);

/** SELECT EF @fid (00 A4 02 0C 02 ..) unless it is already current. */
int mnc_select_ef(struct mnc_session *s, uint16_t fid);

/** Wipe the APDU buffers (they may hold a PIN or personal data). */
void mnc_scratch_wipe(struct mnc_session *s);

/** Replace the session's verified card key with a copy of @k (NULL: forget). */
/** A VERIFY's status word into the session (verified / tries left / blocked),
 *  typed on the kiosk or on a PIN pad alike. @return 0 or the KIOSK_ERR_PIN_*. */
int mnc_pin_answer(struct mnc_session *s, uint16_t sw, int *tries_left);

int mnc_session_set_key(struct mnc_session *s, const struct mnc_rsa_pub *k);

#endif /* MNC_SESSION_IO_H */
