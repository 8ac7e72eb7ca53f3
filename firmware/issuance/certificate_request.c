/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "kiosk/issuance.h"

_Static_assert(sizeof(((struct kiosk_certificate *)0)->nationality) ==
		       sizeof(((struct center_certificate *)0)->nationality),
	       "the center's nationality and the model's are the same alpha-3 field");

/* Verify what the center answered before anything can be shown or printed. */
static int verify_answer(const struct center_certificate *issued, enum center_cert_type type,
			 const struct issuance_trust *trust, struct kiosk_vault *v,
			 struct kiosk_certificate *model)
{
	void *scratch = kiosk_vault_alloc(v, CERT_SCRATCH_SIZE);
	int rc;

	if (scratch == NULL) {
		return KIOSK_ERR_VAULT;
	}
	if (issued->shc == NULL) {
		rc = KIOSK_ERR_CENTER_PROTOCOL;
		goto out;
	}
	rc = cert_shc_verify(issued->shc, issued->shc_len, trust->issuers, model, scratch,
			     CERT_SCRATCH_SIZE);
	if (rc != 0) {
		goto out;
	}
	/* Overseas: the seal goes into the same model, after the SHC (which clears it). */
	if (type == CENTER_CERT_OVERSEAS) {
		if (issued->vdsnc == NULL || trust->csca == NULL) {
			rc = KIOSK_ERR_CERT_FORMAT;
			goto out;
		}
		rc = cert_vdsnc_verify(issued->vdsnc, issued->vdsnc_len, trust->csca, model,
				       scratch, CERT_SCRATCH_SIZE);
		if (rc != 0) {
			goto out;
		}
		/* Neither the SHC nor the seal carries it: the center's answer (mutual
		 * TLS, the municipality's passport registration) does. Only taken once
		 * the signed parts verified, so it never stands on an unverified page. */
		memcpy(model->nationality, issued->nationality, sizeof(model->nationality));
	}
	rc = cert_set_issuance(model, issued->certificate_id, issued->issued_at,
			       issued->municipality,
			       type == CENTER_CERT_OVERSEAS ? CERT_TYPE_OVERSEAS : CERT_TYPE_DOMESTIC);
out:
	mbedtls_platform_zeroize(scratch, CERT_SCRATCH_SIZE);
	return rc;
}

int issuance_request_certificate(struct mnc_session *s, struct center_client *c,
				 const struct center_challenge *challenge, const char *municipality,
				 enum center_cert_type type, const struct issuance_trust *trust,
				 struct kiosk_vault *v, struct center_certificate *issued,
				 struct kiosk_certificate *model, bool *holder_match)
{
	struct center_cert_request req;
	int rc;

	*holder_match = false;
	if (s == NULL || s->raw == NULL || s->personal == NULL || s->chain != MNC_CHAIN_OK ||
	    s->presence != MNC_PRESENCE_OK || trust == NULL || trust->issuers == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	/* EF 0004 in full: read from the card, or the cached file on a cache hit. */
	if (s->raw->ef0004_len == 0) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(&req, 0, sizeof(req));
	rc = center_new_request_id(c, req.request_id);
	if (rc != 0) {
		return rc;
	}
	req.municipality = municipality;
	req.type = type;
	req.challenge = challenge->text;
	req.ef0001 = s->raw->ef0001;
	req.ef0001_len = s->raw->ef0001_len;
	req.ef0002 = s->raw->ef0002;
	req.ef0002_len = s->raw->ef0002_len;
	req.ef0003 = s->raw->ef0003;
	req.ef0003_len = s->raw->ef0003_len;
	req.ef0004 = s->raw->ef0004;
	req.ef0004_len = s->raw->ef0004_len;
	req.ef0007 = s->raw->ef0007;
	req.ef0007_len = s->raw->ef0007_len;
	req.signature = s->raw->nonce_sig;
	req.signature_len = s->raw->nonce_sig_len;
	rc = center_request_certificate(c, &req, v, issued);
	if (rc != 0) {
		return rc;
	}
	rc = verify_answer(issued, type, trust, v, model);
	if (rc != 0) {
		cert_clear(model);
		return rc;
	}
	/* A verified certificate for someone else is still not this resident's. */
	rc = cert_check_holder(model, s->personal->name, s->personal->birth_date);
	if (rc != 0) {
		cert_clear(model);
		return rc;
	}
	*holder_match = true;
	return 0;
}
