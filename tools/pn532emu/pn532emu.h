/* SPDX-License-Identifier: MIT */
/*
 * pn532emu_core: the state machine of an emulated PN532 (TEST TOOL). It takes the
 * bytes the host wrote to the serial line and returns the bytes the chip would
 * answer: ACK frame, then the response frame. The card behind it is the cardsim
 * model, in-process (not owned). Not thread-safe: the caller serialises
 * (pn532emu_serve holds a mutex around every call).
 */
#ifndef PN532EMU_H
#define PN532EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cardsim_card;

#define PN532EMU_RX_MAX 1024u  /* input accumulator (largest host frame is ~270 bytes) */
#define PN532EMU_OUT_MAX 600u  /* ACK + one extended response frame */
#define PN532EMU_DATA_MAX 262u /* data bytes per response frame after D5 CMD+1 */
#define PN532EMU_CHAIN_MAX 4200u
#define PN532EMU_NREGS 32u

/* PN532 error statuses injectable for fault tests. */
#define PN532EMU_ST_TIMEOUT 0x01
#define PN532EMU_ST_CRC 0x02
#define PN532EMU_ST_RF 0x0B

struct pn532emu {
	struct cardsim_card *card; /* borrowed; NULL = empty field */
	bool card_in;              /* a card lies on the antenna */
	bool selected;             /* target 1 is activated */
	bool field_on;
	bool waiting;              /* InListPassiveTarget/InAutoPoll pending (no card yet) */
	uint8_t wait_cmd;
	uint8_t max_retries_passive; /* RFConfiguration item 05, third byte */
	uint8_t inject_status;     /* the next InDataExchange answers this status */
	unsigned inject_count;
	uint8_t rx[PN532EMU_RX_MAX];
	size_t rx_len;
	struct {
		uint16_t addr;
		uint8_t val;
	} regs[PN532EMU_NREGS];
	size_t nregs;
	uint8_t chain[PN532EMU_CHAIN_MAX]; /* rest of a chained (MI) response */
	size_t chain_len, chain_off;
	uint8_t last[PN532EMU_OUT_MAX]; /* last response frame, for a host NACK */
	size_t last_len;
	unsigned long frames_ok, frames_bad, apdus;
};

/** Reset @e; @card may be NULL (no card on the antenna). */
void pn532emu_init(struct pn532emu *e, struct cardsim_card *card);

/**
 * Feed bytes the host wrote; append the chip's answer to @out (cap @cap).
 * Garbage and bad checksums are dropped (the chip answers nothing), never read
 * out of bounds. @return 0, or -1 when @out is too small (answer dropped).
 */
int pn532emu_feed(struct pn532emu *e, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		  size_t *out_len);

/** Poll a pending wait (card placed meanwhile): may write the pending answer. */
int pn532emu_tick(struct pn532emu *e, uint8_t *out, size_t cap, size_t *out_len);

/** Card leaves the antenna (the model is unpowered) / comes back. */
void pn532emu_remove(struct pn532emu *e);
void pn532emu_insert(struct pn532emu *e);

/** The next @count InDataExchange answer status @status (0 = stop injecting);
 *  presence checks are not affected (the card is still there). */
void pn532emu_inject(struct pn532emu *e, uint8_t status, unsigned count);

/** Build one host→chip frame (normal or extended) for tests. @return length or 0. */
size_t pn532emu_build_host_frame(const uint8_t *data, size_t len, uint8_t *out, size_t cap);

#endif /* PN532EMU_H */
