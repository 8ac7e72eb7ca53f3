/* SPDX-License-Identifier: MIT */
/*
 * One simulated environment: a private pcscd with the vpcd reader, the card
 * simulator with a persona, and (when built) the reference certificate center.
 * "rig -- CMD" brings one up around a command; "rig up"/"rig down" leave it
 * running for QA and the demo, described by DIR/rig.state.
 */
#ifndef RIG_ENV_H
#define RIG_ENV_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define RIG_MAX_FAULTS 32

struct rig_opts {
	const char *persona;   /* name in the persona folder, or a path */
	const char *pki;       /* card test PKI */
	const char *faults[RIG_MAX_FAULTS];
	int nfaults;
	const char *center_faults[RIG_MAX_FAULTS]; /* passed to the center as --fault */
	int ncenter_faults;
	const char *dir;       /* "rig up --dir": where the state lives */
	bool no_card;
	bool center;           /* also start the reference center */
	bool keep;
	bool pcscd_debug;
	bool sim_log;
	long timeout_s;
};

struct rig_env {
	char dir[PATH_MAX];
	char sock[PATH_MAX];         /* PCSCLITE_CSOCK_NAME */
	char ctl[PATH_MAX];          /* the card simulator's control socket */
	char persona_file[PATH_MAX];
	int port;                    /* vpcd */
	int center_port;             /* 0 when no center */
	pid_t pcscd, sim, center;
};

/** Bring everything up and export its variables into this process's environment. */
int rig_env_up(struct rig_env *e, const struct rig_opts *o, bool detach);
/** Stop what rig_env_up started (by PID) and remove its folder unless @keep. */
void rig_env_down(struct rig_env *e, bool keep);
/** DIR/rig.state <-> struct rig_env. 0 or -1. */
int rig_env_save(const struct rig_env *e);
int rig_env_load(struct rig_env *e, const char *dir);
/** How to reach it, as one JSON object (what "rig up" prints). */
void rig_env_print_json(const struct rig_env *e, FILE *out);

#endif /* RIG_ENV_H */
