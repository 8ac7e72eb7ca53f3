/* SPDX-License-Identifier: MIT */
/*
 * Boot state: which slot boots next, which one is booted, which are good.
 * RAUC's custom-bootloader verbs (get-primary, set-primary, get-state,
 * set-state, get-current) as an ops table, one file per backend:
 * bootstate_file.c (a key=value file; tests and boards without a bootloader
 * API) and bootstate_uboot.c (U-Boot environment via fw_printenv/fw_setenv).
 * Slots are named 'A' and 'B'. The anti-rollback counter lives here too.
 */
#ifndef UPDATE_BOOTSTATE_H
#define UPDATE_BOOTSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "update/config.h"

enum update_slot_state {
	UPDATE_SLOT_BAD = 0,
	UPDATE_SLOT_GOOD = 1,
};

/* slot argument of the counter ops: 'A', 'B', or this for the committed counter */
#define UPDATE_COUNTER_COMMITTED '*'

struct update_boot_ops {
	const char *name;
	size_t priv_size;
	int (*open)(void *priv, const struct update_config *cfg);
	void (*close)(void *priv);
	int (*get_primary)(void *priv, char *slot);
	/* also re-arms the slot's boot attempts, as RAUC's set-primary does */
	int (*set_primary)(void *priv, char slot);
	int (*get_state)(void *priv, char slot, enum update_slot_state *st);
	int (*set_state)(void *priv, char slot, enum update_slot_state st);
	int (*get_current)(void *priv, char *slot);
	int (*get_counter)(void *priv, char which, uint64_t *v);
	int (*set_counter)(void *priv, char which, uint64_t v);
	/* boot attempts left, for status; may be NULL */
	int (*get_attempts)(void *priv, char slot, unsigned *left);
};

struct update_boot {
	const struct update_boot_ops *ops;
	void *priv;
};

extern const struct update_boot_ops update_boot_file_ops;
extern const struct update_boot_ops update_boot_uboot_ops;

/** Open the backend named by cfg->bootstate. update_boot_close() always. */
int update_boot_open(struct update_boot *b, const struct update_config *cfg);
/** NULL-safe, idempotent. */
void update_boot_close(struct update_boot *b);

int update_boot_get_primary(struct update_boot *b, char *slot);
int update_boot_set_primary(struct update_boot *b, char slot);
int update_boot_get_state(struct update_boot *b, char slot, enum update_slot_state *st);
int update_boot_set_state(struct update_boot *b, char slot, enum update_slot_state st);
int update_boot_get_current(struct update_boot *b, char *slot);
int update_boot_get_counter(struct update_boot *b, char which, uint64_t *v);
int update_boot_set_counter(struct update_boot *b, char which, uint64_t v);
int update_boot_get_attempts(struct update_boot *b, char slot, unsigned *left);

/** 'A' -> 'B', 'B' -> 'A'. */
char update_other_slot(char slot);

/**
 * What the bootloader does at power-on, for the file backend (tests and the
 * "reboot" of kioskctl image boot): the primary if it has attempts left, else
 * the other slot (the primary is then marked bad = rollback); one attempt is
 * consumed; CURRENT is set. @booted (may be NULL) gets the slot.
 */
int update_boot_select(const struct update_config *cfg, char *booted);

/**
 * The booted slot is healthy: mark it good (re-arms attempts), make it primary
 * if it is not, and raise the committed anti-rollback counter to its counter.
 */
int update_mark_good(struct update_boot *b);

/**
 * Boot the other slot next (technician's rollback). Refused (KIOSK_ERR_UPDATE)
 * when the other slot is bad or its counter is below the committed one.
 */
int update_rollback(struct update_boot *b, char *now_primary);

#endif /* UPDATE_BOOTSTATE_H */
