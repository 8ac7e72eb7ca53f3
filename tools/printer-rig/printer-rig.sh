#!/bin/sh
# SPDX-License-Identifier: MIT
#
# printer-rig: a private IPP Everywhere printer on loopback for tests.
#
#   printer-rig.sh [--timeout SEC] -- COMMAND [ARGS...]
#
# Starts, all under one private temp dir:
#   1. a dbus-daemon with a system-bus-like config listening on a private socket
#      (DBUS_SYSTEM_BUS_ADDRESS points at it, so nothing touches the host bus);
#   2. avahi-daemon --no-drop-root --no-chroot on that bus (Debian 12's
#      ippeveprinter refuses to start without DNS-SD);
#   3. ippeveprinter on a free loopback port, accepting application/pdf, with
#      its spool directory in the private dir and a print command
#      (rig-print-command.sh) that copies each document to $PRINTER_RIG_RECEIVED
#      and simulates the fault named in $PRINTER_RIG_DIR/fault.
# Readiness is polled (ipptool Get-Printer-Attributes) against a deadline, then
# COMMAND runs with PRINTER_RIG_URI, PRINTER_RIG_DIR, PRINTER_RIG_RECEIVED,
# PRINTER_RIG_PORT exported. Everything is stopped by PID and the private dir
# deleted afterwards; the rig's exit status is COMMAND's (77: this machine
# cannot host the rig; 2: the rig failed to start).
#
# avahi-daemon's pid file and socket live at the fixed path /run/avahi-daemon,
# so the rig runs in a private mount namespace with a tmpfs over /run, and in a
# private network namespace (only loopback, up): parallel rigs never see each
# other, avahi announces nothing on a real network, and nothing is left on the
# host. COMMAND runs inside both namespaces.
set -u

timeout_s=120
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout_s="$2"; shift 2 ;;
	--) shift; break ;;
	*) echo "printer-rig: unknown option $1" >&2; exit 2 ;;
	esac
done
if [ $# -eq 0 ]; then
	echo "usage: printer-rig.sh [--timeout SEC] -- COMMAND [ARGS...]" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)

# Exit 77 (ctest SKIP_RETURN_CODE) when this machine cannot host the rig at
# all: a tool is missing or namespaces are not permitted. Anything that goes
# wrong once the rig is set up is a failure (exit 2).
for tool in unshare ip dbus-daemon avahi-daemon ippeveprinter ipptool; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "printer-rig: $tool not installed; skipping" >&2
		exit 77
	fi
done

if [ "${PRINTER_RIG_NS:-}" != "1" ]; then
	if ! unshare -m -n --propagation private true 2>/dev/null; then
		echo "printer-rig: cannot create mount/network namespaces (needs root or" \
			"CAP_SYS_ADMIN); skipping" >&2
		exit 77
	fi
	PRINTER_RIG_NS=1 exec unshare -m -n --propagation private -- "$0" --timeout "$timeout_s" -- "$@"
fi

# The private dir is created before /run is hidden, under TMPDIR.
dir=$(mktemp -d "${TMPDIR:-/tmp}/printer-rig.XXXXXX") || exit 2
chmod 700 "$dir"
mount -t tmpfs -o mode=0755,size=4m printer-rig-run /run || {
	echo "printer-rig: cannot mount a private /run (needs CAP_SYS_ADMIN)" >&2
	rm -rf "$dir"
	exit 2
}
mkdir -p /run/avahi-daemon
ip link set lo up || { echo "printer-rig: cannot bring up loopback" >&2; rm -rf "$dir"; exit 2; }

dbus_pid=
avahi_pid=
ipp_pid=

# shellcheck disable=SC2317 # called through the EXIT trap
stop() {
	# Printer first (it is avahi's client), then avahi, then the bus.
	for p in $ipp_pid $avahi_pid $dbus_pid; do
		kill "$p" 2>/dev/null
		# Bounded: at most 5 s per process, then SIGKILL.
		n=0
		while kill -0 "$p" 2>/dev/null && [ "$n" -lt 100 ]; do
			sleep 0.05
			n=$((n + 1))
		done
		if kill -0 "$p" 2>/dev/null; then
			echo "printer-rig: pid $p ignored SIGTERM for 5 s; killed" >&2
			kill -9 "$p" 2>/dev/null
		fi
		wait "$p" 2>/dev/null
	done
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

cat >"$dir/dbus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
CONF

cat >"$dir/avahi-daemon.conf" <<CONF
[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
publish-addresses=no
[reflector]
[rlimits]
CONF

export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/system_bus_socket"
deadline=$(($(date +%s) + 30))

dbus-daemon --config-file="$dir/dbus.conf" --nofork --nopidfile --nosyslog \
	>"$dir/dbus.log" 2>&1 &
dbus_pid=$!
while [ ! -S "$dir/system_bus_socket" ]; do
	if ! kill -0 "$dbus_pid" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
		echo "printer-rig: dbus-daemon did not start" >&2
		cat "$dir/dbus.log" >&2
		exit 2
	fi
	sleep 0.05
done

avahi-daemon --no-drop-root --no-chroot --no-rlimits --no-proc-title \
	-f "$dir/avahi-daemon.conf" >"$dir/avahi.log" 2>&1 &
avahi_pid=$!
until avahi-daemon -c >/dev/null 2>&1 && [ -S /run/avahi-daemon/socket ]; do
	if ! kill -0 "$avahi_pid" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
		echo "printer-rig: avahi-daemon did not start" >&2
		cat "$dir/avahi.log" >&2
		exit 2
	fi
	sleep 0.05
done

# A free loopback port: ask the kernel for one (bind port 0), then hand it to
# ippeveprinter. A lost race shows up as ippeveprinter exiting, retried below.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + ($$ + tries) % 20000))
}

mkdir -p "$dir/spool" "$dir/received"
: >"$dir/fault"
export PRINTER_RIG_DIR="$dir"
export PRINTER_RIG_RECEIVED="$dir/received"

tries=0
while :; do
	tries=$((tries + 1))
	port=$(free_port)
	ippeveprinter -n localhost -p "$port" -d "$dir/spool" -f application/pdf \
		-c "$here/rig-print-command.sh" -s 60,0 -m "Rig Printer" \
		"KioskRig$port" >"$dir/ippeveprinter.log" 2>&1 &
	ipp_pid=$!
	uri="ipp://localhost:$port/ipp/print"
	ok=0
	while kill -0 "$ipp_pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
		if ipptool -T 2 "$uri" get-printer-attributes.test >/dev/null 2>&1; then
			ok=1
			break
		fi
		sleep 0.1
	done
	[ $ok -eq 1 ] && break
	kill "$ipp_pid" 2>/dev/null
	wait "$ipp_pid" 2>/dev/null
	ipp_pid=
	if [ $tries -ge 3 ] || [ "$(date +%s)" -ge "$deadline" ]; then
		echo "printer-rig: ippeveprinter did not become ready" >&2
		cat "$dir/ippeveprinter.log" >&2
		exit 2
	fi
done

export PRINTER_RIG_URI="$uri"
export PRINTER_RIG_PORT="$port"
timeout --kill-after=5 "$timeout_s" "$@"
rc=$?
if [ $rc -ne 0 ] && [ "${PRINTER_RIG_VERBOSE:-0}" = "1" ]; then
	cat "$dir/ippeveprinter.log" >&2
fi
exit $rc
