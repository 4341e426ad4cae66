/* offsite.c - offsite copies of a package (offsite.h): a folder by plain file calls, the
 * network targets through libcurl. Every copy goes to a temporary name first (".NAME.part"
 * beside the final one), is checked by size, and only then renamed over the final name:
 * a broken transfer never replaces last week's remote file. S3 has no rename, but an
 * object appears only once its upload is complete, and its ETag (the MD5 of a single
 * upload) is checked. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "connstr.h"
#include "curl_api.h"
#include "files.h"
#include "offsite.h"
#include "progress.h"
#include "util.h"

#define CONNECT_SECONDS 20L
#define STALL_SECONDS 60L       /* a transfer below 1 byte/s this long is given up */
#define MAX_BACKOFF 30

/* libcurl, loaded by copy_target for the first network target */
static const struct ofb_curl *curl;

/* What is known of the local file: size and digests, computed once for every target. */
struct facts {
	const char *path;
	long long size;
	char sha256[65];
	char md5[33];
};

static int file_facts(const char *path, struct facts *f, struct ofb_error *err)
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new(), *md5 = EVP_MD_CTX_new();
	unsigned char buf[65536], d[EVP_MAX_MD_SIZE];
	unsigned int dn;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;
	ssize_t n;

	f->path = path;
	f->size = 0;
	if (fd < 0) {
		ofb_error_errno(err, errno, "cannot read '%s' to copy it", path);
		goto out;
	}
	if (!sha || !md5 || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(md5, EVP_md5(), NULL)) {
		ofb_error_set(err, "cannot start the checksums of '%s'", path);
		goto out;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		EVP_DigestUpdate(sha, buf, (size_t)n);
		EVP_DigestUpdate(md5, buf, (size_t)n);
		f->size += n;
	}
	if (n < 0) {
		ofb_error_errno(err, errno, "cannot read '%s' to copy it", path);
		goto out;
	}
	EVP_DigestFinal_ex(sha, d, &dn);
	for (unsigned i = 0; i < dn; i++)
		sprintf(f->sha256 + 2 * i, "%02x", d[i]);
	EVP_DigestFinal_ex(md5, d, &dn);
	for (unsigned i = 0; i < dn; i++)
		sprintf(f->md5 + 2 * i, "%02x", d[i]);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(sha);
	EVP_MD_CTX_free(md5);
	return ret;
}

/* --- a folder ----------------------------------------------------------------------- */

static int copy_bytes(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		if (ofb_files_write_all(out, buf, (size_t)n) != 0)
			return -1;
	return n < 0 ? -1 : 0;
}

static int to_folder(const char *dir, const struct facts *f, const char *name,
		     struct ofb_error *err)
{
	char *tmp = xasprintf("%s/.%s.part", dir, name), *dst = xasprintf("%s/%s", dir, name);
	struct facts back;
	struct stat st;
	int in = -1, out = -1, ret = -1;

	/* a share that is not mounted must not fill the local disk instead */
	errno = 0;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		ofb_error_errno(err, errno ? errno : ENOTDIR, "the folder '%s' is not there (is "
				"the share mounted?)", dir);
		goto out;
	}
	if (lstat(dst, &st) == 0 && !S_ISREG(st.st_mode)) {
		ofb_error_set(err, "'%s' exists and is not a regular file", dst);
		goto out;
	}
	unlink(tmp);
	in = open(f->path, O_RDONLY | O_CLOEXEC);
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (in < 0 || out < 0 || copy_bytes(in, out) != 0 || fsync(out) != 0) {
		ofb_error_errno(err, errno, "cannot write '%s'", tmp);
		goto out;
	}
	if (close(out) != 0) {
		out = -1;
		ofb_error_errno(err, errno, "cannot write '%s'", tmp);
		goto out;
	}
	out = -1;
	/* what the share holds, read back, not what was sent */
	if (file_facts(tmp, &back, err) != 0)
		goto out;
	if (back.size != f->size || strcmp(back.sha256, f->sha256) != 0) {
		ofb_error_set(err, "the copy '%s' differs from the package (%lld of %lld bytes, "
			      "SHA-256 %s)", tmp, back.size, f->size,
			      strcmp(back.sha256, f->sha256) ? "differs" : "matches");
		goto out;
	}
	if (rename(tmp, dst) != 0) {
		ofb_error_errno(err, errno, "cannot rename '%s' to '%s'", tmp, dst);
		goto out;
	}
	if (ofb_files_sync_folder(dir) != 0)
		ofb_warn("cannot sync the folder '%s': %s", dir, strerror(errno));
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (ret != 0)
		unlink(tmp);
	free(tmp);
	free(dst);
	return ret;
}

/* --- network targets ---------------------------------------------------------------- */

enum scheme { S_SFTP, S_FTPS, S_HTTP, S_S3 };

/* One network target, resolved: base URL (ending in '/'), its directory path for the
 * commands that rename, credentials. */
struct net {
	const struct ofb_copy_target *t;
	enum scheme scheme;
	char *base;              /* URL of the folder, with '/' at the end */
	char *dir;               /* sftp: the folder as the server's commands take it */
	char *user, *password;   /* ftps/https/s3 (s3: access key and secret) */
	char *key, *known_hosts; /* sftp */
	int key_is_rsa;
	char *region;            /* s3 */
	char *token;             /* s3: AWS_SESSION_TOKEN */
	const char *hostkey;     /* sftp: why the host key was refused, or NULL */
	int permanent;           /* the last failure will not go away by trying again */
	char errbuf[CURL_ERROR_SIZE];
};

/* The user's home folder: $HOME, else the password database's (a systemd service has no
 * $HOME without User=). */
static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home)
		return home;
	pw = getpwuid(geteuid());
	return pw ? pw->pw_dir : NULL;
}

static char *home_path(const char *p)
{
	const char *home = home_dir();

	if (p[0] == '~' && p[1] == '/' && home)
		return xasprintf("%s%s", home, p + 1);
	return xstrdup(p);
}

static void net_free(struct net *n)
{
	free(n->base);
	free(n->dir);
	free(n->user);
	ofb_secret_free(n->password);
	free(n->key);
	free(n->known_hosts);
	free(n->region);
	ofb_secret_free(n->token);
}

/* The SSH key: the configured one, else the first of id_ed25519, id_ecdsa, id_rsa (ed25519
 * and ECDSA first: this libssh2 signs RSA keys with SHA-1, which current servers refuse). */
static int sftp_key(struct net *n, struct ofb_error *err)
{
	static const char *const names[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
	const char *home = home_dir();
	char *pub;
	FILE *f;

	if (n->t->ssh_key) {
		n->key = home_path(n->t->ssh_key);
	} else {
		for (size_t i = 0; !n->key && home && i < 3; i++) {
			char *p = xasprintf("%s/.ssh/%s", home, names[i]);
			if (access(p, R_OK) == 0)
				n->key = p;
			else
				free(p);
		}
		if (!n->key) {
			ofb_error_usage(err, "no SSH key found (~/.ssh/id_ed25519, id_ecdsa or "
					"id_rsa); set ssh_key");
			return -1;
		}
	}
	if (access(n->key, R_OK) != 0) {
		ofb_error_usage(err, "cannot read the SSH key '%s': %s", n->key, strerror(errno));
		return -1;
	}
	pub = xasprintf("%s.pub", n->key);
	f = fopen(pub, "r");
	if (f) {
		char kind[16] = "";
		n->key_is_rsa = fscanf(f, "%15s", kind) == 1 && strcmp(kind, "ssh-rsa") == 0;
		fclose(f);
	} else {
		n->key_is_rsa = strstr(n->key, "rsa") != NULL;
	}
	free(pub);
	n->known_hosts = home_path(n->t->known_hosts ? n->t->known_hosts : "~/.ssh/known_hosts");
	if (access(n->known_hosts, R_OK) != 0) {
		ofb_error_usage(err, "cannot read known_hosts '%s' (%s): host keys are always "
				"checked; add the server's key to it (ssh-keyscan -p PORT HOST, "
				"then compare the fingerprint)", n->known_hosts, strerror(errno));
		return -1;
	}
	return 0;
}

/* The decoded path of an sftp:// URL as the server's commands take it: "/~/x" is x in
 * the home folder. */
static int sftp_dir(struct net *n, struct ofb_error *err)
{
	CURLU *u = curl->url();
	char *path = NULL;
	int ret = -1;

	if (!u || curl->url_set(u, CURLUPART_URL, n->base, 0) != CURLUE_OK ||
	    curl->url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK) {
		ofb_error_usage(err, "'%s' is not a valid address", n->t->to);
		goto out;
	}
	if (strchr(path, '"') || strchr(path, '\n') || strchr(path, '\r')) {
		ofb_error_usage(err, "'%s': the folder's name holds a quote or a line break",
				n->t->to);
		goto out;
	}
	n->dir = xstrdup(strncmp(path, "/~/", 3) == 0 ? path + 3 : path);
	ret = 0;
out:
	curl->free(path);
	curl->url_cleanup(u);
	return ret;
}

static int target_secret(const struct ofb_copy_target *t, char **out, struct ofb_error *err)
{
	*out = NULL;
	if (!t->password_env && !t->password_file)
		return 0;
	return ofb_secret_resolve(NULL, t->password_env, t->password_file, out, err);
}

static int net_setup(const struct ofb_copy_target *t, struct net *n, struct ofb_error *err)
{
	const char *to = t->to;
	size_t len = strlen(to);

	memset(n, 0, sizeof *n);
	n->t = t;
	if (!strncmp(to, "sftp://", 7))
		n->scheme = S_SFTP;
	else if (!strncmp(to, "ftps://", 7))
		n->scheme = S_FTPS;
	else if (!strncmp(to, "s3://", 5))
		n->scheme = S_S3;
	else
		n->scheme = S_HTTP;
	if (n->scheme == S_S3) {
		const char *bucket = to + 5, *ep = t->endpoint;
		const char *env_region = getenv("AWS_REGION") ? getenv("AWS_REGION")
							      : getenv("AWS_DEFAULT_REGION");
		n->region = xstrdup(t->region ? t->region : env_region ? env_region : "us-east-1");
		if (!ep)
			n->base = xasprintf("https://s3.%s.amazonaws.com/%s%s", n->region, bucket,
					    bucket[strlen(bucket) - 1] == '/' ? "" : "/");
		else
			n->base = xasprintf("%s%s/%s%s", strstr(ep, "://") ? "" : "https://", ep,
					    bucket, bucket[strlen(bucket) - 1] == '/' ? "" : "/");
		if (t->user) {
			n->user = xstrdup(t->user);
			if (target_secret(t, &n->password, err) != 0)
				return -1;
		} else if (getenv("AWS_ACCESS_KEY_ID") && getenv("AWS_SECRET_ACCESS_KEY")) {
			n->user = xstrdup(getenv("AWS_ACCESS_KEY_ID"));
			n->password = xstrdup(getenv("AWS_SECRET_ACCESS_KEY"));
			if (getenv("AWS_SESSION_TOKEN"))
				n->token = xstrdup(getenv("AWS_SESSION_TOKEN"));
		}
		if (!n->user || !n->password) {
			ofb_error_usage(err, "no S3 credentials: set user (the access key) and "
					"password_env or password_file (the secret key), or "
					"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
			return -1;
		}
		return 0;
	}
	/* ftps:// is FTP with explicit TLS (AUTH TLS on the FTP port), as most servers offer */
	if (n->scheme == S_FTPS)
		n->base = xasprintf("ftp://%s%s", to + 7, to[len - 1] == '/' ? "" : "/");
	else
		n->base = xasprintf("%s%s", to, to[len - 1] == '/' ? "" : "/");
	if (n->scheme == S_SFTP)   /* a password here is the key's passphrase */
		return sftp_dir(n, err) != 0 || sftp_key(n, err) != 0 ||
		       target_secret(t, &n->password, err) != 0 ? -1 : 0;
	if (t->user)
		n->user = xstrdup(t->user);
	return target_secret(t, &n->password, err);
}

static int host_key_check(CURL *c, const struct curl_khkey *known,
			  const struct curl_khkey *found, enum curl_khmatch match, void *arg)
{
	struct net *n = arg;

	(void)c;
	(void)known;
	(void)found;
	if (match == CURLKHMATCH_OK)
		return CURLKHSTAT_FINE;
	n->hostkey = match == CURLKHMATCH_MISMATCH ? "changed" : "unknown";
	return CURLKHSTAT_REJECT;
}

/* A formatted line appended to a libcurl list (commands, headers). */
__attribute__((format(printf, 2, 3)))
static void add_line(struct curl_slist **list, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	*list = curl->slist_append(*list, s);
	free(s);
}

static size_t discard(char *data, size_t size, size_t nitems, void *arg)
{
	(void)data;
	(void)arg;
	return size * nitems;
}

/* A handle for url with the target's transport settings. */
static CURL *net_handle(struct net *n, const char *url)
{
	CURL *c = curl->easy_init();

	if (!c)
		return NULL;
	n->errbuf[0] = '\0';
	curl->easy_setopt(c, CURLOPT_URL, url);
	curl->easy_setopt(c, CURLOPT_ERRORBUFFER, n->errbuf);
	/* what a server answers goes nowhere (libcurl would print it on standard output) */
	curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_SECONDS);
	curl->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	curl->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, n->scheme == S_SFTP ? "sftp" :
			 n->scheme == S_FTPS ? "ftp" : "http,https");
	if (n->t->ca_file)
		curl->easy_setopt(c, CURLOPT_CAINFO, n->t->ca_file);
	switch (n->scheme) {
	case S_SFTP:
		curl->easy_setopt(c, CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
		curl->easy_setopt(c, CURLOPT_SSH_PRIVATE_KEYFILE, n->key);
		if (n->password)
			curl->easy_setopt(c, CURLOPT_KEYPASSWD, n->password);
		curl->easy_setopt(c, CURLOPT_SSH_KNOWNHOSTS, n->known_hosts);
		curl->easy_setopt(c, CURLOPT_SSH_KEYFUNCTION, host_key_check);
		curl->easy_setopt(c, CURLOPT_SSH_KEYDATA, n);
		break;
	case S_FTPS:
		curl->easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		/* fall through */
	case S_HTTP:
		if (n->user)
			curl->easy_setopt(c, CURLOPT_USERNAME, n->user);
		if (n->password)
			curl->easy_setopt(c, CURLOPT_PASSWORD, n->password);
		if (n->scheme == S_HTTP)
			curl->easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_ANY);
		break;
	case S_S3: {
		char *sig = xasprintf("aws:amz:%s:s3", n->region);
		curl->easy_setopt(c, CURLOPT_AWS_SIGV4, sig);
		curl->easy_setopt(c, CURLOPT_USERNAME, n->user);
		curl->easy_setopt(c, CURLOPT_PASSWORD, n->password);
		free(sig);
		break;
	}
	}
	return c;
}

/* What went wrong with a transfer that failed (rc), for the message. */
static void net_error(struct net *n, CURLcode rc, const char *what, struct ofb_error *err)
{
	n->permanent = n->hostkey || rc == CURLE_LOGIN_DENIED || rc == CURLE_URL_MALFORMAT ||
		       rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_REMOTE_ACCESS_DENIED;
	if (n->hostkey && !strcmp(n->hostkey, "changed")) {
		ofb_error_set(err, "%s: the server's host key has changed (it is not the one in "
			      "'%s'): refused; if the server was really reinstalled, check the new "
			      "key's fingerprint and update known_hosts", what, n->known_hosts);
		return;
	}
	if (n->hostkey) {
		ofb_error_set(err, "%s: the server's host key is unknown (not in '%s'): refused; "
			      "add it (ssh-keyscan -p PORT HOST) after checking its fingerprint",
			      what, n->known_hosts);
		return;
	}
	if (n->scheme == S_SFTP && rc == CURLE_LOGIN_DENIED && n->key_is_rsa)
		ofb_error_set(err, "%s: the RSA key '%s' was refused (%s): this libssh2 signs RSA "
			      "keys with SHA-1 only, which current OpenSSH refuses; use an ed25519 "
			      "or ECDSA key", what, n->key, n->errbuf[0] ? n->errbuf :
			      curl->easy_strerror(rc));
	else
		ofb_error_set(err, "%s: %s", what, n->errbuf[0] ? n->errbuf : curl->easy_strerror(rc));
}

static CURLcode perform(struct net *n, CURL *c, const char *what, long *http,
			struct ofb_error *err)
{
	CURLcode rc = curl->easy_perform(c);

	*http = 0;
	curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, http);
	if (rc != CURLE_OK)
		net_error(n, rc, what, err);
	else if (*http == 401 || *http == 403)
		n->permanent = 1;   /* refused credentials: the same again tomorrow */
	return rc;
}

static int http_ok(long code)
{
	return code >= 200 && code < 300;
}

static char *escaped(CURL *c, const char *name)
{
	char *e = curl->easy_escape(c, name, 0), *copy = xstrdup(e ? e : name);

	curl->free(e);
	return copy;
}

/* The first bytes of a server's answer, for the message when it refuses. */
struct answer {
	char text[2048];
	size_t len;
};

static size_t keep_answer(char *data, size_t size, size_t nitems, void *arg)
{
	struct answer *a = arg;
	size_t n = size * nitems, room = sizeof a->text - 1 - a->len;

	memcpy(a->text + a->len, data, n < room ? n : room);
	a->len += n < room ? n : room;
	a->text[a->len] = '\0';
	return n;
}

/* S3's and WebDAV's reason in an error answer: <Code>RequestTimeTooSkewed</Code>. */
static const char *answer_code(struct answer *a)
{
	char *start = strstr(a->text, "<Code>"), *end;

	if (!start || !(end = strstr(start, "</Code>")))
		return "";
	*end = '\0';
	memmove(a->text + 2, start + 6, strlen(start + 6) + 1);
	a->text[0] = ' ';
	a->text[1] = '(';
	strcat(a->text, ")");
	return a->text;
}

/* Upload the package to url. */
static int upload(struct net *n, const struct facts *f, const char *url, const char *what,
		  struct ofb_error *err)
{
	FILE *in = fopen(f->path, "rb");
	struct curl_slist *hdr = NULL;
	struct answer ans = { .len = 0 };
	CURL *c;
	long code;
	int ret = -1;

	if (!in) {
		ofb_error_errno(err, errno, "cannot read '%s'", f->path);
		return -1;
	}
	c = net_handle(n, url);
	if (!c) {
		fclose(in);
		ofb_error_set(err, "%s: cannot start a transfer", what);
		return -1;
	}
	curl->easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl->easy_setopt(c, CURLOPT_READDATA, in);
	curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer);
	curl->easy_setopt(c, CURLOPT_WRITEDATA, &ans);
	curl->easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)f->size);
	if (n->scheme == S_SFTP)
		curl->easy_setopt(c, CURLOPT_NEW_FILE_PERMS, 0600L);
	if (n->scheme == S_S3) {
		char *h = xasprintf("x-amz-content-sha256: %s", f->sha256);
		hdr = curl->slist_append(hdr, h);
		free(h);
		if (n->token) {
			h = xasprintf("x-amz-security-token: %s", n->token);
			hdr = curl->slist_append(hdr, h);
			ofb_secret_free(h);
		}
	}
	if (n->scheme == S_S3 || n->scheme == S_HTTP) {
		hdr = curl->slist_append(hdr, "Content-Type: application/zip");
		/* WebDAV keeps "Expect: 100-continue": a server asking for credentials says so
		 * before the package is sent, not after (S3 signs the first request) */
		if (n->scheme == S_S3)
			hdr = curl->slist_append(hdr, "Expect:");
		curl->easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	}
	if (perform(n, c, what, &code, err) != CURLE_OK)
		goto out;
	if ((n->scheme == S_S3 || n->scheme == S_HTTP) && !http_ok(code)) {
		ofb_error_set(err, "%s: the server answered %ld to the upload%s%s", what, code,
			      answer_code(&ans), code == 403 && n->scheme == S_S3 ?
			      "; check the keys, the region and this machine's clock" : "");
		goto out;
	}
	ret = 0;
out:
	curl->slist_free_all(hdr);
	curl->easy_cleanup(c);
	fclose(in);
	return ret;
}

struct header_capture {
	char *etag;
	size_t len;
	int etag_not_md5;   /* S3 with KMS or customer keys: the ETag is no MD5 */
};

static size_t capture_etag(char *data, size_t size, size_t nitems, void *arg)
{
	struct header_capture *h = arg;
	size_t n = size * nitems;

	if ((n > 38 && !strncasecmp(data, "x-amz-server-side-encryption: aws:kms", 37)) ||
	    (n > 47 && !strncasecmp(data, "x-amz-server-side-encryption-customer-algorithm:", 47)))
		h->etag_not_md5 = 1;
	if (n > 5 && !strncasecmp(data, "ETag:", 5)) {
		const char *v = data + 5;
		size_t k = 0;
		while (*v == ' ' || *v == '"')
			v++;
		while (k + 1 < h->len && v < data + n && *v != '"' && *v != '\r' && *v != '\n')
			h->etag[k++] = *v++;
		h->etag[k] = '\0';
	}
	return n;
}

/* The size (and for S3 the ETag) of what url holds. */
static int remote_size(struct net *n, const char *url, const char *what, long long *size,
		       char *etag, size_t etag_len, struct ofb_error *err)
{
	struct header_capture hc = { etag, etag_len, 0 };
	struct curl_slist *hdr = NULL;
	CURL *c = net_handle(n, url);
	curl_off_t len = -1;
	long code;
	int ret = -1;

	if (!c) {
		ofb_error_set(err, "%s: cannot start a transfer", what);
		return -1;
	}
	if (etag)
		etag[0] = '\0';
	curl->easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (etag) {
		curl->easy_setopt(c, CURLOPT_HEADERFUNCTION, capture_etag);
		curl->easy_setopt(c, CURLOPT_HEADERDATA, &hc);
	}
	if (n->scheme == S_S3) {
		hdr = curl->slist_append(hdr, "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427"
					     "ae41e4649b934ca495991b7852b855");
		curl->easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	}
	if (perform(n, c, what, &code, err) != CURLE_OK)
		goto out;
	if ((n->scheme == S_S3 || n->scheme == S_HTTP) && !http_ok(code)) {
		ofb_error_set(err, "%s: the server answered %ld when asked for the size", what, code);
		goto out;
	}
	curl->easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	*size = (long long)len;
	if (etag && hc.etag_not_md5)
		etag[0] = '\0';
	ret = 0;
out:
	curl->slist_free_all(hdr);
	curl->easy_cleanup(c);
	return ret;
}

static int check_size(struct net *n, const struct facts *f, const char *url,
		      const char *what, struct ofb_error *err)
{
	char etag[80];
	long long size;

	if (remote_size(n, url, what, &size, n->scheme == S_S3 ? etag : NULL, sizeof etag,
			err) != 0)
		return -1;
	if (size != f->size) {
		ofb_error_set(err, "%s: the server holds %lld bytes instead of %lld", what, size,
			      f->size);
		return -1;
	}
	/* a single upload's ETag is its MD5 (not with KMS or customer keys: not compared) */
	if (n->scheme == S_S3 && etag[0] && strlen(etag) == 32 && strcasecmp(etag, f->md5)) {
		ofb_error_set(err, "%s: the stored object's MD5 (ETag %s) is not the package's",
			      what, etag);
		return -1;
	}
	return 0;
}

/* Commands run on an SFTP or FTP server (consumed): SFTP's before the transfer, FTP's
 * after the change into the target's folder, where the files are. */
static int server_commands(struct net *n, struct curl_slist *cmds, const char *what,
			   struct ofb_error *err)
{
	CURL *c = net_handle(n, n->base);
	long code;
	int ret = -1;

	if (!c) {
		ofb_error_set(err, "%s: cannot start a transfer", what);
	} else {
		curl->easy_setopt(c, CURLOPT_NOBODY, 1L);
		curl->easy_setopt(c, n->scheme == S_SFTP ? CURLOPT_QUOTE : CURLOPT_POSTQUOTE, cmds);
		ret = perform(n, c, what, &code, err) == CURLE_OK ? 0 : -1;
		curl->easy_cleanup(c);
	}
	curl->slist_free_all(cmds);
	return ret;
}

/* WebDAV: one request without a body on url (MOVE, DELETE), with headers (consumed). */
static int dav_request(struct net *n, const char *url, const char *method,
		       struct curl_slist *hdr, const char *what, struct ofb_error *err)
{
	CURL *c = net_handle(n, url);
	long code;
	int ret = -1;

	if (!c) {
		ofb_error_set(err, "%s: cannot start a transfer", what);
	} else {
		curl->easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl->easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		if (perform(n, c, what, &code, err) == CURLE_OK) {
			if (http_ok(code))
				ret = 0;
			else
				ofb_error_set(err, "%s: the server answered %ld to %s", what, code,
					      method);
		}
		curl->easy_cleanup(c);
	}
	curl->slist_free_all(hdr);
	return ret;
}

/* The temporary file renamed over the final one, by the protocol's own commands. */
static int rename_remote(struct net *n, const char *tmp, const char *name, const char *tmp_url,
			 const char *final_url, const char *what, struct ofb_error *err)
{
	struct curl_slist *list = NULL;

	switch (n->scheme) {
	case S_SFTP:
		/* SFTP's rename does not replace: the old file is moved aside (to .NAME.old, '*':
		 * it may be absent), the new one renamed into place, then the old one removed;
		 * rename_back() undoes the first step when the second fails */
		add_line(&list, "*rm \"%s.%s.old\"", n->dir, name);
		add_line(&list, "*rename \"%s%s\" \"%s.%s.old\"", n->dir, name, n->dir, name);
		add_line(&list, "rename \"%s%s\" \"%s%s\"", n->dir, tmp, n->dir, name);
		add_line(&list, "*rm \"%s.%s.old\"", n->dir, name);
		return server_commands(n, list, what, err);
	case S_FTPS:
		add_line(&list, "RNFR %s", tmp);
		add_line(&list, "RNTO %s", name);
		return server_commands(n, list, what, err);
	case S_HTTP:
		add_line(&list, "Destination: %s", final_url);
		list = curl->slist_append(list, "Overwrite: T");
		return dav_request(n, tmp_url, "MOVE", list, what, err);
	case S_S3:
		break;
	}
	return 0;
}

/* SFTP, after a failed rename: last week's file back under its name (best effort). */
static void rename_back(struct net *n, const char *name)
{
	struct curl_slist *cmds = NULL;
	struct ofb_error ignored;

	ofb_error_clear(&ignored);
	add_line(&cmds, "*rename \"%s.%s.old\" \"%s%s\"", n->dir, name, n->dir, name);
	server_commands(n, cmds, "", &ignored);
}

/* Best effort: the temporary file of a failed attempt removed. */
static void remove_remote(struct net *n, const char *tmp, const char *tmp_url)
{
	struct curl_slist *cmds = NULL;
	struct ofb_error ignored;

	ofb_error_clear(&ignored);
	if (n->scheme == S_SFTP)
		add_line(&cmds, "*rm \"%s%s\"", n->dir, tmp);
	else if (n->scheme == S_FTPS)
		add_line(&cmds, "*DELE %s", tmp);
	if (cmds)
		server_commands(n, cmds, "", &ignored);
	else
		dav_request(n, tmp_url, "DELETE", NULL, "", &ignored);
}

static int to_network(struct net *n, const struct facts *f, const char *name,
		      struct ofb_error *err)
{
	CURL *c = curl->easy_init();
	char *tmp = xasprintf(".%s.part", name), *e_name, *e_tmp, *final_url, *tmp_url, *what;
	int ret = -1;

	if (!c) {
		free(tmp);
		ofb_error_set(err, "cannot start libcurl");
		return -1;
	}
	e_name = escaped(c, name);
	e_tmp = escaped(c, tmp);
	curl->easy_cleanup(c);
	final_url = xasprintf("%s%s", n->base, e_name);
	tmp_url = xasprintf("%s%s", n->base, e_tmp);
	what = xasprintf("copy to %s", n->t->to);
	if (n->scheme == S_S3) {
		/* an object appears only whole: straight to its name */
		ret = upload(n, f, final_url, what, err) == 0 &&
		      check_size(n, f, final_url, what, err) == 0 ? 0 : -1;
		goto out;
	}
	if (upload(n, f, tmp_url, what, err) != 0 || check_size(n, f, tmp_url, what, err) != 0) {
		if (!n->hostkey)
			remove_remote(n, tmp, tmp_url);
		goto out;
	}
	if (rename_remote(n, tmp, name, tmp_url, final_url, what, err) != 0) {
		/* the complete upload stays under its temporary name: it may be all there is */
		if (n->scheme == S_SFTP)
			rename_back(n, name);
		goto out;
	}
	ret = check_size(n, f, final_url, what, err);
out:
	free(tmp);
	free(e_name);
	free(e_tmp);
	free(final_url);
	free(tmp_url);
	free(what);
	return ret;
}

/* --- the targets -------------------------------------------------------------------- */

/* One target, with retries: 1, 2, 4 ... seconds apart (at most MAX_BACKOFF). A refused
 * host key, refused credentials or a configuration problem is not retried. */
static int copy_target(const struct ofb_copy_target *t, const struct facts *f,
		       const char *name, struct ofb_error *err)
{
	int folder = t->to[0] == '/', rc = -1;
	struct net n;

	memset(&n, 0, sizeof n);
	/* libcurl for the network targets alone: a folder takes none */
	if (!folder && !curl && !(curl = ofb_curl_load(err)))
		return -1;
	if (!folder && net_setup(t, &n, err) != 0) {
		net_free(&n);
		return -1;
	}
	for (long attempt = 0; attempt <= t->retries; attempt++) {
		if (attempt) {
			ofb_info("copy to %s: trying again (%s)", t->to, err->msg);
			sleep(attempt > 5 ? MAX_BACKOFF : (1u << (attempt - 1)));
		}
		ofb_error_clear(err);
		n.hostkey = NULL;
		n.permanent = 0;
		rc = folder ? to_folder(t->to, f, name, err) : to_network(&n, f, name, err);
		if (rc == 0 || n.permanent)
			break;
	}
	net_free(&n);
	return rc;
}

static const struct ofb_copy_target *find_target(const struct ofb_config *cfg,
						 const char *name)
{
	for (size_t i = 0; i < cfg->n_copies; i++)
		if (!strcmp(cfg->copies[i].name, name))
			return &cfg->copies[i];
	return NULL;
}

int ofb_copy_send(const struct ofb_config *cfg, const char *file, const char *remote_name,
		  char *const *names, size_t n_names, struct ofb_copy_report *rep,
		  struct ofb_error *err)
{
	char *base_copy = xstrdup(file);
	const char *name = remote_name ? remote_name : basename(base_copy);
	struct facts f;
	int rc = OFB_EXIT_OK;

	memset(rep, 0, sizeof *rep);
	/* the name reaches the servers' commands (SFTP rename, FTP RNFR): plain names only */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || *p == '/' ||
		    (p == (const unsigned char *)name && *p == '.')) {
			ofb_error_usage(err, "'%s' is not copied: a package sent offsite needs a "
					"plain file name (no quotes, backslashes, control characters, no "
					"leading dot); rename it", file);
			free(base_copy);
			return OFB_EXIT_USAGE;
		}
	for (size_t i = 0; i < n_names; i++)
		if (!find_target(cfg, names[i])) {
			ofb_error_usage(err, "'%s' is no offsite target: the configuration has %s",
					names[i], cfg->n_copies ? "[copy.NAME] sections for others"
								: "none ([copy.NAME] or [schedule] "
								  "copy_to)");
			free(base_copy);
			return OFB_EXIT_USAGE;
		}
	if (file_facts(file, &f, err) != 0) {
		free(base_copy);
		return OFB_EXIT_FAILED;
	}
	for (size_t i = 0; i < cfg->n_copies; i++) {
		const struct ofb_copy_target *t = &cfg->copies[i];
		struct ofb_copy_result *res;
		struct ofb_error cerr;
		int wanted = n_names == 0;
		for (size_t k = 0; !wanted && k < n_names; k++)
			wanted = !strcmp(names[k], t->name);
		if (!wanted)
			continue;
		rep->results = xrealloc(rep->results, (rep->n + 1) * sizeof *rep->results);
		res = &rep->results[rep->n++];
		memset(res, 0, sizeof *res);
		res->target = xstrdup(t->name);
		res->where = xstrdup(t->to);
		ofb_info("copying '%s' to %s (%s)", file, t->name, t->to);
		ofb_error_clear(&cerr);
		if (copy_target(t, &f, name, &cerr) == 0) {
			res->ok = 1;
			ofb_info("copied to %s: %s%s%s", t->name, t->to,
				 t->to[strlen(t->to) - 1] == '/' ? "" : "/", name);
			continue;
		}
		res->message = xstrdup(cerr.msg);
		rep->failed++;
		ofb_warn("offsite copy '%s' failed: %s", t->name, cerr.msg);
		rc = OFB_EXIT_WARNINGS;
	}
	free(base_copy);
	return rc;
}

char *ofb_copy_report_line(const struct ofb_copy_report *rep)
{
	struct buf b;

	if (!rep->n)
		return xstrdup("-");
	buf_init(&b);
	for (size_t i = 0; i < rep->n; i++)
		buf_addf(&b, "%s%s:%s", i ? "," : "", rep->results[i].target,
			 rep->results[i].ok ? "ok" : "failed");
	return buf_detach(&b);
}

void ofb_copy_report_free(struct ofb_copy_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->results[i].target);
		free(rep->results[i].where);
		free(rep->results[i].message);
	}
	free(rep->results);
	memset(rep, 0, sizeof *rep);
}
