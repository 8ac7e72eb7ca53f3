/* SPDX-License-Identifier: MIT */
/* Process plumbing for the rig: spawning, readiness waits, stopping by PID. */
#ifndef RIG_PROC_H
#define RIG_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

long rig_now_ms(void);
/** Print "rig: @what" and exit 125 (the rig itself failed, not the command). */
void rig_die(const char *what) __attribute__((noreturn));
/** A free TCP port P with P+1 free too (vpcd listens on both). */
int rig_pick_port(void);
/**
 * Start @argv. @out_fd (or -1) becomes stdout+stderr; @keep_fd survives the
 * close-all; @new_ns runs it in a private mount namespace with @run_dir bound
 * on /run (pcscd); @detach lets it outlive the rig ("rig up"), otherwise it gets
 * SIGTERM when the rig dies.
 */
pid_t rig_spawn(char *const argv[], int out_fd, int keep_fd, bool new_ns, const char *run_dir,
		bool detach);
/** Wait (inotify-driven) until the unix socket @sock in @dir accepts. 0 or -1. */
int rig_wait_for_socket(const char *dir, const char *sock, pid_t pcscd, long deadline);
/** Wait for a line containing @want on @fd; copy it (without '\n') to @line. 0 or -1. */
int rig_wait_line(int fd, const char *want, long deadline, char *line, size_t cap);
/** Wait until pcscd reports the first slot @present (or empty). 0 or -1. */
int rig_wait_card_state(bool present, long deadline);
/** SIGTERM, wait (bounded), then SIGKILL. Child or not. */
void rig_stop(pid_t pid);
void rig_remove_tree(const char *dir);

#endif /* RIG_PROC_H */
