/* Unit tests for sqlcheck.c: what SQL from a package may run, per engine dialect. */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "driver.h"
#include "sqlcheck.h"
#include "suites.h"
#include "util.h"

static const struct ofb_sql_dialect *dialect(const char *engine)
{
	return ofb_drv_dialect(ofb_driver_by_name(engine));
}

/* ---- native statements ---- */

static const struct {
	const char *engine;
	enum ofb_sql_kind kind;
	const char *object, *on_table, *sql;
	int ok;
} natives[] = {
	/* what the engines themselves write */
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT DEFAULT 'a;b' CHECK (v <> '--'))", 1 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "order", NULL,
	  "CREATE TABLE \"order\" (\"x;y\" int, [z] int, `w` int) /* a ; comment */", 1 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE main.t (a)", 1 },
	{ "sqlite", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE INDEX i ON t (lower(v)) WHERE v IS NOT NULL", 1 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE UNIQUE INDEX i ON public.t USING btree (lower((v)::text)) WHERE (v <> 'x'::text)", 1 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "Idx", "T",
	  "CREATE INDEX \"Idx\" ON ONLY public.\"T\" USING btree (a)", 1 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE INDEX i ON t (a) WHERE b = $x$; not a separator$x$", 1 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `s` varchar(20) DEFAULT "
	  "'it\\'s; fine',\n  PRIMARY KEY (`id`),\n  KEY `k` (`s`)\n) ENGINE=InnoDB "
	  "AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin", 1 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` int --1\n)", 1 },
	/* a second statement, however hidden */
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE t (a); ATTACH '/elsewhere/other.db' AS v; DROP TABLE v.payroll", 0 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE INDEX i ON public.t USING btree (a); CREATE TABLE pwned(x int)", 0 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE INDEX i ON t (a) WHERE b = E'\\'; DROP TABLE x; --'", 1 },   /* one string */
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE INDEX i ON t (a) WHERE b = '\\'; DROP TABLE x; --'", 0 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE INDEX i ON t (a) /* /* */ ; DROP TABLE x */", 1 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE t (a) /* /* */ ; DROP TABLE x */", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` varchar(9) DEFAULT 'x\\'; DROP TABLE y; -- ')", 1 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` int) /*!50000 ; DROP TABLE y */", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` int --1; DROP TABLE y\n)", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` int) # ; fine\n", 1 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE t (a) -- unterminated '", 1 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE t (a DEFAULT 'x)", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE t (a) /* never ends", 0 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t", "CREATE INDEX i ON t ({fn x()})", 0 },
	/* SQLite reads $x(...) up to ')' as one token, quotes and all */
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE t (a DEFAULT $x(') ; ATTACH 'evil' AS e; --'))", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE t (a CHECK (a > :p))", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE `t` (`a` int DEFAULT @v)", 0 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t", "CREATE INDEX i ON t (a) WHERE a > $1", 0 },
	/* another kind or another object */
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "DROP TABLE t", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE u (a)", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE \"T\" (a)", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE T (a)", 1 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE other.t (a)", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE t AS SELECT * FROM u", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TRIGGER t AFTER INSERT ON u BEGIN "
	  "SELECT 1; END", 0 },
	{ "sqlite", OFB_SQL_CREATE_INDEX, "i", "t", "CREATE INDEX i ON u (a)", 0 },
	{ "sqlite", OFB_SQL_CREATE_INDEX, "i", "t", "CREATE INDEX j ON t (a)", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL, "CREATE TABLE `otherdb`.`t` (`a` int)", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` int, FOREIGN KEY (`a`) REFERENCES `mysql`.`user` (`x`))", 0 },
	/* features reaching beyond the database */
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE t (a DEFAULT (load_extension('/tmp/x.so')))", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE t (a CHECK (\"load_extension\"('x')))", 0 },
	{ "sqlite", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE t (a CHECK (pragma_table_info('u')))", 0 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE INDEX i ON t (lo_export(a, '/tmp/x'))", 0 },
	{ "postgresql", OFB_SQL_CREATE_INDEX, "i", "t",
	  "CREATE INDEX i ON t (a) WHERE pg_read_file('/etc/passwd') <> ''", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` int) ENGINE=CONNECT TABLE_TYPE=DOS FILE_NAME='/etc/passwd'", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` int) ENGINE=InnoDB DATA DIRECTORY='/tmp'", 0 },
	{ "mariadb", OFB_SQL_CREATE_TABLE, "t", NULL,
	  "CREATE TABLE `t` (`a` text AS (load_file('/etc/shadow')))", 0 },
};

static void test_native(void)
{
	for (size_t i = 0; i < sizeof natives / sizeof natives[0]; i++) {
		char *why = NULL;
		int rc = ofb_sql_check_native(dialect(natives[i].engine), natives[i].kind,
					      natives[i].object, natives[i].on_table, natives[i].sql,
					      &why);
		char *what = xasprintf("%s: %s (%s)", natives[i].engine, natives[i].sql,
				       why ? why : "accepted");
		ofb_expect_true(what, (rc == 0) == natives[i].ok, __LINE__);
		ofb_expect_true("a refusal says why", rc == 0 || (why && *why), __LINE__);
		free(what);
		free(why);
	}
}

/* ---- type names and defaults ---- */

typedef int check_fn(const struct ofb_sql_dialect *d, const char *text, char **why);

static const struct {
	check_fn *check;
	const char *engine, *text;
	int ok;
} tokens[] = {
	{ ofb_sql_check_type, "postgresql", "character varying(40)", 1 },
	{ ofb_sql_check_type, "postgresql", "numeric(12,4)", 1 },
	{ ofb_sql_check_type, "postgresql", "timestamp(3) with time zone", 1 },
	{ ofb_sql_check_type, "postgresql", "integer[]", 1 },
	{ ofb_sql_check_type, "postgresql", "public.status", 1 },
	{ ofb_sql_check_type, "postgresql", "\"MyType\"", 1 },
	{ ofb_sql_check_type, "postgresql", "interval day to second(3)", 1 },
	{ ofb_sql_check_type, "postgresql", "integer, PRIMARY KEY (id)); CREATE TABLE pwned (x int); CREATE TABLE \"x\" (y int", 0 },
	{ ofb_sql_check_type, "postgresql", "integer DEFAULT 1", 0 },
	{ ofb_sql_check_type, "postgresql", "text COLLATE \"C\"", 1 },
	{ ofb_sql_check_type, "postgresql", "int CHECK (lo_export(1, '/tmp/x') > 0)", 0 },
	{ ofb_sql_check_type, "postgresql", "int = 1", 0 },
	{ ofb_sql_check_type, "mariadb", "int(11) unsigned zerofill", 1 },
	{ ofb_sql_check_type, "mariadb", "enum('a','b''c','d\\'e')", 1 },
	{ ofb_sql_check_type, "mariadb", "decimal(12,4)", 1 },
	{ ofb_sql_check_type, "mariadb", "int(11), `x` int", 0 },
	{ ofb_sql_check_type, "mariadb", "enum('a') , b int", 0 },
	{ ofb_sql_check_type, "sqlite", "VARCHAR(40)", 1 },
	{ ofb_sql_check_type, "sqlite", "UNSIGNED BIG INT", 1 },
	{ ofb_sql_check_type, "sqlite", "DECIMAL(10, -2)", 1 },
	{ ofb_sql_check_type, "sqlite", "int) ; ATTACH 'x' AS y; --", 0 },
	{ ofb_sql_check_type, "sqlite", "", 0 },
	{ ofb_sql_check_default, "postgresql", "nextval('t_id_seq'::regclass)", 1 },
	{ ofb_sql_check_default, "postgresql", "'abc'::character varying", 1 },
	{ ofb_sql_check_default, "postgresql", "now()", 1 },
	{ ofb_sql_check_default, "postgresql", "CURRENT_TIMESTAMP", 1 },
	{ ofb_sql_check_default, "postgresql", "'{}'::integer[]", 1 },
	{ ofb_sql_check_default, "postgresql", "(-1)", 1 },
	{ ofb_sql_check_default, "postgresql", "('now'::text)::date", 1 },
	{ ofb_sql_check_default, "postgresql", "(now() + '1 day'::interval)", 1 },
	{ ofb_sql_check_default, "postgresql", "true", 1 },
	{ ofb_sql_check_default, "postgresql", "lo_export(1, '/tmp/x')", 0 },
	{ ofb_sql_check_default, "postgresql", "pg_sleep(100)", 0 },
	{ ofb_sql_check_default, "postgresql", "1; DROP TABLE t", 0 },
	{ ofb_sql_check_default, "postgresql", "1 NOT NULL, y int", 0 },
	{ ofb_sql_check_default, "postgresql", "(SELECT max(a) FROM t)", 0 },
	{ ofb_sql_check_default, "sqlite", "(datetime('now'))", 1 },
	{ ofb_sql_check_default, "sqlite", "(lower(hex(randomblob(16))))", 1 },
	{ ofb_sql_check_default, "sqlite", "X'00ff'", 1 },
	{ ofb_sql_check_default, "sqlite", "-1.5e3", 1 },
	{ ofb_sql_check_default, "sqlite", "'it''s'", 1 },
	{ ofb_sql_check_default, "sqlite", "(load_extension('x'))", 0 },
	{ ofb_sql_check_default, "sqlite", "1) ; ATTACH 'x' AS y; --", 0 },
	{ ofb_sql_check_default, "mariadb", "current_timestamp()", 1 },
	{ ofb_sql_check_default, "mariadb", "current_timestamp(6)", 1 },
	{ ofb_sql_check_default, "mariadb", "'a\\'b'", 1 },
	{ ofb_sql_check_default, "mariadb", "NULL", 1 },
	{ ofb_sql_check_default, "mariadb", "uuid()", 1 },
	{ ofb_sql_check_default, "mariadb", "'x\\', `y` int, `z'", 1 },   /* one string, as MariaDB reads it */
	{ ofb_sql_check_default, "mariadb", "'x\\', `y` int", 0 },         /* a string that never ends */
	{ ofb_sql_check_default, "mariadb", "load_file('/etc/passwd')", 0 },
	{ ofb_sql_check_default, "mariadb", "0 /*!; DROP TABLE t */", 0 },
};

static void test_tokens(void)
{
	for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
		char *why = NULL;
		int rc = tokens[i].check(dialect(tokens[i].engine), tokens[i].text, &why);
		char *what = xasprintf("%s %s '%s' (%s)", tokens[i].engine,
				       tokens[i].check == ofb_sql_check_type ? "type" : "default",
				       tokens[i].text, why ? why : "accepted");
		ofb_expect_true(what, (rc == 0) == tokens[i].ok, __LINE__);
		free(what);
		free(why);
	}
}

/* ---- literals carried across engines ---- */

static void test_literals(void)
{
	static const struct {
		const char *src, *expr, *target;
		enum ofb_sql_literal kind;
		const char *out;    /* the literal as written for the target */
	} lits[] = {
		{ "postgresql", "'a\\b'::text", "mariadb", OFB_LIT_STRING, "'a\\\\b'" },
		{ "mariadb", "'a\\'b'", "postgresql", OFB_LIT_STRING, "'a''b'" },
		{ "sqlite", "((-3))", "postgresql", OFB_LIT_NUMBER, "-3" },
		{ "postgresql", "now()", "sqlite", OFB_LIT_NOW, NULL },
		{ "mariadb", "current_timestamp()", "sqlite", OFB_LIT_NOW, NULL },
		{ "sqlite", "FALSE", "mariadb", OFB_LIT_FALSE, NULL },
		{ "postgresql", "nextval('s'::regclass)", "sqlite", OFB_LIT_NONE, NULL },
		{ "postgresql", "'x'; DROP", "sqlite", OFB_LIT_NONE, NULL },
	};

	for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
		char *value = NULL;
		enum ofb_sql_literal k = ofb_sql_default_literal(dialect(lits[i].src), lits[i].expr,
								 &value);
		ofb_expect_long(lits[i].expr, k, lits[i].kind, __LINE__);
		if (lits[i].out && value) {
			struct buf b;
			buf_init(&b);
			if (k == OFB_LIT_STRING)
				ofb_sql_add_string(dialect(lits[i].target), &b, value);
			else
				buf_adds(&b, value);
			ofb_expect_str(lits[i].expr, b.data, lits[i].out, __LINE__);
			buf_free(&b);
		}
		free(value);
	}
	ofb_expect_str("CASCADE", ofb_sql_fk_action("cascade"), "CASCADE", __LINE__);
	ofb_expect_str("set null", ofb_sql_fk_action("set null"), "SET NULL", __LINE__);
	ofb_expect_true("no other action", ofb_sql_fk_action("CASCADE; DROP TABLE t") == NULL,
			__LINE__);
}

int register_sqlcheck_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "native statements: one, of the kind and object, inside the database", test_native },
		{ "type names and defaults", test_tokens },
		{ "literals across engines, foreign-key actions", test_literals },
		{ NULL, NULL },
	};
	return ofb_add_suite("sqlcheck", tests);
}
