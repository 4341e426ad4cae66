/* mariadb.c - MariaDB/MySQL through MariaDB Connector/ODBC: consistent-snapshot
 * transactions, chunked reads (the connector buffers whole results), and the column
 * details its catalog functions get wrong (nullability, fractional seconds, booleans). */
#include <math.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"
#include "odbc.h"
#include "schema.h"

static int my_matches(const char *dbms_name)
{
	return strncasecmp(dbms_name, "MariaDB", 7) == 0 ||
	       strncasecmp(dbms_name, "MySQL", 5) == 0;
}

/* "MariaDB Unicode", libmaodbc.so, "MySQL ODBC 8.0 Unicode Driver", libmyodbc8w.so */
static int my_driver_name(const char *driver_name)
{
	return strcasestr(driver_name, "mariadb") != NULL || strcasestr(driver_name, "maodbc") ||
	       strcasestr(driver_name, "mysql") || strcasestr(driver_name, "myodbc");
}

static int my_utf8_session(struct ofb_db *db, struct ofb_error *err)
{
	char *cs = NULL;

	if (ofb_db_query_value(db, "SELECT CONCAT_WS(',', @@character_set_client, "
			       "@@character_set_connection, @@character_set_results)", &cs, err) != 0)
		return -1;
	db->utf8_reads = db->utf8_binds = cs && strcmp(cs, "utf8mb4,utf8mb4,utf8mb4") == 0;
	free(cs);
	return 0;
}

static int my_session(struct ofb_db *db, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	ofb_wchar *w;
	SQLRETURN rc;

	/* One statement per call, as sqlcheck assumes: the connector's default, which an
	 * OPTION flag in the connection string (67108864) could turn off. Prepared, not run:
	 * the connector accepts the pair only with that flag, and executing it without the
	 * flag leaves the connection's lock taken by this thread (connector 3.1), which would
	 * hang the next statement of any other thread. */
	if (ofb_db_stmt(db, &st, err) != 0)
		return -1;
	w = utf8_to_w("DO 1; DO 1", NULL);
	rc = SQLPrepareW(st, (SQLWCHAR *)w, SQL_NTS);
	free(w);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	if (SQL_SUCCEEDED(rc)) {
		ofb_error_usage(err, "the connection runs several statements in one call (its "
				"OPTION includes 67108864, multi statements): remove that flag");
		return -1;
	}
	/* UTC so TIMESTAMP text is not shifted by the server's zone; REPEATABLE READ for the
	 * snapshot transaction. */
	if (ofb_db_exec(db, "SET time_zone = '+00:00'", err) ||
	    ofb_db_exec(db, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", err))
		return -1;
	/* Text as the bytes the server sends and takes when that is UTF-8 (utf8mb4, which
	 * CHARSET=utf8mb4 sets unless the connection string says otherwise) */
	return my_utf8_session(db, err);
}

static int my_snapshot(struct ofb_db *db, char **warning, struct ofb_error *err)
{
	(void)warning;
	if (ofb_db_begin(db, err) != 0)
		return -1;
	return ofb_db_exec(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", err);
}

static int my_scope(struct ofb_db *db, char **catalog, char **schema, struct ofb_error *err)
{
	(void)schema;
	if (ofb_db_query_value(db, "SELECT DATABASE()", catalog, err) != 0)
		return -1;
	if (!*catalog) {
		ofb_error_set(err, "no database selected: add Database=... to the connection");
		return -1;
	}
	return 0;
}

/* One row of the column details. */
static void my_column_row(struct ofb_table *t, char **v, void *ctx)
{
	struct ofb_column *c = ofb_table_column(t, v[1]);

	(void)ctx;
	if (!c)
		return;
	c->nullable = v[2] && strcmp(v[2], "YES") == 0;
	if (v[3]) {
		free(c->native_type);
		c->native_type = xstrdup(v[3]);
		if (strcmp(v[3], "tinyint(1)") == 0)
			c->type = OFB_T_BOOLEAN;
		else if (strcmp(v[3], "uuid") == 0)   /* reported as binary */
			c->type = OFB_T_UUID;
		else if (strcmp(v[3], "inet4") == 0 || strcmp(v[3], "inet6") == 0)
			c->type = OFB_T_OTHER;
		else if (strncmp(v[3], "year", 4) == 0)
			c->type = OFB_T_SMALLINT;
	}
	if (v[4] && (c->type == OFB_T_TIME || c->type == OFB_T_TIMESTAMP))
		c->scale = atoi(v[4]);
	/* made by the engine from other columns: its own DDL makes it, no value goes in */
	if (v[5] && strstr(v[5], "GENERATED"))
		c->generated = 1;
	if (v[5] && strstr(v[5], "auto_increment")) {
		c->identity = 1;
		free(t->identity_column);
		t->identity_column = xstrdup(c->name);
	}
}

static void my_auto_increment_row(struct ofb_table *t, char **v, void *ctx)
{
	(void)ctx;
	if (v[1] && t->identity_column)
		t->identity_next = atoll(v[1]);
}

/* information_schema knows what the connector's SQLColumns does not tell reliably: one
 * query for all columns of the database, and one for the next values of its
 * AUTO_INCREMENT columns (asked table by table, they took 0.6 ms a table). Table names
 * compare as bytes: the server keeps `t` and `T` apart on most systems. */
static int my_schema_extra(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	return ofb_drv_table_rows(db, s, "SELECT TABLE_NAME, COLUMN_NAME, IS_NULLABLE, "
				  "COLUMN_TYPE, DATETIME_PRECISION, EXTRA FROM "
				  "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()", 6, 0,
				  my_column_row, NULL, "cannot read column details", err) ||
	       ofb_drv_table_rows(db, s, "SELECT TABLE_NAME, AUTO_INCREMENT FROM "
				  "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
				  "AUTO_INCREMENT IS NOT NULL", 2, 0, my_auto_increment_row, NULL,
				  "cannot read the AUTO_INCREMENT values", err) ? -1 : 0;
}

/* The table's own CREATE TABLE. */
static int my_table_extra(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	struct buf sql;
	int ret;

	buf_init(&sql);
	buf_adds(&sql, "SHOW CREATE TABLE ");
	ofb_drv_quote(db->drv, &sql, t->name);
	ret = ofb_db_query(db, sql.data, &st, err);
	buf_free(&sql);
	if (ret != 0)
		return -1;
	if (SQL_SUCCEEDED(SQLFetch(st)) && ofb_get_text(st, 2, &t->native_ddl, err) != 0)
		ret = -1;
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return ret;
}

static void my_type_ddl(const struct ofb_column *col, struct buf *sql)
{
	switch (col->type) {
	case OFB_T_BOOLEAN: buf_adds(sql, "tinyint(1)"); break;
	case OFB_T_SMALLINT: buf_adds(sql, "smallint"); break;
	case OFB_T_INTEGER: buf_adds(sql, "int"); break;
	case OFB_T_BIGINT: buf_adds(sql, "bigint"); break;
	case OFB_T_DECIMAL: {
		/* MariaDB: precision 1..65, scale 0..38 and not above the precision. Unknown
		 * precision (unbounded numeric) gets the widest that keeps fractions. */
		int scale = col->precision > 0 ? col->scale : 30;
		int precision = col->precision > 0 ? col->precision : 65;
		if (scale > 38)
			scale = 38;
		if (precision < scale)
			precision = scale;
		if (precision > 65)
			precision = 65;
		buf_addf(sql, "decimal(%d,%d)", precision, scale);
		break;
	}
	case OFB_T_REAL: buf_adds(sql, "float"); break;
	case OFB_T_DOUBLE: buf_adds(sql, "double"); break;
	case OFB_T_CHAR:
		if (col->length > 0 && col->length <= 255)
			buf_addf(sql, "char(%ld)", col->length);
		else
			buf_adds(sql, "longtext");
		break;
	case OFB_T_VARCHAR:
		if (col->length > 0 && col->length <= 16383)
			buf_addf(sql, "varchar(%ld)", col->length);
		else
			buf_adds(sql, "longtext");
		break;
	case OFB_T_BINARY:
		if (col->length > 0 && col->length <= 255)
			buf_addf(sql, "binary(%ld)", col->length);
		else
			buf_adds(sql, "longblob");
		break;
	case OFB_T_VARBINARY:
		if (col->length > 0 && col->length <= 65535)
			buf_addf(sql, "varbinary(%ld)", col->length);
		else
			buf_adds(sql, "longblob");
		break;
	case OFB_T_BLOB: buf_adds(sql, "longblob"); break;
	case OFB_T_DATE: buf_adds(sql, "date"); break;
	case OFB_T_TIME: buf_addf(sql, "time(%d)", col->scale > 6 ? 6 : col->scale); break;
	case OFB_T_TIMESTAMP:
	case OFB_T_TIMESTAMPTZ:
		buf_addf(sql, "datetime(%d)", col->scale > 6 ? 6 : col->scale);
		break;
	case OFB_T_UUID: buf_adds(sql, "char(36)"); break;
	case OFB_T_TEXT:
	case OFB_T_OTHER: buf_adds(sql, "longtext"); break;
	}
}

/* Index keys hold at most 3072 bytes: unbounded text and binary in a key get the longest
 * bounded type that fits (longer values are refused by strict mode, not cut). */
static void my_column_ddl(const struct ofb_column *col, struct buf *sql)
{
	int text = col->type == OFB_T_TEXT || col->type == OFB_T_OTHER ||
		   ((col->type == OFB_T_VARCHAR || col->type == OFB_T_CHAR) &&
		    (col->length <= 0 || col->length > 768));
	int binary = col->type == OFB_T_BLOB ||
		     ((col->type == OFB_T_VARBINARY || col->type == OFB_T_BINARY) &&
		      (col->length <= 0 || col->length > 3072));

	if (col->key_part && text)
		buf_adds(sql, "varchar(768)");
	else if (col->key_part && binary)
		buf_adds(sql, "varbinary(3072)");
	else
		my_type_ddl(col, sql);
}

static int my_load_session(struct ofb_db *db, struct ofb_error *err)
{
	/* strict: refuse what does not fit instead of storing less; keep explicit zeros in
	 * AUTO_INCREMENT columns; tables come in name order, not reference order */
	char *hex = NULL;

	if (ofb_db_exec(db, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,"
			"NO_ENGINE_SUBSTITUTION'", err) ||
	    ofb_db_exec(db, "SET SESSION FOREIGN_KEY_CHECKS = 0", err))
		return -1;
	/* The connector converts statement text to its own character set (CHARSET=), which
	 * need not be the session's: a character beyond Latin-1 and the BMP, sent and read
	 * back, tells whether literals reach the server whole. */
	if (ofb_db_query_value(db, "SELECT HEX('\xF0\x9F\x8E\x89')", &hex, err) != 0)
		return -1;
	db->text_exact = hex && strcmp(hex, "F09F8E89") == 0;
	free(hex);
	return 0;
}

/* InnoDB keeps a table's rows in its primary key's order; MyISAM, Aria and the others in
 * the order they went in. */
static int my_key_ordered(struct ofb_db *db, const struct ofb_table *t, struct ofb_error *err)
{
	const char *args[1] = { t->name };
	SQLHSTMT st = NULL;
	char *engine = NULL;
	int ret = -1;

	if (ofb_db_query_args(db, "SELECT ENGINE FROM information_schema.TABLES "
			      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = BINARY ?", args, 1, &st,
			      err) != 0)
		return -1;
	if (SQL_SUCCEEDED(SQLFetch(st)) && ofb_get_text(st, 1, &engine, err) != 0)
		goto out;
	ret = engine && strcasecmp(engine, "InnoDB") == 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(engine);
	return ret;
}

static void my_identity_ddl(const struct ofb_column *col, struct buf *sql)
{
	(void)col;
	buf_adds(sql, " AUTO_INCREMENT");
}

static int my_set_identity(struct ofb_db *db, const struct ofb_table *t, const char *column,
			   long long next, struct ofb_error *err)
{
	struct buf sql;
	int ret;

	(void)column;   /* one AUTO_INCREMENT column per table */
	buf_init(&sql);
	buf_adds(&sql, "ALTER TABLE ");
	ofb_drv_quote(db->drv, &sql, t->name);
	buf_addf(&sql, " AUTO_INCREMENT = %lld", next);
	ret = ofb_db_exec(db, sql.data, err);
	buf_free(&sql);
	return ret;
}

static const char *my_value_check(const struct ofb_column *col, const char *v, size_t len,
				  int *warn)
{
	if (col->type == OFB_T_REAL || col->type == OFB_T_DOUBLE) {
		if ((len == 3 && !memcmp(v, "NaN", 3)) || memchr(v, 'I', len))
			return "MariaDB cannot store NaN or infinity";
		if ((len >= 2 && v[0] == '-' && strspn(v + 1, "0.") == len - 1))
			*warn = 1;
	} else if (col->type == OFB_T_DECIMAL) {
		int before, after;
		if (len == 3 && !memcmp(v, "NaN", 3))
			return "MariaDB decimals cannot hold NaN";
		/* An unbounded decimal becomes decimal(65,30); a bounded one keeps its own
		 * precision and strict mode refuses what does not fit. */
		if (col->precision <= 0 && ofb_decimal_shape(v, len, &before, &after) == 0 &&
		    (after > 30 || before > 35))
			return "an unbounded decimal becomes decimal(65,30) in MariaDB, which does "
			       "not hold this value (more than 35 digits before or 30 after the "
			       "point)";
		return ofb_value_fits_type(col, v, len);
	}
	return ofb_value_fits_type(col, v, len);
}

/* MariaDB's datetime has no zone: a timestamptz becomes its instant in UTC. */
static char *my_adapt_value(const struct ofb_column *col, const char *v, size_t len)
{
	struct tm tm = { 0 };
	char frac[16] = "", *text, *out = NULL;
	int sign, oh = 0, om = 0, n = 0;
	const char *off;
	time_t t;

	if (col->type == OFB_T_REAL) {
		/* The shortest text of FLT_MAX (3.4028235e+38) lies above FLT_MAX and MariaDB
		 * refuses it; the float's exact value in 17 digits is what it stores. */
		char *num = xstrndup(v, len), *end;
		float f = strtof(num, &end);
		if (*end == '\0' && end != num && isfinite(f))
			out = xasprintf("%.17g", (double)f);
		free(num);
		return out;
	}
	if (col->type != OFB_T_TIMESTAMPTZ || len < 19)
		return NULL;
	text = xstrndup(v, len);
	off = strpbrk(text + 19, "+-Z");
	if (!off)
		goto out;
	if (sscanf(text, "%d-%d-%d %d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		goto out;
	if (text[n] == '.')
		snprintf(frac, sizeof frac, "%.*s", (int)strspn(text + n + 1, "0123456789") + 1,
			 text + n);
	sign = *off == '-' ? -1 : 1;
	if (*off != 'Z' && sscanf(off + 1, "%2d:%2d", &oh, &om) < 1 &&
	    sscanf(off + 1, "%2d%2d", &oh, &om) < 1)
		goto out;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	gmtime_r(&t, &tm);
	out = xasprintf("%04d-%02d-%02d %02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
out:
	free(text);
	return out;
}

/* MariaDB's lexer in the sql_mode my_load_session sets (no ANSI_QUOTES, backslash escapes
 * on): '' and "" strings with escapes, `` names, #, "-- " and block comments, and
 * executable comments whose inside runs. */
static const char *const my_forbidden_words[] = {
	"LOAD DATA", "LOAD XML", "INTO OUTFILE", "INTO DUMPFILE", "SET GLOBAL", "INFILE",
	"OUTFILE", "DUMPFILE", "DIRECTORY", "CONNECTION", "UNION", "INSTALL",
	"SHUTDOWN",
	/* the server, its users and rights, other databases, native code */
	"GLOBAL", "GRANT", "REVOKE", "SONAME", "PLUGIN", "UNINSTALL", "FLUSH", "KILL", "PURGE",
	"BINLOG", "IDENTIFIED", "CREATE USER", "ALTER USER", "DROP USER", "RENAME USER",
	"SET PASSWORD", "CREATE ROLE", "DROP ROLE", "SET ROLE", "DEFAULT ROLE", "CREATE DATABASE",
	"ALTER DATABASE", "DROP DATABASE", "CREATE SCHEMA", "ALTER SCHEMA", "DROP SCHEMA",
	"CREATE SERVER", "ALTER SERVER", "DROP SERVER", "CHANGE MASTER", "RESET MASTER",
	"RESET SLAVE", "RESET REPLICA", "START SLAVE", "STOP SLAVE", "START REPLICA",
	"STOP REPLICA", "RESET QUERY", NULL
};
static const char *const my_forbidden_functions[] = {
	"load_file", "sys_exec", "sys_eval", NULL
};
static const char *const my_default_functions[] = {
	"current_timestamp", "now", "curdate", "curtime", "current_date", "current_time",
	"localtime", "localtimestamp", "utc_timestamp", "utc_date", "utc_time", "uuid",
	"uuid_short", "unix_timestamp", "sysdate", NULL
};
static const char *const my_default_keywords[] = {
	"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME",
	"TRUE", "FALSE", "NULL", NULL
};
static const char *const my_table_engines[] = {
	"InnoDB", "MyISAM", "Aria", "MEMORY", "HEAP", NULL
};

static const struct ofb_sql_dialect my_dialect = {
	.flags = OFB_SQL_BACKSLASH_ESCAPES | OFB_SQL_DQUOTE_STRING | OFB_SQL_BACKTICK_IDENT |
		 OFB_SQL_EXEC_COMMENTS | OFB_SQL_HASH_COMMENTS | OFB_SQL_DASH_SPACE,
	.forbidden_words = my_forbidden_words,
	.forbidden_functions = my_forbidden_functions,
	.default_functions = my_default_functions,
	.default_keywords = my_default_keywords,
	.table_engines = my_table_engines,
	.variable_chars = "$@",
};

/* --- views, triggers, routines, events ----------------------------------------------- */

/* Past a user or host name of a DEFINER clause: `x`, 'x', "x" (a doubled quote inside is
 * one) or a bare word. */
static const char *skip_account_part(const char *p)
{
	if (*p == '`' || *p == '\'' || *p == '"') {
		char q = *p++;
		for (; *p; p++)
			if (*p == q) {
				if (p[1] != q)
					return p + 1;
				p++;
			}
		return p;
	}
	while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '%' ||
		      *p == '-' || *p == '(' || *p == ')'))
		p++;
	return p;
}

/* The statement without its DEFINER = user@host clause (malloc'd): the object then belongs
 * to whoever restores it, on any server. */
static char *without_definer(const char *ddl)
{
	const char *d = strstr(ddl, "DEFINER=");
	const char *kind = NULL;
	static const char *const kinds[] = { " VIEW ", " TRIGGER ", " FUNCTION ", " PROCEDURE ",
					     " EVENT " };
	struct buf b;

	/* only a clause before the object's kind word is the definer's */
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const char *k = strstr(ddl, kinds[i]);
		if (k && (!kind || k < kind))
			kind = k;
	}
	if (!d || (kind && d > kind) || (d > ddl && d[-1] != ' '))
		return xstrdup(ddl);
	buf_init(&b);
	buf_add(&b, ddl, (size_t)(d - ddl));
	d = skip_account_part(d + strlen("DEFINER="));
	if (*d == '@')
		d = skip_account_part(d + 1);
	while (*d == ' ')
		d++;
	buf_adds(&b, d);
	return buf_detach(&b);
}

/* Column col of SHOW CREATE <what> `name` (malloc'd), or NULL. */
static int show_create(struct ofb_db *db, const char *what, const char *name, int col,
		       char **out, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	struct buf sql;
	int ret = -1;

	*out = NULL;
	buf_init(&sql);
	buf_addf(&sql, "SHOW CREATE %s ", what);
	ofb_drv_quote(db->drv, &sql, name);
	if (ofb_db_query(db, sql.data, &st, err) == 0) {
		ret = 0;
		if (SQL_SUCCEEDED(SQLFetch(st)))
			ret = ofb_get_text(st, col, out, err);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	buf_free(&sql);
	return ret;
}

/* Each view's definition as the engine keeps it names every table and view it reads as a
 * quoted name: those that are views of this database are its dependencies. */
static void view_depends(struct ofb_schema *s, size_t first)
{
	for (size_t i = first; i < s->n_objects; i++) {
		struct ofb_object *o = &s->objects[i];
		if (o->kind != OFB_OBJ_VIEW)
			continue;
		for (size_t k = first; k < s->n_objects; k++) {
			const struct ofb_object *v = &s->objects[k];
			char *quoted;
			if (k == i || v->kind != OFB_OBJ_VIEW)
				continue;
			quoted = xasprintf(" `%s`", v->name);
			if (strstr(o->native_ddl, quoted))
				ofb_object_add_depend(o, OFB_OBJ_VIEW, v->name, NULL);
			free(quoted);
		}
	}
}

/* Every table's primary key and indexes, as SQLPrimaryKeys and SQLStatistics report them,
 * one query each (asked table by table, they took 0.6 ms a table). Connector/ODBC's
 * SQLPrimaryKeys reads the COLUMN_KEY of each column: it numbers a key's columns by
 * their place in the table, not in the key, and it shows a UNIQUE key of NOT NULL columns
 * as the primary key of a table that has none. */
static const char my_primary_keys[] =
	"SELECT TABLE_SCHEMA, NULL, TABLE_NAME, COLUMN_NAME, SEQ_IN_INDEX, INDEX_NAME "
	"FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
	"AND INDEX_NAME = 'PRIMARY' ORDER BY BINARY TABLE_NAME, SEQ_IN_INDEX";
static const char my_indexes[] =
	"SELECT TABLE_SCHEMA, NULL, TABLE_NAME, NON_UNIQUE, NULL, INDEX_NAME, 3, SEQ_IN_INDEX, "
	"COLUMN_NAME, COLLATION FROM information_schema.STATISTICS "
	"WHERE TABLE_SCHEMA = DATABASE() "
	"ORDER BY BINARY TABLE_NAME, NON_UNIQUE, INDEX_NAME, SEQ_IN_INDEX";

/* The database's foreign keys as SQLForeignKeys reports them, in one query. Connector/
 * ODBC's own query (one per table) joins KEY_COLUMN_USAGE a second time without naming a
 * database, which makes the server open every table of every database on it for each
 * table asked about (18 ms a table with 340 tables on the server, growing with them), and
 * it finds only keys that reference a primary key, not those referencing another unique
 * key. Table names are grouped as bytes: `t` and `T` are two tables. */
#define MY_RULE(col)                                                                      \
	"CASE " col " WHEN 'CASCADE' THEN 0 WHEN 'RESTRICT' THEN 1 WHEN 'SET NULL' THEN 2 " \
	"WHEN 'NO ACTION' THEN 3 WHEN 'SET DEFAULT' THEN 4 END"
static const char my_foreign_keys[] =
	"SELECT K.REFERENCED_TABLE_SCHEMA, NULL, K.REFERENCED_TABLE_NAME, "
	"K.REFERENCED_COLUMN_NAME, K.TABLE_SCHEMA, NULL, K.TABLE_NAME, K.COLUMN_NAME, "
	"K.ORDINAL_POSITION, " MY_RULE("R.UPDATE_RULE") ", " MY_RULE("R.DELETE_RULE") ", "
	"K.CONSTRAINT_NAME, NULL, 7 "
	"FROM information_schema.KEY_COLUMN_USAGE K "
	/* the database named in both places: the server then reads that one alone for
	 * each of the two */
	"JOIN information_schema.REFERENTIAL_CONSTRAINTS R ON R.CONSTRAINT_SCHEMA = DATABASE() "
	"AND R.TABLE_NAME = K.TABLE_NAME AND R.CONSTRAINT_NAME = K.CONSTRAINT_NAME "
	"WHERE K.TABLE_SCHEMA = DATABASE() AND K.REFERENCED_TABLE_NAME IS NOT NULL "
	"ORDER BY BINARY K.TABLE_NAME, K.CONSTRAINT_NAME, K.ORDINAL_POSITION";
#undef MY_RULE

static int my_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	/* kind, name, table, the SHOW CREATE word, the column holding the statement, and
	 * the trigger's place among its table's. Triggers are asked for by their table's
	 * database: the server looks up only that one then, where by TRIGGER_SCHEMA it reads
	 * every database's (3.4 ms against 0.5 ms with 46 databases on the server). */
	static const char *const list =
		"SELECT 'view', TABLE_NAME, NULL, 'VIEW', 2, 0 FROM information_schema.VIEWS "
		"WHERE TABLE_SCHEMA = DATABASE() "
		"UNION ALL SELECT lower(ROUTINE_TYPE), ROUTINE_NAME, NULL, ROUTINE_TYPE, 3, 0 "
		"FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
		"UNION ALL SELECT 'event', EVENT_NAME, NULL, 'EVENT', 4, 0 "
		"FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() "
		"UNION ALL SELECT 'trigger', TRIGGER_NAME, EVENT_OBJECT_TABLE, 'TRIGGER', 3, "
		"ACTION_ORDER FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() "
		/* triggers of one table and event fire in the order they were made */
		"ORDER BY 1, 3, 6, 2";
	SQLHSTMT st = NULL;
	char *v[5] = { NULL };
	size_t first = s->n_objects;
	struct {
		enum ofb_obj_kind kind;
		char *name, *table, *word;
		int col;
	} *found = NULL;
	size_t n = 0;
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query(db, list, &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch_texts(st, v, 5, "cannot list the objects", err)) > 0) {
		enum ofb_obj_kind kind;
		if (!v[0] || !v[1] || !v[3] || !v[4] || ofb_object_kind_parse(v[0], &kind) != 0)
			continue;
		found = xrealloc(found, (n + 1) * sizeof *found);
		found[n].kind = kind;
		found[n].name = v[1];
		found[n].table = v[2];
		found[n].word = v[3];
		found[n].col = atoi(v[4]);
		v[1] = v[2] = v[3] = NULL;
		n++;
	}
	if (rc < 0)
		goto out;
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	st = NULL;
	/* SHOW CREATE is read after the list: one open result at a time */
	for (size_t i = 0; i < n; i++) {
		char *ddl = NULL;
		if (show_create(db, found[i].word, found[i].name, found[i].col, &ddl, err) != 0) {
			ofb_error_prefix(err, "%s '%s'", ofb_object_kind_name(found[i].kind),
					 found[i].name);
			goto out;
		}
		if (!ddl)
			continue;   /* dropped meanwhile, or not ours to read */
		ofb_schema_add_object(s, found[i].kind, found[i].name, found[i].table,
				      without_definer(ddl));
		free(ddl);
	}
	view_depends(s, first);
	ret = 0;
out:
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < 5; i++)
		free(v[i]);
	for (size_t i = 0; i < n; i++) {
		free(found[i].name);
		free(found[i].table);
		free(found[i].word);
	}
	free(found);
	return ret;
}

/* Triggers go with their tables; views, routines and events stay unless dropped. */
static int my_drop_objects(struct ofb_db *db, int after_tables, struct ofb_error *err)
{
	if (after_tables)
		return 0;
#define MY_DROP(word, name) \
	"CONCAT('DROP ', " word ", ' IF EXISTS `', REPLACE(" name ", '`', '``'), '`')"
	return ofb_drv_exec_listed(db, "SELECT " MY_DROP("'VIEW'", "TABLE_NAME") " "
				   "FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() "
				   "UNION ALL SELECT " MY_DROP("ROUTINE_TYPE", "ROUTINE_NAME") " "
				   "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
				   "UNION ALL SELECT " MY_DROP("'EVENT'", "EVENT_NAME") " "
				   "FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()", err);
#undef MY_DROP
}

static int my_is_pk_index(const char *name)
{
	return strcmp(name, "PRIMARY") == 0;
}

/* ENUM and SET sort by their position in the list but compare with text as text. */
static int my_keyset_unsafe(const struct ofb_column *col)
{
	return strncasecmp(col->native_type, "enum(", 5) == 0 ||
	       strncasecmp(col->native_type, "set(", 4) == 0;
}

/* MEDIUM and LONG TEXT by characters (as SUBSTRING counts them in the column's
 * character set), BLOBs by bytes; the shorter kinds hold 64 KiB at most. InnoDB tables
 * only: the others ignore the snapshot, so a value updated meanwhile would be read as
 * parts of two. */
static int my_slice_column(const struct ofb_db *db, const struct ofb_table *t,
			   const struct ofb_column *col, unsigned long long over,
			   struct buf *sql, const char **part)
{
	const char *n = col->native_type ? col->native_type : "";
	size_t skip = strncmp(n, "medium", 6) == 0 ? 6 : strncmp(n, "long", 4) == 0 ? 4 : 0;
	int binary = skip && strcmp(n + skip, "blob") == 0;
	const char *engine = t->native_ddl ? strstr(t->native_ddl, "\n) ENGINE=") : NULL;

	if (!binary && !(skip && strcmp(n + skip, "text") == 0))
		return 0;
	if (!engine || strncmp(engine, "\n) ENGINE=InnoDB", 16) != 0 ||
	    (engine[16] != ' ' && engine[16] != '\0'))
		return 0;
	ofb_drv_long_length(db->drv, col, over, "OCTET_LENGTH",
			    binary ? "OCTET_LENGTH" : "CHAR_LENGTH", sql);
	*part = "SUBSTRING";
	return 1;
}

/* Whether the connector would misread a statement for this text: it looks for markers
 * ('?') and statement ends (';') through the whole statement, in time that grows with the
 * square of its length, and in one longer than 32 KiB without either it reads the last few
 * hundred bytes alone, from wherever they begin, for WHERE CURRENT OF (connector 3.1). */
static int my_text_misread(const char *s, size_t n)
{
	if (memchr(s, '?', n) || memchr(s, ';', n))
		return 1;
	for (size_t i = 0; i + 7 <= n; i++)
		if ((s[i] | 0x20) == 'c' && strncasecmp(s + i, "current", 7) == 0)
			return 1;
	return 0;
}

/* Such text as a hex string of utf8mb4 (the same value in every column a string literal
 * goes into, checked as UTF-8 as one), the rest as a quoted literal. */
static void my_text_literal(struct buf *sql, const char *s, size_t n)
{
	if (!my_text_misread(s, n)) {
		ofb_sql_add_string_n(&my_dialect, sql, s, n);
		return;
	}
	buf_adds(sql, "_utf8mb4 X'");
	buf_add_hex(sql, (const unsigned char *)s, n);
	buf_addc(sql, '\'');
}

const struct ofb_driver ofb_driver_mariadb = {
	.name = "mariadb",
	.matches = my_matches,
	.driver_name_matches = my_driver_name,
	/* utf8mb4 for characters beyond the BMP; set at connect so the connector converts
	 * with the same character set the server sends. */
	.connect_options = "CHARSET=utf8mb4",
	.quote_open = '`',
	.quote_close = '`',
	.chunk_rows = 5000,
	.slice_column = my_slice_column,
	.session_setup = my_session,
	.begin_snapshot = my_snapshot,
	.catalog_scope = my_scope,
	.catalog_all_columns = 1,
	.table_extra = my_table_extra,
	.schema_extra = my_schema_extra,
	.primary_keys_query = my_primary_keys,
	.indexes_query = my_indexes,
	.foreign_keys_query = my_foreign_keys,
	.read_objects = my_read_objects,
	.drop_objects = my_drop_objects,
	.type_ddl = my_column_ddl,
	.bool_as_integer = 1,
	.text_literal = my_text_literal,
	.one_identity = 1,
	/* column names: always; table names: only where the server is set so
	 * (lower_case_table_names), which the engine's own error then tells */
	.fold_column_names = 1,
	/* utf8mb4 holds every character; a binary collation keeps 'a' and 'A' apart as the
	 * other engines do (a case-insensitive one would refuse such keys) */
	.create_database_options = "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
	.maintenance_database = "",
	.load_session = my_load_session,
	.key_ordered = my_key_ordered,
	.identity_ddl = my_identity_ddl,
	.set_identity = my_set_identity,
	.value_check = my_value_check,
	.adapt_value = my_adapt_value,
	.dialect = &my_dialect,
	.can_restore = 1,
	.native_table_ddl = 1,
	.native_ddl_has_keys = 1,
	.is_pk_index = my_is_pk_index,
	.keyset_unsafe = my_keyset_unsafe,
};
