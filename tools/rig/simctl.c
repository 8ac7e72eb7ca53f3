/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "simctl.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int count_lines(const char *s, size_t n)
{
	int lines = 0;

	for (size_t i = 0; i < n; i++) {
		lines += s[i] == '\n';
	}
	return lines;
}

/* Lines the reply must hold: 1, or 1 + n for "ok <n>" answering "log". */
static int lines_expected(const char *cmd, const char *reply)
{
	long n;

	if (strncmp(cmd, "log", 3) != 0 || strncmp(reply, "ok ", 3) != 0) {
		return 1;
	}
	n = strtol(reply + 3, NULL, 10);
	return n > 0 && n < 100000 ? 1 + (int)n : 1;
}

int simctl_cmd(const char *sock_path, const char *cmd, char *reply, size_t cap)
{
	long deadline = now_ms() + SIMCTL_TIMEOUT_MS;
	size_t len = 0;
	int fd;
	int rc = -1;

	if (sock_path == NULL) {
		sock_path = getenv("KIOSK_CARDSIM_CTL");
	}
	if (sock_path == NULL || reply == NULL || cap < 2) {
		return -1;
	}
	reply[0] = '\0';
	fd = connect_unix(sock_path);
	if (fd < 0) {
		return -1;
	}
	if (dprintf(fd, "%s\n", cmd) < 0) {
		goto out;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t n;

		if (len > 0 && count_lines(reply, len) >= lines_expected(cmd, reply)) {
			break;
		}
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			goto out;
		}
		n = read(fd, reply + len, cap - 1 - len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		len += (size_t)n;
		reply[len] = '\0';
		if (len == cap - 1) {
			break;
		}
	}
	if (len == 0) {
		goto out;
	}
	rc = strncmp(reply, "ok", 2) == 0 ? 0 : 1;
out:
	close(fd);
	return rc;
}

int simctl_cmdf(const char *sock_path, char *reply, size_t cap, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		return -1;
	}
	return simctl_cmd(sock_path, cmd, reply, cap);
}

long simctl_stat(const char *reply, const char *key)
{
	size_t klen = strlen(key);
	const char *p = reply;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == reply || p[-1] == ' ') && p[klen] == '=') {
			return strtol(p + klen + 1, NULL, 10);
		}
		p += klen;
	}
	return -1;
}
