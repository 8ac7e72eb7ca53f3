/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "kiosk/err.h"
#include "kiosk/msg.h"

static const struct kiosk_msg catalogue[KIOSK_MSG_COUNT] = {
	[KIOSK_MSG_NONE] = { "none", { "", "" } },
	[KIOSK_MSG_NO_CARD] = { "no_card",
		{ "カードが置かれませんでした。最初からやり直してください。",
		  "No card was placed. Please start again." } },
	[KIOSK_MSG_CARD_REMOVED] = { "card_removed",
		{ "カードが取り外されました。最初からやり直してください。",
		  "The card was removed. Please start again." } },
	[KIOSK_MSG_NOT_MYNUMBER_CARD] = { "not_mynumber_card",
		{ "マイナンバーカードを置いてください。このカードは読み取れません。",
		  "Please place your My Number card. This card cannot be used." } },
	[KIOSK_MSG_CARD_UNREADABLE] = { "card_unreadable",
		{ "カードを読み取れませんでした。カードを置き直してください。",
		  "The card could not be read. Please place it again." } },
	[KIOSK_MSG_CARD_TIMEOUT] = { "card_timeout",
		{ "カードが応答しません。カードを取り出して、置き直してください。",
		  "The card is not responding. Please take it out and place it again." } },
	[KIOSK_MSG_CARD_INVALID] = { "card_invalid",
		{ "カードの情報を確認できませんでした。お住まいの市区町村の窓口にお問い合わせください。",
		  "The card's data could not be verified. Please ask at your municipal office." } },
	[KIOSK_MSG_PRESENCE_FAILED] = { "presence_failed",
		{ "カードを確認できませんでした。カードを置き直して、最初からやり直してください。",
		  "The card could not be confirmed. Please place it again and start over." } },
	[KIOSK_MSG_PIN_FORMAT] = { "pin_format",
		{ "暗証番号は数字4桁で入力してください。",
		  "Please enter your 4-digit PIN." } },
	[KIOSK_MSG_PIN_INCORRECT] = { "pin_incorrect",
		{ "暗証番号が違います。あと{tries}回間違えるとロックされます。",
		  "Incorrect PIN. The PIN locks after {tries} more wrong tries." } },
	[KIOSK_MSG_PIN_LAST_TRY] = { "pin_last_try",
		{ "残り1回です。次に間違えるとカードの暗証番号がロックされます。",
		  "One try left. If the next PIN is wrong, the card's PIN will be locked." } },
	[KIOSK_MSG_PIN_BLOCKED] = { "pin_blocked",
		{ "暗証番号がロックされています。お住まいの市区町村の窓口で再設定してください。",
		  "The PIN is locked. Please have it reset at your municipal office." } },
	[KIOSK_MSG_PIN_CANCELLED] = { "pin_cancelled",
		{ "暗証番号の入力を取り消しました。",
		  "PIN entry was cancelled." } },
	[KIOSK_MSG_CANCELLED] = { "cancelled",
		{ "お手続きを取り消しました。カードとお持ち物をお忘れなく。",
		  "The request was cancelled. Please take your card and belongings." } },
	[KIOSK_MSG_PIN_TIMEOUT] = { "pin_timeout",
		{ "一定時間操作がなかったため、終了しました。",
		  "The session ended because there was no input for a while." } },
	[KIOSK_MSG_OUT_OF_SERVICE] = { "out_of_service",
		{ "ただいまこの端末はご利用いただけません。店員にお知らせください。",
		  "This kiosk is out of service. Please tell a member of staff." } },
	[KIOSK_MSG_CERT_INVALID] = { "cert_invalid",
		{ "証明書を確認できませんでした。お住まいの市区町村の窓口にお問い合わせください。",
		  "The certificate could not be verified. Please ask at your municipal office." } },
	[KIOSK_MSG_CERT_HOLDER_MISMATCH] = { "cert_holder_mismatch",
		{ "証明書の記載内容がカードと一致しません。お住まいの市区町村の窓口にお問い合わせください。",
		  "The certificate does not match your card. Please ask at your municipal office." } },
	[KIOSK_MSG_CENTER_UNAVAILABLE] = { "center_unavailable",
		{ "ただいま証明書を発行できません。しばらくしてから、もう一度お試しください。",
		  "Certificates cannot be issued right now. Please try again later." } },
	[KIOSK_MSG_NOT_PARTICIPATING] = { "not_participating",
		{ "この市区町村の証明書は、この端末では発行できません。",
		  "This kiosk cannot issue certificates for this municipality." } },
	[KIOSK_MSG_NO_RECORDS] = { "no_records",
		{ "選択した市区町村に接種記録が見つかりませんでした。接種時にお住まいだった市区町村を選んでください。",
		  "No vaccination record was found in the selected municipality. "
		  "Please choose the municipality where you lived when vaccinated." } },
	[KIOSK_MSG_CHALLENGE_EXPIRED] = { "challenge_expired",
		{ "時間がかかりすぎたため、手続きを完了できませんでした。最初からやり直してください。",
		  "The request took too long to complete. Please start again." } },
	[KIOSK_MSG_OVERSEAS_NOT_REGISTERED] = { "overseas_not_registered",
		{ "海外用の証明書に必要な旅券の登録がありません。お住まいの市区町村の窓口にお問い合わせください。",
		  "No passport is registered for an overseas certificate. "
		  "Please ask at your municipal office." } },
	[KIOSK_MSG_PLEASE_WAIT] = { "please_wait",
		{ "ただいま処理中です。しばらくお待ちください。",
		  "Processing. Please wait." } },
	[KIOSK_MSG_NAME_NOT_PRINTABLE] = { "name_not_printable",
		{ "お名前の文字をこの端末では正しく印刷できないため、証明書を発行できません。"
		  "お手数ですが、お住まいの市区町村の窓口で発行を申請してください。",
		  "This kiosk cannot print a character of your name correctly, so it cannot "
		  "issue the certificate. Please apply at your municipal office." } },
	[KIOSK_MSG_CERT_NOT_PRINTABLE] = { "cert_not_printable",
		{ "この証明書はこの端末では印刷できません。お住まいの市区町村の窓口にお問い合わせください。",
		  "This certificate cannot be printed at this kiosk. Please ask at your municipal office." } },
	/* Printer: nothing the resident can fix themselves (the paper tray and the
	 * doors are behind the kiosk's panel), so every text sends them to staff. */
	[KIOSK_MSG_PRINTER_NO_PAPER] = { "printer_no_paper",
		{ "プリンターの用紙がありません。店員にお知らせください。",
		  "The printer is out of paper. Please tell a member of staff." } },
	[KIOSK_MSG_PRINTER_JAM] = { "printer_jam",
		{ "プリンターで紙詰まりが発生しました。店員にお知らせください。",
		  "The paper has jammed in the printer. Please tell a member of staff." } },
	[KIOSK_MSG_PRINTER_DOOR_OPEN] = { "printer_door_open",
		{ "プリンターのカバーが開いています。店員にお知らせください。",
		  "A printer cover is open. Please tell a member of staff." } },
	[KIOSK_MSG_PRINTER_NO_TONER] = { "printer_no_toner",
		{ "プリンターのトナーがありません。店員にお知らせください。",
		  "The printer is out of toner. Please tell a member of staff." } },
	[KIOSK_MSG_PRINTER_UNAVAILABLE] = { "printer_unavailable",
		{ "プリンターが使用できません。店員にお知らせください。",
		  "The printer is not available. Please tell a member of staff." } },
	[KIOSK_MSG_PRINT_FAILED] = { "print_failed",
		{ "証明書を印刷できませんでした。店員にお知らせください。",
		  "The certificate could not be printed. Please tell a member of staff." } },
};

const struct kiosk_msg *kiosk_msg_get(enum kiosk_msg_id id)
{
	if ((unsigned)id >= KIOSK_MSG_COUNT) {
		return NULL;
	}
	return &catalogue[id];
}

enum kiosk_msg_id kiosk_err_msg(int err)
{
	switch (err) {
	case KIOSK_OK:
		return KIOSK_MSG_NONE;
	case KIOSK_ERR_NO_CARD:
	case KIOSK_ERR_TIMEOUT:
		return KIOSK_MSG_NO_CARD;
	case KIOSK_ERR_CARD_REMOVED:
		return KIOSK_MSG_CARD_REMOVED;
	case KIOSK_ERR_NOT_MYNUMBER_CARD:
		return KIOSK_MSG_NOT_MYNUMBER_CARD;
	case KIOSK_ERR_CARD_PROTOCOL:
	case KIOSK_ERR_PIN_NOT_VERIFIED:
		return KIOSK_MSG_CARD_UNREADABLE;
	case KIOSK_ERR_CARD_TIMEOUT:
		return KIOSK_MSG_CARD_TIMEOUT;
	case KIOSK_ERR_CARD_DATA:
	case KIOSK_ERR_MYNUMBER_CHECK_DIGIT:
	case KIOSK_ERR_CHAIN_UNKNOWN_CA:
	case KIOSK_ERR_CHAIN_CERT:
	case KIOSK_ERR_CHAIN_RECORD:
	case KIOSK_ERR_CHAIN_MYNUMBER_HASH:
	case KIOSK_ERR_CHAIN_BASIC4_HASH:
		return KIOSK_MSG_CARD_INVALID;
	case KIOSK_ERR_PRESENCE:
		return KIOSK_MSG_PRESENCE_FAILED;
	case KIOSK_ERR_CERT_FORMAT:
	case KIOSK_ERR_CERT_SIGNATURE:
	case KIOSK_ERR_CERT_UNKNOWN_KEY:
	case KIOSK_ERR_CERT_CHAIN:
	case KIOSK_ERR_CERT_TOO_LARGE:
		return KIOSK_MSG_CERT_INVALID;
	case KIOSK_ERR_CERT_HOLDER_MISMATCH:
		return KIOSK_MSG_CERT_HOLDER_MISMATCH;
	case KIOSK_ERR_CENTER_UNREACHABLE:
	case KIOSK_ERR_CONNECT_TIMEOUT:
	case KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT:
	case KIOSK_ERR_READ_TIMEOUT:
	case KIOSK_ERR_CONNECTION_DROPPED:
	case KIOSK_ERR_CENTER_BUSY:
	case KIOSK_ERR_CENTER_INTERNAL:
		/* Transient on the network or the center's side: the resident may
		 * come back later. TLS verification failures are not listed: they
		 * need staff (out of service). */
		return KIOSK_MSG_CENTER_UNAVAILABLE;
	case KIOSK_ERR_CENTER_NOT_PARTICIPATING:
		return KIOSK_MSG_NOT_PARTICIPATING;
	case KIOSK_ERR_CENTER_NO_RECORDS:
		return KIOSK_MSG_NO_RECORDS;
	case KIOSK_ERR_CENTER_CHALLENGE_EXPIRED:
		return KIOSK_MSG_CHALLENGE_EXPIRED;
	case KIOSK_ERR_CENTER_CARD_INVALID:
		return KIOSK_MSG_CARD_INVALID;
	case KIOSK_ERR_CENTER_PRESENCE_FAILED:
		return KIOSK_MSG_PRESENCE_FAILED;
	case KIOSK_ERR_CENTER_OVERSEAS_NOT_REGISTERED:
		return KIOSK_MSG_OVERSEAS_NOT_REGISTERED;
	case KIOSK_ERR_PIN_FORMAT:
		return KIOSK_MSG_PIN_FORMAT;
	case KIOSK_ERR_PIN_INCORRECT:
		return KIOSK_MSG_PIN_INCORRECT;
	case KIOSK_ERR_PIN_BLOCKED:
		return KIOSK_MSG_PIN_BLOCKED;
	case KIOSK_ERR_PIN_CANCELLED:
		return KIOSK_MSG_PIN_CANCELLED;
	case KIOSK_ERR_CANCELLED:
		return KIOSK_MSG_CANCELLED;
	case KIOSK_ERR_PIN_TIMEOUT:
		return KIOSK_MSG_PIN_TIMEOUT;
	case KIOSK_ERR_GLYPH_MISSING:
		return KIOSK_MSG_NAME_NOT_PRINTABLE;
	case KIOSK_ERR_QR_TOO_LARGE:
		return KIOSK_MSG_CERT_NOT_PRINTABLE;
	case KIOSK_ERR_MEDIA_EMPTY:
		return KIOSK_MSG_PRINTER_NO_PAPER;
	case KIOSK_ERR_MEDIA_JAM:
		return KIOSK_MSG_PRINTER_JAM;
	case KIOSK_ERR_DOOR_OPEN:
		return KIOSK_MSG_PRINTER_DOOR_OPEN;
	case KIOSK_ERR_TONER_EMPTY:
		return KIOSK_MSG_PRINTER_NO_TONER;
	case KIOSK_ERR_PRINTER_UNREACHABLE:
	case KIOSK_ERR_PRINTER_TIMEOUT:
	case KIOSK_ERR_PRINTER_OFFLINE:
		return KIOSK_MSG_PRINTER_UNAVAILABLE;
	case KIOSK_ERR_PRINTER:
	case KIOSK_ERR_JOB_FAILED:
		return KIOSK_MSG_PRINT_FAILED;
	default:
		/* Reader gone, busy, vault, configuration, anchors...: nothing the
		 * resident can fix; staff must look at the unit. */
		return KIOSK_MSG_OUT_OF_SERVICE;
	}
}

int kiosk_msg_format(enum kiosk_msg_id id, enum kiosk_lang lang, int tries, char *buf,
		     size_t cap)
{
	static const char token[] = "{tries}";
	const struct kiosk_msg *m = kiosk_msg_get(id);
	const char *src;
	const char *hit;
	int n;

	if (m == NULL || buf == NULL || cap == 0 || (lang != KIOSK_LANG_JA && lang != KIOSK_LANG_EN)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	src = m->text[lang];
	hit = strstr(src, token);
	if (hit == NULL) {
		n = snprintf(buf, cap, "%s", src);
	} else {
		n = snprintf(buf, cap, "%.*s%d%s", (int)(hit - src), src, tries,
			     hit + sizeof(token) - 1);
	}
	if (n < 0 || (size_t)n >= cap) {
		buf[0] = '\0';
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	return KIOSK_OK;
}
