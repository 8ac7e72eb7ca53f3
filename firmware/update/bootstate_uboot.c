/* SPDX-License-Identifier: MIT */
/*
 * The U-Boot environment boot-state backend, RAUC's variables:
 *   BOOT_ORDER="A B"   slots in boot order, primary first
 *   BOOT_A_LEFT=3      attempts left; the boot script decrements, 0 = bad
 * plus ours: KIOSK_ROLLBACK_COUNTER (committed), KIOSK_A_COUNTER / KIOSK_B_COUNTER.
 * The booted slot comes from the kernel command line (rauc.slot= or kiosk.slot=).
 * fw_printenv/fw_setenv (Debian libubootenv-tool) run through posix_spawn with
 * argument vectors: no shell, nothing from the image reaches an argument.
 * update.uboot_config, when set, goes to both tools as "-c PATH" (an
 * fw_env.config other than /etc/fw_env.config, e.g. a file-backed one in tests).
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiosk/err.h"
#include "update/bootstate.h"
#include "update_internal.h"

extern char **environ;

#define ENV_VALUE_MAX 128

struct uboot_priv {
	char printenv[PATH_MAX];
	char setenv[PATH_MAX];
	char envcfg[PATH_MAX]; /* "" = the tools' default config */
	char cmdline[PATH_MAX];
	unsigned attempts;
};

/* Run argv; stdout into out (cap) when out is not NULL. Exit status 0 -> KIOSK_OK. */
static int run(char *const argv[], char *out, size_t cap)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 };
	size_t used = 0;
	pid_t pid;
	int status = 0;
	int rc = KIOSK_OK;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		return KIOSK_ERR_IO;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return KIOSK_ERR_IO;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	for (;;) {
		char tmp[256];
		ssize_t n = read(pipefd[0], tmp, sizeof(tmp));

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		if (out != NULL && used + (size_t)n < cap) {
			memcpy(out + used, tmp, (size_t)n);
			used += (size_t)n;
		} else if (out != NULL) {
			rc = KIOSK_ERR_UPDATE; /* longer than any value we write */
		}
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			return KIOSK_ERR_IO;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		return KIOSK_ERR_IO;
	}
	if (out != NULL) {
		while (used > 0 && (out[used - 1] == '\n' || out[used - 1] == '\r')) {
			used--;
		}
		out[used] = '\0';
	}
	return rc;
}

/* TOOL [-c CONFIG] ARGS... NULL; the longest is set-primary's two pairs: 1 + 2 + 4 + 1 */
#define TOOL_ARGS_MAX 8
static void tool_argv(struct uboot_priv *p, const char *tool, char *const args[], size_t nargs,
		      char *argv[TOOL_ARGS_MAX])
{
	size_t i = 0;

	argv[i++] = (char *)tool;
	if (p->envcfg[0] != '\0') {
		argv[i++] = "-c";
		argv[i++] = p->envcfg;
	}
	for (size_t j = 0; j < nargs && i < TOOL_ARGS_MAX - 1; j++) {
		argv[i++] = args[j];
	}
	argv[i] = NULL;
}

/*
 * fw_printenv -n NAME. libubootenv prints an empty line for an unset variable
 * and exits 0; any other exit means the environment is unreadable, and then
 * nothing may be guessed (fail closed: the counters guard against downgrades).
 */
static int env_get(struct uboot_priv *p, const char *name, char *out, size_t cap)
{
	char *args[] = { "-n", (char *)name };
	char *argv[TOOL_ARGS_MAX];

	tool_argv(p, p->printenv, args, 2, argv);
	return run(argv, out, cap);
}

static int env_set(struct uboot_priv *p, const char *name, const char *value)
{
	char *args[] = { (char *)name, (char *)value };
	char *argv[TOOL_ARGS_MAX];

	tool_argv(p, p->setenv, args, 2, argv);
	return run(argv, NULL, 0);
}

static int env_get_u64(struct uboot_priv *p, const char *name, uint64_t *v)
{
	char buf[ENV_VALUE_MAX];
	char *end;
	int rc = env_get(p, name, buf, sizeof(buf));

	if (rc != KIOSK_OK) {
		return rc;
	}
	if (buf[0] == '\0') {
		*v = 0;
		return KIOSK_OK;
	}
	if (buf[0] < '0' || buf[0] > '9') {
		return KIOSK_ERR_UPDATE;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return (errno != 0 || *end != '\0') ? KIOSK_ERR_UPDATE : KIOSK_OK;
}

static int env_set_u64(struct uboot_priv *p, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return env_set(p, name, buf);
}

static int u_open(void *priv, const struct update_config *cfg)
{
	struct uboot_priv *p = priv;

	snprintf(p->printenv, sizeof(p->printenv), "%s", cfg->fw_printenv);
	snprintf(p->setenv, sizeof(p->setenv), "%s", cfg->fw_setenv);
	snprintf(p->envcfg, sizeof(p->envcfg), "%s", cfg->uboot_config);
	snprintf(p->cmdline, sizeof(p->cmdline), "%s", cfg->cmdline);
	p->attempts = cfg->attempts;
	return KIOSK_OK;
}

static int u_get_primary(void *priv, char *slot)
{
	char buf[ENV_VALUE_MAX];
	int rc = env_get(priv, "BOOT_ORDER", buf, sizeof(buf));

	if (rc == KIOSK_OK) {
		*slot = buf[0] == '\0' ? 'A' : buf[0];
	}
	return rc;
}

static int u_set_primary(void *priv, char slot)
{
	struct uboot_priv *p = priv;
	char left[16];
	char n[16];
	char order[4] = { slot, ' ', update_other_slot(slot), '\0' };
	/* one fw_setenv with two pairs: libubootenv stores them in one env write */
	char *args[] = { left, n, "BOOT_ORDER", order };
	char *argv[TOOL_ARGS_MAX];

	snprintf(left, sizeof(left), "BOOT_%c_LEFT", slot);
	snprintf(n, sizeof(n), "%u", p->attempts);
	tool_argv(p, p->setenv, args, 4, argv);
	return run(argv, NULL, 0);
}

static int u_get_state(void *priv, char slot, enum update_slot_state *st)
{
	char name[16];
	uint64_t left = 0;
	int rc;

	snprintf(name, sizeof(name), "BOOT_%c_LEFT", slot);
	rc = env_get_u64(priv, name, &left);
	*st = left > 0 ? UPDATE_SLOT_GOOD : UPDATE_SLOT_BAD;
	return rc;
}

static int u_set_state(void *priv, char slot, enum update_slot_state st)
{
	char name[16];

	snprintf(name, sizeof(name), "BOOT_%c_LEFT", slot);
	return env_set_u64(priv, name,
			   st == UPDATE_SLOT_GOOD ? ((struct uboot_priv *)priv)->attempts : 0);
}

static int u_get_attempts(void *priv, char slot, unsigned *left)
{
	char name[16];
	uint64_t v = 0;
	int rc;

	snprintf(name, sizeof(name), "BOOT_%c_LEFT", slot);
	rc = env_get_u64(priv, name, &v);
	*left = v > 9 ? 9 : (unsigned)v;
	return rc;
}

static int u_get_current(void *priv, char *slot)
{
	struct uboot_priv *p = priv;
	char buf[4096];
	ssize_t n;
	int fd = open(p->cmdline, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		return KIOSK_ERR_IO;
	}
	buf[n] = '\0';
	for (char *save = NULL, *tok = strtok_r(buf, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		const char *v = NULL;

		if (strncmp(tok, "rauc.slot=", 10) == 0) {
			v = tok + 10;
		} else if (strncmp(tok, "kiosk.slot=", 11) == 0) {
			v = tok + 11;
		}
		if (v != NULL && (v[0] == 'A' || v[0] == 'B') && v[1] == '\0') {
			*slot = v[0];
			return KIOSK_OK;
		}
	}
	return KIOSK_ERR_UPDATE;
}

static void counter_name(char which, char *name, size_t cap)
{
	if (which == UPDATE_COUNTER_COMMITTED) {
		snprintf(name, cap, "KIOSK_ROLLBACK_COUNTER");
	} else {
		snprintf(name, cap, "KIOSK_%c_COUNTER", which);
	}
}

static int u_get_counter(void *priv, char which, uint64_t *v)
{
	char name[32];

	counter_name(which, name, sizeof(name));
	return env_get_u64(priv, name, v);
}

static int u_set_counter(void *priv, char which, uint64_t v)
{
	char name[32];

	counter_name(which, name, sizeof(name));
	return env_set_u64(priv, name, v);
}

const struct update_boot_ops update_boot_uboot_ops = {
	.name = "uboot",
	.priv_size = sizeof(struct uboot_priv),
	.open = u_open,
	.get_primary = u_get_primary,
	.set_primary = u_set_primary,
	.get_state = u_get_state,
	.set_state = u_set_state,
	.get_current = u_get_current,
	.get_counter = u_get_counter,
	.set_counter = u_set_counter,
	.get_attempts = u_get_attempts,
};
