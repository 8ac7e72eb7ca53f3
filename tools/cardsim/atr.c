/* SPDX-License-Identifier: MIT */
/*
 * The ATR, modelled on a contact My Number card seen in pcsc-tools'
 * smartcard_list.txt: 3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B.
 * T=1. The card capabilities (compact-TLV 73) carry the switches the firmware
 * may look at: cap1 bit 0x04 "short EF identifier supported", cap3 bit 0x40
 * "extended Lc and Le fields".
 */
#include <string.h>

#include "card_internal.h"

#define ATR_LEN 19
#define CAP1_OFFSET 15
#define CAP3_OFFSET 17
#define CAP1_SFI 0x04
#define CAP3_EXTENDED 0x40

size_t cardsim_atr(const struct cardsim_card *c, uint8_t *out, size_t cap)
{
	uint8_t atr[ATR_LEN] = {
		/* TS T0 TA1 TC1 TD1 TD2 TA3 TB3 */
		0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46,
		/* historical bytes: compact-TLV, 73 = card capabilities */
		0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6, 0x01, 0xC0,
		/* TCK */
		0x00,
	};
	uint8_t tck = 0;

	if (c == NULL || out == NULL || cap < ATR_LEN) {
		return 0;
	}
	if (c->faults.no_sfi) {
		atr[CAP1_OFFSET] &= (uint8_t)~CAP1_SFI;
	}
	/* ext_atr_only keeps the claim while the card refuses extended APDUs. */
	if (c->faults.no_extended && !c->faults.ext_atr_only) {
		atr[CAP3_OFFSET] &= (uint8_t)~CAP3_EXTENDED;
	}
	/* TCK: XOR of T0..TCK is zero. */
	for (size_t i = 1; i < ATR_LEN - 1; i++) {
		tck ^= atr[i];
	}
	atr[ATR_LEN - 1] = tck;
	memcpy(out, atr, ATR_LEN);
	return ATR_LEN;
}
