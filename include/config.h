/* config.h - the INI configuration: how to reach the login database, how the client
 * registry is mapped, and per-client overrides. */
#ifndef OFB_CONFIG_H
#define OFB_CONFIG_H

#include "error.h"

/* How to reach one database: either a full ODBC connection string or a DSN. */
struct ofb_dbconn {
	char *connect;        /* ODBC connection string, or NULL */
	char *dsn;            /* DSN name from odbc.ini, or NULL */
	char *user;           /* optional */
	char *password;       /* optional, literal (discouraged) */
	char *password_env;   /* optional: name of an environment variable holding it */
	char *password_file;  /* optional: file whose first line is the password */
};

/* Where the login database registers its clients. Defaults in parentheses. */
struct ofb_registry_map {
	char *table;          /* clients */
	char *col_id;         /* id */
	char *col_name;       /* name */
	char *col_connect;    /* connect */
	char *col_files;      /* files_dir */
	char *col_offline;    /* offline */
};

struct ofb_client_override {
	char *id;
	struct ofb_dbconn conn;  /* fields left NULL are not overridden */
	char *files;             /* files folder, or NULL */
};

struct ofb_config {
	char *path;
	struct ofb_dbconn login;
	struct ofb_registry_map reg;
	struct ofb_client_override *overrides;
	size_t n_overrides;
	/* [backup] section */
	char *backup_dir;        /* default output folder (NULL: current folder) */
	/* Problems that do not stop loading, one message each: unknown keys or sections, and
	 * settings that would be ignored (user beside a connect string with UID/USER, a
	 * password source beside one with PWD/PASSWORD, more than one password source). */
	char **warnings;
	size_t n_warnings;
};

/* Load path. Returns 0, or -1 with err set as a usage/config error (exit 2):
 * file missing or unreadable, no [login] connect/dsn, both connect and dsn, bad values.
 * A value iniparser would cut silently is refused, naming file, line, section and key:
 * for connect, dsn, user, password, password_file, files, dir and the [registry] keys, an
 * unquoted value with ';' or '#' after its first character (iniparser starts a comment
 * there, blank before it or not), and a quoted value holding its own quote character or
 * followed by anything but a comment ("..." ; comment is fine); for other keys an unquoted
 * ';' or '#' glued to the text before it; for every key an unclosed quote. Lines ending
 * in '\' are joined with the next, as iniparser does. Settings ofb_dbconn_string would
 * ignore are reported in cfg->warnings (for [client.ID] only against its own connect). */
int ofb_config_load(const char *path, struct ofb_config *cfg, struct ofb_error *err);
void ofb_config_free(struct ofb_config *cfg);

/* The override for client id, or NULL. */
const struct ofb_client_override *ofb_config_client(const struct ofb_config *cfg,
						    const char *id);

/* Default config path: $OFBACKUP_CONFIG, else /etc/ofbackup/ofbackup.ini. */
const char *ofb_config_default_path(void);

/* The ODBC connection string for conn: connect as given, or "DSN=..;" for a dsn, plus
 * UID/PWD from user and the resolved password (password, password_env, password_file).
 * Values with ';', '{' or '}' are braced. Returns a malloc'd string, or NULL with err set. */
char *ofb_dbconn_string(const struct ofb_dbconn *conn, struct ofb_error *err);

/* Copy of connstr with the value of every key whose name contains PWD or PASSWORD
 * (case-insensitive: PWD, Password, SSLKeyPassword, ...) replaced by "***", safe for
 * messages and the manifest. Segments without '=' right after such a value are taken as
 * the rest of an unbraced secret holding ';' (PWD=ab;cd) and dropped with it. */
char *ofb_mask_secrets(const char *connstr);
/* Copy of connstr without the pairs ofb_mask_secrets masks (what may be stored, e.g. in
 * the client registry); *n_secrets (may be NULL) gets how many were left out. */
char *ofb_strip_secrets(const char *connstr, size_t *n_secrets);

/* The value of key (case-insensitive) in an ODBC connection string, braces removed
 * (malloc'd), or NULL when the string does not set it. */
char *ofb_connstr_get(const char *connstr, const char *key);

/* connstr with key set to value (replacing the key's first setting, or appended),
 * braced as needed (malloc'd). */
char *ofb_connstr_set(const char *connstr, const char *key, const char *value);

/* Apply the non-NULL fields of src over dst (deep copies), freeing what they replace;
 * connect/dsn and the three password sources each replace as a group. */
void ofb_dbconn_copy(struct ofb_dbconn *dst, const struct ofb_dbconn *src);
void ofb_dbconn_free(struct ofb_dbconn *c);

#endif
