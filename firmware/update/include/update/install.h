/* SPDX-License-Identifier: MIT */
/*
 * Installing a verified image into the inactive slots (RAUC's order):
 * verify everything first, mark the target bad, stream + hash + fsync +
 * read back, and only then make it primary. The active slot is never opened
 * for writing.
 */
#ifndef UPDATE_INSTALL_H
#define UPDATE_INSTALL_H

#include <stdint.h>
#include <time.h>

#include "update/bootstate.h"
#include "update/config.h"
#include "update/image.h"

struct update_install_opts {
	time_t now;            /* 0: time(NULL); certificate validity is checked at this time */
	/*
	 * TEST HOOK (power loss): when >= 0, the slot writer fails after this many
	 * bytes of the install (all payloads together) have reached the slot, before
	 * any set-primary. Set only by tests, or by kioskctl from the environment
	 * variable KIOSK_UPDATE_TEST_FAIL_AFTER when update.test_hooks = on.
	 */
	int64_t fail_after;
};

struct update_report {
	enum update_reason why;
	char msg[256];                 /* English, for the technician; no secrets */
	char target;                   /* slot written ('A'/'B'), 0 before choosing */
	struct update_manifest manifest; /* valid once verified */
	char signer[160];
};

/** opts with now = 0, fail_after = -1. */
void update_install_opts_init(struct update_install_opts *o);

/**
 * Verify and install @image_path. @rep (required) says why on failure.
 * @return KIOSK_OK; KIOSK_ERR_UPDATE (refused, nothing written to any slot, or a
 * hash mismatch while writing: target stays bad); KIOSK_ERR_IO (slot write failed:
 * target stays bad, primary unchanged); KIOSK_ERR_CONFIG.
 */
int update_install(const struct update_config *cfg, struct update_boot *boot,
		   const char *image_path, const struct update_install_opts *o,
		   struct update_report *rep);

/** Verify only (kioskctl image inspect). */
int update_inspect(const char *root_pem, const char *image_path, time_t now,
		   struct update_report *rep);

#endif /* UPDATE_INSTALL_H */
