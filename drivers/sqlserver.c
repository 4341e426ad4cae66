/* sqlserver.c - SQL Server via FreeTDS ODBC; its dialect is unit-tested, never run live. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "error.h"
#include "odbc.h"
#include "schema.h"
#include "util.h"

/* Limits of SQL Server's declared types. */
#define MSSQL_MAX_NCHARS   4000L  /* nchar(n)/nvarchar(n): n in UTF-16 code units */
#define MSSQL_MAX_BYTES    8000L  /* char/varchar/binary/varbinary(n): n in bytes */
#define MSSQL_MAX_PRECISION 38    /* decimal(p,s) */
#define MSSQL_MAX_FRACTION  7     /* time, datetime2, datetimeoffset: 100 ns */

/* The largest value OFFSET and FETCH accept (bigint). */
#define MSSQL_MAX_ROWS      9223372036854775807ULL
#define MSSQL_MAX_ROWS_TEXT "9223372036854775807"

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Azure SQL Database and Managed Instance report the same name as the boxed product;
 * Sybase ASE, which FreeTDS also serves, does not, and must not match. */
static int mssql_matches(const char *dbms_name)
{
	static const char prefix[] = "Microsoft SQL Server";
	int match = dbms_name != NULL;

	for (size_t i = 0; match && prefix[i]; i++)
		match = ascii_lower(dbms_name[i]) == ascii_lower(prefix[i]);
	return match;
}

static const char *const mssql_session_sql[] = {
	/* Any run-time error rolls back the whole transaction instead of only the failing
	 * statement, so a failed restore never commits half-loaded tables. */
	"SET XACT_ABORT ON",
	/* Stored with every table, view and procedure a restore creates, and required by
	 * indexes on computed columns, indexed views and filtered indexes. */
	"SET ANSI_NULLS ON",
	"SET QUOTED_IDENTIFIER ON",
	/* How 'YYYY-MM-DD' literals for datetime/smalldatetime are read depends on the
	 * login's language (German logins read year-day-month); pin it. */
	"SET DATEFORMAT ymd",
	/* A value too long for its column fails instead of being cut short: an import
	 * refuses what does not fit, it never stores less. */
	"SET ANSI_WARNINGS ON",
	/* Columns a restore creates keep trailing blanks and trailing zero bytes. */
	"SET ANSI_PADDING ON",
	/* The server silently cuts (n)varchar(max), varbinary(max), text, ntext and image
	 * values to the session's TEXTSIZE, which FreeTDS sets from freetds.conf ("text
	 * size") or the TextSize key, often to 64512 bytes: lift it to the maximum. */
	"SET TEXTSIZE 2147483647",
	NULL
};

static int mssql_session_setup(struct ofb_db *db, struct ofb_error *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && mssql_session_sql[i]; i++) {
		rc = ofb_db_exec(db, mssql_session_sql[i], err);
		if (rc != 0)
			ofb_error_prefix(err, "cannot set up the SQL Server session");
	}
	return rc;
}

/* SNAPSHOT gives every read of the transaction the database as of its first read,
 * without blocking writers, but only where ALLOW_SNAPSHOT_ISOLATION is ON. The state is
 * looked up first so that no statement has to fail (3952) to find out.
 * The isolation level is chosen before ofb_db_begin: it is a session setting, and with
 * autocommit off the first SELECT opens the transaction, after which SQL Server refuses
 * to switch to SNAPSHOT (3951). For the same reason the state query runs before begin.
 * Should the setting be turned off between the check and the first read, that read
 * fails with 3952 and the backup reports it. */
static int mssql_begin_snapshot(struct ofb_db *db, char **warning, struct ofb_error *err)
{
	char *state = NULL;
	char *db_name = NULL;
	struct buf quoted;
	int snapshot;
	int began = 0;
	int rc = -1;

	buf_init(&quoted);
	if (ofb_db_query_value(db, "SELECT snapshot_isolation_state FROM sys.databases"
			       " WHERE name = DB_NAME()", &state, err) != 0) {
		ofb_error_prefix(err, "cannot find out whether the database allows snapshot"
				 " isolation");
		goto out;
	}
	/* 1 is ON; 0 OFF, 2 and 3 are transitions in which snapshot transactions fail. */
	snapshot = state != NULL && strcmp(state, "1") == 0;
	if (!snapshot && ofb_db_query_value(db, "SELECT DB_NAME()", &db_name, err) != 0) {
		ofb_error_prefix(err, "cannot read the name of the current database");
		goto out;
	}
	if (ofb_db_exec(db, snapshot ? "SET TRANSACTION ISOLATION LEVEL SNAPSHOT"
				     : "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
			err) != 0) {
		ofb_error_prefix(err, "cannot choose the transaction isolation level");
		goto out;
	}
	if (ofb_db_begin(db, err) != 0)
		goto out;
	began = 1;
	if (!snapshot) {
		ofb_drv_quote(&ofb_driver_sqlserver, &quoted, db_name ? db_name : "?");
		*warning = xasprintf("database '%s' does not allow snapshot isolation:"
				     " its tables are read one after another at READ"
				     " COMMITTED and may not match each other if they"
				     " changed during the backup; for consistent backups an"
				     " administrator should run 'ALTER DATABASE %s SET"
				     " ALLOW_SNAPSHOT_ISOLATION ON'",
				     db_name ? db_name : "?", quoted.data);
	}
	rc = 0;
out:
	if (rc != 0 && began)
		ofb_db_rollback(db);
	buf_free(&quoted);
	free(db_name);
	free(state);
	return rc;
}

/* The current database and the user's default schema (normally dbo), which is also
 * where unqualified names in later statements resolve. */
static int mssql_catalog_scope(struct ofb_db *db, char **catalog, char **schema,
			       struct ofb_error *err)
{
	char *db_name = NULL;
	char *schema_name = NULL;
	int rc = -1;

	if (ofb_db_query_value(db, "SELECT DB_NAME()", &db_name, err) != 0) {
		ofb_error_prefix(err, "cannot read the name of the current database");
		goto out;
	}
	if (ofb_db_query_value(db, "SELECT SCHEMA_NAME()", &schema_name, err) != 0) {
		ofb_error_prefix(err, "cannot read the default schema");
		goto out;
	}
	*catalog = db_name;
	*schema = schema_name;
	db_name = NULL;
	schema_name = NULL;
	rc = 0;
out:
	free(schema_name);
	free(db_name);
	return rc;
}

/* Marks a type whose fractional digits come from the column (mssql_fraction). */
#define MSSQL_FRACTION_OF_COLUMN (-1)

/* Native types whose ODBC report needs correcting, by SQLColumns TYPE_NAME. */
struct mssql_native {
	const char *name;
	enum ofb_ptype type;
	int precision;
	int scale;         /* MSSQL_FRACTION_OF_COLUMN: from the column */
	long width0;       /* display width without a fraction, for fractional types */
};

static const struct mssql_native mssql_natives[] = {
	{ "bit", OFB_T_BOOLEAN, 0, 0, 0 },
	/* 0..255 needs smallint, the smallest portable integer, in other engines. */
	{ "tinyint", OFB_T_SMALLINT, 0, 0, 0 },
	/* Fixed-point with four decimals: pinned, so the portable type never depends on
	 * how a driver version reports it. */
	{ "money", OFB_T_DECIMAL, 19, 4, 0 },
	{ "smallmoney", OFB_T_DECIMAL, 10, 4, 0 },
	{ "uniqueidentifier", OFB_T_UUID, 0, 0, 0 },
	{ "date", OFB_T_DATE, 0, 0, 0 },
	/* Depending on driver and server version the newer date types arrive as
	 * driver-specific SQL types (SQL_SS_TIME2, SQL_SS_TIMESTAMPOFFSET) the generic
	 * mapping does not know, or, through sp_columns' compatibility mapping, as
	 * nvarchar of their display width; the type name tells in every case. */
	{ "time", OFB_T_TIME, 0, MSSQL_FRACTION_OF_COLUMN, 8 },
	{ "datetime2", OFB_T_TIMESTAMP, 0, MSSQL_FRACTION_OF_COLUMN, 19 },
	{ "datetimeoffset", OFB_T_TIMESTAMPTZ, 0, MSSQL_FRACTION_OF_COLUMN, 26 },
	/* datetime keeps 1/300 s, which three digits print exactly. */
	{ "datetime", OFB_T_TIMESTAMP, 0, 3, 0 },
	{ "smalldatetime", OFB_T_TIMESTAMP, 0, 0, 0 },
	/* Kept as text; native_type tells a restore to make it xml again. */
	{ "xml", OFB_T_OTHER, 0, 0, 0 },
	{ "text", OFB_T_TEXT, 0, 0, 0 },
	{ "ntext", OFB_T_TEXT, 0, 0, 0 },
	{ "image", OFB_T_BLOB, 0, 0, 0 },
	/* "timestamp" is deliberately absent: in SQL Server it is rowversion, binary(8),
	 * which the ODBC report already describes correctly. */
};

static void mssql_set_type(struct ofb_column *col, enum ofb_ptype type, int precision,
			   int scale)
{
	col->type = type;
	col->length = 0;
	col->precision = precision;
	col->scale = scale;
}

/* Fractional digits of a time/datetime2/datetimeoffset column. Where the generic mapping
 * already knew the type, its scale came from the catalog's DECIMAL_DIGITS; else a
 * reported display width tells (width0, or width0 + 1 + digits); else take all SQL
 * Server has, so that no value is rounded on restore. */
static int mssql_fraction(const struct ofb_column *col, enum ofb_ptype type, long width0)
{
	int digits = MSSQL_MAX_FRACTION;

	if (col->type == type && col->scale >= 0 && col->scale <= MSSQL_MAX_FRACTION)
		digits = col->scale;
	else if (col->length == width0)
		digits = 0;
	else if (col->length >= width0 + 2 && col->length <= width0 + 1 + MSSQL_MAX_FRACTION)
		digits = (int)(col->length - width0 - 1);
	return digits;
}

static int ends_with_nocase(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	int match = len >= n;

	for (size_t i = 0; match && i < n; i++)
		match = ascii_lower(s[len - n + i]) == ascii_lower(suffix[i]);
	return match;
}

/* SQLColumns TYPE_NAME is the bare type ("nvarchar", "decimal"), with " identity"
 * appended for identity columns ("int identity", "numeric() identity"); some report max
 * types as "nvarchar(max)". Splits that into base name and flags; -1 when it cannot be a
 * type this driver corrects. */
static int mssql_parse_native(const char *native, char *base, size_t n, int *identity,
			      int *is_max)
{
	size_t len = native ? strlen(native) : 0;
	int rc = -1;

	*identity = 0;
	*is_max = 0;
	if (len == 0 || len >= n)
		goto out;
	if (ends_with_nocase(native, len, " identity")) {
		*identity = 1;
		len -= strlen(" identity");
	}
	if (ends_with_nocase(native, len, "(max)")) {
		*is_max = 1;
		len -= strlen("(max)");
	}
	memcpy(base, native, len);
	base[len] = '\0';
	rc = 0;
out:
	return rc;
}

static void mssql_refine_column(struct ofb_column *col)
{
	const struct mssql_native *known = NULL;
	char base[64];
	int scale;
	int identity;
	int is_max;
	int var_text;
	int var_binary;

	if (mssql_parse_native(col->native_type, base, sizeof base, &identity, &is_max) != 0)
		goto out;
	if (identity)
		col->identity = 1;
	for (size_t i = 0; !known && i < sizeof mssql_natives / sizeof mssql_natives[0]; i++)
		if (ascii_casecmp(base, mssql_natives[i].name) == 0)
			known = &mssql_natives[i];
	if (known) {
		scale = known->scale;
		if (scale == MSSQL_FRACTION_OF_COLUMN)
			scale = mssql_fraction(col, known->type, known->width0);
		mssql_set_type(col, known->type, known->precision, scale);
		goto out;
	}
	/* (max) types are reported with a size of 0, 2^30 or 2^31-1 depending on the
	 * server and driver version; no sized variable type exceeds 8000. */
	var_text = ascii_casecmp(base, "varchar") == 0 || ascii_casecmp(base, "nvarchar") == 0;
	var_binary = ascii_casecmp(base, "varbinary") == 0;
	if ((var_text || var_binary)
	    && (is_max || col->length <= 0 || col->length > MSSQL_MAX_BYTES))
		mssql_set_type(col, var_text ? OFB_T_TEXT : OFB_T_BLOB, 0, 0);
out:
	return;
}

static void mssql_stmt_error(struct ofb_error *err, SQLHSTMT stmt, const char *table)
{
	ofb_odbc_error(err, SQL_HANDLE_STMT, stmt,
		       "cannot read the identity column of table '%s'", table);
}

/* Identity column and the value the next insert would get. IDENT_CURRENT is not used:
 * it returns the seed both for a table that never had a row and for one whose first row
 * took the seed, so "IDENT_CURRENT + IDENT_INCR" is off by one increment for the former.
 * sys.identity_columns.last_value stays NULL until a value has been handed out.
 * The table is found by name in the default schema (SCHEMA_ID(), as catalog_scope
 * chose), bound as a parameter, so no name needs quoting or escaping.
 * native_ddl stays NULL: SQL Server has no SHOW CREATE TABLE. */
static int mssql_table_extra(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err)
{
	static const char sql[] =
		"SELECT c.name, CAST(CASE WHEN c.last_value IS NULL"
		" THEN CAST(c.seed_value AS decimal(38,0))"
		" ELSE CAST(c.last_value AS decimal(38,0))"
		" + CAST(c.increment_value AS decimal(38,0)) END AS decimal(38,0))"
		" FROM sys.identity_columns AS c"
		" JOIN sys.tables AS tb ON tb.object_id = c.object_id"
		" WHERE tb.name = ? AND tb.schema_id = SCHEMA_ID()";
	SQLHSTMT stmt = SQL_NULL_HSTMT;
	ofb_wchar *wsql = NULL;
	ofb_wchar *wname = NULL;
	size_t name_units = 0;
	SQLLEN name_ind = SQL_NTS;
	char *column = NULL;
	char *next = NULL;
	char *end = NULL;
	long long value;
	SQLRETURN ret;
	int rc = -1;

	wsql = utf8_to_w(sql, NULL);
	wname = utf8_to_w(t->name, &name_units);
	if (ofb_db_stmt(db, &stmt, err) != 0) {
		ofb_error_prefix(err, "cannot read the identity column of table '%s'", t->name);
		goto out;
	}
	ret = SQLPrepareW(stmt, (SQLWCHAR *)wsql, SQL_NTS);
	if (!SQL_SUCCEEDED(ret)) {
		mssql_stmt_error(err, stmt, t->name);
		goto out;
	}
	ret = SQLBindParameter(stmt, 1, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR,
			       name_units > 0 ? name_units : 1, 0, wname,
			       (SQLLEN)((name_units + 1) * sizeof *wname), &name_ind);
	if (!SQL_SUCCEEDED(ret)) {
		mssql_stmt_error(err, stmt, t->name);
		goto out;
	}
	ret = SQLExecute(stmt);
	if (!SQL_SUCCEEDED(ret)) {
		mssql_stmt_error(err, stmt, t->name);
		goto out;
	}
	ret = SQLFetch(stmt);
	if (ret == SQL_NO_DATA) {
		rc = 0;
		goto out;
	}
	if (!SQL_SUCCEEDED(ret)) {
		mssql_stmt_error(err, stmt, t->name);
		goto out;
	}
	if (ofb_get_text(stmt, 1, &column, err) != 0
	    || ofb_get_text(stmt, 2, &next, err) != 0) {
		ofb_error_prefix(err, "cannot read the identity column of table '%s'", t->name);
		goto out;
	}
	if (column == NULL) {
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < t->n_columns; i++)
		if (t->columns[i].name && strcmp(t->columns[i].name, column) == 0)
			t->columns[i].identity = 1;
	free(t->identity_column);
	t->identity_column = column;
	column = NULL;
	/* A decimal(38,0) identity can outgrow long long; its next value then stays 0,
	 * "unknown", rather than a wrong number. */
	if (next) {
		errno = 0;
		value = strtoll(next, &end, 10);
		if (errno == 0 && end != next && *end == '\0')
			t->identity_next = value;
	}
	rc = 0;
out:
	if (stmt != SQL_NULL_HSTMT)
		SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	free(next);
	free(column);
	free(wname);
	free(wsql);
	return rc;
}

/* n where SQL Server can declare it, else the unbounded (max) variant; also for an
 * unknown length (0), since a guessed one could cut values. */
static void mssql_sized_ddl(struct buf *sql, const char *type, long n, long limit,
			    const char *max_type)
{
	if (n <= 0 || n > limit)
		buf_adds(sql, max_type);
	else
		buf_addf(sql, "%s(%ld)", type, n);
}

static int mssql_fraction_ddl(int scale)
{
	return scale < 0 || scale > MSSQL_MAX_FRACTION ? MSSQL_MAX_FRACTION : scale;
}

/* decimal(p,s) with p capped at SQL Server's 38 and s at most p. An unknown precision
 * (0) also becomes 38. Values needing more than 38 digits, or more fractional digits
 * than the column keeps, cannot be held: the server would round the fraction silently
 * (NUMERIC_ROUNDABORT cannot be used, it breaks indexed views), so the import layer
 * must compare each value's digits with the column's precision and scale and refuse
 * the import before inserting. */
static void mssql_decimal_ddl(const struct ofb_column *col, struct buf *sql)
{
	int scale = col->scale;
	int precision = col->precision;

	if (scale < 0)
		scale = 0;
	if (scale > MSSQL_MAX_PRECISION)
		scale = MSSQL_MAX_PRECISION;
	if (precision <= 0 || precision > MSSQL_MAX_PRECISION)
		precision = MSSQL_MAX_PRECISION;
	/* Some engines allow a scale above the precision (numeric(3,5) holds 0.00123). */
	if (precision < scale)
		precision = scale;
	buf_addf(sql, "decimal(%d,%d)", precision, scale);
}

/* Character types are the n-variants: the package is Unicode and the non-n types hold
 * only the database's code page. nchar(n) counts UTF-16 code units, so a value of n
 * characters outside the Basic Multilingual Plane (emoji) needs more room than another
 * engine's char(n): ANSI_WARNINGS makes such an insert fail rather than cut it. */
static void mssql_type_ddl(const struct ofb_column *col, struct buf *sql)
{
	switch (col->type) {
	case OFB_T_BOOLEAN: buf_adds(sql, "bit"); break;
	case OFB_T_SMALLINT: buf_adds(sql, "smallint"); break;
	case OFB_T_INTEGER: buf_adds(sql, "int"); break;
	case OFB_T_BIGINT: buf_adds(sql, "bigint"); break;
	case OFB_T_DECIMAL: mssql_decimal_ddl(col, sql); break;
	case OFB_T_REAL: buf_adds(sql, "real"); break;
	case OFB_T_DOUBLE: buf_adds(sql, "float(53)"); break;
	case OFB_T_CHAR:
		mssql_sized_ddl(sql, "nchar", col->length, MSSQL_MAX_NCHARS, "nvarchar(max)");
		break;
	case OFB_T_VARCHAR:
		mssql_sized_ddl(sql, "nvarchar", col->length, MSSQL_MAX_NCHARS,
				"nvarchar(max)");
		break;
	case OFB_T_TEXT: buf_adds(sql, "nvarchar(max)"); break;
	case OFB_T_BINARY:
		mssql_sized_ddl(sql, "binary", col->length, MSSQL_MAX_BYTES, "varbinary(max)");
		break;
	case OFB_T_VARBINARY:
		mssql_sized_ddl(sql, "varbinary", col->length, MSSQL_MAX_BYTES,
				"varbinary(max)");
		break;
	case OFB_T_BLOB: buf_adds(sql, "varbinary(max)"); break;
	case OFB_T_DATE: buf_adds(sql, "date"); break;
	/* Finer fractions than 100 ns (some engines keep nanoseconds) are rounded by the
	 * server; the import layer has to refuse them if that matters. */
	case OFB_T_TIME: buf_addf(sql, "time(%d)", mssql_fraction_ddl(col->scale)); break;
	case OFB_T_TIMESTAMP:
		buf_addf(sql, "datetime2(%d)", mssql_fraction_ddl(col->scale));
		break;
	case OFB_T_TIMESTAMPTZ:
		buf_addf(sql, "datetimeoffset(%d)", mssql_fraction_ddl(col->scale));
		break;
	case OFB_T_UUID: buf_adds(sql, "uniqueidentifier"); break;
	case OFB_T_OTHER:
	default: buf_adds(sql, "nvarchar(max)"); break;
	}
}

/* T-SQL has no LIMIT. OFFSET/FETCH (SQL Server 2012 and later) is only valid after an
 * ORDER BY, which the caller must write (ORDER BY (SELECT NULL) for a table without a
 * key). FETCH refuses 0 rows, so an empty result skips past every possible row instead;
 * both take a bigint, so larger n are capped. */
static void mssql_limit_clause(struct buf *sql, unsigned long n)
{
	unsigned long long rows = n;

	if (rows > MSSQL_MAX_ROWS)
		rows = MSSQL_MAX_ROWS;
	if (rows == 0)
		buf_adds(sql, " OFFSET " MSSQL_MAX_ROWS_TEXT " ROWS");
	else
		buf_addf(sql, " OFFSET 0 ROWS FETCH NEXT %llu ROWS ONLY", rows);
}

/* --- objects besides tables: views, triggers, procedures, functions, CHECK constraints --- */

/* T-SQL keeps each module's own CREATE statement in sys.sql_modules; CHECK constraints
 * are made anew from sys.check_constraints. Objects of the default schema (the tables'
 * scope), triggers on its tables; created in the order of their object ids. */
static const char mssql_objects_sql[] =
	"SELECT CASE o.type WHEN 'V' THEN 'view' WHEN 'P' THEN 'procedure' "
	"WHEN 'TR' THEN 'trigger' ELSE 'function' END, o.name, "
	"CASE WHEN o.type = 'TR' THEN OBJECT_NAME(o.parent_object_id) END, m.definition, NULL "
	"FROM sys.objects o JOIN sys.sql_modules m ON m.object_id = o.object_id "
	"WHERE o.schema_id = SCHEMA_ID() AND o.type IN ('V', 'P', 'FN', 'IF', 'TF', 'TR') "
	"AND o.is_ms_shipped = 0 "
	"UNION ALL SELECT 'constraint', c.name, t.name, 'ALTER TABLE ' + QUOTENAME(t.name) + "
	"' ADD CONSTRAINT ' + QUOTENAME(c.name) + ' CHECK ' + c.definition, NULL "
	"FROM sys.check_constraints c JOIN sys.tables t ON t.object_id = c.parent_object_id "
	"WHERE t.schema_id = SCHEMA_ID() ORDER BY 1, 2";

static int mssql_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	return ofb_drv_objects_from_query(db, s, mssql_objects_sql, err);
}

/* What T-SQL in a package may not do: shell and file access, other servers, server
 * settings, logins and rights, SQL built at run time. */
static const char *const mssql_forbidden_words[] = {
	"OPENROWSET", "OPENDATASOURCE", "OPENQUERY", "OPENXML", "BULK", "RECONFIGURE",
	"EXTERNAL", "LOGIN", "GRANT", "REVOKE", "DENY", "IMPERSONATE", "SHUTDOWN", "BACKUP",
	"RESTORE", "EXEC", "USE", "SETUSER", NULL
};
static const char *const mssql_forbidden_functions[] = {
	"xp_*", "sp_*", "fn_xe_*", "fn_get_audit_file", "fn_trace_gettable", NULL
};
static const char *const mssql_default_functions[] = {
	"getdate", "getutcdate", "sysdatetime", "sysutcdatetime", "sysdatetimeoffset",
	"newid", "newsequentialid", "current_timestamp", NULL
};
static const char *const mssql_default_keywords[] = {
	"CURRENT_TIMESTAMP", "NULL", NULL
};
static const struct ofb_sql_dialect mssql_dialect = {
	.flags = OFB_SQL_BRACKET_IDENT | OFB_SQL_SCHEMAS | OFB_SQL_CATALOG_NAMES,
	.forbidden_words = mssql_forbidden_words,
	.forbidden_functions = mssql_forbidden_functions,
	.default_functions = mssql_default_functions,
	.default_keywords = mssql_default_keywords,
};

const struct ofb_driver ofb_driver_sqlserver = {
	.name = "sqlserver",
	.matches = mssql_matches,
	/* Text crosses ODBC as UTF-16 already; ClientCharset makes FreeTDS convert what
	 * is read as narrow text (varchar in a code-page collation) to
	 * UTF-8 instead of the locale's or freetds.conf's charset. TDS 7.4 (SQL Server 2012;
	 * older servers answer with the version they speak) delivers date, time, datetime2
	 * and datetimeoffset as their own types instead of strings (7.3 and later). */
	.connect_options = "ClientCharset=UTF-8;TDS_Version=7.4",
	/* Contract with ofb_drv_quote: it writes '[', the name with every ']' doubled, ']',
	 * the only escape T-SQL has inside a bracketed name, so any name is safe. Brackets
	 * work whatever QUOTED_IDENTIFIER says. */
	.quote_open = '[',
	.quote_close = ']',
	/* FreeTDS hands rows to SQLFetch as they arrive on the socket (the default
	 * forward-only, read-only result), so one query per table keeps memory flat. The
	 * price: without MARS a connection runs one statement at a time, so a table's result
	 * must be finished or closed before the next query. */
	.chunk_rows = 0,
	.session_setup = mssql_session_setup,
	.begin_snapshot = mssql_begin_snapshot,
	.catalog_scope = mssql_catalog_scope,
	.refine_column = mssql_refine_column,
	.table_extra = mssql_table_extra,
	.read_objects = mssql_read_objects,
	.dialect = &mssql_dialect,
	.type_ddl = mssql_type_ddl,
	.limit_clause = mssql_limit_clause,
};
