/* util.c - checked allocation, growable byte buffers, UTF-8/UTF-16 conversion, number text. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define REPLACEMENT_CHAR 0xFFFDu
#define UTF8_INVALID 0xFFFFFFFFu

/* Running out of memory is not an error the program can report and recover from, so this
 * is the one place in library code that writes a message and ends the process (write(2)
 * and _exit: nothing that could need memory itself). */
void ofb_out_of_memory(size_t n)
{
	static const char msg[] = "ofbackup: out of memory\n";

	(void)n;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
		_exit(OFB_OOM_EXIT);
	_exit(OFB_OOM_EXIT);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		ofb_out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	p = calloc(n, size);
	if (!p)
		ofb_out_of_memory(size && n > SIZE_MAX / size ? SIZE_MAX : n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		ofb_out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = xmalloc(n + 1);

	memcpy(p, s, n + 1);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *ofb_raw_name_encode(const char *name)
{
	struct buf b;

	buf_init(&b);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p == '%' || *p >= 0x80)
			buf_addf(&b, "%%%02X", *p);
		else
			buf_addc(&b, (char)*p);
	}
	return buf_detach(&b);
}

int ofb_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *ofb_raw_name_decode(const char *text)
{
	struct buf b;

	buf_init(&b);
	for (const char *p = text; *p; p++) {
		int hi, lo;
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			buf_free(&b);
			return NULL;
		}
		if (*p != '%') {
			buf_addc(&b, *p);
			continue;
		}
		hi = ofb_hex_digit(p[1]);
		lo = hi < 0 ? -1 : ofb_hex_digit(p[2]);
		if (lo < 0 || (hi == 0 && lo == 0)) {
			buf_free(&b);
			return NULL;
		}
		buf_addc(&b, (char)(hi * 16 + lo));
		p += 2;
	}
	return buf_detach(&b);
}

void ofb_wipe(void *p, size_t n)
{
	if (p)
		explicit_bzero(p, n);
}

void ofb_secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list again;
	char *p;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0)
		n = 0;    /* an encoding error in an argument: an empty string, not a crash */
	p = xmalloc((size_t)n + 1);
	if (n == 0 || vsnprintf(p, (size_t)n + 1, fmt, ap) < 0)
		p[0] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

/*
 * Byte buffers. A fresh buffer points at a shared empty string (cap 0) so that b->data
 * is always a valid C string without allocating; nothing may write through it.
 * A zero-filled struct buf (data NULL) is accepted as well.
 */
static char buf_empty[1];

void buf_init(struct buf *b)
{
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
}

void buf_free(struct buf *b)
{
	if (b->cap)
		free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
	else
		b->data = buf_empty;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t want, cap;

	if (extra > SIZE_MAX - 1 - b->len)
		ofb_out_of_memory(SIZE_MAX);
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if (b->cap) {
		b->data = xrealloc(b->data, cap);
	} else {
		b->data = xmalloc(cap);
		b->data[0] = '\0';
	}
	b->cap = cap;
}

void buf_add(struct buf *b, const void *data, size_t n)
{
	const char *src = data;
	size_t offset = 0;
	int inside;

	if (n == 0)
		return;
	/* appending part of the buffer to itself must survive the reallocation */
	inside = b->cap && src >= b->data && src < b->data + b->cap;
	if (inside)
		offset = (size_t)(src - b->data);
	buf_grow(b, n);
	if (inside)
		src = b->data + offset;
	memmove(b->data + b->len, src, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	char *s;
	int n;

	/* formatted apart from b, never into it: arguments may point into b->data */
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		buf_add(b, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_adds(b, s);
	free(s);
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

char *buf_detach(struct buf *b)
{
	char *p = b->cap ? b->data : xstrdup("");

	buf_init(b);
	return p;
}

/*
 * UTF-8 decoding after the Unicode standard's table of well-formed byte sequences
 * (no overlong forms, no surrogates, nothing above U+10FFFF). An ill-formed sequence
 * yields UTF8_INVALID and consumes its maximal valid prefix, at least one byte, so each
 * broken piece becomes exactly one U+FFFD.
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0Fu;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07u;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*cp = UTF8_INVALID;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = UTF8_INVALID;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3Fu);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

ofb_wchar *utf8_to_w(const char *s, size_t *n_units)
{
	size_t len = strlen(s), i = 0, k = 0;
	ofb_wchar *w;

	/* every consumed byte run yields at most one unit per byte (4 bytes -> 2 units), so
	 * len + 2 units always hold it all */
	if (len >= SIZE_MAX / sizeof *w - 2)
		ofb_out_of_memory(SIZE_MAX);
	w = xmalloc((len + 2) * sizeof *w);
	k = utf8_to_w_part(s, len, w, len + 2, &i);
	w[k] = 0;
	if (n_units)
		*n_units = k;
	return w;
}

size_t utf8_w_units(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k = 0;

	while (i < n) {
		uint32_t cp;
		i += utf8_decode(p + i, n - i, &cp);
		k += cp != UTF8_INVALID && cp >= 0x10000 ? 2 : 1;
	}
	return k;
}

size_t utf8_to_w_part(const char *s, size_t n, ofb_wchar *out, size_t max, size_t *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k = 0;

	while (i < n && k + 2 <= max) {
		uint32_t cp;
		if (p[i] < 0x80) {   /* ASCII runs, a unit per byte */
			out[k++] = p[i++];
			continue;
		}
		i += utf8_decode(p + i, n - i, &cp);
		if (cp == UTF8_INVALID) {
			out[k++] = REPLACEMENT_CHAR;
		} else if (cp >= 0x10000) {
			cp -= 0x10000;
			out[k++] = (ofb_wchar)(0xD800 + (cp >> 10));
			out[k++] = (ofb_wchar)(0xDC00 + (cp & 0x3FF));
		} else {
			out[k++] = (ofb_wchar)cp;
		}
	}
	*used = i;
	return k;
}

static void buf_add_utf8(struct buf *b, uint32_t cp)
{
	char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_add(b, out, n);
}

/* Beyond the header's contract: w NULL with n 0 ends a chunked value, writing a high
 * surrogate still pending as U+FFFD and resetting *pending. */
void w_to_utf8(struct buf *b, const ofb_wchar *w, size_t n, uint32_t *pending)
{
	uint32_t high = pending ? *pending : 0;
	size_t i;

	if (high < 0xD800 || high > 0xDBFF)
		high = 0;    /* only a high surrogate is ever carried */

	if (!w && n == 0 && pending) {
		if (high)
			buf_add_utf8(b, REPLACEMENT_CHAR);
		*pending = 0;
		return;
	}
	if (w && n != (size_t)-1)
		buf_grow(b, n * 3 + 4);   /* a unit makes at most 3 bytes, a pair 4 */
	for (i = 0; w && (n == (size_t)-1 ? w[i] != 0 : i < n); i++) {
		uint32_t u = w[i];

		if (u < 0x80 && !high && b->len + 1 < b->cap) {   /* ASCII, room reserved */
			b->data[b->len++] = (char)u;
			continue;
		}
		if (high) {
			if (u >= 0xDC00 && u <= 0xDFFF) {
				buf_add_utf8(b, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00));
				high = 0;
				continue;
			}
			buf_add_utf8(b, REPLACEMENT_CHAR);
			high = 0;
		}
		if (u >= 0xD800 && u <= 0xDBFF)
			high = u;
		else if (u >= 0xDC00 && u <= 0xDFFF)
			buf_add_utf8(b, REPLACEMENT_CHAR);
		else
			buf_add_utf8(b, u);
	}
	if (b->cap)
		b->data[b->len] = '\0';
	if (pending)
		*pending = high;
	else if (high)
		buf_add_utf8(b, REPLACEMENT_CHAR);
}

char *w_to_utf8_dup(const ofb_wchar *w, size_t n)
{
	struct buf b;

	buf_init(&b);
	w_to_utf8(&b, w, n, NULL);
	return buf_detach(&b);
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		i += utf8_decode(p + i, n - i, &cp);
		if (cp == UTF8_INVALID)
			return 0;
	}
	return 1;
}

/*
 * Number text. "%.*g" at increasing precision finds the fewest significant digits that
 * read back to the same bits. When %g puts a whole number in exponent form ("1e+02"),
 * the same digits padded with zeros ("100") are used instead where that is no longer.
 * The text must use '.' whatever the user's locale: the program leaves LC_NUMERIC at "C".
 */
#define NUMBER_TEXT_MAX 40

/* Whether text reads back as the same bits of v, at double or at float width. */
static int reads_back(const char *text, double v, int as_float)
{
	if (as_float) {
		float back = strtof(text, NULL), want = (float)v;
		return memcmp(&back, &want, sizeof want) == 0;
	}
	double back = strtod(text, NULL);
	return memcmp(&back, &v, sizeof v) == 0;
}

/* Rewrite "-d.ddde+X" as "-dddd000" (X+1 digits) when that is not longer; the value is
 * the same decimal, so it reads back the same. */
static void prefer_plain(char *text)
{
	char plain[NUMBER_TEXT_MAX];
	const char *e = strchr(text, 'e'), *p;
	size_t len = 0, n_digits = 0;
	long exp10;

	if (!e || e[1] != '+')
		return;
	exp10 = strtol(e + 2, NULL, 10);
	for (p = text; p < e; p++)
		if (*p >= '0' && *p <= '9')
			n_digits++;
	if (exp10 < 0 || (size_t)exp10 + 1 < n_digits ||
	    (text[0] == '-') + (size_t)exp10 + 1 > strlen(text))
		return;
	for (p = text; p < e; p++)
		if (*p != '.')
			plain[len++] = *p;
	while (n_digits++ < (size_t)exp10 + 1)
		plain[len++] = '0';
	plain[len] = '\0';
	memcpy(text, plain, len + 1);
}

static void number_special(char *out, size_t n, int is_nan, int negative)
{
	snprintf(out, n, "%s", is_nan ? "NaN" : negative ? "-Infinity" : "Infinity");
}

/* What "%.*g" at precision prec prints for the m digits d (no trailing zeros; the first
 * not 0) of a number d[0].d[1]... times ten to the x: fixed notation where
 * -4 <= x < prec, else exponent notation, trailing zeros of the fraction dropped either
 * way (C's %g). */
static void g_text(char *out, int negative, const char *d, int m, int x, int prec)
{
	char *p = out;

	if (negative)
		*p++ = '-';
	if (x < -4 || x >= prec) {
		*p++ = d[0];
		if (m > 1) {
			*p++ = '.';
			memcpy(p, d + 1, (size_t)m - 1);
			p += m - 1;
		}
		sprintf(p, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
		return;
	}
	if (x < 0) {
		*p++ = '0';
		*p++ = '.';
		for (int z = 0; z < -x - 1; z++)
			*p++ = '0';
		memcpy(p, d, (size_t)m);
		p += m;
	} else {
		for (int i = 0; i <= x; i++)
			*p++ = i < m ? d[i] : '0';
		if (m > x + 1) {
			*p++ = '.';
			memcpy(p, d + x + 1, (size_t)(m - x - 1));
			p += m - x - 1;
		}
	}
	*p = '\0';
}

/* The digits of v rounded to k significant digits, from its `most` digits all (d, x from
 * "%.*e"): into r (no trailing zeros, *m of them), the exponent into *rx. A tie in those
 * digits (the rest exactly 5 then zeros) may not be one in v itself: then v is printed
 * at k digits instead. Otherwise rounding the digits rounds v the same way, as the digits
 * are v's own to within half a unit of the last, and a boundary between k-digit numbers
 * is itself a number of `most` digits. */
static void round_digits(double v, const char *d, int most, int x, int k, char *r, int *m,
			 int *rx)
{
	/* k is 6 at least: "%.*e" has a point then, and the exponent where read below */
	int up = 0, tie = d[k] == '5';

	for (int i = k + 1; i < most && tie; i++)
		tie = d[i] == '0';
	if (tie) {
		char e[NUMBER_TEXT_MAX];
		snprintf(e, sizeof e, "%.*e", k - 1, fabs(v));
		r[0] = e[0];
		memcpy(r + 1, e + 2, (size_t)k - 1);
		*rx = atoi(e + k + 2);
	} else {
		memcpy(r, d, (size_t)k);
		*rx = x;
		up = d[k] >= '5';   /* a 5 here has more than zeros after it */
		for (int i = k - 1; up && i >= 0; i--) {
			up = r[i] == '9';
			r[i] = up ? '0' : (char)(r[i] + 1);
		}
		if (up) {   /* 9...9 became 10...0 */
			r[0] = '1';
			(*rx)++;
		}
	}
	*m = k;
	while (*m > 1 && r[*m - 1] == '0')
		(*m)--;
}

/* The shortest %g text that reads back as v: 17 significant digits always do for a
 * double, 9 for a float.
 *
 * When v reads back from `sure` digits (15 for a double, 6 for a float: half a unit of
 * the last of them is more than v's own rounding error), the shortest text that reads
 * back is that one without its trailing zeros, because the nearest number of `sure`
 * digits to v is then that shortest one; it is written with exactly its digits (the
 * notation "%.*g" gives at that precision). Above `sure` digits the search goes on from
 * there. The digits of each precision come from one "%.*e" of all `most` of them,
 * rounded as text, not from a printf per precision. Subnormal numbers are searched from
 * one digit, with printf. */
static void format_shortest(char *out, size_t n, double v, int as_float)
{
	const int most = as_float ? 9 : 17, sure = as_float ? 6 : 15;
	char text[NUMBER_TEXT_MAX], e[NUMBER_TEXT_MAX], d[24], r[24];
	int prec, x, m, rx;

	if (n == 0)
		return;
	if (isnan(v) || isinf(v)) {
		number_special(out, n, isnan(v), signbit(v));
		return;
	}
	/* below the smallest normal number v has fewer digits of its own: searched whole */
	if (fabs(v) < (as_float ? FLT_MIN : DBL_MIN)) {
		for (prec = 1; prec < most; prec++) {
			snprintf(text, sizeof text, "%.*g", prec, v);
			if (reads_back(text, v, as_float))
				break;
		}
		if (prec == most)
			snprintf(text, sizeof text, "%.*g", most, v);
		goto done;
	}
	snprintf(e, sizeof e, "%.*e", most - 1, fabs(v));   /* d.ddd...e+XX */
	d[0] = e[0];
	memcpy(d + 1, e + 2, (size_t)most - 1);
	x = atoi(e + most + 2);
	for (prec = sure; prec < most; prec++) {
		round_digits(v, d, most, x, prec, r, &m, &rx);
		/* at `sure` digits the notation is that of the digits' own count */
		g_text(text, signbit(v) != 0, r, m, rx, prec == sure ? m : prec);
		if (reads_back(text, v, as_float))
			goto done;
	}
	m = most;
	while (m > 1 && d[m - 1] == '0')
		m--;
	g_text(text, signbit(v) != 0, d, m, x, most);
done:
	prefer_plain(text);
	m = (int)strlen(text);
	if ((size_t)m >= n)
		m = (int)n - 1;   /* cut as snprintf would */
	memcpy(out, text, (size_t)m);
	out[m] = '\0';
}

void format_double(char *out, size_t n, double v)
{
	format_shortest(out, n, v, 0);
}

void format_float(char *out, size_t n, float v)
{
	format_shortest(out, n, (double)v, 1);
}

void buf_add_hex(struct buf *b, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (n > (SIZE_MAX - 1) / 2)
		ofb_out_of_memory(SIZE_MAX);
	buf_grow(b, 2 * n);
	for (i = 0; i < n; i++) {
		b->data[b->len++] = digits[p[i] >> 4];
		b->data[b->len++] = digits[p[i] & 0x0F];
	}
	b->data[b->len] = '\0';
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int ascii_casecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p && ascii_lower(*p) == ascii_lower(*q)) {
		p++;
		q++;
	}
	return ascii_lower(*p) - ascii_lower(*q);
}

int ofb_span_is(const char *s, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (!word[i] || ascii_lower((unsigned char)s[i]) != ascii_lower((unsigned char)word[i]))
			return 0;
	return word[n] == '\0';
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

const char *ofb_trim_span(const char *s, size_t *n)
{
	while (*n && is_blank(*s)) {
		s++;
		(*n)--;
	}
	while (*n && (is_blank(s[*n - 1]) || s[*n - 1] == '\r' || s[*n - 1] == '\n'))
		(*n)--;
	return s;
}
