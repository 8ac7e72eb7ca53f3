/* SPDX-License-Identifier: MIT */
/* Helpers private to firmware/update. */
#ifndef UPDATE_INTERNAL_H
#define UPDATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Streaming unit: the installer's memory does not depend on the image size. */
#define UPDATE_IO_CHUNK (256u * 1024u)

/** pread exactly @len bytes at @off; KIOSK_ERR_IO on error or EOF. */
int update_pread_full(int fd, void *buf, size_t len, uint64_t off);
/** write exactly @len bytes; KIOSK_ERR_IO on error. */
int update_write_full(int fd, const void *buf, size_t len);
/** fsync the directory holding @path (after a rename in it). */
int update_fsync_dir_of(const char *path);
/** snprintf into why if why is not NULL; returns @rc. */
int update_why(char *why, size_t cap, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* UPDATE_INTERNAL_H */
