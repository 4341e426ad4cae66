/* odbc.c - ODBC connections, statements and diagnostics, all text through the W API. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <odbcinst.h>

#include "odbc.h"
#include "config.h"
#include "util.h"

#define LOGIN_TIMEOUT_SECONDS 20

void ofb_odbc_error(struct ofb_error *err, SQLSMALLINT handle_type, SQLHANDLE h,
		    const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	char what[512];

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	buf_init(&b);
	buf_adds(&b, what);
	char first_state[6] = "";

	for (SQLSMALLINT i = 1; h && i <= 5; i++) {
		SQLWCHAR state[6], msg[1024];
		SQLINTEGER native = 0;
		SQLSMALLINT len = 0;
		SQLRETURN rc = SQLGetDiagRecW(handle_type, h, i, state, &native, msg,
					      (SQLSMALLINT)(sizeof msg / sizeof msg[0]), &len);
		if (!SQL_SUCCEEDED(rc))
			break;
		buf_adds(&b, i == 1 ? ": " : "; ");
		if (i == 1)
			for (int k = 0; k < 5; k++)
				first_state[k] = state[k] < 0x80 ? (char)state[k] : '?';
		w_to_utf8(&b, (const ofb_wchar *)state, 5, NULL);
		buf_addc(&b, ' ');
		w_to_utf8(&b, (const ofb_wchar *)msg, (size_t)-1, NULL);
	}
	/* some drivers end their messages with a newline: the error is one line */
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' ||
			 b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	/* IM002/IM003 (and unixODBC's "Can't open lib" as 01000): the DSN or the driver it
	 * names is not set up, a configuration error */
	if (strcmp(first_state, "IM002") == 0 || strcmp(first_state, "IM003") == 0 ||
	    (strcmp(first_state, "01000") == 0 && strstr(b.data, "[Driver Manager]Can't open lib")))
		ofb_error_usage(err, "%s (check the DSN or Driver= name against odbc.ini and "
				"odbcinst.ini)", b.data);
	else
		ofb_error_set(err, "%s", b.data);
	memcpy(err->sqlstate, first_state, sizeof err->sqlstate);
	buf_free(&b);
}

static char *get_info_text(SQLHDBC dbc, SQLUSMALLINT what)
{
	SQLWCHAR w[256];
	SQLSMALLINT len = 0;

	if (!SQL_SUCCEEDED(SQLGetInfoW(dbc, what, w, sizeof w, &len)))
		return xstrdup("");
	w[sizeof w / sizeof w[0] - 1] = 0;
	return w_to_utf8_dup((const ofb_wchar *)w, (size_t)-1);
}

struct ofb_db *ofb_db_new(const char *connstr, struct ofb_error *err)
{
	struct ofb_db *db = xcalloc(1, sizeof *db);

	db->label = ofb_mask_secrets(connstr);
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &db->env))) {
		ofb_error_set(err, "cannot initialise ODBC (unixODBC missing?)");
		db->env = NULL;
		ofb_db_close(db);
		return NULL;
	}
	SQLSetEnvAttr(db->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	return db;
}

void ofb_db_disconnect(struct ofb_db *db)
{
	if (!db->dbc)
		return;
	if (db->in_transaction)
		ofb_db_rollback(db);
	SQLDisconnect(db->dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, db->dbc);
	db->dbc = NULL;
}

int ofb_db_connect(struct ofb_db *db, const char *connstr, struct ofb_error *err)
{
	ofb_wchar *w = utf8_to_w(connstr, NULL);
	SQLWCHAR out[1024];
	SQLSMALLINT out_len = 0;
	SQLRETURN rc;
	int ret = -1;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, db->env, &db->dbc))) {
		ofb_odbc_error(err, SQL_HANDLE_ENV, db->env, "cannot allocate an ODBC connection");
		goto out;
	}
	SQLSetConnectAttrW(db->dbc, SQL_ATTR_LOGIN_TIMEOUT,
			   (SQLPOINTER)(uintptr_t)LOGIN_TIMEOUT_SECONDS, 0);
	rc = SQLDriverConnectW(db->dbc, NULL, (SQLWCHAR *)w, SQL_NTS, out,
			       (SQLSMALLINT)(sizeof out / sizeof out[0]), &out_len,
			       SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc)) {
		ofb_odbc_error(err, SQL_HANDLE_DBC, db->dbc, "cannot connect to '%s'", db->label);
		SQLFreeHandle(SQL_HANDLE_DBC, db->dbc);
		db->dbc = NULL;
		goto out;
	}
	if (!db->dbms_name) {
		db->dbms_name = get_info_text(db->dbc, SQL_DBMS_NAME);
		db->dbms_version = get_info_text(db->dbc, SQL_DBMS_VER);
	}
	ret = 0;
out:
	free(w);
	return ret;
}

char *ofb_connstr_lookup(const char *connstr, const char *key)
{
	char *value = ofb_connstr_get(connstr, key);
	char *dsn;

	if (value && *value)
		return value;
	free(value);
	dsn = ofb_connstr_get(connstr, "DSN");
	value = NULL;
	if (dsn) {
		char buf[1024] = "";
		SQLGetPrivateProfileString(dsn, key, "", buf, sizeof buf, "odbc.ini");
		if (buf[0])
			value = xstrdup(buf);
		free(dsn);
	}
	return value;
}

void ofb_db_close(struct ofb_db *db)
{
	if (!db)
		return;
	ofb_db_disconnect(db);
	if (db->drv_state_free)
		db->drv_state_free(db->drv_state);
	if (db->env)
		SQLFreeHandle(SQL_HANDLE_ENV, db->env);
	free(db->label);
	free(db->dbms_name);
	free(db->dbms_version);
	free(db);
}

int ofb_db_stmt(struct ofb_db *db, SQLHSTMT *stmt, struct ofb_error *err)
{
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, db->dbc, stmt))) {
		ofb_odbc_error(err, SQL_HANDLE_DBC, db->dbc, "cannot allocate a statement on '%s'",
			       db->label);
		*stmt = NULL;
		return -1;
	}
	/* SQL goes to the engine as written: no ODBC escape clauses ({fn ...}, {call ...})
	 * are expanded by the driver, whatever a package's text holds */
	SQLSetStmtAttr(*stmt, SQL_ATTR_NOSCAN, (SQLPOINTER)SQL_NOSCAN_ON, 0);
	return 0;
}

int ofb_db_query(struct ofb_db *db, const char *sql, SQLHSTMT *stmt, struct ofb_error *err)
{
	ofb_wchar *w = NULL;
	SQLRETURN rc;

	if (ofb_db_stmt(db, stmt, err) != 0)
		return -1;
	w = utf8_to_w(sql, NULL);
	rc = SQLExecDirectW(*stmt, (SQLWCHAR *)w, SQL_NTS);
	free(w);
	if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, *stmt, "query failed (%s)", sql);
		SQLFreeHandle(SQL_HANDLE_STMT, *stmt);
		*stmt = NULL;
		return -1;
	}
	return 0;
}

int ofb_db_query_args(struct ofb_db *db, const char *sql, const char *const *args,
		      size_t n_args, SQLHSTMT *stmt, struct ofb_error *err)
{
	ofb_wchar *w = NULL;
	ofb_wchar **wargs = xcalloc(n_args ? n_args : 1, sizeof *wargs);
	SQLLEN *lens = xcalloc(n_args ? n_args : 1, sizeof *lens);
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_stmt(db, stmt, err) != 0)
		goto out;
	for (size_t i = 0; i < n_args; i++) {
		size_t units = 0;
		if (args[i])
			wargs[i] = utf8_to_w(args[i], &units);
		lens[i] = args[i] ? (SQLLEN)(units * sizeof(ofb_wchar)) : SQL_NULL_DATA;
		rc = SQLBindParameter(*stmt, (SQLUSMALLINT)(i + 1), SQL_PARAM_INPUT, SQL_C_WCHAR,
				      SQL_WVARCHAR, units ? units : 1, 0, wargs[i],
				      (SQLLEN)((units + 1) * sizeof(ofb_wchar)), &lens[i]);
		if (!SQL_SUCCEEDED(rc)) {
			ofb_odbc_error(err, SQL_HANDLE_STMT, *stmt, "cannot bind parameter %zu of (%s)",
				       i + 1, sql);
			goto out;
		}
	}
	w = utf8_to_w(sql, NULL);
	rc = SQLExecDirectW(*stmt, (SQLWCHAR *)w, SQL_NTS);
	if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, *stmt, "query failed (%s)", sql);
		goto out;
	}
	/* Drivers read bound parameters at execute time; the result no longer needs them. */
	SQLFreeStmt(*stmt, SQL_RESET_PARAMS);
	ret = 0;
out:
	if (ret != 0 && *stmt) {
		SQLFreeHandle(SQL_HANDLE_STMT, *stmt);
		*stmt = NULL;
	}
	for (size_t i = 0; i < n_args; i++)
		free(wargs[i]);
	free(wargs);
	free(lens);
	free(w);
	return ret;
}

int ofb_db_exec(struct ofb_db *db, const char *sql, struct ofb_error *err)
{
	SQLHSTMT stmt;

	if (ofb_db_query(db, sql, &stmt, err) != 0)
		return -1;
	SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	return 0;
}

int ofb_db_query_value(struct ofb_db *db, const char *sql, char **out, struct ofb_error *err)
{
	SQLHSTMT stmt;
	SQLRETURN rc;
	int ret = -1;

	*out = NULL;
	if (ofb_db_query(db, sql, &stmt, err) != 0)
		return -1;
	rc = SQLFetch(stmt);
	if (rc == SQL_NO_DATA) {
		ret = 0;
	} else if (!SQL_SUCCEEDED(rc)) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, stmt, "query failed (%s)", sql);
	} else {
		ret = ofb_get_text(stmt, 1, out, err);
	}
	SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	return ret;
}

int ofb_db_begin(struct ofb_db *db, struct ofb_error *err)
{
	if (!SQL_SUCCEEDED(SQLSetConnectAttrW(db->dbc, SQL_ATTR_AUTOCOMMIT,
					      (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0))) {
		ofb_odbc_error(err, SQL_HANDLE_DBC, db->dbc, "cannot begin a transaction on '%s'",
			       db->label);
		return -1;
	}
	db->in_transaction = 1;
	return 0;
}

static int end_transaction(struct ofb_db *db, SQLSMALLINT how, struct ofb_error *err)
{
	int ret = 0;

	if (!db->in_transaction)
		return 0;
	if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, db->dbc, how))) {
		if (err)
			ofb_odbc_error(err, SQL_HANDLE_DBC, db->dbc,
				       "cannot end the transaction on '%s'", db->label);
		ret = -1;
	}
	SQLSetConnectAttrW(db->dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0);
	db->in_transaction = 0;
	return ret;
}

int ofb_db_commit(struct ofb_db *db, struct ofb_error *err)
{
	return end_transaction(db, SQL_COMMIT, err);
}

int ofb_db_rollback(struct ofb_db *db)
{
	return end_transaction(db, SQL_ROLLBACK, NULL);
}

int ofb_fetch(SQLHSTMT stmt, const char *what, struct ofb_error *err)
{
	SQLRETURN rc = SQLFetch(stmt);

	if (rc == SQL_NO_DATA)
		return 0;
	if (!SQL_SUCCEEDED(rc)) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, stmt, "%s", what);
		return -1;
	}
	return 1;
}

int ofb_fetch_texts(SQLHSTMT stmt, char **v, int n, const char *what, struct ofb_error *err)
{
	int rc;

	for (int i = 0; i < n; i++) {
		free(v[i]);
		v[i] = NULL;
	}
	rc = ofb_fetch(stmt, what, err);
	for (int i = 0; rc > 0 && i < n; i++)
		if (ofb_get_text(stmt, i + 1, &v[i], err) != 0)
			rc = -1;
	return rc;
}

int ofb_get_text(SQLHSTMT stmt, int n, char **out, struct ofb_error *err)
{
	SQLWCHAR chunk[2048];
	struct buf b;
	uint32_t pending = 0;
	int ret = -1;

	*out = NULL;
	buf_init(&b);
	for (;;) {
		SQLLEN ind = 0;
		SQLRETURN rc = SQLGetData(stmt, (SQLUSMALLINT)n, SQL_C_WCHAR, chunk, sizeof chunk,
					  &ind);
		size_t units;
		if (rc == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(rc)) {
			ofb_odbc_error(err, SQL_HANDLE_STMT, stmt, "cannot read column %d", n);
			goto out;
		}
		if (ind == SQL_NULL_DATA) {
			ret = 0;
			goto out;
		}
		if (ind == SQL_NO_TOTAL || (size_t)ind >= sizeof chunk)
			units = sizeof chunk / sizeof chunk[0] - 1;
		else
			units = (size_t)ind / sizeof(SQLWCHAR);
		w_to_utf8(&b, (const ofb_wchar *)chunk, units, &pending);
		if (rc == SQL_SUCCESS)
			break;
	}
	if (pending)
		buf_adds(&b, "\xEF\xBF\xBD");  /* a lone high surrogate at the end */
	*out = buf_detach(&b);
	ret = 0;
out:
	buf_free(&b);
	return ret;
}

int ofb_get_long(SQLHSTMT stmt, int n, long *out, int *is_null, struct ofb_error *err)
{
	SQLLEN ind = 0;
	SQLBIGINT v = 0;
	SQLRETURN rc = SQLGetData(stmt, (SQLUSMALLINT)n, SQL_C_SBIGINT, &v, sizeof v, &ind);

	if (!SQL_SUCCEEDED(rc)) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, stmt, "cannot read column %d", n);
		return -1;
	}
	*is_null = ind == SQL_NULL_DATA;
	*out = *is_null ? 0 : (long)v;
	return 0;
}
