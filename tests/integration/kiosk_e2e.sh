#!/usr/bin/env bash
# The kiosk end to end: a scripted resident through the real pcscd + vpcd +
# card simulator, the reference center over mutual TLS and (for the printing
# scenarios) ippeveprinter. Each scenario asserts the screens shown and the
# voice prompts played (operation log), the APDUs the card saw (no second
# VERIFY), that every issuance ended with a verified wipe, and that nothing
# personal reached the kiosk's output.
#
# usage: kiosk_e2e.sh KIOSK RIG PRINTER_RIG MEMSCAN PERSONA_DIR SOURCE_DIR SCENARIO [PINPAD_IFD]
set -euo pipefail
kiosk=$1 rig=$2 prig=$3 memscan=$4 personas=$5 src=$6 scenario=$7 pinpad_ifd=${8:-}

# Printing scenarios run inside the printer rig (its own network namespace),
# everything inside a card rig with the reference center.
case "$scenario" in
overseas_ipp | printer_out_of_paper)
	if [ -z "${PRINTER_RIG_URI:-}" ]; then
		exec "$prig" --timeout 280 -- "$0" "$@"
	fi
	;;
esac
if [ -z "${KIOSK_CARDSIM_CTL:-}" ]; then
	extra=()
	[ "$scenario" = other_person ] && extra+=(--center-fault other_person=1)
	[ "$scenario" = center_drops_request ] && extra+=(--center-fault drop=on)
	# pinpad: the reader is the virtual PIN-pad reader (tools/pinpad-ifd) in pcscd
	[ "$scenario" = pinpad ] && export KIOSK_RIG_IFD_LIB=$pinpad_ifd
	exec "$rig" --center --timeout 280 "${extra[@]}" -- "$0" "$@"
fi

# The resident arrives with the card in hand: the reader starts empty.
"$rig" card remove >/dev/null
fails=0 passes=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/board" "$work/out"
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $what" >&2; fi
}
persona() { jq -r "$2" "$personas/$1.json"; }
oplog() { cat "$work/err"; }
screens() { sed -n 's/.* step=screen detail=\([a-z_]*\) .*/\1/p' "$work/err" | uniq | tr '\n' ' '; }
prompts() { sed -n 's/.* step=prompt detail=\([a-z_]*\) .*/\1/p' "$work/err" | tr '\n' ' '; }
stat() { "$rig" ctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"; }
has_screens() { # the screens appear in this order (others may come between)
	local got=" $(screens)" want
	for want in "$@"; do
		case "$got" in *" $want "*) got=${got#*" $want "}; got=" $got" ;; *) return 1 ;; esac
	done
}
has_prompt() { case " $(prompts)" in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# The simulated board with test-length timeouts where a scenario needs them.
board() {
	cp "$src/board/sim/board.conf" "$work/board/board.conf"
	cat >>"$work/board/board.conf" <<EOF
flow.take_paper_ms = 1500
flow.message_ms = 1500
EOF
	if [ -n "${PRINTER_RIG_URI:-}" ]; then
		printf 'printer.backend = ipp\nprinter.uri = %s\n' "$PRINTER_RIG_URI" >>"$work/board/board.conf"
	fi
}

# run_kiosk SCRIPT_FILE [PREFIX...]: the kiosk on the sim board, output to $work/{out,err}
run_kiosk() {
	local script=$1
	shift
	local preview=(--preview-out "$work/out")
	[ -n "${PRINTER_RIG_URI:-}" ] && preview=()
	set +e
	"$@" "$kiosk" --board "$work/board" --script "$script" --center-url "$KIOSK_CENTER_URL" \
		"${preview[@]}" --stats >"$work/stdout" 2>"$work/err"
	code=$?
	set -e
}

# The common start of an issuance, up to the PIN screen with the card inserted.
to_pin() { # to_pin TYPE MUNICIPALITY
	cat <<EOF
expect idle
tap start
expect language
tap ja
expect type
tap $1
expect municipality
tap m:$2
expect place_card
card insert
expect pin
EOF
}
finish_ok() {
	cat <<EOF
expect take_card
card remove
expect confirm
tap confirm
expect take_certificate 60000
expect idle 20000
quit
EOF
}

# Nothing personal in what the kiosk printed (tty screens, operation log).
no_personal_output() { # no_personal_output PERSONA
	local p=$1 needle
	for needle in "$(persona "$p" .my_number)" "$(persona "$p" .address)" \
		"$(persona "$p" .name | sed 's/　.*//')" "$(persona "$p" .name | sed 's/.*　//')"; do
		if grep -qF -- "$needle" "$work/stdout" "$work/err"; then
			echo "personal data in the kiosk's output" >&2
			return 1
		fi
	done
}
stats_field() { sed -n "s/.*kiosk-stats.* $1=\([0-9]*\).*/\1/p" "$work/err"; }
issued_cleanly() { # one certificate, every issuance ended with a verified wipe
	[ "$code" -eq 0 ] && [ "$(stats_field issued)" = "${1:-1}" ] && [ "$(stats_field wipe_ok)" = 1 ] &&
		! grep -q 'step=wipe .*result=vault' "$work/err"
}

not_issued_wiped() { [ "$(stats_field issued)" = 0 ] && [ "$(stats_field wipe_ok)" = 1 ]; }

board
std_pin=$(persona standard .pin)
case "$scenario" in
domestic)
	{ to_pin domestic 131016; echo "pin $std_pin"; finish_ok; } >"$work/script"
	run_kiosk "$work/script"
	check "domestic: issued, wiped" issued_cleanly
	check "domestic: screens in order" has_screens idle language type municipality place_card pin \
		reading take_card confirm requesting printing take_certificate idle
	check "domestic: card reminder spoken" has_prompt take_card
	check "domestic: certificate reminder spoken" has_prompt take_certificate
	check "domestic: exactly one VERIFY" [ "$(stat verify)" = 1 ]
	check "domestic: tries back to 3" [ "$(stat tries)" = 3 ]
	check "domestic: preview written" [ -s "$work/out/certificate-0001.pdf" ]
	check "domestic: its QR decodes as SHC" bash -c "zbarimg --raw -q '$work/out/certificate-0001.png' | grep -q '^shc:/'"
	check "domestic: nothing personal in output" no_personal_output standard
	;;
overseas_ipp)
	# a resident with a passport registered at the municipality
	"$rig" card load "$personas/no_ext.json" && "$rig" card remove
	{ to_pin overseas 131016; echo "pin $(persona no_ext .pin)"; finish_ok; } >"$work/script"
	run_kiosk "$work/script"
	check "overseas: issued, wiped" issued_cleanly
	shopt -s nullglob
	jobs=("$PRINTER_RIG_RECEIVED"/*)
	check "overseas: one job at the printer" [ "${#jobs[@]}" -eq 1 ]
	check "overseas: a PDF" bash -c "head -c 5 '${jobs[0]:-/dev/null}' | grep -q '%PDF-'"
	pdftoppm -r 300 -png -singlefile "${jobs[0]:-/dev/null}" "$work/page" || true
	check "overseas: SHC and VDS-NC QR codes on the page" \
		bash -c "zbarimg --raw -q '$work/page.png' | grep -c -e '^shc:/' -e '\"icao.vacc\"' | grep -qx 2"
	check "overseas: reminders" has_prompt take_certificate
	check "overseas: nothing written but the job" [ -z "$(ls -A "$work/out")" ]
	;;
wrong_then_right)
	{ to_pin domestic 131016; echo "pin 9999"; echo "expect pin"; echo "pin $std_pin"; finish_ok; } >"$work/script"
	run_kiosk "$work/script"
	check "wrong then right: issued" issued_cleanly
	check "wrong then right: one VERIFY per PIN typed" [ "$(stat verify)" = 2 ]
	check "wrong then right: wrong-PIN prompt" has_prompt pin_wrong
	check "wrong then right: tries restored" [ "$(stat tries)" = 3 ]
	;;
wrong_until_blocked)
	"$rig" card load "$personas/one_try.json" && "$rig" card remove
	{ to_pin domestic "$(persona one_try .municipality)"; echo "pin 9999"
	  echo "expect message"; echo "tap ok"; echo "expect take_card"; echo "card remove"
	  echo "expect idle"; echo "quit"; } >"$work/script"
	run_kiosk "$work/script"
	check "blocked: stopped cleanly" [ "$code" -eq 0 ]
	check "blocked: one VERIFY" [ "$(stat verify)" = 1 ]
	check "blocked: card now blocked" [ "$(stat tries)" = 0 ]
	check "blocked: told, card asked back" has_screens pin message take_card idle
	check "blocked: nothing issued, wiped" not_issued_wiped
	# the same card again: reported, never probed
	"$rig" ctl clear >/dev/null
	{ to_pin domestic "$(persona one_try .municipality)" | sed '$d'; echo "expect message"
	  echo "tap ok"; echo "expect take_card"; echo "card remove"; echo "expect idle"; echo "quit"; } >"$work/script2"
	run_kiosk "$work/script2"
	check "blocked card: no VERIFY at all" [ "$(stat verify)" = 0 ]
	check "blocked card: message shown" has_screens place_card message
	;;
card_pulled_at_pin)
	{ to_pin domestic 131016; echo "tap 1"; echo "card remove"; echo "expect message"
	  echo "expect idle"; echo "quit"; } >"$work/script"
	run_kiosk "$work/script"
	check "pulled at PIN: message then idle" has_screens pin message idle
	check "pulled at PIN: no VERIFY" [ "$(stat verify)" = 0 ]
	check "pulled at PIN: wiped" [ "$(stats_field wipe_ok)" = 1 ]
	check "pulled at PIN: logged as card_removed" grep -q 'step=issuance .*result=card_removed' "$work/err"
	;;
card_pulled_while_reading)
	# the card leaves after its 6th APDU since power-on: SELECT, EF 0004, tries,
	# VERIFY, then during the reads
	"$rig" ctl fault remove_after 6 >/dev/null
	{ to_pin domestic 131016; echo "pin $std_pin"; echo "expect message"; echo "expect idle"
	  echo "quit"; } >"$work/script"
	run_kiosk "$work/script"
	check "pulled while reading: message then idle" has_screens reading message idle
	check "pulled while reading: one VERIFY" [ "$(stat verify)" -le 1 ]
	check "pulled while reading: wiped" [ "$(stats_field wipe_ok)" = 1 ]
	check "pulled while reading: nothing issued" [ "$(stats_field issued)" = 0 ]
	;;
walk_away)
	# Every screen that waits for a resident times out back to idle by itself.
	sed -i 's/^flow.message_ms.*//' "$work/board/board.conf"
	cat >>"$work/board/board.conf" <<EOF
flow.screen_timeout_ms = 1500
flow.pin_timeout_ms = 1500
flow.take_card_timeout_ms = 1500
flow.message_ms = 1500
EOF
	steps=("tap start" "tap ja" "tap domestic" "tap m:131016")
	: >"$work/script"
	for n in 1 2 3 4; do # language, type, municipality, place_card
		echo "expect idle" >>"$work/script"
		for ((i = 0; i < n; i++)); do echo "${steps[$i]}" >>"$work/script"; done
		echo "wait 2500" >>"$work/script"
	done
	# the PIN screen: the card is asked back, then idle
	{ to_pin domestic 131016; echo "wait 2000"; echo "expect take_card"; echo "card remove"
	  echo "expect idle"
	  # the confirmation screen
	  to_pin domestic 131016; echo "pin $std_pin"; echo "expect take_card"; echo "card remove"
	  echo "expect confirm"; echo "wait 2500"; echo "expect idle"; echo "quit"; } >>"$work/script"
	run_kiosk "$work/script"
	check "walk away: stopped cleanly" [ "$code" -eq 0 ]
	for s in language type municipality place_card pin confirm; do
		check "walk away: $s timed out" grep -q "step=timeout detail=$s " "$work/err"
	done
	check "walk away: one VERIFY (the confirm round)" [ "$(stat verify)" = 1 ]
	check "walk away: nothing issued, wiped" not_issued_wiped
	check "walk away: six issuances ended" [ "$(grep -c 'step=issuance .*result=cancelled' "$work/err")" -eq 6 ]
	;;
center_down)
	KIOSK_CENTER_URL=https://localhost:1
	{ echo "expect idle"; echo "tap start"; echo "expect language"; echo "tap en"; echo "expect type"
	  echo "tap domestic"; echo "expect message"; echo "expect idle"; echo "quit"; } >"$work/script"
	run_kiosk "$work/script"
	check "center down: said so, back to idle" has_screens type message idle
	check "center down: logged" grep -q 'step=municipalities .*result=center_unreachable' "$work/err"
	;;
center_drops_request)
	{ to_pin domestic 131016; echo "pin $std_pin"; echo "expect take_card"; echo "card remove"
	  echo "expect confirm"; echo "tap confirm"; echo "expect message 60000"; echo "expect idle"
	  echo "quit"; } >"$work/script"
	run_kiosk "$work/script"
	check "center drops: message, idle" has_screens requesting message idle
	check "center drops: nothing issued, wiped" not_issued_wiped
	;;
printer_out_of_paper)
	echo media-empty >"$PRINTER_RIG_DIR/fault"
	{ to_pin domestic 131016; echo "pin $std_pin"; echo "expect take_card"; echo "card remove"
	  echo "expect confirm"; echo "tap confirm"; echo "expect message 90000"; echo "expect idle"
	  echo "quit"; } >"$work/script"
	run_kiosk "$work/script"
	check "no paper: message, idle" has_screens printing message idle
	check "no paper: logged as media_empty" grep -q 'step=print .*result=media_empty' "$work/err"
	check "no paper: wiped" [ "$(stats_field wipe_ok)" = 1 ]
	;;
other_person)
	{ to_pin domestic 131016; echo "pin $std_pin"; echo "expect take_card"; echo "card remove"
	  echo "expect confirm"; echo "tap confirm"; echo "expect message 60000"; echo "expect idle"
	  echo "quit"; } >"$work/script"
	run_kiosk "$work/script"
	check "someone else's certificate: refused" grep -q 'step=request .*result=cert_holder_mismatch' "$work/err"
	check "someone else's certificate: nothing printed" [ -z "$(ls -A "$work/out")" ]
	check "someone else's certificate: wiped" [ "$(stats_field wipe_ok)" = 1 ]
	;;
not_participating)
	{ echo "expect idle"; echo "tap start"; echo "expect language"; echo "tap ja"; echo "expect type"
	  echo "tap domestic"; echo "expect municipality"; echo "tap m:011002"; echo "wait 500"
	  echo "tap cancel"; echo "expect idle"; echo "quit"; } >"$work/script"
	run_kiosk "$work/script"
	check "not participating: never offered" bash -c "! grep -q '011002' '$work/stdout'"
	check "not participating: participating ones offered" grep -q '131016' "$work/stdout"
	check "not participating: tap ignored" bash -c "! sed -n 's/.* step=screen detail=\([a-z_]*\) .*/\1/p' '$work/err' | grep -q place_card"
	;;
pinpad)
	# The PIN is typed on the reader's own keypad (PC/SC part 10): the kiosk
	# never holds it. Persona "keypad": a PIN no date or code on its card contains.
	printf 'reader.pattern = Virtual PIN pad\n' >>"$work/board/board.conf"
	"$rig" card load "$personas/keypad.json" && "$rig" card remove
	kpin=$(persona keypad .pin)
	printf '%s\n' "$kpin" >"$work/kpin"
	printf '%s\n' "$kpin" >"$work/needles"
	# no "expect pin": the reader takes the PIN as soon as that screen is up
	{ to_pin domestic "$(persona keypad .municipality)" | sed '$d'; echo "expect take_card 30000"
	  echo "card remove"
	  echo "expect confirm"; echo "wait 3000"; echo "tap confirm"
	  echo "expect take_certificate 60000"; echo "expect idle 20000"; echo "quit"; } >"$work/script"
	# the resident's fingers on the keypad, once the kiosk asks for the PIN
	( for _ in $(seq 300); do grep -q 'step=screen detail=pin ' "$work/err" 2>/dev/null && break; sleep 0.1; done
	  sleep 0.3; mv "$work/kpin" "$KIOSK_RIG_DIR/keypad" ) &
	typist=$!
	"$kiosk" --board "$work/board" --script "$work/script" --center-url "$KIOSK_CENTER_URL" \
		--preview-out "$work/out" --stats >"$work/stdout" 2>"$work/err" &
	kpid=$!
	found=2
	for _ in $(seq 300); do grep -q 'step=screen detail=confirm' "$work/err" && break; sleep 0.1; done
	if grep -q 'step=screen detail=confirm' "$work/err"; then
		sleep 0.5
		found=0
		"$memscan" --writable-anon "$kpid" "$work/needles" >"$work/scan" 2>&1 || found=$?
	fi
	set +e
	wait "$kpid"
	code=$?
	set -e
	wait "$typist" || true
	check "pinpad: issued, wiped" issued_cleanly
	check "pinpad: one VERIFY, sent by the reader" [ "$(stat verify)" = 1 ]
	check "pinpad: no on-screen keypad (no OK key) while the reader takes the PIN" \
		bash -c "! grep -q '(ok)' '$work/stdout'"
	check "pinpad: the PIN is not in the kiosk's memory at the confirmation screen" [ "$found" -eq 0 ]
	if [ "$found" -ne 0 ] && [ -f "$work/scan" ]; then cat "$work/scan" >&2; fi
	;;
privacy)
	# (a) every file-system call of a full issuance, under strace
	{ to_pin domestic 131016; echo "pin $std_pin"; finish_ok; } >"$work/script"
	# LeakSanitizer cannot run under ptrace: leaks are checked by every other scenario
	run_kiosk "$work/script" env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -o "$work/trace" \
		-e trace=open,openat,creat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,mkdir,mkdirat,truncate,unlink,unlinkat
	check "privacy: issued under strace" issued_cleanly
	grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|creat\(|rename|link\(|linkat|symlink|mkdir|truncate|unlink' "$work/trace" |
		grep -v -e '= -1 E' -e "\"$work/out/certificate-0001\.\(pdf\|png\)\"" \
			-e '"/dev/null"' -e '"/dev/tty"' -e '"/dev/urandom"' >"$work/writes" || true
	check "privacy: no file written outside the preview" [ ! -s "$work/writes" ]
	[ -s "$work/writes" ] && sed 's/^/  write: /' "$work/writes" >&2
	# (b) the live process's memory, during and after the issuance. Not under
	# ASan: its allocator replaces glibc's (whose freed-block fill is what this
	# checks) and its shadow maps are terabytes; the plain build runs it.
	if [ "${KIOSK_SANITIZED:-OFF}" = ON ]; then
		echo "privacy: live-memory check not run in the ASan build (see the plain build)"
		check "privacy: nothing personal in output or log" no_personal_output standard
		echo "kiosk $scenario: $passes passed, $fails failed (memory scan: plain build only)"
		[ "$fails" -eq 0 ]
		exit
	fi
	"$rig" ctl clear >/dev/null
	{ persona standard .my_number; persona standard .name; persona standard .name | tr '　' ' '
	  persona standard .address; } >"$work/needles"
	{ to_pin domestic 131016; echo "pin $std_pin"; echo "expect take_card"; echo "card remove"
	  echo "expect confirm"; echo "wait 4000"; echo "tap confirm"; echo "expect take_certificate 60000"
	  echo "expect idle 20000"; echo "wait 6000"; echo "quit"; } >"$work/script"
	"$kiosk" --board "$work/board" --script "$work/script" --center-url "$KIOSK_CENTER_URL" \
		--preview-out "$work/out2" --stats >"$work/stdout" 2>"$work/err" &
	kpid=$!
	mkdir -p "$work/out2"
	wait_log() { # wait_log PATTERN: until the operation log has it (20 s at most)
		for _ in $(seq 200); do grep -q "$1" "$work/err" && return 0; sleep 0.1; done
		return 1
	}
	during=1 after=0
	if wait_log 'step=screen detail=confirm'; then
		sleep 0.5
		"$memscan" "$kpid" "$work/needles" >"$work/scan1" && during=0
	fi
	check "privacy: the scan finds the data while the resident confirms (control)" [ "$during" -eq 1 ]
	[ "$during" -eq 1 ] || tail -3 "$work/scan1" >&2
	if wait_log 'step=issuance ' && wait_log 'step=prompt detail=take_certificate' &&
		sleep 2.5 && wait_log 'step=screen detail=idle'; then
		sleep 0.5
		"$memscan" "$kpid" "$work/needles" >"$work/scan2" || after=1
	else
		after=2
	fi
	check "privacy: nothing personal in the kiosk's memory after the issuance" [ "$after" -eq 0 ]
	[ "$after" -eq 1 ] && sed 's/^/  memscan: /' "$work/scan2" | head -20 >&2
	set +e
	wait "$kpid"
	code=$?
	set -e
	check "privacy: second issuance clean" issued_cleanly
	# (c) the logs
	check "privacy: nothing personal in output or log" no_personal_output standard
	;;
*)
	echo "unknown scenario $scenario" >&2
	exit 2
	;;
esac
if [ "$fails" -ne 0 ]; then
	echo "--- kiosk exit $code; operation log (no personal data by construction)" >&2
	tail -60 "$work/err" >&2
fi
echo "kiosk $scenario: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
