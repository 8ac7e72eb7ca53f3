/* SPDX-License-Identifier: MIT */
/*
 * The vpcd front end of the card simulator: one thread, one poll() loop over
 * the vpcd socket (the "card in the reader"), the control listener and the
 * control client. Shared by cardsim_vpcd.c, vpcd_link.c, control.c and dump.c.
 */
#ifndef CARDSIM_FRONTEND_H
#define CARDSIM_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardsim/cardsim.h"

#define FE_FRAME_MAX 65535      /* vpcd's 2-byte length */
#define FE_RESP_MAX (65536 + 2) /* extended Le + SW */
#define FE_LINE_MAX 4096        /* one control command */
#define FE_MAX_FAULTS 64
#define FE_CONNECT_RETRY_MS 100
/* vpcd polls a connected card every 400 ms: this long without a word means lost. */
#define FE_UNHEARD_MS 1500
/* pcscd polls vpcd every 400 ms: a card back within one poll is a swap pcscd never
 * sees (it keeps a dead card "present"). No hand is that fast; keep it out 2.5 polls. */
#define FE_MIN_OUT_MS 1000

struct frontend {
	struct cardsim_card *card;
	const char *pki_dir;
	const char *persona_path;
	int port;
	unsigned connect_timeout_ms;
	bool log_apdus;
	/* --fault options, re-applied when "load" swaps the card */
	const char *fault_args[FE_MAX_FAULTS];
	size_t fault_count;

	/* The vpcd link: connected = card inserted. */
	int vfd;
	uint64_t removed_at;      /* when the card last left the reader */
	uint64_t unheard_until;   /* vpcd must poll us by then, else reconnect (0 = heard) */
	bool want_inserted;     /* keep trying to connect */
	uint64_t connect_deadline;
	uint64_t next_connect;
	uint64_t reinsert_at;   /* 0: no automatic re-insertion pending */
	bool ever_connected;

	/* A response held back by the fault delay_ms. */
	bool resp_pending;
	uint64_t resp_at;
	enum cardsim_action resp_action;
	size_t resp_len;
	uint8_t resp[FE_RESP_MAX];
	uint8_t frame[FE_FRAME_MAX];

	/* Control socket: one client at a time, one line per command. */
	const char *control_path;
	int lfd;
	int cfd;
	char line[FE_LINE_MAX];
	size_t line_len;
	bool reply_pending;     /* "insert"/"load" answer once the connect settles */

	int ready_fd;           /* -1 once "ready" was written */
	bool quit;
	int exit_code;
};

/** Monotonic milliseconds. */
uint64_t fe_now_ms(void);

/* --- vpcd_link.c --- */

/** One connect attempt to 127.0.0.1:port; @return 0 (fe->vfd set) or KIOSK_ERR_IO. */
int fe_vpcd_connect(struct frontend *fe);
/** Pull the card: close the socket, mark the model removed, drop a held response. */
void fe_vpcd_close(struct frontend *fe);
/** Start (re)inserting: connect attempts every 100 ms until connect_timeout_ms. */
void fe_vpcd_want_insert(struct frontend *fe);
/** Read and answer one vpcd message. @return 0, or KIOSK_ERR_IO when the link is gone. */
int fe_vpcd_handle(struct frontend *fe);
/** Send the response held back by delay_ms, then act on it. */
void fe_vpcd_flush(struct frontend *fe);

/* --- control.c --- */

/** Listen on the Unix socket @path. @return 0 or KIOSK_ERR_IO. */
int fe_control_listen(struct frontend *fe, const char *path);
/** Accept a client (a second one gets "err busy"). */
void fe_control_accept(struct frontend *fe);
/** Read from the client and run complete lines. */
void fe_control_read(struct frontend *fe);
/** Answer a deferred "insert"/"load" now that the connect succeeded or gave up. */
void fe_control_settled(struct frontend *fe, bool inserted);
/** Close the client and the listener, unlink the socket path. */
void fe_control_close(struct frontend *fe);

/* --- dump.c --- */

/** "cardsim dump": write the card's EFs and ATR as files. @return process exit code. */
int fe_dump_main(int argc, char **argv);

#endif /* CARDSIM_FRONTEND_H */
