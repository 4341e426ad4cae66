/* dump.c - one database into a package: the snapshot's life cycle across the entries of
 * that database, and the CSV encoder that streams a table's rows (docs/FORMAT.md). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_json.h"
#include "catalog.h"
#include "config.h"
#include "csv.h"
#include "driver.h"
#include "dump.h"
#include "row_encoder.h"
#include "odbc.h"
#include "session.h"
#include "progress.h"
#include "util.h"

#define PRODUCE_TARGET (64 * 1024)
/* What a driver that buffers (a chunk, a fetch) may hold of one table at a time: rows are
 * counted in bytes, not in rows, so that wide rows (documents, scans) do not multiply
 * memory. Chunked reads start with FIRST_CHUNK_ROWS and size the next chunk from the last
 * one's rows. */
#define READ_WINDOW_BYTES (8u * 1024 * 1024)
#define FIRST_CHUNK_ROWS 16
/* A value longer than this (a scanned document in a bytea) would be held by the driver
 * several times over, whole (psqlODBC: its hex text three times, then the bytes): it is
 * read in slices of this many bytes, or a quarter as many characters of text, each by the
 * row's key (slice_column in driver.h). */
#define SLICE_BYTES (4u * 1024 * 1024)

struct ofb_dbdump {
	char *subject;
	char *connstr;
	char *source;            /* masked */
	char *folder;
	struct ofb_schema probed;    /* from ofb_dbdump_probe: fixes the entries */
	struct ofb_schema schema;    /* read inside the snapshot */
	struct ofb_db *db;
	struct ofb_db *kept;         /* the probe's connection, for the snapshot (or NULL) */
	char *probe_mark;            /* the kept connection's state mark at the survey, or NULL */
	int one_survey;              /* nothing changed in between: schema is probed, shared */
	char *warning;
	size_t n_entries;            /* lazily produced entries of this database */
	size_t n_closed;
};

struct ofb_dbdump *ofb_dbdump_new(const char *subject, const char *connstr,
				  const char *folder)
{
	struct ofb_dbdump *d = xcalloc(1, sizeof *d);

	d->subject = xstrdup(subject);
	d->connstr = xstrdup(connstr);
	d->source = ofb_mask_secrets(connstr);
	d->folder = xstrdup(folder);
	return d;
}

void ofb_dbdump_free(struct ofb_dbdump *d)
{
	if (!d)
		return;
	ofb_db_close(d->db);
	ofb_db_close(d->kept);
	if (!d->one_survey)
		ofb_schema_free(&d->probed);
	ofb_schema_free(&d->schema);
	free(d->probe_mark);
	free(d->subject);
	free(d->connstr);
	free(d->source);
	free(d->folder);
	free(d->warning);
	free(d);
}

const struct ofb_schema *ofb_dbdump_schema(const struct ofb_dbdump *d)
{
	return &d->schema;
}

const char *ofb_dbdump_source(const struct ofb_dbdump *d)
{
	return d->source;
}

const char *ofb_dbdump_folder(const struct ofb_dbdump *d)
{
	return d->folder;
}

size_t ofb_dbdump_views(const struct ofb_dbdump *d)
{
	return d->probed.n_views;
}

char *const *ofb_dbdump_notes(const struct ofb_dbdump *d, size_t *n)
{
	*n = d->probed.n_notes;
	return d->probed.notes;
}

const char *ofb_dbdump_warning(const struct ofb_dbdump *d)
{
	return d->warning;
}

/* The probe's state mark: none where the engine cannot tell, or where its query failed (a
 * server that speaks the protocol without the function). That failure may have ended the
 * probe's transaction; a new one is begun for the survey (-1 when that fails). */
static int probe_mark(struct ofb_db *db, char **mark, struct ofb_error *err)
{
	struct ofb_error why;

	ofb_error_clear(&why);
	if (ofb_drv_state_mark(db, mark, &why) == 0)
		return 0;
	ofb_detail("cannot read the database's state (%s): its snapshot surveys it again",
		   why.msg);
	ofb_db_rollback(db);
	return ofb_db_begin(db, err);
}

int ofb_dbdump_probe(struct ofb_dbdump *d, int keep, struct ofb_error *err)
{
	struct ofb_db *db = NULL;
	int ret = -1;

	if (ofb_db_open(&db, d->connstr, err) != 0)
		goto out;
	/* in one transaction, ended before the snapshot's own: SQLite takes its read lock
	 * and looks for a hot journal once, not for each of the survey's statements (200
	 * tables: 1,678 fcntl calls -> 42, 1,747 stat calls -> 520) */
	if (ofb_db_begin(db, err) != 0)
		goto out;
	/* the state before and after the survey: the same (nothing was committed while it
	 * ran, whatever the transaction's isolation) is the state it read */
	if (keep && probe_mark(db, &d->probe_mark, err) != 0)
		goto out;
	if (ofb_schema_read(db, &d->probed, err) != 0)
		goto out;
	if (d->probe_mark) {
		char *after = NULL;
		if (probe_mark(db, &after, err) != 0)
			goto out;
		if (!after || strcmp(after, d->probe_mark) != 0) {
			free(d->probe_mark);
			d->probe_mark = NULL;
		}
		free(after);
	}
	ofb_db_rollback(db);
	if (keep) {
		d->kept = db;
		db = NULL;
	}
	ret = 0;
out:
	if (ret != 0)
		ofb_error_prefix(err, "%s", d->subject);
	ofb_db_close(db);
	return ret;
}

char *ofb_table_entry_name(const char *folder, const char *table, char **taken,
			   size_t n_taken)
{
	struct buf b;
	size_t stem_len;

	buf_init(&b);
	buf_adds(&b, folder);
	buf_adds(&b, "data/");
	for (const unsigned char *p = (const unsigned char *)table; *p; p++) {
		if (isalnum(*p) && *p < 0x80)
			buf_addc(&b, (char)*p);
		else if ((*p == '_' || *p == '-') || (*p == '.' && p != (const unsigned char *)table))
			buf_addc(&b, (char)*p);
		else
			buf_addf(&b, "%%%02X", *p);
	}
	stem_len = b.len;
	buf_adds(&b, ".csv");
	for (int n = 2;; n++) {
		int clash = 0;
		for (size_t i = 0; i < n_taken && !clash; i++)
			clash = ascii_casecmp(taken[i], b.data) == 0;
		if (!clash)
			break;
		b.len = stem_len;
		b.data[b.len] = '\0';
		buf_addf(&b, "~%d.csv", n);
	}
	return buf_detach(&b);
}

/* --- the snapshot across a database's entries ------------------------------------------ */

static int same_tables(const struct ofb_schema *a, const struct ofb_schema *b)
{
	if (a->n_tables != b->n_tables)
		return 0;
	for (size_t i = 0; i < a->n_tables; i++)
		if (ofb_table_cmp(&a->tables[i], &b->tables[i]) != 0)
			return 0;
	return 1;
}

/* The probe's connection, when it was kept, takes the snapshot: no second connect, and
 * the server has the catalogs at hand for the second reading. Its session is set up
 * again first (a driver that reconnected by itself would have lost it). 0 when there is
 * none, or it was dropped while it waited (a server's idle timeout): it is closed then. */
static int snapshot_on_kept(struct ofb_dbdump *d)
{
	struct ofb_error why;

	if (!d->kept)
		return 0;
	d->db = d->kept;
	d->kept = NULL;
	ofb_error_clear(&why);
	if (ofb_drv_session_setup(d->db, &why) == 0 &&
	    ofb_drv_begin_snapshot(d->db, &d->warning, &why) == 0)
		return 1;
	ofb_detail("%s: the connection kept since planning is gone (%s): connecting again",
		   d->subject, why.msg);
	ofb_db_close(d->db);
	d->db = NULL;
	free(d->warning);
	d->warning = NULL;
	return 0;
}

/* Whether the snapshot on the probe's own connection sees the database as the probe's
 * survey did (the same state mark, read after the snapshot's first read), so that survey
 * serves it; -1 with err when the mark, read at the probe, cannot be read now: a failed
 * statement may have ended the snapshot's transaction (psqlODBC rolls it back). */
static int unchanged_since_probe(struct ofb_dbdump *d, struct ofb_error *err)
{
	char *mark;
	int same;

	if (ofb_drv_state_mark(d->db, &mark, err) != 0) {
		ofb_error_prefix(err, "cannot tell whether the database changed since its survey");
		return -1;
	}
	same = mark && strcmp(mark, d->probe_mark) == 0;
	free(mark);
	return same;
}

static int group_open(struct ofb_dbdump *d, struct ofb_error *err)
{
	int on_kept = snapshot_on_kept(d), same = 0, ret = -1;

	/* opened again (the first opening's entries were dropped): surveyed anew */
	if (d->one_survey)
		memset(&d->schema, 0, sizeof d->schema);   /* it was probed's, which stays */
	else
		ofb_schema_free(&d->schema);
	d->one_survey = 0;
	if (!on_kept && (ofb_db_open(&d->db, d->connstr, err) != 0 ||
			 ofb_drv_begin_snapshot(d->db, &d->warning, err) != 0))
		goto out;
	if (ofb_drv_lock_tables(d->db, d->probed.tables, d->probed.n_tables, err) != 0)
		goto out;
	if (on_kept && d->probe_mark && (same = unchanged_since_probe(d, err)) < 0)
		goto out;
	if (same) {
		ofb_detail("%s: unchanged since its survey, which the snapshot takes over",
			   d->subject);
		d->schema = d->probed;
		d->one_survey = 1;
		return 0;
	}
	if (ofb_schema_read(d->db, &d->schema, err) != 0)
		goto out;
	if (!same_tables(&d->probed, &d->schema)) {
		ofb_error_set(err, "its tables changed while the backup was starting; run the "
			      "backup again");
		goto out;
	}
	for (size_t i = 0; i < d->schema.n_tables; i++)
		d->schema.tables[i].entry = xstrdup(d->probed.tables[i].entry);
	ret = 0;
out:
	if (ret != 0)
		ofb_error_prefix(err, "%s", d->subject);
	return ret;
}

/* Called when one entry of the database is finished; the last one ends the snapshot. */
static void group_entry_done(struct ofb_dbdump *d, int ok)
{
	struct ofb_error err;

	d->n_closed++;
	if (!d->db)
		return;
	if (!ok) {
		ofb_db_close(d->db);
		d->db = NULL;
		return;
	}
	if (d->n_closed == d->n_entries) {
		/* Read-only work: committing or not changes nothing, but a clean end is polite
		 * to the server's logs. */
		ofb_error_clear(&err);
		ofb_db_commit(d->db, &err);
		ofb_db_close(d->db);
		d->db = NULL;
	}
}

/* --- schema.json entry ------------------------------------------------------------------ */

struct schema_src {
	struct ofb_dbdump *d;
	size_t part;   /* the next part of the text (ofb_schema_json_part) */
};

static int schema_open(void *ctx, struct ofb_error *err)
{
	struct schema_src *s = ctx;

	s->part = 0;
	ofb_progress_update(s->d->subject, 0, 0);
	return s->d->db ? 0 : group_open(s->d, err);
}

static int schema_produce(void *ctx, struct buf *out, int *eof, struct ofb_error *err)
{
	struct schema_src *s = ctx;
	/* a table at a time: the whole text of thousands of tables, and the JSON tree it is
	 * made from, would be held at once */
	int rc = ofb_schema_json_part(&s->d->schema, s->part++, out);

	if (rc < 0) {
		ofb_error_set(err, "%s: cannot encode its schema as JSON", s->d->subject);
		return -1;
	}
	if (rc > 0) {
		buf_addc(out, '\n');
		*eof = 1;
	}
	return 0;
}

static void schema_close(void *ctx, int ok)
{
	struct schema_src *s = ctx;

	group_entry_done(s->d, ok);
}

static const struct ofb_entry_ops schema_ops = {
	.open = schema_open,
	.produce = schema_produce,
	.close = schema_close,
	.free = free,
};

/* --- table data entries ----------------------------------------------------------------- */

struct table_src {
	struct ofb_dbdump *d;
	size_t index;               /* into d->schema.tables */
	struct ofb_entry_info *info;
	char *label;                /* "client 'acme', table 'order'" for messages */
	SQLHSTMT st;
	int header_done;
	int finished;
	int in_row;
	size_t col;                 /* next column of the current row */
	struct ofb_row_encoder enc; /* the columns of the current row as CSV */
	int enc_ready;
	unsigned long long rows;
	uint64_t bytes;             /* produced so far, for the progress line */
	/* keyset pagination for drivers that buffer whole results */
	unsigned long chunk_rows;   /* rows the running query asks for (its LIMIT) */
	unsigned long chunk_max;    /* the driver's most */
	unsigned long rows_in_chunk;
	unsigned long long chunk_bytes; /* CSV bytes of the running chunk's rows */
	int use_keyset;             /* else OFFSET paging (no usable key: read_key) */
	size_t *key_cols;           /* column indexes of the key the rows are read by */
	size_t n_key;
	char **key_values;          /* the last row's key values, as text */
	int have_key;
	/* long values read in slices (SLICE_BYTES): their columns come first in the query,
	 * each as its length where the value is long (the column itself is NULL then), 0 */
	size_t n_sliced;
	size_t *sliced;             /* the columns */
	const char **part_fn;       /* each one's driver function for a part */
	int *slice_of;              /* per column: its index in sliced, or -1 */
	unsigned long long *long_len; /* of the current row, per sliced column */
	SQLHSTMT part_st;           /* the part being read */
	unsigned long long part_at; /* units of the value asked for so far */
	struct buf *key_text;       /* per key column: the current row's value as read */
	struct ofb_row_encoder key_enc; /* reads the key a part's row has */
	struct buf key_out;
};

static struct ofb_table *src_table(struct table_src *t)
{
	return &t->d->schema.tables[t->index];
}

static int is_key_col(struct table_src *t, size_t col, size_t *which)
{
	for (size_t i = 0; i < t->n_key; i++)
		if (t->key_cols[i] == col) {
			*which = i;
			return 1;
		}
	return 0;
}

/* The length of column col's value where it is read in parts, else 0 (slice_column in
 * driver.h): a row whose key is NULL (SQLite lets a primary key be) has it read whole. */
static void add_long_length(struct table_src *t, size_t col, struct buf *sql)
{
	const struct ofb_driver *drv = t->d->db->drv;
	struct ofb_table *tab = src_table(t);
	const char *part;

	buf_adds(sql, "CASE WHEN ");
	for (size_t i = 0; i < t->n_key; i++) {
		if (i)
			buf_adds(sql, " AND ");
		ofb_drv_quote(drv, sql, tab->columns[t->key_cols[i]].name);
		buf_adds(sql, " IS NOT NULL");
	}
	buf_adds(sql, " THEN ");
	ofb_drv_slice_column(t->d->db, tab, &tab->columns[col], SLICE_BYTES, sql, &part);
	buf_adds(sql, " ELSE 0 END");
}

/* SELECT list FROM table [WHERE key after the last one] [ORDER BY key] [LIMIT chunk]. */
static void build_query(struct table_src *t, struct buf *sql, const char ***args, size_t *n_args)
{
	const struct ofb_driver *drv = t->d->db->drv;
	struct ofb_table *tab = src_table(t);

	*args = NULL;
	*n_args = 0;
	buf_adds(sql, "SELECT ");
	for (size_t j = 0; j < t->n_sliced; j++) {
		add_long_length(t, t->sliced[j], sql);
		buf_adds(sql, ", ");
	}
	for (size_t i = 0; i < tab->n_columns; i++) {
		if (i)
			buf_adds(sql, ", ");
		if (t->slice_of && t->slice_of[i] >= 0) {
			buf_adds(sql, "CASE WHEN ");
			add_long_length(t, i, sql);
			buf_adds(sql, " = 0 THEN ");
			ofb_drv_quote(drv, sql, tab->columns[i].name);
			buf_adds(sql, " END");
			continue;
		}
		t->enc.via_text[i] = (unsigned char)ofb_drv_select_column(drv, &tab->columns[i], sql);
		if (!t->enc.via_text[i])
			ofb_drv_quote(drv, sql, tab->columns[i].name);
	}
	buf_adds(sql, " FROM ");
	if (drv->from_only)
		buf_adds(sql, drv->from_only);
	ofb_drv_quote_table(drv, sql, tab->schema, tab->name);
	if (t->chunk_rows && t->use_keyset && t->have_key) {
		/* (k1 > ?) OR (k1 = ? AND k2 > ?) ...: a range every engine can use an index for */
		const char **a = xcalloc(t->n_key * (t->n_key + 1), sizeof *a);
		buf_adds(sql, " WHERE ");
		for (size_t i = 0; i < t->n_key; i++) {
			buf_adds(sql, i ? " OR (" : "(");
			for (size_t j = 0; j < i; j++) {
				ofb_drv_quote(drv, sql, tab->columns[t->key_cols[j]].name);
				buf_adds(sql, " = ? AND ");
				a[(*n_args)++] = t->key_values[j];
			}
			ofb_drv_quote(drv, sql, tab->columns[t->key_cols[i]].name);
			buf_adds(sql, " > ?)");
			a[(*n_args)++] = t->key_values[i];
		}
		*args = a;
	}
	if (t->n_key) {
		buf_adds(sql, " ORDER BY ");
		for (size_t i = 0; i < t->n_key; i++) {
			if (i)
				buf_adds(sql, ", ");
			ofb_drv_quote(drv, sql, tab->columns[t->key_cols[i]].name);
		}
	} else if (t->chunk_rows) {
		/* OFFSET paging needs a stable order: every column that can be sorted. */
		int first = 1;
		for (size_t i = 0; i < tab->n_columns; i++) {
			enum ofb_ptype ty = tab->columns[i].type;
			if (ty == OFB_T_BLOB || ty == OFB_T_TEXT || ty == OFB_T_OTHER)
				continue;
			buf_adds(sql, first ? " ORDER BY " : ", ");
			ofb_drv_quote(drv, sql, tab->columns[i].name);
			first = 0;
		}
	}
	if (t->chunk_rows) {
		ofb_drv_limit(drv, sql, t->chunk_rows);
		if (!t->use_keyset && t->rows)
			buf_addf(sql, " OFFSET %llu", t->rows);
	}
}

/* The next chunk holds about READ_WINDOW_BYTES of rows as wide as the last chunk's. */
static void next_chunk_size(struct table_src *t)
{
	unsigned long long per_row = t->rows_in_chunk ? t->chunk_bytes / t->rows_in_chunk : 1;
	unsigned long long n = READ_WINDOW_BYTES / (per_row ? per_row : 1);

	t->chunk_rows = n < 1 ? 1 : n > t->chunk_max ? t->chunk_max : (unsigned long)n;
}

static int start_query(struct table_src *t, struct ofb_error *err)
{
	struct buf sql;
	const char **args;
	size_t n_args;
	int ret;

	buf_init(&sql);
	build_query(t, &sql, &args, &n_args);
	ret = ofb_db_query_args(t->d->db, sql.data, args, n_args, &t->st, err);
	free(args);
	buf_free(&sql);
	t->rows_in_chunk = 0;
	t->chunk_bytes = 0;
	return ret;
}

/* "key > ?" with the last key as text must order exactly as ORDER BY does. Not so for
 * binary (no text form), floats (the shortest text of a float compares below the stored
 * value) and what the driver knows of its engine (MariaDB ENUM/SET). */
static int keyset_safe(const struct ofb_driver *drv, const struct ofb_column *c)
{
	enum ofb_encoding enc = ofb_ptype_encoding(c->type);

	return enc != OFB_ENC_BINARY && enc != OFB_ENC_FLOAT && !ofb_drv_keyset_unsafe(drv, c);
}

/* The key a table's rows are read in the order of: its primary key; where it has none, a
 * unique index whose columns are all NOT NULL and compare as their text does (without
 * one, chunks are read by offset, each query sorting and skipping all rows before it);
 * NULL when there is neither. */
static const struct ofb_key *read_key(const struct ofb_driver *drv, struct ofb_table *tab)
{
	if (tab->primary_key)
		return tab->primary_key;
	for (size_t i = 0; i < tab->n_indexes; i++) {
		const struct ofb_key *k = &tab->indexes[i];
		size_t c = 0;
		if (!k->unique || k->not_portable || !k->n_columns)
			continue;
		for (; c < k->n_columns; c++) {
			const struct ofb_column *col = ofb_table_column(tab, k->columns[c]);
			if (!col || col->nullable || !keyset_safe(drv, col))
				break;
		}
		if (c == k->n_columns)
			return k;
	}
	return NULL;
}

/* Chunked reads are many queries: the snapshot's own count proves none lost or doubled a
 * row on the way. */
static int check_row_count(struct table_src *t, struct ofb_error *err)
{
	struct buf sql;
	char *count = NULL;
	int ret = -1;

	buf_init(&sql);
	buf_adds(&sql, "SELECT COUNT(*) FROM ");
	ofb_drv_quote_table(t->d->db->drv, &sql, src_table(t)->schema, src_table(t)->name);
	if (ofb_db_query_value(t->d->db, sql.data, &count, err) != 0) {
		ofb_error_prefix(err, "%s", t->label);
		goto out;
	}
	if (!count || strtoull(count, NULL, 10) != t->rows) {
		ofb_error_set(err, "%s: read %llu rows in chunks, but the table holds %s; the "
			      "backup is not usable", t->label, t->rows, count ? count : "none");
		goto out;
	}
	ret = 0;
out:
	free(count);
	buf_free(&sql);
	return ret;
}

/* A key column whose text finds its row again as every engine compares it: integers,
 * character strings, uuids. */
static int finding_key(const struct ofb_column *c)
{
	switch (c->type) {
	case OFB_T_SMALLINT:
	case OFB_T_INTEGER:
	case OFB_T_BIGINT:
	case OFB_T_CHAR:
	case OFB_T_VARCHAR:
	case OFB_T_TEXT:
	case OFB_T_UUID:
		return 1;
	default:
		return 0;
	}
}

/* The columns whose long values are read in slices: those the driver can read so, each
 * after every column of a key that finds its row (read_key; finding_key), so that the
 * row's key is known when the value comes. */
static void choose_slices(struct table_src *t)
{
	const struct ofb_driver *drv = t->d->db->drv;
	struct ofb_table *tab = src_table(t);
	size_t after = 0;
	struct buf scratch;

	if (!t->use_keyset || !t->n_key || !drv->slice_column)
		return;
	for (size_t i = 0; i < t->n_key; i++) {
		if (!finding_key(&tab->columns[t->key_cols[i]]))
			return;
		if (t->key_cols[i] + 1 > after)
			after = t->key_cols[i] + 1;
	}
	buf_init(&scratch);
	t->slice_of = xcalloc(tab->n_columns, sizeof *t->slice_of);
	for (size_t c = 0; c < tab->n_columns; c++) {
		const char *part = NULL;
		t->slice_of[c] = -1;
		buf_reset(&scratch);
		if (c < after || ofb_drv_select_column(drv, &tab->columns[c], &scratch))
			continue;
		buf_reset(&scratch);
		if (!ofb_drv_slice_column(t->d->db, tab, &tab->columns[c], SLICE_BYTES, &scratch,
					  &part))
			continue;
		t->sliced = xrealloc(t->sliced, (t->n_sliced + 1) * sizeof *t->sliced);
		t->part_fn = xrealloc(t->part_fn, (t->n_sliced + 1) * sizeof *t->part_fn);
		t->sliced[t->n_sliced] = c;
		t->part_fn[t->n_sliced] = part;
		t->slice_of[c] = (int)t->n_sliced++;
		ofb_detail("%s: values of column '%s' over %u MiB are read in parts", t->label,
			   tab->columns[c].name, SLICE_BYTES >> 20);
	}
	buf_free(&scratch);
	t->long_len = xcalloc(t->n_sliced + 1, sizeof *t->long_len);
	t->enc.shift = (SQLUSMALLINT)t->n_sliced;
	if (!t->n_sliced)
		return;
	t->key_text = xcalloc(t->n_key, sizeof *t->key_text);
	for (size_t i = 0; i < t->n_key; i++)
		buf_init(&t->key_text[i]);
	ofb_row_encoder_init(&t->key_enc, tab, t->label);
	t->key_enc.text_utf8 = t->enc.text_utf8;
	buf_init(&t->key_out);
}

/* Whether the row a part's query found (st, its key in columns 1 ...) is the current row:
 * its key reads back as the same text, none of it NULL. */
static int same_row(struct table_src *t, SQLHSTMT st, const struct ofb_column *c,
		    struct ofb_error *err)
{
	for (size_t i = 0; i < t->n_key; i++) {
		size_t k = t->key_cols[i];
		t->key_enc.via_text[k] = t->enc.via_text[k];
		if (ofb_row_encode_key(&t->key_enc, k, st, (SQLUSMALLINT)(i + 1), t->rows,
				       &t->key_out, err) != 0)
			return -1;
		if (!t->key_out.len || t->key_enc.value.len != t->key_text[i].len ||
		    memcmp(t->key_enc.value.data, t->key_text[i].data, t->key_text[i].len) != 0) {
			ofb_error_set(err, "%s: the key of row %llu finds another row for a part "
				      "of column '%s'", t->label, t->rows + 1, c->name);
			return -1;
		}
	}
	return 0;
}

/* The next part of the long value of column t->col (SLICE_BYTES): SELECT part(column,
 * from, count) FROM the table WHERE its key is the row's, inside the snapshot. Each part
 * must hold what it was asked for, so that the parts add up to the value. */
static int read_part(struct table_src *t, struct buf *out, struct ofb_error *err)
{
	const struct ofb_driver *drv = t->d->db->drv;
	struct ofb_table *tab = src_table(t);
	const struct ofb_column *c = &tab->columns[t->col];
	size_t j = (size_t)t->slice_of[t->col];
	int text = ofb_ptype_encoding(c->type) == OFB_ENC_TEXT, done = 0;

	if (!t->part_st) {
		unsigned long long n = text ? SLICE_BYTES / 4 : SLICE_BYTES;
		const char **args = xcalloc(t->n_key, sizeof *args);
		struct buf sql;
		SQLRETURN rc;
		int ret;

		if (!t->enc.in_value)
			t->part_at = 0;
		if (n > t->long_len[j] - t->part_at)
			n = t->long_len[j] - t->part_at;
		buf_init(&sql);
		buf_adds(&sql, "SELECT ");
		for (size_t i = 0; i < t->n_key; i++) {
			const struct ofb_column *k = &tab->columns[t->key_cols[i]];
			if (!ofb_drv_select_column(drv, k, &sql))
				ofb_drv_quote(drv, &sql, k->name);
			buf_adds(&sql, ", ");
		}
		buf_addf(&sql, "%s(", t->part_fn[j]);
		ofb_drv_quote(drv, &sql, c->name);
		buf_addf(&sql, ", %llu, %llu) FROM ", t->part_at + 1, n);
		if (drv->from_only)
			buf_adds(&sql, drv->from_only);
		ofb_drv_quote_table(drv, &sql, tab->schema, tab->name);
		for (size_t i = 0; i < t->n_key; i++) {
			buf_adds(&sql, i ? " AND " : " WHERE ");
			ofb_drv_quote(drv, &sql, tab->columns[t->key_cols[i]].name);
			buf_adds(&sql, " = ?");
			args[i] = t->key_values[i];
		}
		ret = ofb_db_query_args(t->d->db, sql.data, args, t->n_key, &t->part_st, err);
		free(args);
		buf_free(&sql);
		if (ret != 0) {
			ofb_error_prefix(err, "%s: column '%s' of row %llu", t->label, c->name,
					 t->rows + 1);
			return -1;
		}
		rc = SQLFetch(t->part_st);
		if (rc == SQL_NO_DATA) {
			ofb_error_set(err, "%s: row %llu is not found again by its key for a part "
				      "of column '%s'", t->label, t->rows + 1, c->name);
			return -1;
		}
		if (!SQL_SUCCEEDED(rc)) {
			ofb_odbc_error(err, SQL_HANDLE_STMT, t->part_st, "%s: cannot read a part of "
				       "column '%s' of row %llu", t->label, c->name, t->rows + 1);
			return -1;
		}
		if (same_row(t, t->part_st, c, err) != 0)
			return -1;
		t->part_at += n;
	}
	if (ofb_row_encode_part(&t->enc, t->col, t->part_st, (SQLUSMALLINT)(t->n_key + 1),
				t->rows, out, &done, err) != 0)
		return -1;
	if (!done)
		return 0;
	if (SQLFetch(t->part_st) != SQL_NO_DATA) {
		ofb_error_set(err, "%s: the key of row %llu finds more than one row for a part of "
			      "column '%s'", t->label, t->rows + 1, c->name);
		return -1;
	}
	SQLFreeHandle(SQL_HANDLE_STMT, t->part_st);
	t->part_st = NULL;
	if (t->enc.units != t->part_at) {
		ofb_error_set(err, "%s: column '%s' of row %llu: its parts held %llu %s where %llu "
			      "were asked for", t->label, c->name, t->rows + 1, t->enc.units,
			      text ? "characters" : "bytes", t->part_at);
		return -1;
	}
	if (t->part_at == t->long_len[j])
		ofb_row_encode_close(&t->enc, t->col, out);
	return 0;
}

static int table_open(void *ctx, struct ofb_error *err)
{
	struct table_src *t = ctx;
	struct ofb_dbdump *d = t->d;
	struct ofb_table *tab;
	const struct ofb_key *key;
	int ret = -1;

	if (!d->db && group_open(d, err) != 0)
		return -1;
	tab = src_table(t);
	free(t->label);
	{
		char *name = ofb_table_label(tab);
		t->label = xasprintf("%s, table '%s'", d->subject, name);
		free(name);
	}
	/* chunks start small and grow to what READ_WINDOW_BYTES holds of these rows */
	t->chunk_max = d->db->drv->chunk_rows;
	t->chunk_rows = t->chunk_max < FIRST_CHUNK_ROWS ? t->chunk_max : FIRST_CHUNK_ROWS;
	key = read_key(d->db->drv, tab);
	t->use_keyset = key != NULL;
	if (key) {
		t->n_key = key->n_columns;
		t->key_cols = xcalloc(t->n_key, sizeof *t->key_cols);
		t->key_values = xcalloc(t->n_key, sizeof *t->key_values);
		for (size_t i = 0; i < t->n_key; i++) {
			size_t c;
			for (c = 0; c < tab->n_columns; c++)
				if (key->columns[i] && strcmp(tab->columns[c].name, key->columns[i]) == 0)
					break;
			if (c == tab->n_columns) {
				ofb_error_set(err, "%s: key column '%s' is not a column", t->label,
					      key->columns[i] ? key->columns[i] : "");
				goto out;
			}
			t->key_cols[i] = c;
			if (!keyset_safe(d->db->drv, &tab->columns[c]))
				t->use_keyset = 0;
		}
	}
	if (!t->use_keyset && t->chunk_rows)
		ofb_detail("%s: no primary key or unique key usable for keyset reads; reading "
			   "by offset", t->label);
	ofb_row_encoder_init(&t->enc, tab, t->label);
	t->enc.text_utf8 = d->db->utf8_reads;
	t->enc_ready = 1;
	choose_slices(t);
	if (!t->chunk_rows && ofb_drv_read_window(d->db, d->schema.tables, d->schema.n_tables,
						  t->index, READ_WINDOW_BYTES, err) != 0) {
		ofb_error_prefix(err, "%s", t->label);
		goto out;
	}
	if (start_query(t, err) != 0) {
		ofb_error_prefix(err, "%s", t->label);
		goto out;
	}
	ret = 0;
out:
	return ret;
}

/* One column of the current row; a key column's value is kept for the next chunk's
 * "key > ?" once it is whole. */
static int encode_key_or_column(struct table_src *t, struct buf *out, struct ofb_error *err)
{
	size_t key_i = 0;
	int is_key = is_key_col(t, t->col, &key_i) && (t->chunk_rows || t->n_sliced) &&
		     t->use_keyset;

	if (ofb_row_encode_column(&t->enc, t->col, is_key, t->rows, out, err) != 0)
		return -1;
	if (is_key && !t->enc.in_value) {
		free(t->key_values[key_i]);
		t->key_values[key_i] = xstrdup(t->enc.value.data ? t->enc.value.data : "");
		if (t->key_text) {
			buf_reset(&t->key_text[key_i]);
			buf_add(&t->key_text[key_i], t->enc.value.data, t->enc.value.len);
		}
	}
	return 0;
}

static void add_header(struct table_src *t, struct buf *out)
{
	struct ofb_table *tab = src_table(t);

	for (size_t i = 0; i < tab->n_columns; i++) {
		if (i)
			buf_addc(out, ',');
		ofb_csv_add_quoted(out, tab->columns[i].name, strlen(tab->columns[i].name));
	}
	buf_addc(out, '\n');
}

static int table_produce(void *ctx, struct buf *out, int *eof, struct ofb_error *err)
{
	struct table_src *t = ctx;
	struct ofb_table *tab = src_table(t);
	size_t target = out->len + PRODUCE_TARGET;

	if (!t->header_done) {
		add_header(t, out);
		t->header_done = 1;
	}
	while (out->len < target && !t->finished) {
		size_t before = out->len;
		if (!t->in_row) {
			SQLRETURN rc = SQLFetch(t->st);
			if (rc == SQL_NO_DATA) {
				int more = t->chunk_rows && t->rows_in_chunk == t->chunk_rows;
				SQLFreeHandle(SQL_HANDLE_STMT, t->st);
				t->st = NULL;
				if (!more) {
					if (t->chunk_rows && check_row_count(t, err) != 0)
						return -1;
					t->finished = 1;
					break;
				}
				t->have_key = 1;
				next_chunk_size(t);
				if (start_query(t, err) != 0) {
					ofb_error_prefix(err, "%s", t->label);
					return -1;
				}
				continue;
			}
			if (!SQL_SUCCEEDED(rc)) {
				ofb_odbc_error(err, SQL_HANDLE_STMT, t->st,
					       "%s: cannot read row %llu", t->label, t->rows + 1);
				return -1;
			}
			t->in_row = 1;
			t->col = 0;
			for (size_t j = 0; j < t->n_sliced; j++) {
				long v;
				int is_null;
				if (ofb_get_long(t->st, (int)(j + 1), &v, &is_null, err) != 0) {
					ofb_error_prefix(err, "%s: row %llu", t->label, t->rows + 1);
					return -1;
				}
				t->long_len[j] = is_null || v < 0 ? 0 : (unsigned long long)v;
			}
		}
		if (!t->enc.in_value && t->col > 0)
			buf_addc(out, ',');
		if (t->n_sliced && t->slice_of[t->col] >= 0 && t->long_len[t->slice_of[t->col]]) {
			if (read_part(t, out, err) != 0)
				return -1;
		} else {
			t->enc.st = t->st;
			if (encode_key_or_column(t, out, err) != 0)
				return -1;
		}
		t->chunk_bytes += out->len - before;
		t->bytes += out->len - before;
		if (t->enc.in_value)
			continue;
		if (++t->col == tab->n_columns) {
			buf_addc(out, '\n');
			t->in_row = 0;
			t->rows++;
			t->rows_in_chunk++;
			if ((t->rows & 1023) == 0)
				ofb_progress_update(t->label, t->rows, t->bytes);
		}
	}
	if (t->finished)
		*eof = 1;
	return 0;
}

/* What one reading of the table holds. */
static void release(struct table_src *t)
{
	if (t->key_text) {
		for (size_t i = 0; i < t->n_key; i++)
			buf_free(&t->key_text[i]);
		free(t->key_text);
		t->key_text = NULL;
		ofb_row_encoder_free(&t->key_enc);
		buf_free(&t->key_out);
	}
	for (size_t i = 0; i < t->n_key; i++)
		free(t->key_values[i]);
	free(t->key_values);
	free(t->key_cols);
	t->key_values = NULL;
	t->key_cols = NULL;
	t->n_key = 0;
	if (t->part_st)
		SQLFreeHandle(SQL_HANDLE_STMT, t->part_st);
	t->part_st = NULL;
	free(t->sliced);
	free(t->part_fn);
	free(t->slice_of);
	free(t->long_len);
	t->sliced = NULL;
	t->part_fn = NULL;
	t->slice_of = NULL;
	t->long_len = NULL;
	t->n_sliced = 0;
	if (t->enc_ready)
		ofb_row_encoder_free(&t->enc);
	t->enc_ready = 0;
	if (t->st) {
		SQLFreeHandle(SQL_HANDLE_STMT, t->st);
		t->st = NULL;
	}
}

static void table_close(void *ctx, int ok)
{
	struct table_src *t = ctx;
	struct ofb_table *tab;

	if (ok && t->index < t->d->schema.n_tables) {
		tab = src_table(t);
		tab->n_rows = t->rows;
		t->info->has_rows = 1;
		t->info->rows = t->rows;
		if (tab->fetch_rows)
			ofb_detail("%s: %llu rows, read %lu at a time", t->label, t->rows,
				   tab->fetch_rows);
		else
			ofb_detail("%s: %llu rows", t->label, t->rows);
	}
	release(t);
	group_entry_done(t->d, ok);
}

static void table_free(void *ctx)
{
	struct table_src *t = ctx;

	release(t);   /* after a failed open there is no close */
	free(t->label);
	free(t);
}

static const struct ofb_entry_ops table_ops = {
	.open = table_open,
	.produce = table_produce,
	.close = table_close,
	.free = table_free,
	.threaded = 1,
};

int ofb_dbdump_add(struct ofb_dbdump *d, struct ofb_pkg *pkg, struct ofb_error *err)
{
	struct schema_src *s = xcalloc(1, sizeof *s);
	char *path = xasprintf("%sschema.json", d->folder);
	char **taken = xcalloc(d->probed.n_tables + 1, sizeof *taken);
	int ret = -1;

	s->d = d;
	d->n_entries = 1 + d->probed.n_tables;
	if (ofb_pkg_add_lazy(pkg, path, &schema_ops, s, NULL, err) != 0)
		goto out;
	for (size_t i = 0; i < d->probed.n_tables; i++) {
		struct ofb_table *tab = &d->probed.tables[i];
		struct table_src *t = xcalloc(1, sizeof *t);
		t->d = d;
		t->index = i;
		char *name = ofb_table_label(tab);
		tab->entry = ofb_table_entry_name(d->folder, name, taken, i);
		free(name);
		taken[i] = tab->entry;
		if ((ofb_table_has_long_bytes(tab) ?
		     ofb_pkg_add_lazy_bytes : ofb_pkg_add_lazy)(pkg, tab->entry, &table_ops, t,
								&t->info, err) != 0)
			goto out;
	}
	ret = 0;
out:
	free(taken);
	free(path);
	return ret;
}
