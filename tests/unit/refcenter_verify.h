/* SPDX-License-Identifier: MIT */
/* Test helper: take apart and verify what the reference center issued. */
#ifndef TESTS_REFCENTER_VERIFY_H
#define TESTS_REFCENTER_VERIFY_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/**
 * Split the compact JWS, check the header (alg ES256, zip DEF, kid == @kid),
 * the 64-byte r||s signature with the public key in @key_pem_path, raw-inflate
 * the payload. @return the JWT claims (caller deletes) or NULL (a failed check).
 */
cJSON *refc_shc_open(const char *jws, const char *key_pem_path, const char *kid);

/** The "kid" of the first key in a JWKS file (static buffer). */
const char *refc_jwks_kid(const char *path);

/** Verify a VDS-NC seal: sig.sigvl over JCS(data) with the key of sig.cer. */
bool refc_vdsnc_verify(const cJSON *seal);

#endif /* TESTS_REFCENTER_VERIFY_H */
