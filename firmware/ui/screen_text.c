/* SPDX-License-Identifier: MIT */
/*
 * What every screen says, in Japanese and English, from the flow's view.
 * Short polite Japanese (です/ます), plain English. The PIN is always named
 * as printed on the resident's PIN notice (券面事項入力補助用暗証番号), since
 * the card has several PINs and the 4-digit e-certificate one is a different
 * one. Personal data is never copied here: the confirmation screen only gets
 * the vault pointers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kiosk/err.h"
#include "ui_internal.h"

#define PIN_NAME_JA "券面事項入力補助用暗証番号（数字4桁）"
#define PIN_NAME_EN "4-digit PIN for card information"
#define PIN_TERM "（券面事項入力補助用暗証番号）"

static const char *tr(enum kiosk_lang lang, const char *ja, const char *en)
{
	return lang == KIOSK_LANG_EN ? en : ja;
}

static void set_title(struct kiosk_screen *s, const char *t)
{
	(void)snprintf(s->title, sizeof(s->title), "%s", t);
}

/* Append to the body; overflow truncates (texts are fixed and fit). */
__attribute__((format(printf, 2, 3)))
static void body_add(struct kiosk_screen *s, const char *fmt, ...)
{
	size_t len = strlen(s->body);
	va_list ap;

	if (len + 1 >= sizeof(s->body)) {
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(s->body + len, sizeof(s->body) - len, fmt, ap);
	va_end(ap);
}

static void add(struct kiosk_screen *s, const char *id, enum kiosk_lang lang, const char *ja,
		const char *en, bool primary)
{
	kiosk_screen_add_button(s, id, tr(lang, ja, en), primary);
}

static void add_cancel(struct kiosk_screen *s)
{
	if (s->bilingual) {
		kiosk_screen_add_button(s, KIOSK_BTN_CANCEL, "やめる / Cancel", false);
	} else {
		add(s, KIOSK_BTN_CANCEL, s->lang, "やめる", "Cancel", false);
	}
}

static void add_back(struct kiosk_screen *s)
{
	add(s, KIOSK_BTN_BACK, s->lang, "戻る", "Back", false);
}

static void build_idle(struct kiosk_screen *s)
{
	s->bilingual = true;
	set_title(s, "新型コロナワクチン接種証明書の発行");
	(void)snprintf(s->title_en, sizeof(s->title_en), "COVID-19 Vaccination Certificate");
	(void)snprintf(s->body, sizeof(s->body),
		       "マイナンバーカードと、" PIN_NAME_JA "が必要です。\n"
		       "「はじめる」を押してください。");
	(void)snprintf(s->body_en, sizeof(s->body_en),
		       "You need your My Number card and its " PIN_NAME_EN "\n" PIN_TERM "\n"
		       "Press Start to begin.");
	kiosk_screen_add_button(s, KIOSK_BTN_START, "はじめる / Start", true);
}

static void build_language(struct kiosk_screen *s)
{
	s->bilingual = true;
	set_title(s, "言語を選んでください");
	(void)snprintf(s->title_en, sizeof(s->title_en), "Choose your language");
	kiosk_screen_add_button(s, KIOSK_BTN_JA, "日本語", false);
	kiosk_screen_add_button(s, KIOSK_BTN_EN, "English", false);
	add_cancel(s);
}

static void build_type(struct kiosk_screen *s)
{
	enum kiosk_lang l = s->lang;

	set_title(s, tr(l, "証明書の種類を選んでください", "Choose the type of certificate"));
	body_add(s, "%s", tr(l, "海外用を選ぶには、接種を受けた市区町村に旅券（パスポート）が"
				"登録されている必要があります。",
			     "For travel abroad, your passport must be registered with the "
			     "municipality that vaccinated you."));
	add(s, KIOSK_BTN_DOMESTIC, l, "日本国内用", "For use in Japan", false);
	add(s, KIOSK_BTN_OVERSEAS, l, "海外用及び日本国内用", "For travel abroad and in Japan",
	    false);
	add_back(s);
	add_cancel(s);
}

static void build_municipality(struct kiosk_screen *s, const struct kiosk_view *v)
{
	enum kiosk_lang l = s->lang;
	size_t per = KIOSK_UI_MUNIS_PER_PAGE;
	size_t pages = (v->n_munis + per - 1) / per;
	size_t page = v->page;
	const char *t = tr(l, "接種を受けた市区町村を選んでください",
			   "Choose the municipality that vaccinated you");

	if (v->munis == NULL || v->n_munis == 0) {
		set_title(s, t);
		body_add(s, "%s", tr(l, "ただいま、この端末で証明書を発行できる市区町村はありません。"
					"ご不便をおかけして申し訳ありません。",
				     "Right now no municipality issues certificates at this kiosk. "
				     "We are sorry for the inconvenience."));
		add_back(s);
		add_cancel(s);
		return;
	}
	if (page >= pages) {
		page = pages - 1;
	}
	if (pages > 1) {
		(void)snprintf(s->title, sizeof(s->title), "%s (%zu/%zu)", t, page + 1, pages);
	} else {
		set_title(s, t);
	}
	body_add(s, "%s", tr(l, "接種を受けたときに、お住まいだった市区町村です。",
			     "That is where you lived when you were vaccinated."));
	for (size_t i = page * per; i < v->n_munis && i < (page + 1) * per; i++) {
		const struct center_municipality *m = &v->munis[i];
		const char *name = l == KIOSK_LANG_EN && m->name_en[0] != '\0' ? m->name_en
									    : m->name_ja;
		char id[KIOSK_BUTTON_ID_MAX];

		(void)snprintf(id, sizeof(id), "m:%s", m->code);
		kiosk_screen_add_button(s, id, name, false);
	}
	if (page > 0) {
		add(s, KIOSK_BTN_PREV, l, "前のページ", "Previous", false);
	}
	if (page + 1 < pages) {
		add(s, KIOSK_BTN_NEXT, l, "次のページ", "Next", false);
	}
	add_back(s);
	add_cancel(s);
}

static void build_place_card(struct kiosk_screen *s)
{
	enum kiosk_lang l = s->lang;

	set_title(s, tr(l, "マイナンバーカードを置いてください",
			"Place your My Number card on the reader"));
	body_add(s, "%s", tr(l, "マイナンバーカードを、カード読み取り部に平らに置いてください。\n"
				"読み取りが終わるまで、カードを動かさないでください。",
			     "Lay your My Number card flat on the card reader.\n"
			     "Do not move it until reading is finished."));
	add_cancel(s);
}

static void build_pin(struct kiosk_screen *s, const struct kiosk_view *v)
{
	enum kiosk_lang l = s->lang;

	set_title(s, tr(l, "暗証番号を入力してください", "Enter your PIN"));
	s->keypad = !v->pinpad;
	s->pin_digits = v->pin_digits > 4 ? 4 : v->pin_digits;
	if (v->pin_was_wrong) {
		body_add(s, "%s\n", tr(l, "暗証番号が違います。", "The PIN was wrong."));
	}
	if (v->pinpad) {
		body_add(s, "%s\n", tr(l, PIN_NAME_JA "を、\nカード読み取り機のキーで入力してください。",
				       "Enter the " PIN_NAME_EN " on the reader's keypad.\n" PIN_TERM));
	} else {
		body_add(s, "%s\n", tr(l, PIN_NAME_JA "を入力してください。",
				       "Enter the " PIN_NAME_EN ".\n" PIN_TERM));
	}
	if (v->tries_left >= 0) {
		if (l == KIOSK_LANG_EN) {
			body_add(s, "Tries left: %d\n", v->tries_left);
		} else {
			body_add(s, "残りの入力回数：%d回\n", v->tries_left);
		}
	}
	if (v->tries_left == 1) {
		s->tone = KIOSK_TONE_ATTENTION;
		body_add(s, "%s", tr(l, "ご注意ください。次に間違えるとカードがロックされ、"
					"市区町村の窓口での再設定が必要になります。",
				     "Careful: one more wrong PIN locks the card. A locked card "
				     "must be reset at your municipal office."));
	}
	/* no trailing newline: it would add an empty line */
	{
		size_t len = strlen(s->body);

		if (len > 0 && s->body[len - 1] == '\n') {
			s->body[len - 1] = '\0';
		}
	}
	if (s->keypad) {
		for (char d = '1'; d <= '9'; d++) {
			char id[2] = { d, '\0' };

			kiosk_screen_add_button(s, id, id, false);
		}
		add(s, KIOSK_BTN_DELETE, l, "訂正", "Delete", false);
		kiosk_screen_add_button(s, "0", "0", false);
		add(s, KIOSK_BTN_OK, l, "確定", "OK", true);
	}
	add_cancel(s);
}

static void build_confirm(struct kiosk_screen *s, const struct kiosk_view *v)
{
	enum kiosk_lang l = s->lang;

	set_title(s, tr(l, "内容を確認してください", "Please check your details"));
	body_add(s, "%s\n", tr(l, "ご本人の情報であることを確認して、「発行する」を押してください。",
			       "Check that these are your details, then press Issue."));
	body_add(s, "%s%s", tr(l, "証明書の種類：", "Certificate: "),
		 v->type == CENTER_CERT_OVERSEAS ?
		 tr(l, "海外用及び日本国内用", "for travel abroad and in Japan") :
		 tr(l, "日本国内用", "for use in Japan"));
	s->holder_name = v->holder_name;
	s->holder_birth_date = v->holder_birth_date;
	add_cancel(s);
	add(s, KIOSK_BTN_CONFIRM, l, "発行する", "Issue", true);
}

static void build_message(struct kiosk_screen *s, const struct kiosk_view *v)
{
	enum kiosk_lang l = s->lang;
	char msg[KIOSK_SCREEN_BODY_MAX];

	set_title(s, tr(l, "お知らせ", "Notice"));
	s->tone = v->message == KIOSK_MSG_NONE ? KIOSK_TONE_NORMAL : KIOSK_TONE_ERROR;
	msg[0] = '\0';
	if (v->message != KIOSK_MSG_NONE &&
	    kiosk_msg_format(v->message, l, v->tries_left, msg, sizeof(msg)) == KIOSK_OK) {
		body_add(s, "%s\n", msg);
	}
	body_add(s, "%s", tr(l, "まもなく最初の画面に戻ります。",
			     "The kiosk will return to the start screen shortly."));
	add(s, KIOSK_BTN_OK, l, "OK", "OK", true);
}

/* Screens that only say something (no choice to make). */
static void build_plain(struct kiosk_screen *s, enum kiosk_screen_tone tone, const char *t_ja,
			const char *t_en, const char *b_ja, const char *b_en)
{
	s->tone = tone;
	set_title(s, tr(s->lang, t_ja, t_en));
	body_add(s, "%s", tr(s->lang, b_ja, b_en));
}

void kiosk_screen_build(struct kiosk_screen *s, const struct kiosk_view *v)
{
	if (s == NULL) {
		return;
	}
	memset(s, 0, sizeof(*s));
	s->tries_left = -1;
	if (v == NULL) {
		return;
	}
	s->id = v->id;
	s->lang = v->lang == KIOSK_LANG_EN ? KIOSK_LANG_EN : KIOSK_LANG_JA;
	s->tries_left = v->tries_left < 0 ? -1 : v->tries_left;
	s->seconds_left = v->seconds_left;
	switch (v->id) {
	case KIOSK_SCREEN_IDLE:
		build_idle(s);
		break;
	case KIOSK_SCREEN_LANGUAGE:
		build_language(s);
		break;
	case KIOSK_SCREEN_TYPE:
		build_type(s);
		break;
	case KIOSK_SCREEN_MUNICIPALITY:
		build_municipality(s, v);
		break;
	case KIOSK_SCREEN_PLACE_CARD:
		build_place_card(s);
		break;
	case KIOSK_SCREEN_PIN:
		build_pin(s, v);
		break;
	case KIOSK_SCREEN_READING:
		build_plain(s, KIOSK_TONE_NORMAL, "カードを読み取っています", "Reading your card",
			    "カードを動かしたり、取り外したりしないでください。\n"
			    "しばらくお待ちください。",
			    "Please do not move or remove your card.\nPlease wait.");
		break;
	case KIOSK_SCREEN_TAKE_CARD:
		build_plain(s, KIOSK_TONE_ATTENTION, "カードをお取りください", "Please take your card",
			    "読み取りが終わりました。\nマイナンバーカードをお取りください。",
			    "Reading is finished.\nPlease take your My Number card now.");
		break;
	case KIOSK_SCREEN_CONFIRM:
		build_confirm(s, v);
		break;
	case KIOSK_SCREEN_REQUESTING:
		build_plain(s, KIOSK_TONE_NORMAL, "証明書を申請しています",
			    "Requesting your certificate",
			    "証明書交付センターに問い合わせています。\nしばらくお待ちください。",
			    "Asking the certificate center.\nPlease wait.");
		break;
	case KIOSK_SCREEN_PRINTING:
		build_plain(s, KIOSK_TONE_NORMAL, "印刷しています", "Printing",
			    "証明書を印刷しています。\nしばらくお待ちください。",
			    "Your certificate is being printed.\nPlease wait.");
		break;
	case KIOSK_SCREEN_TAKE_CERTIFICATE:
		build_plain(s, KIOSK_TONE_ATTENTION, "証明書をお取りください",
			    "Please take your certificate",
			    "証明書をお取りください。お取り忘れにご注意ください。\n"
			    "ご利用ありがとうございました。",
			    "Please take your certificate from the printer.\nThank you.");
		break;
	case KIOSK_SCREEN_MESSAGE:
		build_message(s, v);
		break;
	default:
		s->id = KIOSK_SCREEN_MESSAGE;
		build_message(s, v);
		break;
	}
}

/* --- strings the drawing adds ------------------------------------------------ */

const char *kiosk_ui_text(enum kiosk_ui_text t, enum kiosk_lang lang)
{
	static const char *const texts[KIOSK_UI_TEXT_COUNT][2] = {
		[KIOSK_UI_TEXT_NAME] = { "氏名", "Name" },
		[KIOSK_UI_TEXT_BIRTH] = { "生年月日", "Date of birth" },
	};

	if ((unsigned)t >= KIOSK_UI_TEXT_COUNT) {
		return "";
	}
	return texts[t][lang == KIOSK_LANG_EN ? 1 : 0];
}

void kiosk_ui_countdown_text(enum kiosk_lang lang, unsigned seconds, char *buf, size_t cap)
{
	if (lang == KIOSK_LANG_EN) {
		(void)snprintf(buf, cap, "Returning to start in %u s", seconds);
	} else {
		(void)snprintf(buf, cap, "あと %u 秒で最初の画面に戻ります", seconds);
	}
}

int kiosk_ui_format_birth(enum kiosk_lang lang, const char *ymd, char *buf, size_t cap)
{
	static const char *const months[12] = { "January", "February", "March", "April",
						"May", "June", "July", "August",
						"September", "October", "November", "December" };
	unsigned y = 0, m, d;

	if (ymd == NULL || strlen(ymd) != 10 || ymd[4] != '-' || ymd[7] != '-') {
		return KIOSK_ERR_INVALID_ARG;
	}
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (ymd[i] < '0' || ymd[i] > '9')) {
			return KIOSK_ERR_INVALID_ARG;
		}
	}
	for (int i = 0; i < 4; i++) {
		y = y * 10 + (unsigned)(ymd[i] - '0');
	}
	m = (unsigned)((ymd[5] - '0') * 10 + (ymd[6] - '0'));
	d = (unsigned)((ymd[8] - '0') * 10 + (ymd[9] - '0'));
	if (m < 1 || m > 12 || d < 1 || d > 31) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (lang == KIOSK_LANG_EN) {
		(void)snprintf(buf, cap, "%u %s %u", d, months[m - 1], y);
	} else {
		(void)snprintf(buf, cap, "%u年%u月%u日", y, m, d);
	}
	return KIOSK_OK;
}
