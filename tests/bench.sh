#!/bin/sh
# Speed and memory of ofbackup against each engine's own dump tool, in the same run on the
# same data: prints figures, asserts nothing (the machines are shared; compare ratios).
#
#   make bench                 default sizes
#   OFB_BENCH_ROWS=1000000 make bench
#
# For every engine (SQLite, PostgreSQL, MariaDB) one table of ROWS rows (text, decimal,
# timestamp) with a 1 MiB blob in every 1000th row is exported and imported into a new
# database, at ROWS and at 4 x ROWS: peak memory (max RSS) must stay flat while the data
# grows. Reference tools: sqlite3 .dump | gzip, pg_dump -Fc, mariadb-dump
# --single-transaction | gzip, and their restores (sqlite3, pg_restore, mariadb).
set -eu

ROWS=${OFB_BENCH_ROWS:-100000}
top=$(cd "$(dirname "$0")/.." && pwd -P)
ofb=$top/ofbackup
[ -x "$ofb" ] || { echo "bench: build ./ofbackup first (make)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench: needs /usr/bin/time (Debian package time)" >&2; exit 1; }

work=$(mktemp -d)
[ "$(id -u)" -eq 0 ] && chmod 755 "$work"
export OFB_PG_PORT=${OFB_PG_PORT:-55442} OFB_MY_PORT=${OFB_MY_PORT:-53316}
cleanup() {
	sh "$top/tests/servers.sh" stop "$work/servers" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
sh "$top/tests/servers.sh" start "$work/servers" >/dev/null
eval "$(sh "$top/tests/servers.sh" env "$work/servers")"
PGPASSWORD=ofb-secret; export PGPASSWORD
psql_() { psql -X -q -h 127.0.0.1 -p "$OFB_PG_PORT" -U ofb "$@"; }
my_() { mariadb --no-defaults --default-character-set=utf8mb4 -h 127.0.0.1 -P "$OFB_MY_PORT" -u ofb -pofb-secret "$@"; }

fill() {   # fill N: (re)create the table "bench" with N rows in every engine
	n=$1
	rm -f "$work/bench.db"
	sqlite3 "$work/bench.db" <<SQL
CREATE TABLE bench(id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2), at TIMESTAMP, payload BLOB);
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $n)
INSERT INTO bench SELECT i, 'name ' || i, i * 1.5, '2026-01-01 10:00:00.123456',
  CASE WHEN i % 1000 = 0 THEN randomblob(1048576) END FROM g;
SQL
	psql_ -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
	psql_ -d bench -c "CREATE TABLE bench(id bigint PRIMARY KEY, name text, amount numeric(12,2), at timestamp(6), payload bytea);
INSERT INTO bench SELECT g, 'name ' || g, g * 1.5, '2026-01-01 10:00:00.123456',
  CASE WHEN g % 1000 = 0 THEN decode(repeat(md5(g::text), 65536), 'hex') END FROM generate_series(1, $n) g;"
	my_ -e "DROP DATABASE IF EXISTS bench; CREATE DATABASE bench CHARACTER SET utf8mb4;"
	my_ bench -e "CREATE TABLE bench(id bigint PRIMARY KEY, name text, amount decimal(12,2), at datetime(6), payload longblob);
INSERT INTO bench SELECT seq, CONCAT('name ', seq), seq * 1.5, '2026-01-01 10:00:00.123456',
  IF(seq MOD 1000 = 0, RANDOM_BYTES(1024) , NULL) FROM seq_1_to_$n;
UPDATE bench SET payload = REPEAT(payload, 1024) WHERE payload IS NOT NULL;"
}

sqlite3 "$work/login.db" "CREATE TABLE clients(id TEXT PRIMARY KEY, name TEXT, connect TEXT, files_dir TEXT, offline INT);
INSERT INTO clients VALUES
 ('sqlite', 'SQLite', 'Driver=SQLite3;Database=$work/bench.db', NULL, 0),
 ('postgresql', 'PostgreSQL', 'Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=$OFB_PG_PORT;Database=bench;UID=ofb;PWD=ofb-secret', NULL, 0),
 ('mariadb', 'MariaDB', 'Driver=MariaDB Unicode;Server=127.0.0.1;Port=$OFB_MY_PORT;Database=bench;UID=ofb;PWD=ofb-secret', NULL, 0);"
printf '[login]\nconnect = "Driver=SQLite3;Database=%s/login.db"\n' "$work" > "$work/ofbackup.ini"

measure() {   # measure OUT CMD...: prints "seconds maxrss_kib"
	out=$1; shift
	/usr/bin/time -f "%e %M" -o "$work/time" sh -c "$*" > "$out" 2>"$work/err" || {
		echo "bench: failed: $*" >&2; cat "$work/err" >&2; exit 1; }
	cat "$work/time"
}

target_conn() {   # target_conn ENGINE NAME: a connection string for a fresh database
	case $1 in
	sqlite) echo "Driver=SQLite3;Database=$work/$2.db" ;;
	postgresql) echo "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=$OFB_PG_PORT;Database=$2;UID=ofb;PWD=ofb-secret" ;;
	mariadb) echo "Driver=MariaDB Unicode;Server=127.0.0.1;Port=$OFB_MY_PORT;Database=$2;UID=ofb;PWD=ofb-secret" ;;
	esac
}

drop_target() {   # drop_target ENGINE NAME
	case $1 in
	sqlite) rm -f "$work/$2.db" ;;
	postgresql) psql_ -d postgres -c "DROP DATABASE IF EXISTS $2" ;;
	mariadb) my_ -e "DROP DATABASE IF EXISTS $2" ;;
	esac
}

printf '%-18s %9s %9s | %9s %11s | %9s %11s | %7s\n' run rows data_MiB \
	ofb_s ofb_RSS_MiB ref_s ref_RSS_MiB s_ratio
for n in "$ROWS" $((ROWS * 4)); do
	fill "$n"
	for engine in sqlite postgresql mariadb; do
		set -- $(measure /dev/null "'$ofb' -q -c '$work/ofbackup.ini' export $engine -o '$work/$engine.zip'")
		ofb_s=$1 ofb_rss=$2
		data=$(unzip -l "$work/$engine.zip" | tail -1 | awk '{print $1}')
		case $engine in
		sqlite) ref="sqlite3 '$work/bench.db' .dump | gzip -6" ;;
		postgresql) ref="PGPASSWORD=ofb-secret pg_dump -h 127.0.0.1 -p $OFB_PG_PORT -U ofb -Fc bench" ;;
		mariadb) ref="mariadb-dump --no-defaults -h 127.0.0.1 -P $OFB_MY_PORT -u ofb -pofb-secret --single-transaction --hex-blob bench | gzip -6" ;;
		esac
		set -- $(measure "$work/ref.out" "$ref")
		printf '%-18s %9s %9.1f | %9s %11.1f | %9s %11.1f | %7.2f\n' "backup $engine" "$n" \
			"$(echo "$data / 1048576" | bc -l)" "$ofb_s" "$(echo "$ofb_rss / 1024" | bc -l)" \
			"$1" "$(echo "$2 / 1024" | bc -l)" "$(echo "$ofb_s / ($1 + 0.001)" | bc -l)"
		# restore: import the export into a fresh database of the same engine, against the
		# engine's own restore of its own dump
		drop_target "$engine" restored
		sqlite3 "$work/login.db" "DELETE FROM clients WHERE id = 'restored'"
		set -- $(measure /dev/null "'$ofb' -q -c '$work/ofbackup.ini' import '$work/$engine.zip' --as restored --connect '$(target_conn "$engine" restored)' --files '$work/files-restored-$n'")
		ofb_s=$1 ofb_rss=$2
		drop_target "$engine" refrestored
		case $engine in
		sqlite) ref="gzip -dc '$work/ref.out' | sqlite3 '$work/refrestored.db'" ;;
		postgresql) psql_ -d postgres -c "CREATE DATABASE refrestored"
			ref="PGPASSWORD=ofb-secret pg_restore -h 127.0.0.1 -p $OFB_PG_PORT -U ofb -d refrestored '$work/ref.out'" ;;
		mariadb) my_ -e "CREATE DATABASE refrestored CHARACTER SET utf8mb4"
			ref="gzip -dc '$work/ref.out' | mariadb --no-defaults -h 127.0.0.1 -P $OFB_MY_PORT -u ofb -pofb-secret refrestored" ;;
		esac
		set -- $(measure /dev/null "$ref")
		printf '%-18s %9s %9s | %9s %11.1f | %9s %11.1f | %7.2f\n' "restore $engine" "$n" "" \
			"$ofb_s" "$(echo "$ofb_rss / 1024" | bc -l)" \
			"$1" "$(echo "$2 / 1024" | bc -l)" "$(echo "$ofb_s / ($1 + 0.001)" | bc -l)"
	done
done
echo "data_MiB: uncompressed package content; RSS: peak resident memory; s_ratio: ofbackup time / reference time"
echo "restore: ofbackup import into a new database of the same engine, against the engine's own tool loading its own dump"
