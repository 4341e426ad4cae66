/* Unit tests for csv.c: the writer helpers and the streaming field reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "csv.h"
#include "suites.h"
#include "util.h"

/* CUnit copies the condition text, so a message built on the stack can name the case. */
static void expect_bytes(const char *what, const char *got, size_t got_len, const char *want,
			 size_t want_len, unsigned line)
{
	char msg[512];
	int ok = got_len == want_len && memcmp(got, want, want_len) == 0;

	snprintf(msg, sizeof msg, "%s: got %zu bytes '%.*s', want %zu bytes '%.*s'", what,
		 got_len, (int)(got_len > 120 ? 120 : got_len), got, want_len,
		 (int)(want_len > 120 ? 120 : want_len), want);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

/* ---- writing ---- */

struct write_case {
	const char *name;
	const char *in;
	size_t in_len;
	const char *escaped;
	size_t escaped_len;
};

#define BYTES(s) s, sizeof s - 1

static const struct write_case write_cases[] = {
	{ "empty", BYTES(""), BYTES("") },
	{ "plain", BYTES("abc"), BYTES("abc") },
	{ "one quote", BYTES("\""), BYTES("\"\"") },
	{ "two quotes", BYTES("\"\""), BYTES("\"\"\"\"") },
	{ "quote inside", BYTES("say \"hi\""), BYTES("say \"\"hi\"\"") },
	{ "quote first and last", BYTES("\"x\""), BYTES("\"\"x\"\"") },
	{ "comma", BYTES("a,b"), BYTES("a,b") },
	{ "CR LF", BYTES("a\r\nb\n"), BYTES("a\r\nb\n") },
	{ "NUL bytes", BYTES("a\0\"\0b"), BYTES("a\0\"\"\0b") },
	{ "UTF-8", BYTES("Gr\xc3\xb6\xc3\x9f" "e \xe2\x82\xac"), BYTES("Gr\xc3\xb6\xc3\x9f" "e \xe2\x82\xac") },
	{ "backslash x", BYTES("\\x00ff"), BYTES("\\x00ff") },
};

static void test_add_escaped(void)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof write_cases / sizeof write_cases[0]; i++) {
		const struct write_case *c = &write_cases[i];

		buf_reset(&b);
		ofb_csv_add_escaped(&b, c->in, c->in_len);
		expect_bytes(c->name, b.data, b.len, c->escaped, c->escaped_len, __LINE__);
		CU_ASSERT_EQUAL(b.data[b.len], '\0');
	}
	/* appends to what is there */
	buf_reset(&b);
	buf_adds(&b, "x,");
	ofb_csv_add_escaped(&b, "\"", 1);
	CU_ASSERT_STRING_EQUAL(b.data, "x,\"\"");
	buf_free(&b);
}

static void test_add_escaped_in_pieces(void)
{
	/* a long value is written in chunks: any split gives the same text as a whole */
	static const char value[] = "a\"\"b,\"c\r\n\"";
	struct buf whole, pieces;
	size_t n = sizeof value - 1;

	buf_init(&whole);
	buf_init(&pieces);
	ofb_csv_add_escaped(&whole, value, n);
	for (size_t split = 0; split <= n; split++) {
		char what[64];

		buf_reset(&pieces);
		ofb_csv_add_escaped(&pieces, value, split);
		ofb_csv_add_escaped(&pieces, value + split, n - split);
		snprintf(what, sizeof what, "split at %zu", split);
		expect_bytes(what, pieces.data, pieces.len, whole.data, whole.len, __LINE__);
	}
	buf_free(&whole);
	buf_free(&pieces);
}

static void test_add_quoted(void)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof write_cases / sizeof write_cases[0]; i++) {
		const struct write_case *c = &write_cases[i];
		struct buf want;

		buf_init(&want);
		buf_addc(&want, '"');
		buf_add(&want, c->escaped, c->escaped_len);
		buf_addc(&want, '"');
		buf_reset(&b);
		ofb_csv_add_quoted(&b, c->in, c->in_len);
		expect_bytes(c->name, b.data, b.len, want.data, want.len, __LINE__);
		buf_free(&want);
	}
	/* the empty string is "" and never the empty field that means NULL */
	buf_reset(&b);
	ofb_csv_add_quoted(&b, "", 0);
	CU_ASSERT_STRING_EQUAL(b.data, "\"\"");
	buf_reset(&b);
	ofb_csv_add_quoted(&b, "ignored", 0);
	CU_ASSERT_STRING_EQUAL(b.data, "\"\"");
	buf_free(&b);
}

static void test_add_bool(void)
{
	static const struct {
		const char *name;
		const char *in;
		size_t len;
		const char *out;
		size_t out_len;
	} cases[] = {
		{ "text 1", BYTES("1"), BYTES("1") },
		{ "text 0", BYTES("0"), BYTES("0") },
		/* words are an engine's text (SQLite keeps 't' as text): kept, not read as 1 */
		{ "t", BYTES("t"), BYTES("\"t\"") },
		{ "false", BYTES("false"), BYTES("\"false\"") },
		{ "raw byte 0x00", "\0", 1, BYTES("0") },
		{ "raw byte 0x01", "\1", 1, BYTES("1") },
		/* the length counts, not a terminating NUL */
		{ "1, length 1 of 2", "12", 1, BYTES("1") },
		{ "1 then NUL", "1\0", 2, "\"1\0\"", 4 },
		/* other numbers are kept, anything else is kept as quoted text, not guessed */
		{ "2", BYTES("2"), BYTES("2") },
		{ "-1", BYTES("-1"), BYTES("-1") },
		{ "10", BYTES("10"), BYTES("10") },
		{ "yes", BYTES("yes"), BYTES("\"yes\"") },
		{ "raw byte 0x02", "\2", 1, "\"\2\"", 3 },
		{ "tru", BYTES("tru"), BYTES("\"tru\"") },
		{ "falsey", BYTES("falsey"), BYTES("\"falsey\"") },
	};
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(&b);
		ofb_csv_add_bool(&b, cases[i].in, cases[i].len);
		expect_bytes(cases[i].name, b.data, b.len, cases[i].out, cases[i].out_len,
			     __LINE__);
	}
	/* appends after what the record already holds */
	buf_reset(&b);
	buf_adds(&b, "7,");
	ofb_csv_add_bool(&b, "\1", 1);
	CU_ASSERT_STRING_EQUAL(b.data, "7,1");
	buf_free(&b);
}

/* ---- reading ---- */

/* One field as text: NULL, q<...> (quoted) or u<...> (unquoted), then ';' when it ends
 * its record, else ','. Bytes outside printable ASCII and the brackets show as {HH}. */
static void render_field(struct buf *out, const struct ofb_csv_field *f)
{
	if (!f->quoted && f->len == 0) {
		buf_adds(out, "NULL");
	} else {
		buf_adds(out, f->quoted ? "q<" : "u<");
		for (size_t i = 0; i < f->len; i++) {
			unsigned char c = (unsigned char)f->data[i];
			if (c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '{' || c == '}')
				buf_addf(out, "{%02X}", c);
			else
				buf_addc(out, (char)c);
		}
		buf_addc(out, '>');
	}
	buf_addc(out, f->last_in_record ? ';' : ',');
}

/* Take every complete field; returns the last ofb_csv_next result (0 or -1). */
static int drain(struct ofb_csv_reader *r, struct buf *out)
{
	struct ofb_csv_field f;
	int rc;

	while ((rc = ofb_csv_next(r, &f)) == 1)
		render_field(out, &f);
	return rc;
}

/* Feeds text in pieces of chunk bytes (0: whole); with eof_apart the end of input is
 * announced by an extra empty feed. Returns the rendered fields, then $ for a clean end
 * or ! for malformed input (malloc'd). */
static char *read_all(const char *text, size_t len, size_t chunk, int eof_apart)
{
	struct ofb_csv_reader r;
	struct buf out;
	size_t pos = 0;
	int rc = 0;

	buf_init(&out);
	ofb_csv_reader_init(&r);
	if (chunk == 0)
		chunk = len ? len : 1;
	do {
		size_t n = len - pos < chunk ? len - pos : chunk;
		int eof = !eof_apart && pos + n == len;

		ofb_csv_feed(&r, text + pos, n, eof);
		pos += n;
		rc = drain(&r, &out);
	} while (rc == 0 && pos < len);
	if (rc == 0 && eof_apart) {
		ofb_csv_feed(&r, "", 0, 1);
		rc = drain(&r, &out);
	}
	buf_addc(&out, rc < 0 ? '!' : '$');
	ofb_csv_reader_free(&r);
	return buf_detach(&out);
}

/* Two feeds split at pos, the second one ending the input. */
static char *read_split(const char *text, size_t len, size_t pos)
{
	struct ofb_csv_reader r;
	struct buf out;
	int rc;

	buf_init(&out);
	ofb_csv_reader_init(&r);
	ofb_csv_feed(&r, text, pos, 0);
	rc = drain(&r, &out);
	if (rc == 0) {
		ofb_csv_feed(&r, text + pos, len - pos, 1);
		rc = drain(&r, &out);
	}
	buf_addc(&out, rc < 0 ? '!' : '$');
	ofb_csv_reader_free(&r);
	return buf_detach(&out);
}

struct read_case {
	const char *name;
	const char *text;
	size_t len;
	const char *fields;
};

static const struct read_case read_cases[] = {
	{ "empty input", BYTES(""), "$" },
	{ "NULL vs empty string", BYTES("1,,\"\"\n"), "u<1>,NULL,q<>;$" },
	{ "only NULLs", BYTES(",\n"), "NULL,NULL;$" },
	{ "one NULL per record", BYTES("\n\n"), "NULL;NULL;$" },
	{ "two empty strings", BYTES("\"\",\"\"\n"), "q<>,q<>;$" },
	{ "header and rows", BYTES("\"id\",\"name\"\n1,\"x\"\n2,\n"),
	  "q<id>,q<name>;u<1>,q<x>;u<2>,NULL;$" },
	{ "comma inside quotes", BYTES("\"a,b\",c\n"), "q<a,b>,u<c>;$" },
	{ "doubled quotes", BYTES("\"say \"\"hi\"\"\"\n"), "q<say \"hi\">;$" },
	{ "only a quote", BYTES("\"\"\"\"\n"), "q<\">;$" },
	{ "two quotes", BYTES("\"\"\"\"\"\"\n"), "q<\"\">;$" },
	{ "quote before comma", BYTES("\"a\"\"\",b\n"), "q<a\">,u<b>;$" },
	{ "CR LF inside quotes", BYTES("\"x\r\ny\",\"\n\"\n"), "q<x{0D}{0A}y>,q<{0A}>;$" },
	{ "NUL inside quotes", BYTES("\"a\0b\"\n"), "q<a{00}b>;$" },
	{ "UTF-8", BYTES("\"Gr\xc3\xb6\xc3\x9f" "e\"\n"), "q<Gr{C3}{B6}{C3}{9F}e>;$" },
	{ "binary fields", BYTES("\\x00ff,\\x,\"\\x00\"\n"), "u<\\x00ff>,u<\\x>,q<\\x00>;$" },
	{ "numbers", BYTES("-1.5e+300,NaN,-Infinity\n"), "u<-1.5e+300>,u<NaN>,u<-Infinity>;$" },
	{ "last record without newline", BYTES("1,\"a\"\n2,\"b\""),
	  "u<1>,q<a>;u<2>,q<b>;$" },
	{ "unquoted last field without newline", BYTES("1,2"), "u<1>,u<2>;$" },
	{ "quoted empty last without newline", BYTES("\"\""), "q<>;$" },
	{ "quote in an unquoted field", BYTES("ab\"c\n"), "!" },
	{ "quote at the end of an unquoted field", BYTES("1,ab\"\n"), "u<1>,!" },
	{ "quote ending the input unquoted", BYTES("a\""), "!" },
	{ "text after the closing quote", BYTES("\"ab\"c,d\n"), "!" },
	{ "blank after the closing quote", BYTES("1,\"ab\" \n"), "u<1>,!" },
	{ "CR after the closing quote", BYTES("\"ab\"\r\n"), "!" },
	{ "unterminated quote", BYTES("1,\"abc"), "u<1>,!" },
	{ "unterminated after a doubled quote", BYTES("\"abc\"\""), "!" },
	{ "lone quote", BYTES("\""), "!" },
	{ "unterminated over newlines", BYTES("\"a\nb\n"), "!" },
};

static void test_read_table(void)
{
	for (size_t i = 0; i < sizeof read_cases / sizeof read_cases[0]; i++) {
		const struct read_case *c = &read_cases[i];
		char *got = read_all(c->text, c->len, 0, 0);

		ofb_expect_str(c->name, got, c->fields, __LINE__);
		free(got);
	}
}

/* FORMAT.md: "a final record without newline" is read like one with it. */
static void test_read_trailing_null_without_newline(void)
{
	char *got = read_all(BYTES("a,"), 0, 0);

	ofb_expect_str("'a,' at the end of input", got, "u<a>,NULL;$", __LINE__);
	free(got);
	got = read_all(BYTES("1,\"x\"\n2,"), 0, 0);
	ofb_expect_str("second record 'a,' at the end of input", got, "u<1>,q<x>;u<2>,NULL;$",
		       __LINE__);
	free(got);
}

/* The same input in any pieces gives exactly the fields it gives whole. */
static void test_read_in_pieces(void)
{
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 64 };

	for (size_t i = 0; i < sizeof read_cases / sizeof read_cases[0]; i++) {
		const struct read_case *c = &read_cases[i];
		char *whole = read_all(c->text, c->len, 0, 0);
		int mismatches = 0;
		char what[160];

		for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
			for (int apart = 0; apart <= 1; apart++) {
				char *got = read_all(c->text, c->len, chunks[k], apart);
				if (strcmp(got, whole) != 0) {
					snprintf(what, sizeof what, "%s, pieces of %zu%s", c->name,
						 chunks[k], apart ? ", end fed apart" : "");
					ofb_expect_str(what, got, whole, __LINE__);
					mismatches++;
				}
				free(got);
			}
		}
		for (size_t pos = 0; pos <= c->len; pos++) {
			char *got = read_split(c->text, c->len, pos);
			if (strcmp(got, whole) != 0) {
				snprintf(what, sizeof what, "%s, split at %zu", c->name, pos);
				ofb_expect_str(what, got, whole, __LINE__);
				mismatches++;
			}
			free(got);
		}
		CU_ASSERT_EQUAL(mismatches, 0);
		free(whole);
	}
}

/* The places where streaming is tricky, one feed at a time. */
static void test_read_quote_at_feed_end(void)
{
	struct ofb_csv_reader r;
	struct ofb_csv_field f;
	struct buf out;

	buf_init(&out);
	ofb_csv_reader_init(&r);

	/* a closing quote as the last byte of a feed may still be half of a "" */
	ofb_csv_feed(&r, "\"ab\"", 4, 0);
	CU_ASSERT_EQUAL(ofb_csv_next(&r, &f), 0);
	ofb_csv_feed(&r, "\"c\",", 4, 0);
	CU_ASSERT_EQUAL(drain(&r, &out), 0);
	ofb_expect_str("doubled quote split across feeds", out.data, "q<ab\"c>,", __LINE__);

	/* a closing quote ends the feed, the separator comes with the next one */
	buf_reset(&out);
	ofb_csv_feed(&r, "\"x\"", 3, 0);
	CU_ASSERT_EQUAL(ofb_csv_next(&r, &f), 0);
	ofb_csv_feed(&r, "\n", 1, 0);
	CU_ASSERT_EQUAL(drain(&r, &out), 0);
	ofb_expect_str("closing quote, then newline", out.data, "q<x>;", __LINE__);

	/* a closing quote ends the feed and the input */
	buf_reset(&out);
	ofb_csv_feed(&r, "\"y\"", 3, 0);
	CU_ASSERT_EQUAL(ofb_csv_next(&r, &f), 0);
	ofb_csv_feed(&r, "", 0, 1);
	CU_ASSERT_EQUAL(drain(&r, &out), 0);
	ofb_expect_str("closing quote, then end of input", out.data, "q<y>;", __LINE__);
	ofb_csv_reader_free(&r);

	/* an unquoted field is not complete before its separator or the end */
	ofb_csv_reader_init(&r);
	ofb_csv_feed(&r, "12", 2, 0);
	CU_ASSERT_EQUAL(ofb_csv_next(&r, &f), 0);
	ofb_csv_feed(&r, "34", 2, 0);
	CU_ASSERT_EQUAL(ofb_csv_next(&r, &f), 0);
	ofb_csv_feed(&r, ",", 1, 0);
	CU_ASSERT_EQUAL_FATAL(ofb_csv_next(&r, &f), 1);
	expect_bytes("unquoted over three feeds", f.data, f.len, "1234", 4, __LINE__);
	CU_ASSERT_FALSE(f.quoted);
	CU_ASSERT_FALSE(f.last_in_record);

	/* an open quote at the end of a feed is not an error yet */
	ofb_csv_feed(&r, "\"a", 2, 0);
	CU_ASSERT_EQUAL(ofb_csv_next(&r, &f), 0);
	ofb_csv_feed(&r, "", 0, 1);
	CU_ASSERT_EQUAL(ofb_csv_next(&r, &f), -1);
	ofb_csv_reader_free(&r);
	buf_free(&out);
}

/* Fixed-seed xorshift: the same values every run, so a failure can be repeated. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* Bytes with the separators, quotes, line ends and NUL much more often than by chance. */
static char random_byte(uint64_t *state)
{
	static const char special[] = { '"', ',', '\n', '\r', '\0', '\\', ' ', 'x' };
	uint64_t r = next_random(state);

	if (r % 3 == 0)
		return special[(r >> 8) % sizeof special];
	return (char)(r >> 16);
}

struct expected_field {
	size_t start, len;   /* in the values buffer */
	int is_null;
	int last;
};

static void test_round_trip_random(void)
{
	uint64_t state = 0x9E3779B97F4A7C15u;
	int bad = 0, bad_count = 0, bad_rc = 0;

	for (int round = 0; round < 300; round++) {
		struct buf text, values;
		struct expected_field want[64];
		size_t n_want = 0, n_got = 0;
		size_t n_records = 1 + next_random(&state) % 4;
		size_t chunk = round % 3 == 0 ? 0 : 1 + next_random(&state) % 17;
		struct ofb_csv_reader r;
		struct ofb_csv_field f;
		size_t pos = 0;
		int rc = 0;

		buf_init(&text);
		buf_init(&values);
		for (size_t rec = 0; rec < n_records; rec++) {
			size_t n_fields = 1 + next_random(&state) % 6;
			for (size_t i = 0; i < n_fields; i++) {
				struct expected_field *e = &want[n_want++];
				size_t len = next_random(&state) % 40;
				e->start = values.len;
				e->is_null = next_random(&state) % 8 == 0;
				e->last = i + 1 == n_fields;
				if (i)
					buf_addc(&text, ',');
				if (!e->is_null) {
					for (size_t k = 0; k < len; k++)
						buf_addc(&values, random_byte(&state));
					ofb_csv_add_quoted(&text, values.data + e->start,
							   values.len - e->start);
				}
				e->len = values.len - e->start;
			}
			buf_addc(&text, '\n');
		}

		ofb_csv_reader_init(&r);
		if (chunk == 0)
			chunk = text.len;
		while (rc == 0 && pos < text.len) {
			size_t n = text.len - pos < chunk ? text.len - pos : chunk;
			ofb_csv_feed(&r, text.data + pos, n, pos + n == text.len);
			pos += n;
			while ((rc = ofb_csv_next(&r, &f)) == 1) {
				const struct expected_field *e;
				if (n_got >= n_want) {
					bad_count++;
					continue;
				}
				e = &want[n_got++];
				if (e->is_null ? (f.quoted || f.len != 0)
					       : (!f.quoted || f.len != e->len ||
						  memcmp(f.data, values.data + e->start, e->len) != 0))
					bad++;
				if (f.last_in_record != e->last)
					bad++;
			}
		}
		if (rc != 0)
			bad_rc++;
		if (n_got != n_want)
			bad_count++;
		ofb_csv_reader_free(&r);
		buf_free(&text);
		buf_free(&values);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(bad_count, 0);
	CU_ASSERT_EQUAL(bad_rc, 0);
}

/* A long field fed in pieces of every small size comes back whole. */
static void test_read_long_field(void)
{
	struct buf value, text;
	uint64_t state = 0x2545F4914F6CDD1Du;
	size_t chunk_sizes[] = { 1, 4093, 65536 };

	buf_init(&value);
	buf_init(&text);
	for (size_t i = 0; i < 20000; i++)
		buf_addc(&value, random_byte(&state));
	ofb_csv_add_quoted(&text, value.data, value.len);
	buf_adds(&text, ",\\x00\n");
	for (size_t k = 0; k < sizeof chunk_sizes / sizeof chunk_sizes[0]; k++) {
		struct ofb_csv_reader r;
		struct ofb_csv_field f;
		size_t pos = 0, n_fields = 0;
		int rc = 0, first_ok = 0, second_ok = 0;

		ofb_csv_reader_init(&r);
		while (rc == 0 && pos < text.len) {
			size_t n = text.len - pos < chunk_sizes[k] ? text.len - pos : chunk_sizes[k];
			ofb_csv_feed(&r, text.data + pos, n, pos + n == text.len);
			pos += n;
			while ((rc = ofb_csv_next(&r, &f)) == 1) {
				if (n_fields == 0)
					first_ok = f.quoted && !f.last_in_record && f.len == value.len &&
						   memcmp(f.data, value.data, value.len) == 0;
				else if (n_fields == 1)
					second_ok = !f.quoted && f.last_in_record && f.len == 4 &&
						    memcmp(f.data, "\\x00", 4) == 0;
				n_fields++;
			}
		}
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(n_fields, 2);
		CU_ASSERT(first_ok);
		CU_ASSERT(second_ok);
		ofb_csv_reader_free(&r);
	}
	buf_free(&value);
	buf_free(&text);
}

/* What the writer makes of a boolean must read back as one non-NULL field of its record,
 * whatever the engine stored (SQLite keeps any text in a BOOLEAN column). */
static void test_bool_stays_one_field(void)
{
	static const struct {
		const char *name;
		const char *value;
		size_t len;
	} cases[] = {
		{ "2", BYTES("2") },
		{ "empty text", BYTES("") },
		{ "text with a comma", BYTES("yes, sure") },
		{ "text with a quote", BYTES("a\"b") },
		{ "text with a newline", BYTES("x\ny") },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ofb_csv_reader r;
		struct ofb_csv_field f;
		struct buf line;
		size_t n_fields = 0;
		int rc, ok = 1, first_null = 0;
		char msg[256];

		buf_init(&line);
		ofb_csv_add_bool(&line, cases[i].value, cases[i].len);
		buf_addc(&line, '\n');
		ofb_csv_reader_init(&r);
		ofb_csv_feed(&r, line.data, line.len, 1);
		while ((rc = ofb_csv_next(&r, &f)) == 1) {
			if (n_fields++ == 0) {
				first_null = !f.quoted && f.len == 0;
				ok = !first_null && f.last_in_record;
			}
		}
		ok = ok && rc == 0 && n_fields == 1;
		snprintf(msg, sizeof msg, "boolean value '%s' is written as '%.*s' and reads back "
			 "as %zu field(s)%s%s", cases[i].name, (int)line.len - 1, line.data, n_fields,
			 first_null ? ", the first one NULL" : "", rc < 0 ? " and an error" : "");
		CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, __LINE__, msg, __FILE__, "",
					CU_FALSE);
		ofb_csv_reader_free(&r);
		buf_free(&line);
	}
}

int register_csv_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "add_escaped", test_add_escaped },
		{ "add_escaped in pieces", test_add_escaped_in_pieces },
		{ "add_quoted", test_add_quoted },
		{ "add_bool", test_add_bool },
		{ "add_bool keeps one field per value", test_bool_stays_one_field },
		{ "reader table", test_read_table },
		{ "reader: NULL last field without newline", test_read_trailing_null_without_newline },
		{ "reader: any pieces equal whole", test_read_in_pieces },
		{ "reader: quotes at feed ends", test_read_quote_at_feed_end },
		{ "reader: long field", test_read_long_field },
		{ "quoted round trip, random bytes", test_round_trip_random },
		{ NULL, NULL },
	};

	return ofb_add_suite("csv", tests);
}
