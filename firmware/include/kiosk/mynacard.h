/* SPDX-License-Identifier: MIT */
/*
 * The My Number card's card-face input assistance AP (券面事項入力補助AP):
 * select it, ask how many PIN tries remain, VERIFY exactly once per PIN the
 * resident typed, read EF 0004/0001/0002/0003 (and 0007 for the presence
 * proof) with as few APDUs as the card and reader allow, and verify the
 * signature chain (../shared/reference/mynacard.md §5, checks A-E).
 *
 * Everything read from the card is personal data and lives in the vault.
 * The session never sends a VERIFY on its own: mnc_verify_pin() sends one
 * VERIFY per call, and refuses when the card is already known to be blocked.
 */
#ifndef KIOSK_MYNACARD_H
#define KIOSK_MYNACARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/reader.h"
#include "kiosk/vault.h"

#define MNC_KEY_ID_LEN 16
#define MNC_EF0001_SIZE 17
#define MNC_EF_MAX 2048          /* bound for any EF of this AP we read */
#define MNC_NAME_MAX 512         /* bytes of UTF-8 */
#define MNC_ADDRESS_MAX 1024
#define MNC_RSA_BYTES 256

/* kenhojo AP AID, 10 bytes */
extern const uint8_t MNC_AID_KENHOJO[10];

/* --- trust anchors: pinned card-CA public keys, named by key id --- */
struct mnc_anchors;
/**
 * Load every "<32 hex chars>.pem" public key (RSA-2048) from @dir.
 * A production board refuses test-only anchors (key id beginning '6', or a
 * file marked TEST-ONLY) and an empty directory.
 * @return 0; KIOSK_ERR_ANCHORS_MISSING, KIOSK_ERR_TEST_ANCHOR, KIOSK_ERR_CONFIG.
 */
int mnc_anchors_load_dir(struct mnc_anchors **out, const char *dir, bool production);
void mnc_anchors_free(struct mnc_anchors *a);
size_t mnc_anchors_count(const struct mnc_anchors *a);

/* --- verified municipality CV certificates (public data), kept across cards --- */
struct mnc_cert_cache;
struct mnc_cert_cache *mnc_cert_cache_new(unsigned max_entries);
void mnc_cert_cache_free(struct mnc_cert_cache *c);

struct mnc_options {
	bool presence_proof; /* check E + nonce signature (board setting) */
	bool allow_sfi;      /* use SFI addressing when the card offers it */
	bool allow_extended; /* use extended length when card and reader offer it */
};

enum mnc_chain_result {
	MNC_CHAIN_NOT_RUN = 0,
	MNC_CHAIN_OK,
	MNC_CHAIN_UNKNOWN_CA,
	MNC_CHAIN_CERT,           /* A */
	MNC_CHAIN_RECORD,         /* B */
	MNC_CHAIN_MY_NUMBER_HASH, /* C */
	MNC_CHAIN_BASIC4_HASH,    /* D */
};
/** "ok", "unknown_ca", "cert", "record", "my_number_hash", "basic4_hash", "not_run". */
const char *mnc_chain_result_name(enum mnc_chain_result r);

enum mnc_presence_result { MNC_PRESENCE_OFF = 0, MNC_PRESENCE_OK, MNC_PRESENCE_FAIL };
/** "off", "ok", "fail". */
const char *mnc_presence_result_name(enum mnc_presence_result r);

/** The resident's data, parsed from the same bytes the chain verified. In the vault. */
struct mnc_personal {
	char my_number[13];              /* 12 ASCII digits, check digit valid */
	char name[MNC_NAME_MAX + 1];     /* UTF-8, NUL-terminated */
	size_t family_len;               /* bytes before U+3000, or strlen(name) if none */
	size_t given_off;                /* byte offset of the given name (after U+3000), or 0 */
	char address[MNC_ADDRESS_MAX + 1];
	char birth_date[9];              /* YYYYMMDD, a real Gregorian date */
	char sex;                        /* '0', '1', '2' or '9' */
};

/** Raw EF bytes exactly as read (EF 0001 physical, filler included). In the vault. */
struct mnc_raw {
	uint8_t ef0001[MNC_EF0001_SIZE + 16];
	size_t ef0001_len;
	uint8_t ef0002[MNC_EF_MAX];
	size_t ef0002_len;
	uint8_t ef0003[MNC_EF_MAX];
	size_t ef0003_len;
	uint8_t ef0004[MNC_EF_MAX];  /* may hold only the head when the cache had the cert */
	size_t ef0004_len;
	uint8_t ef0007[MNC_EF_MAX];
	size_t ef0007_len;
	uint8_t nonce[64];
	size_t nonce_len;
	uint8_t nonce_sig[MNC_RSA_BYTES];
	size_t nonce_sig_len;
	uint8_t scratch[HAL_RAPDU_MAX + HAL_CAPDU_MAX]; /* APDU buffers, wiped after use */
};

struct mnc_session {
	struct hal_reader *reader;
	struct kiosk_vault *vault;
	const struct mnc_anchors *anchors;
	struct mnc_cert_cache *cache; /* may be NULL */
	struct mnc_options opt;

	bool ap_selected;
	bool sfi;            /* SFI addressing in use on this connection */
	bool extended;       /* extended length in use on this connection */
	bool cert_from_cache;
	int tries_before;    /* -1 until queried */
	int tries_after;     /* -1 until a VERIFY was answered */
	bool pin_verified;
	bool blocked;
	unsigned verify_sent; /* VERIFY commands carrying a PIN, this session */
	enum mnc_chain_result chain;
	enum mnc_presence_result presence;
	uint8_t subject_key_id[MNC_KEY_ID_LEN]; /* the municipality key (public) */

	struct mnc_raw *raw;           /* vault */
	struct mnc_personal *personal; /* vault, set by mnc_parse_personal() */
	void *card_key;                /* opaque verified public key (from cert or cache) */

	/* Added by the mynacard module (bookkeeping; none of it is personal data). */
	bool tries_queried;  /* mnc_query_tries() got an answer in this session */
	uint8_t verify_p2;   /* VERIFY P2 the query validated: 0x91 (SFI 11) or 0x80 */
	uint16_t current_ef; /* EF the card has current (0 = none/unknown) */
};

/** Bind a session to a connected reader; allocates its buffers from @v. Cannot fail
 *  except for a full vault (KIOSK_ERR_VAULT). @anchors and @cache are borrowed. */
int mnc_session_init(struct mnc_session *s, struct hal_reader *r, struct kiosk_vault *v,
		     const struct mnc_anchors *anchors, struct mnc_cert_cache *cache,
		     const struct mnc_options *opt);
/** SELECT the AP by its full AID. 6A 82 -> KIOSK_ERR_NOT_MYNUMBER_CARD. Reads the
 *  card's capabilities (SFI, extended length) from the ATR's historical bytes. */
int mnc_select_ap(struct mnc_session *s);
/** Read EF 0004 (no PIN needed); only its key ids when the cache knows the cert. */
int mnc_read_certificate(struct mnc_session *s);
/** Empty VERIFY: how many tries remain, costing none. 0 -> KIOSK_ERR_PIN_BLOCKED. */
int mnc_query_tries(struct mnc_session *s, int *tries);
/**
 * Send exactly one VERIFY with @pin (4 ASCII digits, checked locally first:
 * KIOSK_ERR_PIN_FORMAT and nothing is sent). Requires a prior mnc_query_tries()
 * that found tries left. Never retried. @tries_left is set on a wrong PIN.
 * @return 0, KIOSK_ERR_PIN_INCORRECT, KIOSK_ERR_PIN_BLOCKED, or a transport error.
 */
int mnc_verify_pin(struct mnc_session *s, const char *pin, size_t pin_len, int *tries_left);
/** Read EF 0001 (all physical bytes), 0002, 0003, and 0007 when presence is on. */
int mnc_read_personal(struct mnc_session *s);
/** Checks A-D over the raw bytes; sets s->chain. Fails with KIOSK_ERR_CHAIN_*. On
 *  failure the raw data is wiped. */
int mnc_verify_chain(struct mnc_session *s);
/** Parse the verified bytes into s->personal (vault). KIOSK_ERR_CARD_DATA,
 *  KIOSK_ERR_MYNUMBER_CHECK_DIGIT. */
int mnc_parse_personal(struct mnc_session *s);
/** Check E (EF 0007 signed by the cert key), then have the card sign @nonce
 *  with 80 2A and verify it with the EF 0007 key. Sets s->presence. */
int mnc_prove_presence(struct mnc_session *s, const uint8_t *nonce, size_t nonce_len);
/** Wipe the session's vault buffers and forget the key. Does not disconnect. */
void mnc_session_end(struct mnc_session *s);

/* --- pure helpers, unit-tested on their own --- */

/** Tries of the kenhojo PIN after a successful VERIFY (mynacard.md §2.3). */
#define MNC_PIN_TRIES_MAX 3

/**
 * Card capabilities from the ATR's historical bytes (category 80,
 * COMPACT-TLV tag 7): @sfi = short EF identifiers supported, @extended =
 * extended Lc/Le supported. Both are false whenever the ATR is malformed or
 * does not say. The card is never identified by its ATR.
 * @return 0 (well-formed, whether or not it carries the capabilities);
 *         KIOSK_ERR_CARD_DATA (malformed); KIOSK_ERR_INVALID_ARG.
 */
int mnc_atr_capabilities(const uint8_t *atr, size_t len, bool *sfi, bool *extended);

/** 4 ASCII digits, nothing else. */
bool mnc_pin_is_valid(const char *pin, size_t len);
/** 12 ASCII digits with a valid check digit. */
bool mnc_my_number_is_valid(const char *digits, size_t len);
/** True for a real Gregorian date "YYYYMMDD" (1900..2100). */
bool mnc_date_is_valid(const char *yyyymmdd, size_t len);
/** Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF), no NUL, no C0 controls. */
bool mnc_utf8_is_valid(const uint8_t *s, size_t len);

/* --- evidence verified without a live card (the certificate center) --- */

/** The card's files exactly as a kiosk read them, and its signature over a challenge. */
struct mnc_evidence {
	const uint8_t *ef0001; /* all physical bytes */
	size_t ef0001_len;
	const uint8_t *ef0002;
	size_t ef0002_len;
	const uint8_t *ef0003;
	size_t ef0003_len;
	const uint8_t *ef0004; /* in full */
	size_t ef0004_len;
	const uint8_t *ef0007;
	size_t ef0007_len;
	const uint8_t *challenge;
	size_t challenge_len;
	const uint8_t *challenge_sig; /* PKCS#1 v1.5 over SHA-256(challenge), EF 0007 key */
	size_t challenge_sig_len;
};

/**
 * Checks A-D, check E and the challenge signature over @ev (borrowed), then
 * parse the verified EF 0001/0002 into @out (caller memory, e.g. the vault).
 * @step (may be NULL) gets the chain result (MNC_CHAIN_OK when A-D passed).
 * @out is wiped on any failure.
 * @return 0; KIOSK_ERR_CHAIN_* (A-D); KIOSK_ERR_PRESENCE (E or signature);
 *         KIOSK_ERR_CARD_DATA / KIOSK_ERR_MYNUMBER_CHECK_DIGIT; KIOSK_ERR_INVALID_ARG.
 */
int mnc_verify_evidence(const struct mnc_anchors *a, const struct mnc_evidence *ev,
			enum mnc_chain_result *step, struct mnc_personal *out);

/* --- PIN entered on the reader's keypad (PC/SC part 10) --- */

/** PIN_VERIFY_STRUCTURE for the kenhojo VERIFY: 19-byte header + 00 20 00 P2 04 + 4 bytes. */
#define MNC_PIN_VERIFY_STRUCTURE_LEN 28u

/**
 * Build the PIN_VERIFY_STRUCTURE (pcsc-lite <reader.h>) for VERIFY
 * 00 20 00 @p2 04 <4 ASCII digits>: the reader inserts the digits at offset 0
 * of the data, bytes as units, no length field, exactly 4 digits, entry ends on
 * the OK key; @timeout_s (0 = 30, capped at 255) in bTimerOut/bTimerOut2.
 * The template holds FF placeholders, never a PIN.
 * @return 0; KIOSK_ERR_INVALID_ARG (@p2 not 80/91, NULL); KIOSK_ERR_BUFFER_TOO_SMALL.
 */
int mnc_pinpad_verify_structure(uint8_t p2, unsigned timeout_s, uint8_t *out, size_t cap,
				size_t *out_len);

/**
 * mnc_verify_pin() with the PIN typed on the reader's keypad
 * (HAL_READER_CAP_PINPAD): same rules (mnc_query_tries() first, refused on a
 * blocked card, exactly one VERIFY, never retried, in the P2 the query proved).
 * The PIN never passes through the kiosk.
 * @return 0, KIOSK_ERR_PIN_INCORRECT (@tries_left set), KIOSK_ERR_PIN_BLOCKED,
 *         KIOSK_ERR_PIN_TIMEOUT / KIOSK_ERR_PIN_CANCELLED (keypad; no try used),
 *         KIOSK_ERR_NOT_SUPPORTED (no pinpad), or a transport error.
 */
int mnc_verify_pin_pinpad(struct mnc_session *s, unsigned timeout_s, int *tries_left);

#endif /* KIOSK_MYNACARD_H */
