/* SPDX-License-Identifier: MIT */
/*
 * Silent audio: plays nothing. The core records every prompt asked for, so
 * tests (and boards without a speaker) still see which reminders fired.
 */
#include <stddef.h>

#include "hal/audio.h"
#include "kiosk/err.h"

static int null_open(void *priv, const struct hal_audio_config *cfg)
{
	(void)priv;
	(void)cfg;
	return KIOSK_OK;
}

static void null_close(void *priv)
{
	(void)priv;
}

static int null_play(void *priv, const char *name, const char *lang)
{
	(void)priv;
	(void)name;
	(void)lang;
	return KIOSK_OK;
}

const struct hal_audio_ops hal_audio_null = {
	.name = "null",
	.priv_size = 0,
	.open = null_open,
	.close = null_close,
	.play = null_play,
};
