/* SPDX-License-Identifier: MIT */
/*
 * The operation log (the seed: "operation logs are kept"), free of personal
 * data by construction: a line holds only the time, the kiosk id, a step from
 * a fixed list, a detail that must be a lower-case word from a fixed table
 * (a screen or prompt name), a result code name and a duration. Anything else
 * passed as a detail is replaced by "invalid" before it is written.
 *
 *   2026-11-25T23:10:00.123Z kiosk=KIOSK-SIM-0001 step=screen detail=pin result=ok ms=0
 *
 * Sinks: stderr (simulated board) or syslog/journald (real board).
 */
#ifndef KIOSK_OPLOG_H
#define KIOSK_OPLOG_H

enum oplog_sink { OPLOG_SINK_STDERR = 0, OPLOG_SINK_SYSLOG, OPLOG_SINK_NONE };

enum oplog_step {
	OPLOG_START = 0,    /* process started */
	OPLOG_READY,        /* idle screen up: boot-to-ready in ms */
	OPLOG_SCREEN,       /* a screen was shown (detail = screen name) */
	OPLOG_PROMPT,       /* a voice prompt was played (detail = prompt name) */
	OPLOG_MUNICIPALITIES, /* list fetched from the center */
	OPLOG_CARD_OPEN,    /* card found, AP selected, tries read */
	OPLOG_PIN_VERIFY,   /* the one VERIFY for a typed PIN */
	OPLOG_CARD_READ,    /* reads + signature chain + presence proof */
	OPLOG_CARD_TAKEN,   /* the resident took the card back */
	OPLOG_REQUEST,      /* center request + certificate verification */
	OPLOG_PRINT,        /* render + print */
	OPLOG_ISSUANCE,     /* one issuance ended (result = how), ms = its length */
	OPLOG_TIMEOUT,      /* inactivity timeout (detail = screen name) */
	OPLOG_CANCEL,       /* resident cancelled (detail = screen name) */
	OPLOG_WIPE,         /* the vault was wiped (result ok = verified zero) */
	OPLOG_STOP,         /* process stopping */
	OPLOG_STEP_COUNT
};

/** @kiosk_id: the board's kiosk id (not personal). @return 0 or KIOSK_ERR_INVALID_ARG. */
int oplog_open(enum oplog_sink sink, const char *kiosk_id);
void oplog_close(void);
/** Log one step. @detail: NULL or a name matching [a-z0-9_:]{1,31}. */
void oplog_event(enum oplog_step step, const char *detail, int result, long duration_ms);
const char *oplog_step_name(enum oplog_step step);

#endif /* KIOSK_OPLOG_H */
