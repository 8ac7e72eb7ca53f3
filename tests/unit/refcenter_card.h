/* SPDX-License-Identifier: MIT */
/*
 * Test helper for the reference center's tests: a simulated card's evidence
 * (files exactly as read, and its 80 2A signature over a challenge), and the
 * /v1/certificates body a kiosk would send. Invented personas, test keys.
 */
#ifndef TESTS_REFCENTER_CARD_H
#define TESTS_REFCENTER_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk/mynacard.h"

struct refc_evidence {
	uint8_t ef[5][MNC_EF_MAX]; /* 0001, 0002, 0003, 0004, 0007 */
	size_t len[5];
	uint8_t sig[MNC_RSA_BYTES];
	size_t sig_len;
};

/**
 * Load persona @persona ($KIOSK_PERSONAS, $KIOSK_TEST_PKI), VERIFY its PIN and
 * have it sign SHA-256(@chal) with 80 2A. @return 0 or -1.
 */
int refc_card_evidence(const char *persona, const uint8_t *chal, size_t chal_len,
		       struct refc_evidence *out);

struct cardsim_card;
/** Load @persona's card, VERIFY its PIN once, read its files into @out (no signature yet).
 *  @return the card (cardsim_card_free()) or NULL. */
struct cardsim_card *refc_card_open(const char *persona, struct refc_evidence *out);
/** Have the open card sign SHA-256(@chal) into @out->sig. @return 0 or -1. */
int refc_card_sign(struct cardsim_card *c, const uint8_t *chal, size_t chal_len,
		   struct refc_evidence *out);

/** The mnc_evidence view of @e for @chal. */
void refc_evidence_view(const struct refc_evidence *e, const uint8_t *chal, size_t chal_len,
			struct mnc_evidence *ev);

/** malloc'd request body; @challenge_text as the center sent it. */
char *refc_request_json(const struct refc_evidence *e, const char *rid, const char *kiosk,
			const char *municipality, const char *type, const char *challenge_text);

#endif /* TESTS_REFCENTER_CARD_H */
