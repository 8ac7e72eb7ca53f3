/* SPDX-License-Identifier: MIT */
/*
 * kioskctl image build | inspect | install | mark-good | rollback | status | boot
 * Signed firmware images (docs/image-format.md) and the A/B slots of a unit.
 * The board's update settings come from board/<name>/update.conf; tests point
 * the slots, the state file and the release root elsewhere with options.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "json_out.h"
#include "kioskctl.h"
#include "update/bootstate.h"
#include "update/config.h"
#include "update/install.h"

struct image_opts {
	const char *board;
	const char *state_file;
	const char *slot_a;
	const char *slot_b;
	const char *slot_class;
	const char *release_root;
	const char *key;
	const char *cert;
	const char *compatible;
	const char *version;
	const char *counter;
	const char *build_id;
	const char *output;
	const char *payloads[UPDATE_PAYLOADS_MAX];
	unsigned n_payloads;
	int json;
	const char *arg; /* the IMAGE operand */
};

static void image_usage(FILE *out)
{
	fprintf(out,
		"usage: kioskctl image build --key K.pem --cert C.pem --compatible BOARD --version V\n"
		"                            --counter N --build-id B --payload CLASS=FILE... -o IMAGE\n"
		"       kioskctl image inspect IMAGE [--json] [--board NAME] [--release-root PEM]\n"
		"       kioskctl image install IMAGE [--json] [--board NAME] [PATHS]\n"
		"       kioskctl image mark-good [--board NAME] [PATHS]\n"
		"       kioskctl image rollback [--board NAME] [PATHS]\n"
		"       kioskctl image status [--json] [--board NAME] [PATHS]\n"
		"       kioskctl image boot [--board NAME] [PATHS]   (file backend: simulate a boot)\n"
		"  PATHS: --state-file F --slot-a F --slot-b F [--slot-class C] --release-root PEM\n");
}

static int parse_opts(int argc, char **argv, struct image_opts *o)
{
	static const struct option longopts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "state-file", required_argument, NULL, 's' },
		{ "slot-a", required_argument, NULL, 'A' },
		{ "slot-b", required_argument, NULL, 'B' },
		{ "slot-class", required_argument, NULL, 'C' },
		{ "release-root", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "compatible", required_argument, NULL, 'm' },
		{ "version", required_argument, NULL, 'v' },
		{ "counter", required_argument, NULL, 'n' },
		{ "build-id", required_argument, NULL, 'i' },
		{ "payload", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->board = "sim";
	o->slot_class = "rootfs";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': o->board = optarg; break;
		case 's': o->state_file = optarg; break;
		case 'A': o->slot_a = optarg; break;
		case 'B': o->slot_b = optarg; break;
		case 'C': o->slot_class = optarg; break;
		case 'r': o->release_root = optarg; break;
		case 'k': o->key = optarg; break;
		case 'c': o->cert = optarg; break;
		case 'm': o->compatible = optarg; break;
		case 'v': o->version = optarg; break;
		case 'n': o->counter = optarg; break;
		case 'i': o->build_id = optarg; break;
		case 'o': o->output = optarg; break;
		case 'j': o->json = 1; break;
		case 'p':
			if (o->n_payloads == UPDATE_PAYLOADS_MAX) {
				fprintf(stderr, "kioskctl image: at most %d payloads\n",
					UPDATE_PAYLOADS_MAX);
				return -1;
			}
			o->payloads[o->n_payloads++] = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		o->arg = argv[optind++];
	}
	return optind == argc ? 0 : -1;
}

static int copy_opt(char *dst, size_t cap, const char *v)
{
	if (v == NULL) {
		return 0;
	}
	if (strlen(v) >= cap || *v == '\0') {
		return -1;
	}
	strcpy(dst, v);
	return 0;
}

/* The board's update.conf with the command-line overrides applied. */
static int load_config(const struct image_opts *o, struct update_config *cfg)
{
	char why[256] = "";
	int rc = update_config_load(cfg, o->board, why, sizeof(why));

	if (rc != KIOSK_OK) {
		fprintf(stderr, "kioskctl image: board %s: %s\n", o->board, why);
		return KIOSKCTL_EXIT_USAGE;
	}
	if (copy_opt(cfg->state_file, sizeof(cfg->state_file), o->state_file) != 0 ||
	    copy_opt(cfg->release_root, sizeof(cfg->release_root), o->release_root) != 0) {
		return KIOSKCTL_EXIT_USAGE;
	}
	if (o->slot_a != NULL || o->slot_b != NULL) {
		struct update_slot_pair *p = (struct update_slot_pair *)update_config_slots(
			cfg, o->slot_class);

		if (p == NULL) {
			if (cfg->n_slots == UPDATE_PAYLOADS_MAX ||
			    strlen(o->slot_class) >= sizeof(p->slot_class)) {
				return KIOSKCTL_EXIT_USAGE;
			}
			p = &cfg->slots[cfg->n_slots++];
			memset(p, 0, sizeof(*p));
			strcpy(p->slot_class, o->slot_class);
		}
		if (copy_opt(p->path[0], sizeof(p->path[0]), o->slot_a) != 0 ||
		    copy_opt(p->path[1], sizeof(p->path[1]), o->slot_b) != 0) {
			return KIOSKCTL_EXIT_USAGE;
		}
	}
	return KIOSKCTL_EXIT_OK;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9') {
		return -1;
	}
	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

static int cmd_build(const struct image_opts *o)
{
	struct update_manifest m;
	const char *paths[UPDATE_PAYLOADS_MAX];
	char why[256] = "";
	int rc;

	memset(&m, 0, sizeof(m));
	if (o->key == NULL || o->cert == NULL || o->compatible == NULL || o->version == NULL ||
	    o->build_id == NULL || o->output == NULL || o->n_payloads == 0 || o->arg != NULL ||
	    parse_u64(o->counter, &m.counter) != 0 ||
	    copy_opt(m.compatible, sizeof(m.compatible), o->compatible) != 0 ||
	    copy_opt(m.version, sizeof(m.version), o->version) != 0 ||
	    copy_opt(m.build_id, sizeof(m.build_id), o->build_id) != 0) {
		image_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	m.format_version = UPDATE_FORMAT_VERSION;
	m.n_payloads = o->n_payloads;
	for (unsigned i = 0; i < o->n_payloads; i++) {
		const char *eq = strchr(o->payloads[i], '=');
		size_t n = eq ? (size_t)(eq - o->payloads[i]) : 0;

		if (n == 0 || n >= sizeof(m.payloads[i].slot_class) || eq[1] == '\0') {
			fprintf(stderr, "kioskctl image build: --payload CLASS=FILE\n");
			return KIOSKCTL_EXIT_USAGE;
		}
		memcpy(m.payloads[i].slot_class, o->payloads[i], n);
		paths[i] = eq + 1;
	}
	rc = update_image_build(o->output, &m, paths, o->key, o->cert, why, sizeof(why));
	if (rc != KIOSK_OK) {
		fprintf(stderr, "kioskctl image build: %s\n", why);
		return rc == KIOSK_ERR_INVALID_ARG || rc == KIOSK_ERR_CONFIG ? KIOSKCTL_EXIT_USAGE :
									    KIOSKCTL_EXIT_FAIL;
	}
	printf("built %s: %s %s counter %" PRIu64 ", %u payload(s)\n", o->output, m.compatible,
	       m.version, m.counter, m.n_payloads);
	return KIOSKCTL_EXIT_OK;
}

static void print_report(const struct image_opts *o, const char *verb, int rc,
			 const struct update_report *rep)
{
	const struct update_manifest *m = &rep->manifest;
	char buf[4096];
	struct json_out j;

	if (o->json) {
		json_out_begin(&j, buf, sizeof(buf));
		json_out_str(&j, "command", verb);
		json_out_bool(&j, "ok", rc == KIOSK_OK);
		json_out_str(&j, "reason", update_reason_name(rep->why));
		json_out_str(&j, "message", rep->msg);
		if (rep->target != 0) {
			char t[2] = { rep->target, '\0' };

			json_out_str(&j, "target_slot", t);
		}
		if (m->n_payloads > 0) {
			json_out_int(&j, "format_version", m->format_version);
			json_out_str(&j, "compatible", m->compatible);
			json_out_str(&j, "version", m->version);
			/* counters above LONG_MAX (2^63) are not a release plan; shown as -1 */
			json_out_int(&j, "counter",
				     m->counter > LONG_MAX ? -1L : (long)m->counter);
			json_out_str(&j, "build_id", m->build_id);
			json_out_str(&j, "signer", rep->signer);
			json_out_int(&j, "payloads", m->n_payloads);
			for (unsigned i = 0; i < m->n_payloads; i++) {
				char k[48];

				snprintf(k, sizeof(k), "payload_%u_class", i);
				json_out_str(&j, k, m->payloads[i].slot_class);
				snprintf(k, sizeof(k), "payload_%u_size", i);
				json_out_int(&j, k, (long)m->payloads[i].size);
				snprintf(k, sizeof(k), "payload_%u_sha256", i);
				json_out_hex(&j, k, m->payloads[i].sha256, 32);
			}
		}
		json_out_end(&j);
		json_out_write(&j, STDOUT_FILENO);
		return;
	}
	if (rc != KIOSK_OK) {
		fprintf(stderr, "kioskctl image %s: refused (%s): %s\n", verb,
			update_reason_name(rep->why), rep->msg);
		return;
	}
	printf("image:      verified, signed by %s\n", rep->signer);
	printf("compatible: %s\nversion:    %s\ncounter:    %" PRIu64 "\nbuild id:   %s\n",
	       m->compatible, m->version, m->counter, m->build_id);
	for (unsigned i = 0; i < m->n_payloads; i++) {
		printf("payload %u:  %-8s %12" PRIu64 " bytes sha256 ", i + 1,
		       m->payloads[i].slot_class, m->payloads[i].size);
		for (int b = 0; b < 32; b++) {
			printf("%02x", m->payloads[i].sha256[b]);
		}
		printf("\n");
	}
	if (rep->msg[0] != '\0') {
		printf("%s\n", rep->msg);
	}
}

static int exit_for(int rc)
{
	if (rc == KIOSK_OK) {
		return KIOSKCTL_EXIT_OK;
	}
	if (rc == KIOSK_ERR_UPDATE) {
		return KIOSKCTL_EXIT_VERIFY;
	}
	if (rc == KIOSK_ERR_CONFIG) {
		return KIOSKCTL_EXIT_USAGE;
	}
	return KIOSKCTL_EXIT_FAIL;
}

static int cmd_inspect(const struct image_opts *o)
{
	struct update_config cfg;
	struct update_report rep;
	int code;
	int rc;

	if (o->arg == NULL) {
		image_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	code = load_config(o, &cfg);
	if (code != KIOSKCTL_EXIT_OK) {
		return code;
	}
	rc = update_inspect(cfg.release_root, o->arg, 0, &rep);
	print_report(o, "inspect", rc, &rep);
	return exit_for(rc);
}

static int cmd_install(const struct image_opts *o)
{
	struct update_install_opts io;
	struct update_config cfg;
	struct update_report rep;
	struct update_boot boot;
	const char *hook = getenv("KIOSK_UPDATE_TEST_FAIL_AFTER");
	int code;
	int rc;

	if (o->arg == NULL) {
		image_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	code = load_config(o, &cfg);
	if (code != KIOSKCTL_EXIT_OK) {
		return code;
	}
	update_install_opts_init(&io);
	if (hook != NULL && cfg.test_hooks) {
		uint64_t n;

		if (parse_u64(hook, &n) != 0 || n > INT64_MAX) {
			return KIOSKCTL_EXIT_USAGE;
		}
		io.fail_after = (int64_t)n;
	}
	rc = update_boot_open(&boot, &cfg);
	if (rc != KIOSK_OK) {
		fprintf(stderr, "kioskctl image install: boot state backend unusable\n");
		return KIOSKCTL_EXIT_USAGE;
	}
	rc = update_install(&cfg, &boot, o->arg, &io, &rep);
	update_boot_close(&boot);
	print_report(o, "install", rc, &rep);
	return exit_for(rc);
}

static int open_boot(const struct image_opts *o, struct update_config *cfg,
		     struct update_boot *boot)
{
	int code = load_config(o, cfg);

	if (code != KIOSKCTL_EXIT_OK) {
		return code;
	}
	if (update_boot_open(boot, cfg) != KIOSK_OK) {
		fprintf(stderr, "kioskctl image: boot state backend unusable\n");
		return KIOSKCTL_EXIT_USAGE;
	}
	return KIOSKCTL_EXIT_OK;
}

static int cmd_status(const struct image_opts *o)
{
	struct update_config cfg;
	struct update_boot boot;
	enum update_slot_state st[2] = { UPDATE_SLOT_BAD, UPDATE_SLOT_BAD };
	unsigned left[2] = { 0, 0 };
	uint64_t cnt[2] = { 0, 0 };
	uint64_t committed = 0;
	char primary = 0;
	char cur = 0;
	int code = open_boot(o, &cfg, &boot);
	int rc;

	if (code != KIOSKCTL_EXIT_OK) {
		return code;
	}
	rc = update_boot_get_primary(&boot, &primary);
	if (rc == KIOSK_OK) {
		rc = update_boot_get_current(&boot, &cur);
	}
	if (rc == KIOSK_OK) {
		rc = update_boot_get_counter(&boot, UPDATE_COUNTER_COMMITTED, &committed);
	}
	for (int i = 0; rc == KIOSK_OK && i < 2; i++) {
		rc = update_boot_get_state(&boot, (char)('A' + i), &st[i]);
		if (rc == KIOSK_OK) {
			rc = update_boot_get_counter(&boot, (char)('A' + i), &cnt[i]);
		}
		if (rc == KIOSK_OK) {
			(void)update_boot_get_attempts(&boot, (char)('A' + i), &left[i]);
		}
	}
	update_boot_close(&boot);
	if (rc != KIOSK_OK) {
		fprintf(stderr, "kioskctl image status: boot state unreadable (%s)\n",
			kiosk_err_name(rc));
		return KIOSKCTL_EXIT_FAIL;
	}
	if (o->json) {
		printf("{\"backend\":\"%s\",\"primary\":\"%c\",\"booted\":\"%c\","
		       "\"committed_counter\":%" PRIu64 ",\"slots\":["
		       "{\"name\":\"A\",\"state\":\"%s\",\"attempts_left\":%u,\"counter\":%" PRIu64 "},"
		       "{\"name\":\"B\",\"state\":\"%s\",\"attempts_left\":%u,\"counter\":%" PRIu64 "}"
		       "]}\n",
		       cfg.bootstate, primary, cur, committed, st[0] ? "good" : "bad", left[0],
		       cnt[0], st[1] ? "good" : "bad", left[1], cnt[1]);
	} else {
		printf("backend %s, booted %c, primary %c, committed anti-rollback counter %" PRIu64
		       "\n", cfg.bootstate, cur, primary, committed);
		for (int i = 0; i < 2; i++) {
			printf("slot %c: %-4s attempts left %u, counter %" PRIu64 "%s%s\n", 'A' + i,
			       st[i] ? "good" : "bad", left[i], cnt[i],
			       cur == 'A' + i ? " (booted)" : "", primary == 'A' + i ? " (primary)" : "");
		}
	}
	return KIOSKCTL_EXIT_OK;
}

static int cmd_mark_good(const struct image_opts *o)
{
	struct update_config cfg;
	struct update_boot boot;
	char cur = 0;
	int code = open_boot(o, &cfg, &boot);
	int rc;

	if (code != KIOSKCTL_EXIT_OK) {
		return code;
	}
	rc = update_mark_good(&boot);
	if (rc == KIOSK_OK) {
		rc = update_boot_get_current(&boot, &cur);
	}
	update_boot_close(&boot);
	if (rc != KIOSK_OK) {
		fprintf(stderr, "kioskctl image mark-good: failed (%s)\n", kiosk_err_name(rc));
		return KIOSKCTL_EXIT_FAIL;
	}
	printf("slot %c marked good\n", cur);
	return KIOSKCTL_EXIT_OK;
}

static int cmd_rollback(const struct image_opts *o)
{
	struct update_config cfg;
	struct update_boot boot;
	char primary = 0;
	int code = open_boot(o, &cfg, &boot);
	int rc;

	if (code != KIOSKCTL_EXIT_OK) {
		return code;
	}
	rc = update_rollback(&boot, &primary);
	update_boot_close(&boot);
	if (rc == KIOSK_ERR_UPDATE) {
		fprintf(stderr, "kioskctl image rollback: refused: the other slot is bad or below "
				"the anti-rollback counter\n");
		return KIOSKCTL_EXIT_VERIFY;
	}
	if (rc != KIOSK_OK) {
		fprintf(stderr, "kioskctl image rollback: failed (%s)\n", kiosk_err_name(rc));
		return KIOSKCTL_EXIT_FAIL;
	}
	printf("slot %c is primary; reboot to roll back\n", primary);
	return KIOSKCTL_EXIT_OK;
}

static int cmd_boot(const struct image_opts *o)
{
	struct update_config cfg;
	char booted = 0;
	int code = load_config(o, &cfg);
	int rc;

	if (code != KIOSKCTL_EXIT_OK) {
		return code;
	}
	rc = update_boot_select(&cfg, &booted);
	if (rc == KIOSK_ERR_NOT_SUPPORTED) {
		fprintf(stderr, "kioskctl image boot: only the file backend is simulated\n");
		return KIOSKCTL_EXIT_USAGE;
	}
	if (rc != KIOSK_OK) {
		fprintf(stderr, "kioskctl image boot: failed (%s)\n", kiosk_err_name(rc));
		return KIOSKCTL_EXIT_FAIL;
	}
	printf("booted slot %c\n", booted);
	return KIOSKCTL_EXIT_OK;
}

int kioskctl_image(int argc, char **argv)
{
	struct image_opts o;
	const char *verb;

	if (argc < 2) {
		image_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	if (kiosk_harden_process() != 0) {
		return KIOSKCTL_EXIT_FAIL;
	}
	verb = argv[1];
	if (parse_opts(argc - 1, argv + 1, &o) != 0) {
		image_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	if (strcmp(verb, "build") == 0) {
		return cmd_build(&o);
	}
	if (strcmp(verb, "inspect") == 0) {
		return cmd_inspect(&o);
	}
	if (strcmp(verb, "install") == 0) {
		return cmd_install(&o);
	}
	if (o.arg != NULL) {
		image_usage(stderr);
		return KIOSKCTL_EXIT_USAGE;
	}
	if (strcmp(verb, "mark-good") == 0) {
		return cmd_mark_good(&o);
	}
	if (strcmp(verb, "rollback") == 0) {
		return cmd_rollback(&o);
	}
	if (strcmp(verb, "status") == 0) {
		return cmd_status(&o);
	}
	if (strcmp(verb, "boot") == 0) {
		return cmd_boot(&o);
	}
	image_usage(stderr);
	return KIOSKCTL_EXIT_USAGE;
}
