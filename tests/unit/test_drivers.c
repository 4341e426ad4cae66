/* Unit tests for driver.c and the dialects of the SQLite, PostgreSQL and MariaDB drivers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <sql.h>
#include <sqlext.h>

#include "driver.h"
#include "schema.h"
#include "suites.h"
#include "util.h"

static const struct ofb_driver *const all_drivers[] = {
	&ofb_driver_sqlite, &ofb_driver_postgresql, &ofb_driver_mariadb, &ofb_driver_sqlserver,
	&ofb_driver_generic,
};

#define N_DRIVERS (sizeof all_drivers / sizeof all_drivers[0])

/* ---- choosing a driver ---- */

static void test_driver_for(void)
{
	static const struct {
		const char *dbms_name;
		const struct ofb_driver *drv;
	} cases[] = {
		{ "SQLite", &ofb_driver_sqlite },
		{ "sqlite", &ofb_driver_sqlite },
		{ "PostgreSQL", &ofb_driver_postgresql },
		{ "POSTGRESQL", &ofb_driver_postgresql },
		{ "MariaDB", &ofb_driver_mariadb },
		{ "MySQL", &ofb_driver_mariadb },
		{ "mysql", &ofb_driver_mariadb },
		{ "Microsoft SQL Server", &ofb_driver_sqlserver },
		{ "SomethingElse", &ofb_driver_generic },
		{ "Oracle", &ofb_driver_generic },
		{ "SQL Server", &ofb_driver_generic },
		{ "Postgres", &ofb_driver_generic },
		{ "Maria", &ofb_driver_generic },
		{ "", &ofb_driver_generic },
		{ NULL, &ofb_driver_generic },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct ofb_driver *d = ofb_driver_for(cases[i].dbms_name);
		char what[96];

		snprintf(what, sizeof what, "ofb_driver_for('%s')",
			 cases[i].dbms_name ? cases[i].dbms_name : "(null)");
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		ofb_expect_str(what, d->name, cases[i].drv->name, __LINE__);
		CU_ASSERT_PTR_EQUAL(d, cases[i].drv);
	}
}

static void test_driver_by_name(void)
{
	static const char *const unknown[] = { "", "mysql", "postgres", "pg", "mssql", "odbc",
					       "sqlite3", "sqlite " };

	for (size_t i = 0; i < N_DRIVERS; i++) {
		CU_ASSERT_PTR_EQUAL(ofb_driver_by_name(all_drivers[i]->name), all_drivers[i]);
		/* each driver serves what it is named after */
		CU_ASSERT_PTR_NOT_NULL(all_drivers[i]->matches);
	}
	ofb_expect_str("sqlite", ofb_driver_by_name("sqlite")->name, "sqlite", __LINE__);
	ofb_expect_str("postgresql", ofb_driver_by_name("postgresql")->name, "postgresql",
		       __LINE__);
	ofb_expect_str("mariadb", ofb_driver_by_name("mariadb")->name, "mariadb", __LINE__);
	ofb_expect_str("sqlserver", ofb_driver_by_name("sqlserver")->name, "sqlserver", __LINE__);
	ofb_expect_str("generic", ofb_driver_by_name("generic")->name, "generic", __LINE__);
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		char what[64];

		snprintf(what, sizeof what, "ofb_driver_by_name('%s') is NULL", unknown[i]);
		ofb_expect_true(what, ofb_driver_by_name(unknown[i]) == NULL, __LINE__);
	}
}

/* ---- quoting names ---- */

struct quote_case {
	const char *name;
	const char *quoted;
};

static void check_quotes(const struct ofb_driver *drv, const struct quote_case *cases,
			 size_t n)
{
	struct buf sql;

	buf_init(&sql);
	for (size_t i = 0; i < n; i++) {
		char what[128];

		buf_reset(&sql);
		ofb_drv_quote(drv, &sql, cases[i].name);
		snprintf(what, sizeof what, "%s quotes '%s'", drv->name, cases[i].name);
		ofb_expect_str(what, sql.data, cases[i].quoted, __LINE__);
	}
	buf_free(&sql);
}

#define N(a) (sizeof a / sizeof a[0])

static void test_quote_double_quotes(void)
{
	static const struct quote_case cases[] = {
		{ "order", "\"order\"" },
		{ "select", "\"select\"" },
		{ "my table", "\"my table\"" },
		{ "Mixed Case", "\"Mixed Case\"" },
		{ "a\"b", "\"a\"\"b\"" },
		{ "\"", "\"\"\"\"" },
		{ "\"x\"", "\"\"\"x\"\"\"" },
		{ "a`b", "\"a`b\"" },
		{ "a]b", "\"a]b\"" },
		{ "it's", "\"it's\"" },
		{ "Gr\xc3\xb6\xc3\x9f" "e", "\"Gr\xc3\xb6\xc3\x9f" "e\"" },
		{ "\xe2\x82\xac \xf0\x9f\x98\x80", "\"\xe2\x82\xac \xf0\x9f\x98\x80\"" },
	};

	check_quotes(&ofb_driver_sqlite, cases, N(cases));
	check_quotes(&ofb_driver_postgresql, cases, N(cases));
	check_quotes(&ofb_driver_generic, cases, N(cases));
}

static void test_quote_backticks(void)
{
	static const struct quote_case cases[] = {
		{ "order", "`order`" },
		{ "select", "`select`" },
		{ "my table", "`my table`" },
		{ "Mixed Case", "`Mixed Case`" },
		{ "a`b", "`a``b`" },
		{ "`", "````" },
		{ "``", "``````" },
		{ "a\"b", "`a\"b`" },
		{ "a\\b", "`a\\b`" },
		{ "Gr\xc3\xb6\xc3\x9f" "e", "`Gr\xc3\xb6\xc3\x9f" "e`" },
		{ "\xe2\x82\xac \xf0\x9f\x98\x80", "`\xe2\x82\xac \xf0\x9f\x98\x80`" },
	};

	check_quotes(&ofb_driver_mariadb, cases, N(cases));
}

static void test_quote_brackets(void)
{
	static const struct quote_case cases[] = {
		{ "order", "[order]" },
		{ "select", "[select]" },
		{ "my table", "[my table]" },
		{ "Mixed Case", "[Mixed Case]" },
		{ "a]b", "[a]]b]" },
		{ "]", "[]]]" },
		{ "[x]", "[[x]]]" },
		{ "a[b", "[a[b]" },
		{ "a\"b", "[a\"b]" },
		{ "Gr\xc3\xb6\xc3\x9f" "e", "[Gr\xc3\xb6\xc3\x9f" "e]" },
		{ "\xe2\x82\xac \xf0\x9f\x98\x80", "[\xe2\x82\xac \xf0\x9f\x98\x80]" },
	};

	check_quotes(&ofb_driver_sqlserver, cases, N(cases));
}

/* The way an engine reads a quoted name back: NULL when text is not exactly one. */
static char *unquote(const char *text, char open, char close)
{
	size_t n = strlen(text);
	struct buf out;

	if (n < 2 || text[0] != open || text[n - 1] != close)
		return NULL;
	buf_init(&out);
	for (size_t i = 1; i < n - 1; i++) {
		if (text[i] == close) {
			if (i + 1 >= n - 1 || text[i + 1] != close) {
				buf_free(&out);
				return NULL;   /* the name would end here */
			}
			i++;
		}
		buf_addc(&out, text[i]);
	}
	return buf_detach(&out);
}

/* Whatever the name, the quoted text is exactly that one name to the engine. */
static void test_quote_round_trip(void)
{
	static const char *const names[] = {
		"order", "", " ", "\"", "\"\"", "`", "``", "]", "]]", "[", "[]", "a\"b\"",
		"`a`", "]a]", "x]; DROP TABLE t; --", "x\"; DROP TABLE t; --",
		"x`; DROP TABLE t; --", "\xc3\x84\"\xc3\xa4`\xc3\xb6]", "\xf0\x9f\x98\x80]",
		"tab\tnewline\n",
	};
	struct buf sql;

	buf_init(&sql);
	for (size_t d = 0; d < N_DRIVERS; d++) {
		const struct ofb_driver *drv = all_drivers[d];
		char open = drv->quote_open ? drv->quote_open : '"';
		char close = drv->quote_close ? drv->quote_close : open;

		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			char *back;
			char what[128];

			buf_reset(&sql);
			ofb_drv_quote(drv, &sql, names[i]);
			back = unquote(sql.data, open, close);
			snprintf(what, sizeof what, "%s: '%s' quoted as %s", drv->name, names[i],
				 sql.data);
			ofb_expect_true(what, back && strcmp(back, names[i]) == 0, __LINE__);
			free(back);
		}
	}
	/* quoting appends to the statement being built */
	buf_reset(&sql);
	buf_adds(&sql, "SELECT * FROM ");
	ofb_drv_quote(&ofb_driver_mariadb, &sql, "t");
	buf_adds(&sql, " JOIN ");
	ofb_drv_quote(&ofb_driver_mariadb, &sql, "u");
	CU_ASSERT_STRING_EQUAL(sql.data, "SELECT * FROM `t` JOIN `u`");
	buf_free(&sql);
}

/* ---- column types for restore and import ---- */

static void test_ddl_sqlite(void)
{
	static const struct ddl_case cases[] = {
		{ OFB_T_BOOLEAN, 0, 0, 0, "BOOLEAN" },
		{ OFB_T_SMALLINT, 0, 0, 0, "INTEGER" },
		{ OFB_T_INTEGER, 0, 0, 0, "INTEGER" },
		{ OFB_T_BIGINT, 0, 0, 0, "INTEGER" },
		{ OFB_T_DECIMAL, 0, 12, 4, "DECIMAL(12,4)" },
		/* beyond 15 digits a NUMERIC column would round: text affinity keeps them */
		{ OFB_T_DECIMAL, 0, 15, 4, "DECIMAL(15,4)" },
		{ OFB_T_DECIMAL, 0, 38, 10, "DECIMAL TEXT(38,10)" },
		{ OFB_T_DECIMAL, 0, 0, 0, "DECIMAL TEXT" },
		{ OFB_T_REAL, 0, 0, 0, "REAL" },
		{ OFB_T_DOUBLE, 0, 0, 0, "REAL" },
		{ OFB_T_CHAR, 10, 0, 0, "CHAR(10)" },
		{ OFB_T_VARCHAR, 40, 0, 0, "VARCHAR(40)" },
		{ OFB_T_TEXT, 0, 0, 0, "TEXT" },
		{ OFB_T_BINARY, 16, 0, 0, "BLOB" },
		{ OFB_T_VARBINARY, 100, 0, 0, "BLOB" },
		{ OFB_T_BLOB, 0, 0, 0, "BLOB" },
		{ OFB_T_DATE, 0, 0, 0, "DATE" },
		{ OFB_T_TIME, 0, 0, 3, "TIME" },
		{ OFB_T_TIMESTAMP, 0, 0, 9, "TIMESTAMP" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 6, "TIMESTAMPTZ" },
		{ OFB_T_UUID, 0, 0, 0, "UUID" },
		{ OFB_T_OTHER, 0, 0, 0, "TEXT" },
	};

	check_ddl(&ofb_driver_sqlite, cases, N(cases));
}

static void test_ddl_postgresql(void)
{
	static const struct ddl_case cases[] = {
		{ OFB_T_BOOLEAN, 0, 0, 0, "boolean" },
		{ OFB_T_SMALLINT, 0, 0, 0, "smallint" },
		{ OFB_T_INTEGER, 0, 0, 0, "integer" },
		{ OFB_T_BIGINT, 0, 0, 0, "bigint" },
		{ OFB_T_DECIMAL, 0, 12, 4, "numeric(12,4)" },
		{ OFB_T_DECIMAL, 0, 1000, 0, "numeric(1000,0)" },
		{ OFB_T_DECIMAL, 0, 1001, 2, "numeric" },
		{ OFB_T_DECIMAL, 0, 0, 0, "numeric" },            /* unbounded numeric */
		{ OFB_T_REAL, 0, 0, 0, "real" },
		{ OFB_T_DOUBLE, 0, 0, 0, "double precision" },
		{ OFB_T_CHAR, 10, 0, 0, "char(10)" },
		{ OFB_T_VARCHAR, 40, 0, 0, "varchar(40)" },
		{ OFB_T_TEXT, 0, 0, 0, "text" },
		{ OFB_T_BINARY, 16, 0, 0, "bytea" },
		{ OFB_T_VARBINARY, 100, 0, 0, "bytea" },
		{ OFB_T_BLOB, 0, 0, 0, "bytea" },
		{ OFB_T_DATE, 0, 0, 0, "date" },
		{ OFB_T_TIME, 0, 0, 0, "time(0)" },
		{ OFB_T_TIME, 0, 0, 3, "time(3)" },
		{ OFB_T_TIME, 0, 0, 9, "time(6)" },
		{ OFB_T_TIMESTAMP, 0, 0, 6, "timestamp(6)" },
		{ OFB_T_TIMESTAMP, 0, 0, 7, "timestamp(6)" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 6, "timestamptz(6)" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 9, "timestamptz(6)" },
		{ OFB_T_UUID, 0, 0, 0, "uuid" },
		{ OFB_T_OTHER, 0, 0, 0, "text" },
	};

	check_ddl(&ofb_driver_postgresql, cases, N(cases));
}

static void test_ddl_mariadb(void)
{
	static const struct ddl_case cases[] = {
		{ OFB_T_BOOLEAN, 0, 0, 0, "tinyint(1)" },
		{ OFB_T_SMALLINT, 0, 0, 0, "smallint" },
		{ OFB_T_INTEGER, 0, 0, 0, "int" },
		{ OFB_T_BIGINT, 0, 0, 0, "bigint" },
		{ OFB_T_DECIMAL, 0, 12, 4, "decimal(12,4)" },
		{ OFB_T_DECIMAL, 0, 65, 30, "decimal(65,30)" },
		{ OFB_T_DECIMAL, 0, 66, 2, "decimal(65,2)" },
		{ OFB_T_DECIMAL, 0, 0, 0, "decimal(65,30)" },
		{ OFB_T_REAL, 0, 0, 0, "float" },
		{ OFB_T_DOUBLE, 0, 0, 0, "double" },
		{ OFB_T_CHAR, 10, 0, 0, "char(10)" },
		{ OFB_T_CHAR, 255, 0, 0, "char(255)" },
		{ OFB_T_CHAR, 256, 0, 0, "longtext" },
		{ OFB_T_VARCHAR, 40, 0, 0, "varchar(40)" },
		{ OFB_T_VARCHAR, 16383, 0, 0, "varchar(16383)" },
		{ OFB_T_VARCHAR, 16384, 0, 0, "longtext" },
		{ OFB_T_VARCHAR, 0, 0, 0, "longtext" },
		{ OFB_T_TEXT, 0, 0, 0, "longtext" },
		{ OFB_T_BINARY, 16, 0, 0, "binary(16)" },
		{ OFB_T_BINARY, 256, 0, 0, "longblob" },
		{ OFB_T_VARBINARY, 100, 0, 0, "varbinary(100)" },
		{ OFB_T_VARBINARY, 65535, 0, 0, "varbinary(65535)" },
		{ OFB_T_VARBINARY, 65536, 0, 0, "longblob" },
		{ OFB_T_BLOB, 0, 0, 0, "longblob" },
		{ OFB_T_DATE, 0, 0, 0, "date" },
		{ OFB_T_TIME, 0, 0, 3, "time(3)" },
		{ OFB_T_TIME, 0, 0, 9, "time(6)" },
		{ OFB_T_TIMESTAMP, 0, 0, 6, "datetime(6)" },
		{ OFB_T_TIMESTAMP, 0, 0, 0, "datetime(0)" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 9, "datetime(6)" },
		{ OFB_T_UUID, 0, 0, 0, "char(36)" },
		{ OFB_T_OTHER, 0, 0, 0, "longtext" },
	};

	check_ddl(&ofb_driver_mariadb, cases, N(cases));
}

static void test_ddl_generic(void)
{
	static const struct ddl_case cases[] = {
		{ OFB_T_BOOLEAN, 0, 0, 0, "BOOLEAN" },
		{ OFB_T_SMALLINT, 0, 0, 0, "SMALLINT" },
		{ OFB_T_INTEGER, 0, 0, 0, "INTEGER" },
		{ OFB_T_BIGINT, 0, 0, 0, "BIGINT" },
		{ OFB_T_DECIMAL, 0, 12, 4, "DECIMAL(12,4)" },
		{ OFB_T_REAL, 0, 0, 0, "REAL" },
		{ OFB_T_DOUBLE, 0, 0, 0, "DOUBLE PRECISION" },
		{ OFB_T_CHAR, 10, 0, 0, "CHAR(10)" },
		{ OFB_T_VARCHAR, 40, 0, 0, "VARCHAR(40)" },
		{ OFB_T_TEXT, 0, 0, 0, "CLOB" },
		{ OFB_T_BINARY, 16, 0, 0, "BINARY(16)" },
		{ OFB_T_VARBINARY, 100, 0, 0, "VARBINARY(100)" },
		{ OFB_T_BLOB, 0, 0, 0, "BLOB" },
		{ OFB_T_DATE, 0, 0, 0, "DATE" },
		{ OFB_T_TIME, 0, 0, 3, "TIME(3)" },
		{ OFB_T_TIMESTAMP, 0, 0, 6, "TIMESTAMP(6)" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 6, "TIMESTAMP(6) WITH TIME ZONE" },
		{ OFB_T_UUID, 0, 0, 0, "CHAR(36)" },
		{ OFB_T_OTHER, 0, 0, 0, "CLOB" },
	};

	check_ddl(&ofb_driver_generic, cases, N(cases));
}

static char *ddl_of(const struct ofb_driver *drv, enum ofb_ptype type, long length,
		    int precision, int scale)
{
	struct ofb_column col = { 0 };
	struct buf sql;

	col.type = type;
	col.length = length;
	col.precision = precision;
	col.scale = scale;
	buf_init(&sql);
	ofb_drv_type_ddl(drv, &col, &sql);
	return buf_detach(&sql);
}

static int contains_ci(const char *text, const char *word)
{
	return strcasestr(text, word) != NULL;
}

static const struct ofb_driver *const ddl_drivers[] = {
	&ofb_driver_sqlite, &ofb_driver_postgresql, &ofb_driver_mariadb, &ofb_driver_generic,
};

/* What must survive a restore into any engine, whatever the exact spelling. */
static void test_ddl_properties(void)
{
	static const struct { int precision, scale; } decimals[] = {
		{ 1, 0 }, { 12, 4 }, { 18, 2 }, { 38, 10 }, { 30, 30 },
	};
	/* largest fractional-second digits each engine keeps; 0 means no limit (text) */
	static const int max_fraction[] = { 0, 6, 6, 0 };

	for (size_t d = 0; d < sizeof ddl_drivers / sizeof ddl_drivers[0]; d++) {
		const struct ofb_driver *drv = ddl_drivers[d];
		char what[160], want[32];
		char *s;

		/* exact decimals keep their precision and scale */
		for (size_t i = 0; i < sizeof decimals / sizeof decimals[0]; i++) {
			s = ddl_of(drv, OFB_T_DECIMAL, 0, decimals[i].precision, decimals[i].scale);
			snprintf(want, sizeof want, "(%d,%d)", decimals[i].precision,
				 decimals[i].scale);
			snprintf(what, sizeof what, "%s: decimal%s is an exact decimal: %s",
				 drv->name, want, s);
			ofb_expect_true(what, (contains_ci(s, "decimal") ||
					       contains_ci(s, "numeric")) &&
					      strstr(s, want) != NULL, __LINE__);
			free(s);
		}
		/* binary stays binary */
		for (enum ofb_ptype t = OFB_T_BINARY; t <= OFB_T_BLOB; t++) {
			s = ddl_of(drv, t, t == OFB_T_BLOB ? 0 : 16, 0, 0);
			snprintf(what, sizeof what, "%s: %s is binary: %s", drv->name,
				 ofb_ptype_name(t), s);
			ofb_expect_true(what, contains_ci(s, "blob") || contains_ci(s, "binary") ||
					      contains_ci(s, "bytea"), __LINE__);
			ofb_expect_true(what, !contains_ci(s, "text") && !contains_ci(s, "char"),
					__LINE__);
			free(s);
		}
		/* booleans stay boolean-like */
		s = ddl_of(drv, OFB_T_BOOLEAN, 0, 0, 0);
		snprintf(what, sizeof what, "%s: boolean is boolean-like: %s", drv->name, s);
		ofb_expect_true(what, contains_ci(s, "bool") || strcmp(s, "tinyint(1)") == 0 ||
				      strcmp(s, "bit") == 0, __LINE__);
		free(s);
		/* long text is unbounded */
		s = ddl_of(drv, OFB_T_TEXT, 0, 0, 0);
		snprintf(what, sizeof what, "%s: text is unbounded: %s", drv->name, s);
		ofb_expect_true(what, strchr(s, '(') == NULL &&
				      (contains_ci(s, "text") || contains_ci(s, "clob")), __LINE__);
		free(s);
		/* fractional seconds: kept up to the engine's maximum */
		for (int scale = 0; scale <= 9; scale++) {
			int keep = max_fraction[d] && scale > max_fraction[d] ? max_fraction[d] : scale;
			for (enum ofb_ptype t = OFB_T_TIME; t <= OFB_T_TIMESTAMPTZ; t++) {
				s = ddl_of(drv, t, 0, 0, scale);
				snprintf(want, sizeof want, "(%d)", keep);
				snprintf(what, sizeof what, "%s: %s(%d) keeps %d digits: %s",
					 drv->name, ofb_ptype_name(t), scale, keep, s);
				/* SQLite stores the text as it comes: no digits to declare */
				if (drv == &ofb_driver_sqlite)
					ofb_expect_true(what, strchr(s, '(') == NULL, __LINE__);
				else
					ofb_expect_true(what, strstr(s, want) != NULL, __LINE__);
				free(s);
			}
		}
	}
}

/* PostgreSQL refuses varchar(0) and lengths above 10485760 for char and varchar; a length
 * the package does not know (0) must not become a guessed one that cuts values. */
static void test_ddl_postgresql_lengths(void)
{
	static const struct {
		enum ofb_ptype type;
		long length;
	} cases[] = {
		{ OFB_T_VARCHAR, 0 },
		{ OFB_T_CHAR, 0 },
		{ OFB_T_VARCHAR, 10485761 },
		{ OFB_T_CHAR, 10485761 },
		{ OFB_T_VARCHAR, (1L << 30) - 1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = ddl_of(&ofb_driver_postgresql, cases[i].type, cases[i].length, 0, 0);
		long n = -1;
		const char *paren = strchr(s, '(');
		char what[160];
		int ok;

		if (paren)
			n = strtol(paren + 1, NULL, 10);
		/* an unknown length stays unbounded (text, varchar); a known one is declared
		 * within PostgreSQL's range and holds the values */
		if (cases[i].length == 0)
			ok = !paren;
		else
			ok = !paren || (n >= cases[i].length && n <= 10485760);
		snprintf(what, sizeof what, "postgresql: %s of length %ld declared as '%s'",
			 ofb_ptype_name(cases[i].type), cases[i].length, s);
		ofb_expect_true(what, ok, __LINE__);
		free(s);
	}
	/* the valid range is declared as it is */
	{
		char *s = ddl_of(&ofb_driver_postgresql, OFB_T_VARCHAR, 10485760, 0, 0);
		ofb_expect_str("postgresql varchar(10485760)", s, "varchar(10485760)", __LINE__);
		free(s);
		s = ddl_of(&ofb_driver_postgresql, OFB_T_VARCHAR, 1, 0, 0);
		ofb_expect_str("postgresql varchar(1)", s, "varchar(1)", __LINE__);
		free(s);
	}
}

/* MariaDB requires decimal(M,D) with M >= D; PostgreSQL allows numeric(3,5). */
static void test_ddl_mariadb_scale_above_precision(void)
{
	char *s = ddl_of(&ofb_driver_mariadb, OFB_T_DECIMAL, 0, 3, 5);
	int m = -1, d = -1;
	char what[128];

	sscanf(s, "decimal(%d,%d)", &m, &d);
	snprintf(what, sizeof what, "mariadb: numeric(3,5) declared as '%s' (needs M >= D = 5)",
		 s);
	ofb_expect_true(what, m >= d && d == 5, __LINE__);
	free(s);
}

/* ---- LIMIT ---- */

static void test_limit(void)
{
	static const struct {
		const struct ofb_driver *drv;
		unsigned long n;
		const char *want;
	} cases[] = {
		{ &ofb_driver_sqlite, 5000, "SELECT a FROM t ORDER BY a LIMIT 5000" },
		{ &ofb_driver_sqlite, 0, "SELECT a FROM t ORDER BY a LIMIT 0" },
		{ &ofb_driver_postgresql, 1, "SELECT a FROM t ORDER BY a LIMIT 1" },
		{ &ofb_driver_mariadb, 5000, "SELECT a FROM t ORDER BY a LIMIT 5000" },
		{ &ofb_driver_mariadb, 4294967295UL, "SELECT a FROM t ORDER BY a LIMIT 4294967295" },
		{ &ofb_driver_generic, 7, "SELECT a FROM t ORDER BY a LIMIT 7" },
		{ &ofb_driver_sqlserver, 5000,
		  "SELECT a FROM t ORDER BY a OFFSET 0 ROWS FETCH NEXT 5000 ROWS ONLY" },
	};
	struct buf sql;

	buf_init(&sql);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char what[64];

		buf_reset(&sql);
		buf_adds(&sql, "SELECT a FROM t ORDER BY a");
		ofb_drv_limit(cases[i].drv, &sql, cases[i].n);
		snprintf(what, sizeof what, "%s limit %lu", cases[i].drv->name, cases[i].n);
		ofb_expect_str(what, sql.data, cases[i].want, __LINE__);
	}
	buf_free(&sql);
}

/* ---- correcting what the ODBC catalog reports ---- */

struct refine_case {
	const char *native;       /* declared type as the catalog reports it */
	int sql_type;             /* and what the ODBC driver says about it */
	long size;
	int digits;
	const char *def;          /* column default */
	/* after ofb_column_set_from_sql and refine_column */
	enum ofb_ptype type;
	long length;              /* checked for char and binary types */
	int precision;            /* checked for decimal */
	int scale;                /* checked for decimal, time, timestamp */
	int identity;
};

static void check_refine(const struct ofb_driver *drv, const struct refine_case *cases,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct refine_case *c = &cases[i];
		struct ofb_column col = { 0 };
		char what[128];

		col.name = "c";
		col.native_type = (char *)c->native;
		col.default_value = (char *)c->def;
		col.nullable = 1;
		ofb_column_set_from_sql(&col, c->sql_type, c->size, c->digits);
		ofb_drv_refine_column(drv, &col);
		snprintf(what, sizeof what, "%s: '%s' (sql type %d, size %ld): type", drv->name,
			 c->native, c->sql_type, c->size);
		ofb_expect_str(what, ofb_ptype_name(col.type), ofb_ptype_name(c->type), __LINE__);
		switch (c->type) {
		case OFB_T_CHAR:
		case OFB_T_VARCHAR:
		case OFB_T_BINARY:
		case OFB_T_VARBINARY:
			snprintf(what, sizeof what, "%s: '%s': length", drv->name, c->native);
			ofb_expect_long(what, col.length, c->length, __LINE__);
			break;
		case OFB_T_DECIMAL:
			snprintf(what, sizeof what, "%s: '%s': precision", drv->name, c->native);
			ofb_expect_long(what, col.precision, c->precision, __LINE__);
			/* fall through */
		case OFB_T_TIME:
		case OFB_T_TIMESTAMP:
		case OFB_T_TIMESTAMPTZ:
			snprintf(what, sizeof what, "%s: '%s': scale", drv->name, c->native);
			ofb_expect_long(what, col.scale, c->scale, __LINE__);
			break;
		default:
			break;
		}
		snprintf(what, sizeof what, "%s: '%s' default '%s': identity", drv->name, c->native,
			 c->def ? c->def : "(null)");
		ofb_expect_long(what, col.identity, c->identity, __LINE__);
		/* refining never touches what the catalog alone knows */
		CU_ASSERT_EQUAL(col.nullable, 1);
		CU_ASSERT_EQUAL(col.sql_type, c->sql_type);
		CU_ASSERT_PTR_EQUAL(col.native_type, c->native);
	}
}

/* Reports as sqliteodbc gives them: sizes and "decimal digits 10" that do not come from
 * the declaration. */
static void test_refine_sqlite(void)
{
	static const struct refine_case cases[] = {
		{ "decimal(12,4)", SQL_VARCHAR, 4, 10, NULL, OFB_T_DECIMAL, 0, 12, 4, 0 },
		{ "decimal(12,4)", SQL_VARCHAR, 255, 10, NULL, OFB_T_DECIMAL, 0, 12, 4, 0 },
		{ "decimal(10, 2)", SQL_VARCHAR, 2, 10, NULL, OFB_T_DECIMAL, 0, 10, 2, 0 },
		{ "DECIMAL(10,2)", SQL_VARCHAR, 2, 10, NULL, OFB_T_DECIMAL, 0, 10, 2, 0 },
		{ "Decimal(5)", SQL_VARCHAR, 5, 10, NULL, OFB_T_DECIMAL, 0, 5, 0, 0 },
		{ "numeric(12,4)", SQL_VARCHAR, 4, 10, NULL, OFB_T_DECIMAL, 0, 12, 4, 0 },
		{ "INTEGER", SQL_INTEGER, 9, 10, NULL, OFB_T_BIGINT, 0, 0, 0, 0 },
		{ "INT", SQL_INTEGER, 9, 10, NULL, OFB_T_BIGINT, 0, 0, 0, 0 },
		{ "smallint", SQL_SMALLINT, 5, 10, NULL, OFB_T_BIGINT, 0, 0, 0, 0 },
		{ "tinyint", SQL_TINYINT, 3, 10, NULL, OFB_T_BIGINT, 0, 0, 0, 0 },
		{ "bigint", SQL_BIGINT, 19, 10, NULL, OFB_T_BIGINT, 0, 0, 0, 0 },
		{ "varchar(20)", SQL_VARCHAR, 20, 10, NULL, OFB_T_VARCHAR, 20, 0, 0, 0 },
		{ "nvarchar(30)", SQL_VARCHAR, 30, 10, NULL, OFB_T_VARCHAR, 30, 0, 0, 0 },
		{ "varchar", SQL_VARCHAR, 0, 10, NULL, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "char", SQL_VARCHAR, 0, 10, NULL, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "varchar(70000)", SQL_LONGVARCHAR, 70000, 10, NULL, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "TEXT", SQL_LONGVARCHAR, 0, 10, NULL, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "timestamp", SQL_TYPE_TIMESTAMP, 3, 10, NULL, OFB_T_TIMESTAMP, 0, 0, 6, 0 },
		{ "datetime", SQL_TYPE_TIMESTAMP, 3, 10, NULL, OFB_T_TIMESTAMP, 0, 0, 6, 0 },
		{ "time", SQL_TYPE_TIME, 0, 10, NULL, OFB_T_TIME, 0, 0, 6, 0 },
		{ "date", SQL_TYPE_DATE, 0, 10, NULL, OFB_T_DATE, 0, 0, 0, 0 },
		{ "boolean", SQL_BIT, 1, 10, NULL, OFB_T_BOOLEAN, 0, 0, 0, 0 },
		{ "REAL", SQL_DOUBLE, 53, 10, NULL, OFB_T_DOUBLE, 0, 0, 0, 0 },
		{ "BLOB", SQL_BINARY, 0, 10, NULL, OFB_T_BLOB, 0, 0, 0, 0 },
	};

	check_refine(&ofb_driver_sqlite, cases, N(cases));
}

/* sqliteodbc reports a declared numeric(p,s) as SQL_DOUBLE and a bare DECIMAL or NUMERIC
 * as a varchar of size 0; both are exact decimals in the schema that declared them. */
static void test_refine_sqlite_numeric_declarations(void)
{
	static const struct refine_case cases[] = {
		{ "numeric(10,2)", SQL_DOUBLE, 2, 10, NULL, OFB_T_DECIMAL, 0, 10, 2, 0 },
		{ "numeric(8)", SQL_DOUBLE, 8, 10, NULL, OFB_T_DECIMAL, 0, 8, 0, 0 },
		{ "DECIMAL", SQL_VARCHAR, 0, 10, NULL, OFB_T_DECIMAL, 0, 0, 0, 0 },
	};

	check_refine(&ofb_driver_sqlite, cases, N(cases));
}

/* Reports as psqlODBC gives them with the driver's connect options (text and unknown
 * types as long varchar, bytea as long varbinary). */
static void test_refine_postgresql(void)
{
	static const struct refine_case cases[] = {
		{ "timestamptz", SQL_TYPE_TIMESTAMP, 26, 6, NULL, OFB_T_TIMESTAMPTZ, 0, 0, 6, 0 },
		{ "timestamptz", SQL_TYPE_TIMESTAMP, 22, 3, "now()", OFB_T_TIMESTAMPTZ, 0, 0, 3, 0 },
		{ "timestamp", SQL_TYPE_TIMESTAMP, 26, 6, NULL, OFB_T_TIMESTAMP, 0, 0, 6, 0 },
		{ "jsonb", SQL_LONGVARCHAR, 8190, 0, NULL, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "jsonb", SQL_VARCHAR, 255, 0, NULL, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "json", SQL_LONGVARCHAR, 8190, 0, NULL, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "interval", SQL_VARCHAR, 255, 0, NULL, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "timetz", SQL_TYPE_TIME, 8, 0, NULL, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "inet", SQL_VARCHAR, 50, 0, NULL, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "mood", SQL_VARCHAR, 255, 0, NULL, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "_int4", SQL_VARCHAR, 255, 0, NULL, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "text", SQL_LONGVARCHAR, 0, 0, NULL, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "text", SQL_VARCHAR, 8190, 0, NULL, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "varchar", SQL_VARCHAR, 40, 0, NULL, OFB_T_VARCHAR, 40, 0, 0, 0 },
		{ "varchar", SQL_LONGVARCHAR, 0, 0, NULL, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "bpchar", SQL_CHAR, 10, 0, NULL, OFB_T_CHAR, 10, 0, 0, 0 },
		{ "name", SQL_VARCHAR, 63, 0, NULL, OFB_T_VARCHAR, 63, 0, 0, 0 },
		{ "bytea", SQL_LONGVARBINARY, 0, 0, NULL, OFB_T_BLOB, 0, 0, 0, 0 },
		{ "bytea", SQL_VARBINARY, 255, 0, NULL, OFB_T_BLOB, 0, 0, 0, 0 },
		{ "numeric", SQL_NUMERIC, 12, 4, NULL, OFB_T_DECIMAL, 0, 12, 4, 0 },
		{ "uuid", SQL_GUID, 37, 0, NULL, OFB_T_UUID, 0, 0, 0, 0 },
		{ "bool", SQL_BIT, 1, 0, NULL, OFB_T_BOOLEAN, 0, 0, 0, 0 },
		{ "int4", SQL_INTEGER, 10, 0, "nextval('order_id_seq'::regclass)", OFB_T_INTEGER,
		  0, 0, 0, 1 },
		{ "int8", SQL_BIGINT, 19, 0, "nextval('\"Odd Name_id_seq\"'::regclass)",
		  OFB_T_BIGINT, 0, 0, 0, 1 },
		{ "int4", SQL_INTEGER, 10, 0, "42", OFB_T_INTEGER, 0, 0, 0, 0 },
		{ "int4", SQL_INTEGER, 10, 0, NULL, OFB_T_INTEGER, 0, 0, 0, 0 },
		{ "text", SQL_LONGVARCHAR, 0, 0, "'nextval('::text", OFB_T_TEXT, 0, 0, 0, 0 },
	};

	check_refine(&ofb_driver_postgresql, cases, N(cases));
}

/* Engines without the hook keep the catalog's view. */
static void test_refine_absent(void)
{
	static const struct refine_case cases[] = {
		{ "decimal(12,4)", SQL_DECIMAL, 12, 4, NULL, OFB_T_DECIMAL, 0, 12, 4, 0 },
		{ "int", SQL_INTEGER, 10, 0, "nextval('x')", OFB_T_INTEGER, 0, 0, 0, 0 },
		{ "jsonb", SQL_VARCHAR, 255, 0, NULL, OFB_T_VARCHAR, 255, 0, 0, 0 },
		{ "datetime", SQL_TYPE_TIMESTAMP, 26, 6, NULL, OFB_T_TIMESTAMP, 0, 0, 6, 0 },
	};

	CU_ASSERT_PTR_NULL(ofb_driver_mariadb.refine_column);
	CU_ASSERT_PTR_NULL(ofb_driver_generic.refine_column);
	check_refine(&ofb_driver_mariadb, cases, N(cases));
	check_refine(&ofb_driver_generic, cases, N(cases));
}

/* Digits before and after the point, the exponent applied: what decides whether a value
 * fits a decimal(p,s) column without rounding. */
static void test_decimal_shape(void)
{
	static const struct {
		const char *v;
		int ret, before, after;
	} cases[] = {
		{ "12.345", 0, 2, 3 },
		{ "1.5e-05", 0, 0, 6 },
		{ "0.000015", 0, 0, 6 },
		{ "12345e2", 0, 7, 0 },
		{ "1.25E+1", 0, 2, 1 },
		{ "-0.50", 0, 0, 1 },
		{ "100", 0, 3, 0 },
		{ "0.0", 0, 0, 0 },
		{ "1.2300", 0, 1, 2 },
		{ "+007.10", 0, 1, 1 },
		{ "NaN", -1, 0, 0 },
		{ "1.2.3", -1, 0, 0 },
		{ "", -1, 0, 0 },
		{ "1e", -1, 0, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int before = -9, after = -9;
		int ret = ofb_decimal_shape(cases[i].v, strlen(cases[i].v), &before, &after);
		ofb_expect_long(cases[i].v, ret, cases[i].ret, __LINE__);
		if (cases[i].ret == 0) {
			ofb_expect_long(cases[i].v, before, cases[i].before, __LINE__);
			ofb_expect_long(cases[i].v, after, cases[i].after, __LINE__);
		}
	}
}

/* Values a typed engine would round or cut are refused; values that fit pass. */
static void test_value_fits(void)
{
	struct ofb_column dec = { .type = OFB_T_DECIMAL, .precision = 10, .scale = 2 };
	struct ofb_column num = { .type = OFB_T_DECIMAL, .precision = 0 };
	struct ofb_column in = { .type = OFB_T_INTEGER };
	struct ofb_column ts = { .type = OFB_T_TIMESTAMP, .scale = 6 };
	struct ofb_column tz = { .type = OFB_T_TIMESTAMPTZ, .scale = 6 };

	CU_ASSERT_PTR_NULL(ofb_value_fits_type(&dec, "12.34", 5));
	CU_ASSERT_PTR_NULL(ofb_value_fits_type(&dec, "12.3400", 7));
	CU_ASSERT_PTR_NOT_NULL(ofb_value_fits_type(&dec, "12.345", 6));
	CU_ASSERT_PTR_NOT_NULL(ofb_value_fits_type(&dec, "1.5e-05", 7));
	CU_ASSERT_PTR_NOT_NULL(ofb_value_fits_type(&dec, "123456789", 9));
	CU_ASSERT_PTR_NULL(ofb_value_fits_type(&dec, "12345678", 8));
	CU_ASSERT_PTR_NULL(ofb_value_fits_type(&num, "1.23456789012345678901234567890123", 34));
	CU_ASSERT_PTR_NULL(ofb_value_fits_type(&in, "42", 2));
	CU_ASSERT_PTR_NULL(ofb_value_fits_type(&in, "42.0", 4));
	CU_ASSERT_PTR_NOT_NULL(ofb_value_fits_type(&in, "1.5", 3));
	CU_ASSERT_PTR_NULL(ofb_value_fits_type(&ts, "2024-01-01 10:00:00.123456", 26));
	CU_ASSERT_PTR_NOT_NULL(ofb_value_fits_type(&ts, "2024-01-01 10:00:00.1234567", 27));
	CU_ASSERT_PTR_NOT_NULL(ofb_value_fits_type(&ts, "2024-01-01 10:00:00+02:00", 25));
	CU_ASSERT_PTR_NULL(ofb_value_fits_type(&tz, "2024-01-01 10:00:00+02:00", 25));
}

int register_drivers_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "driver for dbms name", test_driver_for },
		{ "driver by name", test_driver_by_name },
		{ "quote: double quotes", test_quote_double_quotes },
		{ "quote: backticks", test_quote_backticks },
		{ "quote: brackets", test_quote_brackets },
		{ "quote: round trip on every driver", test_quote_round_trip },
		{ "type_ddl sqlite", test_ddl_sqlite },
		{ "type_ddl postgresql", test_ddl_postgresql },
		{ "type_ddl mariadb", test_ddl_mariadb },
		{ "type_ddl generic", test_ddl_generic },
		{ "type_ddl properties", test_ddl_properties },
		{ "type_ddl postgresql lengths", test_ddl_postgresql_lengths },
		{ "type_ddl mariadb scale above precision", test_ddl_mariadb_scale_above_precision },
		{ "limit clause", test_limit },
		{ "refine sqlite", test_refine_sqlite },
		{ "refine sqlite numeric declarations", test_refine_sqlite_numeric_declarations },
		{ "refine postgresql", test_refine_postgresql },
		{ "refine absent", test_refine_absent },
		{ "decimal shape", test_decimal_shape },
		{ "values that fit their type", test_value_fits },
		{ NULL, NULL },
	};

	return ofb_add_suite("drivers", tests);
}
