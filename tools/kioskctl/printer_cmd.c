/* SPDX-License-Identifier: MIT */
/*
 * kioskctl printer status [--board NAME] [--uri URI]: whether the board's
 * printer (or the IPP printer at URI) is reachable and ready (IPP
 * Get-Printer-Attributes), for technicians. One JSON object on stdout; exit 0
 * only when a certificate could be printed now.
 */
#include <stdio.h>
#include <string.h>

#include "hal/printer.h"
#include "kiosk/board.h"
#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "kioskctl.h"

int kioskctl_printer_status(int argc, char **argv)
{
	const char *uri = NULL;
	struct kiosk_board board;
	struct hal_printer printer;
	struct hal_printer_status st;
	char json[1024];
	int code;
	int rc;

	code = kioskctl_simple_opts(argc, argv, "uri", &uri, &board);
	if (code != KIOSKCTL_EXIT_OK) {
		return code;
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
