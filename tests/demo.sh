#!/bin/sh
# A small single-seat installation under demo/ (recreated from scratch every run):
# a SQLite login database registering two SQLite clients, each with a few tables and a
# folder of files; then a full backup of it with the freshly built ./ofbackup.
#
#   make demo            (or: sh tests/demo.sh after make)
#   OFBACKUP=path        use another binary
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
DEMO=$ROOT/demo
OFBACKUP=${OFBACKUP:-$ROOT/ofbackup}

if [ ! -x "$OFBACKUP" ]; then
	echo "demo: $OFBACKUP not found: build it first (make)" >&2
	exit 1
fi
command -v sqlite3 > /dev/null || { echo "demo: sqlite3 not found (make deps)" >&2; exit 1; }

rm -rf "$DEMO"
mkdir -p "$DEMO/db" "$DEMO/files" "$DEMO/backups"

# ---- the login database with the client registry
sqlite3 -bail "$DEMO/db/login.db" <<EOF
CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    connect TEXT NOT NULL,
    files_dir TEXT NOT NULL,
    offline INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login VARCHAR(50) NOT NULL UNIQUE,
    full_name TEXT,
    last_login TIMESTAMP
);
INSERT INTO clients VALUES
    ('acme', 'ACME GmbH', 'Driver=SQLite3;Database=$DEMO/db/acme.db', '$DEMO/files/acme', 0),
    ('baecker', 'Bäckerei Schmidt & Söhne', 'Driver=SQLite3;Database=$DEMO/db/baecker.db',
     '$DEMO/files/baecker', 0);
INSERT INTO users VALUES
    (1, 'admin', 'Administrator', '2026-11-30 08:15:00'),
    (2, 'jana', 'Jana Müller', NULL);
EOF

# ---- two client databases with the same application schema
for c in acme baecker; do
	sqlite3 -bail "$DEMO/db/$c.db" <<'EOF'
PRAGMA foreign_keys = ON;
CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(200) UNIQUE,
    city VARCHAR(60) DEFAULT 'Berlin'
);
CREATE INDEX customer_name_idx ON customer (name);
CREATE TABLE invoice (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    issued DATE NOT NULL,
    amount DECIMAL(12,2) NOT NULL DEFAULT 0,
    paid BOOLEAN NOT NULL DEFAULT 0,
    note TEXT
);
CREATE TABLE document (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created TIMESTAMP,
    thumbnail BLOB
);
INSERT INTO customer VALUES
    (1, 'Müller & Co. KG', 'info@mueller.example', 'Hamburg'),
    (3, 'Zoë Café', '', 'Köln');
INSERT INTO customer (id, name, email) VALUES (2, 'O''Neill, "Bauservice"', NULL);
INSERT INTO invoice (customer_id, issued, amount, paid, note) VALUES
    (1, '2026-10-01', 1190.00, 1, 'Wartung Oktober'),
    (1, '2026-11-01', 1190.00, 0, NULL),
    (2, '2026-11-15', 249.99, 0, 'Zeile 1
Zeile 2, mit Komma');
INSERT INTO document VALUES
    (1, 'Angebot 2026-17', '2026-11-20 14:03:59.250', X'89504E470D0A1A0A0000'),
    (2, 'Leeres Dokument', NULL, NULL);
EOF
	f=$DEMO/files/$c
	mkdir -p "$f/Briefe/2026" "$f/Scans" "$f/Archiv/leer"
	printf 'Sehr geehrte Damen und Herren,\r\nanbei die Rechnung.\r\n' > "$f/Briefe/2026/Rechnung November.txt"
	printf 'Größe: 42\n' > "$f/Briefe/Größe ü.txt"
	: > "$f/Scans/leer.pdf"
	head -c 65536 /dev/urandom > "$f/Scans/scan 0001.bin"
done

# ---- the configuration
cat > "$DEMO/ofbackup.ini" <<EOF
; ofbackup demo configuration (see etc/ofbackup.ini for every option)
[login]
connect = "Driver=SQLite3;Database=$DEMO/db/login.db"

[backup]
dir = "$DEMO/backups"
EOF

echo "== ofbackup clients"
"$OFBACKUP" -c "$DEMO/ofbackup.ini" clients
echo
echo "== ofbackup backup -o demo/backups/demo-full.zip"
"$OFBACKUP" -c "$DEMO/ofbackup.ini" backup -o "$DEMO/backups/demo-full.zip"
echo
echo "== ofbackup info demo/backups/demo-full.zip"
"$OFBACKUP" info "$DEMO/backups/demo-full.zip"
echo
echo "== ofbackup verify demo/backups/demo-full.zip"
"$OFBACKUP" verify "$DEMO/backups/demo-full.zip"
echo
echo "== unzip -l demo/backups/demo-full.zip"
unzip -l "$DEMO/backups/demo-full.zip"
