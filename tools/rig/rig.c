/* SPDX-License-Identifier: MIT */
/*
 * rig: run one command against a private pcscd with the vpcd virtual reader
 * and the My Number card simulator (../shared/reference/sim-rig.md §3-§4).
 *
 *   rig [options] -- COMMAND [ARGS...]
 *   rig ctl "fault remove_after 3"     (talk to the running simulator)
 *
 * pcscd always puts its socket at /run/pcscd/pcscd.comm, so each rig starts it
 * in its own mount namespace with a private folder bound on /run, its own
 * reader.conf and its own vpcd port; the command gets PCSCLITE_CSOCK_NAME.
 * Readiness is awaited, never slept for: inotify for the pcscd socket, a
 * "ready" line from the simulator, SCardGetStatusChange for the card. The rig
 * stops what it started, by PID, whatever happens to the command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <PCSC/winscard.h>

#include "simctl.h"

#define READY_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 5000
#define MAX_FAULTS 32

struct rig_opts {
	const char *persona;
	const char *pki;
	const char *faults[MAX_FAULTS];
	int nfaults;
	bool no_card;
	bool keep;
	bool pcscd_debug;
	bool sim_log;
	long timeout_s;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void die(const char *what)
{
	fprintf(stderr, "rig: %s\n", what);
	exit(125);
}

static bool port_free(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	if (fd < 0) {
		return false;
	}
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* vpcd listens on PORT and PORT+1 (two slots), on all interfaces. */
static int pick_port(void)
{
	for (int i = 0; i < 200; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t len = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int port;

		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
			die("cannot pick a TCP port");
		}
		port = ntohs(sa.sin_port);
		close(fd);
		if (port < 65000 && port_free(port) && port_free(port + 1)) {
			return port;
		}
	}
	die("no free TCP port pair");
	return -1;
}

static pid_t spawn(char *const argv[], int out_fd, int keep_fd, bool new_ns, const char *run_dir)
{
	pid_t pid = fork();

	if (pid < 0) {
		die("fork failed");
	}
	if (pid > 0) {
		return pid;
	}
	/* Child: dies with the rig, even if the rig is SIGKILLed by ctest. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (out_fd >= 0) {
		dup2(out_fd, STDOUT_FILENO);
		dup2(out_fd, STDERR_FILENO);
	}
	for (int fd = 3; fd < 256; fd++) {
		if (fd != keep_fd) {
			close(fd);
		}
	}
	if (new_ns) {
		if (unshare(CLONE_NEWNS) != 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		    mount(run_dir, "/run", NULL, MS_BIND, NULL) != 0) {
			fprintf(stderr, "rig: private /run for pcscd failed (needs root): %s\n",
				strerror(errno));
			_exit(126);
		}
	}
	execvp(argv[0], argv);
	fprintf(stderr, "rig: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static bool socket_accepts(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;
	bool ok;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0) {
		close(fd);
	}
	return ok;
}

/* Wait until pcscd's socket exists and accepts, driven by inotify events. */
static int wait_for_socket(const char *dir, const char *sock, pid_t pcscd, long deadline)
{
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	int rc = -1;

	if (in < 0 || inotify_add_watch(in, dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB) < 0) {
		die("inotify failed");
	}
	for (;;) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		char evbuf[4096];
		long left = deadline - now_ms();

		if (access(sock, F_OK) == 0 && socket_accepts(sock)) {
			rc = 0;
			break;
		}
		if (waitpid(pcscd, NULL, WNOHANG) == pcscd || left <= 0) {
			break;
		}
		/* bind() creates the file just before listen(): a short wait
		 * bridges that gap, anything else arrives as an event. */
		if (poll(&pfd, 1, left < 20 ? (int)left : 20) > 0) {
			while (read(in, evbuf, sizeof(evbuf)) > 0) {
			}
		}
	}
	close(in);
	return rc;
}

static int wait_line(int fd, const char *want, long deadline)
{
	char buf[64];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			return -1;
		}
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			return -1;
		}
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, want) != NULL) {
			return 0;
		}
	}
	return -1;
}

/* Wait until pcscd has polled the first slot @present or empty (every 400 ms). */
static int wait_card_state(bool present, long deadline)
{
	SCARDCONTEXT ctx;
	SCARD_READERSTATE rs;
	char readers[1024];
	DWORD rlen = sizeof(readers);
	LONG r;
	int rc = -1;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS) {
		return -1;
	}
	if (SCardListReaders(ctx, NULL, readers, &rlen) != SCARD_S_SUCCESS) {
		goto out;
	}
	memset(&rs, 0, sizeof(rs));
	rs.szReader = readers; /* the first slot: "Virtual PCD 00 00" */
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	while (now_ms() < deadline) {
		r = SCardGetStatusChange(ctx, (DWORD)(deadline - now_ms()), &rs, 1);
		if (r != SCARD_S_SUCCESS) {
			break;
		}
		if (((rs.dwEventState & SCARD_STATE_PRESENT) != 0) == present) {
			rc = 0;
			break;
		}
		rs.dwCurrentState = rs.dwEventState;
	}
out:
	SCardReleaseContext(ctx);
	return rc;
}

static void stop(pid_t pid)
{
	long deadline = now_ms() + STOP_TIMEOUT_MS;

	if (pid <= 0) {
		return;
	}
	kill(pid, SIGTERM);
	while (now_ms() < deadline) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD)) {
			return;
		}
		usleep(10000); /* bounded: at most STOP_TIMEOUT_MS in total */
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void remove_tree(const char *dir)
{
	char *argv[] = { "rm", "-rf", "--", (char *)dir, NULL };
	pid_t pid = spawn(argv, -1, -1, false, NULL);

	waitpid(pid, NULL, 0);
}

static int run_command(char **argv, long timeout_s)
{
	pid_t pid = spawn(argv, -1, -1, false, NULL);
	long deadline = timeout_s > 0 ? now_ms() + timeout_s * 1000 : 0;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			break;
		}
		if (got_signal || (deadline && now_ms() > deadline)) {
			fprintf(stderr, "rig: stopping the command (%s)\n",
				got_signal ? "signal" : "timeout");
			stop(pid);
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

static const char *persona_path(const char *p, char *buf, size_t cap)
{
	if (strchr(p, '/') != NULL || strstr(p, ".json") != NULL) {
		return p;
	}
	snprintf(buf, cap, "%s/%s.json", RIG_PERSONA_DIR, p);
	return buf;
}

static int cmd_ctl(int argc, char **argv)
{
	char reply[65536];
	char cmd[1024] = "";
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strlen(cmd) + strlen(argv[i]) + 2 >= sizeof(cmd)) {
			die("control command too long");
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
	long deadline = now_ms() + READY_TIMEOUT_MS;

	if (argc < 1 || (strcmp(argv[0], "load") == 0 && argc != 2) ||
	    (strcmp(argv[0], "load") != 0 && strcmp(argv[0], "insert") != 0 &&
	     strcmp(argv[0], "remove") != 0)) {
		die("usage: rig card remove|insert|load PERSONA.json");
	}
	(void)simctl_cmd(NULL, "remove", reply, sizeof(reply));
	if (wait_card_state(false, deadline) != 0) {
		die("pcscd still sees a card");
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
	if (wait_card_state(true, deadline) != 0) {
		die("pcscd did not see the card");
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rig [--persona NAME|FILE] [--pki DIR] [--fault name=value]... [--no-card]\n"
		"           [--timeout SEC] [--keep] [--pcscd-debug] [--sim-log] -- COMMAND [ARGS...]\n"
		"       rig ctl COMMAND...    (remove, insert, fault NAME VALUE, load FILE, stats, log,\n"
		"                              clear, unmute)\n"
		"       rig card remove|insert|load FILE   (and wait until pcscd has seen it)\n");
	exit(2);
}

static void parse_opts(int argc, char **argv, struct rig_opts *o)
{
	static const struct option longopts[] = {
		{ "persona", required_argument, NULL, 'p' },
		{ "pki", required_argument, NULL, 'k' },
		{ "fault", required_argument, NULL, 'f' },
		{ "no-card", no_argument, NULL, 'n' },
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
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->persona = optarg;
			break;
		case 'k':
			o->pki = optarg;
			break;
		case 'f':
			if (o->nfaults == MAX_FAULTS) {
				die("too many --fault");
			}
			o->faults[o->nfaults++] = optarg;
			break;
		case 'n':
			o->no_card = true;
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
	if (optind >= argc) {
		usage();
	}
}

int main(int argc, char **argv)
{
	struct rig_opts o;
	char dir[] = "/tmp/kiosk-rig.XXXXXX";
	char path[PATH_MAX], sock[PATH_MAX], ctl[PATH_MAX], pbuf[PATH_MAX], port_s[16];
	char *pcscd_argv[8];
	char *sim_argv[16 + 2 * MAX_FAULTS];
	pid_t pcscd = -1, sim = -1;
	int ready[2] = { -1, -1 };
	int logfd, port, n = 0, status = 125;
	long deadline;
	FILE *f;

	if (argc >= 2 && strcmp(argv[1], "card") == 0) {
		return cmd_card(argc - 2, argv + 2);
	}
	if (argc >= 2 && strcmp(argv[1], "ctl") == 0) {
		return argc > 2 ? cmd_ctl(argc - 2, argv + 2) : (usage(), 2);
	}
	parse_opts(argc, argv, &o);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	if (mkdtemp(dir) == NULL) {
		die("mkdtemp failed");
	}
	port = pick_port();
	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(path, sizeof(path), "%s/run", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/run/pcscd", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/conf", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/conf/vpcd", dir);
	f = fopen(path, "w");
	if (f == NULL) {
		die("cannot write reader.conf");
	}
	fprintf(f, "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:%d\n"
		   "LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\n", port);
	fclose(f);

	/* pcscd, without --apdu: its log must never hold a PIN. */
	snprintf(path, sizeof(path), "%s/pcscd.log", dir);
	logfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	snprintf(pbuf, sizeof(pbuf), "%s/conf", dir);
	pcscd_argv[n++] = "pcscd";
	pcscd_argv[n++] = "--foreground";
	pcscd_argv[n++] = o.pcscd_debug ? "--debug" : "--error";
	pcscd_argv[n++] = "--config";
	pcscd_argv[n++] = pbuf;
	pcscd_argv[n] = NULL;
	snprintf(path, sizeof(path), "%s/run", dir);
	pcscd = spawn(pcscd_argv, logfd, -1, true, path);
	close(logfd);

	deadline = now_ms() + READY_TIMEOUT_MS;
	snprintf(sock, sizeof(sock), "%s/run/pcscd/pcscd.comm", dir);
	snprintf(path, sizeof(path), "%s/run/pcscd", dir);
	if (wait_for_socket(path, sock, pcscd, deadline) != 0) {
		fprintf(stderr, "rig: pcscd did not come up (log: %s/pcscd.log)\n", dir);
		o.keep = true;
		goto out;
	}
	setenv("PCSCLITE_CSOCK_NAME", sock, 1);

	snprintf(ctl, sizeof(ctl), "%s/cardsim.sock", dir);
	setenv("KIOSK_CARDSIM_CTL", ctl, 1);
	setenv("KIOSK_RIG_DIR", dir, 1);
	setenv("KIOSK_RIG_PORT", port_s, 1);
	if (!o.no_card) {
		char fdnum[16];

		if (pipe2(ready, O_CLOEXEC) != 0) {
			die("pipe failed");
		}
		fcntl(ready[1], F_SETFD, 0); /* the simulator inherits the write end */
		snprintf(fdnum, sizeof(fdnum), "%d", ready[1]);
		n = 0;
		sim_argv[n++] = RIG_CARDSIM_PATH;
		sim_argv[n++] = "--port";
		sim_argv[n++] = port_s;
		sim_argv[n++] = "--persona";
		sim_argv[n++] = (char *)persona_path(o.persona, pbuf, sizeof(pbuf));
		sim_argv[n++] = "--pki";
		sim_argv[n++] = (char *)o.pki;
		sim_argv[n++] = "--control";
		sim_argv[n++] = ctl;
		sim_argv[n++] = "--ready-fd";
		sim_argv[n++] = fdnum;
		if (o.sim_log) {
			sim_argv[n++] = "--log-apdus";
		}
		for (int i = 0; i < o.nfaults; i++) {
			sim_argv[n++] = "--fault";
			sim_argv[n++] = (char *)o.faults[i];
		}
		sim_argv[n] = NULL;
		sim = spawn(sim_argv, -1, ready[1], false, NULL);
		close(ready[1]);
		if (wait_line(ready[0], "ready", deadline) != 0) {
			fprintf(stderr, "rig: card simulator did not become ready\n");
			goto out;
		}
		if (wait_card_state(true, deadline) != 0) {
			fprintf(stderr, "rig: pcscd never saw the card\n");
			goto out;
		}
	}
	status = run_command(argv + optind, o.timeout_s);
out:
	stop(sim);
	stop(pcscd);
	if (ready[0] >= 0) {
		close(ready[0]);
	}
	if (o.keep) {
		fprintf(stderr, "rig: kept %s\n", dir);
	} else {
		remove_tree(dir);
	}
	return status;
}
