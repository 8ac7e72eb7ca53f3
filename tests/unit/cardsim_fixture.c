/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cardsim_fixture.h"

struct cardsim_card *cardsim_fixture_load(const char *persona)
{
	char path[4096];
	char err[256] = "";
	struct cardsim_card *c;

	snprintf(path, sizeof(path), "%s/%s.json", getenv("KIOSK_PERSONAS"), persona);
	c = cardsim_card_load(path, getenv("KIOSK_TEST_PKI"), err, sizeof(err));
	if (c == NULL) {
		fail_msg("load %s: %s", persona, err);
	}
	return c;
}
