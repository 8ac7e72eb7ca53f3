/* SPDX-License-Identifier: MIT */
/* HTTP/1.1 response framing of the center client (http-parser + our caps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk/center.h"
#include "kiosk/err.h"

static uint8_t body[CENTER_BODY_MAX];

static int parse(const char *text, struct center_http_response *r)
{
	return center_http_parse_response((const uint8_t *)text, strlen(text), body, sizeof(body),
					  r);
}

static void test_content_length(void **state)
{
	struct center_http_response r;

	(void)state;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Type: Application/JSON; charset=utf-"
		"8\r\n"
			       "Content-Length: 7\r\n\r\n{\"a\":1}",
			       &r),
			 KIOSK_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 7);
	assert_memory_equal(r.body, "{\"a\":1}", 7);
	assert_string_equal(r.content_type, "application/json; charset=utf-8");
	/* an empty body */
	assert_int_equal(parse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", &r),
			KIOSK_OK);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.body_len, 0);
}

static void test_chunked_with_extensions_and_trailers(void **state)
{
	struct center_http_response r;

	(void)state;
	assert_int_equal(parse("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "4;name=value\r\n{\"a\"\r\n"
			       "3\r\n:1}\r\n"
			       "0\r\nX-Trailer: yes\r\n\r\n",
			       &r),
			 KIOSK_OK);
	assert_int_equal(r.status, 201);
	assert_int_equal(r.body_len, 7);
	assert_memory_equal(r.body, "{\"a\":1}", 7);
}

static void test_incremental_feed_byte_by_byte(void **state)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
				  "Content-Type: application/json\r\n\r\n"
				  "a\r\n0123456789\r\n0\r\n\r\n";
	struct center_http_parser hp;
	struct center_http_response r;

	(void)state;
	center_http_parser_init(&hp, body, sizeof(body));
	for (size_t i = 0; i < sizeof(msg) - 1; i++) {
		assert_int_equal(center_http_parser_feed(&hp, (const uint8_t *)msg + i, 1),
				KIOSK_OK);
		assert_true(hp.complete == (i == sizeof(msg) - 2));
	}
	assert_int_equal(center_http_parser_eof(&hp), KIOSK_OK);
	center_http_parser_result(&hp, &r);
	assert_int_equal(r.body_len, 10);
	assert_memory_equal(r.body, "0123456789", 10);
	assert_string_equal(r.content_type, "application/json");
}

static void test_truncated(void **state)
{
	struct center_http_response r;

	(void)state;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234", &r),
			 KIOSK_ERR_CONNECTION_DROPPED);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Len", &r), KIOSK_ERR_CONNECTION_DROPPED);
	assert_int_equal(parse("", &r), KIOSK_ERR_CONNECTION_DROPPED);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "5\r\nabcde\r\n",
			       &r),
			 KIOSK_ERR_CONNECTION_DROPPED);
}

static void test_garbage(void **state)
{
	struct center_http_response r;

	(void)state;
	assert_int_equal(parse("garbage\r\n\r\n", &r), KIOSK_ERR_HTTP_PROTOCOL);
	assert_int_equal(parse("HTTP/1.1 abc OK\r\n\r\n", &r), KIOSK_ERR_HTTP_PROTOCOL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nBad Header\r\n\r\n", &r),
			KIOSK_ERR_HTTP_PROTOCOL);
	/* 1xx is never expected */
	assert_int_equal(parse("HTTP/1.1 100 Continue\r\n\r\n", &r), KIOSK_ERR_HTTP_PROTOCOL);
	/* no Content-Length and not chunked: an EOF-delimited body is refused */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n\r\n{}", &r), KIOSK_ERR_HTTP_PROTOCOL);
	/* a second response after ours */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
			       "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
			       &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	/* bytes beyond Content-Length */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}xyz", &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
}

static void test_bad_lengths(void **state)
{
	struct center_http_response r;

	(void)state;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
			       &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
			       &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	/* both framings: request smuggling shape */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
			       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			       &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	/* bad chunk sizes */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "ffffffffffffffffffff\r\n",
			       &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
	/* chunk data longer than its size */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "2\r\nabcd\r\n0\r\n\r\n",
			       &r),
			 KIOSK_ERR_HTTP_PROTOCOL);
}

static void test_oversized_body(void **state)
{
	struct center_http_response r;
	char head[128];
	char *msg;
	size_t hlen;
	size_t n = CENTER_BODY_MAX + 1;

	(void)state;
	/* announced too large: refused at the headers */
	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
	assert_int_equal(parse(head, &r), KIOSK_ERR_HTTP_BODY_TOO_LARGE);
	/* chunked, growing past the cap */
	msg = malloc(n + 256);
	assert_non_null(msg);
	hlen = (size_t)snprintf(msg, 256, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r"
		"\n%zx\r\n",
				n);
	memset(msg + hlen, 'a', n);
	memcpy(msg + hlen + n, "\r\n0\r\n\r\n", 8);
	assert_int_equal(parse(msg, &r), KIOSK_ERR_HTTP_BODY_TOO_LARGE);
	/* exactly the cap is fine */
	hlen = (size_t)snprintf(msg, 256, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
				CENTER_BODY_MAX);
	memset(msg + hlen, 'b', CENTER_BODY_MAX);
	msg[hlen + CENTER_BODY_MAX] = '\0';
	assert_int_equal(parse(msg, &r), KIOSK_OK);
	assert_int_equal(r.body_len, CENTER_BODY_MAX);
	/* a smaller caller cap */
	assert_int_equal(center_http_parse_response((const uint8_t *)"HTTP/1.1 200 OK\r\n"
							"Content-Length: 5\r\n\r\nabcde",
						    43, body, 4, &r),
			 KIOSK_ERR_HTTP_BODY_TOO_LARGE);
	free(msg);
}

static void test_too_many_headers(void **state)
{
	struct center_http_response r;
	char *msg = malloc(16384);
	size_t len;

	(void)state;
	assert_non_null(msg);
	len = (size_t)snprintf(msg, 64, "HTTP/1.1 200 OK\r\n");
	for (unsigned i = 0; i < CENTER_HDR_COUNT_MAX - 1; i++) {
		len += (size_t)snprintf(msg + len, 64, "X-H%u: v\r\n", i);
	}
	memcpy(msg + len, "Content-Length: 0\r\n\r\n", 22);
	assert_int_equal(parse(msg, &r), KIOSK_OK); /* exactly 64 */
	len = (size_t)snprintf(msg, 64, "HTTP/1.1 200 OK\r\n");
	for (unsigned i = 0; i < CENTER_HDR_COUNT_MAX; i++) {
		len += (size_t)snprintf(msg + len, 64, "X-H%u: v\r\n", i);
	}
	memcpy(msg + len, "Content-Length: 0\r\n\r\n", 22);
	assert_int_equal(parse(msg, &r), KIOSK_ERR_HTTP_HEADERS_TOO_LARGE);
	/* few headers but over 8 KiB */
	len = (size_t)snprintf(msg, 64, "HTTP/1.1 200 OK\r\nX-Big: ");
	memset(msg + len, 'x', CENTER_HDR_BYTES_MAX);
	len += CENTER_HDR_BYTES_MAX;
	memcpy(msg + len, "\r\nContent-Length: 0\r\n\r\n", 24);
	assert_int_equal(parse(msg, &r), KIOSK_ERR_HTTP_HEADERS_TOO_LARGE);
	free(msg);
}

static void test_split_header_name_counts_once(void **state)
{
	static const char a[] = "HTTP/1.1 200 OK\r\nContent-Ty";
	static const char b[] = "pe: application/json\r\nContent-Length: 2\r\n\r\n{}";
	struct center_http_parser hp;
	struct center_http_response r;

	(void)state;
	center_http_parser_init(&hp, body, sizeof(body));
	assert_int_equal(center_http_parser_feed(&hp, (const uint8_t *)a, sizeof(a) - 1), KIOSK_OK);
	assert_int_equal(center_http_parser_feed(&hp, (const uint8_t *)b, sizeof(b) - 1), KIOSK_OK);
	assert_true(hp.complete);
	assert_int_equal(hp.header_count, 2);
	center_http_parser_result(&hp, &r);
	assert_string_equal(r.content_type, "application/json");
}

static void test_url_parse(void **state)
{
	char host[64];
	char port[8];
	char prefix[64];

	(void)state;
	assert_int_equal(center_url_parse("https://localhost:8443/api/", host, sizeof(host), port,
					  sizeof(port), prefix, sizeof(prefix)),
			 KIOSK_OK);
	assert_string_equal(host, "localhost");
	assert_string_equal(port, "8443");
	assert_string_equal(prefix, "/api");
	assert_int_equal(center_url_parse("https://[::1]", host, sizeof(host), port, sizeof(port),
					  prefix, sizeof(prefix)),
			 KIOSK_OK);
	assert_string_equal(host, "::1");
	assert_string_equal(port, "443");
	assert_string_equal(prefix, "");
	assert_int_equal(center_url_parse("http://localhost", host, sizeof(host), port,
			sizeof(port),
					  prefix, sizeof(prefix)),
			 KIOSK_ERR_CONFIG);
	assert_int_equal(center_url_parse("https://:443", host, sizeof(host), port, sizeof(port),
					  prefix, sizeof(prefix)),
			 KIOSK_ERR_CONFIG);
	assert_int_equal(center_url_parse("https://h:99999", host, sizeof(host), port, sizeof(port),
					  prefix, sizeof(prefix)),
			 KIOSK_ERR_CONFIG);
	assert_int_equal(center_url_parse("https://u@h/", host, sizeof(host), port, sizeof(port),
					  prefix, sizeof(prefix)),
			 KIOSK_ERR_CONFIG);
	assert_int_equal(center_url_parse("https://h/x?y", host, sizeof(host), port, sizeof(port),
					  prefix, sizeof(prefix)),
			 KIOSK_ERR_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_chunked_with_extensions_and_trailers),
		cmocka_unit_test(test_incremental_feed_byte_by_byte),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_oversized_body),
		cmocka_unit_test(test_too_many_headers),
		cmocka_unit_test(test_split_header_name_counts_once),
		cmocka_unit_test(test_url_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
