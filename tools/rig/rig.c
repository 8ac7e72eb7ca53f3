/* SPDX-License-Identifier: MIT */
/*
 * rig: the simulated environment QA, CI and the demo share
 * (../shared/reference/sim-rig.md §3-§4): a private pcscd with the vpcd
 * virtual reader, the My Number card simulator, and the reference center.
 *
 *   rig [options] -- COMMAND [ARGS...]   bring it up around one command
 *   rig up [options] [--dir DIR]         leave it running; print how to reach it (JSON)
 *   rig down --dir DIR                   stop what "up" started
 *   rig card remove|insert|load FILE     what a resident does, waiting for pcscd
 *   rig ctl COMMAND...                   raw simulator control
 *
 * pcscd always puts its socket at /run/pcscd/pcscd.comm, so each rig starts it
 * in its own mount namespace with a private folder bound on /run, its own
 * reader.conf and its own vpcd port. Readiness is awaited, never slept for:
 * inotify for the pcscd socket, "ready" lines from the simulator and the
 * center, SCardGetStatusChange for the card. Everything is stopped by PID.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rig_env.h"
#include "rig_proc.h"
#include "simctl.h"

#define READY_TIMEOUT_MS 15000

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int run_command(char **argv, long timeout_s)
{
	pid_t pid = rig_spawn(argv, -1, -1, false, NULL, false);
	long deadline = timeout_s > 0 ? rig_now_ms() + timeout_s * 1000 : 0;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			break;
		}
		if (got_signal || (deadline && rig_now_ms() > deadline)) {
			fprintf(stderr, "rig: stopping the command (%s)\n",
				got_signal ? "signal" : "timeout");
			rig_stop(pid);
			return 124;
		}
		/* SIGCHLD interrupts this; the rest is a bounded poll. */
		usleep(20000);
	}
	if (WIFEXITED(status)) {
		return WEXITSTATUS(status);
	}
	return 128 + WTERMSIG(status);
}

static int cmd_ctl(int argc, char **argv)
{
	char reply[65536];
	char cmd[1024] = "";
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strlen(cmd) + strlen(argv[i]) + 2 >= sizeof(cmd)) {
			rig_die("control command too long");
		}
		strcat(cmd, i ? " " : "");
		strcat(cmd, argv[i]);
	}
	rc = simctl_cmd(NULL, cmd, reply, sizeof(reply));
	if (rc < 0) {
		fprintf(stderr, "rig: simulator control socket unreachable ($KIOSK_CARDSIM_CTL)\n");
		return 125;
	}
	fputs(reply, stdout);
	return rc;
}

/*
 * rig card remove|insert|load FILE: what a resident does, waiting until pcscd
 * has seen it. A card put back before pcscd noticed it was gone would be a
 * swap pcscd never sees.
 */
static int cmd_card(int argc, char **argv)
{
	char reply[4096];
	char cmd[PATH_MAX + 8];
	long deadline = rig_now_ms() + READY_TIMEOUT_MS;

	if (argc < 1 || (strcmp(argv[0], "load") == 0 && argc != 2) ||
	    (strcmp(argv[0], "load") != 0 && strcmp(argv[0], "insert") != 0 &&
	     strcmp(argv[0], "remove") != 0)) {
		rig_die("usage: rig card remove|insert|load PERSONA.json");
	}
	(void)simctl_cmd(NULL, "remove", reply, sizeof(reply));
	if (rig_wait_card_state(false, deadline) != 0) {
		rig_die("pcscd still sees a card");
	}
	if (strcmp(argv[0], "remove") == 0) {
		return 0;
	}
	if (strcmp(argv[0], "load") == 0) {
		snprintf(cmd, sizeof(cmd), "load %s", argv[1]);
	} else {
		snprintf(cmd, sizeof(cmd), "insert");
	}
	if (simctl_cmd(NULL, cmd, reply, sizeof(reply)) != 0) {
		fprintf(stderr, "rig: simulator: %s", reply);
		return 1;
	}
	if (rig_wait_card_state(true, deadline) != 0) {
		rig_die("pcscd did not see the card");
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rig [--persona NAME|FILE] [--pki DIR] [--fault name=value]... [--no-card]\n"
		"           [--center] [--center-fault name=value]... [--timeout SEC] [--keep]\n"
		"           [--pcscd-debug] [--sim-log]\n"
		"           -- COMMAND [ARGS...]\n"
		"       rig up [same options] [--dir DIR]   (prints JSON: pcsc_socket, reader, ...)\n"
		"       rig down --dir DIR\n"
		"       rig card remove|insert|load FILE     (and wait until pcscd has seen it)\n"
		"       rig ctl COMMAND...    (remove, insert, fault NAME VALUE, load FILE, stats, log,\n"
		"                              clear, unmute)\n");
	exit(2);
}

static void parse_opts(int argc, char **argv, struct rig_opts *o, bool need_command)
{
	static const struct option longopts[] = {
		{ "persona", required_argument, NULL, 'p' },
		{ "pki", required_argument, NULL, 'k' },
		{ "fault", required_argument, NULL, 'f' },
		{ "dir", required_argument, NULL, 'D' },
		{ "no-card", no_argument, NULL, 'n' },
		{ "center", no_argument, NULL, 'c' },
		{ "center-fault", required_argument, NULL, 'F' },
		{ "keep", no_argument, NULL, 'K' },
		{ "pcscd-debug", no_argument, NULL, 'd' },
		{ "sim-log", no_argument, NULL, 'L' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->persona = "standard";
	o->pki = RIG_PKI_DIR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->persona = optarg;
			break;
		case 'k':
			o->pki = optarg;
			break;
		case 'f':
			if (o->nfaults == RIG_MAX_FAULTS) {
				rig_die("too many --fault");
			}
			o->faults[o->nfaults++] = optarg;
			break;
		case 'D':
			o->dir = optarg;
			break;
		case 'n':
			o->no_card = true;
			break;
		case 'c':
			o->center = true;
			break;
		case 'F':
			if (o->ncenter_faults == RIG_MAX_FAULTS) {
				rig_die("too many --center-fault");
			}
			o->center = true;
			o->center_faults[o->ncenter_faults++] = optarg;
			break;
		case 'K':
			o->keep = true;
			break;
		case 'd':
			o->pcscd_debug = true;
			break;
		case 'L':
			o->sim_log = true;
			break;
		case 't':
			o->timeout_s = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (need_command != (optind < argc)) {
		usage();
	}
}

static int cmd_up(int argc, char **argv)
{
	struct rig_opts o;
	struct rig_env e;

	parse_opts(argc, argv, &o, false);
#ifdef RIG_CENTER_PATH
	o.center = true; /* the whole environment */
#endif
	if (rig_env_up(&e, &o, true) != 0) {
		rig_env_down(&e, o.keep);
		return 1;
	}
	if (rig_env_save(&e) != 0) {
		rig_env_down(&e, false);
		rig_die("cannot write rig.state");
	}
	rig_env_print_json(&e, stdout);
	return 0;
}

static int cmd_down(int argc, char **argv)
{
	struct rig_opts o;
	struct rig_env e;

	parse_opts(argc, argv, &o, false);
	if (o.dir == NULL || rig_env_load(&e, o.dir) != 0) {
		fprintf(stderr, "rig: no environment in %s\n", o.dir ? o.dir : "(give --dir)");
		return 1;
	}
	rig_env_down(&e, false);
	return 0;
}

int main(int argc, char **argv)
{
	struct rig_opts o;
	struct rig_env e;
	int status = 125;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && strcmp(argv[1], "card") == 0) {
		return cmd_card(argc - 2, argv + 2);
	}
	if (argc >= 2 && strcmp(argv[1], "ctl") == 0) {
		return argc > 2 ? cmd_ctl(argc - 2, argv + 2) : (usage(), 2);
	}
	if (argc >= 2 && strcmp(argv[1], "up") == 0) {
		return cmd_up(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "down") == 0) {
		return cmd_down(argc - 1, argv + 1);
	}
	parse_opts(argc, argv, &o, true);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (rig_env_up(&e, &o, false) == 0) {
		status = run_command(argv + optind, o.timeout_s);
	} else {
		o.keep = true;
	}
	rig_env_down(&e, o.keep);
	return status;
}
