/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the card simulator's command-APDU parser (ISO 7816-4 cases). */
#include <stddef.h>
#include <stdint.h>

#include "cardsim/cardsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cardsim_apdu a;

	if (cardsim_apdu_parse(data, size, &a) == 0) {
		/* A parsed APDU's data lies inside the input and fits its Lc. */
		if (a.lc > 0 && (a.data < data || a.data + a.lc > data + size)) {
			__builtin_trap();
		}
		if (a.lc == 0 && a.data != NULL) {
			__builtin_trap();
		}
		if (a.has_le && (a.le == 0 || a.le > 65536)) {
			__builtin_trap();
		}
	}
	return 0;
}
