/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <PCSC/winscard.h>

#include "rig_proc.h"

#define STOP_TIMEOUT_MS 5000

long rig_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void rig_die(const char *what)
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
int rig_pick_port(void)
{
	for (int i = 0; i < 200; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t len = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int port;

		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
			rig_die("cannot pick a TCP port");
		}
		port = ntohs(sa.sin_port);
		close(fd);
		if (port < 65000 && port_free(port) && port_free(port + 1)) {
			return port;
		}
	}
	rig_die("no free TCP port pair");
	return -1;
}

pid_t rig_spawn(char *const argv[], int out_fd, int keep_fd, bool new_ns, const char *run_dir,
		bool detach)
{
	pid_t pid = fork();

	if (pid < 0) {
		rig_die("fork failed");
	}
	if (pid > 0) {
		return pid;
	}
	if (detach) {
		/* "rig up": outlives the rig, stopped later by "rig down". */
		setsid();
	} else {
		/* Child: dies with the rig, even if the rig is SIGKILLed by ctest. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
	}
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
int rig_wait_for_socket(const char *dir, const char *sock, pid_t pcscd, long deadline)
{
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	int rc = -1;

	if (in < 0 || inotify_add_watch(in, dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB) < 0) {
		rig_die("inotify failed");
	}
	for (;;) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		char evbuf[4096];
		long left = deadline - rig_now_ms();

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

int rig_wait_line(int fd, const char *want, long deadline, char *line, size_t cap)
{
	char buf[128];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - rig_now_ms();
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
		if (strstr(buf, want) != NULL && strchr(strstr(buf, want), '\n') != NULL) {
			if (line != NULL && cap > 0) {
				snprintf(line, cap, "%.*s", (int)(strchr(strstr(buf, want), '\n') -
							    strstr(buf, want)), strstr(buf, want));
			}
			return 0;
		}
	}
	return -1;
}

/* Wait until pcscd has polled the first slot @present or empty (every 400 ms). */
int rig_wait_card_state(bool present, long deadline)
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
	while (rig_now_ms() < deadline) {
		r = SCardGetStatusChange(ctx, (DWORD)(deadline - rig_now_ms()), &rs, 1);
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

void rig_stop(pid_t pid)
{
	long deadline = rig_now_ms() + STOP_TIMEOUT_MS;

	if (pid <= 0) {
		return;
	}
	kill(pid, SIGTERM);
	while (rig_now_ms() < deadline) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		/* Not our child any more ("rig down"): watch for it to be gone. */
		if (r == pid || (r < 0 && errno == ECHILD && kill(pid, 0) != 0)) {
			return;
		}
		usleep(10000); /* bounded: at most STOP_TIMEOUT_MS in total */
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void rig_remove_tree(const char *dir)
{
	char *argv[] = { "rm", "-rf", "--", (char *)dir, NULL };
	pid_t pid = rig_spawn(argv, -1, -1, false, NULL, false);

	waitpid(pid, NULL, 0);
}
