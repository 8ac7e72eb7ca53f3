/* SPDX-License-Identifier: MIT */
/*
 * The vpcd wire protocol (sim-rig.md 4): the card is the TCP client; every
 * message is a 2-byte big-endian length and its payload. 1-byte messages are
 * control codes (00 power off, 01 power on, 02 reset, 04 ATR request), longer
 * ones are command APDUs answered with exactly one frame, never an empty one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frontend.h"
#include "kiosk/err.h"

uint64_t fe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int fe_vpcd_connect(struct frontend *fe)
{
	struct sockaddr_in sa;
	int one = 1;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)fe->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return KIOSK_ERR_IO;
	}
	/* Our frames go out in one write, so Nagle only adds latency. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fe->vfd = fd;
	/*
	 * Debian's vpcd can lose a connection that arrives while it is still
	 * tearing down the previous one (a re-insert within ~50 ms of a removal):
	 * the socket looks established but vpcd never polls it. A real card is
	 * polled within 400 ms of insertion, so silence means: connect again.
	 */
	fe->unheard_until = fe_now_ms() + FE_UNHEARD_MS;
	if (fe->log_apdus) {
		fprintf(stderr, "cardsim: connected to vpcd (card in)\n");
	}
	return 0;
}

void fe_vpcd_close(struct frontend *fe)
{
	if (fe->vfd >= 0) {
		close(fe->vfd);
		fe->vfd = -1;
		fe->removed_at = fe_now_ms();
		if (fe->log_apdus) {
			fprintf(stderr, "cardsim: closed the vpcd link (card out)\n");
		}
	}
	fe->resp_pending = false;
	cardsim_remove(fe->card);
}

void fe_vpcd_want_insert(struct frontend *fe)
{
	uint64_t now = fe_now_ms();

	fe->reinsert_at = 0;
	fe->want_inserted = true;
	fe->next_connect = now;
	if (fe->removed_at != 0 && now < fe->removed_at + FE_MIN_OUT_MS) {
		fe->next_connect = fe->removed_at + FE_MIN_OUT_MS;
	}
	fe->connect_deadline = fe->next_connect + fe->connect_timeout_ms;
}

/* Read exactly @n bytes. TCP_QUICKACK is not sticky: re-arm it before every recv,
 * or Debian's vpcd (length and payload in two writes, no TCP_NODELAY) stalls
 * ~40 ms per APDU on our delayed ACK. */
static int recv_full(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	int one = 1;

	while (got < n) {
		ssize_t r;

		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		r = recv(fd, buf + got, n - got, 0);
		if (r == 0) {
			return KIOSK_ERR_IO;
		}
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			return KIOSK_ERR_IO;
		}
		got += (size_t)r;
	}
	return 0;
}

/* Length and payload in ONE write. */
static int send_frame(int fd, const uint8_t *data, size_t len)
{
	uint8_t buf[2 + FE_FRAME_MAX];
	size_t off = 0;

	if (len == 0 || len > FE_FRAME_MAX) {
		return KIOSK_ERR_INVALID_ARG; /* vpcd would hang on an empty frame */
	}
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, data, len);
	while (off < len + 2) {
		ssize_t w = send(fd, buf + off, len + 2 - off, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return KIOSK_ERR_IO;
		}
		off += (size_t)w;
	}
	return 0;
}

static void log_apdu(const struct frontend *fe, enum cardsim_action act)
{
	size_t n = cardsim_log_count(fe->card);
	const struct cardsim_log_entry *e = n > 0 ? cardsim_log_get(fe->card, n - 1) : NULL;
	static const char *const what[] = { "", " then removed", " (muted: no answer)",
					    " (removed: no answer)" };

	if (!fe->log_apdus || e == NULL) {
		return;
	}
	/* Header and SW only: the command data may be a PIN. */
	fprintf(stderr, "cardsim: apdu %02X %02X %02X %02X lc=%u le=%u ext=%d -> %04X%s\n",
		e->cla, e->ins, e->p1, e->p2, (unsigned)e->lc, (unsigned)e->le,
		e->extended ? 1 : 0, e->sw, what[act]);
}

/* The card left because remove_after fired: maybe come back by itself. */
static void removed_by_fault(struct frontend *fe)
{
	unsigned ms = cardsim_reinsert_ms(fe->card);

	fe_vpcd_close(fe);
	fe->want_inserted = false;
	fe->reinsert_at = ms > 0 ? fe_now_ms() + ms : 0;
}

void fe_vpcd_flush(struct frontend *fe)
{
	if (!fe->resp_pending) {
		return;
	}
	fe->resp_pending = false;
	if (fe->vfd >= 0 && send_frame(fe->vfd, fe->resp, fe->resp_len) != 0) {
		fe_vpcd_close(fe);
		return;
	}
	if (fe->resp_action == CARDSIM_ANSWER_THEN_REMOVE) {
		removed_by_fault(fe);
	}
}

static int handle_apdu(struct frontend *fe, size_t len)
{
	enum cardsim_action act;
	size_t rlen = 0;
	unsigned delay;

	act = cardsim_process(fe->card, fe->frame, len, fe->resp, sizeof(fe->resp), &rlen);
	log_apdu(fe, act);
	switch (act) {
	case CARDSIM_MUTE:
		return 0;
	case CARDSIM_REMOVE_NOW:
		removed_by_fault(fe);
		return 0;
	case CARDSIM_ANSWER:
	case CARDSIM_ANSWER_THEN_REMOVE:
		break;
	}
	fe->resp_len = rlen;
	fe->resp_action = act;
	fe->resp_pending = true;
	delay = cardsim_delay_ms(fe->card);
	fe->resp_at = fe_now_ms() + delay;
	if (delay == 0) {
		fe_vpcd_flush(fe);
	}
	return 0;
}

int fe_vpcd_handle(struct frontend *fe)
{
	uint8_t hdr[2];
	uint8_t atr[40];
	size_t len, atr_len;

	if (recv_full(fe->vfd, hdr, sizeof(hdr)) != 0) {
		return KIOSK_ERR_IO;
	}
	if (fe->unheard_until != 0 && fe->log_apdus) {
		fprintf(stderr, "cardsim: vpcd polled the card\n");
	}
	fe->unheard_until = 0;
	len = ((size_t)hdr[0] << 8) | hdr[1];
	if (len > 0 && recv_full(fe->vfd, fe->frame, len) != 0) {
		return KIOSK_ERR_IO;
	}
	if (len == 0) {
		return 0; /* not a message; nothing to answer */
	}
	if (len >= 2) {
		return handle_apdu(fe, len);
	}
	switch (fe->frame[0]) {
	case 0x00:
		cardsim_power(fe->card, CARDSIM_POWER_OFF);
		return 0;
	case 0x01:
		cardsim_power(fe->card, CARDSIM_POWER_ON);
		return 0;
	case 0x02:
		cardsim_power(fe->card, CARDSIM_RESET);
		return 0;
	case 0x04:
		/* Presence polls arrive every ~400 ms: answer them even while muted. */
		atr_len = cardsim_atr(fe->card, atr, sizeof(atr));
		return send_frame(fe->vfd, atr, atr_len);
	default:
		return 0;
	}
}
