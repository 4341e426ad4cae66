"""Source clients for the cross-engine import tests: one database per engine holding a
table with every portable type the engine has and the nasty values (NULL vs '', 0x00 in
blobs, a 1 MB blob, emoji, CR/LF, quotes, reserved-word and spaced identifiers, extreme
decimals within numeric(38,10), 1e-300, -0.0, dates, timestamps with microseconds,
booleans), plus a small files folder.

The values are chosen so that every engine can hold them (no NaN/Infinity, which MariaDB
cannot store; timestamps with offsets inside MariaDB's TIMESTAMP range 1970-2038), so an
import failure points at the import. Where an engine cannot keep a value the same way the
comparison says so (canon.portable): -0.0 in MariaDB and SQLite, decimals beyond 15
significant digits in SQLite (NUMERIC affinity keeps a double), CHAR padding.
"""

import os
import sqlite3
from decimal import Decimal

import pyodbc

import fixtures as fx

DEC_MAX = fx.DEC_MAX
DEC_MIN = fx.DEC_MIN
UUID1, UUID0 = fx.UUID1, fx.UUID0
NASTY = fx.NASTY_TEXT
UNI = fx.UNICODE_TEXT

# The columns of table types per engine, in order (id first).
COLUMNS = {
    "sqlite": ["id", "c_bool", "c_small", "c_int", "c_big", "c_dec", "c_dec2", "c_real",
               "c_double", "c_char", "c_varchar", "c_text", "c_blob", "c_varbin", "c_date",
               "c_time", "c_ts"],
    "postgresql": ["id", "c_bool", "c_small", "c_int", "c_big", "c_dec", "c_dec2", "c_real",
                   "c_double", "c_char", "c_varchar", "c_text", "c_blob", "c_date", "c_time",
                   "c_ts", "c_tstz", "c_uuid", "c_json", "c_interval"],
    "mariadb": ["id", "c_bool", "c_small", "c_int", "c_big", "c_dec", "c_dec2", "c_real",
                "c_double", "c_char", "c_varchar", "c_text", "c_bin", "c_varbin", "c_blob",
                "c_date", "c_time", "c_ts", "c_tstz", "c_uuid", "c_enum"],
}

# Rows of table types as {column: value}; a column an engine lacks is ignored. Values an
# engine cannot hold the same way have per-engine variants {"sqlite": ..., "*": ...}.
ROWS = [
    {"id": 1, "c_bool": True, "c_small": 1, "c_int": 42, "c_big": 1234567890123,
     "c_dec": "12345.6789", "c_dec2": "-0.5", "c_real": 0.1, "c_double": 0.1, "c_char": "abc",
     "c_varchar": "plain", "c_text": "hello", "c_blob": b"\x00\x01\x02\xff\x00",
     "c_varbin": b"\x00\x10", "c_bin": b"\x00\x01", "c_date": "2024-02-29",
     "c_time": "10:11:12.123456", "c_ts": "2024-02-29 23:59:59.999999",
     "c_tstz": {"postgresql": "2024-06-30 22:30:00.123456+02",
                "*": "2024-06-30 22:30:00.123456"},
     "c_uuid": UUID1, "c_json": '{"a": [1, "x", null], "b": "ü😀"}',
     "c_interval": "1 day 02:03:04.5", "c_enum": "b c"},
    {"id": 2},
    {"id": 3, "c_bool": False, "c_small": 0, "c_int": 0, "c_big": 0, "c_dec": "0",
     "c_dec2": "0", "c_real": -0.0, "c_double": -0.0, "c_char": "", "c_varchar": "",
     "c_text": "", "c_blob": b"", "c_varbin": b"", "c_bin": b"", "c_date": "1900-01-01",
     "c_time": "00:00:00", "c_ts": "1970-01-02 00:00:00",
     "c_tstz": {"postgresql": "1970-01-02 00:00:00+00", "*": "1970-01-02 00:00:00"},
     "c_uuid": UUID0, "c_json": "{}", "c_interval": "0", "c_enum": "a"},
    {"id": 4, "c_small": -32768, "c_int": -2147483648, "c_big": -9223372036854775808,
     # SQLite keeps decimals as doubles: at most 15 significant digits survive there
     "c_dec": {"sqlite": "-99999999999.9999", "*": DEC_MIN}, "c_dec2": "-99999999.9999",
     # the SQLite ODBC driver reads doubles with 15 digits: values that need no more
     "c_real": {"sqlite": 1.5e300, "*": 3.4028234663852886e38},
     "c_double": {"sqlite": -2.5e-300, "*": 1.7976931348623157e308},
     "c_char": 'x"y,z', "c_varchar": NASTY, "c_text": "line1\r\nline2\rline3\n",
     "c_blob": bytes(range(256)), "c_varbin": bytes(range(16)), "c_bin": b"\xff\xff\xff\xff",
     "c_date": "9999-12-31", "c_time": "23:59:59.999999", "c_ts": "2000-01-01 12:00:00.000001",
     "c_tstz": {"postgresql": "2038-01-19 03:14:07.5+00", "*": "2038-01-19 03:14:07.5"},
     "c_json": "[]", "c_interval": "-3 years 2 mons", "c_enum": "ü"},
    {"id": 6, "c_bool": True, "c_small": 32767, "c_int": 2147483647,
     "c_big": 9223372036854775807, "c_dec": {"sqlite": "0.0000000001", "*": DEC_MAX},
     "c_dec2": "0.0001", "c_real": {"sqlite": 123456.789, "*": 1.401298464324817e-45},
     "c_double": 1e-300, "c_char": "😀", "c_varchar": UNI, "c_text": "\\x41 looks like hex",
     "c_blob": b"\x00" * 5, "c_varbin": b"\xff", "c_bin": b"\x00\x00", "c_date": "2000-02-29",
     "c_time": "12:00:00.5", "c_ts": "2024-06-30 22:30:00.123",
     "c_tstz": {"postgresql": "1999-12-31 23:59:59.999999+00", "*": "1999-12-31 23:59:59.999999"},
     "c_uuid": UUID1, "c_json": '"text"', "c_interval": "00:00:00.000001"},
    {"id": 7, "c_dec": "0.0000000001", "c_double": 5e-324, "c_char": " lead",
     "c_varchar": "trail ", "c_text": "NULL"},
    {"id": 8, "c_dec": "-0.0000000001", "c_real": -2.5, "c_text": "", "c_varchar": "'"},
]
DELETED_ID = 9          # inserted and deleted: the identity counter is beyond the maximum


def value(row, col, engine):
    v = row.get(col)
    if isinstance(v, dict):
        v = v.get(engine, v.get("*"))
    return v


# ------------------------------------------------------------------ DDL

SQLITE_DDL = fx.SQLITE_SAMPLE_TABLES

PG_DDL = [
    """CREATE TABLE customer (id integer PRIMARY KEY, name varchar(100) NOT NULL,
        email varchar(200) CONSTRAINT customer_email_key UNIQUE,
        country char(2) NOT NULL DEFAULT 'DE')""",
    "CREATE INDEX customer_name_idx ON customer (name)",
    """CREATE TABLE "order" (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        customer_id integer NOT NULL, "select" varchar(50),
        amount numeric(12,4) NOT NULL DEFAULT 0, note text,
        CONSTRAINT order_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id)
            ON DELETE CASCADE)""",
    """CREATE TABLE "My Table" ("Mixed Case" integer PRIMARY KEY, "with space" text,
        "lower" varchar(20))""",
    """CREATE TABLE types (id serial PRIMARY KEY, c_bool boolean, c_small smallint,
        c_int integer, c_big bigint, c_dec numeric(38,10), c_dec2 numeric(12,4), c_real real,
        c_double double precision, c_char char(10), c_varchar varchar(100), c_text text,
        c_blob bytea, c_date date, c_time time(6), c_ts timestamp(6), c_tstz timestamptz(6),
        c_uuid uuid, c_json jsonb, c_interval interval)""",
    "CREATE TABLE blobs (id integer PRIMARY KEY, name text, data bytea)",
]
PG_CAST = {"c_date": "date", "c_time": "time", "c_ts": "timestamp", "c_tstz": "timestamptz",
           "c_uuid": "uuid", "c_json": "jsonb", "c_interval": "interval"}

MY_DDL = [
    """CREATE TABLE customer (id int PRIMARY KEY, name varchar(100) NOT NULL,
        email varchar(200), country char(2) NOT NULL DEFAULT 'DE',
        CONSTRAINT customer_email_key UNIQUE (email), INDEX customer_name_idx (name))""",
    """CREATE TABLE `order` (id int AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL,
        `select` varchar(50), amount decimal(12,4) NOT NULL DEFAULT 0, note text,
        CONSTRAINT order_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id)
            ON DELETE CASCADE)""",
    """CREATE TABLE `My Table` (`Mixed Case` int PRIMARY KEY, `with space` text,
        `lower` varchar(20))""",
    """CREATE TABLE types (id int AUTO_INCREMENT PRIMARY KEY, c_bool boolean,
        c_small smallint, c_int int, c_big bigint, c_dec decimal(38,10), c_dec2 decimal(12,4),
        c_real float, c_double double, c_char char(10), c_varchar varchar(100),
        c_text longtext, c_bin binary(4), c_varbin varbinary(16), c_blob longblob,
        c_date date, c_time time(6), c_ts datetime(6), c_tstz timestamp(6) NULL DEFAULT NULL,
        c_uuid uuid, c_enum enum('a', 'b c', 'ü'))""",
    "CREATE TABLE blobs (id int PRIMARY KEY, name text, data longblob)",
]


def _blob_rows(seed):
    return [(1, "one megabyte", fx.det_bytes(seed, fx.BLOB_SIZE)), (2, "empty", b""),
            (3, "null", None), (4, "zeros", b"\x00" * 64)]


def _check(cur, what):
    # MariaDB Connector/ODBC can report a failed INSERT as 0 rows without an error
    if cur.rowcount not in (1, -1):
        raise RuntimeError("%s: %s rows inserted, want 1" % (what, cur.rowcount))


def make_sqlite(path, seed):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript(SQLITE_DDL)
    db.executemany("INSERT INTO customer VALUES (?, ?, ?, ?)", fx.CUSTOMERS)
    for o in fx.ORDERS:
        db.execute('INSERT INTO "order" (customer_id, "select", amount, note) VALUES (?, ?, ?, ?)',
                   (o[0], o[1], str(o[2]), o[3]))
    db.execute('DELETE FROM "order" WHERE id IN (3, 5)')
    db.executemany('INSERT INTO "My Table" VALUES (?, ?, ?)', fx.MY_TABLE)
    cols = COLUMNS["sqlite"]
    for row in ROWS + [{"id": DELETED_ID, "c_text": "deleted"}]:
        vals = [value(row, c, "sqlite") for c in cols]
        vals = [int(v) if isinstance(v, bool) else str(v) if isinstance(v, Decimal) else v
                for v in vals]
        db.execute("INSERT INTO types (%s) VALUES (%s)"
                   % (", ".join(cols), ", ".join("?" * len(cols))), vals)
    db.execute("DELETE FROM types WHERE id = ?", (DELETED_ID,))
    db.executemany("INSERT INTO blobs VALUES (?, ?, ?)", _blob_rows(seed))
    db.commit()
    db.close()


def fresh_db(admin_conn, base_conn, dbname, drop, create):
    """Drop and create dbname through admin_conn; (connection, cursor) on the new one."""
    admin = pyodbc.connect(admin_conn, autocommit=True)
    admin.cursor().execute(drop % dbname)
    admin.cursor().execute(create % dbname)
    admin.close()
    cn = pyodbc.connect(base_conn + ";Database=" + dbname, autocommit=True)
    return cn, cn.cursor()


def make_pg(base_conn, dbname, seed):
    cn, cur = fresh_db(base_conn + ";Database=postgres", base_conn, dbname,
                       "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                       "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0")
    cur.execute("SET TIME ZONE 'UTC'")
    for ddl in PG_DDL:
        cur.execute(ddl)
    cur.executemany("INSERT INTO customer VALUES (?, ?, ?, ?)", fx.CUSTOMERS)
    for o in fx.ORDERS:
        cur.execute('INSERT INTO "order" (customer_id, "select", amount, note) VALUES (?, ?, ?, ?)',
                    *o)
    cur.execute('DELETE FROM "order" WHERE id IN (3, 5)')
    cur.executemany('INSERT INTO "My Table" VALUES (?, ?, ?)', fx.MY_TABLE)
    cols = COLUMNS["postgresql"]
    marks = ", ".join("?::%s" % PG_CAST[c] if c in PG_CAST else "?" for c in cols)
    for row in ROWS + [{"id": DELETED_ID, "c_text": "deleted"}]:
        vals = [value(row, c, "postgresql") for c in cols]
        vals = [Decimal(v) if c in ("c_dec", "c_dec2") and isinstance(v, str) else v
                for c, v in zip(cols, vals)]
        cur.execute("INSERT INTO types (%s) VALUES (%s)" % (", ".join(cols), marks), *vals)
    cur.execute("SELECT setval(pg_get_serial_sequence('types', 'id'), %d)" % DELETED_ID)
    cur.execute("DELETE FROM types WHERE id = %d" % DELETED_ID)
    cur.executemany("INSERT INTO blobs VALUES (?, ?, ?)", _blob_rows(seed))
    cn.close()


def make_my(base_conn, dbname, seed):
    cn, cur = fresh_db(base_conn, base_conn, dbname, "DROP DATABASE IF EXISTS %s",
                       "CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    cur.execute("SET time_zone = '+00:00'")
    for ddl in MY_DDL:
        cur.execute(ddl)
    for c in fx.CUSTOMERS:
        cur.execute("INSERT INTO customer VALUES (?, ?, ?, ?)", *c)
        _check(cur, "customer")
    for o in fx.ORDERS:
        cur.execute("INSERT INTO `order` (customer_id, `select`, amount, note) VALUES (?, ?, ?, ?)",
                    *o)
        _check(cur, "order")
    cur.execute("DELETE FROM `order` WHERE id IN (3, 5)")
    for r in fx.MY_TABLE:
        cur.execute("INSERT INTO `My Table` VALUES (?, ?, ?)", *r)
        _check(cur, "My Table")
    cols = COLUMNS["mariadb"]
    for row in ROWS + [{"id": DELETED_ID, "c_text": "deleted"}]:
        vals = [value(row, c, "mariadb") for c in cols]
        vals = [Decimal(v) if c in ("c_dec", "c_dec2") and isinstance(v, str) else v
                for c, v in zip(cols, vals)]
        cur.execute("INSERT INTO types (%s) VALUES (%s)"
                    % (", ".join(cols), ", ".join("?" * len(cols))), *vals)
        _check(cur, "types id %s" % row["id"])
    cur.execute("DELETE FROM types WHERE id = %d" % DELETED_ID)
    for r in _blob_rows(seed):
        cur.execute("INSERT INTO blobs VALUES (?, ?, ?)", *r)
        _check(cur, "blobs")
    cn.close()


def make_files(root, tag):
    """A small files folder: unicode names, an empty file, empty folders, a hidden file,
    binary content with 0x00, fixed modification times."""
    tree = {
        "Briefe/Brief an Müller.txt": ("Sehr geehrter Herr Müller,\r\n%s\n" % tag).encode(),
        "Größe ü 😀.txt": "Größe ü 😀\n".encode(),
        "empty.txt": b"",
        ".hidden": b"dot file\n",
        "a/b/deep.bin": fx.det_bytes("files-" + tag, 20000),
    }
    fx.write_tree(root, tree, ("Leer", "a/b/c-empty"))
    for i, rel in enumerate(sorted(tree)):
        os.utime(os.path.join(root, rel), ns=(fx.MTIME_NS, fx.MTIME_NS + i * 1000000007))
