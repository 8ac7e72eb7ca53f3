/* SPDX-License-Identifier: MIT */
/* Small POSIX I/O helpers shared by the firmware and its tools. */
#ifndef KIOSK_IO_H
#define KIOSK_IO_H

#include <stddef.h>

/**
 * write(2) all @len bytes of @buf to @fd, going on after EINTR and short writes.
 * @return 0, or KIOSK_ERR_IO (errno says why).
 */
int kiosk_write_all(int fd, const void *buf, size_t len);

#endif /* KIOSK_IO_H */
