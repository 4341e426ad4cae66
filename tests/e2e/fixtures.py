"""Build a real office installation for the end-to-end tests.

A login database on SQLite with the client registry, clients on SQLite, PostgreSQL and
MariaDB (each with tables covering every portable type of docs/FORMAT.md and nasty
values), a files folder per client, and one client registered offline.
"""

import hashlib
import os
import socket
import random
import sqlite3
import time
from decimal import Decimal

import pyodbc

import canon

SECRET = "ofb-secret"          # the servers' password (tests/servers.sh)
PG_DB = "ofb_e2e_client"
MY_DB = "ofb_e2e_client"

# Client ids in the registry.
LITE = "lite"
PG = "pg-1"
MY = "maria_2"
OLD = "old"

BLOB_SIZE = 1024 * 1024
BIG_FILE_SIZE = 3 * 1024 * 1024



def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (for private servers, and for
    connections that must be refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port

def det_bytes(seed, n):
    """n deterministic pseudo-random bytes, with 0x00 bytes sprinkled in."""
    rnd = random.Random(seed)
    data = bytearray(rnd.randbytes(n))
    for i in range(0, n, 997):
        data[i] = 0
    return bytes(data)


# ------------------------------------------------------------------ engines

class Engine:
    """What the tests need to know about one source database."""

    name = None

    def __init__(self, connect):
        self.connect = connect          # full ODBC connection string (with password)

    def odbc(self):
        cn = pyodbc.connect(self.connect, autocommit=True)
        self.prepare(cn)
        return cn

    def prepare(self, cn):
        pass

    def q(self, ident):
        return '"' + ident.replace('"', '""') + '"'

    def text_expr(self, col):
        """SQL that reads a date/time column as text (pyodbc's time loses fractions)."""
        return "CAST(%s AS TEXT)" % self.q(col)


class SqliteEngine(Engine):
    name = "sqlite"

    def __init__(self, path):
        super().__init__("Driver=SQLite3;Database=%s" % path)
        self.path = path

    def tables(self, cn):
        cur = cn.cursor()
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        return [r[0] for r in cur.fetchall()]

    def columns(self, cn, table):
        cur = cn.cursor()
        cur.execute("SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
        return [r[0] for r in cur.fetchall()]

    def identity_next(self, cn, table):
        cur = cn.cursor()
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", table)
        row = cur.fetchone()
        return None if row is None else int(row[0]) + 1


class PgEngine(Engine):
    name = "postgresql"

    def prepare(self, cn):
        cn.cursor().execute("SET TIME ZONE 'UTC'")

    def text_expr(self, col):
        return "CAST(%s AS text)" % self.q(col)

    def tables(self, cn):
        cur = cn.cursor()
        cur.execute("SELECT table_name FROM information_schema.tables WHERE "
                    "table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
        return [r[0] for r in cur.fetchall()]

    def columns(self, cn, table):
        cur = cn.cursor()
        cur.execute("SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = 'public' AND table_name = ? ORDER BY ordinal_position",
                    table)
        return [r[0] for r in cur.fetchall()]

    def identity_next(self, cn, table):
        cur = cn.cursor()
        cur.execute("SELECT pg_get_serial_sequence(?, 'id')", self.q(table))
        seq = cur.fetchone()[0]
        if not seq:
            return None
        cur.execute("SELECT last_value, is_called FROM %s" % seq)
        last, called = cur.fetchone()
        called = str(called).lower() in ("1", "true", "t")
        return int(last) + 1 if called else int(last)


class MariaEngine(Engine):
    name = "mariadb"

    def q(self, ident):
        return "`" + ident.replace("`", "``") + "`"

    def text_expr(self, col):
        return "CAST(%s AS CHAR)" % self.q(col)

    def tables(self, cn):
        cur = cn.cursor()
        cur.execute("SELECT table_name FROM information_schema.tables WHERE "
                    "table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1")
        return [r[0] for r in cur.fetchall()]

    def columns(self, cn, table):
        cur = cn.cursor()
        cur.execute("SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
                    table)
        return [r[0] for r in cur.fetchall()]

    def identity_next(self, cn, table):
        cur = cn.cursor()
        cur.execute("SELECT auto_increment FROM information_schema.tables WHERE "
                    "table_schema = DATABASE() AND table_name = ?", table)
        row = cur.fetchone()
        return None if row is None or row[0] is None else int(row[0])


# ------------------------------------------------------------------ shared data

CUSTOMERS = [
    (1, "Müller & Söhne GmbH", "info@mueller.example", "DE"),
    (2, 'O\'Brien, "Ltd"', None, "IE"),
    (3, "Zoë 😀 Café", "", "FR"),
    (4, "Großhandel\nzweite Zeile", "gross@example.org", "AT"),
]

ORDERS = [  # (customer_id, select, amount, note); ids 1..5 by identity, then 3 and 5 deleted
    (1, "first", Decimal("12.5000"), "plain note"),
    (1, "", Decimal("-0.0001"), None),
    (2, "to delete", Decimal("1.0000"), "x"),
    (3, "a,b;c", Decimal("99999999.9999"), 'quote " and \\ backslash'),
    (4, "last, deleted", Decimal("0.0000"), "gone"),
]

MY_TABLE = [
    (1, "with space value", "a"),
    (2, None, ""),
    (3, "", None),
]

NOPK = [(1, "dup"), (1, "dup"), (2, None), (None, "")]

UUID1 = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
UUID0 = "00000000-0000-0000-0000-000000000000"

NASTY_TEXT = 'He said "hi", then\nleft;\r\nCR\ronly, tab\tend'
UNICODE_TEXT = "Größe ü 😀🎉 𝄞 日本語"


def blob_rows(seed):
    return [
        (1, "one megabyte", det_bytes(seed, BLOB_SIZE)),
        (2, "empty", b""),
        (3, "null", None),
        (4, "zeros", b"\x00" * 64),
        (5, "all bytes", bytes(range(256))),
    ]


# ------------------------------------------------------------------ SQLite

# The sample tables every engine's fixtures have (the cross-engine tests use these alone).
SQLITE_SAMPLE_TABLES = """
CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(200) CONSTRAINT customer_email_key UNIQUE,
    country CHAR(2) NOT NULL DEFAULT 'DE'
);
CREATE INDEX customer_name_idx ON customer (name);
CREATE TABLE "order" (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL,
    "select" VARCHAR(50),
    amount DECIMAL(12,4) NOT NULL DEFAULT 0,
    note TEXT,
    CONSTRAINT order_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id)
        ON DELETE CASCADE
);
CREATE TABLE "My Table" (
    "Mixed Case" INTEGER PRIMARY KEY,
    "with space" TEXT,
    "lower" VARCHAR(20)
);
CREATE TABLE types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    c_bool BOOLEAN,
    c_small SMALLINT,
    c_int INTEGER,
    c_big BIGINT,
    c_dec DECIMAL(38,10),
    c_dec2 DECIMAL(12,4),
    c_real REAL,
    c_double DOUBLE,
    c_char CHAR(10),
    c_varchar VARCHAR(100),
    c_text TEXT,
    c_blob BLOB,
    c_varbin VARBINARY(16),
    c_date DATE,
    c_time TIME,
    c_ts TIMESTAMP
);
CREATE TABLE blobs (id INTEGER PRIMARY KEY, name TEXT, data BLOB);
"""
SQLITE_SCHEMA = SQLITE_SAMPLE_TABLES + """CREATE TABLE nopk (a INTEGER, b TEXT);
"""

# SQLite keeps what was stored; the values stay within what its ODBC driver reads back
# (decimals with at most 15 significant digits are stored as REAL by NUMERIC affinity).
SQLITE_TYPES = [
    (1, True, 1, 42, 1234567890123, "12345.6789", "-0.5", 0.1, 0.1, "abc", "plain",
     "hello", b"\x00\x01\x02\xff\x00", b"\x00\x10", "2024-02-29", "10:11:12.123456",
     "2024-02-29 23:59:59.999999"),
    (2,) + (None,) * 16,
    (3, False, 0, 0, 0, "0", "0", -0.0, -0.0, "", "", "", b"", b"", "1900-01-01",
     "00:00:00", "1970-01-01 00:00:00"),
    (4, None, -32768, -2147483648, -9223372036854775808, "-99999999999.9999",
     "-99999999.9999", 3.4028234663852886e38, 1.7976931348623157e308, 'x"y,z', NASTY_TEXT,
     "line1\r\nline2\rline3\n", bytes(range(256)), b"\x00" * 16, "9999-12-31",
     "23:59:59.999999", "2000-01-01 12:00:00.000001"),
    (6, True, 32767, 2147483647, 9223372036854775807, "0.0000000001", "0.0001",
     1.401298464324817e-45, 1e-300, "😀", UNICODE_TEXT, "\\x41 looks like hex",
     b"\x00" * 5, b"\xff", "2000-02-29", "12:00:00.5", "2024-06-30 22:30:00.123"),
    (7, None, None, None, None, None, None, None, 5e-324, " lead", "trail ", "NULL",
     None, None, None, None, None),
]


def make_sqlite_client(path, seed):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript(SQLITE_SCHEMA)
    db.executemany("INSERT INTO customer VALUES (?, ?, ?, ?)", CUSTOMERS)
    for o in ORDERS:
        db.execute('INSERT INTO "order" (customer_id, "select", amount, note) '
                   "VALUES (?, ?, ?, ?)", (o[0], o[1], str(o[2]), o[3]))
    db.execute('DELETE FROM "order" WHERE id IN (3, 5)')
    db.executemany('INSERT INTO "My Table" VALUES (?, ?, ?)', MY_TABLE)
    db.executemany("INSERT INTO types VALUES (%s)" % ",".join("?" * 17), SQLITE_TYPES)
    db.execute("INSERT INTO types (id, c_text) VALUES (8, 'deleted')")
    db.execute("DELETE FROM types WHERE id = 8")
    db.executemany("INSERT INTO blobs VALUES (?, ?, ?)", blob_rows(seed))
    db.executemany("INSERT INTO nopk VALUES (?, ?)", NOPK)
    db.commit()
    db.close()


# ------------------------------------------------------------------ PostgreSQL

PG_SCHEMA = [
    """CREATE TABLE customer (
        id integer PRIMARY KEY,
        name varchar(100) NOT NULL,
        email varchar(200) CONSTRAINT customer_email_key UNIQUE,
        country char(2) NOT NULL DEFAULT 'DE')""",
    "CREATE INDEX customer_name_idx ON customer (name)",
    """CREATE TABLE "CUSTOMER" (id integer PRIMARY KEY, note text)""",
    """CREATE TABLE "order" (
        id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        customer_id integer NOT NULL,
        "select" varchar(50),
        amount numeric(12,4) NOT NULL DEFAULT 0,
        note text,
        CONSTRAINT order_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id)
            ON DELETE CASCADE)""",
    """CREATE TABLE "My Table" (
        "Mixed Case" integer PRIMARY KEY,
        "with space" text,
        "lower" varchar(20))""",
    """CREATE TABLE "Bücher" (id integer PRIMARY KEY, "Titel äö" text)""",
    """CREATE TABLE types (
        id serial PRIMARY KEY,
        c_bool boolean,
        c_small smallint,
        c_int integer,
        c_big bigint,
        c_dec numeric(38,10),
        c_dec2 numeric(12,4),
        c_real real,
        c_double double precision,
        c_char char(10),
        c_varchar varchar(100),
        c_text text,
        c_bytea bytea,
        c_date date,
        c_time time(6),
        c_ts timestamp(6),
        c_tstz timestamptz(6),
        c_uuid uuid,
        c_json jsonb,
        c_interval interval)""",
    "CREATE TABLE blobs (id integer PRIMARY KEY, name text, data bytea)",
    "CREATE TABLE nopk (a integer, b text)",
]

DEC_MAX = Decimal("9999999999999999999999999999.9999999999")
DEC_MIN = Decimal("-9999999999999999999999999999.9999999999")   # not -DEC_MAX: that rounds

PG_TYPES = [
    (1, True, 1, 42, 1234567890123, Decimal("12345.6789"), Decimal("-0.5"), 0.1, 0.1,
     "abc", "plain", "hello", b"\x00\x01\x02\xff\x00", "2024-02-29", "10:11:12.123456",
     "2024-02-29 23:59:59.999999", "2024-06-30 22:30:00.123456+02", UUID1,
     '{"a": [1, "x", null], "b": "ü😀"}', "1 day 02:03:04.5"),
    (2,) + (None,) * 19,
    (3, False, 0, 0, 0, Decimal("0"), Decimal("0"), -0.0, -0.0, "", "", "", b"",
     "1900-01-01", "00:00:00", "1970-01-01 00:00:00", "1970-01-01 00:00:00+00", UUID0,
     "{}", "0"),
    (4, None, -32768, -2147483648, -9223372036854775808, DEC_MIN,
     Decimal("-99999999.9999"), 3.4028234663852886e38, 1.7976931348623157e308, 'x"y,z',
     NASTY_TEXT, "line1\r\nline2\rline3\n", bytes(range(256)), "9999-12-31",
     "23:59:59.999999", "2000-01-01 12:00:00.000001", "2038-01-19 03:14:08.5-05:30",
     None, "[]", "-3 years 2 mons"),
    (6, True, 32767, 2147483647, 9223372036854775807, DEC_MAX, Decimal("0.0001"),
     1.401298464324817e-45, 1e-300, "😀", UNICODE_TEXT, "\\x41 looks like hex",
     b"\x00" * 5, "0001-01-01", "12:00:00.5", "2024-06-30 22:30:00.123",
     "1999-12-31 23:59:59.999999+00", UUID1, '"text"', "00:00:00.000001"),
    (7, None, None, None, None, Decimal("0.0000000001"), None, float("nan"), 5e-324,
     " lead", "trail ", "NULL", None, None, None, None, None, None, "null", None),
    (9, None, None, None, None, Decimal("-0.0000000001"), None, float("inf"),
     float("nan"), None, None, "", None, None, None, None, None, None, None, None),
    (10, None, None, None, None, None, None, float("-inf"), float("inf"), None, None,
     None, None, None, None, None, None, None, None, None),
    (11, None, None, None, None, None, None, None, float("-inf"), None, None, None, None,
     None, None, None, None, None, None, None),
]


def pg_admin(base_conn):
    return pyodbc.connect(base_conn + ";Database=postgres", autocommit=True)


def make_pg_client(base_conn, dbname, seed):
    admin = pg_admin(base_conn)
    cur = admin.cursor()
    cur.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname)
    cur.execute("CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0" % dbname)
    admin.close()
    cn = pyodbc.connect(base_conn + ";Database=" + dbname, autocommit=True)
    cur = cn.cursor()
    for ddl in PG_SCHEMA:
        cur.execute(ddl)
    cur.executemany("INSERT INTO customer VALUES (?, ?, ?, ?)", CUSTOMERS)
    cur.executemany('INSERT INTO "CUSTOMER" VALUES (?, ?)', [(1, "upper-case twin")])
    for o in ORDERS:
        cur.execute('INSERT INTO "order" (customer_id, "select", amount, note) '
                    "VALUES (?, ?, ?, ?)", *o)
    cur.execute('DELETE FROM "order" WHERE id IN (3, 5)')
    cur.executemany('INSERT INTO "My Table" VALUES (?, ?, ?)', MY_TABLE)
    cur.executemany('INSERT INTO "Bücher" VALUES (?, ?)', [(1, "Faust"), (2, "Ödön")])
    sql = ("INSERT INTO types VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::date, "
           "?::time, ?::timestamp, ?::timestamptz, ?::uuid, ?::jsonb, ?::interval)")
    for row in PG_TYPES:
        cur.execute(sql, *row)
    cur.execute("SELECT setval(pg_get_serial_sequence('types', 'id'), 11)")
    cur.execute("INSERT INTO types (c_text) VALUES ('deleted')")   # id 12
    cur.execute("DELETE FROM types WHERE id = 12")
    cur.executemany("INSERT INTO blobs VALUES (?, ?, ?)", blob_rows(seed))
    cur.executemany("INSERT INTO nopk VALUES (?, ?)", NOPK)
    cur.execute("ANALYZE")
    cn.close()


# ------------------------------------------------------------------ MariaDB

MY_SCHEMA = [
    """CREATE TABLE customer (
        id int PRIMARY KEY,
        name varchar(100) NOT NULL,
        email varchar(200),
        country char(2) NOT NULL DEFAULT 'DE',
        CONSTRAINT customer_email_key UNIQUE (email),
        INDEX customer_name_idx (name))""",
    """CREATE TABLE `order` (
        id int AUTO_INCREMENT PRIMARY KEY,
        customer_id int NOT NULL,
        `select` varchar(50),
        amount decimal(12,4) NOT NULL DEFAULT 0,
        note text,
        CONSTRAINT order_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id)
            ON DELETE CASCADE)""",
    """CREATE TABLE `My Table` (
        `Mixed Case` int PRIMARY KEY,
        `with space` text,
        `lower` varchar(20))""",
    """CREATE TABLE types (
        id int AUTO_INCREMENT PRIMARY KEY,
        c_bool boolean,
        c_small smallint,
        c_int int,
        c_big bigint,
        c_dec decimal(38,10),
        c_dec2 decimal(12,4),
        c_real float,
        c_double double,
        c_char char(10),
        c_varchar varchar(100),
        c_text longtext,
        c_bin binary(4),
        c_varbin varbinary(16),
        c_blob longblob,
        c_date date,
        c_time time(6),
        c_ts datetime(6),
        c_tstz timestamp(6) NULL DEFAULT NULL,
        c_uuid uuid,
        c_enum enum('a', 'b c', 'ü'))""",
    "CREATE TABLE blobs (id int PRIMARY KEY, name text, data longblob)",
    "CREATE TABLE nopk (a int, b text)",
]

MY_TYPES = [
    (1, True, 1, 42, 1234567890123, Decimal("12345.6789"), Decimal("-0.5"), 0.1, 0.1,
     "abc", "plain", "hello", b"\x00\x01", b"\x00\x01\x02\xff\x00", b"\x00", "2024-02-29",
     "10:11:12.123456", "2024-02-29 23:59:59.999999", "2024-06-30 22:30:00.123456", UUID1,
     "b c"),
    (2,) + (None,) * 20,
    (3, False, 0, 0, 0, Decimal("0"), Decimal("0"), 0.0, 0.0, "", "", "", b"", b"", b"",
     "1000-01-01", "00:00:00", "1000-01-01 00:00:00", "1970-01-01 00:00:01", UUID0, "a"),
    (4, None, -32768, -2147483648, -9223372036854775808, DEC_MIN,
     Decimal("-99999999.9999"), 3.4e38, 1.7976931348623157e308, 'x"y,z', NASTY_TEXT,
     "line1\r\nline2\rline3\n", b"\xff\xff\xff\xff", bytes(range(16)), bytes(range(256)),
     "9999-12-31", "23:59:59.999999", "2000-01-01 12:00:00.000001",
     "2038-01-19 03:14:07.5", None, "ü"),
    (6, True, 32767, 2147483647, 9223372036854775807, DEC_MAX, Decimal("0.0001"),
     1.401298464324817e-45, 1e-300, "😀", UNICODE_TEXT, "\\x41 looks like hex",
     b"\x00\x00", b"\x00" * 5, b"\x00" * 5, "2000-02-29", "12:00:00.5",
     "2024-06-30 22:30:00.123", "1999-12-31 23:59:59.999999", UUID1, "ü"),
    (7, None, None, None, None, Decimal("0.0000000001"), None, None, 5e-324,
     " lead", "trail ", "NULL", None, None, None, None, None, None, None, None, None),
]


def make_my_client(base_conn, dbname, seed):
    admin = pyodbc.connect(base_conn, autocommit=True)
    cur = admin.cursor()
    cur.execute("DROP DATABASE IF EXISTS %s" % dbname)
    cur.execute("CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" % dbname)
    admin.close()
    cn = pyodbc.connect(base_conn + ";Database=" + dbname, autocommit=True)
    cur = cn.cursor()
    cur.execute("SET time_zone = '+00:00'")
    # strict: a value MariaDB cannot take fails here instead of going missing unnoticed
    cur.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
    for ddl in MY_SCHEMA:
        cur.execute(ddl)
    cur.executemany("INSERT INTO customer VALUES (?, ?, ?, ?)", CUSTOMERS)
    for o in ORDERS:
        cur.execute("INSERT INTO `order` (customer_id, `select`, amount, note) "
                    "VALUES (?, ?, ?, ?)", *o)
    cur.execute("DELETE FROM `order` WHERE id IN (3, 5)")
    cur.executemany("INSERT INTO `My Table` VALUES (?, ?, ?)", MY_TABLE)
    sql = "INSERT INTO types VALUES (%s)" % ",".join("?" * 21)
    for row in MY_TYPES:
        cur.execute(sql, *row)
    cur.execute("INSERT INTO types (id, c_text) VALUES (8, 'deleted')")
    cur.execute("DELETE FROM types WHERE id = 8")
    for row in blob_rows(seed):
        cur.execute("INSERT INTO blobs VALUES (?, ?, ?)", *row)
    cur.executemany("INSERT INTO nopk VALUES (?, ?)", NOPK)
    cn.close()


# ------------------------------------------------------------------ files

# Fixed modification times (nanosecond fractions) so the manifest's mtimes can be checked.
MTIME_NS = 1700000000 * 10**9 + 123456789


def write_tree(root, files, empty_dirs):
    """Write {relative path: bytes} below root, and the empty folders."""
    os.makedirs(root, exist_ok=True)
    for rel, data in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    for d in empty_dirs:
        os.makedirs(os.path.join(root, d), exist_ok=True)


def make_files(root, cid):
    """A client's files folder; returns nothing, the tests read the tree back."""
    tree = {
        "Briefe/2024/Brief an Müller.txt": ("Sehr geehrter Herr Müller,\r\n%s\n" % cid).encode(),
        "Briefe/2024/Rechnung 0001.csv": b'a,b\n"1,5",2\n',
        "Größe ü.txt": "Größe ü 😀\n".encode(),
        "empty.txt": b"",
        "Scans/scan big.bin": det_bytes("big-" + cid, BIG_FILE_SIZE),
        "a/b/c/deep.txt": b"deep\x00inside\n",
        ".hidden": b"dot file\n",
    }
    write_tree(root, tree, ["Leer", "Briefe/leer Ordner", "a/b/c/d-empty"])
    n = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for fn in filenames:
            n += 1
            os.utime(os.path.join(dirpath, fn), ns=(MTIME_NS, MTIME_NS + n * 1000001))


def file_tree(root):
    """{relative path with '/': sha256 hex} for files and {relative dir + '/'} for folders."""
    found, dirs = canon.walk_tree(root)
    files = {}
    for r, p in found:
        with open(p, "rb") as f:
            files[r] = (hashlib.sha256(f.read()).hexdigest(), os.stat(p).st_mtime_ns,
                        os.path.getsize(p))
    return files, dirs


# ------------------------------------------------------------------ login database

def make_login(path, registry):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript("""
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
            pw_hash BLOB,
            last_login TIMESTAMP
        );
        CREATE TABLE settings (key VARCHAR(100) PRIMARY KEY, value TEXT);
    """)
    db.executemany("INSERT INTO clients VALUES (?, ?, ?, ?, ?)", registry)
    db.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?)", [
        (1, "admin", "Administrator", hashlib.sha256(b"x").digest(), "2024-01-02 03:04:05"),
        (2, "jörg", "Jörg Ärmel 😀", b"\x00\x01", None),
        (3, "empty", "", None, None),
    ])
    db.executemany("INSERT INTO settings VALUES (?, ?)", [
        ("backup.time", "02:30"), ("company", 'A "quoted", value\nwith newline'),
        ("empty", ""), ("null", None),
    ])
    db.commit()
    db.close()


class Installation:
    """The whole test installation under root."""

    def __init__(self, root, pg_base, my_base):
        self.root = root
        self.pg_base = pg_base
        self.my_base = my_base
        self.login_path = os.path.join(root, "login.db")
        self.login = SqliteEngine(self.login_path)
        self.files = {c: os.path.join(root, "files", c) for c in (LITE, PG, MY, OLD)}
        self.lite_path = os.path.join(root, "db", "lite.db")
        self.engines = {
            LITE: SqliteEngine(self.lite_path),
            PG: PgEngine(pg_base + ";Database=" + PG_DB),
            MY: MariaEngine(my_base + ";Database=" + MY_DB),
        }
        self.names = {LITE: "Lite Büro", PG: "Müller & Söhne GmbH", MY: "Maria, \"Nord\" KG",
                      OLD: "Alte Firma (geparkt)"}
        self.backups = os.path.join(root, "backups")
        self.config = os.path.join(root, "ofbackup.ini")

    @staticmethod
    def strip_password(conn):
        return ";".join(p for p in conn.split(";") if not p.upper().startswith("PWD="))

    def build(self):
        os.makedirs(os.path.join(self.root, "db"), exist_ok=True)
        os.makedirs(self.backups, exist_ok=True)
        make_sqlite_client(self.lite_path, "blob-lite")
        make_pg_client(self.pg_base, PG_DB, "blob-pg")
        make_my_client(self.my_base, MY_DB, "blob-my")
        for c in (LITE, PG, MY):
            make_files(self.files[c], c)
        registry = [
            (LITE, self.names[LITE], self.engines[LITE].connect, self.files[LITE], 0),
            # The registry holds no passwords: the config's [client.ID] connect adds them.
            (PG, self.names[PG], self.strip_password(self.engines[PG].connect),
             self.files[PG], 0),
            (MY, self.names[MY], self.strip_password(self.engines[MY].connect),
             self.files[MY], 0),
            (OLD, self.names[OLD], "Driver=SQLite3;Database=" +
             os.path.join(self.root, "db", "old-missing.db"), self.files[OLD], 1),
        ]
        make_login(self.login_path, registry)
        self.write_config(self.config)

    def write_config(self, path, overrides=None):
        """Write an INI; overrides maps client id -> {key: value} replacing the defaults."""
        clients = {
            PG: {"connect": self.engines[PG].connect},
            MY: {"connect": self.engines[MY].connect},
        }
        for cid, kv in (overrides or {}).items():
            clients.setdefault(cid, {}).update(kv)
        lines = ["; ofbackup end-to-end test installation", "[login]",
                 'connect = "%s"' % self.login.connect, ""]
        for cid, kv in clients.items():
            lines.append("[client.%s]" % cid)
            for k, v in kv.items():
                lines.append('%s = "%s"' % (k, v))
            lines.append("")
        lines += ["[backup]", 'dir = "%s"' % self.backups, ""]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        os.chmod(path, 0o600)
        return path


def run_while_recreated(conn, table, start, timeout):
    """Run start() (it returns the Popen of an ofbackup run) while another transaction has
    dropped `table` and made it anew holding ids 1 .. 50, as a restore does, and commit
    that transaction 2 s later: (the Popen, whether it was still running then, its stdout
    and stderr as text)."""
    other = pyodbc.connect(conn, autocommit=False)
    try:
        cur = other.cursor()
        cur.execute("DROP TABLE %s" % table)
        cur.execute("CREATE TABLE %s (id int PRIMARY KEY)" % table)
        cur.execute("INSERT INTO %s SELECT generate_series(1, 50)" % table)
        p = start()
        time.sleep(2)
        waited = p.poll() is None
        other.commit()
        o, e = p.communicate(timeout=timeout)
    finally:
        other.close()
    return p, waited, (o + e).decode("utf-8", "replace")
