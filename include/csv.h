/* csv.h - the table data encoding of docs/FORMAT.md: what the dumper writes and a reader
 * that splits it into fields again (info, verify, restore, tests). */
#ifndef OFB_CSV_H
#define OFB_CSV_H

#include <stddef.h>
#include "util.h"

/* Append s[0..n) with every '"' doubled (the caller writes the enclosing quotes, so long
 * values can be written in pieces). */
void ofb_csv_add_escaped(struct buf *out, const char *s, size_t n);
/* Append one whole quoted field. */
void ofb_csv_add_quoted(struct buf *out, const char *s, size_t n);
/* Append a boolean as the engine gave it: a BIT column's raw byte becomes 1 or 0, a number
 * stays as it is (drivers deliver booleans as 1 and 0), anything else is quoted as text
 * rather than guessed (SQLite keeps 'yes' as text). */
void ofb_csv_add_bool(struct buf *out, const char *v, size_t len);

/* Non-zero when v is a number as FORMAT.md writes them: [-+]digits[.digits][e[-+]digits],
 * NaN, Infinity, -Infinity. */
int ofb_csv_is_number(const char *v, size_t len);
/* Append a number column's value: unquoted when it is a number, else quoted as text (SQLite
 * stores any text in any column; it is kept, not lost). */
void ofb_csv_add_number(struct buf *out, const char *v, size_t len);

/* Splitting CSV text into fields; feed it whole records or any pieces. */
struct ofb_csv_field {
	const char *data;    /* unescaped bytes (valid until the next call) */
	size_t len;
	int quoted;          /* quoted field: text, possibly empty; else NULL when len == 0 */
	int last_in_record;  /* the field ends its record */
};

/* Where the reader is inside the field it is assembling; the state survives the end of a
 * feed, so every input byte is looked at once however the input is split. */
enum ofb_csv_state {
	OFB_CSV_START,       /* before the first byte of a field */
	OFB_CSV_UNQUOTED,    /* inside an unquoted field */
	OFB_CSV_QUOTED,      /* inside quotes */
	OFB_CSV_QUOTE_SEEN   /* inside quotes, after a '"': a doubled quote or the closing one */
};

struct ofb_csv_reader {
	struct buf in;       /* input not yet looked at */
	size_t pos;
	struct buf field;    /* the field in progress (unescaped bytes so far) */
	enum ofb_csv_state state;
	int eof;
	int after_comma;     /* the last field ended with ',': another one follows */
	int failed;          /* malformed input was seen: every later call says so again */
};

void ofb_csv_reader_init(struct ofb_csv_reader *r);
void ofb_csv_reader_free(struct ofb_csv_reader *r);
/* Give the reader more input; eof when there is no more to come. */
void ofb_csv_feed(struct ofb_csv_reader *r, const char *data, size_t n, int eof);
/* 1 with *f set when a field is complete, 0 when more input is needed (or at the end),
 * -1 on malformed input (a quote inside an unquoted field, text after a closing quote,
 * an unterminated quoted field at the end). */
int ofb_csv_next(struct ofb_csv_reader *r, struct ofb_csv_field *f);
/* Move the bytes of the field just returned into out (buffers are swapped, nothing is
 * copied), so a long value need not exist twice; the field's data is invalid afterwards. */
void ofb_csv_take_field(struct ofb_csv_reader *r, struct buf *out);

#endif
