"""Private servers the offsite copies are sent to in the tests (unattended.py), each on
127.0.0.1 and a free port, with its data below one folder, stopped again at the end:

- sshd (openssh-server) with a throwaway host key and client keys (ed25519, and RSA to show
  its refusal), the built-in SFTP server;
- lighttpd with mod_webdav (PUT, MOVE, DELETE, HEAD);
- s3rver (npm), an S3-compatible server, with one bucket;
- vsftpd with TLS required (explicit FTPS, a throwaway self-signed certificate), anonymous
  uploads into one folder (vsftpd's anonymous mode needs root: its chroot);
- a small HTTP server of our own that records the pings it gets.

Each start() raises RuntimeError naming what is missing or what the server said.
"""

import http.server
import os
import shutil
import socket
import subprocess
import threading
import time

from fixtures import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
S3RVER = os.path.join(HERE, "..", ".tools", "node_modules", ".bin", "s3rver")
S3_BUCKET = "ofb-offsite"
S3_KEY = "S3RVER"          # s3rver's built-in account
S3_SECRET = "S3RVER"


def wait_port(port, proc, what, log, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    text = ""
    if log and os.path.exists(log):
        with open(log, errors="replace") as f:
            text = f.read()[-1500:]
    raise RuntimeError("%s did not come up on port %d: %s" % (what, port, text))


def keygen(path, kind):
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "ofb-e2e", "-f", path]
                   + (["-b", "2048"] if kind == "rsa" else []), check=True,
                   stdin=subprocess.DEVNULL)


class Server:
    """One private server: its folder below root, its process, stopped by stop()."""

    folder = None

    def __init__(self, root):
        self.root = os.path.join(root, self.folder)
        self.proc = None

    @staticmethod
    def program(name, package):
        exe = shutil.which(name) or "/usr/sbin/" + name
        if not os.path.exists(exe):
            raise RuntimeError("%s not found (Debian package %s)" % (name, package))
        return exe

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)


class Sshd(Server):
    folder = "sshd"

    def start(self):
        exe = self.program("sshd", "openssh-server")
        os.makedirs(self.root, exist_ok=True)
        self.upload = os.path.join(self.root, "upload")
        os.makedirs(self.upload, exist_ok=True)
        self.host_key = os.path.join(self.root, "host_ed25519")
        self.other_key = os.path.join(self.root, "other_host_ed25519")
        self.client_key = os.path.join(self.root, "client_ed25519")
        self.rsa_key = os.path.join(self.root, "client_rsa")
        for path, kind in ((self.host_key, "ed25519"), (self.other_key, "ed25519"),
                           (self.client_key, "ed25519"), (self.rsa_key, "rsa")):
            keygen(path, kind)
        auth = os.path.join(self.root, "authorized_keys")
        with open(auth, "w") as f:
            for k in (self.client_key, self.rsa_key):
                with open(k + ".pub") as p:
                    f.write(p.read())
        os.chmod(auth, 0o600)
        self.port = free_port()
        self.log = os.path.join(self.root, "sshd.log")
        cfg = os.path.join(self.root, "sshd_config")
        with open(cfg, "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s\nPidFile %s\n"
                    "AuthorizedKeysFile %s\nPasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
                    "PermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\n" % (
                        self.port, self.host_key, os.path.join(self.root, "sshd.pid"), auth))
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", exist_ok=True)   # privilege separation folder
        self.proc = subprocess.Popen([exe, "-D", "-e", "-f", cfg], stdin=subprocess.DEVNULL,
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc, "sshd", self.log)
        self.known_hosts = self.write_known_hosts("known_hosts", self.host_key)
        self.changed_hosts = self.write_known_hosts("known_hosts.changed", self.other_key)
        self.user = os.environ.get("USER") or subprocess.run(
            ["id", "-un"], stdout=subprocess.PIPE, check=True).stdout.decode().strip()

    def write_known_hosts(self, name, key):
        path = os.path.join(self.root, name)
        with open(key + ".pub") as p:
            kind, blob = p.read().split()[:2]
        with open(path, "w") as f:
            f.write("[127.0.0.1]:%d %s %s\n" % (self.port, kind, blob))
        return path

    def url(self):
        return "sftp://%s@127.0.0.1:%d%s/" % (self.user, self.port, self.upload)


class WebDav(Server):
    folder = "webdav"

    def start(self):
        exe = self.program("lighttpd", "lighttpd, with lighttpd-mod-webdav")
        self.docs = os.path.join(self.root, "docs")
        self.upload = os.path.join(self.docs, "upload")
        os.makedirs(self.upload, exist_ok=True)
        self.port = free_port()
        self.log = os.path.join(self.root, "error.log")
        cfg = os.path.join(self.root, "lighttpd.conf")
        with open(cfg, "w") as f:
            f.write('server.modules = ("mod_webdav")\nserver.document-root = "%s"\n'
                    'server.bind = "127.0.0.1"\nserver.port = %d\nserver.errorlog = "%s"\n'
                    'webdav.activate = "enable"\nwebdav.is-readonly = "disable"\n'
                    'webdav.sqlite-db-name = "%s"\n' % (
                        self.docs, self.port, self.log, os.path.join(self.root, "props.db")))
        self.proc = subprocess.Popen([exe, "-D", "-f", cfg], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log + ".err",
                                                                            "w"))
        wait_port(self.port, self.proc, "lighttpd", self.log + ".err")

    def url(self):
        return "http://127.0.0.1:%d/upload/" % self.port


class S3(Server):
    folder = "s3"

    def start(self):
        if not os.path.exists(S3RVER):
            raise RuntimeError("s3rver not found at %s (tests/install-deps.sh installs it "
                               "with npm)" % S3RVER)
        self.data = os.path.join(self.root, "data")
        os.makedirs(self.data, exist_ok=True)
        self.port = free_port()
        self.log = os.path.join(self.root, "s3rver.log")
        self.proc = subprocess.Popen([S3RVER, "-d", self.data, "-a", "127.0.0.1", "-p",
                                      str(self.port), "--configure-bucket", S3_BUCKET],
                                     stdin=subprocess.DEVNULL, stdout=open(self.log, "w"),
                                     stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc, "s3rver", self.log)

    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def object_path(self, key):
        """Where s3rver keeps the bytes of an object."""
        return os.path.join(self.data, S3_BUCKET, key) + "._S3rver_object"


class Ftps(Server):
    folder = "ftps"

    def start(self):
        exe = self.program("vsftpd", "vsftpd")
        if os.geteuid() != 0:
            raise RuntimeError("vsftpd's anonymous uploads need root (its chroot)")
        ftp_user = subprocess.run(["id", "-u", "ftp"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        if ftp_user.returncode != 0:
            raise RuntimeError("no user 'ftp' (the vsftpd package makes it)")
        top = os.path.join(self.root, "top")
        self.upload = os.path.join(top, "upload")
        empty = os.path.join(self.root, "empty")
        os.makedirs(self.upload, exist_ok=True)
        os.makedirs(empty, exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(top, 0o555)          # vsftpd refuses a writable chroot
        shutil.chown(self.upload, user="ftp")
        self.cert = os.path.join(self.root, "cert.pem")
        key = os.path.join(self.root, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", self.cert, "-days", "3650", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.port = free_port()
        pasv = free_port()
        self.log = os.path.join(self.root, "vsftpd.log")
        cfg = os.path.join(self.root, "vsftpd.conf")
        with open(cfg, "w") as f:
            f.write("listen=YES\nlisten_address=127.0.0.1\nlisten_port=%d\nbackground=NO\n"
                    "anonymous_enable=YES\nlocal_enable=NO\nwrite_enable=YES\n"
                    "anon_upload_enable=YES\nanon_other_write_enable=YES\nanon_umask=077\n"
                    "anon_root=%s\nno_anon_password=YES\nsecure_chroot_dir=%s\n"
                    "ssl_enable=YES\nallow_anon_ssl=YES\nforce_anon_logins_ssl=YES\n"
                    "force_anon_data_ssl=YES\nrsa_cert_file=%s\nrsa_private_key_file=%s\n"
                    "pasv_enable=YES\npasv_min_port=%d\npasv_max_port=%d\n"
                    "seccomp_sandbox=NO\nvsftpd_log_file=%s\n" % (
                        self.port, top, empty, self.cert, key, pasv, pasv, self.log))
        self.proc = subprocess.Popen([exe, cfg], stdin=subprocess.DEVNULL,
                                     stdout=open(self.log + ".out", "w"),
                                     stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc, "vsftpd", self.log + ".out")

    def url(self):
        return "ftps://127.0.0.1:%d/upload/" % self.port


class PingServer:
    """Records the path and body of every request; answers 200."""

    def __init__(self):
        self.got = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
                outer.got.append((self.command, self.path, body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            do_GET = do_POST = do_HEAD = answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
