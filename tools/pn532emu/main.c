/* SPDX-License-Identifier: MIT */
/*
 * pn532emu: a PN532 on a pseudo-terminal with a cardsim card behind it (TEST TOOL).
 *   pn532emu --link PATH [--persona FILE --pki DIR] [--ready-fd N]
 * libnfc connection string: pn532_uart:PATH. Control by signals:
 *   SIGUSR1 card removed, SIGUSR2 card (re)inserted, SIGHUP next card exchange
 *   answers RF error 0B, SIGTERM/SIGINT quit. Logs carry no APDU bytes.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cardsim/cardsim.h"
#include "pn532emu_server.h"

static void usage(void)
{
	fprintf(stderr, "usage: pn532emu --link PATH [--persona FILE --pki DIR] [--ready-fd N]\n");
}

int main(int argc, char **argv)
{
	const char *link = NULL, *persona = NULL, *pki = NULL;
	int ready_fd = -1;
	struct cardsim_card *card = NULL;
	struct pn532emu_server srv;
	sigset_t set;
	char err[256] = "";
	int sig = 0;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--link") == 0 && i + 1 < argc) {
			link = argv[++i];
		} else if (strcmp(argv[i], "--persona") == 0 && i + 1 < argc) {
			persona = argv[++i];
		} else if (strcmp(argv[i], "--pki") == 0 && i + 1 < argc) {
			pki = argv[++i];
		} else if (strcmp(argv[i], "--ready-fd") == 0 && i + 1 < argc) {
			ready_fd = atoi(argv[++i]);
		} else {
			usage();
			return 2;
		}
	}
	if (link == NULL || (persona != NULL && pki == NULL)) {
		usage();
		return 2;
	}
	if (persona != NULL) {
		card = cardsim_card_load(persona, pki, err, sizeof(err));
		if (card == NULL) {
			fprintf(stderr, "pn532emu: cannot load the card: %s\n", err);
			return 1;
		}
		cardsim_insert(card);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pn532emu_server_open(&srv, card, link) != 0 || pn532emu_server_start(&srv) != 0) {
		fprintf(stderr, "pn532emu: cannot set up the pty at the given link\n");
		goto out;
	}
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "ready\n", 6);
		close(ready_fd);
	}
	fprintf(stderr, "pn532emu: listening (pn532_uart:%s)\n", link);
	while (sigwait(&set, &sig) == 0) {
		if (sig == SIGUSR1) {
			pn532emu_server_remove(&srv);
		} else if (sig == SIGUSR2) {
			pn532emu_server_insert(&srv);
		} else if (sig == SIGHUP) {
			pn532emu_server_inject(&srv, PN532EMU_ST_RF, 1);
		} else {
			break;
		}
	}
	rc = 0;
out:
	pn532emu_server_close(&srv);
	cardsim_card_free(card);
	return rc;
}
