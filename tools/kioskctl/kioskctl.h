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
};

int kioskctl_card_check(int argc, char **argv);

#endif /* KIOSKCTL_H */
