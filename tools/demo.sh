#!/usr/bin/env bash
# The demo, on a fresh Debian 12 machine as root: installs what is missing,
# builds, then runs the simulated board: the real pcscd with a virtual reader,
# a simulated My Number card (an invented resident), the kiosk's card phase
# (tries, one VERIFY, reads, signature chain, presence proof), then a
# certificate from the reference center over mutual TLS, verified and bound to
# the card holder. The summaries hold no personal data.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/tools/scripts/deps.sh"
tools/scripts/build.sh build >/dev/null

persona=${1:-standard}
pin=$(jq -r .pin "tools/cardsim/personas/$persona.json")
echo "== kioskctl card check --board sim (persona: $persona, PIN typed once)"
set +e
printf '%s\n' "$pin" | build/tools/rig/rig --persona "$persona" -- \
	build/tools/kioskctl/kioskctl card check --board sim --pin-stdin >build/demo.json
code=$?
set -e
jq . build/demo.json
jq -r '"
reader            \(.reader)
card              \(if .ap_found then "My Number card (card-face input assistance AP found)" else "not a My Number card" end)
PIN tries before  \(.tries_before)   PIN: \(.pin)
signature chain   \(.chain)   (pinned CA key -> CV certificate -> integrity record -> SHA-256 of the data)
presence proof    \(.presence)
APDUs             \(.apdus)   (extended length: \(.extended_length), SFI: \(.sfi))
personal data     read into locked memory, verified, wiped; none printed"' build/demo.json
rm -f build/demo.json
[ "$code" -eq 0 ] || exit "$code"

muni=$(jq -r .municipality "tools/cardsim/personas/$persona.json")
echo
echo "== kioskctl certificate fetch (reference center over mutual TLS, municipality $muni)"
# Piped straight into jq: the QR text encodes the holder's name and birth date,
# so it never touches the disk, and the demo shows only its size.
set +e
printf '%s\n' "$pin" | build/tools/rig/rig --persona "$persona" --center -- sh -c \
	'build/tools/kioskctl/kioskctl certificate fetch --board sim --pin-stdin \
		--municipality "$0" --type domestic --url "$KIOSK_CENTER_URL"' "$muni" |
	jq -r '"
certificate       \(.status) \(.certificate_id)   (error: \(.error))
holder binding    \(if .holder_match then "the certificate is the card holder'"'"'s" else "no" end)
doses             \(.doses)
QR text           \((.shc_qr_text // "") | length) characters (shc:/...), verified against the pinned issuer key"'
code=${PIPESTATUS[1]}
set -e
exit "$code"
