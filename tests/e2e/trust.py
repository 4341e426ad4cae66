"""Trust nothing in a package (run.py group "trust").

A package comes from places we do not control. Each test takes a good package of a real
client (SQLite, PostgreSQL, MariaDB), edits its schema.json the way an attacker would,
recomputes the manifest's size and SHA-256 of the edited entry (so that only the schema
checks can catch it), and asserts that verify refuses it naming the entry, the table and
the field, and that an import of it exits 1 without running any of its SQL: the victim
table in another database file is still there, no table "pwned" appears anywhere, the
target database is not created.

Also: a client whose column default is an expression ofbackup does not run from a package
is backed up with a warning (exit 3) and that default left out, so the package verifies.
"""

import hashlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile

import pyodbc

import fixtures as fx
from fixtures import SECRET
from regress import PW_ENV, Regress, run_class
from restore import write_ini

PG_DBS = ("ofb_tr_src", "ofb_tr_dst")
# Under AddressSanitizer (make check-asan) memory is the sanitizer's: peak figures are
# measured and shown in messages, but not held to the limits.
SANITIZED = bool(os.environ.get("ASAN_OPTIONS"))
MY_DBS = ("ofb_tr_src", "ofb_tr_dst")


def rewrite(src, dst, entry, edit):
    """Copy package src to dst with entry's JSON passed through edit(obj) -> obj, and the
    manifest's size and sha256 of that entry recomputed."""
    with zipfile.ZipFile(src) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    data = dict((i.filename, d) for i, d in items)
    new = json.dumps(edit(json.loads(data[entry])), indent=1).encode("utf-8")
    man = json.loads(data["manifest.json"])
    for e in man["entries"]:
        if e["path"] == entry:
            e["size"] = len(new)
            e["sha256"] = hashlib.sha256(new).hexdigest()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info, d in items:
            if info.filename == entry:
                d = new
            elif info.filename == "manifest.json":
                d = json.dumps(man, indent=1).encode("utf-8")
            z.writestr(info, d, compress_type=zipfile.ZIP_DEFLATED)
    return dst


def add_entries(src, dst, added, replaced=None):
    """Copy package src to dst with entries added ({name: bytes}) or replaced, each listed
    in the manifest with its size and sha256, so that only the reader's rules catch them."""
    replaced = replaced or {}
    with zipfile.ZipFile(src) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    man = json.loads(dict((i.filename, d) for i, d in items)["manifest.json"])
    for name, data in list(replaced.items()) + list(added.items()):
        recs = [e for e in man["entries"] if e["path"] == name]
        if not recs:
            recs = [{"path": name}]
            man["entries"].append(recs[0])
        recs[0]["size"] = len(data)
        recs[0]["sha256"] = hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info, d in items:
            if info.filename == "manifest.json":
                continue
            z.writestr(info, replaced.get(info.filename, d), compress_type=zipfile.ZIP_DEFLATED)
        for name, data in added.items():
            z.writestr(name, data)
        z.writestr("manifest.json", json.dumps(man, indent=1))
    return dst


# Makes the two packages of t_json_bombs: argv = source, manifest bomb, schema bomb, entry.
BOMBS = """
import sys, zipfile, json
sys.dont_write_bytecode = True
import trust
src, man_bomb, schema_bomb, entry = sys.argv[1:5]
zeros = "[" + ",".join("0" for _ in range(10 * 1024 * 1024)) + "]"
with zipfile.ZipFile(src) as z:
    items = [(i, z.read(i.filename)) for i in z.infolist()]
with zipfile.ZipFile(man_bomb, "w", zipfile.ZIP_DEFLATED) as z:
    for info, d in items:
        if info.filename == "manifest.json":
            d = json.dumps(json.loads(d))[:-1] + ', "padding": ' + zeros + "}"
        z.writestr(info, d, compress_type=zipfile.ZIP_DEFLATED)
trust.rewrite(src, schema_bomb, entry, lambda s: dict(s, padding=[0] * (3 * 1024 * 1024)))
"""


def table(schema, name):
    return [t for t in schema["tables"] if t["name"] == name][0]


def column(t, name):
    return [c for c in t["columns"] if c["name"] == name][0]


class Trust(Regress):
    def __init__(self, suite, failed_cls):
        Regress.__init__(self, suite, failed_cls, "trust")
        self.victim = os.path.join(self.root, "elsewhere", "other.db")

    pg_dbs, my_dbs = PG_DBS, MY_DBS

    def prepare(self):
        shutil.rmtree(self.root, ignore_errors=True)
        for d in ("cwd", "backups", "db", "files", "out", "imported", "elsewhere"):
            os.makedirs(os.path.join(self.root, d))
        self.drop_all()
        v = sqlite3.connect(self.victim)
        v.execute("CREATE TABLE payroll (who text, amount int)")
        v.execute("INSERT INTO payroll VALUES ('boss', 100)")
        v.commit()
        v.close()
        reg = []
        lite = self.sqlite_client("tr-lite", """
            CREATE TABLE kunde (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x');
            CREATE INDEX kunde_name ON kunde (name);
            CREATE TABLE auftrag (id INTEGER PRIMARY KEY,
                kunde_id INTEGER REFERENCES kunde (id) ON DELETE CASCADE);
            """, [("INSERT INTO kunde VALUES (1, 'a')", ()),
                  ("INSERT INTO auftrag VALUES (1, 1)", ())])
        reg.append(("tr-lite", "Trust lite", lite, self.files_dir("tr-lite"), 0))
        cn = self.create_pg("ofb_tr_src")
        cur = cn.cursor()
        cur.execute("CREATE TABLE kunde (id serial PRIMARY KEY, name varchar(40) NOT NULL "
                    "DEFAULT 'x')")
        cur.execute("CREATE INDEX kunde_name ON kunde (name)")
        cur.execute("CREATE TABLE auftrag (id int PRIMARY KEY, kunde_id int REFERENCES kunde (id) "
                    "ON DELETE CASCADE)")
        cur.execute("INSERT INTO kunde (name) VALUES ('a')")
        cur.execute("INSERT INTO auftrag VALUES (1, 1)")
        cn.close()
        reg.append(("tr-pg", "Trust pg", self.nopw(self.pg("ofb_tr_src")),
                    self.files_dir("tr-pg"), 0))
        cn = self.create_my("ofb_tr_src")
        cur = cn.cursor()
        cur.execute("CREATE TABLE kunde (id int AUTO_INCREMENT PRIMARY KEY, name varchar(40) "
                    "NOT NULL DEFAULT 'x', KEY kunde_name (name))")
        cur.execute("INSERT INTO kunde (name) VALUES ('a')")
        cn.close()
        reg.append(("tr-my", "Trust my", self.nopw(self.my("ofb_tr_src")),
                    self.files_dir("tr-my"), 0))
        # a default no package may carry as SQL to run
        odd = self.sqlite_client("tr-odd", """
            CREATE TABLE note (id INTEGER PRIMARY KEY,
                tag TEXT DEFAULT (printf('%d-%s', 1, 'x')), day TEXT DEFAULT (date('now')));
            """, [("INSERT INTO note (id) VALUES (1)", ())])
        reg.append(("tr-odd", "Trust odd", odd, self.files_dir("tr-odd"), 0))
        db = sqlite3.connect(self.login)
        db.execute("CREATE TABLE clients (id text PRIMARY KEY, name text, connect text, "
                   "files_dir text, offline int)")
        db.executemany("INSERT INTO clients VALUES (?,?,?,?,?)", reg)
        db.commit()
        db.close()
        self.config(["tr-x"])
        self.pkgs = {}
        for cid in ("tr-lite", "tr-pg", "tr-my"):
            self.pkgs[cid] = self.export(cid)

    # ------------------------------------------------------------ helpers

    def hostile(self, cid, name, edit):
        src = self.pkgs[cid]
        dst = os.path.join(self.root, "out", "%s-%s.zip" % (cid, name))
        return rewrite(src, dst, "clients/%s/db/schema.json" % cid, edit)

    def pg_tables(self, db):
        cn = pyodbc.connect(self.pg(db), autocommit=True)
        try:
            return set(r[0] for r in cn.cursor().execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')").fetchall())
        finally:
            cn.close()

    def refused(self, pkg, cid, must_name, target, after=None):
        """verify exits 1 naming the entry and every word of must_name; import into target
        exits 1 and after() finds nothing changed."""
        r = self.run("verify", pkg)
        self.require(r.code == 1, "verify exited %d, want 1; output: %s"
                     % (r.code, " ".join(r.text.split())[-300:]))
        entry = "clients/%s/db/schema.json" % cid
        for word in (entry,) + tuple(must_name):
            self.require(word in r.text, "verify does not name %r; output: %s"
                         % (word, " ".join(r.text.split())[-300:]))
        r = self.import_(pkg, "tr-x", target)
        self.require(r.code == 1, "import exited %d, want 1; output: %s"
                     % (r.code, " ".join(r.text.split())[-300:]))
        self.require(entry in r.text, "import does not name %s; output: %s"
                     % (entry, " ".join(r.text.split())[-300:]))
        if after:
            after()

    def no_pg_target(self):
        self.require(not self.db_exists("postgresql", "ofb_tr_dst"),
                     "the import created database ofb_tr_dst")
        self.require(self.pg_tables("ofb_tr_src") == {"public.kunde", "public.auftrag"},
                     "the source database's tables changed: %s" % self.pg_tables("ofb_tr_src"))

    def victim_intact(self):
        v = sqlite3.connect(self.victim)
        try:
            rows = v.execute("SELECT * FROM payroll").fetchall()
        except sqlite3.Error as e:
            raise self.Failed("the other database file lost its table: %s" % e)
        finally:
            v.close()
        self.require(rows == [("boss", 100)], "payroll now holds %r" % rows)
        self.require(not os.path.exists(os.path.join(self.root, "db", "tr-x.db")),
                     "the import left a target database file behind")

    # ------------------------------------------------------------ tests

    def t_good(self):
        for cid in self.pkgs:
            self.run("verify", self.pkgs[cid]).expect(0)
        pkg = self.hostile("tr-lite", "unchanged", lambda s: s)
        self.run("verify", pkg).expect(0)

    def t_sqlite_attach(self):
        def edit(s):
            t = table(s, "kunde")
            t["native_ddl"] += "; ATTACH '%s' AS v; DROP TABLE v.payroll" % self.victim
            return s
        self.refused(self.hostile("tr-lite", "attach", edit), "tr-lite",
                     ("kunde", "native_ddl", "separator"),
                     "Driver=SQLite3;Database=" + os.path.join(self.root, "db", "tr-x.db"),
                     self.victim_intact)

    def t_sqlite_pragma_default(self):
        def edit(s):
            column(table(s, "kunde"), "name")["default"] = "(load_extension('/tmp/x.so'))"
            return s
        self.refused(self.hostile("tr-lite", "loadext", edit), "tr-lite",
                     ("kunde", "name", "default", "load_extension"),
                     "Driver=SQLite3;Database=" + os.path.join(self.root, "db", "tr-x.db"),
                     self.victim_intact)

    def t_pg_index(self):
        def edit(s):
            t = table(s, "kunde")
            i = [k for k in t["indexes"] if k["name"] == "kunde_name"][0]
            i["native_ddl"] += "; CREATE TABLE pwned(x int)"
            return s
        self.refused(self.hostile("tr-pg", "index", edit), "tr-pg",
                     ("kunde", "kunde_name", "native_ddl"), self.pg("ofb_tr_dst"),
                     self.no_pg_target)

    def t_pg_type(self):
        def edit(s):
            column(table(s, "auftrag"), "kunde_id")["native_type"] = (
                'integer, PRIMARY KEY (id)); CREATE TABLE pwned (x int); CREATE TABLE "x" (y int')
            return s
        self.refused(self.hostile("tr-pg", "type", edit), "tr-pg",
                     ("auftrag", "kunde_id", "native_type"), self.pg("ofb_tr_dst"),
                     self.no_pg_target)

    def t_pg_default(self):
        def edit(s):
            column(table(s, "kunde"), "name")["default"] = "lo_export(1, '/tmp/ofb-pwned')"
            return s
        self.refused(self.hostile("tr-pg", "default", edit), "tr-pg",
                     ("kunde", "name", "default", "lo_export"), self.pg("ofb_tr_dst"),
                     self.no_pg_target)

    def t_fk_action(self):
        def edit(s):
            fk = table(s, "auftrag")["foreign_keys"][0]
            fk["on_delete"] = "CASCADE; CREATE TABLE pwned (x int)"
            return s
        self.refused(self.hostile("tr-pg", "fkaction", edit), "tr-pg",
                     ("auftrag", "foreign key", "action"), self.pg("ofb_tr_dst"),
                     self.no_pg_target)

    def t_my_engine(self):
        def edit(s):
            t = table(s, "kunde")
            t["native_ddl"] += " /*!; CREATE TABLE pwned (x int) */"
            return s
        def after():
            self.require(not self.db_exists("mariadb", "ofb_tr_dst"),
                         "the import created database ofb_tr_dst")
        self.refused(self.hostile("tr-my", "exec-comment", edit), "tr-my",
                     ("kunde", "native_ddl"), self.my("ofb_tr_dst"), after)

    def t_my_outside(self):
        def edit(s):
            t = table(s, "kunde")
            t["native_ddl"] = t["native_ddl"].replace("CREATE TABLE `kunde`",
                                                      "CREATE TABLE `mysql`.`kunde`", 1)
            return s
        self.refused(self.hostile("tr-my", "otherdb", edit), "tr-my",
                     ("kunde", "native_ddl", "outside"), self.my("ofb_tr_dst"))

    def t_null_key(self):
        def edit(s):
            table(s, "auftrag")["primary_key"]["columns"] = [None]
            table(s, "auftrag")["foreign_keys"][0]["columns"] = [None]
            return s
        self.refused(self.hostile("tr-pg", "nullkey", edit), "tr-pg",
                     ("auftrag", "primary_key"), self.pg("ofb_tr_dst"), self.no_pg_target)

    def t_vetted(self):
        pkg = os.path.join(self.root, "out", "odd.zip")
        r = self.run("-c", self.cfg, "export", "tr-odd", "-o", pkg).expect(3)
        self.require("printf" in r.text and "tag" in r.text,
                     "the warning does not name the default and column; output: %s"
                     % " ".join(r.text.split())[-300:])
        self.run("verify", pkg).expect(0)
        with zipfile.ZipFile(pkg) as z:
            s = json.loads(z.read("clients/tr-odd/db/schema.json"))
        t = table(s, "note")
        self.require(column(t, "tag")["default"] is None, "the unchecked default was kept")
        self.require("date('now')" in (column(t, "day")["default"] or ""),
                     "the checked default is %r" % column(t, "day")["default"])
        # the table's own DDL may keep it: it runs as one checked CREATE TABLE
        self.require("printf" in (t["native_ddl"] or ""), "the table's own DDL is %r"
                     % t["native_ddl"])

    def t_no_driver_log(self):
        def logs():
            return set(f for f in os.listdir("/tmp") if f.startswith("psqlodbc_ofbackup"))
        before = logs()
        pkg = os.path.join(self.root, "out", "log-check.zip")
        self.run("-c", self.cfg, "export", "tr-pg", "-o", pkg).expect(0)
        self.run("-c", self.cfg, "clients").expect(0, 3)
        # psqlODBC falls back to odbcinst.ini's CommLog (1 on Debian) when its last
        # connection closes and logs that close: such a file may appear, but it must be
        # private and hold neither statements nor secrets
        for name in sorted(logs() - before):
            path = os.path.join("/tmp", name)
            mode = os.stat(path).st_mode & 0o777
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            os.remove(path)
            self.require(mode & 0o077 == 0, "psqlODBC's %s has mode %04o" % (name, mode))
            for word in ("SELECT", "PWD", SECRET, "conn_settings", "ofb_tr_src"):
                self.require(word not in text, "psqlODBC's %s holds %r" % (name, word))

    def t_multi_statements(self):
        ini = os.path.join(self.root, "multi.ini")
        with open(ini, "w") as f:
            f.write('[login]\nconnect = "%s;OPTION=67108864"\n' % self.my("ofb_tr_src"))
        os.chmod(ini, 0o600)
        r = self.run("-c", ini, "clients")
        self.require(r.code == 2 and "67108864" in r.text,
                     "a MariaDB connection allowing several statements per call: exit %d; "
                     "output: %s" % (r.code, " ".join(r.text.split())[-300:]))

    # ------------------------------------------------------------ files read and written safely

    @staticmethod
    def env():
        env = dict(os.environ, LC_ALL="C.UTF-8")
        env.pop("OFBACKUP_CONFIG", None)
        env[PW_ENV] = SECRET
        return env

    def big_client(self):
        """tr-big: a SQLite database that takes a moment to dump, so that its files can be
        changed after the scan and before they are read."""
        path = os.path.join(self.root, "db", "tr-big.db")
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        db.executemany("INSERT INTO t VALUES (?, ?)",
                       ((i, "row %d %s" % (i, "x" * 200)) for i in range(1, 300001)))
        db.commit()
        db.close()
        files = os.path.join(self.root, "files", "tr-big")
        os.makedirs(files)
        for rel in ("a.txt", "b.txt"):
            with open(os.path.join(files, rel), "w") as f:
                f.write("content of %s\n" % rel)
        con = sqlite3.connect(self.login)
        con.execute("INSERT INTO clients VALUES (?,?,?,?,?)",
                    ("tr-big", "Trust big", "Driver=SQLite3;Database=" + path, files, 0))
        con.commit()
        con.close()
        self.config(["tr-x", "tr-big"])
        return files

    def t_swapped(self):
        files = self.big_client()
        secret = os.path.join(self.root, "secret.txt")
        with open(secret, "w") as f:
            f.write("TOP-SECRET-0815\n")
        os.chmod(secret, 0o600)
        out = os.path.join(self.root, "out", "swap")
        os.makedirs(out)
        pkg = os.path.join(out, "swap.zip")
        p = subprocess.Popen([self.suite.tool.path, "-c", self.cfg, "export", "tr-big", "-o",
                              pkg], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, env=self.env(), cwd=self.cwd)
        deadline = time.time() + 60
        while time.time() < deadline and not any(n.endswith(".part") or ".part." in n
                                                 for n in os.listdir(out)):
            time.sleep(0.01)
        os.remove(os.path.join(files, "a.txt"))
        os.symlink(secret, os.path.join(files, "a.txt"))
        os.remove(os.path.join(files, "b.txt"))
        os.mkfifo(os.path.join(files, "b.txt"))
        swapped_while_running = p.poll() is None
        try:
            o, e = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise self.Failed("the backup hangs on a FIFO put where a file was")
        text = (o + e).decode("utf-8", "replace")
        self.require(swapped_while_running, "the backup ended before the files could be "
                     "swapped (make the database bigger)")
        self.require(p.returncode == 3, "exit %d, want 3; output: %s"
                     % (p.returncode, " ".join(text.split())[-300:]))
        with zipfile.ZipFile(pkg) as z:
            data = b"".join(z.read(n) for n in z.namelist())
            man = json.loads(z.read("manifest.json"))
        self.require(b"TOP-SECRET-0815" not in data, "the linked file's content is in the package")
        marked = [e["path"] for e in man["entries"] if e.get("vanished")]
        self.require(sorted(marked) == ["clients/tr-big/files/a.txt",
                                        "clients/tr-big/files/b.txt"],
                     "entries marked vanished: %s" % marked)
        self.require("a.txt" in text and "b.txt" in text, "the warnings do not name both "
                     "files; output: %s" % " ".join(text.split())[-300:])

    def t_modes(self):
        files = os.path.join(self.root, "files", "tr-perm")
        os.makedirs(os.path.join(files, "private"))
        for rel, mode in (("open.txt", 0o644), ("private/p.txt", 0o600)):
            with open(os.path.join(files, rel), "w") as f:
                f.write("content of %s\n" % rel)
            os.chmod(os.path.join(files, rel), mode)
        os.chmod(os.path.join(files, "private"), 0o700)
        db = os.path.join(self.root, "db", "tr-perm.db")
        shutil.copyfile(os.path.join(self.root, "db", "tr-lite.db"), db)
        con = sqlite3.connect(self.login)
        con.execute("INSERT INTO clients VALUES ('tr-perm', 'Perm', ?, ?, 0)",
                    ("Driver=SQLite3;Database=" + db, files))
        con.commit()
        con.close()
        self.config(["tr-x", "tr-big", "tr-perm"])
        pkg = self.export("tr-perm")
        dest = os.path.join(self.root, "imported", "new-parent", "modes")
        db = os.path.join(self.root, "db", "tr-modes.db")
        self.config(["tr-modes"])
        r = self.run("-c", self.cfg, "import", pkg, "--as", "tr-modes", "--connect",
                     "Driver=SQLite3;Database=" + db, "--files", dest)
        r.expect(0, 3)
        got = {}
        for rel in ("private", "private/p.txt"):
            got[rel] = os.stat(os.path.join(dest, rel)).st_mode & 0o777
        want = {"private": 0o700, "private/p.txt": 0o600}
        self.require(got == want, "modes %s, want %s" % (
            dict((k, "%04o" % v) for k, v in got.items()),
            dict((k, "%04o" % v) for k, v in want.items())))
        mode = os.stat(db).st_mode & 0o777
        self.require(mode == 0o600, "the SQLite database the import created has mode %04o" % mode)
        mode = os.stat(os.path.dirname(dest)).st_mode & 0o777
        self.require(mode == 0o755, "a folder the import made on the way to the files folder "
                     "has mode %04o, want 0755 (the office application must reach it)" % mode)

    def t_file_size_limit(self):
        out = os.path.join(self.root, "out", "fsize")
        os.makedirs(out)
        pkg = os.path.join(out, "small.zip")

        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
        p = subprocess.run([self.suite.tool.path, "-c", self.cfg, "export", "tr-big", "-o", pkg],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, preexec_fn=limit, timeout=120,
                           env=self.env(), cwd=self.cwd)
        text = (p.stdout + p.stderr).decode("utf-8", "replace")
        self.require(p.returncode == 1, "exit %d, want 1 (killed by SIGXFSZ is %d); output: %s"
                     % (p.returncode, -25, " ".join(text.split())[-300:]))
        self.require("too large" in text.lower(), "no 'File too large' in: %s"
                     % " ".join(text.split())[-300:])
        self.require(os.listdir(out) == [], "left behind: %s" % os.listdir(out))

    # ------------------------------------------------------------ one run at a time

    def t_lock(self):
        out = os.path.join(self.root, "out", "lock")
        os.makedirs(out)
        first = subprocess.Popen([self.suite.tool.path, "-c", self.cfg, "export", "tr-big",
                                  "-o", os.path.join(out, "first.zip")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, env=self.env(), cwd=self.cwd)
        deadline = time.time() + 60
        while time.time() < deadline and not any(".part" in n for n in os.listdir(out)):
            time.sleep(0.01)
        try:
            for args in (("backup", "-o", os.path.join(out, "second.zip")),
                         ("import", self.pkgs["tr-lite"], "--as", "tr-x", "--files",
                          os.path.join(self.root, "imported", "lock"))):
                t0 = time.time()
                r = self.run("-c", self.cfg, *args)
                self.require(first.poll() is None, "the first run ended before the second "
                             "was tried (make the database bigger)")
                self.require(r.code == 4 and "another ofbackup run" in r.text,
                             "%s while a backup runs: exit %d, want 4; output: %s"
                             % (args[0], r.code, " ".join(r.text.split())[-300:]))
                self.require(time.time() - t0 < 10, "%s waited for the lock" % args[0])
            self.require(not os.path.exists(os.path.join(out, "second.zip")),
                         "the refused backup wrote a package")
        finally:
            first.kill()
            first.communicate()
        # killed: the kernel dropped the lock
        self.run("-c", self.cfg, "export", "tr-lite", "-o",
                 os.path.join(out, "after.zip")).expect(0)

    def t_safety_place(self):
        files = os.path.join(self.root, "files", "tr-lite")
        before = sorted(os.listdir(files))
        ini = os.path.join(self.root, "inside.ini")
        write_ini(ini, "Driver=SQLite3;Database=" + self.login,
                  {"tr-lite": {"password_env": PW_ENV}}, files)
        r = self.run("-c", ini, "import", self.pkgs["tr-lite"], "--as", "tr-lite", "--replace")
        self.require(r.code == 1 and "inside" in r.text,
                     "import --replace with [backup] dir inside the files folder it replaces: "
                     "exit %d, want 1; output: %s" % (r.code, " ".join(r.text.split())[-300:]))
        self.require(sorted(os.listdir(files)) == before, "the files folder changed: %s"
                     % sorted(os.listdir(files)))
        # run from inside the files folder, no [backup] dir: the same
        ini2 = os.path.join(self.root, "nodir.ini")
        with open(ini2, "w") as f:
            f.write('[login]\nconnect = "Driver=SQLite3;Database=%s"\n' % self.login)
        os.chmod(ini2, 0o600)
        p = subprocess.run([self.suite.tool.path, "-c", ini2, "import", self.pkgs["tr-lite"],
                            "--as", "tr-lite", "--replace"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=self.env(),
                           cwd=files, timeout=120)
        text = (p.stdout + p.stderr).decode("utf-8", "replace")
        self.require(p.returncode == 1 and "inside" in text,
                     "import --replace run from inside the files folder: exit %d; output: %s"
                     % (p.returncode, " ".join(text.split())[-300:]))
        self.require(sorted(os.listdir(files)) == before, "the files folder changed: %s"
                     % sorted(os.listdir(files)))

    # ------------------------------------------------------------ a bad registry row

    def t_bad_row(self):
        out = os.path.join(self.root, "out", "badrow")
        os.makedirs(out)
        con = sqlite3.connect(self.login)
        con.execute("INSERT INTO clients VALUES ('../x', 'Bad row', 'Driver=SQLite3;Database=/nonexistent', "
                    "NULL, 0)")
        con.commit()
        con.close()
        try:
            r = self.run("-c", self.cfg, "clients")
            self.require(r.code == 3 and "'../x'" in r.text and "tr-lite" in r.out,
                         "clients: exit %d, want 3 listing the others and naming '../x'; "
                         "output: %s" % (r.code, " ".join(r.text.split())[-300:]))
            full = os.path.join(out, "full.zip")
            r = self.run("-c", self.cfg, "backup", "-o", full)
            self.require(r.code == 1 and "'../x'" in r.text and "--skip-failed" in r.text,
                         "full backup: exit %d, want 1 naming the row; output: %s"
                         % (r.code, " ".join(r.text.split())[-300:]))
            self.require(not os.path.exists(full), "a package was written")
            self.run("-c", self.cfg, "backup", "--skip-failed", "-o", full).expect(3)
            self.run("verify", full).expect(0)
            with zipfile.ZipFile(full) as z:
                man = json.loads(z.read("manifest.json"))
            rows = man.get("failed_registry_rows") or []
            self.require(len(rows) == 1 and "'../x'" in rows[0],
                         "failed_registry_rows: %r" % rows)
            con = sqlite3.connect(self.login)
            good = sorted(r[0] for r in con.execute("SELECT id FROM clients WHERE id <> '../x'"))
            con.close()
            self.require(sorted(c["id"] for c in man["clients"] if c["status"] == "ok") == good,
                         "clients backed up: %s, want %s" % ([c["id"] for c in man["clients"]],
                                                             good))
            self.run("-c", self.cfg, "backup", "tr-lite", "-o",
                     os.path.join(out, "partial.zip")).expect(0)
        finally:
            con = sqlite3.connect(self.login)
            con.execute("DELETE FROM clients WHERE id = '../x'")
            con.commit()
            con.close()

    # ------------------------------------------------------------ clear errors

    def write(self, name, text):
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    def t_config_errors(self):
        login = "Driver=SQLite3;Database=" + self.login
        cases = (
            ("a [login] DSN that does not exist", '[login]\nconnect = "DSN=ofb_no_such_dsn"\n',
             ("clients",), 2, "IM002"),
            ("a Driver= that is not installed",
             '[login]\nconnect = "Driver=OfbNoSuchDriver;Database=x"\n', ("clients",), 2,
             "odbcinst.ini"),
            ("[login] given twice", '[login]\nconnect = "%s"\n[LOGIN]\nconnect = "DSN=x"\n'
             % login, ("clients",), 2, "second time"),
            ("[backup] dir that is a file", '[login]\nconnect = "%s"\n[backup]\ndir = "%s"\n'
             % (login, self.login), ("backup", "tr-lite"), 1, "is not a folder"),
        )
        for what, text, args, code, word in cases:
            ini = self.write("case.ini", text)
            r = self.run("-c", ini, *args)
            self.require(r.code == code and word in r.text, "%s: exit %d, want %d with %r; "
                         "output: %s" % (what, r.code, code, word,
                                         " ".join(r.text.split())[-300:]))

    def t_info_refuses(self):
        def edit(s):
            table(s, "kunde")["native_ddl"] += "; DETACH x"
            return s
        pkg = self.hostile("tr-lite", "info", edit)
        r = self.run("info", pkg)
        self.require(r.code == 1 and "native_ddl" in r.text, "info of a package verify "
                     "refuses: exit %d; output: %s" % (r.code, " ".join(r.text.split())[-300:]))
        self.run("info", self.pkgs["tr-lite"]).expect(0)

    def t_shared(self):
        con = sqlite3.connect(self.login)
        row = con.execute("SELECT connect, files_dir FROM clients WHERE id = 'tr-lite'").fetchone()
        con.execute("INSERT INTO clients VALUES ('tr-twin', 'Twin', ?, ?, 0)", row)
        con.commit()
        con.close()
        try:
            self.config(["tr-x", "tr-big", "tr-twin"])
            out = os.path.join(self.root, "out", "shared.zip")
            r = self.run("-c", self.cfg, "backup", "-o", out)
            self.require(r.code == 3 and "same database" in r.text and
                         "same files folder" in r.text and "tr-twin" in r.text,
                         "two clients on one database and files folder: exit %d; output: %s"
                         % (r.code, " ".join(r.text.split())[-300:]))
        finally:
            con = sqlite3.connect(self.login)
            con.execute("DELETE FROM clients WHERE id = 'tr-twin'")
            con.commit()
            con.close()

    # ------------------------------------------------------------ secrets

    def t_no_registered_password(self):
        self.config(["tr-pw"])
        conn = self.pg("ofb_tr_dst")
        self.require("PWD=" in conn, "the test connection string has no PWD")
        r = self.run("-c", self.cfg, "import", self.pkgs["tr-pg"], "--as", "tr-pw",
                     "--connect", conn, "--files", os.path.join(self.root, "imported", "pw"))
        try:
            self.require(r.code == 3 and "password_env" in r.text,
                         "import --connect with PWD: exit %d, want 3 telling where the password "
                         "goes; output: %s" % (r.code, " ".join(r.text.split())[-300:]))
            con = sqlite3.connect(self.login)
            row = con.execute("SELECT connect FROM clients WHERE id = 'tr-pw'").fetchone()
            con.close()
            self.require(row and "Database=ofb_tr_dst" in row[0], "registered: %r" % (row,))
            self.require(SECRET not in row[0] and "PWD" not in row[0].upper(),
                         "the password was registered: %r" % row[0])
        finally:
            con = sqlite3.connect(self.login)
            con.execute("DELETE FROM clients WHERE id = 'tr-pw'")
            con.commit()
            con.close()
            self.drop_all_dst()

    def drop_all_dst(self):
        cn = pyodbc.connect(self.pg("postgres"), autocommit=True)
        cn.cursor().execute("DROP DATABASE IF EXISTS ofb_tr_dst WITH (FORCE)")
        cn.close()

    # ------------------------------------------------------------ consistent snapshots

    def t_pg_recreated(self):
        cn = pyodbc.connect(self.pg("ofb_tr_src"), autocommit=True)
        cn.cursor().execute("CREATE TABLE moving (id int PRIMARY KEY)")
        cn.cursor().execute("INSERT INTO moving SELECT generate_series(1, 10)")
        cn.close()
        pkg = os.path.join(self.root, "out", "moving.zip")
        try:
            p, _, text = fx.run_while_recreated(
                self.pg("ofb_tr_src"), "moving",
                lambda: subprocess.Popen([self.suite.tool.path, "-c", self.cfg, "export",
                                          "tr-pg", "-o", pkg], stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                         env=self.env(), cwd=self.cwd), 120)
            self.require(p.returncode == 0, "export exit %d; output: %s"
                         % (p.returncode, " ".join(text.split())[-300:]))
            with zipfile.ZipFile(pkg) as z:
                s = json.loads(z.read("clients/tr-pg/db/schema.json"))
                data = z.read(table(s, "moving")["entry"]).decode()
            rows = len(data.strip().split("\n")) - 1
            self.require(rows == 50, "table 'moving' holds %d rows in the package, want 50 (the "
                         "committed new state; 10 would be the old one)" % rows)
        finally:
            cn = pyodbc.connect(self.pg("ofb_tr_src"), autocommit=True)
            cn.cursor().execute("DROP TABLE IF EXISTS moving")
            cn.close()

    # ------------------------------------------------------------ one set of rules

    def t_names(self):
        files = "clients/tr-lite/files/"
        cases = (
            ("a segment 'C:'", {files + "C:/x.txt": b"x"}),
            ("a segment of 300 bytes", {files + "a" * 300 + ".txt": b"x"}),
            ("a tree 200 folders deep", {files + "d/" * 200 + "x.txt": b"x"}),
            ("a client the manifest does not list", {"clients/ghost/files/x.txt": b"x"}),
            ("a folder no restore reads", {"elsewhere/x.txt": b"x"}),
            ("an entry beside db/ and files/", {"clients/tr-lite/other.txt": b"x"}),
        )
        target = os.path.join(self.root, "imported", "names")
        for what, added in cases:
            pkg = add_entries(self.pkgs["tr-lite"], os.path.join(self.root, "out", "names.zip"),
                              added)
            r = self.run("verify", pkg)
            self.require(r.code == 1 and list(added)[0][:60] in r.text,
                         "%s: verify exit %d, want 1 naming the entry; output: %s"
                         % (what, r.code, " ".join(r.text.split())[-300:]))
            r = self.import_(pkg, "tr-x", "Driver=SQLite3;Database=" +
                             os.path.join(self.root, "db", "tr-x.db"))
            self.require(r.code == 1, "%s: import exit %d, want 1" % (what, r.code))
            self.require(not os.path.exists(target) or not os.listdir(target),
                         "%s: the import wrote files" % what)
            self.victim_intact()

    def t_csv_text(self):
        with zipfile.ZipFile(self.pkgs["tr-lite"]) as z:
            s = json.loads(z.read("clients/tr-lite/db/schema.json"))
            entry = table(s, "kunde")["entry"]
            data = z.read(entry)
        for what, bad in (("invalid UTF-8", b'"a\xff\xfeb"'), ("U+0000", b'"a\x00b"')):
            changed = data.replace(b'"a"', bad, 1)
            self.require(changed != data, "the test data holds no \"a\"")
            pkg = add_entries(self.pkgs["tr-lite"], os.path.join(self.root, "out", "csv.zip"),
                              {}, {entry: changed})
            r = self.run("verify", pkg)
            self.require(r.code == 1 and entry in r.text and "name" in r.text,
                         "%s in CSV text: verify exit %d, want 1 naming entry and column; "
                         "output: %s" % (what, r.code, " ".join(r.text.split())[-300:]))
            r = self.import_(pkg, "tr-x", "Driver=SQLite3;Database=" +
                             os.path.join(self.root, "db", "tr-x.db"))
            self.require(r.code == 1, "%s: import exit %d, want 1" % (what, r.code))
            self.victim_intact()

    # ------------------------------------------------------------ leftovers and mount points

    def t_leftovers(self):
        files = os.path.join(self.root, "files", "tr-lite")
        new = files + ".ofbackup-new-Ab12Cd"
        old = files + ".ofbackup-old-999999"     # no such process
        alive = files + ".ofbackup-old-%d" % os.getpid()
        for d in (new, old, alive):
            os.makedirs(d)
            with open(os.path.join(d, "x.txt"), "w") as f:
                f.write("left over\n")
        r = self.run("-c", self.cfg, "import", self.pkgs["tr-lite"], "--as", "tr-lite",
                     "--replace")
        self.require(r.code in (0, 3), "import --replace beside leftovers: exit %d; output: %s"
                     % (r.code, " ".join(r.text.split())[-300:]))
        self.require(not os.path.exists(new) and not os.path.exists(old),
                     "the leftovers of a stopped restore are still there")
        self.require(os.path.exists(alive) and alive in r.text,
                     "the folder of a restore whose process lives was touched or not reported")
        shutil.rmtree(alive)
        # killed between the two renames: the folder itself is missing
        os.rename(files, old)
        os.makedirs(new)
        try:
            r = self.run("-c", self.cfg, "import", self.pkgs["tr-lite"], "--as", "tr-lite",
                         "--replace")
            self.require(r.code == 1 and "is missing" in r.text and old in r.text,
                         "import with only DIR.ofbackup-old-* there: exit %d; output: %s"
                         % (r.code, " ".join(r.text.split())[-300:]))
            self.require(os.path.isdir(old) and os.path.isdir(new) and not os.path.exists(files),
                         "the folders were changed")
        finally:
            shutil.rmtree(new, ignore_errors=True)
            if not os.path.exists(files):
                os.rename(old, files)

    def t_mount_point(self):
        files = os.path.join(self.root, "files", "tr-mnt")
        os.makedirs(files)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "none", files]).returncode:
            raise self.Failed("cannot mount a tmpfs for the test (run as root)")
        try:
            with open(os.path.join(files, "keep.txt"), "w") as f:
                f.write("on the mount\n")
            self.config(["tr-mnt"])
            r = self.run("-c", self.cfg, "import", self.pkgs["tr-lite"], "--as", "tr-mnt",
                         "--connect", "Driver=SQLite3;Database=" +
                         os.path.join(self.root, "db", "tr-mnt.db"), "--files", files,
                         "--replace")
            self.require(r.code == 1 and "mount point" in r.text,
                         "import into a files folder that is a mount point: exit %d; output: %s"
                         % (r.code, " ".join(r.text.split())[-300:]))
            self.require(os.listdir(files) == ["keep.txt"], "the mount's content changed")
            self.require(not os.path.exists(os.path.join(self.root, "db", "tr-mnt.db")),
                         "a database was created")
        finally:
            subprocess.run(["umount", files])

    # ------------------------------------------------------------ bounded memory

    def peak_rss_mib(self, *args):
        """Exit code, output and peak RSS (MiB) of one ofbackup run, measured by GNU time:
        a process started from this one would count this one's memory as its own (the
        kernel keeps the high-water mark across exec), one started from time does not."""
        rss_file = os.path.join(self.root, "rss.txt")
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file, self.suite.tool.path] +
                           list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=self.env(), cwd=self.cwd, timeout=300)
        with open(rss_file) as f:
            kib = int(f.read().split()[-1])
        return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace"), kib / 1024.0

    def t_json_bombs(self):
        man_bomb = os.path.join(self.root, "out", "manifest-bomb.zip")
        schema_bomb = os.path.join(self.root, "out", "schema-bomb.zip")
        # made in a process of its own: a child forked from this one would count this
        # process's memory as its own
        subprocess.run([sys.executable, "-c", BOMBS, self.pkgs["tr-lite"], man_bomb,
                        schema_bomb, "clients/tr-lite/db/schema.json"], check=True,
                       cwd=os.path.dirname(os.path.abspath(__file__)))
        for what, pkg in (("manifest", man_bomb), ("schema.json", schema_bomb)):
            self.require(os.path.getsize(pkg) < 1024 * 1024, "the test package is too big")
            code, text, rss = self.peak_rss_mib("verify", pkg)
            self.require(code == 1 and "refused unread" in text,
                         "%s of millions of zeros: verify exit %d; output: %s"
                         % (what, code, " ".join(text.split())[-300:]))
            self.require(rss < 100 or SANITIZED,
                         "%s of millions of zeros: verify peaks at %.0f MiB" % (what, rss))

    def t_wide_rows(self):
        """60 rows of 1 MiB documents per engine: backups stay under 64 MiB (fetch windows
        and chunks are sized in bytes, not rows)."""
        n, size = 60, 1024 * 1024
        doc = lambda i: bytes((i * 7 + k) % 251 for k in range(256)) * (size // 256)
        path = os.path.join(self.root, "db", "tr-wide.db")
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, body BLOB)")
        db.executemany("INSERT INTO docs VALUES (?, ?)", ((i, doc(i)) for i in range(n)))
        db.commit()
        db.close()
        conns = {"sqlite": "Driver=SQLite3;Database=" + path}
        cn = pyodbc.connect(self.pg("ofb_tr_src"), autocommit=True)
        cn.cursor().execute("CREATE TABLE docs (id int PRIMARY KEY, body bytea)")
        for i in range(n):
            cn.cursor().execute("INSERT INTO docs VALUES (?, ?)", i, doc(i))
        cn.close()
        cn = pyodbc.connect(self.my("ofb_tr_src"), autocommit=True)
        cn.cursor().execute("CREATE TABLE docs (id int PRIMARY KEY, body longblob)")
        for i in range(n):
            cn.cursor().execute("INSERT INTO docs VALUES (?, ?)", i, doc(i))
        cn.close()
        con = sqlite3.connect(self.login)
        con.execute("INSERT INTO clients VALUES ('tr-wide', 'Wide', ?, NULL, 0)",
                    (conns["sqlite"],))
        con.commit()
        con.close()
        self.config(["tr-wide"])
        try:
            for cid in ("tr-wide", "tr-pg", "tr-my"):
                pkg = os.path.join(self.root, "out", "wide-%s.zip" % cid)
                code, text, rss = self.peak_rss_mib("-c", self.cfg, "export", cid, "-o", pkg)
                self.require(code == 0, "export %s: exit %d; output: %s"
                             % (cid, code, " ".join(text.split())[-300:]))
                with zipfile.ZipFile(pkg) as z:
                    man = json.loads(z.read("manifest.json"))
                rows = [t["rows"] for t in man["clients"][0]["database"]["tables"]
                        if t["name"] == "docs"]
                self.require(rows == [n], "export %s: docs rows %s, want %d" % (cid, rows, n))
                self.require(rss < 64 or SANITIZED, "export %s of %d rows of 1 MiB peaks at "
                             "%.0f MiB, want under 64" % (cid, n, rss))
        finally:
            for conn in (self.pg("ofb_tr_src"), self.my("ofb_tr_src")):
                cn = pyodbc.connect(conn, autocommit=True)
                cn.cursor().execute("DROP TABLE IF EXISTS docs")
                cn.close()
            con = sqlite3.connect(self.login)
            con.execute("DELETE FROM clients WHERE id = 'tr-wide'")
            con.commit()
            con.close()

    def t_long_text(self):
        """A 3 MiB text value of two- and four-byte characters (sent to the database in
        pieces, some ending inside a surrogate pair): comes back exactly on every engine."""
        text = ("ä😀x" * (1024 * 1024))[:3 * 1024 * 1024 // 2] + "end"
        path = os.path.join(self.root, "db", "tr-long.db")
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        db.execute("INSERT INTO notes VALUES (1, ?)", (text,))
        db.execute("INSERT INTO notes VALUES (2, 'short')")
        db.commit()
        db.close()
        con = sqlite3.connect(self.login)
        con.execute("INSERT INTO clients VALUES ('tr-long', 'Long', ?, NULL, 0)",
                    ("Driver=SQLite3;Database=" + path,))
        con.commit()
        con.close()
        self.config(["tr-long", "tr-long-lite", "tr-long-pg", "tr-long-my"])
        try:
            pkg = self.export("tr-long")
            targets = (("tr-long-lite", "Driver=SQLite3;Database=" +
                        os.path.join(self.root, "db", "tr-long-lite.db")),
                       ("tr-long-pg", self.pg("ofb_tr_dst")), ("tr-long-my", self.my("ofb_tr_dst")))
            for cid, conn in targets:
                self.run("-c", self.cfg, "import", pkg, "--as", cid, "--connect",
                         self.nopw(conn), "--files",
                         os.path.join(self.root, "imported", cid)).expect(0)
                cn = pyodbc.connect(conn)
                got = cn.cursor().execute("SELECT body FROM notes WHERE id = 1").fetchone()[0]
                cn.close()
                self.require(got == text, "%s: the long text came back %s" % (
                    cid, "with %d characters, want %d" % (len(got), len(text))
                    if got is not None else "as NULL"))
        finally:
            con = sqlite3.connect(self.login)
            con.execute("DELETE FROM clients WHERE id LIKE 'tr-long%'")
            con.commit()
            con.close()
            self.drop_all_dst()
            cn = pyodbc.connect(self.my_base, autocommit=True)
            cn.cursor().execute("DROP DATABASE IF EXISTS ofb_tr_dst")
            cn.close()

    # ------------------------------------------------------------ names that are not UTF-8

    def t_raw_names(self):
        files = os.path.join(self.root, "files", "tr-raw").encode()
        os.makedirs(files + b"/Ordner\xfc")
        tree = {b"caf\xe9.txt": b"Latin-1 name\n", b"Ordner\xfc/Brief \xe4.txt": b"inside\n",
                "normal-ü.txt".encode(): b"UTF-8 name\n"}
        for rel, data in tree.items():
            with open(files + b"/" + rel, "wb") as f:
                f.write(data)
        db = os.path.join(self.root, "db", "tr-raw.db")
        shutil.copyfile(os.path.join(self.root, "db", "tr-lite.db"), db)
        con = sqlite3.connect(self.login)
        con.execute("INSERT INTO clients VALUES ('tr-raw', 'Raw', ?, ?, 0)",
                    ("Driver=SQLite3;Database=" + db, files.decode("utf-8", "surrogateescape")))
        con.commit()
        con.close()
        self.config(["tr-raw", "tr-raw2"])
        try:
            pkg = os.path.join(self.root, "out", "raw.zip")
            r = self.run("-c", self.cfg, "export", "tr-raw", "-o", pkg)
            r.expect(0)
            self.run("verify", pkg).expect(0)
            t = subprocess.run(["unzip", "-tq", pkg], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            self.require(t.returncode == 0, "unzip -t: %s" % t.stdout.decode("utf-8", "replace"))
            with zipfile.ZipFile(pkg) as z:
                man = json.loads(z.read("manifest.json"))
            raw = sorted(e["path"] for e in man["entries"] if e.get("raw_name"))
            self.require(raw == ["clients/tr-raw/files/Ordner%FC/",
                                 "clients/tr-raw/files/Ordner%FC/Brief %E4.txt",
                                 "clients/tr-raw/files/caf%E9.txt"],
                         "entries marked raw_name: %s" % raw)
            dest = os.path.join(self.root, "imported", "raw")
            self.run("-c", self.cfg, "import", pkg, "--as", "tr-raw2", "--connect",
                     "Driver=SQLite3;Database=" + os.path.join(self.root, "db", "tr-raw2.db"),
                     "--files", dest).expect(0)
            for rel, data in tree.items():
                path = dest.encode() + b"/" + rel
                self.require(os.path.isfile(path), "restored files lack %r (have %r)"
                             % (rel, os.listdir(dest.encode())))
                with open(path, "rb") as f:
                    self.require(f.read() == data, "%r restored with other content" % rel)
        finally:
            con = sqlite3.connect(self.login)
            con.execute("DELETE FROM clients WHERE id IN ('tr-raw', 'tr-raw2')")
            con.commit()
            con.close()

    def t_raw_hostile(self):
        """A raw name outside a files folder, or one the manifest does not mark raw."""
        src = self.pkgs["tr-lite"]
        for what, name, mark, word in (("a raw name in a database folder",
                                        b"clients/tr-lite/db/x\xff.csv", True, "outside"),
                                       ("a raw name not marked raw_name",
                                        b"clients/tr-lite/files/x\xff.txt", False,
                                        "manifest")):
            dst = os.path.join(self.root, "out", "rawbad.zip")
            with zipfile.ZipFile(src) as z:
                items = [(i, z.read(i.filename)) for i in z.infolist()]
            man = json.loads(dict((i.filename, d) for i, d in items)["manifest.json"])
            rec = {"path": name.decode("latin-1") if not mark else
                   "".join("%%%02X" % b if b >= 0x80 or b == 0x25 else chr(b) for b in name),
                   "size": 1, "sha256": hashlib.sha256(b"x").hexdigest()}
            if mark:
                rec["raw_name"] = True
            man["entries"].append(rec)
            with zipfile.ZipFile(dst, "w") as z:
                for info, d in items:
                    if info.filename != "manifest.json":
                        z.writestr(info, d)
                # zipfile writes no raw names: an ASCII stand-in of the same length,
                # patched to the raw bytes in both headers afterwards
                stand_in = name.replace(b"\xff", b"Q")
                z.writestr(stand_in.decode("ascii"), b"x")
                z.writestr("manifest.json", json.dumps(man))
            with open(dst, "rb") as f:
                data = f.read()
            self.require(data.count(stand_in) == 2, "stand-in name found %d times"
                         % data.count(stand_in))
            with open(dst, "wb") as f:
                f.write(data.replace(stand_in, name))
            with zipfile.ZipFile(dst) as z:
                self.require(name.decode("cp437") in z.namelist(), "the raw name is not in the "
                             "test package")
            r = self.run("verify", dst)
            self.require(r.code == 1 and word in r.text, "%s: verify exit %d, want 1 saying %r; "
                         "output: %s" % (what, r.code, word, " ".join(r.text.split())[-300:]))

    def run_group(self):
        from restore import Scenario
        sc = Scenario(self, "trust")
        t = sc.t
        t("prepare: clients on SQLite, PostgreSQL and MariaDB, a victim database file, and "
          "their exports", self.prepare, critical=True)
        t("the untouched exports, and one rewritten without change, verify", self.t_good)
        t("SQLite native_ddl with '; ATTACH ... DROP TABLE v.payroll': verify and import "
          "refuse, the other file keeps its table", self.t_sqlite_attach)
        t("SQLite default calling load_extension: refused", self.t_sqlite_pragma_default)
        t("PostgreSQL index native_ddl with '; CREATE TABLE pwned': refused, no database "
          "created", self.t_pg_index)
        t("PostgreSQL native_type closing the column list and adding statements: refused",
          self.t_pg_type)
        t("PostgreSQL default lo_export(...): refused", self.t_pg_default)
        t("foreign-key action with a second statement: refused", self.t_fk_action)
        t("MariaDB native_ddl with an executable comment holding a statement: refused",
          self.t_my_engine)
        t("MariaDB native_ddl creating the table in another database: refused",
          self.t_my_outside)
        t("null in primary-key and foreign-key column lists: refused, no crash",
          self.t_null_key)
        t("entry names verify accepted but restore could not honour ('C:', 300-byte segment, "
          "200 folders deep, unknown client, unknown folder): verify and import refuse",
          self.t_names)
        t("CSV text that is not UTF-8 or holds U+0000: verify and import refuse naming entry "
          "and column", self.t_csv_text)
        t("backup of a default that is not a checked expression: warning naming it, exit 3, "
          "the default left out of the column, the package verifies", self.t_vetted)
        t("PostgreSQL export and clients: no psqlODBC log in /tmp that others can read or "
          "that holds statements or secrets",
          self.t_no_driver_log)
        t("MariaDB connection string turning on multi statements (OPTION=67108864): exit 2 "
          "naming the flag", self.t_multi_statements)
        t("files replaced after the scan by a link to a secret file and by a FIFO: no hang, "
          "the secret is not in the package, both stored empty as vanished, exit 3",
          self.t_swapped)
        t("import brings back permissions: a 0600 file in a 0700 folder stays so; the SQLite "
          "database it creates is 0600", self.t_modes)
        t("ulimit -f below the package size: exit 1 with 'File too large', nothing left",
          self.t_file_size_limit)
        t("backup and import while an export runs: exit 4 at once; after the export is "
          "killed the next run gets the lock", self.t_lock)
        t("import --replace whose safety package would lie inside the files folder it "
          "replaces ([backup] dir there, or run from there): exit 1, folder unchanged",
          self.t_safety_place)
        t("a registry row with id '../x': clients exits 3 naming it, a full backup exits 1 "
          "(3 with --skip-failed, the row in failed_registry_rows, the others backed up), a "
          "partial backup of another client exits 0", self.t_bad_row)
        t("configuration mistakes: missing DSN or driver and a doubled [login] exit 2, a "
          "[backup] dir that is a file is named as such", self.t_config_errors)
        t("info of a package whose schema verify refuses: exit 1", self.t_info_refuses)
        t("PostgreSQL export while another transaction drops, recreates and fills a table: "
          "the package holds the table's committed new rows, not an empty table",
          self.t_pg_recreated)
        t("import --connect with a password: the registry gets the connection without it, "
          "exit 3 saying where the password goes", self.t_no_registered_password)
        t("two clients registered on one database and one files folder: a full backup warns "
          "naming both, exit 3", self.t_shared)
        t("leftovers of a killed restore: its own -new-/-old- folders removed, a live one "
          "reported; with the folder missing between the renames: exit 1, nothing changed",
          self.t_leftovers)
        t("a files folder that is a mount point: exit 1 before anything changes",
          self.t_mount_point)
        t("a small package whose manifest or schema.json holds millions of zeros: refused "
          "unread, under 100 MiB", self.t_json_bombs)
        t("exports of 60 rows of 1 MiB documents on SQLite, PostgreSQL and MariaDB: every row, "
          "under 64 MiB peak memory each", self.t_wide_rows)
        t("a 3 MiB text value of multi-byte and astral characters: exact after an import "
          "into SQLite, PostgreSQL and MariaDB", self.t_long_text)
        t("file names that are not UTF-8: stored byte for byte (raw_name in the manifest, "
          "unzip -t passes), restored to the same bytes", self.t_raw_names)
        t("raw names outside a files folder or not marked raw_name: verify refuses",
          self.t_raw_hostile)
        self.drop_all_quietly()


def run(suite, failed_cls):
    run_class(Trust, "trust", suite, failed_cls)
