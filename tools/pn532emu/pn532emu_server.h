/* SPDX-License-Identifier: MIT */
/*
 * pn532emu on a pseudo-terminal (TEST TOOL): a thread reads what the host wrote
 * on the pty master, runs the pn532emu state machine under a mutex and writes the
 * answers back. The control calls (remove, insert, inject, stats) may come from
 * any thread. The libnfc connection string is "pn532_uart:<link>".
 */
#ifndef PN532EMU_SERVER_H
#define PN532EMU_SERVER_H

#include <pthread.h>
#include <stdbool.h>

#include "pn532emu.h"

struct pn532emu_server {
	pthread_mutex_t mu;
	struct pn532emu emu;
	int master;     /* pty master, -1 when closed */
	int slave_keep; /* slave kept open so the master never sees a hangup */
	int stop_pipe[2];
	char link[256];
	pthread_t thread;
	bool running;
	bool sync_ok;
};

/**
 * Open a pty, make it raw and put a symlink to the slave at @link (replacing a
 * stale one). @card is borrowed (NULL = empty antenna). @return 0 or -1.
 */
int pn532emu_server_open(struct pn532emu_server *s, struct cardsim_card *card, const char *link);
/** Start the serving thread. @return 0 or -1. */
int pn532emu_server_start(struct pn532emu_server *s);
/** Stop the thread, remove the link, close the pty. NULL-safe, idempotent. */
void pn532emu_server_close(struct pn532emu_server *s);

void pn532emu_server_remove(struct pn532emu_server *s);
void pn532emu_server_insert(struct pn532emu_server *s);
void pn532emu_server_inject(struct pn532emu_server *s, uint8_t status, unsigned count);
/** Run @fn with the lock held (tests read cardsim counters through it). */
void pn532emu_server_locked(struct pn532emu_server *s, void (*fn)(struct pn532emu *e, void *arg),
			    void *arg);

#endif /* PN532EMU_SERVER_H */
