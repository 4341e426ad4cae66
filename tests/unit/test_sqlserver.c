/* Unit tests of the SQL Server driver's dialect (no SQL Server can run in the test suite). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "schema.h"
#include "util.h"
#include "suites.h"

static const struct ofb_driver *const drv = &ofb_driver_sqlserver;

static void test_matches(void)
{
	static const struct { const char *dbms_name; int match; } cases[] = {
		{ "Microsoft SQL Server", 1 },
		{ "microsoft sql server", 1 },
		{ "MICROSOFT SQL SERVER", 1 },
		{ "Microsoft SQL Server 2019", 1 },
		{ "Microsoft SQL Serve", 0 },
		{ "SQL Server", 0 },                   /* Sybase ASE through FreeTDS */
		{ "Adaptive Server Enterprise", 0 },
		{ " Microsoft SQL Server", 0 },
		{ "PostgreSQL", 0 },
		{ "MariaDB", 0 },
		{ "SQLite", 0 },
		{ "", 0 },
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(drv->matches);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ofb_expect_long(cases[i].dbms_name, drv->matches(cases[i].dbms_name) != 0,
				cases[i].match, __LINE__);
	CU_ASSERT_EQUAL(drv->matches(NULL), 0);
}

static void test_driver_fields(void)
{
	CU_ASSERT_STRING_EQUAL(drv->name, "sqlserver");
	CU_ASSERT_EQUAL(drv->quote_open, '[');
	CU_ASSERT_EQUAL(drv->quote_close, ']');
	/* FreeTDS streams: chunked reads would only cost extra queries. */
	CU_ASSERT_EQUAL(drv->chunk_rows, 0);
	CU_ASSERT_PTR_NOT_NULL(drv->session_setup);
	CU_ASSERT_PTR_NOT_NULL(drv->begin_snapshot);
	CU_ASSERT_PTR_NOT_NULL(drv->catalog_scope);
	CU_ASSERT_PTR_NOT_NULL(drv->refine_column);
	CU_ASSERT_PTR_NOT_NULL(drv->table_extra);
	CU_ASSERT_PTR_NOT_NULL(drv->type_ddl);
	CU_ASSERT_PTR_NOT_NULL(drv->limit_clause);
}

static void test_connect_options(void)
{
	const char *opts = drv->connect_options;

	CU_ASSERT_PTR_NOT_NULL_FATAL(opts);
	/* Unicode text must not pass through a narrow code page. */
	CU_ASSERT_PTR_NOT_NULL(strstr(opts, "ClientCharset=UTF-8"));
	/* date, time, datetime2 and datetimeoffset need TDS 7.3 or later. */
	CU_ASSERT_PTR_NOT_NULL(strstr(opts, "TDS_Version=7.4"));
	/* Appended to a connection string: no stray separators, no braces to unbalance. */
	CU_ASSERT_NOT_EQUAL(opts[0], ';');
	CU_ASSERT_NOT_EQUAL(opts[strlen(opts) - 1], ';');
	CU_ASSERT_PTR_NULL(strpbrk(opts, "{}"));
}


static void test_type_ddl_every_type(void)
{
	static const struct ddl_case cases[] = {
		{ OFB_T_BOOLEAN, 0, 0, 0, "bit" },
		{ OFB_T_SMALLINT, 0, 0, 0, "smallint" },
		{ OFB_T_INTEGER, 0, 0, 0, "int" },
		{ OFB_T_BIGINT, 0, 0, 0, "bigint" },
		{ OFB_T_DECIMAL, 0, 12, 4, "decimal(12,4)" },
		{ OFB_T_REAL, 0, 0, 0, "real" },
		{ OFB_T_DOUBLE, 0, 0, 0, "float(53)" },
		{ OFB_T_CHAR, 10, 0, 0, "nchar(10)" },
		{ OFB_T_VARCHAR, 40, 0, 0, "nvarchar(40)" },
		{ OFB_T_TEXT, 0, 0, 0, "nvarchar(max)" },
		{ OFB_T_BINARY, 16, 0, 0, "binary(16)" },
		{ OFB_T_VARBINARY, 100, 0, 0, "varbinary(100)" },
		{ OFB_T_BLOB, 0, 0, 0, "varbinary(max)" },
		{ OFB_T_DATE, 0, 0, 0, "date" },
		{ OFB_T_TIME, 0, 0, 3, "time(3)" },
		{ OFB_T_TIMESTAMP, 0, 0, 6, "datetime2(6)" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 6, "datetimeoffset(6)" },
		{ OFB_T_UUID, 0, 0, 0, "uniqueidentifier" },
		{ OFB_T_OTHER, 0, 0, 0, "nvarchar(max)" },
	};

	check_ddl(drv, cases, sizeof cases / sizeof cases[0]);
}

static void test_type_ddl_sizes(void)
{
	static const struct ddl_case cases[] = {
		{ OFB_T_CHAR, 1, 0, 0, "nchar(1)" },
		{ OFB_T_CHAR, 4000, 0, 0, "nchar(4000)" },
		{ OFB_T_CHAR, 4001, 0, 0, "nvarchar(max)" },
		{ OFB_T_CHAR, 0, 0, 0, "nvarchar(max)" },     /* unknown: never too short */
		{ OFB_T_VARCHAR, 1, 0, 0, "nvarchar(1)" },
		{ OFB_T_VARCHAR, 4000, 0, 0, "nvarchar(4000)" },
		{ OFB_T_VARCHAR, 4001, 0, 0, "nvarchar(max)" },
		{ OFB_T_VARCHAR, 0, 0, 0, "nvarchar(max)" },
		{ OFB_T_VARCHAR, 1L << 30, 0, 0, "nvarchar(max)" },
		{ OFB_T_BINARY, 1, 0, 0, "binary(1)" },
		{ OFB_T_BINARY, 8000, 0, 0, "binary(8000)" },
		{ OFB_T_BINARY, 8001, 0, 0, "varbinary(max)" },
		{ OFB_T_BINARY, 0, 0, 0, "varbinary(max)" },
		{ OFB_T_VARBINARY, 8000, 0, 0, "varbinary(8000)" },
		{ OFB_T_VARBINARY, 8001, 0, 0, "varbinary(max)" },
		{ OFB_T_VARBINARY, 0, 0, 0, "varbinary(max)" },
		{ OFB_T_TIME, 0, 0, 0, "time(0)" },
		{ OFB_T_TIME, 0, 0, 7, "time(7)" },
		{ OFB_T_TIME, 0, 0, 9, "time(7)" },                /* nanoseconds elsewhere */
		{ OFB_T_TIMESTAMP, 0, 0, 0, "datetime2(0)" },
		{ OFB_T_TIMESTAMP, 0, 0, 7, "datetime2(7)" },
		{ OFB_T_TIMESTAMP, 0, 0, 9, "datetime2(7)" },
		{ OFB_T_TIMESTAMP, 0, 0, -1, "datetime2(7)" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 0, "datetimeoffset(0)" },
		{ OFB_T_TIMESTAMPTZ, 0, 0, 9, "datetimeoffset(7)" },
	};

	check_ddl(drv, cases, sizeof cases / sizeof cases[0]);
}

static void test_type_ddl_decimal(void)
{
	static const struct ddl_case cases[] = {
		{ OFB_T_DECIMAL, 0, 1, 0, "decimal(1,0)" },
		{ OFB_T_DECIMAL, 0, 38, 0, "decimal(38,0)" },
		{ OFB_T_DECIMAL, 0, 38, 38, "decimal(38,38)" },
		{ OFB_T_DECIMAL, 0, 19, 4, "decimal(19,4)" },
		/* beyond SQL Server: widest it has; the import must refuse what does not fit */
		{ OFB_T_DECIMAL, 0, 39, 2, "decimal(38,2)" },
		{ OFB_T_DECIMAL, 0, 1000, 0, "decimal(38,0)" },
		{ OFB_T_DECIMAL, 0, 60, 50, "decimal(38,38)" },
		/* unknown precision */
		{ OFB_T_DECIMAL, 0, 0, 0, "decimal(38,0)" },
		{ OFB_T_DECIMAL, 0, 0, 6, "decimal(38,6)" },
		/* scale above precision, as PostgreSQL allows */
		{ OFB_T_DECIMAL, 0, 3, 5, "decimal(5,5)" },
		/* negative scale, as PostgreSQL allows: whole numbers */
		{ OFB_T_DECIMAL, 0, 5, -2, "decimal(5,0)" },
	};

	check_ddl(drv, cases, sizeof cases / sizeof cases[0]);
}

struct refine_case {
	const char *native;    /* SQLColumns TYPE_NAME */
	/* what the generic mapping made of the ODBC report */
	enum ofb_ptype in_type;
	long in_length;
	int in_precision;
	int in_scale;
	/* after refine_column */
	enum ofb_ptype type;
	long length;
	int precision;
	int scale;
	int identity;
};

static void test_refine_column(void)
{
	static const struct refine_case cases[] = {
		{ "int identity", OFB_T_INTEGER, 0, 0, 0, OFB_T_INTEGER, 0, 0, 0, 1 },
		{ "bigint identity", OFB_T_BIGINT, 0, 0, 0, OFB_T_BIGINT, 0, 0, 0, 1 },
		{ "INT IDENTITY", OFB_T_INTEGER, 0, 0, 0, OFB_T_INTEGER, 0, 0, 0, 1 },
		{ "smallint identity", OFB_T_SMALLINT, 0, 0, 0, OFB_T_SMALLINT, 0, 0, 0, 1 },
		{ "tinyint identity", OFB_T_SMALLINT, 0, 0, 0, OFB_T_SMALLINT, 0, 0, 0, 1 },
		{ "numeric() identity", OFB_T_DECIMAL, 0, 18, 0, OFB_T_DECIMAL, 0, 18, 0, 1 },
		{ "int", OFB_T_INTEGER, 0, 0, 0, OFB_T_INTEGER, 0, 0, 0, 0 },
		{ "bit", OFB_T_OTHER, 0, 0, 0, OFB_T_BOOLEAN, 0, 0, 0, 0 },
		{ "tinyint", OFB_T_OTHER, 0, 0, 0, OFB_T_SMALLINT, 0, 0, 0, 0 },
		/* datetime2(p): the generic mapping took p from DECIMAL_DIGITS */
		{ "datetime2", OFB_T_TIMESTAMP, 0, 0, 7, OFB_T_TIMESTAMP, 0, 0, 7, 0 },
		{ "datetime2", OFB_T_TIMESTAMP, 0, 0, 0, OFB_T_TIMESTAMP, 0, 0, 0, 0 },
		{ "datetime2", OFB_T_TIMESTAMP, 0, 0, 3, OFB_T_TIMESTAMP, 0, 0, 3, 0 },
		{ "datetime", OFB_T_TIMESTAMP, 0, 0, 0, OFB_T_TIMESTAMP, 0, 0, 3, 0 },
		{ "smalldatetime", OFB_T_TIMESTAMP, 0, 0, 0, OFB_T_TIMESTAMP, 0, 0, 0, 0 },
		/* datetimeoffset arrives as an engine-specific SQL type: digits from the
		 * display width when known, else the most SQL Server has */
		{ "datetimeoffset", OFB_T_OTHER, 0, 0, 0, OFB_T_TIMESTAMPTZ, 0, 0, 7, 0 },
		{ "datetimeoffset", OFB_T_OTHER, 34, 0, 0, OFB_T_TIMESTAMPTZ, 0, 0, 7, 0 },
		{ "datetimeoffset", OFB_T_OTHER, 30, 0, 0, OFB_T_TIMESTAMPTZ, 0, 0, 3, 0 },
		{ "datetimeoffset", OFB_T_OTHER, 26, 0, 0, OFB_T_TIMESTAMPTZ, 0, 0, 0, 0 },
		{ "time", OFB_T_OTHER, 0, 0, 0, OFB_T_TIME, 0, 0, 7, 0 },
		{ "time", OFB_T_OTHER, 8, 0, 0, OFB_T_TIME, 0, 0, 0, 0 },
		{ "time", OFB_T_OTHER, 12, 0, 0, OFB_T_TIME, 0, 0, 3, 0 },
		{ "time", OFB_T_TIME, 0, 0, 4, OFB_T_TIME, 0, 0, 4, 0 },
		{ "date", OFB_T_OTHER, 0, 0, 0, OFB_T_DATE, 0, 0, 0, 0 },
		/* sp_columns' compatibility mapping: nvarchar of the display width */
		{ "date", OFB_T_VARCHAR, 10, 0, 0, OFB_T_DATE, 0, 0, 0, 0 },
		{ "time", OFB_T_VARCHAR, 16, 0, 0, OFB_T_TIME, 0, 0, 7, 0 },
		{ "datetime2", OFB_T_VARCHAR, 27, 0, 0, OFB_T_TIMESTAMP, 0, 0, 7, 0 },
		{ "datetime2", OFB_T_VARCHAR, 19, 0, 0, OFB_T_TIMESTAMP, 0, 0, 0, 0 },
		{ "datetime2", OFB_T_VARCHAR, 23, 0, 0, OFB_T_TIMESTAMP, 0, 0, 3, 0 },
		{ "datetimeoffset", OFB_T_VARCHAR, 34, 0, 0, OFB_T_TIMESTAMPTZ, 0, 0, 7, 0 },
		{ "uniqueidentifier", OFB_T_OTHER, 0, 0, 0, OFB_T_UUID, 0, 0, 0, 0 },
		{ "uniqueidentifier", OFB_T_UUID, 0, 0, 0, OFB_T_UUID, 0, 0, 0, 0 },
		{ "money", OFB_T_DECIMAL, 0, 19, 4, OFB_T_DECIMAL, 0, 19, 4, 0 },
		{ "money", OFB_T_OTHER, 0, 0, 0, OFB_T_DECIMAL, 0, 19, 4, 0 },
		{ "smallmoney", OFB_T_OTHER, 0, 0, 0, OFB_T_DECIMAL, 0, 10, 4, 0 },
		/* (max): size 0 or 2^30, or the name says so */
		{ "nvarchar", OFB_T_TEXT, 0, 0, 0, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "nvarchar", OFB_T_VARCHAR, 1L << 30, 0, 0, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "nvarchar(max)", OFB_T_VARCHAR, 4000, 0, 0, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "varchar", OFB_T_VARCHAR, 2147483647L, 0, 0, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "varchar(max)", OFB_T_TEXT, 0, 0, 0, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "varbinary", OFB_T_BLOB, 0, 0, 0, OFB_T_BLOB, 0, 0, 0, 0 },
		{ "varbinary", OFB_T_VARBINARY, 1L << 30, 0, 0, OFB_T_BLOB, 0, 0, 0, 0 },
		{ "varbinary(max)", OFB_T_VARBINARY, 8000, 0, 0, OFB_T_BLOB, 0, 0, 0, 0 },
		/* sized variants stay as reported */
		{ "nvarchar", OFB_T_VARCHAR, 4000, 0, 0, OFB_T_VARCHAR, 4000, 0, 0, 0 },
		{ "varchar", OFB_T_VARCHAR, 8000, 0, 0, OFB_T_VARCHAR, 8000, 0, 0, 0 },
		{ "varbinary", OFB_T_VARBINARY, 16, 0, 0, OFB_T_VARBINARY, 16, 0, 0, 0 },
		{ "nchar", OFB_T_CHAR, 10, 0, 0, OFB_T_CHAR, 10, 0, 0, 0 },
		{ "xml", OFB_T_OTHER, 0, 0, 0, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "xml", OFB_T_TEXT, 0, 0, 0, OFB_T_OTHER, 0, 0, 0, 0 },
		{ "ntext", OFB_T_OTHER, 0, 0, 0, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "ntext", OFB_T_TEXT, 0, 0, 0, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "text", OFB_T_TEXT, 0, 0, 0, OFB_T_TEXT, 0, 0, 0, 0 },
		{ "image", OFB_T_OTHER, 0, 0, 0, OFB_T_BLOB, 0, 0, 0, 0 },
		{ "image", OFB_T_BLOB, 0, 0, 0, OFB_T_BLOB, 0, 0, 0, 0 },
		/* rowversion keeps its old name, and is no point in time */
		{ "timestamp", OFB_T_BINARY, 8, 0, 0, OFB_T_BINARY, 8, 0, 0, 0 },
		{ "decimal", OFB_T_DECIMAL, 0, 12, 4, OFB_T_DECIMAL, 0, 12, 4, 0 },
		{ "float", OFB_T_DOUBLE, 0, 0, 0, OFB_T_DOUBLE, 0, 0, 0, 0 },
		{ "sql_variant", OFB_T_OTHER, 0, 0, 0, OFB_T_OTHER, 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct refine_case *c = &cases[i];
		struct ofb_column col = { 0 };
		char native[64];
		char what[128];

		snprintf(native, sizeof native, "%s", c->native);
		col.native_type = native;
		col.type = c->in_type;
		col.length = c->in_length;
		col.precision = c->in_precision;
		col.scale = c->in_scale;
		drv->refine_column(&col);
		snprintf(what, sizeof what, "refine '%s' (%s) type", c->native,
			 ofb_ptype_name(c->in_type));
		ofb_expect_str(what, ofb_ptype_name(col.type), ofb_ptype_name(c->type), __LINE__);
		snprintf(what, sizeof what, "refine '%s' length", c->native);
		ofb_expect_long(what, col.length, c->length, __LINE__);
		snprintf(what, sizeof what, "refine '%s' precision", c->native);
		ofb_expect_long(what, col.precision, c->precision, __LINE__);
		snprintf(what, sizeof what, "refine '%s' scale", c->native);
		ofb_expect_long(what, col.scale, c->scale, __LINE__);
		snprintf(what, sizeof what, "refine '%s' identity", c->native);
		ofb_expect_long(what, col.identity, c->identity, __LINE__);
		/* the engine's own name is what a same-engine restore uses */
		CU_ASSERT_PTR_EQUAL(col.native_type, native);
		CU_ASSERT_STRING_EQUAL(col.native_type, c->native);
	}
}

static void test_refine_without_native_type(void)
{
	struct ofb_column col = { 0 };

	col.type = OFB_T_VARCHAR;
	col.length = 20;
	drv->refine_column(&col);
	CU_ASSERT_EQUAL(col.type, OFB_T_VARCHAR);
	CU_ASSERT_EQUAL(col.length, 20);
	CU_ASSERT_EQUAL(col.identity, 0);
}

static void test_refine_keeps_identity(void)
{
	struct ofb_column col = { 0 };
	char native[] = "int";

	/* set elsewhere (e.g. from sys.identity_columns): refine must not clear it */
	col.native_type = native;
	col.type = OFB_T_INTEGER;
	col.identity = 1;
	drv->refine_column(&col);
	CU_ASSERT_EQUAL(col.identity, 1);
}

static void test_limit_clause(void)
{
	static const struct { unsigned long n; const char *want; } cases[] = {
		{ 1, " OFFSET 0 ROWS FETCH NEXT 1 ROWS ONLY" },
		{ 1000, " OFFSET 0 ROWS FETCH NEXT 1000 ROWS ONLY" },
		{ 4294967295UL, " OFFSET 0 ROWS FETCH NEXT 4294967295 ROWS ONLY" },
		/* FETCH refuses 0 rows: skip every row instead */
		{ 0, " OFFSET 9223372036854775807 ROWS" },
	};
	struct buf sql;

	buf_init(&sql);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char what[64];

		buf_reset(&sql);
		buf_adds(&sql, "SELECT * FROM [t] ORDER BY [id]");
		drv->limit_clause(&sql, cases[i].n);
		snprintf(what, sizeof what, "limit %lu", cases[i].n);
		CU_ASSERT_FATAL(sql.len >= strlen("SELECT * FROM [t] ORDER BY [id]"));
		ofb_expect_str(what, sql.data + strlen("SELECT * FROM [t] ORDER BY [id]"),
			       cases[i].want, __LINE__);
	}
	/* OFFSET and FETCH take a bigint */
	if (ULONG_MAX > 9223372036854775807ULL) {
		buf_reset(&sql);
		drv->limit_clause(&sql, ULONG_MAX);
		ofb_expect_str("limit ULONG_MAX", sql.data,
			       " OFFSET 0 ROWS FETCH NEXT 9223372036854775807 ROWS ONLY", __LINE__);
	}
	buf_free(&sql);
}

static void test_quote(void)
{
	static const struct { const char *name; const char *want; } cases[] = {
		{ "order", "[order]" },
		{ "my table", "[my table]" },
		{ "we]ird", "[we]]ird]" },
		{ "]]", "[]]]]]" },
		{ "[x", "[[x]" },                  /* an opening bracket needs no escape */
		{ "it's", "[it's]" },
		{ "\"q\"", "[\"q\"]" },
		{ "Bücher", "[Bücher]" },
		{ "", "[]" },
	};
	struct buf sql;

	buf_init(&sql);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char what[64];

		buf_reset(&sql);
		ofb_drv_quote(drv, &sql, cases[i].name);
		snprintf(what, sizeof what, "quote '%s'", cases[i].name);
		ofb_expect_str(what, sql.data, cases[i].want, __LINE__);
	}
	buf_free(&sql);
}

int register_sqlserver_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "matches", test_matches },
		{ "driver fields", test_driver_fields },
		{ "connect options", test_connect_options },
		{ "type_ddl every type", test_type_ddl_every_type },
		{ "type_ddl sizes", test_type_ddl_sizes },
		{ "type_ddl decimal", test_type_ddl_decimal },
		{ "refine_column native types", test_refine_column },
		{ "refine_column without native type", test_refine_without_native_type },
		{ "refine_column keeps identity", test_refine_keeps_identity },
		{ "limit_clause", test_limit_clause },
		{ "quote", test_quote },
		{ NULL, NULL },
	};

	return ofb_add_suite("sqlserver", tests);
}
