/* SPDX-License-Identifier: MIT */
/*
 * kioskctl center municipalities: what a technician runs to check a unit's
 * connection to the certificate center (mutual TLS, pinned CA) and see the
 * municipalities residents can choose. No personal data is involved.
 */
#include <stdio.h>
#include <string.h>

#include "kiosk/board.h"
#include "kiosk/center.h"
#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "kioskctl.h"

#define MUNI_MAX 2048
#define MUNI_JSON_MAX (MUNI_MAX * 320)

int kioskctl_center_open(struct center_client *c, const struct kiosk_board *b, const char *url)
{
	struct center_settings s;
	int rc;

	center_settings_from_board(&s, b);
	if (url != NULL) {
		s.url = url;
	}
	rc = center_client_setup(c, &s);
	if (rc != 0) {
		fprintf(stderr, "kioskctl: center client setup: %s\n", kiosk_strerror(rc));
	}
	return rc;
}

int kioskctl_center_municipalities(int argc, char **argv)
{
	static struct center_municipality list[MUNI_MAX];
	static char json[MUNI_JSON_MAX];
	const char *url = NULL;
	struct kiosk_board board;
	struct center_client client;
	size_t n = 0;
	size_t len = 0;
	int code;
	int rc;

	code = kioskctl_simple_opts(argc, argv, "url", &url, &board);
	if (code != KIOSKCTL_EXIT_OK) {
		return code;
	}
	center_client_init(&client);
	rc = kioskctl_center_open(&client, &board, url);
	if (rc == 0) {
		rc = center_get_municipalities(&client, list, MUNI_MAX, &n);
	}
	if (rc == 0) {
		rc = center_municipalities_to_json(list, n, json, sizeof(json), &len);
	}
	if (rc == 0) {
		fwrite(json, 1, len, stdout);
		fputc('\n', stdout);
	} else {
		fprintf(stderr, "kioskctl: center: %s (%s)\n", kiosk_err_name(rc), kiosk_strerror(rc));
		code = kioskctl_exit_code_for(rc);
	}
	center_client_free(&client);
	return code;
}
