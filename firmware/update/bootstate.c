/* SPDX-License-Identifier: MIT */
/* The boot-state core: backend choice, thin wrappers, mark-good and rollback. */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "update/bootstate.h"

char update_other_slot(char slot)
{
	return slot == 'A' ? 'B' : 'A';
}

static int slot_ok(char slot)
{
	return slot == 'A' || slot == 'B';
}

int update_boot_open(struct update_boot *b, const struct update_config *cfg)
{
	const struct update_boot_ops *ops;
	int rc;

	memset(b, 0, sizeof(*b));
	if (strcmp(cfg->bootstate, "file") == 0) {
		ops = &update_boot_file_ops;
	} else if (strcmp(cfg->bootstate, "uboot") == 0) {
		ops = &update_boot_uboot_ops;
	} else {
		return KIOSK_ERR_CONFIG;
	}
	b->priv = calloc(1, ops->priv_size);
	if (b->priv == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	b->ops = ops;
	rc = ops->open ? ops->open(b->priv, cfg) : KIOSK_OK;
	if (rc != KIOSK_OK) {
		update_boot_close(b);
	}
	return rc;
}

void update_boot_close(struct update_boot *b)
{
	if (b == NULL) {
		return;
	}
	if (b->ops != NULL && b->priv != NULL) {
		if (b->ops->close != NULL) {
			b->ops->close(b->priv);
		}
		mbedtls_platform_zeroize(b->priv, b->ops->priv_size);
	}
	free(b->priv);
	b->priv = NULL;
	b->ops = NULL;
}

#define CALL(b, op, ...) \
	((b) == NULL || (b)->ops == NULL ? KIOSK_ERR_INVALID_ARG : \
	 (b)->ops->op == NULL ? KIOSK_ERR_NOT_SUPPORTED : (b)->ops->op((b)->priv, __VA_ARGS__))

int update_boot_get_primary(struct update_boot *b, char *slot)
{
	int rc = CALL(b, get_primary, slot);

	return (rc == KIOSK_OK && !slot_ok(*slot)) ? KIOSK_ERR_UPDATE : rc;
}

int update_boot_set_primary(struct update_boot *b, char slot)
{
	return slot_ok(slot) ? CALL(b, set_primary, slot) : KIOSK_ERR_INVALID_ARG;
}

int update_boot_get_state(struct update_boot *b, char slot, enum update_slot_state *st)
{
	return slot_ok(slot) ? CALL(b, get_state, slot, st) : KIOSK_ERR_INVALID_ARG;
}

int update_boot_set_state(struct update_boot *b, char slot, enum update_slot_state st)
{
	return slot_ok(slot) ? CALL(b, set_state, slot, st) : KIOSK_ERR_INVALID_ARG;
}

int update_boot_get_current(struct update_boot *b, char *slot)
{
	int rc = CALL(b, get_current, slot);

	return (rc == KIOSK_OK && !slot_ok(*slot)) ? KIOSK_ERR_UPDATE : rc;
}

int update_boot_get_counter(struct update_boot *b, char which, uint64_t *v)
{
	return (slot_ok(which) || which == UPDATE_COUNTER_COMMITTED) ?
		       CALL(b, get_counter, which, v) : KIOSK_ERR_INVALID_ARG;
}

int update_boot_set_counter(struct update_boot *b, char which, uint64_t v)
{
	return (slot_ok(which) || which == UPDATE_COUNTER_COMMITTED) ?
		       CALL(b, set_counter, which, v) : KIOSK_ERR_INVALID_ARG;
}

int update_boot_get_attempts(struct update_boot *b, char slot, unsigned *left)
{
	return slot_ok(slot) ? CALL(b, get_attempts, slot, left) : KIOSK_ERR_INVALID_ARG;
}

int update_mark_good(struct update_boot *b)
{
	uint64_t committed = 0;
	uint64_t mine = 0;
	char cur = 0;
	char primary = 0;
	int rc;

	rc = update_boot_get_current(b, &cur);
	if (rc == KIOSK_OK) {
		rc = update_boot_get_primary(b, &primary);
	}
	if (rc == KIOSK_OK) {
		rc = update_boot_set_state(b, cur, UPDATE_SLOT_GOOD);
	}
	if (rc == KIOSK_OK && primary != cur) {
		/* we run from the fallback slot: keep booting what works */
		rc = update_boot_set_primary(b, cur);
	}
	if (rc == KIOSK_OK) {
		rc = update_boot_get_counter(b, UPDATE_COUNTER_COMMITTED, &committed);
	}
	if (rc == KIOSK_OK) {
		rc = update_boot_get_counter(b, cur, &mine);
	}
	/* the anti-rollback counter only moves once the new firmware proved itself */
	if (rc == KIOSK_OK && mine > committed) {
		rc = update_boot_set_counter(b, UPDATE_COUNTER_COMMITTED, mine);
	}
	return rc;
}

int update_rollback(struct update_boot *b, char *now_primary)
{
	enum update_slot_state st = UPDATE_SLOT_BAD;
	uint64_t committed = 0;
	uint64_t theirs = 0;
	char cur = 0;
	char other;
	int rc;

	rc = update_boot_get_current(b, &cur);
	if (rc != KIOSK_OK) {
		return rc;
	}
	other = update_other_slot(cur);
	rc = update_boot_get_state(b, other, &st);
	if (rc == KIOSK_OK) {
		rc = update_boot_get_counter(b, UPDATE_COUNTER_COMMITTED, &committed);
	}
	if (rc == KIOSK_OK) {
		rc = update_boot_get_counter(b, other, &theirs);
	}
	if (rc != KIOSK_OK) {
		return rc;
	}
	if (st != UPDATE_SLOT_GOOD || theirs < committed) {
		return KIOSK_ERR_UPDATE;
	}
	rc = update_boot_set_primary(b, other);
	if (rc == KIOSK_OK && now_primary != NULL) {
		*now_primary = other;
	}
	return rc;
}
