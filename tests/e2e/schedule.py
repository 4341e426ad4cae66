"""The daily job (run.py group "schedule"): `scheduled` and `status` with the clock set by
libfaketime.

A SQLite installation (login database, two clients) backs up into [schedule] folder:
Monday's and Tuesday's runs make two files named after the days, next Monday's replaces
Monday's, a failing run next Tuesday (login database unreachable) keeps Tuesday's file
byte for byte and exits 1, a run with a failed client keeps the weekday file and puts its
package beside it (exit 3), German weekday names, weekly and monthly dated copies kept to
their number, a folder that is not there (a share not
mounted) is an error and is not created, a second run while one holds the installation
exits 4. `status` after each: exit 0, 1, 2 and 3 as monitoring plugins do, and --json.
"""

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import zipfile

from fixtures import SECRET
from regress import PW_ENV, Regress, run_class
from restore import Res, Scenario

MONDAY, TUESDAY = "2026-12-07 02:30:00", "2026-12-08 02:30:00"
NEXT_MONDAY, NEXT_TUESDAY = "2026-12-14 02:30:00", "2026-12-15 02:30:00"


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Schedule(Regress):
    def __init__(self, suite, failed_cls, group="schedule"):
        Regress.__init__(self, suite, failed_cls, group)
        self.week = os.path.join(self.root, "week")
        self.log = os.path.join(self.root, "daily.log")

    pg_dbs, my_dbs = (), ()

    def prepare(self):
        shutil.rmtree(self.root, ignore_errors=True)
        for d in ("cwd", "backups", "db", "files", "week"):
            os.makedirs(os.path.join(self.root, d))
        self.lite = {}
        for cid in ("sch-a", "sch-b"):
            self.lite[cid] = self.sqlite_client(cid, "CREATE TABLE kunde (id INTEGER PRIMARY "
                                                "KEY, name TEXT);", [
                                                    ("INSERT INTO kunde VALUES (1, ?)", (cid,))])
        db = sqlite3.connect(self.login)
        db.execute("CREATE TABLE clients (id text PRIMARY KEY, name text, connect text, "
                   "files_dir text, offline int)")
        for cid, conn in self.lite.items():
            db.execute("INSERT INTO clients VALUES (?,?,?,?,0)", (cid, cid, conn,
                                                                 self.files_dir(cid)))
        db.commit()
        db.close()
        self.write_config()

    def write_config(self, sections="", **extra):
        """The installation's INI with [schedule] (extra keys added to it) and sections,
        INI text, after it."""
        self.config()
        with open(self.cfg, "a") as f:
            f.write("\n[schedule]\nfolder = %s\nname = buero\nlog = %s\n" % (
                extra.get("folder", self.week), self.log))
            for k, v in extra.items():
                if k != "folder":
                    f.write("%s = %s\n" % (k, v))
            f.write(sections)

    def at(self, when, *args):
        """ofbackup args with the clock at when (libfaketime)."""
        path = self.suite.tool.path
        env = dict(os.environ)
        env.pop("OFBACKUP_CONFIG", None)
        env["LC_ALL"] = "C.UTF-8"
        env["TZ"] = "UTC"
        env[PW_ENV] = SECRET
        # libfaketime is preloaded before the sanitizer's runtime (make check-asan)
        if env.get("ASAN_OPTIONS"):
            env["ASAN_OPTIONS"] += ":verify_asan_link_order=0"
        r = subprocess.run(["faketime", when, path] + list(args), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                           env=env, cwd=self.cwd)
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        self.suite.tool.outputs.append((" ".join(args), out, err))
        return Res(self, args, r.returncode, out, err)

    def day_file(self, day):
        return os.path.join(self.week, "buero-%s.zip" % day)

    def created(self, path):
        with zipfile.ZipFile(path) as z:
            return json.loads(z.read("manifest.json"))["created"]

    def names(self):
        return sorted(n for n in os.listdir(self.week) if not n.startswith("."))

    # ------------------------------------------------------------ tests

    def t_two_days(self):
        self.at(MONDAY, "-c", self.cfg, "scheduled").expect(0)
        self.at(TUESDAY, "-c", self.cfg, "scheduled").expect(0)
        self.require(self.names() == ["buero-Monday.zip", "buero-Tuesday.zip"],
                     "the folder holds %s" % self.names())
        for day in ("Monday", "Tuesday"):
            self.run("verify", self.day_file(day)).expect(0)
        self.require(self.created(self.day_file("Monday")).startswith("2026-12-07"),
                     "Monday's package was made %s" % self.created(self.day_file("Monday")))
        with open(self.log) as f:
            lines = f.read().splitlines()
        self.require(len(lines) == 2 and all("result=ok" in ln and "clients_ok=2" in ln
                                             for ln in lines), "the log: %s" % lines)
        r = self.at("2026-12-08 08:00:00", "-c", self.cfg, "status")
        r.expect(0)
        self.require(r.out.startswith("OK:") and "buero-Tuesday.zip" in r.out,
                     "status says %s" % r.out)

    def t_next_monday(self):
        self.at(NEXT_MONDAY, "-c", self.cfg, "scheduled").expect(0)
        self.require(self.created(self.day_file("Monday")).startswith("2026-12-14"),
                     "next Monday's run did not replace Monday's file")
        self.require(self.names() == ["buero-Monday.zip", "buero-Tuesday.zip"],
                     "the folder holds %s" % self.names())

    def t_failed_run(self):
        before = sha(self.day_file("Tuesday"))
        notifier = os.path.join(self.root, "notify.sh")
        told = os.path.join(self.root, "told.txt")
        with open(notifier, "w") as f:
            f.write("#!/bin/sh\nprintf '%%s\\n' \"$1\" > %s\nenv | grep '^OFBACKUP_' | sort "
                    ">> %s\n" % (told, told))
        os.chmod(notifier, 0o755)
        self.write_config(on_failure=notifier)
        os.rename(self.login, self.login + ".away")
        try:
            r = self.at(NEXT_TUESDAY, "-c", self.cfg, "scheduled")
        finally:
            os.rename(self.login + ".away", self.login)
            self.write_config()
        r.expect(1)
        with open(told) as f:
            lines = f.read().splitlines()
        self.require(len(lines) >= 3 and "result=failed" in lines[0] and
                     "OFBACKUP_RESULT=failed" in lines and
                     any(ln.startswith("OFBACKUP_MESSAGE=") and "kept as it was" in ln
                         for ln in lines), "on_failure was told %s" % lines)
        self.require("kept as it was" in r.text, "the message: %s" % r.text[-300:])
        self.require(sha(self.day_file("Tuesday")) == before, "Tuesday's file changed")
        self.require(self.names() == ["buero-Monday.zip", "buero-Tuesday.zip"],
                     "the folder holds %s" % self.names())
        r = self.at("2026-12-15 03:00:00", "-c", self.cfg, "status")
        r.expect(2)
        self.require(r.out.startswith("CRITICAL:"), "status says %s" % r.out)
        r = self.at("2026-12-15 03:00:00", "-c", self.cfg, "status", "--json")
        r.expect(2)
        doc = json.loads(r.out)
        self.require(doc["status"] == "CRITICAL" and doc["last_run"]["result"] == "failed",
                     "status --json: %s" % doc)

    def t_failed_client(self):
        before = sha(self.day_file("Monday"))
        path = self.lite["sch-b"].split("Database=", 1)[1]
        os.rename(path, path + ".away")
        try:
            r = self.at("2026-12-21 02:30:00", "-c", self.cfg, "scheduled")
        finally:
            os.rename(path + ".away", path)
        r.expect(3)
        self.require(sha(self.day_file("Monday")) == before,
                     "Monday's file was replaced by a package missing a client")
        kept = [n for n in self.names() if n.startswith("buero-Monday-incomplete-")]
        self.require(len(kept) == 1, "no incomplete package beside it: %s" % self.names())
        self.run("verify", os.path.join(self.week, kept[0])).expect(0)
        r = self.at("2026-12-21 04:00:00", "-c", self.cfg, "status")
        r.expect(1)
        self.require(r.out.startswith("WARNING:"), "status says %s" % r.out)
        r = self.at("2026-12-25 04:00:00", "-c", self.cfg, "status")
        r.expect(2)

    def t_german(self):
        self.write_config(weekday_names="de")
        self.at("2026-12-09 02:30:00", "-c", self.cfg, "scheduled").expect(0)
        self.require(os.path.isfile(self.day_file("Mittwoch")),
                     "no buero-Mittwoch.zip: %s" % self.names())
        self.write_config()

    def t_keep(self):
        self.write_config(keep_weekly="2", keep_monthly="1")
        strays = ["buero-2026-W99-notes.txt", "other-2026-W01.zip", "buero-2026-W1.zip"]
        for n in strays:
            with open(os.path.join(self.week, n), "w") as f:
                f.write("not ofbackup's\n")
        try:
            for when in ("2026-12-28 02:30:00", "2027-01-04 02:30:00", "2027-01-11 02:30:00"):
                self.at(when, "-c", self.cfg, "scheduled").expect(0)
        finally:
            self.write_config()
        dated = sorted(n for n in self.names() if n.startswith("buero-20") and n not in strays)
        self.require(dated == ["buero-2027-01.zip", "buero-2027-W01.zip", "buero-2027-W02.zip"],
                     "the dated copies are %s" % dated)
        for n in strays:
            self.require(os.path.exists(os.path.join(self.week, n)), "%s was touched" % n)
        self.require(self.created(os.path.join(self.week, "buero-2027-W01.zip")).startswith(
            "2027-01-04"), "the copy of week 1 holds another week's package")
        self.run("verify", os.path.join(self.week, "buero-2027-W02.zip")).expect(0)

    def t_no_folder(self):
        missing = os.path.join(self.root, "nas-not-mounted")
        self.write_config(folder=missing)
        r = self.at(MONDAY, "-c", self.cfg, "scheduled")
        self.write_config()
        r.expect(1)
        self.require("mounted" in r.text, "the message: %s" % r.text[-300:])
        self.require(not os.path.exists(missing), "the folder was created")
        r = self.at(MONDAY, "-c", os.path.join(self.root, "none.ini"), "status")
        self.require(r.code == 2 or r.code == 3, "status without a configuration: %d" % r.code)

    def t_lock(self):
        with open(self.cfg) as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            r = self.at(MONDAY, "-c", self.cfg, "scheduled")
        r.expect(4)

    def t_show(self):
        self.write_config(time="21:05")
        try:
            r = self.run("-c", self.cfg, "schedule", "show")
        finally:
            self.write_config()
        r.expect(0)
        cfg = os.path.realpath(self.cfg)
        exe = os.path.realpath(self.suite.tool.path)
        for want in ("5 21 * * * root %s -q -c %s scheduled" % (exe, cfg),
                     "OnCalendar=*-*-* 21:05:00", "Persistent=true", "/ST 21:05",
                     "ExecStart=%s -q -c %s scheduled" % (exe, cfg)):
            self.require(want in r.out, "schedule show lacks %r: %s" % (want, r.out[:400]))
        r = self.run("-c", self.cfg, "schedule", "show", "--cron")
        r.expect(0)
        self.require("OnCalendar" not in r.out and "30 2 * * *" in r.out,
                     "schedule show --cron: %s" % r.out)
        self.run("-c", self.cfg, "schedule", "launch").expect(2)

    def t_unknown(self):
        os.remove(os.path.join(self.week, ".buero-status.json"))
        r = self.at(MONDAY, "-c", self.cfg, "status")
        r.expect(3)
        self.require(r.out.startswith("UNKNOWN:"), "status says %s" % r.out)

    def run_group(self):
        sc = Scenario(self, "schedule")
        t = sc.t
        t("prepare: a SQLite installation and a [schedule] folder", self.prepare, critical=True)
        t("Monday's and Tuesday's runs make buero-Monday.zip and buero-Tuesday.zip, verified, "
          "logged; status exits 0", self.t_two_days, critical=True)
        t("next Monday's run replaces Monday's file", self.t_next_monday)
        t("a failing run (login database unreachable) keeps Tuesday's file byte for byte, "
          "exit 1, on_failure is run with the summary; status exits 2, also --json",
          self.t_failed_run)
        t("a run with a failed client keeps the weekday file and its package beside it, "
          "exit 3; status 1, and 2 once it is too old", self.t_failed_client)
        t("weekday_names = de: buero-Mittwoch.zip", self.t_german)
        t("keep_weekly = 2, keep_monthly = 1: exactly the newest dated copies, nothing else "
          "in the folder touched", self.t_keep)
        t("a folder that is not there is an error, and is not created", self.t_no_folder)
        t("a second run while the installation is held exits 4", self.t_lock)
        t("schedule show: the cron line, systemd service and timer, Windows task at "
          "[schedule] time", self.t_show)
        t("status without a recorded run exits 3", self.t_unknown)


def run(suite, failed_cls):
    run_class(Schedule, "schedule", suite, failed_cls)
