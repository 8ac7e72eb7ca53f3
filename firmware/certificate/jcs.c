/* SPDX-License-Identifier: MIT */
/* RFC 8785 canonical JSON of a text, for VDS-NC and its test vectors. */
#include "kiosk/certificate.h"
#include "kiosk/err.h"

#include "cert_internal.h"

int cert_jcs_canonicalize(const char *json, size_t len, void *scratch, size_t scratch_cap,
			  uint8_t *out, size_t cap, size_t *out_len)
{
	struct cert_arena a;
	struct cj_node *root;
	int rc;

	if (json == NULL || scratch == NULL || out == NULL || out_len == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out_len = 0;
	cert_arena_init(&a, scratch, scratch_cap);
	rc = cj_parse(&a, json, len, &root);
	if (rc == 0) {
		rc = cj_write_jcs(root, out, cap, out_len);
	}
	cert_arena_wipe(&a);
	return rc;
}
