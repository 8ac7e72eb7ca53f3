/* SPDX-License-Identifier: MIT */
/*
 * Audio HAL core: backend lookup, the prompt-name rule (names become file
 * names, so only [a-z_]{1,20} and "ja"/"en"), the record of every prompt
 * asked for (all backends, for tests and the technician), and dispatch.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "hal/audio.h"
#include "kiosk/err.h"

#define PROMPT_NAME_MAX 20

static const struct hal_audio_ops *const backends[] = {
	&hal_audio_sdl,
	&hal_audio_null,
	NULL,
};

const struct hal_audio_ops *hal_audio_backend(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	for (size_t i = 0; backends[i] != NULL; i++) {
		if (strcmp(backends[i]->name, name) == 0) {
			return backends[i];
		}
	}
	return NULL;
}

void hal_audio_init(struct hal_audio *a)
{
	if (a != NULL) {
		memset(a, 0, sizeof(*a));
	}
}

int hal_audio_open(struct hal_audio *a, const struct hal_audio_ops *ops,
		   const struct hal_audio_config *cfg)
{
	int rc;

	if (a == NULL || cfg == NULL || a->ops != NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (ops == NULL) {
		return KIOSK_ERR_CONFIG;
	}
	if (ops->open == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	hal_audio_init(a);
	if (ops->priv_size > 0) {
		a->priv = calloc(1, ops->priv_size);
		if (a->priv == NULL) {
			return KIOSK_ERR_NO_MEMORY;
		}
	}
	a->ops = ops;
	rc = ops->open(a->priv, cfg);
	if (rc != 0) {
		hal_audio_close(a);
	}
	return rc;
}

void hal_audio_close(struct hal_audio *a)
{
	if (a == NULL || a->ops == NULL) {
		return;
	}
	if (a->ops->close != NULL) {
		a->ops->close(a->priv);
	}
	if (a->priv != NULL) {
		mbedtls_platform_zeroize(a->priv, a->ops->priv_size);
		free(a->priv);
	}
	memset(a, 0, sizeof(*a));
}

static bool name_ok(const char *name)
{
	size_t n;

	if (name == NULL) {
		return false;
	}
	n = strnlen(name, PROMPT_NAME_MAX + 1);
	if (n == 0 || n > PROMPT_NAME_MAX) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_')) {
			return false;
		}
	}
	return true;
}

static bool lang_ok(const char *lang)
{
	return lang != NULL && (strcmp(lang, "ja") == 0 || strcmp(lang, "en") == 0);
}

static void record(struct hal_audio *a, const char *name, const char *lang)
{
	/* full: forget the oldest, the latest prompts are the ones tests ask about */
	if (a->n_played == HAL_AUDIO_RECORD_MAX) {
		memmove(a->played[0], a->played[1], sizeof(a->played[0]) * (HAL_AUDIO_RECORD_MAX - 1));
		a->n_played--;
	}
	/* fits: name <= 20, lang 2, '.' and NUL < HAL_AUDIO_NAME_MAX */
	snprintf(a->played[a->n_played], sizeof(a->played[0]), "%s.%s", name, lang);
	a->n_played++;
}

int hal_audio_play(struct hal_audio *a, const char *name, const char *lang)
{
	if (a == NULL || a->ops == NULL || !name_ok(name) || !lang_ok(lang)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	record(a, name, lang);
	if (a->ops->play == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	return a->ops->play(a->priv, name, lang);
}
