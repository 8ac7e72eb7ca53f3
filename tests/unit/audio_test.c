/* SPDX-License-Identifier: MIT */
/*
 * Audio HAL: the record every backend keeps, the prompt-name rule, the sdl
 * backend on SDL's dummy driver with the prompts the build made, and the
 * prompts themselves (every line of prompts.tsv became a WAV worth hearing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <SDL.h>

#include "audio_sdl.h"
#include "hal/audio.h"
#include "kiosk/err.h"

#ifndef KIOSK_PROMPTS_DIR
#error "KIOSK_PROMPTS_DIR (the build's prompts folder) must be defined"
#endif
#ifndef KIOSK_PROMPTS_TSV
#error "KIOSK_PROMPTS_TSV must be defined"
#endif

static void test_backend_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(hal_audio_backend("sdl"), &hal_audio_sdl);
	assert_ptr_equal(hal_audio_backend("null"), &hal_audio_null);
	assert_null(hal_audio_backend("pulse"));
	assert_null(hal_audio_backend(NULL));
}

static void test_null_records(void **state)
{
	struct hal_audio_config cfg = { 0 };
	struct hal_audio a;

	(void)state;
	hal_audio_init(&a);
	assert_int_equal(hal_audio_open(&a, NULL, &cfg), KIOSK_ERR_CONFIG);
	assert_int_equal(hal_audio_open(&a, &hal_audio_null, NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_audio_open(&a, &hal_audio_null, &cfg), 0);
	assert_int_equal(hal_audio_play(&a, "take_card", "ja"), 0);
	assert_int_equal(hal_audio_play(&a, "welcome", "en"), 0);
	assert_int_equal(a.n_played, 2);
	assert_string_equal(a.played[0], "take_card.ja");
	assert_string_equal(a.played[1], "welcome.en");
	hal_audio_close(&a);
	assert_null(a.ops);
	assert_int_equal(a.n_played, 0);
}

static void test_invalid_names_refused(void **state)
{
	static const char *const bad_names[] = {
		"", "Take_card", "take-card", "take card", "../etc", "a.b", "take_card1",
		"abcdefghijklmnopqrstu", /* 21 */
	};
	struct hal_audio_config cfg = { 0 };
	struct hal_audio a;

	(void)state;
	hal_audio_init(&a);
	assert_int_equal(hal_audio_play(&a, "welcome", "ja"), KIOSK_ERR_INVALID_ARG); /* not open */
	assert_int_equal(hal_audio_open(&a, &hal_audio_null, &cfg), 0);
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		assert_int_equal(hal_audio_play(&a, bad_names[i], "ja"), KIOSK_ERR_INVALID_ARG);
	}
	assert_int_equal(hal_audio_play(&a, NULL, "ja"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_audio_play(&a, "welcome", "fr"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_audio_play(&a, "welcome", "JA"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_audio_play(&a, "welcome", "jap"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_audio_play(&a, "welcome", NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(a.n_played, 0); /* refused ones are not recorded */
	assert_int_equal(hal_audio_play(&a, "abcdefghijklmnopqrst", "en"), 0); /* 20 */
	assert_string_equal(a.played[0], "abcdefghijklmnopqrst.en");
	hal_audio_close(&a);
}

static void test_record_keeps_latest(void **state)
{
	struct hal_audio_config cfg = { 0 };
	struct hal_audio a;

	(void)state;
	hal_audio_init(&a);
	assert_int_equal(hal_audio_open(&a, &hal_audio_null, &cfg), 0);
	for (int i = 0; i < HAL_AUDIO_RECORD_MAX + 5; i++) {
		assert_int_equal(hal_audio_play(&a, i % 2 ? "error" : "welcome", "en"), 0);
	}
	assert_int_equal(hal_audio_play(&a, "take_certificate", "ja"), 0);
	assert_int_equal(a.n_played, HAL_AUDIO_RECORD_MAX);
	assert_string_equal(a.played[HAL_AUDIO_RECORD_MAX - 1], "take_certificate.ja");
	hal_audio_close(&a);
}

/* Length of a WAV in bytes after SDL loads it; 0 when it does not load. */
static Uint32 wav_bytes(const char *path, double *seconds)
{
	SDL_AudioSpec spec;
	Uint8 *buf = NULL;
	Uint32 len = 0;

	if (SDL_LoadWAV(path, &spec, &buf, &len) == NULL) {
		return 0;
	}
	SDL_FreeWAV(buf);
	if (seconds != NULL) {
		*seconds = (double)len /
			   ((double)spec.freq * spec.channels * (SDL_AUDIO_BITSIZE(spec.format) / 8));
	}
	return len;
}

static void test_sdl_plays_prompts(void **state)
{
	struct hal_audio_config cfg = { .prompts_dir = KIOSK_PROMPTS_DIR };
	struct hal_audio a;
	Uint32 q1, q2, short_len, long_len;

	(void)state;
	long_len = wav_bytes(KIOSK_PROMPTS_DIR "/welcome.ja.wav", NULL);
	short_len = wav_bytes(KIOSK_PROMPTS_DIR "/take_card.en.wav", NULL);
	assert_true(long_len > short_len && short_len > 0);

	hal_audio_init(&a);
	assert_int_equal(hal_audio_open(&a, &hal_audio_sdl, &cfg), 0);
	assert_int_equal(hal_audio_sdl_queued_bytes(&a), 0);
	assert_int_equal(hal_audio_play(&a, "welcome", "ja"), 0);
	q1 = hal_audio_sdl_queued_bytes(&a);
	/* queued and returned at once: most of the prompt still waits */
	assert_true(q1 > short_len && q1 <= long_len);
	/* a new prompt replaces the one playing */
	assert_int_equal(hal_audio_play(&a, "take_card", "en"), 0);
	q2 = hal_audio_sdl_queued_bytes(&a);
	assert_true(q2 > 0 && q2 <= short_len);
	/* again, from the cache */
	assert_int_equal(hal_audio_play(&a, "welcome", "ja"), 0);
	assert_true(hal_audio_sdl_queued_bytes(&a) > short_len);

	/* a valid name with no WAV */
	assert_int_equal(hal_audio_play(&a, "no_such_prompt", "en"), KIOSK_ERR_IO);
	assert_int_equal(a.n_played, 4); /* recorded all the same */
	assert_string_equal(a.played[3], "no_such_prompt.en");
	hal_audio_close(&a);
	assert_int_equal(hal_audio_sdl_queued_bytes(&a), 0);
}

static void test_sdl_config(void **state)
{
	struct hal_audio_config cfg = { 0 };
	struct hal_audio a;

	(void)state;
	hal_audio_init(&a);
	assert_int_equal(hal_audio_open(&a, &hal_audio_sdl, &cfg), KIOSK_ERR_CONFIG);
	cfg.prompts_dir = "";
	assert_int_equal(hal_audio_open(&a, &hal_audio_sdl, &cfg), KIOSK_ERR_CONFIG);
	cfg.prompts_dir = KIOSK_PROMPTS_DIR "/does-not-exist";
	assert_int_equal(hal_audio_open(&a, &hal_audio_sdl, &cfg), KIOSK_ERR_IO);
	assert_null(a.ops);
}

static void test_every_prompt_made(void **state)
{
	static const char *const required[] = {
		"welcome", "place_card", "enter_pin", "pin_wrong", "pin_last_try",
		"take_card", "confirm", "printing", "take_certificate", "error",
	};
	bool seen[sizeof(required) / sizeof(required[0])][2] = { { false } };
	char line[1024];
	FILE *f;
	int lines = 0;

	(void)state;
	f = fopen(KIOSK_PROMPTS_TSV, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char path[512];
		char *name, *lang, *text, *save = NULL;
		double secs = 0;

		if (line[0] == '#' || line[0] == '\n') {
			continue;
		}
		name = strtok_r(line, "\t", &save);
		lang = strtok_r(NULL, "\t", &save);
		text = strtok_r(NULL, "\n", &save);
		assert_non_null(name);
		assert_non_null(lang);
		assert_non_null(text);
		assert_true(strcmp(lang, "ja") == 0 || strcmp(lang, "en") == 0);
		snprintf(path, sizeof(path), "%s/%s.%s.wav", KIOSK_PROMPTS_DIR, name, lang);
		assert_true(wav_bytes(path, &secs) > 0);
		/* a spoken sentence, not a click or an empty file */
		if (secs <= 0.3 || secs > 20.0) {
			fail_msg("%s.%s lasts %.2f s", name, lang, secs);
		}
		for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
			if (strcmp(required[i], name) == 0) {
				seen[i][strcmp(lang, "en") == 0] = true;
			}
		}
		lines++;
	}
	fclose(f);
	assert_true(lines >= 20);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!seen[i][0] || !seen[i][1]) {
			fail_msg("prompt %s lacks ja or en", required[i]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_lookup),
		cmocka_unit_test(test_null_records),
		cmocka_unit_test(test_invalid_names_refused),
		cmocka_unit_test(test_record_keeps_latest),
		cmocka_unit_test(test_sdl_plays_prompts),
		cmocka_unit_test(test_sdl_config),
		cmocka_unit_test(test_every_prompt_made),
	};

	/* also set by ctest; here so the binary runs alone */
	setenv("SDL_AUDIODRIVER", "dummy", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
