/* util.h - small helpers: checked allocation, growable byte buffers, UTF-8/UTF-16 conversion. */
#ifndef OFB_UTIL_H
#define OFB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* Out of memory: a message on stderr and the end of the process (exit code 1). */
#define OFB_OOM_EXIT 1
void ofb_out_of_memory(size_t n) __attribute__((noreturn));
/* Wipe a string that may hold a password (explicit_bzero: not optimised away), then free
 * it; NULL is fine. */
void ofb_secret_free(char *s);
/* Overwrite n bytes of a secret before the memory goes back (explicit_bzero). */
void ofb_wipe(void *p, size_t n);

/* A growable byte buffer; always NUL-terminated after len. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Remove the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* Hand the data to the caller (malloc'd, NUL-terminated) and reset. */
char *buf_detach(struct buf *b);

/* UTF-16 code units as ODBC's SQLWCHAR uses them (unixODBC: 2 bytes). */
typedef uint16_t ofb_wchar;

/* UTF-8 -> NUL-terminated UTF-16; *n_units (if not NULL) gets the count without the NUL.
 * Invalid UTF-8 bytes become U+FFFD. */
ofb_wchar *utf8_to_w(const char *s, size_t *n_units);
/* UTF-16 units that n bytes of UTF-8 at s make (as utf8_to_w converts them). */
size_t utf8_w_units(const char *s, size_t n);
/* Convert from s (n bytes) into out (at most max units, max >= 2), never splitting a
 * character: returns the units written, *used the bytes consumed. For values sent in
 * pieces. */
size_t utf8_to_w_part(const char *s, size_t n, ofb_wchar *out, size_t max, size_t *used);
/* UTF-16 (n units, or up to a NUL if n is (size_t)-1) appended to b as UTF-8.
 * *pending carries a high surrogate across calls (0 when none); unpaired surrogates
 * become U+FFFD. Pass pending NULL for a complete string. */
void w_to_utf8(struct buf *b, const ofb_wchar *w, size_t n, uint32_t *pending);
char *w_to_utf8_dup(const ofb_wchar *w, size_t n);
/* Non-zero when s[0..n) is valid UTF-8. */
int utf8_valid(const char *s, size_t n);

/* Shortest decimal text that reads back to the same double / float. */
void format_double(char *out, size_t n, double v);
void format_float(char *out, size_t n, float v);

/* Lowercase hex of n bytes appended to b. */
void buf_add_hex(struct buf *b, const unsigned char *p, size_t n);

/* Case-insensitive ASCII compare. */
int ascii_casecmp(const char *a, const char *b);
/* s[0..n) equals word, ignoring ASCII case. */
int ofb_span_is(const char *s, size_t n, const char *word);
/* The span s[0..*n) without blanks (and line ends) at either end. */
const char *ofb_trim_span(const char *s, size_t *n);

/* A file name that is not UTF-8 (Latin-1 from an old share) as ASCII text for JSON: '%'
 * and every byte from 0x80 up written as %XX (uppercase hex). */
char *ofb_raw_name_encode(const char *name);
/* The bytes back; NULL when text holds anything but printable ASCII and %XX, or a NUL. */
char *ofb_raw_name_decode(const char *text);
/* The value of an upper-case hex digit (0-9, A-F), -1 for any other character. */
int ofb_hex_digit(char c);

#endif
