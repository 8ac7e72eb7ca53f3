#!/usr/bin/env bash
# The whole path to paper: card through the real pcscd, certificate from the
# reference center over mutual TLS, page rendered in memory, PDF streamed to
# ippeveprinter (tools/printer-rig). The job arrives as a PDF whose QR code
# decodes to exactly the verified SHC text; nothing else is written.
# usage: kioskctl_print_ipp.sh KIOSKCTL RIG PRINTER_RIG PERSONA_DIR SOURCE_DIR
set -euo pipefail
kioskctl=$1 rig=$2 prig=$3 personas=$4 src=$5

if [ -z "${PRINTER_RIG_URI:-}" ]; then
	exec "$prig" --timeout 240 -- "$0" "$@"
fi
fails=0 passes=0
check() {
	local what=$1
	shift
	if "$@"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $what" >&2; fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The simulated board, printing to the IPP printer instead of the preview.
mkdir -p "$work/board"
sed -e 's|^printer.backend.*|printer.backend = ipp|' "$src/board/sim/board.conf" > "$work/board/board.conf"
printf 'printer.uri = %s\nprinter.dpi = 300\n' "$PRINTER_RIG_URI" >> "$work/board/board.conf"

pin=$(jq -r .pin "$personas/standard.json")
set +e
"$rig" --center --timeout 180 -- sh -c \
	'printf "%s\n" "$0" | "$1" certificate fetch --board "$2" --pin-stdin --municipality 131016 \
		--type domestic --url "$KIOSK_CENTER_URL" --print' "$pin" "$kioskctl" "$work/board" \
	> "$work/out.json" 2> "$work/err.txt"
code=$?
set -e
check "print: exit 0" [ "$code" -eq 0 ]
check "print: printed" [ "$(jq -r .printed "$work/out.json")" = true ]
jobs=("$PRINTER_RIG_RECEIVED"/*)
check "one job arrived" [ "${#jobs[@]}" -eq 1 ]
check "as a PDF" bash -c "head -c 5 '${jobs[0]}' | grep -q '%PDF-'"
pdftoppm -r 300 -png -singlefile "${jobs[0]}" "$work/page"
check "its QR decodes to the verified SHC text" \
	[ "$(zbarimg --raw -q "$work/page.png" 2>/dev/null)" = "$(jq -r .shc_qr_text "$work/out.json")" ]
check "the page names the certificate" bash -c "pdftotext '${jobs[0]}' - | grep -q '予防接種証明書'"
[ "$fails" -eq 0 ] || cat "$work/err.txt" >&2
echo "kioskctl print over IPP: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
