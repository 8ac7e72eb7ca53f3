/* SPDX-License-Identifier: MIT */
/*
 * The control socket: a Unix stream socket, one client at a time, one command
 * per line, one reply line per command ("ok ..." or "err <reason>"), except
 * "log", whose "ok <n>" is followed by n entry lines.
 *
 *   remove | insert | fault <name> <value> | load <persona.json> | stats | log |
 *   clear | unmute | quit
 */
#define _GNU_SOURCE /* ppoll, accept4 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "frontend.h"
#include "kiosk/err.h"

static void send_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return; /* the client went away; its close is seen by the next read */
		}
		s += w;
		n -= (size_t)w;
	}
}

static void reply(struct frontend *fe, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reply(struct frontend *fe, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (fe->cfd < 0) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	if ((size_t)n > sizeof(buf) - 2) {
		n = (int)sizeof(buf) - 2;
	}
	buf[n++] = '\n';
	send_all(fe->cfd, buf, (size_t)n);
}

int fe_control_listen(struct frontend *fe, const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "cardsim: control socket path too long\n");
		return KIOSK_ERR_INVALID_ARG;
	}
	/* A stale socket from a killed run would make bind fail; never remove anything else. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 4) != 0) {
		fprintf(stderr, "cardsim: cannot listen on the control socket: %s\n",
			strerror(errno));
		close(fd);
		return KIOSK_ERR_IO;
	}
	fe->lfd = fd;
	fe->control_path = path;
	return 0;
}

void fe_control_accept(struct frontend *fe)
{
	int fd = accept4(fe->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		return;
	}
	if (fe->cfd >= 0) {
		send_all(fd, "err busy\n", 9);
		close(fd);
		return;
	}
	fe->cfd = fd;
	fe->line_len = 0;
	fe->reply_pending = false;
}

static void client_close(struct frontend *fe)
{
	if (fe->cfd >= 0) {
		close(fe->cfd);
		fe->cfd = -1;
	}
	fe->line_len = 0;
	fe->reply_pending = false;
}

void fe_control_close(struct frontend *fe)
{
	client_close(fe);
	if (fe->lfd >= 0) {
		close(fe->lfd);
		fe->lfd = -1;
		if (fe->control_path != NULL) {
			unlink(fe->control_path);
		}
	}
}

static void run_lines(struct frontend *fe);

void fe_control_settled(struct frontend *fe, bool inserted)
{
	if (!fe->reply_pending) {
		return;
	}
	fe->reply_pending = false;
	if (inserted) {
		reply(fe, "ok inserted");
	} else {
		reply(fe, "err connect timeout");
	}
	run_lines(fe); /* commands that arrived behind the deferred one */
}

/* Insert now, or answer once the connect attempts settle. */
static void do_insert(struct frontend *fe)
{
	if (fe->vfd >= 0) {
		reply(fe, "ok inserted");
		return;
	}
	fe_vpcd_want_insert(fe);
	fe->reply_pending = true;
}

static void do_stats(struct frontend *fe)
{
	struct cardsim_card *c = fe->card;

	reply(fe, "ok apdus=%lu verify=%u tries=%d present=%d powered=%d verified=%d",
	      cardsim_apdu_count(c), cardsim_verify_count(c), cardsim_tries_left(c),
	      fe->vfd >= 0 ? 1 : 0, cardsim_powered(c) ? 1 : 0, cardsim_verified(c) ? 1 : 0);
}

static void do_log(struct frontend *fe)
{
	size_t n = cardsim_log_count(fe->card);

	reply(fe, "ok %zu", n);
	for (size_t i = 0; i < n; i++) {
		const struct cardsim_log_entry *e = cardsim_log_get(fe->card, i);

		reply(fe, "%zu %02X %02X %02X %02X lc=%u le=%u ext=%d sw=%04X", i, e->cla, e->ins,
		      e->p1, e->p2, (unsigned)e->lc, (unsigned)e->le, e->extended ? 1 : 0, e->sw);
	}
}

static void apply_cmdline_faults(struct frontend *fe, struct cardsim_card *c)
{
	for (size_t i = 0; i < fe->fault_count; i++) {
		char buf[256];
		char *eq;

		snprintf(buf, sizeof(buf), "%s", fe->fault_args[i]);
		eq = strchr(buf, '=');
		if (eq != NULL) {
			*eq = '\0';
			(void)cardsim_set(c, buf, eq + 1); /* validated at start-up */
		}
	}
}

static void do_load(struct frontend *fe, const char *path)
{
	char err[256] = "";
	struct cardsim_card *next = cardsim_card_load(path, fe->pki_dir, err, sizeof(err));

	if (next == NULL) {
		reply(fe, "err %s", err);
		return;
	}
	/* A different card: the faults of the run (command line) apply to it too;
	 * those set over this socket belonged to the old card. */
	apply_cmdline_faults(fe, next);
	fe_vpcd_close(fe);
	cardsim_card_free(fe->card);
	fe->card = next;
	cardsim_remove(next);
	do_insert(fe);
}

static void run_line(struct frontend *fe, char *line)
{
	char *arg = strchr(line, ' ');

	if (arg != NULL) {
		*arg++ = '\0';
		while (*arg == ' ') {
			arg++;
		}
	}
	if (strcmp(line, "remove") == 0) {
		fe_vpcd_close(fe);
		fe->want_inserted = false;
		fe->reinsert_at = 0;
		reply(fe, "ok removed");
	} else if (strcmp(line, "insert") == 0) {
		do_insert(fe);
	} else if (strcmp(line, "fault") == 0) {
		char *value = arg != NULL ? strchr(arg, ' ') : NULL;

		if (value == NULL) {
			reply(fe, "err usage: fault <name> <value>");
			return;
		}
		*value++ = '\0';
		while (*value == ' ') {
			value++;
		}
		if (cardsim_set(fe->card, arg, value) != 0) {
			reply(fe, "err unknown fault or bad value");
			return;
		}
		reply(fe, "ok");
	} else if (strcmp(line, "load") == 0) {
		if (arg == NULL || *arg == '\0') {
			reply(fe, "err usage: load <persona.json>");
			return;
		}
		do_load(fe, arg);
	} else if (strcmp(line, "stats") == 0) {
		do_stats(fe);
	} else if (strcmp(line, "log") == 0) {
		do_log(fe);
	} else if (strcmp(line, "clear") == 0) {
		cardsim_log_clear(fe->card);
		reply(fe, "ok");
	} else if (strcmp(line, "unmute") == 0) {
		cardsim_unmute(fe->card);
		reply(fe, "ok");
	} else if (strcmp(line, "quit") == 0) {
		reply(fe, "ok bye");
		fe->quit = true;
	} else if (line[0] == '\0') {
		reply(fe, "err empty command");
	} else {
		reply(fe, "err unknown command");
	}
}

/* Run complete lines until one must wait for the vpcd connect. */
static void run_lines(struct frontend *fe)
{
	while (!fe->reply_pending && !fe->quit && fe->cfd >= 0) {
		char *nl = memchr(fe->line, '\n', fe->line_len);
		size_t used;

		if (nl == NULL) {
			return;
		}
		*nl = '\0';
		used = (size_t)(nl - fe->line) + 1;
		if (nl > fe->line && nl[-1] == '\r') {
			nl[-1] = '\0';
		}
		run_line(fe, fe->line);
		memmove(fe->line, fe->line + used, fe->line_len - used);
		fe->line_len -= used;
	}
}

void fe_control_read(struct frontend *fe)
{
	ssize_t r;

	if (fe->line_len >= sizeof(fe->line)) {
		reply(fe, "err line too long");
		client_close(fe);
		return;
	}
	r = recv(fe->cfd, fe->line + fe->line_len, sizeof(fe->line) - fe->line_len, 0);
	if (r < 0 && errno == EINTR) {
		return;
	}
	if (r <= 0) {
		client_close(fe);
		return;
	}
	fe->line_len += (size_t)r;
	run_lines(fe);
	if (fe->line_len >= sizeof(fe->line) && memchr(fe->line, '\n', fe->line_len) == NULL) {
		reply(fe, "err line too long");
		client_close(fe);
	}
}
