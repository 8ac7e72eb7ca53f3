/* SPDX-License-Identifier: MIT */
#ifndef KIOSKCTL_H
#define KIOSKCTL_H

/* Exit codes shared by every subcommand (documented in docs/kioskctl.md). */
enum kioskctl_exit {
	KIOSKCTL_EXIT_OK = 0,
	KIOSKCTL_EXIT_FAIL = 1,        /* generic failure */
	KIOSKCTL_EXIT_USAGE = 2,       /* bad options, board or anchors; refused */
	KIOSKCTL_EXIT_PIN_SKIPPED = 3, /* no PIN given: stopped before VERIFY */
	KIOSKCTL_EXIT_PIN = 4,         /* PIN wrong, malformed or blocked */
	KIOSKCTL_EXIT_VERIFY = 5,      /* signature chain or presence proof failed */
	KIOSKCTL_EXIT_CARD = 6,        /* no card, removed, mute, not a My Number card */
	KIOSKCTL_EXIT_CENTER = 7,      /* center unreachable, TLS refused, or a center error */
	KIOSKCTL_EXIT_PRINTER = 8,     /* printer unreachable, not ready, or the job failed */
};

struct center_client;
struct kiosk_board;

int kioskctl_card_check(int argc, char **argv);
/** Set up the center client from the board, @url overriding center.url. */
int kioskctl_center_open(struct center_client *c, const struct kiosk_board *b, const char *url);
/**
 * The options of the small technician commands: process hardening, then
 * "--board NAME" (default sim) and one "--@opt_name VALUE", then the board.
 * @return KIOSKCTL_EXIT_OK or the exit code to return.
 */
int kioskctl_simple_opts(int argc, char **argv, const char *opt_name, const char **opt_value,
			 struct kiosk_board *board);
/** Exit code for a KIOSK_ERR_* (docs/kioskctl.md). */
int kioskctl_exit_code_for(int err);
int kioskctl_center_municipalities(int argc, char **argv);
int kioskctl_certificate_fetch(int argc, char **argv);
int kioskctl_printer_status(int argc, char **argv);
int kioskctl_image(int argc, char **argv);
/** kioskctl provision ... (provision_cmd.c); @argv[0] is "provision". */
int kioskctl_provision(int argc, char **argv);
/** kioskctl selftest (selftest_cmd.c); @argv[0] is "selftest". */
int kioskctl_selftest(int argc, char **argv);

#endif /* KIOSKCTL_H */
