/* SPDX-License-Identifier: MIT */
/*
 * The vaccination record system stand-in: one SQLite database per
 * municipality, each its own in-memory handle seeded from the fixtures at
 * start (nothing on disk). A lookup names the municipality and opens only
 * that municipality's handle, so a request for X can never read Y's records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>
#include <sqlite3.h>

#include "center.h"

struct rc_muni_db {
	struct rc_municipality m;
	sqlite3 *db; /* NULL for a municipality without records (non-participating) */
};

struct rc_records {
	struct rc_muni_db munis[RC_MUNI_MAX];
	size_t n;
};

static const char SCHEMA[] =
	"CREATE TABLE residents(my_number TEXT PRIMARY KEY, romaji TEXT, passport TEXT,"
	" nationality TEXT, sex TEXT);"
	"CREATE TABLE doses(my_number TEXT NOT NULL, date TEXT NOT NULL, cvx TEXT NOT NULL,"
	" lot TEXT NOT NULL);"
	"CREATE INDEX doses_by_person ON doses(my_number);";

static char *read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (f == NULL) {
		return NULL;
	}
	p = malloc(max + 1);
	if (p == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(p, 1, max, f);
	fclose(f);
	p[n] = '\0';
	return p;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool digits(const char *s, size_t n)
{
	if (s == NULL || strlen(s) != n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

static int exec_bind(sqlite3 *db, const char *sql, const char *const *args, int nargs)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		return -1;
	}
	for (int i = 0; i < nargs; i++) {
		if (sqlite3_bind_text(st, i + 1, args[i] ? args[i] : "", -1, SQLITE_STATIC) !=
		    SQLITE_OK) {
			goto out;
		}
	}
	if (sqlite3_step(st) == SQLITE_DONE) {
		rc = 0;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

static int seed(sqlite3 *db, const char *path)
{
	char *text = read_file(path, 1u << 20);
	cJSON *root = NULL;
	const cJSON *res, *person;
	int rc = -1;

	if (text == NULL) {
		return -1;
	}
	root = cJSON_Parse(text);
	res = cJSON_GetObjectItemCaseSensitive(root, "residents");
	if (!cJSON_IsArray(res) || sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		goto out;
	}
	cJSON_ArrayForEach(person, res) {
		const char *mn = jstr(person, "my_number");
		const cJSON *ov = cJSON_GetObjectItemCaseSensitive(person, "overseas");
		const cJSON *doses = cJSON_GetObjectItemCaseSensitive(person, "doses");
		const cJSON *d;
		const char *args[5];

		if (!digits(mn, 12) || !cJSON_IsArray(doses)) {
			goto out;
		}
		args[0] = mn;
		args[1] = ov ? jstr(ov, "romaji") : NULL;
		args[2] = ov ? jstr(ov, "passport") : NULL;
		args[3] = ov ? jstr(ov, "nationality") : NULL;
		args[4] = ov ? jstr(ov, "sex") : NULL;
		if (exec_bind(db, "INSERT INTO residents VALUES(?,?,?,?,?)", args, 5) != 0) {
			goto out;
		}
		cJSON_ArrayForEach(d, doses) {
			const char *da[4] = {mn, jstr(d, "date"), jstr(d, "cvx"), jstr(d, "lot")};

			if (da[1] == NULL || strlen(da[1]) != 10 || da[2] == NULL ||
			    da[3] == NULL ||
			    exec_bind(db, "INSERT INTO doses VALUES(?,?,?,?)", da, 4) != 0) {
				goto out;
			}
		}
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		rc = 0;
	}
out:
	cJSON_Delete(root);
	mbedtls_platform_zeroize(text, strlen(text));
	free(text);
	return rc;
}

int rc_records_open(struct rc_records **out, const char *dir)
{
	char path[4096];
	char *text;
	cJSON *root;
	const cJSON *list, *it;
	struct rc_records *r;
	int rc = -1;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/municipalities.json", dir);
	text = read_file(path, 1u << 16);
	if (text == NULL) {
		return -1;
	}
	root = cJSON_Parse(text);
	free(text);
	r = calloc(1, sizeof(*r));
	list = cJSON_GetObjectItemCaseSensitive(root, "municipalities");
	if (r == NULL || !cJSON_IsArray(list)) {
		goto out;
	}
	cJSON_ArrayForEach(it, list) {
		struct rc_muni_db *m;
		const char *code = jstr(it, "code");
		const char *ja = jstr(it, "name_ja");
		const char *en = jstr(it, "name_en");

		if (r->n == RC_MUNI_MAX || !digits(code, 6) || ja == NULL || en == NULL) {
			goto out;
		}
		m = &r->munis[r->n++];
		snprintf(m->m.code, sizeof(m->m.code), "%s", code);
		snprintf(m->m.name_ja, sizeof(m->m.name_ja), "%s", ja);
		snprintf(m->m.name_en, sizeof(m->m.name_en), "%s", en);
		m->m.participating = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it,
										 "participating"));
		m->m.overseas = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "overseas"));
		/* Private, in memory: nothing of the records ever reaches the disk. */
		if (sqlite3_open_v2(":memory:", &m->db,
				    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					    SQLITE_OPEN_FULLMUTEX,
				    NULL) != SQLITE_OK ||
		    sqlite3_exec(m->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK) {
			goto out;
		}
		snprintf(path, sizeof(path), "%s/records-%s.json", dir, code);
		text = read_file(path, 1);
		if (text != NULL) {
			free(text);
			if (seed(m->db, path) != 0) {
				fprintf(stderr, "kiosk-center: fixture %s is invalid\n", path);
				goto out;
			}
		}
	}
	rc = 0;
out:
	cJSON_Delete(root);
	if (rc != 0) {
		rc_records_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void rc_records_free(struct rc_records *r)
{
	if (r == NULL) {
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		sqlite3_close(r->munis[i].db);
	}
	free(r);
}

size_t rc_records_count(const struct rc_records *r)
{
	return r->n;
}

const struct rc_municipality *rc_records_at(const struct rc_records *r, size_t i)
{
	return i < r->n ? &r->munis[i].m : NULL;
}

const struct rc_municipality *rc_records_find(const struct rc_records *r, const char *code)
{
	for (size_t i = 0; code != NULL && i < r->n; i++) {
		if (strcmp(r->munis[i].m.code, code) == 0) {
			return &r->munis[i].m;
		}
	}
	return NULL;
}

static void col(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

int rc_records_lookup(struct rc_records *r, const char *code, const char *my_number,
		      struct rc_resident *out)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	mbedtls_platform_zeroize(out, sizeof(*out));
	for (size_t i = 0; code != NULL && i < r->n; i++) {
		if (strcmp(r->munis[i].m.code, code) == 0) {
			db = r->munis[i].db;
		}
	}
	if (db == NULL) {
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT romaji, passport, nationality, sex FROM residents"
				   " WHERE my_number = ?", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, my_number, -1, SQLITE_STATIC) != SQLITE_OK) {
		goto out;
	}
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		rc = 0;
		goto out;
	default:
		goto out;
	}
	col(st, 0, out->romaji, sizeof(out->romaji));
	col(st, 1, out->passport, sizeof(out->passport));
	col(st, 2, out->nationality, sizeof(out->nationality));
	col(st, 3, out->sex, sizeof(out->sex));
	out->overseas = out->passport[0] != '\0' && out->romaji[0] != '\0';
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT date, cvx, lot FROM doses WHERE my_number = ?"
				   " ORDER BY date, rowid", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, my_number, -1, SQLITE_STATIC) != SQLITE_OK) {
		goto out;
	}
	for (;;) {
		int s = sqlite3_step(st);
		struct rc_dose *d;

		if (s == SQLITE_DONE) {
			break;
		}
		if (s != SQLITE_ROW) {
			goto out;
		}
		if (out->n_doses == RC_DOSES_MAX) {
			/* keep the newest: drop the oldest */
			memmove(&out->doses[0], &out->doses[1],
				sizeof(out->doses[0]) * (RC_DOSES_MAX - 1));
			out->n_doses--;
		}
		d = &out->doses[out->n_doses++];
		col(st, 0, d->date, sizeof(d->date));
		col(st, 1, d->cvx, sizeof(d->cvx));
		col(st, 2, d->lot, sizeof(d->lot));
	}
	rc = out->n_doses > 0 ? 1 : 0;
out:
	sqlite3_finalize(st);
	if (rc != 1) {
		mbedtls_platform_zeroize(out, sizeof(*out));
	}
	return rc;
}
