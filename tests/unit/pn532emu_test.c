/* SPDX-License-Identifier: MIT */
/* pn532emu_core: frames, the commands libnfc uses, waits, chaining, faults, garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cardsim_fixture.h"
#include "pn532emu.h"

static const uint8_t ack[6] = { 0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00 };

/* Send @cmd+params; check the ACK and one well-formed answer frame; return its data. */
static size_t xfer(struct pn532emu *e, const uint8_t *cmd, size_t len, uint8_t *data, size_t cap)
{
	uint8_t frame[600], out[PN532EMU_OUT_MAX * 2];
	size_t flen = pn532emu_build_host_frame(cmd, len, frame, sizeof(frame));
	size_t olen = 0, hdr, dlen;
	uint8_t sum = 0;

	assert_true(flen > 0);
	assert_int_equal(pn532emu_feed(e, frame, flen, out, sizeof(out), &olen), 0);
	assert_true(olen > sizeof(ack) + 7);
	assert_memory_equal(out, ack, sizeof(ack));
	assert_int_equal(out[6], 0x00);
	assert_int_equal(out[7], 0x00);
	assert_int_equal(out[8], 0xFF);
	if (out[9] == 0xFF && out[10] == 0xFF) {
		dlen = (size_t)out[11] << 8 | out[12];
		assert_int_equal((uint8_t)(out[11] + out[12] + out[13]), 0);
		hdr = 14;
	} else {
		dlen = out[9];
		assert_int_equal((uint8_t)(out[9] + out[10]), 0);
		hdr = 11;
	}
	assert_int_equal(olen, hdr + dlen + 2);
	for (size_t i = 0; i <= dlen; i++) {
		sum = (uint8_t)(sum + out[hdr + i]);
	}
	assert_int_equal(sum, 0);
	assert_int_equal(out[hdr], 0xD5);
	assert_int_equal(out[hdr + 1], (uint8_t)(cmd[0] + 1));
	assert_true(dlen - 2 <= cap);
	memcpy(data, out + hdr + 2, dlen - 2);
	return dlen - 2;
}

static void init_sequence(void **state)
{
	struct pn532emu e;
	static const uint8_t wake_sam[] = { 0x55, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0x00, 0x00, 0xFF, 0x03, 0xFD, 0xD4, 0x14, 0x01,
					    0x17, 0x00 };
	static const uint8_t diag[] = { 0x00, 0x00, 'l', 'i', 'b', 'n', 'f', 'c' };
	static const uint8_t fw[] = { 0x02 };
	static const uint8_t wr[] = { 0x08, 0x63, 0x02, 0x80, 0x63, 0x03, 0x81 };
	static const uint8_t rd[] = { 0x06, 0x63, 0x02, 0x63, 0x03, 0x63, 0x0D };
	static const uint8_t pd[] = { 0x16, 0xF0 };
	uint8_t out[64], d[300];
	size_t olen = 0;

	(void)state;
	pn532emu_init(&e, NULL);
	assert_int_equal(pn532emu_feed(&e, wake_sam, sizeof(wake_sam), out, sizeof(out), &olen),
			 0);
	assert_int_equal(olen, 6 + 9);
	assert_memory_equal(out, ack, 6);
	assert_int_equal(out[11], 0xD5);
	assert_int_equal(out[12], 0x15);
	assert_int_equal(xfer(&e, diag, sizeof(diag), d, sizeof(d)), 7);
	assert_memory_equal(d, diag + 1, 7);
	assert_int_equal(xfer(&e, fw, sizeof(fw), d, sizeof(d)), 4);
	assert_memory_equal(d, "\x32\x01\x06\x07", 4);
	assert_int_equal(xfer(&e, wr, sizeof(wr), d, sizeof(d)), 0);
	assert_int_equal(xfer(&e, rd, sizeof(rd), d, sizeof(d)), 3);
	assert_memory_equal(d, "\x80\x81\x00", 3);
	assert_int_equal(xfer(&e, pd, sizeof(pd), d, sizeof(d)), 1);
	assert_int_equal(d[0], 0x00);
}

static void garbage_and_bad_checksums(void **state)
{
	struct pn532emu e;
	uint8_t junk[5000], out[PN532EMU_OUT_MAX * 2], d[300];
	static const uint8_t bad_lcs[] = { 0x00, 0x00, 0xFF, 0x03, 0xFC,
					   0xD4, 0x14, 0x01, 0x17, 0x00 };
	static const uint8_t bad_dcs[] = { 0x00, 0x00, 0xFF, 0x03, 0xFD,
					   0xD4, 0x14, 0x01, 0x18, 0x00 };
	static const uint8_t huge_ext[] = { 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0, 0x11 };
	static const uint8_t fw[] = { 0x02 };
	uint32_t x = 12345;
	size_t olen = 0;

	(void)state;
	pn532emu_init(&e, NULL);
	assert_int_equal(pn532emu_feed(&e, bad_lcs, sizeof(bad_lcs), out, sizeof(out), &olen), 0);
	assert_int_equal(olen, 0);
	assert_int_equal(pn532emu_feed(&e, bad_dcs, sizeof(bad_dcs), out, sizeof(out), &olen), 0);
	assert_int_equal(olen, 0);
	assert_int_equal(pn532emu_feed(&e, huge_ext, sizeof(huge_ext), out, sizeof(out), &olen),
			 0);
	assert_int_equal(olen, 0);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(junk); i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (uint8_t)(x >> 16);
			if ((x >> 8) % 7 == 0) {
				junk[i] = (x >> 12) % 2 ? 0x00 : 0xFF;
			}
		}
		(void)pn532emu_feed(&e, junk, (size_t)(x % sizeof(junk)), out, sizeof(out), &olen);
		assert_true(olen <= sizeof(out));
	}
	/* Drain whatever partial frame the junk left, then the chip still answers. */
	memset(junk, 0x55, sizeof(junk));
	(void)pn532emu_feed(&e, junk, sizeof(junk), out, sizeof(out), &olen);
	assert_int_equal(xfer(&e, fw, sizeof(fw), d, sizeof(d)), 4);
	assert_true(e.frames_bad > 0);
}

static void list_target_waits_and_ack_aborts(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct pn532emu e;
	static const uint8_t list[] = { 0x4A, 0x01, 0x03, 0x00 };
	static const uint8_t retries[] = { 0x32, 0x05, 0xFF, 0x01, 0x02 };
	uint8_t frame[32], out[PN532EMU_OUT_MAX], d[300];
	size_t flen, olen = 0;

	(void)state;
	pn532emu_init(&e, c);
	pn532emu_remove(&e);
	flen = pn532emu_build_host_frame(list, sizeof(list), frame, sizeof(frame));
	assert_int_equal(pn532emu_feed(&e, frame, flen, out, sizeof(out), &olen), 0);
	assert_int_equal(olen, 6); /* ACK only: waiting for a card */
	assert_true(e.waiting);
	assert_int_equal(pn532emu_tick(&e, out, sizeof(out), &olen), 0);
	assert_int_equal(olen, 0);
	assert_int_equal(pn532emu_feed(&e, ack, sizeof(ack), out, sizeof(out), &olen), 0);
	assert_int_equal(olen, 0);
	assert_false(e.waiting);
	/* Wait again, then a card arrives: the pending answer comes out. */
	assert_int_equal(pn532emu_feed(&e, frame, flen, out, sizeof(out), &olen), 0);
	pn532emu_insert(&e);
	assert_int_equal(pn532emu_tick(&e, out, sizeof(out), &olen), 0);
	assert_true(olen > 20);
	assert_int_equal(out[5], 0xD5);
	assert_int_equal(out[6], 0x4B);
	assert_int_equal(out[7], 0x01);
	assert_int_equal(out[9], 0x50);
	/* Limited retries: no card answers 0 targets at once. */
	assert_int_equal(xfer(&e, retries, sizeof(retries), d, sizeof(d)), 0);
	pn532emu_remove(&e);
	assert_int_equal(xfer(&e, list, sizeof(list), d, sizeof(d)), 1);
	assert_int_equal(d[0], 0x00);
	cardsim_card_free(c);
}

static void exchange_presence_faults(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct pn532emu e;
	static const uint8_t list[] = { 0x4A, 0x01, 0x03, 0x00 };
	/* SELECT the card-face input assistance AP */
	static const uint8_t sel[] = { 0x40, 0x01, 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92,
				       0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
	static const uint8_t nak[] = { 0x42, 0xBA, 0x01 };
	static const uint8_t rel[] = { 0x52, 0x00 };
	uint8_t d[300];
	size_t n;

	(void)state;
	pn532emu_init(&e, c);
	n = xfer(&e, list, sizeof(list), d, sizeof(d));
	assert_int_equal(n, 1 + 1 + 12 + 2);
	assert_int_equal(d[0], 0x01);
	assert_int_equal(d[2], 0x50);
	n = xfer(&e, sel, sizeof(sel), d, sizeof(d));
	assert_int_equal(n, 3);
	assert_int_equal(d[0], 0x00);
	assert_int_equal(d[1], 0x90);
	assert_int_equal(d[2], 0x00);
	n = xfer(&e, nak, sizeof(nak), d, sizeof(d));
	assert_int_equal(n, 3);
	assert_memory_equal(d, "\x00\xAB\x01", 3);
	pn532emu_inject(&e, PN532EMU_ST_RF, 1);
	n = xfer(&e, sel, sizeof(sel), d, sizeof(d));
	assert_int_equal(n, 1);
	assert_int_equal(d[0], PN532EMU_ST_RF);
	n = xfer(&e, sel, sizeof(sel), d, sizeof(d));
	assert_int_equal(d[0], 0x00);
	pn532emu_remove(&e);
	n = xfer(&e, nak, sizeof(nak), d, sizeof(d));
	assert_int_equal(n, 1);
	assert_int_equal(d[0], PN532EMU_ST_TIMEOUT);
	n = xfer(&e, sel, sizeof(sel), d, sizeof(d));
	assert_int_equal(n, 1);
	assert_int_equal(d[0], 0x27); /* released by the removal: no target */
	n = xfer(&e, rel, sizeof(rel), d, sizeof(d));
	assert_int_equal(d[0], 0x00);
	cardsim_card_free(c);
}

static void chaining_and_extended_frames(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	struct pn532emu e;
	static const uint8_t list[] = { 0x4A, 0x01, 0x03, 0x00 };
	static const uint8_t more[] = { 0x40, 0x01 };
	uint8_t big[2 + 5 + 255], d[300];
	size_t n;

	(void)state;
	pn532emu_init(&e, c);
	(void)xfer(&e, list, sizeof(list), d, sizeof(d));
	/* A 600-byte response is served in MI-chained pieces of at most 262 bytes. */
	for (size_t i = 0; i < 600; i++) {
		e.chain[i] = (uint8_t)i;
	}
	e.chain_len = 600;
	e.chain_off = 0;
	n = xfer(&e, more, sizeof(more), d, sizeof(d));
	assert_int_equal(n, 1 + PN532EMU_DATA_MAX);
	assert_int_equal(d[0], 0x40);
	assert_int_equal(d[1], 0);
	n = xfer(&e, more, sizeof(more), d, sizeof(d));
	assert_int_equal(n, 1 + PN532EMU_DATA_MAX);
	assert_int_equal(d[0], 0x40);
	assert_int_equal(d[1], (uint8_t)PN532EMU_DATA_MAX);
	n = xfer(&e, more, sizeof(more), d, sizeof(d));
	assert_int_equal(n, 1 + 600 - 2 * PN532EMU_DATA_MAX);
	assert_int_equal(d[0], 0x00);
	assert_int_equal(e.chain_len, 0);
	/* An extended host frame (262 bytes): a case-3 APDU with 255 data bytes. */
	big[0] = 0x40;
	big[1] = 0x01;
	big[2] = 0x00;
	big[3] = 0xD6; /* UPDATE BINARY, not allowed: the card answers an error SW */
	big[4] = 0x00;
	big[5] = 0x00;
	big[6] = 0xFF;
	memset(big + 7, 0xAA, 255);
	n = xfer(&e, big, sizeof(big), d, sizeof(d));
	assert_int_equal(n, 3);
	assert_int_equal(d[0], 0x00);
	assert_int_not_equal(d[1], 0x90);
	cardsim_card_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_sequence),
		cmocka_unit_test(garbage_and_bad_checksums),
		cmocka_unit_test(list_target_waits_and_ack_aborts),
		cmocka_unit_test(exchange_presence_faults),
		cmocka_unit_test(chaining_and_extended_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
