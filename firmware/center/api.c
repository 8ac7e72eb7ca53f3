/* SPDX-License-Identifier: MIT */
/*
 * The center's three endpoints (docs/center-protocol.md): requests built,
 * answers checked against the schema. Public-data requests use cJSON; the
 * certificate request (base64 of the card files) is written by a bounded
 * writer straight into the vault. cJSON's heap copies of the certificate
 * answer are zeroised by the wiping free hook.
 */
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <mbedtls/base64.h>
#include <mbedtls/platform_util.h>

#include "kiosk/center.h"
#include "kiosk/err.h"

#define SCRATCH_SIZE (16u * 1024u)
#define SMALL_BODY_MAX (16u * 1024u)   /* challenge and error answers */

/* ---- cJSON wiping hooks ------------------------------------------------ */

static void wiping_free(void *p)
{
	if (p != NULL) {
		mbedtls_platform_zeroize(p, malloc_usable_size(p));
		free(p);
	}
}

void center_json_install_wiping_hooks(void)
{
	/* malloc stays malloc, so free() of a cJSON_Print result stays valid
	 * for every other user of cJSON in the process. */
	static cJSON_Hooks hooks = { .malloc_fn = malloc, .free_fn = wiping_free };

	cJSON_InitHooks(&hooks);
}

/* ---- small checks ------------------------------------------------------ */

static bool all_chars(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0' || strchr(set, s[i]) == NULL) {
			return false;
		}
	}
	return true;
}

static const char DIGITS[] = "0123456789";
#define B64URL_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
static const char B64URL[] = B64URL_CHARS;
static const char HEX_LC[] = "0123456789abcdef";

static bool valid_muni_code(const char *s)
{
	return s != NULL && strlen(s) == CENTER_MUNI_CODE_LEN &&
	       all_chars(s, CENTER_MUNI_CODE_LEN, DIGITS);
}

/* "YYYY-MM-DDTHH:MM:SSZ" */
static bool valid_timestamp(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != sizeof(pat) - 1) {
		return false;
	}
	for (size_t i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i]) {
			return false;
		}
	}
	return true;
}

static bool printable_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

/* Exactly three ASCII upper-case letters (ISO 3166-1 alpha-3). */
static bool alpha3(const char *s)
{
	for (size_t i = 0; i < 3; i++) {
		if (s[i] < 'A' || s[i] > 'Z') {
			return false;
		}
	}
	return s[3] == '\0';
}

/* Strict UTF-8 (no overlongs, surrogates or > U+10FFFF) without C0 controls or DEL:
 * names go on the kiosk's screen. */
static bool display_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != 0) {
		unsigned c = *s;
		unsigned need;
		unsigned cp;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f) {
				return false;
			}
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (unsigned i = 1; i <= need; i++) {
			if ((s[i] & 0xc0) != 0x80) {
				return false;
			}
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff))) {
			return false;
		}
		s += need + 1;
	}
	return true;
}

/* Copy a string member of @obj into @dst (< @cap bytes incl. NUL). */
static int get_string(const cJSON *obj, const char *name, char *dst, size_t cap)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	size_t n;

	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		return KIOSK_ERR_CENTER_PROTOCOL;
	}
	n = strlen(it->valuestring);
	if (n == 0 || n >= cap) {
		return KIOSK_ERR_CENTER_PROTOCOL;
	}
	memcpy(dst, it->valuestring, n + 1);
	return KIOSK_OK;
}

static cJSON *parse_object(const uint8_t *body, size_t len)
{
	cJSON *root;

	if (body == NULL || len == 0 || len > CENTER_BODY_MAX) {
		return NULL;
	}
	root = cJSON_ParseWithLength((const char *)body, len);
	if (root != NULL && !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* ---- error answers -------------------------------------------------------- */

static const struct {
	const char *name;
	int err;
} center_errors[] = {
	{ "bad_request", KIOSK_ERR_CENTER_BAD_REQUEST },
	{ "not_participating", KIOSK_ERR_CENTER_NOT_PARTICIPATING },
	{ "no_records", KIOSK_ERR_CENTER_NO_RECORDS },
	{ "challenge_expired", KIOSK_ERR_CENTER_CHALLENGE_EXPIRED },
	{ "card_invalid", KIOSK_ERR_CENTER_CARD_INVALID },
	{ "presence_failed", KIOSK_ERR_CENTER_PRESENCE_FAILED },
	{ "overseas_not_registered", KIOSK_ERR_CENTER_OVERSEAS_NOT_REGISTERED },
	{ "busy", KIOSK_ERR_CENTER_BUSY },
	{ "internal", KIOSK_ERR_CENTER_INTERNAL },
};

static int status_fallback(unsigned status)
{
	if (status == 503) {
		return KIOSK_ERR_CENTER_BUSY;
	}
	if (status == 500) {
		return KIOSK_ERR_CENTER_INTERNAL;
	}
	return KIOSK_ERR_CENTER_PROTOCOL;
}

int center_parse_error(unsigned status, const uint8_t *body, size_t len)
{
	cJSON *root = parse_object(body, len);
	const cJSON *st;
	const cJSON *er;
	int rc = status_fallback(status);

	if (root == NULL) {
		return rc;
	}
	st = cJSON_GetObjectItemCaseSensitive(root, "status");
	er = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (cJSON_IsString(st) && strcmp(st->valuestring, "error") == 0 && cJSON_IsString(er)) {
		for (size_t i = 0; i < sizeof(center_errors) / sizeof(center_errors[0]); i++) {
			if (strcmp(er->valuestring, center_errors[i].name) == 0) {
				rc = center_errors[i].err;
				break;
			}
		}
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- municipalities ----------------------------------------------------- */

int center_parse_municipalities(const uint8_t *body, size_t len, struct center_municipality *out,
				size_t cap, size_t *n)
{
	cJSON *root;
	const cJSON *ver;
	const cJSON *list;
	const cJSON *it;
	size_t count = 0;
	int rc = KIOSK_ERR_CENTER_PROTOCOL;

	if (out == NULL || n == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*n = 0;
	root = parse_object(body, len);
	if (root == NULL) {
		return KIOSK_ERR_CENTER_PROTOCOL;
	}
	ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	list = cJSON_GetObjectItemCaseSensitive(root, "municipalities");
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1.0 || !cJSON_IsArray(list)) {
		goto out;
	}
	cJSON_ArrayForEach(it, list)
	{
		struct center_municipality *m;
		const cJSON *ov;

		if (count >= cap) {
			goto out; /* more than we can hold: refuse rather than truncate */
		}
		m = &out[count];
		memset(m, 0, sizeof(*m));
		if (!cJSON_IsObject(it) || get_string(it, "code", m->code, sizeof(m->code)) != 0 ||
		    !valid_muni_code(m->code) ||
		    get_string(it, "name_ja", m->name_ja, sizeof(m->name_ja)) != 0 ||
		    get_string(it, "name_en", m->name_en, sizeof(m->name_en)) != 0 ||
		    !display_utf8(m->name_ja) || !display_utf8(m->name_en)) {
			goto out;
		}
		ov = cJSON_GetObjectItemCaseSensitive(it, "overseas");
		if (!cJSON_IsBool(ov)) {
			goto out;
		}
		m->overseas = cJSON_IsTrue(ov);
		for (size_t j = 0; j < count; j++) {
			if (strcmp(out[j].code, m->code) == 0) {
				goto out; /* duplicate code */
			}
		}
		count++;
	}
	*n = count;
	rc = KIOSK_OK;
out:
	if (rc != 0 && cap > 0) {
		memset(out, 0, sizeof(*out) * (count < cap ? count + 1 : cap));
	}
	cJSON_Delete(root);
	return rc;
}

int center_municipalities_to_json(const struct center_municipality *m, size_t n, char *out,
				  size_t cap, size_t *out_len)
{
	cJSON *root = NULL;
	cJSON *list;
	int rc = KIOSK_ERR_NO_MEMORY;

	if ((m == NULL && n > 0) || out == NULL || out_len == NULL || cap == 0 || cap > INT_MAX) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out_len = 0;
	root = cJSON_CreateObject();
	if (root == NULL || cJSON_AddNumberToObject(root, "version", 1) == NULL) {
		goto out;
	}
	list = cJSON_AddArrayToObject(root, "municipalities");
	if (list == NULL) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL) {
			goto out;
		}
		cJSON_AddItemToArray(list, o);
		if (cJSON_AddStringToObject(o, "code", m[i].code) == NULL ||
		    cJSON_AddStringToObject(o, "name_ja", m[i].name_ja) == NULL ||
		    cJSON_AddStringToObject(o, "name_en", m[i].name_en) == NULL ||
		    cJSON_AddBoolToObject(o, "overseas", m[i].overseas) == NULL) {
			goto out;
		}
	}
	/* cJSON wants 5 bytes of slack; a short print is reported as too small. */
	if (!cJSON_PrintPreallocated(root, out, (int)cap, false) || strlen(out) + 5 > cap) {
		out[0] = '\0';
		rc = KIOSK_ERR_BUFFER_TOO_SMALL;
		goto out;
	}
	*out_len = strlen(out);
	rc = KIOSK_OK;
out:
	cJSON_Delete(root);
	return rc;
}

/* ---- challenge ------------------------------------------------------------ */

int center_parse_challenge(const uint8_t *body, size_t len, struct center_challenge *out)
{
	cJSON *root;
	const cJSON *exp;
	char std[CENTER_CHALLENGE_TEXT_MAX];
	size_t tlen;
	size_t olen = 0;
	int rc = KIOSK_ERR_CENTER_PROTOCOL;

	if (out == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(out, 0, sizeof(*out));
	root = parse_object(body, len);
	if (root == NULL) {
		return KIOSK_ERR_CENTER_PROTOCOL;
	}
	if (get_string(root, "challenge", out->text, sizeof(out->text)) != 0) {
		goto out;
	}
	/* base64url of 32 bytes: 43 characters, no padding (accept one '='). */
	tlen = strlen(out->text);
	if (tlen == 44 && out->text[43] == '=') {
		tlen = 43;
	}
	if (tlen != 43 || !all_chars(out->text, 43, B64URL)) {
		goto out;
	}
	for (size_t i = 0; i < 43; i++) {
		std[i] = out->text[i] == '-' ? '+' : out->text[i] == '_' ? '/' : out->text[i];
	}
	std[43] = '=';
	if (mbedtls_base64_decode(out->bytes, sizeof(out->bytes), &olen, (const unsigned char *)std,
				  44) != 0 ||
	    olen != CENTER_CHALLENGE_LEN) {
		goto out;
	}
	exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	if (!cJSON_IsNumber(exp) || exp->valuedouble < 1 || exp->valuedouble > 3600 ||
	    exp->valuedouble != (double)(unsigned)exp->valuedouble) {
		goto out;
	}
	out->expires_in = (unsigned)exp->valuedouble;
	rc = KIOSK_OK;
out:
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- certificate answer ------------------------------------------------- */

static char *vault_strdup(struct kiosk_vault *v, const char *s, size_t n)
{
	char *d = kiosk_vault_alloc(v, n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

int center_parse_certificate(const uint8_t *body, size_t len, enum center_cert_type expect,
			     struct kiosk_vault *v, struct center_certificate *out)
{
	cJSON *root;
	const cJSON *it;
	const cJSON *seal;
	char status[16];
	char type[16];
	size_t n;
	int rc = KIOSK_ERR_CENTER_PROTOCOL;

	if (v == NULL || out == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(out, 0, sizeof(*out));
	center_json_install_wiping_hooks();
	root = parse_object(body, len);
	if (root == NULL) {
		return KIOSK_ERR_CENTER_PROTOCOL;
	}
	if (get_string(root, "status", status, sizeof(status)) != 0 ||
	    strcmp(status, "issued") != 0 ||
	    get_string(root, "certificate_id", out->certificate_id, sizeof(out->certificate_id)) !=
		    0 ||
	    !printable_ascii(out->certificate_id, strlen(out->certificate_id)) ||
	    get_string(root, "issued_at", out->issued_at, sizeof(out->issued_at)) != 0 ||
	    !valid_timestamp(out->issued_at) ||
	    get_string(root, "municipality", out->municipality, sizeof(out->municipality)) != 0 ||
	    !valid_muni_code(out->municipality) ||
	    get_string(root, "type", type, sizeof(type)) != 0) {
		goto out;
	}
	if (strcmp(type, "domestic") == 0) {
		out->type = CENTER_CERT_DOMESTIC;
	} else if (strcmp(type, "overseas") == 0) {
		out->type = CENTER_CERT_OVERSEAS;
	} else {
		goto out;
	}
	if (out->type != expect) {
		goto out;
	}
	it = cJSON_GetObjectItemCaseSensitive(root, "shc");
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		goto out;
	}
	/* A compact JWS: base64url parts separated by exactly two dots. */
	n = strlen(it->valuestring);
	if (n < 5 || n > CENTER_BODY_MAX || !all_chars(it->valuestring, n, B64URL_CHARS ".")) {
		goto out;
	}
	{
		const char *d1 = strchr(it->valuestring, '.');
		const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;

		if (d1 == NULL || d2 == NULL || strchr(d2 + 1, '.') != NULL ||
		    d1 == it->valuestring || d2 == d1 + 1 || d2[1] == '\0') {
			goto out;
		}
	}
	out->shc = vault_strdup(v, it->valuestring, n);
	if (out->shc == NULL) {
		rc = KIOSK_ERR_VAULT;
		goto out;
	}
	out->shc_len = n;
	seal = cJSON_GetObjectItemCaseSensitive(root, "vdsnc");
	if (out->type == CENTER_CERT_OVERSEAS) {
		/* Minified is shorter than the answer except for numbers cJSON prints
		 * longer ("1e3" -> "1000"); a seal that outgrows the slack is refused. */
		size_t cap = len + 256;
		char *buf;

		if (!cJSON_IsObject(seal) ||
		    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(seal, "data")) ||
		    cJSON_GetObjectItemCaseSensitive(seal, "sig") == NULL) {
			goto out;
		}
		buf = kiosk_vault_alloc(v, cap + 8);
		if (buf == NULL) {
			rc = KIOSK_ERR_VAULT;
			goto out;
		}
		/* cJSON_PrintPreallocated writes straight into the vault buffer. */
		if (!cJSON_PrintPreallocated((cJSON *)seal, buf, (int)(cap + 8), false)) {
			goto out;
		}
		out->vdsnc = buf;
		out->vdsnc_len = strlen(buf);
		/* Absent: the page prints "-". Present but not alpha-3: the center is
		 * broken, and a wrong nationality must not reach paper. */
		it = cJSON_GetObjectItemCaseSensitive(root, "nationality");
		if (it != NULL && (get_string(root, "nationality", out->nationality,
					      sizeof(out->nationality)) != 0 ||
				   !alpha3(out->nationality))) {
			goto out;
		}
	}
	rc = KIOSK_OK;
out:
	if (rc != 0) {
		/* The vault copies are wiped with the vault; drop the references. */
		if (out->shc != NULL) {
			mbedtls_platform_zeroize(out->shc, out->shc_len);
		}
		memset(out, 0, sizeof(*out));
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- certificate request -------------------------------------------------- */

struct writer {
	char *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static void w_raw(struct writer *w, const char *s, size_t n)
{
	if (w->overflow || n >= w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void w_str(struct writer *w, const char *s)
{
	w_raw(w, s, strlen(s));
}

static void w_b64(struct writer *w, const uint8_t *d, size_t n)
{
	size_t olen = 0;

	if (w->overflow) {
		return;
	}
	/* mbedtls_base64_encode NUL-terminates, which the writer's spare byte allows. */
	if (mbedtls_base64_encode((unsigned char *)w->p + w->len, w->cap - w->len, &olen, d, n) !=
		    0 ||
	    olen >= w->cap - w->len) {
		w->overflow = true;
		return;
	}
	w->len += olen;
}

int center_build_certificate_request(const char *kiosk_id, const struct center_cert_request *req,
				     char *out, size_t cap, size_t *out_len)
{
	struct writer w = { .p = out, .cap = cap };
	static const char *const ef_names[] = { "ef0001", "ef0002", "ef0003", "ef0004", "ef0007" };
	const uint8_t *ef[5];
	size_t ef_len[5];
	size_t clen;

	if (kiosk_id == NULL || req == NULL || out == NULL || out_len == NULL || cap == 0) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out_len = 0;
	ef[0] = req->ef0001; ef_len[0] = req->ef0001_len;
	ef[1] = req->ef0002; ef_len[1] = req->ef0002_len;
	ef[2] = req->ef0003; ef_len[2] = req->ef0003_len;
	ef[3] = req->ef0004; ef_len[3] = req->ef0004_len;
	ef[4] = req->ef0007; ef_len[4] = req->ef0007_len;
	/* Only fixed-charset strings go in unescaped; anything else is a bug upstream. */
	if (strlen(req->request_id) != CENTER_REQUEST_ID_LEN ||
	    !all_chars(req->request_id, CENTER_REQUEST_ID_LEN, HEX_LC) ||
	    strlen(kiosk_id) == 0 || strlen(kiosk_id) >= CENTER_KIOSK_ID_MAX ||
	    !all_chars(kiosk_id, strlen(kiosk_id),
		       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ||
	    !valid_muni_code(req->municipality) ||
	    (req->type != CENTER_CERT_DOMESTIC && req->type != CENTER_CERT_OVERSEAS) ||
	    req->challenge == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	clen = strlen(req->challenge);
	if (clen == 0 || clen >= CENTER_CHALLENGE_TEXT_MAX ||
	    !all_chars(req->challenge, clen, B64URL_CHARS "=") ||
	    req->signature == NULL || req->signature_len == 0) {
		return KIOSK_ERR_INVALID_ARG;
	}
	for (size_t i = 0; i < 5; i++) {
		if (ef[i] == NULL || ef_len[i] == 0) {
			return KIOSK_ERR_INVALID_ARG;
		}
	}
	w_str(&w, "{\"request_id\":\"");
	w_str(&w, req->request_id);
	w_str(&w, "\",\"kiosk_id\":\"");
	w_str(&w, kiosk_id);
	w_str(&w, "\",\"municipality\":\"");
	w_str(&w, req->municipality);
	w_str(&w, "\",\"type\":\"");
	w_str(&w, req->type == CENTER_CERT_OVERSEAS ? "overseas" : "domestic");
	w_str(&w, "\",\"card\":{");
	for (size_t i = 0; i < 5; i++) {
		w_str(&w, i == 0 ? "\"" : ",\"");
		w_str(&w, ef_names[i]);
		w_str(&w, "\":\"");
		w_b64(&w, ef[i], ef_len[i]);
		w_str(&w, "\"");
	}
	w_str(&w, "},\"challenge\":\"");
	w_str(&w, req->challenge);
	w_str(&w, "\",\"challenge_signature\":\"");
	w_b64(&w, req->signature, req->signature_len);
	w_str(&w, "\"}");
	if (w.overflow) {
		mbedtls_platform_zeroize(out, cap);
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	out[w.len] = '\0';
	*out_len = w.len;
	return KIOSK_OK;
}

/* ---- endpoints ------------------------------------------------------------ */

static bool is_json(const struct center_http_response *r)
{
	size_t n = strlen("application/json");

	return strncmp(r->content_type, "application/json", n) == 0 &&
	       (r->content_type[n] == '\0' || r->content_type[n] == ';' ||
		r->content_type[n] == ' ');
}

int center_new_request_id(struct center_client *c, char out[CENTER_REQUEST_ID_LEN + 1])
{
	uint8_t rnd[CENTER_REQUEST_ID_LEN / 2];
	int ret;

	if (c == NULL || out == NULL || !c->ready) {
		return KIOSK_ERR_INVALID_ARG;
	}
	ret = mbedtls_ctr_drbg_random(&c->drbg, rnd, sizeof(rnd));
	if (ret != 0) {
		c->last_lib_err = ret;
		return KIOSK_ERR_CRYPTO;
	}
	for (size_t i = 0; i < sizeof(rnd); i++) {
		out[2 * i] = HEX_LC[rnd[i] >> 4];
		out[2 * i + 1] = HEX_LC[rnd[i] & 15];
	}
	out[CENTER_REQUEST_ID_LEN] = '\0';
	return KIOSK_OK;
}

int center_get_municipalities(struct center_client *c, struct center_municipality *out,
			      size_t cap, size_t *n)
{
	struct center_http_response resp;
	uint8_t *body = NULL;
	uint8_t *scratch = NULL;
	int rc;

	if (c == NULL || out == NULL || n == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*n = 0;
	/* The list is public data: the heap is fine. */
	body = malloc(CENTER_BODY_MAX);
	scratch = malloc(SCRATCH_SIZE);
	if (body == NULL || scratch == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	rc = center_http_exchange(c, "GET", "/v1/municipalities", NULL, 0, body, CENTER_BODY_MAX,
				  scratch, SCRATCH_SIZE, &resp);
	if (rc != 0) {
		goto out;
	}
	if (resp.status != 200) {
		rc = resp.status >= 200 && resp.status < 300 ?
			     KIOSK_ERR_CENTER_PROTOCOL :
			     center_parse_error(resp.status, resp.body, resp.body_len);
		goto out;
	}
	if (!is_json(&resp)) {
		rc = KIOSK_ERR_CENTER_PROTOCOL;
		goto out;
	}
	rc = center_parse_municipalities(resp.body, resp.body_len, out, cap, n);
out:
	free(scratch);
	free(body);
	return rc;
}

int center_post_challenge(struct center_client *c, struct center_challenge *out)
{
	struct center_http_response resp;
	uint8_t *body = NULL;
	uint8_t *scratch = NULL;
	cJSON *req = NULL;
	char json[CENTER_KIOSK_ID_MAX + 32];
	int rc;

	if (c == NULL || out == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(out, 0, sizeof(*out));
	req = cJSON_CreateObject();
	if (req == NULL || cJSON_AddStringToObject(req, "kiosk_id", c->kiosk_id) == NULL ||
	    !cJSON_PrintPreallocated(req, json, sizeof(json), false)) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	body = malloc(SMALL_BODY_MAX);
	scratch = malloc(SCRATCH_SIZE);
	if (body == NULL || scratch == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	rc = center_http_exchange(c, "POST", "/v1/challenges", (const uint8_t *)json, strlen(json),
				  body, SMALL_BODY_MAX, scratch, SCRATCH_SIZE, &resp);
	if (rc != 0) {
		goto out;
	}
	if (resp.status != 201 && resp.status != 200) {
		rc = resp.status >= 200 && resp.status < 300 ?
			     KIOSK_ERR_CENTER_PROTOCOL :
			     center_parse_error(resp.status, resp.body, resp.body_len);
		goto out;
	}
	rc = is_json(&resp) ? center_parse_challenge(resp.body, resp.body_len, out) :
			      KIOSK_ERR_CENTER_PROTOCOL;
out:
	cJSON_Delete(req);
	free(scratch);
	free(body);
	return rc;
}

static bool retryable(int rc)
{
	return rc == KIOSK_ERR_CENTER_BUSY || rc == KIOSK_ERR_CONNECTION_DROPPED ||
	       rc == KIOSK_ERR_READ_TIMEOUT;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0) {
	}
}

int center_request_certificate(struct center_client *c, const struct center_cert_request *req,
			       struct kiosk_vault *v, struct center_certificate *out)
{
	struct center_http_response resp;
	/* Worst case request: five EFs of 2 KiB and a 512-byte signature in base64. */
	const size_t json_cap = 32u * 1024u;
	char *json;
	uint8_t *body;
	uint8_t *scratch;
	size_t json_len = 0;
	int rc;

	if (c == NULL || req == NULL || v == NULL || out == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(out, 0, sizeof(*out));
	center_json_install_wiping_hooks();
	json = kiosk_vault_alloc(v, json_cap);
	body = kiosk_vault_alloc(v, CENTER_BODY_MAX);
	scratch = kiosk_vault_alloc(v, SCRATCH_SIZE);
	if (json == NULL || body == NULL || scratch == NULL) {
		return KIOSK_ERR_VAULT;
	}
	rc = center_build_certificate_request(c->kiosk_id, req, json, json_cap, &json_len);
	if (rc != 0) {
		goto out;
	}
	for (unsigned attempt = 0;; attempt++) {
		rc = center_http_exchange(c, "POST", "/v1/certificates", (const uint8_t *)json,
					  json_len, body, CENTER_BODY_MAX, scratch, SCRATCH_SIZE,
					  &resp);
		if (rc == 0 && resp.status != 200) {
			rc = resp.status >= 200 && resp.status < 300 ?
				     KIOSK_ERR_CENTER_PROTOCOL :
				     center_parse_error(resp.status, resp.body, resp.body_len);
		} else if (rc == 0) {
			rc = is_json(&resp) ? center_parse_certificate(resp.body, resp.body_len,
								       req->type, v, out) :
					      KIOSK_ERR_CENTER_PROTOCOL;
		}
		if (rc == 0 && strcmp(out->municipality, req->municipality) != 0) {
			/* a certificate from another municipality's records: not ours */
			mbedtls_platform_zeroize(out->shc, out->shc_len);
			if (out->vdsnc != NULL) {
				mbedtls_platform_zeroize(out->vdsnc, out->vdsnc_len);
			}
			memset(out, 0, sizeof(*out));
			rc = KIOSK_ERR_CENTER_PROTOCOL;
		}
		/* Same body, same request_id: the center answers a repeat idempotently. */
		if (!retryable(rc) || attempt >= c->retries) {
			break;
		}
		mbedtls_platform_zeroize(body, CENTER_BODY_MAX);
		if (c->on_retry != NULL) {
			c->on_retry(c->on_retry_arg, attempt + 1, rc);
		}
		if (rc == KIOSK_ERR_CENTER_BUSY) {
			sleep_ms(c->retry_delay_ms);
		}
	}
out:
	/* The answer's raw bytes are no longer needed; the parsed copies stay. */
	mbedtls_platform_zeroize(body, CENTER_BODY_MAX);
	mbedtls_platform_zeroize(json, json_cap);
	return rc;
}
