/* load.c - one database of a package into a live database: CREATE TABLE from the schema
 * (the engine's own declarations when it is the same engine, the portable types when not),
 * rows in multi-row INSERT batches, then indexes, foreign keys and identity state. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "config.h"
#include "ddl.h"
#include "driver.h"
#include "job_thread.h"
#include "load.h"
#include "objects.h"
#include "odbc.h"
#include "session.h"
#include "sqlcheck.h"
#include "progress.h"
#include "reader.h"
#include "util.h"

#define BATCH_MAX_ROWS 500
#define BATCH_MAX_BYTES (4u * 1024 * 1024)
/* A batch sent as one array parameter per column (driver.h: array_batch_insert): rows are
 * cheap on the server that way, so batches are larger; bytes of values, before quoting. */
#define ARRAY_BATCH_ROWS 10000
#define ARRAY_BATCH_VALUES 100000u
#define ARRAY_BATCH_BYTES (1024u * 1024)
/* Text values from this size on are sent in pieces (data at execution), converted to
 * UTF-16 piece by piece instead of whole. */
#define LONG_TEXT_BYTES (1024u * 1024)
#define PUT_UNITS (256u * 1024)
/* A batch as one statement of literals (driver.h: text_literal): at most this long, well
 * under MariaDB's packet (16 MiB by default); a row longer alone goes through parameters. */
#define LITERAL_BATCH_BYTES (900u * 1024)
#define LITERAL_BATCH_ROWS 10000
/* A table's batches of arrays or literals take a BATCH_SHARES-th of its data, at least
 * BATCH_LEAST_BYTES (batch_bytes). */
#define BATCH_LEAST_BYTES (64u * 1024)
#define BATCH_SHARES 16

int ofb_load_count_tables(struct ofb_db *db, size_t *n, struct ofb_error *err)
{
	char **names = NULL;
	int ret = ofb_schema_table_names(db, &names, n, err);

	for (size_t i = 0; ret == 0 && i < *n; i++)
		free(names[i]);
	free(names);
	return ret;
}

/* --- opening (and creating) the target ------------------------------------------------- */

/* Reach the server without the missing database: no database at all (MariaDB), or the
 * maintenance database the engines ship with; the engine's own first where Driver= tells
 * which (each attempt that fails is a connection refused by the server). */
static int open_maintenance(const char *connstr, struct ofb_db **out, struct ofb_error *err)
{
	static const char *const candidates[] = { "", "postgres", "master", "template1" };
	const struct ofb_driver *drv = ofb_driver_for_connstr(connstr);
	const char *first = drv ? drv->maintenance_database : NULL, *order[5];
	struct ofb_error last;
	size_t n = 0;
	int ret = -1;

	if (first)
		order[n++] = first;
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		if (!first || strcmp(candidates[i], first) != 0)
			order[n++] = candidates[i];
	for (size_t i = 0; i < n && ret != 0; i++) {
		char *c = ofb_connstr_set(connstr, "Database", order[i]);
		ofb_error_clear(&last);
		ret = ofb_db_open(out, c, &last);
		free(c);
	}
	if (ret != 0)
		ofb_error_wrap(err, &last, "cannot reach the server to create the database");
	return ret;
}

int ofb_load_can_create(const char *connstr, struct ofb_error *err)
{
	const struct ofb_driver *drv = ofb_driver_for_connstr(connstr);
	struct ofb_db *maint = NULL;
	int ret = -1;

	if (drv && drv->file_database) {
		char *file = ofb_connstr_lookup(connstr, "Database");
		char *dir = file ? xstrdup(file) : NULL;
		char *slash = dir ? strrchr(dir, '/') : NULL;
		if (slash)
			*slash = '\0';
		if (!file || !*file)
			ofb_error_set(err, "the connection names no database file (Database=...)");
		else if (access(slash ? (*dir ? dir : "/") : ".", W_OK) != 0)
			ofb_error_set(err, "cannot create database file '%s': its folder is missing "
				      "or not writable", file);
		else
			ret = 0;
		free(file);
		free(dir);
	} else if (open_maintenance(connstr, &maint, err) == 0) {
		ret = 0;
	}
	ofb_db_close(maint);
	return ret;
}

static int gate_passed(const struct ofb_load_gate *gate, struct ofb_error *err)
{
	return gate && gate->pass ? gate->pass(gate->ctx, err) : 0;
}

int ofb_load_open_target(const char *connstr, struct ofb_db **out, int *created,
			 const struct ofb_load_gate *gate, struct ofb_error *err)
{
	struct ofb_db *maint = NULL;
	struct ofb_error first;
	const struct ofb_driver *drv = ofb_driver_for_connstr(connstr);
	char *name = NULL;
	int ret = -1;

	*created = 0;
	ofb_error_clear(&first);
	if (drv && drv->file_database) {
		char *file = ofb_connstr_lookup(connstr, "Database");
		/* a new file is the caller's to remove should what follows fail */
		*created = file && access(file, F_OK) != 0;
		free(file);
		ret = ofb_db_open_flags(out, connstr, OFB_DB_MAY_CREATE, err);
		goto out;
	}
	if (ofb_db_open(out, connstr, &first) == 0) {
		ret = 0;
		goto out;
	}
	name = ofb_connstr_lookup(connstr, "Database");
	if (!name) {
		*err = first;
		goto out;
	}
	if (gate_passed(gate, err) != 0)
		goto out;
	if (open_maintenance(connstr, &maint, err) != 0) {
		ofb_error_prefix(err, "%s", first.msg);
		goto out;
	}
	if (ofb_drv_create_database(maint, name, err) != 0) {
		ofb_error_prefix(err, "cannot create database '%s' (%s)", name, first.msg);
		goto out;
	}
	*created = 1;
	ret = ofb_db_open(out, connstr, err);
out:
	ofb_db_close(maint);
	free(name);
	return ret;
}

void ofb_load_remove_created(const char *connstr, const char *subject)
{
	const struct ofb_driver *drv = ofb_driver_for_connstr(connstr);
	char *name = ofb_connstr_lookup(connstr, "Database");
	static const char *const beside[] = { "", "-journal", "-wal", "-shm" };
	struct ofb_db *maint = NULL;
	struct ofb_error err;
	struct buf sql;

	buf_init(&sql);
	ofb_error_clear(&err);
	if (!name || !*name)
		goto out;
	if (drv && drv->file_database) {
		/* the file, with what the engine keeps beside it */
		for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
			char *path = xasprintf("%s%s", name, beside[i]);
			if (unlink(path) != 0 && errno != ENOENT)
				ofb_warn("%s: cannot remove '%s', made by this restore: %s", subject,
					 path, strerror(errno));
			free(path);
		}
		ofb_notice("%s: removed the database file '%s' this restore had made", subject,
			   name);
		goto out;
	}
	if (open_maintenance(connstr, &maint, &err) == 0) {
		buf_adds(&sql, "DROP DATABASE ");
		ofb_drv_quote(maint->drv, &sql, name);
		if (ofb_db_exec(maint, sql.data, &err) == 0) {
			ofb_notice("%s: dropped the database '%s' this restore had made", subject, name);
			goto out;
		}
	}
	ofb_warn("%s: the database '%s' this restore made is left on the server: %s", subject,
		 name, err.msg);
out:
	ofb_db_close(maint);
	buf_free(&sql);
	free(name);
}

/* --- DDL -------------------------------------------------------------------------------- */

struct loader {
	struct ofb_db *db;
	const struct ofb_driver *drv;
	struct ofb_schema *src;
	const char *subject;
	struct ofb_ddl ddl;       /* the statements' shared state (index names given) */
	struct ofb_load_stats *stats;
	size_t objects_made;
	const char *connstr;      /* db's, for a second connection; NULL: none */
	struct ofb_db *extra;     /* that connection, opened for the first table that can use it */
	int extra_failed;         /* it could not be had: one connection for the rest */
	unsigned long long *rows; /* each table's rows as the package has them, once loaded */
	unsigned char *key_later; /* the table is created without its primary key (key_later) */
	/* the threads that execute the batches of slots 0 and 1 (struct batch: exec[k]) for
	 * all of the load's tables, started with the first such batch, ended with the load:
	 * a thread started for each batch cost a load of 200 small tables more than their
	 * rows did */
	struct ofb_job_thread workers[2];
};

static int exec(struct loader *l, const char *sql, const struct ofb_table *t,
		struct ofb_error *err)
{
	if (ofb_db_exec(l->db, sql, err) == 0)
		return 0;
	ofb_error_prefix(err, "%s, table '%s'", l->subject, t->name);
	return -1;
}

/* An object's own DDL from the package: checked again here, right before it runs, under
 * the rules of the engine it came from (which is this one: native DDL is only replayed
 * on the same engine). */
static int exec_native(struct loader *l, enum ofb_sql_kind kind, const char *object,
		       const char *sql, const struct ofb_table *t, struct ofb_error *err)
{
	char *why = NULL;

	if (ofb_sql_check_native(ofb_drv_dialect(l->drv), kind, object,
				 kind == OFB_SQL_CREATE_INDEX ? t->name : NULL, sql, &why) != 0) {
		ofb_error_set(err, "%s, table '%s': the package's DDL for '%s' is refused: %s",
			      l->subject, t->name, object, why);
		free(why);
		return -1;
	}
	return exec(l, sql, t, err);
}

/* Run one statement of the DDL module: the package's own DDL after its check, a warning
 * as a warning. */
static int run_stmt(struct loader *l, const struct ofb_ddl_stmt *st, const struct ofb_table *t,
		    struct ofb_error *err)
{
	if (st->warning) {
		ofb_warn("%s, table '%s': %s", l->subject, t->name, st->warning);
		l->stats->warnings++;
		return 0;
	}
	return st->native ? exec_native(l, st->kind, st->object, st->sql, t, err)
			  : exec(l, st->sql, t, err);
}

static int run_stmts(struct loader *l, struct ofb_ddl_stmt *v, size_t n,
		     const struct ofb_table *t, struct ofb_error *err)
{
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		ret = run_stmt(l, &v[i], t, err);
	ofb_ddl_stmts_free(v, n);
	return ret;
}

/* Tables of at least this many rows (by the manifest) get their primary key after their
 * rows where the engine can add it so (key_after_data): one sorted build of its index
 * instead of an entry a row (PostgreSQL, 200,000 narrow rows: 0.59 -> 0.49 s of the
 * server's time). A smaller table keeps it in its CREATE TABLE: the statement more would
 * cost about what it saves. The manifest's count only chooses; the rows are counted. */
#define KEY_LATER_ROWS 10000

static int key_later(const struct loader *l, struct ofb_reader *r, const struct ofb_table *t)
{
	json_t *rec, *rows;

	if (!l->drv->key_after_data || l->drv->rowid_identity || !t->primary_key ||
	    !t->entry || ofb_ddl_native_table(&l->ddl, t))
		return 0;
	rec = ofb_reader_entry(r, t->entry);
	rows = rec ? json_object_get(rec, "rows") : NULL;
	return json_is_integer(rows) && json_integer_value(rows) >= KEY_LATER_ROWS;
}

static int create_table(struct loader *l, struct ofb_table *t, int key_later,
			struct ofb_error *err)
{
	size_t n;
	struct ofb_ddl_stmt *losses = ofb_ddl_table_losses(&l->ddl, t, &n);
	struct ofb_ddl_stmt st;
	int ret;

	if (run_stmts(l, losses, n, t, err) != 0)
		return -1;
	st = ofb_ddl_create_table(&l->ddl, t, key_later);
	ret = run_stmt(l, &st, t, err);

	free(st.sql);
	free(st.warning);
	return ret;
}

/* The primary key of a table created without it: a value the package holds twice is
 * refused here, naming the key (the engine's message names the value). */
static int add_primary_key(struct loader *l, struct ofb_table *t, struct ofb_error *err)
{
	struct ofb_ddl_stmt st = ofb_ddl_primary_key(&l->ddl, t);
	int ret = ofb_db_exec(l->db, st.sql, err);

	if (ret != 0) {
		struct buf cols;
		buf_init(&cols);
		for (size_t i = 0; i < t->primary_key->n_columns; i++)
			buf_addf(&cols, "%s%s", i ? ", " : "", t->primary_key->columns[i]);
		ofb_error_prefix(err, "%s, table '%s': its primary key (%s) cannot be added to "
				 "the rows loaded", l->subject, t->name, cols.data);
		buf_free(&cols);
	}
	free(st.sql);
	return ret;
}

static int create_indexes(struct loader *l, struct ofb_table *t, struct ofb_error *err)
{
	size_t n;
	struct ofb_ddl_stmt *v = ofb_ddl_indexes(&l->ddl, t, &n);

	return run_stmts(l, v, n, t, err);
}

static int add_foreign_keys(struct loader *l, struct ofb_table *t, struct ofb_error *err)
{
	size_t n;
	struct ofb_ddl_stmt *v = ofb_ddl_foreign_keys(&l->ddl, t, &n);

	return run_stmts(l, v, n, t, err);
}

/* Every identity column continues where its sequence stood in the source. */
static int set_identities(struct loader *l, const struct ofb_table *t, struct ofb_error *err)
{
	for (size_t i = 0; i < t->n_columns; i++) {
		const struct ofb_column *c = &t->columns[i];
		long long next = c->identity_next;
		if (!next && t->identity_column && strcmp(t->identity_column, c->name) == 0)
			next = t->identity_next;
		if (!ofb_ddl_is_identity(&l->ddl, t, c) || next <= 0)
			continue;
		if (ofb_drv_set_identity(l->db, t, c->name, next, err) != 0) {
			ofb_error_prefix(err, "%s, table '%s', column '%s': cannot set where its "
					 "numbering continues", l->subject, t->name, c->name);
			return -1;
		}
	}
	return 0;
}

static void mark_key_parts(struct ofb_table *t)
{
	const struct ofb_key *keys[64];
	size_t n = 0;

	if (t->primary_key)
		keys[n++] = t->primary_key;
	for (size_t i = 0; i < t->n_indexes && n < 64; i++)
		keys[n++] = &t->indexes[i];
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < keys[k]->n_columns; j++)
			for (size_t c = 0; c < t->n_columns; c++)
				if (keys[k]->columns[j] &&
				    strcmp(t->columns[c].name, keys[k]->columns[j]) == 0)
					t->columns[c].key_part = 1;
}

/* --- data ------------------------------------------------------------------------------- */

struct batch;

/* A batch the engine executes on a thread of its own while the next one is read from the
 * package (the slot's connection is not used meanwhile). */
struct exec_slot {
	struct batch *b;
	SQLHSTMT direct;           /* statements of literals run here, on the slot's connection */
	SQLHSTMT own;              /* or a batch's own INSERT (shorter than the prepared one)... */
	ofb_wchar *sql;            /* ... of this text, executed directly, freed with it */
	struct ofb_job_thread *worker;  /* executing it (to be waited for), or NULL */
	int active;                /* started and not waited for */
	unsigned long long first;  /* its first row, from 1 */
	size_t n;
	ofb_wchar **wide;          /* the bound buffers: n_wide texts, integers, lengths */
	size_t n_wide;
	void **arrays;             /* or n_arrays array literals (UTF-8 or UTF-16) */
	size_t n_arrays;
	SQLBIGINT *ints;
	SQLLEN *ind;
	struct buf data;           /* the values the bound buffers point into */
	struct buf text;           /* or the statement of literals */
	int literal;
	int ret;
	struct ofb_error err;
};

struct batch {
	struct loader *l;
	struct ofb_table *t;
	char *label;
	size_t max_rows;
	size_t values_rows;       /* rows of a VALUES batch (max_rows is larger for arrays) */
	size_t n_rows;
	unsigned long long rows_done;
	struct buf data;          /* the values of the pending rows, back to back */
	size_t *off;
	size_t *len;
	unsigned char *is_null;
	unsigned char *warned;    /* per column: a representation warning was given */
	struct buf sql;
	size_t sql_rows;          /* rows sql was built for */
	unsigned char *skip;      /* per column: generated by the engine, not inserted */
	SQLHSTMT full;            /* the INSERT of max_rows rows, prepared once, re-executed */
	int arrays;               /* batches go as one array parameter per column through full */
	int literal;              /* batches go as INSERTs of literals (driver.h: text_literal) */
	struct buf head;          /* INSERT INTO t (columns) VALUES, for those */
	struct buf text;          /* the pending rows' literals, "(...),(...)" */
	struct buf row;           /* one row's literals */
	size_t text_rows;         /* rows in text */
	size_t batch_bytes;       /* the bytes text, or the data of arrays, may take */
	/* slot 0 executes on the load's connection, every kind of batch; slot 1, where there
	 * is one, statements of literals on a second connection (loader: extra) */
	struct exec_slot exec[2];
	size_t n_slots;
	size_t next;              /* the slot of the next batch: the one started longest ago */
	int second_considered;    /* whether slot 1 was set up, where it can be */
};

/* INSERT INTO t (the columns loaded) VALUES */
static void insert_head(const struct batch *b, struct buf *sql)
{
	buf_adds(sql, "INSERT INTO ");
	ofb_ddl_quote_table(&b->l->ddl, sql, b->t);
	buf_adds(sql, " (");
	for (size_t c = 0, n = 0; c < b->t->n_columns; c++) {
		if (b->skip[c])
			continue;
		if (n++)
			buf_adds(sql, ", ");
		ofb_drv_quote(b->l->drv, sql, b->t->columns[c].name);
	}
	buf_adds(sql, ") VALUES ");
}

static void build_insert(struct batch *b, size_t rows)
{
	buf_reset(&b->sql);
	if (b->l->db->returning_batches)
		buf_adds(&b->sql, "WITH ofb_batch(x) AS (SELECT 1) ");
	insert_head(b, &b->sql);
	for (size_t r = 0; r < rows; r++) {
		buf_adds(&b->sql, r ? ", (" : "(");
		for (size_t c = 0, n = 0; c < b->t->n_columns; c++)
			if (!b->skip[c])
				buf_adds(&b->sql, n++ ? ", ?" : "?");
		buf_addc(&b->sql, ')');
	}
	if (b->l->db->returning_batches)
		buf_adds(&b->sql, " RETURNING 1");
	b->sql_rows = rows;
}

/* The long text values bound at execution, each sent in pieces of PUT_UNITS; returns
 * what the execution returned in the end. */
static SQLRETURN put_long_values(struct batch *b, SQLHSTMT st)
{
	ofb_wchar *piece = xmalloc(PUT_UNITS * sizeof *piece);
	SQLPOINTER token = NULL;
	SQLRETURN rc;

	while ((rc = SQLParamData(st, &token)) == SQL_NEED_DATA) {
		size_t v = (size_t)(uintptr_t)token - 1, done = 0;
		const char *text = b->data.data + b->off[v];
		while (done < b->len[v]) {
			size_t used = 0;
			size_t units = utf8_to_w_part(text + done, b->len[v] - done, piece, PUT_UNITS,
						      &used);
			done += used;
			rc = SQLPutData(st, piece, (SQLLEN)(units * sizeof *piece));
			if (!SQL_SUCCEEDED(rc))
				goto out;
		}
	}
out:
	free(piece);
	return rc;
}

/* s as a quoted element of an array literal */
static void add_array_element(struct buf *out, const char *s, size_t n)
{
	size_t from = 0;

	buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		buf_add(out, s + from, i - from);
		buf_addc(out, '\\');
		from = i;
	}
	buf_add(out, s + from, n - from);
	buf_addc(out, '"');
}

static int all_ascii(const char *s, size_t n)
{
	unsigned char any = 0;

	for (size_t i = 0; i < n; i++)
		any |= (unsigned char)s[i];
	return any < 0x80;
}

/* The pending rows as one array literal per column, bound as the parameters of the
 * prepared batch INSERT (b->full); bound[k] and ind[k] hold parameter k + 1 until
 * executed. Binary values go as the engine's hex text. */
static SQLRETURN bind_array_rows(struct batch *b, void **bound, SQLLEN *ind)
{
	size_t ncols = b->t->n_columns;
	struct buf a;
	SQLRETURN rc = SQL_SUCCESS;

	buf_init(&a);
	for (size_t c = 0, k = 0; c < ncols && SQL_SUCCEEDED(rc); c++) {
		const struct ofb_column *col = &b->t->columns[c];
		int binary = ofb_ptype_encoding(col->type) == OFB_ENC_BINARY;
		size_t units = 0;
		if (b->skip[c])
			continue;
		buf_reset(&a);
		buf_addc(&a, '{');
		for (size_t r = 0; r < b->n_rows; r++) {
			size_t v = r * ncols + c;
			if (r)
				buf_addc(&a, ',');
			if (b->is_null[v] & 1) {
				buf_adds(&a, "NULL");
			} else if (binary && !(b->is_null[v] & 2)) {
				buf_adds(&a, "\"\\\\x");
				buf_add_hex(&a, (const unsigned char *)b->data.data + b->off[v],
					    b->len[v]);
				buf_addc(&a, '"');
			} else {
				add_array_element(&a, b->data.data + b->off[v], b->len[v]);
			}
		}
		buf_addc(&a, '}');
		if (all_ascii(a.data, a.len)) {
			/* ASCII (numbers, moments, hex digits, much text): these bytes in every
			 * character set, so as they are, without a round trip through UTF-16 */
			ind[k] = (SQLLEN)a.len;
			bound[k] = buf_detach(&a);
			rc = SQLBindParameter(b->full, (SQLUSMALLINT)(k + 1), SQL_PARAM_INPUT,
					      SQL_C_CHAR, SQL_LONGVARCHAR, (SQLULEN)ind[k], 0,
					      bound[k], ind[k] + 1, &ind[k]);
		} else {
			ofb_wchar *w = utf8_to_w(a.data, &units);
			bound[k] = w;
			ind[k] = (SQLLEN)(units * sizeof(ofb_wchar));
			rc = SQLBindParameter(b->full, (SQLUSMALLINT)(k + 1), SQL_PARAM_INPUT,
					      SQL_C_WCHAR, SQL_WLONGVARCHAR, units, 0, w,
					      ind[k] + (SQLLEN)sizeof(ofb_wchar), &ind[k]);
		}
		k++;
	}
	buf_free(&a);
	return rc;
}

/* Whether value v of the pending rows is a boolean that goes as an integer (driver.h:
 * bool_as_integer). */
static int as_integer(const struct batch *b, size_t v)
{
	return b->t->columns[v % b->t->n_columns].type == OFB_T_BOOLEAN &&
	       b->l->drv->bool_as_integer && !(b->is_null[v] & 2);
}

static int boolean_integer(const struct batch *b, size_t v, SQLBIGINT *out,
			   struct ofb_error *err)
{
	size_t ncols = b->t->n_columns;
	char *text = xstrndup(b->data.data + b->off[v], b->len[v]), *end;
	long long n = strtoll(text, &end, 10);
	int ret = 0;

	if (*end != '\0' || end == text) {
		ofb_error_set(err, "%s, column '%s', row %llu: '%s' is not a boolean", b->label,
			      b->t->columns[v % ncols].name,
			      b->rows_done + b->text_rows + v / ncols + 1, text);
		ret = -1;
	}
	free(text);
	*out = n;
	return ret;
}

/* The row the pending values hold (a batch of literals keeps one row there) as literals,
 * "(...)". Text is UTF-8 without U+0000, as the package reader lets through no other
 * (table_reader.c: decode_value; numbers are ASCII, and so is what adapt_value makes of
 * them): no byte of it then ends the literal early for the engine's lexer. */
static int render_row(const struct batch *b, struct buf *out, struct ofb_error *err)
{
	buf_addc(out, '(');
	for (size_t c = 0, n = 0; c < b->t->n_columns; c++) {
		const struct ofb_column *col = &b->t->columns[c];
		const char *s = b->len[c] ? b->data.data + b->off[c] : "";
		SQLBIGINT i;
		if (b->skip[c])
			continue;
		if (n++)
			buf_addc(out, ',');
		if (b->is_null[c] & 1) {
			buf_adds(out, "NULL");
		} else if (as_integer(b, c)) {
			if (boolean_integer(b, c, &i, err) != 0)
				return -1;
			buf_addf(out, "%lld", (long long)i);
		} else if (ofb_ptype_encoding(col->type) == OFB_ENC_BINARY && !(b->is_null[c] & 2)) {
			buf_adds(out, "X'");
			buf_add_hex(out, (const unsigned char *)s, b->len[c]);
			buf_addc(out, '\'');
		} else {
			ofb_drv_text_literal(b->l->drv, out, s, b->len[c]);
		}
	}
	buf_addc(out, ')');
	return 0;
}

static int flush(struct batch *b, struct ofb_error *err);

/* Whether the table's first row is mostly bytes: as hex they would be twice as long and
 * taken apart again by the server, so such a table's rows go as parameters (binary as it
 * is). Measured: 300 rows of 100 KB took 0.85-0.93 s as literals, 0.58-0.60 s bound. */
static int binary_heavy(const struct batch *b)
{
	size_t bytes = 0, all = 0;

	for (size_t c = 0; c < b->t->n_columns; c++) {
		all += b->len[c];
		if (ofb_ptype_encoding(b->t->columns[c].type) == OFB_ENC_BINARY &&
		    !(b->is_null[c] & 2))
			bytes += b->len[c];
	}
	return bytes >= 1024 && bytes * 2 >= all;
}

/* The row just read (row 0 of the pending values) added to the statement of literals,
 * which is executed when full. A row too long for such a statement goes alone, through
 * parameters. */
static int add_literal_row(struct batch *b, struct ofb_error *err)
{
	size_t least = b->head.len;   /* every value takes at least its bytes as a literal */
	int alone;

	for (size_t c = 0; c < b->t->n_columns; c++)
		least += b->len[c];
	buf_reset(&b->row);
	if (least <= LITERAL_BATCH_BYTES && render_row(b, &b->row, err) != 0)
		return -1;
	alone = least > LITERAL_BATCH_BYTES || b->head.len + b->row.len > LITERAL_BATCH_BYTES;
	if (b->text_rows && (alone || b->text.len + 1 + b->row.len > b->batch_bytes) &&
	    flush(b, err) != 0)
		return -1;
	if (alone) {
		buf_free(&b->row);   /* as long as a rendered row that was too long, if it was */
		buf_init(&b->row);
		b->n_rows = 1;
		return flush(b, err);
	}
	if (b->text_rows == 0)
		buf_add(&b->text, b->head.data, b->head.len);
	else
		buf_addc(&b->text, ',');
	buf_add(&b->text, b->row.data, b->row.len);
	b->text_rows++;
	buf_reset(&b->data);
	return b->text_rows == LITERAL_BATCH_ROWS ? flush(b, err) : 0;
}

/* An engine's "at row K" (MariaDB's) counts in the statement: the row of the table it is,
 * added to err, for the n rows from first. */
static void name_table_row(struct ofb_error *err, unsigned long long first, size_t n)
{
	const char *at = strstr(err->msg, " at row ");
	unsigned long long k;
	size_t len = strlen(err->msg);
	char *end;

	if (!at)
		return;
	k = strtoull(at + 8, &end, 10);
	if (end != at + 8 && k >= 1 && k <= n && len < sizeof err->msg)
		snprintf(err->msg + len, sizeof err->msg - len, " (row %llu of the table)",
			 first + k - 1);
}

/* What executing st for the n rows from first returned: every row must have gone in. */
static int check_executed(struct batch *b, SQLHSTMT st, SQLRETURN rc, unsigned long long first,
			  size_t n, struct ofb_error *err)
{
	SQLLEN count = -1;

	if (!SQL_SUCCEEDED(rc)) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, st, "%s: cannot insert rows %llu to %llu",
			       b->label, first, first + n - 1);
		name_table_row(err, first, n);
		return -1;
	}
	/* A driver may pass an engine's refusal on as a mere warning (MariaDB's "data
	 * truncated" comes as 01000 with nothing inserted). */
	if (!SQL_SUCCEEDED(SQLRowCount(st, &count)))
		count = -1;
	/* a batch of build_insert with RETURNING: a driver that takes it for a query has the
	 * rows it returned (one for each row inserted) as its result, one that does not the
	 * rows it changed; either way a batch short of rows is short here */
	if (b->l->db->returning_batches && count != (SQLLEN)n &&
	    !SQL_SUCCEEDED(SQLGetDiagField(SQL_HANDLE_STMT, st, 0, SQL_DIAG_CURSOR_ROW_COUNT,
					   &count, 0, NULL)))
		count = -1;
	if (count != (SQLLEN)n) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, st, "%s: rows %llu to %llu: the database "
			       "took %ld of %zu rows", b->label, first, first + n - 1,
			       (long)count, n);
		return -1;
	}
	return 0;
}

static void execute_batch(void *arg)
{
	struct exec_slot *x = arg;
	struct batch *b = x->b;
	SQLHSTMT st = x->literal ? x->direct : x->own ? x->own : b->full;
	const struct buf *text = &x->text;
	SQLRETURN rc;

	if (x->literal) {
		/* as UTF-16: the driver manager would convert narrow text from a character set
		 * of its own; NUL-terminated, as the values hold no U+0000 */
		ofb_wchar *w = utf8_to_w(text->data, NULL);
		rc = SQLExecDirectW(st, (SQLWCHAR *)w, SQL_NTS);
		free(w);
	} else if (x->sql) {
		rc = SQLExecDirectW(st, (SQLWCHAR *)x->sql, SQL_NTS);
	} else {
		rc = SQLExecute(st);
	}

	x->ret = check_executed(b, st, rc, x->first, x->n, &x->err);
	SQLFreeStmt(st, SQL_CLOSE);
}

/* The load's workers ended (every batch was waited for). */
static void workers_end(struct loader *l)
{
	for (size_t k = 0; k < sizeof l->workers / sizeof l->workers[0]; k++)
		ofb_job_thread_end(&l->workers[k]);
}

/* Waits for the batch slot x executes, if any; its outcome. */
static int wait_slot(struct exec_slot *x, struct ofb_error *err)
{
	int ret;

	if (!x->active)
		return 0;
	if (x->worker)
		ofb_job_thread_wait(x->worker);
	x->worker = NULL;
	x->active = 0;
	ret = x->ret;
	if (ret != 0)
		*err = x->err;
	for (size_t v = 0; v < x->n_wide; v++)
		free(x->wide[v]);
	free(x->wide);
	for (size_t v = 0; v < x->n_arrays; v++)
		free(x->arrays[v]);
	free(x->arrays);
	free(x->ints);
	free(x->ind);
	if (x->own)
		SQLFreeHandle(SQL_HANDLE_STMT, x->own);
	free(x->sql);
	x->own = NULL;
	x->sql = NULL;
	x->wide = NULL;
	x->n_wide = 0;
	x->arrays = NULL;
	x->n_arrays = 0;
	x->ints = NULL;
	x->ind = NULL;
	buf_reset(&x->data);
	buf_reset(&x->text);
	return ret;
}

/* Waits for every batch being executed, in the order they were started; the first
 * failure among them. */
static int wait_executed(struct batch *b, struct ofb_error *err)
{
	int ret = 0;

	for (size_t k = 0; k < b->n_slots; k++) {
		struct ofb_error e;
		ofb_error_clear(&e);
		if (wait_slot(&b->exec[(b->next + k) % b->n_slots], &e) != 0 && ret == 0) {
			*err = e;
			ret = -1;
		}
	}
	return ret;
}

/* The next n rows, as slot x holds them, executed beside the reading of the ones after. */
static void start_execution(struct batch *b, struct exec_slot *x, size_t n)
{
	x->first = b->rows_done + 1;
	x->n = n;
	x->active = 1;
	ofb_error_clear(&x->err);
	x->worker = &b->l->workers[x - b->exec];
	if (!ofb_job_thread_give(x->worker, execute_batch, x)) {
		x->worker = NULL;
		execute_batch(x);   /* no thread to be had: in turn, as other batches */
	}
	b->rows_done += n;
	ofb_progress_update(b->label, b->rows_done, 0);
}

/* The pending buffer *from (values, or a statement of literals) swapped with the free
 * slot's *to, and the slot's batch of n rows started. */
static void hand_over(struct batch *b, struct exec_slot *x, struct buf *from, struct buf *to,
		      int literal, size_t n)
{
	struct buf spare = *to;

	*to = *from;
	*from = spare;
	buf_reset(from);
	x->literal = literal;
	start_execution(b, x, n);
}

/* The pending rows, bound to b->full (the bound buffers handed over in slot 0, which is
 * free), executed; the values the buffers point into move to the slot. */
static void execute_bound(struct batch *b)
{
	hand_over(b, &b->exec[0], &b->data, &b->exec[0].data, 0, b->n_rows);
	b->n_rows = 0;
	b->next = b->n_slots > 1;   /* slot 1, idle, now waited longest */
}

/* l->extra opened, its load session set up; -1 with err saying why it cannot be had. */
static int open_extra(struct loader *l, struct ofb_error *err)
{
	if (ofb_db_open(&l->extra, l->connstr, err) == 0 &&
	    ofb_drv_load_session(l->extra, err) == 0 && l->extra->text_exact)
		return 0;
	if (!err->set)
		ofb_error_set(err, "its statement text does not reach the server whole");
	ofb_db_close(l->extra);
	l->extra = NULL;
	return -1;
}

/* Whether t's statements of literals go on two connections at once, every other one on
 * l->extra (opened here the first time): only where no transaction spans the load, so a
 * second connection changes nothing about what a failure leaves (MariaDB: the load's
 * tables are dropped), and only into a table kept in the order of its primary key
 * (driver.h: key_ordered, asked on the second connection, as the first may be busy), so
 * batches committed out of turn leave it the same, without other unique indexes that
 * concurrent inserts could wait on each other for. Without that connection, one. */
static int side_by_side(struct loader *l, const struct ofb_table *t)
{
	struct ofb_error e;
	int ordered = -1;

	if (!l->connstr || l->drv->ddl_in_transaction || !t->primary_key || l->extra_failed)
		return 0;
	for (size_t i = 0; i < t->n_indexes; i++)
		if (t->indexes[i].unique)
			return 0;
	ofb_error_clear(&e);
	/* a connection left idle since an earlier table may have been closed by the server
	 * (wait_timeout): such a one is opened again, once */
	for (int attempt = 0; attempt < 2 && ordered < 0; attempt++) {
		if (!l->extra && open_extra(l, &e) != 0)
			break;
		ordered = ofb_drv_key_ordered(l->extra, t, &e);
		if (ordered < 0) {
			ofb_db_close(l->extra);
			l->extra = NULL;
		}
	}
	if (ordered < 0) {
		l->extra_failed = 1;
		ofb_detail("%s: loading on one connection (a second one: %s)", l->subject, e.msg);
		return 0;
	}
	return ordered;
}

/* From the second statement of literals of a table on (one statement needs no second
 * connection), slot 1 on l->extra, where side_by_side allows. */
static void consider_second_slot(struct batch *b)
{
	struct ofb_error e;

	b->second_considered = 1;
	ofb_error_clear(&e);
	if (!side_by_side(b->l, b->t))
		return;
	if (ofb_db_stmt(b->l->extra, &b->exec[1].direct, &e) != 0) {
		ofb_detail("%s: loading on one connection (a second one: %s)", b->label, e.msg);
		return;
	}
	b->n_slots = 2;
	b->next = 1;
	ofb_detail("%s: loading on two connections", b->label);
}

/* The statement of literals executed (b->text moves to the next slot, once it is free);
 * the outcome of the batch that slot executed before. */
static int execute_literals(struct batch *b, struct ofb_error *err)
{
	struct exec_slot *x;

	if (b->rows_done && !b->second_considered)
		consider_second_slot(b);
	x = &b->exec[b->next];

	if (wait_slot(x, err) != 0) {
		struct ofb_error later;   /* a batch started after the one that failed */
		wait_executed(b, &later);
		return -1;
	}
	hand_over(b, x, &b->text, &x->text, 1, b->text_rows);
	b->text_rows = 0;
	b->next = (b->next + 1) % b->n_slots;
	return 0;
}

/* b->sql prepared on st, which becomes b->full: the statement of every full batch. */
static int prepare_full(struct batch *b, SQLHSTMT st, struct ofb_error *err)
{
	ofb_wchar *w = utf8_to_w(b->sql.data, NULL);
	SQLRETURN rc = SQLPrepareW(st, (SQLWCHAR *)w, SQL_NTS);

	free(w);
	if (!SQL_SUCCEEDED(rc)) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, st, "%s: cannot prepare the INSERT",
			       b->label);
		return -1;
	}
	b->full = st;
	return 0;
}

/* A value sent in pieces: such a batch (of few rows, as batches are bounded in bytes) goes
 * as VALUES, not as arrays that would hold a copy of it several times over. */
static int has_long_value(const struct batch *b)
{
	for (size_t v = 0; v < b->n_rows * b->t->n_columns; v++)
		if (b->len[v] >= LONG_TEXT_BYTES)
			return 1;
	return 0;
}

/* The pending rows bound as arrays, one per column, and executed. */
static int dispatch_arrays(struct batch *b, struct ofb_error *err)
{
	size_t ncols = b->t->n_columns;
	void **arrays = xcalloc(ncols, sizeof *arrays);
	SQLLEN *ind = xcalloc(ncols, sizeof *ind);
	SQLRETURN rc = bind_array_rows(b, arrays, ind);

	if (!SQL_SUCCEEDED(rc)) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, b->full, "%s: cannot bind rows %llu to %llu",
			       b->label, b->rows_done + 1, b->rows_done + b->n_rows);
		SQLFreeStmt(b->full, SQL_RESET_PARAMS);
		for (size_t c = 0; c < ncols; c++)
			free(arrays[c]);
		free(arrays);
		free(ind);
		return -1;
	}
	b->exec[0].arrays = arrays;
	b->exec[0].n_arrays = ncols;
	b->exec[0].ind = ind;
	execute_bound(b);
	return 0;
}

static int flush(struct batch *b, struct ofb_error *err)
{
	size_t ncols = b->t->n_columns, nvals = b->n_rows * ncols;
	ofb_wchar **wide = NULL;
	SQLBIGINT *ints = NULL;
	SQLLEN *ind = NULL;
	SQLHSTMT st = NULL;
	int at_exec = 0;          /* long values are sent in pieces at execution */
	ofb_wchar *wsql = NULL;
	SQLRETURN rc;
	int ret = -1;

	if (b->text_rows)
		return execute_literals(b, err);
	if (wait_executed(b, err) != 0)
		return -1;
	if (b->n_rows == 0)
		return 0;
	if (b->arrays && !has_long_value(b))
		return dispatch_arrays(b, err);
	wide = xcalloc(nvals, sizeof *wide);
	ints = xcalloc(nvals, sizeof *ints);
	ind = xcalloc(nvals, sizeof *ind);
	/* A full batch goes through one statement prepared once: the server parses and plans
	 * the INSERT once instead of for every batch (PostgreSQL planned each 400-row VALUES
	 * list anew at every bind). The last, shorter batch is executed directly. */
	if (b->n_rows == b->max_rows && b->full && !b->arrays) {
		st = b->full;
	} else {
		if (b->sql_rows != b->n_rows)
			build_insert(b, b->n_rows);
		if (ofb_db_stmt(b->l->db, &st, err) != 0)
			goto out;
		if (b->n_rows == b->max_rows && !b->arrays && prepare_full(b, st, err) != 0)
			goto out;
	}
	for (size_t v = 0, bound = 0; v < nvals; v++) {
		const struct ofb_column *c = &b->t->columns[v % ncols];
		int binary = ofb_ptype_encoding(c->type) == OFB_ENC_BINARY && !(b->is_null[v] & 2);
		SQLUSMALLINT pn;
		if (b->skip[v % ncols])
			continue;
		pn = (SQLUSMALLINT)++bound;
		if (b->is_null[v] & 1) {
			ind[v] = SQL_NULL_DATA;
			rc = SQLBindParameter(st, pn, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, 1, 0,
					      NULL, 0, &ind[v]);
		} else if (as_integer(b, v)) {
			if (boolean_integer(b, v, &ints[v], err) != 0)
				goto out;
			ind[v] = 0;
			rc = SQLBindParameter(st, pn, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
					      &ints[v], 0, &ind[v]);
		} else if (binary) {
			ind[v] = (SQLLEN)b->len[v];
			rc = SQLBindParameter(st, pn, SQL_PARAM_INPUT, SQL_C_BINARY, SQL_VARBINARY,
					      b->len[v] ? b->len[v] : 1, 0,
					      b->data.data + b->off[v], (SQLLEN)b->len[v], &ind[v]);
		} else if (b->len[v] >= LONG_TEXT_BYTES) {
			/* the token SQLParamData hands back is the value's index, plus one */
			at_exec = 1;
			size_t units = utf8_w_units(b->data.data + b->off[v], b->len[v]);
			ind[v] = SQL_LEN_DATA_AT_EXEC((SQLLEN)(units * sizeof(ofb_wchar)));
			rc = SQLBindParameter(st, pn, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WLONGVARCHAR,
					      units, 0, (SQLPOINTER)(uintptr_t)(v + 1), 0, &ind[v]);
		} else if (b->l->db->utf8_binds) {
			/* the value as it stands in the batch: UTF-8, ended by a NUL (add_row). As
			 * such (SQL_NTS) sqliteodbc binds it where it is: given its length, it
			 * copies every value to end it (7,500 allocations a batch of wide rows);
			 * a number column's value may hold a NUL of its own, then the length */
			ind[v] = memchr(b->data.data + b->off[v], '\0', b->len[v]) ? (SQLLEN)b->len[v]
										   : SQL_NTS;
			rc = SQLBindParameter(st, pn, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR,
					      b->len[v] ? b->len[v] : 1, 0,
					      b->data.data + b->off[v], (SQLLEN)b->len[v], &ind[v]);
		} else {
			char *text = xstrndup(b->data.data + b->off[v], b->len[v]);
			size_t units = 0;
			wide[v] = utf8_to_w(text, &units);
			free(text);
			ind[v] = (SQLLEN)(units * sizeof(ofb_wchar));
			rc = SQLBindParameter(st, pn, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR,
					      units ? units : 1, 0, wide[v],
					      (SQLLEN)((units + 1) * sizeof(ofb_wchar)), &ind[v]);
		}
		if (!SQL_SUCCEEDED(rc)) {
			ofb_odbc_error(err, SQL_HANDLE_STMT, st, "%s: cannot bind column '%s'",
				       b->label, c->name);
			goto out;
		}
	}
	if (!at_exec) {
		/* the buffers stay bound while the engine works and the next rows are read; a
		 * batch shorter than the prepared statement (the table's last, or one bounded by
		 * its bytes: large values) takes its own statement along */
		b->exec[0].wide = wide;
		b->exec[0].n_wide = nvals;
		b->exec[0].ints = ints;
		b->exec[0].ind = ind;
		if (st != b->full) {
			b->exec[0].own = st;
			b->exec[0].sql = utf8_to_w(b->sql.data, NULL);
		}
		execute_bound(b);
		return 0;
	}
	if (st == b->full) {
		rc = SQLExecute(st);
	} else {
		wsql = utf8_to_w(b->sql.data, NULL);
		rc = SQLExecDirectW(st, (SQLWCHAR *)wsql, SQL_NTS);
	}
	if (rc == SQL_NEED_DATA)
		rc = put_long_values(b, st);
	if (check_executed(b, st, rc, b->rows_done + 1, b->n_rows, err) != 0)
		goto out;
	b->rows_done += b->n_rows;
	b->n_rows = 0;
	buf_reset(&b->data);
	ofb_progress_update(b->label, b->rows_done, 0);
	ret = 0;
out:
	if (st && st == b->full)
		SQLFreeStmt(st, SQL_CLOSE);
	else if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (size_t v = 0; v < nvals; v++)
		free(wide[v]);
	free(wide);
	free(ints);
	free(ind);
	free(wsql);
	return ret;
}

static int add_row(void *ctx, const struct ofb_value *values, size_t n, struct ofb_error *err)
{
	struct batch *b = ctx;
	size_t ncols = b->t->n_columns;

	if (n != ncols) {
		ofb_error_set(err, "%s: row %llu has %zu values for %zu columns", b->label,
			      b->rows_done + b->n_rows + b->text_rows + 1, n, ncols);
		return -1;
	}
	/* A value sent in pieces makes its batch go as VALUES (has_long_value), whose rows
	 * are bounded by the parameters a statement takes: such a row starts a batch of its
	 * own, which its size ends (ARRAY_BATCH_BYTES). */
	if (b->arrays && b->n_rows) {
		for (size_t c = 0; c < ncols; c++)
			if (!values[c].is_null && values[c].len >= LONG_TEXT_BYTES)
				return flush(b, err) != 0 ? -1 : add_row(ctx, values, n, err);
	}
	for (size_t c = 0; c < ncols; c++) {
		const struct ofb_column *col = &b->t->columns[c];
		size_t v = b->n_rows * ncols + c;
		const char *data = values[c].data;
		size_t len = values[c].len;
		char *adapted = NULL;
		b->is_null[v] = values[c].is_null ? 1 : 0;
		if (values[c].as_text)
			b->is_null[v] |= 2;   /* text where the type says otherwise: pass as text */
		if (!values[c].is_null && !values[c].as_text) {
			int warn = 0;
			const char *why = ofb_drv_value_check(b->l->drv, col, data, len, &warn);
			if (why) {
				ofb_error_set(err, "%s, column '%s', row %llu: %s", b->label,
					      col->name, b->rows_done + b->n_rows + b->text_rows + 1, why);
				return -1;
			}
			if (warn && !b->warned[c]) {
				b->warned[c] = 1;
				b->l->stats->warnings++;
				ofb_warn("%s, column '%s': %s", b->label, col->name,
					 "negative zero is stored as zero by this engine");
			}
			adapted = ofb_drv_adapt_value(b->l->drv, col, data, len);
			if (adapted) {
				data = adapted;
				len = strlen(adapted);
			}
		}
		b->off[v] = b->data.len;
		b->len[v] = values[c].is_null ? 0 : len;
		if (!values[c].is_null) {
			buf_add(&b->data, data, len);
			buf_addc(&b->data, '\0');   /* ends it for a driver that binds it as it is */
		}
		free(adapted);
	}
	if (b->literal && b->rows_done + b->text_rows == 0 && binary_heavy(b)) {
		b->literal = 0;
		ofb_detail("%s: bytes go as parameters", b->label);
	}
	if (b->arrays && b->rows_done + b->n_rows == 0 && binary_heavy(b)) {
		/* in an array literal bytes go as hex text, which the server reads twice (the
		 * array, then each value); bound one by one they go as they are */
		SQLFreeHandle(SQL_HANDLE_STMT, b->full);
		b->full = NULL;
		b->arrays = 0;
		b->sql_rows = 0;
		b->max_rows = b->values_rows;   /* the buffers hold more: arrays took more rows */
		ofb_detail("%s: bytes go as parameters, not in arrays", b->label);
	}
	if (b->literal)
		return add_literal_row(b, err);
	b->n_rows++;
	if (b->n_rows == b->max_rows ||
	    b->data.len >= (b->arrays ? b->batch_bytes : BATCH_MAX_BYTES))
		return flush(b, err);
	return 0;
}

/* Whether the driver takes the table's batches as arrays; if so, prepares that INSERT as
 * b->full. */
static int array_batches(struct batch *b, struct ofb_error *err)
{
	const char **cols = xcalloc(b->t->n_columns + 1, sizeof *cols);
	struct buf quoted;
	SQLHSTMT st = NULL;
	size_t n = 0;
	int ret = -1, ok;

	buf_init(&quoted);
	ofb_ddl_quote_table(&b->l->ddl, &quoted, b->t);
	for (size_t c = 0; c < b->t->n_columns; c++)
		if (!b->skip[c])
			cols[n++] = b->t->columns[c].name;
	ok = n ? b->l->drv->array_batch_insert(b->l->db, b->t, quoted.data, cols, n, &b->sql,
					       err) : 0;
	if (ok < 0) {
		ofb_error_prefix(err, "%s", b->l->subject);
		goto out;
	}
	ret = 0;
	if (!ok)
		goto out;
	ret = -1;
	if (ofb_db_stmt(b->l->db, &st, err) != 0)
		goto out;
	if (prepare_full(b, st, err) != 0) {
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		goto out;
	}
	b->arrays = 1;
	b->max_rows = ARRAY_BATCH_VALUES / b->t->n_columns;
	if (b->max_rows > ARRAY_BATCH_ROWS)
		b->max_rows = ARRAY_BATCH_ROWS;
	if (b->max_rows == 0)
		b->max_rows = 1;
	ret = 0;
out:
	buf_reset(&b->sql);
	b->sql_rows = 0;
	free(cols);
	buf_free(&quoted);
	return ret;
}

/* The bytes a batch of a table's arrays or statement of literals takes: about a 16th of
 * its data (the size of its entry by the manifest), at least BATCH_LEAST_BYTES, at most
 * most. A table of a few MB then goes in batches that keep the server busy from its first
 * rows on, instead of waiting for 10,000 of them to be read first, and its last batch
 * alone at the end is small. Measured alternating, 20,000 narrow rows: into MariaDB (two
 * connections) 0.147 s -> 0.132 s (the mariadb client 0.124 s), into PostgreSQL 0.180 s
 * -> 0.136 s (pg_restore 0.124 s); 200,000 rows and 50,000 wide rows the same as before,
 * in batches as large as before. The manifest's size only chooses. */
static size_t batch_bytes(struct ofb_reader *r, const struct ofb_table *t, size_t most)
{
	json_t *rec = t->entry ? ofb_reader_entry(r, t->entry) : NULL;
	json_t *size = rec ? json_object_get(rec, "size") : NULL;
	size_t n = most;

	if (json_is_integer(size) && json_integer_value(size) >= 0 &&
	    (unsigned long long)json_integer_value(size) / BATCH_SHARES < most)
		n = (size_t)(json_integer_value(size) / BATCH_SHARES);
	return n < BATCH_LEAST_BYTES ? BATCH_LEAST_BYTES : n;
}

static int load_rows(struct loader *l, struct ofb_reader *r, struct ofb_table *t,
		     struct ofb_error *err)
{
	struct batch b = { .l = l, .t = t, .n_slots = 1 };
	unsigned max_params = ofb_drv_max_params(l->db);
	unsigned long long rows = 0;
	int ret = -1;

	b.label = xasprintf("%s, table '%s'", l->subject, t->name);
	if (t->n_columns == 0) {
		ofb_error_set(err, "%s: the package describes no columns", b.label);
		goto out;
	}
	b.max_rows = max_params / t->n_columns;
	if (b.max_rows > BATCH_MAX_ROWS)
		b.max_rows = BATCH_MAX_ROWS;
	if (b.max_rows == 0)
		b.max_rows = 1;
	b.values_rows = b.max_rows;
	b.warned = xcalloc(t->n_columns, 1);
	b.skip = xcalloc(t->n_columns, 1);
	for (size_t c = 0; c < t->n_columns; c++)
		b.skip[c] = ofb_ddl_is_computed(&l->ddl, t, &t->columns[c]);
	buf_init(&b.data);
	for (size_t k = 0; k < 2; k++) {
		b.exec[k].b = &b;
		buf_init(&b.exec[k].data);
		buf_init(&b.exec[k].text);
	}
	buf_init(&b.sql);
	buf_init(&b.head);
	buf_init(&b.text);
	buf_init(&b.row);
	if (l->drv->array_batch_insert && array_batches(&b, err) != 0)
		goto out;
	if (b.arrays)
		b.batch_bytes = batch_bytes(r, t, ARRAY_BATCH_BYTES);
	b.literal = !b.arrays && l->drv->text_literal && l->db->text_exact;
	if (b.literal) {
		if (ofb_db_stmt(l->db, &b.exec[0].direct, err) != 0)
			goto out;
		insert_head(&b, &b.head);
		b.batch_bytes = batch_bytes(r, t, LITERAL_BATCH_BYTES);
	}
	b.off = xcalloc(b.max_rows * t->n_columns, sizeof *b.off);
	b.len = xcalloc(b.max_rows * t->n_columns, sizeof *b.len);
	b.is_null = xcalloc(b.max_rows * t->n_columns, 1);
	if (ofb_reader_table(r, t, add_row, &b, &rows, err) != 0 || flush(&b, err) != 0 ||
	    wait_executed(&b, err) != 0)
		goto out;
	l->rows[t - l->src->tables] = rows;   /* counted with the others (check_counts) */
	l->stats->rows += b.rows_done;
	ofb_detail("%s: %llu rows restored", b.label, b.rows_done);
	ret = 0;
out:
	if (b.exec[0].active || b.exec[1].active) {
		/* a failure on this side while batches were being executed */
		struct ofb_error first;
		if (wait_executed(&b, &first) != 0)
			*err = first;   /* such a batch failed before */
	}
	for (size_t k = 0; k < 2; k++) {
		buf_free(&b.exec[k].data);
		buf_free(&b.exec[k].text);
		if (b.exec[k].direct)
			SQLFreeHandle(SQL_HANDLE_STMT, b.exec[k].direct);
	}
	if (b.full)
		SQLFreeHandle(SQL_HANDLE_STMT, b.full);
	buf_free(&b.head);
	buf_free(&b.text);
	buf_free(&b.row);
	free(b.label);
	free(b.off);
	free(b.len);
	free(b.is_null);
	free(b.warned);
	free(b.skip);
	buf_free(&b.data);
	buf_free(&b.sql);
	return ret;
}

/* Tables counted by one statement: SELECT (SELECT COUNT(*) FROM a), (SELECT ...), ... */
#define COUNTS_PER_QUERY 50

/* The rows every table holds now are the rows the package has: the last word on whether
 * anything went missing on the way. Counted once all are loaded (nothing runs on the
 * tables in between: triggers and foreign keys come later), many tables a statement,
 * not a round trip each (200 small tables: 200 statements). */
static int check_counts(struct loader *l, struct ofb_error *err)
{
	const struct ofb_schema *s = l->src;
	char *v[COUNTS_PER_QUERY] = { NULL };
	struct buf sql;
	int ret = 0;

	buf_init(&sql);
	for (size_t a = 0; a < s->n_tables && ret == 0; a += COUNTS_PER_QUERY) {
		size_t n = s->n_tables - a < COUNTS_PER_QUERY ? s->n_tables - a : COUNTS_PER_QUERY;
		SQLHSTMT st = NULL;
		buf_reset(&sql);
		buf_adds(&sql, "SELECT ");
		for (size_t i = 0; i < n; i++) {
			buf_adds(&sql, i ? ", (SELECT COUNT(*) FROM " : "(SELECT COUNT(*) FROM ");
			ofb_ddl_quote_table(&l->ddl, &sql, &s->tables[a + i]);
			buf_addc(&sql, ')');
		}
		int got = ofb_db_query(l->db, sql.data, &st, err) != 0 ? -1 :
			  ofb_fetch_texts(st, v, (int)n, "cannot count the rows loaded", err);
		if (got == 0)
			ofb_error_set(err, "cannot count the rows loaded: no answer");
		if (got <= 0) {
			ofb_error_prefix(err, "%s", l->subject);
			ret = -1;
		}
		for (size_t i = 0; i < n && ret == 0; i++)
			if (!v[i] || strtoull(v[i], NULL, 10) != l->rows[a + i]) {
				ofb_error_set(err, "%s, table '%s': the table holds %s rows after "
					      "loading, the package %llu", l->subject,
					      s->tables[a + i].name, v[i] ? v[i] : "no",
					      l->rows[a + i]);
				ret = -1;
			}
		if (st)
			SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	for (size_t i = 0; i < COUNTS_PER_QUERY; i++)
		free(v[i]);
	buf_free(&sql);
	return ret;
}

/* --- the whole database ---------------------------------------------------------------- */

/* Without CASCADE: what else depends on these tables (a view, another schema's foreign
 * key) makes the engine refuse, naming it, rather than vanish unsaved. Engines that take
 * a list drop all in one statement, so references among the tables do not matter. */
static int drop_tables(struct loader *l, char **names, size_t n, struct ofb_error *err)
{
	size_t n_stmts;
	char **stmts = ofb_ddl_drop_tables(l->drv, names, n, &n_stmts);
	int ret = 0;

	for (size_t i = 0; i < n_stmts; i++) {
		if (ret == 0 && ofb_db_exec(l->db, stmts[i], err) != 0) {
			ofb_error_prefix(err, "%s: cannot drop the tables it holds", l->subject);
			ret = -1;
		}
		free(stmts[i]);
	}
	free(stmts);
	return ret;
}

/* The package's tables and objects of other schemas than the default go back into their
 * schemas, made where missing. */
static int make_schemas(struct loader *l, struct ofb_error *err)
{
	struct buf sql;
	int ret = 0;

	size_t n = l->src->n_tables + l->src->n_objects;
	const char **done = xcalloc(n + 1, sizeof *done);
	size_t n_done = 0;

	buf_init(&sql);
	for (size_t i = 0; i < n && ret == 0; i++) {
		const char *schema = i < l->src->n_tables ? l->src->tables[i].schema
			: l->src->objects[i - l->src->n_tables].schema;
		int seen = 0;
		if (!schema)
			continue;
		for (size_t k = 0; k < n_done && !seen; k++)
			seen = strcmp(done[k], schema) == 0;
		if (seen)
			continue;
		done[n_done++] = schema;
		buf_reset(&sql);
		buf_adds(&sql, "CREATE SCHEMA IF NOT EXISTS ");
		ofb_drv_quote(l->drv, &sql, schema);
		if (ofb_db_exec(l->db, sql.data, err) != 0) {
			ofb_error_prefix(err, "%s, schema '%s'", l->subject, schema);
			ret = -1;
		}
	}
	free(done);
	buf_free(&sql);
	return ret;
}

/* Replacing a database whose package has tables of other schemas: those the database
 * holds go in the same statement as its own tables, so references among them do not
 * matter (without CASCADE: anything else depending on them makes the engine refuse). */
static int drop_with_schemas(struct loader *l, char **names, size_t n, struct ofb_error *err)
{
	struct buf sql;
	int ret;

	buf_init(&sql);
	buf_adds(&sql, "DROP TABLE IF EXISTS ");
	for (size_t i = 0; i < n; i++) {
		ofb_drv_quote(l->drv, &sql, names[i]);
		buf_adds(&sql, ", ");
	}
	for (size_t i = 0, k = 0; i < l->src->n_tables; i++)
		if (l->src->tables[i].schema) {
			if (k++)
				buf_adds(&sql, ", ");
			ofb_ddl_quote_table(&l->ddl, &sql, &l->src->tables[i]);
		}
	ret = ofb_db_exec(l->db, sql.data, err);
	if (ret != 0)
		ofb_error_prefix(err, "%s: cannot drop the tables it holds", l->subject);
	buf_free(&sql);
	return ret;
}

static int has_schema_tables(const struct ofb_schema *s)
{
	for (size_t i = 0; i < s->n_tables; i++)
		if (s->tables[i].schema)
			return 1;
	return 0;
}

int ofb_load_tables_only(const struct ofb_schema *src)
{
	return !src->n_objects && !has_schema_tables(src);
}

/* On another engine the objects' own SQL means nothing: each is named. */
static int objects_not_carried(struct loader *l, unsigned flags, struct ofb_error *err)
{
	if (l->ddl.same_engine || l->src->n_objects == 0)
		return 0;
	if (flags & OFB_LOAD_STRICT)
		return ofb_objects_refuse_uncarried(l->src, l->drv, l->subject, err);
	l->stats->warnings += ofb_objects_warn_uncarried(l->src, l->drv, l->subject);
	return 0;
}

/* No transactional DDL: a failed load takes away the n tables it created (the replaced
 * ones are gone; their copy is the safety package), on a new connection should the load's
 * own have been lost; what cannot be dropped is named. */
static void drop_created(struct loader *l, size_t n)
{
	char **names = xcalloc(n, sizeof *names);
	struct ofb_error why, again;
	struct ofb_db *fresh = NULL;
	int dropped;

	for (size_t i = 0; i < n; i++)
		names[i] = l->src->tables[i].name;
	ofb_error_clear(&why);
	ofb_error_clear(&again);
	dropped = drop_tables(l, names, n, &why) == 0;
	if (!dropped && l->connstr && ofb_db_open(&fresh, l->connstr, &again) == 0 &&
	    ofb_drv_load_session(fresh, &again) == 0) {
		struct loader other = *l;
		other.db = fresh;
		dropped = drop_tables(&other, names, n, &again) == 0;
	}
	ofb_db_close(fresh);
	if (!dropped) {
		l->stats->tables_left = n;
		ofb_warn("%s: the %zu table%s this restore made could not be dropped again, "
			 "drop %s by hand: %s%s%s%s", l->subject, n, n == 1 ? "" : "s",
			 n == 1 ? "it" : "them", why.msg, again.set ? " (on a new connection: " : "",
			 again.set ? again.msg : "", again.set ? ")" : "");
	}
	free(names);
}

int ofb_load_database(struct ofb_db *db, const char *connstr, struct ofb_reader *r,
		      struct ofb_schema *src, unsigned flags, const char *subject,
		      const struct ofb_load_gate *gate, struct ofb_load_stats *stats,
		      struct ofb_error *err)
{
	int replace = (flags & OFB_LOAD_REPLACE) != 0;
	struct loader l = { .db = db, .drv = db->drv, .src = src, .subject = subject,
			    .stats = stats, .connstr = connstr };
	char **existing = NULL;
	size_t n_existing = 0, created = 0;
	int in_tx = 0, beside = 0, ret = -1;

	memset(stats, 0, sizeof *stats);
	if (!db->drv->can_restore) {
		/* no server of these to test against: better no restore than an untested one */
		ofb_error_set(err, "%s: restoring into %s is not supported (backups are)", subject,
			      db->dbms_name);
		return -1;
	}
	ofb_ddl_init(&l.ddl, db->drv, src);
	if (objects_not_carried(&l, flags, err) != 0)
		goto out;
	if (ofb_schema_table_names(db, &existing, &n_existing, err) != 0)
		goto out;
	if (n_existing && !replace) {
		ofb_error_set(err, "%s already holds %zu table%s: refused (use --replace to "
			      "replace them; they are saved first)", subject, n_existing,
			      n_existing == 1 ? "" : "s");
		goto out;
	}
	if (ofb_drv_load_session(db, err) != 0) {
		ofb_error_prefix(err, "%s", subject);
		goto out;
	}
	/* without a transaction, only what drop_created takes back goes in before the gate */
	beside = (flags & OFB_LOAD_BESIDE) && !db->drv->ddl_in_transaction && !n_existing &&
		 ofb_load_tables_only(src);
	if (db->drv->ddl_in_transaction) {
		if (ofb_db_begin(db, err) != 0)
			goto out;
		in_tx = 1;
	} else if (!beside && gate_passed(gate, err) != 0) {
		goto out;
	}
	if (replace && l.ddl.same_engine && ofb_drv_drop_objects(db, 0, err) != 0) {
		ofb_error_prefix(err, "%s: cannot drop the objects it holds", subject);
		goto out;
	}
	if (replace && l.ddl.same_engine && has_schema_tables(src) && !db->drv->drop_one_table) {
		if (drop_with_schemas(&l, existing, n_existing, err) != 0)
			goto out;
	} else if (drop_tables(&l, existing, n_existing, err) != 0) {
		goto out;
	}
	if (replace && l.ddl.same_engine && ofb_drv_drop_objects(db, 1, err) != 0) {
		ofb_error_prefix(err, "%s: cannot drop the objects it holds", subject);
		goto out;
	}
	if (l.ddl.same_engine && make_schemas(&l, err) != 0)
		goto out;
	if (l.ddl.same_engine && ofb_objects_create(db, src, OFB_PHASE_BEFORE_TABLES, subject,
						   &l.objects_made, err) != 0)
		goto out;
	l.key_later = xcalloc(src->n_tables ? src->n_tables : 1, 1);
	for (size_t i = 0; i < src->n_tables; i++) {
		mark_key_parts(&src->tables[i]);
		l.key_later[i] = (unsigned char)key_later(&l, r, &src->tables[i]);
		if (create_table(&l, &src->tables[i], l.key_later[i], err) != 0)
			goto out;
		created++;
	}
	l.rows = xcalloc(src->n_tables ? src->n_tables : 1, sizeof *l.rows);
	for (size_t i = 0; i < src->n_tables; i++) {
		/* a verification beside that failed already: no more rows that would be dropped */
		if (beside && gate && gate->failed && gate->failed(gate->ctx)) {
			ofb_detail("%s: the verification beside the load failed: the load stops",
				   subject);
			if (gate_passed(gate, err) != 0)
				goto out;
		}
		if (load_rows(&l, r, &src->tables[i], err) != 0)
			goto out;
	}
	if (check_counts(&l, err) != 0)
		goto out;
	/* every table's indexes before any foreign key: a key may reference another table's
	 * unique index */
	for (size_t i = 0; i < src->n_tables; i++)
		if ((l.key_later[i] && add_primary_key(&l, &src->tables[i], err) != 0) ||
		    create_indexes(&l, &src->tables[i], err) != 0)
			goto out;
	for (size_t i = 0; i < src->n_tables; i++) {
		struct ofb_table *t = &src->tables[i];
		if (add_foreign_keys(&l, t, err) != 0 || set_identities(&l, t, err) != 0)
			goto out;
	}
	if (l.ddl.same_engine && src->n_objects) {
		if (ofb_objects_create(db, src, OFB_PHASE_AFTER_DATA, subject, &l.objects_made, err) != 0)
			goto out;
		if (ofb_drv_finish_objects(db, src, err) != 0) {
			ofb_error_prefix(err, "%s", subject);
			goto out;
		}
		stats->objects = src->n_objects;
	}
	if ((in_tx || beside) && gate_passed(gate, err) != 0)
		goto out;
	if (in_tx && ofb_db_commit(db, err) != 0)
		goto out;
	in_tx = 0;
	stats->tables = src->n_tables;
	ret = 0;
out:
	ofb_progress_done();
	workers_end(&l);
	ofb_db_close(l.extra);
	if (ret != 0 && in_tx)
		ofb_db_rollback(db);
	if (ret != 0 && !db->drv->ddl_in_transaction && created)
		drop_created(&l, created);
	if (ret != 0 && !db->drv->ddl_in_transaction && l.objects_made) {
		struct ofb_error ignored;
		ofb_error_clear(&ignored);
		ofb_drv_drop_objects(db, 0, &ignored);
		ofb_drv_drop_objects(db, 1, &ignored);
	}
	for (size_t i = 0; i < n_existing; i++)
		free(existing[i]);
	free(existing);
	ofb_ddl_free(&l.ddl);
	free(l.rows);
	free(l.key_later);
	return ret;
}
