/* SPDX-License-Identifier: MIT */
/*
 * The cardsim program against a stand-in for vpcd: this test listens on a
 * loopback port, as pcscd's vpcd driver does, and drives the real binary over
 * the vpcd framing and its control socket: readiness, ATR and power codes,
 * APDUs, mute (ATR still answered, control socket still alive), remove/insert,
 * remove_after with automatic re-insertion, delay_ms, log/stats, load, quit,
 * SIGTERM, the connect timeout and "cardsim dump".
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef CARDSIM_BIN
#error "CARDSIM_BIN must name the cardsim executable"
#endif

#define IO_TIMEOUT_MS 5000

struct sim {
	pid_t pid;
	int listen_fd;
	int port;
	int card_fd;    /* the accepted "card in the reader" connection */
	int ctl_fd;
	int err_fd;     /* the child's stderr */
	char dir[64];
	char sock[128];
};

/* The child of the running test, killed by the teardown if an assertion fails. */
static pid_t last_child = -1;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}

static void persona_path(char *buf, size_t cap, const char *id)
{
	snprintf(buf, cap, "%s/%s.json", getenv("KIOSK_PERSONAS"), id);
}

static int listen_loopback(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static int accept_card(struct sim *s)
{
	assert_true(wait_readable(s->listen_fd, IO_TIMEOUT_MS));
	return accept(s->listen_fd, NULL, NULL);
}

static pid_t spawn(const char *const *argv, int keep_fd, int err_fd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		/* Die with the test, even if it is killed half-way. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* Never hold ctest's output pipe open from a child. */
		if (devnull >= 0) {
			dup2(devnull, 1);
		}
		dup2(err_fd >= 0 ? err_fd : devnull, 2);
		for (int fd = 3; fd < 256; fd++) {
			if (fd != keep_fd) {
				close(fd);
			}
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	last_child = pid;
	return pid;
}

static int wait_exit(pid_t pid, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	int st;

	while (now_ms() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			if (pid == last_child) {
				last_child = -1;
			}
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (pid == last_child) {
		last_child = -1;
	}
	return -1;
}

/* --- vpcd framing, the reader's side --- */

static void send_frame(int fd, const uint8_t *d, size_t n)
{
	uint8_t buf[70000];

	buf[0] = (uint8_t)(n >> 8);
	buf[1] = (uint8_t)n;
	memcpy(buf + 2, d, n);
	/* Like Debian's vpcd: length and payload in two writes. */
	assert_int_equal(send(fd, buf, 2, MSG_NOSIGNAL), 2);
	assert_int_equal(send(fd, buf + 2, n, MSG_NOSIGNAL), (ssize_t)n);
}

static bool recv_exact(int fd, uint8_t *d, size_t n, int timeout_ms)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r;

		if (!wait_readable(fd, timeout_ms)) {
			return false;
		}
		r = recv(fd, d + got, n - got, 0);
		if (r <= 0) {
			return false;
		}
		got += (size_t)r;
	}
	return true;
}

/* @return payload length, or -1 on timeout/EOF. */
static long recv_frame(int fd, uint8_t *d, size_t cap, int timeout_ms)
{
	uint8_t hdr[2];
	size_t n;

	if (!recv_exact(fd, hdr, 2, timeout_ms)) {
		return -1;
	}
	n = ((size_t)hdr[0] << 8) | hdr[1];
	assert_true(n > 0); /* never an empty frame */
	assert_true(n <= cap);
	if (!recv_exact(fd, d, n, timeout_ms)) {
		return -1;
	}
	return (long)n;
}

static bool peer_closed(int fd, int timeout_ms)
{
	uint8_t b;

	return wait_readable(fd, timeout_ms) && recv(fd, &b, 1, 0) == 0;
}

static uint16_t apdu(int fd, const char *hex, uint8_t *out, size_t *out_len)
{
	uint8_t cmd[600], resp[2000];
	size_t n = 0;
	long r;

	for (const char *p = hex; *p != '\0'; p += 2) {
		unsigned v;

		assert_int_equal(sscanf(p, "%2x", &v), 1);
		cmd[n++] = (uint8_t)v;
	}
	send_frame(fd, cmd, n);
	r = recv_frame(fd, resp, sizeof(resp), IO_TIMEOUT_MS);
	assert_true(r >= 2);
	if (out != NULL) {
		memcpy(out, resp, (size_t)r - 2);
	}
	if (out_len != NULL) {
		*out_len = (size_t)r - 2;
	}
	return (uint16_t)((resp[r - 2] << 8) | resp[r - 1]);
}

static void control_code(int fd, uint8_t code)
{
	send_frame(fd, &code, 1);
}

static void expect_atr(int fd)
{
	uint8_t atr[64];

	control_code(fd, 0x04);
	assert_int_equal(recv_frame(fd, atr, sizeof(atr), IO_TIMEOUT_MS), 19);
	assert_memory_equal(atr, "\x3B\xDA\x13\xFF\x81\x31\xFB\x46", 8);
}

/* --- control socket --- */

static int ctl_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void ctl_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		assert_true(wait_readable(fd, IO_TIMEOUT_MS));
		assert_int_equal(recv(fd, buf + n, 1, 0), 1);
		if (buf[n] == '\n') {
			break;
		}
		n++;
	}
	buf[n] = '\0';
}

static void ctl(struct sim *s, const char *cmd, char *reply, size_t cap)
{
	char line[512];

	snprintf(line, sizeof(line), "%s\n", cmd);
	assert_int_equal(send(s->ctl_fd, line, strlen(line), MSG_NOSIGNAL), (ssize_t)strlen(line));
	ctl_line(s->ctl_fd, reply, cap);
}

static void ctl_ok(struct sim *s, const char *cmd)
{
	char r[512];

	ctl(s, cmd, r, sizeof(r));
	if (strncmp(r, "ok", 2) != 0) {
		fail_msg("%s -> %s", cmd, r);
	}
}

static void stats(struct sim *s, unsigned *apdus, unsigned *verify, int *tries, int *present,
		  int *powered, int *verified)
{
	char r[512];

	ctl(s, "stats", r, sizeof(r));
	assert_int_equal(sscanf(r, "ok apdus=%u verify=%u tries=%d present=%d powered=%d "
				   "verified=%d",
				apdus, verify, tries, present, powered, verified),
			 6);
}

/* --- start/stop --- */

static void start(struct sim *s, const char *persona, const char *extra1, const char *extra2)
{
	char pp[4096], port[16], rfd[16], ready[16];
	const char *argv[20];
	int pipefd[2], errpipe[2];
	int n = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/cardsim-test-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->sock, sizeof(s->sock), "%s/ctl", s->dir);
	s->listen_fd = listen_loopback(&s->port);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(pipe(errpipe), 0);
	persona_path(pp, sizeof(pp), persona);
	snprintf(port, sizeof(port), "%d", s->port);
	snprintf(rfd, sizeof(rfd), "%d", pipefd[1]);
	argv[n++] = CARDSIM_BIN;
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--persona";
	argv[n++] = pp;
	argv[n++] = "--pki";
	argv[n++] = getenv("KIOSK_TEST_PKI");
	argv[n++] = "--control";
	argv[n++] = s->sock;
	argv[n++] = "--ready-fd";
	argv[n++] = rfd;
	argv[n++] = "--log-apdus";
	if (extra1 != NULL) {
		argv[n++] = extra1;
	}
	if (extra2 != NULL) {
		argv[n++] = extra2;
	}
	argv[n] = NULL;
	s->pid = spawn(argv, pipefd[1], errpipe[1]);
	close(pipefd[1]);
	close(errpipe[1]);
	s->err_fd = errpipe[0];
	fcntl(s->err_fd, F_SETFL, O_NONBLOCK);
	s->card_fd = accept_card(s);
	assert_true(s->card_fd >= 0);
	assert_true(wait_readable(pipefd[0], IO_TIMEOUT_MS));
	memset(ready, 0, sizeof(ready));
	assert_int_equal(read(pipefd[0], ready, sizeof(ready) - 1), 6);
	assert_string_equal(ready, "ready\n");
	assert_int_equal(read(pipefd[0], ready, 1), 0); /* the child closed it */
	close(pipefd[0]);
	s->ctl_fd = ctl_connect(s->sock);
}

/* Everything the child wrote to stderr so far. */
static size_t drain_stderr(struct sim *s, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < cap && (r = read(s->err_fd, buf + n, cap - 1 - n)) > 0) {
		n += (size_t)r;
	}
	buf[n] = '\0';
	return n;
}

static void stop(struct sim *s)
{
	char r[64];

	ctl(s, "quit", r, sizeof(r));
	assert_string_equal(r, "ok bye");
	assert_int_equal(wait_exit(s->pid, IO_TIMEOUT_MS), 0);
	assert_true(peer_closed(s->card_fd, IO_TIMEOUT_MS));
	close(s->card_fd);
	close(s->ctl_fd);
	close(s->listen_fd);
	close(s->err_fd);
	assert_int_equal(access(s->sock, F_OK), -1); /* socket path removed */
	rmdir(s->dir);
}

/* --- tests --- */

static void test_basic_session(void **state)
{
	struct sim s;
	uint8_t d[600];
	size_t n;
	unsigned apdus, verify;
	int tries, present, powered, verified;
	char r[512], err[16384];

	(void)state;
	start(&s, "standard", NULL, NULL);
	control_code(s.card_fd, 0x01);
	expect_atr(s.card_fd);
	assert_int_equal(apdu(s.card_fd, "00A4040C0AD3921000310001010408", NULL, NULL), 0x9000);
	assert_int_equal(apdu(s.card_fd, "00A4020C020011", NULL, NULL), 0x9000);
	assert_int_equal(apdu(s.card_fd, "00200080", NULL, NULL), 0x63C3);
	assert_int_equal(apdu(s.card_fd, "002000800431323334", NULL, NULL), 0x9000);
	assert_int_equal(apdu(s.card_fd, "00A4020C020001", NULL, NULL), 0x9000);
	assert_int_equal(apdu(s.card_fd, "00B0000000", d, &n), 0x9000);
	assert_int_equal(n, 17);
	stats(&s, &apdus, &verify, &tries, &present, &powered, &verified);
	assert_int_equal(apdus, 6);
	assert_int_equal(verify, 1);
	assert_int_equal(tries, 3);
	assert_int_equal(present, 1);
	assert_int_equal(powered, 1);
	assert_int_equal(verified, 1);

	/* Power off clears the security status. */
	control_code(s.card_fd, 0x00);
	expect_atr(s.card_fd); /* presence polls are answered while unpowered */
	stats(&s, &apdus, &verify, &tries, &present, &powered, &verified);
	assert_int_equal(powered, 0);
	assert_int_equal(verified, 0);
	control_code(s.card_fd, 0x02);
	expect_atr(s.card_fd);

	/* The log: header, lengths and SW; never the PIN. */
	ctl(&s, "log", r, sizeof(r));
	assert_string_equal(r, "ok 6");
	ctl_line(s.ctl_fd, r, sizeof(r));
	assert_string_equal(r, "0 00 A4 04 0C lc=10 le=0 ext=0 sw=9000");
	ctl_line(s.ctl_fd, r, sizeof(r));
	ctl_line(s.ctl_fd, r, sizeof(r));
	assert_string_equal(r, "2 00 20 00 80 lc=0 le=0 ext=0 sw=63C3");
	ctl_line(s.ctl_fd, r, sizeof(r));
	assert_string_equal(r, "3 00 20 00 80 lc=4 le=0 ext=0 sw=9000");
	ctl_line(s.ctl_fd, r, sizeof(r));
	ctl_line(s.ctl_fd, r, sizeof(r));
	assert_string_equal(r, "5 00 B0 00 00 lc=0 le=256 ext=0 sw=9000");
	ctl_ok(&s, "clear");
	ctl(&s, "log", r, sizeof(r));
	assert_string_equal(r, "ok 0");
	stats(&s, &apdus, &verify, &tries, &present, &powered, &verified);
	assert_int_equal(apdus, 0);
	assert_int_equal(verify, 0);

	ctl(&s, "fault no_such 1", r, sizeof(r));
	assert_int_equal(strncmp(r, "err ", 4), 0);
	ctl(&s, "fault tries", r, sizeof(r));
	assert_int_equal(strncmp(r, "err ", 4), 0);
	ctl(&s, "frobnicate", r, sizeof(r));
	assert_string_equal(r, "err unknown command");
	ctl(&s, "load /nonexistent/persona.json", r, sizeof(r));
	assert_int_equal(strncmp(r, "err persona", 11), 0);

	/* A second control client is turned away, the first keeps working. */
	{
		int fd2 = ctl_connect(s.sock);

		ctl_line(fd2, r, sizeof(r));
		assert_string_equal(r, "err busy");
		close(fd2);
	}
	/* --log-apdus: one redacted line per APDU, no data. */
	drain_stderr(&s, err, sizeof(err));
	stop(&s);
	if (strstr(err, "cardsim: apdu 00 20 00 80 lc=4 le=0 ext=0 -> 9000") == NULL) {
		fail_msg("stderr: %s", err);
	}
	assert_non_null(strstr(err, "cardsim: apdu 00 20 00 80 lc=4 le=0 ext=0 -> 9000"));
	assert_null(strstr(err, "31 32 33 34"));
	assert_null(strstr(err, "31323334"));
	assert_null(strstr(err, "123456789018"));
}

static void test_mute_keeps_control_alive(void **state)
{
	struct sim s;
	uint8_t d[64];
	unsigned apdus, verify;
	int tries, present, powered, verified;
	uint64_t t0;

	(void)state;
	start(&s, "standard", "--fault", "first_6f00=1");
	control_code(s.card_fd, 0x01);
	expect_atr(s.card_fd);
	assert_int_equal(apdu(s.card_fd, "00A4040C0AD3921000310001010408", NULL, NULL), 0x6F00);
	assert_int_equal(apdu(s.card_fd, "00A4040C0AD3921000310001010408", NULL, NULL), 0x9000);
	ctl_ok(&s, "fault mute_after 0");
	send_frame(s.card_fd, (const uint8_t *)"\x00\xA4\x02\x0C\x02\x00\x04", 7);
	assert_int_equal(recv_frame(s.card_fd, d, sizeof(d), 300), -1); /* no answer */
	/* Control still answers at once while the card is mute. */
	t0 = now_ms();
	stats(&s, &apdus, &verify, &tries, &present, &powered, &verified);
	assert_true(now_ms() - t0 < 200);
	assert_int_equal(apdus, 3);
	assert_int_equal(present, 1);
	/* The ATR request is answered even while muted. */
	expect_atr(s.card_fd);
	ctl_ok(&s, "unmute");
	assert_int_equal(apdu(s.card_fd, "00A4020C020004", NULL, NULL), 0x9000);
	stop(&s);
}

static void test_remove_insert(void **state)
{
	struct sim s;
	unsigned apdus, verify;
	int tries, present, powered, verified;
	char r[128];

	(void)state;
	start(&s, "standard", NULL, NULL);
	ctl(&s, "remove", r, sizeof(r));
	assert_string_equal(r, "ok removed");
	assert_true(peer_closed(s.card_fd, IO_TIMEOUT_MS));
	close(s.card_fd);
	stats(&s, &apdus, &verify, &tries, &present, &powered, &verified);
	assert_int_equal(present, 0);
	ctl(&s, "insert", r, sizeof(r));
	assert_string_equal(r, "ok inserted");
	s.card_fd = accept_card(&s);
	assert_true(s.card_fd >= 0);
	stats(&s, &apdus, &verify, &tries, &present, &powered, &verified);
	assert_int_equal(present, 1);
	assert_int_equal(powered, 0);
	control_code(s.card_fd, 0x01);
	expect_atr(s.card_fd);
	assert_int_equal(apdu(s.card_fd, "00A4040C0AD3921000310001010408", NULL, NULL), 0x9000);
	ctl(&s, "insert", r, sizeof(r)); /* already in */
	assert_string_equal(r, "ok inserted");
	stop(&s);
}

static void test_remove_after_reinserts(void **state)
{
	struct sim s;
	uint64_t t0;

	(void)state;
	start(&s, "standard", "--reinsert-ms", "300");
	ctl_ok(&s, "fault remove_after 2");
	control_code(s.card_fd, 0x01);
	expect_atr(s.card_fd);
	assert_int_equal(apdu(s.card_fd, "00A4040C0AD3921000310001010408", NULL, NULL), 0x9000);
	assert_int_equal(apdu(s.card_fd, "00A4020C020004", NULL, NULL), 0x9000); /* answered... */
	assert_true(peer_closed(s.card_fd, IO_TIMEOUT_MS));                     /* ...then pulled */
	close(s.card_fd);
	t0 = now_ms();
	s.card_fd = accept_card(&s);
	assert_true(s.card_fd >= 0);
	assert_true(now_ms() - t0 >= 250);
	control_code(s.card_fd, 0x01);
	expect_atr(s.card_fd);
	/* One-shot: it stays in now. */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(apdu(s.card_fd, "00A4040C0AD3921000310001010408", NULL, NULL),
				 0x9000);
	}
	/* reinsert_ms 0: stays out until "insert". */
	ctl_ok(&s, "fault reinsert_ms 0");
	ctl_ok(&s, "fault remove_after 0"); /* pull on the next APDU, unanswered */
	send_frame(s.card_fd, (const uint8_t *)"\x00\xA4\x02\x0C\x02\x00\x04", 7);
	assert_true(peer_closed(s.card_fd, IO_TIMEOUT_MS));
	close(s.card_fd);
	assert_false(wait_readable(s.listen_fd, 500));
	ctl_ok(&s, "insert");
	s.card_fd = accept_card(&s);
	assert_true(s.card_fd >= 0);
	stop(&s);
}

static void test_delay(void **state)
{
	struct sim s;
	uint8_t cmd[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00,
			  0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
	uint8_t d[16];
	unsigned apdus, verify;
	int tries, present, powered, verified;
	uint64_t t0;

	(void)state;
	start(&s, "standard", NULL, NULL);
	control_code(s.card_fd, 0x01);
	ctl_ok(&s, "fault delay_ms 400");
	t0 = now_ms();
	send_frame(s.card_fd, cmd, sizeof(cmd));
	/* The control socket is not blocked by the delay. */
	stats(&s, &apdus, &verify, &tries, &present, &powered, &verified);
	assert_true(now_ms() - t0 < 300);
	assert_int_equal(recv_frame(s.card_fd, d, sizeof(d), IO_TIMEOUT_MS), 2);
	assert_true(now_ms() - t0 >= 390);
	assert_memory_equal(d, "\x90\x00", 2);
	ctl_ok(&s, "fault delay_ms 0");
	stop(&s);
}

static void test_load_swaps_card(void **state)
{
	struct sim s;
	char r[256], pp[4096], cmd[4200];
	uint8_t d[600];
	size_t n;

	(void)state;
	start(&s, "standard", NULL, NULL);
	persona_path(pp, sizeof(pp), "foreign");
	snprintf(cmd, sizeof(cmd), "load %s", pp);
	ctl(&s, cmd, r, sizeof(r));
	assert_string_equal(r, "ok inserted");
	assert_true(peer_closed(s.card_fd, IO_TIMEOUT_MS));
	close(s.card_fd);
	s.card_fd = accept_card(&s);
	assert_true(s.card_fd >= 0);
	control_code(s.card_fd, 0x01);
	assert_int_equal(apdu(s.card_fd, "00A4040C0AD3921000310001010408", NULL, NULL), 0x9000);
	assert_int_equal(apdu(s.card_fd, "00A4020C020004", NULL, NULL), 0x9000);
	assert_int_equal(apdu(s.card_fd, "00B000002A", d, &n), 0x9000);
	assert_int_equal(n, 42);
	assert_memory_equal(d + 10 + 16, "2710041", 7); /* foreign lives in 271004 */
	stop(&s);
}

static void test_sigterm(void **state)
{
	struct sim s;

	(void)state;
	start(&s, "no_sfi", NULL, NULL);
	expect_atr(s.card_fd);
	kill(s.pid, SIGTERM);
	assert_int_equal(wait_exit(s.pid, IO_TIMEOUT_MS), 0);
	assert_true(peer_closed(s.card_fd, IO_TIMEOUT_MS));
	assert_int_equal(access(s.sock, F_OK), -1);
	close(s.card_fd);
	close(s.ctl_fd);
	close(s.listen_fd);
	close(s.err_fd);
	rmdir(s.dir);
}

static void test_connect_timeout(void **state)
{
	char pp[4096], port[16];
	const char *argv[12];
	int fd, p;
	uint64_t t0;

	(void)state;
	/* A port nobody listens on: bind, note it, close. */
	fd = listen_loopback(&p);
	close(fd);
	snprintf(port, sizeof(port), "%d", p);
	persona_path(pp, sizeof(pp), "standard");
	argv[0] = CARDSIM_BIN;
	argv[1] = "--port";
	argv[2] = port;
	argv[3] = "--persona";
	argv[4] = pp;
	argv[5] = "--pki";
	argv[6] = getenv("KIOSK_TEST_PKI");
	argv[7] = "--connect-timeout-ms";
	argv[8] = "300";
	argv[9] = NULL;
	t0 = now_ms();
	assert_int_equal(wait_exit(spawn(argv, -1, -1), IO_TIMEOUT_MS), 1);
	assert_true(now_ms() - t0 >= 290);
}

static void test_bad_usage(void **state)
{
	char pp[4096];
	const char *a1[] = { CARDSIM_BIN, "--port", "1", NULL };
	const char *a2[] = { CARDSIM_BIN, "--port",  "1", "--persona", pp, "--pki",
			     "x",         "--fault", "nope=1", NULL };

	(void)state;
	persona_path(pp, sizeof(pp), "standard");
	a2[6] = getenv("KIOSK_TEST_PKI");
	assert_int_equal(wait_exit(spawn(a1, -1, -1), IO_TIMEOUT_MS), 2);
	assert_int_equal(wait_exit(spawn(a2, -1, -1), IO_TIMEOUT_MS), 2);
}

static void test_dump(void **state)
{
	char dir[64], pp[4096], path[256];
	const char *argv[12];
	static const struct {
		const char *name;
		off_t size;
	} files[] = {
		{ "ef0001.bin", 17 },  { "ef0003.bin", 336 }, { "ef0004.bin", 568 },
		{ "ef0007.bin", 536 }, { "ef0008.bin", 16 },  { "atr.bin", 19 },
	};
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cardsim-dump-XXXXXX");
	assert_non_null(mkdtemp(dir));
	persona_path(pp, sizeof(pp), "standard");
	argv[0] = CARDSIM_BIN;
	argv[1] = "dump";
	argv[2] = "--persona";
	argv[3] = pp;
	argv[4] = "--pki";
	argv[5] = getenv("KIOSK_TEST_PKI");
	argv[6] = "--out";
	argv[7] = dir;
	argv[8] = "--fault";
	argv[9] = "no_sfi=1";
	argv[10] = NULL;
	assert_int_equal(wait_exit(spawn(argv, -1, -1), IO_TIMEOUT_MS), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, files[i].size);
		assert_int_equal(st.st_mode & 0077, 0);
	}
	/* Test data, but still: leave nothing behind. */
	for (int fid = 1; fid <= 8; fid++) {
		snprintf(path, sizeof(path), "%s/ef%04x.bin", dir, fid);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/atr.bin", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static int kill_leftover(void **state)
{
	(void)state;
	if (last_child > 0) {
		kill(last_child, SIGKILL);
		waitpid(last_child, NULL, 0);
		last_child = -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_basic_session, kill_leftover),
		cmocka_unit_test_teardown(test_mute_keeps_control_alive, kill_leftover),
		cmocka_unit_test_teardown(test_remove_insert, kill_leftover),
		cmocka_unit_test_teardown(test_remove_after_reinserts, kill_leftover),
		cmocka_unit_test_teardown(test_delay, kill_leftover),
		cmocka_unit_test_teardown(test_load_swaps_card, kill_leftover),
		cmocka_unit_test_teardown(test_sigterm, kill_leftover),
		cmocka_unit_test_teardown(test_connect_timeout, kill_leftover),
		cmocka_unit_test_teardown(test_bad_usage, kill_leftover),
		cmocka_unit_test_teardown(test_dump, kill_leftover),
	};

	if (getenv("KIOSK_TEST_PKI") == NULL || getenv("KIOSK_PERSONAS") == NULL) {
		fprintf(stderr, "KIOSK_TEST_PKI and KIOSK_PERSONAS must be set\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
