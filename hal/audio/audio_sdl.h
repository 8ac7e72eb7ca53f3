/* SPDX-License-Identifier: MIT */
/*
 * Private to the sdl audio backend and its tests.
 */
#ifndef HAL_AUDIO_SDL_H
#define HAL_AUDIO_SDL_H

#include <stdint.h>

#include "hal/audio.h"

/** Bytes still queued for the device (0 when @a is not open on sdl). */
uint32_t hal_audio_sdl_queued_bytes(const struct hal_audio *a);

#endif /* HAL_AUDIO_SDL_H */
