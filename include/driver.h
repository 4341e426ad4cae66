/* driver.h - what differs between database engines, behind one interface. Each engine is
 * one file in drivers/ exporting one const struct ofb_driver. A hook an engine does not
 * need stays NULL; the ofb_drv_* wrappers below then apply the generic ODBC behaviour, so
 * the core never calls through a raw pointer. */
#ifndef OFB_DRIVER_H
#define OFB_DRIVER_H

#include "error.h"
#include "sqlcheck.h"
#include "util.h"

struct ofb_db;
struct ofb_table;
struct ofb_column;
struct ofb_driver;
struct ofb_schema;

/* Non-zero when this driver serves the engine reporting dbms_name (SQL_DBMS_NAME). */
typedef int ofb_drv_matches_fn(const char *dbms_name);
/* Non-zero when the ODBC driver named driver_name (a connection string's Driver=) is this
 * engine's: what can be told before connecting. */
typedef int ofb_drv_driver_name_fn(const char *driver_name);
/* Non-zero when index name is the engine's own index of the primary key. */
typedef int ofb_drv_is_pk_index_fn(const char *name);
/* Non-zero when "key > ?" with col's value as text does not order as ORDER BY col does. */
typedef int ofb_drv_keyset_unsafe_fn(const struct ofb_column *col);
/* Run once after connecting (time zone, SQL mode, text encoding...). */
typedef int ofb_drv_session_fn(struct ofb_db *db, struct ofb_error *err);
/* Open a transaction whose reads all see one consistent snapshot; warn (not fail) through
 * *warning (malloc'd) when the engine can only give a weaker guarantee. */
typedef int ofb_drv_snapshot_fn(struct ofb_db *db, char **warning, struct ofb_error *err);
/* Right after begin_snapshot, before the snapshot's first read: lock the n tables named
 * (as the probe found them) against being dropped or rewritten while the backup reads
 * them, waiting a bounded time; the error names the table that could not be locked. */
typedef int ofb_drv_lock_tables_fn(struct ofb_db *db, const struct ofb_table *tables,
				   size_t n, struct ofb_error *err);
/* A mark of the database's state as this connection sees it now (malloc'd, or NULL when
 * the engine cannot tell): read again on the same connection, the same mark means that no
 * other connection has committed anything in between, so what was read under the first
 * still holds under the second. */
typedef int ofb_drv_state_mark_fn(struct ofb_db *db, char **mark, struct ofb_error *err);
/* Before the rows of tables[i] are read in one streaming query: size the driver's fetch
 * window (rows it holds at once) so that it holds about window_bytes, whatever the rows'
 * width. Where tables[i].fetch_rows is 0, it is measured, and may be for the tables after
 * it in the same query (they are read next, in the same snapshot). */
typedef int ofb_drv_read_window_fn(struct ofb_db *db, struct ofb_table *tables, size_t n,
				   size_t i, size_t window_bytes, struct ofb_error *err);
/* The schemas besides catalog_scope's whose tables are backed up too (malloc'd). */
typedef int ofb_drv_other_schemas_fn(struct ofb_db *db, char ***names, size_t *n,
				     struct ofb_error *err);
/* Catalog and schema names to pass to SQLTables etc. (malloc'd, NULL for "any"). */
typedef int ofb_drv_scope_fn(struct ofb_db *db, char **catalog, char **schema,
			     struct ofb_error *err);
/* Correct what the engine's ODBC catalog reports for a column (portable type, identity). */
typedef void ofb_drv_refine_fn(struct ofb_column *col);
/* Add what the catalog functions do not tell: identity column and its next value,
 * the engine's own CREATE statement. */
typedef int ofb_drv_table_extra_fn(struct ofb_db *db, struct ofb_table *t,
				   struct ofb_error *err);
/* The same for every table of s at once, after table_extra. */
typedef int ofb_drv_schema_extra_fn(struct ofb_db *db, struct ofb_schema *s,
				    struct ofb_error *err);
/* Append to s->objects what the database holds besides its tables (views, triggers,
 * routines, types ...), each with its own DDL, dependencies and state (schema.h). */
typedef int ofb_drv_read_objects_fn(struct ofb_db *db, struct ofb_schema *s,
				    struct ofb_error *err);
/* When a restore replaces a database: drop the objects it holds besides its tables (as
 * read_objects would find them), so that the package's can be made anew; called before
 * the tables are dropped (after_tables 0) and after. */
typedef int ofb_drv_drop_objects_fn(struct ofb_db *db, int after_tables,
				    struct ofb_error *err);
/* After the data and every object are in: what the engine needs to make them work as
 * they did (PostgreSQL: refresh materialized views, set sequences). */
typedef int ofb_drv_finish_objects_fn(struct ofb_db *db, const struct ofb_schema *s,
				      struct ofb_error *err);
/* Append the engine's column type for a portable column to sql (restore, import). */
typedef void ofb_drv_type_ddl_fn(const struct ofb_column *col, struct buf *sql);
/* Append the SELECT-list expression for col when the plain column would not give its
 * value exactly; return 1 when it did (the value then arrives as text), 0 to read the
 * column as it is. In a number column such text is the value as stored, or, when it
 * starts with OFB_EXACT_DOUBLE_TAG, a double written with enough digits to read back
 * exactly (the dump writes its shortest form). */
#define OFB_EXACT_DOUBLE_TAG '\x01'
typedef int ofb_drv_select_fn(const struct ofb_driver *drv, const struct ofb_column *col,
			      struct buf *sql);
/* Append the clause that limits a query to n rows (after ORDER BY). */
typedef void ofb_drv_limit_fn(struct buf *sql, unsigned long n);
/* For a column of table t whose long values can be read in parts, each inside the
 * snapshot (dump.c: slices): append to sql an expression that is 0 for a value of at most
 * `over` bytes (or NULL, or one the engine keeps as something else) and otherwise the
 * value's length in the units of the engine's function *part (part(column, from, count),
 * from 1): characters of text, bytes of binary; return 1. 0: col's values are read
 * whole. */
typedef int ofb_drv_slice_fn(const struct ofb_db *db, const struct ofb_table *t,
			     const struct ofb_column *col, unsigned long long over,
			     struct buf *sql, const char **part);

/* --- restore and import -------------------------------------------------------------- */
/* Session settings for loading (and undoing them): foreign-key checks off, strict modes. */
typedef int ofb_drv_load_session_fn(struct ofb_db *db, struct ofb_error *err);
/* 1 when the new table t keeps its rows in primary-key order whatever order they went in
 * (InnoDB), 0 when not; -1 with err when the engine cannot be asked */
typedef int ofb_drv_key_ordered_fn(struct ofb_db *db, const struct ofb_table *t,
				   struct ofb_error *err);
typedef void ofb_drv_text_literal_fn(struct buf *sql, const char *s, size_t n);
/* Append the clause that makes a generated column compute col->generation. */
typedef void ofb_drv_generated_ddl_fn(const struct ofb_column *col, struct buf *sql);
/* Append the identity clause after an identity column's type in CREATE TABLE. */
typedef void ofb_drv_identity_ddl_fn(const struct ofb_column *col, struct buf *sql);
/* After the data is in: make the identity column hand out next from now on. */
typedef int ofb_drv_set_identity_fn(struct ofb_db *db, const struct ofb_table *t,
				    const char *column, long long next,
				    struct ofb_error *err);
/* NULL when the engine holds value exactly in a column made from col's portable type,
 * else why not (a static string). *warn is set instead for a change of representation
 * only (negative zero). */
typedef const char *ofb_drv_value_check_fn(const struct ofb_column *col, const char *value,
					   size_t len, int *warn);
/* Rewrite a text value into the form the engine accepts for col (malloc'd), or NULL when
 * it needs no change. */
typedef char *ofb_drv_adapt_fn(const struct ofb_column *col, const char *value, size_t len);

/* Every member is marked MUST (set by every driver) or MAY (left NULL or 0, with what then
 * happens). Hooks are called through the ofb_drv_* wrappers below only, which apply the
 * generic behaviour where a hook is NULL (SQLite's os.c style). */
struct ofb_driver {
	/* MUST: "sqlite", "postgresql", "mariadb", "sqlserver": the engine's name in packages */
	const char *name;
	/* MUST: whether this driver serves the engine reporting a SQL_DBMS_NAME */
	ofb_drv_matches_fn *matches;
	/* MAY: whether a connection string's Driver= is this engine's, before connecting;
	 * NULL: the engine is known only once connected */
	ofb_drv_driver_name_fn *driver_name_matches;
	/* MAY: appended to the connection string (streaming options); keys the user set win */
	const char *connect_options;
	/* MAY: appended to the first connection of any engine, made before it is known which
	 * engine answers, so only keys other drivers ignore (psqlODBC's logging off) */
	const char *probe_options;
	/* MAY: identifier quotes; 0: '"' */
	char quote_open;
	char quote_close;
	/* MAY: the database is the file Database= names (SQLite); 0: a server's database */
	int file_database;
	/* MAY: names the engine reserves for itself ("sqlite_"): its own tables are not backed
	 * up, an index of such a name was made by the engine from the table's own DDL, and a
	 * restore gives no index or constraint such a name; NULL: none */
	const char *system_prefix;
	/* MAY: how the engine reads SQL text in a restore's session and what SQL from a
	 * package may do there (sqlcheck.h); NULL: the strict generic rules */
	const struct ofb_sql_dialect *dialect;

	/* --- backup ----------------------------------------------------------------------- */
	/* MAY: at most this many rows per chunk when the ODBC driver buffers whole result
	 * sets, so tables are read in primary-key order, one chunk per query (keyset
	 * pagination), fewer when rows are wide (chunks are sized in bytes); 0: one query */
	unsigned long chunk_rows;
	/* MAY: a statement that inserts a batch of rows of the new table t (quoted: its
	 * quoted name; cols: the names of the n columns loaded) from one parameter
	 * per column, the column's values as an array literal of texts ({"a","b\\"c",NULL}):
	 * written to sql, returns 1; 0: the table takes multi-row INSERT ... VALUES batches
	 * (a column type the arrays cannot carry as they are); -1 with err */
	int (*array_batch_insert)(struct ofb_db *db, const struct ofb_table *t, const char *quoted,
				  const char *const *cols, size_t n, struct buf *sql,
				  struct ofb_error *err);
	/* MAY: before a table name in FROM when reading it: PostgreSQL's "ONLY " keeps an
	 * inherited or partitioned parent from also returning its children's rows; NULL */
	const char *from_only;
	/* MAY: run once after connecting; NULL: nothing to set */
	ofb_drv_session_fn *session_setup;
	/* MAY: NULL: a plain transaction at the driver's isolation, with a warning */
	ofb_drv_snapshot_fn *begin_snapshot;
	/* MAY: NULL: nothing is locked */
	ofb_drv_lock_tables_fn *lock_tables;
	/* MAY: NULL: the engine cannot tell (the snapshot surveys the catalog again) */
	ofb_drv_state_mark_fn *state_mark;
	/* MAY: NULL: the driver streams row by row, or reads in chunks (chunk_rows) */
	ofb_drv_read_window_fn *read_window;
	/* MAY: NULL: any catalog and schema */
	ofb_drv_scope_fn *catalog_scope;
	/* MAY: NULL: the tables of catalog_scope's schema alone */
	ofb_drv_other_schemas_fn *other_schemas;
	/* MAY: NULL: the catalog's report stands */
	ofb_drv_refine_fn *refine_column;
	/* MAY: SQLColumns is asked once for every table of a scope (it answers that as fast
	 * as for one table); 0: once per table */
	int catalog_all_columns;
	/* MAY: NULL: what the catalog functions tell is all */
	ofb_drv_table_extra_fn *table_extra;
	/* MAY: NULL: table_extra alone */
	ofb_drv_schema_extra_fn *schema_extra;
	/* MAY: queries without parameters for the primary keys, the indexes and the foreign
	 * keys of every table of the database at once, in the columns of SQLPrimaryKeys,
	 * SQLStatistics and SQLForeignKeys; the rows of one key consecutive, in their order
	 * within it, and each row naming its table's schema as the catalog functions do
	 * (none, or the default scope's, for the default one); NULL: the catalog function
	 * for each table */
	const char *primary_keys_query;
	const char *indexes_query;
	const char *foreign_keys_query;
	/* MAY: NULL: the database's objects besides tables are not read (views are
	 * counted, and the backup warns that they are left out) */
	ofb_drv_read_objects_fn *read_objects;
	/* MAY: NULL: the primary key's own index is the one of its name */
	ofb_drv_is_pk_index_fn *is_pk_index;
	/* MAY: NULL: the generic rule (no binary, no float keys) alone */
	ofb_drv_keyset_unsafe_fn *keyset_unsafe;
	/* MAY: NULL: LIMIT n */
	ofb_drv_limit_fn *limit_clause;
	/* MAY: NULL: every column is read as it is */
	ofb_drv_select_fn *select_column;
	/* MAY: NULL: every value is read whole, however long */
	ofb_drv_slice_fn *slice_column;

	/* --- restore and import ------------------------------------------------------------ */
	/* MAY: 0: restoring into this engine is refused (it was never tested) */
	int can_restore;
	/* MAY: NULL: the SQL-standard spelling of each portable type */
	ofb_drv_type_ddl_fn *type_ddl;
	/* MAY: CREATE/DROP TABLE roll back with the transaction; 0: they commit */
	int ddl_in_transaction;
	/* MAY: foreign keys only inside CREATE TABLE (SQLite); 0: ALTER TABLE ADD */
	int fk_inline;
	/* MAY: a large table's primary key is added after its rows (ALTER TABLE ... ADD
	 * PRIMARY KEY), its index built once from sorted keys instead of an entry a row; 0:
	 * with the table (an engine that keeps rows in key order would rebuild the table) */
	int key_after_data;
	/* MAY: parameter markers per statement; 0: 2000 */
	unsigned max_params;
	/* MAY: appends text (UTF-8 without U+0000) as a string literal of the load session:
	 * a batch of rows then goes as one INSERT of literals (binary values as X'hex'), not
	 * as parameters, where the connection's statement text reaches the engine whole
	 * (ofb_db: text_exact): the engine reads the values faster than its ODBC driver binds
	 * them; NULL: parameters */
	ofb_drv_text_literal_fn *text_literal;
	/* MAY: booleans bound as integers (BIT columns take no text); 0: as text */
	int bool_as_integer;
	/* MAY: booleans in defaults; NULL: 1 and 0 */
	const char *true_literal;
	const char *false_literal;
	/* MAY: an expression default goes in parentheses; 0: as it is */
	int parenthesized_defaults;
	/* MAY: after CREATE DATABASE name; NULL: nothing */
	const char *create_database_options;
	/* MAY: the database a connection names to reach the server when the one to be made
	 * does not exist yet ("" for none at all); NULL: each engine's usual one is tried */
	const char *maintenance_database;
	/* MAY: table names, column names that differ in ASCII case alone are one name to the
	 * engine (a restore refuses such a package before it makes anything); 0: two */
	int fold_table_names;
	int fold_column_names;
	/* MAY: at most one identity column per table; 0: any number */
	int one_identity;
	/* MAY: an identity integer primary key of one column is the row id (INTEGER PRIMARY
	 * KEY), without an identity clause */
	int rowid_identity;
	/* MAY: same-engine restores replay the table's own CREATE TABLE (native_ddl) ... */
	int native_table_ddl;
	/* MAY: ... which also makes its indexes and foreign keys */
	int native_ddl_has_keys;
	/* MAY: DROP TABLE takes one name only; 0: a list */
	int drop_one_table;
	/* MAY: NULL: a replaced database's objects are left (the engine drops them with
	 * their tables, or it has none) */
	ofb_drv_drop_objects_fn *drop_objects;
	/* MAY: NULL: nothing to do once the objects are in */
	ofb_drv_finish_objects_fn *finish_objects;
	/* MAY: NULL: nothing to set for a load */
	ofb_drv_load_session_fn *load_session;
	/* MAY: NULL: no table is known to keep its rows in key order, so a table's batches go
	 * in turn, on one connection (load.c: side_by_side) */
	ofb_drv_key_ordered_fn *key_ordered;
	/* MAY: NULL: a generated column without the table's own DDL comes back plain */
	ofb_drv_generated_ddl_fn *generated_ddl;
	/* MAY: NULL: no identity clause (the engine numbers otherwise, or not at all) */
	ofb_drv_identity_ddl_fn *identity_ddl;
	/* MAY: NULL: where numbering continues is not set */
	ofb_drv_set_identity_fn *set_identity;
	/* MAY: NULL: every value is taken as the engine holds it exactly */
	ofb_drv_value_check_fn *value_check;
	/* MAY: NULL: values go in as the package has them */
	ofb_drv_adapt_fn *adapt_value;
};

extern const struct ofb_driver ofb_driver_sqlite;
extern const struct ofb_driver ofb_driver_postgresql;
extern const struct ofb_driver ofb_driver_mariadb;
extern const struct ofb_driver ofb_driver_sqlserver;
extern const struct ofb_driver ofb_driver_generic;

/* The driver whose driver_name_matches takes connstr's Driver= (or its DSN's), or NULL
 * when that cannot be told before connecting. */
const struct ofb_driver *ofb_driver_for_connstr(const char *connstr);
/* Non-zero when col is the engine's own primary-key index / unsafe for keyset reads. */
int ofb_drv_is_pk_index(const struct ofb_driver *drv, const char *name);
int ofb_drv_keyset_unsafe(const struct ofb_driver *drv, const struct ofb_column *col);
/* Non-zero when name begins with what drv reserves for itself. */
int ofb_drv_is_system_name(const struct ofb_driver *drv, const char *name);
/* The driver for dbms_name; the generic one when none matches. */
const struct ofb_driver *ofb_driver_for(const char *dbms_name);
/* Every driver's probe_options, as one "k=v;k=v" text (malloc'd). */
char *ofb_drv_probe_options(void);
/* A driver by its name ("sqlite"...), or NULL. */
const struct ofb_driver *ofb_driver_by_name(const char *name);

/* Wrappers applying the generic behaviour where a hook is NULL. */
const struct ofb_sql_dialect *ofb_drv_dialect(const struct ofb_driver *drv);
void ofb_drv_quote(const struct ofb_driver *drv, struct buf *sql, const char *ident);
/* A table's name as SQL: schema.name quoted, or name alone when schema is NULL. */
void ofb_drv_quote_table(const struct ofb_driver *drv, struct buf *sql, const char *schema,
			 const char *name);
int ofb_drv_session_setup(struct ofb_db *db, struct ofb_error *err);
int ofb_drv_begin_snapshot(struct ofb_db *db, char **warning, struct ofb_error *err);
/* *mark NULL when the driver has no state_mark or the engine cannot tell now; -1 with err
 * when its query failed. */
int ofb_drv_state_mark(struct ofb_db *db, char **mark, struct ofb_error *err);
int ofb_drv_lock_tables(struct ofb_db *db, const struct ofb_table *tables, size_t n,
			struct ofb_error *err);
int ofb_drv_read_window(struct ofb_db *db, struct ofb_table *tables, size_t n, size_t i,
			size_t window_bytes, struct ofb_error *err);
int ofb_drv_catalog_scope(struct ofb_db *db, char **catalog, char **schema,
			  struct ofb_error *err);
int ofb_drv_other_schemas(struct ofb_db *db, char ***names, size_t *n, struct ofb_error *err);
void ofb_drv_refine_column(const struct ofb_driver *drv, struct ofb_column *col);
int ofb_drv_table_extra(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err);
/* For read_objects hooks: one object per row of sql, whose columns are the kind's name
 * (schema.h), the object's name, its table (or NULL), its DDL and its schema (NULL for
 * the default one); rows without DDL are skipped. The objects are appended in the order
 * of the rows. */
int ofb_drv_objects_from_query(struct ofb_db *db, struct ofb_schema *s, const char *sql,
			       struct ofb_error *err);
/* For schema_extra hooks: what reads one row about table t (v: its columns as text; a
 * value taken over is set to NULL in v). */
typedef void ofb_drv_table_row_fn(struct ofb_table *t, char **v, void *ctx);
/* For schema_extra hooks: each row of sql, its first n (at most 8) columns as text,
 * handed to row with the table of s it is about, which the row names by its schema (NULL:
 * the default one) and name in its first two columns (with_schema), or by its name in
 * the first; rows of tables not in s are skipped. what says what the rows are, for an
 * error. */
int ofb_drv_table_rows(struct ofb_db *db, struct ofb_schema *s, const char *sql, int n,
		       int with_schema, ofb_drv_table_row_fn *row, void *ctx, const char *what,
		       struct ofb_error *err);
/* For drop_objects hooks: run every statement sql returns (one column), statements the
 * server makes from its own catalog. */
int ofb_drv_exec_listed(struct ofb_db *db, const char *sql, struct ofb_error *err);
/* Non-zero when drv reads objects besides tables. */
int ofb_drv_has_objects(const struct ofb_driver *drv);
int ofb_drv_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err);
int ofb_drv_drop_objects(struct ofb_db *db, int after_tables, struct ofb_error *err);
int ofb_drv_finish_objects(struct ofb_db *db, const struct ofb_schema *s,
			   struct ofb_error *err);
void ofb_drv_type_ddl(const struct ofb_driver *drv, const struct ofb_column *col,
		      struct buf *sql);
void ofb_drv_limit(const struct ofb_driver *drv, struct buf *sql, unsigned long n);
/* 1 when the driver's select_column appended an expression for col, 0 when the plain
 * column is to be read. */
int ofb_drv_select_column(const struct ofb_driver *drv, const struct ofb_column *col,
			  struct buf *sql);
/* 1 when the driver's slice_column appended col's length expression (see there). */
int ofb_drv_slice_column(const struct ofb_db *db, const struct ofb_table *t,
			 const struct ofb_column *col, unsigned long long over, struct buf *sql,
			 const char **part);
/* For slice_column: CASE WHEN bytes_fn(col) > over THEN units_fn(col) ELSE 0 END. */
void ofb_drv_long_length(const struct ofb_driver *drv, const struct ofb_column *col,
			 unsigned long long over, const char *bytes_fn, const char *units_fn,
			 struct buf *sql);
/* Parameter markers a statement of db's may hold: its load session's, else the driver's. */
unsigned ofb_drv_max_params(const struct ofb_db *db);
int ofb_drv_create_database(struct ofb_db *db, const char *name, struct ofb_error *err);
int ofb_drv_load_session(struct ofb_db *db, struct ofb_error *err);
int ofb_drv_key_ordered(struct ofb_db *db, const struct ofb_table *t, struct ofb_error *err);
void ofb_drv_text_literal(const struct ofb_driver *drv, struct buf *sql, const char *s,
			  size_t n);
void ofb_drv_identity_ddl(const struct ofb_driver *drv, const struct ofb_column *col,
			  struct buf *sql);
/* 1 when the driver appended col's generation clause, 0 when it has none. */
int ofb_drv_generated_ddl(const struct ofb_driver *drv, const struct ofb_column *col,
			  struct buf *sql);
int ofb_drv_set_identity(struct ofb_db *db, const struct ofb_table *t, const char *column,
			 long long next, struct ofb_error *err);
const char *ofb_drv_value_check(const struct ofb_driver *drv, const struct ofb_column *col,
				const char *value, size_t len, int *warn);
/* Digits a decimal text has before and after the point (exponent applied, leading and
 * trailing zeros not counted); -1 when v is no decimal number. */
int ofb_decimal_shape(const char *v, size_t len, int *before, int *after);
/* Checks every engine that enforces column types needs (the engine would round or
 * truncate silently): NULL when value fits col's portable type, else why not. */
const char *ofb_value_fits_type(const struct ofb_column *col, const char *value, size_t len);
char *ofb_drv_adapt_value(const struct ofb_driver *drv, const struct ofb_column *col,
			  const char *value, size_t len);

#endif
