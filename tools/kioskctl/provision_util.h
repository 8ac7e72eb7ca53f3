/* SPDX-License-Identifier: MIT */
/* Helpers shared by provision.c, anchor_bundle.c and provision_cmd.c. */
#ifndef KIOSKCTL_PROVISION_UTIL_H
#define KIOSKCTL_PROVISION_UTIL_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

/** snprintf into @why when it is not NULL. */
void provision_why(char *why, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Seed a CTR-DRBG from the platform entropy. @return 0 or KIOSK_ERR_CRYPTO. */
int provision_rng_setup(mbedtls_entropy_context *e, mbedtls_ctr_drbg_context *d);
/** fsync a folder (so a rename inside it survives power loss). */
int provision_fsync_dir(const char *dir);
/** The folder part of @path ("." when none). */
int provision_dirname(const char *path, char *out, size_t cap);
/** "@dir/@name" into @out. */
int provision_path(char *out, size_t cap, const char *dir, const char *name);
/** True when @pk is an EC key on P-256. */
int provision_pk_is_p256(const mbedtls_pk_context *pk);
/** True when both keys have the same public part. */
int provision_same_public_key(mbedtls_pk_context *a, mbedtls_pk_context *b);

#endif /* KIOSKCTL_PROVISION_UTIL_H */
