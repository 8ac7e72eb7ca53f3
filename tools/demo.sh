#!/usr/bin/env bash
# The demo, on a fresh Debian 12 machine as root: installs what is missing,
# builds, then runs the kiosk on the simulated board with a scripted resident:
# the real pcscd with a virtual reader and a simulated My Number card (invented
# residents), the reference certificate center over mutual TLS on loopback,
# SDL2's offscreen display (every screen saved as a PNG) and the preview
# printer. Two issuances: domestic, then overseas + domestic. Everything it
# starts is stopped at the end; the output folder is named last.
#
#   tools/demo.sh [OUTPUT_DIR]      (default: build/demo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/tools/scripts/deps.sh"
tools/scripts/build.sh build >/dev/null

out=$(realpath -m "${1:-build/demo}")
rm -rf "$out"
mkdir -p "$out/screens" "$out/certificates"
personas=tools/cardsim/personas
std_pin=$(jq -r .pin "$personas/standard.json")
ovs_pin=$(jq -r .pin "$personas/no_ext.json")

# The resident, step by step (hal/include/hal/script.h): the card is placed
# when the kiosk asks for it and taken back when the kiosk says so.
cat >"$out/resident.script" <<EOF
# 1. a domestic certificate (persona "standard", Chiyoda City)
expect idle
tap start
expect language
tap ja
expect type
tap domestic
expect municipality
tap m:131016
expect place_card
card insert standard
expect pin
pin $std_pin
expect take_card
card remove
expect confirm
tap confirm
expect take_certificate 60000
expect idle 30000
# 2. overseas + domestic, in English (persona "no_ext", passport registered)
tap start
expect language
tap en
expect type
tap overseas
expect municipality
tap m:131016
expect place_card
card insert no_ext
expect pin
pin $ovs_pin
expect take_card
card remove
expect confirm
tap confirm
expect take_certificate 60000
expect idle 30000
quit
EOF

# The sim board with the resident-facing timings, shorter goodbye screens.
mkdir -p "$out/board"
cp board/sim/board.conf "$out/board/board.conf"
printf 'flow.take_paper_ms = 2000\nflow.message_ms = 3000\n' >>"$out/board/board.conf"

echo "== kiosk on the simulated board (pcscd + virtual reader + card simulator, reference center)"
set +e
SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy build/tools/rig/rig --center --timeout 300 -- sh -c '
	build/tools/rig/rig card remove >/dev/null &&
	build/kiosk --board "$0/board" --display sdl --screenshots "$0/screens" \
		--preview-out "$0/certificates" --script "$0/resident.script" \
		--center-url "$KIOSK_CENTER_URL" --stats' "$out" 2>"$out/operation.log" >/dev/null
code=$?
set -e
rm -rf "$out/board"

# The operation log has no personal data by construction: show the steps.
sed -n 's/.* step=\(screen\|prompt\|card_read\|request\|print\|issuance\|wipe\) detail=\([^ ]*\) result=\([^ ]*\) ms=\([0-9]*\).*/  \1 \2 \3 \4ms/p' \
	"$out/operation.log" | grep -v '^  screen' || true
grep '^kiosk-' "$out/operation.log" || true
echo
echo "screens:      $(ls "$out/screens" | wc -l) PNG files in $out/screens"
echo "certificates: $(ls "$out/certificates" | tr '\n' ' ')"
echo "              in $out/certificates"
echo "log:          $out/operation.log (no personal data)"
if [ "$code" -ne 0 ]; then
	echo "demo: the kiosk stopped with exit code $code" >&2
	tail -20 "$out/operation.log" >&2
	exit "$code"
fi
echo "demo output: $out"
