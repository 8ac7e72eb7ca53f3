/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the board.conf parser (technicians edit these by hand). */
#include <stddef.h>
#include <stdint.h>

#include "kiosk/board.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kiosk_board b;
	char why[128];

	kiosk_board_init(&b);
	(void)kiosk_board_parse(&b, (const char *)data, size, why, sizeof(why));
	return 0;
}
