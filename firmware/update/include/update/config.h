/* SPDX-License-Identifier: MIT */
/*
 * The update settings of a board: board/<name>/update.conf, "key = value"
 * lines, '#' comments, unknown keys are errors. Kept apart from board.conf so
 * the updater can be read and changed on its own.
 */
#ifndef UPDATE_CONFIG_H
#define UPDATE_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "update/manifest.h"

#define UPDATE_ATTEMPTS_DEFAULT 3

/* One A/B slot pair of a class: path[0] is slot A, path[1] slot B. */
struct update_slot_pair {
	char slot_class[UPDATE_CLASS_MAX];
	char path[2][PATH_MAX];
};

struct update_config {
	char bootstate[16];                    /* "file" | "uboot" */
	char state_file[PATH_MAX];             /* file backend */
	char compatible[UPDATE_STR_MAX];
	char release_root[PATH_MAX];           /* pinned release root CA (PEM) */
	unsigned attempts;                     /* boot attempts before rollback, 1..9 */
	bool test_hooks;                       /* honour KIOSK_UPDATE_TEST_FAIL_AFTER */
	char fw_printenv[PATH_MAX];            /* uboot backend tools (libubootenv-tool) */
	char fw_setenv[PATH_MAX];
	char uboot_config[PATH_MAX];           /* fw_env.config for both tools; "" = theirs */
	char cmdline[PATH_MAX];                /* where the booted slot is read (uboot) */
	unsigned n_slots;
	struct update_slot_pair slots[UPDATE_PAYLOADS_MAX];
};

/** Defaults: file backend, 3 attempts, no slots, /usr/bin/fw_*, /proc/cmdline. */
void update_config_init(struct update_config *c);

/**
 * Parse update.conf text. Keys: update.bootstate, update.state_file,
 * update.slot_a, update.slot_b (the pair of update.slot_class, default rootfs),
 * update.slot.<class>.a / .b (more pairs), update.compatible, update.release_root,
 * update.attempts, update.test_hooks (on|off), update.fw_printenv,
 * update.fw_setenv, update.uboot_config (passed as -c to both; unset = the
 * tools' /etc/fw_env.config), update.cmdline. "@build@" and "@board@" path
 * prefixes expand to the build tree and @board_dir.
 */
int update_config_parse(struct update_config *c, const char *text, size_t len,
			const char *board_dir, char *why, size_t why_cap);

/**
 * Load board/<name>/update.conf (the board folder as kiosk_board_load finds it:
 * $KIOSK_BOARD_DIR or the installed board folder; a name with '/' is a path).
 */
int update_config_load(struct update_config *c, const char *board_name, char *why,
		       size_t why_cap);

/** The slot pair of @slot_class, or NULL. */
const struct update_slot_pair *update_config_slots(const struct update_config *c,
						   const char *slot_class);

/** Check that everything an install needs is set (slots, root, compatible). */
int update_config_check(const struct update_config *c, char *why, size_t why_cap);

#endif /* UPDATE_CONFIG_H */
