/* SPDX-License-Identifier: MIT */
/*
 * Installing an image into the inactive slots, in RAUC's order:
 *   1. verify signature, chain, manifest, sizes, compatible, anti-rollback and
 *      every payload hash (a pre-pass over the image) - nothing is written yet;
 *   2. mark the target slot bad;
 *   3. stream each payload into its slot while hashing, fsync, read back;
 *   4. record the slot's counter, then set-primary.
 * The active (booted) slot is never opened for writing.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "kiosk/err.h"
#include "update/install.h"
#include "update_internal.h"

void update_install_opts_init(struct update_install_opts *o)
{
	o->now = 0;
	o->fail_after = -1;
}

static int say(struct update_report *rep, enum update_reason why, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int say(struct update_report *rep, enum update_reason why, int rc, const char *fmt, ...)
{
	va_list ap;

	rep->why = why;
	va_start(ap, fmt);
	vsnprintf(rep->msg, sizeof(rep->msg), fmt, ap);
	va_end(ap);
	return rc;
}

static const char *reason_text(enum update_reason r)
{
	switch (r) {
	case UPDATE_R_FORMAT: return "not a kiosk firmware image, or a malformed manifest";
	case UPDATE_R_TOO_LARGE: return "a length field is larger than allowed";
	case UPDATE_R_TRUNCATED: return "the image is truncated (or has extra bytes)";
	case UPDATE_R_SIGNATURE: return "the manifest signature does not verify";
	case UPDATE_R_CHAIN: return "the signer is not certified by the pinned release root";
	case UPDATE_R_EXPIRED: return "the signer certificate is expired or not yet valid";
	case UPDATE_R_KEY_USAGE: return "the signer certificate is not a release-signing certificate";
	case UPDATE_R_DUPLICATE: return "the manifest lists a slot class twice";
	case UPDATE_R_CONFIG: return "the pinned release root cannot be read";
	case UPDATE_R_IO: return "the image cannot be read";
	default: return "image refused";
	}
}

/* Open + verify, into rep; img stays open on success. */
static int open_verified(struct update_image *img, const char *root, const char *path,
			 time_t now, struct update_report *rep)
{
	enum update_reason why = UPDATE_R_NONE;
	int rc;

	rc = update_image_open(img, path, &why);
	if (rc == KIOSK_OK) {
		rc = update_image_verify(img, root, now ? now : time(NULL), &why);
	}
	snprintf(rep->signer, sizeof(rep->signer), "%s", img->signer);
	if (rc != KIOSK_OK) {
		return say(rep, why, rc, "%s", reason_text(why));
	}
	rep->manifest = img->manifest;
	return KIOSK_OK;
}

int update_inspect(const char *root_pem, const char *image_path, time_t now,
		   struct update_report *rep)
{
	struct update_image img;
	int rc;

	memset(rep, 0, sizeof(*rep));
	update_image_init(&img);
	rc = open_verified(&img, root_pem, image_path, now, rep);
	update_image_free(&img);
	return rc;
}

/* A slot: regular file (tests) or block device (board); never created or truncated. */
static int slot_open(const char *path, int flags, uint64_t *cap, struct stat *st)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		return -1;
	}
	if (fstat(fd, st) != 0) {
		close(fd);
		return -1;
	}
	if (S_ISREG(st->st_mode)) {
		*cap = (uint64_t)st->st_size;
	} else if (S_ISBLK(st->st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, cap) != 0) {
			close(fd);
			return -1;
		}
	} else {
		close(fd);
		return -1;
	}
	return fd;
}

struct writer {
	uint8_t *buf;
	int64_t fail_after;       /* test hook: bytes the slots may still take; <0 off */
};

/* Stream one payload into @slot_fd while hashing; fsync. */
static int write_payload(struct writer *w, const struct update_image *img, uint64_t off,
			 const struct update_payload *p, int slot_fd, struct update_report *rep)
{
	mbedtls_sha256_context sha;
	uint8_t got[32];
	uint64_t done = 0;
	int rc = KIOSK_OK;

	mbedtls_sha256_init(&sha);
	mbedtls_sha256_starts_ret(&sha, 0);
	while (done < p->size) {
		size_t n = p->size - done > UPDATE_IO_CHUNK ? UPDATE_IO_CHUNK :
							      (size_t)(p->size - done);
		size_t allowed = n;

		if (update_pread_full(img->fd, w->buf, n, off + done) != KIOSK_OK) {
			rc = say(rep, UPDATE_R_IO, KIOSK_ERR_IO, "reading the image failed");
			goto out;
		}
		mbedtls_sha256_update_ret(&sha, w->buf, n);
		if (w->fail_after >= 0 && (uint64_t)w->fail_after < n) {
			allowed = (size_t)w->fail_after;
		}
		if (pwrite(slot_fd, w->buf, allowed, (off_t)done) != (ssize_t)allowed) {
			rc = say(rep, UPDATE_R_IO, KIOSK_ERR_IO, "writing slot %c failed",
				 rep->target);
			goto out;
		}
		if (allowed < n) {
			/* the test hook: the power went away mid-write */
			rc = say(rep, UPDATE_R_IO, KIOSK_ERR_IO,
				 "writing slot %c failed (test hook: power cut)", rep->target);
			goto out;
		}
		if (w->fail_after >= 0) {
			w->fail_after -= (int64_t)n;
		}
		done += n;
	}
	mbedtls_sha256_finish_ret(&sha, got);
	if (memcmp(got, p->sha256, sizeof(got)) != 0) {
		/* the image changed under us since the pre-pass */
		rc = say(rep, UPDATE_R_HASH, KIOSK_ERR_UPDATE,
			 "payload %s changed while installing", p->slot_class);
		goto out;
	}
	if (fsync(slot_fd) != 0) {
		rc = say(rep, UPDATE_R_IO, KIOSK_ERR_IO, "fsync of slot %c failed", rep->target);
		goto out;
	}
out:
	mbedtls_sha256_free(&sha);
	return rc;
}

/* What the slot actually stored (the write fd is write-only, as block devices want). */
static int read_back(const char *path, const struct update_payload *p, struct update_report *rep)
{
	struct stat st;
	uint64_t cap = 0;
	uint8_t got[32];
	int fd = slot_open(path, O_RDONLY, &cap, &st);
	int rc;

	if (fd < 0) {
		return say(rep, UPDATE_R_IO, KIOSK_ERR_IO, "cannot reopen slot %c", rep->target);
	}
	/* drop cached pages so the bytes come from the device, not from our own writes */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	rc = update_hash_fd(fd, 0, p->size, got);
	close(fd);
	if (rc != KIOSK_OK || memcmp(got, p->sha256, sizeof(got)) != 0) {
		return say(rep, UPDATE_R_HASH, rc != KIOSK_OK ? rc : KIOSK_ERR_UPDATE,
			   "slot %c read back differs from payload %s", rep->target, p->slot_class);
	}
	return KIOSK_OK;
}

/* Everything that can be checked without writing: config, slots, state, hashes. */
static int preflight(const struct update_config *cfg, struct update_boot *boot,
		     const struct update_image *img, struct update_report *rep, char *target)
{
	const struct update_manifest *m = &img->manifest;
	uint64_t committed = 0;
	uint64_t off = img->payload_offset;
	char cur = 0;
	int rc;

	if (strcmp(m->compatible, cfg->compatible) != 0) {
		return say(rep, UPDATE_R_COMPATIBLE, KIOSK_ERR_UPDATE,
			   "image is for board '%s', this unit is '%s'", m->compatible,
			   cfg->compatible);
	}
	rc = update_boot_get_counter(boot, UPDATE_COUNTER_COMMITTED, &committed);
	if (rc == KIOSK_OK) {
		rc = update_boot_get_current(boot, &cur);
	}
	if (rc != KIOSK_OK) {
		return say(rep, UPDATE_R_STATE, rc, "boot state unreadable");
	}
	if (m->counter < committed) {
		return say(rep, UPDATE_R_DOWNGRADE, KIOSK_ERR_UPDATE,
			   "anti-rollback counter %" PRIu64 " is below the installed %" PRIu64,
			   m->counter, committed);
	}
	*target = update_other_slot(cur);
	rep->target = *target;
	for (unsigned i = 0; i < m->n_payloads; i++) {
		const struct update_payload *p = &m->payloads[i];
		const struct update_slot_pair *pair = update_config_slots(cfg, p->slot_class);
		struct stat st_t;
		struct stat st_c;
		uint64_t cap_t = 0;
		uint64_t cap_c = 0;
		uint8_t h[32];
		int ft;
		int fc;

		if (pair == NULL) {
			return say(rep, UPDATE_R_NO_SLOT, KIOSK_ERR_UPDATE,
				   "this board has no '%s' slot", p->slot_class);
		}
		ft = slot_open(pair->path[*target == 'B'], O_RDONLY, &cap_t, &st_t);
		fc = slot_open(pair->path[cur == 'B'], O_RDONLY, &cap_c, &st_c);
		if (ft >= 0) {
			close(ft);
		}
		if (fc >= 0) {
			close(fc);
		}
		if (ft < 0) {
			return say(rep, UPDATE_R_CONFIG, KIOSK_ERR_CONFIG,
				   "slot %c (%s) missing or not a file/block device", *target,
				   p->slot_class);
		}
		/* A and B on the same storage would overwrite the running system */
		if (fc >= 0 && st_t.st_dev == st_c.st_dev && st_t.st_ino == st_c.st_ino &&
		    st_t.st_rdev == st_c.st_rdev) {
			return say(rep, UPDATE_R_CONFIG, KIOSK_ERR_CONFIG,
				   "slots A and B of '%s' are the same", p->slot_class);
		}
		if (p->size > cap_t) {
			return say(rep, UPDATE_R_TOO_LARGE, KIOSK_ERR_UPDATE,
				   "payload %s (%" PRIu64 " bytes) does not fit slot %c (%" PRIu64
				   " bytes)", p->slot_class, p->size, *target, cap_t);
		}
		rc = update_hash_fd(img->fd, off, p->size, h);
		if (rc != KIOSK_OK) {
			return say(rep, UPDATE_R_IO, rc, "reading the image failed");
		}
		if (memcmp(h, p->sha256, sizeof(h)) != 0) {
			return say(rep, UPDATE_R_HASH, KIOSK_ERR_UPDATE,
				   "payload %s does not match its SHA-256 in the manifest",
				   p->slot_class);
		}
		off += p->size;
	}
	return KIOSK_OK;
}

int update_install(const struct update_config *cfg, struct update_boot *boot,
		   const char *image_path, const struct update_install_opts *o,
		   struct update_report *rep)
{
	struct update_install_opts defaults;
	struct update_image img;
	struct writer w = { NULL, -1 };
	char target = 0;
	uint64_t off;
	int rc;

	memset(rep, 0, sizeof(*rep));
	update_image_init(&img);
	if (o == NULL) {
		update_install_opts_init(&defaults);
		o = &defaults;
	}
	rc = update_config_check(cfg, rep->msg, sizeof(rep->msg));
	if (rc != KIOSK_OK) {
		rep->why = UPDATE_R_CONFIG;
		goto out;
	}
	rc = open_verified(&img, cfg->release_root, image_path, o->now, rep);
	if (rc == KIOSK_OK) {
		rc = preflight(cfg, boot, &img, rep, &target);
	}
	if (rc != KIOSK_OK) {
		goto out;
	}
	w.buf = malloc(UPDATE_IO_CHUNK);
	if (w.buf == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	w.fail_after = o->fail_after;
	/* from here on the target may be half-written: it must not boot */
	rc = update_boot_set_state(boot, target, UPDATE_SLOT_BAD);
	if (rc != KIOSK_OK) {
		say(rep, UPDATE_R_STATE, rc, "cannot mark slot %c bad", target);
		goto out;
	}
	off = img.payload_offset;
	for (unsigned i = 0; i < img.manifest.n_payloads; i++) {
		const struct update_payload *p = &img.manifest.payloads[i];
		const struct update_slot_pair *pair = update_config_slots(cfg, p->slot_class);
		struct stat st;
		uint64_t cap = 0;
		int fd = slot_open(pair->path[target == 'B'], O_WRONLY, &cap, &st);

		if (fd < 0) {
			rc = say(rep, UPDATE_R_IO, KIOSK_ERR_IO, "cannot open slot %c for writing",
				 target);
			goto out;
		}
		rc = write_payload(&w, &img, off, p, fd, rep);
		if (close(fd) != 0 && rc == KIOSK_OK) {
			rc = say(rep, UPDATE_R_IO, KIOSK_ERR_IO, "closing slot %c failed", target);
		}
		if (rc == KIOSK_OK) {
			rc = read_back(pair->path[target == 'B'], p, rep);
		}
		if (rc != KIOSK_OK) {
			goto out;
		}
		off += p->size;
	}
	rc = update_boot_set_counter(boot, target, img.manifest.counter);
	if (rc == KIOSK_OK) {
		rc = update_boot_set_primary(boot, target);
	}
	if (rc != KIOSK_OK) {
		say(rep, UPDATE_R_STATE, rc, "cannot make slot %c primary", target);
		goto out;
	}
	say(rep, UPDATE_R_NONE, KIOSK_OK, "installed %s into slot %c; reboot, then mark-good",
	    img.manifest.version, target);
out:
	free(w.buf);
	update_image_free(&img);
	return rc;
}
