/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "kiosk/err.h"

struct err_entry {
	int code;
	const char *name;
	const char *text;
};

/* One table so a code can never have a name without a text. */
static const struct err_entry err_table[] = {
	{ KIOSK_OK, "OK", "success" },
	{ KIOSK_ERR_INVALID_ARG, "INVALID_ARG", "invalid argument" },
	{ KIOSK_ERR_NO_MEMORY, "NO_MEMORY", "out of memory" },
	{ KIOSK_ERR_BUFFER_TOO_SMALL, "BUFFER_TOO_SMALL", "buffer too small" },
	{ KIOSK_ERR_NOT_SUPPORTED, "NOT_SUPPORTED", "operation not supported by this backend" },
	{ KIOSK_ERR_INTERNAL, "INTERNAL", "internal error" },
	{ KIOSK_ERR_VAULT, "VAULT", "locked memory for personal data is unavailable" },
	{ KIOSK_ERR_CONFIG, "CONFIG", "board configuration is invalid" },
	{ KIOSK_ERR_IO, "IO", "input/output error" },
	{ KIOSK_ERR_TIMEOUT, "TIMEOUT", "timed out waiting" },
	{ KIOSK_ERR_ANCHORS_MISSING, "ANCHORS_MISSING", "no card CA trust anchors installed" },
	{ KIOSK_ERR_TEST_ANCHOR, "TEST_ANCHOR", "test-only trust anchor on a production board" },
	{ KIOSK_ERR_REFUSED, "REFUSED", "refused on a production board" },
	{ KIOSK_ERR_CANCELLED, "CANCELLED", "cancelled by the resident" },
	{ KIOSK_ERR_NO_READER, "NO_READER", "no card reader found" },
	{ KIOSK_ERR_READER_GONE, "READER_GONE", "card reader or PC/SC service disappeared" },
	{ KIOSK_ERR_NO_CARD, "NO_CARD", "no card was placed" },
	{ KIOSK_ERR_CARD_REMOVED, "CARD_REMOVED", "card was removed" },
	{ KIOSK_ERR_CARD_TIMEOUT, "CARD_TIMEOUT", "card stopped answering" },
	{ KIOSK_ERR_CARD_BUSY, "CARD_BUSY", "reader is in use by another program" },
	{ KIOSK_ERR_CARD_PROTOCOL, "CARD_PROTOCOL", "unexpected answer from the card" },
	{ KIOSK_ERR_NOT_MYNUMBER_CARD, "NOT_MYNUMBER_CARD", "not a My Number card" },
	{ KIOSK_ERR_CARD_DATA, "CARD_DATA", "card data is malformed" },
	{ KIOSK_ERR_MYNUMBER_CHECK_DIGIT, "MYNUMBER_CHECK_DIGIT", "My Number check digit is wrong" },
	{ KIOSK_ERR_PIN_FORMAT, "PIN_FORMAT", "PIN must be 4 digits" },
	{ KIOSK_ERR_PIN_INCORRECT, "PIN_INCORRECT", "PIN is incorrect" },
	{ KIOSK_ERR_PIN_BLOCKED, "PIN_BLOCKED", "PIN is blocked" },
	{ KIOSK_ERR_PIN_CANCELLED, "PIN_CANCELLED", "PIN entry cancelled" },
	{ KIOSK_ERR_PIN_TIMEOUT, "PIN_TIMEOUT", "PIN entry timed out" },
	{ KIOSK_ERR_PIN_NOT_VERIFIED, "PIN_NOT_VERIFIED", "card refused a read before PIN verification" },
	{ KIOSK_ERR_CHAIN_UNKNOWN_CA, "CHAIN_UNKNOWN_CA", "card certificate issued by an unknown CA" },
	{ KIOSK_ERR_CHAIN_CERT, "CHAIN_CERT", "card certificate signature invalid" },
	{ KIOSK_ERR_CHAIN_RECORD, "CHAIN_RECORD", "integrity record signature invalid" },
	{ KIOSK_ERR_CHAIN_MYNUMBER_HASH, "CHAIN_MYNUMBER_HASH", "My Number file does not match its digest" },
	{ KIOSK_ERR_CHAIN_BASIC4_HASH, "CHAIN_BASIC4_HASH", "basic 4 information does not match its digest" },
	{ KIOSK_ERR_PRESENCE, "PRESENCE", "card presence proof failed" },
	{ KIOSK_ERR_CRYPTO, "CRYPTO", "cryptographic library failure" },
	{ KIOSK_ERR_CERT_FORMAT, "CERT_FORMAT", "certificate is malformed" },
	{ KIOSK_ERR_CERT_SIGNATURE, "CERT_SIGNATURE", "certificate signature invalid" },
	{ KIOSK_ERR_CERT_UNKNOWN_KEY, "CERT_UNKNOWN_KEY", "certificate signed by an unknown issuer key" },
	{ KIOSK_ERR_CERT_CHAIN, "CERT_CHAIN", "certificate signer does not chain to the pinned CSCA" },
	{ KIOSK_ERR_CERT_TOO_LARGE, "CERT_TOO_LARGE", "certificate or its payload is too large" },
	{ KIOSK_ERR_CERT_HOLDER_MISMATCH, "CERT_HOLDER_MISMATCH", "certificate holder is not the card holder" },
	{ KIOSK_ERR_CERT_TRUST, "CERT_TRUST", "pinned certificate key set or CSCA is invalid" },
	{ KIOSK_ERR_NETWORK, "NETWORK", "network error" },
	{ KIOSK_ERR_CENTER_UNREACHABLE, "CENTER_UNREACHABLE", "certificate center unreachable" },
	{ KIOSK_ERR_CONNECT_TIMEOUT, "CONNECT_TIMEOUT", "connecting to the center timed out" },
	{ KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT, "TLS_HANDSHAKE_TIMEOUT", "TLS handshake timed out" },
	{ KIOSK_ERR_READ_TIMEOUT, "READ_TIMEOUT", "the center stopped answering" },
	{ KIOSK_ERR_TLS_UNTRUSTED, "TLS_UNTRUSTED", "center certificate not issued by the pinned CA" },
	{ KIOSK_ERR_TLS_EXPIRED, "TLS_EXPIRED", "center certificate expired or not yet valid" },
	{ KIOSK_ERR_TLS_WRONG_HOST, "TLS_WRONG_HOST", "center certificate is for another host name" },
	{ KIOSK_ERR_TLS_CLIENT_CERT_REFUSED, "TLS_CLIENT_CERT_REFUSED", "the center refused the kiosk certificate" },
	{ KIOSK_ERR_TLS_HANDSHAKE, "TLS_HANDSHAKE", "TLS handshake failed" },
	{ KIOSK_ERR_CONNECTION_DROPPED, "CONNECTION_DROPPED", "connection dropped before the answer was complete" },
	{ KIOSK_ERR_HTTP_PROTOCOL, "HTTP_PROTOCOL", "malformed HTTP response" },
	{ KIOSK_ERR_HTTP_HEADERS_TOO_LARGE, "HTTP_HEADERS_TOO_LARGE", "HTTP response headers too many or too large" },
	{ KIOSK_ERR_HTTP_BODY_TOO_LARGE, "HTTP_BODY_TOO_LARGE", "HTTP response body too large" },
	{ KIOSK_ERR_CENTER_PROTOCOL, "CENTER_PROTOCOL", "center answer does not follow the protocol" },
	{ KIOSK_ERR_CENTER_BAD_REQUEST, "CENTER_BAD_REQUEST", "center rejected the request as malformed" },
	{ KIOSK_ERR_CENTER_NOT_PARTICIPATING, "CENTER_NOT_PARTICIPATING", "municipality does not participate" },
	{ KIOSK_ERR_CENTER_NO_RECORDS, "CENTER_NO_RECORDS", "no vaccination record in this municipality" },
	{ KIOSK_ERR_CENTER_CHALLENGE_EXPIRED, "CENTER_CHALLENGE_EXPIRED", "challenge expired, used or unknown" },
	{ KIOSK_ERR_CENTER_CARD_INVALID, "CENTER_CARD_INVALID", "center could not verify the card evidence" },
	{ KIOSK_ERR_CENTER_PRESENCE_FAILED, "CENTER_PRESENCE_FAILED", "center could not verify the challenge signature" },
	{ KIOSK_ERR_CENTER_OVERSEAS_NOT_REGISTERED, "CENTER_OVERSEAS_NOT_REGISTERED", "no passport registration for an overseas certificate" },
	{ KIOSK_ERR_CENTER_BUSY, "CENTER_BUSY", "center busy" },
	{ KIOSK_ERR_CENTER_INTERNAL, "CENTER_INTERNAL", "center internal error" },
	{ KIOSK_ERR_PRINTER, "PRINTER", "printer error" },
	{ KIOSK_ERR_PRINTER_UNREACHABLE, "PRINTER_UNREACHABLE", "printer unreachable" },
	{ KIOSK_ERR_PRINTER_TIMEOUT, "PRINTER_TIMEOUT", "printer did not answer or finish in time" },
	{ KIOSK_ERR_MEDIA_EMPTY, "MEDIA_EMPTY", "printer is out of paper" },
	{ KIOSK_ERR_MEDIA_JAM, "MEDIA_JAM", "paper jam in the printer" },
	{ KIOSK_ERR_DOOR_OPEN, "DOOR_OPEN", "a printer door or cover is open" },
	{ KIOSK_ERR_PRINTER_OFFLINE, "PRINTER_OFFLINE", "printer is offline or stopped" },
	{ KIOSK_ERR_TONER_EMPTY, "TONER_EMPTY", "printer is out of toner or ink" },
	{ KIOSK_ERR_JOB_FAILED, "JOB_FAILED", "print job failed" },
	{ KIOSK_ERR_QR_TOO_LARGE, "QR_TOO_LARGE", "certificate does not fit the allowed QR version" },
	{ KIOSK_ERR_RENDER, "RENDER", "certificate rendering failed" },
	{ KIOSK_ERR_GLYPH_MISSING, "GLYPH_MISSING", "font lacks a glyph of the holder's name" },
	{ KIOSK_ERR_UPDATE, "UPDATE", "firmware update error" },
};

static const struct err_entry *err_lookup(int err)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++) {
		if (err_table[i].code == err) {
			return &err_table[i];
		}
	}
	return NULL;
}

const char *kiosk_strerror(int err)
{
	const struct err_entry *e = err_lookup(err);

	return e ? e->text : "unknown error";
}

const char *kiosk_err_name(int err)
{
	const struct err_entry *e = err_lookup(err);

	return e ? e->name : "UNKNOWN";
}
