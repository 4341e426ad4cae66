#!/bin/sh
# Install the Debian 12 packages that building, the demo and the tests need.
# Idempotent: installs only what is missing (checked with dpkg-query), so a second run
# is quick and touches nothing. Then makes sure the ODBC drivers the tests use are
# registered in odbcinst.ini.
set -eu

PACKAGES="build-essential pkg-config unixodbc unixodbc-dev odbcinst libsqliteodbc
odbc-postgresql odbc-mariadb mariadb-server mariadb-client postgresql postgresql-client
libzip-dev zlib1g-dev libiniparser-dev libcunit1-dev libjansson-dev libssl-dev sqlite3 zip unzip
python3 python3-pyodbc tdsodbc time faketime 7zip libcurl4-openssl-dev openssh-server
openssh-client lighttpd lighttpd-mod-webdav cron vsftpd openssl"

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
else
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		SUDO=NONE
	fi
fi

as_root() {
	if [ "$SUDO" = NONE ]; then
		echo "install-deps: need root (or sudo) to run: $*" >&2
		exit 1
	fi
	if [ -n "$SUDO" ]; then
		$SUDO env DEBIAN_FRONTEND=noninteractive "$@"
	else
		env DEBIAN_FRONTEND=noninteractive "$@"
	fi
}

installed() {
	st=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$st" = "install ok installed" ]
}

missing=
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	as_root apt-get update -q
	# Server packages must not start their system-wide service during installation in
	# containers without an init; policy-rc.d 101 keeps invoke-rc.d from doing so only
	# when we create it ourselves (and we remove it again afterwards).
	prc=/usr/sbin/policy-rc.d
	made_prc=no
	if [ ! -e "$prc" ] && [ ! -d /run/systemd/system ]; then
		as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $prc && chmod 755 $prc"
		made_prc=yes
	fi
	# shellcheck disable=SC2086
	if ! as_root apt-get install -y -q --no-install-recommends $missing; then
		[ "$made_prc" = yes ] && as_root rm -f "$prc"
		echo "install-deps: apt-get install failed" >&2
		exit 1
	fi
	[ "$made_prc" = yes ] && as_root rm -f "$prc"
fi

# ODBC drivers: the Debian packages register them; register from the packaged templates
# where an entry is missing (e.g. tdsodbc only ships a template).
driver_registered() {
	odbcinst -q -d 2>/dev/null | grep -Fqx "[$1]"
}

register_driver() {
	# $1 = driver name, $2 = library path, $3 = optional setup library
	tmp=$(mktemp)
	{
		echo "[$1]"
		echo "Description=$1 ODBC driver"
		echo "Driver=$2"
		[ -n "${3:-}" ] && echo "Setup=$3"
		echo "UsageCount=1"
	} > "$tmp"
	as_root odbcinst -i -d -f "$tmp" >/dev/null
	rm -f "$tmp"
}

libdir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/odbc

ensure_driver() {
	# $1 = name, $2 = library file name, $3 = optional setup library file name
	if driver_registered "$1"; then
		return 0
	fi
	lib="$libdir/$2"
	if [ ! -e "$lib" ]; then
		echo "install-deps: ODBC driver '$1': $lib not found" >&2
		exit 1
	fi
	setup=
	[ -n "${3:-}" ] && [ -e "$libdir/$3" ] && setup="$libdir/$3"
	echo "install-deps: registering ODBC driver '$1'"
	register_driver "$1" "$lib" "$setup"
	if ! driver_registered "$1"; then
		echo "install-deps: could not register ODBC driver '$1' (see odbcinst -q -d)" >&2
		exit 1
	fi
}

ensure_driver "SQLite3" libsqlite3odbc.so libsqlite3odbc.so
ensure_driver "PostgreSQL Unicode" psqlodbcw.so libodbcpsqlS.so
ensure_driver "MariaDB Unicode" libmaodbc.so
ensure_driver "FreeTDS" libtdsodbc.so libtdsS.so

# The S3-compatible server the offsite tests send copies to: s3rver from the npm registry,
# into tests/.tools (not part of the build). Node.js from Debian when there is none.
S3RVER_VERSION=3.7.1
tools=$(cd "$(dirname "$0")" && pwd)/.tools
if [ ! -x "$tools/node_modules/.bin/s3rver" ]; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "install-deps: installing: nodejs npm"
		as_root apt-get install -y -q --no-install-recommends nodejs npm
	fi
	echo "install-deps: installing s3rver $S3RVER_VERSION (npm) into $tools"
	mkdir -p "$tools"
	if ! npm install --prefix "$tools" --no-audit --no-fund --loglevel=error \
		"s3rver@$S3RVER_VERSION" >/dev/null; then
		echo "install-deps: npm install s3rver failed" >&2
		exit 1
	fi
fi

echo "install-deps: all packages present"
