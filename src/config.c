/* config.c - loads the INI configuration and builds ODBC connection strings from it. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <iniparser.h>

#include "config.h"
#include "error.h"
#include "util.h"

#define DEFAULT_CONFIG_PATH "/etc/ofbackup/ofbackup.ini"
#define CLIENT_PREFIX "client."

/*
 * Section and key names.
 *
 * iniparser lowercases every section and key name while loading, so "[Login]" and
 * "[login]" are the same section and "Connect" the same key as "connect". The same holds for
 * "[client.ID]": the client id in the section name arrives lowercased, so overrides are
 * matched against registry ids case-insensitively (ofb_config_client), and the id is kept
 * as iniparser hands it over. Two sections whose ids differ only in case are one section.
 */

enum section_kind { SEC_UNKNOWN, SEC_LOGIN, SEC_REGISTRY, SEC_BACKUP, SEC_CLIENT };

static const char *const login_keys[] = {
	"connect", "dsn", "user", "password", "password_env", "password_file", NULL
};
static const char *const client_keys[] = {
	"connect", "dsn", "user", "password", "password_env", "password_file", "files", NULL
};
static const char *const registry_keys[] = {
	"table", "id", "name", "connect", "files_dir", "offline", NULL
};
static const char *const backup_keys[] = { "dir", NULL };

/* The [login]/[client.x] keys that fill a struct ofb_dbconn. */
static const struct {
	const char *key;
	size_t offset;
	int must_have_value;    /* an empty connect/dsn is a mistake, not "unset" */
} dbconn_fields[] = {
	{ "connect",       offsetof(struct ofb_dbconn, connect),       1 },
	{ "dsn",           offsetof(struct ofb_dbconn, dsn),           1 },
	{ "user",          offsetof(struct ofb_dbconn, user),          0 },
	{ "password",      offsetof(struct ofb_dbconn, password),      0 },
	{ "password_env",  offsetof(struct ofb_dbconn, password_env),  0 },
	{ "password_file", offsetof(struct ofb_dbconn, password_file), 0 },
};

static const struct {
	const char *key;
	size_t offset;
	const char *fallback;
} registry_fields[] = {
	{ "table",     offsetof(struct ofb_registry_map, table),       "clients" },
	{ "id",        offsetof(struct ofb_registry_map, col_id),      "id" },
	{ "name",      offsetof(struct ofb_registry_map, col_name),    "name" },
	{ "connect",   offsetof(struct ofb_registry_map, col_connect), "connect" },
	{ "files_dir", offsetof(struct ofb_registry_map, col_files),   "files_dir" },
	{ "offline",   offsetof(struct ofb_registry_map, col_offline), "offline" },
};

#define N_ELEMS(a) (sizeof (a) / sizeof (a)[0])

static void wipe(char *s)
{
	if (s)
		ofb_wipe(s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void add_warning(struct ofb_config *cfg, const char *fmt, ...)
{
	va_list ap;

	cfg->warnings = xrealloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof *cfg->warnings);
	va_start(ap, fmt);
	cfg->warnings[cfg->n_warnings++] = xvasprintf(fmt, ap);
	va_end(ap);
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* s[0..n) equals word, ignoring ASCII case. */
static int span_is(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!word[i] || ascii_lower((unsigned char)s[i]) != ascii_lower((unsigned char)word[i]))
			return 0;
	return word[n] == '\0';
}

/* The span s[0..*n) without blanks at either end. */
static const char *trim_span(const char *s, size_t *n)
{
	while (*n && is_blank(*s)) {
		s++;
		(*n)--;
	}
	while (*n && (is_blank(s[*n - 1]) || s[*n - 1] == '\r' || s[*n - 1] == '\n'))
		(*n)--;
	return s;
}

static enum section_kind classify_section(const char *name)
{
	if (!strcmp(name, "login"))
		return SEC_LOGIN;
	if (!strcmp(name, "registry"))
		return SEC_REGISTRY;
	if (!strcmp(name, "backup"))
		return SEC_BACKUP;
	if (!strncmp(name, CLIENT_PREFIX, strlen(CLIENT_PREFIX)))
		return SEC_CLIENT;
	return SEC_UNKNOWN;
}

static int is_known_key(enum section_kind kind, const char *key)
{
	const char *const *keys = NULL;

	switch (kind) {
	case SEC_LOGIN:    keys = login_keys; break;
	case SEC_REGISTRY: keys = registry_keys; break;
	case SEC_BACKUP:   keys = backup_keys; break;
	case SEC_CLIENT:   keys = client_keys; break;
	case SEC_UNKNOWN:  return 0;
	}
	for (; *keys; keys++)
		if (!strcmp(*keys, key))
			return 1;
	return 0;
}

/* Three %s arguments: "in section [name]", or "outside any section" for an empty name. */
#define SECTION_WORDS(name) \
	(*(name) ? "in section [" : "outside any section"), (name), (*(name) ? "]" : "")

/*
 * Raw check of the file before iniparser reads it.
 *
 * iniparser 4.1 takes an unquoted value only up to its first ';' or '#', blank before it
 * or not: `connect = Driver=SQLite3 ;Database=x` silently becomes "Driver=SQLite3", and
 * `password = secret #1` becomes "secret". A quoted value ends at the first quote of its
 * kind and whatever follows is dropped: `"ab"cd"` becomes "ab", `'it''s'` becomes "it".
 * Such cuts cannot be seen in the parsed result, so the lines are checked here, joined
 * the way iniparser joins them (a line ending in '\' continues on the next one).
 *
 * The keys whose values are used as written (strict_key) are refused when they contain
 * ';' or '#' after their first character unquoted, or when quoted, contain their own quote
 * or have text other than a comment after the closing quote. A comment after a value is
 * therefore written after a quoted value: connect = "..." ; comment. For the other keys
 * (password_env, whose value is a variable name, and unknown keys) a comment after a blank
 * stays allowed and only a ';' or '#' glued to the text before it is refused. A value
 * starting with ';' or '#' is empty and the rest of the line a comment, for every key.
 * Values are never echoed: they may be passwords.
 */

/* The keys whose values ofbackup takes as written, so a cut value would go unnoticed. */
static int strict_key(enum section_kind kind, const char *key, size_t n)
{
	static const char *const conn_keys[] = {
		"connect", "dsn", "user", "password", "password_file", NULL
	};
	const char *const *keys = NULL;

	switch (kind) {
	case SEC_LOGIN:    keys = conn_keys; break;
	case SEC_CLIENT:   keys = conn_keys; break;
	case SEC_REGISTRY: keys = registry_keys; break;
	case SEC_BACKUP:   keys = backup_keys; break;
	case SEC_UNKNOWN:  return 0;
	}
	if (kind == SEC_CLIENT && span_is(key, n, "files"))
		return 1;
	for (; *keys; keys++)
		if (span_is(key, n, *keys))
			return 1;
	return 0;
}

enum value_problem {
	VALUE_OK,
	VALUE_UNCLOSED,        /* a quote opened and not closed */
	VALUE_COMMENT_CHAR,    /* an unquoted ';' or '#' that would cut the value */
	VALUE_OWN_QUOTE,       /* a quoted value holding its own quote character */
	VALUE_AFTER_QUOTE,     /* text after the closing quote that is no comment */
};

/* What iniparser would do wrong with value[0..n) (the trimmed text after '='); *at gets
 * the offending character. strict: see strict_key. */
static enum value_problem check_value(const char *value, size_t n, int strict, char *at)
{
	const char *close, *rest, *end = value + n;
	size_t i;

	if (n == 0 || value[0] == ';' || value[0] == '#')
		return VALUE_OK;    /* empty; the rest is a comment */
	if (value[0] == '"' || value[0] == '\'') {
		*at = value[0];
		close = memchr(value + 1, value[0], n - 1);
		if (!close)
			return VALUE_UNCLOSED;
		if (!strict)
			return VALUE_OK;
		for (rest = close + 1; rest < end && isspace((unsigned char)*rest); rest++)
			;
		if (rest == end || *rest == ';' || *rest == '#')
			return VALUE_OK;
		return memchr(rest, value[0], (size_t)(end - rest)) ? VALUE_OWN_QUOTE
								     : VALUE_AFTER_QUOTE;
	}
	for (i = 1; i < n; i++) {
		if ((value[i] == ';' || value[i] == '#') &&
		    (strict || !isspace((unsigned char)value[i - 1]))) {
			*at = value[i];
			return VALUE_COMMENT_CHAR;
		}
	}
	return VALUE_OK;
}

/* How to write value[0..n) so that iniparser keeps it whole (malloc'd): in double quotes,
 * in single quotes when it holds a double quote, and no way when it holds both. */
static char *quote_remedy(const char *key, size_t key_len, const char *value, size_t n,
			  int in_quotes)
{
	int has_double = memchr(value, '"', n) != NULL, has_single = memchr(value, '\'', n) != NULL;

	if (has_double && has_single)
		return xstrdup("a value holding both '\"' and \"'\" cannot be quoted in this file "
			       "(a password can go into password_file or password_env instead)");
	if (has_double)
		return xasprintf("%s single quotes%s: %.*s = '...'",
				 in_quotes ? "enclose it in" : "put the whole value in",
				 in_quotes ? " instead" : ", as it contains '\"'",
				 (int)key_len, key);
	return xasprintf("%s double quotes%s: %.*s = \"...\"%s",
			 in_quotes ? "enclose it in" : "put the whole value in",
			 in_quotes ? " instead" : "", (int)key_len, key,
			 in_quotes ? "" : " (a comment may follow the closing quote)");
}

/* The next logical line as iniparser reads it into out: a line whose last character
 * (before trailing white space) is '\' continues on the next line, the '\' dropped.
 * *first is the number of its first physical line. Returns 0 at the end of the file;
 * like iniparser, a continuation still open there is dropped. */
static int read_logical_line(FILE *f, char **line, size_t *cap, struct buf *out,
			     long *line_no, long *first)
{
	ssize_t len;

	buf_reset(out);
	*first = *line_no + 1;
	while ((len = getline(line, cap, f)) >= 0) {
		size_t n = (size_t)len;

		(*line_no)++;
		while (n && isspace((unsigned char)(*line)[n - 1]))
			n--;
		if (n && (*line)[n - 1] == '\\') {
			buf_add(out, *line, n - 1);
			continue;
		}
		buf_add(out, *line, n);
		return 1;
	}
	return 0;
}

static int check_raw_lines(FILE *f, const char *path, struct ofb_error *err)
{
	char *line = NULL, *section = NULL, *remedy, **seen = NULL;
	struct buf logical;
	size_t cap = 0, n_seen = 0;
	long line_no = 0, first;
	int rc = -1;

	buf_init(&logical);
	section = xstrdup("");
	while (read_logical_line(f, &line, &cap, &logical, &line_no, &first)) {
		size_t n = logical.len, key_len, value_len, i;
		const char *s, *eq, *key, *value;
		enum value_problem problem;
		int strict;
		char at = 0;

		s = logical.data;
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		if (n == 0 || s[0] == ';' || s[0] == '#')
			continue;
		if (s[0] == '[' && s[n - 1] == ']') {
			/* iniparser: "[name]" with the name up to the first ']' */
			const char *close = memchr(s, ']', n);
			size_t name_len = (size_t)(close - s - 1);
			const char *name = trim_span(s + 1, &name_len);

			free(section);
			section = xstrndup(name, name_len);
			for (i = 0; section[i]; i++)
				section[i] = (char)ascii_lower((unsigned char)section[i]);
			/* iniparser merges a section given twice, the later keys winning:
			 * which [login] is meant cannot be told */
			for (i = 0; i < n_seen; i++)
				if (strcmp(seen[i], section) == 0) {
					ofb_error_usage(err, "config '%s' line %ld: section [%s] appears a "
							"second time; keep one", path, first, section);
					goto out;
				}
			seen = xrealloc(seen, (n_seen + 1) * sizeof *seen);
			seen[n_seen++] = xstrdup(section);
			continue;
		}
		eq = memchr(s, '=', n);
		if (!eq)
			continue;    /* iniparser reports the syntax error */
		key_len = (size_t)(eq - s);
		key = trim_span(s, &key_len);
		value = eq + 1;
		value_len = n - (size_t)(value - s);
		while (value_len && isspace((unsigned char)*value)) {
			value++;
			value_len--;
		}
		strict = *section && strict_key(classify_section(section), key, key_len);
		problem = check_value(value, value_len, strict, &at);
		switch (problem) {
		case VALUE_OK:
			continue;
		case VALUE_UNCLOSED:
			ofb_error_usage(err, "config '%s' line %ld: the value of key '%.*s' %s%s%s "
					"opens a %s quote but does not close it; close the "
					"quote on the same line",
					path, first, (int)key_len, key, SECTION_WORDS(section),
					at == '"' ? "double" : "single");
			goto out;
		case VALUE_COMMENT_CHAR:
			remedy = quote_remedy(key, key_len, value, value_len, 0);
			ofb_error_usage(err, "config '%s' line %ld: the value of key '%.*s' %s%s%s "
					"contains '%c', which starts a comment in an unquoted "
					"value, so the value would be cut there; %s",
					path, first, (int)key_len, key, SECTION_WORDS(section),
					at, remedy);
			free(remedy);
			goto out;
		case VALUE_OWN_QUOTE:
			remedy = quote_remedy(key, key_len, value + 1, value_len - 1, 1);
			ofb_error_usage(err, "config '%s' line %ld: the value of key '%.*s' %s%s%s "
					"is in %s quotes and contains that quote itself, so the "
					"value would end at its second %s quote; %s",
					path, first, (int)key_len, key, SECTION_WORDS(section),
					at == '"' ? "double" : "single",
					at == '"' ? "double" : "single", remedy);
			free(remedy);
			goto out;
		case VALUE_AFTER_QUOTE:
			ofb_error_usage(err, "config '%s' line %ld: the value of key '%.*s' %s%s%s "
					"has text after its closing quote, which would be dropped; "
					"put the whole value inside the quotes (a comment after the "
					"closing quote starts with ';' or '#')",
					path, first, (int)key_len, key, SECTION_WORDS(section));
			goto out;
		}
	}
	if (ferror(f)) {
		ofb_error_usage(err, "cannot read config '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(section);
	for (size_t k = 0; k < n_seen; k++)
		free(seen[k]);
	free(seen);
	/* the lines may hold passwords */
	if (line)
		ofb_wipe(line, cap);
	free(line);
	if (logical.cap)
		ofb_wipe(logical.data, logical.cap);
	buf_free(&logical);
	return rc;
}

/* iniparser reports through a process-wide callback and prints by default; library code
 * never prints, so the first message is kept here for the error object instead. Like
 * iniparser itself, this is not thread-safe: load configurations from one thread. */
static char ini_message[256];

__attribute__((format(printf, 1, 2)))
static int capture_ini_message(const char *fmt, ...)
{
	va_list ap;

	if (ini_message[0])
		return 0;
	va_start(ap, fmt);
	vsnprintf(ini_message, sizeof ini_message, fmt, ap);
	va_end(ap);
	return 0;
}

/* Only the first line of iniparser's message: for a syntax error the second line quotes
 * the offending text, which may hold a password. */
static const char *ini_message_summary(void)
{
	static const char prefix[] = "iniparser: ";
	char *s = ini_message, *nl;
	size_t n;

	if (!strncmp(s, prefix, sizeof prefix - 1))
		s += sizeof prefix - 1;
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	n = strlen(s);
	while (n && (s[n - 1] == ':' || is_blank(s[n - 1])))
		s[--n] = '\0';
	return *s ? s : "unknown error";
}

/* iniparser says "syntax error in PATH (LINE)"; reworded to name the line the way the
 * other messages do. */
static void report_parse_error(const char *path, struct ofb_error *err)
{
	const char *summary = ini_message_summary();
	const char *in = strstr(summary, " in "), *paren = strrchr(summary, '(');
	long line_no;

	if (in && paren && sscanf(paren, "(%ld)", &line_no) == 1)
		ofb_error_usage(err, "config '%s' line %ld: %.*s; %s", path, line_no,
				(int)(in - summary), summary,
				strstr(summary, "too long") ?
				"lines may hold at most 1024 characters (a long connection string "
				"can move into a DSN in odbc.ini)" : "fix that line");
	else
		ofb_error_usage(err, "cannot parse config '%s': %s", path, summary);
}

static dictionary *parse_file(const char *path, struct ofb_error *err)
{
	struct stat st;
	dictionary *dict = NULL;
	FILE *f = NULL;

	f = fopen(path, "r");
	if (!f) {
		ofb_error_usage(err, "cannot read config '%s': %s; create it from the sample "
				"ofbackup.ini, or name another file with -c or OFBACKUP_CONFIG",
				path, strerror(errno));
		goto out;
	}
	/* fopen() accepts a directory on POSIX; reading it would give an empty config */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		ofb_error_usage(err, "cannot read config '%s': it is a directory; name the "
				"ofbackup.ini file inside it", path);
		goto out;
	}
	if (check_raw_lines(f, path, err))
		goto out;

	ini_message[0] = '\0';
	iniparser_set_error_callback(capture_ini_message);
	dict = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (!dict)
		report_parse_error(path, err);
out:
	if (f)
		fclose(f);
	return dict;
}

/* The section a "section:key" entry belongs to, as the length of the section name, or 0
 * when none: the longest section name that prefixes it, because section names may
 * themselves contain ':'. */
static size_t owning_section(const dictionary *dict, const char *entry)
{
	size_t best = 0;
	int i;

	for (i = 0; i < dict->size; i++) {
		const char *name = dict->key[i];
		size_t n;

		if (!name || dict->val[i])
			continue;    /* sections are the entries without a value */
		n = strlen(name);
		if (n > best && !strncmp(entry, name, n) && entry[n] == ':')
			best = n;
	}
	return best;
}

/* Warns about unknown sections and keys, in file order (iniparser keeps insertion
 * order), and refuses a [client.] section without an id. */
static int check_names(const dictionary *dict, struct ofb_config *cfg, struct ofb_error *err)
{
	int i;

	for (i = 0; i < dict->size; i++) {
		const char *entry = dict->key[i];
		enum section_kind kind;
		size_t sec_len;
		char *section;

		if (!entry)
			continue;
		if (!dict->val[i]) {
			kind = classify_section(entry);
			if (kind == SEC_UNKNOWN)
				add_warning(cfg, "config '%s': unknown section [%s]", cfg->path, entry);
			if (kind == SEC_CLIENT && entry[strlen(CLIENT_PREFIX)] == '\0') {
				ofb_error_usage(err, "config '%s': section [%s] names no client; write "
						"the client id after the dot, e.g. [client.acme]",
						cfg->path, entry);
				return -1;
			}
			continue;
		}
		sec_len = owning_section(dict, entry);
		if (sec_len == 0) {
			add_warning(cfg, "config '%s': key '%s' outside any section",
				    cfg->path, entry[0] == ':' ? entry + 1 : entry);
			continue;
		}
		section = xstrndup(entry, sec_len);
		kind = classify_section(section);
		if (kind != SEC_UNKNOWN && !is_known_key(kind, entry + sec_len + 1))
			add_warning(cfg, "config '%s': unknown key '%s' in section [%s]",
				    cfg->path, entry + sec_len + 1, section);
		free(section);
	}
	return 0;
}

/* The raw value of section:key, or NULL when the key is absent. */
static const char *lookup(const dictionary *dict, const char *section, const char *key)
{
	char *entry = xasprintf("%s:%s", section, key);
	const char *value = iniparser_getstring(dict, entry, NULL);

	free(entry);
	return value;
}

static const char *connstr_key(const char *connstr, int (*matches)(const char *, size_t),
			       size_t *key_len);
static int is_password_key(const char *key, size_t n);
static int is_user_key(const char *key, size_t n);

/*
 * Settings of one section that ofb_dbconn_string would pass over without a word: user
 * beside a connect string with UID/USER, a password source beside one with PWD/PASSWORD,
 * and the password sources after the first in the order password, password_env,
 * password_file. Only the section's own connect string is looked at: for a [client.ID]
 * without one, the string comes from the registry and is known only when it is read.
 */
static void warn_ignored(struct ofb_config *cfg, const char *section,
			 const struct ofb_dbconn *conn)
{
	const char *const source_names[] = { "password", "password_env", "password_file" };
	const char *const sources[] = { conn->password, conn->password_env, conn->password_file };
	const char *key;
	size_t i, key_len, n_set = 0, winner = 0;
	struct buf ignored;

	if (conn->connect && conn->user &&
	    (key = connstr_key(conn->connect, is_user_key, &key_len)))
		add_warning(cfg, "config '%s': key 'user' in section [%s] is ignored because "
			    "'connect' already sets %.*s; remove one of the two",
			    cfg->path, section, (int)key_len, key);
	if (conn->connect && (key = connstr_key(conn->connect, is_password_key, &key_len))) {
		for (i = 0; i < N_ELEMS(sources); i++)
			if (sources[i])
				add_warning(cfg, "config '%s': key '%s' in section [%s] is ignored "
					    "because 'connect' already sets %.*s; remove one of "
					    "the two", cfg->path, source_names[i], section,
					    (int)key_len, key);
		return;
	}
	buf_init(&ignored);
	for (i = 0; i < N_ELEMS(sources); i++) {
		if (!sources[i])
			continue;
		if (n_set++ == 0) {
			winner = i;
			continue;
		}
		if (ignored.len)
			buf_adds(&ignored, " and ");
		buf_addf(&ignored, "'%s'", source_names[i]);
	}
	if (n_set > 1)
		add_warning(cfg, "config '%s': section [%s] sets more than one password source: "
			    "'%s' is used, %s %s ignored (the order is password, password_env, "
			    "password_file); remove the others", cfg->path, section,
			    source_names[winner], ignored.data, n_set > 2 ? "are" : "is");
	buf_free(&ignored);
}

static int load_dbconn(const dictionary *dict, struct ofb_config *cfg, const char *section,
		       struct ofb_dbconn *conn, struct ofb_error *err)
{
	size_t i;

	for (i = 0; i < N_ELEMS(dbconn_fields); i++) {
		char **field = (char **)((char *)conn + dbconn_fields[i].offset);
		const char *value = lookup(dict, section, dbconn_fields[i].key);

		if (!value)
			continue;
		if (!*value) {
			if (dbconn_fields[i].must_have_value) {
				ofb_error_usage(err, "config '%s': key '%s' in section [%s] is "
						"empty; give it a value or remove the line",
						cfg->path, dbconn_fields[i].key, section);
				return -1;
			}
			continue;    /* `password =` means "not set", not an empty password */
		}
		*field = xstrdup(value);
	}
	if (conn->connect && conn->dsn) {
		ofb_error_usage(err, "config '%s': section [%s] sets both 'connect' and 'dsn'; "
				"keep only one of them", cfg->path, section);
		return -1;
	}
	warn_ignored(cfg, section, conn);
	return 0;
}

/* Registry names end up in SQL; only plain names are accepted so that no quoting
 * question arises. '.' separates a schema, bytes >= 0x80 allow non-English names. */
static int is_plain_sql_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!(isalnum(c) || c == '_' || c == '$' || c == '.' || c >= 0x80))
			return 0;
	}
	return 1;
}

static int load_registry(const dictionary *dict, struct ofb_config *cfg, struct ofb_error *err)
{
	size_t i;

	for (i = 0; i < N_ELEMS(registry_fields); i++) {
		char **field = (char **)((char *)&cfg->reg + registry_fields[i].offset);
		const char *value = lookup(dict, "registry", registry_fields[i].key);

		if (!value) {
			*field = xstrdup(registry_fields[i].fallback);
			continue;
		}
		if (!is_plain_sql_name(value)) {
			ofb_error_usage(err, "config '%s': key '%s' in section [registry] must be a "
					"plain %s name (letters, digits, '_', '$', a '.' before a "
					"schema), not '%s'; remove the line for the default '%s'",
					cfg->path, registry_fields[i].key,
					i == 0 ? "table" : "column", value,
					registry_fields[i].fallback);
			return -1;
		}
		*field = xstrdup(value);
	}
	return 0;
}

static int load_clients(const dictionary *dict, struct ofb_config *cfg, struct ofb_error *err)
{
	int i;

	for (i = 0; i < dict->size; i++) {
		const char *name = dict->key[i];
		struct ofb_client_override *o;
		const char *files;

		if (!name || dict->val[i] || classify_section(name) != SEC_CLIENT)
			continue;
		cfg->overrides = xrealloc(cfg->overrides,
					  (cfg->n_overrides + 1) * sizeof *cfg->overrides);
		o = &cfg->overrides[cfg->n_overrides++];
		memset(o, 0, sizeof *o);
		o->id = xstrdup(name + strlen(CLIENT_PREFIX));
		if (load_dbconn(dict, cfg, name, &o->conn, err))
			return -1;
		files = lookup(dict, name, "files");
		if (files && *files)
			o->files = xstrdup(files);
	}
	return 0;
}

int ofb_config_load(const char *path, struct ofb_config *cfg, struct ofb_error *err)
{
	dictionary *dict = NULL;
	const char *dir;
	int rc = -1;

	memset(cfg, 0, sizeof *cfg);
	cfg->path = xstrdup(path);
	dict = parse_file(path, err);
	if (!dict)
		goto out;
	if (check_names(dict, cfg, err))
		goto out;
	if (!iniparser_find_entry(dict, "login")) {
		ofb_error_usage(err, "config '%s': no [login] section; add one with 'connect' "
				"(an ODBC connection string) or 'dsn' (a data source name) for the "
				"login database", path);
		goto out;
	}
	if (load_dbconn(dict, cfg, "login", &cfg->login, err))
		goto out;
	if (!cfg->login.connect && !cfg->login.dsn) {
		ofb_error_usage(err, "config '%s': section [login] needs key 'connect' (an ODBC "
				"connection string) or 'dsn' (a data source name from odbc.ini)",
				path);
		goto out;
	}
	if (load_registry(dict, cfg, err) || load_clients(dict, cfg, err))
		goto out;
	dir = lookup(dict, "backup", "dir");
	if (dir && *dir)
		cfg->backup_dir = xstrdup(dir);
	rc = 0;
out:
	if (dict)
		iniparser_freedict(dict);
	if (rc)
		ofb_config_free(cfg);
	return rc;
}

void ofb_config_free(struct ofb_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->path);
	ofb_dbconn_free(&cfg->login);
	for (i = 0; i < N_ELEMS(registry_fields); i++)
		free(*(char **)((char *)&cfg->reg + registry_fields[i].offset));
	for (i = 0; i < cfg->n_overrides; i++) {
		free(cfg->overrides[i].id);
		ofb_dbconn_free(&cfg->overrides[i].conn);
		free(cfg->overrides[i].files);
	}
	free(cfg->overrides);
	free(cfg->backup_dir);
	for (i = 0; i < cfg->n_warnings; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	memset(cfg, 0, sizeof *cfg);
}

const struct ofb_client_override *ofb_config_client(const struct ofb_config *cfg,
						    const char *id)
{
	size_t i;

	if (!cfg || !id)
		return NULL;
	/* case-insensitive: iniparser has lowercased the ids (see the top of this file) */
	for (i = 0; i < cfg->n_overrides; i++)
		if (!ascii_casecmp(cfg->overrides[i].id, id))
			return &cfg->overrides[i];
	return NULL;
}

const char *ofb_config_default_path(void)
{
	const char *env = getenv("OFBACKUP_CONFIG");

	return env && *env ? env : DEFAULT_CONFIG_PATH;
}

/*
 * Connection strings.
 *
 * ODBC connection strings are "key=value" pairs separated by ';'. A value that starts
 * with '{' runs to the matching '}', with "}}" standing for a literal '}', and may then
 * contain ';'.
 */

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
	pair->key = trim_span(pair->key, &pair->key_len);
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
		if (!v || !span_is(pair.key, pair.key_len, key))
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
		if (pair.value && span_is(pair.key, pair.key_len, key)) {
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
	return span_is(key, n, "PWD") || span_is(key, n, "PASSWORD");
}

static int is_user_key(const char *key, size_t n)
{
	return span_is(key, n, "UID") || span_is(key, n, "USER");
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
		if (span_is(s + i, w, word))
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

/* The password by precedence: literal, environment variable, file. */
static int resolve_password(const struct ofb_dbconn *conn, char **out, struct ofb_error *err)
{
	const char *value;

	if (conn->password) {
		*out = xstrdup(conn->password);
		return 0;
	}
	if (conn->password_env) {
		value = getenv(conn->password_env);
		if (!value) {
			ofb_error_usage(err, "environment variable '%s' (password_env) is not set; "
					"set it for the backup job or change password_env",
					conn->password_env);
			return -1;
		}
		*out = xstrdup(value);
		return 0;
	}
	return read_password_file(conn->password_file, out, err);
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
