/* sqlite.c - SQLite through sqliteodbc: typeless columns described by their declared
 * type, the CREATE statement kept verbatim, rowid/AUTOINCREMENT identity. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "driver.h"
#include "odbc.h"
#include "schema.h"

static int sqlite_matches(const char *dbms_name)
{
	return strncasecmp(dbms_name, "SQLite", 6) == 0;
}

/* A read transaction: BEGIN, and the first read takes the shared lock that keeps every
 * later read on the same state of the file. The transaction is opened by SQL in autocommit
 * mode on purpose: with autocommit off, sqliteodbc reads every result whole into memory
 * instead of stepping through it. It ends when the connection closes (nothing to commit). */
static int sqlite_snapshot(struct ofb_db *db, char **warning, struct ofb_error *err)
{
	char *v = NULL;

	(void)warning;
	if (ofb_db_exec(db, "BEGIN", err) != 0)
		return -1;
	if (ofb_db_query_value(db, "SELECT count(*) FROM sqlite_master", &v, err) != 0)
		return -1;
	free(v);
	return 0;
}

/* "decimal(12,4)" -> 12, 4; returns the number of values read. */
static int type_args(const char *decl, long *a, long *b)
{
	const char *p = strchr(decl, '(');

	if (!p)
		return 0;
	return sscanf(p, "(%ld , %ld", a, b);
}

static int starts(const char *decl, const char *word)
{
	return strncasecmp(decl, word, strlen(word)) == 0;
}

/* sqliteodbc reports catalog sizes and digits that do not come from the declaration
 * (decimal digits 10 everywhere); the declared type is what the schema said. */
static void sqlite_refine(struct ofb_column *col)
{
	const char *decl = col->native_type;
	long a = 0, b = 0;
	int n = type_args(decl, &a, &b);

	/* NUMERIC/DECIMAL columns hold integers exactly (64 bits) and other numbers as
	 * doubles: read as text they stay exact, read as double they would not. */
	if (starts(decl, "decimal") || starts(decl, "numeric")) {
		col->type = OFB_T_DECIMAL;
		col->precision = n >= 1 ? (int)a : 0;   /* 0: unbounded */
		col->scale = n >= 2 ? (int)b : 0;
		col->length = 0;
		return;
	}
	switch (col->type) {
	case OFB_T_VARCHAR:
	case OFB_T_CHAR:
		break;
	case OFB_T_INTEGER:
	case OFB_T_SMALLINT:
		/* every SQLite integer is 64 bits wide, whatever the declaration says */
		col->type = OFB_T_BIGINT;
		return;
	case OFB_T_TIME:
	case OFB_T_TIMESTAMP:
		col->scale = 6;   /* SQLite keeps whatever text was stored */
		return;
	default:
		return;
	}
	if (n >= 1 && a > 0)
		col->length = a;
	else
		col->type = OFB_T_TEXT;
}

/* sqliteodbc reports a table's first UNIQUE index as its primary key when it has none;
 * table_info knows the truth. Such a "key" goes back among the indexes. */
static int fix_primary_key(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err)
{
	const char *args[1] = { t->name };
	char *n = NULL;
	SQLHSTMT st = NULL;
	int ret = -1;

	if (!t->primary_key)
		return 0;
	if (ofb_db_query_args(db, "SELECT count(*) FROM pragma_table_info(?) WHERE pk > 0",
			      args, 1, &st, err) != 0)
		return -1;
	if (SQL_SUCCEEDED(SQLFetch(st)) && ofb_get_text(st, 1, &n, err) != 0)
		goto out;
	if (n && atoi(n) == 0) {
		t->indexes = xrealloc(t->indexes, (t->n_indexes + 1) * sizeof *t->indexes);
		t->indexes[t->n_indexes++] = *t->primary_key;
		free(t->primary_key);
		t->primary_key = NULL;
	}
	ret = 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(n);
	return ret;
}

static int has_sequence_table(struct ofb_db *db)
{
	struct ofb_error ignored;
	char *n = NULL;
	int yes;

	ofb_error_clear(&ignored);
	if (ofb_db_query_value(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
			       "name = 'sqlite_sequence'", &n, &ignored) != 0)
		return 0;
	yes = n && atoi(n) > 0;
	free(n);
	return yes;
}

/* Every index's own CREATE INDEX, which alone describes indexes on expressions and
 * partial ones (the ODBC catalog leaves those out or shows a part of them). */
static int native_indexes(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err)
{
	const char *args[1] = { t->name };
	char *name = NULL, *sql = NULL, *partial = NULL, *exprs = NULL;
	SQLHSTMT st = NULL;
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query_args(db, "SELECT m.name, m.sql, l.partial, (SELECT count(*) FROM "
			      "pragma_index_xinfo(m.name) x WHERE x.key = 1 AND x.cid = -2) "
			      "FROM sqlite_master m JOIN pragma_index_list(m.tbl_name) l "
			      "ON l.name = m.name WHERE m.type = 'index' AND m.tbl_name = ? "
			      "AND m.sql IS NOT NULL", args, 1, &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch(st, "cannot read the indexes", err)) > 0) {
		if (ofb_get_text(st, 1, &name, err) || ofb_get_text(st, 2, &sql, err) ||
		    ofb_get_text(st, 3, &partial, err) || ofb_get_text(st, 4, &exprs, err))
			goto out;
		if (name && sql)
			ofb_table_native_index(t, name, sql, strncasecmp(sql, "CREATE UNIQUE", 13) == 0,
					       (partial && atoi(partial)) || (exprs && atoi(exprs)));
		free(name);
		free(sql);
		free(partial);
		free(exprs);
		name = sql = partial = exprs = NULL;
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(name);
	free(sql);
	free(partial);
	free(exprs);
	return ret;
}

/* The driver's SQLColumns gives a default's text with its quotes taken off ('DE' comes as
 * DE): SQLite's own table_info has it as written, which is SQL again. */
static int sqlite_defaults(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	const char *args[1] = { t->name };
	char *name = NULL, *dflt = NULL;
	int rc, ret = -1;

	if (ofb_db_query_args(db, "SELECT name, dflt_value FROM pragma_table_info(?)", args, 1,
			      &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch(st, "cannot read column defaults", err)) > 0) {
		free(name);
		free(dflt);
		name = dflt = NULL;
		if (ofb_get_text(st, 1, &name, err) != 0 || ofb_get_text(st, 2, &dflt, err) != 0)
			goto out;
		for (size_t i = 0; name && i < t->n_columns; i++) {
			struct ofb_column *c = &t->columns[i];
			if (strcmp(c->name, name) != 0)
				continue;
			free(c->default_value);
			c->default_value = dflt && strcasecmp(dflt, "NULL") != 0 ? xstrdup(dflt) : NULL;
		}
	}
	ret = rc < 0 ? -1 : 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(name);
	free(dflt);
	return ret;
}

static int sqlite_table_extra(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	const char *args[1] = { t->name };
	char *seq = NULL, *max = NULL;
	struct buf sql;
	int ret = -1;

	buf_init(&sql);
	if (ofb_db_query_args(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
			      args, 1, &st, err) != 0)
		goto out;
	if (SQL_SUCCEEDED(SQLFetch(st)) && ofb_get_text(st, 1, &t->native_ddl, err) != 0)
		goto out;
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	st = NULL;
	if (fix_primary_key(db, t, err) != 0 || native_indexes(db, t, err) != 0 ||
	    sqlite_defaults(db, t, err) != 0)
		goto out;
	/* An INTEGER PRIMARY KEY is the rowid: SQLite numbers new rows after the maximum,
	 * or after sqlite_sequence's value when declared AUTOINCREMENT. */
	if (t->primary_key && t->primary_key->n_columns == 1) {
		for (size_t i = 0; i < t->n_columns; i++) {
			struct ofb_column *c = &t->columns[i];
			if (strcmp(c->name, t->primary_key->columns[0]) != 0 ||
			    strcasecmp(c->native_type, "INTEGER") != 0)
				continue;
			c->identity = 1;
			t->identity_column = xstrdup(c->name);
			buf_adds(&sql, "SELECT max(");
			ofb_drv_quote(db->drv, &sql, c->name);
			buf_adds(&sql, ") FROM ");
			ofb_drv_quote(db->drv, &sql, t->name);
			if (ofb_db_query_value(db, sql.data, &max, err) != 0)
				goto out;
			t->identity_next = (max ? atoll(max) : 0) + 1;
			/* sqlite_sequence exists once any table is AUTOINCREMENT; a row for this
			 * table means this one is (a word in the DDL text could be a string) */
			if (has_sequence_table(db)) {
				if (ofb_db_query_args(db, "SELECT seq FROM sqlite_sequence WHERE name = ?",
						      args, 1, &st, err) != 0)
					goto out;
				if (SQL_SUCCEEDED(SQLFetch(st)) && ofb_get_text(st, 1, &seq, err) != 0)
					goto out;
				if (seq && atoll(seq) + 1 > t->identity_next)
					t->identity_next = atoll(seq) + 1;
			}
			break;
		}
	}
	ret = 0;
out:
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(seq);
	free(max);
	buf_free(&sql);
	return ret;
}

/* Views and triggers, as SQLite keeps their SQL. SQLite records no dependencies between
 * views: each depends on the views made before it (sqlite_schema keeps them in the order
 * they were made, which is an order that worked). */
static int sqlite_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	size_t first = s->n_objects;

	if (ofb_drv_objects_from_query(db, s, "SELECT type, name, CASE WHEN type = 'trigger' "
				       "THEN tbl_name END, sql, NULL FROM sqlite_schema "
				       "WHERE type IN ('view', 'trigger') AND sql IS NOT NULL "
				       "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
				       err) != 0)
		return -1;
	for (size_t i = first; i < s->n_objects; i++)
		for (size_t k = first; k < i; k++)
			if (s->objects[i].kind == OFB_OBJ_VIEW && s->objects[k].kind == OFB_OBJ_VIEW)
				ofb_object_add_depend(&s->objects[i], OFB_OBJ_VIEW, s->objects[k].name,
						      NULL);
	return 0;
}

/* Triggers go with their tables; views stay unless dropped. */
static int sqlite_drop_objects(struct ofb_db *db, int after_tables, struct ofb_error *err)
{
	if (after_tables)
		return 0;
	return ofb_drv_exec_listed(db, "SELECT 'DROP ' || upper(type) || ' IF EXISTS \"' || "
				   "replace(name, '\"', '\"\"') || '\"' FROM sqlite_schema "
				   "WHERE type IN ('view', 'trigger') AND name NOT LIKE 'sqlite\\_%' "
				   "ESCAPE '\\' ORDER BY type = 'view', rowid DESC", err);
}

/* SQLite accepts any declaration; these keep the portable meaning readable. */
static void sqlite_type_ddl(const struct ofb_column *col, struct buf *sql)
{
	switch (col->type) {
	case OFB_T_BOOLEAN: buf_adds(sql, "BOOLEAN"); break;
	case OFB_T_SMALLINT:
	case OFB_T_INTEGER:
	case OFB_T_BIGINT: buf_adds(sql, "INTEGER"); break;
	case OFB_T_DECIMAL:
		/* A NUMERIC column keeps only 15 significant digits of a decimal that is not a
		 * 64-bit integer; "TEXT" in the declaration gives text affinity, which keeps
		 * every digit, while "DECIMAL(p,s)" still tells what the column is. */
		if (col->precision > 0 && col->precision <= 15)
			buf_addf(sql, "DECIMAL(%d,%d)", col->precision, col->scale);
		else if (col->precision > 0)
			buf_addf(sql, "DECIMAL TEXT(%d,%d)", col->precision, col->scale);
		else
			buf_adds(sql, "DECIMAL TEXT");
		break;
	case OFB_T_REAL:
	case OFB_T_DOUBLE: buf_adds(sql, "REAL"); break;
	case OFB_T_CHAR: buf_addf(sql, "CHAR(%ld)", col->length); break;
	case OFB_T_VARCHAR: buf_addf(sql, "VARCHAR(%ld)", col->length); break;
	case OFB_T_BINARY:
	case OFB_T_VARBINARY:
	case OFB_T_BLOB: buf_adds(sql, "BLOB"); break;
	case OFB_T_DATE: buf_adds(sql, "DATE"); break;
	case OFB_T_TIME: buf_adds(sql, "TIME"); break;
	case OFB_T_TIMESTAMP: buf_adds(sql, "TIMESTAMP"); break;
	case OFB_T_TIMESTAMPTZ: buf_adds(sql, "TIMESTAMPTZ"); break;
	case OFB_T_UUID: buf_adds(sql, "UUID"); break;
	case OFB_T_TEXT:
	case OFB_T_OTHER: buf_adds(sql, "TEXT"); break;
	}
}

/* sqliteodbc hands doubles over with 15 significant digits, which loses precision; SQLite's
 * own printf with 20 digits after the point reads back exactly. Any number column may hold
 * doubles (a DECIMAL column keeps 0.1 as one); values of other storage classes (SQLite is
 * typeless) come as they are. */
static int sqlite_select_column(const struct ofb_driver *drv, const struct ofb_column *col,
				struct buf *sql)
{
	enum ofb_encoding enc = ofb_ptype_encoding(col->type);

	if (enc != OFB_ENC_FLOAT && enc != OFB_ENC_NUMBER)
		return 0;
	buf_adds(sql, "CASE typeof(");
	ofb_drv_quote(drv, sql, col->name);
	buf_adds(sql, ") WHEN 'real' THEN char(1) || printf('%!.20e', ");
	ofb_drv_quote(drv, sql, col->name);
	buf_adds(sql, ") ELSE ");
	ofb_drv_quote(drv, sql, col->name);
	buf_adds(sql, " END");
	return 1;
}

/* SQLite keeps a negative zero as zero: the only change it makes, worth a warning. */
static const char *sqlite_value_check(const struct ofb_column *col, const char *v, size_t len,
				      int *warn)
{
	if (ofb_ptype_encoding(col->type) == OFB_ENC_FLOAT && len >= 2 && v[0] == '-' &&
	    strspn(v + 1, "0.") == len - 1)
		*warn = 1;
	return NULL;
}

static int sqlite_load_session(struct ofb_db *db, struct ofb_error *err)
{
	/* sqliteodbc stores SQL_C_CHAR text as given (the package's is checked UTF-8); reads
	 * stay UTF-16: SQLite keeps whatever bytes a program put into TEXT, and the driver's
	 * conversion turns bytes that are not UTF-8 into characters instead of passing them */
	db->utf8_binds = 1;
	/* Tables come in name order, not in the order their references need. */
	return ofb_db_exec(db, "PRAGMA foreign_keys = OFF", err);
}

/* The rowid continues after the largest key by itself; AUTOINCREMENT tables also keep
 * the highest value ever handed out in sqlite_sequence. */
static int sqlite_set_identity(struct ofb_db *db, const struct ofb_table *t,
			       const char *column, long long next, struct ofb_error *err)
{
	char seq[32];
	const char *del_args[1] = { t->name };
	const char *ins_args[2] = { t->name, seq };
	SQLHSTMT st = NULL;

	(void)column;   /* the rowid */
	if (!has_sequence_table(db))
		return 0;   /* no AUTOINCREMENT table here: the rowid continues by itself */
	snprintf(seq, sizeof seq, "%lld", next - 1);
	if (ofb_db_query_args(db, "DELETE FROM sqlite_sequence WHERE name = ?", del_args, 1, &st,
			      err) != 0)
		return -1;
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	if (ofb_db_query_args(db, "INSERT INTO sqlite_sequence (name, seq) VALUES (?, CAST(? AS INTEGER))",
			      ins_args, 2, &st, err) != 0)
		return -1;
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return 0;
}

/* SQLite's lexer: '' strings, "", `` and [] names, -- and non-nesting block comments. */
static const char *const sqlite_forbidden_words[] = {
	"ATTACH", "DETACH", "PRAGMA", "VACUUM", NULL
};
static const char *const sqlite_forbidden_functions[] = {
	"load_extension", "pragma_*", "fts3_tokenizer", "readfile", "writefile", "edit",
	"zipfile", "sqlar_*", "fsdir", NULL
};
static const char *const sqlite_default_functions[] = {
	"datetime", "date", "time", "julianday", "strftime", "unixepoch", "random",
	"randomblob", "hex", "lower", "upper", "abs", "round", NULL
};
static const char *const sqlite_default_keywords[] = {
	"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "TRUE", "FALSE", "NULL", NULL
};

static const struct ofb_sql_dialect sqlite_dialect = {
	.flags = OFB_SQL_BACKTICK_IDENT | OFB_SQL_BRACKET_IDENT | OFB_SQL_STRING_NAMES,
	.main_schema = "main",
	.forbidden_words = sqlite_forbidden_words,
	.forbidden_functions = sqlite_forbidden_functions,
	.default_functions = sqlite_default_functions,
	.default_keywords = sqlite_default_keywords,
	.variable_chars = "$@:#",
};

static int sqlite_driver_name(const char *driver_name)
{
	return strcasestr(driver_name, "sqlite") != NULL;
}

/* sqliteodbc reports the primary key's own index as sqlite_autoindex_0... */
static int sqlite_is_pk_index(const char *name)
{
	return strncmp(name, "sqlite_autoindex_0", 18) == 0;
}

const struct ofb_driver ofb_driver_sqlite = {
	.name = "sqlite",
	.matches = sqlite_matches,
	/* Without StepAPI the driver reads a whole result into memory (sqlite3_get_table);
	 * NoCreat keeps it from creating a missing database file. */
	.connect_options = "StepAPI=1;NoCreat=1",
	.quote_open = '"',
	.quote_close = '"',
	.begin_snapshot = sqlite_snapshot,
	.refine_column = sqlite_refine,
	.table_extra = sqlite_table_extra,
	.read_objects = sqlite_read_objects,
	.drop_objects = sqlite_drop_objects,
	.type_ddl = sqlite_type_ddl,
	.ddl_in_transaction = 1,
	.fk_inline = 1,
	.max_params = 999,
	.load_session = sqlite_load_session,
	.set_identity = sqlite_set_identity,
	.value_check = sqlite_value_check,
	.select_column = sqlite_select_column,
	.dialect = &sqlite_dialect,
	.driver_name_matches = sqlite_driver_name,
	.file_database = 1,
	.can_restore = 1,
	.system_prefix = "sqlite_",
	.rowid_identity = 1,
	.parenthesized_defaults = 1,
	.native_table_ddl = 1,
	.drop_one_table = 1,
	.is_pk_index = sqlite_is_pk_index,
};
