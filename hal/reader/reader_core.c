/* SPDX-License-Identifier: MIT */
/*
 * Reader HAL core: the dispatch wrappers (a NULL op is KIOSK_ERR_NOT_SUPPORTED)
 * and the ISO 7816-4 transport rules every backend shares, so that backends only
 * move raw bytes:
 *   - 61 xx: GET RESPONSE (00 C0 00 00 xx) while the card says 61, data
 *     concatenated into the caller's buffer, bounded by it and by
 *     HAL_READER_MAX_GET_RESPONSE rounds;
 *   - 6C xx: the same short command re-sent once with Le = xx;
 *   - 6F 00 answering the first command after connect: re-sent once (some
 *     cards answer the first APDU after a power cycle this way);
 *   - VERIFY (INS 20) is never re-sent: a second send could use a PIN try.
 * Response bytes may be personal data; every intermediate copy is wiped.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "hal/reader.h"
#include "kiosk/err.h"

#define ISO_INS_VERIFY 0x20
#define ISO_INS_GET_RESPONSE 0xC0
#define ISO_SW1_MORE_DATA 0x61
#define ISO_SW1_WRONG_LE 0x6C
#define ISO_SW1_NO_DIAG 0x6F
#define APDU_HEADER_LEN 4u
/* How long an empty answer waits for the reader to report the card gone. */
#define EMPTY_ANSWER_SETTLE_MS 500u

void hal_reader_init(struct hal_reader *r)
{
	if (r != NULL) {
		memset(r, 0, sizeof(*r));
	}
}

int hal_reader_open(struct hal_reader *r, const struct hal_reader_ops *ops,
		    const struct hal_reader_config *cfg)
{
	static const struct hal_reader_config defaults;
	int rc;

	if (r == NULL || ops == NULL || r->ops != NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (ops->open == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	hal_reader_init(r);
	if (ops->priv_size > 0) {
		r->priv = calloc(1, ops->priv_size);
		if (r->priv == NULL) {
			return KIOSK_ERR_NO_MEMORY;
		}
	}
	r->ops = ops;
	rc = ops->open(r->priv, cfg != NULL ? cfg : &defaults);
	if (rc != 0) {
		/* Backends clean up half-opened state in close (see reader.h). */
		hal_reader_close(r);
	}
	return rc;
}

void hal_reader_close(struct hal_reader *r)
{
	if (r == NULL || r->ops == NULL) {
		return;
	}
	if (r->connected) {
		(void)hal_reader_disconnect(r);
	}
	if (r->ops->close != NULL) {
		r->ops->close(r->priv);
	}
	if (r->priv != NULL) {
		mbedtls_platform_zeroize(r->priv, r->ops->priv_size);
		free(r->priv);
	}
	mbedtls_platform_zeroize(r, sizeof(*r));
}

int hal_reader_wait_card(struct hal_reader *r, bool present, unsigned timeout_ms)
{
	if (r == NULL || r->ops == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (r->ops->wait_card == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	return r->ops->wait_card(r->priv, present, timeout_ms);
}

int hal_reader_connect(struct hal_reader *r)
{
	int rc;

	if (r == NULL || r->ops == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (r->ops->connect == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	if (r->connected) {
		/* A fresh session must start from an unpowered card. */
		(void)hal_reader_disconnect(r);
	}
	memset(&r->info, 0, sizeof(r->info));
	r->apdu_count = 0;
	r->first_cmd_sent = false;
	rc = r->ops->connect(r->priv, &r->info);
	if (rc == 0) {
		r->connected = true;
	} else {
		memset(&r->info, 0, sizeof(r->info));
	}
	return rc;
}

int hal_reader_disconnect(struct hal_reader *r)
{
	int rc;

	if (r == NULL || r->ops == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (r->ops->disconnect == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	if (!r->connected) {
		return 0;
	}
	rc = r->ops->disconnect(r->priv);
	/* Whatever the backend said, this session is over. */
	r->connected = false;
	r->first_cmd_sent = false;
	return rc;
}

int hal_reader_get_features(struct hal_reader *r, uint8_t *buf, size_t cap, size_t *len)
{
	if (len != NULL) {
		*len = 0;
	}
	if (r == NULL || r->ops == NULL || len == NULL || (buf == NULL && cap != 0)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (r->ops->get_features == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	if (!r->connected) {
		return KIOSK_ERR_INVALID_ARG;
	}
	return r->ops->get_features(r->priv, buf, cap, len);
}

/*
 * One APDU on the wire: counted, and its answer must hold at least SW1 SW2.
 * No answer at all can mean the card just left: vpcd, for one, passes the
 * end of its card connection up as a successful empty transmit before pcscd
 * has noticed the removal. Whether the card is gone is then asked (briefly)
 * of the backend, so every reader reports a pulled card the same way.
 */
static int wire(struct hal_reader *r, const uint8_t *cmd, size_t clen, uint8_t *resp, size_t cap,
		size_t *n)
{
	int rc;

	*n = 0;
	r->apdu_count++;
	rc = r->ops->transmit(r->priv, cmd, clen, resp, cap, n);
	if (rc == 0 && (*n < 2 || *n > cap)) {
		rc = KIOSK_ERR_CARD_PROTOCOL;
		if (*n == 0 && r->ops->wait_card != NULL &&
		    r->ops->wait_card(r->priv, false, EMPTY_ANSWER_SETTLE_MS) == 0) {
			rc = KIOSK_ERR_CARD_REMOVED;
		}
	}
	return rc;
}

/*
 * Where a short command's Le byte goes when re-sent after 6C xx: replaced
 * (cases 2S, 4S) or appended (cases 1, 3S). False for extended or malformed
 * commands, which are not re-sent.
 */
static bool short_le_pos(const uint8_t *cmd, size_t clen, size_t *pos)
{
	if (clen == APDU_HEADER_LEN || clen == APDU_HEADER_LEN + 1) {
		*pos = APDU_HEADER_LEN;
		return true;
	}
	if (cmd[4] == 0) {
		return false; /* extended length */
	}
	if (clen == APDU_HEADER_LEN + 1 + cmd[4]) {
		*pos = clen;
		return true;
	}
	if (clen == APDU_HEADER_LEN + 2 + cmd[4]) {
		*pos = clen - 1;
		return true;
	}
	return false;
}

/* Append @len data bytes to @out, keeping room for SW1 SW2. */
static int append(uint8_t *out, size_t cap, size_t *used, const uint8_t *data, size_t len)
{
	if (len > cap || cap - len < *used + 2) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	memcpy(out + *used, data, len);
	*used += len;
	return 0;
}

int hal_reader_transmit(struct hal_reader *r, const uint8_t *capdu, size_t clen,
			uint8_t *rapdu, size_t rcap, size_t *rlen)
{
	uint8_t resp[HAL_RAPDU_MAX];
	uint8_t cmd[HAL_CAPDU_MAX];
	uint8_t get_response[5] = { 0x00, ISO_INS_GET_RESPONSE, 0x00, 0x00, 0x00 };
	size_t n = 0;
	size_t used = 0;
	size_t pos;
	size_t want;
	unsigned rounds = 0;
	bool first;
	bool verify;
	int rc;

	if (rlen != NULL) {
		*rlen = 0;
	}
	if (r == NULL || r->ops == NULL || capdu == NULL || clen < APDU_HEADER_LEN ||
	    rapdu == NULL || rlen == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (r->ops->transmit == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	if (!r->connected) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (rcap < 2) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	first = !r->first_cmd_sent;
	r->first_cmd_sent = true;
	verify = capdu[1] == ISO_INS_VERIFY;

	rc = wire(r, capdu, clen, resp, sizeof(resp), &n);
	if (rc != 0) {
		goto out;
	}
	if (!verify && first && resp[n - 2] == ISO_SW1_NO_DIAG && resp[n - 1] == 0x00) {
		rc = wire(r, capdu, clen, resp, sizeof(resp), &n);
		if (rc != 0) {
			goto out;
		}
	}
	if (!verify && resp[n - 2] == ISO_SW1_WRONG_LE && short_le_pos(capdu, clen, &pos)) {
		memcpy(cmd, capdu, pos);
		cmd[pos] = resp[n - 1];
		rc = wire(r, cmd, pos + 1, resp, sizeof(resp), &n);
		if (rc != 0) {
			goto out;
		}
	}
	rc = append(rapdu, rcap, &used, resp, n - 2);
	if (rc != 0) {
		goto out;
	}
	while (resp[n - 2] == ISO_SW1_MORE_DATA) {
		want = resp[n - 1] != 0 ? resp[n - 1] : 256u;
		if (++rounds > HAL_READER_MAX_GET_RESPONSE) {
			rc = KIOSK_ERR_CARD_PROTOCOL;
			goto out;
		}
		/* Do not fetch what cannot be kept. */
		if (want > rcap || rcap - want < used + 2) {
			rc = KIOSK_ERR_BUFFER_TOO_SMALL;
			goto out;
		}
		get_response[4] = resp[n - 1];
		mbedtls_platform_zeroize(resp, n);
		rc = wire(r, get_response, sizeof(get_response), resp, sizeof(resp), &n);
		if (rc != 0) {
			goto out;
		}
		rc = append(rapdu, rcap, &used, resp, n - 2);
		if (rc != 0) {
			goto out;
		}
	}
	rapdu[used++] = resp[n - 2];
	rapdu[used++] = resp[n - 1];
	*rlen = used;
out:
	mbedtls_platform_zeroize(resp, sizeof(resp));
	mbedtls_platform_zeroize(cmd, sizeof(cmd));
	if (rc != 0) {
		mbedtls_platform_zeroize(rapdu, used);
		*rlen = 0;
	}
	return rc;
}

int hal_reader_verify_pin_direct(struct hal_reader *r, const uint8_t *pin_verify_structure,
				 size_t len, uint8_t *sw, size_t *swlen)
{
	int rc;

	if (swlen != NULL) {
		*swlen = 0;
	}
	if (r == NULL || r->ops == NULL || pin_verify_structure == NULL || len == 0 ||
	    sw == NULL || swlen == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (r->ops->verify_pin_direct == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	if (!r->connected) {
		return KIOSK_ERR_INVALID_ARG;
	}
	/* The reader sends one VERIFY to the card: one wire APDU, never re-sent. */
	r->first_cmd_sent = true;
	r->apdu_count++;
	rc = r->ops->verify_pin_direct(r->priv, pin_verify_structure, len, sw, swlen);
	if (rc == 0 && *swlen != 2) {
		rc = KIOSK_ERR_CARD_PROTOCOL;
	}
	if (rc != 0) {
		*swlen = 0;
	}
	return rc;
}

/*
 * Readers that announce FEATURE_VERIFY_PIN_DIRECT without a keypad. OpenSC
 * keeps the same quirk by USB id (HID OMNIKEY 3x21 = 076B:3031, 6121 =
 * 076B:6632). PC/SC gives us only the reader name; these substrings are the
 * names libccid's Info.plist (Debian 12, libccid 1.5.2) gives those models.
 */
static const char *const false_pinpads[] = {
	"OMNIKEY 3x21",	    /* "HID Global OMNIKEY 3x21 Smart Card Reader" */
	"CardMan 3121",	    /* "OMNIKEY AG CardMan 3121" */
	"OMNIKEY AG 3121",  /* "OMNIKEY AG 3121 USB" */
	"OMNIKEY 6121",	    /* "HID Global OMNIKEY 6121 Smart Card Reader" */
	"CardMan 6121",	    /* "OMNIKEY AG CardMan 6121" */
	"OMNIKEY AG 6121",  /* "OMNIKEY AG 6121 USB mobile" */
};

bool hal_reader_false_pinpad(const char *reader_name)
{
	if (reader_name == NULL) {
		return false;
	}
	for (size_t i = 0; i < sizeof(false_pinpads) / sizeof(false_pinpads[0]); i++) {
		if (strstr(reader_name, false_pinpads[i]) != NULL) {
			return true;
		}
	}
	return false;
}

int hal_part10_pin_limits(const uint8_t *tlv, size_t len, uint8_t *min, uint8_t *max,
			  bool *display)
{
	size_t i = 0;
	uint8_t tag;
	uint8_t n;

	if ((tlv == NULL && len != 0) || min == NULL || max == NULL || display == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*min = 0;
	*max = 0;
	*display = false;
	while (i < len) {
		if (len - i < 2 || (size_t)tlv[i + 1] > len - i - 2) {
			return KIOSK_ERR_CARD_PROTOCOL;
		}
		tag = tlv[i];
		n = tlv[i + 1];
		if ((tag == 6 || tag == 7) && n != 1) {
			return KIOSK_ERR_CARD_PROTOCOL;
		}
		if (tag == 1 && n != 2) {
			return KIOSK_ERR_CARD_PROTOCOL;
		}
		if (tag == 6) {
			*min = tlv[i + 2];
		} else if (tag == 7) {
			*max = tlv[i + 2];
		} else if (tag == 1) {
			*display = (tlv[i + 2] | tlv[i + 3]) != 0;
		}
		i += 2u + n;
	}
	return 0;
}
