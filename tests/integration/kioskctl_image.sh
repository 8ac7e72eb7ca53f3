#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kioskctl image end to end on file-backed slots (as RAUC's tests do):
# build -> inspect -> install -> "reboot" (image boot) -> mark-good; a refused
# tampered image leaves the slots untouched; a power cut mid-write keeps A
# primary and the next install works; rollback when mark-good never comes.
#   kioskctl_image.sh KIOSKCTL RELEASE_PKI
set -euo pipefail
K=$1
PKI=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

head -c 2000000 /dev/urandom > "$T/rootfs.bin"
truncate -s 4M "$T/a.img" "$T/b.img"
head -c 4194304 /dev/urandom > "$T/a.img"
P=(--board sim --state-file "$T/state" --slot-a "$T/a.img" --slot-b "$T/b.img"
   --release-root "$PKI/release-root.crt.pem")
build() { # build OUT COUNTER [COMPATIBLE] [SIGNER]
	"$K" image build --key "$PKI/${4:-release-signer}.key.pem" --cert "$PKI/${4:-release-signer}.crt.pem" \
		--compatible "${3:-kiosk-sim}" --version "1.$2.0" --counter "$2" --build-id "ci-$2" \
		--payload "rootfs=$T/rootfs.bin" -o "$1" >/dev/null
}
sums() { sha256sum "$T/a.img" "$T/b.img" | cut -d' ' -f1 | tr '\n' ' '; }
status() { "$K" image status --json "${P[@]}"; }

build "$T/fw3.kfw" 3
"$K" image inspect "$T/fw3.kfw" --json "${P[@]}" > "$T/inspect.json"
grep -q '"ok":true' "$T/inspect.json" || fail "inspect"
grep -q '"counter":3' "$T/inspect.json" || fail "inspect counter"
grep -q '"compatible":"kiosk-sim"' "$T/inspect.json" || fail "inspect compatible"

# refused images: exit 5, nothing written
before=$(sums)
build "$T/bad-compat.kfw" 3 kiosk-x86
cp "$T/fw3.kfw" "$T/flip.kfw"
printf '\x00' | dd of="$T/flip.kfw" bs=1 seek=$(( $(stat -c %s "$T/flip.kfw") - 100 )) conv=notrunc 2>/dev/null
build "$T/other.kfw" 3 kiosk-sim other-signer
cp "$T/fw3.kfw" "$T/trunc.kfw"; truncate -s -1 "$T/trunc.kfw"
for bad in bad-compat flip other trunc; do
	set +e
	"$K" image install "$T/$bad.kfw" "${P[@]}" 2> "$T/err"
	rc=$?
	set -e
	[ "$rc" -eq 5 ] || fail "$bad: exit $rc, expected 5"
	grep -q refused "$T/err" || fail "$bad: no reason"
	[ "$(sums)" = "$before" ] || fail "$bad: a slot changed"
done

# power cut after 100000 bytes: A stays primary and booted
set +e
KIOSK_UPDATE_TEST_FAIL_AFTER=100000 "$K" image install "$T/fw3.kfw" "${P[@]}" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "power cut not reported"
status | grep -q '"primary":"A","booted":"A"' || fail "power cut moved the primary"
status | grep -q '"name":"B","state":"bad"' || fail "half-written B not bad"
[ "$(sha256sum < "$T/a.img")" = "$(echo "$before" | cut -d' ' -f1)  -" ] || fail "A changed"

# install, reboot, mark-good
"$K" image install "$T/fw3.kfw" "${P[@]}" | grep -q "into slot B" || fail "install"
cmp -n 2000000 "$T/rootfs.bin" "$T/b.img" || fail "slot B content"
[ "$(sha256sum < "$T/a.img")" = "$(echo "$before" | cut -d' ' -f1)  -" ] || fail "A written"
"$K" image boot "${P[@]}" | grep -q "slot B" || fail "boot B"
"$K" image mark-good "${P[@]}" | grep -q "slot B marked good" || fail "mark-good"
status | grep -q '"primary":"B","booted":"B","committed_counter":3' || fail "commit"

# downgrade refused now
build "$T/fw2.kfw" 2
set +e
"$K" image install "$T/fw2.kfw" "${P[@]}" 2> "$T/err"; rc=$?
set -e
[ "$rc" -eq 5 ] && grep -q DOWNGRADE "$T/err" || fail "downgrade accepted"

# next update into A, never marked good: attempts run out, B comes back
build "$T/fw4.kfw" 4
"$K" image install "$T/fw4.kfw" "${P[@]}" | grep -q "into slot A" || fail "install A"
for i in 1 2 3; do
	"$K" image boot "${P[@]}" | grep -q "slot A" || fail "boot A $i"
done
"$K" image boot "${P[@]}" | grep -q "slot B" || fail "no rollback"
"$K" image mark-good "${P[@]}" >/dev/null
status | grep -q '"primary":"B","booted":"B","committed_counter":3' || fail "rollback state"

# manual rollback command (back to A is refused: A was marked bad by the failed boots)
set +e
"$K" image rollback "${P[@]}" 2>/dev/null; rc=$?
set -e
[ "$rc" -eq 5 ] || fail "rollback to a bad slot allowed"
echo "kioskctl image: all checks passed"
