/* SPDX-License-Identifier: MIT */
/*
 * Session logic against a scripted reader: every APDU the session sends is
 * compared byte for byte with the script, and the counts are the APDU
 * economy the kiosk promises (SFI, extended length, their fallbacks), plus
 * the PIN rules: one VERIFY per PIN, none on a blocked card or a malformed PIN.
 * The EF contents are synthetic (no real person; no signatures are checked here).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/platform_util.h>

#include "hal/reader.h"
#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "kiosk/vault.h"

/* --- canned card files ---------------------------------------------------- */

static uint8_t ef0001[17];
static uint8_t ef0002[104];
static uint8_t ef0002_long[300];
static uint8_t ef0003[336];
static uint8_t ef0004[568];
static uint8_t ef0007[536];

static const char VECTOR_HEX[] =
	"ff2065df2108000e002000590064df220fe9bb92e6a190e38080e5b9b9e4b99fdf2336e69db1e4baace9"
	"83bde6b885e780ace5b882e8a6b3e5b883e5ad90e58d97efbc91efbc92efbc8defbc97efbc8defbc92ef"
	"bc90efbc92df24083139383030323137df250131";

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + i * 7);
	}
}

static void make_files(void)
{
	static const uint8_t h4[] = { 0x7F, 0x21, 0x82, 0x02, 0x33, 0x5F, 0x4E, 0x82, 0x01, 0x29 };
	static const uint8_t h3[] = { 0xFF, 0x30, 0x82, 0x01, 0x4B };
	static const uint8_t h7[] = { 0xFF, 0x50, 0x82, 0x02, 0x13 };

	memcpy(ef0001, "\xFF\x10\x0C" "537686677188" "\xFF\xFF", 17);
	for (size_t i = 0; i < sizeof(ef0002); i++) {
		unsigned v;

		sscanf(VECTOR_HEX + 2 * i, "%2x", &v);
		ef0002[i] = (uint8_t)v;
	}
	fill(ef0002_long, sizeof(ef0002_long), 3);
	memcpy(ef0002_long, "\xFF\x20\x82\x01\x28", 5); /* 5 + 296 = 301 > 300: see tests */
	fill(ef0003, sizeof(ef0003), 5);
	memcpy(ef0003, h3, sizeof(h3));
	fill(ef0004, sizeof(ef0004), 9);
	memcpy(ef0004, h4, sizeof(h4));
	fill(ef0007, sizeof(ef0007), 11);
	memcpy(ef0007, h7, sizeof(h7));
}

/* --- the scripted reader -------------------------------------------------- */

struct step {
	const char *cmd;     /* hex; "VERIFY1234" etc. are spelled out in hex too */
	uint16_t sw;
	const uint8_t *data; /* response data, or NULL */
	size_t off, len;
	int transport_err;   /* returned instead of an answer when non-zero */
};

#define SW(c, s) { (c), (s), NULL, 0, 0, 0 }
#define DATA(c, ef, o, l) { (c), 0x9000, (ef), (o), (l), 0 }
#define FAILS(c, e) { (c), 0, NULL, 0, 0, (e) }

#define SEL_AP "00A4040C0AD3921000310001010408"
#define VERIFY_91_1234 "002000910431323334"
#define VERIFY_80_1234 "002000800431323334"

static const struct step *script;
static size_t script_len;
static size_t pos;
static const uint8_t *atr;
static size_t atr_len;

static const uint8_t ATR_SFI_EXT[] = { 0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB,
				       0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1,
				       0x73, 0xC6, 0x01, 0xC0, 0x3B };
static const uint8_t ATR_SFI[] = { 0x3B, 0xC5, 0xFF, 0x81, 0x31, 0xFB, 0x45,
				   0x80, 0x73, 0xC6, 0x01, 0x00, 0x00 };
static const uint8_t ATR_NONE[] = { 0x3B, 0x80, 0x80, 0x01, 0x01 };

static int fake_open(void *priv, const struct hal_reader_config *cfg)
{
	(void)priv;
	(void)cfg;
	return 0;
}

static void fake_close(void *priv)
{
	(void)priv;
}

static int fake_connect(void *priv, struct hal_card_info *info)
{
	(void)priv;
	memcpy(info->atr, atr, atr_len);
	info->atr_len = atr_len;
	strcpy(info->reader_name, "scripted");
	return 0;
}

static int fake_disconnect(void *priv)
{
	(void)priv;
	return 0;
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		sprintf(out + 2 * i, "%02X", p[i]);
	}
	out[2 * n] = '\0';
}

static int fake_transmit(void *priv, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
			 size_t rcap, size_t *rlen)
{
	char got[2 * HAL_CAPDU_MAX + 1];
	char shown[2 * HAL_CAPDU_MAX + 1];
	const struct step *s;

	(void)priv;
	to_hex(capdu, clen, got);
	/* A VERIFY's data is a PIN: never printed, not even a test PIN. */
	to_hex(capdu, clen > 5 && capdu[1] == 0x20 ? 5 : clen, shown);
	if (pos >= script_len) {
		fail_msg("APDU #%zu beyond the script: %s", pos + 1, shown);
	}
	s = &script[pos++];
	if (strcmp(got, s->cmd) != 0) {
		fail_msg("APDU #%zu: sent %s (%zu bytes), not what the script wants", pos, shown,
			 clen);
	}
	mbedtls_platform_zeroize(got, sizeof(got));
	if (s->transport_err != 0) {
		return s->transport_err;
	}
	assert_true(s->len + 2 <= rcap);
	if (s->data != NULL) {
		memcpy(rapdu, s->data + s->off, s->len);
	}
	rapdu[s->len] = (uint8_t)(s->sw >> 8);
	rapdu[s->len + 1] = (uint8_t)s->sw;
	*rlen = s->len + 2;
	return 0;
}

static const struct hal_reader_ops fake_ops = {
	.name = "scripted",
	.priv_size = 0,
	.open = fake_open,
	.close = fake_close,
	.connect = fake_connect,
	.transmit = fake_transmit,
	.disconnect = fake_disconnect,
};

/* --- fixture -------------------------------------------------------------- */

struct fx {
	struct hal_reader r;
	struct kiosk_vault v;
	struct mnc_session s;
};

static struct fx fx;

#define RUN(steps) run_script((steps), sizeof(steps) / sizeof((steps)[0]))

static void run_script(const struct step *steps, size_t n)
{
	script = steps;
	script_len = n;
	pos = 0;
}

static void start(const uint8_t *a, size_t alen, bool sfi, bool ext, bool presence)
{
	struct mnc_options opt = { .presence_proof = presence, .allow_sfi = sfi,
				   .allow_extended = ext };

	atr = a;
	atr_len = alen;
	hal_reader_init(&fx.r);
	assert_int_equal(hal_reader_open(&fx.r, &fake_ops, NULL), 0);
	assert_int_equal(hal_reader_connect(&fx.r), 0);
	kiosk_vault_init(&fx.v);
	assert_int_equal(kiosk_vault_setup(&fx.v, KIOSK_VAULT_DEFAULT_SIZE), 0);
	assert_int_equal(mnc_session_init(&fx.s, &fx.r, &fx.v, NULL, NULL, &opt), 0);
	assert_true(kiosk_vault_owns(&fx.v, fx.s.raw, sizeof(*fx.s.raw)));
	assert_true(kiosk_vault_owns(&fx.v, fx.s.personal, sizeof(*fx.s.personal)));
	assert_int_equal(fx.s.tries_before, -1);
	assert_int_equal(fx.s.tries_after, -1);
}

static void finish(void)
{
	/* the whole script was used, and nothing more */
	assert_int_equal(pos, script_len);
	assert_int_equal(fx.r.apdu_count, script_len);
	mnc_session_end(&fx.s);
	mnc_session_end(&fx.s); /* idempotent */
	kiosk_vault_wipe(&fx.v);
	assert_true(kiosk_vault_is_wiped(&fx.v));
	kiosk_vault_free(&fx.v);
	hal_reader_close(&fx.r);
}

/* select + cert + tries + VERIFY + personal */
static void full_flow(int want_tries)
{
	int tries = -7, left = -7;

	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_read_certificate(&fx.s), 0);
	assert_int_equal(fx.s.raw->ef0004_len, sizeof(ef0004));
	assert_memory_equal(fx.s.raw->ef0004, ef0004, sizeof(ef0004));
	assert_false(fx.s.cert_from_cache);
	assert_int_equal(mnc_query_tries(&fx.s, &tries), 0);
	assert_int_equal(tries, want_tries);
	assert_int_equal(fx.s.tries_before, want_tries);
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, &left), 0);
	assert_true(fx.s.pin_verified);
	assert_int_equal(fx.s.verify_sent, 1);
	assert_int_equal(fx.s.tries_after, MNC_PIN_TRIES_MAX);
	assert_int_equal(mnc_read_personal(&fx.s), 0);
	/* EF 0001 physically, filler included */
	assert_int_equal(fx.s.raw->ef0001_len, 17);
	assert_memory_equal(fx.s.raw->ef0001, ef0001, 17);
	assert_int_equal(fx.s.raw->ef0002_len, sizeof(ef0002));
	assert_memory_equal(fx.s.raw->ef0002, ef0002, sizeof(ef0002));
	assert_int_equal(fx.s.raw->ef0003_len, sizeof(ef0003));
	assert_memory_equal(fx.s.raw->ef0003, ef0003, sizeof(ef0003));
	/* the APDU buffers hold nothing afterwards */
	for (size_t i = 0; i < sizeof(fx.s.raw->scratch); i++) {
		assert_int_equal(fx.s.raw->scratch[i], 0);
	}
}

/* --- the APDU economy ----------------------------------------------------- */

static void sfi_short(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		DATA("00B0840000", ef0004, 0, 256),
		DATA("00B0010000", ef0004, 256, 256),
		DATA("00B0020000", ef0004, 512, 56),
		SW("00200091", 0x63C3),
		SW(VERIFY_91_1234, 0x9000),
		DATA("00B0810000", ef0001, 0, 17),
		DATA("00B0820000", ef0002, 0, 104),
		DATA("00B0830000", ef0003, 0, 256),
		DATA("00B0010000", ef0003, 256, 80),
	};

	(void)state;
	RUN(steps);
	/* the card offers extended length, the board does not allow it */
	start(ATR_SFI_EXT, sizeof(ATR_SFI_EXT), true, false, false);
	full_flow(3);
	assert_true(fx.s.sfi);
	assert_false(fx.s.extended);
	assert_int_equal(fx.r.apdu_count, 10);
	finish();
}

static void sfi_short_presence_reads_0007(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		DATA("00B0840000", ef0004, 0, 256),
		DATA("00B0010000", ef0004, 256, 256),
		DATA("00B0020000", ef0004, 512, 56),
		SW("00200091", 0x63C2),
		SW(VERIFY_91_1234, 0x9000),
		DATA("00B0810000", ef0001, 0, 17),
		DATA("00B0820000", ef0002, 0, 104),
		DATA("00B0830000", ef0003, 0, 256),
		DATA("00B0010000", ef0003, 256, 80),
		DATA("00B0870000", ef0007, 0, 256),
		DATA("00B0010000", ef0007, 256, 256),
		DATA("00B0020000", ef0007, 512, 24),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, true);
	full_flow(2);
	assert_int_equal(fx.s.raw->ef0007_len, sizeof(ef0007));
	assert_memory_equal(fx.s.raw->ef0007, ef0007, sizeof(ef0007));
	finish();
}

static void no_sfi(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00A4020C020004", 0x9000),
		DATA("00B0000000", ef0004, 0, 256),
		DATA("00B0010000", ef0004, 256, 256),
		DATA("00B0020000", ef0004, 512, 56),
		SW("00A4020C020011", 0x9000),
		SW("00200080", 0x63C3),
		SW(VERIFY_80_1234, 0x9000),
		SW("00A4020C020001", 0x9000),
		DATA("00B0000000", ef0001, 0, 17),
		SW("00A4020C020002", 0x9000),
		DATA("00B0000000", ef0002, 0, 104),
		SW("00A4020C020003", 0x9000),
		DATA("00B0000000", ef0003, 0, 256),
		DATA("00B0010000", ef0003, 256, 80),
	};

	(void)state;
	RUN(steps);
	start(ATR_NONE, sizeof(ATR_NONE), true, true, false);
	full_flow(3);
	assert_false(fx.s.sfi);
	assert_false(fx.s.extended);
	finish();
}

static void sfi_not_allowed_by_board(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00A4020C020004", 0x9000),
		DATA("00B00000001000", ef0004, 0, 568),
		SW("00A4020C020011", 0x9000),
		SW("00200080", 0x63C3),
		SW(VERIFY_80_1234, 0x9000),
		SW("00A4020C020001", 0x9000),
		DATA("00B00000001000", ef0001, 0, 17),
		SW("00A4020C020002", 0x9000),
		DATA("00B00000001000", ef0002, 0, 104),
		SW("00A4020C020003", 0x9000),
		DATA("00B00000001000", ef0003, 0, 336),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI_EXT, sizeof(ATR_SFI_EXT), false, true, false);
	full_flow(3);
	finish();
}

static void extended(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		DATA("00B08400001000", ef0004, 0, 568),
		SW("00200091", 0x63C3),
		SW(VERIFY_91_1234, 0x9000),
		DATA("00B08100001000", ef0001, 0, 17),
		DATA("00B08200001000", ef0002, 0, 104),
		DATA("00B08300001000", ef0003, 0, 336),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI_EXT, sizeof(ATR_SFI_EXT), true, true, false);
	full_flow(3);
	assert_true(fx.s.extended);
	assert_int_equal(fx.r.apdu_count, 7);
	finish();
}

static void extended_with_presence_reads_0007_once(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		DATA("00B08400001000", ef0004, 0, 568),
		SW("00200091", 0x63C3),
		SW(VERIFY_91_1234, 0x9000),
		DATA("00B08100001000", ef0001, 0, 17),
		DATA("00B08200001000", ef0002, 0, 104),
		DATA("00B08300001000", ef0003, 0, 336),
		DATA("00B08700001000", ef0007, 0, 536),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI_EXT, sizeof(ATR_SFI_EXT), true, true, true);
	full_flow(3);
	assert_int_equal(fx.s.raw->ef0007_len, 536);
	finish();
}

static void extended_refused_falls_back_once(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00B08400001000", 0x6700),
		DATA("00B0840000", ef0004, 0, 256),
		DATA("00B0010000", ef0004, 256, 256),
		DATA("00B0020000", ef0004, 512, 56),
		SW("00200091", 0x63C3),
		SW(VERIFY_91_1234, 0x9000),
		DATA("00B0810000", ef0001, 0, 17),
		DATA("00B0820000", ef0002, 0, 104),
		DATA("00B0830000", ef0003, 0, 256),
		DATA("00B0010000", ef0003, 256, 80),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI_EXT, sizeof(ATR_SFI_EXT), true, true, false);
	full_flow(3);
	assert_false(fx.s.extended);
	assert_true(fx.s.sfi);
	finish();
}

static void extended_answered_6c_resent_short(void **state)
{
	/* The HAL re-sends only short commands after 6C xx; an extended read
	 * answered 6C xx is re-sent once, short, with Le = xx; extended stays on. */
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00B08100001000", 0x6C11),
		DATA("00B0810011", ef0001, 0, 17),
		SW("00B08200001000", 0x6C68),
		DATA("00B0820068", ef0002, 0, 104),
		DATA("00B08300001000", ef0003, 0, 336),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI_EXT, sizeof(ATR_SFI_EXT), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_read_personal(&fx.s), 0);
	assert_true(fx.s.extended);
	assert_int_equal(fx.s.raw->ef0001_len, 17);
	assert_memory_equal(fx.s.raw->ef0001, ef0001, 17);
	assert_int_equal(fx.s.raw->ef0002_len, 104);
	assert_int_equal(fx.s.raw->ef0003_len, 336);
	finish();
}

static void sfi_refused_falls_back_once(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00B0840000", 0x6A86),
		SW("00A4020C020004", 0x9000),
		DATA("00B0000000", ef0004, 0, 256),
		DATA("00B0010000", ef0004, 256, 256),
		DATA("00B0020000", ef0004, 512, 56),
		SW("00A4020C020011", 0x9000),
		SW("00200080", 0x63C3),
		SW(VERIFY_80_1234, 0x9000),
		SW("00A4020C020001", 0x9000),
		DATA("00B0000000", ef0001, 0, 17),
		SW("00A4020C020002", 0x9000),
		DATA("00B0000000", ef0002, 0, 104),
		SW("00A4020C020003", 0x9000),
		DATA("00B0000000", ef0003, 0, 256),
		DATA("00B0010000", ef0003, 256, 80),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	full_flow(3);
	assert_false(fx.s.sfi);
	finish();
}

static void both_refused(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00B08400001000", 0x6700),
		SW("00B0840000", 0x6D00),
		SW("00A4020C020004", 0x9000),
		DATA("00B0000000", ef0004, 0, 256),
		DATA("00B0010000", ef0004, 256, 256),
		DATA("00B0020000", ef0004, 512, 56),
		SW("00A4020C020011", 0x9000),
		SW("00200080", 0x63C3),
		SW(VERIFY_80_1234, 0x9000),
		SW("00A4020C020001", 0x9000),
		DATA("00B0000000", ef0001, 0, 17),
		SW("00A4020C020002", 0x9000),
		DATA("00B0000000", ef0002, 0, 104),
		SW("00A4020C020003", 0x9000),
		DATA("00B0000000", ef0003, 0, 256),
		DATA("00B0010000", ef0003, 256, 80),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI_EXT, sizeof(ATR_SFI_EXT), true, true, false);
	full_flow(3);
	finish();
}

static void sfi_verify_refused_falls_back(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		DATA("00B0840000", ef0004, 0, 256),
		DATA("00B0010000", ef0004, 256, 256),
		DATA("00B0020000", ef0004, 512, 56),
		SW("00200091", 0x6A86),
		SW("00A4020C020011", 0x9000),
		SW("00200080", 0x63C3),
		SW(VERIFY_80_1234, 0x9000),
		SW("00A4020C020001", 0x9000),
		DATA("00B0000000", ef0001, 0, 17),
		SW("00A4020C020002", 0x9000),
		DATA("00B0000000", ef0002, 0, 104),
		SW("00A4020C020003", 0x9000),
		DATA("00B0000000", ef0003, 0, 256),
		DATA("00B0010000", ef0003, 256, 80),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	full_flow(3);
	finish();
}

static void basic4_over_256_needs_two_reads(void **state)
{
	uint8_t big[300];
	static struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00200091", 0x63C3),
		SW(VERIFY_91_1234, 0x9000),
		DATA("00B0810000", ef0001, 0, 17),
		DATA("00B0820000", NULL, 0, 256),
		DATA("00B0010000", NULL, 256, 44),
		DATA("00B0830000", ef0003, 0, 256),
		DATA("00B0010000", ef0003, 256, 80),
	};

	(void)state;
	/* FF20 82 01 27 + 295 bytes = 300 bytes: a long address */
	memcpy(big, ef0002_long, sizeof(big));
	big[3] = 0x01;
	big[4] = 0x27;
	steps[4].data = big;
	steps[5].data = big;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, NULL), 0);
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, NULL), 0);
	assert_int_equal(mnc_read_personal(&fx.s), 0);
	assert_int_equal(fx.s.raw->ef0002_len, 300);
	assert_memory_equal(fx.s.raw->ef0002, big, 300);
	finish();
}

static void tlv_longer_than_file(void **state)
{
	uint8_t big[300];
	static struct step steps[] = {
		SW(SEL_AP, 0x9000),
		DATA("00B0810000", ef0001, 0, 17),
		DATA("00B0820000", NULL, 0, 200),
	};

	(void)state;
	memcpy(big, ef0002_long, sizeof(big));
	steps[2].data = big; /* TLV says 301 bytes, the EF ends at 200 */
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_read_personal(&fx.s), KIOSK_ERR_CARD_DATA);
	assert_int_equal(fx.s.raw->ef0002_len, 0);
	finish();
}

static void read_past_end_is_card_data(void **state)
{
	static struct step steps[] = {
		SW(SEL_AP, 0x9000),
		DATA("00B0840000", ef0004, 0, 256),
		SW("00B0010000", 0x6B00),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_read_certificate(&fx.s), KIOSK_ERR_CARD_DATA);
	assert_int_equal(fx.s.raw->ef0004_len, 0);
	finish();
}

/* --- PIN ------------------------------------------------------------------ */

static void wrong_pin_sends_one_verify(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00200091", 0x63C3),
		SW("002000910439393939", 0x63C2),
	};
	int tries = 0, left = 0;

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, &tries), 0);
	assert_int_equal(tries, 3);
	assert_int_equal(mnc_verify_pin(&fx.s, "9999", 4, &left), KIOSK_ERR_PIN_INCORRECT);
	assert_int_equal(left, 2);
	assert_int_equal(fx.s.tries_after, 2);
	assert_int_equal(fx.s.verify_sent, 1);
	assert_false(fx.s.pin_verified);
	assert_false(fx.s.blocked);
	finish();
}

static void last_try_blocks(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00A4020C020011", 0x9000),
		SW("00200080", 0x63C1),
		SW("002000800439393939", 0x63C0),
	};
	int left = 7;

	(void)state;
	RUN(steps);
	start(ATR_NONE, sizeof(ATR_NONE), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, NULL), 0);
	assert_int_equal(mnc_verify_pin(&fx.s, "9999", 4, &left), KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(left, 0);
	assert_true(fx.s.blocked);
	/* and no further VERIFY, whatever the caller does */
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, &left), KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(fx.s.verify_sent, 1);
	finish();
}

static void blocked_card_gets_no_verify(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00200091", 0x63C0),
	};
	static const struct step steps_6984[] = {
		SW(SEL_AP, 0x9000),
		SW("00A4020C020011", 0x9000),
		SW("00200080", 0x6984),
	};
	int tries = 7;

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, &tries), KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	assert_true(fx.s.blocked);
	assert_int_equal(fx.s.tries_before, 0);
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, NULL), KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(fx.s.verify_sent, 0);
	finish();

	RUN(steps_6984);
	start(ATR_NONE, sizeof(ATR_NONE), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, &tries), KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, NULL), KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(fx.s.verify_sent, 0);
	finish();
}

static void malformed_pin_sends_nothing(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00200091", 0x63C3),
	};
	static const char *bad[] = { "123", "12345", "12a4", "１２３４", ("12\0" "4"), "" };
	unsigned before;

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	/* even before the query: format first */
	assert_int_equal(mnc_verify_pin(&fx.s, "12a4", 4, NULL), KIOSK_ERR_PIN_FORMAT);
	assert_int_equal(fx.r.apdu_count, 0);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, NULL), 0);
	before = fx.r.apdu_count;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = i == 4 ? 4 : strlen(bad[i]);

		assert_int_equal(mnc_verify_pin(&fx.s, bad[i], n, NULL), KIOSK_ERR_PIN_FORMAT);
	}
	assert_int_equal(mnc_verify_pin(&fx.s, NULL, 4, NULL), KIOSK_ERR_PIN_FORMAT);
	assert_int_equal(fx.r.apdu_count, before);
	assert_int_equal(fx.s.verify_sent, 0);
	finish();
}

static void verify_needs_query(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(fx.s.verify_sent, 0);
	finish();
}

static void already_verified_query(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00200091", 0x9000),
	};
	int tries = 7;

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, &tries), 0);
	assert_int_equal(tries, -1);
	assert_int_equal(fx.s.tries_before, -1);
	assert_false(fx.s.blocked);
	finish();
}

static void verify_reselects_pin_ef_when_needed(void **state)
{
	/* no SFI: the query selected 0011, then EF 0004 was read: P2 80 would
	 * name the wrong EF, so 0011 is selected again before the VERIFY */
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00A4020C020011", 0x9000),
		SW("00200080", 0x63C3),
		SW("00A4020C020004", 0x9000),
		DATA("00B0000000", ef0004, 0, 256),
		DATA("00B0010000", ef0004, 256, 256),
		DATA("00B0020000", ef0004, 512, 56),
		SW("00A4020C020011", 0x9000),
		SW(VERIFY_80_1234, 0x9000),
	};

	(void)state;
	RUN(steps);
	start(ATR_NONE, sizeof(ATR_NONE), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, NULL), 0);
	assert_int_equal(mnc_read_certificate(&fx.s), 0);
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, NULL), 0);
	finish();
}

/* --- errors --------------------------------------------------------------- */

static void not_my_number_card(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x6A82),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI_EXT, sizeof(ATR_SFI_EXT), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), KIOSK_ERR_NOT_MYNUMBER_CARD);
	assert_false(fx.s.ap_selected);
	assert_int_equal(mnc_read_certificate(&fx.s), KIOSK_ERR_INVALID_ARG);
	finish();
}

static void read_before_verify(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
		SW("00B0810000", 0x6982),
	};
	static const struct step steps_sel[] = {
		SW(SEL_AP, 0x9000),
		SW("00A4020C020001", 0x9000),
		SW("00B0000000", 0x6982),
	};

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_read_personal(&fx.s), KIOSK_ERR_PIN_NOT_VERIFIED);
	/* 69 82 is not an SFI refusal: no fallback was taken */
	assert_true(fx.s.sfi);
	finish();

	RUN(steps_sel);
	start(ATR_NONE, sizeof(ATR_NONE), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_read_personal(&fx.s), KIOSK_ERR_PIN_NOT_VERIFIED);
	finish();
}

static void transport_errors_propagate(void **state)
{
	static const struct step removed[] = {
		SW(SEL_AP, 0x9000),
		DATA("00B0840000", ef0004, 0, 256),
		FAILS("00B0010000", KIOSK_ERR_CARD_REMOVED),
	};
	static const struct step mute[] = {
		SW(SEL_AP, 0x9000),
		SW("00200091", 0x63C3),
		FAILS(VERIFY_91_1234, KIOSK_ERR_CARD_TIMEOUT),
	};
	static const struct step gone[] = {
		FAILS(SEL_AP, KIOSK_ERR_READER_GONE),
	};

	(void)state;
	RUN(removed);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_read_certificate(&fx.s), KIOSK_ERR_CARD_REMOVED);
	assert_int_equal(fx.s.raw->ef0004_len, 0);
	for (size_t i = 0; i < sizeof(fx.s.raw->ef0004); i++) {
		assert_int_equal(fx.s.raw->ef0004[i], 0);
	}
	finish();

	RUN(mute);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_query_tries(&fx.s, NULL), 0);
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, NULL), KIOSK_ERR_CARD_TIMEOUT);
	assert_int_equal(fx.s.verify_sent, 1);
	/* an interrupted VERIFY may have counted: no second one without a new query */
	assert_int_equal(mnc_verify_pin(&fx.s, "1234", 4, NULL), KIOSK_ERR_INVALID_ARG);
	for (size_t i = 0; i < sizeof(fx.s.raw->scratch); i++) {
		assert_int_equal(fx.s.raw->scratch[i], 0);
	}
	finish();

	RUN(gone);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), KIOSK_ERR_READER_GONE);
	finish();
}

static void presence_off_sends_nothing(void **state)
{
	static const struct step steps[] = {
		SW(SEL_AP, 0x9000),
	};
	static const uint8_t nonce[32] = { 1 };

	(void)state;
	RUN(steps);
	start(ATR_SFI, sizeof(ATR_SFI), true, true, false);
	assert_int_equal(mnc_select_ap(&fx.s), 0);
	assert_int_equal(mnc_prove_presence(&fx.s, nonce, sizeof(nonce)), 0);
	assert_int_equal(fx.s.presence, MNC_PRESENCE_OFF);
	assert_string_equal(mnc_presence_result_name(fx.s.presence), "off");
	finish();
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(mnc_chain_result_name(MNC_CHAIN_NOT_RUN), "not_run");
	assert_string_equal(mnc_chain_result_name(MNC_CHAIN_OK), "ok");
	assert_string_equal(mnc_chain_result_name(MNC_CHAIN_UNKNOWN_CA), "unknown_ca");
	assert_string_equal(mnc_chain_result_name(MNC_CHAIN_CERT), "cert");
	assert_string_equal(mnc_chain_result_name(MNC_CHAIN_RECORD), "record");
	assert_string_equal(mnc_chain_result_name(MNC_CHAIN_MY_NUMBER_HASH), "my_number_hash");
	assert_string_equal(mnc_chain_result_name(MNC_CHAIN_BASIC4_HASH), "basic4_hash");
	assert_string_equal(mnc_presence_result_name(MNC_PRESENCE_OK), "ok");
	assert_string_equal(mnc_presence_result_name(MNC_PRESENCE_FAIL), "fail");
	assert_string_equal(mnc_presence_result_name(MNC_PRESENCE_OFF), "off");
}

static int group_setup(void **state)
{
	(void)state;
	make_files();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sfi_short),
		cmocka_unit_test(sfi_short_presence_reads_0007),
		cmocka_unit_test(no_sfi),
		cmocka_unit_test(sfi_not_allowed_by_board),
		cmocka_unit_test(extended),
		cmocka_unit_test(extended_with_presence_reads_0007_once),
		cmocka_unit_test(extended_refused_falls_back_once),
		cmocka_unit_test(extended_answered_6c_resent_short),
		cmocka_unit_test(sfi_refused_falls_back_once),
		cmocka_unit_test(both_refused),
		cmocka_unit_test(sfi_verify_refused_falls_back),
		cmocka_unit_test(basic4_over_256_needs_two_reads),
		cmocka_unit_test(tlv_longer_than_file),
		cmocka_unit_test(read_past_end_is_card_data),
		cmocka_unit_test(wrong_pin_sends_one_verify),
		cmocka_unit_test(last_try_blocks),
		cmocka_unit_test(blocked_card_gets_no_verify),
		cmocka_unit_test(malformed_pin_sends_nothing),
		cmocka_unit_test(verify_needs_query),
		cmocka_unit_test(already_verified_query),
		cmocka_unit_test(verify_reselects_pin_ef_when_needed),
		cmocka_unit_test(not_my_number_card),
		cmocka_unit_test(read_before_verify),
		cmocka_unit_test(transport_errors_propagate),
		cmocka_unit_test(presence_off_sends_nothing),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
