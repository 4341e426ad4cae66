"""Unattended operation beyond the daily job's rotation (run.py group "unattended"):
encrypted packages, offsite copies, pings, metrics, the crontab entry, and runs that meet
each other or are killed.

The installation is the schedule group's (SQLite login database, two clients), in its own
folder. Encryption: with [package] password_env every file entry of the package is
AES-256 encrypted (zip flags read by Python's zipfile), 7-Zip opens it with the password
and refuses a wrong one; info, verify and restore work with the password and refuse
without it or with a wrong one (exit 1, nothing changed); the safety package a restore
writes is encrypted too.
"""

import fcntl
import os
import signal
import sqlite3
import subprocess
import time
import zipfile

from regress import run_class
from schedule import MONDAY, Schedule

PKG_PW_ENV = "OFB_E2E_PACKAGE_PASSWORD"
PKG_PW = "Kennwort mit Leerzeichen & Umlauten: äöü"
AES = 99   # the zip compression method of WinZip AES entries


class Unattended(Schedule):
    def __init__(self, suite, failed_cls):
        Schedule.__init__(self, suite, failed_cls, "unattended")

    def with_env(self, env, fn, *args):
        """fn(*args) with the environment variables env set (None: unset)."""
        old = {k: os.environ.get(k) for k in env}
        try:
            for k, v in env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            return fn(*args)
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def pw(self, fn, *args, password=PKG_PW):
        return self.with_env({PKG_PW_ENV: password, "OFBACKUP_PASSWORD": None}, fn, *args)

    def encrypted_config(self, **extra):
        self.write_config(sections="\n[package]\npassword_env = %s\n" % PKG_PW_ENV, **extra)

    def check_encrypted(self, path):
        with zipfile.ZipFile(path) as z:
            files = [i for i in z.infolist() if not i.is_dir()]
            plain = [i.filename for i in files if not (i.flag_bits & 1) or
                     i.compress_type != AES]
        self.require(files and not plain, "%s: entries not AES-encrypted: %s" % (path, plain))
        self.require("manifest.json" in [i.filename for i in files], "no manifest.json")

    def seven_zip(self, path, password):
        return subprocess.run(["7zz", "t", "-p" + password, path], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)

    # ------------------------------------------------------------ encryption

    def t_encrypted_run(self):
        self.encrypted_config()
        self.pw(self.at, MONDAY, "-c", self.cfg, "scheduled").expect(0)
        pkg = self.day_file("Monday")
        self.check_encrypted(pkg)
        r = self.seven_zip(pkg, PKG_PW)
        self.require(r.returncode == 0 and b"Everything is Ok" in r.stdout,
                     "7-Zip does not open it with the password: %s" % r.stdout[-400:])
        r = self.seven_zip(pkg, "wrong")
        self.require(r.returncode != 0 and b"Wrong password" in r.stdout,
                     "7-Zip opened it with a wrong password: %s" % r.stdout[-400:])

    def t_encrypted_read(self):
        pkg = self.day_file("Monday")
        r = self.pw(self.run, "-c", self.cfg, "info", pkg)
        r.expect(0)
        self.require("encrypted" in r.out, "info does not say so: %s" % r.out[:300])
        self.pw(self.run, "-c", self.cfg, "verify", pkg).expect(0)
        # without the configuration: $OFBACKUP_PASSWORD
        self.with_env({"OFBACKUP_PASSWORD": PKG_PW}, self.run, "verify", pkg).expect(0)
        r = self.with_env({"OFBACKUP_PASSWORD": None}, self.run, "verify", pkg)
        r.expect(1)
        self.require("encrypted" in r.err and "OFBACKUP_PASSWORD" in r.err,
                     "without a password: %s" % r.err)
        r = self.pw(self.run, "-c", self.cfg, "verify", pkg, password="wrong")
        r.expect(1)
        self.require("wrong password" in r.err, "with a wrong password: %s" % r.err)

    def kunde(self, cid):
        path = self.lite[cid].split("Database=", 1)[1]
        db = sqlite3.connect(path)
        try:
            return db.execute("SELECT name FROM kunde WHERE id = 1").fetchone()[0]
        finally:
            db.close()

    def set_kunde(self, cid, name):
        path = self.lite[cid].split("Database=", 1)[1]
        db = sqlite3.connect(path)
        db.execute("UPDATE kunde SET name = ? WHERE id = 1", (name,))
        db.commit()
        db.close()

    def t_encrypted_restore(self):
        pkg = self.day_file("Monday")
        self.set_kunde("sch-a", "changed after the backup")
        before = set(os.listdir(self.backups))
        r = self.pw(self.run, "-c", self.cfg, "restore", pkg, "sch-a", "--replace",
                    password="wrong")
        r.expect(1)
        self.require(self.kunde("sch-a") == "changed after the backup",
                     "a refused restore changed the database")
        self.require(set(os.listdir(self.backups)) == before, "a refused restore wrote %s" %
                     (set(os.listdir(self.backups)) - before))
        self.pw(self.run, "-c", self.cfg, "restore", pkg, "sch-a", "--replace").expect(0)
        self.require(self.kunde("sch-a") == "sch-a", "the restore did not bring the row back")
        safety = sorted(set(os.listdir(self.backups)) - before)
        self.require(len(safety) == 1, "safety packages: %s" % safety)
        self.check_encrypted(os.path.join(self.backups, safety[0]))

    def t_exposed_config(self):
        self.write_config(sections="\n[client.elsewhere]\nconnect = \"Driver=SQLite3;"
                          "Database=/nowhere.db;PWD=literal\"\n")
        try:
            os.chmod(self.cfg, 0o644)
            r = self.run("-c", self.cfg, "clients")
            self.require("can be read by every user" in r.err,
                         "no warning about a readable password: %s" % r.err)
            os.chmod(self.cfg, 0o600)
            r = self.run("-c", self.cfg, "clients")
            self.require("can be read by every user" not in r.err,
                         "a warning for a private file: %s" % r.err)
        finally:
            self.write_config()

    # ------------------------------------------------------------ runs that meet

    def lock_held(self):
        with open(self.cfg) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f, fcntl.LOCK_UN)
            return False

    def t_concurrent_and_killed(self):
        self.write_config()
        env = dict(os.environ)
        env.pop("OFBACKUP_CONFIG", None)
        env.pop("OFBACKUP_PASSWORD", None)
        first = subprocess.Popen([self.suite.tool.path, "-q", "-c", self.cfg, "scheduled"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=env, cwd=self.cwd)
        try:
            deadline = time.time() + 30
            while not self.lock_held() and first.poll() is None and time.time() < deadline:
                time.sleep(0.002)
            first.send_signal(signal.SIGSTOP)
            self.require(first.poll() is None and self.lock_held(),
                         "the first run did not hold the installation")
            r = self.at(MONDAY, "-c", self.cfg, "scheduled")
            r.expect(4)
            self.require("another ofbackup run" in r.err, "the second run says %s" % r.err)
        finally:
            first.kill()
            first.wait()
        # what a run killed while writing leaves, and a file of someone else's
        left = [".buero-Monday.incoming.zip.4242.part", ".buero-Monday.incoming.zip.4242.part.Ab12Cd",
                "buero-Friday.incoming.zip"]
        stray = ["buero-Monday.zip.part", ".other-Monday.incoming.zip.1.part"]
        for n in left + stray:
            with open(os.path.join(self.week, n), "wb") as f:
                f.write(b"half a package")
        self.at(MONDAY, "-c", self.cfg, "scheduled").expect(0)
        found = set(os.listdir(self.week))
        self.require(not (set(left) & found), "leftovers of a killed run stay: %s" %
                     sorted(set(left) & found))
        self.require(set(stray) <= found, "files of other names were removed: %s" %
                     sorted(set(stray) - found))
        self.run("verify", self.day_file("Monday")).expect(0)
        for n in stray:
            os.remove(os.path.join(self.week, n))

    def run_group(self):
        from restore import Scenario
        sc = Scenario(self, "unattended")
        t = sc.t
        t("prepare: a SQLite installation and a [schedule] folder", self.prepare, critical=True)
        t("with [package] password_env every entry is AES-256 encrypted; 7-Zip opens it with "
          "the password and refuses a wrong one", self.t_encrypted_run, critical=True)
        t("info and verify with the password (configuration or OFBACKUP_PASSWORD); without "
          "it or with a wrong one exit 1", self.t_encrypted_read)
        t("restore with a wrong password changes nothing; with the right one it restores, "
          "and the safety package is encrypted too", self.t_encrypted_restore)
        t("a configuration holding a password that every user can read gets a warning",
          self.t_exposed_config)
        t("two runs at once: the second exits 4; after a run killed with SIGKILL the next one "
          "runs and removes what it left, nothing else", self.t_concurrent_and_killed)


def run(suite, failed_cls):
    run_class(Unattended, "unattended", suite, failed_cls)
