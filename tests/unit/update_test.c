/* SPDX-License-Identifier: MIT */
/*
 * Signed firmware images (firmware/update): manifest codec, the tamper matrix
 * (each refused, every slot and the boot state byte-identical afterwards),
 * power loss during the slot write, install -> boot -> mark-good, rollback
 * when mark-good never comes, and the U-Boot backend against fake fw_* tools
 * and against the real libubootenv ones with a file-backed environment.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <mbedtls/sha256.h>

#include "kiosk/err.h"
#include "update/bootstate.h"
#include "update/config.h"
#include "update/image.h"
#include "update/install.h"
#include "update/manifest.h"

#define SLOT_SIZE (1024 * 1024)
#define ROOTFS_SIZE 300001
#define APP_SIZE 70000

struct fx {
	char dir[64];
	char pki[512];
	char rootfs[128];
	char app[128];
	char image[128];
	struct update_config cfg;
};

static void pki(const struct fx *f, char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", f->pki, name);
}

static void fill_file(const char *path, size_t n, unsigned seed)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		fputc((int)(seed >> 16) & 0xff, fp);
	}
	assert_int_equal(fclose(fp), 0);
}

/* SHA-256 of a whole file, or all-zero when it does not exist */
static void hash_file(const char *path, uint8_t out[32])
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	memset(out, 0, 32);
	if (fd < 0) {
		return;
	}
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(update_hash_fd(fd, 0, (uint64_t)st.st_size, out), KIOSK_OK);
	close(fd);
}

struct snapshot {
	uint8_t a[32], b[32], app_a[32], app_b[32], state[32];
};

static void snap(const struct fx *f, struct snapshot *s)
{
	hash_file(f->cfg.slots[0].path[0], s->a);
	hash_file(f->cfg.slots[0].path[1], s->b);
	hash_file(f->cfg.slots[1].path[0], s->app_a);
	hash_file(f->cfg.slots[1].path[1], s->app_b);
	hash_file(f->cfg.state_file, s->state);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *pkidir = getenv("KIOSK_RELEASE_PKI");

	assert_non_null(f);
	snprintf(f->pki, sizeof(f->pki), "%s", pkidir ? pkidir : UPDATE_TEST_PKI);
	strcpy(f->dir, "/tmp/update_test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	update_config_init(&f->cfg);
	snprintf(f->cfg.state_file, sizeof(f->cfg.state_file), "%s/bootstate", f->dir);
	strcpy(f->cfg.compatible, "kiosk-sim");
	pki(f, f->cfg.release_root, sizeof(f->cfg.release_root), "release-root.crt.pem");
	f->cfg.n_slots = 2;
	strcpy(f->cfg.slots[0].slot_class, "rootfs");
	strcpy(f->cfg.slots[1].slot_class, "app");
	for (int i = 0; i < 2; i++) {
		snprintf(f->cfg.slots[0].path[i], PATH_MAX, "%s/rootfs-%c.img", f->dir, 'a' + i);
		snprintf(f->cfg.slots[1].path[i], PATH_MAX, "%s/app-%c.img", f->dir, 'a' + i);
		fill_file(f->cfg.slots[0].path[i], SLOT_SIZE, 100u + (unsigned)i);
		fill_file(f->cfg.slots[1].path[i], SLOT_SIZE / 4, 200u + (unsigned)i);
	}
	snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs.bin", f->dir);
	snprintf(f->app, sizeof(f->app), "%s/app.bin", f->dir);
	snprintf(f->image, sizeof(f->image), "%s/fw.kfw", f->dir);
	fill_file(f->rootfs, ROOTFS_SIZE, 7);
	fill_file(f->app, APP_SIZE, 8);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void base_manifest(struct update_manifest *m, uint64_t counter)
{
	memset(m, 0, sizeof(*m));
	m->format_version = UPDATE_FORMAT_VERSION;
	strcpy(m->compatible, "kiosk-sim");
	strcpy(m->version, "2.0.0");
	m->counter = counter;
	strcpy(m->build_id, "test-build");
	m->n_payloads = 2;
	strcpy(m->payloads[0].slot_class, "rootfs");
	strcpy(m->payloads[1].slot_class, "app");
}

/* A good image signed by @signer (basename in the PKI; key is release-signer unless other-*) */
static void build(struct fx *f, struct update_manifest *m, const char *key, const char *cert)
{
	const char *paths[2] = { f->rootfs, f->app };
	char k[600];
	char c[600];
	char why[256] = "";

	pki(f, k, sizeof(k), key);
	pki(f, c, sizeof(c), cert);
	assert_int_equal(update_image_build(f->image, m, paths, k, c, why, sizeof(why)), KIOSK_OK);
}

static void build_default(struct fx *f, uint64_t counter)
{
	struct update_manifest m;

	base_manifest(&m, counter);
	build(f, &m, "release-signer.key.pem", "release-signer.crt.pem");
}

static int install(struct fx *f, int64_t fail_after, struct update_report *rep)
{
	struct update_install_opts o;
	struct update_boot boot;
	int rc;

	update_install_opts_init(&o);
	o.fail_after = fail_after;
	assert_int_equal(update_boot_open(&boot, &f->cfg), KIOSK_OK);
	rc = update_install(&f->cfg, &boot, f->image, &o, rep);
	update_boot_close(&boot);
	return rc;
}

static void patch(const char *path, long off, const void *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, off), (ssize_t)n);
	close(fd);
}

static void flip(const char *path, long off)
{
	uint8_t b;
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= 0x01;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

static long file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (long)st.st_size;
}

/* offsets of the front matter of the image at @path */
struct layout {
	long mlen, sig_off, sig_len, cert_off, cert_len, payload_off;
};

static void layout_of(const char *path, struct layout *l)
{
	struct update_image img;
	enum update_reason why;

	update_image_init(&img);
	assert_int_equal(update_image_open(&img, path, &why), KIOSK_OK);
	l->mlen = (long)img.manifest_len;
	l->sig_off = UPDATE_HEADER_LEN + l->mlen;
	l->sig_len = (long)img.sig_len;
	l->cert_off = l->sig_off + 2 + l->sig_len;
	l->cert_len = (long)img.cert_len;
	l->payload_off = (long)img.payload_offset;
	update_image_free(&img);
}

/* ---- manifest codec ---------------------------------------------------- */

static void test_manifest_roundtrip_and_truncation(void **state)
{
	struct update_manifest m;
	struct update_manifest back;
	enum update_reason why;
	uint8_t buf[UPDATE_MANIFEST_MAX + 8];
	size_t n = 0;

	(void)state;
	base_manifest(&m, 42);
	m.payloads[0].size = 123;
	m.payloads[1].size = 456;
	m.payloads[1].sha256[31] = 0xaa;
	assert_int_equal(update_manifest_serialize(&m, buf, sizeof(buf), &n), KIOSK_OK);
	assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_OK);
	assert_int_equal(why, UPDATE_R_NONE);
	assert_memory_equal(&m, &back, sizeof(m));
	/* every proper prefix and one trailing byte are refused */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(update_manifest_parse(&back, buf, i, NULL), KIOSK_ERR_UPDATE);
	}
	buf[n] = 0;
	assert_int_equal(update_manifest_parse(&back, buf, n + 1, &why), KIOSK_ERR_UPDATE);
	assert_int_equal(why, UPDATE_R_FORMAT);
	/* format version 2 */
	buf[1] = 2;
	assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_ERR_UPDATE);
	buf[1] = 1;
	/* a control byte in the compatible string (offset 3: after u16 + len) */
	buf[3] = '\n';
	assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_ERR_UPDATE);
	assert_int_equal(why, UPDATE_R_FORMAT);
}

static void test_manifest_refusals(void **state)
{
	struct update_manifest m;
	struct update_manifest back;
	enum update_reason why;
	uint8_t buf[UPDATE_MANIFEST_MAX];
	size_t n = 0;

	(void)state;
	base_manifest(&m, 1);
	m.payloads[0].size = 1;
	m.payloads[1].size = 1;
	strcpy(m.payloads[1].slot_class, "rootfs");
	assert_int_equal(update_manifest_serialize(&m, buf, sizeof(buf), &n), KIOSK_OK);
	assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_ERR_UPDATE);
	assert_int_equal(why, UPDATE_R_DUPLICATE);

	base_manifest(&m, 1);
	m.payloads[0].size = UPDATE_PAYLOAD_SIZE_MAX + 1;
	m.payloads[1].size = 1;
	assert_int_equal(update_manifest_serialize(&m, buf, sizeof(buf), &n), KIOSK_OK);
	assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_ERR_UPDATE);
	assert_int_equal(why, UPDATE_R_TOO_LARGE);

	base_manifest(&m, 1);
	m.payloads[0].size = 0;
	m.payloads[1].size = 1;
	assert_int_equal(update_manifest_serialize(&m, buf, sizeof(buf), &n), KIOSK_OK);
	assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_ERR_UPDATE);

	/* 9 payloads: the count byte follows u16 + 3 strings + u64 */
	base_manifest(&m, 1);
	m.payloads[0].size = 1;
	m.payloads[1].size = 1;
	assert_int_equal(update_manifest_serialize(&m, buf, sizeof(buf), &n), KIOSK_OK);
	{
		size_t at = 2 + 1 + strlen(m.compatible) + 1 + strlen(m.version) + 8 + 1 +
			    strlen(m.build_id);

		assert_int_equal(buf[at], 2);
		buf[at] = 9;
		assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_ERR_UPDATE);
		assert_int_equal(why, UPDATE_R_TOO_LARGE);
		buf[at] = 0;
		assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_ERR_UPDATE);
	}

	/* uppercase class, a length over the cap */
	base_manifest(&m, 1);
	m.payloads[0].size = 1;
	m.payloads[1].size = 1;
	strcpy(m.payloads[1].slot_class, "App");
	assert_int_equal(update_manifest_serialize(&m, buf, sizeof(buf), &n), KIOSK_OK);
	assert_int_equal(update_manifest_parse(&back, buf, n, &why), KIOSK_ERR_UPDATE);
	assert_int_equal(update_manifest_parse(&back, buf, UPDATE_MANIFEST_MAX + 1, &why),
			 KIOSK_ERR_UPDATE);
	assert_int_equal(why, UPDATE_R_TOO_LARGE);
}

static void test_config_parse(void **state)
{
	static const char text[] = "# c\nupdate.bootstate = uboot\nupdate.slot_a = /dev/x2\n"
				   "update.slot_b = /dev/x3\nupdate.slot.app.a = /a\n"
				   "update.slot.app.b = /b\nupdate.compatible = kiosk-x86\n"
				   "update.release_root = /etc/r.pem\n";
	struct update_config c;
	char why[128];

	(void)state;
	assert_int_equal(update_config_parse(&c, text, strlen(text), "/brd", why, sizeof(why)),
			 KIOSK_OK);
	assert_string_equal(c.bootstate, "uboot");
	assert_string_equal(update_config_slots(&c, "rootfs")->path[1], "/dev/x3");
	assert_string_equal(update_config_slots(&c, "app")->path[0], "/a");
	assert_int_equal(update_config_check(&c, why, sizeof(why)), KIOSK_OK);
	/* the shipped boards */
	assert_int_equal(update_config_load(&c, "sim", why, sizeof(why)), KIOSK_OK);
	assert_string_equal(c.bootstate, "file");
	assert_true(c.test_hooks);
	assert_int_equal(update_config_check(&c, why, sizeof(why)), KIOSK_OK);
	assert_non_null(strstr(c.release_root, "release-pki/release-root.crt.pem"));
	assert_int_equal(update_config_load(&c, "kiosk-x86", why, sizeof(why)), KIOSK_OK);
	assert_string_equal(c.bootstate, "uboot");
	assert_false(c.test_hooks);
	assert_string_equal(c.compatible, "kiosk-x86");
	assert_string_equal(update_config_slots(&c, "rootfs")->path[1], "/dev/mmcblk0p3");
	assert_string_equal(c.release_root, "/etc/kiosk/release-root.pem");
	assert_int_equal(update_config_load(&c, "pn532", why, sizeof(why)), KIOSK_ERR_CONFIG);
	assert_int_equal(update_config_parse(&c, "update.colour = red\n", 20, "/b", why,
					     sizeof(why)), KIOSK_ERR_CONFIG);
	assert_non_null(strstr(why, "unknown key"));
	assert_int_equal(update_config_parse(&c, "update.bootstate = grub\n", 24, "/b", why,
					     sizeof(why)), KIOSK_ERR_CONFIG);
}

/* ---- tamper matrix ------------------------------------------------------ */

static void expect_refused(struct fx *f, enum update_reason want)
{
	struct snapshot before;
	struct snapshot after;
	struct update_report rep;
	int rc;

	snap(f, &before);
	rc = install(f, -1, &rep);
	snap(f, &after);
	assert_int_not_equal(rc, KIOSK_OK);
	assert_int_not_equal(rep.why, UPDATE_R_NONE);
	if (want != UPDATE_R_NONE && rep.why != want) {
		fail_msg("refused for %s (%s), expected %s", update_reason_name(rep.why), rep.msg,
			 update_reason_name(want));
	}
	/* nothing written: slots and boot state byte-identical */
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_tamper_payload_byte(void **state)
{
	struct fx *f = *state;

	build_default(f, 1);
	flip(f->image, file_size(f->image) - 1);
	expect_refused(f, UPDATE_R_HASH);
	build_default(f, 1);
	flip(f->image, file_size(f->image) - APP_SIZE - 5); /* inside rootfs */
	expect_refused(f, UPDATE_R_HASH);
}

static void test_tamper_manifest_byte(void **state)
{
	struct fx *f = *state;
	struct layout l;

	build_default(f, 1);
	layout_of(f->image, &l);
	for (long off = UPDATE_HEADER_LEN; off < UPDATE_HEADER_LEN + l.mlen; off += 7) {
		build_default(f, 1);
		flip(f->image, off);
		expect_refused(f, UPDATE_R_SIGNATURE);
	}
}

static void test_tamper_signature_byte(void **state)
{
	struct fx *f = *state;
	struct layout l;

	build_default(f, 1);
	layout_of(f->image, &l);
	for (long i = 0; i < l.sig_len; i++) {
		build_default(f, 1);
		layout_of(f->image, &l); /* DER signatures vary in length */
		if (i >= l.sig_len) {
			break;
		}
		flip(f->image, l.sig_off + 2 + i);
		expect_refused(f, UPDATE_R_SIGNATURE);
	}
}

static void test_tamper_certificate_byte(void **state)
{
	struct fx *f = *state;
	struct layout l;

	build_default(f, 1);
	layout_of(f->image, &l);
	for (long i = 0; i < l.cert_len; i += 37) {
		build_default(f, 1);
		layout_of(f->image, &l);
		flip(f->image, l.cert_off + 2 + i);
		expect_refused(f, UPDATE_R_NONE); /* any reason, nothing written */
	}
}

static void test_tamper_truncation(void **state)
{
	struct fx *f = *state;
	struct layout l;
	long full;

	build_default(f, 1);
	layout_of(f->image, &l);
	full = file_size(f->image);
	const long cuts[] = { full - 1, l.payload_off + 10, l.payload_off, l.cert_off + 10,
			      l.sig_off + 5, UPDATE_HEADER_LEN + 3 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		build_default(f, 1);
		assert_int_equal(truncate(f->image, cuts[i]), 0);
		expect_refused(f, UPDATE_R_TRUNCATED);
	}
	build_default(f, 1);
	assert_int_equal(truncate(f->image, 5), 0);
	expect_refused(f, UPDATE_R_TRUNCATED);
	/* extra bytes after the last payload */
	build_default(f, 1);
	assert_int_equal(truncate(f->image, full + 1), 0);
	expect_refused(f, UPDATE_R_TRUNCATED);
}

static void test_tamper_wrong_compatible(void **state)
{
	struct fx *f = *state;
	struct update_manifest m;

	base_manifest(&m, 1);
	strcpy(m.compatible, "kiosk-x86");
	build(f, &m, "release-signer.key.pem", "release-signer.crt.pem");
	expect_refused(f, UPDATE_R_COMPATIBLE);
}

static void test_tamper_downgrade(void **state)
{
	struct fx *f = *state;
	struct update_boot b;

	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	assert_int_equal(update_boot_set_counter(&b, UPDATE_COUNTER_COMMITTED, 10), KIOSK_OK);
	update_boot_close(&b);
	build_default(f, 9);
	expect_refused(f, UPDATE_R_DOWNGRADE);
}

static void test_tamper_unknown_signer(void **state)
{
	struct fx *f = *state;
	struct update_manifest m;

	base_manifest(&m, 1);
	build(f, &m, "other-signer.key.pem", "other-signer.crt.pem");
	expect_refused(f, UPDATE_R_CHAIN);
}

static void test_tamper_signer_key_mismatch(void **state)
{
	struct fx *f = *state;
	struct update_manifest m;
	const char *paths[2] = { f->rootfs, f->app };
	char k[600];
	char c[600];

	/* the pinned chain is fine, but another key signed: update_image_write does not check */
	build_default(f, 1);
	base_manifest(&m, 1);
	{
		struct update_image img;
		enum update_reason why;

		update_image_init(&img);
		assert_int_equal(update_image_open(&img, f->image, &why), KIOSK_OK);
		assert_int_equal(update_manifest_parse(&m, img.manifest_raw, img.manifest_len, NULL),
				 KIOSK_OK);
		update_image_free(&img);
	}
	pki(f, k, sizeof(k), "other-signer.key.pem");
	pki(f, c, sizeof(c), "release-signer.crt.pem");
	assert_int_equal(update_image_write(f->image, &m, paths, k, c, NULL, 0), KIOSK_OK);
	expect_refused(f, UPDATE_R_SIGNATURE);
}

static void test_tamper_expired_signer(void **state)
{
	struct fx *f = *state;
	struct update_manifest m;
	const char *paths[2] = { f->rootfs, f->app };
	char k[600];
	char c[600];

	base_manifest(&m, 1);
	pki(f, k, sizeof(k), "release-signer.key.pem");
	pki(f, c, sizeof(c), "release-signer-expired.crt.pem");
	assert_int_equal(update_image_build(f->image, &m, paths, k, c, NULL, 0), KIOSK_OK);
	expect_refused(f, UPDATE_R_EXPIRED);
}

static void test_tamper_wrong_key_usage(void **state)
{
	struct fx *f = *state;
	struct update_manifest m;

	base_manifest(&m, 1);
	build(f, &m, "release-signer.key.pem", "release-signer-badku.crt.pem");
	expect_refused(f, UPDATE_R_KEY_USAGE);
}

static void test_tamper_wrong_root(void **state)
{
	struct fx *f = *state;

	build_default(f, 1);
	pki(f, f->cfg.release_root, sizeof(f->cfg.release_root), "other-root.crt.pem");
	expect_refused(f, UPDATE_R_CHAIN);
}

static void test_tamper_oversized_lengths(void **state)
{
	struct fx *f = *state;
	struct update_manifest m;
	struct layout l;
	const uint8_t big32[4] = { 0x00, 0x10, 0x00, 0x00 };
	const uint8_t huge32[4] = { 0xff, 0xff, 0xff, 0xff };
	const uint8_t big16[2] = { 0xff, 0xff };

	build_default(f, 1);
	layout_of(f->image, &l);
	patch(f->image, 12, big32, 4);
	expect_refused(f, UPDATE_R_TOO_LARGE);
	build_default(f, 1);
	patch(f->image, 12, huge32, 4);
	expect_refused(f, UPDATE_R_TOO_LARGE);
	build_default(f, 1);
	patch(f->image, l.sig_off, big16, 2);
	expect_refused(f, UPDATE_R_TOO_LARGE);
	build_default(f, 1);
	patch(f->image, l.cert_off, big16, 2);
	expect_refused(f, UPDATE_R_TOO_LARGE);

	/* signed, but a payload size over the format's cap */
	{
		const char *paths[2] = { f->rootfs, f->app };
		char k[600];
		char c[600];

		pki(f, k, sizeof(k), "release-signer.key.pem");
		pki(f, c, sizeof(c), "release-signer.crt.pem");
		base_manifest(&m, 1);
		m.payloads[0].size = UPDATE_PAYLOAD_SIZE_MAX + 1;
		m.payloads[1].size = APP_SIZE;
		assert_int_equal(update_image_write(f->image, &m, paths, k, c, NULL, 0), KIOSK_OK);
		expect_refused(f, UPDATE_R_TOO_LARGE);
	}
	/* signed and well-formed, but larger than the slot */
	fill_file(f->rootfs, SLOT_SIZE + 1, 9);
	build_default(f, 1);
	expect_refused(f, UPDATE_R_TOO_LARGE);
}

static void test_tamper_duplicate_payloads(void **state)
{
	struct fx *f = *state;
	struct update_manifest m;
	const char *paths[2] = { f->rootfs, f->rootfs };
	char k[600];
	char c[600];

	build_default(f, 1);
	pki(f, k, sizeof(k), "release-signer.key.pem");
	pki(f, c, sizeof(c), "release-signer.crt.pem");
	base_manifest(&m, 1);
	for (int i = 0; i < 2; i++) {
		int fd = open(f->rootfs, O_RDONLY);

		strcpy(m.payloads[i].slot_class, "rootfs");
		m.payloads[i].size = ROOTFS_SIZE;
		assert_int_equal(update_hash_fd(fd, 0, ROOTFS_SIZE, m.payloads[i].sha256), KIOSK_OK);
		close(fd);
	}
	assert_int_equal(update_image_write(f->image, &m, paths, k, c, NULL, 0), KIOSK_OK);
	expect_refused(f, UPDATE_R_DUPLICATE);
	/* and the builder refuses to make one */
	assert_int_equal(update_image_build(f->image, &m, paths, k, c, NULL, 0),
			 KIOSK_ERR_INVALID_ARG);
}

static void test_corrupt_state_refused(void **state)
{
	struct fx *f = *state;
	FILE *fp;

	build_default(f, 1);
	fp = fopen(f->cfg.state_file, "w");
	assert_non_null(fp);
	fputs("PRIMARY=C\nCURRENT=A\n", fp);
	assert_int_equal(fclose(fp), 0);
	expect_refused(f, UPDATE_R_STATE);
}

/* ---- flows -------------------------------------------------------------- */

struct bs {
	char primary, current;
	enum update_slot_state a, b;
	uint64_t committed;
};

static void read_bs(struct fx *f, struct bs *s)
{
	struct update_boot b;

	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	assert_int_equal(update_boot_get_primary(&b, &s->primary), KIOSK_OK);
	assert_int_equal(update_boot_get_current(&b, &s->current), KIOSK_OK);
	assert_int_equal(update_boot_get_state(&b, 'A', &s->a), KIOSK_OK);
	assert_int_equal(update_boot_get_state(&b, 'B', &s->b), KIOSK_OK);
	assert_int_equal(update_boot_get_counter(&b, UPDATE_COUNTER_COMMITTED, &s->committed),
			 KIOSK_OK);
	update_boot_close(&b);
}

static void mark_good(struct fx *f)
{
	struct update_boot b;

	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	assert_int_equal(update_mark_good(&b), KIOSK_OK);
	update_boot_close(&b);
}

static void assert_slot_holds(const char *slot, const char *payload)
{
	uint8_t want[32];
	uint8_t got[32];
	struct stat st;
	int fd;

	hash_file(payload, want);
	assert_int_equal(stat(payload, &st), 0);
	fd = open(slot, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(update_hash_fd(fd, 0, (uint64_t)st.st_size, got), KIOSK_OK);
	close(fd);
	assert_memory_equal(want, got, 32);
}

static void test_install_boot_mark_good(void **state)
{
	struct fx *f = *state;
	struct update_report rep;
	uint8_t a_before[32];
	uint8_t a_after[32];
	struct bs s;
	char booted = 0;

	hash_file(f->cfg.slots[0].path[0], a_before);
	build_default(f, 7);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	assert_int_equal(rep.target, 'B');
	assert_string_equal(rep.manifest.version, "2.0.0");
	hash_file(f->cfg.slots[0].path[0], a_after);
	assert_memory_equal(a_before, a_after, 32); /* the active slot is never written */
	assert_slot_holds(f->cfg.slots[0].path[1], f->rootfs);
	assert_slot_holds(f->cfg.slots[1].path[1], f->app);
	assert_int_equal(file_size(f->cfg.slots[0].path[1]), SLOT_SIZE);
	read_bs(f, &s);
	assert_int_equal(s.primary, 'B');
	assert_int_equal(s.current, 'A');
	assert_int_equal(s.committed, 0); /* not before mark-good */

	assert_int_equal(update_boot_select(&f->cfg, &booted), KIOSK_OK);
	assert_int_equal(booted, 'B');
	mark_good(f);
	read_bs(f, &s);
	assert_int_equal(s.current, 'B');
	assert_int_equal(s.primary, 'B');
	assert_int_equal(s.b, UPDATE_SLOT_GOOD);
	assert_int_equal(s.committed, 7);

	/* the next update goes to A, and the old counter is now refused */
	build_default(f, 6);
	assert_int_equal(install(f, -1, &rep), KIOSK_ERR_UPDATE);
	assert_int_equal(rep.why, UPDATE_R_DOWNGRADE);
	build_default(f, 7);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	assert_int_equal(rep.target, 'A');
	assert_slot_holds(f->cfg.slots[0].path[0], f->rootfs);
}

static void test_rollback_without_mark_good(void **state)
{
	struct fx *f = *state;
	struct update_report rep;
	struct bs s;
	char booted = 0;

	build_default(f, 3);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	for (unsigned i = 0; i < f->cfg.attempts; i++) {
		assert_int_equal(update_boot_select(&f->cfg, &booted), KIOSK_OK);
		assert_int_equal(booted, 'B'); /* boots, but never reaches mark-good */
	}
	assert_int_equal(update_boot_select(&f->cfg, &booted), KIOSK_OK);
	assert_int_equal(booted, 'A'); /* attempts used up: rolled back */
	read_bs(f, &s);
	assert_int_equal(s.primary, 'A');
	assert_int_equal(s.b, UPDATE_SLOT_BAD);
	mark_good(f);
	read_bs(f, &s);
	assert_int_equal(s.committed, 0); /* the failed firmware never raised the counter */
	assert_int_equal(update_boot_select(&f->cfg, &booted), KIOSK_OK);
	assert_int_equal(booted, 'A');
}

static void test_manual_rollback(void **state)
{
	struct fx *f = *state;
	struct update_report rep;
	struct update_boot b;
	char primary = 0;
	char booted = 0;

	build_default(f, 0);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	assert_int_equal(update_boot_select(&f->cfg, &booted), KIOSK_OK);
	assert_int_equal(booted, 'B');
	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	assert_int_equal(update_rollback(&b, &primary), KIOSK_OK);
	assert_int_equal(primary, 'A');
	update_boot_close(&b);
	assert_int_equal(update_boot_select(&f->cfg, &booted), KIOSK_OK);
	assert_int_equal(booted, 'A');
	/* back on A: a rollback to B (good, counter 0) would be allowed, but not once
	 * the committed counter moved past B's */
	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	assert_int_equal(update_boot_set_counter(&b, UPDATE_COUNTER_COMMITTED, 5), KIOSK_OK);
	assert_int_equal(update_boot_set_counter(&b, 'A', 5), KIOSK_OK);
	assert_int_equal(update_rollback(&b, &primary), KIOSK_ERR_UPDATE);
	update_boot_close(&b);
}

static void test_power_loss(void **state)
{
	struct fx *f = *state;
	const int64_t cuts[] = { 0, 1, 4095, 262144, ROOTFS_SIZE - 1, ROOTFS_SIZE,
				 ROOTFS_SIZE + 1000, ROOTFS_SIZE + APP_SIZE - 1 };
	struct update_report rep;
	uint8_t a_before[32];
	uint8_t a_after[32];
	struct bs s;

	build_default(f, 4);
	hash_file(f->cfg.slots[0].path[0], a_before);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		assert_int_equal(install(f, cuts[i], &rep), KIOSK_ERR_IO);
		assert_int_equal(rep.why, UPDATE_R_IO);
		read_bs(f, &s);
		assert_int_equal(s.primary, 'A');
		assert_int_equal(s.current, 'A');
		assert_int_equal(s.a, UPDATE_SLOT_GOOD);
		assert_int_equal(s.b, UPDATE_SLOT_BAD);
		assert_int_equal(s.committed, 0);
		hash_file(f->cfg.slots[0].path[0], a_after);
		assert_memory_equal(a_before, a_after, 32);
		/* a reboot now still boots A */
		{
			char booted = 0;

			assert_int_equal(update_boot_select(&f->cfg, &booted), KIOSK_OK);
			assert_int_equal(booted, 'A');
			mark_good(f);
		}
	}
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	read_bs(f, &s);
	assert_int_equal(s.primary, 'B');
	assert_slot_holds(f->cfg.slots[0].path[1], f->rootfs);
	assert_slot_holds(f->cfg.slots[1].path[1], f->app);
}

static void test_inspect(void **state)
{
	struct fx *f = *state;
	struct update_report rep;

	build_default(f, 11);
	assert_int_equal(update_inspect(f->cfg.release_root, f->image, 0, &rep), KIOSK_OK);
	assert_int_equal(rep.manifest.counter, 11);
	assert_int_equal(rep.manifest.payloads[0].size, ROOTFS_SIZE);
	assert_non_null(strstr(rep.signer, "Release Signer"));
	/* time is the caller's: the valid signer is not valid in 2000 */
	assert_int_equal(update_inspect(f->cfg.release_root, f->image, 946684800, &rep),
			 KIOSK_ERR_UPDATE);
	assert_int_equal(rep.why, UPDATE_R_EXPIRED);
}

/* ---- U-Boot backend against fake fw_printenv / fw_setenv ----------------- */

static void write_script(const char *path, const char *body)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(body, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static void test_uboot_backend(void **state)
{
	struct fx *f = *state;
	struct update_config c = f->cfg;
	struct update_boot b;
	struct update_report rep;
	enum update_slot_state st;
	char envdir[128];
	char script[512];
	char v = 0;
	uint64_t n = 0;
	FILE *fp;

	snprintf(envdir, sizeof(envdir), "%s/env", f->dir);
	assert_int_equal(mkdir(envdir, 0700), 0);
	snprintf(c.fw_printenv, sizeof(c.fw_printenv), "%s/fw_printenv", f->dir);
	snprintf(c.fw_setenv, sizeof(c.fw_setenv), "%s/fw_setenv", f->dir);
	snprintf(c.cmdline, sizeof(c.cmdline), "%s/cmdline", f->dir);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n[ \"$1\" = -n ] || exit 2\n"
		 "if [ -f '%s'/\"$2\" ]; then cat '%s'/\"$2\"; else echo; fi\n", envdir, envdir);
	write_script(c.fw_printenv, script);
	/* like libubootenv: NAME VALUE pairs, unset variables print an empty line */
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n[ $# -ge 2 ] && [ $(($# %% 2)) -eq 0 ] || exit 2\n"
		 "while [ $# -gt 0 ]; do printf '%%s\\n' \"$2\" > '%s'/\"$1\"; shift 2; done\n",
		 envdir);
	write_script(c.fw_setenv, script);
	fp = fopen(c.cmdline, "w");
	assert_non_null(fp);
	fputs("console=ttyS0 root=/dev/mmcblk0p2 rauc.slot=A quiet\n", fp);
	fclose(fp);
	strcpy(c.bootstate, "uboot");

	assert_int_equal(update_boot_open(&b, &c), KIOSK_OK);
	assert_int_equal(update_boot_set_primary(&b, 'A'), KIOSK_OK);
	assert_int_equal(update_boot_get_current(&b, &v), KIOSK_OK);
	assert_int_equal(v, 'A');
	assert_int_equal(update_boot_get_counter(&b, UPDATE_COUNTER_COMMITTED, &n), KIOSK_OK);
	assert_int_equal(n, 0);
	update_boot_close(&b);

	f->cfg = c;
	build_default(f, 2);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	assert_int_equal(update_boot_open(&b, &c), KIOSK_OK);
	assert_int_equal(update_boot_get_primary(&b, &v), KIOSK_OK);
	assert_int_equal(v, 'B');
	assert_int_equal(update_boot_get_state(&b, 'B', &st), KIOSK_OK);
	assert_int_equal(st, UPDATE_SLOT_GOOD);
	assert_int_equal(update_boot_get_counter(&b, 'B', &n), KIOSK_OK);
	assert_int_equal(n, 2);
	update_boot_close(&b);
	{
		char path[256];
		char buf[32] = "";

		snprintf(path, sizeof(path), "%s/BOOT_ORDER", envdir);
		fp = fopen(path, "r");
		assert_non_null(fp);
		assert_non_null(fgets(buf, sizeof(buf), fp));
		fclose(fp);
		assert_string_equal(buf, "B A\n");
	}
	/* "reboot" into B: mark-good commits the counter */
	fp = fopen(c.cmdline, "w");
	fputs("rauc.slot=B\n", fp);
	fclose(fp);
	assert_int_equal(update_boot_open(&b, &c), KIOSK_OK);
	assert_int_equal(update_mark_good(&b), KIOSK_OK);
	assert_int_equal(update_boot_get_counter(&b, UPDATE_COUNTER_COMMITTED, &n), KIOSK_OK);
	assert_int_equal(n, 2);
	update_boot_close(&b);
	/* an unreadable environment is an error, never "counter 0" */
	write_script(c.fw_printenv, "#!/bin/sh\necho 'Cannot initialize environment' >&2\nexit 1\n");
	assert_int_equal(update_boot_open(&b, &c), KIOSK_OK);
	assert_int_not_equal(update_boot_get_counter(&b, UPDATE_COUNTER_COMMITTED, &n), KIOSK_OK);
	update_boot_close(&b);
	build_default(f, 3);
	assert_int_not_equal(install(f, -1, &rep), KIOSK_OK);
	assert_int_equal(rep.why, UPDATE_R_STATE);
	/* no simulated boot for a real bootloader */
	assert_int_equal(update_boot_select(&c, &v), KIOSK_ERR_NOT_SUPPORTED);
}

/* ---- U-Boot backend against the real fw_printenv / fw_setenv ------------- */

/*
 * libubootenv-tool with a file-backed environment (one copy, no redundant env):
 * the fw_env.config line is "DEVICE OFFSET SIZE". The tool is a build
 * dependency (tools/scripts/deps.sh), so its absence fails these tests.
 */
#define REAL_FW_PRINTENV "/usr/bin/fw_printenv"
#define REAL_FW_SETENV "/usr/bin/fw_setenv"
#define UBOOT_ENV_SIZE 0x4000

static void require_real_tools(void)
{
	if (access(REAL_FW_PRINTENV, X_OK) != 0 || access(REAL_FW_SETENV, X_OK) != 0) {
		fail_msg("%s / %s missing: install libubootenv-tool (tools/scripts/deps.sh)",
			 REAL_FW_PRINTENV, REAL_FW_SETENV);
	}
}

/* argv without a shell; stdout (newline trimmed) into out when not NULL; exit status */
static int run_tool(char *const argv[], char *out, size_t cap)
{
	size_t used = 0;
	int status = 0;
	int pfd[2];
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		char tmp[256];
		ssize_t n = read(pfd[0], tmp, sizeof(tmp));

		if (n <= 0) {
			break;
		}
		if (out != NULL) {
			assert_true(used + (size_t)n < cap);
			memcpy(out + used, tmp, (size_t)n);
			used += (size_t)n;
		}
	}
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (out != NULL) {
		while (used > 0 && out[used - 1] == '\n') {
			used--;
		}
		out[used] = '\0';
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* a variable as the real tool reads it back, independent of the backend */
static void raw_get(const struct fx *f, const char *name, char *out, size_t cap)
{
	char *argv[] = { REAL_FW_PRINTENV, "-c", (char *)f->cfg.uboot_config, "-n", (char *)name,
			 NULL };

	assert_int_equal(run_tool(argv, out, cap), 0);
}

static void raw_set(const struct fx *f, const char *name, const char *value)
{
	char *argv[] = { REAL_FW_SETENV, "-c", (char *)f->cfg.uboot_config, (char *)name,
			 (char *)value, NULL };

	assert_int_equal(run_tool(argv, NULL, 0), 0);
}

static unsigned raw_left(const struct fx *f, char slot)
{
	char name[16];
	char v[32];

	snprintf(name, sizeof(name), "BOOT_%c_LEFT", slot);
	raw_get(f, name, v, sizeof(v));
	assert_true(v[0] >= '0' && v[0] <= '9' && v[1] == '\0');
	return (unsigned)(v[0] - '0');
}

static void write_cmdline(const struct fx *f, const char *text)
{
	FILE *fp = fopen(f->cfg.cmdline, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/*
 * The fixture's config switched to the uboot backend through update.conf keys,
 * and a fresh zero-filled environment initialised with RAUC's default
 * variables (fw_setenv -f, as U-Boot's built-in default environment would be).
 */
static void uboot_real_setup(struct fx *f)
{
	static const char conf[] = "update.bootstate = uboot\n"
				   "update.fw_printenv = " REAL_FW_PRINTENV "\n"
				   "update.fw_setenv = " REAL_FW_SETENV "\n"
				   "update.uboot_config = @board@/fw_env.config\n"
				   "update.cmdline = @board@/cmdline\n";
	struct update_config parsed;
	char path[128];
	char defenv[128];
	char why[128] = "";
	FILE *fp;

	require_real_tools();
	assert_int_equal(update_config_parse(&parsed, conf, strlen(conf), f->dir, why,
					     sizeof(why)), KIOSK_OK);
	snprintf(path, sizeof(path), "%s/fw_env.config", f->dir);
	assert_string_equal(parsed.uboot_config, path);
	memcpy(f->cfg.bootstate, parsed.bootstate, sizeof(f->cfg.bootstate));
	memcpy(f->cfg.fw_printenv, parsed.fw_printenv, sizeof(f->cfg.fw_printenv));
	memcpy(f->cfg.fw_setenv, parsed.fw_setenv, sizeof(f->cfg.fw_setenv));
	memcpy(f->cfg.uboot_config, parsed.uboot_config, sizeof(f->cfg.uboot_config));
	memcpy(f->cfg.cmdline, parsed.cmdline, sizeof(f->cfg.cmdline));

	snprintf(path, sizeof(path), "%s/uboot.env", f->dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(truncate(path, UBOOT_ENV_SIZE), 0);
	fp = fopen(f->cfg.uboot_config, "w");
	assert_non_null(fp);
	fprintf(fp, "%s 0x0000 0x%x\n", path, UBOOT_ENV_SIZE);
	assert_int_equal(fclose(fp), 0);
	snprintf(defenv, sizeof(defenv), "%s/default.env", f->dir);
	fp = fopen(defenv, "w");
	assert_non_null(fp);
	fputs("BOOT_ORDER=A B\nBOOT_A_LEFT=3\nBOOT_B_LEFT=3\n", fp);
	assert_int_equal(fclose(fp), 0);
	{
		/* an all-zero environment has a bad CRC: only -f makes the first write */
		char *argv[] = { REAL_FW_SETENV, "-c", f->cfg.uboot_config, "-f", defenv,
				 "bootdelay", "0", NULL };

		assert_int_equal(run_tool(argv, NULL, 0), 0);
	}
	write_cmdline(f, "console=ttyS0 root=/dev/mmcblk0p2 rauc.slot=A quiet\n");
}

/*
 * RAUC's U-Boot boot script: the first slot in BOOT_ORDER with attempts left,
 * one attempt consumed, rauc.slot= on the kernel command line. @booted gets it.
 */
static void uboot_real_boot(struct fx *f, char *booted)
{
	char order[64];

	raw_get(f, "BOOT_ORDER", order, sizeof(order));
	for (char *save = NULL, *s = strtok_r(order, " ", &save); s != NULL;
	     s = strtok_r(NULL, " ", &save)) {
		unsigned left;
		char name[16];
		char v[16];
		char cmdline[64];

		assert_true((s[0] == 'A' || s[0] == 'B') && s[1] == '\0');
		left = raw_left(f, s[0]);
		if (left == 0) {
			continue;
		}
		snprintf(name, sizeof(name), "BOOT_%c_LEFT", s[0]);
		snprintf(v, sizeof(v), "%u", left - 1);
		raw_set(f, name, v);
		snprintf(cmdline, sizeof(cmdline), "root=/dev/mmcblk0p%c rauc.slot=%c\n",
			 s[0] == 'A' ? '2' : '3', s[0]);
		write_cmdline(f, cmdline);
		*booted = s[0];
		return;
	}
	fail_msg("no slot left to boot (BOOT_ORDER empty or all BOOT_x_LEFT=0)");
}

static void test_uboot_real_verbs(void **state)
{
	struct fx *f = *state;
	struct update_boot b;
	enum update_slot_state st;
	char raw[64];
	unsigned left = 0;
	uint64_t n = 1;
	char v = 0;

	uboot_real_setup(f);
	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	/* the default environment as the backend reads it */
	assert_int_equal(update_boot_get_primary(&b, &v), KIOSK_OK);
	assert_int_equal(v, 'A');
	assert_int_equal(update_boot_get_state(&b, 'B', &st), KIOSK_OK);
	assert_int_equal(st, UPDATE_SLOT_GOOD);
	assert_int_equal(update_boot_get_attempts(&b, 'A', &left), KIOSK_OK);
	assert_int_equal(left, 3);
	/* unset variables print an empty line: counter 0 */
	assert_int_equal(update_boot_get_counter(&b, UPDATE_COUNTER_COMMITTED, &n), KIOSK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(update_boot_get_current(&b, &v), KIOSK_OK);
	assert_int_equal(v, 'A');

	/* set-primary: both variables land in the real environment, attempts re-armed */
	raw_set(f, "BOOT_B_LEFT", "1");
	assert_int_equal(update_boot_set_primary(&b, 'B'), KIOSK_OK);
	raw_get(f, "BOOT_ORDER", raw, sizeof(raw));
	assert_string_equal(raw, "B A");
	assert_int_equal(raw_left(f, 'B'), f->cfg.attempts);
	assert_int_equal(update_boot_get_primary(&b, &v), KIOSK_OK);
	assert_int_equal(v, 'B');
	assert_int_equal(update_boot_set_primary(&b, 'A'), KIOSK_OK);
	raw_get(f, "BOOT_ORDER", raw, sizeof(raw));
	assert_string_equal(raw, "A B");

	/* set/get state is BOOT_x_LEFT: 0 = bad, attempts = good */
	assert_int_equal(update_boot_set_state(&b, 'B', UPDATE_SLOT_BAD), KIOSK_OK);
	assert_int_equal(raw_left(f, 'B'), 0);
	assert_int_equal(update_boot_get_state(&b, 'B', &st), KIOSK_OK);
	assert_int_equal(st, UPDATE_SLOT_BAD);
	assert_int_equal(update_boot_get_attempts(&b, 'B', &left), KIOSK_OK);
	assert_int_equal(left, 0);
	assert_int_equal(update_boot_set_state(&b, 'B', UPDATE_SLOT_GOOD), KIOSK_OK);
	assert_int_equal(update_boot_get_state(&b, 'B', &st), KIOSK_OK);
	assert_int_equal(st, UPDATE_SLOT_GOOD);
	assert_int_equal(raw_left(f, 'B'), f->cfg.attempts);
	/* the boot script's decrement is what the backend reports */
	raw_set(f, "BOOT_A_LEFT", "2");
	assert_int_equal(update_boot_get_attempts(&b, 'A', &left), KIOSK_OK);
	assert_int_equal(left, 2);

	/* counters, up to the full 64-bit range */
	assert_int_equal(update_boot_set_counter(&b, 'A', 41), KIOSK_OK);
	assert_int_equal(update_boot_set_counter(&b, UPDATE_COUNTER_COMMITTED,
						 UINT64_MAX), KIOSK_OK);
	raw_get(f, "KIOSK_A_COUNTER", raw, sizeof(raw));
	assert_string_equal(raw, "41");
	assert_int_equal(update_boot_get_counter(&b, 'A', &n), KIOSK_OK);
	assert_int_equal(n, 41);
	assert_int_equal(update_boot_get_counter(&b, UPDATE_COUNTER_COMMITTED, &n), KIOSK_OK);
	assert_true(n == UINT64_MAX);
	/* a value someone else wrote that is not a number is an error, not 0 */
	raw_set(f, "KIOSK_B_COUNTER", "x7");
	assert_int_equal(update_boot_get_counter(&b, 'B', &n), KIOSK_ERR_UPDATE);

	/* get-current: rauc.slot= or kiosk.slot= on the command line, nothing else */
	write_cmdline(f, "quiet kiosk.slot=B\n");
	assert_int_equal(update_boot_get_current(&b, &v), KIOSK_OK);
	assert_int_equal(v, 'B');
	write_cmdline(f, "quiet rauc.slot=C root=/dev/sda\n");
	assert_int_equal(update_boot_get_current(&b, &v), KIOSK_ERR_UPDATE);
	update_boot_close(&b);

	/* without update.uboot_config the tools read /etc/fw_env.config, not ours */
	{
		struct update_config c = f->cfg;

		c.uboot_config[0] = '\0';
		if (access("/etc/fw_env.config", F_OK) != 0) {
			assert_int_equal(update_boot_open(&b, &c), KIOSK_OK);
			assert_int_equal(update_boot_get_counter(&b, 'A', &n), KIOSK_ERR_IO);
			update_boot_close(&b);
		}
	}
}

static void test_uboot_real_install_boot_mark_good(void **state)
{
	struct fx *f = *state;
	struct update_report rep;
	uint8_t a_before[32];
	uint8_t a_after[32];
	struct bs s;
	char booted = 0;

	uboot_real_setup(f);
	hash_file(f->cfg.slots[0].path[0], a_before);
	build_default(f, 7);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	assert_int_equal(rep.target, 'B');
	hash_file(f->cfg.slots[0].path[0], a_after);
	assert_memory_equal(a_before, a_after, 32);
	assert_slot_holds(f->cfg.slots[0].path[1], f->rootfs);
	assert_slot_holds(f->cfg.slots[1].path[1], f->app);
	read_bs(f, &s);
	assert_int_equal(s.primary, 'B');
	assert_int_equal(s.current, 'A');
	assert_int_equal(s.b, UPDATE_SLOT_GOOD);
	assert_int_equal(s.committed, 0); /* not before mark-good */
	assert_int_equal(raw_left(f, 'B'), f->cfg.attempts);

	uboot_real_boot(f, &booted);
	assert_int_equal(booted, 'B');
	assert_int_equal(raw_left(f, 'B'), f->cfg.attempts - 1);
	mark_good(f);
	read_bs(f, &s);
	assert_int_equal(s.current, 'B');
	assert_int_equal(s.primary, 'B');
	assert_int_equal(s.b, UPDATE_SLOT_GOOD);
	assert_int_equal(s.committed, 7);
	assert_int_equal(raw_left(f, 'B'), f->cfg.attempts); /* re-armed */
	{
		char raw[32];

		raw_get(f, "KIOSK_ROLLBACK_COUNTER", raw, sizeof(raw));
		assert_string_equal(raw, "7");
	}

	/* the next update goes to A, and the old counter is now refused */
	build_default(f, 6);
	assert_int_equal(install(f, -1, &rep), KIOSK_ERR_UPDATE);
	assert_int_equal(rep.why, UPDATE_R_DOWNGRADE);
	build_default(f, 7);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	assert_int_equal(rep.target, 'A');
	assert_slot_holds(f->cfg.slots[0].path[0], f->rootfs);
	uboot_real_boot(f, &booted);
	assert_int_equal(booted, 'A');
}

static void test_uboot_real_rollback_without_mark_good(void **state)
{
	struct fx *f = *state;
	struct update_report rep;
	struct bs s;
	char booted = 0;

	uboot_real_setup(f);
	build_default(f, 3);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	for (unsigned i = 0; i < f->cfg.attempts; i++) {
		uboot_real_boot(f, &booted);
		assert_int_equal(booted, 'B'); /* boots, but never reaches mark-good */
	}
	uboot_real_boot(f, &booted);
	assert_int_equal(booted, 'A'); /* attempts used up: the script fell back */
	read_bs(f, &s);
	assert_int_equal(s.current, 'A');
	assert_int_equal(s.b, UPDATE_SLOT_BAD);
	mark_good(f); /* on the fallback slot: it becomes primary again */
	read_bs(f, &s);
	assert_int_equal(s.primary, 'A');
	assert_int_equal(s.a, UPDATE_SLOT_GOOD);
	assert_int_equal(s.b, UPDATE_SLOT_BAD);
	assert_int_equal(s.committed, 0); /* the failed firmware never raised the counter */
	uboot_real_boot(f, &booted);
	assert_int_equal(booted, 'A');
}

static void test_uboot_real_manual_rollback(void **state)
{
	struct fx *f = *state;
	struct update_report rep;
	struct update_boot b;
	char primary = 0;
	char booted = 0;

	uboot_real_setup(f);
	build_default(f, 0);
	assert_int_equal(install(f, -1, &rep), KIOSK_OK);
	uboot_real_boot(f, &booted);
	assert_int_equal(booted, 'B');
	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	assert_int_equal(update_rollback(&b, &primary), KIOSK_OK);
	assert_int_equal(primary, 'A');
	update_boot_close(&b);
	uboot_real_boot(f, &booted);
	assert_int_equal(booted, 'A');
	/* once the committed counter moved past B's, rolling back to B is refused */
	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	assert_int_equal(update_boot_set_counter(&b, UPDATE_COUNTER_COMMITTED, 5), KIOSK_OK);
	assert_int_equal(update_boot_set_counter(&b, 'A', 5), KIOSK_OK);
	assert_int_equal(update_rollback(&b, &primary), KIOSK_ERR_UPDATE);
	update_boot_close(&b);
}

static void test_uboot_real_power_loss_and_corrupt_env(void **state)
{
	struct fx *f = *state;
	const int64_t cuts[] = { 0, 262144, ROOTFS_SIZE + 1000 };
	struct update_report rep;
	struct update_boot b;
	struct bs s;
	char envpath[128];
	char booted = 0;
	uint64_t n = 0;

	uboot_real_setup(f);
	build_default(f, 4);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		assert_int_equal(install(f, cuts[i], &rep), KIOSK_ERR_IO);
		assert_int_equal(rep.why, UPDATE_R_IO);
		read_bs(f, &s);
		assert_int_equal(s.primary, 'A');
		assert_int_equal(s.current, 'A');
		assert_int_equal(s.a, UPDATE_SLOT_GOOD);
		assert_int_equal(s.b, UPDATE_SLOT_BAD);
		assert_int_equal(s.committed, 0);
		uboot_real_boot(f, &booted);
		assert_int_equal(booted, 'A');
		mark_good(f);
	}

	/* a flipped byte breaks the environment's CRC: the real tools fail, and the
	 * backend fails closed (never "counter 0"), so no install goes ahead */
	snprintf(envpath, sizeof(envpath), "%s/uboot.env", f->dir);
	flip(envpath, 8);
	assert_int_equal(update_boot_open(&b, &f->cfg), KIOSK_OK);
	assert_int_equal(update_boot_get_counter(&b, UPDATE_COUNTER_COMMITTED, &n), KIOSK_ERR_IO);
	assert_int_equal(update_boot_set_primary(&b, 'B'), KIOSK_ERR_IO);
	update_boot_close(&b);
	assert_int_not_equal(install(f, -1, &rep), KIOSK_OK);
	assert_int_equal(rep.why, UPDATE_R_STATE);
	/* no simulated boot for a real bootloader */
	assert_int_equal(update_boot_select(&f->cfg, &booted), KIOSK_ERR_NOT_SUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_roundtrip_and_truncation),
		cmocka_unit_test(test_manifest_refusals),
		cmocka_unit_test(test_config_parse),
		cmocka_unit_test_setup_teardown(test_tamper_payload_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_manifest_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_signature_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_certificate_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_wrong_compatible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_downgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_unknown_signer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_signer_key_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_expired_signer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_wrong_key_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_wrong_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_oversized_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_duplicate_payloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_state_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_boot_mark_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_without_mark_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manual_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_loss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inspect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uboot_backend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uboot_real_verbs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uboot_real_install_boot_mark_good, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uboot_real_rollback_without_mark_good, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uboot_real_manual_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uboot_real_power_loss_and_corrupt_env, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
