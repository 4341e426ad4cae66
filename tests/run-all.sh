#!/bin/sh
# Run every test: the CUnit unit tests, then the end-to-end tests against real SQLite
# files and private PostgreSQL and MariaDB servers started for this run (in a temporary
# folder, stopped and removed at the end whatever happens).
# Closes with one line `N passed, M failed` summing both; exits 1 when anything failed.
#
# Environment: OFBACKUP (binary, default ./ofbackup), UNIT_TESTS (the unit-test binary,
# default tests/unit/unit-tests), OFB_PG_PORT / OFB_MY_PORT (server
# ports; default 55432 / 53306, or any free port when those are taken), PYTHON (default
# Debian's /usr/bin/python3, which has pyodbc).
set -u

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd -P)

if [ -n "${PYTHON:-}" ]; then
	PY=$PYTHON
elif [ -x /usr/bin/python3 ]; then
	PY=/usr/bin/python3
else
	PY=python3
fi

OFBACKUP=${OFBACKUP:-$ROOT/ofbackup}
UNIT_TESTS=${UNIT_TESTS:-tests/unit/unit-tests}
PYTHONDONTWRITEBYTECODE=1
export OFBACKUP PYTHONDONTWRITEBYTECODE

SRV_DIR=
OUT=$(mktemp) || exit 2
RCF=$(mktemp) || exit 2
cleaned=no

cleanup() {
	if [ "$cleaned" = no ]; then
		cleaned=yes
		if [ -n "$SRV_DIR" ]; then
			sh "$ROOT/tests/servers.sh" stop "$SRV_DIR" > /dev/null || true
			rm -rf "$SRV_DIR"
		fi
		rm -f "$OUT" "$RCF"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run a command, showing its output as it comes and keeping it in $OUT, its status in $RCF.
run_logged() {
	echo 1 > "$RCF"
	{ "$@" 2>&1; echo $? > "$RCF"; } | tee "$OUT"
}

# "N M" from a line "<label>: N passed, M failed" in file $2.
counts() {
	sed -n "s/^$1: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*$/\1 \2/p" "$2" | tail -n 1
}

# A port: $1 when free on 127.0.0.1, else any free one.
pick_port() {
	"$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.close()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# ---- unit tests
unit_pass=0
unit_fail=0
if [ -x "$UNIT_TESTS" ]; then
	run_logged "$UNIT_TESTS"
	rc=$(cat "$RCF")
	c=$(counts unit "$OUT")
	if [ -n "$c" ]; then
		# shellcheck disable=SC2086 # split "N M" on purpose
		set -- $c
		unit_pass=$1
		unit_fail=$2
	fi
	if [ -z "$c" ] || { [ "$rc" -ne 0 ] && [ "$unit_fail" -eq 0 ]; }; then
		echo "FAIL unit-tests: exited $rc without a clean summary"
		unit_fail=$((unit_fail + 1))
	fi
else
	echo "FAIL unit-tests: $UNIT_TESTS not built (run make check)"
	unit_fail=1
fi

# ---- servers
e2e_pass=0
e2e_fail=0
SRV_DIR=$(mktemp -d) || exit 2
OFB_PG_PORT=${OFB_PG_PORT:-$(pick_port 55432)}
OFB_MY_PORT=${OFB_MY_PORT:-$(pick_port 53306)}
export OFB_PG_PORT OFB_MY_PORT
if sh tests/servers.sh start "$SRV_DIR"; then
	eval "$(sh tests/servers.sh env "$SRV_DIR")"
	# ---- end-to-end tests
	run_logged "$PY" tests/e2e/run.py
	rc=$(cat "$RCF")
	c=$(counts e2e "$OUT")
	if [ -n "$c" ]; then
		# shellcheck disable=SC2086 # split "N M" on purpose
		set -- $c
		e2e_pass=$1
		e2e_fail=$2
	fi
	if [ -z "$c" ] || { [ "$rc" -ne 0 ] && [ "$e2e_fail" -eq 0 ]; }; then
		echo "FAIL e2e: exited $rc without a clean summary"
		e2e_fail=$((e2e_fail + 1))
	fi
else
	echo "FAIL servers: the PostgreSQL/MariaDB test servers did not start (see above)"
	e2e_fail=1
fi

cleanup
passed=$((unit_pass + e2e_pass))
failed=$((unit_fail + e2e_fail))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
