/* Unit tests for util.c, error.c and progress.c. */
#include <math.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "error.h"
#include "cli.h"
#include "progress.h"
#include "suites.h"
#include "util.h"

#define REPL 0xFFFD
#define REPL_UTF8 "\xEF\xBF\xBD"

/* ---- allocation and buffers ---- */

static void test_xstr(void)
{
	char *s;

	s = xstrndup("abcdef", 3);
	CU_ASSERT_STRING_EQUAL(s, "abc");
	free(s);
	s = xstrndup("ab", 10);
	CU_ASSERT_STRING_EQUAL(s, "ab");
	free(s);
	s = xstrdup("");
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	s = xasprintf("%d-%s-%c", 42, "x", 'y');
	CU_ASSERT_STRING_EQUAL(s, "42-x-y");
	free(s);
	s = xasprintf("%s", "");
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	s = xasprintf("%5000d", 7);
	CU_ASSERT_EQUAL(strlen(s), 5000);
	CU_ASSERT_EQUAL(s[4999], '7');
	free(s);
	s = xcalloc(0, 8);
	CU_ASSERT_PTR_NOT_NULL(s);
	free(s);
}

static void test_buf_growth(void)
{
	struct buf b;
	size_t i;
	int ok = 1;

	buf_init(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b.data);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	for (i = 0; i < 100000; i++) {
		buf_addc(&b, (char)('a' + i % 26));
		if (b.len != i + 1 || b.cap < b.len + 1 || b.data[b.len] != '\0')
			ok = 0;
	}
	CU_ASSERT(ok);
	for (i = 0; i < b.len; i++)
		if (b.data[i] != (char)('a' + i % 26))
			ok = 0;
	CU_ASSERT(ok);
	buf_reset(&b);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	buf_add(&b, "x\0y", 3);
	CU_ASSERT_EQUAL(b.len, 3);
	CU_ASSERT_EQUAL(memcmp(b.data, "x\0y", 4), 0);
	buf_free(&b);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	buf_free(&b);
}

static void test_buf_ops(void)
{
	struct buf b;
	struct buf zero = { 0 };
	char *s;

	buf_init(&b);
	buf_adds(&b, "hello");
	buf_addc(&b, ' ');
	buf_addf(&b, "%s %d", "world", 7);
	CU_ASSERT_STRING_EQUAL(b.data, "hello world 7");
	CU_ASSERT_EQUAL(b.len, 13);

	buf_consume(&b, 6);
	CU_ASSERT_STRING_EQUAL(b.data, "world 7");
	buf_consume(&b, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "world 7");
	buf_consume(&b, 100);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	CU_ASSERT_EQUAL(b.len, 0);

	/* appending the buffer's own contents while it has to grow */
	buf_adds(&b, "abc");
	for (int i = 0; i < 12; i++)
		buf_add(&b, b.data, b.len);
	CU_ASSERT_EQUAL(b.len, 3u << 12);
	CU_ASSERT_EQUAL(memcmp(b.data + b.len - 3, "abc", 4), 0);
	buf_reset(&b);
	buf_adds(&b, "xy");
	for (int i = 0; i < 10; i++)
		buf_addf(&b, "%s", b.data);
	CU_ASSERT_EQUAL(b.len, 2u << 10);
	CU_ASSERT_EQUAL(memcmp(b.data + b.len - 2, "xy", 3), 0);

	/* formatted text longer than any first guess */
	buf_reset(&b);
	buf_addf(&b, "<%3000s>", "z");
	CU_ASSERT_EQUAL(b.len, 3002);
	CU_ASSERT_EQUAL(b.data[3000], 'z');
	CU_ASSERT_EQUAL(b.data[3002], '\0');

	s = buf_detach(&b);
	CU_ASSERT_EQUAL(strlen(s), 3002);
	free(s);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	s = buf_detach(&b);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);

	buf_adds(&zero, "from zeroes");
	CU_ASSERT_STRING_EQUAL(zero.data, "from zeroes");
	buf_free(&zero);
	buf_free(&b);
}

static void test_hex(void)
{
	static const struct {
		const char *name;
		const char *bytes;
		size_t n;
		const char *hex;
	} cases[] = {
		{ "empty", "", 0, "" },
		{ "zero byte", "\x00", 1, "00" },
		{ "mixed", "\x01\xab\xff\x10", 4, "01abff10" },
		{ "text", "AZ", 2, "415a" },
		{ "all nibbles", "\x01\x23\x45\x67\x89\xab\xcd\xef", 8, "0123456789abcdef" },
	};
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(&b);
		buf_adds(&b, "\\x");
		buf_add_hex(&b, (const unsigned char *)cases[i].bytes, cases[i].n);
		CU_ASSERT_EQUAL(b.len, 2 + 2 * cases[i].n);
		CU_ASSERT_STRING_EQUAL(b.data + 2, cases[i].hex);
	}
	buf_free(&b);
}

static void test_casecmp(void)
{
	static const struct {
		const char *a, *b;
		int sign;
	} cases[] = {
		{ "abc", "ABC", 0 },
		{ "PostgreSQL", "postgresql", 0 },
		{ "", "", 0 },
		{ "abc", "abd", -1 },
		{ "B", "a", 1 },
		{ "a", "", 1 },
		{ "", "a", -1 },
		{ "ab", "abc", -1 },
		{ "\xc3\xa4", "\xc3\x84", 1 },   /* only ASCII letters fold */
		{ "[", "{", -1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = ascii_casecmp(cases[i].a, cases[i].b);
		int sign = (r > 0) - (r < 0);

		CU_ASSERT_EQUAL(sign, cases[i].sign);
	}
}

/* ---- UTF-8 and UTF-16 ---- */

struct utf_case {
	const char *name;
	const char *utf8;
	ofb_wchar units[8];
	size_t n;
};

static const struct utf_case round_trips[] = {
	{ "empty", "", { 0 }, 0 },
	{ "ascii", "abc", { 'a', 'b', 'c' }, 3 },
	{ "latin", "Gr\xc3\xb6\xc3\x9f" "e", { 'G', 'r', 0xF6, 0xDF, 'e' }, 5 },
	{ "U+0080", "\xc2\x80", { 0x80 }, 1 },
	{ "U+07FF", "\xdf\xbf", { 0x7FF }, 1 },
	{ "U+0800", "\xe0\xa0\x80", { 0x800 }, 1 },
	{ "euro", "\xe2\x82\xac", { 0x20AC }, 1 },
	{ "cjk", "\xe6\x97\xa5\xe6\x9c\xac", { 0x65E5, 0x672C }, 2 },
	{ "U+D7FF", "\xed\x9f\xbf", { 0xD7FF }, 1 },
	{ "U+E000", "\xee\x80\x80", { 0xE000 }, 1 },
	{ "U+FFFD itself", REPL_UTF8, { REPL }, 1 },
	{ "U+FFFF", "\xef\xbf\xbf", { 0xFFFF }, 1 },
	{ "U+10000", "\xf0\x90\x80\x80", { 0xD800, 0xDC00 }, 2 },
	{ "emoji", "\xf0\x9f\x98\x80", { 0xD83D, 0xDE00 }, 2 },
	{ "emoji in text", "a\xf0\x9f\x98\x80" "b", { 'a', 0xD83D, 0xDE00, 'b' }, 4 },
	{ "clef and family", "\xf0\x9d\x84\x9e\xf0\x9f\x91\xaa",
	  { 0xD834, 0xDD1E, 0xD83D, 0xDC6A }, 4 },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", { 0xDBFF, 0xDFFF }, 2 },
};

static void test_utf8_round_trip(void)
{
	for (size_t i = 0; i < sizeof round_trips / sizeof round_trips[0]; i++) {
		const struct utf_case *c = &round_trips[i];
		size_t n = 99;
		ofb_wchar *w = utf8_to_w(c->utf8, &n);
		char *back, *back_nul;

		CU_ASSERT_EQUAL(n, c->n);
		CU_ASSERT(n == c->n && memcmp(w, c->units, n * sizeof *w) == 0);
		CU_ASSERT_EQUAL(w[n], 0);
		back = w_to_utf8_dup(w, n);
		back_nul = w_to_utf8_dup(w, (size_t)-1);
		CU_ASSERT_STRING_EQUAL(back, c->utf8);
		CU_ASSERT_STRING_EQUAL(back_nul, c->utf8);
		CU_ASSERT(utf8_valid(c->utf8, strlen(c->utf8)));
		free(back_nul);
		free(back);
		free(w);
	}
}

/* Each broken piece (the longest start of a valid sequence, else one byte) is one U+FFFD. */
static const struct utf_case invalid_utf8[] = {
	{ "stray 0xff", "\xff", { REPL }, 1 },
	{ "lone continuation", "a\x80" "b", { 'a', REPL, 'b' }, 3 },
	{ "overlong slash", "\xc0\xaf", { REPL, REPL }, 2 },
	{ "overlong 2-byte", "\xc1\xbf", { REPL, REPL }, 2 },
	{ "overlong 3-byte", "\xe0\x80\xaf", { REPL, REPL, REPL }, 3 },
	{ "surrogate encoded", "\xed\xa0\x80", { REPL, REPL, REPL }, 3 },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", { REPL, REPL, REPL, REPL }, 4 },
	{ "lead 0xf5", "\xf5\x80", { REPL, REPL }, 2 },
	{ "truncated at end", "x\xe6\x97", { 'x', REPL }, 2 },
	{ "truncated 3 of 4", "\xf0\x9f\x98" "x", { REPL, 'x' }, 2 },
	{ "extra continuation", "\xf0\x9f\x98\x80\x80", { 0xD83D, 0xDE00, REPL }, 3 },
	{ "lead then lead", "\xc3\xc3\xa4", { REPL, 0xE4 }, 2 },
};

static void test_utf8_invalid(void)
{
	for (size_t i = 0; i < sizeof invalid_utf8 / sizeof invalid_utf8[0]; i++) {
		const struct utf_case *c = &invalid_utf8[i];
		size_t n = 99;
		ofb_wchar *w = utf8_to_w(c->utf8, &n);
		char *back;

		CU_ASSERT_EQUAL(n, c->n);
		CU_ASSERT(n == c->n && memcmp(w, c->units, n * sizeof *w) == 0);
		CU_ASSERT_FALSE(utf8_valid(c->utf8, strlen(c->utf8)));
		back = w_to_utf8_dup(w, n);
		CU_ASSERT(utf8_valid(back, strlen(back)));
		free(back);
		free(w);
	}
}

static void test_utf8_valid(void)
{
	static const struct {
		const char *s;
		size_t n;
		int valid;
	} cases[] = {
		{ "", 0, 1 },
		{ "a\0b", 3, 1 },
		{ "\xe2\x82\xac", 3, 1 },
		{ "\xe2\x82\xac", 2, 0 },    /* cut inside the character */
		{ "\xf0\x9f\x98\x80", 4, 1 },
		{ "\xf0\x9f\x98\x80", 3, 0 },
		{ "\xed\xbf\xbf", 3, 0 },
		{ "\xc2", 1, 0 },
		{ "\x7f", 1, 1 },
		{ "\xfe", 1, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CU_ASSERT_EQUAL(!!utf8_valid(cases[i].s, cases[i].n), cases[i].valid);
}

/* UTF-16 arriving in two chunks, as long values do from ODBC. */
static void test_w_to_utf8_chunks(void)
{
	static const struct {
		const char *name;
		ofb_wchar first[4];
		size_t n1;
		ofb_wchar second[4];
		size_t n2;
		uint32_t pending_between;
		const char *expect;
	} cases[] = {
		{ "pair split", { 'a', 0xD83D }, 2, { 0xDE00, 'b' }, 2, 0xD83D,
		  "a\xf0\x9f\x98\x80" "b" },
		{ "pair split, empty second start", { 0xD834 }, 1, { 0xDD1E }, 1, 0xD834,
		  "\xf0\x9d\x84\x9e" },
		{ "high then letter", { 0xD83D }, 1, { 'b' }, 1, 0xD83D, REPL_UTF8 "b" },
		{ "high then high", { 0xD83D }, 1, { 0xD83D, 0xDE00 }, 2, 0xD83D,
		  REPL_UTF8 "\xf0\x9f\x98\x80" },
		{ "lone low", { 'a' }, 1, { 0xDE00 }, 1, 0, "a" REPL_UTF8 },
		{ "no surrogates", { 'a', 0xE4 }, 2, { 0x20AC }, 1, 0, "a\xc3\xa4\xe2\x82\xac" },
		{ "nothing", { 0 }, 0, { 0 }, 0, 0, "" },
	};
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t pending = 0;

		buf_reset(&b);
		w_to_utf8(&b, cases[i].first, cases[i].n1, &pending);
		CU_ASSERT_EQUAL(pending, cases[i].pending_between);
		w_to_utf8(&b, cases[i].second, cases[i].n2, &pending);
		CU_ASSERT_EQUAL(pending, 0);
		CU_ASSERT_STRING_EQUAL(b.data, cases[i].expect);
	}
	buf_free(&b);
}

static void test_w_to_utf8_unpaired(void)
{
	static const ofb_wchar high_at_end[] = { 'a', 0xD83D };
	static const ofb_wchar low_inside[] = { 'a', 0xDE00, 'b' };
	static const ofb_wchar reversed[] = { 0xDE00, 0xD83D, 0 };
	static const ofb_wchar nul_ended[] = { 'G', 'r', 0xF6, 0xDF, 'e', 0, 'x' };
	uint32_t pending = 0;
	struct buf b;
	char *s;

	s = w_to_utf8_dup(high_at_end, 2);
	CU_ASSERT_STRING_EQUAL(s, "a" REPL_UTF8);
	free(s);
	s = w_to_utf8_dup(low_inside, 3);
	CU_ASSERT_STRING_EQUAL(s, "a" REPL_UTF8 "b");
	free(s);
	s = w_to_utf8_dup(reversed, (size_t)-1);
	CU_ASSERT_STRING_EQUAL(s, REPL_UTF8 REPL_UTF8);
	free(s);
	s = w_to_utf8_dup(nul_ended, (size_t)-1);
	CU_ASSERT_STRING_EQUAL(s, "Gr\xc3\xb6\xc3\x9f" "e");
	free(s);

	/* a value that ends on a high surrogate: the carry is flushed as U+FFFD */
	buf_init(&b);
	w_to_utf8(&b, high_at_end, 2, &pending);
	CU_ASSERT_EQUAL(pending, 0xD83D);
	CU_ASSERT_STRING_EQUAL(b.data, "a");
	w_to_utf8(&b, NULL, 0, &pending);
	CU_ASSERT_EQUAL(pending, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "a" REPL_UTF8);
	buf_free(&b);
}

/* ---- number text ---- */

/* Significant digits of a formatted number, not counting leading or trailing zeros. */
static int significant_digits(const char *text)
{
	char digits[64];
	size_t n = 0, first = 0;

	for (const char *p = text; *p && *p != 'e' && n < sizeof digits; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	while (first < n && digits[first] == '0')
		first++;
	while (n > first && digits[n - 1] == '0')
		n--;
	return (int)(n - first);
}

static void test_format_double_table(void)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 0.1, "0.1" },
		{ 0.3, "0.3" },
		{ 1e-300, "1e-300" },
		{ 5e-324, "5e-324" },
		{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
		{ 0.0, "0" },
		{ -0.0, "-0" },
		{ 1.0, "1" },
		{ -2.5, "-2.5" },
		{ 100.0, "100" },
		{ 123000.0, "123000" },
		{ 1e16, "1e+16" },
		{ 1e21, "1e+21" },
		{ 1e-5, "1e-05" },
		{ 0.0001, "0.0001" },
		{ 1.0 / 3.0, "0.3333333333333333" },
		{ 9007199254740993.0, "9007199254740992" },
		{ 123456789012345678.0, "123456789012345680" },
		{ 1.5e300, "1.5e+300" },
		{ -1e15, "-1e+15" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		format_double(out, sizeof out, cases[i].v);
		CU_ASSERT_STRING_EQUAL(out, cases[i].text);
	}
	format_double(out, sizeof out, NAN);
	CU_ASSERT_STRING_EQUAL(out, "NaN");
	format_double(out, sizeof out, -NAN);
	CU_ASSERT_STRING_EQUAL(out, "NaN");
	format_double(out, sizeof out, INFINITY);
	CU_ASSERT_STRING_EQUAL(out, "Infinity");
	format_double(out, sizeof out, -INFINITY);
	CU_ASSERT_STRING_EQUAL(out, "-Infinity");

	/* a short buffer gets a cut, terminated text */
	format_double(out, 4, 0.125);
	CU_ASSERT_STRING_EQUAL(out, "0.1");
}

static void test_format_float_table(void)
{
	static const struct {
		float v;
		const char *text;
	} cases[] = {
		{ 0.1f, "0.1" },
		{ 0.3f, "0.3" },
		{ 1e-45f, "1e-45" },
		{ 1.17549435e-38f, "1.1754944e-38" },
		{ 3.4028235e38f, "3.4028235e+38" },
		{ 0.0f, "0" },
		{ -0.0f, "-0" },
		{ 100.0f, "100" },
		{ 16777217.0f, "16777216" },
		{ 1e9f, "1e+09" },
		{ 1.5e10f, "1.5e+10" },
		{ 1.0f / 3.0f, "0.33333334" },
		{ -1.5f, "-1.5" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		format_float(out, sizeof out, cases[i].v);
		CU_ASSERT_STRING_EQUAL(out, cases[i].text);
	}
	format_float(out, sizeof out, NAN);
	CU_ASSERT_STRING_EQUAL(out, "NaN");
	format_float(out, sizeof out, INFINITY);
	CU_ASSERT_STRING_EQUAL(out, "Infinity");
	format_float(out, sizeof out, -INFINITY);
	CU_ASSERT_STRING_EQUAL(out, "-Infinity");
}

/* Fixed-seed xorshift: the same numbers every run, so a failure can be repeated. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static void test_format_double_random(void)
{
	uint64_t state = 0x9E3779B97F4A7C15u;
	int bad_round_trip = 0, not_shortest = 0, bad_special = 0;
	char out[32], fewer[400];

	for (int i = 0; i < 20000; i++) {
		uint64_t bits = next_random(&state);
		double v, back;
		int digits;

		/* half raw bit patterns (any exponent), half ordinary-sized values */
		if (i % 2)
			bits = (bits & 0x800FFFFFFFFFFFFFu) | ((uint64_t)(1023 + (int)(bits % 60) - 30) << 52);
		memcpy(&v, &bits, sizeof v);
		format_double(out, sizeof out, v);
		if (isnan(v) || isinf(v)) {
			bad_special += strcmp(out, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") != 0;
			continue;
		}
		back = strtod(out, NULL);
		if (memcmp(&back, &v, sizeof v) != 0)
			bad_round_trip++;
		digits = significant_digits(out);
		if (digits > 1) {
			snprintf(fewer, sizeof fewer, "%.*g", digits - 1, v);
			back = strtod(fewer, NULL);
			if (memcmp(&back, &v, sizeof v) == 0)
				not_shortest++;
		}
	}
	CU_ASSERT_EQUAL(bad_round_trip, 0);
	CU_ASSERT_EQUAL(not_shortest, 0);
	CU_ASSERT_EQUAL(bad_special, 0);
}

/* A whole number in exponent form, "-1.25e+06", written out ("-1250000") where that is
 * not longer, as the formatter's texts are. */
static void spelled_out(char *t)
{
	char *e = strstr(t, "e+"), plain[40];
	size_t len = 0, digits = 0;
	long exp10;

	if (!e)
		return;
	exp10 = strtol(e + 2, NULL, 10);
	for (char *p = t; p < e; p++)
		if (*p != '.')
			plain[len++] = *p;
	digits = len - (t[0] == '-');
	if ((size_t)exp10 + 1 < digits || (size_t)exp10 + 1 + (t[0] == '-') > strlen(t))
		return;   /* not a whole number, or longer written out */
	while (digits++ < (size_t)exp10 + 1)
		plain[len++] = '0';
	plain[len] = '\0';
	strcpy(t, plain);
}

/* The text is the one the definition gives: "%.*g" at the fewest digits that read back,
 * searched from one (the formatter gets there without a printf per precision). */
static void test_format_double_definition(void)
{
	uint64_t state = 0xD1B54A32D192ED03u;
	int differ = 0, compared = 0;
	char out[32], want[40];

	for (int i = 0; i < 20000; i++) {
		uint64_t bits = next_random(&state);
		double v, back;

		if (i % 3 == 0)
			bits = (bits & 0x800FFFFFFFFFFFFFu) | ((uint64_t)(1023 + (int)(bits % 60) - 30) << 52);
		memcpy(&v, &bits, sizeof v);
		if (i % 3 == 1)
			v = (double)(int64_t)(bits % 2000000) / (double)(1 + (bits >> 40) % 1000);
		if (i % 5 == 2) {   /* whole numbers with few digits and many zeros */
			v = (double)(bits % 1000);
			for (uint64_t z = bits >> 50 & 31; z > 0; z--)
				v *= 10;
		}
		if (isnan(v) || isinf(v))
			continue;
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(want, sizeof want, "%.*g", prec, v);
			back = strtod(want, NULL);
			if (memcmp(&back, &v, sizeof v) == 0)
				break;
		}
		spelled_out(want);
		format_double(out, sizeof out, v);
		compared++;
		differ += strcmp(out, want) != 0;
	}
	CU_ASSERT(compared > 15000);
	CU_ASSERT_EQUAL(differ, 0);
}

static void test_format_float_random(void)
{
	uint64_t state = 0x2545F4914F6CDD1Du;
	int bad_round_trip = 0, not_shortest = 0, bad_special = 0;
	char out[32], fewer[400];

	for (int i = 0; i < 20000; i++) {
		uint32_t bits = (uint32_t)next_random(&state);
		float v, back;
		int digits;

		memcpy(&v, &bits, sizeof v);
		format_float(out, sizeof out, v);
		if (isnan(v) || isinf(v)) {
			bad_special += strcmp(out, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") != 0;
			continue;
		}
		back = strtof(out, NULL);
		if (memcmp(&back, &v, sizeof v) != 0)
			bad_round_trip++;
		digits = significant_digits(out);
		if (digits > 1) {
			snprintf(fewer, sizeof fewer, "%.*g", digits - 1, (double)v);
			back = strtof(fewer, NULL);
			if (memcmp(&back, &v, sizeof v) == 0)
				not_shortest++;
		}
	}
	CU_ASSERT_EQUAL(bad_round_trip, 0);
	CU_ASSERT_EQUAL(not_shortest, 0);
	CU_ASSERT_EQUAL(bad_special, 0);
}

/* ---- error object ---- */

static void test_error_basic(void)
{
	struct ofb_error err;

	ofb_error_clear(&err);
	CU_ASSERT_EQUAL(err.set, 0);
	CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_FAILED);
	CU_ASSERT_STRING_EQUAL(err.msg, "");

	ofb_error_set(&err, "cannot open '%s': %s", "x.zip", "No such file or directory");
	CU_ASSERT_EQUAL(err.set, 1);
	CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_FAILED);
	CU_ASSERT_STRING_EQUAL(err.msg, "cannot open 'x.zip': No such file or directory");

	ofb_error_prefix(&err, "backup of client '%s'", "acme");
	CU_ASSERT_STRING_EQUAL(err.msg,
			       "backup of client 'acme': cannot open 'x.zip': No such file or directory");
	CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_FAILED);

	ofb_error_set(&err, "second");
	CU_ASSERT_STRING_EQUAL(err.msg, "second");

	ofb_error_usage(&err, "unknown option '%s'", "--frob");
	CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_USAGE);
	ofb_error_prefix(&err, "command line");
	CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(err.msg, "command line: unknown option '--frob'");

	ofb_error_clear(&err);
	ofb_error_prefix(&err, "context only");
	CU_ASSERT_EQUAL(err.set, 1);
	CU_ASSERT_STRING_EQUAL(err.msg, "context only");

	/* a zero-filled error object works without ofb_error_clear */
	struct ofb_error zero = { 0 };
	ofb_error_set(&zero, "x");
	CU_ASSERT_EQUAL(zero.exit_code, OFB_EXIT_FAILED);
}

static void test_error_self_reference(void)
{
	struct ofb_error err = { 0 };

	ofb_error_set(&err, "inner");
	ofb_error_set(&err, "outer (%s)", err.msg);
	CU_ASSERT_STRING_EQUAL(err.msg, "outer (inner)");
	ofb_error_prefix(&err, "[%s]", err.msg);
	CU_ASSERT_STRING_EQUAL(err.msg, "[outer (inner)]: outer (inner)");
}

static void test_error_subject_and_wrap(void)
{
	struct ofb_error err = { 0 }, cause = { 0 };

	ofb_error_errno(&cause, 28, "cannot write 'x'");
	memcpy(cause.sqlstate, "HY000", 6);
	ofb_error_about(&cause, "table 'orders'");
	ofb_error_about(&cause, "client 'acme'");
	CU_ASSERT_STRING_EQUAL(cause.subject, "table 'orders'");
	CU_ASSERT_STRING_EQUAL(cause.msg, "client 'acme': table 'orders': cannot write 'x': "
			       "No space left on device");

	ofb_error_usage(&err, "something earlier");
	ofb_error_wrap(&err, &cause, "restore");
	CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_FAILED);
	CU_ASSERT_EQUAL(err.sys_errno, 28);
	CU_ASSERT_STRING_EQUAL(err.sqlstate, "HY000");
	CU_ASSERT_STRING_EQUAL(err.subject, "table 'orders'");
	CU_ASSERT_STRING_EQUAL(err.msg, "restore: client 'acme': table 'orders': cannot write "
			       "'x': No space left on device");

	ofb_error_wrap(&err, &err, "again %d", 2);
	CU_ASSERT(strncmp(err.msg, "again 2: restore: ", 18) == 0);
	ofb_error_set(&err, "fresh");
	CU_ASSERT_STRING_EQUAL(err.subject, "");
}

static void test_error_truncation(void)
{
	struct ofb_error err = { 0 };
	char *long_text = xmalloc(3 * OFB_ERROR_MAX + 1);
	size_t len;

	memset(long_text, 'x', 3 * OFB_ERROR_MAX);
	long_text[3 * OFB_ERROR_MAX] = '\0';
	ofb_error_set(&err, "%s", long_text);
	CU_ASSERT_EQUAL(strlen(err.msg), OFB_ERROR_MAX - 1);

	/* two-byte characters at an odd offset: the cut must not split one */
	long_text[0] = '-';
	for (size_t i = 1; i + 1 < 3 * OFB_ERROR_MAX; i += 2)
		memcpy(long_text + i, "\xc3\xa4", 2);
	long_text[3 * OFB_ERROR_MAX - 1] = '\0';
	ofb_error_set(&err, "%s", long_text);
	len = strlen(err.msg);
	CU_ASSERT(len >= OFB_ERROR_MAX - 4 && len <= OFB_ERROR_MAX - 1);
	CU_ASSERT(utf8_valid(err.msg, len));
	ofb_error_prefix(&err, "ctx \xe2\x82\xac");
	len = strlen(err.msg);
	CU_ASSERT(len <= OFB_ERROR_MAX - 1);
	CU_ASSERT(utf8_valid(err.msg, len));
	CU_ASSERT_EQUAL(strncmp(err.msg, "ctx \xe2\x82\xac: -", 9), 0);

	ofb_error_set(&err, "short");
	ofb_error_prefix(&err, "%s", long_text);
	len = strlen(err.msg);
	CU_ASSERT(len <= OFB_ERROR_MAX - 1);
	CU_ASSERT(utf8_valid(err.msg, len));
	free(long_text);
}

/* ---- progress and messages ---- */

/* Run fn with stderr sent to a temporary file; returns what was written (malloc'd). */
static char *capture_stderr(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved;
	struct buf out;
	char chunk[512];
	size_t n;

	buf_init(&out);
	if (!tmp)
		return buf_detach(&out);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	for (;;) {
		n = fread(chunk, 1, sizeof chunk, tmp);
		if (n == 0)
			break;
		buf_add(&out, chunk, n);
	}
	fclose(tmp);
	return buf_detach(&out);
}

static void say_all(void)
{
	ofb_progress_update("table 'orders'", 10, 2048);
	ofb_info("info %d", 1);
	ofb_detail("detail %d", 2);
	ofb_warn("warn %d", 3);
	ofb_progress_done();
}

static void quiet_run(void)
{
	ofb_progress_init(OFB_QUIET);
	say_all();
}

static void normal_run(void)
{
	ofb_progress_init(OFB_NORMAL);
	say_all();
}

static void verbose_run(void)
{
	ofb_progress_init(OFB_VERBOSE);
	say_all();
}

static void long_run(void)
{
	char big[3000];

	ofb_progress_init(OFB_NORMAL);
	memset(big, 'm', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ofb_info("%s", big);
}

/* The cause's SQLSTATE and errno survive the contexts wrapped around it. */
static void test_error_cause(void)
{
	struct ofb_error err;

	ofb_error_clear(&err);
	ofb_error_errno(&err, ENOSPC, "cannot write '%s'", "x.zip");
	ofb_expect_long("errno", err.sys_errno, ENOSPC, __LINE__);
	ofb_error_prefix(&err, "client '%s'", "acme");
	ofb_expect_long("errno kept", err.sys_errno, ENOSPC, __LINE__);
	ofb_expect_true("message", strncmp(err.msg, "client 'acme': cannot write 'x.zip': ", 37) == 0,
			__LINE__);
	strcpy(err.sqlstate, "08001");
	ofb_error_prefix(&err, "login database");
	ofb_expect_str("sqlstate kept", err.sqlstate, "08001", __LINE__);
	ofb_error_set(&err, "new");
	ofb_expect_str("sqlstate reset", err.sqlstate, "", __LINE__);
	ofb_expect_long("errno reset", err.sys_errno, 0, __LINE__);
}

static enum ofb_msg_kind sunk_kind;
static char sunk_text[64];

static void sink(enum ofb_msg_kind kind, const char *text)
{
	sunk_kind = kind;
	snprintf(sunk_text, sizeof sunk_text, "%s", text);
}

static void test_progress_messages(void)
{
	enum ofb_verbosity before = ofb_progress_verbosity();
	char *s;

	/* library code hands every message to the one sink */
	ofb_set_message_sink(sink);
	ofb_progress_init(OFB_NORMAL);
	ofb_warn("w %d", 7);
	ofb_expect_long("sink kind", sunk_kind, OFB_MSG_WARNING, __LINE__);
	ofb_expect_str("sink text", sunk_text, "w 7", __LINE__);
	ofb_notice("n");
	ofb_expect_long("notice kind", sunk_kind, OFB_MSG_NOTICE, __LINE__);
	/* the CLI's sink prints them */
	ofb_set_message_sink(ofb_cli_print_message);

	/* stderr is a file here, so no progress line may appear in any of them */
	s = capture_stderr(quiet_run);
	CU_ASSERT_STRING_EQUAL(s, "warning: warn 3\n");
	free(s);
	CU_ASSERT_EQUAL(ofb_progress_verbosity(), OFB_QUIET);
	s = capture_stderr(normal_run);
	CU_ASSERT_STRING_EQUAL(s, "info 1\nwarning: warn 3\n");
	free(s);
	s = capture_stderr(verbose_run);
	CU_ASSERT_STRING_EQUAL(s, "info 1\ndetail 2\nwarning: warn 3\n");
	free(s);
	s = capture_stderr(long_run);
	CU_ASSERT_EQUAL(strlen(s), 3000);
	CU_ASSERT_EQUAL(s[2999], '\n');
	free(s);
	ofb_progress_init(before);
}


static void test_raw_names(void)
{
	static const struct {
		const char *name, *text;
	} cases[] = {
		{ "caf\xe9.txt", "caf%E9.txt" },
		{ "100%\xff/x", "100%25%FF/x" },
		{ "plain", "plain" },
	};
	static const char *const bad[] = { "%", "%4", "%4g", "%00", "a\x01b", "\xc3\xa9", NULL };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = ofb_raw_name_encode(cases[i].name), *back = ofb_raw_name_decode(text);
		ofb_expect_str("encode", text, cases[i].text, __LINE__);
		ofb_expect_str("decode", back, cases[i].name, __LINE__);
		free(text);
		free(back);
	}
	for (size_t i = 0; bad[i]; i++)
		ofb_expect_true(bad[i], ofb_raw_name_decode(bad[i]) == NULL, __LINE__);
}

int register_util_tests(void)
{
	static const struct ofb_test util_tests[] = {
		{ "x* allocators", test_xstr },
		{ "buf growth", test_buf_growth },
		{ "buf operations", test_buf_ops },
		{ "hex", test_hex },
		{ "ascii_casecmp", test_casecmp },
		{ "UTF-8 <-> UTF-16 round trips", test_utf8_round_trip },
		{ "invalid UTF-8", test_utf8_invalid },
		{ "utf8_valid", test_utf8_valid },
		{ "UTF-16 in chunks", test_w_to_utf8_chunks },
		{ "unpaired surrogates", test_w_to_utf8_unpaired },
		{ "format_double table", test_format_double_table },
		{ "format_float table", test_format_float_table },
		{ "format_double random", test_format_double_random },
		{ "format_double as defined", test_format_double_definition },
		{ "format_float random", test_format_float_random },
		{ "raw file names", test_raw_names },
		{ NULL, NULL },
	};
	static const struct ofb_test error_tests[] = {
		{ "set, prefix, usage, clear", test_error_basic },
		{ "arguments from the message", test_error_self_reference },
		{ "subject and wrapped cause", test_error_subject_and_wrap },
		{ "truncation", test_error_truncation },
		{ "cause: SQLSTATE and errno", test_error_cause },
		{ NULL, NULL },
	};
	static const struct ofb_test progress_tests[] = {
		{ "messages by verbosity", test_progress_messages },
		{ NULL, NULL },
	};

	if (ofb_add_suite("util", util_tests) != 0 ||
	    ofb_add_suite("error", error_tests) != 0 ||
	    ofb_add_suite("progress", progress_tests) != 0)
		return -1;
	return 0;
}
