/* SPDX-License-Identifier: MIT */
/*
 * The My Number card model: the card-face input assistance AP (券面事項入力補助AP)
 * with its files, its PIN and retry counter, a security status that lasts until
 * power-off, SFI and extended-length support as switches, 80 2A signing, and
 * faults QA can switch on. Two front ends run it: the in-process 'sim' reader
 * backend (hal/reader/reader_sim.c) and the vpcd program (tools/cardsim/cardsim_vpcd.c).
 *
 * TEST TOOL: the personas are invented people, the keys are test-only.
 */
#ifndef CARDSIM_H
#define CARDSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cardsim_card;

/**
 * What a front end must do after answering (or instead of answering) an APDU.
 * For the two REMOVE actions the model has already marked itself removed
 * (cardsim_present() is false); the front end only has to make the reader see
 * it, then call cardsim_insert() when the card comes back (cardsim_reinsert_ms()).
 * A card that is not present answers every APDU with CARDSIM_REMOVE_NOW.
 */
enum cardsim_action {
	CARDSIM_ANSWER = 0,        /* send the response */
	CARDSIM_ANSWER_THEN_REMOVE, /* send it, then pull the card (fault remove_after) */
	CARDSIM_MUTE,              /* send nothing, ever, until unmuted or removed */
	CARDSIM_REMOVE_NOW,        /* pull the card without answering */
};

enum cardsim_power { CARDSIM_POWER_OFF, CARDSIM_POWER_ON, CARDSIM_RESET };

/** One APDU as the card saw it. The command data is never kept (it may be a PIN). */
struct cardsim_log_entry {
	uint8_t cla, ins, p1, p2;
	uint32_t lc;      /* command data length (0 if none) */
	uint32_t le;      /* expected length (0 if absent; 256/65536 for 00/0000) */
	bool extended;
	uint16_t sw;      /* status word answered (0 when muted/removed) */
};

#define CARDSIM_LOG_MAX 4096

/** Parsed command APDU (ISO 7816-4 cases 1, 2S/3S/4S, 2E/3E/4E). Pure; fuzzed. */
struct cardsim_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data; /* points into the input; NULL when lc == 0 */
	uint32_t lc;
	uint32_t le;         /* 0 when absent; 256 for short 00; 65536 for extended 0000 */
	bool has_le;
	bool extended;
};
/** @return 0, or -1 when the bytes are not a well-formed APDU (card answers 67 00). */
int cardsim_apdu_parse(const uint8_t *buf, size_t len, struct cardsim_apdu *out);

/**
 * Build a card from a persona JSON file and the test PKI directory made by
 * certs/make-test-pki.sh (keys signed with the TEST CA hierarchy).
 * @return the card, or NULL with a message in @err (may be NULL).
 */
struct cardsim_card *cardsim_card_load(const char *persona_path, const char *pki_dir,
				       char *err, size_t err_cap);
/** NULL-safe; zeroises the card (persona, PIN, keys). */
void cardsim_card_free(struct cardsim_card *c);

/**
 * Switch a fault or option by name, as QA types it on the command line
 * ("--fault name=value") or on the control socket ("fault name value").
 * Names: remove_after=N, mute_after=N (0 = mute from the next APDU, -1 = off),
 * delay_ms=N, first_6f00=0|1, chain_61xx=0|1, wrong_le_6c=0|1, no_sfi=0|1,
 * no_extended=0|1, ext_atr_only=0|1 (ATR claims extended length, card refuses it),
 * tamper=none|my_number|basic4|record|cert, unknown_ca=0|1, blocked=0|1,
 * not_mynumber=0|1, replay=0|1, tries=N.
 * Also: reinsert_ms=N (front ends put the card back N ms after remove_after fired;
 * 0 = stay out until told). remove_after=0 pulls the card on the next APDU without
 * answering (CARDSIM_REMOVE_NOW). Booleans also accept true/false/on/off.
 * @return 0, or -1 for an unknown name or bad value.
 */
int cardsim_set(struct cardsim_card *c, const char *name, const char *value);

/** Per-APDU delay asked by the fault delay_ms (front ends apply it). */
unsigned cardsim_delay_ms(const struct cardsim_card *c);

/** Power events from the reader: every power-on or reset clears the security status. */
void cardsim_power(struct cardsim_card *c, enum cardsim_power p);

/** The ATR (T=1; historical bytes carry the card capabilities: SFI, extended length). */
size_t cardsim_atr(const struct cardsim_card *c, uint8_t *out, size_t cap);

/**
 * Run one command APDU through the card. @resp gets data + SW1 SW2.
 * @return what the front end must do.
 */
enum cardsim_action cardsim_process(struct cardsim_card *c, const uint8_t *cmd, size_t clen,
				    uint8_t *resp, size_t rcap, size_t *rlen);

/* --- what tests assert on --- */
size_t cardsim_log_count(const struct cardsim_card *c);
const struct cardsim_log_entry *cardsim_log_get(const struct cardsim_card *c, size_t i);
void cardsim_log_clear(struct cardsim_card *c);
/** VERIFY commands that carried a PIN (not the empty tries query) since the last clear. */
unsigned cardsim_verify_count(const struct cardsim_card *c);
int cardsim_tries_left(const struct cardsim_card *c);

/* --- added: presence, state and contents, for front ends, QA and tests --- */

/**
 * The card enters the reader: unpowered, nothing selected, no security status,
 * not muted; the APDU counters of mute_after/remove_after restart. A loaded card
 * starts inserted.
 */
void cardsim_insert(struct cardsim_card *c);
/** The card leaves the reader: unpowered, security status and mute latch cleared. */
void cardsim_remove(struct cardsim_card *c);
bool cardsim_present(const struct cardsim_card *c);
bool cardsim_powered(const struct cardsim_card *c);
/** true while the PIN security status (key 0011) is set. */
bool cardsim_verified(const struct cardsim_card *c);
/** APDUs processed since load or the last cardsim_log_clear() (not capped by the log). */
unsigned long cardsim_apdu_count(const struct cardsim_card *c);
/** Clear the mute latch and switch mute_after off (same as "mute_after=-1"). */
void cardsim_unmute(struct cardsim_card *c);
/** The reinsert_ms setting (0 = stay out after remove_after until told). */
unsigned cardsim_reinsert_ms(const struct cardsim_card *c);
/**
 * The physical contents of EF @fid (0x0001..0x0008), faults applied. For QA dumps
 * and tests; it is the persona's (invented) data.
 * @return a pointer owned by the card, valid until the next cardsim_set() or free;
 *         NULL for an unknown FID or a key reference.
 */
const uint8_t *cardsim_ef(const struct cardsim_card *c, uint16_t fid, size_t *len);
/** The persona id the card was built from (never NULL for a loaded card). */
const char *cardsim_persona_id(const struct cardsim_card *c);

#endif /* CARDSIM_H */
