/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the firmware-image manifest parser, and the
 * serialize(parse(x)) == x round trip for every manifest it accepts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/err.h"
#include "update/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct update_manifest m;
	uint8_t out[UPDATE_MANIFEST_MAX];
	size_t n = 0;

	if (update_manifest_parse(&m, data, size, NULL) != KIOSK_OK) {
		return 0;
	}
	if (update_manifest_serialize(&m, out, sizeof(out), &n) != KIOSK_OK || n != size ||
	    memcmp(out, data, size) != 0) {
		abort(); /* the parser accepted something the format cannot express */
	}
	return 0;
}
