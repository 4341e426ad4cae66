/* connstr.h - ODBC connection strings: a configured connection (connect string or DSN,
 * user, password source), its keys, its secrets. */
#ifndef OFB_CONNSTR_H
#define OFB_CONNSTR_H

#include <stddef.h>
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

/* A secret by precedence: literal, the environment variable env, the first line of file
 * (a warning when others may read it); exactly one of them must be set. *out malloc'd. */
int ofb_secret_resolve(const char *literal, const char *env, const char *file, char **out,
		       struct ofb_error *err);

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

/* The key span (as written) of connstr's user (UID/USER) or password (PWD/PASSWORD) key,
 * or NULL when it sets none. */
const char *ofb_connstr_user_key(const char *connstr, size_t *key_len);
const char *ofb_connstr_password_key(const char *connstr, size_t *key_len);

#endif
