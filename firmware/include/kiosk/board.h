/* SPDX-License-Identifier: MIT */
/*
 * A board is data: which backends a kiosk model uses and their settings, read
 * from board/<name>/board.conf ("key = value", '#' comments). Unknown keys are
 * errors, so a typo never silently falls back to a default.
 *
 * Paths may start with "@build@" (the build tree, for the simulated board's
 * generated test PKI) or "@board@" (the board's own folder).
 */
#ifndef KIOSK_BOARD_H
#define KIOSK_BOARD_H

#include <limits.h>
#include <stdbool.h>

#define KIOSK_BOARD_NAME_MAX 64
#define KIOSK_BOARD_VALUE_MAX 256

struct kiosk_board {
	char name[KIOSK_BOARD_NAME_MAX];
	char dir[PATH_MAX];                 /* folder the board was loaded from */
	bool production;                    /* refuses test anchors and QA-only options */
	char reader_backend[16];            /* "pcsc" | "sim" | "nfc" */
	char reader_pattern[KIOSK_BOARD_VALUE_MAX]; /* substring of the reader name */
	unsigned apdu_timeout_ms;           /* watchdog per APDU */
	unsigned card_wait_ms;              /* how long to wait for a card */
	bool presence_proof;                /* card presence proof (check E + nonce) */
	bool allow_sfi;
	bool allow_extended;
	char anchors_dir[PATH_MAX];         /* card CA public keys, <32 hex>.pem */
	char center_url[KIOSK_BOARD_VALUE_MAX]; /* https://host[:port][/prefix] */
	char center_ca_file[PATH_MAX];      /* the one CA pinned for the center (PEM) */
	char center_client_cert[PATH_MAX];  /* the kiosk's TLS client certificate (PEM) */
	char center_client_key[PATH_MAX];   /* its private key (PEM) */
	char center_kiosk_id[64];           /* = the client certificate's CN */
	unsigned center_connect_timeout_ms;
	unsigned center_handshake_timeout_ms;
	unsigned center_read_timeout_ms;
	char cert_issuer_jwks[PATH_MAX];    /* pinned SMART Health Card issuer key set (JWKS) */
	char cert_csca[PATH_MAX];           /* pinned CSCA for VDS-NC seals (PEM) */
	char printer_backend[16];           /* "ipp" | "preview" (preview: non-production only) */
	char printer_uri[KIOSK_BOARD_VALUE_MAX]; /* ipp://host[:port]/path or ipps://... */
	unsigned printer_dpi;               /* resolution the page is laid out for (150..1200) */
	char printer_paper[16];             /* "a4" (the only size the certificate uses) */
	unsigned printer_timeout_ms;
	char shc_qr_ecc;                    /* 0: auto (M, else L); 'L' 'M' 'Q' 'H': forced */
	char vdsnc_qr_ecc;
	/* the kiosk program (firmware/kiosk, board_kiosk.c) */
	char display_backend[16];           /* "sdl" | "tty" */
	unsigned display_width, display_height; /* pixels (sdl) */
	bool display_fullscreen;            /* sdl on KMS/DRM */
	char display_screenshot_dir[PATH_MAX]; /* non-production: every screen as PNG; "" off */
	char audio_backend[16];             /* "sdl" | "null" */
	char audio_prompts_dir[PATH_MAX];   /* WAV prompts made at build time */
	char oplog_sink[16];                /* "stderr" | "syslog" | "none" */
	unsigned screen_timeout_ms;         /* inactivity on any screen -> idle */
	unsigned pin_timeout_ms;            /* inactivity on the PIN screen */
	unsigned take_card_timeout_ms;      /* reminding to take the card, then go on */
	unsigned take_paper_ms;             /* "take your certificate" shown this long */
	unsigned message_ms;                /* an error/info screen shown this long */
	unsigned munis_refresh_ms;          /* participating municipalities re-fetched */
	bool systemd_watchdog;              /* sd_notify READY/WATCHDOG (systemd unit) */
};

/** Defaults for every setting (a non-production board with no anchors). */
void kiosk_board_init(struct kiosk_board *b);

/**
 * Load board @name from the board folder ($KIOSK_BOARD_DIR, else the source
 * tree's board/), or from a path when @name contains a '/'.
 * @return 0; KIOSK_ERR_CONFIG with a line-numbered reason in @why (no secrets).
 */
int kiosk_board_load(struct kiosk_board *b, const char *name, char *why, size_t why_cap);

/** Parse board.conf text (pure; the loader's core, fuzzable and unit-tested). */
int kiosk_board_parse(struct kiosk_board *b, const char *text, size_t len, char *why,
		      size_t why_cap);

#endif /* KIOSK_BOARD_H */
