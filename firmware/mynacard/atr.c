/* SPDX-License-Identifier: MIT */
/*
 * Card capabilities from the ATR's historical bytes (ISO 7816-3 §8.2,
 * ISO 7816-4 §8.1.1.2.7). Used only to decide SFI addressing and extended
 * length; the card itself is identified by SELECTing the AP, never by ATR.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiosk/err.h"
#include "kiosk/mynacard.h"

#define ATR_CAT_COMPACT_TLV 0x80
#define CTLV_TAG_CAPABILITIES 0x7
#define CAP1_SFI 0x04      /* first software function table: short EF identifier */
#define CAP3_EXTENDED 0x40 /* third table: extended Lc and Le fields */

/* Locate the K historical bytes by walking T0 and the TDi chain. */
static int atr_historical(const uint8_t *atr, size_t len, const uint8_t **hist, size_t *hlen)
{
	size_t i = 1;
	uint8_t y;
	size_t k;

	if (len < 2 || (atr[0] != 0x3B && atr[0] != 0x3F)) {
		return KIOSK_ERR_CARD_DATA;
	}
	y = atr[i] >> 4;
	k = atr[i] & 0x0F;
	i++;
	/* Each TDi announces at most 4 more bytes; an ATR is at most 33 bytes,
	 * so the walk ends within the buffer or fails on the length check. */
	for (;;) {
		bool td = (y & 0x8) != 0;
		size_t n = (size_t)((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1) + ((y >> 3) & 1));

		if (n > len - i) {
			return KIOSK_ERR_CARD_DATA;
		}
		i += n;
		if (!td) {
			break;
		}
		y = atr[i - 1] >> 4;
	}
	if (k > len - i) {
		return KIOSK_ERR_CARD_DATA;
	}
	*hist = atr + i;
	*hlen = k;
	return 0;
}

int mnc_atr_capabilities(const uint8_t *atr, size_t len, bool *sfi, bool *extended)
{
	const uint8_t *h;
	size_t hlen;
	size_t i;
	int rc;

	if (sfi == NULL || extended == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*sfi = false;
	*extended = false;
	if (atr == NULL) {
		return KIOSK_ERR_CARD_DATA;
	}
	rc = atr_historical(atr, len, &h, &hlen);
	if (rc != 0) {
		return rc;
	}
	if (hlen == 0) {
		return 0;
	}
	/* Only category 80 is read. Category 00 would also be COMPACT-TLV, but
	 * contactless readers build historical bytes from the ATQB (PC/SC part
	 * 3), which may start with 00 by chance. */
	if (h[0] != ATR_CAT_COMPACT_TLV) {
		return 0;
	}
	for (i = 1; i < hlen;) {
		uint8_t tag = h[i] >> 4;
		size_t l = h[i] & 0x0F;

		i++;
		if (l > hlen - i) {
			return KIOSK_ERR_CARD_DATA;
		}
		if (tag == CTLV_TAG_CAPABILITIES) {
			if (l >= 1) {
				*sfi = (h[i] & CAP1_SFI) != 0;
			}
			if (l >= 3) {
				*extended = (h[i + 2] & CAP3_EXTENDED) != 0;
			}
			return 0;
		}
		i += l;
	}
	return 0;
}
