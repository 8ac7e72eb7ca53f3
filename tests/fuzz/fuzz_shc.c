/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the SMART Health Card parser. No keys needed: the first
 * byte picks the entry point —
 *   0: the whole JWS through cert_shc_verify() against a fixed public key set
 *      (header, base64url, part structure, signature form; the signature fails),
 *   1: cert_shc_parse_payload() (raw inflate with the cap, then the claims),
 *   2: cert_shc_parse_claims() (the JSON / FHIR extraction),
 *   3: the numeric QR text and base64url decoding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/certificate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A public P-256 key (RFC 7515 A.3) with kid = its RFC 7638 thumbprint. */
static const char jwks[] =
	"{\"keys\":[{\"kty\":\"EC\",\"kid\":\"oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U\","
	"\"use\":\"sig\",\"alg\":\"ES256\",\"crv\":\"P-256\","
	"\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";

static struct cert_keyset *keys;
static struct kiosk_certificate cert;
static uint8_t scratch[CERT_SCRATCH_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[4096];
	char qr[CERT_QR_TEXT_MAX + 1];
	size_t n;

	if (keys == NULL && cert_keyset_parse_jwks(&keys, jwks, sizeof(jwks) - 1) != 0) {
		abort(); /* the fixed key set must load */
	}
	if (size < 1) {
		return 0;
	}
	switch (data[0] % 4) {
	case 0:
		(void)cert_shc_verify((const char *)data + 1, size - 1, keys, &cert, scratch,
				      sizeof(scratch));
		break;
	case 1:
		(void)cert_shc_parse_payload(data + 1, size - 1, &cert, scratch, sizeof(scratch));
		break;
	case 2:
		if (cert_shc_parse_claims((const char *)data + 1, size - 1, &cert, scratch,
					  sizeof(scratch)) == 0 &&
		    (cert.family[0] == '\0' || cert.dose_count > CERT_DOSES_MAX ||
		     strlen(cert.birth_date) != 8)) {
			abort();
		}
		break;
	default:
		(void)cert_shc_qr_text((const char *)data + 1, size - 1, qr, sizeof(qr), &n);
		(void)cert_b64url_decode((const char *)data + 1, size - 1, data[0] & 4, out,
					 sizeof(out), &n);
		break;
	}
	return 0;
}
