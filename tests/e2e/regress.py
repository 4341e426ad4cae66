"""Regression tests for the fixes of the code review (run.py group "regress").

Each test asserts behaviour that failed before the fix (commit 0285b5d) and must hold now,
with the real ./ofbackup against the private PostgreSQL and MariaDB servers of the run:

  1  MariaDB import of a row holding a value strict mode refuses only as a warning (the
     ENUM error value ''): exit 1 naming the table (before: whole batches dropped, exit 0)
  2  MariaDB backup of tables whose primary key does not compare as it sorts (ENUM first
     column; FLOAT): every row exactly once (before: rows lost or doubled between chunks)
  3  SQLite values a typed target would round (12.345 in DECIMAL(10,2), 1.5 in INTEGER):
     the import fails naming the column (before: 12.35 / 2 went in silently)
  4  PostgreSQL 'infinity' / '-infinity' dates and timestamps survive a PG -> PG round
     trip (before: 9999-12-31)
  5  a PostgreSQL column drawing from a sequence it does not own continues after it on
     import (before: from 1); into MariaDB the import succeeds
  6  a files folder registered with a trailing slash: restore --replace puts the files in
     place (before: the database was replaced, then the files failed with EINVAL)
  7  a view in another schema on a client table: backed up with the database, restored by
     restore --replace; a view made after the backup is saved in the safety package
     (before: it was not backed up, and a replace dropped it unsaved)
  8  a target files folder holding a name that is not UTF-8 and a symbolic link: restore
     --replace keeps the old folder aside, exit 3 (before: they were lost)
  9  SQLite REAL extremes and text in REAL/BOOLEAN columns: a SQLite -> SQLite round trip
     keeps every value and storage class
 15  MariaDB foreign keys of two columns, to a unique key that is not the primary key, and
     several on one table: backed up whole (before: a two-column key was split, its
     second column given to another key, a key to a unique key left out), and made again
     in PostgreSQL and SQLite (before: a key to a table sorted later failed in
     PostgreSQL, its unique index not made yet)
  +  the safety package of a --replace restore has mode 0600

Everything lives in its own installation (login database, clients, configuration) below
the run's temporary folder and in databases named ofb_rg_*, dropped at the end.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import time
import zipfile
from decimal import Decimal

import pyodbc

import canon
import fixtures as fx
from fixtures import SECRET
from restore import Res, Scenario, flip_byte, write_ini

PW_ENV = "OFB_E2E_DB_PASSWORD"
CMD_TIMEOUT = 120
PG_DBS = ("ofb_rg_inf", "ofb_rg_inf_dst", "ofb_rg_seq", "ofb_rg_seq_dst", "ofb_rg_view",
          "ofb_rg_dec_pg", "ofb_rg_bulk", "ofb_rg_bulk_dst", "ofb_rg_long_pg", "ofb_rg_fk_pg",
          "ofb_rg_sch", "ofb_rg_sch_dst", "ofb_rg_pk_pg",
          "ofb_rg_slk_pg", "ofb_rg_case", "ofb_rg_case_pg", "ofb_rg_lock",
          "ofb_rg_flat", "ofb_rg_bulk_dup", "ofb_rg_late", "ofb_rg_stop_pg",
          "ofb_rg_parts_pg", "ofb_rg_parts_dst")
MY_DBS = ("ofb_rg_enum", "ofb_rg_enum_dst", "ofb_rg_keys", "ofb_rg_dec_my",
          "ofb_rg_int_my", "ofb_rg_seq_my", "ofb_rg_long_my", "ofb_rg_latin",
          "ofb_rg_latin_dst", "ofb_rg_lit", "ofb_rg_lit_dst", "ofb_rg_lit_l1",
          "ofb_rg_lit_text", "ofb_rg_fk", "ofb_rg_pk", "ofb_rg_case_my",
          "ofb_rg_flat_my", "ofb_rg_obj_my", "ofb_rg_obj_dst", "ofb_rg_stop_src",
          "ofb_rg_stop_dst", "ofb_rg_parts_my", "ofb_rg_parts_nul")

# 27: values longer than 4 MiB read in parts: bytes of three parts (4 MiB each), text of
# five (1 Mi characters each) whose characters take one to four bytes
PART_MD5S = 562500
PART_TEXT = "aä€😀"
PART_REPEAT = 1200000


def part_bytes(tag):
    """The bytes the fixtures of regress 27 make: the md5 digests of tag1, tag2, ..."""
    return b"".join(hashlib.md5(b"%s%d" % (tag, j)).digest() for j in range(1, PART_MD5S + 1))


# 10: more rows than one batch of arrays (10,000) holds, and values array literals quote
BULK_ROWS = 25000
# 10: rows of about 100 KB of bytes (two batches and more)
DOC_ROWS = 60
DOC_BYTES = 100000
# 10: rows of tables of eight columns, most small (more than a VALUES statement holds)
MIXED_ROWS = 12000
BULK_TEXTS = ['a "quoted", {braced} text', "back\\slash \\\"", "NULL", "", " lead, trail ",
              "line\nbreak\ttab", "Straße 😀", "{}", "\"\"", "x" * 300]
LONG_ROWS = 25000
LATIN_NAMES = ("Müller", "Strauß")
LONG_BAD_ID = 17000
# 24: rows of a MariaDB table beside a routine
OBJ_ROWS = 20000
# 25: rows enough for an import to be interrupted while it loads them
INT_ROWS = 400000

# 14: MariaDB rows go as statements of literals, every other one on a second connection:
# texts that would end or escape a literal, or that a driver might read as a marker
LIT_ROWS = 30000
LIT_TEXTS = BULK_TEXTS + ["'", "''", "\\", "\\'", "\\'?", "'; DROP TABLE lit; -- ",
                          "?", "{fn now()}", "{d '2020-01-01'}", "/* x", "*/", "# no comment",
                          "\x1a", "\r\n", "\\0", "\\Z", "_utf8mb4'x'", "X'00'", "\\N",
                          "`", "\"", "🎉 𝄞 日本語"]
LIT_LONG_ID = 12345      # a value of 1.5 MB: too long for a statement of literals
LIT_LOG_ROWS = 15000     # a table without primary key: its rows keep their order

# 15: each table's foreign keys as (name, columns, referenced table, referenced columns,
# on update, on delete), ordered by name
FK_KEYS = {
    "child": [("a_unique", ["pu"], "parent", ["u"], "RESTRICT", "RESTRICT"),
              ("m_one", ["qid"], "other", ["id"], "RESTRICT", "RESTRICT"),
              ("m_two", ["Q2"], "other", ["id"], "CASCADE", "RESTRICT"),
              ("z_pair", ["pa", "pb"], "parent", ["a", "b"], "SET NULL", "CASCADE")],
    "other": [], "parent": [],
}

ENUM_ROWS = 1200
ENUM_BAD_ID = 700
FLOAT_ROWS = 12000
BAD_NAME = b"bad\xff.txt"


def float_keys(n):
    """n distinct values like 500.01 whose float (binary32) lies above the decimal text:
    the shortest text of each compares below the stored value, so a keyset condition
    `k > <last key as text>` takes the last row of a chunk again."""
    out, i = [], 500
    while len(out) < n:
        text = "%d.01" % i
        f32 = struct.unpack("<f", struct.pack("<f", float(text)))[0]
        if Decimal(f32) > Decimal(text):
            out.append(text)
        i += 1
    return out


class Regress:
    def __init__(self, suite, failed_cls, group="regress"):
        """A group's own installation below the run's folder, in <group>/."""
        self.suite = suite
        self.runner = suite.r
        self.Failed = failed_cls
        self.pg_base = suite.servers.pg
        self.my_base = suite.servers.my
        self.root = os.path.join(suite.root, group)
        self.cwd = os.path.join(self.root, "cwd")
        self.backups = os.path.join(self.root, "backups")
        self.login = os.path.join(self.root, "login.db")
        self.cfg = os.path.join(self.root, "ofbackup.ini")
        self.st = {}

    # ------------------------------------------------------------ basics

    def require(self, cond, msg):
        if not cond:
            raise self.Failed(msg)

    def run(self, *args):
        path = self.suite.tool.path
        self.require(os.path.isfile(path) and os.access(path, os.X_OK),
                     "ofbackup binary not found at %s (build it with make)" % path)
        try:
            r = subprocess.run([path] + list(args), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=CMD_TIMEOUT, env=self.env(), cwd=self.cwd)
        except subprocess.TimeoutExpired:
            raise self.Failed("ofbackup %s: no result within %ds" % (" ".join(args),
                                                                   CMD_TIMEOUT))
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        self.suite.tool.outputs.append((" ".join(args), out, err))
        return Res(self, args, r.returncode, out, err)

    @staticmethod
    def env():
        env = dict(os.environ)
        env.pop("OFBACKUP_CONFIG", None)
        env["LC_ALL"] = "C.UTF-8"
        env[PW_ENV] = SECRET
        return env

    def pg(self, db):
        return self.pg_base + ";Database=" + db

    def my(self, db):
        return self.my_base + ";Database=" + db

    @staticmethod
    def nopw(conn):
        return fx.Installation.strip_password(conn)

    pg_dbs, my_dbs = PG_DBS, MY_DBS     # the databases of this group, dropped at the end

    def drop_all_quietly(self):
        """drop_all at the end of a group: a server gone by then is not the group's fault."""
        try:
            self.drop_all()
        except pyodbc.Error:
            pass

    def drop_all(self):
        cn = pyodbc.connect(self.pg("postgres"), autocommit=True)
        for d in self.pg_dbs:
            cn.cursor().execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % d)
        cn.close()
        cn = pyodbc.connect(self.my_base, autocommit=True)
        for d in self.my_dbs:
            cn.cursor().execute("DROP DATABASE IF EXISTS %s" % d)
        cn.close()

    def db_exists(self, engine, name):
        if engine == "postgresql":
            cn = pyodbc.connect(self.pg("postgres"), autocommit=True)
            sql = "SELECT 1 FROM pg_database WHERE datname = ?"
        else:
            cn = pyodbc.connect(self.my_base, autocommit=True)
            sql = "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?"
        try:
            return cn.cursor().execute(sql, name).fetchone() is not None
        finally:
            cn.close()

    def create_pg(self, db):
        cn = pyodbc.connect(self.pg("postgres"), autocommit=True)
        cn.cursor().execute("CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0" % db)
        cn.close()
        cn = pyodbc.connect(self.pg(db), autocommit=True)
        cn.cursor().execute("SET TIME ZONE 'UTC'")
        return cn

    def fixture(self, engine, db, statements):
        """A new database of engine holding what statements make: its connection string and
        a files folder, as add takes them."""
        cn = self.create_pg(db) if engine == "postgresql" else self.create_my(db)
        cur = cn.cursor()
        for sql in statements:
            cur.execute(sql)
        cn.close()
        return (self.pg(db) if engine == "postgresql" else self.my(db),
                self.files_dir(db.replace("ofb_", "").replace("_", "-")))

    def create_my(self, db):
        cn = pyodbc.connect(self.my_base, autocommit=True)
        cn.cursor().execute("CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" % db)
        cn.close()
        return pyodbc.connect(self.my(db), autocommit=True)

    def files_dir(self, cid):
        d = os.path.join(self.root, "files", cid)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "good.txt"), "wb") as f:
            f.write(("files of %s\n" % cid).encode())
        os.makedirs(os.path.join(d, "Briefe"), exist_ok=True)
        with open(os.path.join(d, "Briefe", "Brief ü.txt"), "wb") as f:
            f.write(b"Sehr geehrte Damen und Herren\n")
        return d

    def sqlite_client(self, name, ddl, rows_sql):
        path = os.path.join(self.root, "db", name + ".db")
        db = sqlite3.connect(path)
        db.executescript(ddl)
        for sql, args in rows_sql:
            db.execute(sql, args)
        db.commit()
        db.close()
        return "Driver=SQLite3;Database=" + path

    def export(self, cid):
        pkg = os.path.join(self.root, "out", "export-%s.zip" % cid)
        if os.path.exists(pkg):
            os.remove(pkg)
        self.run("-c", self.cfg, "export", cid, "-o", pkg).expect(0)
        self.require(os.path.isfile(pkg), "no package at %s" % pkg)
        return pkg

    def config(self, extra_ids=()):
        """The INI: every registered client and every id about to be imported gets its
        password from $OFB_E2E_DB_PASSWORD (the registry holds none)."""
        db = sqlite3.connect(self.login)
        ids = [r[0] for r in db.execute("SELECT id FROM clients")]
        db.close()
        return write_ini(self.cfg, "Driver=SQLite3;Database=" + self.login,
                         {i: {"password_env": PW_ENV} for i in sorted(set(ids) | set(extra_ids))},
                         self.backups)

    def import_(self, pkg, newid, conn, expect=None):
        self.config([newid])
        files = os.path.join(self.root, "imported", newid)
        shutil.rmtree(files, ignore_errors=True)
        r = self.run("-c", self.cfg, "import", pkg, "--as", newid, "--connect", self.nopw(conn),
                     "--files", files)
        if expect is not None:
            r.expect(*expect)
        return r

    def safety_package(self, r):
        found = re.findall(r"[^\s'\"`<>()\[\]{},;]*ofbackup-replaced-[^\s'\"`<>()\[\]{},;]*\.zip",
                           r.text)
        self.require(found, "no ofbackup-replaced-...zip path printed; output: %s"
                     % " ".join(r.text.split())[-300:])
        p = found[-1]
        return p if os.path.isabs(p) else os.path.join(self.cwd, p)

    def registered(self, cid):
        db = sqlite3.connect(self.login)
        try:
            return db.execute("SELECT 1 FROM clients WHERE id = ?", (cid,)).fetchone() is not None
        finally:
            db.close()

    # ------------------------------------------------------------ the installation

    def prepare(self):
        shutil.rmtree(self.root, ignore_errors=True)
        for d in ("cwd", "backups", "db", "files", "out", "imported"):
            os.makedirs(os.path.join(self.root, d))
        self.drop_all()
        reg = []

        def add(cid, conn, files):
            reg.append((cid, "Regress %s" % cid, self.nopw(conn), files, 0))

        # 1: a MariaDB row holding the ENUM error value '' (possible only outside strict mode)
        cn = self.create_my("ofb_rg_enum")
        cur = cn.cursor()
        cur.execute("SET SESSION sql_mode = ''")
        cur.execute("CREATE TABLE enum_rows (id int PRIMARY KEY, kind enum('a','b') NOT NULL, "
                    "note varchar(40))")
        vals = ",".join("(%d,'%s','row %d')" % (i, "zzz" if i == ENUM_BAD_ID else "ab"[i % 2], i)
                        for i in range(1, ENUM_ROWS + 1))
        cur.execute("INSERT INTO enum_rows VALUES " + vals)
        cur.execute("SELECT COUNT(*), SUM(kind = ''), MIN(IF(kind = '', id, NULL)) FROM enum_rows")
        n, bad, at = cur.fetchone()
        cn.close()
        if (int(n), int(bad or 0), at) != (ENUM_ROWS, 1, ENUM_BAD_ID):
            raise RuntimeError("enum_rows: %s rows, %s with '' (at %s)" % (n, bad, at))
        add("rg-enum", self.my("ofb_rg_enum"), self.files_dir("rg-enum"))

        # 2: MariaDB keys that do not compare as they sort
        cn = self.create_my("ofb_rg_keys")
        cur = cn.cursor()
        cur.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
        cur.execute("CREATE TABLE doc (kind enum('invoice','credit') NOT NULL, no int NOT NULL, "
                    "note varchar(20), PRIMARY KEY (kind, no))")
        rows = [("invoice", i) for i in range(1, 7001)] + [("credit", i) for i in range(1, 3001)]
        for k in range(0, len(rows), 2000):
            cur.execute("INSERT INTO doc VALUES " + ",".join(
                "('%s',%d,'n%d')" % (kind, no, no) for kind, no in rows[k:k + 2000]))
        cur.execute("CREATE TABLE fkey (k float NOT NULL PRIMARY KEY, label varchar(20))")
        keys = float_keys(FLOAT_ROWS)
        self.st["float_keys"] = keys
        for k in range(0, len(keys), 3000):
            cur.execute("INSERT INTO fkey VALUES " + ",".join(
                "(%s,'k%s')" % (v, v) for v in keys[k:k + 3000]))
        for t, want in (("doc", 10000), ("fkey", FLOAT_ROWS)):
            cur.execute("SELECT COUNT(*), COUNT(DISTINCT %s) FROM %s"
                        % ("kind, no" if t == "doc" else "k", t))
            got = tuple(int(x) for x in cur.fetchone())
            if got != (want, want):
                raise RuntimeError("%s: %s rows/distinct keys, want %d" % (t, got, want))
        cn.close()
        add("rg-keys", self.my("ofb_rg_keys"), self.files_dir("rg-keys"))

        # 3: SQLite values a typed engine would round
        add("rg-dec", self.sqlite_client(
            "dec", "CREATE TABLE amounts (id INTEGER PRIMARY KEY, amount_dec DECIMAL(10,2));",
            [("INSERT INTO amounts VALUES (?, ?)", (1, 12.5)),
             ("INSERT INTO amounts VALUES (?, ?)", (2, 12.345)),
             ("INSERT INTO amounts VALUES (?, ?)", (3, 7))]), self.files_dir("rg-dec"))
        add("rg-int", self.sqlite_client(
            "int", "CREATE TABLE counts (id INTEGER PRIMARY KEY, qty_int INTEGER);",
            [("INSERT INTO counts VALUES (?, ?)", (1, 3)),
             ("INSERT INTO counts VALUES (?, ?)", (2, 1.5))]), self.files_dir("rg-int"))
        for path, sql, want in ((os.path.join(self.root, "db", "dec.db"),
                                 "SELECT typeof(amount_dec), amount_dec FROM amounts WHERE id = 2",
                                 ("real", 12.345)),
                                (os.path.join(self.root, "db", "int.db"),
                                 "SELECT typeof(qty_int), qty_int FROM counts WHERE id = 2",
                                 ("real", 1.5))):
            db = sqlite3.connect(path)
            got = db.execute(sql).fetchone()
            db.close()
            if tuple(got) != want:
                raise RuntimeError("%s: %s, want %s" % (path, got, want))

        # 4: PostgreSQL infinity
        cn = self.create_pg("ofb_rg_inf")
        cur = cn.cursor()
        cur.execute("CREATE TABLE moments (id int PRIMARY KEY, ts timestamp, tstz timestamptz, "
                    "d date)")
        cur.execute("INSERT INTO moments VALUES "
                    "(1, 'infinity', 'infinity', 'infinity'), "
                    "(2, '-infinity', '-infinity', '-infinity'), "
                    "(3, '2024-01-02 03:04:05', '2024-01-02 03:04:05+00', '2024-01-02')")
        cn.close()
        add("rg-inf", self.pg("ofb_rg_inf"), self.files_dir("rg-inf"))

        # 5: a column drawing from a sequence it does not own
        cn = self.create_pg("ofb_rg_seq")
        cur = cn.cursor()
        cur.execute("CREATE SEQUENCE invoice_no_seq")
        cur.execute("CREATE TABLE invoice (id serial PRIMARY KEY, "
                    "no int DEFAULT nextval('invoice_no_seq'), note varchar(40))")
        cur.execute("SELECT setval('invoice_no_seq', 4711)")
        cur.execute("INSERT INTO invoice (note) VALUES ('a'), ('b'), ('c')")
        cur.execute("SELECT max(no), (SELECT last_value FROM invoice_no_seq), "
                    "pg_get_serial_sequence('invoice', 'no') FROM invoice")
        mx, last, owned = cur.fetchone()
        cn.close()
        if (mx, last, owned) != (4714, 4714, None):
            raise RuntimeError("invoice: max(no) %s, sequence at %s, owned by %s"
                               % (mx, last, owned))
        add("rg-seq", self.pg("ofb_rg_seq"), self.files_dir("rg-seq"))

        # 6: a files folder registered with a trailing slash
        add("rg-slash", self.sqlite_client(
            "slash", "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);",
            [("INSERT INTO note VALUES (?, ?)", (1, "slash"))]),
            self.files_dir("rg-slash") + "/")

        # 7: a view in another schema depending on a client table
        cn = self.create_pg("ofb_rg_view")
        cur = cn.cursor()
        cur.execute("CREATE TABLE invoice (id int PRIMARY KEY, amount numeric(10,2))")
        cur.execute("INSERT INTO invoice VALUES (1, 10.50), (2, 20.00)")
        cur.execute("CREATE SCHEMA report")
        cur.execute("CREATE VIEW report.open_invoices AS SELECT id, amount FROM public.invoice")
        cn.close()
        add("rg-view", self.pg("ofb_rg_view"), self.files_dir("rg-view"))

        # 8: a files folder that will hold a name that is not UTF-8 and a link
        add("rg-bad", self.sqlite_client(
            "bad", "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);",
            [("INSERT INTO note VALUES (?, ?)", (1, "bad"))]), self.files_dir("rg-bad"))

        # 9: SQLite REAL extremes and text in typed columns
        add("rg-real", self.sqlite_client(
            "real", "CREATE TABLE vals (id INTEGER PRIMARY KEY, v REAL, b BOOLEAN);",
            [("INSERT INTO vals VALUES (?, ?, ?)", r) for r in REAL_ROWS]),
            self.files_dir("rg-real"))
        got = sqlite_rows(os.path.join(self.root, "db", "real.db"))
        if [(g[1], g[3]) for g in got] != [("real", "integer"), ("real", "integer"),
                                           ("real", "null"), ("text", "text"),
                                           ("text", "null")]:
            raise RuntimeError("vals storage classes %s" % got)
        self.st["real_rows"] = got

        # 10: PostgreSQL tables loaded as arrays (and one as VALUES: an array column)
        cn = self.create_pg("ofb_rg_bulk")
        cur = cn.cursor()
        cur.execute("CREATE TABLE bulk (id bigint PRIMARY KEY, t text, c char(3), v varchar(12), "
                    "b bytea, n numeric(10,2), at timestamp, ok boolean)")
        cur.execute("CREATE TABLE ranks (id int PRIMARY KEY, r int[], tags text[])")
        cur.execute("INSERT INTO ranks VALUES (1, '{1,2,3}', '{\"a b\",NULL}'), "
                    "(2, '{{1,2},{3,4}}', '{}'), (3, NULL, NULL)")
        # box elements are separated by ';' in array literals
        cur.execute("CREATE TABLE boxes (id int PRIMARY KEY, b box)")
        cur.execute("INSERT INTO boxes VALUES (1, '((0,0),(1,1))'), (2, '((2,2),(3,3))'), "
                    "(3, NULL)")
        # a function of the package named unnest must not stand in for the engine's
        cur.execute("CREATE FUNCTION public.unnest(a text[]) RETURNS SETOF text AS "
                    "$$ SELECT upper(x) FROM pg_catalog.unnest(a) x $$ LANGUAGE sql")
        cur.execute("CREATE TABLE notes (body text)")
        cur.execute("INSERT INTO notes VALUES ('hello'), ('world')")
        # mostly bytes: bound one value a parameter in binary, not as hex in arrays, in
        # batches of a few MB
        cur.execute("CREATE TABLE docs (id int PRIMARY KEY, body bytea)")
        for i in range(1, DOC_ROWS + 1):
            cur.execute("INSERT INTO docs VALUES (?, ?)",
                        (i, None if i % 13 == 0 else b"" if i % 17 == 0 else
                         fx.det_bytes(i, DOC_BYTES - i)))
        # the first row mostly bytes, then many small rows of eight columns: VALUES
        # batches bounded by the parameters a statement takes, not by the arrays' rows
        cur.execute("CREATE TABLE mixed (id int PRIMARY KEY, a int, b int, c int, d int, "
                    "e text, f text, body bytea)")
        cur.execute("INSERT INTO mixed SELECT i, i, -i, i %% 7, i * 3, 'e' || i, NULL, "
                    "CASE WHEN i = 1 THEN decode(repeat('ab', 2000), 'hex') WHEN i %% 5 = 0 "
                    "THEN decode(md5(i::text), 'hex') END FROM generate_series(1, %d) i"
                    % MIXED_ROWS)
        # small rows of arrays, then a text of more than 1 MiB (sent in pieces, so its
        # batch goes as VALUES), then more small rows
        cur.execute("CREATE TABLE longtext (id int PRIMARY KEY, a int, b int, c int, d int, "
                    "e int, f int, body text)")
        cur.execute("INSERT INTO longtext SELECT i, i, i, i, i, i, i, CASE WHEN i = %d THEN "
                    "repeat('Grüße ', 220000) ELSE 'n' || i END FROM generate_series(1, %d) i"
                    % (MIXED_ROWS // 2, MIXED_ROWS))
        rows = []
        for i in range(1, BULK_ROWS + 1):
            rows.append((i, None if i % 7 == 0 else BULK_TEXTS[i % len(BULK_TEXTS)],
                         None if i % 11 == 0 else "ab"[: i % 3],
                         "v%d" % i, None if i % 5 == 0 else bytes([i % 256, 0, 92, 34]) * (i % 4),
                         Decimal(i) / 4, "2026-01-01 00:00:00", i % 2 == 0))
        for k in range(0, len(rows), 100):
            part = rows[k:k + 100]
            cur.execute("INSERT INTO bulk VALUES " + ",".join(["(?,?,?,?,?,?,?,?)"] * len(part)),
                        [x for r in part for x in r])
        cn.close()
        add("rg-bulk", self.pg("ofb_rg_bulk"), self.files_dir("rg-bulk"))

        # 11: a value too long for its PostgreSQL column far into a table of three batches
        add("rg-long", self.sqlite_client(
            "long", "CREATE TABLE words (id INTEGER PRIMARY KEY, word VARCHAR(5));",
            [("INSERT INTO words VALUES (?, ?)",
              (i, "toolong" if i == LONG_BAD_ID else "w%d" % (i % 1000)))
             for i in range(1, LONG_ROWS + 1)]), self.files_dir("rg-long"))

        # 14: MariaDB rows as literals, on two connections
        cn = self.create_my("ofb_rg_lit")
        cur = cn.cursor()
        cur.execute("CREATE TABLE lit (id int PRIMARY KEY, t mediumtext, b blob, ok boolean, "
                    "n decimal(10,2))")
        rows = []
        for i in range(1, LIT_ROWS + 1):
            text = None if i % 13 == 0 else LIT_TEXTS[i % len(LIT_TEXTS)]
            if i == LIT_LONG_ID:
                text = "long '\\ " * 150000
            rows.append((i, text, None if i % 17 == 0 else bytes([i % 256, 39, 92, 0, 63]),
                         None if i % 19 == 0 else i % 2, Decimal(i) / 4))
        for k in range(0, len(rows), 500):
            part = rows[k:k + 500]
            cur.execute("INSERT INTO lit VALUES " + ",".join(["(?,?,?,?,?)"] * len(part)),
                        [x for r in part for x in r])
        # a statement longer than 32 KiB without '?' or ';' ending in WHERE CURRENT OF:
        # the connector reads its end alone, for a positioned update
        cur.execute("CREATE TABLE cur (id int PRIMARY KEY, t text)")
        cur.execute("INSERT INTO cur VALUES " + ",".join(["(?,?)"] * 100),
                    [x for i in range(1, 101) for x in (
                        i, "a" * 400 if i < 100 else "note WHERE CURRENT OF SQL_CUR1")])
        # rows that are mostly bytes go as parameters, not as hex
        cur.execute("CREATE TABLE docs (id int PRIMARY KEY, d mediumblob)")
        cur.execute("INSERT INTO docs VALUES " + ",".join(["(?,?)"] * 50),
                    [x for i in range(1, 51) for x in (i, bytes([i, 0, 39, 92]) * 700)])
        # MyISAM keeps rows in the order they went in, primary key or not
        cur.execute("CREATE TABLE heap (id int PRIMARY KEY, note varchar(20)) ENGINE=MyISAM")
        cur.execute("INSERT INTO heap VALUES " + ",".join("(%d,'h')" % ((i * 7919) % 3000)
                                                        for i in range(3000)))
        cur.execute("CREATE TABLE log (seq int NOT NULL, note varchar(20))")
        order = [(i * 7919) % LIT_LOG_ROWS for i in range(LIT_LOG_ROWS)]
        for k in range(0, len(order), 1000):
            part = order[k:k + 1000]
            cur.execute("INSERT INTO log VALUES " + ",".join(["(?,?)"] * len(part)),
                        [x for q in part for x in (q, "n%d" % q)])
        cn.close()
        add("rg-lit", self.my("ofb_rg_lit"), self.files_dir("rg-lit"))
        cn = self.create_my("ofb_rg_lit_text")
        cn.cursor().execute("CREATE TABLE u (id int PRIMARY KEY, t text)")
        for k in range(0, 3000, 500):
            cn.cursor().execute("INSERT INTO u VALUES " + ",".join(["(?,?)"] * 500),
                                [x for i in range(k + 1, k + 501)
                                 for x in (i, LIT_TEXTS[i % len(LIT_TEXTS)])])
        cn.close()
        add("rg-lit-text", self.my("ofb_rg_lit_text"), self.files_dir("rg-lit-text"))

        # 12: a MariaDB client whose connection string asks for latin1 results
        cn = self.create_my("ofb_rg_latin")
        cn.cursor().execute("CREATE TABLE names (id int PRIMARY KEY, name varchar(40)) "
                            "CHARACTER SET utf8mb4")
        cn.cursor().execute("INSERT INTO names VALUES (1, ?), (2, ?)", LATIN_NAMES)
        cn.close()
        add("rg-latin", self.my("ofb_rg_latin") + ";CHARSET=latin1", self.files_dir("rg-latin"))

        # 13: SQLite TEXT holding bytes that are not UTF-8 (SQLite keeps what it is given)
        add("rg-bytes", self.sqlite_client(
            "bytes", "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT);"
            "INSERT INTO t VALUES (1, CAST(X'66E46F' AS TEXT)), (2, 'ok');", []),
            self.files_dir("rg-bytes"))

        # 15: foreign keys of two columns, to a unique key, several on a table that sorts
        # before the one it references
        add("rg-fk", *self.fixture("mariadb", "ofb_rg_fk", [
            "CREATE TABLE parent (a int, b int, u int, PRIMARY KEY (a, b), UNIQUE KEY uq (u)) "
            "ENGINE=InnoDB",
            "CREATE TABLE other (id int PRIMARY KEY) ENGINE=InnoDB",
            "CREATE TABLE child (id int PRIMARY KEY, pa int, pb int, pu int, qid int, Q2 int, "
            "CONSTRAINT z_pair FOREIGN KEY (pa, pb) REFERENCES parent (a, b) ON DELETE CASCADE "
            "ON UPDATE SET NULL, CONSTRAINT a_unique FOREIGN KEY (pu) REFERENCES parent (u) "
            "ON DELETE RESTRICT, CONSTRAINT m_one FOREIGN KEY (qid) REFERENCES other (id), "
            "CONSTRAINT m_two FOREIGN KEY (Q2) REFERENCES other (id) ON UPDATE CASCADE) "
            "ENGINE=InnoDB",
            "INSERT INTO parent VALUES (1, 2, 3), (4, 5, 6)",
            "INSERT INTO other VALUES (7), (8)",
            "INSERT INTO child VALUES (1, 1, 2, 3, 7, 8), (2, 4, 5, NULL, NULL, 7)"]))

        # 16: PostgreSQL tables of the same names in two schemas, each with keys, indexes
        # and sequences of its own (the survey reads them for the whole database at once)
        add("rg-sch", *self.fixture("postgresql", "ofb_rg_sch", SCHEMAS_SQL))

        # 17: MariaDB primary keys whose columns are not the table's first ones, in another
        # order than the table's; a table with a UNIQUE key of NOT NULL columns and no
        # primary key
        add("rg-pk", *self.fixture("mariadb", "ofb_rg_pk", [
            "CREATE TABLE late_key (note varchar(10), a int NOT NULL, b int NOT NULL, "
            "PRIMARY KEY (b, a)) ENGINE=InnoDB",
            "CREATE TABLE uniq_only (x int, u int NOT NULL, UNIQUE KEY uu (u)) ENGINE=InnoDB",
            "INSERT INTO late_key VALUES ('one', 1, 2), ('two', 2, 1), ('three', 1, 1)",
            "INSERT INTO uniq_only VALUES " + ",".join(
                "(%d, %d)" % (i, 10 * i) for i in range(1, UNIQ_ROWS + 1))]))

        # 18: SQLite keys as the file has them (the survey reads SQLite's own pragmas)
        add("rg-slk", self.sqlite_client("slk", SQLITE_KEYS_SQL, []), self.files_dir("rg-slk"))

        # 19: PostgreSQL names that differ in case alone
        add("rg-case", *self.fixture("postgresql", "ofb_rg_case", [
            'CREATE TABLE "Kunde" (id int PRIMARY KEY)',
            'CREATE TABLE kunde (id int PRIMARY KEY, name text, "Name" text)',
            "INSERT INTO kunde VALUES (1, 'a', 'A')"]))
        # a table of another schema and one whose name is what that one would become
        add("rg-flat", *self.fixture("postgresql", "ofb_rg_flat", [
            "CREATE SCHEMA lager", "CREATE TABLE lager.teil (id int PRIMARY KEY)",
            "CREATE TABLE lager__teil (id int PRIMARY KEY)"]))

        # 21: a SQLite table whose rows share a name (a package may make that name UNIQUE
        # ON CONFLICT IGNORE, which drops rows without an error)
        add("rg-dup", self.sqlite_client("dup", "CREATE TABLE kunde (id INTEGER PRIMARY KEY, "
                                         "name TEXT NOT NULL); CREATE TABLE auftrag (id "
                                         "INTEGER PRIMARY KEY)",
                                         [("INSERT INTO kunde VALUES (1, 'a'), (2, 'a'), "
                                           "(3, 'b')", ()),
                                          ("INSERT INTO auftrag VALUES (1)", ())]),
            self.files_dir("rg-dup"))

        # 20: more tables than one LOCK statement and one measuring query take; those
        # with a text column are measured, every tenth one has none
        add("rg-lock", *self.fixture("postgresql", "ofb_rg_lock", [
            "DO $$ BEGIN FOR i IN 1..%d LOOP EXECUTE format('CREATE TABLE f%%s (id int "
            "PRIMARY KEY%%s); INSERT INTO f%%s VALUES (1)', lpad(i::text, 3, '0'), CASE WHEN "
            "i %% 10 = 0 THEN '' ELSE ', note text DEFAULT ''x''' END, lpad(i::text, 3, '0')); "
            "END LOOP; END $$" % LOCK_FILLERS,
            "CREATE TABLE moving (id int PRIMARY KEY)",
            "INSERT INTO moving SELECT generate_series(1, 10)",
            "CREATE TABLE w_blob (id int PRIMARY KEY, body text)",
            "INSERT INTO w_blob SELECT i, repeat(md5(i::text), %d) FROM generate_series(1, %d) i"
            % (LOCK_WIDE_BYTES // 32, LOCK_WIDE_ROWS)]))

        # 24: a MariaDB package with a routine of its own besides its table
        add("rg-obj", *self.fixture("mariadb", "ofb_rg_obj_my", [
            "CREATE TABLE t (id int PRIMARY KEY, note varchar(60))",
            "INSERT INTO t SELECT seq, CONCAT('note ', MD5(seq)) FROM seq_1_to_%d" % OBJ_ROWS,
            "CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN 2 * x"]))

        # 25: a MariaDB database of one large table, its import interrupted
        add("rg-stop", *self.fixture("mariadb", "ofb_rg_stop_src", [
            "CREATE TABLE t (id int PRIMARY KEY, note varchar(60))",
            "INSERT INTO t SELECT seq, CONCAT('note ', MD5(seq)) FROM seq_1_to_%d" % INT_ROWS]))

        # 26: a table of documents beside a table of text
        add("rg-docs", self.sqlite_client(
            "docs", "CREATE TABLE doc (id INTEGER PRIMARY KEY, body BLOB); "
            "CREATE TABLE note (id INTEGER PRIMARY KEY, txt TEXT);",
            [("INSERT INTO doc VALUES (?, ?)", (i, os.urandom(3000))) for i in range(1, 41)] +
            [("INSERT INTO note VALUES (?, ?)", (i, "note %d " % i * 20)) for i in range(1, 401)]),
            self.files_dir("rg-docs"))
        docs = os.path.join(self.root, "files", "rg-docs")
        for name, data in (("scan.pdf", os.urandom(200000)), ("small.jpg", os.urandom(20000)),
                           ("brief.txt", b"Sehr geehrte Damen und Herren,\n" * 7000)):
            with open(os.path.join(docs, name), "wb") as f:
                f.write(data)

        # 27: long values read in parts, beside short ones, NULL and empty, a column after
        # them, and a table without a key whose long value is read whole
        add("rg-parts-pg", *self.fixture("postgresql", "ofb_rg_parts_pg", [
            "CREATE TABLE doc (k1 int, k2 text, body bytea, txt text, tail int, "
            "PRIMARY KEY (k1, k2))",
            "INSERT INTO doc VALUES (1, 'a b', (SELECT string_agg(decode(md5('d' || j), "
            "'hex'), '' ORDER BY j) FROM generate_series(1, %d) j), 'xy' || repeat('%s', %d), "
            "7), (2, 'it''s', '\\x0102', 'kurz', 8), (3, 'z', NULL, NULL, 9), "
            "(4, 'q', '', '', 10)" % (PART_MD5S, PART_TEXT, PART_REPEAT),
            "CREATE TABLE loose (body bytea)",
            "INSERT INTO loose SELECT string_agg(decode(md5('l' || j), 'hex'), '' ORDER BY j) "
            "FROM generate_series(1, %d) j" % PART_MD5S]))
        add("rg-parts-my", *self.fixture("mariadb", "ofb_rg_parts_my", [
            "SET SESSION group_concat_max_len = 64000000",
            "CREATE TABLE doc (k1 int, k2 varchar(10), body longblob, txt longtext, tail int, "
            "PRIMARY KEY (k1, k2))",
            "INSERT INTO doc SELECT 1, 'a b', (SELECT GROUP_CONCAT(UNHEX(MD5(CONCAT('d', seq))) "
            "ORDER BY seq SEPARATOR '') FROM seq_1_to_%d), CONCAT('xy', REPEAT('%s', %d)), 7"
            % (PART_MD5S, PART_TEXT, PART_REPEAT),
            "INSERT INTO doc VALUES (2, 'it''s', X'0102', 'kurz', 8), (3, 'z', NULL, NULL, 9), "
            "(4, 'q', '', '', 10)",
            "CREATE TABLE loose (body longblob)",
            "INSERT INTO loose SELECT GROUP_CONCAT(UNHEX(MD5(CONCAT('l', seq))) ORDER BY seq "
            "SEPARATOR '') FROM seq_1_to_%d" % PART_MD5S,
            # MyISAM ignores the snapshot: its long values are read whole
            "CREATE TABLE flat (id int PRIMARY KEY, body longblob) ENGINE=MyISAM",
            "INSERT INTO flat VALUES (1, REPEAT('M', 5000000))"]))
        # a key that reads back as another row's ('a' NUL 'b' as 'a'): the backup fails
        add("rg-parts-nul", *self.fixture("mariadb", "ofb_rg_parts_nul", [
            "CREATE TABLE t (k varchar(10) PRIMARY KEY, body longblob)",
            "INSERT INTO t VALUES ('a', REPEAT('A', 5000000)), (CONCAT('a', CHAR(0), 'b'), "
            "REPEAT('B', 5000000))"]))
        add("rg-parts-sq", self.sqlite_client(
            "parts", "CREATE TABLE doc (k1 INTEGER, k2 TEXT, body BLOB, txt TEXT, tail INTEGER, "
            "PRIMARY KEY (k1, k2)); CREATE TABLE loose (body BLOB); "
            "CREATE TABLE nk (k TEXT PRIMARY KEY, body BLOB);",
            [("INSERT INTO doc VALUES (?, ?, ?, ?, ?)",
              (1, "a b", part_bytes(b"d"), "xy" + PART_TEXT * PART_REPEAT, 7)),
             ("INSERT INTO doc VALUES (2, 'it''s', X'0102', 'kurz', 8), (3, 'z', NULL, NULL, "
              "9), (4, 'q', X'', '', 10)", ()),
             ("INSERT INTO loose VALUES (?)", (part_bytes(b"l"),)),
             # a key SQLite lets be NULL does not find its row: that row's value is read
             # whole, the other one's in parts
             ("INSERT INTO nk VALUES (NULL, ?), ('', ?)", (b"N" * 5000000, b"E" * 5000000))]),
            self.files_dir("rg-parts-sq"))

        fx.make_login(self.login, reg)
        self.config()

    # ------------------------------------------------------------ the tests

    def pg_digest(self, db, table, order="id"):
        cn = pyodbc.connect(self.pg(db), autocommit=True)
        try:
            return cn.cursor().execute(
                "SELECT count(*) || ':' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY "
                "%s)), '') FROM %s x" % (order, table)).fetchone()[0]
        finally:
            cn.close()

    def t10_bulk(self):
        pkg = self.export("rg-bulk")
        self.import_(pkg, "rg-bulk-x", self.pg("ofb_rg_bulk_dst"), expect=(0,))
        for table in ("bulk", "ranks", "boxes", "notes", "docs", "mixed", "longtext"):
            want = self.pg_digest("ofb_rg_bulk", table, "id" if table != "notes" else "body")
            got = self.pg_digest("ofb_rg_bulk_dst", table, "id" if table != "notes" else "body")
            self.require(got == want, "table %s after the import: %s, want %s"
                         % (table, got, want))
        self.require(self.pg_digest("ofb_rg_bulk", "bulk").startswith("%d:" % BULK_ROWS),
                     "the source holds no %d rows" % BULK_ROWS)
        # the primary key of a table this large is added after its rows: it is there
        cn = pyodbc.connect(self.pg("ofb_rg_bulk_dst"), autocommit=True)
        try:
            keys = pg_keys(cn.cursor())
        finally:
            cn.close()
        self.require(("bulk", "PRIMARY KEY (id)") in keys and ("ranks", "PRIMARY KEY (id)") in keys,
                     "the primary keys after the import: %s" % keys)
        self.st["pkg-bulk"] = pkg

    def t22_key_twice(self):
        pkg = self.st.get("pkg-bulk") or self.export("rg-bulk")

        def key_twice(data):
            lines = data.split(b"\n")
            late = [k for k, line in enumerate(lines) if line.startswith(b"20000,")]
            self.require(len(late) == 1, "no row 20000 in the package")
            lines[late[0]] = b"17" + lines[late[0]][len(b"20000"):]
            return b"\n".join(lines)
        bad = edited_package(pkg, "clients/rg-bulk/db/data/bulk.csv", key_twice,
                             os.path.join(self.root, "out", "key-twice.zip"))
        self.run("-c", self.cfg, "verify", bad).expect(0)
        r = self.import_(bad, "rg-key-twice", self.pg("ofb_rg_bulk_dup"), expect=(1,))
        text = " ".join(r.text.split())
        self.require("'bulk'" in text and "primary key (id)" in text and "(17)" in text,
                     "the import does not name the table, its key and the value held twice: %s"
                     % text[-400:])
        cn = pyodbc.connect(self.pg("postgres"), autocommit=True)
        try:
            left = cn.cursor().execute("SELECT count(*) FROM pg_database WHERE datname = "
                                       "'ofb_rg_bulk_dup'").fetchone()[0]
        finally:
            cn.close()
        self.require(left == 0, "the failed import left the database it made")
        self.require(not self.registered("rg-key-twice"), "rg-key-twice registered after the failure")

    def t12_latin(self):
        pkg = self.export("rg-latin")
        self.run("-c", self.cfg, "verify", pkg).expect(0)
        self.import_(pkg, "rg-latin-x", self.my("ofb_rg_latin_dst"), expect=(0,))
        cn = pyodbc.connect(self.my("ofb_rg_latin_dst"), autocommit=True)
        got = tuple(r[0] for r in cn.cursor().execute("SELECT name FROM names ORDER BY id"))
        cn.close()
        self.require(got == LATIN_NAMES, "after the import: %s, want %s" % (got, LATIN_NAMES))

    def t13_bytes(self):
        pkg = self.export("rg-bytes")
        self.run("-c", self.cfg, "verify", pkg).expect(0)

    def my_rows(self, db, sql):
        cn = pyodbc.connect(self.my(db), autocommit=True)
        try:
            return [tuple(r) for r in cn.cursor().execute(sql).fetchall()]
        finally:
            cn.close()

    def lit_equal(self, db, want):
        got = self.my_rows(db, "SELECT id, t, b, ok, n FROM lit ORDER BY id")
        bad = [(w, g) for w, g in zip(want, got) if w != g]
        self.require(len(got) == len(want) and not bad, "%s: %d rows, want %d; first "
                     "differing: %s" % (db, len(got), len(want),
                                        [(w[:2], g[:2]) for w, g in bad[:3]]))

    def t14_literals(self):
        pkg = self.export("rg-lit")
        self.config(["rg-lit-x"])
        r = self.run("-v", "-c", self.cfg, "import", pkg, "--as", "rg-lit-x", "--connect",
                     self.nopw(self.my("ofb_rg_lit_dst")), "--files",
                     os.path.join(self.root, "imported", "rg-lit-x"))
        r.expect(0)
        text = " ".join(r.text.split())
        two = sorted(set(re.findall(r"table '(\w+)': loading on two connections", text)))
        self.require("lit" in two and "log" not in two and "heap" not in two,
                     "tables loaded on two connections: %s, want lit, not log (no primary "
                     "key) nor heap (MyISAM); output: %s" % (two, text[-300:]))
        sql = "SELECT id, t, b, ok, n FROM lit ORDER BY id"
        want = self.my_rows("ofb_rg_lit", sql)
        self.require(len(want) == LIT_ROWS, "the source holds %d rows" % len(want))
        self.lit_equal("ofb_rg_lit_dst", want)
        self.require("table 'docs': bytes go as parameters" in text, "table docs not loaded "
                     "through parameters: %s" % text[-300:])
        docs = "SELECT id, d FROM docs ORDER BY id"
        self.require(self.my_rows("ofb_rg_lit_dst", docs) == self.my_rows("ofb_rg_lit", docs),
                     "table docs differs after the import")
        curs = "SELECT id, t FROM cur ORDER BY id"
        self.require(self.my_rows("ofb_rg_lit_dst", curs) == self.my_rows("ofb_rg_lit", curs),
                     "table cur differs after the import")
        # a connector converting statement text to latin1, the session reading utf8mb4:
        # literals would lose characters, so the rows go as parameters
        text_pkg = self.export("rg-lit-text")
        self.config(["rg-lit-l1"])
        self.run("-c", self.cfg, "import", text_pkg, "--as", "rg-lit-l1", "--connect",
                 self.nopw(self.my("ofb_rg_lit_l1")) + ";CHARSET=latin1;INITSTMT=SET NAMES utf8mb4",
                 "--files", os.path.join(self.root, "imported", "rg-lit-l1")).expect(0)
        sql = "SELECT id, t FROM u ORDER BY id"
        got, want = self.my_rows("ofb_rg_lit_l1", sql), self.my_rows("ofb_rg_lit_text", sql)
        self.require(len(want) == 3000 and got == want, "table u after the import through a "
                     "latin1 connector: %s" % [(w, g) for w, g in zip(want, got) if w != g][:3])
        # no ORDER BY: tables not kept in key order come back in the package's order
        for table, n in (("log", LIT_LOG_ROWS), ("heap", 3000)):
            with zipfile.ZipFile(pkg) as z:
                name = [x for x in z.namelist() if x.endswith("/db/data/%s.csv" % table)]
                lines = z.read(name[0]).decode().splitlines()
            packed = [int(x.split(",")[0]) for x in lines[1:] if x]
            got = [r[0] for r in self.my_rows("ofb_rg_lit_dst", "SELECT * FROM " + table)]
            self.require(len(packed) == n and got == packed,
                         "table %s not in the package's order after the import" % table)

    def t15_foreign_keys(self):
        pkg = self.export("rg-fk")
        schema = package_schema(pkg, "rg-fk")
        got = {t["name"]: sorted((k["name"], k["columns"], k["ref_table"], k["ref_columns"],
                                  k["on_update"], k["on_delete"]) for k in t["foreign_keys"])
               for t in schema["tables"]}
        got = {t: [tuple(k) for k in keys] for t, keys in got.items()}
        self.require(got == FK_KEYS, "the package's foreign keys: %s, want %s" % (got, FK_KEYS))
        self.import_(pkg, "rg-fk-pg", self.pg("ofb_rg_fk_pg"), expect=(0,))
        cn = pyodbc.connect(self.pg("ofb_rg_fk_pg"), autocommit=True)
        try:
            rows = cn.cursor().execute(
                "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' ORDER BY 2").fetchall()
        finally:
            cn.close()
        defs = sorted((r[0], r[1]) for r in rows)
        want = [("child", 'FOREIGN KEY ("Q2") REFERENCES other(id) ON UPDATE CASCADE ON DELETE '
                 'RESTRICT'),
                ("child", "FOREIGN KEY (pa, pb) REFERENCES parent(a, b) ON UPDATE SET NULL ON "
                 "DELETE CASCADE"),
                ("child", "FOREIGN KEY (pu) REFERENCES parent(u) ON UPDATE RESTRICT ON DELETE "
                 "RESTRICT"),
                ("child", "FOREIGN KEY (qid) REFERENCES other(id) ON UPDATE RESTRICT ON DELETE "
                 "RESTRICT")]
        self.require(defs == want, "PostgreSQL's foreign keys: %s, want %s" % (defs, want))
        path = os.path.join(self.root, "db", "fk-import.db")
        if os.path.exists(path):
            os.remove(path)
        self.import_(pkg, "rg-fk-sl", "Driver=SQLite3;Database=" + path, expect=(0,))
        db = sqlite3.connect(path)
        try:
            sl = sorted((r[2], r[3], r[4], r[5], r[6]) for r in
                        db.execute("SELECT * FROM pragma_foreign_key_list('child')"))
        finally:
            db.close()
        want_sl = [("other", "Q2", "id", "CASCADE", "RESTRICT"),
                   ("other", "qid", "id", "RESTRICT", "RESTRICT"),
                   ("parent", "pa", "a", "SET NULL", "CASCADE"),
                   ("parent", "pb", "b", "SET NULL", "CASCADE"),
                   ("parent", "pu", "u", "RESTRICT", "RESTRICT")]
        self.require(sl == want_sl, "SQLite's foreign keys: %s, want %s" % (sl, want_sl))

    def t16_schemas(self):
        pkg = self.export("rg-sch")
        schema = package_schema(pkg, "rg-sch")
        got = {}
        for t in schema["tables"]:
            pk = t.get("primary_key")
            got[(t.get("schema"), t["name"])] = {
                "pk": pk and (pk["name"], pk["columns"]),
                "indexes": sorted((k["name"], k["unique"], k["columns"], k.get("portable", True))
                                  for k in t["indexes"]),
                "fkeys": sorted((k["name"], k["columns"], k.get("ref_schema"), k["ref_table"],
                                 k["ref_columns"], k["on_delete"]) for k in t["foreign_keys"]),
                "identity": t.get("identity"),
                "generated": sorted(c["name"] for c in t["columns"] if c.get("generated")),
                "unbounded": sorted(c["name"] for c in t["columns"]
                                    if c["type"] == "decimal" and not c.get("precision")),
                "declared": {c["name"]: c["native_type"] for c in t["columns"]}}
        fillers = [k for k in got if re.match(r"f[0-9]+$", k[1])]
        for key in fillers:
            self.require(list(got[key]["pk"] or ()) == ["%s_pkey" % key[1], ["id"]],
                         "table %s in the package: %s" % (key, got[key]))
            del got[key]
        self.require(len(fillers) == 2 * SCHEMAS_FILLERS, "the package has %d of the %d "
                     "tables f1... of both schemas" % (len(fillers), 2 * SCHEMAS_FILLERS))
        for key, want in SCHEMAS_WANT.items():
            self.require(json.dumps(got.get(key), sort_keys=True) ==
                         json.dumps(want, sort_keys=True),
                         "table %s in the package: %s, want %s" % (key, got.get(key), want))
        self.require(len(got) == len(SCHEMAS_WANT), "the package's tables: %s" % sorted(
            got, key=str))
        self.import_(pkg, "rg-sch-pg", self.pg("ofb_rg_sch_dst"), expect=(0,))
        cn = pyodbc.connect(self.pg("ofb_rg_sch_dst"), autocommit=True)
        try:
            cur = cn.cursor()
            nexts = []
            for table in ("public.doc", "acct.doc", "acct.conv", "public.two"):
                cur.execute("INSERT INTO %s DEFAULT VALUES" % table if "doc" not in table
                            else "INSERT INTO %s (code, amount) VALUES ('n', 1)" % table)
                nexts.append(cur.execute("SELECT max(id) FROM %s" % table).fetchone()[0])
            defs = [d for d in pg_keys(cur) if not d[1].startswith("UNIQUE") and
                    not re.match(r"(acct\.)?f[0-9]+$", d[0])]
        finally:
            cn.close()
        self.require(nexts == [42, 501, 70, 10], "the restored sequences handed out %s, want "
                     "[42, 501, 70, 10]" % nexts)
        self.require(defs == SCHEMAS_CONSTRAINTS, "the restored keys: %s, want %s"
                     % (defs, SCHEMAS_CONSTRAINTS))

    def t17_primary_keys(self):
        pkg = os.path.join(self.root, "out", "export-rg-pk.zip")
        if os.path.exists(pkg):
            os.remove(pkg)
        r = self.run("-v", "-c", self.cfg, "export", "rg-pk", "-o", pkg)
        r.expect(0)
        self.require("reading by offset" not in r.text, "a table is read by offset: %s"
                     % " ".join(r.text.split())[-300:])
        schema = package_schema(pkg, "rg-pk")
        got = {t["name"]: (t["primary_key"] and t["primary_key"]["columns"],
                           [(k["name"], k["unique"], k["columns"]) for k in t["indexes"]])
               for t in schema["tables"]}
        want = {"late_key": (["b", "a"], []), "uniq_only": (None, [("uu", True, ["u"])])}
        got = json.loads(json.dumps(got))
        self.require(got == json.loads(json.dumps(want)), "the package's keys: %s, want %s"
                     % (got, want))
        self.import_(pkg, "rg-pk-pg", self.pg("ofb_rg_pk_pg"), expect=(0,))
        cn = pyodbc.connect(self.pg("ofb_rg_pk_pg"), autocommit=True)
        try:
            cur = cn.cursor()
            defs = pg_keys(cur)
            rows = [tuple(r) for r in cur.execute(
                "SELECT b, a, note FROM late_key ORDER BY b, a").fetchall()]
            uniq = tuple(int(v) for v in cur.execute(
                "SELECT count(*), count(DISTINCT u), sum(u) FROM uniq_only").fetchone())
        finally:
            cn.close()
        self.require(defs == [("late_key", "PRIMARY KEY (b, a)")],
                     "PostgreSQL's constraints: %s" % defs)
        self.require(rows == [(1, 1, "three"), (1, 2, "two"), (2, 1, "one")],
                     "late_key's rows: %s" % rows)
        self.require(uniq == (UNIQ_ROWS, UNIQ_ROWS, 10 * UNIQ_ROWS * (UNIQ_ROWS + 1) // 2),
                     "uniq_only in PostgreSQL: %s rows, %s distinct, sum %s" % uniq)

    def t18_sqlite_keys(self):
        pkg = self.export("rg-slk")
        schema = package_schema(pkg, "rg-slk")
        got = {t["name"]: {
            "pk": t["primary_key"] and t["primary_key"]["columns"],
            "indexes": sorted((k["name"], k["unique"], k["columns"], k["descending"])
                              for k in t["indexes"]),
            "fkeys": sorted((k["columns"], k["ref_table"], k["ref_columns"], k["on_update"],
                             k["on_delete"]) for k in t["foreign_keys"]),
            "identity": t.get("identity")} for t in schema["tables"]}
        got = json.loads(json.dumps(got))
        self.require(got == json.loads(json.dumps(SQLITE_KEYS_WANT)),
                     "the package's keys: %s, want %s" % (got, SQLITE_KEYS_WANT))
        self.import_(pkg, "rg-slk-pg", self.pg("ofb_rg_slk_pg"), expect=(0,))
        cn = pyodbc.connect(self.pg("ofb_rg_slk_pg"), autocommit=True)
        try:
            cur = cn.cursor()
            defs = pg_keys(cur)
            idx = sorted(r[0] for r in cur.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname "
                "NOT LIKE '%pkey'").fetchall())
            cur.execute("INSERT INTO counter (label) VALUES ('next')")
            nxt = cur.execute("SELECT max(id) FROM counter").fetchone()[0]
        finally:
            cn.close()
        self.require(defs == SQLITE_KEYS_PG, "PostgreSQL's constraints: %s, want %s"
                     % (defs, SQLITE_KEYS_PG))
        self.require(len(idx) == 4 and any("(v DESC, k)" in i for i in idx) and
                     any("UNIQUE" in i and '("Code")' in i for i in idx) and
                     any("UNIQUE" in i and "(w, v)" in i for i in idx) and
                     any("UNIQUE" in i and "(u)" in i for i in idx),
                     "PostgreSQL's indexes: %s" % idx)
        self.require(nxt == 8, "counter went on at %s, want 8 (after sqlite_sequence's 7)" % nxt)

    def t20_locks(self):
        pkg = os.path.join(self.root, "out", "export-rg-lock.zip")
        if os.path.exists(pkg):
            os.remove(pkg)
        p, waited, text = fx.run_while_recreated(
            self.pg("ofb_rg_lock"), "moving",
            lambda: subprocess.Popen([self.suite.tool.path, "-v", "-c", self.cfg, "export",
                                      "rg-lock", "-o", pkg], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=self.env(), cwd=self.cwd), CMD_TIMEOUT)
        self.require(p.returncode == 0, "export exit %d; output: %s"
                     % (p.returncode, " ".join(text.split())[-300:]))
        self.require(waited, "the export did not wait for the table another transaction held")
        schema = package_schema(pkg, "rg-lock")
        entries = {t["name"]: t["entry"] for t in schema["tables"]}
        with zipfile.ZipFile(pkg) as z:
            rows = {name: z.read(entries[name]).decode().strip().split("\n")[1:]
                    for name in ("moving", "w_blob", "f001")}
        self.require(len(rows["moving"]) == 50, "table 'moving' holds %d rows in the package, "
                     "want 50 (the committed new state; 10 would be the old one)"
                     % len(rows["moving"]))
        self.require(len(rows["w_blob"]) == LOCK_WIDE_ROWS and
                     all(len(r) > LOCK_WIDE_BYTES for r in rows["w_blob"]),
                     "table 'w_blob' in the package: %d rows" % len(rows["w_blob"]))
        fetch = dict(re.findall(r"table '(\w+)': \d+ rows, read (\d+) at a time", text))
        self.require(len(fetch) == LOCK_FILLERS + 2, "the fetch size of %d tables is told, "
                     "want %d: %s" % (len(fetch), LOCK_FILLERS + 2,
                                      " ".join(text.split())[-300:]))
        most = 8 * 1024 * 1024 // LOCK_WIDE_BYTES
        self.require(0 < int(fetch["w_blob"]) <= most, "rows of w_blob read %s at a time, want "
                     "at most %d" % (fetch["w_blob"], most))
        self.require({fetch["f%03d" % i] for i in range(1, LOCK_FILLERS + 1)} == {"2000"} and
                     fetch["moving"] == "2000", "one-row tables read %s at a time" % sorted(
                         set(fetch.values())))

    def t19_case(self):
        pkg = self.export("rg-case")
        path = os.path.join(self.root, "db", "case-import.db")
        if os.path.exists(path):
            os.remove(path)
        r = self.import_(pkg, "rg-case-sl", "Driver=SQLite3;Database=" + path, expect=(1,))
        self.require("'Kunde'" in r.text and "'kunde'" in r.text and "ignore case" in r.text,
                     "the refusal does not name both tables: %s" % " ".join(r.text.split())[-300:])
        self.require(not os.path.exists(path), "the refused import made %s" % path)
        r = self.import_(pkg, "rg-case-my", self.my("ofb_rg_case_my"), expect=(1,))
        self.require("'name'" in r.text and "'Name'" in r.text and "kunde" in r.text,
                     "the refusal does not name both columns: %s" % " ".join(r.text.split())[-300:])
        self.require(not self.db_exists("mariadb", "ofb_rg_case_my"),
                     "the refused import made database ofb_rg_case_my")
        for cid in ("rg-case-sl", "rg-case-my"):
            self.require(not self.registered(cid), "%s registered after the refusal" % cid)
        # lager.teil becomes lager__teil in MariaDB, which is there already
        r = self.import_(self.export("rg-flat"), "rg-flat-my", self.my("ofb_rg_flat_my"),
                         expect=(1,))
        self.require("'lager__teil' and 'lager__teil'" in r.text, "the refusal does not name "
                     "lager__teil: %s" % " ".join(r.text.split())[-300:])
        self.require(not self.db_exists("mariadb", "ofb_rg_flat_my") and
                     not self.registered("rg-flat-my"), "the refused import made its database "
                     "or registered its client")
        # PostgreSQL keeps them apart: the import goes through
        self.import_(pkg, "rg-case-pg", self.pg("ofb_rg_case_pg"), expect=(0, 3))
        cn = pyodbc.connect(self.pg("ofb_rg_case_pg"), autocommit=True)
        try:
            got = cn.cursor().execute('SELECT name, "Name" FROM kunde').fetchall()
        finally:
            cn.close()
        self.require([tuple(g) for g in got] == [("a", "A")], "kunde in PostgreSQL: %s" % got)

    def t21_rows_dropped(self):
        pkg = self.export("rg-dup")

        def ignore_conflicts(data):
            schema = json.loads(data)
            t = [x for x in schema["tables"] if x["name"] == "kunde"][0]
            self.require("name TEXT NOT NULL" in t["native_ddl"],
                         "kunde's DDL: %s" % t["native_ddl"])
            t["native_ddl"] = t["native_ddl"].replace(
                "name TEXT NOT NULL", "name TEXT NOT NULL UNIQUE ON CONFLICT IGNORE")
            return json.dumps(schema).encode("utf-8")
        bad = edited_package(pkg, "clients/rg-dup/db/schema.json", ignore_conflicts,
                             os.path.join(self.root, "out", "dup-ignored.zip"))
        path = os.path.join(self.root, "db", "dup-import.db")
        if os.path.exists(path):
            os.remove(path)
        r = self.import_(bad, "rg-dup-in", "Driver=SQLite3;Database=" + path, expect=(1,))
        self.require("'kunde'" in r.text and "2 of 3 rows" in r.text,
                     "the import does not say that kunde took fewer rows: %s"
                     % " ".join(r.text.split())[-300:])
        self.require(not os.path.exists(path), "the failed import left %s" % path)
        self.require(not self.registered("rg-dup-in"), "rg-dup-in registered after the failure")
        # the package as it was loads whole, the counts of both tables taken together
        self.import_(pkg, "rg-dup-ok", "Driver=SQLite3;Database=" + path, expect=(0, 3))
        con = sqlite3.connect(path)
        try:
            got = con.execute("SELECT count(*) FROM kunde").fetchone()[0]
        finally:
            con.close()
        self.require(got == 3, "kunde holds %d rows, want 3" % got)

    def t24_objects_damaged(self):
        # a load beside the verification would make the package's routine before its own
        # table was checked, and a failure drops every routine of the database
        pkg = self.export("rg-obj")
        bad = os.path.join(self.root, "out", "obj-damaged.zip")
        flip_byte(pkg, bad, "clients/rg-obj/db/data/t.csv")
        cn = self.create_my("ofb_rg_obj_dst")
        cn.cursor().execute("CREATE PROCEDURE mine() SELECT 1")
        cn.close()
        r = self.import_(bad, "rg-obj-x", self.my("ofb_rg_obj_dst"))
        r.expect(1)
        self.require("damaged" in r.text and "nothing was changed" in r.text,
                     "the damage is not what was reported: %s" % " ".join(r.text.split())[-300:])
        cn = canon.connect("mariadb", self.my("ofb_rg_obj_dst"))
        routines = sorted(x[0] for x in cn.cursor().execute(
            "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = "
            "'ofb_rg_obj_dst'").fetchall())
        cn.close()
        self.require(routines == ["mine"], "the target's routines are %s, want ['mine']"
                     % routines)
        names = canon.table_names("mariadb", self.my("ofb_rg_obj_dst"))
        self.require(not names, "the refused import left tables %s" % names)

    def t25_interrupted(self, engine):
        # SIGINT while the rows go in: into MariaDB the load runs beside the verification
        # and its tables are dropped again, into PostgreSQL its transaction is rolled back
        pkg = self.st.get("pkg-stop") or self.export("rg-stop")
        self.st["pkg-stop"] = pkg
        newid = "rg-stop-" + engine[:2]
        if engine == "mariadb":
            db, conn = "ofb_rg_stop_dst", self.my("ofb_rg_stop_dst")
            self.create_my(db).close()
            busy = "SELECT COUNT(*) FROM (SELECT 1 FROM %s.t LIMIT 1) x" % db
            watch = self.my_base
        else:
            db, conn = "ofb_rg_stop_pg", self.pg("ofb_rg_stop_pg")
            self.create_pg(db).close()
            busy = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '%s' AND query " \
                   "LIKE 'INSERT INTO%%'" % db
            watch = self.pg("postgres")
        self.config([newid])
        files = os.path.join(self.root, "imported", newid)
        shutil.rmtree(files, ignore_errors=True)
        p = subprocess.Popen([self.suite.tool.path, "-c", self.cfg, "import", pkg, "--as", newid,
                              "--connect", self.nopw(conn), "--files", files],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env(), cwd=self.cwd)
        cn = pyodbc.connect(watch, autocommit=True)
        seen, deadline = False, time.time() + 60
        while not seen and p.poll() is None and time.time() < deadline:
            try:
                seen = cn.cursor().execute(busy).fetchone()[0] > 0
            except pyodbc.Error:   # its table not made yet
                pass
            if not seen:
                time.sleep(0.01)
        cn.close()
        if seen:
            p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=CMD_TIMEOUT)
        text = " ".join((out + err).decode("utf-8", "replace").split())
        self.require(seen, "the import ended (exit %s) before its rows were seen going in: %s"
                     % (p.returncode, text[-300:]))
        self.require(p.returncode == 1 and "interrupted" in text and
                     "nothing was changed" in text,
                     "exit %d, want 1 saying it was interrupted and nothing changed: %s"
                     % (p.returncode, text[-300:]))
        names = canon.table_names(engine, conn)
        self.require(not names, "the interrupted import left tables %s" % names)
        self.require(not self.registered(newid), "%s registered by an interrupted import"
                     % newid)

    def t26_levels(self):
        docs_dir = os.path.join(self.root, "files", "rg-docs")
        # the general purpose flags of a deflated entry say its level: 4 fast (1, 2), 0 normal
        def flags(pkg):
            with zipfile.ZipFile(pkg) as z:
                return {i.filename.rsplit("/", 1)[-1]: i.flag_bits & 6 for i in z.infolist()}

        def method(info):
            # an AES entry says 99; its own method is in the AES extra field (0x9901)
            extra, k = info.extra, 0
            while info.compress_type == 99 and k + 4 <= len(extra):
                tag, n = struct.unpack("<HH", extra[k:k + 4])
                if tag == 0x9901 and n >= 7:
                    return struct.unpack("<H", extra[k + 9:k + 11])[0]
                k += 4 + n
            return info.compress_type

        def stored(pkg):
            with zipfile.ZipFile(pkg) as z:
                return sorted(i.filename.rsplit("/", 1)[-1] for i in z.infolist()
                              if "/files/" in i.filename and not i.filename.endswith("/")
                              and method(i) == zipfile.ZIP_STORED)
        pkg = self.export("rg-docs")
        got = flags(pkg)
        self.require(got.get("doc.csv") == 4 and got.get("note.csv") == 0,
                     "with the default compression, doc.csv has flags %s (want 4: level 2) "
                     "and note.csv %s (want 0: level 4)" % (got.get("doc.csv"),
                                                            got.get("note.csv")))
        # a file of 64 KiB or more that does not compress is stored; a smaller one, or
        # text, deflated
        self.require(stored(pkg) == ["scan.pdf"], "files stored: %s, want only scan.pdf"
                     % stored(pkg))
        self.run("verify", pkg).expect(0)
        ini = os.path.join(self.root, "level4.ini")
        with open(self.cfg, encoding="utf-8") as f:
            text = f.read()
        with open(ini, "w", encoding="utf-8") as f:
            f.write(text + "\n[package]\ncompression = 4\n")
        os.chmod(ini, 0o600)
        pkg = os.path.join(self.root, "out", "docs-level4.zip")
        if os.path.exists(pkg):
            os.remove(pkg)
        self.run("-c", ini, "export", "rg-docs", "-o", pkg).expect(0)
        got = flags(pkg)
        self.require(got.get("doc.csv") == 0 and got.get("note.csv") == 0,
                     "with compression = 4, doc.csv has flags %s and note.csv %s (want 0, 0)"
                     % (got.get("doc.csv"), got.get("note.csv")))
        self.require(stored(pkg) == ["scan.pdf"], "files stored with compression = 4: %s, "
                     "want only scan.pdf" % stored(pkg))
        self.run("verify", pkg).expect(0)
        # encrypted, the stored file verifies and comes back too
        pwfile = os.path.join(self.root, "package.pw")
        with open(pwfile, "w") as f:
            f.write("Geheim-26\n")
        os.chmod(pwfile, 0o600)
        enc_ini = os.path.join(self.root, "encrypted.ini")
        with open(enc_ini, "w", encoding="utf-8") as f:
            f.write(text + "\n[package]\npassword_file = %s\n" % pwfile)
        os.chmod(enc_ini, 0o600)
        enc = os.path.join(self.root, "out", "docs-encrypted.zip")
        if os.path.exists(enc):
            os.remove(enc)
        self.run("-c", enc_ini, "export", "rg-docs", "-o", enc).expect(0)
        self.require(stored(enc) == ["scan.pdf"], "files stored when encrypted: %s"
                     % stored(enc))
        self.run("-c", enc_ini, "verify", enc).expect(0)
        # the files come back as they were
        target = os.path.join(self.root, "db", "docs-x.db")
        if os.path.exists(target):
            os.remove(target)
        self.config(["rg-docs-x"])
        back = os.path.join(self.root, "imported", "rg-docs-x")
        shutil.rmtree(back, ignore_errors=True)
        self.run("-c", enc_ini, "import", enc, "--as", "rg-docs-x", "--connect",
                 "Driver=SQLite3;Database=" + target, "--files", back).expect(0)
        for name in ("scan.pdf", "small.jpg", "brief.txt"):
            with open(os.path.join(docs_dir, name), "rb") as a, \
                    open(os.path.join(back, name), "rb") as b:
                self.require(a.read() == b.read(), "%s differs after the import" % name)

    def t27_parts(self):
        body, loose = part_bytes(b"d"), part_bytes(b"l")
        txt = "xy" + PART_TEXT * PART_REPEAT
        want = ('"k1","k2","body","txt","tail"\n'
                '1,"a b",\\x%s,"%s",7\n'
                '2,"it\'s",\\x0102,"kurz",8\n'
                '3,"z",,,9\n'
                '4,"q",\\x,"",10\n' % (body.hex(), txt)).encode()
        want_loose = ('"body"\n\\x%s\n' % loose.hex()).encode()
        pkgs = {}
        for cid, texts in (("rg-parts-pg", True), ("rg-parts-my", True), ("rg-parts-sq", False)):
            pkg = os.path.join(self.root, "out", "export-%s.zip" % cid)
            if os.path.exists(pkg):
                os.remove(pkg)
            r = self.run("-c", self.cfg, "-v", "export", cid, "-o", pkg)
            r.expect(0)
            text = " ".join(r.text.split())
            said = set(re.findall(r"table '(\w+)': values of column '(\w+)' over 4 MiB are read "
                                  r"in parts", text))
            self.require(said == ({("doc", "body"), ("doc", "txt")} if texts else
                                  {("doc", "body"), ("nk", "body")}),
                         "%s: columns read in parts %s (SQLite text stays whole, a table "
                         "without a key, MyISAM too)" % (cid, sorted(said)))
            with zipfile.ZipFile(pkg) as z:
                got = z.read("clients/%s/db/data/doc.csv" % cid)
                got_loose = z.read("clients/%s/db/data/loose.csv" % cid)
            if got != want:
                k = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]),
                         min(len(got), len(want)))
                self.require(False, "%s: doc.csv differs from the table at byte %d of %d "
                             "(want %d): %r against %r" % (cid, k, len(got), len(want),
                                                          got[k:k + 40], want[k:k + 40]))
            self.require(got_loose == want_loose, "%s: loose.csv differs from the table" % cid)
            if not texts:
                with zipfile.ZipFile(pkg) as z:
                    nk = z.read("clients/%s/db/data/nk.csv" % cid)
                self.require(nk == b'"k","body"\n,\\x' + b"4e" * 5000000 + b'\n"",\\x' +
                             b"45" * 5000000 + b"\n", "%s: nk.csv differs from the table" % cid)
            self.run("-c", self.cfg, "verify", pkg).expect(0)
            pkgs[cid] = pkg
        pkg = os.path.join(self.root, "out", "export-rg-parts-nul.zip")
        r = self.run("-c", self.cfg, "export", "rg-parts-nul", "-o", pkg)
        r.expect(1)
        self.require("finds another row" in r.text and not os.path.exists(pkg),
                     "a key read back as another row's: %s" % " ".join(r.text.split())[-300:])
        self.import_(pkgs["rg-parts-pg"], "rg-parts-x", self.pg("ofb_rg_parts_dst"), expect=(0,))
        for table, order in (("doc", "k1"), ("loose", "body")):
            want_d = self.pg_digest("ofb_rg_parts_pg", table, order)
            got_d = self.pg_digest("ofb_rg_parts_dst", table, order)
            self.require(got_d == want_d, "%s after the import: %s, want %s"
                         % (table, got_d, want_d))

    def t11_long(self, engine, db):
        pkg = self.st.get("pkg-long") or self.export("rg-long")
        self.st["pkg-long"] = pkg
        newid = "rg-long-" + engine[:2]
        conn = self.pg(db) if engine == "postgresql" else self.my(db)
        r = self.import_(pkg, newid, conn)
        r.expect(1)
        # the batch named holds the bad row (its bounds follow the table's size)
        batch = re.search(r"rows (\d+) to (\d+)", r.text)
        self.require("words" in r.text and "too long" in r.text.lower() and batch and
                     int(batch.group(1)) <= LONG_BAD_ID <= int(batch.group(2)) and
                     (engine != "mariadb" or "row %d of the table" % LONG_BAD_ID in r.text),
                     "the message does not name the table, the batch of row %d and the "
                     "refusal: %s" % (LONG_BAD_ID, " ".join(r.text.split())[-300:]))
        names = []
        try:
            names = canon.table_names(engine, conn)
        except pyodbc.Error:
            pass
        if "words" in names:
            cn = canon.connect(engine, conn)
            n = cn.cursor().execute("SELECT COUNT(*) FROM words").fetchone()[0]
            cn.close()
            self.require(n == 0, "table words kept %s rows after the failed import" % n)
        self.require(not self.db_exists(engine, db) and "dropped the database" in r.text,
                     "the database %s the failed import made is still there, or the import "
                     "does not say it dropped it: %s" % (db, " ".join(r.text.split())[-300:]))
        self.require(not self.registered(newid), "%s registered after the failed import"
                     % newid)

    def t1_enum(self):
        pkg = self.export("rg-enum")
        with zipfile.ZipFile(pkg) as z:
            man = json.loads(z.read("manifest.json"))
        rows = [t.get("rows") for c in man["clients"] for t in c["database"]["tables"]
                if t["name"] == "enum_rows"]
        self.require(rows == [ENUM_ROWS], "package holds %s rows of enum_rows, want %d"
                     % (rows, ENUM_ROWS))
        r = self.import_(pkg, "rg-enum-x", self.my("ofb_rg_enum_dst"))
        r.expect(1)
        self.require("enum_rows" in r.text, "the message does not name table enum_rows: %s"
                     % " ".join(r.text.split())[-300:])
        self.require(not self.registered("rg-enum-x"), "rg-enum-x registered by a failed import")
        # docs/RESTORE.md: on MariaDB the tables a failed run created are dropped again
        conn = self.my("ofb_rg_enum_dst")
        try:
            names = canon.table_names("mariadb", conn)
        except pyodbc.Error:
            names = []
        self.require("enum_rows" not in names, "table enum_rows left in the target after the "
                     "failed import")

    def t2_enum_key(self):
        pkg = self.export("rg-keys")
        self.st["keys_pkg"] = pkg
        man_rows, lines = package_table(pkg, "rg-keys", "doc")
        self.require(man_rows == 10000, "manifest: %s rows of doc, want 10000" % man_rows)
        self.require(len(lines) == 10000, "doc CSV holds %d records, want 10000" % len(lines))
        self.require(len(set(lines)) == 10000, "doc CSV holds %d distinct records"
                     % len(set(lines)))
        kinds = {}
        for ln in lines:
            k = ln.split(",")[0].strip('"')
            kinds[k] = kinds.get(k, 0) + 1
        self.require(kinds == {"invoice": 7000, "credit": 3000},
                     "doc CSV kinds %s, want invoice 7000, credit 3000" % kinds)

    def t2_float_key(self):
        pkg = self.st.get("keys_pkg") or self.export("rg-keys")
        man_rows, lines = package_table(pkg, "rg-keys", "fkey")
        self.require(man_rows == FLOAT_ROWS, "manifest: %s rows of fkey, want %d"
                     % (man_rows, FLOAT_ROWS))
        keys = [ln.split(",")[0] for ln in lines]
        dup = len(keys) - len(set(keys))
        self.require(len(lines) == FLOAT_ROWS and not dup,
                     "fkey CSV holds %d records, %d keys twice, want %d distinct"
                     % (len(lines), dup, FLOAT_ROWS))
        want = {float(v) for v in self.st["float_keys"]}
        got = {struct.unpack("<f", struct.pack("<f", float(k)))[0] for k in keys}
        want32 = {struct.unpack("<f", struct.pack("<f", v))[0] for v in want}
        self.require(got == want32, "fkey keys differ from the source's: %d missing"
                     % len(want32 - got))
        self.run("verify", pkg).expect(0)

    def t3(self, cid, table, column, engine, db):
        pkg = self.st.get("pkg-" + cid) or self.export(cid)
        self.st["pkg-" + cid] = pkg
        conn = self.pg(db) if engine == "postgresql" else self.my(db)
        newid = "%s-%s" % (cid, engine[:2])
        r = self.import_(pkg, newid, conn)
        r.expect(1)
        self.require(column in r.text, "the message does not name column %s: %s"
                     % (column, " ".join(r.text.split())[-300:]))
        # nothing rounded made it into the target
        names = []
        try:
            names = canon.table_names(engine, conn)
        except pyodbc.Error:
            pass
        if table in names:
            cn = canon.connect(engine, conn)
            vals = [str(x[0]) for x in cn.cursor().execute(
                "SELECT %s FROM %s" % (column, table)).fetchall()]
            cn.close()
            self.require(not vals, "table %s kept rows after the failed import: %s"
                         % (table, vals))

    def t4_infinity(self):
        pkg = self.export("rg-inf")
        with zipfile.ZipFile(pkg) as z:
            schema = json.loads(z.read("clients/rg-inf/db/schema.json"))
            entry = [t["entry"] for t in schema["tables"] if t["name"] == "moments"][0]
            data = z.read(entry).decode("utf-8")
        self.require("9999-12-31" not in data, "package CSV holds 9999-12-31: %r" % data)
        self.require("infinity" in data, "package CSV holds no infinity: %r" % data)
        self.import_(pkg, "rg-inf-x", self.pg("ofb_rg_inf_dst"), expect=(0,))
        cn = canon.connect("postgresql", self.pg("ofb_rg_inf_dst"))
        got = [tuple(r) for r in cn.cursor().execute(
            "SELECT id, ts::text, tstz::text, d::text FROM moments ORDER BY id").fetchall()]
        cn.close()
        want = [(1, "infinity", "infinity", "infinity"),
                (2, "-infinity", "-infinity", "-infinity"),
                (3, "2024-01-02 03:04:05", "2024-01-02 03:04:05+00", "2024-01-02")]
        self.require(got == want, "after the import: %s, want %s" % (got, want))

    def t5_pg(self):
        pkg = self.st.get("seq_pkg") or self.export("rg-seq")
        self.st["seq_pkg"] = pkg
        self.import_(pkg, "rg-seq-pg", self.pg("ofb_rg_seq_dst"), expect=(0,))
        cn = canon.connect("postgresql", self.pg("ofb_rg_seq_dst"))
        cur = cn.cursor()
        rows = [tuple(r) for r in cur.execute(
            "SELECT id, no, note FROM invoice ORDER BY id").fetchall()]
        self.require(rows == [(1, 4712, "a"), (2, 4713, "b"), (3, 4714, "c")],
                     "imported rows %s" % rows)
        cur.execute("INSERT INTO invoice (note) VALUES ('new') RETURNING id, no")
        new_id, new_no = cur.fetchone()
        cn.close()
        self.require(new_no is not None and new_no >= 4715,
                     "a fresh INSERT without no got no = %s, want 4715 or more" % new_no)
        self.require(new_id is not None and new_id >= 4,
                     "a fresh INSERT got id = %s, want 4 or more" % new_id)

    def t5_my(self):
        pkg = self.st.get("seq_pkg") or self.export("rg-seq")
        self.st["seq_pkg"] = pkg
        self.import_(pkg, "rg-seq-my", self.my("ofb_rg_seq_my"), expect=(0,))
        cn = canon.connect("mariadb", self.my("ofb_rg_seq_my"))
        rows = [tuple(r) for r in cn.cursor().execute(
            "SELECT id, no, note FROM invoice ORDER BY id").fetchall()]
        cn.close()
        self.require(rows == [(1, 4712, "a"), (2, 4713, "b"), (3, 4714, "c")],
                     "imported rows %s" % rows)

    def t6_slash(self):
        d = os.path.join(self.root, "files", "rg-slash")
        pkg = os.path.join(self.root, "out", "slash.zip")
        self.run("-c", self.cfg, "backup", "-o", pkg, "rg-slash").expect(0)
        before = canon.file_tree(d)
        with open(os.path.join(d, "good.txt"), "wb") as f:
            f.write(b"changed after the backup\n")
        with open(os.path.join(d, "new.txt"), "wb") as f:
            f.write(b"new\n")
        self.require(canon.diff_tree(before, canon.file_tree(d)), "test setup: nothing changed")
        db = sqlite3.connect(os.path.join(self.root, "db", "slash.db"))
        db.execute("INSERT INTO note VALUES (2, 'after the backup')")
        db.commit()
        db.close()
        r = self.run("-c", self.cfg, "restore", pkg, "rg-slash", "--replace")
        self.st.setdefault("replace_runs", []).append(r)
        r.expect(0)
        p = canon.diff_tree(before, canon.file_tree(d))
        self.require(not p, "files after the restore: %s" % "; ".join(p))
        left = [n for n in os.listdir(os.path.dirname(d)) if n.startswith("rg-slash.")]
        self.require(not left, "left beside the files folder: %s" % left)
        db = sqlite3.connect(os.path.join(self.root, "db", "slash.db"))
        rows = db.execute("SELECT id, body FROM note ORDER BY id").fetchall()
        db.close()
        self.require(rows == [(1, "slash")], "database after the restore: %s" % rows)

    def safety_mode(self):
        """Every safety package the restore --replace runs above printed (items 6, 7, 8)."""
        runs = self.st.get("replace_runs") or []
        self.require(runs, "no restore --replace ran")
        p = []
        for r in runs:
            path = self.safety_package(r)
            if not os.path.isfile(path):
                p.append("printed safety package %s does not exist" % path)
                continue
            mode = os.stat(path).st_mode & 0o777
            if mode != 0o600:
                p.append("%s has mode %o, want 600" % (os.path.basename(path), mode))
        self.require(not p, "; ".join(p))

    def t7_view(self):
        conn = self.pg("ofb_rg_view")
        pkg = os.path.join(self.root, "out", "view.zip")
        # the view in another schema is part of the database, so of the backup
        self.run("-c", self.cfg, "backup", "-o", pkg, "rg-view").expect(0)
        cn = canon.connect("postgresql", conn)
        cn.cursor().execute("INSERT INTO invoice VALUES (3, 30.25)")
        cn.cursor().execute("CREATE VIEW report.late AS SELECT id FROM public.invoice")
        cn.close()
        r = self.run("-c", self.cfg, "restore", pkg, "rg-view", "--replace")
        self.st.setdefault("replace_runs", []).append(r)
        r.expect(0)
        cn = canon.connect("postgresql", conn)
        try:
            got = [tuple(x) for x in cn.cursor().execute(
                "SELECT id, amount FROM report.open_invoices ORDER BY id").fetchall()]
            late = cn.cursor().execute(
                "SELECT count(*) FROM information_schema.views WHERE table_schema = 'report' "
                "AND table_name = 'late'").fetchone()[0]
        finally:
            cn.close()
        self.require(got == [(1, Decimal("10.50")), (2, Decimal("20.00"))],
                     "view report.open_invoices shows %s, want the package's rows" % got)
        self.require(late == 0, "view report.late, made after the backup, is still there")
        # what was replaced, the later view with it, is in the safety package
        safety = self.safety_package(r)
        with zipfile.ZipFile(safety) as z:
            schema = json.loads(z.read("clients/rg-view/db/schema.json"))
        saved = [(o.get("schema"), o["name"]) for o in schema.get("objects") or []]
        self.require(("report", "late") in saved and ("report", "open_invoices") in saved,
                     "the safety package holds views %s" % saved)

    def t8_bad_names(self):
        d = os.path.join(self.root, "files", "rg-bad")
        pkg = os.path.join(self.root, "out", "bad.zip")
        self.run("-c", self.cfg, "backup", "-o", pkg, "rg-bad").expect(0)
        backed = canon.file_tree(d)
        bad = os.path.join(os.fsencode(d), BAD_NAME)
        with open(bad, "wb") as f:
            f.write(b"not UTF-8 name\n")
        os.symlink("good.txt", os.path.join(d, "link.txt"))
        r = self.run("-c", self.cfg, "restore", pkg, "rg-bad", "--replace")
        self.st.setdefault("replace_runs", []).append(r)
        text = " ".join(r.text.split())
        parent = os.path.dirname(d)
        aside = [n for n in os.listdir(parent) if n.startswith("rg-bad.ofbackup-replaced-")]
        p = []
        if r.code != 3:
            p.append("exit %d, want 3" % r.code)
        if len(aside) != 1:
            p.append("folders rg-bad.ofbackup-replaced-* beside it: %s" % aside)
        else:
            a = os.path.join(os.fsencode(parent), os.fsencode(aside[0]))
            kept = os.path.join(a, BAD_NAME)
            if not os.path.isfile(kept):
                p.append("%s not in %s" % (BAD_NAME, aside[0]))
            else:
                with open(kept, "rb") as f:
                    if f.read() != b"not UTF-8 name\n":
                        p.append("%s changed" % BAD_NAME)
            link = os.path.join(a, b"link.txt")
            if not os.path.islink(link) or os.readlink(link) != b"good.txt":
                p.append("symbolic link link.txt not kept in %s" % aside[0])
        if not os.path.lexists(bad) and not aside:
            p.append("the file named %r is gone" % BAD_NAME)
        self.require(not p, "%s; output: %s" % ("; ".join(p), text[-300:]))
        # the folder itself holds the package's files
        q = canon.diff_tree(backed, canon.file_tree(d))
        self.require(not q, "files folder after the restore: %s" % "; ".join(q))

    def t9_real(self):
        pkg = self.export("rg-real")
        path = os.path.join(self.root, "db", "real-x.db")
        self.import_(pkg, "rg-real-x", "Driver=SQLite3;Database=" + path, expect=(0,))
        got = sqlite_rows(path)
        want = self.st["real_rows"]
        self.require(got == want, "after the round trip %s, want %s" % (
            [g for g in got if g not in want], [w for w in want if w not in got]))

    # ------------------------------------------------------------ the group

    def t23_changed_after_survey(self, engine):
        """A full backup surveys the login database first and keeps its connection for the
        snapshot; the client's probe after it waits for a lock another process holds, and
        meanwhile the login database gets an index and a row. The snapshot must see both."""
        root = os.path.realpath(os.path.join(self.root, "t23-" + engine))
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(os.path.join(root, "backups"))
        client = os.path.join(root, "a.db")
        registry = ("CREATE TABLE clients(id TEXT PRIMARY KEY, name TEXT, connect TEXT, "
                    "files_dir TEXT, offline INT)")
        row = ("INSERT INTO clients VALUES ('rg-late', 'late', '%s', NULL, 0)"
               % ("Driver=SQLite3;Database=" + client))
        change = ["CREATE INDEX notes_txt ON notes(txt)",
                  "INSERT INTO notes(txt) VALUES ('three')"]
        if engine == "sqlite":
            login = os.path.join(root, "login.db")
            db = sqlite3.connect(login)
            db.executescript(registry + "; CREATE TABLE notes(id INTEGER PRIMARY KEY "
                             "AUTOINCREMENT, txt TEXT); INSERT INTO notes(txt) VALUES "
                             "('one'), ('two'); " + row + ";")
            db.commit()
            db.close()
            login_conn = "Driver=SQLite3;Database=" + login

            def change_login():
                db = sqlite3.connect(login)
                db.executescript(";".join(change) + ";")
                db.close()
        else:
            cn = self.create_pg("ofb_rg_late")
            for sql in (registry, "CREATE TABLE notes(id serial PRIMARY KEY, txt text)",
                        "INSERT INTO notes(txt) VALUES ('one'), ('two')", row):
                cn.cursor().execute(sql)
            cn.close()
            login_conn = self.pg("ofb_rg_late")

            def change_login():
                cn = pyodbc.connect(login_conn, autocommit=True)
                for sql in change:
                    cn.cursor().execute(sql)
                cn.close()
        db = sqlite3.connect(client)
        db.executescript("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); "
                         "INSERT INTO t VALUES (1, 'x');")
        db.close()
        cfg = write_ini(os.path.join(root, "ofbackup.ini"), login_conn, {},
                        os.path.join(root, "backups"))
        pkg = os.path.join(root, "full.zip")
        hold = sqlite3.connect(client, isolation_level=None)
        hold.execute("BEGIN EXCLUSIVE")
        p = subprocess.Popen([self.suite.tool.path, "-v", "-c", cfg, "backup", "-o", pkg],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env(), cwd=self.cwd)
        try:
            # the client's file opened: the login database's survey is over
            deadline = time.time() + CMD_TIMEOUT
            while time.time() < deadline and p.poll() is None:
                try:
                    fds = [os.readlink("/proc/%d/fd/%s" % (p.pid, f))
                           for f in os.listdir("/proc/%d/fd" % p.pid)]
                except OSError:
                    fds = []
                if client in fds:
                    break
                time.sleep(0.02)
            self.require(p.poll() is None, "the backup ended before the client's probe")
            change_login()
        finally:
            hold.rollback()
            hold.close()
        out, err = p.communicate(timeout=CMD_TIMEOUT)
        text = (out + err).decode("utf-8", "replace")
        self.require(p.returncode == 0, "backup exit %d; output: %s"
                     % (p.returncode, " ".join(text.split())[-300:]))
        self.require("unchanged since its survey" not in text, "the login database's "
                     "snapshot took over a survey older than its change: %s"
                     % " ".join(text.split())[-300:])
        with zipfile.ZipFile(pkg) as z:
            schema = json.loads(z.read("login/schema.json"))
            notes = [t for t in schema["tables"] if t["name"] == "notes"][0]
            rows = z.read(notes["entry"]).decode().strip().split("\n")[1:]
        names = [i.get("name") for i in notes.get("indexes", [])]
        self.require("notes_txt" in names, "the package's login schema has indexes %s on "
                     "notes, want notes_txt (made before the snapshot)" % names)
        self.require(len(rows) == 3, "notes holds %d rows in the package, want 3" % len(rows))
        if engine == "sqlite":
            nxt = (notes.get("identity") or {}).get("next")
            self.require(nxt == 4, "notes' next id in the package: %s, want 4" % nxt)
        # unchanged, the survey serves the snapshot: the same package, and it says so (on
        # PostgreSQL any transaction ending meanwhile, an autovacuum's ANALYZE too, makes
        # the snapshot survey again: three tries)
        for attempt in range(3):
            if os.path.exists(pkg + "2.zip"):
                os.remove(pkg + "2.zip")
            r = self.run("-v", "-c", cfg, "backup", "-o", pkg + "2.zip")
            r.expect(0)
            if "login database: unchanged since its survey" in r.text:
                break
        self.require("login database: unchanged since its survey" in r.text,
                     "three backups of the unchanged login database each surveyed it "
                     "again: %s" % " ".join(r.text.split())[-300:])
        with zipfile.ZipFile(pkg) as a, zipfile.ZipFile(pkg + "2.zip") as b:
            self.require(a.read("login/schema.json") == b.read("login/schema.json"),
                         "login/schema.json differs between the two backups")

    def run_group(self):
        sc = Scenario(self, "regress")
        t = sc.t
        t("prepare: a login database and clients on SQLite, PostgreSQL and MariaDB",
          self.prepare, critical=True)
        t("1 MariaDB import of a table whose row %d of %d holds the ENUM error value '': "
          "exit 1 naming the table" % (ENUM_BAD_ID, ENUM_ROWS), self.t1_enum)
        t("2 MariaDB backup, PRIMARY KEY (kind ENUM, no INT), 7000 + 3000 rows: all 10000 "
          "in the manifest and the CSV", self.t2_enum_key)
        t("2 MariaDB backup, FLOAT primary key, %d distinct values: exactly %d rows, none "
          "twice" % (FLOAT_ROWS, FLOAT_ROWS), self.t2_float_key)
        t("3 SQLite DECIMAL(10,2) holding 12.345 into PostgreSQL: exit 1 naming the column",
          self.t3, "rg-dec", "amounts", "amount_dec", "postgresql", "ofb_rg_dec_pg")
        t("3 SQLite DECIMAL(10,2) holding 12.345 into MariaDB: exit 1 naming the column",
          self.t3, "rg-dec", "amounts", "amount_dec", "mariadb", "ofb_rg_dec_my")
        t("3 SQLite INTEGER holding 1.5 into MariaDB: exit 1 naming the column",
          self.t3, "rg-int", "counts", "qty_int", "mariadb", "ofb_rg_int_my")
        t("4 PostgreSQL timestamp/timestamptz/date 'infinity' and '-infinity': no "
          "9999-12-31 in the package, infinity again after a PG -> PG import",
          self.t4_infinity)
        t("5 PostgreSQL column DEFAULT nextval of a sequence it does not own (at 4714): after "
          "an import into PostgreSQL a fresh INSERT gets 4715 or more", self.t5_pg)
        t("5 the same client imported into MariaDB: exit 0, rows kept", self.t5_my)
        t("6 files folder registered with a trailing slash: restore --replace exits 0 and "
          "puts the files in place", self.t6_slash)
        t("7 views in another schema on a client table: backed up; restore --replace brings "
          "back the package's, a view made later is in the safety package", self.t7_view)
        t("8 target files folder holding a name that is not UTF-8 and a symbolic link: "
          "restore --replace exits 3 and keeps them in <dir>.ofbackup-replaced-*",
          self.t8_bad_names)
        t("the safety packages printed by the restore --replace runs of 6, 7 and 8: mode 0600",
          self.safety_mode)
        t("9 SQLite REAL 1.797e308, 5e-324, 0.30000000000000004, text in REAL and BOOLEAN: "
          "SQLite -> SQLite export/import keeps every value and storage class", self.t9_real)
        t("10 PostgreSQL table of %d rows (batches of arrays) with quotes, backslashes, "
          "braces, 'NULL' text, NULLs, bytes, char(3), a table of array columns and one of "
          "%d rows of 100 KB of bytes (as parameters), %d rows after one mostly bytes and "
          "%d small rows around a text of 1.3 MB: PG -> PG import equal row by row"
          % (BULK_ROWS, DOC_ROWS, MIXED_ROWS, MIXED_ROWS), self.t10_bulk)
        t("11 SQLite VARCHAR(5) holding a longer value in row %d of %d into PostgreSQL: exit "
          "1 naming the table and its batch, no rows kept" % (LONG_BAD_ID, LONG_ROWS),
          self.t11_long, "postgresql", "ofb_rg_long_pg")
        t("12 MariaDB client connected with CHARSET=latin1: its backup verifies, names with "
          "umlauts come back the same", self.t12_latin)
        t("13 SQLite TEXT holding bytes that are not UTF-8: the backup verifies", self.t13_bytes)
        t("11 the same into MariaDB (statements of literals, on two connections, each "
          "executed while the next is read): exit 1 naming the batch and the row, no rows kept",
          self.t11_long, "mariadb", "ofb_rg_long_my")
        t("14 MariaDB -> MariaDB, %d rows as statements of literals on two connections: "
          "texts with quotes, backslashes, markers, comments and escapes, bytes, a 1.5 MB "
          "value, NULLs: every row equal; that InnoDB table on two connections, one without "
          "primary key and a MyISAM one in the package's order"
          % LIT_ROWS, self.t14_literals)
        t("15 MariaDB foreign keys of two columns, to a unique key, four on one table: the "
          "package has each whole; imported into PostgreSQL and SQLite, each is made",
          self.t15_foreign_keys)
        t("16 PostgreSQL tables of the same names in two schemas: the package has each "
          "one's primary key, indexes (INCLUDE columns are no key columns), foreign keys, "
          "sequence, generated and unbounded columns; restored, each sequence goes on",
          self.t16_schemas)
        t("17 MariaDB primary key (b, a) after another column, a UNIQUE NOT NULL key without "
          "primary key: the package has the key's columns in its order and no made-up primary "
          "key, the backup reads the %d rows by that unique key (not by offset), PostgreSQL "
          "gets PRIMARY KEY (b, a) and every row" % UNIQ_ROWS,
          self.t17_primary_keys)
        t("18 SQLite primary key (b, a) after another column, UNIQUE constraints without primary "
          "key, a descending index, a foreign key to the referenced table's primary key, "
          "AUTOINCREMENT: the package has each as the file does; PostgreSQL gets them",
          self.t18_sqlite_keys)
        t("19 PostgreSQL tables Kunde and kunde, columns name and Name, tables lager.teil and "
          "lager__teil: an import into SQLite and into MariaDB exits 1 naming both before it "
          "makes anything; into PostgreSQL they stay apart", self.t19_case)
        t("20 PostgreSQL, %d tables: one past the first hundred, made anew by another "
          "transaction as the backup starts, is waited for and read as committed; rows of "
          "%d KB past the first hundred are read a few at a time, one-row tables 2,000 at a time"
          % (LOCK_FILLERS + 2, LOCK_WIDE_BYTES // 1000), self.t20_locks)
        t("21 SQLite package whose DDL makes a column UNIQUE ON CONFLICT IGNORE, rows that "
          "share it: the import exits 1 saying the table took fewer rows, nothing kept; the "
          "package as made loads whole", self.t21_rows_dropped)
        t("22 PostgreSQL package whose table of %d rows holds a primary key value twice, in "
          "row 20000 of a valid package: its key, added after the rows, is refused; the import "
          "exits 1 naming the table, the key and the value, the database it made is gone"
          % BULK_ROWS, self.t22_key_twice)
        t("24 MariaDB package with a routine, its table damaged, imported into a database "
          "that holds no tables but a routine of its own: exit 1 saying the package is "
          "damaged, the database's routine still there, no table, the package's routine not "
          "made", self.t24_objects_damaged)
        t("26 a table of documents (a BLOB column) is compressed at level 2 by default, a "
          "table of text at the default level 4; with compression = 4 set, both at 4; a "
          "file of 200 KB that does not compress is stored, one of 20 KB and text deflated; "
          "also encrypted, which verifies and imports with every file the same",
          self.t26_levels)
        t("27 values over 4 MiB (bytes of 9 MB, text of 4.8 million characters of one to "
          "four bytes) in a table with a key of two columns, on PostgreSQL, MariaDB and "
          "SQLite: read in parts (-v says so; SQLite text, a table without a key, MyISAM and a "
          "row whose key is NULL whole), the table file is the table's exact CSV, the package "
          "verifies and imports the same; a key that reads back as another row's fails the "
          "backup",
          self.t27_parts)
        for engine in ("mariadb", "postgresql"):
            t("25 import of %d rows into an existing empty %s database interrupted with SIGINT "
              "while the rows go in: exit 1 saying so and that nothing was changed, no table "
              "left, nothing registered" % (INT_ROWS, engine), self.t25_interrupted, engine)
        for engine in ("sqlite", "postgresql"):
            t("23 full backup, login database on %s: it gets an index and a row after its "
              "survey, while the client's probe waits for a lock: the package has both; "
              "unchanged, its survey serves the snapshot" % engine,
              self.t23_changed_after_survey, engine)
        try:
            self.drop_all()
        except pyodbc.Error:
            pass


def edited_package(pkg, entry, edit, dst):
    """A copy dst of package pkg with entry's bytes passed through edit(bytes) -> bytes and
    the manifest's size and SHA-256 of it recomputed: a valid package only its contents
    make hostile."""
    with zipfile.ZipFile(pkg) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    data = dict((i.filename, d) for i, d in items)
    new = edit(data[entry])
    man = json.loads(data["manifest.json"])
    for e in man["entries"]:
        if e["path"] == entry:
            e["size"], e["sha256"] = len(new), hashlib.sha256(new).hexdigest()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info, d in items:
            z.writestr(info, new if info.filename == entry else
                       json.dumps(man).encode("utf-8") if info.filename == "manifest.json"
                       else d, compress_type=zipfile.ZIP_DEFLATED)
    return dst


def package_schema(pkg, cid):
    with zipfile.ZipFile(pkg) as z:
        return json.loads(z.read("clients/%s/db/schema.json" % cid))


def pg_keys(cur):
    """(table, definition) of every primary key, unique constraint and foreign key of the
    database's own tables, sorted."""
    return sorted((r[0], r[1]) for r in cur.execute(
        "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype IN ('p', 'u', 'f') AND connamespace <> "
        "'pg_catalog'::regnamespace").fetchall())


# 17: rows of the table with a unique key and no primary key: more than one chunk
UNIQ_ROWS = 12000

# 20: tables f001 ... besides moving and w_blob, whose rows are this wide
LOCK_FILLERS = 149
LOCK_WIDE_BYTES = 300000
LOCK_WIDE_ROWS = 30

# 16: two schemas, the same table names in both
SCHEMAS_FILLERS = 130
SCHEMAS_SQL = [
    "CREATE SCHEMA acct",
    "CREATE TABLE public.doc (id serial PRIMARY KEY, code text NOT NULL, amount numeric(8,2))",
    "CREATE INDEX doc_code ON public.doc (code DESC)",
    "SELECT setval('public.doc_id_seq', 41)",
    "CREATE TABLE acct.doc (id bigint GENERATED BY DEFAULT AS IDENTITY, code text NOT NULL, "
    "amount numeric, twice numeric GENERATED ALWAYS AS (amount * 2) STORED, "
    "CONSTRAINT acct_doc_pk PRIMARY KEY (code, id))",
    "CREATE UNIQUE INDEX acct_doc_id ON acct.doc (id) INCLUDE (amount)",
    "CREATE INDEX acct_doc_lower ON acct.doc (lower(code))",
    "SELECT setval(pg_get_serial_sequence('acct.doc', 'id'), 500)",
    "CREATE TABLE public.line (no int PRIMARY KEY, doc_id int REFERENCES public.doc (id))",
    "CREATE TABLE acct.line (no int, doc_code text, doc_id bigint, pub_id int, "
    "PRIMARY KEY (no), CONSTRAINT acct_line_doc FOREIGN KEY (doc_code, doc_id) "
    "REFERENCES acct.doc (code, id) ON DELETE CASCADE, CONSTRAINT acct_line_pub "
    "FOREIGN KEY (pub_id) REFERENCES public.doc (id))",
    # a serial column made an identity column owns two sequences, the identity's is used;
    # so is the one a serial column's default names, not another it owns besides
    "CREATE TABLE acct.conv (id serial PRIMARY KEY)",
    "ALTER TABLE acct.conv ALTER id DROP DEFAULT",
    "ALTER TABLE acct.conv ALTER id ADD GENERATED BY DEFAULT AS IDENTITY",
    "ALTER TABLE acct.conv ALTER id RESTART WITH 70",
    "SELECT setval('acct.conv_id_seq', 5)",
    "CREATE SEQUENCE public.extra",
    "CREATE TABLE public.two (id serial PRIMARY KEY)",
    "ALTER SEQUENCE public.extra OWNED BY public.two.id",
    "SELECT setval('public.two_id_seq', 9)",
    "SELECT setval('public.extra', 99)",
    # more tables in the second schema than the first one's list had room for
    "DO $$ BEGIN FOR i IN 1..%d LOOP EXECUTE format('CREATE TABLE public.f%%s (id int "
    "PRIMARY KEY); CREATE TABLE acct.f%%s (id int PRIMARY KEY)', i, i); END LOOP; END $$"
    % SCHEMAS_FILLERS,
    "INSERT INTO public.doc (id, code, amount) VALUES (41, 'p', 1.5)",
    "INSERT INTO acct.doc (id, code, amount) VALUES (500, 'a', 2)",
    "INSERT INTO public.line VALUES (1, 41)",
    "INSERT INTO acct.line VALUES (1, 'a', 500, 41)",
]
SCHEMAS_WANT = {
    (None, "doc"): {
        "pk": ["doc_pkey", ["id"]],
        "indexes": [["doc_code", False, ["code"], True]],
        "fkeys": [], "identity": {"column": "id", "next": 42}, "generated": [],
        "unbounded": [],
        "declared": {"id": "integer", "code": "text", "amount": "numeric(8,2)"}},
    (None, "line"): {
        "pk": ["line_pkey", ["no"]], "indexes": [],
        "fkeys": [["line_doc_id_fkey", ["doc_id"], None, "doc", ["id"], "NO ACTION"]],
        "identity": None, "generated": [], "unbounded": [],
        "declared": {"no": "integer", "doc_id": "integer"}},
    ("acct", "doc"): {
        "pk": ["acct_doc_pk", ["code", "id"]],
        "indexes": [["acct_doc_id", True, ["id"], True],
                    ["acct_doc_lower", False, [None], False]],
        "fkeys": [], "identity": {"column": "id", "next": 501}, "generated": ["twice"],
        "unbounded": ["amount", "twice"],
        "declared": {"id": "bigint", "code": "text", "amount": "numeric",
                     "twice": "numeric"}},
    ("acct", "conv"): {
        "pk": ["conv_pkey", ["id"]], "indexes": [], "fkeys": [],
        "identity": {"column": "id", "next": 70}, "generated": [], "unbounded": [],
        "declared": {"id": "integer"}},
    (None, "two"): {
        "pk": ["two_pkey", ["id"]], "indexes": [], "fkeys": [],
        "identity": {"column": "id", "next": 10}, "generated": [], "unbounded": [],
        "declared": {"id": "integer"}},
    ("acct", "line"): {
        "pk": ["line_pkey", ["no"]], "indexes": [],
        "fkeys": [["acct_line_doc", ["doc_code", "doc_id"], "acct", "doc", ["code", "id"],
                   "CASCADE"],
                  ["acct_line_pub", ["pub_id"], None, "doc", ["id"], "NO ACTION"]],
        "identity": None, "generated": [], "unbounded": [],
        "declared": {"no": "integer", "doc_code": "text", "doc_id": "bigint",
                     "pub_id": "integer"}},
}
SCHEMAS_CONSTRAINTS = sorted([
    ("acct.doc", "PRIMARY KEY (code, id)"),
    ("acct.conv", "PRIMARY KEY (id)"),
    ("two", "PRIMARY KEY (id)"),
    ("acct.line", "FOREIGN KEY (doc_code, doc_id) REFERENCES acct.doc(code, id) ON DELETE CASCADE"),
    ("acct.line", "FOREIGN KEY (pub_id) REFERENCES doc(id)"),
    ("acct.line", "PRIMARY KEY (no)"),
    ("doc", "PRIMARY KEY (id)"),
    ("line", "FOREIGN KEY (doc_id) REFERENCES doc(id)"),
    ("line", "PRIMARY KEY (no)"),
])

# 18: SQLite keys that the driver's catalog functions report otherwise
SQLITE_KEYS_SQL = """
CREATE TABLE late_key (note text, a int NOT NULL, b int NOT NULL, PRIMARY KEY (b, a));
CREATE TABLE uniq_only (x int, u text UNIQUE, v int, w int, UNIQUE (w, v));
CREATE TABLE wr (k text PRIMARY KEY, v int) WITHOUT ROWID;
CREATE INDEX wr_v ON wr (v DESC, k);
CREATE TABLE counter (id INTEGER PRIMARY KEY AUTOINCREMENT, label text);
CREATE TABLE child (id integer PRIMARY KEY, pb int, pa int, r int,
  FOREIGN KEY (pb, pa) REFERENCES late_key ON DELETE CASCADE,
  FOREIGN KEY (r) REFERENCES counter (id) ON UPDATE SET NULL);
CREATE TABLE Parent (ID int PRIMARY KEY, Code text UNIQUE);
CREATE TABLE kid (id integer PRIMARY KEY, pid int REFERENCES PARENT (id), pc text,
  FOREIGN KEY (PC) REFERENCES parent (CODE));
INSERT INTO Parent VALUES (1, 'a');
INSERT INTO kid VALUES (1, 1, 'a');
INSERT INTO late_key VALUES ('one', 1, 2), ('two', 2, 1);
INSERT INTO uniq_only VALUES (1, 'a', 1, 1), (2, 'b', 2, 1);
INSERT INTO wr VALUES ('k1', 1), ('k2', 2);
INSERT INTO counter VALUES (7, 'seven');
DELETE FROM counter;
INSERT INTO counter VALUES (3, 'three');
INSERT INTO child VALUES (1, 2, 1, 3);
"""
SQLITE_KEYS_WANT = {
    "late_key": {"pk": ["b", "a"], "indexes": [], "fkeys": [], "identity": None},
    "uniq_only": {"pk": None, "indexes": [["sqlite_autoindex_uniq_only_1", True, ["u"], [False]],
                                          ["sqlite_autoindex_uniq_only_2", True, ["w", "v"],
                                           [False, False]]],
                  "fkeys": [], "identity": None},
    "wr": {"pk": ["k"], "indexes": [["wr_v", False, ["v", "k"], [True, False]]], "fkeys": [],
           "identity": None},
    "counter": {"pk": ["id"], "indexes": [], "fkeys": [], "identity": {"column": "id", "next": 8}},
    "Parent": {"pk": ["ID"], "indexes": [["sqlite_autoindex_Parent_2", True, ["Code"], [False]]],
               "fkeys": [], "identity": None},
    "kid": {"pk": ["id"], "indexes": [],
            "fkeys": [[["pc"], "Parent", ["Code"], "NO ACTION", "NO ACTION"],
                      [["pid"], "Parent", ["ID"], "NO ACTION", "NO ACTION"]],
            "identity": {"column": "id", "next": 2}},
    "child": {"pk": ["id"], "indexes": [],
              "fkeys": [[["pb", "pa"], "late_key", ["b", "a"], "NO ACTION", "CASCADE"],
                        [["r"], "counter", ["id"], "SET NULL", "NO ACTION"]],
              "identity": {"column": "id", "next": 2}},
}
SQLITE_KEYS_PG = sorted([
    ("child", "FOREIGN KEY (pb, pa) REFERENCES late_key(b, a) ON DELETE CASCADE"),
    ("child", "FOREIGN KEY (r) REFERENCES counter(id) ON UPDATE SET NULL"),
    ("child", "PRIMARY KEY (id)"),
    ("counter", "PRIMARY KEY (id)"),
    ("late_key", "PRIMARY KEY (b, a)"),
    ("wr", "PRIMARY KEY (k)"),
    ('"Parent"', 'PRIMARY KEY ("ID")'),
    ("kid", 'FOREIGN KEY (pc) REFERENCES "Parent"("Code")'),
    ("kid", 'FOREIGN KEY (pid) REFERENCES "Parent"("ID")'),
    ("kid", "PRIMARY KEY (id)"),
])

REAL_ROWS = [
    (1, 1.7976931348623157e308, 1),
    (2, 5e-324, 0),
    (3, 0.30000000000000004, None),
    (4, "abc", "t"),
    (5, "0x10", None),
]


def sqlite_rows(path):
    """(id, typeof(v), quote(v), typeof(b), quote(b)) of table vals, read losslessly with
    Python's sqlite3 (quote() prints every digit a double needs)."""
    db = sqlite3.connect(path)
    try:
        return [tuple(r) for r in db.execute(
            "SELECT id, typeof(v), quote(v), typeof(b), quote(b) FROM vals ORDER BY id")]
    finally:
        db.close()


def package_table(pkg, cid, table):
    """(rows in the manifest, data records of the CSV without the header) of a table."""
    with zipfile.ZipFile(pkg) as z:
        man = json.loads(z.read("manifest.json"))
        schema = json.loads(z.read("clients/%s/db/schema.json" % cid))
        entry = [t["entry"] for t in schema["tables"] if t["name"] == table][0]
        data = z.read(entry).decode("utf-8")
    rows = None
    for c in man.get("clients") or []:
        for t in (c.get("database") or {}).get("tables") or []:
            if t.get("name") == table:
                rows = t.get("rows")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return rows, lines[1:]


def run_class(cls, group, suite, failed_cls):
    """Run group's tests (cls(suite, failed_cls).run_group()), or fail them all at once
    when the servers did not come up."""
    if suite.r.blocked:
        suite.r._fail("%s: all tests" % group, suite.r.blocked)
        return
    cls(suite, failed_cls).run_group()


def run(suite, failed_cls):
    run_class(Regress, "regress", suite, failed_cls)
