/* ini_rules.c - the configuration file's vocabulary (sections and keys) and the check of
 * its raw lines before iniparser reads them (ini_rules.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini_rules.h"
#include "util.h"

#define CLIENT_PREFIX "client."
#define COPY_PREFIX "copy."

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Section and key names.
 *
 * iniparser lowercases every section and key name while loading, so "[Login]" and
 * "[login]" are the same section and "Connect" the same key as "connect". The same holds for
 * "[client.ID]": the client id in the section name arrives lowercased, so overrides are
 * matched against registry ids case-insensitively (ofb_config_client), and the id is kept
 * as iniparser hands it over. Two sections whose ids differ only in case are one section.
 */


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
static const char *const schedule_keys[] = {
	"time", "folder", "name", "weekday_names", "log", "max_age", "keep_weekly",
	"keep_monthly", "on_failure", "copy_to", "ping_url", "syslog", "metrics",
	"offline_is_warning", NULL
};
static const char *const package_keys[] = {
	"password_env", "password_file", "compression", NULL
};
static const char *const copy_keys[] = {
	"to", "ssh_key", "known_hosts", "user", "password_env", "password_file", "endpoint",
	"region", "retries", "ca_file", NULL
};
/* The keys whose values are paths or names taken as written (password_env is a variable
 * name, checked more loosely like the others). */
static const char *const package_strict[] = { "password_file", "compression", NULL };
static const char *const copy_strict[] = {
	"to", "ssh_key", "known_hosts", "user", "password_file", "endpoint", "region", "ca_file",
	NULL
};

/* The [login]/[client.x] keys that fill a struct ofb_dbconn. */
enum ofb_ini_section ofb_ini_section_kind(const char *name)
{
	if (!strcmp(name, "login"))
		return OFB_INI_LOGIN;
	if (!strcmp(name, "registry"))
		return OFB_INI_REGISTRY;
	if (!strcmp(name, "backup"))
		return OFB_INI_BACKUP;
	if (!strcmp(name, "schedule"))
		return OFB_INI_SCHEDULE;
	if (!strcmp(name, "package"))
		return OFB_INI_PACKAGE;
	if (!strncmp(name, CLIENT_PREFIX, strlen(CLIENT_PREFIX)))
		return OFB_INI_CLIENT;
	if (!strncmp(name, COPY_PREFIX, strlen(COPY_PREFIX)))
		return OFB_INI_COPY;
	return OFB_INI_UNKNOWN;
}

int ofb_ini_known_key(enum ofb_ini_section kind, const char *key)
{
	const char *const *keys = NULL;

	switch (kind) {
	case OFB_INI_LOGIN:    keys = login_keys; break;
	case OFB_INI_REGISTRY: keys = registry_keys; break;
	case OFB_INI_BACKUP:   keys = backup_keys; break;
	case OFB_INI_CLIENT:   keys = client_keys; break;
	case OFB_INI_SCHEDULE: keys = schedule_keys; break;
	case OFB_INI_PACKAGE:  keys = package_keys; break;
	case OFB_INI_COPY:     keys = copy_keys; break;
	case OFB_INI_UNKNOWN:  return 0;
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
static int strict_key(enum ofb_ini_section kind, const char *key, size_t n)
{
	static const char *const conn_keys[] = {
		"connect", "dsn", "user", "password", "password_file", NULL
	};
	const char *const *keys = NULL;

	switch (kind) {
	case OFB_INI_LOGIN:    keys = conn_keys; break;
	case OFB_INI_CLIENT:   keys = conn_keys; break;
	case OFB_INI_REGISTRY: keys = registry_keys; break;
	case OFB_INI_BACKUP:   keys = backup_keys; break;
	case OFB_INI_SCHEDULE: keys = schedule_keys; break;
	case OFB_INI_PACKAGE:  keys = package_strict; break;
	case OFB_INI_COPY:     keys = copy_strict; break;
	case OFB_INI_UNKNOWN:  return 0;
	}
	if (kind == OFB_INI_CLIENT && ofb_span_is(key, n, "files"))
		return 1;
	for (; *keys; keys++)
		if (ofb_span_is(key, n, *keys))
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

int ofb_ini_check_lines(FILE *f, const char *path, struct ofb_error *err)
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
			const char *name = ofb_trim_span(s + 1, &name_len);

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
		key = ofb_trim_span(s, &key_len);
		value = eq + 1;
		value_len = n - (size_t)(value - s);
		while (value_len && isspace((unsigned char)*value)) {
			value++;
			value_len--;
		}
		strict = *section && strict_key(ofb_ini_section_kind(section), key, key_len);
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

