/* SPDX-License-Identifier: MIT */
/*
 * The card phase as kioskctl runs it for "card check" and "certificate fetch":
 * open the board's reader, select, certificate, tries, one VERIFY with the PIN
 * read from standard input into the vault, reads, chain, parse, presence.
 */
#ifndef KIOSKCTL_CARD_PHASE_H
#define KIOSKCTL_CARD_PHASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/reader.h"
#include "kiosk/board.h"
#include "kiosk/mynacard.h"
#include "kiosk/vault.h"

#define CARD_PHASE_NONCE_LEN 32

struct card_phase_state {
	bool ap_found;
	const char *pin;      /* ok / wrong / blocked / skipped / malformed / not_run */
	const char *presence; /* ok / fail / off / not_run */
	int error;            /* first error met, KIOSK_OK if none */
};

/**
 * Load board @board_name, refuse @reveal on a production board, and load the
 * card-CA anchors (@anchors_override or the board's; test anchors and a
 * missing folder refused on production boards). Says why on stderr.
 * @return 0; KIOSK_ERR_CONFIG, KIOSK_ERR_REFUSED or the anchors' error.
 */
int card_phase_prepare(const char *board_name, bool reveal, const char *anchors_override,
		       struct kiosk_board *b, struct mnc_anchors **anchors);

/** Open the board's reader (or @reader_override), wait for a card, connect. */
int card_phase_connect(struct hal_reader *r, const struct kiosk_board *b,
		       const char *reader_override, long wait_ms);

/**
 * Run the card phase on a connected reader. With @pin_stdin false it stops
 * after the tries query. The presence proof signs @nonce (or a fresh random
 * one when NULL) when the session's options ask for it.
 */
int card_phase_run(struct mnc_session *s, struct kiosk_vault *vault, bool pin_stdin,
		   const uint8_t *nonce, size_t nonce_len, struct card_phase_state *st);

#endif /* KIOSKCTL_CARD_PHASE_H */
