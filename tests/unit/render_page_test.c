/* SPDX-License-Identifier: MIT */
/*
 * The certificate page: PNG round trip through zbarimg at 300 and 150 dpi, the
 * PDF's text through pdftotext, the missing-glyph refusal, deterministic PDF
 * bytes, output into a vault buffer. Personas are fictional; files go to a
 * private mkdtemp() directory removed at the end (set RENDER_TEST_KEEP=DIR to
 * keep copies of the previews there for a look).
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"
#include "kiosk/msg.h"
#include "kiosk/render.h"
#include "kiosk/vault.h"

#define YAMADA "山田"
#define TARO "太郎"
#define SATO "佐藤"
#define HANAKO "花子"
#define RARE_FAMILY "\xf0\xa0\xae\xb7田" /* U+20BB7 (tsuchi-yoshi) + 田: not in IPAGothic */
#define ICHIRO "一郎"

/*
 * cairo 1.16.0 (Debian 12) leaks 768 bytes per CFF font subset (Noto Sans CJK
 * is CFF) inside cairo_surface_finish() of a PDF surface; TrueType fonts
 * (IPAGothic) do not. Not ours to fix; suppress exactly that stack for LSan.
 * libcairo has no frame pointers: full unwinding is needed to see the frame.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:cairo_surface_finish\n";
}

static char tmpdir[64];
static struct kiosk_certificate *domestic, *overseas, *rare;
static char vds_json[1024];
static size_t vds_len;

/* A compact-JWS-shaped string (base64url, two dots); not a real signature. */
static void fake_jws(char *out, size_t n, uint32_t seed)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t x = seed * 2654435761u + 1u;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		out[i] = b64[(x >> 16) & 63u];
	}
	if (n > 200) {
		out[60] = '.';
		out[n - 87] = '.';
	}
	out[n] = '\0';
}

static void set_dose(struct cert_dose *d, unsigned num, const char *date, const char *product,
		     const char *maker, const char *lot)
{
	d->number = num;
	strcpy(d->date, date);
	strcpy(d->vaccine_code, "208");
	strcpy(d->product, product);
	strcpy(d->manufacturer, maker);
	strcpy(d->lot, lot);
	strcpy(d->performer, "MHLW_Gov_of_JAPAN");
}

static void set_qr(struct kiosk_certificate *c, size_t jws_chars, uint32_t seed)
{
	char jws[CERT_SHC_JWS_MAX + 1];

	fake_jws(jws, jws_chars, seed);
	assert_int_equal(cert_shc_qr_text(jws, jws_chars, c->qr_text, sizeof(c->qr_text),
					  &c->qr_text_len), 0);
}

static void make_domestic(struct kiosk_certificate *c, const char *family)
{
	cert_clear(c);
	strcpy(c->family, family);
	strcpy(c->given, TARO);
	strcpy(c->birth_date, "19850412");
	set_dose(&c->doses[0], 1, "20210601", "COMIRNATY", "Pfizer", "FA5765");
	set_dose(&c->doses[1], 2, "20210622", "COMIRNATY", "Pfizer", "FC3661");
	set_dose(&c->doses[2], 3, "20220110", "Spikevax", "Moderna", "3004217");
	c->dose_count = 3;
	c->doses_on_record = 3;
	strcpy(c->iss, "https://center.example.jp/issuer");
	c->nbf = 1795000000;
	assert_int_equal(cert_set_issuance(c, "JP-131016-000123", "2026-11-25T10:15:00+09:00",
					   "131016", CERT_TYPE_DOMESTIC), 0);
	set_qr(c, 850, 1); /* 1705-char QR text */
}

static void make_overseas(struct kiosk_certificate *c)
{
	static const char *const dates[6] = { "20210601", "20210622", "20220110", "20220801",
					      "20221201", "20230601" };

	cert_clear(c);
	strcpy(c->family, SATO);
	strcpy(c->given, HANAKO);
	strcpy(c->romaji_family, "SATO");
	strcpy(c->romaji_given, "HANAKO");
	strcpy(c->birth_date, "19900307");
	strcpy(c->passport, "TK0000000");
	strcpy(c->nationality, "JPN");
	/* 6 on record, the 5 most recent kept */
	for (unsigned i = 0; i < 5; i++) {
		set_dose(&c->doses[i], i + 2, dates[i + 1], "COMIRNATY", "Pfizer", "FK0108");
	}
	c->dose_count = 5;
	c->doses_on_record = 6;
	strcpy(c->iss, "https://center.example.jp/issuer");
	assert_int_equal(cert_set_issuance(c, "JP-131016-000456", "2026-11-25T10:20:00+09:00",
					   "131016", CERT_TYPE_OVERSEAS), 0);
	set_qr(c, 910, 2);
	c->vds.present = true;
	strcpy(c->vds.issuing_state, "JPN");
	strcpy(c->vds.uvci, "U0000000042A");
	strcpy(c->vds.name, "SATO HANAKO");
	strcpy(c->vds.birth_date, "19900307");
	strcpy(c->vds.passport, "TK0000000");
	{
		char sig[87];
		int n;

		fake_jws(sig, 86, 3);
		n = snprintf(vds_json, sizeof(vds_json),
			     "{\"data\":{\"hdr\":{\"is\":\"JPN\",\"t\":\"icao.vacc\",\"v\":1},"
			     "\"msg\":{\"pid\":{\"dob\":\"1990-03-07\",\"i\":\"TK0000000\","
			     "\"n\":\"SATO HANAKO\"},\"uvci\":\"U0000000042A\",\"ve\":[{\"des\":"
			     "\"XM0GQ8\",\"dis\":\"RA01.0\",\"nam\":\"COMIRNATY\",\"vd\":[{\"adm\":"
			     "\"MHLW_Gov_of_JAPAN\",\"ctr\":\"JPN\",\"dvc\":\"2023-06-01\",\"lot\":"
			     "\"FK0108\",\"seq\":6}]}]}},\"sig\":{\"alg\":\"ES256\",\"cer\":"
			     "\"MIIBszCCAVmgAwIBAgIUTESTONLYTESTONLYTESTONLYTESTONLYTESTONLYTESTONLY"
			     "TESTONLYTESTONLYTESTONLYTESTONLYTESTONLYTESTONLYTESTONLYTESTONLY"
			     "TESTONLYTESTONLYTESTONLY\",\"sigvl\":\"%s\"}}",
			     sig);
		assert_true(n > 0 && (size_t)n < sizeof(vds_json));
		vds_len = (size_t)n;
	}
}

static void opts(struct render_opts *o)
{
	render_opts_init(o);
	o->municipality_name = "千代田区";
	o->municipality_name_en = "Chiyoda City";
	o->printer_dpi = 600;
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/render_test.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	domestic = calloc(1, sizeof(*domestic));
	overseas = calloc(1, sizeof(*overseas));
	rare = calloc(1, sizeof(*rare));
	make_domestic(domestic, YAMADA);
	make_overseas(overseas);
	make_domestic(rare, RARE_FAMILY);
	strcpy(rare->given, ICHIRO);
	assert_int_equal(render_warm_up(NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	cert_clear(domestic);
	cert_clear(overseas);
	cert_clear(rare);
	free(domestic);
	free(overseas);
	free(rare);
	render_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const struct render_buf *b, char *path, size_t cap)
{
	FILE *f;
	const char *keep = getenv("RENDER_TEST_KEEP");

	snprintf(path, cap, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
	assert_int_equal(fclose(f), 0);
	if (keep != NULL) {
		char kp[512];

		snprintf(kp, sizeof(kp), "%s/%s", keep, name);
		f = fopen(kp, "wb");
		if (f != NULL) {
			(void)fwrite(b->data, 1, b->len, f);
			(void)fclose(f);
		}
	}
}

/* Run @cmd, return its stdout (malloc'ed) in *out; returns the exit status. */
static int run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	assert_non_null(p);
	assert_non_null(buf);
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len - 1, p);

		len += n;
		if (n == 0) {
			break;
		}
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[len] = '\0';
	*out = buf;
	return pclose(p);
}

/* zbarimg's lines (one symbol each) must be exactly @want[0..n). */
static void assert_decodes(const char *png, const char *const *want, size_t n)
{
	char cmd[512];
	char *out;
	char *save = NULL;
	size_t found = 0;

	snprintf(cmd, sizeof(cmd), "zbarimg -Sdisable -Sqrcode.enable --raw -q '%s' 2>/dev/null", png);
	assert_int_equal(run(cmd, &out), 0);
	for (char *line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		bool match = false;

		for (size_t i = 0; i < n; i++) {
			if (strcmp(line, want[i]) == 0) {
				match = true;
			}
		}
		assert_true(match);
		found++;
	}
	assert_int_equal(found, n);
	free(out);
}

static void round_trip(const struct kiosk_certificate *c, const char *vj, size_t vl,
		       unsigned dpi, const char *name)
{
	struct render_opts o;
	struct render_buf b;
	char path[256];
	const char *want[2];

	opts(&o);
	render_buf_init(&b);
	assert_int_equal(render_certificate_png(c, vj, vl, &o, dpi, &b), 0);
	assert_true(b.len > 1000);
	assert_memory_equal(b.data, "\x89PNG", 4);
	write_file(name, &b, path, sizeof(path));
	render_buf_free(&b);
	assert_null(b.data);
	want[0] = c->qr_text;
	want[1] = vj;
	assert_decodes(path, want, vj != NULL ? 2 : 1);
}

static void test_round_trip_domestic(void **state)
{
	(void)state;
	round_trip(domestic, NULL, 0, 300, "domestic-300.png");
	round_trip(domestic, NULL, 0, 150, "domestic-150.png");
}

static void test_round_trip_overseas(void **state)
{
	(void)state;
	round_trip(overseas, vds_json, vds_len, 300, "overseas-300.png");
	round_trip(overseas, vds_json, vds_len, 150, "overseas-150.png");
}

static char *pdf_text(const struct kiosk_certificate *c, const char *vj, size_t vl,
		      const struct render_opts *o, const char *name)
{
	struct render_buf b;
	char path[256], cmd[512];
	char *out;

	render_buf_init(&b);
	assert_int_equal(render_certificate_pdf(c, vj, vl, o, &b), 0);
	assert_memory_equal(b.data, "%PDF-", 5);
	write_file(name, &b, path, sizeof(path));
	render_buf_free(&b);
	snprintf(cmd, sizeof(cmd), "pdftotext -raw -enc UTF-8 '%s' -", path);
	assert_int_equal(run(cmd, &out), 0);
	return out;
}

/* pdftotext prints U+3000 as an ASCII space: compare without either. */
static void squeeze(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; in[i] != '\0' && o + 1 < cap; i++) {
		if (in[i] == ' ' || in[i] == '\n') {
			continue;
		}
		if (strncmp(in + i, "\xe3\x80\x80", 3) == 0) {
			i += 2;
			continue;
		}
		out[o++] = in[i];
	}
	out[o] = '\0';
}

static void assert_has_name(const char *hay, const char *name)
{
	size_t n = strlen(hay) + 1;
	char *sh = malloc(n);
	char sn[256];

	assert_non_null(sh);
	squeeze(hay, sh, n);
	squeeze(name, sn, sizeof(sn));
	if (strstr(sh, sn) == NULL) {
		fail_msg("PDF text lacks the name");
	}
	free(sh);
}

static void assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL) {
		fail_msg("PDF text lacks \"%s\"", needle);
	}
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle) != NULL) {
		fail_msg("PDF text has \"%s\"", needle);
	}
}

static void test_text_domestic(void **state)
{
	struct render_opts o;
	char *t;

	(void)state;
	opts(&o);
	t = pdf_text(domestic, NULL, 0, &o, "domestic.pdf");
	assert_has(t, "新型コロナウイルス感染症予防接種証明書");
	assert_has(t, "Vaccination Certificate for COVID-19");
	assert_has(t, "日本国内用");
	assert_lacks(t, "海外用及び日本国内用");
	assert_has_name(t, YAMADA "　" TARO);
	assert_has(t, "生年月日");
	assert_has(t, "Date of birth");
	assert_has(t, "1985年4月12日");
	assert_has(t, "1985-04-12");
	assert_has(t, "接種回数");
	assert_has(t, "製造番号");
	assert_has(t, "Lot number");
	assert_has(t, "1回目");
	assert_has(t, "3回目");
	assert_has(t, "2021年6月1日");
	assert_has(t, "2022年1月10日");
	assert_has(t, "COMIRNATY");
	assert_has(t, "Pfizer");
	assert_has(t, "Spikevax");
	assert_has(t, "Moderna");
	assert_has(t, "FA5765");
	assert_has(t, "3004217");
	assert_has(t, "証明書ID");
	assert_has(t, "JP-131016-000123");
	assert_has(t, "発行年月日");
	assert_has(t, "2026年11月25日");
	assert_has(t, "千代田区長");
	assert_has(t, "Chiyoda City");
	assert_has(t, "SMART Health Card");
	assert_has(t, "二次元コードの確認方法");
	assert_lacks(t, "旅券番号");
	assert_lacks(t, "直近5回分");
	free(t);
}

static void test_text_overseas(void **state)
{
	struct render_opts o;
	char *t;

	(void)state;
	opts(&o);
	t = pdf_text(overseas, vds_json, vds_len, &o, "overseas.pdf");
	assert_has(t, "海外用及び日本国内用");
	assert_has_name(t, SATO "　" HANAKO);
	assert_has(t, "SATO HANAKO");
	assert_has(t, "氏名（ローマ字）");
	assert_has(t, "旅券番号");
	assert_has(t, "Passport No.");
	assert_has(t, "TK0000000");
	assert_has(t, "国籍・地域");
	assert_has(t, "JPN");
	assert_has(t, "1990年3月7日");
	assert_has(t, "2回目");
	assert_has(t, "6回目");
	assert_lacks(t, "1回目");
	assert_has(t, "直近5回分");
	assert_has(t, "5 most recent");
	assert_has(t, "U0000000042A");
	assert_has(t, "ICAO VDS-NC");
	free(t);
}

static void test_glyph_missing(void **state)
{
	struct render_opts o;
	struct render_buf b;
	const struct kiosk_msg *m;

	(void)state;
	opts(&o);
	render_buf_init(&b);
	/* a Latin-only font has no kanji, and no fallback family: refused, nothing rendered */
	o.font_family = "DejaVu Sans";
	o.name_fallback_family = "";
	assert_int_equal(render_check_name_glyphs(domestic, &o), KIOSK_ERR_GLYPH_MISSING);
	assert_int_equal(render_certificate_pdf(domestic, NULL, 0, &o, &b),
			 KIOSK_ERR_GLYPH_MISSING);
	assert_int_equal(b.len, 0);
	assert_int_equal(render_certificate_png(domestic, NULL, 0, &o, 150, &b),
			 KIOSK_ERR_GLYPH_MISSING);
	assert_int_equal(b.len, 0);
	/* the rare-kanji persona: IPAGothic lacks U+20BB7 */
	o.font_family = "IPAGothic";
	assert_int_equal(render_check_name_glyphs(domestic, &o), 0);
	assert_int_equal(render_check_name_glyphs(rare, &o), KIOSK_ERR_GLYPH_MISSING);
	assert_int_equal(render_certificate_pdf(rare, NULL, 0, &o, &b), KIOSK_ERR_GLYPH_MISSING);
	assert_int_equal(b.len, 0);
	/* a fallback family that lacks it too changes nothing */
	o.name_fallback_family = "DejaVu Sans";
	assert_int_equal(render_certificate_pdf(rare, NULL, 0, &o, &b), KIOSK_ERR_GLYPH_MISSING);
	/* the resident is sent to the municipal counter */
	m = kiosk_msg_get(kiosk_err_msg(KIOSK_ERR_GLYPH_MISSING));
	assert_non_null(m);
	assert_non_null(strstr(m->text[KIOSK_LANG_JA], "窓口"));
	assert_non_null(strstr(m->text[KIOSK_LANG_EN], "municipal office"));
}

static void test_glyph_present(void **state)
{
	struct render_opts o;
	char *t;

	(void)state;
	opts(&o);
	/* the name font alone: Noto Sans CJK JP has U+20BB7 */
	o.font_family = "Noto Sans CJK JP";
	o.name_fallback_family = "";
	assert_int_equal(render_check_name_glyphs(rare, &o), 0);
	t = pdf_text(rare, NULL, 0, &o, "rare-noto.pdf");
	assert_has_name(t, RARE_FAMILY "　" ICHIRO);
	free(t);
	/* defaults: IPAGothic page, the whole name in the Noto fallback */
	opts(&o);
	assert_int_equal(render_check_name_glyphs(rare, &o), 0);
	t = pdf_text(rare, NULL, 0, &o, "rare.pdf");
	assert_has_name(t, RARE_FAMILY "　" ICHIRO);
	assert_has(t, "新型コロナウイルス感染症予防接種証明書");
	free(t);
}

/* The printer's path: the PDF rasterised by poppler (as a printer would, at its
 * resolution) still decodes to exactly the texts that went in. The QR codes are
 * 1-bit images, /Interpolate false, whole printer dots per module. */
static void test_pdf_round_trip(void **state)
{
	struct render_opts o;
	struct render_buf b;
	char path[256], cmd[1024];
	char *out;
	const char *want[2] = { overseas->qr_text, vds_json };

	(void)state;
	opts(&o);
	o.printer_dpi = 300;
	render_buf_init(&b);
	assert_int_equal(render_certificate_pdf(overseas, vds_json, vds_len, &o, &b), 0);
	assert_non_null(memmem(b.data, b.len, "/Interpolate false", 18));
	write_file("overseas-printer.pdf", &b, path, sizeof(path));
	render_buf_free(&b);
	snprintf(cmd, sizeof(cmd), "pdftoppm -r 300 -png -singlefile '%s' '%s/printed'", path,
		 tmpdir);
	assert_int_equal(run(cmd, &out), 0);
	free(out);
	snprintf(path, sizeof(path), "%s/printed.png", tmpdir);
	assert_decodes(path, want, 2);
}

static void test_deterministic_pdf(void **state)
{
	struct render_opts o;
	struct render_buf a, b;

	(void)state;
	opts(&o);
	render_buf_init(&a);
	render_buf_init(&b);
	assert_int_equal(render_certificate_pdf(overseas, vds_json, vds_len, &o, &a), 0);
	sleep(1); /* a timestamp would differ */
	assert_int_equal(render_certificate_pdf(overseas, vds_json, vds_len, &o, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_null(memmem(a.data, a.len, "CreationDate", 12));
	assert_null(memmem(a.data, a.len, "ModDate", 7));
	render_buf_free(&a);
	render_buf_free(&b);
}

static void test_vault_buffer(void **state)
{
	struct kiosk_vault v;
	struct render_opts o;
	struct render_buf b;
	void *mem;

	(void)state;
	opts(&o);
	kiosk_vault_init(&v);
	/* the PDF embeds font subsets: ~60 KiB with IPAGothic, ~1 MiB with Noto Sans CJK */
	assert_int_equal(kiosk_vault_setup(&v, 4u * 1024u * 1024u), 0);
	mem = kiosk_vault_alloc(&v, 3u * 1024u * 1024u);
	assert_non_null(mem);
	render_buf_init_fixed(&b, mem, 3u * 1024u * 1024u);
	assert_int_equal(render_certificate_pdf(domestic, NULL, 0, &o, &b), 0);
	assert_true(kiosk_vault_owns(&v, b.data, b.len));
	assert_memory_equal(b.data, "%PDF-", 5);
	render_buf_free(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.data, mem);
	kiosk_vault_wipe(&v);
	assert_true(kiosk_vault_is_wiped(&v));
	/* too small a block: refused cleanly, nothing left in it */
	mem = kiosk_vault_alloc(&v, 4096);
	render_buf_init_fixed(&b, mem, 4096);
	assert_int_equal(render_certificate_pdf(domestic, NULL, 0, &o, &b),
			 KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(b.len, 0);
	kiosk_vault_wipe(&v);
	kiosk_vault_free(&v);
}

static void test_bad_models(void **state)
{
	struct render_opts o;
	struct render_buf b;
	struct kiosk_certificate *c = calloc(1, sizeof(*c));

	(void)state;
	opts(&o);
	render_buf_init(&b);
	assert_int_equal(render_certificate_pdf(NULL, NULL, 0, &o, &b), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(render_certificate_png(domestic, NULL, 0, &o, 10, &b),
			 KIOSK_ERR_INVALID_ARG);
	/* overseas without its seal */
	assert_int_equal(render_certificate_pdf(overseas, NULL, 0, &o, &b), KIOSK_ERR_CERT_FORMAT);
	memcpy(c, domestic, sizeof(*c));
	strcpy(c->birth_date, "19851340");
	assert_int_equal(render_certificate_pdf(c, NULL, 0, &o, &b), KIOSK_ERR_CERT_FORMAT);
	memcpy(c, domestic, sizeof(*c));
	c->dose_count = 0;
	assert_int_equal(render_certificate_pdf(c, NULL, 0, &o, &b), KIOSK_ERR_CERT_FORMAT);
	/* a payload beyond version 22: refused, not printed at a larger version */
	memcpy(c, domestic, sizeof(*c));
	set_qr(c, 1300, 4);
	assert_int_equal(render_certificate_pdf(c, NULL, 0, &o, &b), KIOSK_ERR_QR_TOO_LARGE);
	assert_int_equal(b.len, 0);
	cert_clear(c);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_domestic),
		cmocka_unit_test(test_round_trip_overseas),
		cmocka_unit_test(test_text_domestic),
		cmocka_unit_test(test_text_overseas),
		cmocka_unit_test(test_glyph_missing),
		cmocka_unit_test(test_glyph_present),
		cmocka_unit_test(test_pdf_round_trip),
		cmocka_unit_test(test_deterministic_pdf),
		cmocka_unit_test(test_vault_buffer),
		cmocka_unit_test(test_bad_models),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
