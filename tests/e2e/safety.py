"""End-to-end tests of the "nothing lost" promises of README.md's "Safety" section and of
`backup -o FILE` (run.py group "safety"), with the real ./ofbackup:

  1  a backup interrupted with SIGINT, and one with SIGTERM, while it writes a large table:
     exit 1, the message says it was interrupted, nothing at the -o name, no `.NAME.*.part*`
     temporary file left in the folder
  2  a good package at the -o path survives, byte for byte and still passing `verify`, a run
     that fails (a) because a client's server is unreachable, (b) because it is interrupted
  3  a successful run replaces the package atomically: whoever reads the -o path during the
     run sees the old package or the new one, never anything else; afterwards it holds the
     new package (verify passes), mode 0600, no temporary file left
  4  SIGKILL while writing: the previous package is unchanged (what the killed run leaves
     in the folder is printed as a NOTE line)

Everything lives in its own installation below the run's temporary folder: a login
database, a small SQLite client (sf-small) and a PostgreSQL client (sf-big, database
ofb_sf_big, dropped at the end) with a table of 300,000 rows, 150 of them with 100 KB of
random bytes, so that a backup of it takes a few seconds.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time

from restore import Res   # one command-result helper for every group
import zipfile

import pyodbc

import fixtures as fx
from fixtures import SECRET
from restore import Scenario, write_ini

PW_ENV = "OFB_E2E_DB_PASSWORD"
CMD_TIMEOUT = 120
PG_DB = "ofb_sf_big"
BIG_ROWS = 300000
BLOB_EVERY = 2000             # every 2000th row holds a payload: 150 rows
BLOB_MD5S = 6400              # 6400 x 16 random bytes = 100 KiB per payload
MIN_TEMP = 1 << 20            # the signal goes once the temporary file holds 1 MiB
TEMP_WAIT = 60                # seconds to wait for that
STOP_WAIT = 30                # seconds a signalled run may take to stop


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def temp_re(name):
    """The temporary files of a package named name: `.NAME.*.part*`."""
    return re.compile(r"^\.%s\..*\.part" % re.escape(name))


class Safety:
    def __init__(self, suite, failed_cls):
        self.suite = suite
        self.runner = suite.r
        self.Failed = failed_cls
        self.pg_base = suite.servers.pg
        self.root = os.path.join(suite.root, "safety")
        self.cwd = os.path.join(self.root, "cwd")
        self.login = os.path.join(self.root, "login.db")
        self.cfg = os.path.join(self.root, "ofbackup.ini")
        self.out = os.path.join(self.root, "out")
        self.st = {}

    # ------------------------------------------------------------ basics

    def require(self, cond, msg):
        if not cond:
            raise self.Failed(msg)

    def env(self):
        env = dict(os.environ)
        env.pop("OFBACKUP_CONFIG", None)
        env["LC_ALL"] = "C.UTF-8"
        env[PW_ENV] = SECRET
        return env

    def binary(self):
        path = self.suite.tool.path
        self.require(os.path.isfile(path) and os.access(path, os.X_OK),
                     "ofbackup binary not found at %s (build it with make)" % path)
        return path

    def run(self, *args):
        try:
            r = subprocess.run([self.binary()] + list(args), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=CMD_TIMEOUT, env=self.env(), cwd=self.cwd)
        except subprocess.TimeoutExpired:
            raise self.Failed("ofbackup %s: no result within %ds" % (" ".join(args),
                                                                   CMD_TIMEOUT))
        return self.result(args, r.returncode, r.stdout, r.stderr)

    def result(self, args, code, out, err):
        out = out.decode("utf-8", "replace")
        err = err.decode("utf-8", "replace")
        self.suite.tool.outputs.append((" ".join(args), out, err))
        return Res(self, args, code, out, err)

    def start(self, *args):
        """Start ofbackup in the background; its output goes to files (no pipe to fill)."""
        n = self.st["started"] = self.st.get("started", 0) + 1
        logs = [open(os.path.join(self.root, "log", "%d.%s" % (n, s)), "w+b")
                for s in ("out", "err")]
        p = subprocess.Popen([self.binary()] + list(args), stdin=subprocess.DEVNULL,
                             stdout=logs[0], stderr=logs[1], env=self.env(), cwd=self.cwd)
        return Proc(p, args, logs)

    def finish(self, proc, timeout, what):
        """Wait for a started run; its Res. A run still going after timeout is killed."""
        try:
            proc.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.p.kill()
            proc.p.wait()
            proc.close()
            raise self.Failed("ofbackup %s still running %ds after %s (killed)"
                              % (" ".join(proc.args), timeout, what))
        out, err = proc.read()
        proc.close()
        return self.result(proc.args, proc.p.returncode, out, err)

    def wait_temp(self, proc, folder, name):
        """Wait until the run writing folder/name has a temporary file of MIN_TEMP bytes
        (the large table is being written); (its name, its size)."""
        pat = temp_re(name)
        deadline = time.time() + TEMP_WAIT
        seen = {}
        while time.time() < deadline:
            if proc.p.poll() is not None:
                out, err = proc.read()
                proc.close()
                raise self.Failed(
                    "the backup ended (exit %d) before its temporary file held %d bytes; "
                    "temporary files seen: %s; output: %s"
                    % (proc.p.returncode, MIN_TEMP, seen or "none",
                       " ".join((out + err).decode("utf-8", "replace").split())[-300:]))
            for n in os.listdir(folder):
                if not pat.match(n):
                    continue
                try:
                    size = os.stat(os.path.join(folder, n)).st_size
                except FileNotFoundError:
                    continue
                seen[n] = size
                if size >= MIN_TEMP:
                    return n, size
            time.sleep(0.01)
        proc.p.kill()
        proc.p.wait()
        proc.close()
        raise self.Failed("no temporary file .%s.*.part* of %d bytes within %ds (seen: %s)"
                          % (name, MIN_TEMP, TEMP_WAIT, seen or "none"))

    def temps(self, folder, name):
        return sorted(n for n in os.listdir(folder) if temp_re(name).match(n))

    def folder(self, name):
        d = os.path.join(self.out, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def pg(self, db):
        return self.pg_base + ";Database=" + db

    def drop_db(self):
        cn = pyodbc.connect(self.pg("postgres"), autocommit=True)
        try:
            cn.cursor().execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % PG_DB)
        finally:
            cn.close()

    # ------------------------------------------------------------ the installation

    def prepare(self):
        shutil.rmtree(self.root, ignore_errors=True)
        for d in ("cwd", "db", "files/small", "files/big", "out", "log"):
            os.makedirs(os.path.join(self.root, d))
        self.drop_db()
        cn = pyodbc.connect(self.pg("postgres"), autocommit=True)
        cn.cursor().execute("CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0" % PG_DB)
        cn.close()
        cn = pyodbc.connect(self.pg(PG_DB), autocommit=True)
        try:
            cur = cn.cursor()
            cur.execute("CREATE TABLE big (id int PRIMARY KEY, label text NOT NULL, "
                        "payload bytea)")
            cur.execute("INSERT INTO big SELECT g, 'row ' || g || ' ' || md5(g::text), NULL "
                        "FROM generate_series(1, %d) g" % BIG_ROWS)
            # random bytes, so that deflate cannot make them small
            cur.execute("UPDATE big SET payload = (SELECT string_agg(decode(md5(random()::text "
                        "|| s || big.id), 'hex'), ''::bytea) FROM generate_series(1, %d) s) "
                        "WHERE id %% %d = 0" % (BLOB_MD5S, BLOB_EVERY))
            n, blobs, size = cur.execute("SELECT count(*), count(payload), "
                                         "sum(length(payload)) FROM big").fetchone()
        finally:
            cn.close()
        want = (BIG_ROWS, BIG_ROWS // BLOB_EVERY, BIG_ROWS // BLOB_EVERY * BLOB_MD5S * 16)
        if (n, blobs, size) != want:
            raise RuntimeError("big: %s rows / payloads / payload bytes, want %s"
                               % ((n, blobs, size), want))

        small = os.path.join(self.root, "db", "small.db")
        db = sqlite3.connect(small)
        db.executescript("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);"
                         "INSERT INTO note VALUES (1, 'small'), (2, 'client');")
        db.commit()
        db.close()
        for cid in ("small", "big"):
            with open(os.path.join(self.root, "files", cid, "readme.txt"), "wb") as f:
                f.write(("files of sf-%s\n" % cid).encode())
        fx.make_login(self.login, [
            ("sf-small", "Safety small", "Driver=SQLite3;Database=" + small,
             os.path.join(self.root, "files", "small"), 0),
            ("sf-big", "Safety big", fx.Installation.strip_password(self.pg(PG_DB)),
             os.path.join(self.root, "files", "big"), 0),
        ])
        write_ini(self.cfg, "Driver=SQLite3;Database=" + self.login,
                  {"sf-big": {"password_env": PW_ENV}}, os.path.join(self.root, "backups"))

    # ------------------------------------------------------------ 1

    def t1_signal(self, sig):
        d = self.folder("sig%d" % sig)
        x = os.path.join(d, "x.zip")
        proc = self.start("-c", self.cfg, "backup", "-o", x, "sf-big")
        temp, size = self.wait_temp(proc, d, "x.zip")
        proc.p.send_signal(sig)
        r = self.finish(proc, STOP_WAIT, signal.Signals(sig).name)
        text = " ".join(r.text.split())
        p = []
        if r.code != 1:
            p.append("exit %d, want 1%s" % (r.code, " (died of the signal)" if r.code < 0
                                             else ""))
        if "interrupt" not in text.lower():
            p.append("the message does not say it was interrupted")
        if os.path.lexists(x):
            p.append("a file is at the final name x.zip (%d bytes)" % os.lstat(x).st_size)
        left = self.temps(d, "x.zip")
        if left:
            p.append("temporary files left: %s" % left)
        others = sorted(set(os.listdir(d)) - set(left) - {"x.zip"})
        if others:
            p.append("other files left in the folder: %s" % others)
        self.require(not p, "%s; signalled when %s held %d bytes; output: %s"
                     % ("; ".join(p), temp, size, text[-300:]))

    # ------------------------------------------------------------ 2

    def good_package(self):
        d = self.folder("keep")
        x = os.path.join(d, "x.zip")
        self.run("-c", self.cfg, "backup", "-o", x, "sf-small").expect(0)
        self.run("verify", x).expect(0)
        self.require(os.listdir(d) == ["x.zip"], "the folder holds %s" % os.listdir(d))
        self.st["x"] = x
        self.st["good_sha"] = sha256(x)

    def ensure_good(self):
        """x.zip the good package, alone in its folder: what an earlier test left there
        (after a failure) is cleared away and the package written again, so that each test
        stands on its own."""
        x = self.st.get("x")
        d = os.path.dirname(x)
        if (sorted(os.listdir(d)) != ["x.zip"] or not os.path.isfile(x)
                or sha256(x) != self.st["good_sha"]):
            self.good_package()
        return self.st["x"], self.st["good_sha"]

    def unchanged(self, x, sha, p):
        """Problems of x against sha256 sha: missing, changed, or failing verify."""
        if not os.path.isfile(x):
            p.append("the previous package %s is gone" % os.path.basename(x))
            return
        now = sha256(x)
        if now != sha:
            p.append("the previous package changed: sha256 %s..., was %s... (%d bytes now)"
                     % (now[:12], sha[:12], os.path.getsize(x)))
        v = self.run("verify", x)
        if v.code != 0:
            p.append("verify of the previous package exits %d: %s"
                     % (v.code, " ".join(v.text.split())[-200:]))

    def t2a_unreachable(self):
        x, sha = self.ensure_good()
        d = os.path.dirname(x)
        conn = fx.Installation.strip_password(self.pg(PG_DB))
        conn = ";".join(("Port=%d" % fx.free_port()) if s.startswith("Port=") else s
                        for s in conn.split(";"))
        self.require("Port=" in conn, "test setup: no Port= in %s" % conn)
        cfg = write_ini(os.path.join(self.root, "unreachable.ini"),
                        "Driver=SQLite3;Database=" + self.login,
                        {"sf-big": {"password_env": PW_ENV, "connect": conn}},
                        os.path.join(self.root, "backups"))
        r = self.run("-c", cfg, "backup", "-o", x, "sf-small", "sf-big")
        text = " ".join(r.text.split())
        p = []
        if r.code != 1:
            p.append("exit %d, want 1" % r.code)
        if "sf-big" not in text:
            p.append("the message does not name client sf-big")
        self.unchanged(x, sha, p)
        left = sorted(set(os.listdir(d)) - {"x.zip"})
        if left:
            p.append("files left in the folder: %s" % left)
        self.require(not p, "%s; output: %s" % ("; ".join(p), text[-300:]))

    def t2b_interrupted(self):
        x, sha = self.ensure_good()
        d = os.path.dirname(x)
        proc = self.start("-c", self.cfg, "backup", "-o", x, "sf-big")
        temp, size = self.wait_temp(proc, d, "x.zip")
        p = []
        if not os.path.isfile(x):
            p.append("the previous package was gone while the run was writing %s" % temp)
        elif sha256(x) != sha:
            p.append("the previous package changed while the run was writing %s" % temp)
        proc.p.send_signal(signal.SIGINT)
        r = self.finish(proc, STOP_WAIT, "SIGINT")
        text = " ".join(r.text.split())
        if r.code != 1:
            p.append("exit %d, want 1" % r.code)
        if "interrupt" not in text.lower():
            p.append("the message does not say it was interrupted")
        self.unchanged(x, sha, p)
        left = sorted(set(os.listdir(d)) - {"x.zip"})
        if left:
            p.append("files left in the folder: %s" % left)
        self.require(not p, "%s; signalled when %s held %d bytes; output: %s"
                     % ("; ".join(p), temp, size, text[-300:]))

    # ------------------------------------------------------------ 3

    def t3_replace(self):
        x, sha = self.ensure_good()
        d = os.path.dirname(x)
        # readable by others before: the new package must still come out 0600
        os.chmod(x, 0o644)
        old = open(x, "rb")
        try:
            old_ino = os.fstat(old.fileno()).st_ino
            proc = self.start("-c", self.cfg, "backup", "-o", x, "sf-big")
            seen, samples, vanished = {}, 0, 0
            # whoever opens x during the run finds the old package or the new one
            while proc.p.poll() is None:
                try:
                    h = sha256(x)
                except FileNotFoundError:
                    vanished += 1
                    time.sleep(0.02)
                    continue
                samples += 1
                seen[h] = seen.get(h, 0) + 1
                time.sleep(0.02)
            r = self.finish(proc, STOP_WAIT, "its end")
            r.expect(0)
            old.seek(0)
            old_sha = hashlib.sha256(old.read()).hexdigest()
        finally:
            old.close()
        p = []
        self.require(os.path.isfile(x), "no package at %s after exit 0" % x)
        new = sha256(x)
        st = os.stat(x)
        if new == sha:
            p.append("x.zip still holds the previous package")
        if vanished:
            p.append("x.zip was missing %d times during the run" % vanished)
        odd = {h: c for h, c in seen.items() if h not in (sha, new)}
        if odd:
            p.append("x.zip held %d other contents during the run (%d of %d samples): a "
                     "partly written package was visible" % (len(odd), sum(odd.values()),
                                                             samples))
        if seen.get(sha, 0) == 0:
            p.append("test: the run ended before x.zip could be sampled")
        if old_sha != sha:
            p.append("the old file was overwritten in place, not replaced")
        if st.st_ino == old_ino:
            p.append("x.zip is the same inode as before: written in place, not renamed")
        mode = st.st_mode & 0o777
        if mode != 0o600:
            p.append("mode %o, want 600" % mode)
        v = self.run("verify", x)
        if v.code != 0:
            p.append("verify exits %d: %s" % (v.code, " ".join(v.text.split())[-200:]))
        with zipfile.ZipFile(x) as z:
            man = json.loads(z.read("manifest.json"))
        ids = sorted(c.get("id") for c in man.get("clients") or [])
        if ids != ["sf-big"]:
            p.append("the package lists clients %s, want the new run's [sf-big]" % ids)
        left = sorted(set(os.listdir(d)) - {"x.zip"})
        if left:
            p.append("files left in the folder: %s" % left)
        self.require(not p, "; ".join(p))
        self.st["x"] = x
        self.st["new_sha"] = new

    # ------------------------------------------------------------ 4

    def t4_kill(self):
        """On the package of 3 when that passed, else on the good one of 2."""
        x = self.st.get("x")
        d = os.path.dirname(x)
        if self.st.get("new_sha") is None or sorted(os.listdir(d)) != ["x.zip"] \
                or sha256(x) != self.st["new_sha"]:
            x, _ = self.ensure_good()
        sha = sha256(x)
        size = os.path.getsize(x)
        proc = self.start("-c", self.cfg, "backup", "-o", x, "sf-big")
        temp, tsize = self.wait_temp(proc, d, "x.zip")
        proc.p.send_signal(signal.SIGKILL)
        r = self.finish(proc, STOP_WAIT, "SIGKILL")
        print("NOTE safety: after SIGKILL (sent when %s held %d bytes) the folder holds %s"
              % (temp, tsize, ", ".join("%s (%d bytes)" % (n, os.lstat(os.path.join(d, n))
                                                           .st_size)
                                        for n in sorted(os.listdir(d))) or "nothing"),
              flush=True)
        p = []
        if r.code != -signal.SIGKILL:
            p.append("test: the run was not killed by SIGKILL (exit %d)" % r.code)
        if os.path.isfile(x) and os.path.getsize(x) != size:
            p.append("x.zip is %d bytes, was %d" % (os.path.getsize(x), size))
        self.unchanged(x, sha, p)
        self.require(not p, "; ".join(p))

    # ------------------------------------------------------------ the group

    def run_group(self):
        sc = Scenario(self, "safety")
        t = sc.t
        t("prepare: a login database, a SQLite client and a PostgreSQL client with %d rows "
          "and %d payloads of 100 KiB" % (BIG_ROWS, BIG_ROWS // BLOB_EVERY), self.prepare,
          critical=True)
        t("1 backup interrupted with SIGINT while writing the large table: exit 1, says "
          "interrupted, nothing at the -o name, no .x.zip.*.part* left", self.t1_signal,
          signal.SIGINT)
        t("1 backup interrupted with SIGTERM while writing the large table: exit 1, says "
          "interrupted, nothing at the -o name, no .x.zip.*.part* left", self.t1_signal,
          signal.SIGTERM)
        ok = t("2 a good package written to x.zip (exit 0, verify passes)", self.good_package)
        why = None if ok else "no good package at x.zip"
        t("2a backup to x.zip failing on an unreachable server (closed port): exit 1 naming "
          "the client, x.zip unchanged (sha256) and verify passes, nothing left",
          self.t2a_unreachable, blocked=why)
        t("2b backup to x.zip interrupted (SIGINT) while writing the large table: exit 1, "
          "x.zip unchanged (sha256) and verify passes, nothing left", self.t2b_interrupted,
          blocked=why)
        t("3 successful backup to x.zip: read during the run it is the old or the new "
          "package only; after it the new package (new inode, verify passes, mode 0600), "
          "nothing left", self.t3_replace, blocked=why)
        t("4 backup to x.zip killed with SIGKILL while writing: x.zip unchanged (sha256, "
          "size) and verify passes (what is left beside it: see the NOTE line)", self.t4_kill,
          blocked=why)
        try:
            self.drop_db()
        except pyodbc.Error:
            pass


class Proc:
    def __init__(self, p, args, logs):
        self.p, self.args, self.logs = p, args, logs

    def read(self):
        got = []
        for f in self.logs:
            f.flush()
            f.seek(0)
            got.append(f.read())
        return got

    def close(self):
        for f in self.logs:
            f.close()


def run(suite, failed_cls):
    if suite.r.blocked:
        suite.r._fail("safety: all tests", suite.r.blocked)
        return
    Safety(suite, failed_cls).run_group()
