/* SPDX-License-Identifier: MIT */
/*
 * Internal: parsers for the signature data of the AP (mynacard.md §5.1-§5.2):
 * EF 0004 (the municipality's CV certificate), EF 0003 (the integrity record)
 * and EF 0007 (the card's own signing key). All results point into the
 * parsed buffer; nothing is copied.
 */
#ifndef MNC_CVCERT_H
#define MNC_CVCERT_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk/mynacard.h"

#define MNC_CERT_IDS_LEN (2 * MNC_KEY_ID_LEN) /* issuer id | subject id */

/** 7F21 { 5F4E body, 5F37 signature }; body = issuer id | subject id | 90 e | 91 n. */
struct mnc_cvcert {
	const uint8_t *body; /* the 5F4E value: what check A hashes */
	size_t body_len;
	const uint8_t *issuer_id;  /* MNC_KEY_ID_LEN bytes */
	const uint8_t *subject_id; /* MNC_KEY_ID_LEN bytes */
	const uint8_t *e;
	size_t e_len;
	const uint8_t *n;
	size_t n_len;
	const uint8_t *sig; /* the 5F37 value */
	size_t sig_len;
};

/** Whole EF 0004. @return 0 or KIOSK_ERR_CARD_DATA. */
int mnc_cvcert_parse(const uint8_t *ef, size_t len, struct mnc_cvcert *out);

/** Only the key fields of a complete 5F4E body (issuer, subject, e, n). */
int mnc_cvcert_parse_body(const uint8_t *body, size_t len, struct mnc_cvcert *out);

/**
 * The start of EF 0004 as far as it was read: @body points at the 5F4E value,
 * @avail bytes of it are present (at least the two key ids), @body_len is
 * what its header announces. @return 0 or KIOSK_ERR_CARD_DATA.
 */
int mnc_cvcert_head(const uint8_t *ef, size_t len, const uint8_t **body, size_t *avail,
		    size_t *body_len);

/** FF30 { DF31 32, DF32 32, DF33 256 }. */
struct mnc_record {
	const uint8_t *h_my_number; /* DF31, 32 bytes */
	const uint8_t *h_basic4;    /* DF32, 32 bytes */
	const uint8_t *sig;         /* DF33 */
	size_t sig_len;
	const uint8_t *signed_span; /* the DF31 and DF32 TLVs as written: check B */
	size_t signed_len;
};

/** Whole EF 0003. @return 0 or KIOSK_ERR_CARD_DATA. */
int mnc_record_parse(const uint8_t *ef, size_t len, struct mnc_record *out);

/** FF50 { DF51 { 90 e, 91 n }, DF52 signature over the DF51 TLV }. */
struct mnc_signed_key {
	const uint8_t *df51; /* the whole DF51 TLV, header included: check E */
	size_t df51_len;
	const uint8_t *e;
	size_t e_len;
	const uint8_t *n;
	size_t n_len;
	const uint8_t *sig; /* DF52 value */
	size_t sig_len;
};

/** Whole EF 0007. @return 0 or KIOSK_ERR_CARD_DATA. */
int mnc_signed_key_parse(const uint8_t *ef, size_t len, struct mnc_signed_key *out);

#endif /* MNC_CVCERT_H */
