/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pn532emu_server.h"

static int write_all(int fd, const uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				(void)poll(&pfd, 1, 100);
				continue;
			}
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int pn532emu_server_open(struct pn532emu_server *s, struct cardsim_card *card, const char *link)
{
	struct termios tio;
	const char *slave;

	memset(s, 0, sizeof(*s));
	s->master = -1;
	s->slave_keep = -1;
	s->stop_pipe[0] = -1;
	s->stop_pipe[1] = -1;
	pn532emu_init(&s->emu, card);
	if (strlen(link) >= sizeof(s->link) || pthread_mutex_init(&s->mu, NULL) != 0) {
		return -1;
	}
	s->sync_ok = true;
	snprintf(s->link, sizeof(s->link), "%s", link);
	s->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (s->master < 0 || grantpt(s->master) != 0 || unlockpt(s->master) != 0) {
		goto fail;
	}
	slave = ptsname(s->master);
	if (slave == NULL) {
		goto fail;
	}
	s->slave_keep = open(slave, O_RDWR | O_NOCTTY);
	if (s->slave_keep < 0 || tcgetattr(s->slave_keep, &tio) != 0) {
		goto fail;
	}
	cfmakeraw(&tio);
	if (tcsetattr(s->slave_keep, TCSANOW, &tio) != 0 || pipe(s->stop_pipe) != 0) {
		goto fail;
	}
	(void)unlink(s->link);
	if (symlink(slave, s->link) != 0) {
		s->link[0] = '\0';
		goto fail;
	}
	return 0;
fail:
	pn532emu_server_close(s);
	return -1;
}

static void *serve(void *arg)
{
	struct pn532emu_server *s = arg;
	uint8_t in[512];
	uint8_t out[PN532EMU_OUT_MAX * 2];

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = s->master, .events = POLLIN },
			{ .fd = s->stop_pipe[0], .events = POLLIN },
		};
		size_t olen = 0;
		int rc = poll(pfd, 2, 10);

		if (rc < 0 && errno != EINTR) {
			break;
		}
		if (rc > 0 && pfd[1].revents != 0) {
			break;
		}
		if (rc > 0 && (pfd[0].revents & POLLIN) != 0) {
			ssize_t r = read(s->master, in, sizeof(in));

			if (r > 0) {
				pthread_mutex_lock(&s->mu);
				(void)pn532emu_feed(&s->emu, in, (size_t)r, out, sizeof(out),
						     &olen);
				pthread_mutex_unlock(&s->mu);
			}
		}
		if (olen == 0) {
			pthread_mutex_lock(&s->mu);
			(void)pn532emu_tick(&s->emu, out, sizeof(out), &olen);
			pthread_mutex_unlock(&s->mu);
		}
		if (olen > 0 && write_all(s->master, out, olen) != 0) {
			break;
		}
	}
	return NULL;
}

int pn532emu_server_start(struct pn532emu_server *s)
{
	if (pthread_create(&s->thread, NULL, serve, s) != 0) {
		return -1;
	}
	s->running = true;
	return 0;
}

void pn532emu_server_close(struct pn532emu_server *s)
{
	if (s == NULL || !s->sync_ok) {
		return;
	}
	if (s->running) {
		(void)!write(s->stop_pipe[1], "x", 1);
		pthread_join(s->thread, NULL);
		s->running = false;
	}
	if (s->link[0] != '\0') {
		(void)unlink(s->link);
		s->link[0] = '\0';
	}
	for (int i = 0; i < 2; i++) {
		if (s->stop_pipe[i] >= 0) {
			close(s->stop_pipe[i]);
			s->stop_pipe[i] = -1;
		}
	}
	if (s->slave_keep >= 0) {
		close(s->slave_keep);
		s->slave_keep = -1;
	}
	if (s->master >= 0) {
		close(s->master);
		s->master = -1;
	}
	pthread_mutex_destroy(&s->mu);
	s->sync_ok = false;
}

void pn532emu_server_remove(struct pn532emu_server *s)
{
	pthread_mutex_lock(&s->mu);
	pn532emu_remove(&s->emu);
	pthread_mutex_unlock(&s->mu);
}

void pn532emu_server_insert(struct pn532emu_server *s)
{
	pthread_mutex_lock(&s->mu);
	pn532emu_insert(&s->emu);
	pthread_mutex_unlock(&s->mu);
}

void pn532emu_server_inject(struct pn532emu_server *s, uint8_t status, unsigned count)
{
	pthread_mutex_lock(&s->mu);
	pn532emu_inject(&s->emu, status, count);
	pthread_mutex_unlock(&s->mu);
}

void pn532emu_server_locked(struct pn532emu_server *s, void (*fn)(struct pn532emu *e, void *arg),
			    void *arg)
{
	pthread_mutex_lock(&s->mu);
	fn(&s->emu, arg);
	pthread_mutex_unlock(&s->mu);
}
