/* connstr.c - ODBC connection strings (connstr.h): reading and setting keys, masking and
 * stripping secrets, and building the string for a configured connection with its
 * password from the configuration, the environment or a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "connstr.h"
#include "progress.h"
#include "util.h"

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static void wipe(char *s)
{
	if (s)
		ofb_wipe(s, strlen(s));
}

struct connstr_pair {
	const char *key;        /* trimmed key */
	size_t key_len;
	const char *value;      /* just after '=', or NULL for a segment without '=' */
	const char *end;        /* the ';' closing the pair, or the terminating NUL */
};

/* Parses the pair starting at *pos and moves *pos past it; returns 0 at the end. */
static int next_pair(const char **pos, struct connstr_pair *pair)
{
	const char *p = *pos, *v;

	if (!*p)
		return 0;
	pair->key = p;
	while (*p && *p != '=' && *p != ';')
		p++;
	pair->key_len = (size_t)(p - pair->key);
	pair->key = ofb_trim_span(pair->key, &pair->key_len);
	pair->value = NULL;
	if (*p == '=') {
		pair->value = ++p;
		v = p;
		while (is_blank(*v))
			v++;
		if (*v == '{') {
			for (p = v + 1; *p; p++) {
				if (*p != '}')
					continue;
				if (p[1] != '}')
					break;
				p++;    /* "}}" is an escaped brace */
			}
			/* an unclosed brace swallows the rest: safer for masking than guessing */
			if (*p)
				p++;
		}
		while (*p && *p != ';')
			p++;
	}
	pair->end = p;
	*pos = *p ? p + 1 : p;
	return 1;
}

char *ofb_connstr_get(const char *connstr, const char *key)
{
	struct connstr_pair pair;

	while (next_pair(&connstr, &pair)) {
		const char *v = pair.value, *end = pair.end;
		struct buf b;
		if (!v || !ofb_span_is(pair.key, pair.key_len, key))
			continue;
		while (is_blank(*v))
			v++;
		while (end > v && is_blank(end[-1]))
			end--;
		buf_init(&b);
		if (*v == '{') {
			for (v++; v < end && !(*v == '}' && v[1] != '}'); v++) {
				if (*v == '}')
					v++;   /* "}}" */
				buf_addc(&b, *v);
			}
		} else {
			buf_add(&b, v, (size_t)(end - v));
		}
		return buf_detach(&b);
	}
	return NULL;
}

static void add_value(struct buf *out, const char *value);

char *ofb_connstr_set(const char *connstr, const char *key, const char *value)
{
	const char *pos = connstr;
	struct connstr_pair pair;
	struct buf b;
	int done = 0;

	buf_init(&b);
	while (next_pair(&pos, &pair)) {
		const char *start = pair.key;
		if (pair.value && ofb_span_is(pair.key, pair.key_len, key)) {
			if (done)
				continue;
			done = 1;
			buf_add(&b, pair.key, pair.key_len);
			buf_addc(&b, '=');
			add_value(&b, value);
		} else {
			if (!pair.value && pair.key_len == 0)
				continue;
			buf_add(&b, start, (size_t)(pair.end - start));
		}
		buf_addc(&b, ';');
	}
	if (!done) {
		buf_adds(&b, key);
		buf_addc(&b, '=');
		add_value(&b, value);
		buf_addc(&b, ';');
	}
	return buf_detach(&b);
}

static int is_password_key(const char *key, size_t n)
{
	return ofb_span_is(key, n, "PWD") || ofb_span_is(key, n, "PASSWORD");
}

static int is_user_key(const char *key, size_t n)
{
	return ofb_span_is(key, n, "UID") || ofb_span_is(key, n, "USER");
}

/* The first key of connstr that matches and has a value, as written (*key_len bytes,
 * not terminated), or NULL. */
static const char *connstr_key(const char *connstr, int (*matches)(const char *, size_t),
			       size_t *key_len)
{
	struct connstr_pair pair;

	while (next_pair(&connstr, &pair)) {
		if (pair.value && matches(pair.key, pair.key_len)) {
			*key_len = pair.key_len;
			return pair.key;
		}
	}
	return NULL;
}

static int connstr_has(const char *connstr, int (*matches)(const char *, size_t))
{
	size_t key_len;

	return connstr_key(connstr, matches, &key_len) != NULL;
}

/* s[0..n) contains word, ignoring ASCII case. */
static int span_contains(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word), i;

	for (i = 0; i + w <= n; i++)
		if (ofb_span_is(s + i, w, word))
			return 1;
	return 0;
}

/* Keys whose values are masked: any name with PWD or PASSWORD in it (PWD, Password,
 * SSLKeyPassword, ...), wider than is_password_key, which names the login password. */
static int is_secret_key(const char *key, size_t n)
{
	return span_contains(key, n, "PWD") || span_contains(key, n, "PASSWORD");
}

/* Append value as ODBC wants it: braced when it holds ';', '{' or '}' or starts or ends
 * with a blank (drivers would trim or split it otherwise). */
static void add_value(struct buf *out, const char *value)
{
	size_t n = strlen(value);
	const char *p;

	if (!strpbrk(value, ";{}") && !(n && (is_blank(value[0]) || is_blank(value[n - 1])))) {
		buf_add(out, value, n);
		return;
	}
	buf_addc(out, '{');
	for (p = value; *p; p++) {
		buf_addc(out, *p);
		if (*p == '}')
			buf_addc(out, '}');
	}
	buf_addc(out, '}');
}

static int has_password_source(const struct ofb_dbconn *conn)
{
	return conn->password || conn->password_env || conn->password_file;
}

/* First line of path without its line end, into *out (malloc'd). */
static int read_password_file(const char *path, char **out, struct ofb_error *err)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0, n;
	ssize_t len;
	int rc = -1;

	f = fopen(path, "r");
	if (!f) {
		ofb_error_usage(err, "cannot read password file '%s': %s; check password_file "
				"and that the backup user may read it", path, strerror(errno));
		goto out;
	}
	errno = 0;
	len = getline(&line, &cap, f);
	if (len < 0) {
		if (ferror(f))
			ofb_error_usage(err, "cannot read password file '%s': %s", path,
					strerror(errno ? errno : EIO));
		else
			ofb_error_usage(err, "password file '%s' is empty; put the password on "
					"its first line", path);
		goto out;
	}
	n = (size_t)len;
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	*out = line;
	line = NULL;
	rc = 0;
out:
	/* after a failed getline() the buffer need not hold a terminated string */
	if (line)
		ofb_wipe(line, cap);
	free(line);
	if (f)
		fclose(f);
	return rc;
}

int ofb_secret_resolve(const char *literal, const char *env, const char *file, char **out,
		       struct ofb_error *err)
{
	const char *value;
	struct stat st;

	if (literal) {
		*out = xstrdup(literal);
		return 0;
	}
	if (env) {
		value = getenv(env);
		if (!value) {
			ofb_error_usage(err, "environment variable '%s' (password_env) is not set; "
					"set it for the backup job or change password_env", env);
			return -1;
		}
		*out = xstrdup(value);
		return 0;
	}
	if (stat(file, &st) == 0 && (st.st_mode & S_IROTH))
		ofb_warn("password file '%s' can be read by every user of this machine; "
			 "chmod o-r it", file);
	return read_password_file(file, out, err);
}

static int resolve_password(const struct ofb_dbconn *conn, char **out, struct ofb_error *err)
{
	return ofb_secret_resolve(conn->password, conn->password_env, conn->password_file, out,
				  err);
}

char *ofb_dbconn_string(const struct ofb_dbconn *conn, struct ofb_error *err)
{
	struct buf out;
	char *password = NULL, *result = NULL;
	int want_user, want_password;
	size_t n;

	buf_init(&out);
	if (conn->connect && conn->dsn) {
		ofb_error_usage(err, "both 'connect' and 'dsn' are set; keep only one of them");
		goto out;
	}
	if (!conn->connect && !conn->dsn) {
		ofb_error_usage(err, "neither 'connect' nor 'dsn' is set; give one of them");
		goto out;
	}
	if (conn->connect) {
		/* what the connection string already says wins over the separate keys */
		want_user = conn->user && !connstr_has(conn->connect, is_user_key);
		want_password = has_password_source(conn) &&
				!connstr_has(conn->connect, is_password_key);
		buf_adds(&out, conn->connect);
		n = out.len;
		while (n && is_blank(out.data[n - 1]))
			n--;
		if ((want_user || want_password) && n && out.data[n - 1] != ';')
			buf_addc(&out, ';');
	} else {
		want_user = conn->user != NULL;
		want_password = has_password_source(conn);
		buf_adds(&out, "DSN=");
		add_value(&out, conn->dsn);
		buf_addc(&out, ';');
	}
	if (want_user) {
		buf_adds(&out, "UID=");
		add_value(&out, conn->user);
		buf_addc(&out, ';');
	}
	if (want_password) {
		if (resolve_password(conn, &password, err))
			goto out;
		/* room for the worst case up front, so no reallocation leaves a copy of the
		 * password behind in freed memory */
		buf_grow(&out, 2 * strlen(password) + 8);
		buf_adds(&out, "PWD=");
		add_value(&out, password);
		buf_addc(&out, ';');
	}
	result = buf_detach(&out);
out:
	ofb_secret_free(password);
	if (out.cap)
		wipe(out.data);    /* a given connect string may carry a PWD */
	buf_free(&out);
	return result;
}

/* connstr with the value of every secret replaced by mask, or, with mask NULL, every
 * secret pair left out with its ';'. *n_secrets (may be NULL) counts them. */
static char *edit_secrets(const char *connstr, const char *mask, size_t *n_secrets)
{
	struct connstr_pair pair;
	struct buf out;
	const char *pos = connstr, *copied = connstr;
	int in_secret = 0;

	if (n_secrets)
		*n_secrets = 0;
	if (!connstr)
		return NULL;
	buf_init(&out);
	while (next_pair(&pos, &pair)) {
		if (pair.value && is_secret_key(pair.key, pair.key_len)) {
			if (mask) {
				buf_add(&out, copied, (size_t)(pair.value - copied));
				buf_adds(&out, mask);
				copied = pair.end;
			} else {
				buf_add(&out, copied, (size_t)(pair.key - copied));
				copied = *pair.end ? pair.end + 1 : pair.end;
			}
			in_secret = 1;
			if (n_secrets)
				(*n_secrets)++;
		} else if (!pair.value && in_secret) {
			/* no key=value pair: an unbraced secret went on past a ';'
			 * (PWD=ab;cd), so this belongs to it and is dropped with it */
			copied = mask || !*pair.end ? pair.end : pair.end + 1;
		} else {
			in_secret = 0;
		}
	}
	buf_adds(&out, copied);
	/* a dropped last pair leaves its separator behind */
	if (!mask && out.len && out.data[out.len - 1] == ';' && copied != connstr &&
	    connstr[strlen(connstr) - 1] != ';')
		out.data[--out.len] = '\0';
	return buf_detach(&out);
}

char *ofb_mask_secrets(const char *connstr)
{
	return edit_secrets(connstr, "***", NULL);
}

char *ofb_strip_secrets(const char *connstr, size_t *n_secrets)
{
	return edit_secrets(connstr, NULL, n_secrets);
}

static void replace(char **field, const char *value, int secret)
{
	if (secret)
		ofb_secret_free(*field);
	else
		free(*field);
	*field = value ? xstrdup(value) : NULL;
}

/*
 * Only the fields src sets replace those of dst, but two groups replace as a whole: the
 * target (connect or dsn) and the password source (password, password_env,
 * password_file). An override naming a dsn must not leave the base's connect string
 * beside it, and an override's password_env must not lose to a literal password the
 * base happened to carry.
 */
void ofb_dbconn_copy(struct ofb_dbconn *dst, const struct ofb_dbconn *src)
{
	if (dst == src)
		return;
	if (src->connect || src->dsn) {
		replace(&dst->connect, src->connect, 1);    /* a connect string may hold a PWD */
		replace(&dst->dsn, src->dsn, 0);
	}
	if (src->user)
		replace(&dst->user, src->user, 0);
	if (has_password_source(src)) {
		replace(&dst->password, src->password, 1);
		replace(&dst->password_env, src->password_env, 0);
		replace(&dst->password_file, src->password_file, 0);
	}
}

void ofb_dbconn_free(struct ofb_dbconn *c)
{
	if (!c)
		return;
	ofb_secret_free(c->connect);
	free(c->dsn);
	free(c->user);
	ofb_secret_free(c->password);
	free(c->password_env);
	free(c->password_file);
	memset(c, 0, sizeof *c);
}

const char *ofb_connstr_user_key(const char *connstr, size_t *key_len)
{
	return connstr_key(connstr, is_user_key, key_len);
}

const char *ofb_connstr_password_key(const char *connstr, size_t *key_len)
{
	return connstr_key(connstr, is_password_key, key_len);
}
