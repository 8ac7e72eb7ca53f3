/* SPDX-License-Identifier: MIT */
#include "update/reason.h"

const char *update_reason_name(enum update_reason r)
{
	switch (r) {
	case UPDATE_R_NONE: return "NONE";
	case UPDATE_R_FORMAT: return "FORMAT";
	case UPDATE_R_TOO_LARGE: return "TOO_LARGE";
	case UPDATE_R_TRUNCATED: return "TRUNCATED";
	case UPDATE_R_SIGNATURE: return "SIGNATURE";
	case UPDATE_R_CHAIN: return "CHAIN";
	case UPDATE_R_EXPIRED: return "EXPIRED";
	case UPDATE_R_KEY_USAGE: return "KEY_USAGE";
	case UPDATE_R_COMPATIBLE: return "COMPATIBLE";
	case UPDATE_R_DOWNGRADE: return "DOWNGRADE";
	case UPDATE_R_DUPLICATE: return "DUPLICATE";
	case UPDATE_R_NO_SLOT: return "NO_SLOT";
	case UPDATE_R_HASH: return "HASH";
	case UPDATE_R_IO: return "IO";
	case UPDATE_R_STATE: return "STATE";
	case UPDATE_R_CONFIG: return "CONFIG";
	}
	return "UNKNOWN";
}
