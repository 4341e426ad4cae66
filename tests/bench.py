#!/usr/bin/env python3
"""Speed and memory of ofbackup against each engine's own tools, on the same data in the
same run (make bench). Prints figures and asserts nothing about speed: the machines are
shared and noisy, so only ratios measured side by side mean something. It does check that
every restored database equals its source (a row-ordered hash), so a fast wrong answer
cannot pass.

Shapes, each on SQLite, PostgreSQL and MariaDB (sizes are parameters):
  narrow   OFB_BENCH_ROWS rows (default 200000): bigint key, timestamp, int, varchar(200),
           numeric(12,2); also at a tenth of that, for memory at two sizes 10x apart
  wide     OFB_BENCH_WIDE rows (default 50000) of 15 mixed columns
  blob100k OFB_BENCH_BLOBS rows (default 300) of 100 KB values
  blob1m   a tenth as many rows of 1 MB values
  blob12m  a fiftieth as many rows of 12 MB values (scanned documents kept in the database)
  tables   OFB_BENCH_TABLES tables (default 200) of 10 rows and an index each, one of
           1,000 rows: the catalog's cost, as an office application's database has it
and a files folder of mixed small and large files (ofbackup against zip -r at ofbackup's
default level, 4; the engines' tools at their own defaults, gzip -6 and pg_dump's).

Pairs, run alternately OFB_BENCH_REPS times (default 3), the median taken:
  backup   ofbackup export        / pg_dump -Fc, mariadb-dump --single-transaction | gzip,
                                    sqlite3 .dump | gzip
  restore  ofbackup import (a new / pg_restore, mariadb < dump, sqlite3 < dump (each its
           database of the engine)    own dump)
Wall time, client CPU (user + system of the tool and its children), peak RSS, output size,
ratio ofbackup/reference. The table and the machine go to docs/BENCHMARKS.md
(OFB_BENCH_OUT=path elsewhere, OFB_BENCH_OUT=- not at all).
"""

import hashlib
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OFB = os.environ.get("OFBACKUP", os.path.join(TOP, "ofbackup"))
ROWS = int(os.environ.get("OFB_BENCH_ROWS", "200000"))
WIDE = int(os.environ.get("OFB_BENCH_WIDE", "50000"))
BLOBS = int(os.environ.get("OFB_BENCH_BLOBS", "300"))
REPS = int(os.environ.get("OFB_BENCH_REPS", "3"))
ENGINES = os.environ.get("OFB_BENCH_ENGINES", "sqlite postgresql mariadb").split()
SHAPES = os.environ.get("OFB_BENCH_SHAPES",
                        "narrow narrow10 wide blob100k blob1m blob12m tables files").split()
TABLES = int(os.environ.get("OFB_BENCH_TABLES", "200"))
OUT = os.environ.get("OFB_BENCH_OUT", os.path.join(TOP, "docs", "BENCHMARKS.md"))
PG_PORT = int(os.environ.get("OFB_PG_PORT", "55442"))
MY_PORT = int(os.environ.get("OFB_MY_PORT", "53316"))
PW = "ofb-secret"


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, **kw)


def measure(cmd):
    """Run cmd (a shell command line) under GNU time (a small process: a child forked
    from this one would count this one's memory as its own); wall seconds, CPU seconds
    (it and its children), peak RSS in MiB (the largest process of it)."""
    stats = tempfile.NamedTemporaryFile(prefix="ofb-bench-time-", delete=False)
    stats.close()
    t0 = time.monotonic()
    r = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", stats.name, "sh", "-c", cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    with open(stats.name) as f:
        fields = f.read().split()
    os.remove(stats.name)
    if r.returncode not in (0, 3):
        raise RuntimeError("failed (exit %d): %s\n%s" % (r.returncode, cmd,
                                                         r.stderr.decode(errors="replace")[-2000:]))
    user, system, rss = fields[-3:]
    return wall, float(user) + float(system), int(rss) / 1024.0


class Bench:
    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="ofb-bench-")
        if os.geteuid() == 0:
            os.chmod(self.work, 0o755)
        self.rows = []      # result rows for the table
        self.n_target = 0

    # ------------------------------------------------------------ servers and clients

    def start(self):
        env = dict(os.environ, OFB_PG_PORT=str(PG_PORT), OFB_MY_PORT=str(MY_PORT))
        sh("sh '%s/tests/servers.sh' start '%s/servers' >/dev/null" % (TOP, self.work), env=env)
        os.environ["PGPASSWORD"] = PW
        os.environ["PGOPTIONS"] = "-c client_min_messages=warning"

    def stop(self):
        env = dict(os.environ, OFB_PG_PORT=str(PG_PORT), OFB_MY_PORT=str(MY_PORT))
        subprocess.run("sh '%s/tests/servers.sh' stop '%s/servers' >/dev/null 2>&1" % (
            TOP, self.work), shell=True, env=env)
        shutil.rmtree(self.work, ignore_errors=True)

    def psql(self, db, sql):
        sh("psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p %d -U ofb -d %s" % (PG_PORT, db),
           input=sql.encode(), stdout=subprocess.DEVNULL)

    def psql_value(self, db, sql):
        return subprocess.run(["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", str(PG_PORT),
                               "-U", "ofb", "-d", db, "-c", sql], check=True,
                              stdout=subprocess.PIPE).stdout.decode().strip()

    def my(self, db, sql, value=False):
        r = subprocess.run(["mariadb", "--no-defaults", "--default-character-set=utf8mb4", "-N",
                            "-B", "-h", "127.0.0.1", "-P", str(MY_PORT), "-u", "ofb", "-p" + PW]
                           + ([db] if db else []), input=sql.encode(), check=True,
                           stdout=subprocess.PIPE)
        return r.stdout.decode().strip() if value else None

    def conn(self, engine, db):
        if engine == "sqlite":
            return "Driver=SQLite3;Database=%s/%s.db" % (self.work, db)
        if engine == "postgresql":
            return ("Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=%d;Database=%s;UID=ofb;"
                    "PWD=%s" % (PG_PORT, db, PW))
        return ("Driver=MariaDB Unicode;Server=127.0.0.1;Port=%d;Database=%s;UID=ofb;PWD=%s"
                % (MY_PORT, db, PW))

    def new_db(self, engine, db):
        if engine == "sqlite":
            if os.path.exists("%s/%s.db" % (self.work, db)):
                os.remove("%s/%s.db" % (self.work, db))
        elif engine == "postgresql":
            self.psql("postgres", "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s;" % (db, db))
        else:
            self.my(None, "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET "
                    "utf8mb4;" % (db, db))

    def drop_db(self, engine, db):
        if engine == "sqlite":
            if os.path.exists("%s/%s.db" % (self.work, db)):
                os.remove("%s/%s.db" % (self.work, db))
        elif engine == "postgresql":
            self.psql("postgres", "DROP DATABASE IF EXISTS %s;" % db)
        else:
            self.my(None, "DROP DATABASE IF EXISTS %s;" % db)

    # ------------------------------------------------------------ data

    def fill(self, engine, db, shape):
        """Create and fill table t of shape in database db."""
        self.new_db(engine, db)
        if shape == "tables":
            self.fill_tables(engine, db)
            return
        n = {"narrow": ROWS, "narrow10": max(ROWS // 10, 1), "wide": WIDE, "blob100k": BLOBS,
             "blob1m": max(BLOBS // 10, 1), "blob12m": max(BLOBS // 50, 1)}[shape]
        size = {"blob1m": 1024 * 1024, "blob12m": 12 * 1024 * 1024}.get(shape, 100 * 1024)
        if engine == "sqlite":
            gen = ("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %d) "
                   % n)
            if shape.startswith("narrow"):
                sql = ("CREATE TABLE t(id BIGINT PRIMARY KEY, at TIMESTAMP, n INT, label "
                       "VARCHAR(200), amount NUMERIC(12,2));" + gen +
                       "INSERT INTO t SELECT i, datetime(1767225600 + i * 37, 'unixepoch'), "
                       "(i * 7919) % 100000, 'label ' || hex(randomblob(8 + i % 24)), "
                       "round((i % 100000) * 1.37, 2) FROM g;")
            elif shape == "wide":
                sql = ("CREATE TABLE t(id BIGINT PRIMARY KEY, c1 INT, c2 BIGINT, c3 SMALLINT, "
                       "c4 REAL, c5 NUMERIC(18,4), c6 VARCHAR(50), c7 VARCHAR(200), c8 TEXT, "
                       "c9 DATE, c10 TIMESTAMP, c11 BOOLEAN, c12 CHAR(10), c13 DOUBLE, "
                       "c14 VARCHAR(100));" + gen +
                       "INSERT INTO t SELECT i, i % 1000, i * 1000003, i % 30000, i / 7.0, "
                       "round(i * 3.14159, 4), 'k' || (i % 977), hex(randomblob(40)), "
                       "'Text ' || hex(randomblob(i % 60)), date(1767225600 + i * 86, "
                       "'unixepoch'), datetime(1767225600 + i * 13, 'unixepoch'), i % 2, "
                       "substr('ABCDEFGHIJ', 1 + i % 10), i * 0.001, 'Straße ' || i FROM g;")
            else:
                sql = ("CREATE TABLE t(id BIGINT PRIMARY KEY, doc BLOB);" + gen +
                       "INSERT INTO t SELECT i, randomblob(%d) FROM g;" % size)
            db_path = "%s/%s.db" % (self.work, db)
            con = sqlite3.connect(db_path)
            con.executescript(sql)
            con.commit()
            con.close()
            return
        if engine == "postgresql":
            gen = "FROM generate_series(1, %d) i" % n
            if shape.startswith("narrow"):
                sql = ("CREATE TABLE t(id bigint PRIMARY KEY, at timestamp, n int, label "
                       "varchar(200), amount numeric(12,2)); INSERT INTO t SELECT i, "
                       "timestamp '2026-01-01' + i * interval '37 seconds', (i * 7919) % 100000, "
                       "'label ' || left(md5(i::text) || md5((i+1)::text), 16 + i % 48), "
                       "round((i % 100000) * 1.37, 2) " + gen + ";")
            elif shape == "wide":
                sql = ("CREATE TABLE t(id bigint PRIMARY KEY, c1 int, c2 bigint, c3 smallint, "
                       "c4 real, c5 numeric(18,4), c6 varchar(50), c7 varchar(200), c8 text, "
                       "c9 date, c10 timestamp, c11 boolean, c12 char(10), c13 double "
                       "precision, c14 varchar(100)); INSERT INTO t SELECT i, i % 1000, "
                       "i * 1000003::bigint, i % 30000, i / 7.0, round(i * 3.14159, 4), "
                       "'k' || (i % 977), md5(i::text) || md5((i*3)::text) || md5((i*5)::text), "
                       "'Text ' || left(repeat(md5(i::text), 4), i % 120), date '2026-01-01' + "
                       "i % 3000, timestamp '2026-01-01' + i * interval '13 seconds', i % 2 = 0, "
                       "substr('ABCDEFGHIJ', 1 + i % 10), i * 0.001, 'Straße ' || i " + gen + ";")
            else:
                sql = ("CREATE TABLE t(id bigint PRIMARY KEY, doc bytea); INSERT INTO t SELECT i, "
                       "(SELECT string_agg(decode(md5(i::text || '-' || k), 'hex'), '') FROM "
                       "generate_series(1, %d) k) " % (size // 16) + gen + ";")
            self.psql(db, sql)
            return
        gen = "FROM seq_1_to_%d s" % n
        if shape.startswith("narrow"):
            sql = ("CREATE TABLE t(id bigint PRIMARY KEY, at datetime, n int, label varchar(200), "
                   "amount decimal(12,2)); INSERT INTO t SELECT seq, TIMESTAMP '2026-01-01 00:00:00' + "
                   "INTERVAL seq * 37 SECOND, (seq * 7919) % 100000, CONCAT('label ', "
                   "LEFT(CONCAT(MD5(seq), MD5(seq + 1)), 16 + seq % 48)), "
                   "ROUND((seq % 100000) * 1.37, 2) " + gen + ";")
        elif shape == "wide":
            sql = ("CREATE TABLE t(id bigint PRIMARY KEY, c1 int, c2 bigint, c3 smallint, c4 float, "
                   "c5 decimal(18,4), c6 varchar(50), c7 varchar(200), c8 text, c9 date, "
                   "c10 datetime, c11 boolean, c12 char(10), c13 double, c14 varchar(100)) "
                   "CHARACTER SET utf8mb4; INSERT INTO t SELECT seq, seq % 1000, "
                   "seq * 1000003, seq % 30000, seq / 7.0, ROUND(seq * 3.14159, 4), "
                   "CONCAT('k', seq % 977), CONCAT(MD5(seq), MD5(seq * 3), MD5(seq * 5)), "
                   "CONCAT('Text ', LEFT(REPEAT(MD5(seq), 4), seq % 120)), DATE '2026-01-01' + "
                   "INTERVAL seq % 3000 DAY, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq * 13 SECOND, "
                   "seq % 2, SUBSTR('ABCDEFGHIJ', 1 + seq % 10), seq * 0.001, "
                   "CONCAT('Straße ', seq) " + gen + ";")
        else:
            # random bytes from here: the server's RANDOM_BYTES gives 1 KB at most, and a
            # value repeated from it would compress to nothing
            path = os.path.join(self.work, "blobs.sql")
            with open(path, "w") as f, open("/dev/urandom", "rb") as rnd:
                f.write("CREATE TABLE t(id bigint PRIMARY KEY, doc longblob);\n")
                for i in range(1, n + 1):
                    f.write("INSERT INTO t VALUES (%d, 0x%s);\n" % (i, rnd.read(size).hex()))
            sh("mariadb --no-defaults --max-allowed-packet=1G -h 127.0.0.1 -P %d -u ofb -p%s %s "
               "< '%s'" % (MY_PORT, PW, db, path))
            os.remove(path)
            return
        self.my(db, sql)

    def fill_tables(self, engine, db):
        """TABLES tables of a few rows each, with an index, as an office application's
        database has them: t (1,000 rows, the one compared after a restore) and t1 ..."""
        stmts = []
        for k in range(TABLES):
            name, rows = ("t", 1000) if k == 0 else ("t%d" % k, 10)
            stmts.append("CREATE TABLE %s (id int PRIMARY KEY, name varchar(40), amount "
                         "decimal(10,2), at date)" % name)
            stmts.append("CREATE INDEX %s_name ON %s (name)" % (name, name))
            stmts.append("INSERT INTO %s VALUES %s" % (name, ",".join(
                "(%d, 'name %d', %d.%02d, '2026-%02d-%02d')" % (i, i * 7, i, i % 100,
                                                                 1 + i % 12, 1 + i % 28)
                for i in range(1, rows + 1))))
        sql = ";\n".join(stmts) + ";\n"
        if engine == "sqlite":
            con = sqlite3.connect("%s/%s.db" % (self.work, db))
            con.executescript(sql)
            con.commit()
            con.close()
        elif engine == "postgresql":
            self.psql(db, sql)
        else:
            self.my(db, sql)

    def digest(self, engine, db):
        """A row-ordered hash of table t."""
        if engine == "sqlite":
            con = sqlite3.connect("%s/%s.db" % (self.work, db))
            h = hashlib.sha256()
            for row in con.execute("SELECT * FROM t ORDER BY id"):
                h.update(repr(tuple(bytes(v) if isinstance(v, (bytes, memoryview)) else v
                                    for v in row)).encode())
            con.close()
            return h.hexdigest()
        if engine == "postgresql":
            return self.psql_value(db, "SELECT count(*) || ':' || md5(string_agg(md5(t::text), '' "
                                       "ORDER BY id)) FROM t")
        cols = self.my(db, "SELECT GROUP_CONCAT(CONCAT('QUOTE(', column_name, ')') ORDER BY "
                           "ordinal_position) FROM information_schema.columns WHERE "
                           "table_schema = DATABASE() AND table_name = 't'", value=True)
        return self.my(db, "SET SESSION group_concat_max_len = 1073741824; SELECT "
                           "CONCAT(COUNT(*), ':', MD5(GROUP_CONCAT(MD5(CONCAT_WS('|', %s)) "
                           "ORDER BY id SEPARATOR ''))) FROM t" % cols, value=True)

    # ------------------------------------------------------------ one pair

    def config(self, engine, db, files=None):
        login = os.path.join(self.work, "login.db")
        if os.path.exists(login):
            os.remove(login)
        con = sqlite3.connect(login)
        con.execute("CREATE TABLE clients(id TEXT PRIMARY KEY, name TEXT, connect TEXT, "
                    "files_dir TEXT, offline INT)")
        con.execute("INSERT INTO clients VALUES ('src', 'source', ?, ?, 0)",
                    (self.conn(engine, db), files))
        con.commit()
        con.close()
        cfg = os.path.join(self.work, "ofbackup.ini")
        with open(cfg, "w") as f:
            f.write('[login]\nconnect = "Driver=SQLite3;Database=%s"\n' % login)
        return cfg

    def reference_backup(self, engine, db, out):
        if engine == "sqlite":
            return "sqlite3 '%s/%s.db' .dump | gzip -6 > '%s'" % (self.work, db, out)
        if engine == "postgresql":
            return "pg_dump -h 127.0.0.1 -p %d -U ofb -Fc -f '%s' %s" % (PG_PORT, out, db)
        return ("mariadb-dump --no-defaults -h 127.0.0.1 -P %d -u ofb -p%s --single-transaction "
                "--hex-blob --max-allowed-packet=1G %s | gzip -6 > '%s'" % (MY_PORT, PW, db, out))

    def reference_restore(self, engine, dump, db):
        self.new_db(engine, db)
        if engine == "sqlite":
            return "gzip -dc '%s' | sqlite3 '%s/%s.db'" % (dump, self.work, db)
        if engine == "postgresql":
            return "pg_restore -h 127.0.0.1 -p %d -U ofb -d %s '%s'" % (PG_PORT, db, dump)
        return ("gzip -dc '%s' | mariadb --no-defaults --max-allowed-packet=1G -h 127.0.0.1 "
                "-P %d -u ofb -p%s %s" % (dump, MY_PORT, PW, db))

    def pair(self, engine, shape):
        src = "src_%s" % shape
        self.fill(engine, src, shape)
        want = self.digest(engine, src)
        cfg = self.config(engine, src)
        pkg = os.path.join(self.work, "pkg.zip")
        ref = os.path.join(self.work, "ref.dump")
        backup = {"ofb": [], "ref": []}
        restore = {"ofb": [], "ref": []}
        for rep in range(REPS):
            order = ("ofb", "ref") if rep % 2 == 0 else ("ref", "ofb")
            for who in order:
                if who == "ofb":
                    if os.path.exists(pkg):
                        os.remove(pkg)
                    m = measure("'%s' -q -c '%s' export src -o '%s'" % (OFB, cfg, pkg))
                    backup["ofb"].append(m + (os.path.getsize(pkg) / 1048576.0,))
                else:
                    m = measure(self.reference_backup(engine, src, ref))
                    backup["ref"].append(m + (os.path.getsize(ref) / 1048576.0,))
            for who in order:
                self.n_target += 1
                target = "dst%d" % self.n_target
                if who == "ofb":
                    self.drop_db(engine, target)
                    cmd = ("'%s' -q -c '%s' import '%s' --as %s --connect '%s' --files '%s/f-%s'"
                           % (OFB, cfg, pkg, target, self.conn(engine, target), self.work,
                              target))
                    if engine != "sqlite":
                        self.new_db(engine, target)
                    restore["ofb"].append(measure(cmd) + (0.0,))
                else:
                    cmd = self.reference_restore(engine, ref, target)
                    restore["ref"].append(measure(cmd) + (0.0,))
                if rep == REPS - 1:
                    got = self.digest(engine, target)
                    if got != want:
                        raise RuntimeError("%s %s: the database restored by %s differs from "
                                           "its source (%s against %s)" % (
                                               engine, shape, "ofbackup" if who == "ofb" else
                                               "the reference", got, want))
                self.drop_db(engine, target)
        self.add("backup", engine, shape, backup)
        self.add("restore", engine, shape, restore)
        self.drop_db(engine, src)

    def files_pair(self):
        root = os.path.join(self.work, "files")
        os.makedirs(root, exist_ok=True)
        rnd = open("/dev/urandom", "rb")
        for i in range(400):   # office documents: small text-like files
            with open(os.path.join(root, "brief-%03d.txt" % i), "w") as f:
                f.write(("Sehr geehrte Damen und Herren, Rechnung %d vom Juni.\n" % i) * (20 + i))
        for i in range(8):     # scans: large, already compressed
            with open(os.path.join(root, "scan-%d.pdf" % i), "wb") as f:
                f.write(rnd.read(4 * 1024 * 1024))
        rnd.close()
        cfg = self.config("sqlite", "files_db", files=root)
        con = sqlite3.connect("%s/files_db.db" % self.work)
        con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
        con.close()
        pkg, ref = os.path.join(self.work, "pkg.zip"), os.path.join(self.work, "ref.zip")
        runs = {"ofb": [], "ref": []}
        for rep in range(REPS):
            for who in (("ofb", "ref") if rep % 2 == 0 else ("ref", "ofb")):
                for p in (pkg, ref):
                    if os.path.exists(p):
                        os.remove(p)
                if who == "ofb":
                    m = measure("'%s' -q -c '%s' export src -o '%s'" % (OFB, cfg, pkg))
                    runs["ofb"].append(m + (os.path.getsize(pkg) / 1048576.0,))
                else:
                    # at ofbackup's default level: the same work asked of both
                    m = measure("cd '%s' && zip -q -r -4 '%s' ." % (root, ref))
                    runs["ref"].append(m + (os.path.getsize(ref) / 1048576.0,))
        self.add("backup", "files", "407 files, 34 MB", runs, ref_name="zip -r -4")

    # ------------------------------------------------------------ results

    REF = {"backup": {"sqlite": "sqlite3 .dump | gzip", "postgresql": "pg_dump -Fc",
                      "mariadb": "mariadb-dump | gzip"},
           "restore": {"sqlite": "sqlite3 < dump", "postgresql": "pg_restore",
                       "mariadb": "mariadb < dump"}}

    def add(self, what, engine, shape, runs, ref_name=None):
        med = {k: tuple(statistics.median(r[i] for r in v) for i in range(4))
               for k, v in runs.items()}
        o, r = med["ofb"], med["ref"]
        row = (what, engine, shape, ref_name or self.REF[what][engine], o, r,
               o[0] / r[0] if r[0] else float("nan"))
        self.rows.append(row)
        print("%-8s %-10s %-9s wall %7.2f s / %7.2f s (ratio %5.2f)  cpu %6.2f / %6.2f  "
              "rss %6.1f / %6.1f MiB%s" % (what, engine, shape, o[0], r[0], row[6], o[1], r[1],
                                          o[2], r[2], "  size %.1f / %.1f MiB" % (o[3], r[3])
                                          if what == "backup" else ""), flush=True)

    def table(self):
        lines = ["| pair | engine | data | reference | ofbackup wall s | reference wall s | "
                 "ratio | ofbackup CPU s | reference CPU s | ofbackup RSS MiB | reference RSS "
                 "MiB | ofbackup MiB | reference MiB |", "|" + "---|" * 13]
        for what, engine, shape, ref, o, r, ratio in self.rows:
            size = ("%.1f" % o[3], "%.1f" % r[3]) if what == "backup" else ("", "")
            ref = ref.replace("|", "\\|")   # a pipe of the command, not a cell's end
            lines.append("| %s | %s | %s | %s | %.2f | %.2f | **%.2f** | %.2f | %.2f | %.1f | "
                         "%.1f | %s | %s |" % (what, engine, shape, ref, o[0], r[0], ratio, o[1],
                                              r[1], o[2], r[2], size[0], size[1]))
        return "\n".join(lines)

    def machine(self):
        cpu = "unknown"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
        vers = []
        for cmd in ("psql --version", "mariadb --version", "sqlite3 --version"):
            r = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            vers.append(r.stdout.decode().strip().split("\n")[0])
        return ("%s, %d cores, %.0f GiB, %s %s; %s" % (cpu, os.cpu_count(), mem, platform.system(),
                                                     platform.release(), "; ".join(vers)))

    def write(self):
        text = ("# Benchmarks\n\nWritten by `make bench` (tests/bench.py): ofbackup against each "
                "engine's own tools on the same data in the same run, alternating, median of %d "
                "runs; every restored database checked against its source (row-ordered hash). "
                "Sizes: narrow %d rows (narrow10: %d), wide %d rows of 15 columns, blob100k %d "
                "rows of 100 KB, blob1m %d rows of 1 MB, blob12m %d rows of 12 MB, tables %d "
                "tables of 10 rows and an index (one of 1,000 rows). Wall time includes the server's work; "
                "CPU is the client tool's (and its children's); RSS the largest process's peak.\n\n"
                "Machine: %s. Run: %s.\n\n%s\n" % (
                    REPS, ROWS, max(ROWS // 10, 1), WIDE, BLOBS, max(BLOBS // 10, 1),
                    max(BLOBS // 50, 1), TABLES,
                    self.machine(), time.strftime("%Y-%m-%d %H:%M"), self.table()))
        if OUT != "-":
            with open(OUT, "w") as f:
                f.write(text)
            print("bench: written to %s" % OUT)


def main():
    if not os.access(OFB, os.X_OK):
        sys.exit("bench: build ./ofbackup first (make)")
    b = Bench()
    try:
        b.start()
        for shape in SHAPES:
            if shape == "files":
                b.files_pair()
                continue
            for engine in ENGINES:
                b.pair(engine, shape)
        print(b.table())
        b.write()
    finally:
        b.stop()


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    main()
