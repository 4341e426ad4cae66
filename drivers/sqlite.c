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

/* SQLite counts the commits of other connections to the file (data_version, kept per
 * connection): the same number means the same file, schema, rows and sqlite_sequence. */
static int sqlite_state_mark(struct ofb_db *db, char **mark, struct ofb_error *err)
{
	return ofb_db_query_value(db, "PRAGMA data_version", mark, err);
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

/* --- the survey of the whole database in a few queries --------------------------------
 * sqliteodbc's catalog functions run several PRAGMAs for each table (and outside the
 * snapshot, each statement takes the file's lock and lets it go). SQLite's own pragma
 * functions answer for every table in one query each, and they tell what sqliteodbc
 * gets wrong: a primary key's columns in their order within the key (sqliteodbc lists
 * them in the table's order), no primary key where a table has none (sqliteodbc shows
 * its first UNIQUE constraint as one), an index's descending columns, and the columns a
 * foreign key references where its REFERENCES names none (the primary key's), and the
 * referenced table and columns by their own names (a REFERENCES may spell them in
 * another case). The primary key's own index is left out (it is the primary key). */
#define SQLITE_TABLES "FROM sqlite_schema m "
#define SQLITE_USER_TABLES "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
#define SQLITE_RULE(col) \
	"CASE " col " WHEN 'CASCADE' THEN 0 WHEN 'RESTRICT' THEN 1 WHEN 'SET NULL' THEN 2 " \
	"WHEN 'SET DEFAULT' THEN 4 ELSE 3 END"

static const char sqlite_primary_keys[] =
	"SELECT NULL, NULL, m.name, p.name, p.pk, NULL " SQLITE_TABLES
	"JOIN pragma_table_info(m.name) p WHERE " SQLITE_USER_TABLES " AND p.pk > 0 "
	"ORDER BY m.name, p.pk";

static const char sqlite_indexes[] =
	"SELECT NULL, NULL, m.name, CASE WHEN l.\"unique\" THEN 0 ELSE 1 END, NULL, l.name, 3, "
	"x.seqno + 1, x.name, CASE WHEN x.\"desc\" THEN 'D' ELSE 'A' END " SQLITE_TABLES
	"JOIN pragma_index_list(m.name) l JOIN pragma_index_xinfo(l.name) x "
	"WHERE " SQLITE_USER_TABLES " AND l.origin <> 'pk' AND x.key = 1 "
	"ORDER BY m.name, l.seq, x.seqno";

static const char sqlite_foreign_keys[] =
	"SELECT NULL, NULL, coalesce((SELECT r.name FROM sqlite_schema r WHERE r.type = 'table' "
	"AND r.name = f.\"table\" COLLATE NOCASE), f.\"table\"), coalesce((SELECT r.name FROM "
	"pragma_table_info(f.\"table\") r WHERE r.name = f.\"to\" COLLATE NOCASE), f.\"to\", "
	"(SELECT r.name FROM pragma_table_info(f.\"table\") r WHERE r.pk = f.seq + 1)), NULL, "
	"NULL, m.name, "
	"f.\"from\", f.seq + 1, " SQLITE_RULE("f.on_update") ", " SQLITE_RULE("f.on_delete") ", "
	"NULL, NULL, 7 " SQLITE_TABLES "JOIN pragma_foreign_key_list(m.name) f "
	"WHERE " SQLITE_USER_TABLES " ORDER BY m.name, f.id, f.seq";
#undef SQLITE_RULE

/* Per table: its own CREATE TABLE; per column, the default as table_info has it (the
 * driver's SQLColumns takes the quotes off a default's text: 'DE' comes as DE); every
 * index's own CREATE INDEX, which alone describes indexes on expressions and partial ones
 * (the ODBC catalog leaves those out or shows a part of them). */
static const char sqlite_tables_sql[] =
	"SELECT m.name, m.sql " SQLITE_TABLES "WHERE " SQLITE_USER_TABLES;
static const char sqlite_defaults[] =
	"SELECT m.name, p.name, p.dflt_value " SQLITE_TABLES "JOIN pragma_table_info(m.name) p "
	"WHERE " SQLITE_USER_TABLES " ORDER BY m.name, p.cid";
static const char sqlite_native_indexes[] =
	"SELECT m.tbl_name, m.name, m.sql, l.partial, (SELECT count(*) FROM "
	"pragma_index_xinfo(m.name) x WHERE x.key = 1 AND x.cid = -2) " SQLITE_TABLES
	"JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name WHERE m.type = 'index' "
	"AND m.sql IS NOT NULL ORDER BY m.tbl_name, l.seq";

static void table_sql_row(struct ofb_table *t, char **v, void *ctx)
{
	(void)ctx;
	free(t->native_ddl);
	t->native_ddl = v[1];
	v[1] = NULL;
}

static void default_row(struct ofb_table *t, char **v, void *ctx)
{
	(void)ctx;
	struct ofb_column *c = ofb_table_column(t, v[1]);

	if (!c)
		return;
	free(c->default_value);
	c->default_value = v[2] && strcasecmp(v[2], "NULL") != 0 ? xstrdup(v[2]) : NULL;
}

static void native_index_row(struct ofb_table *t, char **v, void *ctx)
{
	(void)ctx;
	if (v[1] && v[2])
		ofb_table_native_index(t, v[1], v[2], strncasecmp(v[2], "CREATE UNIQUE", 13) == 0,
				       (v[3] && atoi(v[3])) || (v[4] && atoi(v[4])));
}

/* A rowid or sqlite_sequence value of t's: new rows are numbered after the largest. */
static void rowid_row(struct ofb_table *t, char **v, void *ctx)
{
	(void)ctx;
	long long next = (v[1] ? atoll(v[1]) : 0) + 1;

	if (t->identity_column && next > t->identity_next)
		t->identity_next = next;
}

/* SELECTs joined by UNION ALL in one query: SQLite takes at most 500 by default. */
#define SQLITE_SELECTS_PER_QUERY 200

/* An INTEGER PRIMARY KEY is the rowid: SQLite numbers new rows after the maximum, or
 * after sqlite_sequence's value when declared AUTOINCREMENT (a row there for the table
 * means it is: a word in the DDL text could be a string). One query for up to
 * SQLITE_SELECTS_PER_QUERY such tables. */
static int sqlite_identities(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	struct buf sql;
	size_t n = 0;
	int ret = 0;

	buf_init(&sql);
	for (size_t i = 0; i <= s->n_tables && ret == 0; i++) {
		struct ofb_table *t = i < s->n_tables ? &s->tables[i] : NULL;
		struct ofb_column *c = NULL;
		if (t && t->primary_key && t->primary_key->n_columns == 1 &&
		    (c = ofb_table_column(t, t->primary_key->columns[0])) &&
		    strcasecmp(c->native_type, "INTEGER") == 0) {
			c->identity = 1;
			free(t->identity_column);
			t->identity_column = xstrdup(c->name);
			buf_adds(&sql, n++ ? " UNION ALL SELECT " : "SELECT ");
			ofb_drv_text_literal(db->drv, &sql, t->name, strlen(t->name));
			buf_adds(&sql, ", max(");
			ofb_drv_quote(db->drv, &sql, c->name);
			buf_adds(&sql, ") FROM ");
			ofb_drv_quote(db->drv, &sql, t->name);
		}
		if (n && (!t || n == SQLITE_SELECTS_PER_QUERY)) {
			ret = ofb_drv_table_rows(db, s, sql.data, 2, 0, rowid_row, NULL,
						 "cannot read the rowids", err);
			buf_reset(&sql);
			n = 0;
		}
	}
	/* sqlite_sequence exists once any table is AUTOINCREMENT */
	if (ret == 0 && has_sequence_table(db))
		ret = ofb_drv_table_rows(db, s, "SELECT name, seq FROM sqlite_sequence", 2, 0,
					 rowid_row, NULL, "cannot read sqlite_sequence", err);
	buf_free(&sql);
	return ret;
}

static int sqlite_schema_extra(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	if (ofb_drv_table_rows(db, s, sqlite_tables_sql, 2, 0, table_sql_row, NULL,
			       "cannot read the tables", err) != 0 ||
	    ofb_drv_table_rows(db, s, sqlite_defaults, 3, 0, default_row, NULL,
			       "cannot read column defaults", err) != 0 ||
	    ofb_drv_table_rows(db, s, sqlite_native_indexes, 5, 0, native_index_row, NULL,
			       "cannot read the indexes", err) != 0)
		return -1;
	return sqlite_identities(db, s, err);
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

/* Blobs by bytes. Text stays whole: length() counts its characters only up to a NUL. */
static int sqlite_slice_column(const struct ofb_db *db, const struct ofb_table *t,
			       const struct ofb_column *col, unsigned long long over,
			       struct buf *sql, const char **part)
{
	const struct ofb_driver *drv = db->drv;

	(void)t;
	if (col->type != OFB_T_BLOB)
		return 0;
	buf_adds(sql, "CASE WHEN typeof(");
	ofb_drv_quote(drv, sql, col->name);
	buf_adds(sql, ") = 'blob' AND length(");
	ofb_drv_quote(drv, sql, col->name);
	buf_addf(sql, ") > %llu THEN length(", over);
	ofb_drv_quote(drv, sql, col->name);
	buf_adds(sql, ") ELSE 0 END");
	*part = "substr";
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

/* Whether a version text "3.40.1" is major.minor or later. */
static int sqlite_at_least(const char *version, int major, int minor)
{
	int a = 0, b = 0;

	if (!version || sscanf(version, "%d.%d", &a, &b) != 2)
		return 0;
	return a > major || (a == major && b >= minor);
}

/* What the SQLite library in use takes (sqliteodbc reports the version it was built
 * with): RETURNING, from 3.35; the parameters of one statement, 999 before 3.32 and
 * 32,766 since, unless the library was built with another limit. */
static void sqlite_limits(struct ofb_db *db, int *returning, unsigned *max_vars)
{
	struct ofb_error ignored;
	char *version = NULL, *limit = NULL;

	*returning = 0;
	*max_vars = 999;
	ofb_error_clear(&ignored);
	if (ofb_db_query_value(db, "SELECT sqlite_version()", &version, &ignored) != 0)
		return;
	*returning = sqlite_at_least(version, 3, 35);
	if (sqlite_at_least(version, 3, 32))
		*max_vars = 32766;
	if (ofb_db_query_value(db, "SELECT substr(compile_options, 21) FROM "
			       "pragma_compile_options WHERE compile_options LIKE "
			       "'MAX_VARIABLE_NUMBER=%'", &limit, &ignored) == 0 &&
	    limit && atoi(limit) > 0)
		*max_vars = (unsigned)atoi(limit);
	free(version);
	free(limit);
}

static int sqlite_load_session(struct ofb_db *db, struct ofb_error *err)
{
	unsigned max_vars;

	/* sqliteodbc stores SQL_C_CHAR text as given (the package's is checked UTF-8); reads
	 * stay UTF-16: SQLite keeps whatever bytes a program put into TEXT, and the driver's
	 * conversion turns bytes that are not UTF-8 into characters instead of passing them */
	db->utf8_binds = 1;
	/* Batches as queries with RETURNING (odbc.h: returning_batches): sqliteodbc parses
	 * an INSERT anew at every execution, a query once, and parsing each batch took more
	 * of a load's time than inserting its rows (wide rows: 36% against 22%). Batches of
	 * 7,500 parameters where the library takes them: 500 rows (the most any engine
	 * gets) up to 15 columns, where 999 held 66 rows of 15 (200,000 narrow rows: 0.55 ->
	 * 0.47 s, 50,000 wide: 0.38 -> 0.31 s; larger batches were slower again). */
	sqlite_limits(db, &db->returning_batches, &max_vars);
	db->max_params = max_vars < 7500 ? max_vars : 7500;
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

const struct ofb_driver ofb_driver_sqlite = {
	.name = "sqlite",
	.matches = sqlite_matches,
	/* Without StepAPI the driver reads a whole result into memory (sqlite3_get_table);
	 * NoCreat keeps it from creating a missing database file. */
	.connect_options = "StepAPI=1;NoCreat=1",
	.quote_open = '"',
	.quote_close = '"',
	.begin_snapshot = sqlite_snapshot,
	.state_mark = sqlite_state_mark,
	.refine_column = sqlite_refine,
	.catalog_all_columns = 1,
	.primary_keys_query = sqlite_primary_keys,
	.indexes_query = sqlite_indexes,
	.foreign_keys_query = sqlite_foreign_keys,
	.schema_extra = sqlite_schema_extra,
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
	.slice_column = sqlite_slice_column,
	.dialect = &sqlite_dialect,
	.driver_name_matches = sqlite_driver_name,
	.file_database = 1,
	.can_restore = 1,
	.system_prefix = "sqlite_",
	.rowid_identity = 1,
	.fold_table_names = 1,
	.fold_column_names = 1,
	.parenthesized_defaults = 1,
	.native_table_ddl = 1,
	.drop_one_table = 1,
};
