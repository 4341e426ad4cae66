/* config.c - loads the INI configuration (config.h): its sections into the configuration
 * structure, with warnings for what would be ignored. The raw line checks are in
 * ini_rules.c, connection strings in connstr.c. */
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
#include "config_parts.h"
#include "ini_rules.h"
#include "error.h"
#include "util.h"

#define DEFAULT_CONFIG_PATH "/etc/ofbackup/ofbackup.ini"
#define CLIENT_PREFIX "client."

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

__attribute__((format(printf, 2, 3)))
static void add_warning(struct ofb_config *cfg, const char *fmt, ...)
{
	va_list ap;

	cfg->warnings = xrealloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof *cfg->warnings);
	va_start(ap, fmt);
	cfg->warnings[cfg->n_warnings++] = xvasprintf(fmt, ap);
	va_end(ap);
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
	while (n && (s[n - 1] == ':' || s[n - 1] == ' ' || s[n - 1] == '\t'))
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
	if (ofb_ini_check_lines(f, path, err))
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
		enum ofb_ini_section kind;
		size_t sec_len;
		char *section;

		if (!entry)
			continue;
		if (!dict->val[i]) {
			kind = ofb_ini_section_kind(entry);
			if (kind == OFB_INI_UNKNOWN)
				add_warning(cfg, "config '%s': unknown section [%s]", cfg->path, entry);
			if (kind == OFB_INI_CLIENT && entry[strlen(CLIENT_PREFIX)] == '\0') {
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
		kind = ofb_ini_section_kind(section);
		if (kind != OFB_INI_UNKNOWN && !ofb_ini_known_key(kind, entry + sec_len + 1))
			add_warning(cfg, "config '%s': unknown key '%s' in section [%s]",
				    cfg->path, entry + sec_len + 1, section);
		free(section);
	}
	return 0;
}

const char *ofb_config_lookup(const dictionary *dict, const char *section, const char *key)
{
	char *entry = xasprintf("%s:%s", section, key);
	const char *value = iniparser_getstring(dict, entry, NULL);

	free(entry);
	return value;
}


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
	    (key = ofb_connstr_user_key(conn->connect, &key_len)))
		add_warning(cfg, "config '%s': key 'user' in section [%s] is ignored because "
			    "'connect' already sets %.*s; remove one of the two",
			    cfg->path, section, (int)key_len, key);
	if (conn->connect && (key = ofb_connstr_password_key(conn->connect, &key_len))) {
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
		const char *value = ofb_config_lookup(dict, section, dbconn_fields[i].key);

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
		const char *value = ofb_config_lookup(dict, "registry", registry_fields[i].key);

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

		if (!name || dict->val[i] || ofb_ini_section_kind(name) != OFB_INI_CLIENT)
			continue;
		cfg->overrides = xrealloc(cfg->overrides,
					  (cfg->n_overrides + 1) * sizeof *cfg->overrides);
		o = &cfg->overrides[cfg->n_overrides++];
		memset(o, 0, sizeof *o);
		o->id = xstrdup(name + strlen(CLIENT_PREFIX));
		if (load_dbconn(dict, cfg, name, &o->conn, err))
			return -1;
		files = ofb_config_lookup(dict, name, "files");
		if (files && *files)
			o->files = xstrdup(files);
	}
	return 0;
}

static int holds_password(const struct ofb_dbconn *c)
{
	size_t n;

	return c->password || (c->connect && ofb_connstr_password_key(c->connect, &n));
}

/* A file holding a password that every user of the machine may read. */
static void warn_if_exposed(const char *path, struct ofb_config *cfg)
{
	struct stat st;
	int found = holds_password(&cfg->login);

	for (size_t i = 0; !found && i < cfg->n_overrides; i++)
		found = holds_password(&cfg->overrides[i].conn);
	if (found && stat(path, &st) == 0 && (st.st_mode & S_IROTH))
		add_warning(cfg, "config '%s' holds a password and can be read by every user of "
			    "this machine; chmod o-r it (or use password_env/password_file)", path);
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
	warn_if_exposed(path, cfg);
	dir = ofb_config_lookup(dict, "backup", "dir");
	if (dir && *dir)
		cfg->backup_dir = xstrdup(dir);
	if (ofb_config_load_unattended(dict, cfg, err) != 0)
		goto out;
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
	ofb_config_free_unattended(cfg);
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

