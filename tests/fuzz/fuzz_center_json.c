/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the center's JSON answers (error, municipality list,
 * challenge, issued certificate, domestic and overseas) parsed into bounded
 * structures and a vault.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/center.h"
#include "kiosk/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kiosk_vault vault;
	static bool vault_ready;
	struct center_municipality m[16];
	struct center_challenge ch;
	struct center_certificate cert;
	size_t n = 0;

	if (!vault_ready) {
		kiosk_vault_init(&vault);
		if (kiosk_vault_setup(&vault, CENTER_CERT_VAULT_NEED) != 0) {
			abort();
		}
		vault_ready = true;
	}
	if (size > CENTER_BODY_MAX) {
		return 0;
	}
	(void)center_parse_error(503, data, size);
	if (center_parse_municipalities(data, size, m, 16, &n) == 0 && n > 16) {
		abort();
	}
	(void)center_parse_challenge(data, size, &ch);
	for (int t = CENTER_CERT_DOMESTIC; t <= CENTER_CERT_OVERSEAS; t++) {
		if (center_parse_certificate(data, size, (enum center_cert_type)t, &vault,
				&cert) == 0) {
			if (strlen(cert.shc) != cert.shc_len ||
			    (cert.vdsnc != NULL && strlen(cert.vdsnc) != cert.vdsnc_len)) {
				abort();
			}
		}
		kiosk_vault_wipe(&vault);
	}
	return 0;
}
