/* row_encoder.h - a fetched row's columns as CSV text (docs/FORMAT.md), the inverse of
 * the table reader's decoding; a long value arrives, and is written, in pieces. */
#ifndef OFB_ROW_ENCODER_H
#define OFB_ROW_ENCODER_H

#include <stddef.h>
#include <stdint.h>
#include <sql.h>
#include <sqlext.h>

#include "error.h"
#include "schema.h"
#include "util.h"

struct ofb_row_encoder {
	SQLHSTMT st;                 /* the statement the row is fetched from (the caller's) */
	SQLUSMALLINT shift;          /* its columns before the table's first */
	const struct ofb_table *table;
	const char *label;           /* "client 'acme', table 'order'", for messages */
	unsigned char *via_text;     /* per column: read through the driver's text expression */
	int text_utf8;               /* text is read as UTF-8 bytes (odbc.h: utf8_reads) */
	int in_value;                /* a long value has more pieces to come */
	uint32_t pending;            /* high surrogate carried between pieces */
	char tail[8];                /* last bytes of the current text value */
	ofb_wchar *wchunk;
	size_t wunits;               /* wchunk holds wunits + 1 units */
	unsigned char *bchunk;
	struct buf value;            /* with is_key: the column's value as text */
	struct buf scratch;          /* a value (or piece) on its way, reused */
	unsigned long long units;    /* of a value read in parts: its characters (text) or
				      * bytes read so far */
};

void ofb_row_encoder_init(struct ofb_row_encoder *e, const struct ofb_table *t,
			  const char *label);
void ofb_row_encoder_free(struct ofb_row_encoder *e);
/* Append (a piece of) column col of the current row (row: its number, for messages) to
 * out. Leaves e->in_value set while a long value has more pieces to come; with is_key,
 * e->value holds the whole value as text when the column is done. */
int ofb_row_encode_column(struct ofb_row_encoder *e, size_t col, int is_key,
			  unsigned long long row, struct buf *out, struct ofb_error *err);
/* Column col's value from column n of st whole, its CSV text into out (emptied first:
 * empty for NULL) and its text as a key's into e->value. */
int ofb_row_encode_key(struct ofb_row_encoder *e, size_t col, SQLHSTMT st, SQLUSMALLINT n,
		       unsigned long long row, struct buf *out, struct ofb_error *err);
/* Append what column n of st holds of a value of column col read in parts (dump.c:
 * slices), the parts in turn: the value stays open after each (e->in_value), *done is
 * set once st's part is all read, and e->units counts what the parts held so far;
 * ofb_row_encode_close ends the value. */
int ofb_row_encode_part(struct ofb_row_encoder *e, size_t col, SQLHSTMT st, SQLUSMALLINT n,
			unsigned long long row, struct buf *out, int *done, struct ofb_error *err);
void ofb_row_encode_close(struct ofb_row_encoder *e, size_t col, struct buf *out);

#endif
