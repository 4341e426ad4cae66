"""Unattended operation beyond the daily job's rotation (run.py group "unattended"):
encrypted packages, offsite copies, pings, metrics, the crontab entry, and runs that meet
each other or are killed.

The installation is the schedule group's (SQLite login database, two clients), in its own
folder. Offsite: the weekday file goes to a folder, to SFTP on a private sshd, to WebDAV on
a private lighttpd, to FTPS on a private vsftpd and to a private s3rver
(offsite_servers.py), byte for byte, and next
week's file replaces the remote one; a changed host key, an RSA key and an unreachable
target are refused or fail with exit 3 and the local file kept; `copy` and `backup --copy`.
Pings reach a recording HTTP server (/start, success, /fail), a dead monitor does not hold
up the run, the metrics textfile and `status --json` tell the copies. Encryption: with [package] password_env every file entry of the package is
AES-256 encrypted (zip flags read by Python's zipfile), 7-Zip opens it with the password
and refuses a wrong one; info, verify and restore work with the password and refuse
without it or with a wrong one (exit 1, nothing changed); the safety package a restore
writes is encrypted too.
"""

import fcntl
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

import offsite_servers as srv
from fixtures import free_port
from regress import run_class
from schedule import MONDAY, NEXT_MONDAY, TUESDAY, Schedule, sha

PKG_PW_ENV = "OFB_E2E_PACKAGE_PASSWORD"
PKG_PW = "Kennwort mit Leerzeichen & Umlauten: äöü"
AES = 99   # the zip compression method of WinZip AES entries


class Unattended(Schedule):
    def __init__(self, suite, failed_cls):
        Schedule.__init__(self, suite, failed_cls, "unattended")

    @staticmethod
    def set_env(env):
        """Set the environment variables env (None: unset); returns what they were."""
        old = {k: os.environ.get(k) for k in env}
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        return old

    def with_env(self, env, fn, *args):
        """fn(*args) with the environment variables env set (None: unset)."""
        old = self.set_env(env)
        try:
            return fn(*args)
        finally:
            self.set_env(old)

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
        # a package without encryption is not vouched for by the password
        plain = os.path.join(self.root, "plain.zip")
        self.write_config()   # no [package]
        self.with_env({"OFBACKUP_PASSWORD": None}, self.run, "-c", self.cfg, "backup", "-o",
                      plain).expect(0)
        self.encrypted_config()
        self.set_kunde("sch-a", "changed again")
        r = self.pw(self.run, "-c", self.cfg, "restore", plain, "sch-a", "--replace")
        r.expect(1)
        self.require("not encrypted" in r.err and "--unencrypted" in r.err,
                     "the message: %s" % r.err)
        self.require(self.kunde("sch-a") == "changed again", "a refused restore changed it")
        self.pw(self.run, "-c", self.cfg, "restore", plain, "sch-a", "--replace",
                "--unencrypted").expect(0)
        self.require(self.kunde("sch-a") == "sch-a", "--unencrypted did not restore")
        self.write_config()

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
        stray = ["buero-Monday.zip.part", ".other-Monday.incoming.zip.1.part",
                 "buero-branch-Monday.incoming.zip", ".buero-branch-Monday.incoming.zip.7.part"]
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

    # ------------------------------------------------------------ scheduler entries

    def crontab(self):
        r = subprocess.run(["crontab", "-l"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return r.stdout.decode() if r.returncode == 0 else None

    def t_install_crontab(self):
        saved = self.crontab()
        mine = "# a line of the administrator's own\n17 4 * * * /bin/true\n"
        subprocess.run(["crontab", "-"], input=((saved or "") + mine).encode(), check=True)
        try:
            self.write_config(time="03:45")
            for _ in range(2):
                self.run("-c", self.cfg, "schedule", "install").expect(0)
            table = self.crontab()
            cfg = os.path.realpath(self.cfg)
            line = "45 3 * * * %s -q -c %s scheduled" % (os.path.realpath(
                self.suite.tool.path), cfg)
            self.require(table.count(line) == 1 and table.count("ofbackup daily job of") == 1,
                         "after two installs the crontab is:\n%s" % table)
            self.require(mine in table, "the administrator's line is gone:\n%s" % table)
            self.write_config(time="05:10")
            self.run("-c", self.cfg, "schedule", "install").expect(0)
            table = self.crontab()
            self.require(table.count("ofbackup daily job of") == 1 and "10 5 * * *" in table and
                         line not in table, "a changed time gives:\n%s" % table)
            self.run("-c", self.cfg, "schedule", "remove").expect(0)
            table = self.crontab()
            self.require("ofbackup" not in table and mine in table, "after remove:\n%s" % table)
            # a marker left above the administrator's own line: the line stays
            marker = "# ofbackup daily job of %s\n" % cfg
            own = "15 3 * * * /usr/bin/important-job\n"
            subprocess.run(["crontab", "-"], input=(table + marker + own).encode(), check=True)
            self.run("-c", self.cfg, "schedule", "remove").expect(0)
            table = self.crontab()
            self.require(own in table and marker not in table, "after remove:\n%s" % table)
        finally:
            self.write_config()
            if saved is None:
                subprocess.run(["crontab", "-r"], stderr=subprocess.DEVNULL)
            else:
                subprocess.run(["crontab", "-"], input=saved.encode(), check=True)

    def t_install_systemd(self):
        if os.geteuid() == 0:
            folder = "/etc/systemd/system"
        else:
            folder = os.path.expanduser("~/.config/systemd/user")
        svc = os.path.join(folder, "ofbackup-buero.service")
        tmr = os.path.join(folder, "ofbackup-buero.timer")
        try:
            for _ in range(2):
                r = self.run("-c", self.cfg, "schedule", "install", "--systemd")
                # without a running systemd the units are written and the commands named
                self.require(r.code in (0, 3), "install --systemd exited %d: %s" % (r.code,
                                                                                   r.err))
            with open(svc) as f:
                text = f.read()
            self.require("ExecStart=%s -q -c %s scheduled" % (
                os.path.realpath(self.suite.tool.path), os.path.realpath(self.cfg)) in text,
                "the service: %s" % text)
            with open(tmr) as f:
                text = f.read()
            self.require("OnCalendar=*-*-* 02:30:00" in text and "Persistent=true" in text,
                         "the timer: %s" % text)
            r = self.run("-c", self.cfg, "schedule", "remove", "--systemd")
            self.require(r.code in (0, 3), "remove --systemd exited %d" % r.code)
            self.require(not os.path.exists(svc) and not os.path.exists(tmr),
                         "the units are still there")
        finally:
            for p in (svc, tmr):
                if os.path.exists(p):
                    os.remove(p)

    # ------------------------------------------------------------ offsite

    def start_servers(self):
        self.servers = []
        for cls in (srv.Sshd, srv.WebDav, srv.S3, srv.Ftps):
            s = cls(self.root)
            self.servers.append(s)
            s.start()
        self.sshd, self.dav, self.s3, self.ftps = self.servers
        self.nas = os.path.join(self.root, "nas")
        os.makedirs(self.nas, exist_ok=True)
        self.ping = srv.PingServer()
        self.ping.start()

    def stop_servers(self):
        for s in getattr(self, "servers", []):
            try:
                s.stop()
            except Exception:   # noqa: BLE001 - the next one still stops
                pass
        if getattr(self, "ping", None):
            self.ping.stop()

    def copy_sections(self, known_hosts=None, key=None, s3=False):
        """The targets; S3 only with s3 (its requests carry the time they were signed, and
        the server refuses those from days ahead: S3 runs are not under libfaketime)."""
        text = ("\n[copy.nas]\nto = %s\n"
                "\n[copy.sftp]\nto = %s\nssh_key = %s\nknown_hosts = %s\nretries = 0\n"
                "\n[copy.dav]\nto = %s\n"
                "\n[copy.ftp]\nto = %s\nca_file = %s\n" % (
                    self.nas, self.sshd.url(), key or self.sshd.client_key,
                    known_hosts or self.sshd.known_hosts, self.dav.url(), self.ftps.url(),
                    self.ftps.cert))
        if s3:
            text += ("\n[copy.s3]\nto = s3://%s/office/nightly\nendpoint = %s\nuser = %s\n"
                     "password_env = OFB_E2E_S3_SECRET\nregion = eu-central-1\n" % (
                         srv.S3_BUCKET, self.s3.endpoint(), srv.S3_KEY))
        return text

    def remote_copies(self, name, s3=False):
        where = {"nas": os.path.join(self.nas, name),
                 "sftp": os.path.join(self.sshd.upload, name),
                 "dav": os.path.join(self.dav.upload, name),
                 "ftp": os.path.join(self.ftps.upload, name)}
        if s3:
            where["s3"] = self.s3.object_path("office/nightly/" + name)
        return where

    def s3env(self, fn, *args):
        return self.with_env({"OFB_E2E_S3_SECRET": srv.S3_SECRET, "OFBACKUP_PASSWORD": None},
                             fn, *args)

    def require_copies(self, name, local, s3=False):
        want = sha(local)
        for target, path in self.remote_copies(name, s3).items():
            self.require(os.path.isfile(path), "no copy at %s (%s)" % (target, path))
            self.require(sha(path) == want, "the copy at %s differs from %s" % (target, local))
        for d in (self.nas, self.sshd.upload, self.dav.upload, self.ftps.upload):
            left = [n for n in os.listdir(d) if n.endswith(".part")]
            self.require(not left, "temporary files left at %s: %s" % (d, left))

    def t_copies(self):
        self.write_config(sections=self.copy_sections())
        r = self.s3env(self.at, MONDAY, "-c", self.cfg, "scheduled")
        r.expect(0)
        self.require_copies("buero-Monday.zip", self.day_file("Monday"))
        with open(self.log) as f:
            last = f.read().splitlines()[-1]
        self.require("copies=nas:ok,sftp:ok,dav:ok,ftp:ok" in last, "the log: %s" % last)
        doc = json.loads(self.at("2026-12-07 04:00:00", "-c", self.cfg, "status",
                                 "--json").out)
        copies = doc["last_run"]["copies"]
        self.require([c["target"] for c in copies] == ["nas", "sftp", "dav", "ftp"] and
                     all(c["result"] == "ok" for c in copies), "status --json: %s" % copies)
        self.require([c["id"] for c in doc["last_run"]["clients"]] == ["sch-a", "sch-b"],
                     "per-client results: %s" % doc["last_run"]["clients"])
        # next Monday's file replaces the remote Monday file the same way
        old = sha(self.day_file("Monday"))
        self.s3env(self.at, TUESDAY, "-c", self.cfg, "scheduled").expect(0)
        self.s3env(self.at, NEXT_MONDAY, "-c", self.cfg, "scheduled").expect(0)
        self.require(sha(self.day_file("Monday")) != old, "Monday's file was not replaced")
        self.require_copies("buero-Monday.zip", self.day_file("Monday"))
        self.require_copies("buero-Tuesday.zip", self.day_file("Tuesday"))

    def t_s3(self):
        """On today's clock: today's weekday file to S3 too, twice (the second replaces)."""
        self.write_config(sections=self.copy_sections(s3=True))
        try:
            day = time.strftime("%A")
            self.s3env(self.run, "-c", self.cfg, "scheduled").expect(0)
            first = sha(self.day_file(day))
            self.require_copies("buero-%s.zip" % day, self.day_file(day), s3=True)
            self.set_kunde("sch-b", "changed between the runs")
            self.s3env(self.run, "-c", self.cfg, "scheduled").expect(0)
            self.require(sha(self.day_file(day)) != first, "the second run made no new file")
            self.require_copies("buero-%s.zip" % day, self.day_file(day), s3=True)
            # a wrong access key is refused and named
            with open(self.cfg, "a") as f:
                f.write("\n[copy.s3-denied]\nto = s3://%s/x\nendpoint = %s\nuser = NOBODY\n"
                        "password_env = OFB_E2E_S3_SECRET\n" % (srv.S3_BUCKET,
                                                                self.s3.endpoint()))
            r = self.s3env(self.run, "-c", self.cfg, "copy", self.day_file(day), "s3-denied")
            r.expect(3)
            self.require("403" in r.err and "InvalidAccessKeyId" in r.err,
                         "the message: %s" % r.err)
        finally:
            self.write_config()

    def t_host_key_changed(self):
        remote = self.remote_copies("buero-Monday.zip")["sftp"]
        before = sha(remote)
        self.write_config(sections=self.copy_sections(known_hosts=self.sshd.changed_hosts))
        try:
            r = self.s3env(self.at, "2026-12-21 02:30:00", "-c", self.cfg, "scheduled")
        finally:
            self.write_config()
        r.expect(3)
        self.require("host key has changed" in r.err, "the message: %s" % r.err[-600:])
        self.require(sha(remote) == before, "the remote file changed behind a changed key")
        self.run("verify", self.day_file("Monday")).expect(0)
        self.require(sha(self.remote_copies("buero-Monday.zip")["nas"]) ==
                     sha(self.day_file("Monday")), "the other targets were not served")

    def t_rsa_key(self):
        self.write_config(sections=self.copy_sections(key=self.sshd.rsa_key))
        try:
            r = self.s3env(self.run, "-c", self.cfg, "copy", self.day_file("Monday"), "sftp")
        finally:
            self.write_config()
        r.expect(3)
        self.require("RSA key" in r.err and "ed25519" in r.err, "the message: %s" % r.err)

    def t_unreachable(self):
        dead = free_port()
        extra = ("\n[copy.gone]\nto = sftp://%s@127.0.0.1:%d/tmp/\nssh_key = %s\n"
                 "known_hosts = %s\nretries = 1\n" % (self.sshd.user, dead,
                                                       self.sshd.client_key,
                                                       self.sshd.known_hosts))
        self.write_config(sections=extra)
        try:
            r = self.at("2026-12-22 02:30:00", "-c", self.cfg, "scheduled")
        finally:
            self.write_config()
        r.expect(3)
        self.require("offsite copy 'gone' failed" in r.err, "the message: %s" % r.err[-400:])
        self.run("verify", self.day_file("Tuesday")).expect(0)
        st = self.at("2026-12-22 03:00:00", "-c", self.cfg, "status")
        st.expect(1)
        self.require("offsite" in st.out, "status says %s" % st.out)

    def t_copy_command(self):
        self.write_config(sections=self.copy_sections())
        try:
            out = os.path.join(self.root, "handmade.zip")
            r = self.s3env(self.run, "-c", self.cfg, "backup", "--copy", "-o", out)
            r.expect(0)
            self.require_copies("handmade.zip", out)
            os.remove(self.remote_copies("handmade.zip")["dav"])
            self.s3env(self.run, "-c", self.cfg, "copy", out, "dav").expect(0)
            self.require(sha(self.remote_copies("handmade.zip")["dav"]) == sha(out),
                         "copy did not send it again")
            self.run("-c", self.cfg, "copy", out, "nosuch").expect(2)
            odd = os.path.join(self.root, 'victim.zip" x')
            shutil.copy(out, odd)
            r = self.s3env(self.run, "-c", self.cfg, "copy", odd)
            r.expect(2)
            self.require("plain file name" in r.err, "a quote in the name: %s" % r.err)
            bad = os.path.join(self.root, "damaged.zip")
            with open(out, "rb") as f:
                data = bytearray(f.read())
            # a byte in the middle of the largest entry's data (the middle of the file may
            # be a header field that nothing reads, such as a timestamp)
            with zipfile.ZipFile(out) as z:
                big = max(z.infolist(), key=lambda i: i.compress_size)
            name_len, extra_len = struct.unpack("<HH", bytes(data[big.header_offset + 26:
                                                                 big.header_offset + 30]))
            data[big.header_offset + 30 + name_len + extra_len + big.compress_size // 2] ^= 0xFF
            with open(bad, "wb") as f:
                f.write(data)
            r = self.s3env(self.run, "-c", self.cfg, "copy", bad)
            r.expect(1)
            self.require(not os.path.exists(os.path.join(self.nas, "damaged.zip")),
                         "a damaged package was copied")
        finally:
            self.write_config()

    def t_no_libcurl(self):
        """ofbackup run where libcurl cannot be loaded (a private mount puts an empty file
        in its place): the folder copy is made, each network target fails naming libcurl."""
        lib = os.path.realpath("/lib/x86_64-linux-gnu/libcurl.so.4")
        self.require(os.path.isfile(lib), "no libcurl at %s" % lib)
        wrapper = os.path.join(self.root, "no-libcurl.sh")
        real = self.suite.tool.path
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec unshare -m sh -c 'mount --bind /dev/null \"$0\" && "
                    "exec \"$@\"' '%s' '%s' \"$@\"\n" % (lib, real))
        os.chmod(wrapper, 0o755)
        self.write_config(sections=self.copy_sections())
        out = os.path.join(self.root, "nocurl.zip")
        try:
            self.run("-c", self.cfg, "backup", "-o", out).expect(0)
            self.suite.tool.path = wrapper
            r = self.run("-c", self.cfg, "copy", out)
        finally:
            self.suite.tool.path = real
            self.write_config()
        r.expect(3)
        self.require(sha(os.path.join(self.nas, "nocurl.zip")) == sha(out),
                     "the folder copy was not made: %s" % r.err[-400:])
        for name in ("sftp", "dav", "ftp"):
            self.require(re.search(r"'%s' failed.*cannot load libcurl" % name, r.err),
                         "target %s: %s" % (name, r.err[-600:]))

    def t_pings_metrics(self):
        metrics = os.path.join(self.root, "ofbackup.prom")
        url = "http://127.0.0.1:%d/ping/0d3f" % self.ping.port
        self.write_config(ping_url=url, metrics=metrics)
        self.ping.got.clear()
        self.at("2026-12-23 02:30:00", "-c", self.cfg, "scheduled").expect(0)
        paths = [p for _, p, _ in self.ping.got]
        self.require(paths == ["/ping/0d3f/start", "/ping/0d3f"], "pings: %s" % paths)
        self.require("result=ok" in self.ping.got[-1][2], "the ping's body: %s" %
                     self.ping.got[-1][2])
        with open(metrics) as f:
            text = f.read()
        good = [ln for ln in text.splitlines() if ln.startswith(
            'ofbackup_last_success_timestamp_seconds{name="buero"} ')]
        self.require(good and int(good[0].split()[-1]) > 0, "metrics: %s" % text)
        self.require('ofbackup_last_run_result{name="buero"} 0' in text, "metrics: %s" % text)
        # a failing run: /start and /fail; the last success stays
        self.ping.got.clear()
        os.rename(self.login, self.login + ".away")
        try:
            self.at("2026-12-24 02:30:00", "-c", self.cfg, "scheduled").expect(1)
        finally:
            os.rename(self.login + ".away", self.login)
        paths = [p for _, p, _ in self.ping.got]
        self.require(paths == ["/ping/0d3f/start", "/ping/0d3f/fail"], "pings: %s" % paths)
        with open(metrics) as f:
            text2 = f.read()
        self.require(good[0] in text2 and 'ofbackup_last_run_result{name="buero"} 2' in text2,
                     "metrics after a failed run: %s" % text2)
        # a monitor that is not there holds nothing up
        self.write_config(ping_url="http://127.0.0.1:%d/dead" % free_port())
        try:
            t0 = time.time()
            r = self.at("2026-12-25 02:30:00", "-c", self.cfg, "scheduled")
            took = time.time() - t0
        finally:
            self.write_config()
        r.expect(0)
        self.require("cannot ping" in r.err and took < 60, "a dead monitor: %.0fs, %s" % (
            took, r.err[-300:]))

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
        t("schedule install twice leaves one crontab entry (the administrator's own lines "
          "kept), a new time replaces it, remove takes it out", self.t_install_crontab)
        t("schedule install --systemd writes the service and timer, remove takes them out",
          self.t_install_systemd)
        try:
            if t("start sshd, lighttpd (WebDAV), s3rver and vsftpd (FTPS) on private ports",
                 self.start_servers, critical=True) is None:
                return
            t("the weekday file goes to a folder, SFTP, WebDAV and FTPS byte for byte, and "
              "replaces the remote one next week; log and status --json name each copy",
              self.t_copies)
            t("today's weekday file to S3-compatible storage (Signature v4), replaced by the "
              "next run; a wrong access key is refused and named", self.t_s3)
            t("a changed SFTP host key is refused (exit 3), the remote file untouched, the "
              "other targets served", self.t_host_key_changed)
            t("an RSA key refused by the server is named, with the advice to use ed25519",
              self.t_rsa_key)
            t("an unreachable target: exit 3, the local file kept, status warns",
              self.t_unreachable)
            t("backup --copy, copy FILE TARGET, an unknown target (exit 2), a damaged package "
              "is not copied (exit 1)", self.t_copy_command)
            t("ping_url gets /start and success or /fail, a dead monitor holds nothing up; the "
              "metrics file keeps the last success", self.t_pings_metrics)
            t("without libcurl a folder copy is made, each network target fails naming "
              "libcurl (exit 3)", self.t_no_libcurl)
        finally:
            self.stop_servers()


def run(suite, failed_cls):
    run_class(Unattended, "unattended", suite, failed_cls)
