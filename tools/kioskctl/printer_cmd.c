/* SPDX-License-Identifier: MIT */
/*
 * kioskctl printer status [--board NAME] [--uri URI]: whether the board's
 * printer (or the IPP printer at URI) is reachable and ready (IPP
 * Get-Printer-Attributes), for technicians. One JSON object on stdout; exit 0
 * only when a certificate could be printed now.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "hal/printer.h"
#include "kiosk/board.h"
#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "kioskctl.h"

int kioskctl_printer_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "uri", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *board_name = "sim";
	const char *uri = NULL;
	struct kiosk_board board;
	struct hal_printer printer;
	struct hal_printer_status st;
	char why[256] = "";
	char json[1024];
	int c;
	int rc;

	if (kiosk_harden_process() != 0) {
		return KIOSKCTL_EXIT_FAIL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'b') {
			board_name = optarg;
		} else if (c == 'u') {
			uri = optarg;
		} else {
			return KIOSKCTL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		return KIOSKCTL_EXIT_USAGE;
	}
	if (kiosk_board_load(&board, board_name, why, sizeof(why)) != 0) {
		fprintf(stderr, "kioskctl: board %s: %s\n", board_name, why);
		return KIOSKCTL_EXIT_USAGE;
	}
	if (uri != NULL) {
		if (strlen(uri) >= sizeof(board.printer_uri)) {
			return KIOSKCTL_EXIT_USAGE;
		}
		snprintf(board.printer_backend, sizeof(board.printer_backend), "ipp");
		memcpy(board.printer_uri, uri, strlen(uri) + 1);
	} else if (strcmp(board.printer_backend, "preview") == 0) {
		/* The simulated board's printer is a file the operator names per run. */
		printf("{\"backend\":\"preview\",\"reachable\":true,\"ready\":true}\n");
		return KIOSKCTL_EXIT_OK;
	}
	memset(&st, 0, sizeof(st));
	hal_printer_init(&printer);
	rc = hal_printer_open_board(&printer, &board, NULL);
	if (rc == 0) {
		rc = hal_printer_status(&printer, &st);
	}
	hal_printer_close(&printer);
	if (rc != 0 && st.err == 0) {
		st.err = rc;
	}
	if (hal_printer_status_json(&st, json, sizeof(json)) == 0) {
		printf("%s\n", json);
	}
	if (rc != 0 || !st.ready) {
		fprintf(stderr, "kioskctl: printer: %s\n", kiosk_strerror(st.err ? st.err : rc));
		return KIOSKCTL_EXIT_PRINTER;
	}
	return KIOSKCTL_EXIT_OK;
}
