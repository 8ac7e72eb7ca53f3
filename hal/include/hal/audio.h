/* SPDX-License-Identifier: MIT */
/*
 * Audio HAL: voice prompts. The prompts are WAV files made at build time from
 * text with espeak-ng (firmware/ui/prompts.tsv -> <build>/prompts/<name>.<lang>.wav).
 *
 *   - sdl:  SDL2 audio (ALSA on a kiosk); play() starts the prompt and
 *           returns at once, a newer prompt replaces the one playing.
 *   - null: plays nothing and records what would have been played, so tests
 *           can assert the reminders fired.
 */
#ifndef HAL_AUDIO_H
#define HAL_AUDIO_H

#include <stdbool.h>
#include <stddef.h>

#define HAL_AUDIO_RECORD_MAX 64
#define HAL_AUDIO_NAME_MAX 32

struct hal_audio_config {
	const char *prompts_dir; /* folder of <name>.<lang>.wav; sdl requires it */
};

struct hal_audio_ops {
	const char *name;
	size_t priv_size;
	int (*open)(void *priv, const struct hal_audio_config *cfg);
	void (*close)(void *priv);
	/** Start prompt @name ("take_card", ...) in @lang ("ja"/"en"). Non-blocking. */
	int (*play)(void *priv, const char *name, const char *lang);
};

struct hal_audio {
	const struct hal_audio_ops *ops;
	void *priv;
	/* every prompt asked for since open, "<name>.<lang>", oldest first (all backends) */
	char played[HAL_AUDIO_RECORD_MAX][HAL_AUDIO_NAME_MAX];
	size_t n_played;
};

extern const struct hal_audio_ops hal_audio_sdl;
extern const struct hal_audio_ops hal_audio_null;

const struct hal_audio_ops *hal_audio_backend(const char *name);
void hal_audio_init(struct hal_audio *a);
/** @return 0, KIOSK_ERR_CONFIG, or KIOSK_ERR_IO (no audio device / missing prompts). */
int hal_audio_open(struct hal_audio *a, const struct hal_audio_ops *ops,
		   const struct hal_audio_config *cfg);
void hal_audio_close(struct hal_audio *a);
/** Play and record @name.@lang; a missing WAV is KIOSK_ERR_IO (the screen still says it). */
int hal_audio_play(struct hal_audio *a, const char *name, const char *lang);

#endif /* HAL_AUDIO_H */
