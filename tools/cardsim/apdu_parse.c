/* SPDX-License-Identifier: MIT */
/*
 * Command APDU parsing, ISO/IEC 7816-3 12.1: cases 1, 2S, 3S, 4S, 2E, 3E, 4E.
 * Pure and bounded: every length is checked against @len before a byte is read
 * (it is fuzzed).
 */
#include <string.h>

#include "cardsim/cardsim.h"

int cardsim_apdu_parse(const uint8_t *buf, size_t len, struct cardsim_apdu *out)
{
	struct cardsim_apdu a;
	size_t lc;

	if (out == NULL) {
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < 4) {
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.cla = buf[0];
	a.ins = buf[1];
	a.p1 = buf[2];
	a.p2 = buf[3];

	if (len == 4) { /* case 1 */
		*out = a;
		return 0;
	}
	if (len == 5) { /* case 2S */
		a.has_le = true;
		a.le = buf[4] == 0 ? 256 : buf[4];
		*out = a;
		return 0;
	}
	if (buf[4] != 0) { /* case 3S / 4S */
		lc = buf[4];
		if (len == 5 + lc) {
			a.has_le = false;
		} else if (len == 6 + lc) {
			a.has_le = true;
			a.le = buf[5 + lc] == 0 ? 256 : buf[5 + lc];
		} else {
			return -1;
		}
		a.lc = (uint32_t)lc;
		a.data = buf + 5;
		*out = a;
		return 0;
	}
	/* buf[4] == 00 and more bytes follow: extended length. */
	if (len < 7) {
		return -1;
	}
	a.extended = true;
	if (len == 7) { /* case 2E */
		uint32_t le = ((uint32_t)buf[5] << 8) | buf[6];

		a.has_le = true;
		a.le = le == 0 ? 65536 : le;
		*out = a;
		return 0;
	}
	lc = ((size_t)buf[5] << 8) | buf[6];
	if (lc == 0) {
		return -1;
	}
	if (len == 7 + lc) { /* case 3E */
		a.has_le = false;
	} else if (len == 9 + lc) { /* case 4E */
		uint32_t le = ((uint32_t)buf[7 + lc] << 8) | buf[8 + lc];

		a.has_le = true;
		a.le = le == 0 ? 65536 : le;
	} else {
		return -1;
	}
	a.lc = (uint32_t)lc;
	a.data = buf + 7;
	*out = a;
	return 0;
}
