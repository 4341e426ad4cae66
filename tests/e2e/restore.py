"""End-to-end tests of `ofbackup restore`, `import` and `verify` (README "Restore, import,
verify"), run by run.py after the backup tests on the same servers and fixture
installation (fixtures.py), which each group rebuilds first.

Groups (run.py restore-GROUP, or OFB_E2E_ONLY=restore-GROUP; `run.py restore` runs all):
  roundtrip  full backup, wipe everything, restore, compare canonical dumps and files
  import     export a client from each engine, import it into each engine (9 pairs)
  partial    restore one named client with --replace: the others and the login DB stay
  refusal    targets holding data are refused without --replace (nothing changes); with
             --replace a safety package is written, and restoring it brings back the
             replaced state
  verify     verify accepts good packages and names the damaged entry of bad ones;
             entries pointing outside their folder are refused by verify and restore
  corrupt    restore/import of a damaged package refuse before changing anything

Assumptions where the README leaves details open are marked ASSUMPTION below.
"""

import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import time
import zipfile
from collections import Counter

import pyodbc

import canon
import fixtures as fx
import xsource
from fixtures import LITE, PG, MY, OLD, SECRET

CLIENTS = (LITE, PG, MY)
GROUPS = ("roundtrip", "import", "partial", "refusal", "verify", "corrupt")
CMD_TIMEOUT = 180            # per command; a hanging restore must not eat the whole budget
PW_ENV = "OFB_E2E_DB_PASSWORD"
CODE = {"sqlite": "lite", "postgresql": "pg", "mariadb": "my"}
# Pairs (source, target) of the import tests where the target cannot keep every source
# value the same way: -0.0 (PostgreSQL source) in MariaDB and SQLite; decimals of more than
# 15 significant digits (PostgreSQL and MariaDB sources) in SQLite, which keeps a double.
LOSSY = {("postgresql", "mariadb"), ("postgresql", "sqlite"), ("mariadb", "sqlite")}


class Scenario:
    """Tests of one group; after a failed critical step the rest fail as 'not run', so
    the number of tests does not depend on how far an implementation gets."""

    def __init__(self, rs, group):
        self.rs = rs
        self.group = group
        self.blocked = None

    def t(self, name, fn, *args, critical=False, blocked=None):
        full = "%s: %s" % (self.group, name)
        reason = self.blocked or blocked
        if reason:
            self.rs.runner._fail(full, "not run: " + reason)
            return None
        res = self.rs.runner.test(full, fn, *args)
        if res is None and critical:
            self.blocked = "'%s' failed" % name
        return res


class RestoreSuite:
    def __init__(self, suite, failed_cls):
        self.suite = suite
        self.runner = suite.r
        self.Failed = failed_cls
        self.inst = suite.inst
        self.root = os.path.join(suite.root, "restore")
        self.cwd = os.path.join(self.root, "cwd")
        self.outputs = []

    # ------------------------------------------------------------ basics

    def require(self, cond, msg):
        if not cond:
            raise self.Failed(msg)

    def run(self, *args):
        """Run the binary from an empty working folder, with the database password in
        $OFB_E2E_DB_PASSWORD for configurations that name it as password_env."""
        path = self.suite.tool.path
        self.require(os.path.isfile(path) and os.access(path, os.X_OK),
                     "ofbackup binary not found at %s (build it with make)" % path)
        os.makedirs(self.cwd, exist_ok=True)
        env = dict(os.environ)
        env.pop("OFBACKUP_CONFIG", None)
        env["LC_ALL"] = "C.UTF-8"
        env[PW_ENV] = SECRET
        t0 = time.time()
        try:
            r = subprocess.run([path] + list(args), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=CMD_TIMEOUT, env=env, cwd=self.cwd)
        except subprocess.TimeoutExpired:
            raise self.Failed("ofbackup %s: no result within %ds"
                              % (" ".join(args), CMD_TIMEOUT))
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        self.outputs.append((" ".join(args), out, err))
        self.suite.tool.outputs.append((" ".join(args), out, err))
        return Res(self, args, r.returncode, out, err, time.time() - t0)

    def reset(self):
        """The fixture installation as fixtures.py builds it, nothing else around."""
        inst = self.inst
        for c in (LITE, PG, MY, OLD):
            shutil.rmtree(inst.files[c], ignore_errors=True)
        shutil.rmtree(inst.backups, ignore_errors=True)
        shutil.rmtree(self.cwd, ignore_errors=True)
        os.makedirs(self.cwd)
        inst.build()

    def outdir(self, name):
        d = os.path.join(self.root, "out", name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def conn(self, key):
        return self.inst.login.connect if key == "login" else self.inst.engines[key].connect

    def engine(self, key):
        return "sqlite" if key == "login" else self.inst.engines[key].name

    def dump(self, engine, conn):
        """A Canon, or a string saying why there is none (never creates a database)."""
        if engine == "sqlite":
            path = sqlite_path(conn)
            if not os.path.isfile(path):
                return "SQLite file %s does not exist" % path
        try:
            return canon.dump(engine, conn)
        except pyodbc.Error as e:
            return "cannot read the database: %s" % " ".join(str(e).split())[:200]

    def snapshot(self):
        st = {}
        for key in ("login",) + CLIENTS:
            st["db:" + key] = self.dump(self.engine(key), self.conn(key))
        for c in CLIENTS:
            st["files:" + c] = canon.file_tree(self.inst.files[c])
        st["bytes:login"] = canon.sha256_file(self.inst.login_path)
        st["bytes:" + LITE] = canon.sha256_file(self.inst.lite_path)
        return st

    def sane(self, st):
        """The harness sees the fixture: every table with rows, every files folder (so a
        canonical dump that saw nothing cannot make a comparison pass)."""
        want = {"login": ("clients", "users", "settings")}
        for c in CLIENTS:
            want[c] = ("customer", "order", "My Table", "types", "blobs", "nopk")
        for key, tables in want.items():
            d = st["db:" + key]
            self.require(not isinstance(d, str), "%s: %s" % (key, d))
            for t in tables:
                self.require(t in d.tables and d.tables[t].rows and d.tables[t].columns,
                             "canonical dump of %s: table %s missing or empty" % (key, t))
        for c in CLIENTS:
            tree = st["files:" + c]
            self.require(tree and len(tree[0]) >= 5 and tree[1],
                         "files tree of %s not seen" % c)

    def state_problems(self, want, got, keys):
        p = []
        for k in keys:
            w, g = want.get(k), got.get(k)
            what = k.split(":", 1)[1]
            if k.startswith("db:"):
                if isinstance(w, str) or isinstance(g, str):
                    if isinstance(g, str):
                        p.append("%s: %s" % (what, g))
                    elif isinstance(w, str):
                        p.append("%s: a database exists, want none (%s)" % (what, w))
                    continue
                p += ["%s: %s" % (what, x) for x in
                      canon.diff_data(w, g) + canon.diff_schema(w, g) +
                      canon.diff_schema(w, g, native=True)]
            elif k.startswith("files:"):
                p += ["%s files: %s" % (what, x) for x in canon.diff_tree(w, g)]
            elif k.startswith("bytes:"):
                if w != g:
                    p.append("%s: the SQLite file's bytes changed" % what)
        return p

    def require_state(self, want, got, keys, label):
        p = self.state_problems(want, got, keys)
        if p:
            raise self.Failed("%s: %s%s" % (label, "; ".join(p[:6]),
                                            " (+%d more)" % (len(p) - 6) if len(p) > 6 else ""))

    def backup_full(self, path):
        # The fixture registers client 'old' offline: a full backup skips it, exit code 3.
        self.run("-c", self.inst.config, "backup", "-o", path).expect(3)
        self.require(os.path.isfile(path), "no package at %s" % path)

    def backups_listing(self):
        d = self.inst.backups
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    # ------------------------------------------------------------ changing the installation

    def modify(self, which):
        """Change the login database and/or clients (database and files) after a backup."""
        inst = self.inst
        if "login" in which:
            db = sqlite3.connect(inst.login_path)
            db.execute("UPDATE settings SET value = 'changed after the backup' "
                       "WHERE key = 'company'")
            db.execute("INSERT INTO users VALUES (4, 'added', 'Added after backup', NULL, "
                       "'2025-01-01 00:00:00')")
            db.commit()
            db.close()
        if LITE in which:
            db = sqlite3.connect(inst.lite_path)
            db.execute("UPDATE customer SET name = 'Lite changed' WHERE id = 1")
            db.execute('DELETE FROM "order" WHERE id = 4')
            db.execute("INSERT INTO types (c_text) VALUES ('added after the backup')")
            db.commit()
            db.close()
            f = inst.files[LITE]
            with open(os.path.join(f, "Größe ü.txt"), "wb") as fh:
                fh.write(b"changed after the backup\n")
            with open(os.path.join(f, "neu nach Backup.txt"), "wb") as fh:
                fh.write(b"new\n")
            os.rmdir(os.path.join(f, "Leer"))
        if PG in which:
            cn = canon.connect("postgresql", inst.engines[PG].connect)
            cur = cn.cursor()
            cur.execute("UPDATE customer SET email = 'changed@pg.example' WHERE id = 3")
            cur.execute('INSERT INTO "order" (customer_id, "select", amount, note) '
                        "VALUES (2, 'added', 5, 'after the backup')")
            cur.execute("DELETE FROM blobs WHERE id = 5")
            cn.close()
            f = inst.files[PG]
            with open(os.path.join(f, "Scans", "new.bin"), "wb") as fh:
                fh.write(bytes(range(256)) * 8)
            os.remove(os.path.join(f, "empty.txt"))
        if MY in which:
            cn = canon.connect("mariadb", inst.engines[MY].connect)
            cur = cn.cursor()
            for sql in ("UPDATE `My Table` SET `with space` = 'changed' WHERE `Mixed Case` = 2",
                        "DELETE FROM blobs WHERE id = 4",
                        "INSERT INTO types (c_text) VALUES ('added after the backup')"):
                cur.execute(sql)
                if cur.rowcount != 1:
                    raise RuntimeError("MariaDB: %s changed %s rows" % (sql, cur.rowcount))
            cn.close()
            f = inst.files[MY]
            with open(os.path.join(f, "a", "b", "c", "deep.txt"), "wb") as fh:
                fh.write(b"changed\x00after\n")
            os.makedirs(os.path.join(f, "Neu", "leer"))

    def modified(self, before, which):
        """Take the state after modify(which) and make sure each part really changed."""
        after = self.snapshot()
        for key in which:
            if not self.state_problems(before, after, ["db:" + key]):
                raise RuntimeError("modifying %s changed nothing" % key)
            if key != "login" and not self.state_problems(before, after, ["files:" + key]):
                raise RuntimeError("modifying the files of %s changed nothing" % key)
        return after

    # ------------------------------------------------------------ server helpers

    def pg_admin(self):
        return pyodbc.connect(self.inst.pg_base + ";Database=postgres", autocommit=True)

    def my_admin(self):
        return pyodbc.connect(self.inst.my_base, autocommit=True)

    def drop_db(self, engine, name):
        if engine == "postgresql":
            cn = self.pg_admin()
            cn.cursor().execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        else:
            cn = self.my_admin()
            cn.cursor().execute("DROP DATABASE IF EXISTS %s" % name)
        cn.close()

    def db_exists(self, engine, name):
        if engine == "postgresql":
            cn = self.pg_admin()
            cur = cn.cursor()
            cur.execute("SELECT 1 FROM pg_database WHERE datname = ?", name)
        else:
            cn = self.my_admin()
            cur = cn.cursor()
            cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", name)
        found = cur.fetchone() is not None
        cn.close()
        return found

    def create_db(self, engine, name):
        if engine == "postgresql":
            cn = self.pg_admin()
            cn.cursor().execute("CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0" % name)
        else:
            cn = self.my_admin()
            cn.cursor().execute("CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                                % name)
        cn.close()

    def no_tables(self, engine, conn, what):
        """The target database does not exist, or exists without tables."""
        if engine == "sqlite":
            path = sqlite_path(conn)
            if not os.path.exists(path) or os.path.getsize(path) == 0:
                return
        else:
            name = dbname(conn)
            if not self.db_exists(engine, name):
                return
        tables = canon.table_names(engine, conn)
        self.require(not tables, "%s: the refused target database got tables %s"
                     % (what, tables))

    def registry(self, login_path):
        db = sqlite3.connect(login_path)
        try:
            return {r[0]: r for r in db.execute(
                "SELECT id, name, connect, files_dir, offline FROM clients")}
        finally:
            db.close()

    # ------------------------------------------------------------ safety packages

    def safety_package(self, r, exclude=()):
        """The safety package a --replace run printed: ASSUMPTION: the path is printed
        as one whitespace-free token ending in .zip (absolute, or relative to the working
        folder); README: `ofbackup-replaced-...zip` in [backup] dir."""
        found = []
        for m in re.finditer(r"[^\s'\"`<>()\[\]{},;]+\.zip", r.text):
            p = m.group(0)
            full = os.path.normpath(p if os.path.isabs(p) else os.path.join(self.cwd, p))
            if full not in [os.path.normpath(x) for x in exclude]:
                found.append(full)
        named = [p for p in found if os.path.basename(p).startswith("ofbackup-replaced-")]
        self.require(named, "no `ofbackup-replaced-...zip` path printed; output: %s"
                     % r.text.strip()[-300:])
        p = named[-1]
        self.require(os.path.isfile(p), "printed safety package %s does not exist" % p)
        self.require(os.path.dirname(p) == os.path.normpath(self.inst.backups),
                     "safety package %s not in [backup] dir %s" % (p, self.inst.backups))
        return p

    def check_safety(self, p):
        """README: packages are created readable by their owner only (0600); no password
        inside; and it is a good package."""
        problems = []
        mode = os.stat(p).st_mode & 0o777
        if mode != 0o600:
            problems.append("mode %o, want 600" % mode)
        with zipfile.ZipFile(p) as z:
            for info in z.infolist():
                if info.file_size and SECRET.encode() in z.read(info):
                    problems.append("password inside, entry %s" % info.filename)
        r = self.run("verify", p)
        if r.code != 0:
            problems.append("verify exited %d: %s" % (r.code, " ".join(r.text.split())[-200:]))
        self.require(not problems, "safety package %s: %s"
                     % (os.path.basename(p), "; ".join(problems)))

    def restore_safety(self, path, cfg):
        """Bring back what a --replace saved: restore for a full/partial package, import
        for a client export (ASSUMPTION: the safety package of an import may be an export,
        which `restore` does not take per README)."""
        with zipfile.ZipFile(path) as z:
            kind = json.loads(z.read("manifest.json")).get("kind")
        if kind == "export":
            return self.run("-c", cfg, "import", path, "--replace")
        return self.run("-c", cfg, "restore", path, "--replace")

    # ------------------------------------------------------------ the groups

    def run_groups(self, wanted):
        if self.runner.blocked:
            # setup failed: report the groups once each instead of running them
            for g in GROUPS:
                if wanted("restore-" + g):
                    self.runner._fail("%s: all tests" % g, self.runner.blocked)
            return
        os.makedirs(self.root, exist_ok=True)
        ran = False
        for g in GROUPS:
            if wanted("restore-" + g):
                getattr(self, "group_" + g)()
                ran = True
        if ran:
            self.runner.test("restore/import/verify: no password in any command output",
                             self.no_secrets)

    def no_secrets(self):
        bad = [a for a, out, err in self.outputs if SECRET in out or SECRET in err]
        self.require(not bad, "the database password appears in the output of: %s" % bad)

    # ---- 2. full round trip

    def group_roundtrip(self):
        sc = Scenario(self, "roundtrip")
        st = {}
        out = self.outdir("roundtrip")
        pkg = os.path.join(out, "full.zip")

        def backup():
            self.reset()
            st["before"] = self.snapshot()
            self.sane(st["before"])
            self.backup_full(pkg)
        sc.t("full backup of the fixture installation (exit 3: client old is offline)",
             backup, critical=True)

        def wipe():
            inst = self.inst
            os.remove(inst.login_path)
            os.remove(inst.lite_path)
            self.drop_db("postgresql", fx.PG_DB)
            self.drop_db("mariadb", fx.MY_DB)
            for c in CLIENTS:
                shutil.rmtree(inst.files[c])
            self.require(not self.db_exists("postgresql", fx.PG_DB) and
                         not self.db_exists("mariadb", fx.MY_DB), "databases still there")
        sc.t("wipe: SQLite files deleted, client databases dropped, files folders deleted",
             wipe, critical=True)

        def restore():
            # ASSUMPTION: the package lists client 'old' as skipped-offline (it has no data
            # to restore): restore finishes with warnings, exit code 3 (README: "something
            # was skipped (an offline client ...)").
            self.run("-c", self.inst.config, "restore", pkg).expect(3)
        sc.t("restore of the full package onto the wiped installation exits 3", restore)
        # Whatever the exit code, compare what is there now.

        def after():
            if "after" not in st:
                st["after"] = self.snapshot()
            return st["after"]

        keys = (("login", "login database"),) + tuple((c, "client %s (%s)" % (
            c, self.inst.engines[c].name if self.inst else "?")) for c in CLIENTS)
        for key, label in keys:
            def data(key=key):
                b, a = st["before"]["db:" + key], after()["db:" + key]
                self.require(not isinstance(a, str), a)
                p = canon.diff_data(b, a)
                self.require(not p, "; ".join(p[:8]))
            sc.t("%s: every table's rows equal (canonical dump)" % label, data)

            def schema(key=key):
                b, a = st["before"]["db:" + key], after()["db:" + key]
                self.require(not isinstance(a, str), a)
                p = canon.diff_schema(b, a)
                self.require(not p, "; ".join(p[:8]))
            sc.t("%s: columns, nullability, primary keys, indexes, foreign keys, identity "
                 "columns" % label, schema)

            def native(key=key):
                b, a = st["before"]["db:" + key], after()["db:" + key]
                self.require(not isinstance(a, str), a)
                p = canon.diff_schema(b, a, native=True)
                self.require(not p, "; ".join(p[:8]))
            # ASSUMPTION (FORMAT.md): native_type wins when restoring to the same engine, so
            # the declared types come back; defaults are in schema.json and come back too.
            sc.t("%s: native column types and defaults (same engine)" % label, native)

            def identity(key=key):
                b, a = st["before"]["db:" + key], after()["db:" + key]
                self.require(not isinstance(a, str), a)
                p = []
                for name, t in sorted(b.tables.items()):
                    if t.identity:
                        e = canon.identity_probe(self.engine(key), self.conn(key), name,
                                                 t.identity)
                        if e:
                            p.append(e)
                self.require(not p, "; ".join(p))
            sc.t("%s: a fresh INSERT gets an identity value above the restored maximum"
                 % label, identity)

            if key != "login":
                def files(key=key):
                    p = canon.diff_tree(st["before"]["files:" + key], after()["files:" + key])
                    self.require(not p, "; ".join(p))
                sc.t("%s: files folder (paths, sha256, empty folders, mtimes)" % label, files)

    # ---- 3. cross-engine import

    def group_import(self):
        sc = Scenario(self, "import")
        x = {"src": {}, "schema": {}, "pkg": {}, "names": {}}
        root = os.path.join(self.root, "xeng")
        pg_base, my_base = self.inst.pg_base, self.inst.my_base

        def with_db(engine, name):
            if engine == "sqlite":
                return "Driver=SQLite3;Database=" + os.path.join(root, "dst", "db", name + ".db")
            return (pg_base if engine == "postgresql" else my_base) + ";Database=" + name

        def prepare():
            shutil.rmtree(root, ignore_errors=True)
            for d in ("src/files", "dst/db", "dst/files", "dst/backups", "out"):
                os.makedirs(os.path.join(root, d))
            srcs = {
                "sqlite": ("xs-lite", 'Lite-Quelle "X" 😀',
                           "Driver=SQLite3;Database=" + os.path.join(root, "src", "xs.db")),
                "postgresql": ("xs-pg", "PG-Quelle, Müller & Co",
                               pg_base + ";Database=ofb_x_src"),
                "mariadb": ("xs-my", "Maria Quelle 'Nord'", my_base + ";Database=ofb_x_src"),
            }
            xsource.make_sqlite(sqlite_path(srcs["sqlite"][2]), "x-lite")
            xsource.make_pg(pg_base, "ofb_x_src", "x-pg")
            xsource.make_my(my_base, "ofb_x_src", "x-my")
            reg = []
            for eng, (sid, name, conn) in srcs.items():
                files = os.path.join(root, "src", "files", sid)
                xsource.make_files(files, sid)
                reg.append((sid, name, fx.Installation.strip_password(conn), files, 0))
                x["src"][eng] = (sid, name, conn, files)
                x["names"][eng] = name
                d = x.setdefault("canon", {})[eng] = canon.dump(eng, conn)
                for t, n in (("customer", 4), ("order", 3), ("My Table", 3),
                             ("types", len(xsource.ROWS)), ("blobs", 4)):
                    self.require(t in d.tables and len(d.tables[t].rows) == n,
                                 "%s source: table %s missing or not %d rows" % (eng, t, n))
            fx.make_login(os.path.join(root, "src", "login.db"), reg)
            x["src_cfg"] = write_ini(os.path.join(root, "src.ini"),
                                     "Driver=SQLite3;Database=" +
                                     os.path.join(root, "src", "login.db"),
                                     {srcs["postgresql"][0]: {"connect": srcs["postgresql"][2]},
                                      srcs["mariadb"][0]: {"connect": srcs["mariadb"][2]}},
                                     os.path.join(root, "out"))
            fx.make_login(os.path.join(root, "dst", "login.db"), [])
            x["dst_login"] = os.path.join(root, "dst", "login.db")
            for eng in canon.ENGINES:
                for tgt in ("postgresql", "mariadb"):
                    self.drop_db(tgt, "ofb_x_from_" + CODE[eng])
        sc.t("prepare source clients on SQLite, PostgreSQL, MariaDB and an empty target "
             "installation", prepare, critical=True)

        exported = {}
        for eng in canon.ENGINES:
            def export(eng=eng):
                sid = x["src"][eng][0]
                pkg = os.path.join(root, "out", "export-%s.zip" % sid)
                self.run("-c", x["src_cfg"], "export", sid, "-o", pkg).expect(0)
                with zipfile.ZipFile(pkg) as z:
                    x["schema"][eng] = json.loads(z.read("clients/%s/db/schema.json" % sid))
                x["pkg"][eng] = pkg
            exported[eng] = sc.t("export of the %s source client: exit 0" % eng, export)

        for src in canon.ENGINES:
            for tgt in canon.ENGINES:
                self.import_pair(sc, x, root, with_db, src, tgt,
                                 None if exported[src] else "the export of %s failed" % src)
        for eng in ("postgresql", "mariadb"):       # leave the servers as they were
            for name in ["ofb_x_src"] + ["ofb_x_from_" + c for c in CODE.values()]:
                try:
                    self.drop_db(eng, name)
                except pyodbc.Error:
                    pass

    def import_pair(self, sc, x, root, with_db, src, tgt, blocked):
        label = "%s -> %s" % (src, tgt)
        newid = "x-%s-%s" % (CODE[src], CODE[tgt])
        dbn = "ofb_x_from_" + CODE[src] if tgt != "sqlite" else "from-" + CODE[src]
        conn_pw = with_db(tgt, dbn)
        conn = fx.Installation.strip_password(conn_pw)
        files = os.path.join(root, "dst", "files", newid)
        st = {}

        def do_import():
            if tgt == "sqlite" and os.path.exists(sqlite_path(conn)):
                os.remove(sqlite_path(conn))
            shutil.rmtree(files, ignore_errors=True)
            if src == tgt:
                # README refuses a database *with tables*: an existing empty one is a fine
                # target (a DBA may have created it). SQLite: an empty (0-byte) file.
                if tgt == "sqlite":
                    open(sqlite_path(conn), "wb").close()
                else:
                    self.create_db(tgt, dbn)
            cfg = self.import_config(x, root, newid)
            args = ["-c", cfg, "import", x["pkg"][src]]
            if src == "sqlite":
                args.append(x["src"][src][0])     # CLIENT named; optional for the others
            # No password on the command line: [client.NEWID] password_env supplies it
            # (README's advice), so the registry gets exactly this connect string.
            args += ["--as", newid, "--connect", conn, "--files", files]
            r = self.run(*args)
            st["code"] = r.code
            r.expect(*codes)
        # Exit 0; 3 (warnings) is accepted only where the source holds values the target
        # cannot keep the same way (LOSSY) and a warning about them is fair.
        codes = (0, 3) if (src, tgt) in LOSSY else (0,)
        sc.t("%s: import --as %s --connect --files exits %s" % (
            label, newid, " or ".join(map(str, codes))), do_import, blocked=blocked)

        def target():
            if "canon" not in st:
                st["canon"] = self.dump(tgt, conn_pw)
            self.require(not isinstance(st["canon"], str), st["canon"])
            return st["canon"]

        def data():
            p, changed = compare_portable(x["canon"][src], target(), x["schema"][src], tgt)
            self.require(not p, "; ".join(p[:8]) + (" (+%d more)" % (len(p) - 8)
                                                    if len(p) > 8 else ""))
            # Where the target engine cannot hold a value the same way (MariaDB and SQLite
            # drop -0.0; SQLite keeps a decimal of more than 15 digits as a double) the value
            # may change, but not silently: docs/RESTORE.md, a warning and exit code 3.
            self.require(not changed or st.get("code") == 3,
                         "values changed without a warning (import exit %s, want 3): %s"
                         % (st.get("code"), "; ".join(changed[:6])))
        sc.t("%s: every value equal to the source through its portable type (a value the "
             "target cannot hold the same way only with a warning)" % label, data,
             blocked=blocked)

        def schema():
            p = compare_schema_portable(x["canon"][src], target(), x["schema"][src])
            self.require(not p, "; ".join(p[:8]))
        sc.t("%s: columns, nullability, primary keys, unique and other indexes, foreign "
             "keys, identity columns" % label, schema, blocked=blocked)

        def identity():
            t = target()
            p = []
            for tj in x["schema"][src].get("tables") or []:
                ident = (tj.get("identity") or {}).get("column")
                if ident:
                    e = canon.identity_probe(tgt, conn_pw, tj["name"], ident) \
                        if tj["name"] in t.tables else "table %s missing" % tj["name"]
                    if e:
                        p.append(e)
            self.require(not p, "; ".join(p))
        sc.t("%s: a fresh INSERT gets an identity value above the imported maximum" % label,
             identity, blocked=blocked)

        def files_():
            p = canon.diff_tree(canon.file_tree(x["src"][src][3]), canon.file_tree(files))
            self.require(not p, "; ".join(p))
        sc.t("%s: files folder equal to the source's" % label, files_, blocked=blocked)

        def registered():
            reg = self.registry(x["dst_login"])
            self.require(newid in reg, "%s not in the clients table (ids %s)"
                         % (newid, sorted(reg)))
            _id, name, connect, files_dir, offline = reg[newid]
            want_name = x["names"][src]
            p = []
            if name != want_name:
                p.append("name %r, want %r" % (name, want_name))
            # ASSUMPTION: connect and files_dir are stored as given on the command line
            if connect != conn:
                p.append("connect %r, want %r" % (connect, conn))
            if files_dir != files:
                p.append("files_dir %r, want %r" % (files_dir, files))
            # ASSUMPTION: an imported client is registered online
            if offline not in (0, None, "0", False):
                p.append("offline %r, want 0" % (offline,))
            self.require(not p, "; ".join(p))
        sc.t("%s: registered in the login database's clients table (id, name, connect, "
             "files_dir)" % label, registered, blocked=blocked)

        def listed():
            cfg = self.import_config(x, root, newid)
            r = self.run("-c", cfg, "clients")
            # ASSUMPTION: only the listing is asserted; the exit code of `clients` when
            # some other imported client is unreachable is not specified (not 2 though).
            self.require(r.code >= 0 and r.code != 2, "`clients` exited %d: %s"
                         % (r.code, r.text.strip()[-200:]))
            lines = [ln for ln in r.out.splitlines() if re.search(
                r"(^|\s)%s(\s|$)" % re.escape(newid), ln)]
            self.require(lines, "%s not listed: %s" % (newid, r.out.strip()[-300:]))
            self.require(x["names"][src] in r.out, "name %r not listed" % x["names"][src])
        sc.t("%s: listed by `ofbackup clients`" % label, listed, blocked=blocked)

    def import_config(self, x, root, newid):
        """The target installation's INI: [client.ID] password_env for the client being
        imported and every client registered so far."""
        ids = set(self.registry(x["dst_login"])) | {newid}
        return write_ini(os.path.join(root, "dst.ini"),
                         "Driver=SQLite3;Database=" + x["dst_login"],
                         {i: {"password_env": PW_ENV} for i in sorted(ids)},
                         os.path.join(root, "dst", "backups"))

    # ---- 4. partial restore

    def group_partial(self):
        sc = Scenario(self, "partial")
        st = {}
        pkg = os.path.join(self.outdir("partial"), "full.zip")

        def prepare():
            self.reset()
            st["s0"] = self.snapshot()
            self.sane(st["s0"])
            self.backup_full(pkg)
            self.modify(["login", LITE, PG])
            st["s1"] = self.modified(st["s0"], ["login", LITE, PG])
        sc.t("full backup, then the login database and clients %s and %s changed"
             % (LITE, PG), prepare, critical=True)

        def restore():
            st["r"] = self.run("-c", self.inst.config, "restore", pkg, LITE, "--replace")
            st["r"].expect(0)
        sc.t("restore FILE %s --replace exits 0" % LITE, restore)
        # What the others keep means something only when the restore did run.
        ran = None if st.get("r") and st["r"].code in (0, 3) else "the restore failed"

        def now():
            if "s2" not in st:
                st["s2"] = self.snapshot()
            return st["s2"]

        # ASSUMPTION: "replaced" means exactly the backup's state: a file added after the
        # backup is gone, a folder deleted after it is back.
        sc.t("%s: database and files back to the backup" % LITE, lambda: self.require_state(
            st["s0"], now(), ["db:" + LITE, "files:" + LITE], "after the restore"))
        sc.t("%s: keeps its changes (database and files)" % PG, lambda: self.require_state(
            st["s1"], now(), ["db:" + PG, "files:" + PG], "after the restore"), blocked=ran)
        sc.t("%s: unchanged" % MY, lambda: self.require_state(
            st["s1"], now(), ["db:" + MY, "files:" + MY], "after the restore"), blocked=ran)
        sc.t("login database left alone (keeps its changes)", lambda: self.require_state(
            st["s1"], now(), ["db:login"], "after the restore"), blocked=ran)

    # ---- 5. refusal without --replace; safety packages with it

    def group_refusal(self):
        sc = Scenario(self, "refusal")
        st = {}
        out = self.outdir("refusal")
        full = os.path.join(out, "full.zip")
        export = os.path.join(out, "export-%s.zip" % MY)
        content = ["db:login"] + ["db:" + c for c in CLIENTS] + ["files:" + c for c in CLIENTS]
        everything = content + ["bytes:login", "bytes:" + LITE]
        cfg = lambda: self.inst.config  # noqa: E731

        def prepare():
            self.reset()
            st["s0"] = self.snapshot()
            self.sane(st["s0"])
            self.backup_full(full)
            self.run("-c", cfg(), "export", MY, "-o", export).expect(0)
            self.modify(["login", LITE, PG, MY])
            st["s1"] = self.modified(st["s0"], ["login", LITE, PG, MY])
            st["reg"] = self.registry(self.inst.login_path)
            st["backups"] = self.backups_listing()
        sc.t("full backup and export, then every database and files folder changed", prepare,
             critical=True)

        def unchanged(label):
            # ASSUMPTION: a refused run writes nothing, not even a safety package
            self.require_state(st["s1"], self.snapshot(), everything, label)
            self.require(self.backups_listing() == st["backups"],
                         "[backup] dir changed: %s" % self.backups_listing())

        def restore_all():
            self.run("-c", cfg(), "restore", full).expect(1)
            unchanged("after the refused restore")
        sc.t("restore FILE onto an installation holding data, without --replace: exit 1, "
             "nothing changed (SQLite files byte-identical)", restore_all)

        def restore_one():
            self.run("-c", cfg(), "restore", full, PG).expect(1)
            unchanged("after the refused restore")
        sc.t("restore FILE %s without --replace: exit 1, nothing changed" % PG, restore_one)

        def import_registered():
            self.run("-c", cfg(), "import", export).expect(1)
            unchanged("after the refused import")
            self.require(self.registry(self.inst.login_path) == st["reg"], "registry changed")
        sc.t("import of %s (a registered id, its database holding data) without --replace: "
             "exit 1, nothing changed" % MY, import_registered)

        def import_onto_tables():
            newid = "fresh-1"
            files = os.path.join(self.root, "fresh-1-files")
            shutil.rmtree(files, ignore_errors=True)
            c = self.inst.config
            # the password in the connection string: the only reason to refuse is the data
            conn = self.inst.engines[PG].connect
            self.run("-c", c, "import", export, "--as", newid, "--connect", conn,
                     "--files", files).expect(1)
            unchanged("after the refused import")
            self.require(newid not in self.registry(self.inst.login_path),
                         "%s registered by a refused import" % newid)
            self.require(not os.path.exists(files) or not os.listdir(files),
                         "files written to %s by a refused import" % files)
        sc.t("import --as NEWID --connect <a database holding tables>: exit 1, nothing "
             "changed, nothing registered", import_onto_tables)

        def import_onto_files():
            newid = "fresh-2"
            name = "ofb_e2e_fresh2"
            self.drop_db("mariadb", name)
            files = os.path.join(self.root, "fresh-2-files")
            shutil.rmtree(files, ignore_errors=True)
            os.makedirs(files)
            with open(os.path.join(files, "keep.txt"), "wb") as fh:
                fh.write(b"someone's file\n")
            tree = canon.file_tree(files)
            c = self.inst.config
            conn = self.inst.my_base + ";Database=" + name
            self.run("-c", c, "import", export, "--as", newid, "--connect", conn,
                     "--files", files).expect(1)
            unchanged("after the refused import")
            p = canon.diff_tree(tree, canon.file_tree(files))
            self.require(not p, "non-empty files folder changed: %s" % "; ".join(p))
            self.require(newid not in self.registry(self.inst.login_path),
                         "%s registered by a refused import" % newid)
            self.no_tables("mariadb", self.inst.my_base + ";Database=" + name, "fresh-2")
            self.drop_db("mariadb", name)
        sc.t("import --as NEWID --files <a non-empty folder>: exit 1, folder unchanged, "
             "nothing registered, no tables created", import_onto_files)

        def restore_replace():
            st["listing"] = set(self.backups_listing())
            st["r1"] = r = self.run("-c", cfg(), "restore", full, "--replace")
            # same exit code as onto an empty installation: client old is in the package
            # as skipped-offline (see roundtrip)
            r.expect(3)
        sc.t("restore FILE --replace onto the changed installation exits 3", restore_replace)

        def replaced():
            self.require("r1" in st, "the restore did not run")
            self.require_state(st["s0"], self.snapshot(), content, "after restore --replace")
        sc.t("restore FILE --replace: the login database and every client are the backup's",
             replaced)

        def safety1():
            self.require("r1" in st, "the restore did not run")
            st["safety1"] = self.safety_package(st["r1"], exclude=[full])
            self.require(os.path.basename(st["safety1"]) in
                         set(self.backups_listing()) - st["listing"],
                         "safety package is not new in [backup] dir")
        sc.t("restore FILE --replace prints the path of a safety package that exists in "
             "[backup] dir", safety1, critical=True)
        sc.t("that safety package: mode 0600, verify exits 0, no password inside",
             lambda: self.check_safety(st["safety1"]))

        def restore_safety():
            r = self.restore_safety(st["safety1"], cfg())
            # ASSUMPTION: what the safety package lists is not specified: 0 or 3
            r.expect(0, 3)
            self.require_state(st["s1"], self.snapshot(), content,
                               "after restoring the safety package")
        sc.t("restoring that safety package (--replace) brings back the replaced state "
             "exactly", restore_safety)

        def import_replace():
            # what is there now (the replaced state, if the safety restore worked)
            st["pre-import"] = self.snapshot()
            self.require(self.state_problems(st["s0"], st["pre-import"],
                                             ["db:" + MY, "files:" + MY]),
                         "test setup: %s already holds the package's state" % MY)
            r = self.run("-c", cfg(), "import", full, MY, "--replace").expect(0)
            st["safety2"] = self.safety_package(r, exclude=[full, st["safety1"]])
            self.require_state(st["s0"], self.snapshot(), ["db:" + MY, "files:" + MY], MY)
            self.require_state(st["pre-import"], self.snapshot(),
                               ["db:login", "db:" + LITE, "db:" + PG, "files:" + LITE,
                                "files:" + PG], "the other clients and the login database")
        sc.t("import FILE %s --replace (one client of a full package): the client is "
             "replaced, the others are not, a safety package is printed" % MY, import_replace,
             critical=True)

        def import_safety():
            r = self.restore_safety(st["safety2"], cfg())
            r.expect(0, 3)
            self.require_state(st["pre-import"], self.snapshot(), content,
                               "after restoring the import's safety package")
        sc.t("the import's safety package: mode 0600, verify exits 0, no password inside",
             lambda: self.check_safety(st["safety2"]))
        sc.t("restoring the import's safety package brings back the replaced client exactly",
             import_safety)

    # ---- 6. verify

    def group_verify(self):
        sc = Scenario(self, "verify")
        st = {}
        out = self.outdir("verify")
        full = os.path.join(out, "full.zip")
        export = os.path.join(out, "export.zip")

        def prepare():
            self.reset()
            self.backup_full(full)
            self.run("-c", self.inst.config, "export", LITE, "-o", export).expect(0)
            st["s0"] = self.snapshot()
            self.sane(st["s0"])
        sc.t("full backup and export to check", prepare, critical=True)

        sc.t("verify of a good full package exits 0",
             lambda: self.run("verify", full).expect(0))
        sc.t("verify of a good client export exits 0",
             lambda: self.run("verify", export).expect(0))

        def flipped():
            entry = table_entry(full, PG, "customer")
            bad = os.path.join(out, "flipped.zip")
            flip_byte(full, bad, entry)
            r = self.run("verify", bad)
            self.failed_naming(r, entry, (PG, "customer"))
        sc.t("one flipped byte inside a table data entry: non-zero, names the entry",
             flipped)

        def rewritten():
            good = os.path.join(out, "rewritten.zip")
            rewrite_zip(full, good)
            self.run("verify", good).expect(0)
        # Control for the next test: a package re-zipped by Python's zipfile with the same
        # contents is still a good package (entry order, names, times and data kept).
        sc.t("verify of the package re-written by Python zipfile, nothing changed, exits 0",
             rewritten)

        def sha_only():
            entry = table_entry(full, MY, "customer")
            bad = os.path.join(out, "sha.zip")
            with zipfile.ZipFile(full) as z:
                data = z.read(entry)
            old, new = b"info@mueller.example", b"info@muellex.example"
            self.require(old in data, "%s does not hold %r" % (entry, old))
            rewrite_zip(full, bad, replace={entry: data.replace(old, new)})
            with zipfile.ZipFile(bad) as z:
                self.require(z.testzip() is None, "test setup: CRCs not consistent")
                self.require(z.getinfo(entry).file_size == len(data), "test setup: size")
            r = self.run("verify", bad)
            self.failed_naming(r, entry, (MY, "customer"))
        sc.t("table content changed, zip CRCs consistent, manifest unchanged (only "
             "SHA-256 catches it): non-zero, names the entry", sha_only)

        def truncated():
            bad = os.path.join(out, "truncated.zip")
            with open(full, "rb") as f:
                data = f.read()
            with open(bad, "wb") as f:
                f.write(data[:len(data) // 2])
            r = self.run("verify", bad)
            self.require(r.code == 1, "exit %d, want 1 (failed); output: %s"
                         % (r.code, r.text.strip()[-200:]))
        sc.t("verify of a package cut in half: non-zero", truncated)

        for variant, evil in (("root", "../evil.txt"),
                              ("files", "clients/%s/files/../../../evil.txt" % LITE)):
            def traversal(variant=variant, evil=evil):
                bad = os.path.join(out, "evil-%s.zip" % variant)
                add_evil_entry(full, bad, evil, LITE if variant == "files" else None)
                watch = self.evil_places()
                r = self.run("verify", bad)
                self.require(r.code == 1, "verify exited %d, want 1; output: %s"
                             % (r.code, r.text.strip()[-200:]))
                self.require(evil in r.text or "evil.txt" in r.text,
                             "verify does not name the entry %s: %s"
                             % (evil, r.text.strip()[-200:]))
                backups = self.backups_listing()
                r = self.run("-c", self.inst.config, "restore", bad, "--replace")
                self.require(r.code == 1, "restore exited %d, want 1; output: %s"
                             % (r.code, r.text.strip()[-200:]))
                appeared = self.evil_appeared(watch)
                self.require(not appeared, "evil.txt written outside its folder: %s" % appeared)
                self.require_state(st["s0"], self.snapshot(), ["db:login", "bytes:login"] +
                                   ["db:" + c for c in CLIENTS] +
                                   ["files:" + c for c in CLIENTS], "after the refused restore")
                self.require(self.backups_listing() == backups,
                             "[backup] dir changed: a refused restore wrote %s"
                             % sorted(set(self.backups_listing()) - set(backups)))
            sc.t("entry %s (listed in the manifest): verify non-zero naming it; restore "
                 "--replace refuses, writes no evil.txt anywhere, changes nothing" % evil,
                 traversal)

    def failed_naming(self, r, entry, alts):
        """Exit 1, and the output names the entry: its path, or (ASSUMPTION) the client id
        and the table name. ASSUMPTION: a damaged package is exit code 1 ("failed"), as
        for every refusal of a damaged package in these tests."""
        self.require(r.code == 1, "exit %d, want 1 (failed); output: %s"
                     % (r.code, r.text.strip()[-200:]))
        self.require(entry in r.text or all(a in r.text for a in alts),
                     "output does not name %s: %s" % (entry, r.text.strip()[-300:]))

    def evil_places(self):
        """Every folder where a leaked evil.txt could land, with what is there now."""
        places = set()
        d = os.path.abspath(self.inst.files[LITE])
        while True:
            places.add(d)
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        for base in (self.suite.root, self.cwd):
            for dirpath, _dirs, _files in os.walk(base):
                places.add(dirpath)
        places.add(os.getcwd())
        return {p: self._evil_stat(p) for p in places}

    @staticmethod
    def _evil_stat(d):
        p = os.path.join(d, "evil.txt")
        try:
            s = os.lstat(p)
            return (s.st_size, s.st_mtime_ns)
        except OSError:
            return None

    def evil_appeared(self, watch):
        now = self.evil_places()
        return sorted(os.path.join(d, "evil.txt") for d, v in now.items()
                      if v is not None and watch.get(d) != v)

    # ---- 7. restore of a damaged package changes nothing

    def group_corrupt(self):
        sc = Scenario(self, "corrupt")
        st = {}
        out = self.outdir("corrupt")
        full = os.path.join(out, "full.zip")
        export = os.path.join(out, "export.zip")
        everything = ["db:login", "bytes:login", "bytes:" + LITE] + \
            ["db:" + c for c in CLIENTS] + ["files:" + c for c in CLIENTS]

        def prepare():
            self.reset()
            st["s0"] = self.snapshot()
            self.sane(st["s0"])
            self.backup_full(full)
            self.run("-c", self.inst.config, "export", MY, "-o", export).expect(0)
            self.modify(["login", LITE, PG, MY])
            st["s1"] = self.modified(st["s0"], ["login", LITE, PG, MY])
            st["backups"] = self.backups_listing()
        sc.t("full backup and export, then every database and files folder changed", prepare,
             critical=True)

        def refused(r):
            self.require(r.code == 1, "exit %d, want 1 (failed); output: %s"
                         % (r.code, r.text.strip()[-200:]))
            self.require_state(st["s1"], self.snapshot(), everything, "after the refused run")
            self.require(self.backups_listing() == st["backups"],
                         "[backup] dir changed: %s"
                         % sorted(set(self.backups_listing()) - set(st["backups"])))

        def last_entry():
            # The last file entry of the package: a restore that does not verify first has
            # changed the login database and every client before it gets there.
            with zipfile.ZipFile(full) as z:
                infos = [i for i in z.infolist() if i.filename != "manifest.json"
                         and not i.filename.endswith("/") and i.compress_size > 16]
            bad = os.path.join(out, "last.zip")
            flip_byte(full, bad, infos[-1].filename)
            refused(self.run("-c", self.inst.config, "restore", bad, "--replace"))
        sc.t("restore --replace of a package with a flipped byte in its last entry: refused, "
             "nothing changed, no safety package", last_entry)

        def own_table():
            # the first database's own table: with a safety package to write first, all of
            # the package is checked before it, none of it left to the load
            prefix = "clients/%s/db/data/" % LITE
            with zipfile.ZipFile(full) as z:
                entry = max((i for i in z.infolist() if i.filename.startswith(prefix)),
                            key=lambda i: i.compress_size).filename
            bad = os.path.join(out, "own-table.zip")
            flip_byte(full, bad, entry)
            r = self.run("-c", self.inst.config, "restore", bad, LITE, "--replace")
            refused(r)
            self.require("damaged" in r.text and entry in r.text,
                         "the damage is not what was reported: %s" % r.text.strip()[-300:])
        sc.t("restore FILE %s --replace, flipped byte in its own table (loaded first): "
             "refused, nothing changed, no safety package" % LITE, own_table)

        def other_client():
            entry = table_entry(full, MY, "blobs")
            bad = os.path.join(out, "other.zip")
            flip_byte(full, bad, entry)
            refused(self.run("-c", self.inst.config, "restore", bad, LITE, "--replace"))
        # README: restore "first verifies the whole package", also when naming clients
        sc.t("restore FILE %s --replace, flipped byte in another client's table: refused, "
             "nothing changed" % LITE, other_client)

        def bad_import():
            entry = table_entry(export, MY, "types")
            bad = os.path.join(out, "export-bad.zip")
            flip_byte(export, bad, entry)
            newid, name = "fresh-3", "ofb_e2e_fresh3"
            self.drop_db("postgresql", name)
            files = os.path.join(self.root, "fresh-3-files")
            shutil.rmtree(files, ignore_errors=True)
            c = self.inst.config
            conn = self.inst.pg_base + ";Database=" + name
            refused(self.run("-c", c, "import", bad, "--as", newid, "--connect", conn,
                             "--files", files))
            self.require(newid not in self.registry(self.inst.login_path),
                         "%s registered by a refused import" % newid)
            self.require(not os.path.exists(files) or not os.listdir(files),
                         "files written to %s" % files)
            self.no_tables("postgresql", self.inst.pg_base + ";Database=" + name, newid)
            self.drop_db("postgresql", name)
        sc.t("import of a client export with a flipped byte into a new database: refused, "
             "nothing registered, no tables, no files", bad_import)

        def load_beside_verify(where):
            # Each import loads into an existing empty database while the package is
            # verified beside it. Damage in the login database's data, which an import
            # never reads, only the verification can find; damage in the imported
            # client's own table the load itself reads, and the verification leaves that
            # table to it. Either way no commit may happen before all of it has been
            # checked; on MariaDB, without transactions, the tables the load made before
            # the verification failed are dropped again ("login-near": its files folder
            # beside the others, so nothing else holds the load back until its end).
            with zipfile.ZipFile(full) as z:
                infos = z.infolist()
            c = self.inst.config
            for engine, src in (("postgresql", PG), ("mariadb", MY), ("sqlite", LITE)):
                if where.startswith("login"):
                    entry = [i.filename for i in infos if i.filename.startswith("login/")
                             and i.filename.endswith(".csv") and i.compress_size > 16][0]
                else:
                    prefix = "clients/%s/db/data/" % src
                    entry = max((i for i in infos if i.filename.startswith(prefix)),
                                key=lambda i: i.compress_size).filename
                bad = os.path.join(out, "beside-%s-%s.zip" % (where, engine))
                flip_byte(full, bad, entry)
                newid, name = "beside-" + engine[:2], "ofb_e2e_beside"
                # with the login damaged, a files folder whose parents are not there yet:
                # they are not made either; with its own table damaged, one beside the
                # others, so that the verification leaves the table to the load
                above = os.path.join(self.root, newid + "-new")
                files = (os.path.join(above, "deep", "files") if where == "login"
                         else os.path.join(self.root, newid + "-files"))
                shutil.rmtree(above, ignore_errors=True)
                shutil.rmtree(files, ignore_errors=True)
                if engine == "sqlite":
                    # an empty file; with its own table damaged, no file: the file the
                    # import makes is removed again
                    conn = "Driver=SQLite3;Database=%s" % os.path.join(self.root, name + ".db")
                    if os.path.exists(sqlite_path(conn)):
                        os.remove(sqlite_path(conn))
                    if where.startswith("login"):
                        open(sqlite_path(conn), "wb").close()
                else:
                    self.drop_db(engine, name)
                    self.create_db(engine, name)
                    conn = (self.inst.pg_base if engine == "postgresql"
                            else self.inst.my_base) + ";Database=" + name
                r = self.run("-v", "-c", c, "import", bad, src, "--as", newid, "--connect",
                             conn, "--files", files)
                refused(r)
                self.require("damaged" in r.text and entry in r.text and
                             "nothing was changed" in r.text,
                             "%s: the damage is not what was reported: %s"
                             % (engine, r.text.strip()[-300:]))
                if where == "login-near":
                    # it loaded a table, or stopped before one as the verification failed
                    self.require("rows restored" in r.text or "the load stops" in r.text,
                                 "%s: the load did not run beside the verification: %s"
                                 % (engine, r.text.strip()[-300:]))
                self.require(newid not in self.registry(self.inst.login_path),
                             "%s registered by a refused import" % newid)
                self.require(not os.path.exists(above), "%s made by a refused import"
                             % above)
                self.require(not os.path.exists(files) or not os.listdir(files),
                             "files written to %s" % files)
                self.no_tables(engine, conn, newid)
                if engine == "sqlite" and where == "own":
                    left = [f for f in os.listdir(self.root) if f.startswith(name + ".db")]
                    self.require(not left, "the import left %s" % left)
                if engine != "sqlite":
                    self.drop_db(engine, name)
        sc.t("import of one client from a package whose login database is damaged, "
             "into existing empty PostgreSQL, MariaDB and SQLite databases: refused, nothing "
             "committed, registered or written", load_beside_verify, "login")
        sc.t("the same with its files folder beside the others: the load runs beside the "
             "verification to its end (on MariaDB its tables made, then dropped): refused, "
             "nothing committed, registered or written", load_beside_verify, "login-near")
        sc.t("import of one client from a package whose own largest table is damaged, "
             "into existing empty PostgreSQL and MariaDB databases and a new SQLite file: "
             "refused, nothing committed, registered or written, the file removed",
             load_beside_verify, "own")


class Res:
    """One ofbackup run's result, for every group (rs: the group's runner, with Failed)."""

    def __init__(self, rs, args, code, out, err, secs=None):
        self.rs, self.args, self.code, self.out, self.err, self.secs = \
            rs, args, code, out, err, secs

    @property
    def text(self):
        return self.out + self.err

    def expect(self, *codes):
        if self.code not in codes:
            # the output first (the runner shortens long reasons), paths shortened
            cmd = " ".join(os.path.basename(a) if a.startswith("/") else a for a in self.args)
            raise self.rs.Failed("exited %d, want %s; output: %s; command: ofbackup %s"
                                 % (self.code, "/".join(map(str, codes)),
                                    " ".join(self.text.split())[-320:], cmd))
        return self


# ------------------------------------------------------------------ helpers

def sqlite_path(conn):
    m = re.search(r"(?i)(?:^|;)\s*Database\s*=\s*([^;]*)", conn)
    return m.group(1).strip() if m else ""


def dbname(conn):
    return sqlite_path(conn)


def write_ini(path, login_connect, clients, backup_dir):
    lines = ["[login]", 'connect = "%s"' % login_connect, ""]
    for cid, kv in clients.items():
        lines.append("[client.%s]" % cid)
        lines += ['%s = "%s"' % (k, v) for k, v in kv.items()]
        lines.append("")
    lines += ["[backup]", 'dir = "%s"' % backup_dir, ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.chmod(path, 0o600)
    return path


def flip_byte(src, dst, entry):
    """Copy src to dst with one byte inverted in the middle of entry's stored (compressed)
    data, so its CRC and SHA-256 no longer match."""
    shutil.copyfile(src, dst)
    with zipfile.ZipFile(dst) as z:
        info = z.getinfo(entry)
    with open(dst, "r+b") as f:
        f.seek(info.header_offset)
        head = f.read(30)
        if head[:4] != b"PK\x03\x04":
            raise RuntimeError("no local header for %s" % entry)
        n, m = struct.unpack("<HH", head[26:30])
        if info.compress_size < 1:
            raise RuntimeError("%s has no data to damage" % entry)
        off = info.header_offset + 30 + n + m + info.compress_size // 2
        f.seek(off)
        b = f.read(1)
        f.seek(off)
        f.write(bytes([b[0] ^ 0xFF]))


def rewrite_zip(src, dst, replace=None, extra=(), manifest=None):
    """Re-zip src into dst with Python's zipfile: same entries in the same order, names,
    times, compression and attributes; replace maps names to new contents, extra entries go
    before manifest.json, manifest (a dict) replaces manifest.json."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename == "manifest.json":
                for name, data in extra:
                    zi = zipfile.ZipInfo(name, date_time=info.date_time)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zi.external_attr = 0o100600 << 16
                    zout.writestr(zi, data)
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8") \
                    if manifest is not None else zin.read(info)
            else:
                data = replace.get(info.filename)
                if data is None:
                    data = zin.read(info)
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            zi.create_system = info.create_system
            zout.writestr(zi, data)


def add_evil_entry(src, dst, name, client):
    """A copy of package src with an extra entry `name` (content 'evil'), listed in a copied
    manifest with its size and SHA-256 (and counted in the client's files when client)."""
    import hashlib
    data = b"evil\n"
    with zipfile.ZipFile(src) as z:
        man = json.loads(z.read("manifest.json"))
    man["entries"].append({"path": name, "size": len(data),
                           "sha256": hashlib.sha256(data).hexdigest(),
                           "mtime": "2024-01-01T00:00:00Z"})
    if client:
        for c in man.get("clients") or []:
            if c.get("id") == client and c.get("files"):
                c["files"]["files"] = c["files"].get("files", 0) + 1
                c["files"]["bytes"] = c["files"].get("bytes", 0) + len(data)
    rewrite_zip(src, dst, extra=[(name, data)], manifest=man)


def table_entry(pkg, cid, table):
    """The data entry of a client's table, from schema.json (FORMAT.md: readers use it)."""
    with zipfile.ZipFile(pkg) as z:
        schema = json.loads(z.read("clients/%s/db/schema.json" % cid))
    for t in schema.get("tables") or []:
        if t.get("name") == table:
            return t["entry"]
    raise RuntimeError("table %s of client %s not in schema.json" % (table, cid))


def _schema_tables(schema_json):
    return {t["name"]: t for t in schema_json.get("tables") or []}


def compare_portable(src, tgt, schema_json, tgt_engine, limit=12):
    """(problems, changed) between the source's and the target's rows, every value compared
    through the portable type the package's schema.json gives its column. changed lists
    the values equal only with the target engine's allowance (-0.0 kept as 0.0, a decimal
    kept as a double in SQLite): they changed, which an import must not do silently."""
    p, changed = [], []
    tables = _schema_tables(schema_json)
    if set(src.tables) != set(tgt.tables):
        p.append("tables %s, want %s" % (sorted(tgt.tables), sorted(src.tables)))
    for name in sorted(set(src.tables) & set(tgt.tables)):
        ts, tt = src.tables[name], tgt.tables[name]
        cols = (tables.get(name) or {}).get("columns") or []
        specs = [c for c in cols if c.get("name") in ts.colnames()]
        names = [c["name"] for c in specs]
        missing = [n for n in names if n not in tt.colnames()]
        if missing:
            p.append("%s: columns %s missing" % (name, missing))
            continue

        def keyed(t, engine):
            idx = [t.colnames().index(n) for n in names]
            return [tuple(canon.portable(r[i], c, engine) for i, c in zip(idx, specs))
                    for r in t.rows]
        a, b = Counter(keyed(ts, tgt_engine)), Counter(keyed(tt, tgt_engine))
        want, got = list((a - b).elements()), list((b - a).elements())
        if not want and not got:
            exact_s, exact_t = keyed(ts, None), keyed(tt, None)
            if Counter(exact_s) != Counter(exact_t):
                pk = [names.index(k) for k in ts.pk if k in names]
                by = {tuple(r[i] for i in pk): r for r in exact_t}
                for r in exact_s:
                    o = by.get(tuple(r[i] for i in pk))
                    if o is not None and o != r:
                        changed += ["%s.%s %s -> %s" % (name, names[i], canon.show_key(r[i]),
                                                        canon.show_key(o[i]))
                                    for i in range(len(names)) if r[i] != o[i]]
                if not changed:
                    changed.append("%s: some values changed" % name)
            continue
        if len(ts.rows) != len(tt.rows):
            p.append("%s: %d rows, want %d" % (name, len(tt.rows), len(ts.rows)))
        pk = [names.index(k) for k in ts.pk if k in names]
        by = {tuple(r[i] for i in pk): r for r in got} if pk else {}
        for r in want:
            o = by.pop(tuple(r[i] for i in pk), None) if pk else None
            lab = "%s(%s)" % (name, ", ".join("%s=%s" % (names[i], canon.show_key(r[i], 20))
                                                for i in pk)) if pk else name
            if o is None:
                p.append("%s: row missing: %s" % (lab, ", ".join(
                    canon.show_key(v, 20) for v in r[:6])))
            else:
                p.append("%s: %s" % (lab, "; ".join(
                    "%s %s -> %s" % (names[i], canon.show_key(r[i]), canon.show_key(o[i]))
                    for i in range(len(names)) if r[i] != o[i])))
        for r in (by.values() if pk else got):
            p.append("%s: unexpected row %s" % (name, ", ".join(
                canon.show_key(v, 20) for v in r[:6])))
    return p[:limit] + (["(+%d more)" % (len(p) - limit)] if len(p) > limit else []), changed


def compare_schema_portable(src, tgt, schema_json):
    """Schema facts an import into any engine must keep: tables, column names in order,
    nullability (primary-key columns excepted: SQLite reports its INTEGER PRIMARY KEY
    nullable), primary keys, unique indexes (equal), other indexes (the source's must be
    there; MariaDB adds its own for foreign keys), foreign keys with ON DELETE
    (RESTRICT = NO ACTION), and an identity column wherever schema.json names one."""
    p = []
    tables = _schema_tables(schema_json)
    if set(src.tables) != set(tgt.tables):
        p.append("tables %s, want %s" % (sorted(tgt.tables), sorted(src.tables)))
    for name in sorted(set(src.tables) & set(tgt.tables)):
        s, t = src.tables[name], tgt.tables[name]
        if s.colnames() != t.colnames():
            p.append("%s: columns %s, want %s" % (name, t.colnames(), s.colnames()))
        for c in s.columns:
            tc = t.col(c["name"])
            if tc is not None and c["name"] not in s.pk and tc["nullable"] != c["nullable"]:
                p.append("%s.%s: nullable %s, want %s" % (name, c["name"], tc["nullable"],
                                                          c["nullable"]))
        if s.pk != t.pk:
            p.append("%s: primary key %s, want %s" % (name, t.pk, s.pk))
        su = {cols for u, cols in s.indexes if u}
        tu = {cols for u, cols in t.indexes if u}
        if su != tu:
            p.append("%s: unique indexes %s, want %s" % (name, sorted(tu), sorted(su)))
        sn = {cols for u, cols in s.indexes if not u}
        tn = {cols for u, cols in t.indexes if not u}
        if sn - tn:
            p.append("%s: indexes %s missing" % (name, sorted(sn - tn)))
        if s.fks != t.fks:
            p.append("%s: foreign keys %s, want %s" % (name, sorted(t.fks), sorted(s.fks)))
        ident = ((tables.get(name) or {}).get("identity") or {}).get("column")
        if ident and t.identity != ident:
            p.append("%s: identity column %s, want %s" % (name, t.identity, ident))
    return p
