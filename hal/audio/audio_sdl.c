/* SPDX-License-Identifier: MIT */
/*
 * SDL2 audio: ALSA on a kiosk (SDL_AUDIODRIVER), the dummy driver in tests.
 * One device opened at start; a prompt is the WAV <prompts_dir>/<name>.<lang>.wav
 * (loaded once, converted to the device format, kept) queued after clearing
 * what was still queued: play() never waits and a new prompt cuts the old.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sys/stat.h>

#include <SDL.h>

#include "audio_sdl.h"
#include "hal/audio.h"
#include "kiosk/err.h"

/* ten prompts in two languages, with room to grow */
#define CACHE_MAX 32
/* room in a path for "/<name>.<lang>.wav" */
#define PROMPT_FILE_MAX 32

struct cached_prompt {
	char key[HAL_AUDIO_NAME_MAX]; /* "<name>.<lang>"; "" = free */
	Uint8 *buf;                   /* device format, SDL_malloc'ed */
	Uint32 len;
};

struct sdl_audio_priv {
	bool sdl_up;
	SDL_AudioDeviceID dev;
	SDL_AudioSpec spec; /* what the device takes */
	char dir[PATH_MAX];
	struct cached_prompt cache[CACHE_MAX];
	unsigned next_evict;
};

static void sdl_audio_close(void *priv)
{
	struct sdl_audio_priv *p = priv;

	if (p->dev != 0) {
		SDL_ClearQueuedAudio(p->dev);
		SDL_CloseAudioDevice(p->dev);
		p->dev = 0;
	}
	for (size_t i = 0; i < CACHE_MAX; i++) {
		SDL_free(p->cache[i].buf);
		p->cache[i].buf = NULL;
		p->cache[i].key[0] = '\0';
	}
	if (p->sdl_up) {
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
		p->sdl_up = false;
	}
}

static int sdl_audio_open(void *priv, const struct hal_audio_config *cfg)
{
	struct sdl_audio_priv *p = priv;
	SDL_AudioSpec want;
	struct stat st;
	size_t n;

	if (cfg->prompts_dir == NULL || cfg->prompts_dir[0] == '\0') {
		return KIOSK_ERR_CONFIG;
	}
	n = strlen(cfg->prompts_dir);
	if (n + PROMPT_FILE_MAX >= sizeof(p->dir)) {
		return KIOSK_ERR_CONFIG;
	}
	if (stat(cfg->prompts_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		return KIOSK_ERR_IO;
	}
	memcpy(p->dir, cfg->prompts_dir, n + 1);
	if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
		fprintf(stderr, "audio: sdl: %s\n", SDL_GetError());
		return KIOSK_ERR_IO;
	}
	p->sdl_up = true;
	/* espeak-ng's own format: prompts then need no conversion */
	SDL_zero(want);
	want.freq = 22050;
	want.format = AUDIO_S16SYS;
	want.channels = 1;
	want.samples = 1024;
	p->dev = SDL_OpenAudioDevice(NULL, 0, &want, &p->spec, 0);
	if (p->dev == 0) {
		fprintf(stderr, "audio: sdl device: %s\n", SDL_GetError());
		return KIOSK_ERR_IO;
	}
	SDL_PauseAudioDevice(p->dev, 0);
	return KIOSK_OK;
}

/* Load @path and convert it to the device's format. */
static int load(struct sdl_audio_priv *p, const char *path, Uint8 **out, Uint32 *out_len)
{
	SDL_AudioSpec ws;
	SDL_AudioCVT cvt;
	Uint8 *wav = NULL;
	Uint32 len = 0;
	int c;

	if (SDL_LoadWAV(path, &ws, &wav, &len) == NULL) {
		return KIOSK_ERR_IO;
	}
	c = SDL_BuildAudioCVT(&cvt, ws.format, ws.channels, ws.freq, p->spec.format,
			      p->spec.channels, p->spec.freq);
	if (c < 0) {
		SDL_FreeWAV(wav);
		return KIOSK_ERR_IO;
	}
	if (c == 0) {
		*out = wav;
		*out_len = len;
		return KIOSK_OK;
	}
	if (cvt.len_mult <= 0 || len > INT32_MAX / (Uint32)cvt.len_mult) {
		SDL_FreeWAV(wav);
		return KIOSK_ERR_IO;
	}
	cvt.len = (int)len;
	cvt.buf = SDL_malloc((size_t)len * (size_t)cvt.len_mult);
	if (cvt.buf == NULL) {
		SDL_FreeWAV(wav);
		return KIOSK_ERR_NO_MEMORY;
	}
	memcpy(cvt.buf, wav, len);
	SDL_FreeWAV(wav);
	if (SDL_ConvertAudio(&cvt) != 0) {
		SDL_free(cvt.buf);
		return KIOSK_ERR_IO;
	}
	*out = cvt.buf;
	*out_len = (Uint32)cvt.len_cvt;
	return KIOSK_OK;
}

static struct cached_prompt *lookup(struct sdl_audio_priv *p, const char *key)
{
	for (size_t i = 0; i < CACHE_MAX; i++) {
		if (p->cache[i].buf != NULL && strcmp(p->cache[i].key, key) == 0) {
			return &p->cache[i];
		}
	}
	return NULL;
}

static struct cached_prompt *free_slot(struct sdl_audio_priv *p)
{
	struct cached_prompt *c;

	for (size_t i = 0; i < CACHE_MAX; i++) {
		if (p->cache[i].buf == NULL) {
			return &p->cache[i];
		}
	}
	/* more prompts than slots: drop them in turn */
	c = &p->cache[p->next_evict++ % CACHE_MAX];
	SDL_free(c->buf);
	c->buf = NULL;
	c->key[0] = '\0';
	return c;
}

static int sdl_audio_play(void *priv, const char *name, const char *lang)
{
	struct sdl_audio_priv *p = priv;
	char key[HAL_AUDIO_NAME_MAX];
	char path[PATH_MAX];
	struct cached_prompt *c;
	int n;
	int rc;

	/* name and lang were checked by the core: [a-z_]{1,20} and ja/en */
	n = snprintf(key, sizeof(key), "%s.%s", name, lang);
	if (n < 0 || (size_t)n >= sizeof(key)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	c = lookup(p, key);
	if (c == NULL) {
		n = snprintf(path, sizeof(path), "%s/%s.wav", p->dir, key);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			return KIOSK_ERR_INVALID_ARG;
		}
		c = free_slot(p);
		rc = load(p, path, &c->buf, &c->len);
		if (rc != KIOSK_OK) {
			c->buf = NULL;
			return rc;
		}
		snprintf(c->key, sizeof(c->key), "%s", key);
	}
	SDL_ClearQueuedAudio(p->dev);
	if (SDL_QueueAudio(p->dev, c->buf, c->len) != 0) {
		return KIOSK_ERR_IO;
	}
	return KIOSK_OK;
}

uint32_t hal_audio_sdl_queued_bytes(const struct hal_audio *a)
{
	const struct sdl_audio_priv *p;

	if (a == NULL || a->ops != &hal_audio_sdl || a->priv == NULL) {
		return 0;
	}
	p = a->priv;
	return p->dev != 0 ? SDL_GetQueuedAudioSize(p->dev) : 0;
}

const struct hal_audio_ops hal_audio_sdl = {
	.name = "sdl",
	.priv_size = sizeof(struct sdl_audio_priv),
	.open = sdl_audio_open,
	.close = sdl_audio_close,
	.play = sdl_audio_play,
};
