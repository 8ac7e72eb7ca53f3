/* SPDX-License-Identifier: MIT */
/*
 * PC/SC part 10 feature list (answer to CM_IOCTL_GET_FEATURE_REQUEST): an array
 * of PCSC_TLV_STRUCTURE {u8 tag; u8 length (= 4); u32 ioctl, big-endian}.
 * Pure functions; the pcsc backend and the unit tests feed them raw bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hal/reader.h"
#include "kiosk/err.h"

#define PART10_TLV_SIZE 6u
#define PART10_VALUE_LEN 4u

int hal_part10_parse_features(const uint8_t *buf, size_t len, struct hal_part10_features *out)
{
	size_t n;
	int rc = 0;

	if (out == NULL || (buf == NULL && len != 0)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(out, 0, sizeof(*out));
	if (len % PART10_TLV_SIZE != 0) {
		rc = KIOSK_ERR_CARD_PROTOCOL;
		goto out;
	}
	n = len / PART10_TLV_SIZE;
	if (n > HAL_PART10_MAX_FEATURES) {
		rc = KIOSK_ERR_CARD_PROTOCOL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = buf + i * PART10_TLV_SIZE;

		if (e[1] != PART10_VALUE_LEN) {
			rc = KIOSK_ERR_CARD_PROTOCOL;
			goto out;
		}
		out->f[i].tag = e[0];
		out->f[i].ioctl = (uint32_t)e[2] << 24 | (uint32_t)e[3] << 16 |
				  (uint32_t)e[4] << 8 | (uint32_t)e[5];
	}
	out->count = (unsigned)n;
out:
	if (rc != 0) {
		/* A half-parsed list must not advertise features. */
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

uint32_t hal_part10_find(const struct hal_part10_features *f, uint8_t tag)
{
	if (f == NULL) {
		return 0;
	}
	for (unsigned i = 0; i < f->count && i < HAL_PART10_MAX_FEATURES; i++) {
		if (f->f[i].tag == tag) {
			return f->f[i].ioctl;
		}
	}
	return 0;
}
