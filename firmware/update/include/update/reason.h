/* SPDX-License-Identifier: MIT */
/*
 * Why an image was refused or an install stopped. The KIOSK_ERR_* return
 * value says "update refused/IO/crypto"; this says exactly which check, for
 * the technician's message and for the tamper tests.
 */
#ifndef UPDATE_REASON_H
#define UPDATE_REASON_H

enum update_reason {
	UPDATE_R_NONE = 0,
	UPDATE_R_FORMAT,        /* bad magic, version, malformed manifest */
	UPDATE_R_TOO_LARGE,     /* a length field above its cap or above the slot */
	UPDATE_R_TRUNCATED,     /* file shorter (or longer) than its fields say */
	UPDATE_R_SIGNATURE,     /* manifest signature does not verify */
	UPDATE_R_CHAIN,         /* signer certificate does not chain to the pinned root */
	UPDATE_R_EXPIRED,       /* signer or root outside its validity period */
	UPDATE_R_KEY_USAGE,     /* signer not a P-256 digitalSignature/codeSigning leaf */
	UPDATE_R_COMPATIBLE,    /* image for another board */
	UPDATE_R_DOWNGRADE,     /* anti-rollback counter below the installed one */
	UPDATE_R_DUPLICATE,     /* the same slot class twice */
	UPDATE_R_NO_SLOT,       /* no slot of that class on this board */
	UPDATE_R_HASH,          /* payload SHA-256 differs from the manifest */
	UPDATE_R_IO,            /* reading the image or writing the slot failed */
	UPDATE_R_STATE,         /* boot state unreadable or inconsistent */
	UPDATE_R_CONFIG,        /* update.conf or release root unusable */
};

/** Stable short name ("SIGNATURE") for JSON and tests; never NULL. */
const char *update_reason_name(enum update_reason r);

#endif /* UPDATE_REASON_H */
