/* odbc.h - the ODBC transport: handles, statements, fetching, diagnostics into ofb_error,
 * transactions. All text crosses the ODBC boundary as UTF-16 (the W functions), UTF-8 on
 * our side. Which engine a connection serves (db->drv) is decided in session.c. */
#ifndef OFB_ODBC_H
#define OFB_ODBC_H

#include <sql.h>
#include <sqlext.h>
#include "error.h"

struct ofb_driver;

struct ofb_db {
	SQLHENV env;
	SQLHDBC dbc;
	const struct ofb_driver *drv;
	char *label;          /* masked connection string, for messages */
	char *dbms_name;
	char *dbms_version;
	int in_transaction;
	/* set by the driver's session setup: text read (utf8_reads) or bound (utf8_binds) as
	 * SQL_C_CHAR is UTF-8 bytes as the engine sends and takes them, not the driver's
	 * conversion (MariaDB's connector opens an iconv converter for every SQL_C_WCHAR
	 * value); 0: text goes as UTF-16 (SQL_C_WCHAR) */
	int utf8_reads;
	int utf8_binds;
	/* set by the driver's load session: statement text (given as UTF-16) reaches the
	 * engine as the characters it holds, not converted to a narrower character set */
	int text_exact;
	/* set by the driver's load session: a batch INSERT goes as a query, "WITH ofb_batch(x)
	 * AS (SELECT 1) INSERT ... RETURNING 1", its rows counted by the rows it returns
	 * (SQL_DIAG_CURSOR_ROW_COUNT): sqliteodbc keeps a query it was given prepared, where
	 * it parses any other statement anew at every execution */
	int returning_batches;
	/* set by the driver's load session: parameter markers a statement may hold; 0: the
	 * driver's max_params */
	unsigned max_params;
	/* the driver's own state of this connection, freed with it (drv_state_free) */
	void *drv_state;
	void (*drv_state_free)(void *state);
};

/* A connection object for connstr, not connected yet (its label is connstr masked);
 * NULL with err set when ODBC cannot be initialised. Sessions open through session.h. */
struct ofb_db *ofb_db_new(const char *connstr, struct ofb_error *err);
/* Connect db with connstr; the first connection fills dbms_name and dbms_version. */
int ofb_db_connect(struct ofb_db *db, const char *connstr, struct ofb_error *err);
/* Close the connection (rolling back an open transaction); db can connect again. */
void ofb_db_disconnect(struct ofb_db *db);
void ofb_db_close(struct ofb_db *db);

/* Like ofb_db_query, with n_args text parameters bound to the '?' markers in order
 * (NULL entries bind SQL NULL). Parameters are copied; args need not outlive the call. */
int ofb_db_query_args(struct ofb_db *db, const char *sql, const char *const *args,
		      size_t n_args, SQLHSTMT *stmt, struct ofb_error *err);

/* Execute a statement that returns no rows. */
int ofb_db_exec(struct ofb_db *db, const char *sql, struct ofb_error *err);
/* Run a query and return the first column of the first row as a malloc'd UTF-8 string
 * (*out NULL for SQL NULL or no row). */
int ofb_db_query_value(struct ofb_db *db, const char *sql, char **out, struct ofb_error *err);
/* Autocommit off + begin / commit / rollback. */
int ofb_db_begin(struct ofb_db *db, struct ofb_error *err);
int ofb_db_commit(struct ofb_db *db, struct ofb_error *err);
int ofb_db_rollback(struct ofb_db *db);

/* Allocate a statement handle. */
int ofb_db_stmt(struct ofb_db *db, SQLHSTMT *stmt, struct ofb_error *err);
/* Prepare + execute sql on a fresh statement. */
int ofb_db_query(struct ofb_db *db, const char *sql, SQLHSTMT *stmt, struct ofb_error *err);

/* The value of key in connstr, or, for a DSN, in its odbc.ini entry (malloc'd; NULL when
 * neither sets it). */
char *ofb_connstr_lookup(const char *connstr, const char *key);

/* Fill err with "what: SQLSTATE message" from the handle's diagnostic records. */
void ofb_odbc_error(struct ofb_error *err, SQLSMALLINT handle_type, SQLHANDLE h,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The next row of stmt: 1 when there is one, 0 at the end, -1 with err set ("what:
 * SQLSTATE message") when fetching fails. */
int ofb_fetch(SQLHSTMT stmt, const char *what, struct ofb_error *err);
/* The next row's first n columns as text into v[0..n-1] (malloc'd, NULL for SQL NULL;
 * what v held is freed first): 1 with a row, 0 at the end (v emptied), -1 on error. */
int ofb_fetch_texts(SQLHSTMT stmt, char **v, int n, const char *what, struct ofb_error *err);

/* Column n (1-based) of the current row as malloc'd UTF-8, NULL for SQL NULL.
 * Returns 0, or -1 with err set. */
int ofb_get_text(SQLHSTMT stmt, int n, char **out, struct ofb_error *err);
/* Column n as integer; *is_null set when SQL NULL. */
int ofb_get_long(SQLHSTMT stmt, int n, long *out, int *is_null, struct ofb_error *err);

#endif
