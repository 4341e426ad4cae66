/* Unit tests for schema.c (portable types, schema.json) and the table entry names of dump.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>
#include <sql.h>
#include <sqlext.h>

#include "catalog.h"
#include "schema_json.h"
#include "dump.h"
#include "schema.h"
#include "suites.h"
#include "util.h"

/* ---- portable type names and encodings ---- */

/* docs/FORMAT.md, "Portable types": name and CSV encoding of every type. */
static const struct {
	enum ofb_ptype type;
	const char *name;
	enum ofb_encoding enc;
} format_types[] = {
	{ OFB_T_BOOLEAN, "boolean", OFB_ENC_BOOL },
	{ OFB_T_SMALLINT, "smallint", OFB_ENC_NUMBER },
	{ OFB_T_INTEGER, "integer", OFB_ENC_NUMBER },
	{ OFB_T_BIGINT, "bigint", OFB_ENC_NUMBER },
	{ OFB_T_DECIMAL, "decimal", OFB_ENC_NUMBER },
	{ OFB_T_REAL, "real", OFB_ENC_FLOAT },
	{ OFB_T_DOUBLE, "double", OFB_ENC_FLOAT },
	{ OFB_T_CHAR, "char", OFB_ENC_TEXT },
	{ OFB_T_VARCHAR, "varchar", OFB_ENC_TEXT },
	{ OFB_T_TEXT, "text", OFB_ENC_TEXT },
	{ OFB_T_BINARY, "binary", OFB_ENC_BINARY },
	{ OFB_T_VARBINARY, "varbinary", OFB_ENC_BINARY },
	{ OFB_T_BLOB, "blob", OFB_ENC_BINARY },
	{ OFB_T_DATE, "date", OFB_ENC_TEXT },
	{ OFB_T_TIME, "time", OFB_ENC_TEXT },
	{ OFB_T_TIMESTAMP, "timestamp", OFB_ENC_TEXT },
	{ OFB_T_TIMESTAMPTZ, "timestamptz", OFB_ENC_TEXT },
	{ OFB_T_UUID, "uuid", OFB_ENC_TEXT },
	{ OFB_T_OTHER, "other", OFB_ENC_TEXT },
};

#define N_FORMAT_TYPES (sizeof format_types / sizeof format_types[0])

static void test_ptype_names(void)
{
	/* every enum value is in the table, once */
	CU_ASSERT_EQUAL(N_FORMAT_TYPES, (size_t)OFB_T_OTHER + 1);
	for (size_t i = 0; i < N_FORMAT_TYPES; i++) {
		enum ofb_ptype back = OFB_T_OTHER;

		CU_ASSERT_EQUAL(format_types[i].type, (enum ofb_ptype)i);
		ofb_expect_str("ofb_ptype_name", ofb_ptype_name(format_types[i].type),
			       format_types[i].name, __LINE__);
		CU_ASSERT_EQUAL(ofb_ptype_parse(format_types[i].name, &back), 0);
		ofb_expect_long(format_types[i].name, back, format_types[i].type, __LINE__);
	}
	/* names are distinct */
	for (size_t i = 0; i < N_FORMAT_TYPES; i++)
		for (size_t j = i + 1; j < N_FORMAT_TYPES; j++)
			CU_ASSERT(strcmp(ofb_ptype_name((enum ofb_ptype)i),
					 ofb_ptype_name((enum ofb_ptype)j)) != 0);
}

static void test_ptype_parse_unknown(void)
{
	static const char *const unknown[] = {
		"", "int", "bool", "float", "numeric", "string", "clob", "datetime",
		"Boolean", "INTEGER", "Text", " text", "text ", "varchar(10)", "decimal(12,4)",
		"timestamp with time zone", "uuid\n", "othe", "otherwise",
	};

	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		enum ofb_ptype t = OFB_T_DATE;
		char what[64];

		snprintf(what, sizeof what, "ofb_ptype_parse('%s')", unknown[i]);
		ofb_expect_long(what, ofb_ptype_parse(unknown[i], &t), -1, __LINE__);
	}
	/* a value outside the enum still gets a name a reader understands */
	ofb_expect_str("name of an out-of-range type", ofb_ptype_name((enum ofb_ptype)99), "other",
		       __LINE__);
}

static void test_ptype_encoding(void)
{
	for (size_t i = 0; i < N_FORMAT_TYPES; i++)
		ofb_expect_long(format_types[i].name, ofb_ptype_encoding(format_types[i].type),
				format_types[i].enc, __LINE__);
}

/* ---- ODBC types to portable types ---- */

struct sql_case {
	const char *name;
	int sql_type;
	long size;
	int digits;
	enum ofb_ptype type;
	long length;
	int precision;
	int scale;
};

static const struct sql_case sql_cases[] = {
	{ "SQL_BIT", SQL_BIT, 1, 0, OFB_T_BOOLEAN, 0, 0, 0 },
	{ "SQL_TINYINT", SQL_TINYINT, 3, 0, OFB_T_SMALLINT, 0, 0, 0 },
	{ "SQL_SMALLINT", SQL_SMALLINT, 5, 0, OFB_T_SMALLINT, 0, 0, 0 },
	{ "SQL_INTEGER", SQL_INTEGER, 10, 0, OFB_T_INTEGER, 0, 0, 0 },
	{ "SQL_BIGINT", SQL_BIGINT, 19, 0, OFB_T_BIGINT, 0, 0, 0 },
	{ "SQL_DECIMAL 12,4", SQL_DECIMAL, 12, 4, OFB_T_DECIMAL, 0, 12, 4 },
	{ "SQL_NUMERIC 38,0", SQL_NUMERIC, 38, 0, OFB_T_DECIMAL, 0, 38, 0 },
	{ "SQL_NUMERIC 1000,500", SQL_NUMERIC, 1000, 500, OFB_T_DECIMAL, 0, 1000, 500 },
	{ "SQL_NUMERIC unknown", SQL_NUMERIC, 0, 0, OFB_T_DECIMAL, 0, 0, 0 },
	{ "SQL_NUMERIC negative digits", SQL_NUMERIC, 10, -2, OFB_T_DECIMAL, 0, 10, 0 },
	{ "SQL_REAL", SQL_REAL, 24, 0, OFB_T_REAL, 0, 0, 0 },
	{ "SQL_FLOAT", SQL_FLOAT, 53, 0, OFB_T_DOUBLE, 0, 0, 0 },
	{ "SQL_DOUBLE", SQL_DOUBLE, 53, 0, OFB_T_DOUBLE, 0, 0, 0 },
	{ "SQL_CHAR", SQL_CHAR, 10, 0, OFB_T_CHAR, 10, 0, 0 },
	{ "SQL_CHAR size 0", SQL_CHAR, 0, 0, OFB_T_CHAR, 0, 0, 0 },
	{ "SQL_WCHAR", SQL_WCHAR, 36, 0, OFB_T_CHAR, 36, 0, 0 },
	{ "SQL_VARCHAR", SQL_VARCHAR, 40, 0, OFB_T_VARCHAR, 40, 0, 0 },
	{ "SQL_VARCHAR size 1", SQL_VARCHAR, 1, 0, OFB_T_VARCHAR, 1, 0, 0 },
	{ "SQL_VARCHAR size 0", SQL_VARCHAR, 0, 0, OFB_T_TEXT, 0, 0, 0 },
	{ "SQL_VARCHAR size -4", SQL_VARCHAR, -4, 0, OFB_T_TEXT, 0, 0, 0 },
	{ "SQL_VARCHAR size 2^30-1", SQL_VARCHAR, (1L << 30) - 1, 0, OFB_T_VARCHAR,
	  (1L << 30) - 1, 0, 0 },
	{ "SQL_VARCHAR size 2^30", SQL_VARCHAR, 1L << 30, 0, OFB_T_TEXT, 0, 0, 0 },
	{ "SQL_VARCHAR size 2^31-1", SQL_VARCHAR, 2147483647L, 0, OFB_T_TEXT, 0, 0, 0 },
	{ "SQL_WVARCHAR", SQL_WVARCHAR, 4000, 0, OFB_T_VARCHAR, 4000, 0, 0 },
	{ "SQL_WVARCHAR size 0", SQL_WVARCHAR, 0, 0, OFB_T_TEXT, 0, 0, 0 },
	{ "SQL_WVARCHAR size 2^30", SQL_WVARCHAR, 1L << 30, 0, OFB_T_TEXT, 0, 0, 0 },
	{ "SQL_LONGVARCHAR", SQL_LONGVARCHAR, 65535, 0, OFB_T_TEXT, 0, 0, 0 },
	{ "SQL_WLONGVARCHAR", SQL_WLONGVARCHAR, 1073741823, 0, OFB_T_TEXT, 0, 0, 0 },
	{ "SQL_BINARY", SQL_BINARY, 16, 0, OFB_T_BINARY, 16, 0, 0 },
	{ "SQL_BINARY size 0", SQL_BINARY, 0, 0, OFB_T_BLOB, 0, 0, 0 },
	{ "SQL_VARBINARY", SQL_VARBINARY, 100, 0, OFB_T_VARBINARY, 100, 0, 0 },
	{ "SQL_VARBINARY size 0", SQL_VARBINARY, 0, 0, OFB_T_BLOB, 0, 0, 0 },
	{ "SQL_VARBINARY size 2^30", SQL_VARBINARY, 1L << 30, 0, OFB_T_BLOB, 0, 0, 0 },
	{ "SQL_LONGVARBINARY", SQL_LONGVARBINARY, 2147483647L, 0, OFB_T_BLOB, 0, 0, 0 },
	{ "SQL_TYPE_DATE", SQL_TYPE_DATE, 10, 0, OFB_T_DATE, 0, 0, 0 },
	{ "SQL_DATE (ODBC 2)", SQL_DATE, 10, 0, OFB_T_DATE, 0, 0, 0 },
	{ "SQL_TYPE_TIME", SQL_TYPE_TIME, 12, 3, OFB_T_TIME, 0, 0, 3 },
	{ "SQL_TIME (ODBC 2)", SQL_TIME, 8, 0, OFB_T_TIME, 0, 0, 0 },
	{ "SQL_TYPE_TIMESTAMP", SQL_TYPE_TIMESTAMP, 26, 6, OFB_T_TIMESTAMP, 0, 0, 6 },
	{ "SQL_TYPE_TIMESTAMP 9 digits", SQL_TYPE_TIMESTAMP, 29, 9, OFB_T_TIMESTAMP, 0, 0, 9 },
	{ "SQL_TYPE_TIMESTAMP no digits", SQL_TYPE_TIMESTAMP, 19, -1, OFB_T_TIMESTAMP, 0, 0, 0 },
	{ "SQL_TIMESTAMP (ODBC 2)", SQL_TIMESTAMP, 23, 3, OFB_T_TIMESTAMP, 0, 0, 3 },
	{ "SQL_GUID", SQL_GUID, 36, 0, OFB_T_UUID, 0, 0, 0 },
	{ "unknown code", 12345, 10, 2, OFB_T_OTHER, 0, 0, 0 },
	{ "SQL_INTERVAL_DAY", SQL_INTERVAL_DAY, 10, 0, OFB_T_OTHER, 0, 0, 0 },
	{ "SQL_UNKNOWN_TYPE", SQL_UNKNOWN_TYPE, 0, 0, OFB_T_OTHER, 0, 0, 0 },
};

static void test_column_from_sql(void)
{
	for (size_t i = 0; i < sizeof sql_cases / sizeof sql_cases[0]; i++) {
		const struct sql_case *c = &sql_cases[i];
		struct ofb_column col;
		char what[96];

		/* stale attributes from an earlier use must not survive */
		memset(&col, 0, sizeof col);
		col.length = 777;
		col.precision = 55;
		col.scale = 44;
		col.type = OFB_T_UUID;
		ofb_column_set_from_sql(&col, c->sql_type, c->size, c->digits);
		snprintf(what, sizeof what, "%s: type", c->name);
		ofb_expect_str(what, ofb_ptype_name(col.type), ofb_ptype_name(c->type), __LINE__);
		snprintf(what, sizeof what, "%s: length", c->name);
		ofb_expect_long(what, col.length, c->length, __LINE__);
		snprintf(what, sizeof what, "%s: precision", c->name);
		ofb_expect_long(what, col.precision, c->precision, __LINE__);
		snprintf(what, sizeof what, "%s: scale", c->name);
		ofb_expect_long(what, col.scale, c->scale, __LINE__);
		snprintf(what, sizeof what, "%s: sql_type", c->name);
		ofb_expect_long(what, col.sql_type, c->sql_type, __LINE__);
	}
}

static void test_portable_decl(void)
{
	static const struct {
		enum ofb_ptype type;
		long length;
		int precision, scale;
		const char *decl;
	} cases[] = {
		{ OFB_T_BOOLEAN, 0, 0, 0, "boolean" },
		{ OFB_T_SMALLINT, 0, 0, 0, "smallint" },
		{ OFB_T_INTEGER, 0, 0, 0, "integer" },
		{ OFB_T_BIGINT, 0, 0, 0, "bigint" },
		{ OFB_T_DECIMAL, 0, 12, 4, "decimal(12,4)" },
		{ OFB_T_DECIMAL, 0, 0, 0, "decimal(0,0)" },
		{ OFB_T_REAL, 0, 0, 0, "real" },
		{ OFB_T_DOUBLE, 0, 0, 0, "double" },
		{ OFB_T_CHAR, 10, 0, 0, "char(10)" },
		{ OFB_T_VARCHAR, 40, 0, 0, "varchar(40)" },
		{ OFB_T_VARCHAR, (1L << 30) - 1, 0, 0, "varchar(1073741823)" },
		{ OFB_T_TEXT, 0, 0, 0, "text" },
		{ OFB_T_BINARY, 16, 0, 0, "binary(16)" },
		{ OFB_T_VARBINARY, 100, 0, 0, "varbinary(100)" },
		{ OFB_T_BLOB, 0, 0, 0, "blob" },
		{ OFB_T_DATE, 0, 0, 0, "date" },
		{ OFB_T_TIME, 0, 0, 3, "time(3)" },
		{ OFB_T_TIMESTAMP, 0, 0, 6, "timestamp(6)" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 0, "timestamptz(0)" },
		{ OFB_T_UUID, 0, 0, 0, "uuid" },
		{ OFB_T_OTHER, 0, 0, 0, "other" },
		/* attributes of other types do not show */
		{ OFB_T_TEXT, 99, 9, 9, "text" },
		{ OFB_T_INTEGER, 4, 10, 0, "integer" },
	};
	char out[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ofb_column col = { 0 };

		col.type = cases[i].type;
		col.length = cases[i].length;
		col.precision = cases[i].precision;
		col.scale = cases[i].scale;
		memset(out, 'X', sizeof out);
		ofb_column_portable_decl(&col, out, sizeof out);
		ofb_expect_str(ofb_ptype_name(col.type), out, cases[i].decl, __LINE__);
	}
	/* a short buffer gets a cut, terminated text */
	{
		struct ofb_column col = { 0 };
		col.type = OFB_T_DECIMAL;
		col.precision = 12;
		col.scale = 4;
		memset(out, 'X', sizeof out);
		ofb_column_portable_decl(&col, out, 5);
		CU_ASSERT_STRING_EQUAL(out, "deci");
		CU_ASSERT_EQUAL(out[5], 'X');
	}
}

/* ---- table entry names ---- */

static void test_entry_name_table(void)
{
	static const struct {
		const char *table;
		const char *entry;
	} cases[] = {
		{ "orders", "clients/acme/db/data/orders.csv" },
		{ "Order_Items-2", "clients/acme/db/data/Order_Items-2.csv" },
		{ "order items", "clients/acme/db/data/order%20items.csv" },
		{ "a.b", "clients/acme/db/data/a.b.csv" },
		{ ".hidden", "clients/acme/db/data/%2Ehidden.csv" },
		{ "..", "clients/acme/db/data/%2E..csv" },
		{ "a/b", "clients/acme/db/data/a%2Fb.csv" },
		{ "a\\b", "clients/acme/db/data/a%5Cb.csv" },
		{ "c:d", "clients/acme/db/data/c%3Ad.csv" },
		{ "100%", "clients/acme/db/data/100%25.csv" },
		{ "a~2", "clients/acme/db/data/a%7E2.csv" },
		{ "x\"y*?<>|", "clients/acme/db/data/x%22y%2A%3F%3C%3E%7C.csv" },
		{ "Gr\xc3\xb6\xc3\x9f" "e", "clients/acme/db/data/Gr%C3%B6%C3%9Fe.csv" },
		{ "\xe2\x82\xac", "clients/acme/db/data/%E2%82%AC.csv" },
		{ "tab\there", "clients/acme/db/data/tab%09here.csv" },
		{ "\x7f", "clients/acme/db/data/%7F.csv" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *e = ofb_table_entry_name("clients/acme/db/", cases[i].table, NULL, 0);

		ofb_expect_str(cases[i].table, e, cases[i].entry, __LINE__);
		free(e);
	}
	{
		char *e = ofb_table_entry_name("login/", "clients", NULL, 0);
		CU_ASSERT_STRING_EQUAL(e, "login/data/clients.csv");
		free(e);
	}
}

/* Every byte value, alone, first and inside a name: the file name part uses only safe
 * characters, never starts with a dot, and decodes back to the table name. */
static void test_entry_name_every_byte(void)
{
	static const char prefix[] = "f/data/";
	int unsafe = 0, leading_dot = 0, not_decoded = 0;

	for (int b = 1; b < 256; b++) {
		for (int shape = 0; shape < 3; shape++) {
			char table[8], decoded[32];
			size_t n = 0, stem_len;
			char *e, *stem;

			if (shape == 0)
				snprintf(table, sizeof table, "%c", b);
			else if (shape == 1)
				snprintf(table, sizeof table, "%cz", b);
			else
				snprintf(table, sizeof table, "a%cz", b);
			e = ofb_table_entry_name("f/", table, NULL, 0);
			if (strncmp(e, prefix, sizeof prefix - 1) != 0 ||
			    strlen(e) < sizeof prefix - 1 + 4 ||
			    strcmp(e + strlen(e) - 4, ".csv") != 0) {
				not_decoded++;
				free(e);
				continue;
			}
			stem = e + sizeof prefix - 1;
			stem_len = strlen(stem) - 4;
			if (stem[0] == '.')
				leading_dot++;
			for (size_t i = 0; i < stem_len; i++) {
				char c = stem[i];
				if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
				      c == '%'))
					unsafe++;
				if (c == '%' && i + 2 < stem_len && ofb_hex_digit(stem[i + 1]) >= 0 &&
				    ofb_hex_digit(stem[i + 2]) >= 0) {
					decoded[n++] = (char)(ofb_hex_digit(stem[i + 1]) * 16 +
							      ofb_hex_digit(stem[i + 2]));
					i += 2;
				} else if (n < sizeof decoded - 1) {
					decoded[n++] = c;
				}
			}
			decoded[n] = '\0';
			if (strcmp(decoded, table) != 0)
				not_decoded++;
			free(e);
		}
	}
	CU_ASSERT_EQUAL(unsafe, 0);
	CU_ASSERT_EQUAL(leading_dot, 0);
	CU_ASSERT_EQUAL(not_decoded, 0);
}

/* Names are handed out in table-name order, each seeing the entries made before it. */
static void check_entry_sequence(const char *what, const char *const *tables, size_t n,
				 const char *const *want, unsigned line)
{
	char **taken = xcalloc(n, sizeof *taken);

	for (size_t i = 0; i < n; i++) {
		char label[128];

		taken[i] = ofb_table_entry_name("db/", tables[i], taken, i);
		snprintf(label, sizeof label, "%s, table '%s'", what, tables[i]);
		ofb_expect_str(label, taken[i], want[i], line);
	}
	for (size_t i = 0; i < n; i++)
		free(taken[i]);
	free(taken);
}

static void test_entry_name_case_collisions(void)
{
	static const char *const three[] = { "ORDER", "Order", "order" };
	static const char *const three_want[] = {
		"db/data/ORDER.csv", "db/data/Order~2.csv", "db/data/order~3.csv"
	};
	static const char *const apart[] = { "A", "B", "C", "a", "b" };
	static const char *const apart_want[] = {
		"db/data/A.csv", "db/data/B.csv", "db/data/C.csv", "db/data/a~2.csv",
		"db/data/b~2.csv"
	};
	static const char *const distinct[] = { "a b", "a_b", "a-b", "a.b", "ab" };
	static const char *const distinct_want[] = {
		"db/data/a%20b.csv", "db/data/a_b.csv", "db/data/a-b.csv", "db/data/a.b.csv",
		"db/data/ab.csv"
	};
	/* only ASCII letters fold: the escapes of a and A with umlaut differ anyway */
	static const char *const umlauts[] = { "\xc3\x84", "\xc3\xa4" };
	static const char *const umlauts_want[] = { "db/data/%C3%84.csv", "db/data/%C3%A4.csv" };
	static const char *const escaped[] = { "X y", "x Y", "x y" };
	static const char *const escaped_want[] = {
		"db/data/X%20y.csv", "db/data/x%20Y~2.csv", "db/data/x%20y~3.csv"
	};

	check_entry_sequence("three spellings", three, 3, three_want, __LINE__);
	check_entry_sequence("collisions apart", apart, 5, apart_want, __LINE__);
	check_entry_sequence("no collision", distinct, 5, distinct_want, __LINE__);
	check_entry_sequence("umlauts", umlauts, 2, umlauts_want, __LINE__);
	check_entry_sequence("with escapes", escaped, 3, escaped_want, __LINE__);

	/* ten spellings of one name: ~2 ... ~10, none of them equal ignoring case */
	{
		static const char *const many[] = {
			"AB", "Ab", "aB", "ab", "AB ", "ab ", "Ab ", "aB ", "ab_", "AB_"
		};
		char **taken = xcalloc(10, sizeof *taken);
		int clashes = 0;

		for (size_t i = 0; i < 10; i++)
			taken[i] = ofb_table_entry_name("db/", many[i], taken, i);
		ofb_expect_str("4th spelling", taken[3], "db/data/ab~4.csv", __LINE__);
		ofb_expect_str("last spelling", taken[9], "db/data/AB_~2.csv", __LINE__);
		for (size_t i = 0; i < 10; i++)
			for (size_t j = i + 1; j < 10; j++)
				clashes += ascii_casecmp(taken[i], taken[j]) == 0;
		CU_ASSERT_EQUAL(clashes, 0);
		for (size_t i = 0; i < 10; i++)
			free(taken[i]);
		free(taken);
	}
}

/* ---- schema.json ---- */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void set_column(struct ofb_column *c, const char *name, enum ofb_ptype type,
		       long length, int precision, int scale, const char *native, int sql_type,
		       int nullable, const char *def, int identity)
{
	c->name = xstrdup(name);
	c->type = type;
	c->length = length;
	c->precision = precision;
	c->scale = scale;
	c->native_type = xstrdup(native);
	c->sql_type = sql_type;
	c->nullable = nullable;
	c->default_value = dup_or_null(def);
	c->identity = identity;
}

static char **names(size_t n, const char *a, const char *b)
{
	char **v = xcalloc(n, sizeof *v);

	v[0] = xstrdup(a);
	if (n > 1)
		v[1] = xstrdup(b);
	return v;
}

/* Two tables as a PostgreSQL database would describe them. */
static void build_schema(struct ofb_schema *s)
{
	struct ofb_table *t;

	memset(s, 0, sizeof *s);
	s->engine = xstrdup("postgresql");
	s->dbms_name = xstrdup("PostgreSQL");
	s->dbms_version = xstrdup("15.18");
	s->database = xstrdup("public");
	s->n_tables = 2;
	s->tables = xcalloc(2, sizeof *s->tables);

	t = &s->tables[0];
	t->name = xstrdup("customer");
	t->entry = xstrdup("clients/acme/db/data/customer.csv");
	t->n_columns = 2;
	t->columns = xcalloc(2, sizeof *t->columns);
	set_column(&t->columns[0], "id", OFB_T_BIGINT, 0, 0, 0, "int8", SQL_BIGINT, 0, NULL, 0);
	set_column(&t->columns[1], "name \xc3\xa4", OFB_T_VARCHAR, 40, 0, 0, "varchar",
		   SQL_VARCHAR, 1, "'n/a'::character varying", 0);
	t->primary_key = xcalloc(1, sizeof *t->primary_key);
	t->primary_key->name = xstrdup("customer_pkey");
	t->primary_key->unique = 1;
	t->primary_key->n_columns = 1;
	t->primary_key->columns = names(1, "id", NULL);
	t->native_ddl = NULL;
	t->identity_column = NULL;

	t = &s->tables[1];
	t->name = xstrdup("order");
	t->entry = xstrdup("clients/acme/db/data/order.csv");
	t->n_columns = 5;
	t->columns = xcalloc(5, sizeof *t->columns);
	set_column(&t->columns[0], "id", OFB_T_INTEGER, 0, 0, 0, "int4", SQL_INTEGER, 0,
		   "nextval('order_id_seq'::regclass)", 1);
	set_column(&t->columns[1], "amount", OFB_T_DECIMAL, 0, 12, 4, "numeric", SQL_NUMERIC, 1,
		   NULL, 0);
	set_column(&t->columns[2], "no", OFB_T_VARCHAR, 20, 0, 0, "varchar", SQL_VARCHAR, 0, NULL,
		   0);
	set_column(&t->columns[3], "created", OFB_T_TIMESTAMPTZ, 0, 0, 6, "timestamptz",
		   SQL_TYPE_TIMESTAMP, 0, "now()", 0);
	set_column(&t->columns[4], "customer_id", OFB_T_BIGINT, 0, 0, 0, "int8", SQL_BIGINT, 1,
		   NULL, 0);
	t->primary_key = xcalloc(1, sizeof *t->primary_key);
	t->primary_key->name = xstrdup("order_pkey");
	t->primary_key->unique = 1;
	t->primary_key->n_columns = 1;
	t->primary_key->columns = names(1, "id", NULL);
	t->n_indexes = 2;
	t->indexes = xcalloc(2, sizeof *t->indexes);
	t->indexes[0].name = xstrdup("order_no_key");
	t->indexes[0].unique = 1;
	t->indexes[0].n_columns = 2;
	t->indexes[0].columns = names(2, "no", "created");
	t->indexes[0].descending = xcalloc(2, sizeof *t->indexes[0].descending);
	t->indexes[0].descending[1] = 1;
	t->indexes[1].name = xstrdup("order_customer_idx");
	t->indexes[1].unique = 0;
	t->indexes[1].n_columns = 1;
	t->indexes[1].columns = names(1, "customer_id", NULL);
	t->indexes[1].descending = NULL;
	t->n_fkeys = 1;
	t->fkeys = xcalloc(1, sizeof *t->fkeys);
	t->fkeys[0].name = xstrdup("order_customer_fk");
	t->fkeys[0].n_columns = 1;
	t->fkeys[0].columns = names(1, "customer_id", NULL);
	t->fkeys[0].ref_table = xstrdup("customer");
	t->fkeys[0].ref_columns = names(1, "id", NULL);
	t->fkeys[0].on_update = xstrdup("NO ACTION");
	t->fkeys[0].on_delete = xstrdup("CASCADE");
	t->identity_column = xstrdup("id");
	t->identity_next = 43;
	t->native_ddl = xstrdup("CREATE TABLE \"order\" (id integer NOT NULL)");
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void expect_json_str(const char *what, json_t *o, const char *key, const char *want,
			    unsigned line)
{
	char label[160];
	json_t *v = json_object_get(o, key);

	if (!want) {
		snprintf(label, sizeof label, "%s.%s is null (got %s)", what, key,
			 v == NULL ? "no such key" : json_is_string(v) ? json_string_value(v)
								     : "another value");
		CU_assertImplementation(json_is_null(v) ? CU_TRUE : CU_FALSE, line, label,
					__FILE__, "", CU_FALSE);
		return;
	}
	snprintf(label, sizeof label, "%s.%s", what, key);
	ofb_expect_str(label, json_is_string(v) ? json_string_value(v) : "(not a string)", want,
		       line);
}

static void expect_json_int(const char *what, json_t *o, const char *key, long long want,
			    unsigned line)
{
	char label[160];
	json_t *v = json_object_get(o, key);

	snprintf(label, sizeof label, "%s.%s (present, integer)", what, key);
	CU_assertImplementation(json_is_integer(v) ? CU_TRUE : CU_FALSE, line, label, __FILE__,
				"", CU_FALSE);
	snprintf(label, sizeof label, "%s.%s", what, key);
	ofb_expect_long(label, json_integer_value(v), want, line);
}

static void expect_json_bool(const char *what, json_t *o, const char *key, int want,
			     unsigned line)
{
	char label[160];
	json_t *v = json_object_get(o, key);

	snprintf(label, sizeof label, "%s.%s is %s", what, key, want ? "true" : "false");
	CU_assertImplementation(json_is_boolean(v) && json_is_true(v) == !!want ? CU_TRUE
										   : CU_FALSE,
				line, label, __FILE__, "", CU_FALSE);
}

static void expect_json_names(const char *what, json_t *a, const char *const *want,
			      size_t n, unsigned line)
{
	char label[160];

	snprintf(label, sizeof label, "%s is an array of %zu", what, n);
	CU_assertImplementation(json_is_array(a) && json_array_size(a) == n ? CU_TRUE : CU_FALSE,
				line, label, __FILE__, "", CU_FALSE);
	for (size_t i = 0; i < n && i < json_array_size(a); i++) {
		snprintf(label, sizeof label, "%s[%zu]", what, i);
		ofb_expect_str(label, json_string_value(json_array_get(a, i)), want[i], line);
	}
}

static void expect_absent(const char *what, json_t *o, const char *key, unsigned line)
{
	char label[160];

	snprintf(label, sizeof label, "%s has no '%s'", what, key);
	CU_assertImplementation(json_object_get(o, key) == NULL ? CU_TRUE : CU_FALSE, line, label,
				__FILE__, "", CU_FALSE);
}

struct json_column {
	const char *name, *type;
	long long length, precision, scale;   /* -1: must be absent */
	const char *native;
	int sql_type, nullable;
	const char *def;
	int identity;
};

static void check_json_columns(const char *table, json_t *cols, const struct json_column *want,
			       size_t n)
{
	CU_ASSERT_FATAL(json_is_array(cols));
	CU_ASSERT_EQUAL_FATAL(json_array_size(cols), n);
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(cols, i);
		const struct json_column *w = &want[i];
		enum ofb_ptype t;
		char what[96];

		snprintf(what, sizeof what, "%s.columns[%zu]", table, i);
		expect_json_str(what, c, "name", w->name, __LINE__);
		expect_json_str(what, c, "type", w->type, __LINE__);
		CU_ASSERT_EQUAL(ofb_ptype_parse(jstr(c, "type") ? jstr(c, "type") : "", &t), 0);
		if (w->length < 0)
			expect_absent(what, c, "length", __LINE__);
		else
			expect_json_int(what, c, "length", w->length, __LINE__);
		if (w->precision < 0)
			expect_absent(what, c, "precision", __LINE__);
		else
			expect_json_int(what, c, "precision", w->precision, __LINE__);
		if (w->scale < 0)
			expect_absent(what, c, "scale", __LINE__);
		else
			expect_json_int(what, c, "scale", w->scale, __LINE__);
		expect_json_str(what, c, "native_type", w->native, __LINE__);
		expect_json_int(what, c, "sql_type", w->sql_type, __LINE__);
		expect_json_bool(what, c, "nullable", w->nullable, __LINE__);
		expect_json_str(what, c, "default", w->def, __LINE__);
		expect_json_bool(what, c, "identity", w->identity, __LINE__);
	}
}

static void test_schema_json(void)
{
	static const struct json_column customer_cols[] = {
		{ "id", "bigint", -1, -1, -1, "int8", SQL_BIGINT, 0, NULL, 0 },
		{ "name \xc3\xa4", "varchar", 40, -1, -1, "varchar", SQL_VARCHAR, 1,
		  "'n/a'::character varying", 0 },
	};
	static const struct json_column order_cols[] = {
		{ "id", "integer", -1, -1, -1, "int4", SQL_INTEGER, 0,
		  "nextval('order_id_seq'::regclass)", 1 },
		{ "amount", "decimal", -1, 12, 4, "numeric", SQL_NUMERIC, 1, NULL, 0 },
		{ "no", "varchar", 20, -1, -1, "varchar", SQL_VARCHAR, 0, NULL, 0 },
		{ "created", "timestamptz", -1, -1, 6, "timestamptz", SQL_TYPE_TIMESTAMP, 0, "now()",
		  0 },
		{ "customer_id", "bigint", -1, -1, -1, "int8", SQL_BIGINT, 1, NULL, 0 },
	};
	static const char *const id_only[] = { "id" };
	static const char *const no_created[] = { "no", "created" };
	static const char *const customer_id[] = { "customer_id" };
	struct ofb_schema s;
	json_error_t jerr;
	json_t *root, *tables, *t, *k, *a, *id;
	char *text;

	build_schema(&s);
	text = ofb_schema_to_json(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	root = json_loads(text, 0, &jerr);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_FATAL(json_is_object(root));

	expect_json_str("schema", root, "engine", "postgresql", __LINE__);
	expect_json_str("schema", root, "dbms_name", "PostgreSQL", __LINE__);
	expect_json_str("schema", root, "dbms_version", "15.18", __LINE__);
	expect_json_str("schema", root, "database", "public", __LINE__);
	tables = json_object_get(root, "tables");
	CU_ASSERT_FATAL(json_is_array(tables));
	CU_ASSERT_EQUAL_FATAL(json_array_size(tables), 2);

	/* customer: a primary key, no indexes, no foreign keys, no identity */
	t = json_array_get(tables, 0);
	expect_json_str("customer", t, "name", "customer", __LINE__);
	expect_json_str("customer", t, "entry", "clients/acme/db/data/customer.csv", __LINE__);
	check_json_columns("customer", json_object_get(t, "columns"), customer_cols, 2);
	k = json_object_get(t, "primary_key");
	CU_ASSERT_FATAL(json_is_object(k));
	expect_json_str("customer.primary_key", k, "name", "customer_pkey", __LINE__);
	expect_json_names("customer.primary_key.columns", json_object_get(k, "columns"), id_only,
			  1, __LINE__);
	a = json_object_get(t, "indexes");
	CU_ASSERT(json_is_array(a) && json_array_size(a) == 0);
	a = json_object_get(t, "foreign_keys");
	CU_ASSERT(json_is_array(a) && json_array_size(a) == 0);
	expect_json_str("customer", t, "identity", NULL, __LINE__);
	expect_json_str("customer", t, "native_ddl", NULL, __LINE__);

	/* order: everything */
	t = json_array_get(tables, 1);
	expect_json_str("order", t, "name", "order", __LINE__);
	expect_json_str("order", t, "entry", "clients/acme/db/data/order.csv", __LINE__);
	check_json_columns("order", json_object_get(t, "columns"), order_cols, 5);
	k = json_object_get(t, "primary_key");
	CU_ASSERT_FATAL(json_is_object(k));
	expect_json_str("order.primary_key", k, "name", "order_pkey", __LINE__);
	expect_json_names("order.primary_key.columns", json_object_get(k, "columns"), id_only, 1,
			  __LINE__);

	a = json_object_get(t, "indexes");
	CU_ASSERT_FATAL(json_is_array(a));
	CU_ASSERT_EQUAL_FATAL(json_array_size(a), 2);
	k = json_array_get(a, 0);
	expect_json_str("order.indexes[0]", k, "name", "order_no_key", __LINE__);
	expect_json_bool("order.indexes[0]", k, "unique", 1, __LINE__);
	expect_json_names("order.indexes[0].columns", json_object_get(k, "columns"), no_created,
			  2, __LINE__);
	a = json_object_get(k, "descending");
	CU_ASSERT_FATAL(json_is_array(a));
	CU_ASSERT_EQUAL_FATAL(json_array_size(a), 2);
	CU_ASSERT(json_is_false(json_array_get(a, 0)));
	CU_ASSERT(json_is_true(json_array_get(a, 1)));
	k = json_array_get(json_object_get(t, "indexes"), 1);
	expect_json_str("order.indexes[1]", k, "name", "order_customer_idx", __LINE__);
	expect_json_bool("order.indexes[1]", k, "unique", 0, __LINE__);
	expect_json_names("order.indexes[1].columns", json_object_get(k, "columns"), customer_id,
			  1, __LINE__);
	/* no descending flags recorded: one false per column */
	a = json_object_get(k, "descending");
	CU_ASSERT(json_is_array(a) && json_array_size(a) == 1 &&
		  json_is_false(json_array_get(a, 0)));

	a = json_object_get(t, "foreign_keys");
	CU_ASSERT_FATAL(json_is_array(a));
	CU_ASSERT_EQUAL_FATAL(json_array_size(a), 1);
	k = json_array_get(a, 0);
	expect_json_str("order.foreign_keys[0]", k, "name", "order_customer_fk", __LINE__);
	expect_json_names("order.foreign_keys[0].columns", json_object_get(k, "columns"),
			  customer_id, 1, __LINE__);
	expect_json_str("order.foreign_keys[0]", k, "ref_table", "customer", __LINE__);
	expect_json_names("order.foreign_keys[0].ref_columns", json_object_get(k, "ref_columns"),
			  id_only, 1, __LINE__);
	expect_json_str("order.foreign_keys[0]", k, "on_update", "NO ACTION", __LINE__);
	expect_json_str("order.foreign_keys[0]", k, "on_delete", "CASCADE", __LINE__);

	id = json_object_get(t, "identity");
	CU_ASSERT_FATAL(json_is_object(id));
	expect_json_str("order.identity", id, "column", "id", __LINE__);
	expect_json_int("order.identity", id, "next", 43, __LINE__);
	expect_json_str("order", t, "native_ddl", "CREATE TABLE \"order\" (id integer NOT NULL)",
			__LINE__);

	json_decref(root);
	ofb_schema_free(&s);
	CU_ASSERT_EQUAL(s.n_tables, 0);
	CU_ASSERT_PTR_NULL(s.tables);
}

static void test_schema_json_edges(void)
{
	struct ofb_schema s;
	json_error_t jerr;
	json_t *root, *t;
	char *text;

	/* no tables, no database: still the full shape */
	memset(&s, 0, sizeof s);
	s.engine = xstrdup("sqlite");
	s.dbms_name = xstrdup("SQLite");
	s.dbms_version = xstrdup("3.40.1");
	text = ofb_schema_to_json(&s);
	root = json_loads(text, 0, &jerr);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	expect_json_str("empty schema", root, "database", NULL, __LINE__);
	CU_ASSERT(json_is_array(json_object_get(root, "tables")) &&
		  json_array_size(json_object_get(root, "tables")) == 0);
	json_decref(root);

	/* identity values beyond 32 bits, a table before its entry is known */
	s.n_tables = 1;
	s.tables = xcalloc(1, sizeof *s.tables);
	s.tables[0].name = xstrdup("big");
	s.tables[0].n_columns = 1;
	s.tables[0].columns = xcalloc(1, sizeof *s.tables[0].columns);
	set_column(&s.tables[0].columns[0], "id", OFB_T_BIGINT, 0, 0, 0, "INTEGER", SQL_INTEGER,
		   0, NULL, 1);
	s.tables[0].identity_column = xstrdup("id");
	s.tables[0].identity_next = 9007199254740993LL;
	text = ofb_schema_to_json(&s);
	root = json_loads(text, 0, &jerr);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	t = json_array_get(json_object_get(root, "tables"), 0);
	expect_json_str("big", t, "entry", NULL, __LINE__);
	expect_json_str("big", t, "primary_key", NULL, __LINE__);
	expect_json_int("big.identity", json_object_get(t, "identity"), "next",
			9007199254740993LL, __LINE__);
	json_decref(root);
	ofb_schema_free(&s);
}

int register_schema_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "ptype names round trip", test_ptype_names },
		{ "ptype unknown names", test_ptype_parse_unknown },
		{ "ptype CSV encodings", test_ptype_encoding },
		{ "column from ODBC SQL type", test_column_from_sql },
		{ "portable declaration", test_portable_decl },
		{ "entry names", test_entry_name_table },
		{ "entry names, every byte", test_entry_name_every_byte },
		{ "entry names, case collisions", test_entry_name_case_collisions },
		{ "schema.json", test_schema_json },
		{ "schema.json edges", test_schema_json_edges },
		{ NULL, NULL },
	};

	return ofb_add_suite("schema", tests);
}
