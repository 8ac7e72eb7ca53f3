/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the card's BER-TLV reader, walked recursively the way the
 * firmware walks EF 0002/0003/0004/0007, plus the basic-4 parser on top.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kiosk/mynacard.h"
#include "kiosk/tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const uint8_t *p, size_t n, int depth)
{
	struct tlv_iter it;
	struct tlv t;

	if (depth > 4) {
		return;
	}
	tlv_iter_init(&it, p, n);
	while (tlv_iter_next(&it, &t) == 1) {
		/* Every value the reader hands out lies inside the input. */
		if (t.value < p || t.value + t.len > p + n) {
			__builtin_trap();
		}
		walk(t.value, t.len, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t df22[] = { 0xDF, 0x22 };
	struct tlv t;

	if (tlv_parse(data, size, &t) == 0) {
		if (t.total_len > size || t.hdr_len + t.len != t.total_len) {
			__builtin_trap();
		}
		walk(t.value, t.len, 0);
		(void)tlv_find(t.value, t.len, df22, sizeof(df22), &t);
	}
	return 0;
}
