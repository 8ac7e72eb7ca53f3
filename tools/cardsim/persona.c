/* SPDX-License-Identifier: MIT */
/* Persona JSON: strict parsing and validation. */
#include "persona.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"

#define PERSONA_FILE_MAX (64 * 1024)

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return KIOSK_ERR_CONFIG;
}

int cardsim_my_number_check_digit(const char *d)
{
	unsigned sum = 0;

	/* P_n is the n-th digit counting leftwards from the one left of the check
	 * digit; Q_n = n + 1 for n <= 6, n - 5 for n >= 7. */
	for (unsigned n = 1; n <= 11; n++) {
		unsigned p = (unsigned)(d[11 - n] - '0');
		unsigned q = n <= 6 ? n + 1 : n - 5;

		sum += p * q;
	}
	sum %= 11;
	return sum <= 1 ? 0 : (int)(11 - sum);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return s[n] == '\0';
}

bool cardsim_my_number_valid(const char *s)
{
	if (s == NULL || strlen(s) != 12 || !all_digits(s, 12)) {
		return false;
	}
	return s[11] - '0' == cardsim_my_number_check_digit(s);
}

/* Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF) without C0/C1
 * controls or DEL: what ends up in DF22/DF23 must be printable text. */
static bool utf8_text_ok(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != 0) {
		uint32_t cp;
		int extra;

		if (*s < 0x80) {
			cp = *s;
			extra = 0;
		} else if ((*s & 0xE0) == 0xC0) {
			cp = *s & 0x1Fu;
			extra = 1;
		} else if ((*s & 0xF0) == 0xE0) {
			cp = *s & 0x0Fu;
			extra = 2;
		} else if ((*s & 0xF8) == 0xF0) {
			cp = *s & 0x07u;
			extra = 3;
		} else {
			return false;
		}
		for (int i = 1; i <= extra; i++) {
			if ((s[i] & 0xC0) != 0x80) {
				return false;
			}
			cp = (cp << 6) | (s[i] & 0x3Fu);
		}
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
			return false;
		}
		s += extra + 1;
	}
	return true;
}

static bool date_ok(const char *d)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, day;

	if (strlen(d) != 8 || !all_digits(d, 8)) {
		return false;
	}
	y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
	m = (d[4] - '0') * 10 + (d[5] - '0');
	day = (d[6] - '0') * 10 + (d[7] - '0');
	if (y < 1868 || y > 2100 || m < 1 || m > 12 || day < 1 || day > mdays[m - 1]) {
		return false;
	}
	if (m == 2 && day == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
		return false;
	}
	return true;
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CARDSIM_ID_MAX) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '-')) {
			return false;
		}
	}
	return true;
}

/* Copy string member @key into @dst (cap bytes incl. NUL). */
static int get_string(const cJSON *root, const char *key, char *dst, size_t cap, char *err,
		      size_t err_cap)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);
	size_t n;

	if (it == NULL) {
		return fail(err, err_cap, "persona: missing field \"%s\"", key);
	}
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		return fail(err, err_cap, "persona: field \"%s\" must be a string", key);
	}
	n = strlen(it->valuestring);
	if (n >= cap) {
		return fail(err, err_cap, "persona: field \"%s\" is too long (max %zu bytes)", key,
			    cap - 1);
	}
	memcpy(dst, it->valuestring, n + 1);
	return 0;
}

static int get_bool(const cJSON *obj, const char *key, bool dflt, bool *out, char *err,
		    size_t err_cap)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (it == NULL) {
		*out = dflt;
		return 0;
	}
	if (!cJSON_IsBool(it)) {
		return fail(err, err_cap, "persona: options.%s must be true or false", key);
	}
	*out = cJSON_IsTrue(it);
	return 0;
}

static bool key_known(const char *k, const char *const *known)
{
	if (k == NULL) {
		return false;
	}
	if (k[0] == '_') {
		return true; /* "_note" and friends are comments */
	}
	for (size_t i = 0; known[i] != NULL; i++) {
		if (strcmp(k, known[i]) == 0) {
			return true;
		}
	}
	return false;
}

static int check_keys(const cJSON *obj, const char *const *known, const char *where, char *err,
		      size_t err_cap)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		if (!key_known(it->string, known)) {
			return fail(err, err_cap, "persona: unknown field \"%s%s\"", where,
				    it->string != NULL ? it->string : "?");
		}
	}
	return 0;
}

static int parse_fields(struct cardsim_persona *p, const cJSON *root, char *err, size_t err_cap)
{
	static const char *const top_keys[] = { "id", "my_number", "name", "address",
						"birth_date", "sex", "pin", "tries_left",
						"municipality", "options", NULL };
	static const char *const opt_keys[] = { "sfi", "extended_length", "presence", NULL };
	char sex[2];
	const cJSON *tries;
	const cJSON *opts;
	int rc;

	if (!cJSON_IsObject(root)) {
		return fail(err, err_cap, "persona: top level must be a JSON object");
	}
	rc = check_keys(root, top_keys, "", err, err_cap);
	if (rc != 0) {
		return rc;
	}

	rc = get_string(root, "id", p->id, sizeof(p->id), err, err_cap);
	if (rc == 0 && !id_ok(p->id)) {
		rc = fail(err, err_cap, "persona: field \"id\" must match [a-z0-9_-]{1,32}");
	}
	if (rc == 0) {
		rc = get_string(root, "my_number", p->my_number, sizeof(p->my_number), err,
				err_cap);
	}
	if (rc == 0 && (strlen(p->my_number) != 12 || !all_digits(p->my_number, 12))) {
		rc = fail(err, err_cap, "persona: field \"my_number\" must be 12 ASCII digits");
	}
	if (rc == 0 && !cardsim_my_number_valid(p->my_number)) {
		rc = fail(err, err_cap, "persona: field \"my_number\" has a wrong check digit");
	}
	if (rc == 0) {
		rc = get_string(root, "name", p->name, sizeof(p->name), err, err_cap);
	}
	if (rc == 0 && (p->name[0] == '\0' || !utf8_text_ok(p->name))) {
		rc = fail(err, err_cap,
			  "persona: field \"name\" must be non-empty printable UTF-8");
	}
	if (rc == 0) {
		rc = get_string(root, "address", p->address, sizeof(p->address), err, err_cap);
	}
	if (rc == 0 && (p->address[0] == '\0' || !utf8_text_ok(p->address))) {
		rc = fail(err, err_cap,
			  "persona: field \"address\" must be non-empty printable UTF-8");
	}
	if (rc == 0) {
		rc = get_string(root, "birth_date", p->birth_date, sizeof(p->birth_date), err,
				err_cap);
	}
	if (rc == 0 && !date_ok(p->birth_date)) {
		rc = fail(err, err_cap,
			  "persona: field \"birth_date\" must be a real date as YYYYMMDD");
	}
	if (rc == 0) {
		rc = get_string(root, "sex", sex, sizeof(sex), err, err_cap);
	}
	if (rc == 0 && (strlen(sex) != 1 || strchr("1290", sex[0]) == NULL)) {
		rc = fail(err, err_cap,
			  "persona: field \"sex\" must be \"1\", \"2\", \"9\" or \"0\"");
	}
	if (rc == 0) {
		p->sex = sex[0];
		rc = get_string(root, "pin", p->pin, sizeof(p->pin), err, err_cap);
	}
	if (rc == 0 && (strlen(p->pin) != 4 || !all_digits(p->pin, 4))) {
		rc = fail(err, err_cap, "persona: field \"pin\" must be 4 ASCII digits");
	}
	if (rc == 0) {
		rc = get_string(root, "municipality", p->municipality, sizeof(p->municipality),
				err, err_cap);
	}
	if (rc == 0 && (strlen(p->municipality) != 6 || !all_digits(p->municipality, 6))) {
		rc = fail(err, err_cap, "persona: field \"municipality\" must be 6 ASCII digits");
	}
	if (rc != 0) {
		return rc;
	}

	tries = cJSON_GetObjectItemCaseSensitive(root, "tries_left");
	if (tries == NULL) {
		return fail(err, err_cap, "persona: missing field \"tries_left\"");
	}
	if (!cJSON_IsNumber(tries) || tries->valuedouble != (double)tries->valueint ||
	    tries->valueint < 0 || tries->valueint > CARDSIM_PIN_TRIES_MAX) {
		return fail(err, err_cap, "persona: field \"tries_left\" must be an integer 0..3");
	}
	p->tries_left = tries->valueint;

	p->opt_sfi = true;
	p->opt_extended = true;
	p->opt_presence = true;
	opts = cJSON_GetObjectItemCaseSensitive(root, "options");
	if (opts == NULL) {
		return 0;
	}
	if (!cJSON_IsObject(opts)) {
		return fail(err, err_cap, "persona: field \"options\" must be an object");
	}
	rc = check_keys(opts, opt_keys, "options.", err, err_cap);
	if (rc == 0) {
		rc = get_bool(opts, "sfi", true, &p->opt_sfi, err, err_cap);
	}
	if (rc == 0) {
		rc = get_bool(opts, "extended_length", true, &p->opt_extended, err, err_cap);
	}
	if (rc == 0) {
		rc = get_bool(opts, "presence", true, &p->opt_presence, err, err_cap);
	}
	return rc;
}

int cardsim_persona_parse(struct cardsim_persona *p, const char *json, size_t len, char *err,
			  size_t err_cap)
{
	cJSON *root;
	int rc;

	if (p == NULL || json == NULL) {
		return fail(err, err_cap, "persona: no input");
	}
	memset(p, 0, sizeof(*p));
	root = cJSON_ParseWithLength(json, len);
	if (root == NULL) {
		return fail(err, err_cap, "persona: not valid JSON");
	}
	rc = parse_fields(p, root, err, err_cap);
	cJSON_Delete(root);
	if (rc != 0) {
		mbedtls_platform_zeroize(p, sizeof(*p));
	}
	return rc;
}

int cardsim_persona_load(struct cardsim_persona *p, const char *path, char *err, size_t err_cap)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t n;
	int rc;

	if (path == NULL) {
		return fail(err, err_cap, "persona: no file given");
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		rc = fail(err, err_cap, "persona: cannot open file: %s", strerror(errno));
		rc = KIOSK_ERR_IO;
		goto out;
	}
	buf = malloc(PERSONA_FILE_MAX + 1);
	if (buf == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	n = fread(buf, 1, PERSONA_FILE_MAX + 1, f);
	if (ferror(f) || n > PERSONA_FILE_MAX) {
		rc = fail(err, err_cap, "persona: file unreadable or larger than %d bytes",
			  PERSONA_FILE_MAX);
		rc = KIOSK_ERR_IO;
		goto out;
	}
	rc = cardsim_persona_parse(p, buf, n, err, err_cap);
out:
	if (buf != NULL) {
		mbedtls_platform_zeroize(buf, PERSONA_FILE_MAX + 1);
		free(buf);
	}
	if (f != NULL) {
		fclose(f);
	}
	return rc;
}
