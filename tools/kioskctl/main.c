/* SPDX-License-Identifier: MIT */
/*
 * kioskctl: the QA and field-technician command. Subcommands grow with the
 * product; for now: "card check".
 */
#include <stdio.h>
#include <string.h>

#include "kioskctl.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: kioskctl card check [--board NAME] [--reader PATTERN] [--anchors DIR]\n"
		"                           [--pin-stdin] [--reveal] [--wait-ms N]\n"
		"  Reads and verifies the My Number card in the board's reader and prints one\n"
		"  JSON object. Exit 0 only when the PIN was accepted and the chain verified.\n"
		"       kioskctl center municipalities [--board NAME] [--url URL]\n"
		"       kioskctl certificate fetch --pin-stdin --municipality CODE\n"
		"                                  --type domestic|overseas [--board NAME] [--url URL]\n"
		"                                  [--reveal]\n"
		"       kioskctl printer status [--board NAME]\n");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "card") == 0 && strcmp(argv[2], "check") == 0) {
		return kioskctl_card_check(argc - 2, argv + 2);
	}
	if (argc >= 3 && strcmp(argv[1], "center") == 0 && strcmp(argv[2], "municipalities") == 0) {
		return kioskctl_center_municipalities(argc - 2, argv + 2);
	}
	if (argc >= 3 && strcmp(argv[1], "printer") == 0 && strcmp(argv[2], "status") == 0) {
		return kioskctl_printer_status(argc - 2, argv + 2);
	}
	if (argc >= 3 && strcmp(argv[1], "certificate") == 0 && strcmp(argv[2], "fetch") == 0) {
		return kioskctl_certificate_fetch(argc - 2, argv + 2);
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return KIOSKCTL_EXIT_OK;
	}
	usage(stderr);
	return KIOSKCTL_EXIT_USAGE;
}
