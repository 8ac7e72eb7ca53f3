/* SPDX-License-Identifier: MIT */
/*
 * The file boot-state backend (like RAUC's custom-bootloader test script):
 * a small key=value file, rewritten atomically on every change (temporary
 * file in the same folder, fsync, rename, fsync of the folder), so a power
 * cut leaves either the old or the new state, never a mix. A missing file is
 * a fresh unit: slot A booted, good, primary.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/err.h"
#include "update/bootstate.h"
#include "update_internal.h"

#define STATE_FILE_MAX 1024

struct file_state {
	char primary;
	char current;
	enum update_slot_state state[2];
	unsigned left[2];
	uint64_t counter;          /* committed anti-rollback counter */
	uint64_t slot_counter[2];  /* counter of the image in each slot */
};

struct file_priv {
	char path[PATH_MAX];
	unsigned attempts;
};

static int idx(char slot)
{
	return slot == 'A' ? 0 : slot == 'B' ? 1 : -1;
}

static void fresh(struct file_state *s, unsigned attempts)
{
	memset(s, 0, sizeof(*s));
	s->primary = 'A';
	s->current = 'A';
	s->state[0] = UPDATE_SLOT_GOOD;
	s->state[1] = UPDATE_SLOT_BAD;
	s->left[0] = attempts;
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;

	if (*v < '0' || *v > '9') {
		return -1;
	}
	errno = 0;
	*out = strtoull(v, &end, 10);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

static int parse_line(struct file_state *s, const char *k, const char *v)
{
	uint64_t u;

	if (strcmp(k, "PRIMARY") == 0 || strcmp(k, "CURRENT") == 0) {
		if (idx(v[0]) < 0 || v[1] != '\0') {
			return -1;
		}
		*(k[0] == 'P' ? &s->primary : &s->current) = v[0];
		return 0;
	}
	if ((strcmp(k, "STATE_A") == 0 || strcmp(k, "STATE_B") == 0)) {
		if (strcmp(v, "good") != 0 && strcmp(v, "bad") != 0) {
			return -1;
		}
		s->state[k[6] == 'B'] = v[0] == 'g' ? UPDATE_SLOT_GOOD : UPDATE_SLOT_BAD;
		return 0;
	}
	if (parse_u64(v, &u) != 0) {
		return -1;
	}
	if (strcmp(k, "A_LEFT") == 0 || strcmp(k, "B_LEFT") == 0) {
		if (u > 9) {
			return -1;
		}
		s->left[k[0] == 'B'] = (unsigned)u;
	} else if (strcmp(k, "COUNTER") == 0) {
		s->counter = u;
	} else if (strcmp(k, "A_COUNTER") == 0 || strcmp(k, "B_COUNTER") == 0) {
		s->slot_counter[k[0] == 'B'] = u;
	} else {
		return -1;
	}
	return 0;
}

static int load(const struct file_priv *p, struct file_state *s)
{
	char buf[STATE_FILE_MAX + 1];
	char *save = NULL;
	ssize_t n;
	int fd;

	fresh(s, p->attempts);
	fd = open(p->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? KIOSK_OK : KIOSK_ERR_IO;
	}
	n = read(fd, buf, STATE_FILE_MAX + 1);
	close(fd);
	if (n < 0 || n > STATE_FILE_MAX || memchr(buf, '\0', (size_t)n) != NULL) {
		return KIOSK_ERR_UPDATE;
	}
	buf[n] = '\0';
	for (char *line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (line[0] == '#') {
			continue;
		}
		if (eq == NULL) {
			return KIOSK_ERR_UPDATE;
		}
		*eq = '\0';
		if (parse_line(s, line, eq + 1) != 0) {
			return KIOSK_ERR_UPDATE;
		}
	}
	return KIOSK_OK;
}

static int save(const struct file_priv *p, const struct file_state *s)
{
	char tmp[PATH_MAX + 16];
	char buf[STATE_FILE_MAX];
	int len;
	int fd;
	int rc;

	len = snprintf(buf, sizeof(buf),
		       "# kiosk boot state (file backend); rewritten atomically\n"
		       "PRIMARY=%c\nCURRENT=%c\nSTATE_A=%s\nSTATE_B=%s\nA_LEFT=%u\nB_LEFT=%u\n"
		       "COUNTER=%" PRIu64 "\nA_COUNTER=%" PRIu64 "\nB_COUNTER=%" PRIu64 "\n",
		       s->primary, s->current, s->state[0] ? "good" : "bad",
		       s->state[1] ? "good" : "bad", s->left[0], s->left[1], s->counter,
		       s->slot_counter[0], s->slot_counter[1]);
	if (len < 0 || (size_t)len >= sizeof(buf) ||
	    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", p->path) >= (int)sizeof(tmp)) {
		return KIOSK_ERR_INTERNAL;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	rc = update_write_full(fd, buf, (size_t)len);
	if (rc == KIOSK_OK && fsync(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (close(fd) != 0 && rc == KIOSK_OK) {
		rc = KIOSK_ERR_IO;
	}
	if (rc == KIOSK_OK && rename(tmp, p->path) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (rc != KIOSK_OK) {
		unlink(tmp);
		return rc;
	}
	return update_fsync_dir_of(p->path);
}

static int f_open(void *priv, const struct update_config *cfg)
{
	struct file_priv *p = priv;

	if (cfg->state_file[0] == '\0' || strlen(cfg->state_file) >= sizeof(p->path)) {
		return KIOSK_ERR_CONFIG;
	}
	strcpy(p->path, cfg->state_file);
	p->attempts = cfg->attempts;
	return KIOSK_OK;
}

static int f_get_primary(void *priv, char *slot)
{
	struct file_state s;
	int rc = load(priv, &s);

	*slot = s.primary;
	return rc;
}

static int f_set_primary(void *priv, char slot)
{
	struct file_priv *p = priv;
	struct file_state s;
	int i = idx(slot);
	int rc = i < 0 ? KIOSK_ERR_INVALID_ARG : load(p, &s);

	if (rc == KIOSK_OK) {
		s.primary = slot;
		s.state[i] = UPDATE_SLOT_GOOD;
		s.left[i] = p->attempts;
		rc = save(p, &s);
	}
	return rc;
}

static int f_get_state(void *priv, char slot, enum update_slot_state *st)
{
	struct file_state s;
	int i = idx(slot);
	int rc = i < 0 ? KIOSK_ERR_INVALID_ARG : load(priv, &s);

	*st = rc == KIOSK_OK ? s.state[i] : UPDATE_SLOT_BAD;
	return rc;
}

static int f_set_state(void *priv, char slot, enum update_slot_state st)
{
	struct file_priv *p = priv;
	struct file_state s;
	int i = idx(slot);
	int rc = i < 0 ? KIOSK_ERR_INVALID_ARG : load(p, &s);

	if (rc == KIOSK_OK) {
		s.state[i] = st;
		s.left[i] = st == UPDATE_SLOT_GOOD ? p->attempts : 0;
		rc = save(p, &s);
	}
	return rc;
}

static int f_get_current(void *priv, char *slot)
{
	struct file_state s;
	int rc = load(priv, &s);

	*slot = s.current;
	return rc;
}

static int f_get_counter(void *priv, char which, uint64_t *v)
{
	struct file_state s;
	int rc = load(priv, &s);

	*v = which == UPDATE_COUNTER_COMMITTED ? s.counter : s.slot_counter[idx(which)];
	return rc;
}

static int f_set_counter(void *priv, char which, uint64_t v)
{
	struct file_state s;
	int rc = load(priv, &s);

	if (rc == KIOSK_OK) {
		if (which == UPDATE_COUNTER_COMMITTED) {
			s.counter = v;
		} else {
			s.slot_counter[idx(which)] = v;
		}
		rc = save(priv, &s);
	}
	return rc;
}

static int f_get_attempts(void *priv, char slot, unsigned *left)
{
	struct file_state s;
	int i = idx(slot);
	int rc = i < 0 ? KIOSK_ERR_INVALID_ARG : load(priv, &s);

	*left = rc == KIOSK_OK ? s.left[i] : 0;
	return rc;
}

const struct update_boot_ops update_boot_file_ops = {
	.name = "file",
	.priv_size = sizeof(struct file_priv),
	.open = f_open,
	.get_primary = f_get_primary,
	.set_primary = f_set_primary,
	.get_state = f_get_state,
	.set_state = f_set_state,
	.get_current = f_get_current,
	.get_counter = f_get_counter,
	.set_counter = f_set_counter,
	.get_attempts = f_get_attempts,
};

int update_boot_select(const struct update_config *cfg, char *booted)
{
	struct file_priv p;
	struct file_state s;
	char order[2];
	int rc;

	if (strcmp(cfg->bootstate, "file") != 0) {
		return KIOSK_ERR_NOT_SUPPORTED; /* the real bootloader does this */
	}
	rc = f_open(&p, cfg);
	if (rc == KIOSK_OK) {
		rc = load(&p, &s);
	}
	if (rc != KIOSK_OK) {
		return rc;
	}
	order[0] = s.primary;
	order[1] = update_other_slot(s.primary);
	s.current = 0;
	for (int i = 0; i < 2 && s.current == 0; i++) {
		int x = idx(order[i]);

		if (s.left[x] > 0) {
			s.left[x]--;
			s.current = order[i];
		} else {
			/* out of attempts: this slot failed to come up */
			s.state[x] = UPDATE_SLOT_BAD;
		}
	}
	if (s.current == 0) {
		/* nothing bootable: like RAUC's U-Boot script, re-arm both, try the primary */
		s.left[0] = s.left[1] = p.attempts;
		s.current = order[0];
		s.left[idx(order[0])]--;
	} else if (s.current != order[0]) {
		/* fell back (rollback): the working slot becomes the primary */
		s.primary = s.current;
	}
	rc = save(&p, &s);
	if (rc == KIOSK_OK && booted != NULL) {
		*booted = s.current;
	}
	return rc;
}
