/* SPDX-License-Identifier: MIT */
/*
 * The certificate step of an issuance, after the card phase: send the card
 * evidence and the card's signature over the center's challenge, then verify
 * what comes back (SMART Health Card, and for overseas the VDS-NC seal)
 * against the pinned issuers and check it belongs to the card holder.
 * Anything that fails leaves nothing behind: the caller wipes the vault.
 */
#ifndef KIOSK_ISSUANCE_H
#define KIOSK_ISSUANCE_H

#include <stdbool.h>

#include "kiosk/center.h"
#include "kiosk/certificate.h"
#include "kiosk/mynacard.h"
#include "kiosk/vault.h"

/* Vault bytes issuance_request_certificate() needs free. */
#define ISSUANCE_VAULT_NEED (CENTER_CERT_VAULT_NEED + CERT_SCRATCH_SIZE + \
			     sizeof(struct kiosk_certificate) + 4096u)

struct issuance_trust {
	const struct cert_keyset *issuers; /* pinned SHC issuer keys */
	const struct cert_csca *csca;      /* pinned CSCA for VDS-NC (overseas) */
};

/**
 * @s must have passed mnc_verify_chain(), mnc_parse_personal() and
 * mnc_prove_presence() over @challenge->bytes (so it holds EF 0001-0004, 0007
 * and the card's signature). @model is filled (vault memory) on success.
 * @holder_match tells whether the certificate is the card holder's; a
 * certificate for anyone else is KIOSK_ERR_CERT_HOLDER_MISMATCH.
 * @return 0; a transport/TLS/center error; a KIOSK_ERR_CERT_* verification error.
 */
int issuance_request_certificate(struct mnc_session *s, struct center_client *c,
				 const struct center_challenge *challenge, const char *municipality,
				 enum center_cert_type type, const struct issuance_trust *trust,
				 struct kiosk_vault *v, struct center_certificate *issued,
				 struct kiosk_certificate *model, bool *holder_match);

#endif /* KIOSK_ISSUANCE_H */
