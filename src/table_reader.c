/* table_reader.c - decoding a table's data file (ofb_reader_table, reader.h): the CSV header
 * checked against the schema, each field decoded by its column's encoding, rows handed to
 * the caller's callback. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csv.h"
#include "reader.h"
#include "names.h"
#include "reader_internal.h"
#include "schema.h"
#include "util.h"

/* A row buffer that grew past this for one long value is given back after the row, so
 * one huge value early in a table does not hold its memory for the rest of it. */
#define KEEP_CAPACITY (1024 * 1024)

struct table_dec {
	struct ofb_reader *r;
	struct entry *e;
	const struct ofb_table *t;
	ofb_row_fn *fn;
	void *ctx;
	struct ofb_csv_reader csv;
	struct buf *fields;          /* per column: the value of the current row */
	struct ofb_value *values;
	size_t col;                  /* column of the next field */
	unsigned long long rows;     /* records after the header */
	int header_done;
};

/* The value of each hex digit, -1 for every other byte (a table: blobs are decoded a
 * digit pair at a time, megabytes of them). */
static const signed char hex_of[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* "\x" + hex digits decoded in place: the bytes never outrun the digits they come from. */
static int decode_hex(struct buf *b)
{
	const unsigned char *in = (const unsigned char *)b->data;
	size_t out = 0;

	if (b->len < 2 || b->data[0] != '\\' || b->data[1] != 'x' || (b->len - 2) % 2 != 0)
		return -1;
	for (size_t i = 2; i < b->len; i += 2) {
		int hi = hex_of[in[i]], lo = hex_of[in[i + 1]];
		if ((hi | lo) < 0)
			return -1;
		b->data[out++] = (char)(hi << 4 | lo);
	}
	b->len = out;
	b->data[out] = '\0';
	return 0;
}

static void value_error(struct table_dec *d, const struct buf *b, const char *what,
			struct ofb_error *err)
{
	struct buf shown;

	buf_init(&shown);
	ofb_add_shown(&shown, b->data, b->len, 40);
	reader_entry_error(err, d->r, d->e->name, ", row %llu, column '%s': '%s' is %s", d->rows + 1,
		    d->t->columns[d->col].name, shown.data, what);
	buf_free(&shown);
}

static int decode_value(struct table_dec *d, const struct ofb_csv_field *f,
			struct ofb_error *err)
{
	struct ofb_value *v = &d->values[d->col];
	struct buf *b = &d->fields[d->col];
	enum ofb_encoding enc = ofb_ptype_encoding(d->t->columns[d->col].type);
	int quoted = f->quoted, ret = -1;

	ofb_csv_take_field(&d->csv, b);
	memset(v, 0, sizeof *v);
	if (!quoted && b->len == 0) {
		v->is_null = 1;
	} else if (quoted) {
		/* a backup writes text as UTF-8 without U+0000 (no engine keeps it whole): what
		 * else a package holds, a restore would refuse or change */
		if (!utf8_valid(b->data, b->len)) {
			value_error(d, b, "not UTF-8 text", err);
			goto out;
		}
		if (memchr(b->data, '\0', b->len)) {
			value_error(d, b, "text holding the character U+0000", err);
			goto out;
		}
		/* SQLite keeps any text in any column: a quoted value in a number column is text */
		v->as_text = enc != OFB_ENC_TEXT;
	} else if (enc == OFB_ENC_TEXT) {
		value_error(d, b, "not quoted, as text must be", err);
		goto out;
	} else if (enc == OFB_ENC_BINARY) {
		if (decode_hex(b) != 0) {
			value_error(d, b, "not \\x followed by an even number of hex digits",
				    err);
			goto out;
		}
	} else if (!ofb_csv_is_number(b->data, b->len)) {
		value_error(d, b, "not a number", err);
		goto out;
	}
	v->data = b->data;
	v->len = b->len;
	ret = 0;
out:
	return ret;
}

static int header_field(struct table_dec *d, const struct ofb_csv_field *f,
			struct ofb_error *err)
{
	const struct ofb_table *t = d->t;
	const char *want = d->col < t->n_columns ? t->columns[d->col].name : NULL;
	int ret = -1;

	if (!want) {
		reader_entry_error(err, d->r, d->e->name, ": the header has more fields than table '%s' "
			    "has columns (%zu)", t->name, t->n_columns);
		goto out;
	}
	if (!f->quoted || f->len != strlen(want) || memcmp(f->data, want, f->len) != 0) {
		struct buf shown;
		buf_init(&shown);
		ofb_add_shown(&shown, f->data, f->len, 80);
		reader_entry_error(err, d->r, d->e->name, ": header field %zu is %s'%s', table '%s' "
			    "has column '%s' there", d->col + 1, f->quoted ? "" : "unquoted ",
			    shown.data, t->name, want);
		buf_free(&shown);
		goto out;
	}
	d->col++;
	if (f->last_in_record) {
		if (d->col != t->n_columns) {
			reader_entry_error(err, d->r, d->e->name, ": the header has %zu fields, table '%s' "
				    "has %zu columns", d->col, t->name, t->n_columns);
			goto out;
		}
		d->header_done = 1;
		d->col = 0;
	}
	ret = 0;
out:
	return ret;
}

static int end_of_row(struct table_dec *d, struct ofb_error *err)
{
	size_t n = d->t->n_columns;
	int ret = -1;

	if (d->col != n) {
		reader_entry_error(err, d->r, d->e->name, ", row %llu: %zu fields, table '%s' has %zu "
			    "columns", d->rows + 1, d->col, d->t->name, n);
		goto out;
	}
	d->rows++;
	if (d->fn && d->fn(d->ctx, d->values, n, err) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (d->fields[i].cap > KEEP_CAPACITY)
			buf_free(&d->fields[i]);
	d->col = 0;
	reader_table_rows(d->r, d->e->name, d->rows);
	ret = 0;
out:
	return ret;
}

/* Take every field the CSV reader has complete. */
static int decode_fields(struct table_dec *d, struct ofb_error *err)
{
	struct ofb_csv_field f;
	int rc, ret = -1;

	while ((rc = ofb_csv_next(&d->csv, &f)) == 1) {
		if (!d->header_done) {
			if (header_field(d, &f, err) != 0)
				goto out;
			continue;
		}
		if (d->col >= d->t->n_columns) {
			reader_entry_error(err, d->r, d->e->name, ", row %llu: more than %zu fields, table "
				    "'%s' has %zu columns", d->rows + 1, d->t->n_columns,
				    d->t->name, d->t->n_columns);
			goto out;
		}
		if (decode_value(d, &f, err) != 0)
			goto out;
		d->col++;
		if (f.last_in_record && end_of_row(d, err) != 0)
			goto out;
	}
	if (rc < 0) {
		reader_entry_error(err, d->r, d->e->name, ", %s%llu: malformed CSV (a quote inside an "
			    "unquoted field, text after a closing quote, or an unterminated quoted "
			    "field)", d->header_done ? "row " : "header, before row ",
			    d->rows + 1);
		goto out;
	}
	ret = 0;
out:
	return ret;
}

static int table_chunk(void *ctx, const char *data, size_t n, struct ofb_error *err)
{
	struct table_dec *d = ctx;

	ofb_csv_feed(&d->csv, data, n, 0);
	return decode_fields(d, err);
}

int ofb_reader_table(struct ofb_reader *r, const struct ofb_table *t, ofb_row_fn *fn,
		     void *ctx, unsigned long long *rows, struct ofb_error *err)
{
	struct table_dec d;
	json_t *want;
	int ret = -1;

	memset(&d, 0, sizeof d);
	d.r = r;
	d.t = t;
	d.fn = fn;
	d.ctx = ctx;
	ofb_csv_reader_init(&d.csv);
	d.fields = xcalloc(t->n_columns, sizeof *d.fields);
	d.values = xcalloc(t->n_columns, sizeof *d.values);
	for (size_t i = 0; i < t->n_columns; i++)
		buf_init(&d.fields[i]);
	if (rows)
		*rows = 0;
	if (!t->entry) {
		ofb_error_set(err, "package '%s': table '%s' has no data file", ofb_reader_path(r),
			      t->name);
		goto out;
	}
	d.e = reader_need_entry(r, t->entry, err);
	if (!d.e)
		goto out;
	want = json_object_get(d.e->rec, "rows");
	if (d.e->is_dir || !want) {
		reader_entry_error(err, r, t->entry, " is not a table data file in the manifest");
		goto out;
	}
	reader_table_rows(r, t->entry, 0);
	if (reader_read_entry(r, d.e, table_chunk, &d, 1, err) != 0)
		goto out;
	ofb_csv_feed(&d.csv, "", 0, 1);
	if (decode_fields(&d, err) != 0)
		goto out;
	if (!d.header_done) {
		reader_entry_error(err, r, t->entry, " has no header");
		goto out;
	}
	if (rows)
		*rows = d.rows;
	if (d.rows != (unsigned long long)json_integer_value(want)) {
		reader_entry_error(err, r, t->entry, " holds %llu rows, the manifest gives %lld", d.rows,
			    (long long)json_integer_value(want));
		goto out;
	}
	ret = 0;
out:
	for (size_t i = 0; i < t->n_columns; i++)
		buf_free(&d.fields[i]);
	free(d.fields);
	free(d.values);
	ofb_csv_reader_free(&d.csv);
	return ret;
}
