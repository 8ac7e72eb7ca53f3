/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 response framing over nodejs/http-parser 2.9 (Debian's
 * libhttp-parser): it rejects malformed status lines, header syntax,
 * Content-Length overflow or duplicates, Content-Length together with
 * chunked, and bad chunk sizes. On top of it we enforce the protocol's caps
 * (64 headers, 8 KiB of header bytes, the caller's body cap) and insist on a
 * delimited body, so a truncated answer is never mistaken for a whole one.
 */
#include <ctype.h>
#include <limits.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/center.h"
#include "kiosk/err.h"

static struct center_http_parser *hp_of(http_parser *p)
{
	return (struct center_http_parser *)p->data;
}

static int raise_err(struct center_http_parser *hp, int err)
{
	if (hp->err == 0) {
		hp->err = err;
	}
	return -1;
}

static int count_bytes(struct center_http_parser *hp, size_t len)
{
	if (len > CENTER_HDR_BYTES_MAX || hp->header_bytes + len > CENTER_HDR_BYTES_MAX) {
		return raise_err(hp, KIOSK_ERR_HTTP_HEADERS_TOO_LARGE);
	}
	hp->header_bytes += len;
	return 0;
}

static int on_status(http_parser *p, const char *at, size_t len)
{
	(void)at;
	return count_bytes(hp_of(p), len);
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	struct center_http_parser *hp = hp_of(p);

	if (count_bytes(hp, len) != 0) {
		return -1;
	}
	if (!hp->in_value && hp->header_count > 0 && hp->field_len > 0) {
		/* continuation of the same field name across two reads */
	} else {
		hp->header_count++;
		if (hp->header_count > CENTER_HDR_COUNT_MAX) {
			return raise_err(hp, KIOSK_ERR_HTTP_HEADERS_TOO_LARGE);
		}
		hp->field_len = 0;
		hp->cur_is_ct = false;
	}
	hp->in_value = false;
	for (size_t i = 0; i < len; i++) {
		if (hp->field_len < sizeof(hp->field) - 1) {
			hp->field[hp->field_len] = (char)tolower((unsigned char)at[i]);
		}
		hp->field_len++;
	}
	return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct center_http_parser *hp = hp_of(p);

	if (count_bytes(hp, len) != 0) {
		return -1;
	}
	if (!hp->in_value) {
		hp->in_value = true;
		hp->cur_is_ct = hp->field_len == 12 && memcmp(hp->field, "content-type", 12) == 0;
		if (hp->cur_is_ct) {
			hp->ct_len = 0; /* the last Content-Type wins */
		}
	}
	if (hp->cur_is_ct) {
		for (size_t i = 0; i < len && hp->ct_len < sizeof(hp->content_type) - 1; i++) {
			hp->content_type[hp->ct_len++] = (char)tolower((unsigned char)at[i]);
		}
		hp->content_type[hp->ct_len] = '\0';
	}
	return 0;
}

static int on_headers_complete(http_parser *p)
{
	struct center_http_parser *hp = hp_of(p);
	bool chunked = (p->flags & F_CHUNKED) != 0;
	bool has_length = (p->flags & F_CONTENTLENGTH) != 0;

	if (p->status_code < 200 || p->status_code > 599) {
		/* The center never sends 1xx (we send no Expect); anything else is garbage. */
		return raise_err(hp, KIOSK_ERR_HTTP_PROTOCOL);
	}
	if (p->status_code == 204 || p->status_code == 304) {
		return 0;
	}
	if (!chunked && !has_length) {
		/* An EOF-delimited body cannot be told apart from a cut connection. */
		return raise_err(hp, KIOSK_ERR_HTTP_PROTOCOL);
	}
	if (has_length && p->content_length > hp->body_cap) {
		return raise_err(hp, KIOSK_ERR_HTTP_BODY_TOO_LARGE);
	}
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct center_http_parser *hp = hp_of(p);

	if (len > hp->body_cap - hp->body_len) {
		return raise_err(hp, KIOSK_ERR_HTTP_BODY_TOO_LARGE);
	}
	memcpy(hp->body + hp->body_len, at, len);
	hp->body_len += len;
	return 0;
}

static int on_message_begin(http_parser *p)
{
	struct center_http_parser *hp = hp_of(p);

	/* A second message after ours ("Connection: close"): not the center. */
	return hp->complete ? raise_err(hp, KIOSK_ERR_HTTP_PROTOCOL) : 0;
}

static int on_message_complete(http_parser *p)
{
	hp_of(p)->complete = true;
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_status = on_status,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

void center_http_parser_init(struct center_http_parser *hp, uint8_t *body, size_t body_cap)
{
	memset(hp, 0, sizeof(*hp));
	http_parser_init(&hp->p, HTTP_RESPONSE);
	hp->p.data = hp;
	hp->body = body;
	hp->body_cap = body == NULL ? 0 : body_cap;
}

int center_http_parser_feed(struct center_http_parser *hp, const uint8_t *data, size_t len)
{
	size_t done;
	enum http_errno e;

	if (hp->err != 0) {
		return hp->err;
	}
	if (len == 0) {
		return KIOSK_OK;
	}
	done = http_parser_execute(&hp->p, &settings, (const char *)data, len);
	e = HTTP_PARSER_ERRNO(&hp->p);
	if (hp->err != 0) {
		return hp->err;
	}
	if (e != HPE_OK || done != len) {
		hp->err = KIOSK_ERR_HTTP_PROTOCOL;
		return hp->err;
	}
	return KIOSK_OK;
}

int center_http_parser_eof(struct center_http_parser *hp)
{
	if (hp->err != 0) {
		return hp->err;
	}
	return hp->complete ? KIOSK_OK : KIOSK_ERR_CONNECTION_DROPPED;
}

void center_http_parser_result(const struct center_http_parser *hp,
			       struct center_http_response *out)
{
	memset(out, 0, sizeof(*out));
	out->status = hp->p.status_code;
	out->body = hp->body;
	out->body_len = hp->body_len;
	memcpy(out->content_type, hp->content_type, sizeof(out->content_type));
}

int center_http_parse_response(const uint8_t *data, size_t len, uint8_t *body, size_t body_cap,
			       struct center_http_response *out)
{
	struct center_http_parser hp;
	int rc;

	if (data == NULL || out == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	center_http_parser_init(&hp, body, body_cap);
	rc = center_http_parser_feed(&hp, data, len);
	if (rc == 0) {
		rc = center_http_parser_eof(&hp);
	}
	if (rc == 0) {
		center_http_parser_result(&hp, out);
	}
	mbedtls_platform_zeroize(&hp, sizeof(hp));
	return rc;
}
