/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "rig_env.h"
#include "rig_proc.h"

#define READY_TIMEOUT_MS 15000

static void path_in(char *dst, size_t cap, const char *dir, const char *name)
{
	if ((size_t)snprintf(dst, cap, "%s/%s", dir, name) >= cap) {
		rig_die("path too long");
	}
}

static void write_reader_conf(const struct rig_env *e)
{
	char path[PATH_MAX];
	FILE *f;

	path_in(path, sizeof(path), e->dir, "conf/vpcd");
	f = fopen(path, "w");
	if (f == NULL) {
		rig_die("cannot write reader.conf");
	}
	/* KIOSK_RIG_IFD_LIB: another vpcd-protocol driver instead of vpcd (e.g. the
	 * virtual PIN-pad reader, tools/pinpad-ifd). */
	if (getenv("KIOSK_RIG_IFD_LIB") != NULL && getenv("KIOSK_RIG_IFD_LIB")[0] != '\0') {
		fprintf(f, "FRIENDLYNAME \"Virtual PIN pad\"\nDEVICENAME   /dev/null:%d\n"
			   "LIBPATH      %s\n", e->port, getenv("KIOSK_RIG_IFD_LIB"));
	} else {
		fprintf(f, "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:%d\n"
			   "LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\n", e->port);
	}
	fclose(f);
}

static int start_pcscd(struct rig_env *e, const struct rig_opts *o, bool detach, long deadline)
{
	char conf[PATH_MAX], run[PATH_MAX], log[PATH_MAX], dir[PATH_MAX];
	char *argv[] = { "pcscd", "--foreground", o->pcscd_debug ? "--debug" : "--error",
			 "--config", conf, NULL };
	int logfd;

	path_in(conf, sizeof(conf), e->dir, "conf");
	path_in(run, sizeof(run), e->dir, "run");
	path_in(dir, sizeof(dir), e->dir, "run/pcscd");
	path_in(log, sizeof(log), e->dir, "pcscd.log");
	mkdir(run, 0700);
	mkdir(dir, 0755);
	mkdir(conf, 0700);
	write_reader_conf(e);
	/* Never --apdu: pcscd's log must not hold a PIN. */
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	e->pcscd = rig_spawn(argv, logfd, -1, true, run, detach);
	close(logfd);
	path_in(e->sock, sizeof(e->sock), e->dir, "run/pcscd/pcscd.comm");
	if (rig_wait_for_socket(dir, e->sock, e->pcscd, deadline) != 0) {
		fprintf(stderr, "rig: pcscd did not come up (log: %s)\n", log);
		return -1;
	}
	setenv("PCSCLITE_CSOCK_NAME", e->sock, 1);
	return 0;
}

static void persona_path(const char *p, char *buf, size_t cap)
{
	if (strchr(p, '/') != NULL || strstr(p, ".json") != NULL) {
		snprintf(buf, cap, "%s", p);
	} else {
		snprintf(buf, cap, "%s/%s.json", RIG_PERSONA_DIR, p);
	}
}

static int start_card(struct rig_env *e, const struct rig_opts *o, bool detach, long deadline)
{
	char *argv[16 + 2 * RIG_MAX_FAULTS];
	char port[16], fdnum[16];
	int ready[2];
	int n = 0;
	int rc = -1;

	persona_path(o->persona, e->persona_file, sizeof(e->persona_file));
	if (pipe2(ready, O_CLOEXEC) != 0) {
		rig_die("pipe failed");
	}
	fcntl(ready[1], F_SETFD, 0); /* the simulator inherits the write end */
	snprintf(port, sizeof(port), "%d", e->port);
	snprintf(fdnum, sizeof(fdnum), "%d", ready[1]);
	argv[n++] = RIG_CARDSIM_PATH;
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--persona";
	argv[n++] = e->persona_file;
	argv[n++] = "--pki";
	argv[n++] = (char *)o->pki;
	argv[n++] = "--control";
	argv[n++] = e->ctl;
	argv[n++] = "--ready-fd";
	argv[n++] = fdnum;
	if (o->sim_log) {
		argv[n++] = "--log-apdus";
	}
	for (int i = 0; i < o->nfaults; i++) {
		argv[n++] = "--fault";
		argv[n++] = (char *)o->faults[i];
	}
	argv[n] = NULL;
	e->sim = rig_spawn(argv, -1, ready[1], false, NULL, detach);
	close(ready[1]);
	if (rig_wait_line(ready[0], "ready", deadline, NULL, 0) != 0) {
		fprintf(stderr, "rig: card simulator did not become ready\n");
	} else if (rig_wait_card_state(true, deadline) != 0) {
		fprintf(stderr, "rig: pcscd never saw the card\n");
	} else {
		rc = 0;
	}
	close(ready[0]);
	return rc;
}

#ifdef RIG_CENTER_PATH
static int start_center(struct rig_env *e, const struct rig_opts *o, bool detach, long deadline)
{
	char fdnum[16], line[64], log[PATH_MAX], anchors[PATH_MAX];
	char *argv[16 + 2 * RIG_MAX_FAULTS] = { RIG_CENTER_PATH, "--port", "0", "--pki",
						RIG_CENTER_PKI_DIR, "--card-anchors", anchors,
						"--data", RIG_CENTER_DATA_DIR, "--ready-fd", fdnum };
	int n = 11;
	int ready[2];
	int logfd;
	int rc = -1;

	snprintf(anchors, sizeof(anchors), "%s/anchors", RIG_PKI_DIR);
	for (int i = 0; i < o->ncenter_faults; i++) {
		argv[n++] = "--fault";
		argv[n++] = (char *)o->center_faults[i];
	}
	argv[n] = NULL;
	if (pipe2(ready, O_CLOEXEC) != 0) {
		rig_die("pipe failed");
	}
	fcntl(ready[1], F_SETFD, 0);
	snprintf(fdnum, sizeof(fdnum), "%d", ready[1]);
	path_in(log, sizeof(log), e->dir, "center.log");
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	e->center = rig_spawn(argv, logfd, ready[1], false, NULL, detach);
	close(logfd);
	close(ready[1]);
	if (rig_wait_line(ready[0], "ready ", deadline, line, sizeof(line)) == 0 &&
	    sscanf(line, "ready %d", &e->center_port) == 1 && e->center_port > 0) {
		char url[64];

		snprintf(url, sizeof(url), "https://localhost:%d", e->center_port);
		setenv("KIOSK_CENTER_URL", url, 1);
		rc = 0;
	} else {
		fprintf(stderr, "rig: reference center did not become ready (log: %s)\n", log);
	}
	close(ready[0]);
	return rc;
}
#endif

int rig_env_up(struct rig_env *e, const struct rig_opts *o, bool detach)
{
	long deadline = rig_now_ms() + READY_TIMEOUT_MS;
	char port[16];

	memset(e, 0, sizeof(*e));
	e->pcscd = e->sim = e->center = -1;
	if (o->dir != NULL) {
		if (mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
			rig_die("cannot create the rig folder");
		}
		if (realpath(o->dir, e->dir) == NULL) {
			rig_die("cannot resolve the rig folder");
		}
	} else {
		snprintf(e->dir, sizeof(e->dir), "%s/kiosk-rig.XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(e->dir) == NULL) {
			rig_die("mkdtemp failed");
		}
	}
	e->port = rig_pick_port();
	path_in(e->ctl, sizeof(e->ctl), e->dir, "cardsim.sock");
	snprintf(port, sizeof(port), "%d", e->port);
	setenv("KIOSK_RIG_DIR", e->dir, 1);
	setenv("KIOSK_RIG_PORT", port, 1);
	setenv("KIOSK_CARDSIM_CTL", e->ctl, 1);
	if (start_pcscd(e, o, detach, deadline) != 0) {
		return -1;
	}
	if (!o->no_card && start_card(e, o, detach, deadline) != 0) {
		return -1;
	}
#ifdef RIG_CENTER_PATH
	if (o->center && start_center(e, o, detach, deadline) != 0) {
		return -1;
	}
#else
	if (o->center) {
		fprintf(stderr, "rig: the reference center is not built\n");
		return -1;
	}
#endif
	return 0;
}

void rig_env_down(struct rig_env *e, bool keep)
{
	rig_stop(e->center);
	rig_stop(e->sim);
	rig_stop(e->pcscd);
	if (keep) {
		fprintf(stderr, "rig: kept %s\n", e->dir);
	} else if (e->dir[0] != '\0') {
		rig_remove_tree(e->dir);
	}
}

int rig_env_save(const struct rig_env *e)
{
	char path[PATH_MAX];
	FILE *f;

	path_in(path, sizeof(path), e->dir, "rig.state");
	f = fopen(path, "w");
	if (f == NULL) {
		return -1;
	}
	fprintf(f, "pcscd %d\ncardsim %d\ncenter %d\nport %d\ncenter_port %d\npersona %s\n",
		(int)e->pcscd, (int)e->sim, (int)e->center, e->port, e->center_port,
		e->persona_file);
	return fclose(f) == 0 ? 0 : -1;
}

int rig_env_load(struct rig_env *e, const char *dir)
{
	char path[PATH_MAX];
	int pcscd, sim, center;
	FILE *f;
	int n;

	memset(e, 0, sizeof(*e));
	if (realpath(dir, e->dir) == NULL) {
		return -1;
	}
	path_in(path, sizeof(path), e->dir, "rig.state");
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	n = fscanf(f, "pcscd %d\ncardsim %d\ncenter %d\nport %d\ncenter_port %d\npersona %4095s\n",
		   &pcscd, &sim, &center, &e->port, &e->center_port, e->persona_file);
	fclose(f);
	if (n < 5) {
		return -1;
	}
	e->pcscd = pcscd;
	e->sim = sim;
	e->center = center;
	path_in(e->sock, sizeof(e->sock), e->dir, "run/pcscd/pcscd.comm");
	path_in(e->ctl, sizeof(e->ctl), e->dir, "cardsim.sock");
	return 0;
}

/* A small JSON file (persona, center fixtures: invented people only). */
static cJSON *read_json(const char *path)
{
	static char buf[256 * 1024];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return cJSON_Parse(buf);
}

/* The municipalities whose records hold @my_number (the center's fixtures), or
 * the persona's own municipality when there is no center. */
static void add_municipalities(cJSON *arr, const char *my_number, const char *fallback)
{
#ifdef RIG_CENTER_DATA_DIR
	glob_t g;

	if (glob(RIG_CENTER_DATA_DIR "/records-*.json", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			cJSON *f = read_json(g.gl_pathv[i]);
			cJSON *r;
			const char *code = strrchr(g.gl_pathv[i], '-');

			cJSON_ArrayForEach(r, cJSON_GetObjectItem(f, "residents")) {
				cJSON *n = cJSON_GetObjectItem(r, "my_number");

				if (code != NULL && cJSON_IsString(n) &&
				    strcmp(n->valuestring, my_number) == 0) {
					char c6[7];

					snprintf(c6, sizeof(c6), "%.6s", code + 1); /* records-<code>.json */
					cJSON_AddItemToArray(arr, cJSON_CreateString(c6));
				}
			}
			cJSON_Delete(f);
		}
		globfree(&g);
		return;
	}
#endif
	(void)my_number;
	if (fallback != NULL) {
		cJSON_AddItemToArray(arr, cJSON_CreateString(fallback));
	}
}

void rig_env_print_json(const struct rig_env *e, FILE *out)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *p = e->persona_file[0] ? read_json(e->persona_file) : NULL;
	cJSON *munis = cJSON_AddArrayToObject(o, "municipalities");
	char url[64];
	char *text;

	cJSON_AddStringToObject(o, "dir", e->dir);
	cJSON_AddStringToObject(o, "pcsc_socket", e->sock);
	cJSON_AddStringToObject(o, "reader", "Virtual PCD 00 00");
	cJSON_AddStringToObject(o, "card_control", e->ctl);
	if (e->center_port > 0) {
		snprintf(url, sizeof(url), "https://localhost:%d", e->center_port);
		cJSON_AddStringToObject(o, "center_url", url);
		cJSON_AddStringToObject(o, "issuer_jwks", RIG_CENTER_PKI_DIR "/shc-jwks.json");
	} else {
		cJSON_AddNullToObject(o, "center_url");
		cJSON_AddNullToObject(o, "issuer_jwks");
	}
	if (p != NULL) {
		cJSON *id = cJSON_GetObjectItem(p, "id");
		cJSON *pin = cJSON_GetObjectItem(p, "pin");
		cJSON *m = cJSON_GetObjectItem(p, "municipality");
		cJSON *mn = cJSON_GetObjectItem(p, "my_number");

		cJSON_AddStringToObject(o, "persona", cJSON_IsString(id) ? id->valuestring : "");
		cJSON_AddStringToObject(o, "pin", cJSON_IsString(pin) ? pin->valuestring : "");
		add_municipalities(munis, cJSON_IsString(mn) ? mn->valuestring : "",
				   cJSON_IsString(m) ? m->valuestring : NULL);
		cJSON_Delete(p);
	}
	text = cJSON_PrintUnformatted(o);
	if (text != NULL) {
		fprintf(out, "%s\n", text);
		free(text);
	}
	cJSON_Delete(o);
}
