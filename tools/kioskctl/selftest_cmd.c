/* SPDX-License-Identifier: MIT */
/*
 * kioskctl selftest [--board NAME] [--json] [--url URL] [--printer-uri URI]
 *                   [--card-wait-ms N]
 *
 * What a technician runs after installing or repairing a unit: every part a
 * resident needs (reader, card path without a PIN, printer, center over
 * mutual TLS, clock, trust anchors) plus the unit's health (memory, disk,
 * firmware slots). Each check says ok / warn / fail, why, and what to do next.
 * Exit 0 only when no resident-facing check failed (docs/kioskctl.md).
 *
 * No PIN is ever sent: the card check stops after SELECT and the empty VERIFY
 * that asks how many tries remain (it costs none).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <mbedtls/x509_crt.h>

#include "hal/printer.h"
#include "hal/reader.h"
#include "kiosk/board.h"
#include "kiosk/center.h"
#include "kiosk/certificate.h"
#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "kiosk/mynacard.h"
#include "kiosk/vault.h"
#include "kioskctl.h"

#ifndef KIOSK_BUILD_DIR
#define KIOSK_BUILD_DIR "/usr/share/kiosk" /* as firmware/core/board.c */
#endif

#define ST_MSG_MAX 320
#define ST_MUNI_MAX 2048
#define ST_CARD_WAIT_MS 2000u
#define ST_MEM_WARN_KIB (64u * 1024u)
#define ST_DISK_WARN_BYTES (100ull * 1024u * 1024u)

enum st_status { ST_OK, ST_WARN, ST_FAIL };

enum st_id {
	ST_READER, ST_CARD, ST_PINPAD, ST_PRINTER, ST_CENTER, ST_CLOCK, ST_ANCHORS,
	ST_MEMORY, ST_DISK, ST_FIRMWARE, ST_COUNT
};

struct st_check {
	const char *id;
	bool resident;        /* a failure here stops residents from getting a certificate */
	enum st_status status;
	char msg[ST_MSG_MAX];
	char next[ST_MSG_MAX];
	const char *next_ja;  /* the same advice in Japanese, or NULL */
};

static struct st_check checks[ST_COUNT] = {
	[ST_READER] = { "reader", true, ST_OK, "", "", NULL },
	[ST_CARD] = { "card", true, ST_OK, "", "", NULL },
	[ST_PINPAD] = { "pinpad", false, ST_OK, "", "", NULL },
	[ST_PRINTER] = { "printer", true, ST_OK, "", "", NULL },
	[ST_CENTER] = { "center", true, ST_OK, "", "", NULL },
	[ST_CLOCK] = { "clock", true, ST_OK, "", "", NULL },
	[ST_ANCHORS] = { "anchors", true, ST_OK, "", "", NULL },
	[ST_MEMORY] = { "memory", false, ST_OK, "", "", NULL },
	[ST_DISK] = { "disk", false, ST_OK, "", "", NULL },
	[ST_FIRMWARE] = { "firmware", false, ST_OK, "", "", NULL },
};

static void set(enum st_id id, enum st_status s, const char *next, const char *next_ja,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void set(enum st_id id, enum st_status s, const char *next, const char *next_ja,
		const char *fmt, ...)
{
	va_list ap;

	checks[id].status = s;
	va_start(ap, fmt);
	vsnprintf(checks[id].msg, sizeof(checks[id].msg), fmt, ap);
	va_end(ap);
	snprintf(checks[id].next, sizeof(checks[id].next), "%s", next ? next : "");
	checks[id].next_ja = next_ja;
}

static const char *status_name(enum st_status s)
{
	return s == ST_OK ? "ok" : s == ST_WARN ? "warn" : "fail";
}

/* ---- time ------------------------------------------------------------ */

static time_t x509_epoch(const mbedtls_x509_time *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return timegm(&tm);
}

/* The compiler's __DATE__ ("Nov 25 2026"): a clock before it is surely wrong. */
static time_t build_epoch(void)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *d = __DATE__;
	const char *m = strstr(months, (char[4]){ d[0], d[1], d[2], '\0' });
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_mon = m ? (int)(m - months) / 3 : 0;
	tm.tm_mday = atoi(d + 4);
	tm.tm_year = atoi(d + 7) - 1900;
	return timegm(&tm);
}

/* The clock the checks use: the system's, or on non-production boards the QA
 * hook KIOSK_SELFTEST_NOW=<epoch> (so a skewed clock can be tested). */
static time_t selftest_now(const struct kiosk_board *b)
{
	const char *env = getenv("KIOSK_SELFTEST_NOW");

	if (!b->production && env != NULL && *env != '\0') {
		char *end;
		long long v = strtoll(env, &end, 10);

		if (*end == '\0') {
			return (time_t)v;
		}
	}
	return time(NULL);
}

static void fmt_epoch(time_t t, char *out, size_t cap)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- checks ---------------------------------------------------------- */

static void check_card_path(const struct kiosk_board *b, const struct mnc_anchors *anchors,
			    unsigned wait_ms)
{
	const struct hal_reader_ops *ops = hal_reader_backend(b->reader_backend);
	struct hal_reader_config cfg;
	struct hal_reader r;
	struct kiosk_vault vault;
	struct mnc_session s;
	struct mnc_options mopt;
	bool session = false;
	int tries = -1;
	int rc;

	hal_reader_init(&r);
	kiosk_vault_init(&vault);
	set(ST_CARD, ST_WARN, "place a My Number card on the reader to test the card path",
	    "カード経路を確認するにはマイナンバーカードを置いてください", "not tested");
	set(ST_PINPAD, ST_OK, NULL, NULL, "unknown without a card");
	if (ops == NULL) {
		set(ST_READER, ST_FAIL, "use a firmware built with this reader backend",
		    "このリーダーに対応したファームウェアを入れてください",
		    "reader backend %s is not built in", b->reader_backend);
		return;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.name_pattern = b->reader_pattern;
	cfg.apdu_timeout_ms = b->apdu_timeout_ms;
	rc = hal_reader_open(&r, ops, &cfg);
	if (rc == KIOSK_ERR_NO_READER) {
		set(ST_READER, ST_FAIL,
		    "check the reader's USB cable and power; check reader.pattern in the board file",
		    "リーダーのUSBケーブルと電源を確認してください",
		    "no reader matches \"%s\"", b->reader_pattern);
		goto out;
	}
	if (rc == KIOSK_ERR_READER_GONE) {
		set(ST_READER, ST_FAIL,
		    "the smart-card service is not running: systemctl restart pcscd, then run selftest again",
		    "カードリーダーのサービス(pcscd)を再起動してください",
		    "card reader service (pcscd) not reachable");
		goto out;
	}
	if (rc != 0) {
		set(ST_READER, ST_FAIL, "reconnect the reader; if it persists, replace it",
		    "リーダーを接続し直してください", "reader: %s (%s)", kiosk_strerror(rc),
		    kiosk_err_name(rc));
		goto out;
	}
	set(ST_READER, ST_OK, NULL, NULL, "a reader matching \"%s\" is present", b->reader_pattern);
	rc = hal_reader_wait_card(&r, true, wait_ms);
	if (rc == KIOSK_ERR_TIMEOUT || rc == KIOSK_ERR_NO_CARD) {
		set(ST_CARD, ST_WARN, "place a My Number card on the reader to test the card path",
		    "カード経路を確認するにはマイナンバーカードを置いてください",
		    "no card on the reader");
		goto out;
	}
	if (rc == 0) {
		rc = hal_reader_connect(&r);
	}
	if (rc != 0) {
		set(ST_CARD, ST_FAIL, "try another card; if no card works, replace the reader",
		    "別のカードで試し、だめならリーダーを交換してください",
		    "the card does not answer: %s (%s)", kiosk_strerror(rc), kiosk_err_name(rc));
		goto out;
	}
	if (r.info.caps & HAL_READER_CAP_PINPAD) {
		set(ST_PINPAD, ST_OK, NULL, NULL, "PIN pad present (%u-%u digits)",
		    (unsigned)r.info.pin_min, (unsigned)r.info.pin_max);
	} else {
		set(ST_PINPAD, ST_OK, NULL, NULL, "no PIN pad: residents type the PIN on the screen");
	}
	rc = kiosk_vault_setup(&vault, KIOSK_VAULT_DEFAULT_SIZE);
	if (rc == 0) {
		memset(&mopt, 0, sizeof(mopt));
		mopt.allow_sfi = b->allow_sfi;
		mopt.allow_extended = b->allow_extended;
		rc = mnc_session_init(&s, &r, &vault, anchors, NULL, &mopt);
		session = rc == 0;
	}
	if (rc == 0) {
		rc = mnc_select_ap(&s);
	}
	if (rc == 0) {
		/* An empty VERIFY: the count of tries left, costing none. Never a PIN. */
		rc = mnc_query_tries(&s, &tries);
	}
	if (rc == 0) {
		set(ST_CARD, ST_OK, NULL, NULL, "the card answers (%d PIN tries left; no PIN used)",
		    tries);
	} else if (rc == KIOSK_ERR_PIN_BLOCKED) {
		set(ST_CARD, ST_WARN, "the test card's PIN is blocked: use another card",
		    "このカードのPINはロックされています。別のカードで試してください",
		    "the card answers, but its PIN is blocked");
	} else if (rc == KIOSK_ERR_NOT_MYNUMBER_CARD) {
		set(ST_CARD, ST_WARN, "place a My Number card (this one is another kind of card)",
		    "マイナンバーカードを置いてください", "the card is not a My Number card");
	} else {
		set(ST_CARD, ST_FAIL, "try another card; if no card works, replace the reader",
		    "別のカードで試し、だめならリーダーを交換してください",
		    "the card does not answer: %s (%s)", kiosk_strerror(rc), kiosk_err_name(rc));
	}
out:
	if (session) {
		mnc_session_end(&s);
	}
	hal_reader_close(&r);
	kiosk_vault_free(&vault);
}

static const char *printer_next(int err)
{
	switch (err) {
	case KIOSK_ERR_MEDIA_EMPTY:
		return "load A4 paper";
	case KIOSK_ERR_MEDIA_JAM:
		return "open the printer and clear the paper jam";
	case KIOSK_ERR_DOOR_OPEN:
		return "close the printer's door or cover";
	case KIOSK_ERR_TONER_EMPTY:
		return "replace the toner or ink";
	case KIOSK_ERR_PRINTER_OFFLINE:
		return "bring the printer online (resume it on its panel)";
	default:
		return "check the printer's power and network cable, and printer.uri in the board file";
	}
}

static void check_printer(struct kiosk_board *b, const char *uri)
{
	struct hal_printer p;
	struct hal_printer_status st;
	int rc;

	if (uri != NULL) {
		snprintf(b->printer_backend, sizeof(b->printer_backend), "ipp");
		snprintf(b->printer_uri, sizeof(b->printer_uri), "%s", uri);
	} else if (strcmp(b->printer_backend, "preview") == 0) {
		set(ST_PRINTER, ST_OK, NULL, NULL, "preview backend (simulated board): nothing to check");
		return;
	}
	memset(&st, 0, sizeof(st));
	hal_printer_init(&p);
	rc = hal_printer_open_board(&p, b, NULL);
	if (rc == 0) {
		rc = hal_printer_status(&p, &st);
	}
	hal_printer_close(&p);
	if (rc != 0 || !st.reachable) {
		if (rc == 0) {
			rc = st.err ? st.err : KIOSK_ERR_PRINTER_UNREACHABLE;
		}
		set(ST_PRINTER, ST_FAIL, printer_next(KIOSK_ERR_PRINTER_UNREACHABLE),
		    "プリンターの電源とネットワークケーブルを確認してください",
		    "printer not reachable: %s (%s)", kiosk_strerror(rc), kiosk_err_name(rc));
	} else if (!st.ready) {
		set(ST_PRINTER, ST_FAIL, printer_next(st.err), "プリンターの表示を確認してください",
		    "printer not ready: %s (%s; %s)", kiosk_strerror(st.err),
		    kiosk_err_name(st.err), st.reasons[0] ? st.reasons : "none");
	} else {
		set(ST_PRINTER, ST_OK, NULL, NULL, "printer ready (IPP state %d)", st.state);
	}
}

static const char *center_next(int rc, const char **ja)
{
	*ja = "ネットワークとセンターの状態を確認してください";
	switch (rc) {
	case KIOSK_ERR_CONFIG:
		*ja = "kioskctl provision status で証明書と鍵を確認してください";
		return "the client certificate, key or center CA is missing or mismatched: "
		       "kioskctl provision status";
	case KIOSK_ERR_TLS_UNTRUSTED:
		*ja = "信頼アンカーを入れ直してください (kioskctl provision install-anchors)";
		return "the center's certificate does not chain to the pinned center CA: reinstall "
		       "the anchor bundle (kioskctl provision install-anchors) or look for a proxy "
		       "intercepting TLS";
	case KIOSK_ERR_TLS_EXPIRED:
		*ja = "時計を確認し、センターに連絡してください";
		return "check the clock, then ask the center operator about its certificate";
	case KIOSK_ERR_TLS_WRONG_HOST:
		return "center.url does not match the center's certificate: check the board file";
	case KIOSK_ERR_TLS_CLIENT_CERT_REFUSED:
		*ja = "端末の証明書を再発行してください";
		return "the center refused this unit's certificate: re-provision the unit "
		       "(kioskctl provision csr / install-cert)";
	default:
		return "check the network cable, VPN and firewall; ask the center operator whether "
		       "the center is up";
	}
}

static void check_center(const struct kiosk_board *b, const char *url)
{
	static struct center_municipality list[ST_MUNI_MAX];
	struct center_client c;
	const char *ja;
	size_t n = 0;
	int rc;

	center_client_init(&c);
	rc = kioskctl_center_open(&c, b, url);
	if (rc == 0) {
		rc = center_get_municipalities(&c, list, ST_MUNI_MAX, &n);
	}
	if (rc == 0 && n == 0) {
		set(ST_CENTER, ST_FAIL, "ask the center operator: no municipality participates",
		    "センターに連絡してください", "center answered with no municipality");
	} else if (rc == 0) {
		set(ST_CENTER, ST_OK, NULL, NULL,
		    "mutual TLS verified; %zu participating municipalities", n);
	} else {
		const char *next = center_next(rc, &ja);

		set(ST_CENTER, ST_FAIL, next, ja, "center: %s (%s)", kiosk_strerror(rc),
		    kiosk_err_name(rc));
	}
	center_client_free(&c);
}

/* now within [not_before, not_after] of the certificate at @path; appends to @why. */
static bool cert_valid_at(const char *path, const char *label, time_t now, char *why,
			  size_t cap, time_t *until)
{
	mbedtls_x509_crt crt;
	bool ok = false;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_file(&crt, path) != 0) {
		snprintf(why, cap, "%s unreadable", label);
	} else if (now < x509_epoch(&crt.valid_from)) {
		snprintf(why, cap, "now is before the %s becomes valid", label);
	} else if (now > x509_epoch(&crt.valid_to)) {
		snprintf(why, cap, "now is after the %s expired", label);
	} else {
		ok = true;
		*until = x509_epoch(&crt.valid_to);
	}
	mbedtls_x509_crt_free(&crt);
	return ok;
}

static void check_clock(const struct kiosk_board *b, time_t now)
{
	char why[160] = "";
	char when[32];
	char built[32];
	time_t until = 0;
	time_t until2 = 0;

	fmt_epoch(now, when, sizeof(when));
	fmt_epoch(build_epoch(), built, sizeof(built));
	/* A day's slack: __DATE__ is the local date of the build machine. */
	if (now < build_epoch() - 86400) {
		set(ST_CLOCK, ST_FAIL, "set the clock (check NTP: timedatectl status)",
		    "時計を合わせてください (NTP を確認)",
		    "clock %s is before this firmware was built (%s)", when, built);
		return;
	}
	if (!cert_valid_at(b->center_client_cert, "kiosk client certificate", now, why,
			   sizeof(why), &until) ||
	    !cert_valid_at(b->center_ca_file, "center CA", now, why, sizeof(why), &until2)) {
		set(ST_CLOCK, ST_FAIL,
		    "check the clock (timedatectl status); if it is right, renew the certificate "
		    "(kioskctl provision csr / install-cert)",
		    "時計を確認し、正しければ証明書を更新してください", "clock %s: %s", when, why);
		return;
	}
	fmt_epoch(until < until2 ? until : until2, built, sizeof(built));
	set(ST_CLOCK, ST_OK, NULL, NULL, "clock %s; certificates valid until %s", when, built);
}

static void check_anchors(const struct kiosk_board *b, time_t now, struct mnc_anchors **card)
{
	const char *next = "reinstall the trust anchors (kioskctl provision install-anchors)";
	const char *ja = "信頼アンカーを入れ直してください";
	struct cert_keyset *ks = NULL;
	struct cert_csca *csca = NULL;
	char why[160] = "";
	time_t until = 0;
	int rc;

	rc = mnc_anchors_load_dir(card, b->anchors_dir, b->production);
	if (rc != 0) {
		set(ST_ANCHORS, ST_FAIL, next, ja, "card CA keys in %s: %s (%s)", b->anchors_dir,
		    kiosk_strerror(rc), kiosk_err_name(rc));
		goto out;
	}
	rc = cert_keyset_load_jwks(&ks, b->cert_issuer_jwks);
	if (rc != 0) {
		set(ST_ANCHORS, ST_FAIL, next, ja, "issuer key set %s: %s", b->cert_issuer_jwks,
		    kiosk_strerror(rc));
		goto out;
	}
	rc = cert_csca_load(&csca, b->cert_csca);
	if (rc != 0 || !cert_valid_at(b->cert_csca, "CSCA", now, why, sizeof(why), &until)) {
		set(ST_ANCHORS, ST_FAIL, next, ja, "CSCA %s: %s", b->cert_csca,
		    rc ? kiosk_strerror(rc) : why);
		goto out;
	}
	if (!cert_valid_at(b->center_ca_file, "center CA", now, why, sizeof(why), &until)) {
		set(ST_ANCHORS, ST_FAIL, next, ja, "center CA %s: %s", b->center_ca_file, why);
		goto out;
	}
	set(ST_ANCHORS, ST_OK, NULL, NULL,
	    "%zu card CA key(s), %zu issuer key(s), CSCA and center CA valid",
	    mnc_anchors_count(*card), cert_keyset_count(ks));
out:
	cert_keyset_free(ks);
	cert_csca_free(csca);
}

static void check_memory(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long kib = 0;
	bool found = false;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "MemAvailable: %lu kB", &kib) == 1) {
			found = true;
			break;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	if (!found) {
		set(ST_MEMORY, ST_WARN, "check the kernel (no MemAvailable in /proc/meminfo)", NULL,
		    "available memory unknown");
	} else if (kib < ST_MEM_WARN_KIB) {
		set(ST_MEMORY, ST_WARN, "find what uses the memory (top); reboot the unit",
		    "メモリ使用状況を確認し、再起動してください", "only %lu MiB available",
		    kib / 1024);
	} else {
		set(ST_MEMORY, ST_OK, NULL, NULL, "%lu MiB available", kib / 1024);
	}
}

static void check_disk(void)
{
	struct statvfs v;
	unsigned long long avail;

	if (statvfs("/", &v) != 0) {
		set(ST_DISK, ST_WARN, "check the root file system", NULL, "statvfs / failed");
		return;
	}
	avail = (unsigned long long)v.f_bavail * v.f_frsize;
	if (avail < ST_DISK_WARN_BYTES) {
		set(ST_DISK, ST_WARN, "free space on / (old logs: journalctl --vacuum-size)",
		    "ディスクの空き容量を増やしてください", "only %llu MiB free on /",
		    avail >> 20);
	} else {
		set(ST_DISK, ST_OK, NULL, NULL, "%llu MiB free on /", avail >> 20);
	}
}

/* "key = value" or "key=value"; copies value of @key into @out. */
static bool kv_find(const char *path, const char *key, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[PATH_MAX + 64];
	bool found = false;

	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL) {
		char *eq = strchr(line, '=');
		char *k = line;
		char *v;
		size_t n;

		if (line[0] == '#' || eq == NULL) {
			continue;
		}
		*eq = '\0';
		v = eq + 1;
		while (*k == ' ' || *k == '\t') {
			k++;
		}
		for (n = strlen(k); n > 0 && (k[n - 1] == ' ' || k[n - 1] == '\t'); n--) {
			k[n - 1] = '\0';
		}
		while (*v == ' ' || *v == '\t') {
			v++;
		}
		for (n = strlen(v); n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r' ||
					      v[n - 1] == ' ' || v[n - 1] == '\t'); n--) {
			v[n - 1] = '\0';
		}
		if (strcmp(k, key) == 0) {
			snprintf(out, cap, "%s", v);
			found = true;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return found;
}

/* Only reads board/<name>/update.conf and the slot state file it names:
 * the update code owns both; this stays tolerant of whatever is there. */
static void check_firmware(const struct kiosk_board *b)
{
	char conf[PATH_MAX];
	char file[PATH_MAX];
	char path[PATH_MAX];
	char primary[32] = "?";
	char a[32] = "?";
	char bs[32] = "?";
	char cur[32] = "?";
	bool found;
	FILE *f;
	int n;

	if (snprintf(conf, sizeof(conf), "%s/update.conf", b->dir) >= (int)sizeof(conf) ||
	    !kv_find(conf, "update.state_file", file, sizeof(file)) || file[0] == '\0') {
		set(ST_FIRMWARE, ST_OK, NULL, NULL, "no update state (not provisioned for updates)");
		return;
	}
	if (strncmp(file, "@build@/", 8) == 0) {
		n = snprintf(path, sizeof(path), "%s/%s", KIOSK_BUILD_DIR, file + 8);
	} else {
		n = snprintf(path, sizeof(path), "%s%s%s", file[0] == '/' ? "" : b->dir,
			     file[0] == '/' ? "" : "/",
			     strncmp(file, "@board@/", 8) == 0 ? file + 8 : file);
	}
	if (n < 0 || n >= (int)sizeof(path)) {
		set(ST_FIRMWARE, ST_WARN, "fix update.state_file in the board's update.conf", NULL,
		    "slot state file path too long");
		return;
	}
	f = fopen(path, "r");
	if (f == NULL && errno == ENOENT) {
		/* The update code writes it on the first install. */
		set(ST_FIRMWARE, ST_OK, NULL, NULL,
		    "no update state (not provisioned for updates): %s not written yet", path);
		return;
	}
	if (f == NULL) {
		set(ST_FIRMWARE, ST_WARN, "run kioskctl image status; reinstall the firmware if needed",
		    "kioskctl image status を確認してください",
		    "slot state file %s unreadable", path);
		return;
	}
	fclose(f);
	/* Both spellings: the brief's (primary, A.state) and the file backend's (PRIMARY, STATE_A). */
	found = kv_find(path, "primary", primary, sizeof(primary)) ||
		kv_find(path, "PRIMARY", primary, sizeof(primary));
	found |= kv_find(path, "A.state", a, sizeof(a)) || kv_find(path, "STATE_A", a, sizeof(a));
	found |= kv_find(path, "B.state", bs, sizeof(bs)) || kv_find(path, "STATE_B", bs, sizeof(bs));
	if (!kv_find(path, "current", cur, sizeof(cur))) {
		kv_find(path, "CURRENT", cur, sizeof(cur));
	}
	if (!found) {
		set(ST_FIRMWARE, ST_OK, NULL, NULL, "no update state (not provisioned for updates)");
		return;
	}
	set(ST_FIRMWARE, ST_OK, NULL, NULL, "primary slot %s; A %s, B %s; booted %s", primary, a,
	    bs, cur);
}

/* ---- output ---------------------------------------------------------- */

static void print_table(const struct kiosk_board *b, bool pass)
{
	size_t i;
	bool any = false;

	printf("kioskctl selftest: board %s%s\n\n", b->name, b->production ? " (production)" : "");
	printf("%-9s %-5s %s\n", "CHECK", "STATE", "DETAILS");
	for (i = 0; i < ST_COUNT; i++) {
		printf("%-9s %-5s %s\n", checks[i].id, status_name(checks[i].status), checks[i].msg);
	}
	for (i = 0; i < ST_COUNT; i++) {
		if (checks[i].status == ST_OK || checks[i].next[0] == '\0') {
			continue;
		}
		if (!any) {
			printf("\nWhat to do next:\n");
			any = true;
		}
		printf("  %-9s %s\n", checks[i].id, checks[i].next);
		if (checks[i].next_ja != NULL) {
			printf("  %-9s %s\n", "", checks[i].next_ja);
		}
	}
	printf("\n%s\n", pass ? "RESULT: ready for residents" :
				"RESULT: NOT ready for residents (see above)");
}

static void print_json(const struct kiosk_board *b, bool pass)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *arr;
	char *text;
	size_t i;

	cJSON_AddStringToObject(root, "board", b->name);
	cJSON_AddBoolToObject(root, "production", b->production);
	cJSON_AddBoolToObject(root, "ok", pass);
	arr = cJSON_AddArrayToObject(root, "checks");
	for (i = 0; i < ST_COUNT; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "id", checks[i].id);
		cJSON_AddStringToObject(c, "status", status_name(checks[i].status));
		cJSON_AddBoolToObject(c, "resident_facing", checks[i].resident);
		cJSON_AddStringToObject(c, "message", checks[i].msg);
		if (checks[i].next[0] != '\0') {
			cJSON_AddStringToObject(c, "next", checks[i].next);
		}
		if (checks[i].next_ja != NULL) {
			cJSON_AddStringToObject(c, "next_ja", checks[i].next_ja);
		}
		cJSON_AddItemToArray(arr, c);
	}
	text = cJSON_PrintUnformatted(root);
	if (text != NULL) {
		printf("%s\n", text);
		free(text);
	}
	cJSON_Delete(root);
}

int kioskctl_selftest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "url", required_argument, NULL, 'u' },
		{ "printer-uri", required_argument, NULL, 'p' },
		{ "card-wait-ms", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *board_name = "sim";
	const char *url = NULL;
	const char *printer_uri = NULL;
	unsigned wait_ms = ST_CARD_WAIT_MS;
	struct mnc_anchors *card = NULL;
	struct kiosk_board board;
	char why[256] = "";
	bool json = false;
	bool pass = true;
	time_t now;
	size_t i;
	int c;

	if (kiosk_harden_process() != 0) {
		return KIOSKCTL_EXIT_FAIL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': board_name = optarg; break;
		case 'j': json = true; break;
		case 'u': url = optarg; break;
		case 'p': printer_uri = optarg; break;
		case 'w': wait_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return KIOSKCTL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		return KIOSKCTL_EXIT_USAGE;
	}
	if (kiosk_board_load(&board, board_name, why, sizeof(why)) != 0) {
		fprintf(stderr, "kioskctl: board %s: %s\n", board_name, why);
		return KIOSKCTL_EXIT_USAGE;
	}
	if (board.production && (url != NULL || printer_uri != NULL)) {
		fprintf(stderr, "kioskctl: --url/--printer-uri are refused on production board %s\n",
			board.name);
		return KIOSKCTL_EXIT_USAGE;
	}
	now = selftest_now(&board);
	check_anchors(&board, now, &card);
	check_card_path(&board, card, wait_ms);
	check_printer(&board, printer_uri);
	check_center(&board, url);
	check_clock(&board, now);
	check_memory();
	check_disk();
	check_firmware(&board);
	mnc_anchors_free(card);
	for (i = 0; i < ST_COUNT; i++) {
		if (checks[i].resident && checks[i].status == ST_FAIL) {
			pass = false;
		}
	}
	if (json) {
		print_json(&board, pass);
	} else {
		print_table(&board, pass);
	}
	return pass ? KIOSKCTL_EXIT_OK : KIOSKCTL_EXIT_FAIL;
}
