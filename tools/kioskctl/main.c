/* SPDX-License-Identifier: MIT */
/*
 * kioskctl: the QA and field-technician command. Subcommands grow with the
 * product; for now: "card check".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "kiosk/board.h"
#include "kiosk/harden.h"
#include "kioskctl.h"

int kioskctl_simple_opts(int argc, char **argv, const char *opt_name, const char **opt_value,
			 struct kiosk_board *board)
{
	const struct option longopts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ opt_name, required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *board_name = "sim";
	char why[256] = "";
	int c;

	if (kiosk_harden_process() != 0) {
		return KIOSKCTL_EXIT_FAIL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'b') {
			board_name = optarg;
		} else if (c == 'o') {
			*opt_value = optarg;
		} else {
			return KIOSKCTL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		return KIOSKCTL_EXIT_USAGE;
	}
	if (kiosk_board_load(board, board_name, why, sizeof(why)) != 0) {
		fprintf(stderr, "kioskctl: board %s: %s\n", board_name, why);
		return KIOSKCTL_EXIT_USAGE;
	}
	return KIOSKCTL_EXIT_OK;
}

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
		"       kioskctl printer status [--board NAME]\n"
		"       kioskctl provision keygen|csr|install-cert|install-anchors|status ...\n"
		"       kioskctl provision bundle build --key K --cert C -o BUNDLE FILES...\n"
		"       kioskctl selftest [--board NAME] [--json] [--url URL] [--printer-uri URI]\n"
		"       kioskctl image build|inspect|install|mark-good|rollback|status ...\n"
		"  (each sub-command prints its own usage; see docs/kioskctl.md)\n");
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
	if (argc >= 2 && strcmp(argv[1], "selftest") == 0) {
		return kioskctl_selftest(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "provision") == 0) {
		return kioskctl_provision(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "image") == 0) {
		return kioskctl_image(argc - 1, argv + 1);
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return KIOSKCTL_EXIT_OK;
	}
	usage(stderr);
	return KIOSKCTL_EXIT_USAGE;
}
