/* SPDX-License-Identifier: MIT */
/* board/<name>/update.conf: key = value, '#' comments, unknown keys refused. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/err.h"
#include "update/config.h"
#include "update_internal.h"

#ifndef KIOSK_DEFAULT_BOARD_DIR
#define KIOSK_DEFAULT_BOARD_DIR "/usr/share/kiosk/board"
#endif
#ifndef KIOSK_BUILD_DIR
#define KIOSK_BUILD_DIR "/usr/share/kiosk"
#endif
#define UPDATE_CONF_MAX 16384

void update_config_init(struct update_config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->bootstate, "file");
	c->attempts = UPDATE_ATTEMPTS_DEFAULT;
	strcpy(c->fw_printenv, "/usr/bin/fw_printenv");
	strcpy(c->fw_setenv, "/usr/bin/fw_setenv");
	strcpy(c->cmdline, "/proc/cmdline");
}

static int set_str(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= cap) {
		return -1;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

static int set_path(char *dst, size_t cap, const char *v, const char *board_dir)
{
	int n;

	if (strncmp(v, "@build@", 7) == 0) {
		n = snprintf(dst, cap, "%s%s", KIOSK_BUILD_DIR, v + 7);
	} else if (strncmp(v, "@board@", 7) == 0) {
		n = snprintf(dst, cap, "%s%s", board_dir ? board_dir : ".", v + 7);
	} else {
		n = snprintf(dst, cap, "%s", v);
	}
	return (v[0] == '\0' || n < 0 || (size_t)n >= cap) ? -1 : 0;
}

static int class_ok(const char *s, size_t n)
{
	if (n == 0 || n >= UPDATE_CLASS_MAX) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-')) {
			return 0;
		}
	}
	return 1;
}

/* The pair of @cls, created when missing. */
static struct update_slot_pair *pair_for(struct update_config *c, const char *cls, size_t n)
{
	for (unsigned i = 0; i < c->n_slots; i++) {
		if (strlen(c->slots[i].slot_class) == n &&
		    memcmp(c->slots[i].slot_class, cls, n) == 0) {
			return &c->slots[i];
		}
	}
	if (!class_ok(cls, n) || c->n_slots == UPDATE_PAYLOADS_MAX) {
		return NULL;
	}
	memcpy(c->slots[c->n_slots].slot_class, cls, n);
	c->slots[c->n_slots].slot_class[n] = '\0';
	return &c->slots[c->n_slots++];
}

static int apply(struct update_config *c, const char *k, const char *v, const char *board_dir,
		 char *main_class, char main_path[2][PATH_MAX])
{
	if (strcmp(k, "update.bootstate") == 0) {
		if (strcmp(v, "file") != 0 && strcmp(v, "uboot") != 0) {
			return -1;
		}
		return set_str(c->bootstate, sizeof(c->bootstate), v);
	}
	if (strcmp(k, "update.state_file") == 0) {
		return set_path(c->state_file, sizeof(c->state_file), v, board_dir);
	}
	if (strcmp(k, "update.compatible") == 0) {
		return set_str(c->compatible, sizeof(c->compatible), v);
	}
	if (strcmp(k, "update.release_root") == 0) {
		return set_path(c->release_root, sizeof(c->release_root), v, board_dir);
	}
	if (strcmp(k, "update.fw_printenv") == 0) {
		return set_path(c->fw_printenv, sizeof(c->fw_printenv), v, board_dir);
	}
	if (strcmp(k, "update.fw_setenv") == 0) {
		return set_path(c->fw_setenv, sizeof(c->fw_setenv), v, board_dir);
	}
	if (strcmp(k, "update.uboot_config") == 0) {
		return set_path(c->uboot_config, sizeof(c->uboot_config), v, board_dir);
	}
	if (strcmp(k, "update.cmdline") == 0) {
		return set_path(c->cmdline, sizeof(c->cmdline), v, board_dir);
	}
	if (strcmp(k, "update.attempts") == 0) {
		if (v[0] < '1' || v[0] > '9' || v[1] != '\0') {
			return -1;
		}
		c->attempts = (unsigned)(v[0] - '0');
		return 0;
	}
	if (strcmp(k, "update.test_hooks") == 0) {
		if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
			return -1;
		}
		c->test_hooks = strcmp(v, "on") == 0;
		return 0;
	}
	if (strcmp(k, "update.slot_class") == 0) {
		return class_ok(v, strlen(v)) ? set_str(main_class, UPDATE_CLASS_MAX, v) : -1;
	}
	if (strcmp(k, "update.slot_a") == 0 || strcmp(k, "update.slot_b") == 0) {
		return set_path(main_path[k[12] == 'b'], PATH_MAX, v, board_dir);
	}
	if (strncmp(k, "update.slot.", 12) == 0) {
		const char *cls = k + 12;
		const char *dot = strrchr(cls, '.');
		struct update_slot_pair *p;

		if (dot == NULL || (strcmp(dot, ".a") != 0 && strcmp(dot, ".b") != 0)) {
			return -1;
		}
		p = pair_for(c, cls, (size_t)(dot - cls));
		if (p == NULL) {
			return -1;
		}
		return set_path(p->path[dot[1] == 'b'], PATH_MAX, v, board_dir);
	}
	return -2;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t') {
		s++;
	}
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1])) {
		*--e = '\0';
	}
	return s;
}

int update_config_parse(struct update_config *c, const char *text, size_t len,
			const char *board_dir, char *why, size_t why_cap)
{
	char main_class[UPDATE_CLASS_MAX] = "rootfs";
	char (*main_path)[PATH_MAX] = NULL;
	char line[PATH_MAX + 128];
	size_t pos = 0;
	unsigned lineno = 0;
	int rc = KIOSK_OK;

	update_config_init(c);
	main_path = calloc(2, PATH_MAX);
	if (main_path == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	if (text == NULL || len > UPDATE_CONF_MAX) {
		rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "update.conf missing or too large");
		goto out;
	}
	while (pos < len) {
		size_t n = 0;
		char *k;
		char *v;
		char *eq;
		int e;

		lineno++;
		while (pos + n < len && text[pos + n] != '\n') {
			n++;
		}
		if (n >= sizeof(line) || memchr(text + pos, '\0', n) != NULL) {
			rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "line %u: too long or NUL",
					lineno);
			goto out;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		k = trim(line);
		if (*k == '\0' || *k == '#') {
			continue;
		}
		eq = strchr(k, '=');
		if (eq == NULL) {
			rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "line %u: no '='", lineno);
			goto out;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		e = apply(c, k, v, board_dir, main_class, main_path);
		if (e == -2) {
			rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "line %u: unknown key %.64s",
					lineno, k);
			goto out;
		}
		if (e != 0) {
			rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "line %u: bad value for %.64s",
					lineno, k);
			goto out;
		}
	}
	if (main_path[0][0] != '\0' || main_path[1][0] != '\0') {
		struct update_slot_pair *p = pair_for(c, main_class, strlen(main_class));

		if (p == NULL) {
			rc = update_why(why, why_cap, KIOSK_ERR_CONFIG, "too many slot classes");
			goto out;
		}
		memcpy(p->path, main_path, sizeof(p->path));
	}
out:
	free(main_path);
	return rc;
}

int update_config_load(struct update_config *c, const char *board_name, char *why,
		       size_t why_cap)
{
	const char *root = getenv("KIOSK_BOARD_DIR");
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
	char *text = NULL;
	ssize_t n;
	int fd;
	int rc;

	update_config_init(c);
	if (board_name == NULL || *board_name == '\0') {
		return update_why(why, why_cap, KIOSK_ERR_CONFIG, "no board named");
	}
	if (strchr(board_name, '/') != NULL) {
		n = snprintf(dir, sizeof(dir), "%s", board_name);
	} else {
		n = snprintf(dir, sizeof(dir), "%s/%s", root ? root : KIOSK_DEFAULT_BOARD_DIR,
			     board_name);
	}
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		return update_why(why, why_cap, KIOSK_ERR_CONFIG, "board path too long");
	}
	snprintf(path, sizeof(path), "%s/update.conf", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return update_why(why, why_cap, KIOSK_ERR_CONFIG, "no update.conf for this board");
	}
	text = malloc(UPDATE_CONF_MAX + 1);
	if (text == NULL) {
		close(fd);
		return KIOSK_ERR_NO_MEMORY;
	}
	n = read(fd, text, UPDATE_CONF_MAX + 1);
	close(fd);
	if (n < 0 || n > UPDATE_CONF_MAX) {
		free(text);
		return update_why(why, why_cap, KIOSK_ERR_CONFIG, "update.conf unreadable or too large");
	}
	rc = update_config_parse(c, text, (size_t)n, dir, why, why_cap);
	free(text);
	return rc;
}

const struct update_slot_pair *update_config_slots(const struct update_config *c,
						   const char *slot_class)
{
	for (unsigned i = 0; i < c->n_slots; i++) {
		if (strcmp(c->slots[i].slot_class, slot_class) == 0) {
			return &c->slots[i];
		}
	}
	return NULL;
}

int update_config_check(const struct update_config *c, char *why, size_t why_cap)
{
	if (c->n_slots == 0) {
		return update_why(why, why_cap, KIOSK_ERR_CONFIG, "no slots configured");
	}
	for (unsigned i = 0; i < c->n_slots; i++) {
		if (c->slots[i].path[0][0] == '\0' || c->slots[i].path[1][0] == '\0') {
			return update_why(why, why_cap, KIOSK_ERR_CONFIG,
					  "slot class %s needs both slot A and slot B",
					  c->slots[i].slot_class);
		}
	}
	if (c->compatible[0] == '\0' || c->release_root[0] == '\0') {
		return update_why(why, why_cap, KIOSK_ERR_CONFIG,
				  "update.compatible and update.release_root are required");
	}
	if (strcmp(c->bootstate, "file") == 0 && c->state_file[0] == '\0') {
		return update_why(why, why_cap, KIOSK_ERR_CONFIG, "file backend needs update.state_file");
	}
	return KIOSK_OK;
}
