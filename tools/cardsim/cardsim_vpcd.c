/* SPDX-License-Identifier: MIT */
/*
 * cardsim: a simulated My Number card in a vpcd virtual reader.
 *
 *   cardsim --port P --persona FILE --pki DIR [--control SOCKPATH] [--ready-fd N]
 *           [--fault name=value]... [--reinsert-ms N] [--connect-timeout-ms N]
 *           [--log-apdus]
 *   cardsim dump --persona FILE --pki DIR --out DIR [--fault name=value]...
 *
 * TEST TOOL: invented personas, test-only keys. One thread: poll() over the
 * vpcd socket, the control listener and the control client, so a muted card
 * or a delayed answer never blocks the control socket.
 */
#define _GNU_SOURCE /* ppoll, accept4 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frontend.h"
#include "kiosk/err.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000u

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: cardsim --port P --persona FILE --pki DIR [--control SOCKPATH]\n"
		"               [--ready-fd N] [--fault name=value]... [--reinsert-ms N]\n"
		"               [--connect-timeout-ms N] [--log-apdus]\n"
		"       cardsim dump --persona FILE --pki DIR --out DIR [--fault name=value]...\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9') {
		return KIOSK_ERR_INVALID_ARG;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out = v;
	return 0;
}

static int apply_fault_arg(struct cardsim_card *card, const char *arg)
{
	char buf[256];
	char *eq;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", arg) >= sizeof(buf)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	eq = strchr(buf, '=');
	if (eq == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*eq = '\0';
	return cardsim_set(card, buf, eq + 1) == 0 ? 0 : KIOSK_ERR_INVALID_ARG;
}

static void signal_ready(struct frontend *fe)
{
	static const char msg[] = "ready\n";

	if (fe->ready_fd < 0) {
		return;
	}
	if (write(fe->ready_fd, msg, sizeof(msg) - 1) < 0) {
		fprintf(stderr, "cardsim: cannot write to --ready-fd: %s\n", strerror(errno));
	}
	close(fe->ready_fd);
	fe->ready_fd = -1;
}

/* Connect attempts, automatic re-insertion and giving up. */
static void run_timers(struct frontend *fe)
{
	uint64_t now = fe_now_ms();

	if (fe->reinsert_at != 0 && now >= fe->reinsert_at) {
		fe_vpcd_want_insert(fe);
	}
	if (fe->want_inserted && fe->vfd < 0 && now >= fe->next_connect) {
		if (fe_vpcd_connect(fe) == 0) {
			fe->want_inserted = false;
			fe->ever_connected = true;
			cardsim_insert(fe->card);
			signal_ready(fe);
			fe_control_settled(fe, true);
		} else if (now >= fe->connect_deadline) {
			fe->want_inserted = false;
			fprintf(stderr, "cardsim: no vpcd on 127.0.0.1:%d after %u ms\n", fe->port,
				fe->connect_timeout_ms);
			if (!fe->ever_connected) {
				fe->quit = true;
				fe->exit_code = 1;
			}
			fe_control_settled(fe, false);
		} else {
			fe->next_connect = now + FE_CONNECT_RETRY_MS;
		}
	}
	if (fe->resp_pending && now >= fe->resp_at) {
		fe_vpcd_flush(fe);
	}
	if (fe->vfd >= 0 && fe->unheard_until != 0 && now >= fe->unheard_until) {
		/* vpcd lost this connection (see fe_vpcd_connect): insert again. */
		close(fe->vfd);
		fe->vfd = -1;
		fe_vpcd_want_insert(fe);
	}
}

static int next_timeout_ms(const struct frontend *fe)
{
	uint64_t now = fe_now_ms();
	uint64_t next = UINT64_MAX;

	if (fe->reinsert_at != 0 && fe->reinsert_at < next) {
		next = fe->reinsert_at;
	}
	if (fe->want_inserted && fe->vfd < 0 && fe->next_connect < next) {
		next = fe->next_connect;
	}
	if (fe->resp_pending && fe->resp_at < next) {
		next = fe->resp_at;
	}
	if (fe->vfd >= 0 && fe->unheard_until != 0 && fe->unheard_until < next) {
		next = fe->unheard_until;
	}
	if (next == UINT64_MAX) {
		return -1;
	}
	return next <= now ? 0 : (int)((next - now) > INT_MAX ? INT_MAX : (next - now));
}

static void event_loop(struct frontend *fe, const sigset_t *run_mask)
{
	while (!fe->quit && stop_signal == 0) {
		struct pollfd pfd[3];
		nfds_t n = 0;
		int vi = -1, li = -1, ci = -1;
		int t;
		struct timespec ts;

		run_timers(fe);
		if (fe->quit) {
			break;
		}
		if (fe->vfd >= 0) {
			vi = (int)n;
			/* Hold further messages while a delayed answer is outstanding. */
			pfd[n].fd = fe->vfd;
			pfd[n++].events = fe->resp_pending ? 0 : POLLIN;
		}
		if (fe->lfd >= 0) {
			li = (int)n;
			pfd[n].fd = fe->lfd;
			pfd[n++].events = POLLIN;
		}
		if (fe->cfd >= 0) {
			ci = (int)n;
			pfd[n].fd = fe->cfd;
			pfd[n++].events = fe->reply_pending ? 0 : POLLIN;
		}
		t = next_timeout_ms(fe);
		ts.tv_sec = t / 1000;
		ts.tv_nsec = (long)(t % 1000) * 1000000L;
		if (ppoll(pfd, n, t < 0 ? NULL : &ts, run_mask) < 0) {
			continue; /* EINTR: a signal; the loop condition sees it */
		}
		if (vi >= 0 && fe->vfd >= 0 && (pfd[vi].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (fe_vpcd_handle(fe) != 0) {
				/* vpcd went away (pcscd stopped): the card is out; get back in. */
				fprintf(stderr, "cardsim: vpcd closed the connection\n");
				fe_vpcd_close(fe);
				fe_vpcd_want_insert(fe);
			}
		}
		if (ci >= 0 && fe->cfd >= 0 && (pfd[ci].revents & (POLLIN | POLLHUP | POLLERR))) {
			fe_control_read(fe);
		}
		if (li >= 0 && (pfd[li].revents & POLLIN)) {
			fe_control_accept(fe);
		}
	}
}

static int run_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'P' },
		{ "persona", required_argument, NULL, 'p' },
		{ "pki", required_argument, NULL, 'k' },
		{ "control", required_argument, NULL, 'c' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "fault", required_argument, NULL, 'f' },
		{ "reinsert-ms", required_argument, NULL, 'i' },
		{ "connect-timeout-ms", required_argument, NULL, 't' },
		{ "log-apdus", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct frontend fe; /* ~200 KiB of buffers: keep it off the stack */
	const char *control = NULL, *reinsert = NULL;
	unsigned long v;
	char err[256] = "";
	struct sigaction sa;
	sigset_t block, run_mask;
	int ch;

	memset(&fe, 0, sizeof(fe));
	fe.vfd = -1;
	fe.lfd = -1;
	fe.cfd = -1;
	fe.ready_fd = -1;
	fe.port = -1;
	fe.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			if (parse_uint(optarg, 65535, &v) != 0 || v == 0) {
				fprintf(stderr, "cardsim: bad --port\n");
				return 2;
			}
			fe.port = (int)v;
			break;
		case 'p':
			fe.persona_path = optarg;
			break;
		case 'k':
			fe.pki_dir = optarg;
			break;
		case 'c':
			control = optarg;
			break;
		case 'r':
			if (parse_uint(optarg, INT_MAX, &v) != 0) {
				fprintf(stderr, "cardsim: bad --ready-fd\n");
				return 2;
			}
			fe.ready_fd = (int)v;
			break;
		case 'f':
			if (fe.fault_count == FE_MAX_FAULTS) {
				fprintf(stderr, "cardsim: too many --fault options\n");
				return 2;
			}
			fe.fault_args[fe.fault_count++] = optarg;
			break;
		case 'i':
			reinsert = optarg;
			break;
		case 't':
			if (parse_uint(optarg, 3600000, &v) != 0) {
				fprintf(stderr, "cardsim: bad --connect-timeout-ms\n");
				return 2;
			}
			fe.connect_timeout_ms = (unsigned)v;
			break;
		case 'l':
			fe.log_apdus = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (fe.port < 0 || fe.persona_path == NULL || fe.pki_dir == NULL || optind != argc) {
		usage();
		return 2;
	}

	fe.card = cardsim_card_load(fe.persona_path, fe.pki_dir, err, sizeof(err));
	if (fe.card == NULL) {
		fprintf(stderr, "cardsim: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < fe.fault_count; i++) {
		if (apply_fault_arg(fe.card, fe.fault_args[i]) != 0) {
			fprintf(stderr, "cardsim: bad --fault %s\n", fe.fault_args[i]);
			cardsim_card_free(fe.card);
			return 2;
		}
	}
	if (reinsert != NULL && cardsim_set(fe.card, "reinsert_ms", reinsert) != 0) {
		fprintf(stderr, "cardsim: bad --reinsert-ms\n");
		cardsim_card_free(fe.card);
		return 2;
	}
	cardsim_remove(fe.card); /* inserted once the vpcd connect succeeds */

	/* Signals only interrupt ppoll(), never a send or recv half-way. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &run_mask);
	sigdelset(&run_mask, SIGTERM);
	sigdelset(&run_mask, SIGINT);

	if (control != NULL && fe_control_listen(&fe, control) != 0) {
		cardsim_card_free(fe.card);
		return 1;
	}
	fe_vpcd_want_insert(&fe);
	event_loop(&fe, &run_mask);

	fe_control_close(&fe);
	if (fe.vfd >= 0) {
		fe_vpcd_close(&fe);
	}
	if (fe.ready_fd >= 0) {
		close(fe.ready_fd);
	}
	cardsim_card_free(fe.card);
	return fe.exit_code;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "dump") == 0) {
		return fe_dump_main(argc - 1, argv + 1);
	}
	return run_main(argc, argv);
}
