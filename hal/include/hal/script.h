/* SPDX-License-Identifier: MIT */
/*
 * Scripted resident for QA, the demo and the end-to-end tests: a text file of
 * actions that drives the kiosk with nobody present. Non-production boards only.
 *
 *   # comment
 *   expect <screen> [timeout_ms]   wait until the kiosk shows that screen (default 15000)
 *   tap <button-id>                press a button ("start", "ja", "m:131016", "7", "ok", ...)
 *   pin <digits>                   tap each digit, then "ok"
 *   card insert [persona]          the card simulator: (load persona and) insert the card
 *   card remove                    ... pull the card out
 *   wait <ms>                      do nothing for that long (walk-away tests)
 *   repeat <n>                     run the script from its first line n more times
 *                                  (soak tests; one repeat per script)
 *   quit                           stop the kiosk (it finishes on the idle screen)
 *
 * Card actions talk to the simulator's control socket ($KIOSK_CARDSIM_CTL
 * unless given), so the kiosk sees the card come and go through the real pcscd.
 */
#ifndef HAL_SCRIPT_H
#define HAL_SCRIPT_H

#include <stddef.h>

#include "hal/display.h"

#define HAL_SCRIPT_LINES_MAX 512
#define HAL_SCRIPT_LINE_MAX 128
#define HAL_SCRIPT_EXPECT_DEFAULT_MS 15000

struct hal_script;

/** Load and check every line of @path. @why gets "line N: reason" on error.
 *  @return 0, KIOSK_ERR_CONFIG (syntax) or KIOSK_ERR_IO. */
int hal_script_open(struct hal_script **out, const char *path, const char *cardsim_ctl,
		    char *why, size_t why_cap);
/** Parse script text (pure; for unit tests and fuzzing). */
int hal_script_parse(struct hal_script **out, const char *text, size_t len,
		     const char *cardsim_ctl, char *why, size_t why_cap);
void hal_script_free(struct hal_script *s);

/**
 * The next resident action, given the screen now shown (@screen, a
 * kiosk_screen_name()). Waits at most @timeout_ms; runs card actions itself.
 * @return 1 with @ev set (a tap, or HAL_INPUT_QUIT at "quit" / end of script),
 *         0 nothing yet (waiting or expecting), or KIOSK_ERR_TIMEOUT when an
 *         expect timed out (@why says which line and what was shown instead),
 *         KIOSK_ERR_IO when a card action failed.
 */
int hal_script_next(struct hal_script *s, const char *screen, struct hal_input_event *ev,
		    int timeout_ms, char *why, size_t why_cap);

#endif /* HAL_SCRIPT_H */
