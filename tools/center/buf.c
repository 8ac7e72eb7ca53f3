/* SPDX-License-Identifier: MIT */
/* A growable buffer for answers that may carry personal data: wiped when freed
 * and whenever it moves. */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "center.h"

int rc_buf_add(struct rc_buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + len + 1) {
			cap *= 2;
		}
		p = malloc(cap);
		if (p == NULL) {
			return -1;
		}
		if (b->p != NULL) {
			memcpy(p, b->p, b->len);
			mbedtls_platform_zeroize(b->p, b->cap);
			free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int rc_buf_str(struct rc_buf *b, const char *s)
{
	return rc_buf_add(b, s, strlen(s));
}

void rc_buf_free(struct rc_buf *b)
{
	if (b == NULL) {
		return;
	}
	if (b->p != NULL) {
		mbedtls_platform_zeroize(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

static void json_wipe(cJSON *v)
{
	cJSON *it;

	if (cJSON_IsString(v) && v->valuestring != NULL) {
		mbedtls_platform_zeroize(v->valuestring, strlen(v->valuestring));
	}
	cJSON_ArrayForEach(it, v) {
		json_wipe(it);
	}
}

void rc_json_wipe_delete(cJSON *v)
{
	if (v == NULL) {
		return;
	}
	json_wipe(v);
	cJSON_Delete(v);
}
