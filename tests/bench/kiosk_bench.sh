#!/usr/bin/env bash
# kiosk_bench: the kiosk program end to end on the simulated board (real pcscd
# + card simulator + reference center, under one `rig --center`). Numbers, not
# pass/fail:
#   1. issuance timing: N domestic issuances in one kiosk process, median and
#      p99 of its "kiosk-timing" line (steps_ms = PIN accepted -> print job
#      handed over; cpu_ms = the kiosk's own CPU there, target <= 50 ms;
#      card_ms, center_ms, print_ms = where the rest went);
#   2. peak RSS of that process (kiosk-stats maxrss_kib; target <= 32 MiB);
#   3. boot to ready: K starts, wall time from exec to the first step=ready
#      line (target <= 1 s), and the ready ms the kiosk itself logs;
#   4. with --soak: M issuances in one process; VmRSS and open fds at the
#      first idle screen, after the first issuance and at the end.
#
#   kiosk_bench.sh --kiosk KIOSK --rig RIG [--ipp] [--boot K] [--soak [M]] [N]
#   (--ipp: print to ippeveprinter as a real kiosk does; default: the preview
#    printer, which also renders a PNG for the operator)
#   (N issuances, default 100, 0 = skip; K starts, default 10, 0 = skip;
#    M soak issuances, default 1000 when --soak is given)
# The build tree's wrapper passes --kiosk and --rig: build/tests/bench/kiosk_bench.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
kiosk="" rig="" n=100 boot=10 soak=0 ipp=0
args=("$@")
while [ $# -gt 0 ]; do
	case "$1" in
	--kiosk) kiosk=$2; shift 2 ;;
	--rig) rig=$2; shift 2 ;;
	--boot) boot=$2; shift 2 ;;
	--ipp) ipp=1; shift ;;
	--soak)
		soak=1000
		if [[ ${2:-} =~ ^[0-9]+$ ]]; then soak=$2; shift; fi
		shift ;;
	--soak=*) soak=${1#--soak=}; shift ;;
	[0-9]*) n=$1; shift ;;
	*) echo "usage: kiosk_bench.sh --kiosk KIOSK --rig RIG [--ipp] [--boot K] [--soak [M]] [N]" >&2; exit 2 ;;
	esac
done
if [ -z "$kiosk" ] || [ -z "$rig" ]; then
	echo "kiosk_bench: --kiosk and --rig are needed" >&2
	exit 2
fi
# --ipp: print to ippeveprinter (tools/printer-rig) as a real kiosk does, instead
# of the simulated board's preview (which also renders a PNG for the operator).
if [ "$ipp" -eq 1 ] && [ -z "${PRINTER_RIG_URI:-}" ]; then
	exec "$src/tools/printer-rig/printer-rig.sh" --timeout 3600 -- "$0" "${args[@]}"
fi
if [ -z "${KIOSK_CARDSIM_CTL:-}" ]; then
	exec "$rig" --center --timeout 3600 -- "$0" "${args[@]}"
fi

# The resident arrives with the card in hand: the reader starts empty.
"$rig" card remove >/dev/null
work=$(mktemp -d)
kpid=""
cleanup() {
	if [ -n "$kpid" ]; then kill "$kpid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/board" "$work/out"
cp "$src/board/sim/board.conf" "$work/board/board.conf"
# a short loop: the certificate screen and messages do not hold it up
printf 'flow.take_paper_ms = 1\nflow.message_ms = 1000\n' >>"$work/board/board.conf"
preview=(--preview-out "$work/out")
if [ "$ipp" -eq 1 ]; then
	printf 'printer.backend = ipp\nprinter.uri = %s\n' "$PRINTER_RIG_URI" >>"$work/board/board.conf"
	preview=()
fi
pin=1234 # persona "standard"

# One domestic issuance, idle to idle (the card is inserted and removed by the
# script through the simulator, the way a resident does).
issuance() {
	cat <<EOF
expect idle
tap start
expect language
tap ja
expect type
tap domestic
expect municipality
tap m:131016
expect place_card
card insert
expect pin
pin $pin
expect take_card
card remove
expect confirm
tap confirm
expect take_certificate 60000
EOF
}
# script_for COUNT TAIL...: COUNT issuances in a row, then the tail lines
script_for() {
	local count=$1
	shift
	issuance
	[ "$count" -gt 1 ] && echo "repeat $((count - 1))"
	printf '%s\n' "$@"
}

# median and p99 of the numbers on stdin (the same ranks as the C benchmarks)
stats() {
	sort -g | awk '{ v[NR - 1] = $1 } END {
		if (NR == 0) { printf "%10s %10s", "-", "-"; exit }
		printf "%10.1f %10.1f", v[int(NR / 2)], v[int(NR * 99 / 100)] }'
}
field() { # field NAME FILE: the NAME= values of the kiosk-timing lines
	sed -n "s/^kiosk-timing.* $1=\([0-9.]*\).*/\1/p" "$2"
}
stats_field() { sed -n "s/^kiosk-stats.* $1=\([0-9]*\).*/\1/p" "$2"; }
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }
proc_rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
# the private part of it (heap, stacks, the vault); the rest is mapped font files and libraries
proc_anon_kib() { sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
# shellcheck disable=SC2012 # counting entries, their names do not matter
proc_fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# start_kiosk SCRIPT: the kiosk in the background, stderr into a FIFO on fd 3
start_kiosk() {
	rm -f "$work/fifo"
	mkfifo "$work/fifo"
	"$kiosk" --board "$work/board" --script "$1" --center-url "$KIOSK_CENTER_URL" \
		"${preview[@]}" --stats >/dev/null 2>"$work/fifo" &
	kpid=$!
	exec 3<"$work/fifo"
}
# wait_kiosk: the exit code; the rest of the FIFO is drained into $work/err
wait_kiosk() {
	local code=0
	cat <&3 >>"$work/err"
	exec 3<&-
	wait "$kpid" || code=$?
	kpid=""
	return $code
}
failed() { # failed WHAT CODE
	echo "kiosk_bench: $1: the kiosk exited $2; its last lines:" >&2
	tail -5 "$work/err" >&2
	exit 1
}

# --- 1 + 2: issuance timing and peak RSS ---------------------------------------
if [ "$n" -gt 0 ]; then
	script_for "$n" "expect idle 20000" quit >"$work/script"
	: >"$work/err"
	t0=$(now_us)
	start_kiosk "$work/script"
	code=0
	wait_kiosk || code=$?
	t1=$(now_us)
	[ "$code" -eq 0 ] || failed "issuances" "$code"
	issued=$(stats_field issued "$work/err")
	echo "== kiosk: $issued domestic issuances in one process ($(((t1 - t0) / 1000)) ms wall," \
		"take_paper_ms=1 message_ms=1000)"
	printf '%-12s %6s %10s %10s\n' "per issuance" "count" "median_ms" "p99_ms"
	for f in steps_ms cpu_ms card_ms center_ms print_ms; do
		printf '%-12s %6d %s\n' "$f" "$(field "$f" "$work/err" | wc -l)" \
			"$(field "$f" "$work/err" | stats)"
	done
	echo "(steps_ms: PIN accepted -> print job handed over; cpu_ms target <= 50)"
	awk -v k="$(stats_field maxrss_kib "$work/err")" \
		'BEGIN { printf "peak RSS (maxrss): %.1f MiB (target <= 32)\n", k / 1024 }'
fi

# --- 3: boot to ready --------------------------------------------------------
if [ "$boot" -gt 0 ]; then
	printf 'expect idle\nquit\n' >"$work/boot-script"
	: >"$work/boot-wall" ; : >"$work/boot-self"
	for ((i = 0; i < boot; i++)); do
		: >"$work/err"
		t0=$(now_us)
		start_kiosk "$work/boot-script"
		t1=""
		while IFS= read -r line <&3; do
			echo "$line" >>"$work/err"
			case "$line" in *" step=ready "*) t1=$(now_us); break ;; esac
		done
		code=0
		wait_kiosk || code=$?
		if [ "$code" -ne 0 ] || [ -z "$t1" ]; then failed "boot $i" "$code"; fi
		echo "$(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100))" >>"$work/boot-wall"
		sed -n 's/.* step=ready .* ms=\([0-9]*\).*/\1/p' "$work/err" >>"$work/boot-self"
	done
	echo "== kiosk: boot to ready, $boot starts (exec -> first step=ready on stderr)"
	printf '%-22s %10s %10s\n' "" "median_ms" "max_ms"
	for f in wall self; do
		label="wall (exec -> ready)"
		[ $f = self ] && label="kiosk's own ready ms"
		sort -g "$work/boot-$f" | awk -v l="$label" '{ v[NR - 1] = $1 }
			END { printf "%-22s %10.1f %10.1f\n", l, v[int(NR / 2)], v[NR - 1] }'
	done
	echo "(target <= 1000 ms)"
fi

# --- 4: soak -----------------------------------------------------------------
if [ "$soak" -gt 0 ]; then
	# the tail's wait is when the end is sampled
	script_for "$soak" "expect idle 20000" "wait 2000" quit >"$work/script"
	: >"$work/err"
	t0=$(now_us)
	start_kiosk "$work/script"
	rss0="" fd0="" rss1="" fd1="" rss2="" fd2="" anon2="" seen_timing=0
	# sample at the first idle screen, at the idle screen after the first
	# issuance (caches and TLS session warm), and during the final wait
	while IFS= read -r line <&3; do
		echo "$line" >>"$work/err"
		case "$line" in
		*" step=ready "*)
			[ -n "$rss0" ] || rss0=$(proc_rss_kib "$kpid") fd0=$(proc_fds "$kpid") ;;
		kiosk-timing*)
			seen_timing=$((seen_timing + 1)) ;;
		*" step=screen detail=idle "*)
			if [ "$seen_timing" -eq 1 ] && [ -z "$rss1" ]; then
				rss1=$(proc_rss_kib "$kpid") fd1=$(proc_fds "$kpid")
			fi
			if [ "$seen_timing" -eq "$soak" ] && [ -z "$rss2" ]; then
				sleep 0.5 # inside the script's 2 s wait
				rss2=$(proc_rss_kib "$kpid") fd2=$(proc_fds "$kpid")
				anon2=$(proc_anon_kib "$kpid")
			fi ;;
		esac
	done
	code=0
	wait_kiosk || code=$?
	t1=$(now_us)
	[ "$code" -eq 0 ] || failed "soak" "$code"
	echo "== kiosk: soak, $soak issuances in one process ($(((t1 - t0) / 1000000)) s wall)"
	echo "certificates issued: $(stats_field issued "$work/err"), every wipe verified:" \
		"$(stats_field wipe_ok "$work/err")"
	printf '%-24s %10s %10s\n' "" "VmRSS_KiB" "open_fds"
	printf '%-24s %10s %10s\n' "first idle screen" "${rss0:--}" "${fd0:--}"
	printf '%-24s %10s %10s\n' "after issuance 1" "${rss1:--}" "${fd1:--}"
	printf '%-24s %10s %10s\n' "after issuance $soak" "${rss2:--}" "${fd2:--}"
	if [ -n "$rss0" ] && [ -n "$rss1" ] && [ -n "$rss2" ]; then
		printf '%-24s %+10d %+10d\n' "growth from first idle" $((rss2 - rss0)) $((fd2 - fd0))
		printf '%-24s %+10d %+10d\n' "growth from issuance 1" $((rss2 - rss1)) $((fd2 - fd1))
	fi
	awk -v k="$(stats_field maxrss_kib "$work/err")" \
		'BEGIN { printf "peak RSS (maxrss): %.1f MiB\n", k / 1024 }'
	echo "of which private at the end (RssAnon): ${anon2:--} KiB (the rest: mapped fonts and libraries)"
fi
