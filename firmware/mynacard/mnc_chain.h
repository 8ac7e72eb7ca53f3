/* SPDX-License-Identifier: MIT */
/* Checks B-D shared by the session (chain.c) and the evidence check (evidence.c). */
#ifndef MNC_CHAIN_H
#define MNC_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk/mynacard.h"
#include "mnc_rsa_pub.h"

/**
 * B (EF 0003 signed by @cert_key), C (SHA-256 of all physical EF 0001 bytes)
 * and D (SHA-256 of the basic-4 span) over raw files. @cert_key must come
 * from a verified EF 0004 (check A).
 */
enum mnc_chain_result mnc_chain_check_data(const struct mnc_rsa_pub *cert_key,
					   const uint8_t *ef0001, size_t ef0001_len,
					   const uint8_t *ef0002, size_t ef0002_len,
					   const uint8_t *ef0003, size_t ef0003_len);

/** KIOSK_ERR_CHAIN_* for @r; 0 for MNC_CHAIN_OK. */
int mnc_chain_err(enum mnc_chain_result r);

#endif /* MNC_CHAIN_H */
