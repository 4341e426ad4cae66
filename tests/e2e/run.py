#!/usr/bin/python3
"""End-to-end tests: a real installation (SQLite, PostgreSQL, MariaDB), the real
./ofbackup binary, and every package checked against docs/FORMAT.md.

Usage: tests/e2e/run.py [GROUP...]  (from anywhere; tests/run-all.sh runs it)

Groups: backup (the backup tests of this file) and the restore/import/verify tests of
restore.py: restore-roundtrip, restore-import, restore-partial, restore-refusal,
restore-verify, restore-corrupt; regress (regress.py: regression tests of the code
review's fixes, in an installation of its own); and safety (safety.py: interrupted, failed,
killed and successful backups over an existing package, in an installation of its own).
Each GROUP argument (or each comma/space-separated word of $OFB_E2E_ONLY) is a regular
expression searched in the group names: `run.py restore` runs all restore groups,
`run.py import verify` two of them, `run.py backup` the backup tests.
The setup tests (servers, installation) always run. Default: every group.

Environment:
  OFBACKUP      the binary (default: ofbackup at the repository root)
  OFB_PG_CONN   base ODBC connection strings of running servers (tests/servers.sh env);
  OFB_MY_CONN   when unset, private servers are started for the run and stopped after
  OFB_E2E_KEEP  set to 1 to keep the temporary installation for inspection
  OFB_E2E_ONLY  groups to run, as the GROUP arguments (the arguments win)
Prints one line per test, `PASS name` or `FAIL name: reason`, then
`e2e: N passed, M failed`; exits 1 when anything failed.
"""

import calendar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True     # no __pycache__ in the source tree

import fixtures as fx  # noqa: E402
from fixtures import LITE, PG, MY, OLD, SECRET  # noqa: E402
import package as pk  # noqa: E402
import regress  # noqa: E402
import restore  # noqa: E402
import safety  # noqa: E402
import trust  # noqa: E402
import objects  # noqa: E402
import schedule  # noqa: E402
import unattended  # noqa: E402

GROUPS = ("backup",) + tuple("restore-" + g for g in restore.GROUPS) + ("regress", "safety", "trust",
                                                                           "objects", "schedule",
                                                                           "unattended")


def selection(argv):
    """The group selectors of the command line, else of $OFB_E2E_ONLY; [] = everything."""
    sel = argv or re.split(r"[,\s]+", os.environ.get("OFB_E2E_ONLY", "").strip())
    return [s for s in sel if s]

CMD_TIMEOUT = 300


class Failed(Exception):
    pass


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.blocked = None      # reason every further test fails, when setup failed

    def test(self, name, fn, *args):
        if self.blocked:
            self._fail(name, self.blocked)
            return None
        try:
            result = fn(*args)
        except Failed as e:
            self._fail(name, str(e))
            return None
        except Exception as e:  # noqa: BLE001 - any error is a test failure
            tb = traceback.extract_tb(e.__traceback__)[-1]
            self._fail(name, "%s: %s (%s:%d)" % (type(e).__name__, e,
                                                 os.path.basename(tb.filename), tb.lineno))
            return None
        self.passed += 1
        print("PASS %s" % name, flush=True)
        return result if result is not None else True

    def _fail(self, name, reason):
        self.failed += 1
        reason = " ".join(str(reason).split())
        if len(reason) > 600:
            reason = reason[:600] + "..."
        print("FAIL %s: %s" % (name, reason), flush=True)


def require(cond, msg):
    if not cond:
        raise Failed(msg)


def no_problems(p):
    if p:
        raise Failed(p.summary())


# ------------------------------------------------------------------ servers

free_port = fx.free_port


class Servers:
    """Use the servers named in the environment, or start private ones."""

    def __init__(self):
        self.dir = None
        self.pg = os.environ.get("OFB_PG_CONN")
        self.my = os.environ.get("OFB_MY_CONN")

    def start(self):
        if self.pg and self.my:
            return
        self.dir = tempfile.mkdtemp(prefix="ofb-e2e-servers-")
        env = dict(os.environ)
        env.setdefault("OFB_PG_PORT", str(free_port()))
        env.setdefault("OFB_MY_PORT", str(free_port()))
        script = os.path.join(REPO, "tests", "servers.sh")
        r = subprocess.run(["sh", script, "start", self.dir], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise Failed("servers did not start: " + r.stdout.strip()[-400:])
        r = subprocess.run(["sh", script, "env", self.dir], stdout=subprocess.PIPE, text=True,
                           check=True)
        for line in r.stdout.splitlines():
            k, _, v = line[len("export "):].partition("=")
            v = v.strip("'")
            if k == "OFB_PG_CONN":
                self.pg = v
            elif k == "OFB_MY_CONN":
                self.my = v

    def stop(self):
        if self.dir:
            subprocess.run(["sh", os.path.join(REPO, "tests", "servers.sh"), "stop", self.dir],
                           stdout=subprocess.DEVNULL)
            shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ the binary

class Tool:
    def __init__(self, path):
        self.path = path
        self.outputs = []        # every stdout/stderr seen, for the secrets check

    def run(self, *args):
        require(os.path.isfile(self.path) and os.access(self.path, os.X_OK),
                "ofbackup binary not found at %s (build it with make)" % self.path)
        env = dict(os.environ)
        env.pop("OFBACKUP_CONFIG", None)
        env["LC_ALL"] = "C.UTF-8"
        t0 = time.time()
        try:
            r = subprocess.run([self.path] + list(args), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=CMD_TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            raise Failed("ofbackup %s: no result within %ds" % (" ".join(args), CMD_TIMEOUT))
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        self.outputs.append((" ".join(args), out, err))
        return Result(args, r.returncode, out, err, time.time() - t0)


class Result:
    def __init__(self, args, code, out, err, secs):
        self.args, self.code, self.out, self.err, self.secs = args, code, out, err, secs

    @property
    def text(self):
        return self.out + self.err

    def expect(self, *codes):
        if self.code not in codes:
            raise Failed("`ofbackup %s` exited %d, want %s; output: %s"
                         % (" ".join(self.args), self.code, "/".join(map(str, codes)),
                            self.text.strip()[-300:]))
        return self


# ------------------------------------------------------------------ schema expectations

TYPE_EXPECT = {
    "common": {
        "c_bool": {"boolean"}, "c_small": {"smallint"}, "c_int": {"integer"},
        "c_big": {"bigint"}, "c_dec": {"decimal"}, "c_dec2": {"decimal"},
        "c_double": {"double"}, "c_char": {"char"}, "c_varchar": {"varchar"},
        "c_text": {"text"}, "c_date": {"date"}, "c_time": {"time"}, "c_ts": {"timestamp"},
    },
    # SQLite is typeless: a tool may widen integers and treat CHAR(n) as varchar.
    "sqlite": {"c_small": {"smallint", "integer", "bigint"}, "c_int": {"integer", "bigint"},
               "c_char": {"char", "varchar"}, "c_real": {"double"}, "c_blob": {"blob"}, "c_varbin": {"varbinary"}},
    "postgresql": {"c_real": {"real"}, "c_bytea": {"blob", "varbinary"},
                   "c_tstz": {"timestamptz"}, "c_uuid": {"uuid"}, "c_json": {"other"},
                   "c_interval": {"other"}},
    "mariadb": {"c_bool": {"boolean", "smallint"}, "c_real": {"real"}, "c_bin": {"binary"},
                "c_varbin": {"varbinary"}, "c_blob": {"blob"},
                "c_tstz": {"timestamp", "timestamptz"},
                "c_uuid": {"uuid", "char", "varchar", "other"},
                "c_enum": {"other", "varchar", "char"}},
}
DECIMALS = {"c_dec": (38, 10), "c_dec2": (12, 4)}


def _col(t, name):
    for c in t.get("columns") or []:
        if c.get("name") == name:
            return c
    return {}


def _pk(t):
    return ((t or {}).get("primary_key") or {}).get("columns")


def client_expect(schema, engine, cn, p):
    T = {t.get("name"): t for t in schema.get("tables") or []}
    for name in ("customer", "order", "My Table", "types", "blobs", "nopk"):
        if name not in T:
            p.add("table %s missing from schema.json" % name)
            return
    cu, o = T["customer"], T["order"]
    if _pk(cu) != ["id"]:
        p.add("customer primary key %s" % _pk(cu))
    idx = cu.get("indexes") or []
    if not any(i.get("unique") and i.get("columns") == ["email"] for i in idx):
        p.add("customer: unique constraint on email missing from indexes")
    if not any(not i.get("unique") and i.get("columns") == ["name"] for i in idx):
        p.add("customer: index on name missing")
    if "DE" not in str(_col(cu, "country").get("default")):
        p.add("customer.country default %s" % pk.short(_col(cu, "country").get("default")))
    if _col(cu, "name").get("nullable") is not False or _col(cu, "email").get("nullable") \
            is not True:
        p.add("customer: nullable flags wrong")
    if _pk(o) != ["id"]:
        p.add("order primary key %s" % _pk(o))
    fks = o.get("foreign_keys") or []
    if not any(f.get("columns") == ["customer_id"] and f.get("ref_table") == "customer"
               and f.get("ref_columns") == ["id"]
               and str(f.get("on_delete")).upper() == "CASCADE" for f in fks):
        p.add("order: foreign key to customer(id) ON DELETE CASCADE missing: %s"
              % pk.short(fks, 200))
    if "0" not in str(_col(o, "amount").get("default")):
        p.add("order.amount default %s" % pk.short(_col(o, "amount").get("default")))
    for tn in ("order", "types"):
        ident = T[tn].get("identity") or {}
        want = engine.identity_next(cn, tn)
        if ident.get("column") != "id" or ident.get("next") != want:
            p.add("%s identity %s, want column id next %s" % (tn, pk.short(ident), want))
        if _col(T[tn], "id").get("identity") is not True:
            p.add("%s.id not marked identity" % tn)
    if _pk(T["My Table"]) != ["Mixed Case"]:
        p.add("My Table primary key %s" % _pk(T["My Table"]))
    if T["nopk"].get("primary_key") is not None:
        p.add("nopk has primary key %s" % pk.short(T["nopk"].get("primary_key")))
    expect = dict(TYPE_EXPECT["common"])
    expect.update(TYPE_EXPECT[engine.name])
    ty = T["types"]
    for cname, allowed in expect.items():
        c = _col(ty, cname)
        if not c:
            continue
        if c.get("type") not in allowed:
            p.add("types.%s (%s): portable type %s, want %s"
                  % (cname, c.get("native_type"), c.get("type"), "/".join(sorted(allowed))))
        if cname in DECIMALS and (c.get("precision"), c.get("scale")) != DECIMALS[cname]:
            p.add("types.%s precision/scale %s,%s, want %s,%s"
                  % ((cname, c.get("precision"), c.get("scale")) + DECIMALS[cname]))


def login_expect(schema, engine, cn, p):
    T = {t.get("name"): t for t in schema.get("tables") or []}
    if _pk(T.get("clients")) != ["id"]:
        p.add("clients primary key %s" % _pk(T.get("clients")))
    users = T.get("users") or {}
    if not any(i.get("unique") and i.get("columns") == ["login"]
               for i in users.get("indexes") or []):
        p.add("users: unique login missing")


# ------------------------------------------------------------------ the suite

class Suite:
    def __init__(self, runner):
        self.r = runner
        self.root = tempfile.mkdtemp(prefix="ofb-e2e-")
        self.servers = Servers()
        self.inst = None
        self.tool = Tool(os.environ.get("OFBACKUP") or os.path.join(REPO, "ofbackup"))
        self.trees = {}
        self.extra_secrets = ["Wr0ng-Pa55-xyz", "Wr0ng-PG-pa55"]
        self.selection = []

    def wanted(self, group):
        return not self.selection or any(re.search(s, group) for s in self.selection)

    def t(self, name, fn, *args):
        return self.r.test(name, fn, *args)

    # -- setup

    def setup_servers(self):
        self.servers.start()
        for conn, what in ((self.servers.pg, "PostgreSQL"), (self.servers.my, "MariaDB")):
            require(conn, "%s connection string missing" % what)

    def setup_installation(self):
        self.inst = fx.Installation(self.root, self.servers.pg, self.servers.my)
        self.inst.build()
        # Every database is readable through the very connection strings the tool gets.
        for cid, eng in list(self.inst.engines.items()) + [("login", self.inst.login)]:
            cn = eng.odbc()
            require(eng.tables(cn), "%s: no tables visible over ODBC" % cid)
            cn.close()
        for cid in (LITE, PG, MY):
            self.trees[cid] = fx.file_tree(self.inst.files[cid])

    def outdir(self, name):
        d = os.path.join(self.root, "out", name)
        os.makedirs(d, exist_ok=True)
        return d

    # -- package checks

    def check_package(self, label, path, kind, ok_ids, skipped=(), started=None):
        st = {}

        def opened():
            require(os.path.isfile(path), "no package at %s" % path)
            r = subprocess.run(["unzip", "-tq", path], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            require(r.returncode == 0, "unzip -t: " + r.stdout.strip()[-300:])
            pkg = pk.Package(path)
            bad = pkg.zf.testzip()
            require(bad is None, "zipfile: bad CRC in %s" % bad)
            st["pkg"] = pkg
        if not self.t("%s: unzip -t and Python zipfile open it" % label, opened):
            return None
        pkg = st["pkg"]
        man = pkg.manifest

        def structure():
            p = pk.Problems()
            pk.check_structure(pkg, kind, p)
            if started is not None:
                created = calendar.timegm(time.strptime(str(man.get("created"))[:19],
                                                        "%Y-%m-%dT%H:%M:%S"))
                if not started[0] - 5 <= created <= started[1] + 5:
                    p.add("created %s outside the run" % man.get("created"))
            no_problems(p)
        self.t("%s: manifest fields, entries, sizes and sha256" % label, structure)

        def layout():
            p = pk.Problems()
            pk.layout_problems(pkg, kind, ok_ids, p)
            no_problems(p)
        self.t("%s: layout per FORMAT.md" % label, layout)

        def clients():
            p = pk.Problems()
            listed = {c.get("id"): c for c in man.get("clients") or []}
            for cid in ok_ids:
                c = listed.get(cid)
                if not c:
                    p.add("client %s not in manifest" % cid)
                    continue
                if c.get("status") != "ok":
                    p.add("client %s status %s" % (cid, c.get("status")))
                if c.get("name") != self.inst.names[cid]:
                    p.add("client %s name %s" % (cid, pk.short(c.get("name"))))
                if not c.get("database") or not c.get("files"):
                    p.add("client %s without database/files" % cid)
            for cid in skipped:
                c = listed.get(cid)
                if not c:
                    p.add("skipped client %s not in manifest" % cid)
                    continue
                if c.get("status") != "skipped-offline":
                    p.add("client %s status %s, want skipped-offline" % (cid, c.get("status")))
                if not c.get("reason"):
                    p.add("client %s skipped without reason" % cid)
                if c.get("database") or c.get("files"):
                    p.add("skipped client %s has database/files" % cid)
                if any(n.startswith("clients/%s/" % cid) for n in pkg.names):
                    p.add("skipped client %s has entries" % cid)
                if not any(cid in str(w) for w in man.get("warnings") or []):
                    p.add("no warning names skipped client %s" % cid)
            for cid, c in listed.items():
                if cid not in ok_ids and cid not in skipped:
                    p.add("unexpected client %s (status %s)" % (cid, c.get("status")))
                if not pk.ID_RE.match(str(cid)):
                    p.add("client id %s breaks the id rule" % pk.short(cid))
            dirs = {n.split("/")[1] for n in pkg.names if n.startswith("clients/") and
                    n.count("/") >= 2}
            if dirs - set(ok_ids):
                p.add("client folders %s beyond %s" % (sorted(dirs), sorted(ok_ids)))
            if kind == "export":
                if man.get("login") is not None:
                    p.add("export has login %s" % pk.short(man.get("login")))
                if len(listed) != 1:
                    p.add("export lists %d clients" % len(listed))
            no_problems(p)
        self.t("%s: manifest clients and statuses" % label, clients)

        if kind != "export":
            def login():
                p = pk.Problems()
                lm = man.get("login") or {}
                require(lm, "manifest login missing")
                pk.check_database(pkg, "login/", lm, self.inst.login, p, login_expect)
                no_problems(p)
            self.t("%s: login database schema and data" % label, login)

        for cid in ok_ids:
            cman = next((c for c in man.get("clients") or [] if c.get("id") == cid), {})

            def db(cid=cid, cman=cman):
                p = pk.Problems()
                dbm = cman.get("database") or {}
                require(dbm, "manifest database missing")
                pk.check_database(pkg, "clients/%s/db/" % cid, dbm, self.inst.engines[cid], p,
                                  client_expect)
                no_problems(p)
            self.t("%s: client %s database (%s) schema and data"
                   % (label, cid, self.inst.engines[cid].name), db)

            def files(cid=cid, cman=cman):
                p = pk.Problems()
                fm = cman.get("files") or {}
                require(fm, "manifest files missing")
                pk.check_files(pkg, "clients/%s/files/" % cid, self.inst.files[cid], fm,
                               self.trees[cid], p)
                no_problems(p)
            self.t("%s: client %s files tree" % (label, cid), files)

        def secrets():
            p = pk.Problems()
            for s in [SECRET] + self.extra_secrets:
                pk.find_secret(pkg, s, p)
            for c in (man.get("login") or {},) + tuple(
                    (c.get("database") or {}) for c in man.get("clients") or []):
                src = c.get("source") or ""
                if "PWD=" in src.upper() and "***" not in src:
                    p.add("source not masked: %s" % src)
            no_problems(p)
        self.t("%s: no password inside the package" % label, secrets)
        return pkg

    def assert_empty_dir(self, d):
        left = os.listdir(d)
        require(not left, "files left in the output folder: %s" % left)

    # -- the tests

    def run(self):
        ok = self.t("setup: private PostgreSQL and MariaDB servers", self.setup_servers)
        if not ok:
            self.r.blocked = "setup failed (servers)"
        ok = self.t("setup: installation (login DB, SQLite/PostgreSQL/MariaDB clients, files)",
                    self.setup_installation)
        if not ok and not self.r.blocked:
            self.r.blocked = "setup failed (installation)"
        if self.wanted("backup"):
            self.run_backup()
        # restore, import and verify (restore.py): after the backup tests, as they rebuild
        # the installation
        restore.RestoreSuite(self, Failed).run_groups(self.wanted)
        # regression tests of the review fixes (regress.py): their own installation
        if self.wanted("regress"):
            regress.run(self, Failed)
        # the "nothing lost" promises of backups (safety.py): their own installation
        if self.wanted("safety"):
            safety.run(self, Failed)
        # SQL from a package never runs as such (trust.py): their own installation
        if self.wanted("trust"):
            trust.run(self, Failed)
        # views, triggers, routines, types (objects.py): their own installation
        if self.wanted("objects"):
            objects.run(self, Failed)
        # the daily job with the clock set (schedule.py): its own installation
        if self.wanted("schedule"):
            schedule.run(self, Failed)
        # encryption, offsite copies, monitoring (unattended.py): its own installation
        if self.wanted("unattended"):
            unattended.run(self, Failed)

    def run_backup(self):
        cfg = self.inst.config if self.inst else ""
        tool = self.tool

        def help_():
            r = tool.run("--help").expect(0)
            require("backup" in r.out and "export" in r.out, "usage does not list commands")
        self.t("cli: --help", help_)

        def version():
            r = tool.run("--version").expect(0)
            require(any(ch.isdigit() for ch in r.out), "no version number: %s" % r.out)
        self.t("cli: --version", version)

        def unknown():
            tool.run("frobnicate").expect(2)
        self.t("cli: unknown command exits 2", unknown)

        def noargs():
            tool.run().expect(2)
        self.t("cli: no command exits 2", noargs)

        def badconfig():
            r = tool.run("-c", os.path.join(self.root, "no-such.ini"), "clients").expect(2)
            require("no-such.ini" in r.text, "message does not name the config file")
        self.t("cli: missing config file exits 2 and names it", badconfig)

        def clients():
            r = tool.run("-c", cfg, "clients").expect(0)
            for cid in (LITE, PG, MY, OLD):
                require(cid in r.out, "client %s not listed" % cid)
            require(self.inst.names[PG] in r.out, "client names not listed")
            line = [ln for ln in r.out.splitlines() if OLD in ln]
            require(line and "offline" in line[0].lower(), "offline client not marked offline")
        self.t("clients: lists every registered client, offline marked", clients)

        # Full backup: exit 3 because client 'old' is offline.
        d = self.outdir("full")
        full = os.path.join(d, "full.zip")
        span = [time.time(), None]

        def backup_full():
            r = tool.run("-c", cfg, "backup", "-o", full).expect(3)
            span[1] = time.time()
            require(OLD in r.text, "warning about offline client %s not shown" % OLD)
            require(os.listdir(d) == ["full.zip"], "output folder holds %s" % os.listdir(d))
        if self.t("backup full: exit 3 (offline client skipped), one file", backup_full):
            pkg = self.check_package("full", full, "full", [LITE, PG, MY], [OLD], span)
            if pkg:
                self.full_pkg = pkg

        # Partial backup of two named clients.
        d = self.outdir("partial")
        part = os.path.join(d, "partial.zip")
        span2 = [time.time(), None]

        def backup_partial():
            tool.run("-c", cfg, "backup", "-o", part, LITE, PG).expect(0)
            span2[1] = time.time()
            require(os.listdir(d) == ["partial.zip"], "output folder holds %s" % os.listdir(d))
        if self.t("backup partial (%s, %s): exit 0" % (LITE, PG), backup_partial):
            self.check_package("partial", part, "partial", [LITE, PG], [], span2)

        # Client export.
        d = self.outdir("export")
        exp = os.path.join(d, "export.zip")
        span3 = [time.time(), None]

        def export():
            tool.run("-c", cfg, "export", MY, "-o", exp).expect(0)
            span3[1] = time.time()
            require(os.listdir(d) == ["export.zip"], "output folder holds %s" % os.listdir(d))
        if self.t("export %s: exit 0" % MY, export):
            self.check_package("export", exp, "export", [MY], [], span3)

        def export_noclient():
            tool.run("-c", cfg, "export").expect(2)
        self.t("export without a client exits 2", export_noclient)

        def default_dir():
            before = set(os.listdir(self.inst.backups))
            tool.run("-c", cfg, "backup", LITE).expect(0)
            new = sorted(set(os.listdir(self.inst.backups)) - before)
            require(len(new) == 1 and new[0].endswith(".zip"),
                    "[backup] dir gained %s, want one .zip" % new)
            pkg = pk.Package(os.path.join(self.inst.backups, new[0]))
            require(pkg.manifest.get("kind") == "partial", "kind %s" % pkg.manifest.get("kind"))
            pkg.close()
        self.t("backup without -o writes one package into [backup] dir", default_dir)

        def info():
            require(os.path.isfile(full), "no full package to inspect")
            r = tool.run("info", full).expect(0)
            require("full" in r.out, "kind not shown")
            for cid in (LITE, PG, MY, OLD):
                require(cid in r.out, "client %s not shown" % cid)
        self.t("info on the full package", info)

        def info_missing():
            r = tool.run("info", os.path.join(self.root, "none.zip"))
            require(r.code in (1, 2), "exit %d, want 1 or 2" % r.code)
            require("none.zip" in r.text, "message does not name the file")
        self.t("info on a missing file fails and names it", info_missing)

        # Failures: non-zero exit, clear message, nothing left behind.
        def nonexistent():
            d = self.outdir("nonexistent")
            r = tool.run("-c", cfg, "backup", "-o", os.path.join(d, "x.zip"), LITE, "nope")
            require(r.code in (1, 2), "exit %d, want 1 or 2" % r.code)
            require("nope" in r.text, "message does not name client nope")
            self.assert_empty_dir(d)
        self.t("backup naming a non-existent client fails, leaves no file", nonexistent)

        def unreachable():
            d = self.outdir("unreachable")
            conn = self.inst.engines[PG].connect
            parts = [("Port=%d" % free_port()) if x.startswith("Port=") else x
                     for x in conn.split(";")]
            c = self.inst.write_config(os.path.join(d, "..", "unreachable.ini"),
                                       {PG: {"connect": ";".join(parts)}})
            r = tool.run("-c", c, "backup", "-o", os.path.join(d, "x.zip"), PG).expect(1)
            require(PG in r.text, "message does not name client %s" % PG)
            self.assert_empty_dir(d)
        self.t("backup of a client whose server is unreachable fails, leaves no file",
               unreachable)

        def wrong_password(cid, pw):
            d = self.outdir("wrongpw-" + cid)
            conn = self.inst.engines[cid].connect.replace("PWD=" + SECRET, "PWD=" + pw)
            c = self.inst.write_config(os.path.join(d, "..", "wrongpw-%s.ini" % cid),
                                       {cid: {"connect": conn}})
            r = tool.run("-c", c, "backup", "-o", os.path.join(d, "x.zip"), cid).expect(1)
            require(cid in r.text, "message does not name client %s" % cid)
            require(pw not in r.text, "the password appears in the output")
            self.assert_empty_dir(d)
        self.t("wrong password (MariaDB): fails, password not shown", wrong_password, MY,
               self.extra_secrets[0])
        self.t("wrong password (PostgreSQL): fails, password not shown", wrong_password, PG,
               self.extra_secrets[1])

        def missing_files():
            d = self.outdir("nofiles")
            missing = os.path.join(self.root, "no such files folder")
            c = self.inst.write_config(os.path.join(d, "..", "nofiles.ini"),
                                       {LITE: {"files": missing}})
            r = tool.run("-c", c, "backup", "-o", os.path.join(d, "x.zip"), LITE).expect(1)
            require(missing in r.text, "message does not name the folder %s" % missing)
            self.assert_empty_dir(d)
        self.t("backup with a missing files folder fails and names the folder", missing_files)

        def outputs_clean():
            bad = [args for args, out, err in tool.outputs
                   for s in [SECRET] + self.extra_secrets if s in out or s in err]
            require(tool.outputs, "no command was run")
            require(not bad, "a password appears in the output of: %s" % bad)
        self.t("no password in any command output", outputs_clean)

    def close(self):
        if getattr(self, "full_pkg", None):
            self.full_pkg.close()
        self.servers.stop()
        if os.environ.get("OFB_E2E_KEEP") == "1":
            print("e2e: installation kept in %s" % self.root)
            return
        shutil.rmtree(self.root, ignore_errors=True)


def main():
    sel = selection(sys.argv[1:])
    bad = [x for x in sel if not any(re.search(x, g) for g in GROUPS)]
    if bad:
        print("run.py: %s matches no test group (groups: %s)" % (", ".join(bad),
                                                              " ".join(GROUPS)),
              file=sys.stderr)
        return 2
    runner = Runner()
    suite = Suite(runner)
    suite.selection = sel
    try:
        suite.run()
    finally:
        suite.close()
    print("e2e: %d passed, %d failed" % (runner.passed, runner.failed), flush=True)
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main())
