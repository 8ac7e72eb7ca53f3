/* SPDX-License-Identifier: MIT */
/*
 * The PN532 command set libnfc 1.8.0's pn532_uart driver uses (sim-rig §8b),
 * over the HSU frame format:
 *   normal   00 00 FF LEN LCS TFI data... DCS 00
 *   extended 00 00 FF FF FF LENhi LENlo LCS TFI data... DCS 00
 *   ACK      00 00 FF 00 FF 00   (from the host: abort the pending command)
 *   NACK     00 00 FF FF 00 00   (from the host: send the last answer again)
 * Registers are stored and echoed; the card is the cardsim model.
 */
#include <string.h>

#include "cardsim/cardsim.h"
#include "pn532emu.h"

#define TFI_HOST 0xD4
#define TFI_CHIP 0xD5

static const uint8_t ack_frame[6] = { 0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00 };

/* ATQB: 50, PUPI, application data, protocol info (FSCI 8 = 256 bytes, ISO
 * 14443-4, FWI 14 so an RSA signature fits in the frame waiting time, CID). */
static const uint8_t atqb[12] = { 0x50, 0x4B, 0x49, 0x4F, 0x53, 0x00, 0x00, 0x00,
				  0x00, 0x00, 0x81, 0xE1 };

void pn532emu_init(struct pn532emu *e, struct cardsim_card *card)
{
	memset(e, 0, sizeof(*e));
	e->card = card;
	e->card_in = card != NULL;
	e->max_retries_passive = 0xFF;
	e->field_on = true;
}

static bool card_there(const struct pn532emu *e)
{
	return e->card != NULL && e->card_in && cardsim_present(e->card);
}

static void unpower(struct pn532emu *e)
{
	if (e->card != NULL && cardsim_present(e->card) && cardsim_powered(e->card)) {
		cardsim_power(e->card, CARDSIM_POWER_OFF);
	}
	e->selected = false;
	e->chain_len = 0;
	e->chain_off = 0;
}

void pn532emu_remove(struct pn532emu *e)
{
	unpower(e);
	e->card_in = false;
	if (e->card != NULL) {
		cardsim_remove(e->card);
	}
}

void pn532emu_insert(struct pn532emu *e)
{
	if (e->card != NULL) {
		cardsim_insert(e->card);
	}
	e->card_in = e->card != NULL;
}

void pn532emu_inject(struct pn532emu *e, uint8_t status, unsigned count)
{
	e->inject_status = status;
	e->inject_count = status != 0 ? count : 0;
}

size_t pn532emu_build_host_frame(const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	size_t flen = len + 1; /* TFI + data */
	uint8_t sum = TFI_HOST;

	if (flen > 0xFFFF || cap < flen + 11) {
		return 0;
	}
	out[n++] = 0x00;
	out[n++] = 0x00;
	out[n++] = 0xFF;
	if (flen > 255) {
		out[n++] = 0xFF;
		out[n++] = 0xFF;
		out[n++] = (uint8_t)(flen >> 8);
		out[n++] = (uint8_t)flen;
		out[n++] = (uint8_t)(0x100 - (((flen >> 8) + flen) & 0xFF));
	} else {
		out[n++] = (uint8_t)flen;
		out[n++] = (uint8_t)(0x100 - flen);
	}
	out[n++] = TFI_HOST;
	for (size_t i = 0; i < len; i++) {
		out[n++] = data[i];
		sum = (uint8_t)(sum + data[i]);
	}
	out[n++] = (uint8_t)(0x100 - sum);
	out[n++] = 0x00;
	return n;
}

/* Append bytes to the output, all or nothing. */
static int put(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *b, size_t n)
{
	if (n > cap - *out_len) {
		return -1;
	}
	memcpy(out + *out_len, b, n);
	*out_len += n;
	return 0;
}

/* One chip→host frame: D5, @cmd + 1, @data. Remembered for a NACK. */
static int respond(struct pn532emu *e, uint8_t cmd, const uint8_t *data, size_t len,
		   uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t f[PN532EMU_OUT_MAX];
	size_t n = 0;
	size_t flen = len + 2;
	uint8_t sum = (uint8_t)(TFI_CHIP + cmd + 1);

	if (len > PN532EMU_DATA_MAX + 2) {
		return -1;
	}
	f[n++] = 0x00;
	f[n++] = 0x00;
	f[n++] = 0xFF;
	if (flen > 255) {
		f[n++] = 0xFF;
		f[n++] = 0xFF;
		f[n++] = (uint8_t)(flen >> 8);
		f[n++] = (uint8_t)flen;
		f[n++] = (uint8_t)(0x100 - (((flen >> 8) + flen) & 0xFF));
	} else {
		f[n++] = (uint8_t)flen;
		f[n++] = (uint8_t)(0x100 - flen);
	}
	f[n++] = TFI_CHIP;
	f[n++] = (uint8_t)(cmd + 1);
	for (size_t i = 0; i < len; i++) {
		f[n++] = data[i];
		sum = (uint8_t)(sum + data[i]);
	}
	f[n++] = (uint8_t)(0x100 - sum);
	f[n++] = 0x00;
	memcpy(e->last, f, n);
	e->last_len = n;
	return put(out, cap, out_len, f, n);
}

static uint8_t *reg_slot(struct pn532emu *e, uint16_t addr, bool create)
{
	for (size_t i = 0; i < e->nregs; i++) {
		if (e->regs[i].addr == addr) {
			return &e->regs[i].val;
		}
	}
	if (!create || e->nregs == PN532EMU_NREGS) {
		return NULL;
	}
	e->regs[e->nregs].addr = addr;
	e->regs[e->nregs].val = 0;
	return &e->regs[e->nregs++].val;
}

/* Activate the card: power it and build the target data (Tg, ATQB, ATTRIB_RES). */
static size_t target_data(struct pn532emu *e, uint8_t *d)
{
	size_t n = 0;

	if (!cardsim_powered(e->card)) {
		cardsim_power(e->card, CARDSIM_POWER_ON);
	}
	e->selected = true;
	e->chain_len = 0;
	e->chain_off = 0;
	d[n++] = 0x01; /* Tg */
	memcpy(d + n, atqb, sizeof(atqb));
	n += sizeof(atqb);
	d[n++] = 0x01; /* ATTRIB_RES length */
	d[n++] = 0x00; /* MBLI 0, CID 0 */
	return n;
}

/* The pending wait can be answered: a card is there. */
static int answer_wait(struct pn532emu *e, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t d[32];
	size_t n = 0;

	e->waiting = false;
	if (e->wait_cmd == 0x60) {
		d[n++] = 0x01; /* NbTg */
		d[n++] = 0x03; /* type: passive 106 kbps ISO/IEC 14443-4 B */
		d[n] = (uint8_t)target_data(e, d + n + 1);
		n += 1u + d[n];
	} else {
		d[n++] = 0x01;
		n += target_data(e, d + n);
	}
	return respond(e, e->wait_cmd, d, n, out, cap, out_len);
}

/* Send the next chunk of a response, with MI (0x40) when more follows. */
static int send_chunk(struct pn532emu *e, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t d[PN532EMU_DATA_MAX + 1];
	size_t left = e->chain_len - e->chain_off;
	size_t n = left > PN532EMU_DATA_MAX ? PN532EMU_DATA_MAX : left;

	d[0] = left > PN532EMU_DATA_MAX ? 0x40 : 0x00;
	memcpy(d + 1, e->chain + e->chain_off, n);
	e->chain_off += n;
	if (e->chain_off == e->chain_len) {
		e->chain_len = 0;
		e->chain_off = 0;
	}
	return respond(e, 0x40, d, n + 1, out, cap, out_len);
}

static int data_exchange(struct pn532emu *e, const uint8_t *p, size_t plen, uint8_t *out,
			 size_t cap, size_t *out_len)
{
	uint8_t st;
	size_t rlen = 0;
	enum cardsim_action act;

	if (plen < 1 || p[0] != 0x01 || !e->selected) {
		st = 0x27; /* wrong context */
		return respond(e, 0x40, &st, 1, out, cap, out_len);
	}
	if (e->inject_count > 0) {
		st = e->inject_status;
		e->inject_count--;
		return respond(e, 0x40, &st, 1, out, cap, out_len);
	}
	if (!card_there(e)) {
		st = PN532EMU_ST_TIMEOUT;
		return respond(e, 0x40, &st, 1, out, cap, out_len);
	}
	if (plen == 1 && e->chain_len > 0) {
		return send_chunk(e, out, cap, out_len);
	}
	e->apdus++;
	act = cardsim_process(e->card, p + 1, plen - 1, e->chain, sizeof(e->chain), &rlen);
	if (act == CARDSIM_MUTE || act == CARDSIM_REMOVE_NOW) {
		if (act == CARDSIM_REMOVE_NOW) {
			pn532emu_remove(e);
		}
		st = PN532EMU_ST_TIMEOUT;
		return respond(e, 0x40, &st, 1, out, cap, out_len);
	}
	e->chain_len = rlen;
	e->chain_off = 0;
	if (rlen == 0) {
		st = 0x00;
		return respond(e, 0x40, &st, 1, out, cap, out_len);
	}
	if (send_chunk(e, out, cap, out_len) != 0) {
		return -1;
	}
	if (act == CARDSIM_ANSWER_THEN_REMOVE) {
		pn532emu_remove(e);
	}
	return 0;
}

/* One complete host frame: @p = command byte and parameters. */
static int command(struct pn532emu *e, const uint8_t *p, size_t plen, uint8_t *out, size_t cap,
		   size_t *out_len)
{
	uint8_t cmd = p[0];
	const uint8_t *a = p + 1;
	size_t alen = plen - 1;
	uint8_t d[PN532EMU_DATA_MAX];
	size_t n = 0;

	if (put(out, cap, out_len, ack_frame, sizeof(ack_frame)) != 0) {
		return -1;
	}
	switch (cmd) {
	case 0x00: /* Diagnose: echo */
		if (alen > sizeof(d)) {
			return 0;
		}
		memcpy(d, a, alen);
		n = alen;
		break;
	case 0x02: /* GetFirmwareVersion: PN532 v1.6, ISO A, B, 18092 */
		d[0] = 0x32;
		d[1] = 0x01;
		d[2] = 0x06;
		d[3] = 0x07;
		n = 4;
		break;
	case 0x04: /* GetGeneralStatus: Err, Field, NbTg, [Tg BrRx BrTx Type], SAM */
		d[n++] = 0x00;
		d[n++] = e->field_on ? 0x01 : 0x00;
		d[n++] = e->selected ? 0x01 : 0x00;
		if (e->selected) {
			d[n++] = 0x01;
			d[n++] = 0x00;
			d[n++] = 0x00;
			d[n++] = 0x03;
		}
		d[n++] = 0x00;
		break;
	case 0x06: /* ReadRegister: one byte per address pair */
		for (size_t i = 0; i + 1 < alen && n < sizeof(d); i += 2) {
			const uint8_t *v = reg_slot(e, (uint16_t)(a[i] << 8 | a[i + 1]), false);

			d[n++] = v != NULL ? *v : 0x00;
		}
		break;
	case 0x08: /* WriteRegister: address pair + value, stored */
		for (size_t i = 0; i + 2 < alen; i += 3) {
			uint8_t *v = reg_slot(e, (uint16_t)(a[i] << 8 | a[i + 1]), true);

			if (v != NULL) {
				*v = a[i + 2];
			}
		}
		break;
	case 0x12: /* SetParameters */
	case 0x14: /* SAMConfiguration */
		break;
	case 0x16: /* PowerDown */
		d[n++] = 0x00;
		break;
	case 0x32: /* RFConfiguration */
		if (alen >= 2 && a[0] == 0x01) {
			e->field_on = (a[1] & 0x01) != 0;
			if (!e->field_on) {
				unpower(e);
			}
		} else if (alen >= 4 && a[0] == 0x05) {
			e->max_retries_passive = a[3];
		}
		break;
	case 0x4A: /* InListPassiveTarget: only 1 target, Type B 106 kbps */
		if (alen < 2 || a[1] != 0x03) {
			d[n++] = 0x00;
			break;
		}
		if (card_there(e)) {
			d[n++] = 0x01;
			n += target_data(e, d + n);
			break;
		}
		if (e->max_retries_passive == 0xFF) {
			e->waiting = true;
			e->wait_cmd = cmd;
			return 0;
		}
		d[n++] = 0x00;
		break;
	case 0x60: /* InAutoPoll: answer Type B when a card is there */
		if (card_there(e)) {
			e->wait_cmd = cmd;
			return answer_wait(e, out, cap, out_len);
		}
		if (alen >= 1 && a[0] == 0xFF) {
			e->waiting = true;
			e->wait_cmd = cmd;
			return 0;
		}
		d[n++] = 0x00;
		break;
	case 0x40: /* InDataExchange */
		return data_exchange(e, a, alen, out, cap, out_len);
	case 0x42: /* InCommunicateThru: the R(NAK) presence check */
		if (e->selected && card_there(e)) {
			d[n++] = 0x00;
			if (alen >= 1 && (a[0] & 0xF6) == 0xB2) {
				/* R(NAK) -> R(ACK) of the current block (BA -> AB) */
				d[n++] = (uint8_t)(a[0] ^ 0x11u);
				if (alen >= 2) {
					d[n++] = a[1];
				}
			}
		} else {
			d[n++] = PN532EMU_ST_TIMEOUT;
		}
		break;
	case 0x44: /* InDeselect */
	case 0x52: /* InRelease */
		unpower(e);
		d[n++] = 0x00;
		break;
	case 0x54: /* InSelect */
		d[n++] = card_there(e) ? 0x00 : PN532EMU_ST_TIMEOUT;
		if (card_there(e)) {
			uint8_t tmp[32];

			(void)target_data(e, tmp);
		}
		break;
	default:
		/* Unknown command: the chip's syntax error frame 00 00 FF 01 FF 7F 81 00. */
		{
			static const uint8_t err_frame[8] = { 0x00, 0x00, 0xFF, 0x01,
							      0xFF, 0x7F, 0x81, 0x00 };

			return put(out, cap, out_len, err_frame, sizeof(err_frame));
		}
	}
	return respond(e, cmd, d, n, out, cap, out_len);
}

/*
 * Try to take one frame from the start of rx. @return bytes consumed (0 = need
 * more). Leading bytes that cannot start a frame are skipped one at a time.
 */
static size_t take_frame(struct pn532emu *e, uint8_t *out, size_t cap, size_t *out_len, int *rc)
{
	const uint8_t *b = e->rx;
	size_t len = e->rx_len;
	size_t hdr, flen, i;
	uint8_t sum = 0;

	if (len < 2) {
		return 0;
	}
	if (!(b[0] == 0x00 && b[1] == 0xFF)) {
		return 1; /* preamble (55, 00) or garbage */
	}
	if (len < 4) {
		return 0;
	}
	if (b[2] == 0x00 && b[3] == 0xFF) { /* ACK: abort */
		e->waiting = false;
		return 4;
	}
	if (b[2] == 0xFF && b[3] == 0x00) { /* NACK: repeat */
		if (e->last_len > 0) {
			*rc = put(out, cap, out_len, e->last, e->last_len);
		}
		return 4;
	}
	if (b[2] == 0xFF && b[3] == 0xFF) {
		if (len < 7) {
			return 0;
		}
		if ((uint8_t)(b[4] + b[5] + b[6]) != 0) {
			e->frames_bad++;
			return 2;
		}
		flen = (size_t)b[4] << 8 | b[5];
		hdr = 7;
	} else {
		if ((uint8_t)(b[2] + b[3]) != 0) {
			e->frames_bad++;
			return 2;
		}
		flen = b[2];
		hdr = 4;
	}
	if (flen < 2 || hdr + flen + 1 > sizeof(e->rx)) {
		e->frames_bad++;
		return 2;
	}
	if (len < hdr + flen + 1) {
		return 0;
	}
	for (i = 0; i <= flen; i++) {
		sum = (uint8_t)(sum + b[hdr + i]);
	}
	if (sum != 0 || b[hdr] != TFI_HOST) {
		e->frames_bad++;
		return hdr + flen + 1;
	}
	e->frames_ok++;
	e->waiting = false; /* a new command cancels a pending wait */
	*rc = command(e, b + hdr + 1, flen - 1, out, cap, out_len);
	return hdr + flen + 1;
}

int pn532emu_feed(struct pn532emu *e, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		  size_t *out_len)
{
	int rc = 0;

	*out_len = 0;
	while (len > 0) {
		size_t room = sizeof(e->rx) - e->rx_len;
		size_t n = len < room ? len : room;
		size_t used;

		memcpy(e->rx + e->rx_len, in, n);
		e->rx_len += n;
		in += n;
		len -= n;
		while ((used = take_frame(e, out, cap, out_len, &rc)) > 0) {
			memmove(e->rx, e->rx + used, e->rx_len - used);
			e->rx_len -= used;
		}
		if (e->rx_len == sizeof(e->rx)) {
			e->rx_len = 0; /* cannot be a frame: drop */
		}
	}
	return rc;
}

int pn532emu_tick(struct pn532emu *e, uint8_t *out, size_t cap, size_t *out_len)
{
	*out_len = 0;
	if (e->waiting && card_there(e)) {
		return answer_wait(e, out, cap, out_len);
	}
	return 0;
}
