/* postgresql.c - PostgreSQL through psqlODBC: streaming cursors, REPEATABLE READ snapshot,
 * sequences and identity columns, the types psqlODBC reports imprecisely. */
#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "odbc.h"
#include "pg_objects.h"
#include "schema.h"

static int pg_matches(const char *dbms_name)
{
	return strncasecmp(dbms_name, "PostgreSQL", 10) == 0;
}

/* psqlODBC's names: "PostgreSQL Unicode", "PostgreSQL ANSI", psqlodbcw.so */
static int pg_driver_name(const char *driver_name)
{
	return strcasestr(driver_name, "postgres") != NULL || strcasestr(driver_name, "psqlodbc");
}

/* psqlODBC reads a whole result into memory unless it declares a cursor and fetches in
 * batches (UseDeclareFetch); booleans must arrive as SQL_BIT, not as characters; text is
 * long varchar so that its length is not taken as 8190; no driver logs (Debian's
 * odbcinst.ini turns CommLog on, which writes a file per connection). */
#define PG_OPTIONS "UseDeclareFetch=1;Fetch=2000;BoolsAsChar=0;TextAsLongVarchar=1;Protocol=7.4-1;" \
		   "MaxLongVarcharSize=0;UnknownsAsLongVarchar=1;ByteaAsLongVarBinary=1;" \
		   "CommLog=0;Debug=0"

static int pg_session(struct ofb_db *db, struct ofb_error *err)
{
	/* UTC and ISO dates: the text of timestamps does not depend on the server's setup. */
	static const char *const settings[] = {
		"SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, YMD'",
		"SET IntervalStyle = 'postgres'", "SET extra_float_digits = 3",
		/* how sqlcheck reads strings in SQL from a package */
		"SET standard_conforming_strings = on",
	};
	char *enc = NULL;

	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (ofb_db_exec(db, settings[i], err) != 0)
			return -1;
	/* No JIT compilation (PostgreSQL 11 and later have it): the estimates of the catalog
	 * queries pass its threshold with 600 tables of foreign keys (0.4 s to compile a
	 * query that runs in 27 ms), and rows read or loaded in turn gain nothing from it. */
	if (db->dbms_version && atoi(db->dbms_version) >= 11 &&
	    ofb_db_exec(db, "SET jit = off", err) != 0)
		return -1;
	/* Text is read as the UTF-8 the server sends (no round trip through UTF-16 in the
	 * driver and back here) where the database holds UTF-8, so that every text is valid
	 * UTF-8 (a SQL_ASCII database keeps any bytes), the session speaks it, and this
	 * process's character set is UTF-8 (psqlODBC hands SQL_C_CHAR text over in it). */
	if (ofb_db_query_value(db, "SELECT current_setting('server_encoding') || ',' || "
			       "current_setting('client_encoding')", &enc, err) != 0)
		return -1;
	db->utf8_reads = enc && strcmp(enc, "UTF8,UTF8") == 0 &&
			 strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	free(enc);
	return 0;
}

/* The snapshot a statement sees (in a REPEATABLE READ transaction: the transaction's):
 * the first transaction not yet ended and those in progress below it. The same text
 * means that no transaction has ended in between (a commit moves the first or leaves the
 * list), so every row and catalog entry reads the same. Sequences are not transactional:
 * a position read under the first mark is at least that of every row visible under the
 * second. None on a standby: its snapshots keep the transactions in progress out of that
 * list, so a commit replayed in between need not change the text. */
static int pg_state_mark(struct ofb_db *db, char **mark, struct ofb_error *err)
{
#define PG_MARK(fn) "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE " fn "()::text END"
	int v13 = db->dbms_version && atoi(db->dbms_version) >= 13;

	return ofb_db_query_value(db, v13 ? PG_MARK("pg_current_snapshot")
				      : PG_MARK("txid_current_snapshot"), mark, err);
#undef PG_MARK
}

static int pg_snapshot(struct ofb_db *db, char **warning, struct ofb_error *err)
{
	(void)warning;
	if (ofb_db_begin(db, err) != 0)
		return -1;
	return ofb_db_exec(db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", err);
}

/* Items read per query: one SELECT of each, sent together (a UNION ALL of them would cost
 * the server's planner several times as much), each row led by the item's number; the same
 * bound serves the tables named in one LOCK statement. */
#define PG_ITEMS_PER_QUERY 100

/* Writes item i's "<value> FROM ..." after "SELECT i, ". */
typedef void pg_select_fn(struct buf *sql, size_t i, void *ctx);
/* Takes item i's value (NULL for SQL NULL). */
typedef void pg_value_fn(size_t i, const char *value, void *ctx);

/* Items 0 .. n-1, PG_ITEMS_PER_QUERY of them a query; what says what was being read. */
static int pg_select_values(struct ofb_db *db, size_t n, pg_select_fn *select,
			    pg_value_fn *value, void *ctx, const char *what, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *v[2] = { NULL, NULL };
	struct buf sql;
	int rc = 0;

	buf_init(&sql);
	for (size_t a = 0; a < n && rc >= 0; a += PG_ITEMS_PER_QUERY) {
		size_t b = n - a > PG_ITEMS_PER_QUERY ? a + PG_ITEMS_PER_QUERY : n;
		SQLRETURN more = SQL_SUCCESS;
		buf_reset(&sql);
		for (size_t i = a; i < b; i++) {
			buf_addf(&sql, "%sSELECT %zu, ", i > a ? ";" : "", i);
			select(&sql, i, ctx);
		}
		if (ofb_db_query(db, sql.data, &st, err) != 0) {
			ofb_error_prefix(err, "%s", what);
			rc = -1;
			break;
		}
		/* a result for each SELECT */
		while (rc >= 0 && more != SQL_NO_DATA) {
			while ((rc = ofb_fetch_texts(st, v, 2, what, err)) > 0) {
				size_t i = v[0] ? strtoul(v[0], NULL, 10) : n;
				if (i >= a && i < b)
					value(i, v[1], ctx);
			}
			more = rc < 0 ? SQL_NO_DATA : SQLMoreResults(st);
			if (more != SQL_NO_DATA && !SQL_SUCCEEDED(more)) {
				ofb_odbc_error(err, SQL_HANDLE_STMT, st, "%s", what);
				rc = -1;
			}
		}
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		st = NULL;
	}
	free(v[0]);
	free(v[1]);
	buf_free(&sql);
	return rc < 0 ? -1 : 0;
}

/* As pg_dump does: ACCESS SHARE on every table before the snapshot's first read (LOCK
 * takes no snapshot), so a table dropped and made anew by a concurrent transaction (a
 * restore) is either waited for or refused, never read as empty. PG_ITEMS_PER_QUERY
 * tables a statement: the server takes their locks in turn, each waiting at most the
 * timeout. */
#define PG_LOCK_TIMEOUT "30s"

static int pg_lock_tables(struct ofb_db *db, const struct ofb_table *tables, size_t n,
			  struct ofb_error *err)
{
	struct buf sql;
	int ret = -1;

	buf_init(&sql);
	if (ofb_db_exec(db, "SET LOCAL lock_timeout = '" PG_LOCK_TIMEOUT "'", err) != 0)
		goto out;
	for (size_t a = 0; a < n; a += PG_ITEMS_PER_QUERY) {
		size_t b = n - a > PG_ITEMS_PER_QUERY ? a + PG_ITEMS_PER_QUERY : n;
		buf_reset(&sql);
		buf_adds(&sql, "LOCK TABLE ");
		for (size_t i = a; i < b; i++) {
			if (i > a)
				buf_adds(&sql, ", ");
			ofb_drv_quote_table(db->drv, &sql, tables[i].schema, tables[i].name);
		}
		buf_adds(&sql, " IN ACCESS SHARE MODE");
		if (ofb_db_exec(db, sql.data, err) == 0)
			continue;
		if (b - a == 1)
			ofb_error_prefix(err, "cannot lock table '%s' for reading within "
					 PG_LOCK_TIMEOUT " (another transaction holds it, or it was "
					 "dropped since the backup started); run the backup again "
					 "when it is free", tables[a].name);
		else
			ofb_error_prefix(err, "cannot lock the %zu tables '%s' to '%s' for reading "
					 "within " PG_LOCK_TIMEOUT " each (another transaction holds "
					 "one of them, or one was dropped since the backup started); "
					 "run the backup again when they are free", b - a,
					 tables[a].name, tables[b - 1].name);
		goto out;
	}
	ret = 0;
out:
	buf_free(&sql);
	return ret;
}

/* psqlODBC's fetch size for statements allocated from now on, and whether they read
 * through a cursor, a fetch at a time (UseDeclareFetch), or take the whole result at
 * once (its own attributes). */
#define PG_ATTR_FETCH 65541
#define PG_ATTR_DECLARE_FETCH 65539
#define PG_FETCH_MAX 2000

/* The rows of tables[pick[0 ..]] measured, for fetch windows of window_bytes. */
struct pg_windows {
	struct ofb_table *tables;
	const size_t *pick;
	size_t window_bytes;
};

/* Rows of at most row_bytes (as the server sends them) a fetch of window_bytes holds. */
static unsigned long pg_fetch_rows(size_t window_bytes, unsigned long long row_bytes)
{
	unsigned long long rows = window_bytes / (row_bytes + 64);

	if (rows > PG_FETCH_MAX)
		rows = PG_FETCH_MAX;
	return rows < 1 ? 1 : (unsigned long)rows;
}

/* The bytes the server sends of column c of the rows of x, as an expression. Strings and
 * bytea are measured by their lengths, which the server reads off a stored value without
 * fetching it (octet_length): turning 16 rows of 1 MB documents into text only to measure
 * them took it 430 ms. bytea goes as hex (2 digits a byte, "\x") or escaped (at most 4);
 * bigint: two 1 GB values are more than an integer holds. */
static void pg_sent_length(struct buf *sql, const struct ofb_column *c)
{
	const char *t = c->native_type ? c->native_type : "";

	if (strcmp(t, "bytea") == 0) {
		buf_adds(sql, "coalesce(CAST(octet_length(x.");
		ofb_drv_quote(&ofb_driver_postgresql, sql, c->name);
		buf_adds(sql, ") AS bigint) * CASE current_setting('bytea_output') WHEN 'hex' "
			      "THEN 2 ELSE 4 END + 2, 0)");
		return;
	}
	buf_adds(sql, "coalesce(CAST(octet_length(x.");
	ofb_drv_quote(&ofb_driver_postgresql, sql, c->name);
	/* text, varchar(n), char(n): the value is its text */
	if (strcmp(t, "text") != 0 && strncmp(t, "character varying", 17) != 0 &&
	    strncmp(t, "character(", 10) != 0)
		buf_adds(sql, "::text");
	buf_adds(sql, ") AS bigint), 0)");
}

/* Rows counted by the measuring query, at most: a table of no more than its fetch window
 * holds is read without a cursor (pg_read_window). */
#define PG_COUNT_MAX (PG_FETCH_MAX + 1)

static long long pg_row_bound(const struct ofb_table *t);

/* Item i's value: "<longest row> <rows, at most PG_COUNT_MAX>", the longest row -1 where
 * the column types bound it. */
static void pg_window_select(struct buf *sql, size_t i, void *ctx)
{
	struct pg_windows *w = ctx;
	const struct ofb_table *t = &w->tables[w->pick[i]];

	if (pg_row_bound(t) >= 0) {
		buf_adds(sql, "'-1 '");
	} else {
		buf_adds(sql, "(SELECT coalesce(max(");
		for (size_t c = 0; c < t->n_columns; c++) {
			if (c)
				buf_adds(sql, " + ");
			pg_sent_length(sql, &t->columns[c]);
		}
		if (!t->n_columns)
			buf_adds(sql, "0");
		/* psqlODBC's own words for each value */
		buf_addf(sql, " + %zu), 0) FROM (SELECT * FROM ONLY ", 16 * t->n_columns);
		ofb_drv_quote_table(&ofb_driver_postgresql, sql, t->schema, t->name);
		buf_adds(sql, " LIMIT 16) x) || ' '");
	}
	buf_adds(sql, " || (SELECT count(*) FROM (SELECT FROM ONLY ");
	ofb_drv_quote_table(&ofb_driver_postgresql, sql, t->schema, t->name);
	buf_addf(sql, " LIMIT %d) x)", PG_COUNT_MAX);
}

static void pg_window_value(size_t i, const char *value, void *ctx)
{
	struct pg_windows *w = ctx;
	struct ofb_table *t = &w->tables[w->pick[i]];
	long long longest = 0, bound = pg_row_bound(t);
	unsigned long long rows = PG_COUNT_MAX;

	if (value && sscanf(value, "%lld %llu", &longest, &rows) != 2)
		rows = PG_COUNT_MAX;
	if (bound >= 0)
		longest = bound;
	t->fetch_rows = pg_fetch_rows(w->window_bytes,
				      longest > 0 ? (unsigned long long)longest : 0);
	t->fits_window = rows <= t->fetch_rows;
}

/* The longest text a value of a column declared so (format_type's words) can have, in
 * bytes; -1 for a type whose values have no bound (text, bytea, numeric, arrays, ...) or
 * that is not known here (domains, other types). */
static long long pg_text_bound(const char *type)
{
	static const struct { const char *name; int bytes; } fixed[] = {
		{ "boolean", 5 }, { "smallint", 6 }, { "integer", 11 }, { "bigint", 20 },
		{ "real", 26 }, { "double precision", 26 }, { "date", 16 }, { "uuid", 36 },
		{ "timestamp without time zone", 32 }, { "timestamp with time zone", 42 },
		{ "time without time zone", 16 },
	};
	long long a, b;
	char rest[32];
	int used = 0;

	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
		if (strcmp(type, fixed[k].name) == 0)
			return fixed[k].bytes;
	/* UTF-8: at most 4 bytes a character */
	if ((sscanf(type, "character varying(%lld)%n", &a, &used) == 1 ||
	     sscanf(type, "character(%lld)%n", &a, &used) == 1) && !type[used] && a > 0 &&
	    a < 10485761)
		return 4 * a;
	/* sign, point and a leading zero; scale beyond the precision or below zero */
	if (sscanf(type, "numeric(%lld,%lld)%n", &a, &b, &used) == 2 && !type[used] && a > 0 &&
	    a <= 1000 && b >= -1000 && b <= 1000)
		return a + (b < 0 ? -b : b) + 3;
	if (sscanf(type, "timestamp(%lld) %31[a-z ]%n", &a, rest, &used) == 2 && !type[used] &&
	    (strcmp(rest, "without time zone") == 0 || strcmp(rest, "with time zone") == 0))
		return 42;
	if (sscanf(type, "time(%lld) without time zone%n", &a, &used) == 1 && !type[used])
		return 16;
	return -1;
}

/* The longest row of t the server can send, from its columns' types; -1 unknown. */
static long long pg_row_bound(const struct ofb_table *t)
{
	long long sum = 0;

	for (size_t c = 0; c < t->n_columns; c++) {
		long long b = t->columns[c].native_type ? pg_text_bound(t->columns[c].native_type)
							 : -1;
		if (b < 0)
			return -1;
		sum += b;
	}
	return sum;
}

/* psqlODBC holds a whole fetch (Fetch=N rows) in memory: N such that a fetch holds about
 * window_bytes. A table whose columns' types bound its rows takes N from that bound;
 * another one from the widest of its first rows as the server sends them (the values'
 * lengths, bytea as hex). (A table's size on disk tells nothing safe here: lz4 keeps
 * 24 MB of bytea in 120 KB.) Its rows are counted too, up to PG_COUNT_MAX: a table of no
 * more rows than N is read without a cursor, its result taken whole by one round trip
 * instead of a DECLARE, FETCH and CLOSE (200 small tables: a backup 0.36 -> 0.30 s). Each
 * table is measured together with the next ones (up to PG_ITEMS_PER_QUERY), in the same
 * snapshot as their reads. */
static int pg_read_window(struct ofb_db *db, struct ofb_table *tables, size_t n, size_t i,
			  size_t window_bytes, struct ofb_error *err)
{
	size_t pick[PG_ITEMS_PER_QUERY], n_pick = 0;
	struct pg_windows w = { tables, pick, window_bytes };

	for (size_t j = i; j < n && !tables[i].fetch_rows && n_pick < PG_ITEMS_PER_QUERY; j++)
		if (!tables[j].fetch_rows)
			pick[n_pick++] = j;
	if (n_pick && pg_select_values(db, n_pick, pg_window_select, pg_window_value, &w,
				       "cannot measure the rows of its tables", err) != 0)
		return -1;
	if (!tables[i].fetch_rows) {
		tables[i].fetch_rows = 1;   /* no answer: the smallest window is safe */
		tables[i].fits_window = 0;
	}
	if (!SQL_SUCCEEDED(SQLSetConnectAttr(db->dbc, PG_ATTR_FETCH,
					     (SQLPOINTER)(uintptr_t)tables[i].fetch_rows,
					     SQL_IS_INTEGER)) ||
	    !SQL_SUCCEEDED(SQLSetConnectAttr(db->dbc, PG_ATTR_DECLARE_FETCH,
					     (SQLPOINTER)(uintptr_t)!tables[i].fits_window,
					     SQL_IS_INTEGER))) {
		ofb_odbc_error(err, SQL_HANDLE_DBC, db->dbc, "cannot set the fetch size");
		return -1;
	}
	return 0;
}

/* A table's schema as a query argument: '' for the database's default (current) one. */
#define TABLE_SCHEMA "coalesce(nullif(?, ''), current_schema())"

/* The schemas besides the current one that hold tables: their tables are backed up too. */
static int pg_other_schemas(struct ofb_db *db, char ***names, size_t *n, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *name = NULL;
	SQLRETURN rc;
	int ret = -1;

	*names = NULL;
	*n = 0;
	if (ofb_db_query(db, "SELECT n.nspname FROM pg_namespace n WHERE n.nspname NOT IN "
			 "('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' "
			 "AND n.oid <> current_schema()::regnamespace AND EXISTS (SELECT 1 FROM "
			 "pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p')) "
			 "ORDER BY 1", &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch(st, "cannot list the schemas", err)) > 0) {
		if (ofb_get_text(st, 1, &name, err) != 0)
			goto out;
		if (!name)
			continue;
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = name;
		name = NULL;
	}
	ret = rc < 0 ? -1 : 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(name);
	return ret;
}

static int pg_scope(struct ofb_db *db, char **catalog, char **schema, struct ofb_error *err)
{
	(void)catalog;
	return ofb_db_query_value(db, "SELECT current_schema()", schema, err);
}

static void pg_refine(struct ofb_column *col)
{
	const char *t = col->native_type;

	if (strcmp(t, "timestamptz") == 0) {
		col->type = OFB_T_TIMESTAMPTZ;
	} else if (strcmp(t, "text") == 0) {
		col->type = OFB_T_TEXT;
		col->length = 0;
	} else if (strcmp(t, "varchar") == 0 && col->length <= 0) {
		col->type = OFB_T_TEXT;
	} else if (strcmp(t, "bytea") == 0) {
		col->type = OFB_T_BLOB;
		col->length = 0;
	} else if (strcmp(t, "timetz") == 0 || strcmp(t, "json") == 0 ||
		   strcmp(t, "jsonb") == 0 || strcmp(t, "xml") == 0 ||
		   strcmp(t, "interval") == 0 || strcmp(t, "money") == 0 ||
		   strcmp(t, "inet") == 0 || strcmp(t, "cidr") == 0 ||
		   strcmp(t, "macaddr") == 0) {
		/* No portable counterpart: keep the server's text. */
		col->type = OFB_T_OTHER;
		col->length = 0;
	} else if (col->type == OFB_T_VARCHAR && strcmp(t, "varchar") != 0 &&
		   strcmp(t, "bpchar") != 0 && strcmp(t, "char") != 0 && strcmp(t, "name") != 0) {
		/* Unknown types (enums, domains of text, arrays...) arrive as varchar(255). */
		col->type = OFB_T_OTHER;
		col->length = 0;
	}
	if (col->default_value && strncmp(col->default_value, "nextval(", 8) == 0)
		col->identity = 1;
}

/* The sequence a "nextval('name'::regclass)" default draws from, as PostgreSQL names it
 * (already quoted where needed), or NULL. Sequences a column does not own are found this
 * way; pg_get_serial_sequence knows only owned ones. */
static char *default_sequence(const char *def)
{
	static const char head[] = "nextval('";
	struct buf b;
	const char *p;

	if (!def || strncmp(def, head, sizeof head - 1) != 0)
		return NULL;
	buf_init(&b);
	for (p = def + sizeof head - 1; *p && !(p[0] == '\'' && p[1] != '\''); p++) {
		if (p[0] == '\'')
			p++;   /* '' */
		buf_addc(&b, *p);
	}
	if (*p != '\'' || b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* --- the survey of the whole database in a few queries --------------------------------
 * psqlODBC's catalog functions take a query or two each, table by table (its
 * SQLStatistics also runs SQLColumns first): 10 ms a table for what these do for the
 * whole database at once. Their rows are those psqlODBC gives, in the columns of the ODBC
 * catalog functions; an index lists its key columns (psqlODBC also lists INCLUDE columns
 * as if they were key columns), an expression as its text. */
#define PG_TABLES(c) c ".relkind IN ('r', 'p') AND " USER_NS(c ".relnamespace")
#define PG_RULE(col) \
	"CASE " col " WHEN 'c' THEN 0 WHEN 'r' THEN 1 WHEN 'n' THEN 2 WHEN 'd' THEN 4 ELSE 3 END"

/* These three name a key's columns and its index in subqueries rather than by joins: the
 * planner searched the join orders of up to nine relations for each (200 tables: 5-13 ms
 * to plan a query that ran in 1-8 ms; now 3-5 ms each, the results the same). */
#define PG_INDEX_COLUMN \
	"(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid " \
	"AND a.attnum = i.indkey[k.n - 1] AND NOT a.attisdropped)"
#define PG_INDEX_NAME "(SELECT c.relname FROM pg_class c WHERE c.oid = i.indexrelid)"

static const char pg_primary_keys[] =
	"SELECT NULL, n.nspname, t.relname, " PG_INDEX_COLUMN ", k.n, " PG_INDEX_NAME " "
	"FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
	"JOIN pg_namespace n ON n.oid = t.relnamespace "
	"CROSS JOIN generate_series(1, i.indnkeyatts) k(n) "
	"WHERE i.indisprimary AND " PG_TABLES("t") " "
	"ORDER BY n.nspname, t.relname, k.n";

/* as psqlODBC orders them: non-unique indexes first, then by name (column 6) */
static const char pg_indexes[] =
	"SELECT NULL, n.nspname, t.relname, CASE WHEN i.indisunique THEN 0 ELSE 1 END, NULL, "
	PG_INDEX_NAME ", 3, k.n, CASE WHEN i.indkey[k.n - 1] = 0 THEN "
	"pg_get_indexdef(i.indexrelid, k.n, true) ELSE " PG_INDEX_COLUMN " END, "
	"CASE WHEN i.indoption[k.n - 1] & 1 = 1 THEN 'D' ELSE 'A' END "
	"FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
	"JOIN pg_namespace n ON n.oid = t.relnamespace "
	"CROSS JOIN generate_series(1, i.indnkeyatts) k(n) "
	"WHERE " PG_TABLES("t") " "
	"ORDER BY n.nspname, t.relname, i.indisprimary DESC, i.indisunique, 6, k.n";

static const char pg_foreign_keys[] =
	"SELECT NULL, pn.nspname, p.relname, (SELECT pa.attname FROM pg_attribute pa "
	"WHERE pa.attrelid = f.confrelid AND pa.attnum = f.confkey[k.n]), NULL, n.nspname, "
	"t.relname, (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = f.conrelid "
	"AND a.attnum = f.conkey[k.n]), "
	"k.n, " PG_RULE("f.confupdtype") ", " PG_RULE("f.confdeltype") ", f.conname, NULL, 7 "
	"FROM pg_constraint f JOIN pg_class t ON t.oid = f.conrelid "
	"JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_class p ON p.oid = f.confrelid "
	"JOIN pg_namespace pn ON pn.oid = p.relnamespace "
	"CROSS JOIN generate_subscripts(f.conkey, 1) k(n) "
	"WHERE f.contype = 'f' AND " PG_TABLES("t") " "
	"ORDER BY n.nspname, t.relname, f.oid, k.n";

/* What the catalog functions leave out, for every column of every table: the type's
 * modifier (of a domain's base type for a domain; a numeric without one is unbounded),
 * identity and generated columns, the declaration as PostgreSQL writes it ("character
 * varying(20)", "timestamp(6) without time zone": what a restore into PostgreSQL
 * declares again) and the sequence a serial or identity column owns (as
 * pg_get_serial_sequence finds it, which took 15 ms for 800 columns; a column may own
 * more than one: an identity column's own first). */
static const char pg_column_details[] =
	"SELECT " SCH("c.relnamespace") ", c.relname, a.attname, "
	"CASE WHEN y.typtype = 'd' THEN y.typtypmod ELSE a.atttypmod END, "
	"CASE WHEN a.attidentity <> '' THEN 1 ELSE 0 END, "
	"(SELECT quote_ident(sn.nspname) || '.' || quote_ident(sq.relname) FROM pg_depend p "
	"JOIN pg_class sq ON sq.oid = p.objid AND sq.relkind = 'S' "
	"JOIN pg_namespace sn ON sn.oid = sq.relnamespace "
	"WHERE p.classid = 'pg_class'::regclass AND p.refclassid = 'pg_class'::regclass "
	"AND p.refobjid = c.oid AND p.refobjsubid = a.attnum AND p.deptype IN ('a', 'i') "
	"ORDER BY p.deptype = 'i' DESC, p.objid LIMIT 1), "
	"CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END, "
	"format_type(a.atttypid, a.atttypmod) "
	"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type y ON y.oid = a.atttypid "
	"LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
	"WHERE a.attnum > 0 AND NOT a.attisdropped AND " PG_TABLES("c") " "
	"ORDER BY n.nspname, c.relname, a.attnum";

/* Every index's own definition, which alone describes indexes on expressions and partial
 * ones (the ODBC catalog shows an expression as if it were a column). */
static const char pg_index_definitions[] =
	"SELECT " SCH("t.relnamespace") ", t.relname, c.relname, pg_get_indexdef(i.indexrelid), "
	"CASE WHEN i.indpred IS NOT NULL OR i.indexprs IS NOT NULL THEN 1 ELSE 0 END, "
	"CASE WHEN i.indisunique THEN 1 ELSE 0 END "
	"FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
	"JOIN pg_class t ON t.oid = i.indrelid "
	"WHERE NOT i.indisprimary AND " PG_TABLES("t") " ORDER BY t.relnamespace, t.relname, 3";
#undef PG_RULE

/* A column whose sequence's next value is still to be read. */
struct pg_sequence {
	struct ofb_table *t;
	struct ofb_column *c;
	char *name;   /* as PostgreSQL writes it, quoted where needed */
};

static void pg_sequence_select(struct buf *sql, size_t i, void *ctx)
{
	struct pg_sequence *seqs = ctx;

	buf_addf(sql, "CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM %s",
		 seqs[i].name);
}

static void pg_sequence_value(size_t i, const char *value, void *ctx)
{
	struct pg_sequence *seq = (struct pg_sequence *)ctx + i;

	seq->c->identity_next = value ? atoll(value) : 0;
	if (seq->t->identity_column && strcmp(seq->t->identity_column, seq->c->name) == 0)
		seq->t->identity_next = seq->c->identity_next;
}

/* The next value nextval() would hand out, for each of the n sequences. */
static int pg_sequence_values(struct ofb_db *db, struct pg_sequence *seqs, size_t n,
			      struct ofb_error *err)
{
	return pg_select_values(db, n, pg_sequence_select, pg_sequence_value, seqs,
				"cannot read a sequence", err);
}

/* The columns whose sequence's next value is still to be read. */
struct pg_sequences {
	struct pg_sequence *v;
	size_t n;
};

/* One row of pg_column_details: a column with a sequence is added to the pg_sequences
 * ctx. */
static void pg_column_row(struct ofb_table *t, char **v, void *ctx)
{
	struct pg_sequences *seqs = ctx;
	struct ofb_column *c = ofb_table_column(t, v[2]);
	char *seq;

	if (!c)
		return;
	if (c->type == OFB_T_DECIMAL && v[3] && strcmp(v[3], "-1") == 0) {
		c->precision = 0;   /* unbounded numeric */
		c->scale = 0;
	}
	if (v[4] && strcmp(v[4], "1") == 0)
		c->identity = 1;
	if (v[6]) {
		c->generated = 1;
		/* the catalog shows the expression as the column's default */
		free(c->default_value);
		c->default_value = NULL;
		free(c->generation);
		c->generation = v[6];
		v[6] = NULL;
	}
	if (v[7]) {
		free(c->native_type);
		c->native_type = v[7];
		v[7] = NULL;
	}
	/* the sequence nextval() in the default draws from, where it names one (a serial
	 * column may own another one besides); else the one the column owns */
	seq = c->identity ? default_sequence(c->default_value) : NULL;
	if (!seq && v[5]) {
		seq = v[5];
		v[5] = NULL;
	}
	if (!seq)
		return;
	c->identity = 1;
	if (!t->identity_column)
		t->identity_column = xstrdup(c->name);
	seqs->v = xrealloc(seqs->v, (seqs->n + 1) * sizeof *seqs->v);
	seqs->v[seqs->n++] = (struct pg_sequence){ t, c, seq };
}

/* One row of pg_index_definitions. */
static void pg_index_row(struct ofb_table *t, char **v, void *ctx)
{
	(void)ctx;
	if (v[2] && v[3])
		ofb_table_native_index(t, v[2], v[3], v[5] && atoi(v[5]), v[4] && atoi(v[4]));
}

static int pg_schema_extra(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	struct pg_sequences seqs = { NULL, 0 };
	int ret = -1;

	if (ofb_drv_table_rows(db, s, pg_column_details, 8, 1, pg_column_row, &seqs,
			       "cannot read column details", err) != 0 ||
	    pg_sequence_values(db, seqs.v, seqs.n, err) != 0 ||
	    ofb_drv_table_rows(db, s, pg_index_definitions, 6, 1, pg_index_row, NULL,
			       "cannot read the indexes", err) != 0)
		goto out;
	ret = 0;
out:
	for (size_t i = 0; i < seqs.n; i++)
		free(seqs.v[i].name);
	free(seqs.v);
	return ret;
}

static void pg_type_ddl(const struct ofb_column *col, struct buf *sql)
{
	switch (col->type) {
	case OFB_T_BOOLEAN: buf_adds(sql, "boolean"); break;
	case OFB_T_SMALLINT: buf_adds(sql, "smallint"); break;
	case OFB_T_INTEGER: buf_adds(sql, "integer"); break;
	case OFB_T_BIGINT: buf_adds(sql, "bigint"); break;
	case OFB_T_DECIMAL:
		if (col->precision > 0 && col->precision <= 1000)
			buf_addf(sql, "numeric(%d,%d)", col->precision, col->scale);
		else
			buf_adds(sql, "numeric");
		break;
	case OFB_T_REAL: buf_adds(sql, "real"); break;
	case OFB_T_DOUBLE: buf_adds(sql, "double precision"); break;
	/* PostgreSQL's limit for a declared length; beyond it, or unknown, text holds all */
	case OFB_T_CHAR:
	case OFB_T_VARCHAR:
		if (col->length > 0 && col->length <= 10485760)
			buf_addf(sql, "%s(%ld)", col->type == OFB_T_CHAR ? "char" : "varchar",
				 col->length);
		else
			buf_adds(sql, "text");
		break;
	case OFB_T_BINARY:
	case OFB_T_VARBINARY:
	case OFB_T_BLOB: buf_adds(sql, "bytea"); break;
	case OFB_T_DATE: buf_adds(sql, "date"); break;
	case OFB_T_TIME: buf_addf(sql, "time(%d)", col->scale > 6 ? 6 : col->scale); break;
	case OFB_T_TIMESTAMP:
		buf_addf(sql, "timestamp(%d)", col->scale > 6 ? 6 : col->scale);
		break;
	case OFB_T_TIMESTAMPTZ:
		buf_addf(sql, "timestamptz(%d)", col->scale > 6 ? 6 : col->scale);
		break;
	case OFB_T_UUID: buf_adds(sql, "uuid"); break;
	case OFB_T_TEXT:
	case OFB_T_OTHER: buf_adds(sql, "text"); break;
	}
}

static void pg_generated_ddl(const struct ofb_column *col, struct buf *sql)
{
	buf_addf(sql, " GENERATED ALWAYS AS (%s) STORED", col->generation);
}

static void pg_identity_ddl(const struct ofb_column *col, struct buf *sql)
{
	(void)col;
	/* BY DEFAULT: the restored rows bring their own values */
	buf_adds(sql, " GENERATED BY DEFAULT AS IDENTITY");
}

static int pg_set_identity(struct ofb_db *db, const struct ofb_table *t, const char *column,
			   long long next, struct ofb_error *err)
{
	char value[32];
	const char *args[4] = { t->schema ? t->schema : "", t->name, column, value };
	SQLHSTMT st = NULL;

	snprintf(value, sizeof value, "%lld", next);
	/* qualified: an unqualified name could resolve to pg_catalog's table of that name */
	if (ofb_db_query_args(db, "SELECT setval(pg_get_serial_sequence(quote_ident("
			      TABLE_SCHEMA ") || '.' || quote_ident(?), ?), CAST(? AS bigint), "
			      "false)", args, 4, &st, err) != 0)
		return -1;
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return 0;
}

static const char *pg_value_check(const struct ofb_column *col, const char *value,
				  size_t len, int *warn)
{
	(void)warn;
	if (ofb_ptype_encoding(col->type) == OFB_ENC_TEXT && memchr(value, '\0', len))
		return "PostgreSQL text cannot hold the character U+0000";
	return ofb_value_fits_type(col, value, len);
}

/* psqlODBC turns 'infinity' dates into 9999-12-31; the server's own text is exact. */
static int pg_select_column(const struct ofb_driver *drv, const struct ofb_column *col,
			    struct buf *sql)
{
	if (col->type != OFB_T_DATE && col->type != OFB_T_TIME && col->type != OFB_T_TIMESTAMP &&
	    col->type != OFB_T_TIMESTAMPTZ)
		return 0;
	buf_adds(sql, "CAST(");
	ofb_drv_quote(drv, sql, col->name);
	buf_adds(sql, " AS text)");
	return 1;
}

/* bytea by bytes; text and varchar by characters, as substring counts them, where the
 * database holds UTF-8 (in SQL_ASCII they are bytes, which need not end a character).
 * octet_length reads a stored value's size without the value. */
static int pg_slice_column(const struct ofb_db *db, const struct ofb_table *t,
			   const struct ofb_column *col, unsigned long long over,
			   struct buf *sql, const char **part)
{
	const char *n = col->native_type ? col->native_type : "";
	int binary = strcmp(n, "bytea") == 0;

	(void)t;
	if (!binary && (!db->utf8_reads || (strcmp(n, "text") != 0 &&
					    strncmp(n, "character varying", 17) != 0)))
		return 0;
	ofb_drv_long_length(db->drv, col, over, "octet_length",
			    binary ? "octet_length" : "char_length", sql);
	*part = "substring";
	return 1;
}

/* PostgreSQL's lexer with standard_conforming_strings on (pg_session sets it): '' strings
 * without escapes, E'' with them, $tag$ strings, "" names, nesting block comments. */
static const char *const pg_forbidden_words[] = {
	"COPY", "DO", "ALTER SYSTEM", "SET ROLE", "SESSION AUTHORIZATION", "LISTEN", "NOTIFY",
	"SESSION_AUTHORIZATION", "SESSION_REPLICATION_ROLE", "SUPERUSER",
	NULL
};
static const char *const pg_forbidden_functions[] = {
	"lo_import", "lo_export", "pg_read_file", "pg_read_binary_file", "pg_ls_*",
	"pg_stat_file", "dblink*", "set_config", "pg_reload_conf", "pg_terminate_backend",
	"pg_cancel_backend", "pg_file_*", "pg_logdir_ls", "pg_rotate_logfile", "query_to_xml*",
	"table_to_xml*", "cursor_to_xml*", "schema_to_xml*", "database_to_xml*",
	/* they run the SQL in a string, which nothing here reads */
	"ts_stat", "ts_rewrite", "crosstab*", "connectby",
	"lo_*", "pg_promote", "pg_switch_wal", "pg_create_*", "pg_drop_replication_slot",
	"pg_replication_*", "pg_import_system_collations", "pg_log_backend_memory_contexts",
	NULL
};
static const char *const pg_default_functions[] = {
	"now", "nextval", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4",
	"clock_timestamp", "statement_timestamp", "transaction_timestamp", "timezone",
	"date_trunc", "lower", "upper", "md5", "random", NULL
};
static const char *const pg_default_keywords[] = {
	"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME",
	"TRUE", "FALSE", "NULL", NULL
};

/* The column types of every table of the database, read once for a load's tables (its
 * tables are all made before the first rows go in): a query a table took 200 round trips
 * for 200 small tables. */
struct pg_column_type {
	char *schema, *table, *column;
	char *type;                /* as an array's element type; "" when arrays cannot carry it */
};

struct pg_types {
	struct pg_column_type *v;   /* sorted by schema and table */
	size_t n;
	const char *current;        /* the current schema's name (one of v's), NULL: none */
};

static void pg_types_free(void *state)
{
	struct pg_types *t = state;

	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].schema);
		free(t->v[i].table);
		free(t->v[i].column);
		free(t->v[i].type);
	}
	free(t->v);
	free(t);
}

static int cmp_column_types(const void *a, const void *b)
{
	const struct pg_column_type *x = a, *y = b;
	int c = strcmp(x->schema, y->schema);

	return c ? c : strcmp(x->table, y->table);
}

/* The type's own name, not format_type's ("character" would be char(1)); "" for a type
 * arrays cannot carry as they are (see pg_array_batch_insert). */
static int pg_read_types(struct ofb_db *db, struct ofb_error *err)
{
	struct pg_types *t = xcalloc(1, sizeof *t);
	SQLHSTMT st = NULL;
	char *v[5] = { NULL };
	size_t cap = 0;
	int rc;

	if (ofb_db_query(db, "SELECT n.nspname, c.relname, CASE WHEN n.oid = "
			 "current_schema()::regnamespace THEN 'yes' ELSE 'no' END, a.attname, "
			 "CASE WHEN y.typcategory <> 'A' AND y.typarray <> 0 AND y.typdelim = ',' "
			 "AND (y.typtype IN ('b', 'e', 'r', 'm') OR (y.typtype = 'd' AND (SELECT "
			 "typtype FROM pg_type WHERE oid = y.typbasetype) IN ('b', 'e', 'r', 'm'))) "
			 "THEN quote_ident(yn.nspname) || '.' || quote_ident(y.typname) ELSE '' END "
			 "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN "
			 "pg_namespace n ON n.oid = c.relnamespace JOIN pg_type y ON y.oid = "
			 "a.atttypid JOIN pg_namespace yn ON yn.oid = y.typnamespace WHERE "
			 "c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND "
			 "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT "
			 "LIKE 'pg\\_%'", &st, err) != 0) {
		free(t);
		return -1;
	}
	while ((rc = ofb_fetch_texts(st, v, 5, "the column types", err)) > 0) {
		struct pg_column_type *c;
		if (!v[0] || !v[1] || !v[3])
			continue;
		if (t->n == cap) {
			cap = cap ? 2 * cap : 64;
			t->v = xrealloc(t->v, cap * sizeof *t->v);
		}
		c = &t->v[t->n++];
		c->schema = v[0];
		c->table = v[1];
		c->column = v[3];
		if (!t->current && v[2] && strcmp(v[2], "yes") == 0)
			t->current = c->schema;   /* the string, not the entry: v moves */
		c->type = v[4] ? v[4] : xstrdup("");
		free(v[2]);
		for (int i = 0; i < 5; i++)
			v[i] = NULL;
	}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < 5; i++)
		free(v[i]);
	if (rc < 0) {
		pg_types_free(t);
		return -1;
	}
	qsort(t->v, t->n, sizeof *t->v, cmp_column_types);
	if (db->drv_state_free)
		db->drv_state_free(db->drv_state);
	db->drv_state = t;
	db->drv_state_free = pg_types_free;
	return 0;
}

/* A name as ofb_drv_quote wrote it ("a""b") back into its characters; the end of it
 * after *p; NULL when it is not one. */
static char *pg_unquote(const char **p)
{
	const char *s = *p;
	struct buf b;

	if (*s != '"')
		return NULL;
	buf_init(&b);
	for (s++;; s++) {
		if (!*s) {
			buf_free(&b);
			return NULL;
		}
		if (*s == '"' && s[1] != '"')
			break;
		if (*s == '"')
			s++;
		buf_addc(&b, *s);
	}
	*p = s + 1;
	return buf_detach(&b);
}

/* The first column of table quoted ("name" or "schema"."name") in the types read, or
 * NULL; *n how many columns follow it. */
static const struct pg_column_type *pg_table_types(const struct pg_types *t,
						   const char *quoted, size_t *n)
{
	const char *p = quoted;
	char *first = pg_unquote(&p), *second = NULL;
	struct pg_column_type key = { 0 };
	const struct pg_column_type *found = NULL;

	*n = 0;
	if (first && *p == '.') {
		p++;
		second = pg_unquote(&p);
	}
	if (!first || *p || (!second && !t->current))
		goto out;
	key.schema = second ? first : (char *)t->current;
	key.table = second ? second : first;
	found = bsearch(&key, t->v, t->n, sizeof *t->v, cmp_column_types);
	if (!found)
		goto out;
	/* sorted: a table's columns stand together */
	while (found > t->v && cmp_column_types(found - 1, &key) == 0)
		found--;
	while (found + *n < t->v + t->n && cmp_column_types(found + *n, &key) == 0)
		++*n;
out:
	free(first);
	free(second);
	return found;
}

static int pg_array_batch_insert(struct ofb_db *db, const struct ofb_table *t, const char *quoted,
				 const char *const *cols, size_t n, struct buf *sql,
				 struct ofb_error *err)
{
	const struct pg_column_type *types = NULL, **col = xcalloc(n ? n : 1, sizeof *col);
	size_t n_types = 0;
	int ret = -1;

	/* read once per load; again for a table made since */
	if (db->drv_state_free == pg_types_free)
		types = pg_table_types(db->drv_state, quoted, &n_types);
	if (!types) {
		if (pg_read_types(db, err) != 0) {
			ofb_error_prefix(err, "table '%s'", t->name);
			goto out;
		}
		types = pg_table_types(db->drv_state, quoted, &n_types);
	}
	ret = 1;
	for (size_t i = 0; i < n && ret; i++) {
		for (size_t k = 0; k < n_types && !col[i]; k++)
			if (strcmp(types[k].column, cols[i]) == 0)
				col[i] = &types[k];
		if (!col[i] || !*col[i]->type)
			ret = 0;
	}
	if (!ret)
		goto out;
	buf_reset(sql);
	buf_addf(sql, "INSERT INTO %s (", quoted);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(sql, ", ");
		ofb_drv_quote(db->drv, sql, cols[i]);
	}
	/* pg_catalog's unnest, each array on its own: a package's function named unnest
	 * would otherwise be chosen for one argument (the search path); of equal lengths,
	 * they give one row per element */
	buf_adds(sql, ") SELECT ");
	for (size_t i = 0; i < n; i++)
		buf_addf(sql, "%spg_catalog.unnest(CAST(? AS %s[]))", i ? ", " : "", col[i]->type);
out:
	free(col);
	return ret;
}

/* contrib extensions that stay inside the database (no files, no other servers, no
 * languages of their own) */
static const char *const pg_extensions[] = {
	"pgcrypto", "uuid-ossp", "citext", "hstore", "pg_trgm", "btree_gin", "btree_gist",
	"unaccent", "fuzzystrmatch", "intarray", "cube", "earthdistance", "ltree",
	"isn", "seg", "tsm_system_rows", "tsm_system_time", NULL
};

static const struct ofb_sql_dialect pg_dialect = {
	.flags = OFB_SQL_DOLLAR_QUOTES | OFB_SQL_NESTED_COMMENTS | OFB_SQL_SCHEMAS,
	.forbidden_words = pg_forbidden_words,
	.forbidden_functions = pg_forbidden_functions,
	.default_functions = pg_default_functions,
	.default_keywords = pg_default_keywords,
	.variable_chars = "$",      /* $1 (dollar quotes are read before) */
	.extensions = pg_extensions,
};

const struct ofb_driver ofb_driver_postgresql = {
	.name = "postgresql",
	.matches = pg_matches,
	.driver_name_matches = pg_driver_name,
	.connect_options = PG_OPTIONS,
	.array_batch_insert = pg_array_batch_insert,
	/* no log file in /tmp, readable by everyone, from the very first connection */
	.probe_options = "CommLog=0;Debug=0",
	.from_only = "ONLY ",
	.quote_open = '"',
	.quote_close = '"',
	.session_setup = pg_session,
	.begin_snapshot = pg_snapshot,
	.lock_tables = pg_lock_tables,
	.state_mark = pg_state_mark,
	.read_window = pg_read_window,
	.catalog_scope = pg_scope,
	.other_schemas = pg_other_schemas,
	.refine_column = pg_refine,
	.catalog_all_columns = 1,
	.primary_keys_query = pg_primary_keys,
	.indexes_query = pg_indexes,
	.foreign_keys_query = pg_foreign_keys,
	.schema_extra = pg_schema_extra,
	.read_objects = pg_read_objects,
	.drop_objects = pg_drop_objects,
	.finish_objects = pg_finish_objects,
	.load_session = pg_load_session,
	.type_ddl = pg_type_ddl,
	.ddl_in_transaction = 1,
	.key_after_data = 1,
	/* template0: the new database's encoding is not bound to template1's */
	.create_database_options = "ENCODING 'UTF8' TEMPLATE template0",
	.maintenance_database = "postgres",
	.identity_ddl = pg_identity_ddl,
	.generated_ddl = pg_generated_ddl,
	.set_identity = pg_set_identity,
	.value_check = pg_value_check,
	.select_column = pg_select_column,
	.slice_column = pg_slice_column,
	.dialect = &pg_dialect,
	.can_restore = 1,
	.true_literal = "true",
	.false_literal = "false",
};
