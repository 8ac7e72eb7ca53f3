/* SPDX-License-Identifier: MIT */
/*
 * ICAO VDS-NC proof of vaccination (certificate-formats.md §2.4, §3): one ve
 * per dose, ES256 r||s over the RFC 8785 form of "data", the signer
 * certificate (chained to the test CSCA) in "cer".
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "center.h"

struct product {
	const char *cvx;
	const char *des; /* ICD-11 extension code */
	const char *nam;
};

static const struct product PRODUCTS[] = {
	{"207", "XM0GQ8", "SPIKEVAX"},   {"221", "XM0GQ8", "SPIKEVAX"},
	{"229", "XM0GQ8", "SPIKEVAX"},   {"230", "XM0GQ8", "SPIKEVAX"},
	{"208", "XM0GQ8", "COMIRNATY"},  {"217", "XM0GQ8", "COMIRNATY"},
	{"218", "XM0GQ8", "COMIRNATY"},  {"219", "XM0GQ8", "COMIRNATY"},
	{"300", "XM0GQ8", "COMIRNATY"},  {"301", "XM0GQ8", "COMIRNATY"},
	{"302", "XM0GQ8", "COMIRNATY"},  {"210", "XM9QW8", "VAXZEVRIA"},
	{"211", "XM5JC5", "NUVAXOVID"},  {"212", "XM9QW8", "JCOVDEN"},
};

static const struct product *product(const char *cvx)
{
	static const struct product unknown = {"", "XM68M6", "COVID-19 VACCINE"};

	for (size_t i = 0; i < sizeof(PRODUCTS) / sizeof(PRODUCTS[0]); i++) {
		if (strcmp(PRODUCTS[i].cvx, cvx) == 0) {
			return &PRODUCTS[i];
		}
	}
	return &unknown;
}

cJSON *rc_vdsnc_build(struct rc_keys *k, const char *uvci, const struct rc_holder *h,
		      const struct rc_resident *res)
{
	cJSON *seal = cJSON_CreateObject();
	cJSON *data = cJSON_AddObjectToObject(seal, "data");
	cJSON *hdr = cJSON_AddObjectToObject(data, "hdr");
	cJSON *msg = cJSON_AddObjectToObject(data, "msg");
	cJSON *pid, *ve, *sig;
	struct rc_buf canon = {0};
	uint8_t rs[64];
	char sigvl[128];
	size_t cer_cap = (k->vds_cer_len + 2) / 3 * 4 + 1;
	char *cer = malloc(cer_cap);

	cJSON_AddStringToObject(hdr, "is", "JPN");
	cJSON_AddStringToObject(hdr, "t", "icao.vacc");
	cJSON_AddNumberToObject(hdr, "v", 1);
	cJSON_AddStringToObject(msg, "uvci", uvci);
	pid = cJSON_AddObjectToObject(msg, "pid");
	cJSON_AddStringToObject(pid, "dob", h->birth_date);
	cJSON_AddStringToObject(pid, "i", res->passport);
	cJSON_AddStringToObject(pid, "n", res->romaji);
	if (res->sex[0] != '\0') {
		cJSON_AddStringToObject(pid, "sex", res->sex);
	}
	ve = cJSON_AddArrayToObject(msg, "ve");
	for (size_t i = 0; i < res->n_doses; i++) {
		const struct product *p = product(res->doses[i].cvx);
		cJSON *e = cJSON_CreateObject();
		cJSON *vd = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "des", p->des);
		cJSON_AddStringToObject(e, "dis", "RA01.0");
		cJSON_AddStringToObject(e, "nam", p->nam);
		cJSON_AddStringToObject(vd, "adm", "MHLW_Gov_of_JAPAN");
		cJSON_AddStringToObject(vd, "ctr", "JPN");
		cJSON_AddStringToObject(vd, "dvc", res->doses[i].date);
		cJSON_AddStringToObject(vd, "lot", res->doses[i].lot);
		cJSON_AddNumberToObject(vd, "seq", (double)(i + 1));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "vd"), vd);
		cJSON_AddItemToArray(ve, e);
	}
	if (cer == NULL || rc_jcs(data, &canon) != 0 ||
	    rc_es256_sign(k, &k->vds, (const uint8_t *)canon.p, canon.len, rs) != 0 ||
	    rc_b64url_encode(rs, sizeof(rs), false, sigvl, sizeof(sigvl)) != 0 ||
	    rc_b64url_encode(k->vds_cer, k->vds_cer_len, true, cer, cer_cap) != 0) {
		rc_json_wipe_delete(seal);
		seal = NULL;
		goto out;
	}
	sig = cJSON_AddObjectToObject(seal, "sig");
	cJSON_AddStringToObject(sig, "alg", "ES256");
	cJSON_AddStringToObject(sig, "cer", cer);
	cJSON_AddStringToObject(sig, "sigvl", sigvl);
out:
	rc_buf_free(&canon);
	free(cer);
	return seal;
}
