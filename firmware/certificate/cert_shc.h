/* SPDX-License-Identifier: MIT */
/* Internals shared between the SHC key set and the JWS verifier. */
#ifndef CERT_SHC_H
#define CERT_SHC_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk/certificate.h"

/* The uncompressed public point (65 bytes) of the pinned key @kid.
 * @return 0 or KIOSK_ERR_CERT_UNKNOWN_KEY. */
int cert_keyset_find(const struct cert_keyset *ks, const char *kid, size_t kid_len,
		     const uint8_t **q65);

/* Vaccine product and manufacturer for a CVX code; NULLs when unknown. */
void cert_cvx_lookup(const char *cvx, const char **product, const char **manufacturer);

#endif /* CERT_SHC_H */
