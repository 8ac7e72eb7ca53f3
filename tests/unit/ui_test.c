/* SPDX-License-Identifier: MIT */
/*
 * The kiosk's screens: every screen in Japanese and English is built and
 * drawn; no glyph is missing, no fixed text overflows its box, every button
 * has one touch region inside the frame and none overlap, the buttons each
 * screen must offer are there, a name the fonts cannot show is masked and
 * reported. Screens are written to UI_SCREENS_DIR as PNG (fictional data).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "kiosk/err.h"
#include "kiosk/ui.h"
#include "ui_internal.h"

#define W 1280
#define H 800
#define NAME "山田\xe3\x80\x80太郎"
#define BIRTH "1985-04-12"
#define NAME_BAD "山田\xf4\x8f\xbf\xbd" /* U+10FFFD: private use, in no font */

static struct center_municipality munis[12];

static void munis_fill(void)
{
	static const char *const m[12][3] = {
		{ "131016", "東京都千代田区", "Chiyoda City, Tokyo" },
		{ "141003", "神奈川県横浜市", "Yokohama City, Kanagawa" },
		{ "271004", "大阪府大阪市", "Osaka City, Osaka" },
		{ "011002", "北海道札幌市", "Sapporo City, Hokkaido" },
		{ "014583", "北海道上川郡東川町", "Higashikawa Town, Kamikawa District, Hokkaido" },
		{ "231002", "愛知県名古屋市", "Nagoya City, Aichi" },
		{ "401307", "福岡県福岡市早良区", "Sawara Ward, Fukuoka City, Fukuoka" },
		{ "261009", "京都府京都市", "Kyoto City, Kyoto" },
		{ "471003", "沖縄県那覇市", "Naha City, Okinawa" },
		{ "042021", "宮城県仙台市", "Sendai City, Miyagi" },
		{ "343170", "広島県広島市", "Hiroshima City, Hiroshima" },
		{ "133817", "東京都小笠原村", "Ogasawara Village, Tokyo" },
	};

	for (size_t i = 0; i < 12; i++) {
		(void)snprintf(munis[i].code, sizeof(munis[i].code), "%s", m[i][0]);
		(void)snprintf(munis[i].name_ja, sizeof(munis[i].name_ja), "%s", m[i][1]);
		(void)snprintf(munis[i].name_en, sizeof(munis[i].name_en), "%s", m[i][2]);
		munis[i].overseas = i % 2 == 0;
	}
}

static void view_init(struct kiosk_view *v, enum kiosk_screen_id id, enum kiosk_lang lang)
{
	memset(v, 0, sizeof(*v));
	v->id = id;
	v->lang = lang;
	v->munis = munis;
	v->n_munis = 12;
	v->tries_left = 3;
	v->message = KIOSK_MSG_CARD_REMOVED;
	v->holder_name = NAME;
	v->holder_birth_date = BIRTH;
}

static const char *lang_name(enum kiosk_lang l)
{
	return l == KIOSK_LANG_EN ? "en" : "ja";
}

static const struct kiosk_button *find(const struct kiosk_screen *s, const char *id)
{
	for (size_t i = 0; i < s->n_buttons; i++) {
		if (strcmp(s->buttons[i].id, id) == 0) {
			return &s->buttons[i];
		}
	}
	return NULL;
}

static size_t count_prefix(const struct kiosk_screen *s, const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_buttons; i++) {
		n += strncmp(s->buttons[i].id, prefix, strlen(prefix)) == 0;
	}
	return n;
}

static bool has_keypad_ids(const struct kiosk_screen *s)
{
	static const char *const ids[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
					   KIOSK_BTN_DELETE, KIOSK_BTN_OK };
	size_t found = 0;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		found += find(s, ids[i]) != NULL;
	}
	/* a message screen's "ok" alone is not a keypad */
	return found == sizeof(ids) / sizeof(ids[0]);
}

static bool overlap(const struct hal_display_region *a, const struct hal_display_region *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h &&
	       b->y < a->y + a->h;
}

/* Draw @s at @w x @h and check what every frame must satisfy; returns the rc. */
static int draw_checked(const struct kiosk_screen *s, int w, int h, const char *png)
{
	struct kiosk_ui_frame f;
	struct kiosk_ui_stats st;
	size_t n = 99;
	cairo_t *cr;
	int rc;

	assert_int_equal(kiosk_ui_frame_setup(&f, w, h), 0);
	cr = cairo_create(f.surface);
	rc = kiosk_ui_draw_stats(cr, w, h, s, f.regions, HAL_DISPLAY_REGIONS_MAX, &n, &st);
	cairo_destroy(cr);
	cairo_surface_flush(f.surface);
	/* written first, so a failing frame can be looked at */
	if (png != NULL) {
		char path[512];

		(void)snprintf(path, sizeof(path), "%s/%s.png", UI_SCREENS_DIR, png);
		assert_int_equal(kiosk_ui_frame_write_png(&f, path), 0);
	}
	if (st.unknown_glyphs != 0 || st.overflow != 0) {
		print_error("screen %s (%s): %u unknown glyphs, %u overflowing texts\n",
			    kiosk_screen_name(s->id), s->lang == KIOSK_LANG_EN ? "en" : "ja",
			    st.unknown_glyphs, st.overflow);
	}
	assert_true(st.texts > 0);
	assert_int_equal(st.unknown_glyphs, 0);
	assert_int_equal(st.overflow, 0);
	/* one region per button, same ids */
	assert_int_equal(n, s->n_buttons);
	for (size_t i = 0; i < n; i++) {
		const struct hal_display_region *r = &f.regions[i];

		assert_non_null(find(s, r->id));
		assert_true(r->x >= 0 && r->y >= 0 && r->w > 0 && r->h > 0);
		assert_true(r->x + r->w <= w && r->y + r->h <= h);
		/* big enough to hit: at least 90 px high at 800 px */
		assert_true(r->h * 800 >= 90 * h - 800);
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(f.regions[j].id, r->id);
			assert_false(overlap(&f.regions[j], r));
		}
	}
	kiosk_ui_frame_free(&f);
	assert_null(f.surface);
	return rc;
}

static bool is_ascii(const char *t)
{
	for (; *t != '\0'; t++) {
		if ((unsigned char)*t >= 0x80) {
			return false;
		}
	}
	return true;
}

/* --- tests ------------------------------------------------------------------- */

static void test_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < KIOSK_SCREEN_COUNT; i++) {
		const char *n = kiosk_screen_name((enum kiosk_screen_id)i);

		assert_string_not_equal(n, "unknown");
		assert_int_equal(kiosk_screen_by_name(n), i);
	}
	assert_string_equal(kiosk_screen_name(KIOSK_SCREEN_TAKE_CARD), "take_card");
	assert_string_equal(kiosk_screen_name(KIOSK_SCREEN_COUNT), "unknown");
	assert_int_equal(kiosk_screen_by_name("nope"), KIOSK_SCREEN_COUNT);
	assert_int_equal(kiosk_screen_by_name(NULL), KIOSK_SCREEN_COUNT);
}

static void test_add_button(void **state)
{
	struct kiosk_screen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < KIOSK_SCREEN_BUTTONS_MAX + 3; i++) {
		kiosk_screen_add_button(&s, "x", "X", i == 0);
	}
	assert_int_equal(s.n_buttons, KIOSK_SCREEN_BUTTONS_MAX);
	assert_true(s.buttons[0].primary);
	assert_false(s.buttons[1].primary);
	memset(&s, 0, sizeof(s));
	kiosk_screen_add_button(&s, "an-id-that-is-far-too-long-for-the-field", "L", false);
	assert_int_equal(strlen(s.buttons[0].id), KIOSK_BUTTON_ID_MAX - 1);
}

/* Every screen in both languages, as the flow shows it. */
static void test_all_screens(void **state)
{
	(void)state;
	for (unsigned id = 0; id < KIOSK_SCREEN_COUNT; id++) {
		struct kiosk_screen s[2];

		for (int l = 0; l < 2; l++) {
			struct kiosk_view v;
			char png[64];

			view_init(&v, (enum kiosk_screen_id)id, (enum kiosk_lang)l);
			v.seconds_left = id == KIOSK_SCREEN_IDLE ? 0 : 25;
			kiosk_screen_build(&s[l], &v);
			assert_int_equal(s[l].id, id);
			assert_int_equal(s[l].lang, l);
			assert_true(s[l].title[0] != '\0');
			assert_true(s[l].body[0] != '\0' || id == KIOSK_SCREEN_LANGUAGE);
			assert_int_equal(has_keypad_ids(&s[l]), s[l].keypad);
			assert_int_equal(s[l].keypad, id == KIOSK_SCREEN_PIN);
			/* personal data only on the confirmation screen */
			assert_int_equal(s[l].holder_name != NULL, id == KIOSK_SCREEN_CONFIRM);
			(void)snprintf(png, sizeof(png), "%s-%s",
				       kiosk_screen_name((enum kiosk_screen_id)id), lang_name(l));
			assert_int_equal(draw_checked(&s[l], W, H, png), 0);
		}
		/* both languages written out, and really different */
		if (!s[0].bilingual) {
			assert_false(is_ascii(s[0].title));
			assert_true(is_ascii(s[1].title));
			assert_string_not_equal(s[0].body, s[1].body);
		} else {
			assert_true(is_ascii(s[0].title_en));
			assert_false(is_ascii(s[0].title));
			assert_string_equal(s[0].title, s[1].title);
		}
		assert_int_equal(s[0].n_buttons, s[1].n_buttons);
		for (size_t i = 0; i < s[0].n_buttons; i++) {
			assert_string_equal(s[0].buttons[i].id, s[1].buttons[i].id);
		}
	}
}

static void test_buttons_per_screen(void **state)
{
	struct kiosk_view v;
	struct kiosk_screen s;

	(void)state;
	view_init(&v, KIOSK_SCREEN_IDLE, KIOSK_LANG_JA);
	kiosk_screen_build(&s, &v);
	assert_true(s.bilingual);
	assert_int_equal(s.n_buttons, 1);
	assert_true(find(&s, KIOSK_BTN_START)->primary);
	assert_non_null(strstr(s.body, "券面事項入力補助用暗証番号"));
	assert_non_null(strstr(s.body, "マイナンバーカード"));
	assert_non_null(strstr(s.body_en, "My Number card"));
	assert_string_equal(s.title, "新型コロナワクチン接種証明書の発行");
	assert_string_equal(s.title_en, "COVID-19 Vaccination Certificate");

	view_init(&v, KIOSK_SCREEN_LANGUAGE, KIOSK_LANG_EN);
	kiosk_screen_build(&s, &v);
	assert_true(s.bilingual);
	assert_string_equal(find(&s, KIOSK_BTN_JA)->label, "日本語");
	assert_string_equal(find(&s, KIOSK_BTN_EN)->label, "English");
	assert_non_null(find(&s, KIOSK_BTN_CANCEL));

	view_init(&v, KIOSK_SCREEN_TYPE, KIOSK_LANG_JA);
	kiosk_screen_build(&s, &v);
	assert_string_equal(find(&s, KIOSK_BTN_DOMESTIC)->label, "日本国内用");
	assert_string_equal(find(&s, KIOSK_BTN_OVERSEAS)->label, "海外用及び日本国内用");
	assert_non_null(find(&s, KIOSK_BTN_BACK));
	assert_non_null(find(&s, KIOSK_BTN_CANCEL));
	assert_non_null(strstr(s.body, "旅券"));
	v.lang = KIOSK_LANG_EN;
	kiosk_screen_build(&s, &v);
	assert_string_equal(find(&s, KIOSK_BTN_OVERSEAS)->label, "For travel abroad and in Japan");
	assert_non_null(strstr(s.body, "passport"));

	view_init(&v, KIOSK_SCREEN_TAKE_CARD, KIOSK_LANG_JA);
	kiosk_screen_build(&s, &v);
	assert_int_equal(s.tone, KIOSK_TONE_ATTENTION);
	assert_int_equal(s.n_buttons, 0);
	assert_non_null(strstr(s.title, "カードをお取りください"));

	view_init(&v, KIOSK_SCREEN_TAKE_CERTIFICATE, KIOSK_LANG_JA);
	kiosk_screen_build(&s, &v);
	assert_int_equal(s.tone, KIOSK_TONE_ATTENTION);
	assert_non_null(strstr(s.title, "証明書をお取りください"));
	assert_non_null(strstr(s.body, "ありがとう"));

	view_init(&v, KIOSK_SCREEN_PLACE_CARD, KIOSK_LANG_EN);
	kiosk_screen_build(&s, &v);
	assert_int_equal(s.n_buttons, 1);
	assert_non_null(find(&s, KIOSK_BTN_CANCEL));

	for (unsigned id = KIOSK_SCREEN_READING; id <= KIOSK_SCREEN_PRINTING; id++) {
		if (id == KIOSK_SCREEN_TAKE_CARD || id == KIOSK_SCREEN_CONFIRM) {
			continue;
		}
		view_init(&v, (enum kiosk_screen_id)id, KIOSK_LANG_JA);
		kiosk_screen_build(&s, &v);
		assert_int_equal(s.n_buttons, 0);
		assert_int_equal(s.tone, KIOSK_TONE_NORMAL);
	}
}

static void test_municipality_pages(void **state)
{
	struct kiosk_view v;
	struct kiosk_screen s;

	(void)state;
	/* 3: one page, no paging */
	view_init(&v, KIOSK_SCREEN_MUNICIPALITY, KIOSK_LANG_JA);
	v.n_munis = 3;
	kiosk_screen_build(&s, &v);
	assert_int_equal(count_prefix(&s, "m:"), 3);
	assert_null(find(&s, KIOSK_BTN_PREV));
	assert_null(find(&s, KIOSK_BTN_NEXT));
	assert_string_equal(find(&s, "m:131016")->label, "東京都千代田区");
	assert_non_null(find(&s, KIOSK_BTN_BACK));
	assert_non_null(find(&s, KIOSK_BTN_CANCEL));
	assert_int_equal(draw_checked(&s, W, H, "municipality3-ja"), 0);

	/* 12, page 1 of 2 */
	v.n_munis = 12;
	v.lang = KIOSK_LANG_EN;
	kiosk_screen_build(&s, &v);
	assert_int_equal(count_prefix(&s, "m:"), KIOSK_UI_MUNIS_PER_PAGE);
	assert_null(find(&s, KIOSK_BTN_PREV));
	assert_non_null(find(&s, KIOSK_BTN_NEXT));
	assert_string_equal(find(&s, "m:141003")->label, "Yokohama City, Kanagawa");
	assert_non_null(strstr(s.title, "(1/2)"));
	assert_int_equal(draw_checked(&s, W, H, "municipality12p1-en"), 0);

	/* 12, page 2 of 2 */
	v.page = 1;
	kiosk_screen_build(&s, &v);
	assert_int_equal(count_prefix(&s, "m:"), 4);
	assert_non_null(find(&s, KIOSK_BTN_PREV));
	assert_null(find(&s, KIOSK_BTN_NEXT));
	assert_non_null(find(&s, "m:133817"));
	assert_null(find(&s, "m:131016"));
	assert_int_equal(draw_checked(&s, W, H, "municipality12p2-en"), 0);
	v.lang = KIOSK_LANG_JA;
	kiosk_screen_build(&s, &v);
	assert_string_equal(find(&s, "m:133817")->label, "東京都小笠原村");
	assert_int_equal(draw_checked(&s, W, H, "municipality12p2-ja"), 0);

	/* a page past the end shows the last one */
	v.page = 7;
	kiosk_screen_build(&s, &v);
	assert_int_equal(count_prefix(&s, "m:"), 4);

	/* a missing English name falls back to the Japanese one */
	v.page = 0;
	v.n_munis = 1;
	v.lang = KIOSK_LANG_EN;
	munis[0].name_en[0] = '\0';
	kiosk_screen_build(&s, &v);
	assert_string_equal(find(&s, "m:131016")->label, "東京都千代田区");
	munis_fill();

	/* none participating */
	for (int l = 0; l < 2; l++) {
		char png[64];

		v.n_munis = 0;
		v.lang = (enum kiosk_lang)l;
		kiosk_screen_build(&s, &v);
		assert_int_equal(count_prefix(&s, "m:"), 0);
		assert_non_null(find(&s, KIOSK_BTN_BACK));
		assert_non_null(strstr(s.body, l == 0 ? "ありません" : "no municipality"));
		(void)snprintf(png, sizeof(png), "municipality0-%s", lang_name(l));
		assert_int_equal(draw_checked(&s, W, H, png), 0);
	}
}

static void test_pin(void **state)
{
	struct kiosk_view v;
	struct kiosk_screen s;

	(void)state;
	for (int l = 0; l < 2; l++) {
		char png[64];

		view_init(&v, KIOSK_SCREEN_PIN, (enum kiosk_lang)l);
		v.pin_digits = 2;
		kiosk_screen_build(&s, &v);
		assert_true(s.keypad);
		assert_true(has_keypad_ids(&s));
		assert_true(find(&s, KIOSK_BTN_OK)->primary);
		assert_non_null(find(&s, KIOSK_BTN_CANCEL));
		assert_int_equal(s.pin_digits, 2);
		assert_int_equal(s.tries_left, 3);
		assert_non_null(strstr(s.body, "券面事項入力補助用暗証番号"));
		assert_non_null(strstr(s.body, "3"));
		assert_int_equal(s.tone, KIOSK_TONE_NORMAL);

		/* the reader's own keypad: no keypad on screen */
		v.pinpad = true;
		kiosk_screen_build(&s, &v);
		assert_false(s.keypad);
		assert_false(has_keypad_ids(&s));
		assert_null(find(&s, "5"));
		assert_null(find(&s, KIOSK_BTN_OK));
		assert_int_equal(s.n_buttons, 1);
		assert_non_null(strstr(s.body, l == 0 ? "キー" : "keypad"));
		(void)snprintf(png, sizeof(png), "pin-pinpad-%s", lang_name(l));
		assert_int_equal(draw_checked(&s, W, H, png), 0);

		/* wrong PIN, tries left shown */
		v.pinpad = false;
		v.pin_was_wrong = true;
		v.tries_left = 2;
		v.pin_digits = 0;
		kiosk_screen_build(&s, &v);
		assert_non_null(strstr(s.body, l == 0 ? "違います" : "wrong"));
		assert_non_null(strstr(s.body, l == 0 ? "2回" : "Tries left: 2"));
		assert_int_equal(s.tone, KIOSK_TONE_NORMAL);
		(void)snprintf(png, sizeof(png), "pin-wrong-%s", lang_name(l));
		assert_int_equal(draw_checked(&s, W, H, png), 0);

		/* the last try: attention, lock warning, where to reset */
		v.tries_left = 1;
		v.pin_digits = 3;
		kiosk_screen_build(&s, &v);
		assert_int_equal(s.tone, KIOSK_TONE_ATTENTION);
		assert_non_null(strstr(s.body, l == 0 ? "ロック" : "lock"));
		assert_non_null(strstr(s.body, l == 0 ? "窓口" : "municipal office"));
		(void)snprintf(png, sizeof(png), "pin-last-%s", lang_name(l));
		assert_int_equal(draw_checked(&s, W, H, png), 0);
		v.pinpad = true;
		kiosk_screen_build(&s, &v);
		(void)snprintf(png, sizeof(png), "pin-last-pinpad-%s", lang_name(l));
		assert_int_equal(draw_checked(&s, W, H, png), 0);

		/* unknown tries: no count */
		v.pinpad = false;
		v.pin_was_wrong = false;
		v.tries_left = -1;
		kiosk_screen_build(&s, &v);
		assert_null(strstr(s.body, l == 0 ? "残り" : "Tries"));
		assert_int_equal(draw_checked(&s, W, H, NULL), 0);
	}
}

static void test_messages(void **state)
{
	static const enum kiosk_msg_id ids[] = {
		KIOSK_MSG_CARD_REMOVED, KIOSK_MSG_PIN_INCORRECT, KIOSK_MSG_PIN_BLOCKED,
		KIOSK_MSG_NO_RECORDS, KIOSK_MSG_OVERSEAS_NOT_REGISTERED,
		KIOSK_MSG_NAME_NOT_PRINTABLE, KIOSK_MSG_PRINTER_JAM, KIOSK_MSG_CENTER_UNAVAILABLE,
		KIOSK_MSG_OUT_OF_SERVICE,
	};
	struct kiosk_view v;
	struct kiosk_screen s;

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		for (int l = 0; l < 2; l++) {
			char want[KIOSK_SCREEN_BODY_MAX], png[96];

			view_init(&v, KIOSK_SCREEN_MESSAGE, (enum kiosk_lang)l);
			v.message = ids[i];
			v.tries_left = 2;
			v.seconds_left = 9;
			kiosk_screen_build(&s, &v);
			assert_int_equal(kiosk_msg_format(ids[i], (enum kiosk_lang)l, 2, want,
							  sizeof(want)), 0);
			assert_non_null(strstr(s.body, want));
			assert_non_null(strstr(s.body, l == 0 ? "最初の画面" : "start screen"));
			assert_int_equal(s.tone, KIOSK_TONE_ERROR);
			assert_int_equal(s.n_buttons, 1);
			assert_true(find(&s, KIOSK_BTN_OK)->primary);
			assert_false(s.keypad);
			(void)snprintf(png, sizeof(png), "message-%s-%s",
				       kiosk_msg_get(ids[i])->key, lang_name(l));
			assert_int_equal(draw_checked(&s, W, H, png), 0);
		}
	}
	assert_null(strstr(s.body, "{tries}"));
	view_init(&v, KIOSK_SCREEN_MESSAGE, KIOSK_LANG_JA);
	v.message = KIOSK_MSG_NONE;
	kiosk_screen_build(&s, &v);
	assert_int_equal(s.tone, KIOSK_TONE_NORMAL);
	assert_int_equal(draw_checked(&s, W, H, NULL), 0);
}

static void test_confirm(void **state)
{
	struct kiosk_view v;
	struct kiosk_screen s;
	char name[64];

	(void)state;
	for (int l = 0; l < 2; l++) {
		view_init(&v, KIOSK_SCREEN_CONFIRM, (enum kiosk_lang)l);
		(void)snprintf(name, sizeof(name), "%s", NAME);
		v.holder_name = name;
		v.type = CENTER_CERT_OVERSEAS;
		kiosk_screen_build(&s, &v);
		/* pointers into the vault, never copies */
		assert_ptr_equal(s.holder_name, name);
		assert_ptr_equal(s.holder_birth_date, v.holder_birth_date);
		assert_null(strstr(s.body, "山田"));
		assert_null(strstr(s.title, "山田"));
		assert_true(find(&s, KIOSK_BTN_CONFIRM)->primary);
		assert_string_equal(find(&s, KIOSK_BTN_CONFIRM)->label, l == 0 ? "発行する" : "Issue");
		assert_non_null(find(&s, KIOSK_BTN_CANCEL));
		assert_non_null(strstr(s.body, l == 0 ? "海外用" : "abroad"));
		assert_int_equal(draw_checked(&s, W, H, NULL), 0);

		/* a character no font has: masked, reported, frame still complete */
		(void)snprintf(name, sizeof(name), "%s", NAME_BAD);
		kiosk_screen_build(&s, &v);
		assert_int_equal(draw_checked(&s, W, H, l == 0 ? "confirm-glyph-ja" : NULL),
				 KIOSK_ERR_GLYPH_MISSING);
		/* plane 3, unassigned (U+3FFFD) */
		(void)snprintf(name, sizeof(name), "%s", "\xf0\xbf\xbf\xbd太郎");
		kiosk_screen_build(&s, &v);
		assert_int_equal(draw_checked(&s, W, H, NULL), KIOSK_ERR_GLYPH_MISSING);
	}
}

static void test_birth_format(void **state)
{
	char b[48];

	(void)state;
	assert_int_equal(kiosk_ui_format_birth(KIOSK_LANG_JA, "1985-04-12", b, sizeof(b)), 0);
	assert_string_equal(b, "1985年4月12日");
	assert_int_equal(kiosk_ui_format_birth(KIOSK_LANG_EN, "1985-04-12", b, sizeof(b)), 0);
	assert_string_equal(b, "12 April 1985");
	assert_int_equal(kiosk_ui_format_birth(KIOSK_LANG_EN, "1985-13-12", b, sizeof(b)),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(kiosk_ui_format_birth(KIOSK_LANG_EN, "19850412", b, sizeof(b)),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(kiosk_ui_format_birth(KIOSK_LANG_EN, NULL, b, sizeof(b)),
			 KIOSK_ERR_INVALID_ARG);
}

/* The countdown line is drawn (pixels under the navigation row change). */
static void test_countdown(void **state)
{
	struct kiosk_view v;
	struct kiosk_screen s;
	struct kiosk_ui_frame a, b;
	char line[96];
	size_t diff = 0;

	(void)state;
	kiosk_ui_countdown_text(KIOSK_LANG_JA, 12, line, sizeof(line));
	assert_string_equal(line, "あと 12 秒で最初の画面に戻ります");
	kiosk_ui_countdown_text(KIOSK_LANG_EN, 12, line, sizeof(line));
	assert_string_equal(line, "Returning to start in 12 s");

	view_init(&v, KIOSK_SCREEN_TYPE, KIOSK_LANG_JA);
	assert_int_equal(kiosk_ui_frame_setup(&a, W, H), 0);
	assert_int_equal(kiosk_ui_frame_setup(&b, W, H), 0);
	kiosk_screen_build(&s, &v);
	assert_int_equal(kiosk_ui_frame_draw(&a, &s), 0);
	v.seconds_left = 12;
	kiosk_screen_build(&s, &v);
	assert_int_equal(s.seconds_left, 12);
	assert_int_equal(kiosk_ui_frame_draw(&b, &s), 0);
	assert_int_equal(a.frame.n_regions, s.n_buttons);
	for (int y = 755; y < H; y++) {
		diff += memcmp(a.frame.pixels + (size_t)y * (size_t)a.frame.stride,
			       b.frame.pixels + (size_t)y * (size_t)b.frame.stride,
			       (size_t)a.frame.stride) != 0;
	}
	assert_true(diff > 10);
	/* and nothing else moved */
	assert_memory_equal(a.frame.pixels, b.frame.pixels, (size_t)a.frame.stride * 740);
	kiosk_ui_frame_free(&a);
	kiosk_ui_frame_free(&b);
	kiosk_ui_frame_free(&b); /* idempotent */
	kiosk_ui_frame_free(NULL);
}

/* Other display sizes: the same layout, scaled and centred. */
static void test_other_sizes(void **state)
{
	static const int sizes[][2] = { { 1920, 1080 }, { 1024, 600 }, { 800, 480 }, { 1080, 1920 } };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (unsigned id = 0; id < KIOSK_SCREEN_COUNT; id++) {
			struct kiosk_view v;
			struct kiosk_screen s;
			struct kiosk_ui_frame f;
			size_t n;
			cairo_t *cr;

			view_init(&v, (enum kiosk_screen_id)id, KIOSK_LANG_EN);
			kiosk_screen_build(&s, &v);
			assert_int_equal(kiosk_ui_frame_setup(&f, sizes[i][0], sizes[i][1]), 0);
			cr = cairo_create(f.surface);
			assert_int_equal(kiosk_ui_draw(cr, sizes[i][0], sizes[i][1], &s, f.regions,
						       HAL_DISPLAY_REGIONS_MAX, &n), 0);
			cairo_destroy(cr);
			assert_int_equal(n, s.n_buttons);
			for (size_t j = 0; j < n; j++) {
				const struct hal_display_region *r = &f.regions[j];

				assert_true(r->x >= 0 && r->y >= 0 && r->w > 0 && r->h > 0);
				assert_true(r->x + r->w <= sizes[i][0]);
				assert_true(r->y + r->h <= sizes[i][1]);
				for (size_t k = 0; k < j; k++) {
					assert_false(overlap(&f.regions[k], r));
				}
			}
			kiosk_ui_frame_free(&f);
		}
	}
}

static void test_bad_args(void **state)
{
	struct kiosk_ui_frame f;
	struct kiosk_screen s;
	struct hal_display_region r[2];
	struct kiosk_view v;
	size_t n;
	cairo_t *cr;

	(void)state;
	assert_int_equal(kiosk_ui_frame_setup(&f, 0, 10), KIOSK_ERR_INVALID_ARG);
	assert_null(f.surface);
	assert_int_equal(kiosk_ui_frame_draw(&f, NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(kiosk_ui_frame_write_png(&f, "/nonexistent/x.png"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(kiosk_ui_frame_setup(&f, 64, 40), 0);
	view_init(&v, KIOSK_SCREEN_PIN, KIOSK_LANG_JA);
	kiosk_screen_build(&s, &v);
	/* more buttons than region slots */
	cr = cairo_create(f.surface);
	assert_int_equal(kiosk_ui_draw(cr, 64, 40, &s, r, 2, &n), KIOSK_ERR_RENDER);
	assert_int_equal(n, 2);
	/* no regions wanted */
	assert_int_equal(kiosk_ui_draw(cr, 64, 40, &s, NULL, 0, NULL), 0);
	cairo_destroy(cr);
	assert_int_equal(kiosk_ui_frame_write_png(&f, "/nonexistent-dir/x.png"), KIOSK_ERR_IO);
	kiosk_ui_frame_free(&f);
	kiosk_screen_build(&s, NULL);
	assert_int_equal(s.n_buttons, 0);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Drawing a frame is fast once warm (target < 15 ms at 1280 x 800). */
static void test_speed(void **state)
{
	struct kiosk_ui_frame f;
	double t0, worst = 0, total = 0;
	unsigned frames = 0;

	(void)state;
	assert_int_equal(kiosk_ui_warm_up(), 0);
	assert_int_equal(kiosk_ui_frame_setup(&f, W, H), 0);
	for (int round = 0; round < 5; round++) {
		for (unsigned id = 0; id < KIOSK_SCREEN_COUNT; id++) {
			struct kiosk_view v;
			struct kiosk_screen s;
			double t;

			view_init(&v, (enum kiosk_screen_id)id, (enum kiosk_lang)(round % 2));
			v.seconds_left = 30 - (unsigned)round;
			kiosk_screen_build(&s, &v);
			t0 = now_ms();
			assert_int_equal(kiosk_ui_frame_draw(&f, &s), 0);
			t = now_ms() - t0;
			if (round > 0) {
				total += t;
				frames++;
				worst = t > worst ? t : worst;
			}
		}
	}
	kiosk_ui_frame_free(&f);
	print_message("ui draw 1280x800: mean %.2f ms, worst %.2f ms over %u frames\n",
		      total / frames, worst, frames);
	/* generous bound: sanitizer builds and busy CI machines are slower */
	assert_true(total / frames < 60.0);
}

static int teardown(void **state)
{
	(void)state;
	kiosk_ui_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_add_button),
		cmocka_unit_test(test_all_screens),
		cmocka_unit_test(test_buttons_per_screen),
		cmocka_unit_test(test_municipality_pages),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_confirm),
		cmocka_unit_test(test_birth_format),
		cmocka_unit_test(test_countdown),
		cmocka_unit_test(test_other_sizes),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_speed),
	};

	munis_fill();
	return cmocka_run_group_tests(tests, NULL, teardown);
}
