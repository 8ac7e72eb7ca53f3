/* SPDX-License-Identifier: MIT */
/*
 * Command APDUs of the card-face input assistance AP, and what its status
 * words mean (mynacard.md §1.2, §2.1-§2.2, §3.1, §5.5).
 */
#include <string.h>

#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "mnc_apdu.h"

const uint8_t MNC_AID_KENHOJO[10] = { 0xD3, 0x92, 0x10, 0x00, 0x31,
				      0x00, 0x01, 0x01, 0x04, 0x08 };

const uint8_t MNC_DIGESTINFO_SHA256_PREFIX[19] = {
	0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

size_t mnc_apdu_select_ap(uint8_t *out, size_t cap)
{
	/* P2 0C: no FCI wanted, so no Le. Always the full AID: the card also
	 * matches a prefix of a DF name (mynacard.md §1.2). */
	static const uint8_t hdr[] = { 0x00, 0xA4, 0x04, 0x0C, sizeof(MNC_AID_KENHOJO) };

	if (out == NULL || cap < sizeof(hdr) + sizeof(MNC_AID_KENHOJO)) {
		return 0;
	}
	memcpy(out, hdr, sizeof(hdr));
	memcpy(out + sizeof(hdr), MNC_AID_KENHOJO, sizeof(MNC_AID_KENHOJO));
	return sizeof(hdr) + sizeof(MNC_AID_KENHOJO);
}

size_t mnc_apdu_select_ef(uint8_t *out, size_t cap, uint16_t fid)
{
	if (out == NULL || cap < 7) {
		return 0;
	}
	out[0] = 0x00;
	out[1] = 0xA4;
	out[2] = 0x02;
	out[3] = 0x0C;
	out[4] = 0x02;
	out[5] = (uint8_t)(fid >> 8);
	out[6] = (uint8_t)fid;
	return 7;
}

size_t mnc_apdu_read_binary(uint8_t *out, size_t cap, uint8_t sfi, size_t offset, size_t le,
			    bool extended)
{
	size_t n = 4;

	if (out == NULL || le == 0) {
		return 0;
	}
	out[0] = 0x00;
	out[1] = 0xB0;
	if (sfi != 0) {
		if (sfi > 30 || offset > 0xFF || cap < 4) {
			return 0;
		}
		out[2] = (uint8_t)(0x80 | sfi);
		out[3] = (uint8_t)offset;
	} else {
		if (offset > 0x7FFF || cap < 4) {
			return 0;
		}
		out[2] = (uint8_t)(offset >> 8);
		out[3] = (uint8_t)offset;
	}
	if (extended) {
		if (le > 65536 || cap < n + 3) {
			return 0;
		}
		out[n++] = 0x00;
		out[n++] = (uint8_t)((le >> 8) & 0xFF); /* 65536 is 00 00 */
		out[n++] = (uint8_t)(le & 0xFF);
	} else {
		if (le > 256 || cap < n + 1) {
			return 0;
		}
		out[n++] = (uint8_t)(le & 0xFF); /* 256 is 00 */
	}
	return n;
}

size_t mnc_apdu_verify_query(uint8_t *out, size_t cap, uint8_t p2)
{
	if (out == NULL || cap < 4) {
		return 0;
	}
	out[0] = 0x00;
	out[1] = 0x20;
	out[2] = 0x00;
	out[3] = p2;
	return 4;
}

size_t mnc_apdu_verify(uint8_t *out, size_t cap, uint8_t p2, const char *pin, size_t pin_len)
{
	if (out == NULL || pin == NULL || pin_len != MNC_PIN_LEN || cap < 5 + MNC_PIN_LEN) {
		return 0;
	}
	out[0] = 0x00;
	out[1] = 0x20;
	out[2] = 0x00;
	out[3] = p2;
	out[4] = MNC_PIN_LEN;
	memcpy(out + 5, pin, MNC_PIN_LEN);
	return 5 + MNC_PIN_LEN;
}

size_t mnc_apdu_sign(uint8_t *out, size_t cap, const uint8_t digest[32])
{
	static const uint8_t hdr[] = { 0x80, 0x2A, 0x00, 0x00, MNC_DIGESTINFO_SHA256_LEN };
	size_t n = 0;

	if (out == NULL || digest == NULL || cap < sizeof(hdr) + MNC_DIGESTINFO_SHA256_LEN + 1) {
		return 0;
	}
	memcpy(out, hdr, sizeof(hdr));
	n += sizeof(hdr);
	memcpy(out + n, MNC_DIGESTINFO_SHA256_PREFIX, sizeof(MNC_DIGESTINFO_SHA256_PREFIX));
	n += sizeof(MNC_DIGESTINFO_SHA256_PREFIX);
	memcpy(out + n, digest, 32);
	n += 32;
	out[n++] = 0x00; /* Le: the 256-byte signature */
	return n;
}

int mnc_sw_tries(uint16_t sw)
{
	if ((sw & 0xFFF0u) != 0x63C0u) {
		return -1;
	}
	return (int)(sw & 0x000Fu);
}

int mnc_sw_to_err(enum mnc_cmd cmd, uint16_t sw)
{
	int tries = mnc_sw_tries(sw);
	bool pin_cmd = cmd == MNC_CMD_TRIES || cmd == MNC_CMD_VERIFY;

	if (sw == MNC_SW_OK) {
		return 0;
	}
	if (cmd == MNC_CMD_READ && sw == MNC_SW_EOF_WARNING) {
		return 0;
	}
	if (pin_cmd && tries == 0) {
		return KIOSK_ERR_PIN_BLOCKED; /* 63 C0: the last try is gone */
	}
	if (pin_cmd && tries > 0) {
		return cmd == MNC_CMD_VERIFY ? KIOSK_ERR_PIN_INCORRECT : 0;
	}
	if (pin_cmd && (sw == MNC_SW_REF_BLOCKED || sw == MNC_SW_AUTH_BLOCKED)) {
		return KIOSK_ERR_PIN_BLOCKED;
	}
	if (sw == MNC_SW_SECURITY &&
	    (cmd == MNC_CMD_READ || cmd == MNC_CMD_SELECT_EF || cmd == MNC_CMD_SIGN)) {
		return KIOSK_ERR_PIN_NOT_VERIFIED;
	}
	if (sw == MNC_SW_NOT_FOUND && cmd == MNC_CMD_SELECT_AP) {
		return KIOSK_ERR_NOT_MYNUMBER_CARD;
	}
	if (sw == MNC_SW_OFFSET && cmd == MNC_CMD_READ) {
		return KIOSK_ERR_CARD_DATA;
	}
	return KIOSK_ERR_CARD_PROTOCOL;
}
