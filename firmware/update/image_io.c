/* SPDX-License-Identifier: MIT */
/* Small file helpers shared by the image reader, builder and installer. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "kiosk/io.h"
#include "kiosk/err.h"
#include "update/image.h"
#include "update_internal.h"

int update_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return KIOSK_ERR_IO;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return KIOSK_OK;
}

int update_write_full(int fd, const void *buf, size_t len)
{
	return kiosk_write_all(fd, buf, len);
}

int update_hash_fd(int fd, uint64_t off, uint64_t len, uint8_t out[32])
{
	mbedtls_sha256_context sha;
	uint8_t *buf = malloc(UPDATE_IO_CHUNK);
	int rc = KIOSK_OK;

	if (buf == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	mbedtls_sha256_init(&sha);
	mbedtls_sha256_starts_ret(&sha, 0);
	while (len > 0) {
		size_t n = len > UPDATE_IO_CHUNK ? UPDATE_IO_CHUNK : (size_t)len;

		rc = update_pread_full(fd, buf, n, off);
		if (rc != KIOSK_OK) {
			goto out;
		}
		mbedtls_sha256_update_ret(&sha, buf, n);
		off += n;
		len -= n;
	}
	mbedtls_sha256_finish_ret(&sha, out);
out:
	mbedtls_sha256_free(&sha);
	free(buf);
	return rc;
}

int update_fsync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;
	int rc = KIOSK_OK;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		n = (size_t)(slash - path);
		if (n == 0) {
			n = 1;
		}
		if (n >= sizeof(dir)) {
			return KIOSK_ERR_INVALID_ARG;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	if (fsync(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	close(fd);
	return rc;
}

int update_why(char *why, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return rc;
}
