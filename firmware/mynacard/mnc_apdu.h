/* SPDX-License-Identifier: MIT */
/*
 * Internal: command APDU builders for the card-face input assistance AP and
 * the one place its status words become KIOSK_ERR_* (mynacard.md §1-§3, §5.5).
 *
 * Every builder writes into a caller-owned buffer and returns the length, or
 * 0 when @cap is too small or an argument is out of range.
 */
#ifndef MNC_APDU_H
#define MNC_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MNC_SW_OK 0x9000u
#define MNC_SW_EOF_WARNING 0x6282u /* end of file before Le bytes: data is valid */
#define MNC_SW_WRONG_LENGTH 0x6700u
#define MNC_SW_SECURITY 0x6982u
#define MNC_SW_AUTH_BLOCKED 0x6983u
#define MNC_SW_REF_BLOCKED 0x6984u
#define MNC_SW_CMD_INCOMPATIBLE 0x6981u
#define MNC_SW_NO_EF 0x6986u       /* command not allowed: no current EF */
#define MNC_SW_FUNC 0x6A81u        /* function not supported */
#define MNC_SW_NOT_FOUND 0x6A82u
#define MNC_SW_WRONG_P1P2 0x6A86u
#define MNC_SW_REF_NOT_FOUND 0x6A88u
#define MNC_SW_OFFSET 0x6B00u
#define MNC_SW_INS 0x6D00u

#define MNC_FID_MY_NUMBER 0x0001
#define MNC_FID_BASIC4 0x0002
#define MNC_FID_RECORD 0x0003
#define MNC_FID_CERT 0x0004
#define MNC_FID_SIGNED_KEY 0x0007
#define MNC_FID_PIN 0x0011

#define MNC_PIN_LEN 4
#define MNC_DIGESTINFO_SHA256_LEN 51
#define MNC_READ_SHORT_MAX 256u
#define MNC_READ_EXT_LE 4096u

/** What a status word answered; the same SW means different things per command. */
enum mnc_cmd {
	MNC_CMD_SELECT_AP,
	MNC_CMD_SELECT_EF,
	MNC_CMD_READ,
	MNC_CMD_TRIES,  /* empty VERIFY */
	MNC_CMD_VERIFY, /* VERIFY with a PIN */
	MNC_CMD_SIGN,   /* 80 2A */
};

/** 00 A4 04 0C 0A <kenhojo AID>. */
size_t mnc_apdu_select_ap(uint8_t *out, size_t cap);
/** 00 A4 02 0C 02 <fid>. */
size_t mnc_apdu_select_ef(uint8_t *out, size_t cap, uint16_t fid);
/**
 * READ BINARY. @sfi != 0: 00 B0 (80|sfi) <offset, 0..255> (sfi 1..30); else
 * 00 B0 <offset hi> <offset lo> (offset < 0x8000). Le: short 00 for 256 (or
 * @le when below 256), or extended 00 <le hi> <le lo> (le 1..65535).
 */
size_t mnc_apdu_read_binary(uint8_t *out, size_t cap, uint8_t sfi, size_t offset, size_t le,
			    bool extended);
/** Empty VERIFY 00 20 00 <p2> (case 1): tries left, none used. */
size_t mnc_apdu_verify_query(uint8_t *out, size_t cap, uint8_t p2);
/** VERIFY 00 20 00 <p2> 04 <4 PIN bytes>. The buffer then holds the PIN: wipe it. */
size_t mnc_apdu_verify(uint8_t *out, size_t cap, uint8_t p2, const char *pin, size_t pin_len);
/** 80 2A 00 00 33 <DigestInfo(SHA-256(msg))> 00: the card signs @msg's digest. */
size_t mnc_apdu_sign(uint8_t *out, size_t cap, const uint8_t digest[32]);

/** DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1), 19 bytes. */
extern const uint8_t MNC_DIGESTINFO_SHA256_PREFIX[19];

/**
 * Map a status word to 0 or a KIOSK_ERR_* for @cmd. The one table for this AP:
 * 90 00 -> 0 (and 62 82 on a read); 63 Cx -> PIN_INCORRECT (x>0) or
 * PIN_BLOCKED on a VERIFY, 0 (x>0) on the tries query; 69 84 / 69 83 ->
 * PIN_BLOCKED on VERIFY and query; 69 82 -> PIN_NOT_VERIFIED on a read, an EF
 * SELECT or a signature; 6A 82 -> NOT_MYNUMBER_CARD on the AP SELECT; 6B 00
 * on a read -> CARD_DATA (the file is shorter than its TLV says); anything
 * else -> CARD_PROTOCOL.
 */
int mnc_sw_to_err(enum mnc_cmd cmd, uint16_t sw);

/** x of 63 Cx, or -1 when @sw is not 63 Cx. */
int mnc_sw_tries(uint16_t sw);

#endif /* MNC_APDU_H */
