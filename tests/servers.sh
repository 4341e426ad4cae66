#!/bin/sh
# Private PostgreSQL 15 and MariaDB servers for the end-to-end tests.
#
#   tests/servers.sh start DIR   create (first time) and start both servers, data in DIR
#   tests/servers.sh stop DIR    shut both down cleanly; no process is left
#   tests/servers.sh env DIR     print shell exports for the running servers:
#                                  eval "$(sh tests/servers.sh env DIR)"
#
# Both listen on 127.0.0.1 only, on non-default ports (OFB_PG_PORT, default 55432, and
# OFB_MY_PORT, default 53306; set them before `start`), and on Unix sockets inside DIR.
# Each has a role/user `ofb` with password `ofb-secret` that may create databases
# (PostgreSQL: the bootstrap superuser; MariaDB: ALL PRIVILEGES WITH GRANT OPTION).
# Works as root (the data folders then belong to postgres / mysql) and as a normal user.
set -eu

PG_BIN=${OFB_PG_BIN:-/usr/lib/postgresql/15/bin}
OFB_USER=ofb
OFB_PASSWORD=ofb-secret
WAIT_SECONDS=${OFB_SERVER_WAIT:-60}

usage() {
	echo "usage: $0 start|stop|env DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
DIR=$2

case $cmd in
start|stop|env) ;;
*) usage ;;
esac

if [ "$cmd" = start ]; then
	mkdir -p "$DIR"
fi
if [ ! -d "$DIR" ]; then
	echo "servers: $DIR: no such folder" >&2
	exit 1
fi
DIR=$(cd "$DIR" && pwd -P)

PG_DIR=$DIR/pg
PG_DATA=$PG_DIR/data
PG_LOG=$PG_DIR/postgresql.log
MY_DIR=$DIR/my
MY_DATA=$MY_DIR/data
MY_SOCK=$MY_DIR/mysqld.sock
MY_PID=$MY_DIR/mariadbd.pid
MY_LOG=$MY_DIR/mariadb.log
ENV_FILE=$DIR/servers.env

if [ "$(id -u)" -eq 0 ]; then
	IS_ROOT=yes
else
	IS_ROOT=no
fi

# Run a command as the PostgreSQL owner: postgres when we are root, else ourselves.
as_pg() {
	if [ "$IS_ROOT" = yes ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

log_tail() {
	# $1 = what, $2 = log file
	echo "---- last lines of $2 ($1) ----" >&2
	if [ -f "$2" ]; then
		tail -n 30 "$2" >&2
	else
		echo "(no log written)" >&2
	fi
	echo "----" >&2
}

fail() {
	echo "servers: $*" >&2
	exit 1
}

# Whether pid $1 is alive and (where /proc tells) one of our servers: its command line
# names a folder inside DIR. A stale pid file whose pid was reused is not ours.
pid_alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/cmdline" ] || return 0
	tr '\000' ' ' < "/proc/$1/cmdline" | grep -Fq "$DIR/"
}

# The pid in a pid file's first line, or nothing.
pid_from() {
	if [ -f "$1" ]; then
		head -n 1 "$1" 2>/dev/null || true
	fi
}

pg_pid() {
	pid_from "$PG_DATA/postmaster.pid"
}

my_pid() {
	pid_from "$MY_PID"
}

# ---------------------------------------------------------------- PostgreSQL

pg_start() {
	port=$1
	[ -x "$PG_BIN/initdb" ] || fail "PostgreSQL 15 binaries not found in $PG_BIN (install postgresql-15)"
	mkdir -p "$PG_DIR"
	if [ "$IS_ROOT" = yes ]; then
		id postgres >/dev/null 2>&1 || fail "system user 'postgres' is missing (install postgresql)"
		chown postgres "$PG_DIR"
	fi
	chmod 700 "$PG_DIR"
	if [ ! -f "$PG_DATA/PG_VERSION" ]; then
		pwfile=$PG_DIR/pwfile
		printf '%s\n' "$OFB_PASSWORD" > "$pwfile"
		[ "$IS_ROOT" = yes ] && chown postgres "$pwfile"
		chmod 600 "$pwfile"
		if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$OFB_USER" --pwfile="$pwfile" \
			-E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
			> "$PG_DIR/initdb.log" 2>&1; then
			rm -f "$pwfile"
			log_tail "initdb" "$PG_DIR/initdb.log"
			fail "PostgreSQL initdb failed in $PG_DATA"
		fi
		rm -f "$pwfile"
		cat >> "$PG_DATA/postgresql.conf" <<EOF

# ofbackup test server: private, fast, not durable
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 64MB
timezone = 'UTC'
log_timezone = 'UTC'
EOF
	else
		# Re-use an existing cluster; the port may have changed.
		sed -i "s/^port = .*/port = $port/" "$PG_DATA/postgresql.conf"
	fi
	if pid_alive "$(pg_pid)"; then
		echo "servers: PostgreSQL already running (pid $(pg_pid))"
	else
		rm -f "$PG_DATA/postmaster.pid"
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -s start > /dev/null 2>&1 || true
	fi
	i=0
	while :; do
		if as_pg "$PG_BIN/pg_isready" -q -h "$PG_DIR" -p "$port" 2>/dev/null; then
			break
		fi
		i=$((i + 1))
		if [ "$i" -ge $((WAIT_SECONDS * 4)) ]; then
			log_tail "PostgreSQL" "$PG_LOG"
			fail "PostgreSQL did not accept connections on port $port within ${WAIT_SECONDS}s"
		fi
		if [ "$i" -gt 8 ] && ! pid_alive "$(pg_pid)"; then
			log_tail "PostgreSQL" "$PG_LOG"
			fail "PostgreSQL failed to start on port $port (data in $PG_DATA)"
		fi
		sleep 0.25
	done
	# The password login over TCP is what the tests use: check it once.
	if ! PGPASSWORD=$OFB_PASSWORD "$PG_BIN/psql" -X -q -w -h 127.0.0.1 -p "$port" \
		-U "$OFB_USER" -d postgres -c 'SELECT 1' > /dev/null 2> "$PG_DIR/check.err"; then
		cat "$PG_DIR/check.err" >&2
		fail "PostgreSQL is running but user '$OFB_USER' cannot log in over TCP on port $port"
	fi
	rm -f "$PG_DIR/check.err"
	echo "servers: PostgreSQL $("$PG_BIN/postgres" -V | sed 's/^[^0-9]*\([0-9.]*\).*/\1/') ready on 127.0.0.1:$port (socket dir $PG_DIR)"
}

pg_stop() {
	pid=$(pg_pid)
	if ! pid_alive "$pid"; then
		return 0
	fi
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -s -w -t 30 stop > /dev/null 2>&1 || true
	wait_gone "$pid" PostgreSQL
}

# ---------------------------------------------------------------- MariaDB


mariadbd_bin() {
	for b in mariadbd /usr/sbin/mariadbd mysqld /usr/sbin/mysqld; do
		if command -v "$b" > /dev/null 2>&1; then
			command -v "$b"
			return 0
		fi
	done
	return 1
}

my_client() {
	# a client talking to our server's socket as root (install-db's no-password root)
	mariadb --no-defaults --protocol=socket --socket="$MY_SOCK" -uroot
}

my_start() {
	port=$1
	mysqld=$(mariadbd_bin) || fail "mariadbd not found (install mariadb-server)"
	command -v mariadb-install-db > /dev/null 2>&1 || fail "mariadb-install-db not found (install mariadb-server)"
	mkdir -p "$MY_DIR" "$MY_DIR/tmp"
	user_opt=
	if [ "$IS_ROOT" = yes ]; then
		id mysql >/dev/null 2>&1 || fail "system user 'mysql' is missing (install mariadb-server)"
		chown -R mysql "$MY_DIR"
		user_opt=--user=mysql
	fi
	chmod 700 "$MY_DIR"
	fresh=no
	if [ ! -d "$MY_DATA/mysql" ]; then
		fresh=yes
		# shellcheck disable=SC2086
		if ! mariadb-install-db --no-defaults $user_opt --datadir="$MY_DATA" \
			--auth-root-authentication-method=normal --skip-test-db \
			--skip-name-resolve > "$MY_DIR/install-db.log" 2>&1; then
			log_tail "mariadb-install-db" "$MY_DIR/install-db.log"
			fail "mariadb-install-db failed in $MY_DATA"
		fi
		[ "$IS_ROOT" = yes ] && chown -R mysql "$MY_DIR"
	fi
	if pid_alive "$(my_pid)"; then
		echo "servers: MariaDB already running (pid $(my_pid))"
	else
		rm -f "$MY_PID" "$MY_SOCK"
		# shellcheck disable=SC2086
		nohup "$mysqld" --no-defaults $user_opt --datadir="$MY_DATA" \
			--socket="$MY_SOCK" --pid-file="$MY_PID" --log-error="$MY_LOG" \
			--port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
			--tmpdir="$MY_DIR/tmp" --character-set-server=utf8mb4 \
			--collation-server=utf8mb4_unicode_ci --default-time-zone=+00:00 \
			--innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 \
			--innodb-doublewrite=0 --max-allowed-packet=256M --skip-log-bin \
			--max-connections=50 < /dev/null > "$MY_DIR/mariadbd.out" 2>&1 &
		started_pid=$!
	fi
	i=0
	while :; do
		if [ -S "$MY_SOCK" ] && mariadb-admin --no-defaults --protocol=socket \
			--socket="$MY_SOCK" -uroot ping > /dev/null 2>&1; then
			break
		fi
		# After the first start root has no password-less login; the ofb user pings too.
		if [ -S "$MY_SOCK" ] && mariadb-admin --no-defaults --protocol=socket \
			--socket="$MY_SOCK" -u"$OFB_USER" -p"$OFB_PASSWORD" ping > /dev/null 2>&1; then
			break
		fi
		i=$((i + 1))
		if [ "$i" -ge $((WAIT_SECONDS * 4)) ]; then
			log_tail "MariaDB" "$MY_LOG"
			fail "MariaDB did not accept connections on port $port within ${WAIT_SECONDS}s"
		fi
		if [ "$i" -gt 8 ] && [ -n "${started_pid:-}" ] && ! pid_alive "$started_pid"; then
			[ -s "$MY_DIR/mariadbd.out" ] && cat "$MY_DIR/mariadbd.out" >&2
			log_tail "MariaDB" "$MY_LOG"
			fail "MariaDB failed to start on port $port (data in $MY_DATA)"
		fi
		sleep 0.25
	done
	if [ "$fresh" = yes ]; then
		if ! my_client > "$MY_DIR/setup.log" 2>&1 <<EOF
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');
FLUSH PRIVILEGES;
CREATE USER '$OFB_USER'@'localhost' IDENTIFIED BY '$OFB_PASSWORD';
CREATE USER '$OFB_USER'@'127.0.0.1' IDENTIFIED BY '$OFB_PASSWORD';
CREATE USER '$OFB_USER'@'%' IDENTIFIED BY '$OFB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$OFB_USER'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$OFB_USER'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$OFB_USER'@'%' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$OFB_PASSWORD';
FLUSH PRIVILEGES;
EOF
		then
			cat "$MY_DIR/setup.log" >&2
			fail "MariaDB: could not create user '$OFB_USER'"
		fi
	fi
	if ! mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" -u"$OFB_USER" \
		-p"$OFB_PASSWORD" -e 'SELECT 1' > /dev/null 2> "$MY_DIR/check.err"; then
		cat "$MY_DIR/check.err" >&2
		fail "MariaDB is running but user '$OFB_USER' cannot log in over TCP on port $port"
	fi
	rm -f "$MY_DIR/check.err"
	echo "servers: MariaDB $("$mysqld" --no-defaults --version | sed 's/.*Ver \([^ ]*\).*/\1/') ready on 127.0.0.1:$port (socket $MY_SOCK)"
}

my_stop() {
	pid=$(my_pid)
	if ! pid_alive "$pid"; then
		return 0
	fi
	# SIGTERM is MariaDB's clean shutdown; no password needed.
	kill -TERM "$pid" 2>/dev/null || true
	wait_gone "$pid" MariaDB
}

# Wait (bounded) for a process to exit; kill it hard when it does not.
wait_gone() {
	pid=$1
	what=$2
	i=0
	while pid_alive "$pid"; do
		i=$((i + 1))
		if [ "$i" -ge 120 ]; then
			echo "servers: $what (pid $pid) did not stop within 30s: killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.5
			break
		fi
		sleep 0.25
	done
}

# ---------------------------------------------------------------- commands

write_env() {
	pg_port=$1
	my_port=$2
	{
		echo "OFB_SERVERS_DIR='$DIR'"
		echo "OFB_PG_PORT='$pg_port'"
		echo "OFB_MY_PORT='$my_port'"
		echo "OFB_PG_HOST='$PG_DIR'"
		echo "OFB_MY_SOCKET='$MY_SOCK'"
		echo "OFB_DB_USER='$OFB_USER'"
		echo "OFB_DB_PASSWORD='$OFB_PASSWORD'"
		echo "OFB_PG_CONN='Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=$pg_port;UID=$OFB_USER;PWD=$OFB_PASSWORD'"
		echo "OFB_MY_CONN='Driver={MariaDB Unicode};Server=127.0.0.1;Port=$my_port;UID=$OFB_USER;PWD=$OFB_PASSWORD'"
	} > "$ENV_FILE"
}

case $cmd in
start)
	pg_port=${OFB_PG_PORT:-55432}
	my_port=${OFB_MY_PORT:-53306}
	if [ "$IS_ROOT" = yes ]; then
		# postgres and mysql must be able to reach their folders inside DIR.
		chmod 755 "$DIR"
	fi
	write_env "$pg_port" "$my_port"
	if ! (pg_start "$pg_port"); then
		pg_stop
		exit 1
	fi
	if ! (my_start "$my_port"); then
		my_stop
		pg_stop
		exit 1
	fi
	;;
stop)
	my_stop
	pg_stop
	left=
	pid_alive "$(my_pid)" && left="$left MariaDB"
	pid_alive "$(pg_pid)" && left="$left PostgreSQL"
	if [ -n "$left" ]; then
		fail "still running after stop:$left"
	fi
	echo "servers: stopped"
	;;
env)
	[ -f "$ENV_FILE" ] || fail "no servers were started in $DIR"
	sed 's/^/export /' "$ENV_FILE"
	;;
esac
