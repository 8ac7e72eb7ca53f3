/* SPDX-License-Identifier: MIT */
/*
 * Card reader HAL: one small ops table per backend (hal/reader/reader_<name>.c),
 * and thin dispatch wrappers that turn a NULL op into KIOSK_ERR_NOT_SUPPORTED.
 *
 * The wrappers also own the ISO 7816 transport rules every backend needs, so
 * backends only move bytes:
 *   - 61 xx -> GET RESPONSE (00 C0 00 00 xx), concatenated, bounded;
 *   - 6C xx -> the same command re-sent once with Le = xx;
 *   - 6F 00 on the first command after connect -> that command re-sent once;
 *   - a VERIFY (INS 20) is never re-sent, whatever the card answers.
 * Every byte that crosses the wire is counted in hal_reader.apdu_count.
 */
#ifndef HAL_READER_H
#define HAL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HAL_READER_CAP_PINPAD      (1u << 0) /* PC/SC part 10 FEATURE_VERIFY_PIN_DIRECT */
#define HAL_READER_CAP_EXTENDED    (1u << 1) /* reader known to pass extended APDUs */
#define HAL_READER_CAP_CONTACTLESS (1u << 2)

#define HAL_ATR_MAX 33
#define HAL_READER_NAME_MAX 128
/* Largest response the HAL hands back: extended Le of 4096 + SW. Every EF of
 * the card-face input assistance AP is far smaller. */
#define HAL_RAPDU_MAX (4096 + 2)
#define HAL_CAPDU_MAX (5 + 255 + 3)

#define HAL_READER_DEFAULT_APDU_TIMEOUT_MS 5000u

struct cardsim_card; /* tools/cardsim: the in-process card model */

/** What a board tells a reader backend. Strings are borrowed for the call. */
struct hal_reader_config {
	const char *name_pattern;     /* pcsc: substring of the reader name; NULL = first reader */
	unsigned apdu_timeout_ms;     /* watchdog per APDU; 0 = HAL_READER_DEFAULT_APDU_TIMEOUT_MS */
	struct cardsim_card *sim_card; /* sim: the card model to talk to (not owned) */
};

/** Filled by connect. */
struct hal_card_info {
	char reader_name[HAL_READER_NAME_MAX];
	uint8_t atr[HAL_ATR_MAX];
	size_t atr_len;
	uint32_t caps; /* HAL_READER_CAP_* for this reader */
	/* PIN pad (part 10 GET_TLV_PROPERTIES), 0 when the reader does not say. */
	uint8_t pin_min;
	uint8_t pin_max;
	bool pin_display; /* wLcdLayout != 0 */
};

struct hal_reader_ops {
	const char *name;
	size_t priv_size; /* the core allocates and zeroes this much private state */
	/** Find the reader; may wait for nothing. */
	int (*open)(void *priv, const struct hal_reader_config *cfg);
	/** Release everything; must be safe after a failed open or a watchdog timeout. */
	void (*close)(void *priv);
	/** Block until a card is present (@present) or absent, at most @timeout_ms.
	 *  KIOSK_ERR_TIMEOUT when the state did not change in time. */
	int (*wait_card)(void *priv, bool present, unsigned timeout_ms);
	/** Power the card and take the reader exclusively; fill @info. */
	int (*connect)(void *priv, struct hal_card_info *info);
	/** Move one command APDU and its raw response (data + SW). No ISO retries here. */
	int (*transmit)(void *priv, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
			size_t rcap, size_t *rlen);
	/** End the card session and UNPOWER the card (clears the PIN security status). */
	int (*disconnect)(void *priv);
	/** Raw PC/SC part 10 feature list (CM_IOCTL_GET_FEATURE_REQUEST), or NULL. */
	int (*get_features)(void *priv, uint8_t *buf, size_t cap, size_t *len);
	/** PC/SC part 10 VERIFY_PIN_DIRECT with a PIN_VERIFY_STRUCTURE: the reader's
	 *  keypad takes the PIN; only SW1 SW2 come back (*@swlen = 2). NULL = no pinpad. */
	int (*verify_pin_direct)(void *priv, const uint8_t *pin_verify_structure, size_t len,
				 uint8_t *sw, size_t *swlen);
};

struct hal_reader {
	const struct hal_reader_ops *ops;
	void *priv;
	struct hal_card_info info;
	bool connected;
	bool first_cmd_sent;  /* for the one 6F 00 retry */
	unsigned apdu_count;  /* wire APDUs since connect */
};

/* Sanity cap on GET RESPONSE rounds for one command (61 xx chaining). */
#define HAL_READER_MAX_GET_RESPONSE 64u

/* Backend tables, one per file under hal/reader/ (for board descriptions). */
extern const struct hal_reader_ops hal_reader_pcsc; /* pcsc-lite */
extern const struct hal_reader_ops hal_reader_sim;  /* in-process cardsim model */
extern const struct hal_reader_ops hal_reader_nfc;  /* libnfc (PN53x); pattern = connstring */

/** Backend by name ("pcsc", "sim"); NULL when not compiled in. */
const struct hal_reader_ops *hal_reader_backend(const char *name);

void hal_reader_init(struct hal_reader *r);
int hal_reader_open(struct hal_reader *r, const struct hal_reader_ops *ops,
		    const struct hal_reader_config *cfg);
/** NULL-safe, idempotent; disconnects (unpowering) first when connected. */
void hal_reader_close(struct hal_reader *r);
int hal_reader_wait_card(struct hal_reader *r, bool present, unsigned timeout_ms);
int hal_reader_connect(struct hal_reader *r);
/**
 * Send one command APDU with the ISO transport rules above. @rapdu receives
 * data + SW1 SW2 (so *rlen >= 2 on success). The caller decides what the SW means.
 * Errors: KIOSK_ERR_CARD_REMOVED, KIOSK_ERR_READER_GONE, KIOSK_ERR_CARD_TIMEOUT,
 * KIOSK_ERR_CARD_PROTOCOL (response < 2 bytes), KIOSK_ERR_BUFFER_TOO_SMALL.
 */
int hal_reader_transmit(struct hal_reader *r, const uint8_t *capdu, size_t clen,
			uint8_t *rapdu, size_t rcap, size_t *rlen);
int hal_reader_disconnect(struct hal_reader *r);

/**
 * Copy the raw PC/SC part 10 feature list read at connect (parse it with
 * hal_part10_parse_features()). *@len is 0 when the reader offers none.
 * @return 0; KIOSK_ERR_NOT_SUPPORTED when the backend has no feature list;
 *         KIOSK_ERR_BUFFER_TOO_SMALL; KIOSK_ERR_INVALID_ARG when not connected.
 */
int hal_reader_get_features(struct hal_reader *r, uint8_t *buf, size_t cap, size_t *len);

/**
 * Hand a PIN_VERIFY_STRUCTURE (built by the firmware; it holds no PIN) to the
 * reader's keypad: the reader collects the PIN and sends the VERIFY itself.
 * Counts as one APDU; never re-sent. @sw receives SW1 SW2 (@swlen = 2); the
 * keypad's own statuses come back as SW: 64 00 timeout, 64 01 cancel.
 * @return 0; KIOSK_ERR_NOT_SUPPORTED (no pinpad op, or the reader offers no
 *         FEATURE_VERIFY_PIN_DIRECT); KIOSK_ERR_INVALID_ARG (not connected);
 *         the transport errors of hal_reader_transmit().
 */
int hal_reader_verify_pin_direct(struct hal_reader *r, const uint8_t *pin_verify_structure,
				 size_t len, uint8_t *sw, size_t *swlen);

/**
 * True when @reader_name names a reader model known to announce
 * FEATURE_VERIFY_PIN_DIRECT without having a keypad (the pcsc backend then
 * leaves HAL_READER_CAP_PINPAD clear). NULL-safe.
 */
bool hal_reader_false_pinpad(const char *reader_name);

/**
 * pcsc backend: the raw PC/SC LONG of the last failed call, for diagnostics only
 * (never part of a return value). 0 when none, or when @r is not a pcsc reader.
 */
long hal_reader_pcsc_last_lib_err(const struct hal_reader *r);

/**
 * sim backend: put the card back after a removal (a new connect is needed; the
 * old connection keeps failing with KIOSK_ERR_CARD_REMOVED). No-op for other
 * backends. May be called from another thread while one waits in wait_card.
 */
void hal_reader_sim_insert(struct hal_reader *r);
/** sim backend: pull the card out (unpowers the model). No-op for other backends. */
void hal_reader_sim_remove(struct hal_reader *r);

/* --- PC/SC part 10 (pure functions, unit-tested with canned buffers) --- */

#define HAL_PART10_FEATURE_VERIFY_PIN_DIRECT 0x06
#define HAL_PART10_FEATURE_MODIFY_PIN_DIRECT 0x07
#define HAL_PART10_FEATURE_IFD_PIN_PROPERTIES 0x0A
#define HAL_PART10_FEATURE_GET_TLV_PROPERTIES 0x12
#define HAL_PART10_MAX_FEATURES 32

struct hal_part10_features {
	unsigned count;
	struct {
		uint8_t tag;
		uint32_t ioctl; /* big-endian on the wire */
	} f[HAL_PART10_MAX_FEATURES];
};

/**
 * Parse a CM_IOCTL_GET_FEATURE_REQUEST answer: a list of {tag, len=4, u32 BE}.
 * @return 0; KIOSK_ERR_CARD_PROTOCOL when the length is not a multiple of 6, an
 *         entry's length byte is not 4, or there are more than the maximum.
 *         An empty buffer is valid (no features).
 */
int hal_part10_parse_features(const uint8_t *buf, size_t len, struct hal_part10_features *out);
/** The ioctl for @tag, or 0 when absent. */
uint32_t hal_part10_find(const struct hal_part10_features *f, uint8_t tag);

/**
 * Read bMinPINSize (6), bMaxPINSize (7) and wLcdLayout (1) from a
 * FEATURE_GET_TLV_PROPERTIES answer ({tag, len, value little-endian}...).
 * Absent properties read as 0 / false. Other tags are skipped.
 * @return 0; KIOSK_ERR_CARD_PROTOCOL when an entry runs past the buffer or a
 *         known property has the wrong length; KIOSK_ERR_INVALID_ARG on NULL.
 */
int hal_part10_pin_limits(const uint8_t *tlv, size_t len, uint8_t *min, uint8_t *max,
			  bool *display);

#endif /* HAL_READER_H */
