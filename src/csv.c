/* csv.c - writing and reading the CSV encoding of table data (docs/FORMAT.md). */
#include <string.h>

#include "csv.h"

void ofb_csv_add_escaped(struct buf *out, const char *s, size_t n)
{
	const char *end = s + n;

	while (s < end) {
		const char *q = memchr(s, '"', (size_t)(end - s));
		size_t run = q ? (size_t)(q - s) + 1 : (size_t)(end - s);
		buf_add(out, s, run);
		if (q)
			buf_addc(out, '"');
		s += run;
	}
}

void ofb_csv_add_quoted(struct buf *out, const char *s, size_t n)
{
	buf_addc(out, '"');
	ofb_csv_add_escaped(out, s, n);
	buf_addc(out, '"');
}

void ofb_csv_add_bool(struct buf *out, const char *v, size_t len)
{
	if (len == 1 && (v[0] == '\0' || v[0] == '\1'))
		buf_addc(out, v[0] ? '1' : '0');   /* a BIT column's raw byte */
	else if (ofb_csv_is_number(v, len))
		buf_add(out, v, len);   /* 1, 0, or e.g. 2 in a MariaDB tinyint(1): kept */
	else
		ofb_csv_add_quoted(out, v, len);   /* SQLite keeps any text: kept as text */
}

int ofb_csv_is_number(const char *v, size_t len)
{
	size_t i = 0, digits = 0;

	if ((len == 3 && memcmp(v, "NaN", 3) == 0) || (len == 8 && memcmp(v, "Infinity", 8) == 0) ||
	    (len == 9 && memcmp(v, "-Infinity", 9) == 0))
		return 1;
	if (i < len && (v[i] == '-' || v[i] == '+'))
		i++;
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++)
		digits++;
	if (i < len && v[i] == '.')
		for (i++; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			digits++;
	if (!digits)
		return 0;
	if (i < len && (v[i] == 'e' || v[i] == 'E')) {
		size_t exp_digits = 0;
		i++;
		if (i < len && (v[i] == '-' || v[i] == '+'))
			i++;
		for (; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			exp_digits++;
		if (!exp_digits)
			return 0;
	}
	return i == len;
}

void ofb_csv_add_number(struct buf *out, const char *v, size_t len)
{
	if (ofb_csv_is_number(v, len))
		buf_add(out, v, len);
	else
		ofb_csv_add_quoted(out, v, len);
}

void ofb_csv_reader_init(struct ofb_csv_reader *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->in);
	buf_init(&r->field);
}

void ofb_csv_reader_free(struct ofb_csv_reader *r)
{
	buf_free(&r->in);
	buf_free(&r->field);
}

void ofb_csv_feed(struct ofb_csv_reader *r, const char *data, size_t n, int eof)
{
	if (r->pos) {
		buf_consume(&r->in, r->pos);
		r->pos = 0;
	}
	buf_add(&r->in, data, n);
	r->eof = eof;
}

static void field_done(struct ofb_csv_reader *r, struct ofb_csv_field *f, int quoted,
		       int last)
{
	f->data = r->field.data;
	f->len = r->field.len;
	f->quoted = quoted;
	f->last_in_record = last;
	r->after_comma = !last;
	r->state = OFB_CSV_START;
}

/* Continues the field in progress from where the previous call stopped: bytes already
 * looked at are in r->field and r->state, so a long field fed in pieces costs linear time. */
int ofb_csv_next(struct ofb_csv_reader *r, struct ofb_csv_field *f)
{
	const char *p = r->in.data + r->pos, *end = r->in.data + r->in.len;
	int rc = 0;

	memset(f, 0, sizeof *f);
	if (r->failed) {
		rc = -1;
		goto out;
	}
	if (r->state == OFB_CSV_START)
		buf_reset(&r->field);
	for (;;) {
		switch (r->state) {
		case OFB_CSV_START:
			if (p == end) {
				/* "a," at the very end: the record's last field is an empty (NULL) one */
				if (r->eof && r->after_comma) {
					field_done(r, f, 0, 1);
					rc = 1;
				}
				goto out;
			}
			if (*p == '"') {
				r->state = OFB_CSV_QUOTED;
				p++;
			} else {
				r->state = OFB_CSV_UNQUOTED;
			}
			break;
		case OFB_CSV_UNQUOTED: {
			const char *s = p;
			while (p < end && *p != ',' && *p != '\n' && *p != '"')
				p++;
			buf_add(&r->field, s, (size_t)(p - s));
			if (p < end && *p == '"') {
				rc = -1;
				goto out;
			}
			if (p == end && !r->eof)
				goto out;
			/* at the end of input: a final record without its newline */
			field_done(r, f, 0, p == end || *p == '\n');
			if (p < end)
				p++;
			rc = 1;
			goto out;
		}
		case OFB_CSV_QUOTED: {
			const char *q = memchr(p, '"', (size_t)(end - p));
			if (!q) {
				buf_add(&r->field, p, (size_t)(end - p));
				p = end;
				if (r->eof)
					rc = -1;   /* unterminated */
				goto out;
			}
			buf_add(&r->field, p, (size_t)(q - p));
			p = q + 1;
			r->state = OFB_CSV_QUOTE_SEEN;
			break;
		}
		case OFB_CSV_QUOTE_SEEN:
			/* cannot tell "" from the closing quote before the next byte */
			if (p == end && !r->eof)
				goto out;
			if (p < end && *p == '"') {
				buf_addc(&r->field, '"');
				p++;
				r->state = OFB_CSV_QUOTED;
				break;
			}
			if (p < end && *p != ',' && *p != '\n') {
				rc = -1;   /* text after the closing quote */
				goto out;
			}
			field_done(r, f, 1, p == end || *p == '\n');
			if (p < end)
				p++;
			rc = 1;
			goto out;
		}
	}
out:
	if (rc < 0)
		r->failed = 1;
	r->pos = (size_t)(p - r->in.data);
	return rc;
}

void ofb_csv_take_field(struct ofb_csv_reader *r, struct buf *out)
{
	struct buf tmp = *out;

	*out = r->field;
	r->field = tmp;
	buf_reset(&r->field);
}
