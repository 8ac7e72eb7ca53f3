/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the center client's HTTP response framing (http-parser
 * plus our caps), fed whole and then in two pieces split at the first byte,
 * as TLS records would cut it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/center.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t body[CENTER_BODY_MAX];
	struct center_http_response r;
	struct center_http_parser hp;
	size_t cut;

	if (center_http_parse_response(data, size, body, sizeof(body), &r) == 0 &&
	    r.body_len > sizeof(body)) {
		abort();
	}
	/* a small cap makes the body limit reachable */
	(void)center_http_parse_response(data, size, body, 16, &r);
	if (size > 0) {
		cut = data[0] % size;
		center_http_parser_init(&hp, body, sizeof(body));
		if (center_http_parser_feed(&hp, data, cut) == 0 &&
		    center_http_parser_feed(&hp, data + cut, size - cut) == 0) {
			(void)center_http_parser_eof(&hp);
		}
	}
	return 0;
}
