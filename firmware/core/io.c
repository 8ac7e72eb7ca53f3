/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "kiosk/err.h"
#include "kiosk/io.h"

int kiosk_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			if (n == 0) {
				errno = EIO;
			}
			return KIOSK_ERR_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return KIOSK_OK;
}
