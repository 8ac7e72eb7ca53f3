/* SPDX-License-Identifier: MIT */
/*
 * NFC reader over libnfc (PN53x family: pn532_uart, pn53x_usb, acr122_usb). The
 * board's reader.pattern is the libnfc connection string ("pn532_uart:/dev/ttyS0").
 *   - the card is selected as ISO/IEC 14443 Type B at 106 kbps; wait_card repeats
 *     a non-blocking select (NP_INFINITE_SELECT off) until the deadline;
 *   - APDUs go through nfc_initiator_transceive_bytes with apdu_timeout_ms (the
 *     card's RSA signature takes seconds over NFC);
 *   - NFC_ETGRELEASED, or a failed presence check after any other exchange
 *     error (NFC_ERFTRANS: the PN532's timeout, CRC, RF protocol statuses),
 *     means the card left: KIOSK_ERR_CARD_REMOVED, as on PC/SC; a card that is
 *     still there but did not answer gives KIOSK_ERR_CARD_TIMEOUT and the
 *     session is dead from then on (no command is re-sent: it may be a VERIFY);
 *   - the ATR is synthesised from the ATQB as a PC/SC part 3 reader does:
 *     3B 88 80 01 + application data(4) + protocol info(3) + MBLI + TCK. It
 *     carries no card capability bits, so the firmware uses short APDUs, which
 *     fit NFC frames of 256 bytes.
 * Single-threaded: libnfc devices are not shared.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nfc/nfc.h>

#include "hal/reader.h"
#include "kiosk/err.h"
#include "reader_time.h"

#define NFC_POLL_PAUSE_MS 50u

struct nfc_priv {
	nfc_context *ctx;
	nfc_device *dev;
	nfc_target target;
	bool have_target; /* selected and not released */
	bool removed;     /* the card left during this session */
	bool dead;        /* the card stopped answering during this session */
	unsigned timeout_ms;
	char name[HAL_READER_NAME_MAX];
};

static const nfc_modulation mod_b = { .nmt = NMT_ISO14443B, .nbr = NBR_106 };

static void pause_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000u),
			       .tv_nsec = (long)(ms % 1000u) * 1000000L };

	(void)nanosleep(&ts, NULL);
}

static int nfc_open_(void *priv, const struct hal_reader_config *cfg)
{
	struct nfc_priv *p = priv;

	if (cfg->name_pattern == NULL || cfg->name_pattern[0] == '\0' ||
	    strlen(cfg->name_pattern) >= NFC_BUFSIZE_CONNSTRING) {
		return KIOSK_ERR_CONFIG;
	}
	p->timeout_ms = cfg->apdu_timeout_ms != 0 ? cfg->apdu_timeout_ms
						  : HAL_READER_DEFAULT_APDU_TIMEOUT_MS;
	nfc_init(&p->ctx);
	if (p->ctx == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	p->dev = nfc_open(p->ctx, cfg->name_pattern);
	if (p->dev == NULL) {
		return KIOSK_ERR_NO_READER;
	}
	if (nfc_initiator_init(p->dev) < 0 ||
	    nfc_device_set_property_bool(p->dev, NP_INFINITE_SELECT, false) < 0) {
		return KIOSK_ERR_READER_GONE;
	}
	snprintf(p->name, sizeof(p->name), "%s", nfc_device_get_name(p->dev));
	return 0;
}

/* Release the target: the card is deselected and the field cycled (unpowered). */
static void release(struct nfc_priv *p)
{
	if (p->have_target) {
		(void)nfc_initiator_deselect_target(p->dev);
		(void)nfc_device_set_property_bool(p->dev, NP_ACTIVATE_FIELD, false);
		(void)nfc_device_set_property_bool(p->dev, NP_ACTIVATE_FIELD, true);
		p->have_target = false;
	}
}

static void nfc_close_(void *priv)
{
	struct nfc_priv *p = priv;

	if (p->dev != NULL) {
		release(p);
		nfc_close(p->dev);
		p->dev = NULL;
	}
	if (p->ctx != NULL) {
		nfc_exit(p->ctx);
		p->ctx = NULL;
	}
	memset(&p->target, 0, sizeof(p->target));
}

/* One non-blocking select. @return 1 found, 0 none, or a KIOSK_ERR_*. */
static int select_once(struct nfc_priv *p)
{
	int res = nfc_initiator_select_passive_target(p->dev, mod_b, NULL, 0, &p->target);

	if (res > 0) {
		p->have_target = true;
		p->removed = false;
		return 1;
	}
	if (res == 0 || res == NFC_ETIMEOUT || res == NFC_ERFTRANS) {
		return 0;
	}
	return KIOSK_ERR_READER_GONE;
}

static bool still_there(struct nfc_priv *p)
{
	return nfc_initiator_target_is_present(p->dev, &p->target) == NFC_SUCCESS;
}

static int nfc_wait_card(void *priv, bool present, unsigned timeout_ms)
{
	struct nfc_priv *p = priv;
	struct timespec deadline;

	hal_deadline_after(&deadline, timeout_ms);
	for (;;) {
		if (present) {
			int rc = p->have_target && still_there(p) ? 1 : select_once(p);

			if (rc != 0) {
				return rc < 0 ? rc : 0;
			}
		} else if (p->have_target) {
			if (!still_there(p)) {
				p->have_target = false;
				return 0;
			}
		} else {
			int rc = select_once(p);

			if (rc <= 0) {
				return rc;
			}
		}
		if (hal_ms_left(&deadline) == 0) {
			return KIOSK_ERR_TIMEOUT;
		}
		pause_ms(NFC_POLL_PAUSE_MS);
	}
}

static int nfc_connect_(void *priv, struct hal_card_info *info)
{
	struct nfc_priv *p = priv;
	const nfc_iso14443b_info *b;
	uint8_t tck = 0;
	size_t n = 0;

	if (!p->have_target || !still_there(p)) {
		int rc = select_once(p);

		if (rc < 0) {
			return rc;
		}
		if (rc == 0) {
			return KIOSK_ERR_NO_CARD;
		}
	}
	p->removed = false;
	p->dead = false;
	b = &p->target.nti.nbi;
	info->atr[n++] = 0x3B;
	info->atr[n++] = 0x88;
	info->atr[n++] = 0x80;
	info->atr[n++] = 0x01;
	memcpy(info->atr + n, b->abtApplicationData, 4);
	n += 4;
	memcpy(info->atr + n, b->abtProtocolInfo, 3);
	n += 3;
	info->atr[n++] = 0x00; /* MBLI (from ATTRIB_RES) 0, RFU */
	for (size_t i = 1; i < n; i++) {
		tck ^= info->atr[i];
	}
	info->atr[n++] = tck;
	info->atr_len = n;
	snprintf(info->reader_name, sizeof(info->reader_name), "%s", p->name);
	info->caps = HAL_READER_CAP_CONTACTLESS;
	return 0;
}

static int nfc_transmit(void *priv, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
			size_t rcap, size_t *rlen)
{
	struct nfc_priv *p = priv;
	int res;

	if (p->removed || !p->have_target) {
		return KIOSK_ERR_CARD_REMOVED;
	}
	if (p->dead) {
		return KIOSK_ERR_CARD_TIMEOUT;
	}
	res = nfc_initiator_transceive_bytes(p->dev, capdu, clen, rapdu, rcap, (int)p->timeout_ms);
	if (res >= 0) {
		*rlen = (size_t)res;
		return 0;
	}
	if (res == NFC_EOVFLOW) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	if (res == NFC_EIO || res == NFC_ENOTSUCHDEV) {
		return KIOSK_ERR_READER_GONE;
	}
	/* The PN532 reports a missing answer, CRC and RF protocol errors alike as
	 * NFC_ERFTRANS: ask the card whether it is still there to tell a removal
	 * from a card that stopped answering. */
	if (res == NFC_ETGRELEASED || !still_there(p)) {
		p->removed = true;
		return KIOSK_ERR_CARD_REMOVED;
	}
	if (res == NFC_ERFTRANS || res == NFC_ETIMEOUT) {
		p->dead = true;
		return KIOSK_ERR_CARD_TIMEOUT;
	}
	return KIOSK_ERR_CARD_PROTOCOL;
}

static int nfc_disconnect_(void *priv)
{
	struct nfc_priv *p = priv;
	int rc = p->removed ? KIOSK_ERR_CARD_REMOVED : p->dead ? KIOSK_ERR_CARD_TIMEOUT : 0;

	release(p);
	p->removed = false;
	p->dead = false;
	return rc;
}

const struct hal_reader_ops hal_reader_nfc = {
	.name = "nfc",
	.priv_size = sizeof(struct nfc_priv),
	.open = nfc_open_,
	.close = nfc_close_,
	.wait_card = nfc_wait_card,
	.connect = nfc_connect_,
	.transmit = nfc_transmit,
	.disconnect = nfc_disconnect_,
	.get_features = NULL,
};
