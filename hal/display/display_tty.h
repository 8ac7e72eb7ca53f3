/* SPDX-License-Identifier: MIT */
/*
 * Private to the tty display backend and its tests: which file descriptors it
 * talks to (stdin/stdout unless set).
 */
#ifndef HAL_DISPLAY_TTY_H
#define HAL_DISPLAY_TTY_H

#include "hal/display.h"

/** Read keys from @in_fd and print screens to @out_fd (not owned, not closed).
 *  @d must be open on the tty backend. @return 0 or KIOSK_ERR_INVALID_ARG. */
int hal_display_tty_set_fds(struct hal_display *d, int in_fd, int out_fd);

#endif /* HAL_DISPLAY_TTY_H */
