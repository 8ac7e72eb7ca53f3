#!/usr/bin/env bash
# kioskctl selftest on the simulated board inside the rig (pcscd + vpcd + card
# simulator + reference center) and the printer rig (ippeveprinter): green
# when everything runs, then each broken part reported with the right message
# and a non-zero exit.
# usage: kioskctl_selftest.sh KIOSKCTL RIG PRINTER_RIG SOURCE_DIR CENTER_PKI
set -euo pipefail
kioskctl=$1 rig=$2 prig=$3 src=$4 cpki=$5

if [ -z "${PRINTER_RIG_URI:-}" ]; then
	exec "$prig" --timeout 300 -- "$0" "$@"
fi
fails=0 passes=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out err=$work/err
check() {
	local what=$1
	shift
	if "$@"; then
		passes=$((passes + 1))
	else
		fails=$((fails + 1))
		echo "FAIL: $what" >&2
		echo "  stdout: $(head -c 1500 "$out")" >&2
		echo "  stderr: $(head -c 600 "$err")" >&2
	fi
}

# The simulated board, printing to the rig's IPP printer.
board=$work/board
mkdir -p "$board"
sed -e 's|^printer.backend.*|printer.backend = ipp|' "$src/board/sim/board.conf" > "$board/board.conf"
printf 'printer.uri = %s\n' "$PRINTER_RIG_URI" >> "$board/board.conf"

status_of() { jq -r --arg id "$1" '.checks[] | select(.id == $id) | .status' "$out"; }
message_of() { jq -r --arg id "$1" '.checks[] | select(.id == $id) | .message' "$out"; }
next_of() { jq -r --arg id "$1" '.checks[] | select(.id == $id) | .next // ""' "$out"; }
has() { grep -qF -- "$2" <<<"$(message_of "$1")"; }

# --- green ------------------------------------------------------------------
set +e
"$rig" --center --timeout 120 -- sh -c 'k=$0; "$k" selftest --card-wait-ms 5000 --board "$1" --json --url "$KIOSK_CENTER_URL"' \
	"$kioskctl" "$board" >"$out" 2>"$err"
code=$?
set -e
check "green: exit 0" [ "$code" -eq 0 ]
check "green: ok overall" [ "$(jq -r .ok "$out")" = true ]
for id in reader card pinpad printer center clock anchors firmware; do
	check "green: $id ok" [ "$(status_of $id)" = ok ]
done
# memory and disk depend on the machine running the test: never a failure
for id in memory disk; do
	check "green: $id reported" grep -qE '^(ok|warn)$' <<<"$(status_of $id)"
done
check "green: card answered without a PIN" has card "no PIN used"
check "green: municipalities listed" has center "2 participating municipalities"
check "green: printer over IPP" has printer "printer ready"

# Helper for the broken cases: selftest in the rig with the center URL.
broken() { # broken [RIG-OPTION...] -- [ENV=VAL...] -- SELFTEST-ARGS...
	local rigopts=() envs=()
	while [ "$1" != -- ]; do rigopts+=("$1"); shift; done
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	set +e
	"$rig" --center --timeout 120 "${rigopts[@]}" -- sh -c \
		'k=$0; n=$1; shift; i=0; while [ $i -lt "$n" ]; do export "$1"; shift; i=$((i+1)); done
		 exec "$k" selftest --card-wait-ms 3000 --json --url "$KIOSK_CENTER_URL" "$@"' \
		"$kioskctl" "${#envs[@]}" "${envs[@]}" "$@" >"$out" 2>"$err"
	code=$?
	set -e
}

# --- no card: a warning, not a failure ---------------------------------------
broken --no-card -- -- --board "$board"
check "no card: exit 0" [ "$code" -eq 0 ]
check "no card: warn" [ "$(status_of card)" = warn ]
check "no card: says so" has card "no card on the reader"

# --- pcscd stopped: the rig's own pcscd is killed by its pid file, as the
# reader_service_gone card scenario does ----------------------------------------
set +e
"$rig" --center --timeout 120 -- sh -c '
	pid=$(cat "$KIOSK_RIG_DIR/run/pcscd/pcscd.pid") && kill -KILL "$pid" || exit 99
	i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
	exec "$0" selftest --card-wait-ms 3000 --json --board "$1" --url "$KIOSK_CENTER_URL"' \
	"$kioskctl" "$board" >"$out" 2>"$err"
code=$?
set -e
check "pcscd stopped: exit 1" [ "$code" -eq 1 ]
check "pcscd stopped: reader fail" [ "$(status_of reader)" = fail ]
check "pcscd stopped: message" has reader "pcscd"
check "pcscd stopped: next step" grep -q "restart pcscd" <<<"$(next_of reader)"
check "pcscd stopped: the rest still checked" [ "$(status_of center)" = ok ]

# --- no reader matching the board ---------------------------------------------
sed -e 's|^reader.pattern.*|reader.pattern = No Such Reader|' "$board/board.conf" > "$work/noreader.conf"
mkdir -p "$work/noreader" && cp "$work/noreader.conf" "$work/noreader/board.conf"
broken -- -- --board "$work/noreader"
check "no reader: exit 1" [ "$code" -eq 1 ]
check "no reader: message" has reader "no reader matches"

# --- printer stopped ------------------------------------------------------
broken -- -- --board "$board" --printer-uri "ipp://127.0.0.1:9/ipp/print"
check "printer stopped: exit 1" [ "$code" -eq 1 ]
check "printer stopped: printer fail" [ "$(status_of printer)" = fail ]
check "printer stopped: message" has printer "PRINTER_UNREACHABLE"
check "printer stopped: center still ok" [ "$(status_of center)" = ok ]
check "printer stopped: reader still ok" [ "$(status_of reader)" = ok ]

# --- center stopped ---------------------------------------------------------
broken -- -- --board "$board" --url "https://127.0.0.1:9"
check "center stopped: exit 1" [ "$code" -eq 1 ]
check "center stopped: center fail" [ "$(status_of center)" = fail ]
check "center stopped: message" has center "CENTER_UNREACHABLE"
check "center stopped: printer still ok" [ "$(status_of printer)" = ok ]

# --- wrong center CA ---------------------------------------------------------
mkdir -p "$work/wrongca"
sed -e "s|^center.ca_file.*|center.ca_file = $cpki/rogue-ca.crt.pem|" "$board/board.conf" > "$work/wrongca/board.conf"
broken -- -- --board "$work/wrongca"
check "wrong center CA: exit 1" [ "$code" -eq 1 ]
check "wrong center CA: center fail" [ "$(status_of center)" = fail ]
check "wrong center CA: message" has center "TLS_UNTRUSTED"
check "wrong center CA: next step" grep -q "install-anchors" <<<"$(next_of center)"

# --- clock skewed (QA hook, non-production boards only) ------------------------
broken -- KIOSK_SELFTEST_NOW=4102444800 -- --board "$board"
check "clock in 2100: exit 1" [ "$code" -eq 1 ]
check "clock in 2100: clock fail" [ "$(status_of clock)" = fail ]
check "clock in 2100: expired" has clock "expired"
broken -- KIOSK_SELFTEST_NOW=978307200 -- --board "$board"
check "clock in 2001: exit 1" [ "$code" -eq 1 ]
check "clock in 2001: before the build" has clock "before this firmware was built"

# --- firmware slot states from the board's update.conf -------------------------
mkdir -p "$work/slots"
cp "$board/board.conf" "$work/slots/board.conf"
printf 'update.state_file = @board@/slots.state\n' > "$work/slots/update.conf"
printf 'primary=B\nA.state=good\nB.state=bad\n' > "$work/slots/slots.state"
broken -- -- --board "$work/slots"
check "slots: exit 0" [ "$code" -eq 0 ]
check "slots: shown" has firmware "primary slot B; A good, B bad"
# the file backend's own spelling (firmware/update/bootstate_file.c)
printf 'PRIMARY=A\nCURRENT=B\nSTATE_A=good\nSTATE_B=bad\n' > "$work/slots/slots.state"
broken -- -- --board "$work/slots"
check "slots (file backend): shown" has firmware "primary slot A; A good, B bad; booted B"
rm "$work/slots/slots.state"
broken -- -- --board "$work/slots"
check "slots: no state file yet" has firmware "no update state (not provisioned for updates)"

# --- the table for people -----------------------------------------------------
set +e
"$rig" --center --timeout 120 -- sh -c 'k=$0; "$k" selftest --card-wait-ms 3000 --board "$1" --url https://127.0.0.1:9' \
	"$kioskctl" "$board" >"$out" 2>"$err"
code=$?
set -e
check "table: exit 1" [ "$code" -eq 1 ]
check "table: header" grep -q '^CHECK *STATE *DETAILS' "$out"
check "table: center row" grep -q '^center *fail ' "$out"
check "table: what to do next" grep -q '^What to do next:' "$out"
check "table: verdict" grep -q 'NOT ready for residents' "$out"

# --- production boards refuse the QA overrides --------------------------------
set +e
"$kioskctl" selftest --board kiosk-x86 --url https://127.0.0.1:9 >"$out" 2>"$err"
code=$?
set -e
check "production: --url refused" [ "$code" -eq 2 ]
check "production: says so" grep -q "refused on production" "$err"

echo "kioskctl selftest: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
