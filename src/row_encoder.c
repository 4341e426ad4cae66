/* row_encoder.c - one column of a fetched row as CSV text (row_encoder.h), the inverse of
 * the table reader's decoding: text quoted, binary as \\x hex, numbers and booleans as
 * the engine gives them, floats in their shortest exact form; long values in pieces. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "driver.h"
#include "odbc.h"
#include "row_encoder.h"
#include "util.h"

#define WCHUNK_UNITS 8192
/* A long text value is read in growing pieces, up to this many UTF-16 units a piece:
 * some drivers (sqliteodbc) convert the whole value again for every piece, so a 30 MB
 * value read 8192 units at a time took minutes. */
#define WCHUNK_MAX_UNITS (2u * 1024 * 1024)
#define BCHUNK_BYTES 32768

void ofb_row_encoder_init(struct ofb_row_encoder *e, const struct ofb_table *t,
			  const char *label)
{
	memset(e, 0, sizeof *e);
	e->table = t;
	e->label = label;
	e->via_text = xcalloc(t->n_columns + 1, 1);
	e->wunits = WCHUNK_UNITS;
	e->wchunk = xmalloc((e->wunits + 1) * sizeof *e->wchunk);
	e->bchunk = xmalloc(BCHUNK_BYTES);
	buf_init(&e->value);
	buf_init(&e->scratch);
}

void ofb_row_encoder_free(struct ofb_row_encoder *e)
{
	free(e->via_text);
	free(e->wchunk);
	free(e->bchunk);
	buf_free(&e->value);
	buf_free(&e->scratch);
	memset(e, 0, sizeof *e);
}

/* Remember the last (size - 1) bytes written of a value that arrives in pieces. */
static void keep_tail(char *tail, size_t size, const char *s, size_t n)
{
	size_t have = strlen(tail), keep = size - 1;

	if (n >= keep) {
		memcpy(tail, s + n - keep, keep);
		tail[keep] = '\0';
		return;
	}
	if (have + n > keep) {
		memmove(tail, tail + (have + n - keep), keep - n);
		have = keep - n;
	}
	memcpy(tail + have, s, n);
	tail[have + n] = '\0';
}

/* "...+02", "...-05:30", "...Z": the text already says its offset from UTC. */
static int has_utc_offset(const char *tail)
{
	size_t n = strlen(tail);
	const char *p;

	if (n && tail[n - 1] == 'Z')
		return 1;
	p = strrchr(tail, '+');
	if (!p && n >= 3 && (tail[n - 3] == '-' || (n >= 6 && tail[n - 6] == '-')))
		p = tail[n - 3] == '-' ? tail + n - 3 : tail + n - 6;
	if (!p)
		return 0;
	for (p++; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != ':')
			return 0;
	return 1;
}

/* Column n as short ASCII text (numbers; huge decimals arrive in several chunks) into v
 * (emptied first); *ind is SQL_NULL_DATA for NULL. */
static int get_ascii(SQLHSTMT st, SQLUSMALLINT n, struct buf *v, SQLLEN *ind)
{
	char chunk[256];
	SQLRETURN rc;

	buf_reset(v);
	for (;;) {
		rc = SQLGetData(st, n, SQL_C_CHAR, chunk, sizeof chunk, ind);
		if (rc == SQL_NO_DATA)
			return 0;
		if (!SQL_SUCCEEDED(rc))
			return -1;
		if (*ind == SQL_NULL_DATA)
			return 0;
		/* BIT columns may arrive as one raw byte, 0x00 included */
		buf_add(v, chunk, *ind >= 0 && (size_t)*ind < sizeof chunk ? (size_t)*ind
									  : strlen(chunk));
		if (rc == SQL_SUCCESS)
			return 0;
	}
}

/* A number the driver's expression gave as text (see select_column in driver.h): a tagged
 * double in its shortest exact form, anything else as it was stored. */
static void add_number_text(struct buf *out, const struct ofb_column *c, const char *v,
			    size_t len)
{
	char num[64];
	double d;

	if (len == 0 || v[0] != OFB_EXACT_DOUBLE_TAG) {
		ofb_csv_add_number(out, v, len);
		return;
	}
	d = strtod(v + 1, NULL);   /* SQLite's printf writes infinity as Inf, which strtod reads */
	if (c->type == OFB_T_REAL && (double)(float)d == d)
		format_float(num, sizeof num, (float)d);
	else
		format_double(num, sizeof num, d);
	buf_adds(out, num);
}

/* Characters of UTF-8 text: its bytes that start one. */
static size_t utf8_chars(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Column col of the current row from column n of st. With part set, st holds a part of
 * the value (ofb_row_encode_part): when that is read, the value stays open and *part
 * says so. */
static int encode(struct ofb_row_encoder *t, size_t col, SQLHSTMT st, SQLUSMALLINT n,
		  int is_key, unsigned long long row, struct buf *out, int *part,
		  struct ofb_error *err)
{
	const struct ofb_column *c = &t->table->columns[col];
	SQLLEN ind = 0;
	SQLRETURN rc;

	if (!t->in_value)
		buf_reset(&t->value);
	switch (ofb_ptype_encoding(c->type)) {
	case OFB_ENC_TEXT: {
		size_t units;
		if (t->in_value && t->wunits < WCHUNK_MAX_UNITS) {
			t->wunits *= 2;
			t->wchunk = xrealloc(t->wchunk, (t->wunits + 1) * sizeof *t->wchunk);
		} else if (!t->in_value && t->wunits > WCHUNK_UNITS) {
			t->wunits = WCHUNK_UNITS;   /* the next long value grows it again */
			t->wchunk = xrealloc(t->wchunk, (t->wunits + 1) * sizeof *t->wchunk);
		}
		/* the UTF-16 buffer serves UTF-8 pieces as well, as bytes */
		rc = SQLGetData(st, n, t->text_utf8 ? SQL_C_CHAR : SQL_C_WCHAR, t->wchunk,
				(SQLLEN)((t->wunits + 1) * sizeof *t->wchunk), &ind);
		if (rc == SQL_NO_DATA && part)
			goto end_part;
		if (rc == SQL_NO_DATA && !t->in_value)
			break;
		if (rc == SQL_NO_DATA)   /* the last piece was announced but empty */
			goto end_text;
		if (!SQL_SUCCEEDED(rc))
			goto fail;
		if (ind == SQL_NULL_DATA && part)
			goto no_part;
		if (ind == SQL_NULL_DATA)
			break;
		if (!t->in_value) {
			buf_addc(out, '"');
			t->tail[0] = '\0';
		}
		{
			struct buf *tmp = &t->scratch;
			buf_reset(tmp);
			if (t->text_utf8) {
				size_t room = (t->wunits + 1) * sizeof *t->wchunk - 1;
				buf_add(tmp, (const char *)t->wchunk,
					(ind == SQL_NO_TOTAL || (size_t)ind > room) ? room
										   : (size_t)ind);
			} else {
				units = (ind == SQL_NO_TOTAL ||
					 (size_t)ind > t->wunits * sizeof *t->wchunk)
						? t->wunits : (size_t)ind / sizeof *t->wchunk;
				w_to_utf8(tmp, t->wchunk, units, &t->pending);
			}
			if (c->type == OFB_T_UUID)   /* drivers differ in case; RFC 4122 prints lowercase */
				for (size_t i = 0; i < tmp->len; i++)
					tmp->data[i] = (char)tolower((unsigned char)tmp->data[i]);
			if (rc == SQL_SUCCESS && t->pending && !part) {
				buf_adds(tmp, "\xEF\xBF\xBD");
				t->pending = 0;
			}
			ofb_csv_add_escaped(out, tmp->data, tmp->len);
			keep_tail(t->tail, sizeof t->tail, tmp->data, tmp->len);
			if (is_key)
				buf_add(&t->value, tmp->data, tmp->len);
			if (part)
				t->units += utf8_chars(tmp->data, tmp->len);
		}
		if (rc == SQL_SUCCESS_WITH_INFO) {
			t->in_value = 1;
			return 0;
		}
		if (part)
			goto end_part;
end_text:
		/* a moment without an offset is in UTC (the session runs in UTC); words such as
		 * PostgreSQL's 'infinity' are no moment */
		if (c->type == OFB_T_TIMESTAMPTZ && t->tail[0] &&
		    isdigit((unsigned char)t->tail[strlen(t->tail) - 1]) && !has_utc_offset(t->tail))
			buf_adds(out, "+00");
		buf_addc(out, '"');
		break;
	}
	case OFB_ENC_BINARY: {
		size_t got;
		rc = SQLGetData(st, n, SQL_C_BINARY, t->bchunk, BCHUNK_BYTES, &ind);
		if (rc == SQL_NO_DATA && part)
			goto end_part;
		if (rc == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(rc))
			goto fail;
		if (ind == SQL_NULL_DATA && part)
			goto no_part;
		if (ind == SQL_NULL_DATA)
			break;
		if (!t->in_value)
			buf_adds(out, "\\x");
		got = (ind == SQL_NO_TOTAL || ind > BCHUNK_BYTES) ? BCHUNK_BYTES : (size_t)ind;
		buf_add_hex(out, t->bchunk, got);
		if (part)
			t->units += got;
		if (rc == SQL_SUCCESS_WITH_INFO || part) {
			t->in_value = 1;
			if (part)
				*part = rc == SQL_SUCCESS;
			return 0;
		}
		break;
	}
	case OFB_ENC_FLOAT: {
		char text[64];
		if (t->via_text[col])
			goto number_text;
		if (c->type == OFB_T_REAL) {
			SQLREAL f = 0;
			rc = SQLGetData(st, n, SQL_C_FLOAT, &f, sizeof f, &ind);
			if (!SQL_SUCCEEDED(rc))
				goto fail;
			format_float(text, sizeof text, f);
		} else {
			SQLDOUBLE v = 0;
			rc = SQLGetData(st, n, SQL_C_DOUBLE, &v, sizeof v, &ind);
			if (!SQL_SUCCEEDED(rc))
				goto fail;
			format_double(text, sizeof text, v);
		}
		if (ind == SQL_NULL_DATA)
			break;
		buf_adds(out, text);
		if (is_key)
			buf_adds(&t->value, text);
		break;
	}
	case OFB_ENC_NUMBER:
	case OFB_ENC_BOOL:
	number_text: {
		struct buf *v = &t->scratch;
		if (get_ascii(st, n, v, &ind) != 0)
			goto fail;
		if (ind != SQL_NULL_DATA) {
			if (c->type == OFB_T_BOOLEAN)
				ofb_csv_add_bool(out, v->data, v->len);
			else if (t->via_text[col])
				add_number_text(out, c, v->data, v->len);
			else
				ofb_csv_add_number(out, v->data, v->len);
			if (is_key)
				buf_add(&t->value, v->data, v->len);
		}
		break;
	}
	}
	t->in_value = 0;
	return 0;
end_part:   /* a part that held nothing more (or nothing: its count says so) */
	if (!t->in_value)
		buf_adds(out, ofb_ptype_encoding(c->type) == OFB_ENC_TEXT ? "\"" : "\\x");
	t->in_value = 1;
	*part = 1;
	return 0;
no_part:
	ofb_error_set(err, "%s: a part of column '%s' of row %llu is NULL", t->label, c->name,
		      row + 1);
	return -1;
fail:
	ofb_odbc_error(err, SQL_HANDLE_STMT, st, "%s: cannot read column '%s' of row %llu",
		       t->label, c->name, row + 1);
	return -1;
}

int ofb_row_encode_column(struct ofb_row_encoder *e, size_t col, int is_key,
			  unsigned long long row, struct buf *out, struct ofb_error *err)
{
	return encode(e, col, e->st, (SQLUSMALLINT)(col + 1 + e->shift), is_key, row, out, NULL,
		      err);
}

int ofb_row_encode_key(struct ofb_row_encoder *e, size_t col, SQLHSTMT st, SQLUSMALLINT n,
		       unsigned long long row, struct buf *out, struct ofb_error *err)
{
	buf_reset(out);
	do
		if (encode(e, col, st, n, 1, row, out, NULL, err) != 0)
			return -1;
	while (e->in_value);
	return 0;
}

int ofb_row_encode_part(struct ofb_row_encoder *e, size_t col, SQLHSTMT st, SQLUSMALLINT n,
			unsigned long long row, struct buf *out, int *done, struct ofb_error *err)
{
	if (!e->in_value) {
		e->units = 0;
		e->pending = 0;
	}
	*done = 0;
	return encode(e, col, st, n, 0, row, out, done, err);
}

void ofb_row_encode_close(struct ofb_row_encoder *e, size_t col, struct buf *out)
{
	if (!e->in_value)
		return;
	e->in_value = 0;
	if (ofb_ptype_encoding(e->table->columns[col].type) != OFB_ENC_TEXT)
		return;
	if (e->pending) {
		buf_adds(out, "\xEF\xBF\xBD");
		e->pending = 0;
	}
	buf_addc(out, '"');
}
