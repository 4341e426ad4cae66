/* Unit tests for sqlcheck.c: what SQL from a package may run, per engine dialect. */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "driver.h"
#include "schema.h"
#include "sqlcheck.h"
#include "translate.h"
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

	/* objects besides tables, as the engines write them */
	{ "sqlite", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS SELECT s.item FROM stock s WHERE s.qty > 0", 1 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "stock",
	  "CREATE TRIGGER tr AFTER INSERT ON stock BEGIN INSERT INTO log (msg) VALUES "
	  "('new ' || NEW.item); UPDATE log SET msg = CASE WHEN 1 THEN 'a' ELSE 'b' END; END", 1 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "stock",
	  "CREATE TRIGGER tr AFTER UPDATE OF qty ON main.stock BEGIN SELECT 1; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select `c`.`id` AS `id` "
	  "from `customer` `c` where `c`.`id` > 1", 1 },
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE `p`(IN a int)\nBEGIN DECLARE i int DEFAULT 0; WHILE i < a DO SET i = "
	  "i + 1; END WHILE; IF a > 1 THEN SELECT CASE WHEN a > 2 THEN 'x' ELSE 'y' END; "
	  "END IF; lbl: BEGIN SELECT 1; END lbl; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE `p`(IN a int) BEGIN CASE a WHEN 1 THEN SELECT 1; ELSE SELECT 2; "
	  "END CASE; SET @x = CASE WHEN a > 1 THEN 1 END; END", 0 },   /* @x: a variable */
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE `p`(IN a int) BEGIN DECLARE x int; CASE a WHEN 1 THEN SELECT 1; "
	  "ELSE SELECT 2; END CASE; SET x = CASE WHEN a > 1 THEN 1 END; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_FUNCTION, "dbl", NULL,
	  "CREATE FUNCTION `dbl`(x int) RETURNS int(11)\n    DETERMINISTIC\nRETURN x * 2", 1 },
	{ "mariadb", OFB_SQL_CREATE_EVENT, "ev", NULL,
	  "CREATE EVENT `ev` ON SCHEDULE EVERY 1 DAY STARTS '2026-12-01 23:04:08' ON COMPLETION "
	  "NOT PRESERVE ENABLE DO DELETE FROM audit WHERE id < 0", 1 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "trg", "customer",
	  "CREATE TRIGGER trg AFTER INSERT ON customer FOR EACH ROW BEGIN INSERT INTO audit (msg) "
	  "VALUES (CONCAT('new ', NEW.name)); END", 1 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE OR REPLACE FUNCTION public.f(x integer)\n RETURNS integer\n LANGUAGE plpgsql\n"
	  "AS $function$ BEGIN INSERT INTO log VALUES (x); RETURN x; END $function$\n", 1 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "t", NULL,
	  "CREATE OR REPLACE FUNCTION public.t()\n RETURNS numeric\n LANGUAGE sql\nBEGIN ATOMIC\n "
	  "SELECT sum(orders.amount) AS sum FROM orders;\nEND", 1 },
	{ "postgresql", OFB_SQL_CREATE_TRIGGER, "tr", "orders",
	  "CREATE TRIGGER tr AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION log_ins()",
	  1 },
	{ "postgresql", OFB_SQL_CREATE_TYPE, "status", NULL,
	  "CREATE TYPE status AS ENUM ('new', 'paid')", 1 },
	{ "postgresql", OFB_SQL_CREATE_DOMAIN, "positive", NULL,
	  "CREATE DOMAIN positive AS integer CONSTRAINT positive_check CHECK ((VALUE > 0))", 1 },
	{ "postgresql", OFB_SQL_CREATE_SEQUENCE, "s", NULL,
	  "CREATE SEQUENCE s AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9 START WITH 1 CACHE 1", 1 },
	{ "postgresql", OFB_SQL_ADD_CONSTRAINT, "c", "t",
	  "ALTER TABLE t ADD CONSTRAINT c CHECK ((amount >= (0)::numeric))", 1 },
	{ "postgresql", OFB_SQL_CREATE_MATVIEW, "m", NULL,
	  "CREATE MATERIALIZED VIEW m AS SELECT st, count(*) AS n FROM orders GROUP BY st", 1 },
	/* ... and as an attacker would */
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "stock",
	  "CREATE TRIGGER tr AFTER INSERT ON stock BEGIN SELECT 1; END; ATTACH '/x.db' AS y", 0 },
	{ "sqlite", OFB_SQL_CREATE_VIEW, "v", NULL, "CREATE VIEW v AS SELECT 1; DROP TABLE t", 0 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "stock",
	  "CREATE TRIGGER tr AFTER INSERT ON other BEGIN SELECT 1; END", 0 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "stock",
	  "CREATE TRIGGER tr AFTER INSERT ON stock BEGIN SELECT CASE WHEN 1 THEN 2; END; END", 0 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "stock",
	  "CREATE TRIGGER tr AFTER INSERT ON stock BEGIN SELECT 1; END END", 0 },
	{ "sqlite", OFB_SQL_CREATE_VIEW, "v", NULL, "CREATE VIEW w AS SELECT 1", 0 },
	{ "sqlite", OFB_SQL_CREATE_VIEW, "v", NULL, "CREATE VIEW v AS SELECT load_extension('x')",
	  0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE DEFINER=`root`@`localhost` VIEW `v` AS select 1 AS `a`", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW `v` AS select `s`.`pw` AS `pw` from `mysql`.`user` `s`", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW `v` AS select `a` from `t` `mysql`, `mysql`.`user`", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW `v` AS select `mysql`.`user`.`password` from `t`", 0 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "trg", "customer",
	  "CREATE TRIGGER trg AFTER INSERT ON customer FOR EACH ROW BEGIN INSERT INTO "
	  "otherdb.audit VALUES (NEW.id); END", 0 },
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE `p`() BEGIN PREPARE s FROM @q; EXECUTE s; END", 0 },
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE `p`() BEGIN CALL otherdb.q(); END", 0 },
	{ "mariadb", OFB_SQL_CREATE_EVENT, "ev", NULL,
	  "CREATE EVENT `ev` ON SCHEDULE EVERY 1 DAY DO SELECT 1 INTO OUTFILE '/tmp/x'", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE c AS '/tmp/evil.so', 'f'", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE plpythonu AS $$ import os $$", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DROP TABLE t'; "
	  "END $$", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $b$ SELECT pg_read_file('/etc/passwd')"
	  " $b$", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS 'BEGIN COPY t TO PROGRAM ''sh''; "
	  "END'", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; DROP TABLE t", 0 },
	{ "postgresql", OFB_SQL_CREATE_TYPE, "t", NULL,
	  "CREATE TYPE t (INPUT = my_in, OUTPUT = my_out)", 0 },
	{ "postgresql", OFB_SQL_CREATE_TRIGGER, "tr", "orders",
	  "CREATE TRIGGER tr AFTER INSERT ON public.payroll FOR EACH ROW EXECUTE FUNCTION f()", 0 },
	{ "postgresql", OFB_SQL_ADD_CONSTRAINT, "c", "t",
	  "ALTER TABLE t ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES u (b)", 0 },
	{ "postgresql", OFB_SQL_ADD_CONSTRAINT, "c", "t", "ALTER TABLE t DROP CONSTRAINT c", 0 },
	{ "postgresql", OFB_SQL_CREATE_SEQUENCE, "s", NULL,
	  "CREATE SEQUENCE s START WITH (SELECT 1)", 0 },
	{ "postgresql", OFB_SQL_CREATE_EXTENSION, "citext", NULL,
	  "CREATE EXTENSION IF NOT EXISTS citext", 1 },
	{ "postgresql", OFB_SQL_CREATE_EXTENSION, "uuid-ossp", NULL,
	  "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"", 1 },
	{ "postgresql", OFB_SQL_CREATE_EXTENSION, "file_fdw", NULL,
	  "CREATE EXTENSION IF NOT EXISTS file_fdw", 0 },
	{ "postgresql", OFB_SQL_CREATE_EXTENSION, "citext", NULL,
	  "CREATE EXTENSION IF NOT EXISTS citext SCHEMA pg_catalog", 0 },
	{ "sqlite", OFB_SQL_CREATE_EXTENSION, "citext", NULL,
	  "CREATE EXTENSION IF NOT EXISTS citext", 0 },
	{ "postgresql", OFB_SQL_COMMENT, "orders", "orders",
	  "COMMENT ON TABLE orders IS 'Auftr\xc3\xa4ge'", 1 },
	{ "postgresql", OFB_SQL_COMMENT, "orders.qty", "orders",
	  "COMMENT ON COLUMN orders.qty IS E'a \\\\ b'", 1 },
	{ "postgresql", OFB_SQL_COMMENT, "v", "v", "COMMENT ON MATERIALIZED VIEW v IS NULL", 1 },
	{ "postgresql", OFB_SQL_COMMENT, "orders", "orders",
	  "COMMENT ON TABLE payroll IS 'x'", 0 },
	{ "postgresql", OFB_SQL_COMMENT, "orders", "orders",
	  "COMMENT ON TABLE orders IS 'x'; DROP TABLE orders", 0 },
	{ "postgresql", OFB_SQL_COMMENT, "orders", "orders",
	  "COMMENT ON TABLE orders IS 'x' || pg_read_file('/etc/passwd')", 0 },
	{ "postgresql", OFB_SQL_COMMENT, "f", "orders", "COMMENT ON FUNCTION f() IS 'x'", 0 },
	/* a hostile review's findings */
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "/*!50700 CREATE VIEW v AS SELECT \" */ GRANT ALL PRIVILEGES ON *.* TO evil "
	  "IDENTIFIED BY 'pw' WITH GRANT OPTION /*!50700 \" */", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS SELECT a FROM /*!50700 mysql */ mysql.user", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS E'BEGIN COPY (SELECT 1) TO "
	  "PROGRAM ''id''; RETURN 1; END'", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS U&'BEGIN RETURN 1; END'", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS 'BEGIN '\n'COPY t TO PROGRAM "
	  "''id''; RETURN 1; END'", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN CREATE ROLE evil LOGIN "
	  "SUPERUSER PASSWORD 'pw'; RETURN 1; END$$", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN CREATE EXTENSION "
	  "plperlu; RETURN 1; END$$", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN CREATE FUNCTION g() "
	  "RETURNS int LANGUAGE c AS 'x', 'y'; RETURN 1; END$$", 0 },
	{ "postgresql", OFB_SQL_CREATE_MATVIEW, "mv", NULL,
	  "CREATE MATERIALIZED VIEW mv AS SELECT U&\"pg\\005fread\\005ffile\"('/etc/hostname') "
	  "AS x", 0 },
	{ "postgresql", OFB_SQL_CREATE_MATVIEW, "mv", NULL,
	  "CREATE MATERIALIZED VIEW mv AS SELECT * FROM ts_stat('SELECT to_tsvector(''simple'', "
	  "pg_read_file(''/etc/hostname''))')", 0 },
	{ "postgresql", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS SELECT * FROM crosstab('SELECT 1')", 0 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1, GLOBAL "
	  "general_log_file = '/tmp/x.php', GLOBAL general_log = 1", 0 },
	{ "mariadb", OFB_SQL_CREATE_EVENT, "e", NULL,
	  "CREATE EVENT e ON SCHEDULE AT '2030-01-01 00:00:00' DO GRANT ALL PRIVILEGES ON *.* "
	  "TO evil IDENTIFIED BY 'pw'", 0 },
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE p() BEGIN DROP DATABASE otherdb; END", 0 },
	{ "mariadb", OFB_SQL_CREATE_FUNCTION, "run", NULL,
	  "CREATE FUNCTION run RETURNS STRING SONAME 'lib.so'", 0 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW BEGIN DECLARE otherdb INT; INSERT "
	  "otherdb.secret VALUES (NEW.a); END", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS SELECT 1 AS mysql, authentication_string FROM t STRAIGHT_JOIN "
	  "mysql.user", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS SELECT a FROM (mysql.user)", 0 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW INSERT INTO otherdb.1secret VALUES (1)",
	  0 },
	{ "postgresql", OFB_SQL_ADD_CONSTRAINT, "c", "t",
	  "ALTER TABLE t ADD CONSTRAINT c CHECK (true), OWNER TO mallory", 0 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = NEW.begin; DELETE FROM "
	  "t; DO NEW.end", 0 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = begin; DELETE FROM t; "
	  "SET NEW.b = end", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW `v` AS select `c`.`id` AS `id` from `customer` `c` join (select 1 AS `x`) "
	  "`d` on `d`.`x` = `c`.`id`", 1 },
	/* a second hostile review's findings, and what the engines write that must pass */
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN (SELECT 1 AS begin); ALTER ROLE "
	  "bob SUPERUSER; END", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f2", NULL,
	  "CREATE FUNCTION f2() RETURNS int LANGUAGE plpgsql AS $$ BEGIN CREATE GROUP evil "
	  "SUPERUSER LOGIN PASSWORD 'x'; RETURN 1; END $$", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN SET \"session_authorization\" "
	  "= 'bob'; RETURN 1; END $$", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET \"role\" = 'bob' AS $$ SELECT 1 $$", 0 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT begin FROM t; END; DROP TABLE y; "
	  "SELECT end FROM t", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "v2", NULL,
	  "CREATE VIEW v2 AS SELECT * FROM (other.secret) LEFT JOIN t other USING (a)", 0 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW UPDATE t2 other JOIN (other.secret) "
	  "ON 1 SET a = 0", 0 },
	{ "sqlserver", OFB_SQL_CREATE_VIEW, "v", NULL, "CREATE VIEW v AS SELECT * FROM t, "
	  "other.dbo.secret", 0 },
	{ "sqlserver", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE p AS INSERT other.dbo.secret VALUES (1)", 0 },
	{ "sqlserver", OFB_SQL_CREATE_PROCEDURE, "p", NULL, "CREATE PROCEDURE p AS DELETE "
	  "other.dbo.secret", 0 },
	{ "mariadb", OFB_SQL_CREATE_VIEW, "j2", NULL,
	  "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `j2` AS select `t`.`a` AS `a` "
	  "from (`t` join `t2` on(`t`.`a` = `t2`.`b`))", 1 },
	{ "postgresql", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS  SELECT CASE WHEN (t.a > 0) THEN ARRAY[t.a] ELSE NULL::integer[] END "
	  "AS c FROM t", 1 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "trg", "t",
	  "CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW SET NEW.changed_by = USER(), "
	  "NEW.password = OLD.password", 1 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "a", NULL,
	  "CREATE OR REPLACE FUNCTION public.a()\n RETURNS trigger\n LANGUAGE plpgsql\nAS "
	  "$function$ BEGIN UPDATE audit SET owner = NEW.owner, \"user\" = NEW.\"user\"; "
	  "RETURN NEW; END $function$\n", 1 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr AFTER INSERT ON t WHEN NEW.a > 1 BEGIN UPDATE t SET b = 1; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION `f`(x int) RETURNS int(11)\n    DETERMINISTIC\nBEGIN RETURN x; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION `f`(x int) RETURNS varchar(10) BEGIN RETURN 'a'; END", 1 },
	/* a third review's */
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr AFTER INSERT ON t WHEN begin BEGIN SELECT 1; END; DROP TABLE t; END", 0 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT do begin FROM t; END; DROP TABLE y; "
	  "END", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int SET search_path TO begin LANGUAGE sql AS 'select 1'; "
	  "DROP TABLE t; END", 0 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS SETOF begin LANGUAGE sql AS 'select 1'; DROP TABLE t; END", 0 },
	{ "mariadb", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION f() RETURNS int RETURN begin; DROP TABLE t; END", 0 },
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE p() DO begin; CREATE PROCEDURE q() BEGIN DELETE FROM t; END", 0 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = CASE WHEN new.a THEN 1 ELSE "
	  "CASE WHEN new.b THEN 2 END END; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = CASE WHEN NEW.b THEN CASE "
	  "WHEN NEW.c THEN 1 END END", 1 },
	{ "postgresql", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nBEGIN ATOMIC\n "
	  "SELECT CASE WHEN true THEN CASE WHEN false THEN 1 END END;\nEND", 1 },
	{ "mariadb", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION `f`() RETURNS varchar(10) CHARSET utf8mb4 COLLATE utf8mb4_general_ci\n"
	  "BEGIN RETURN 'a'; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_EVENT, "ev", NULL,
	  "CREATE EVENT `ev` ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM audit; END", 1 },
	{ "sqlite", OFB_SQL_CREATE_TRIGGER, "tr", "t",
	  "CREATE TRIGGER tr AFTER INSERT ON t WHEN NEW.a IS NULL BEGIN UPDATE t SET a = 1; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE `p`() BEGIN DECLARE done INT DEFAULT 0; DECLARE CONTINUE HANDLER FOR "
	  "NOT FOUND SET done = 1; DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; "
	  "RESIGNAL; END; UPDATE t SET a = 1; END", 1 },
	{ "mariadb", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE `p`() BEGIN HANDLER otherdb.t OPEN; END", 0 },
	/* SQL Server modules as sys.sql_modules keeps them (backed up, not restored) */
	{ "sqlserver", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW dbo.v AS SELECT c.id, c.[Name] FROM dbo.customer c WHERE c.id > 1", 1 },
	{ "sqlserver", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE [dbo].[p] @n int AS BEGIN SET NOCOUNT ON; UPDATE dbo.t SET a = @n; "
	  "BEGIN TRY SELECT 1; END TRY BEGIN CATCH SELECT 2; END CATCH END", 1 },
	{ "sqlserver", OFB_SQL_CREATE_FUNCTION, "f", NULL,
	  "CREATE FUNCTION dbo.f(@x int) RETURNS int AS BEGIN RETURN @x * 2; END", 1 },
	{ "sqlserver", OFB_SQL_CREATE_TRIGGER, "trg", "orders",
	  "CREATE TRIGGER trg ON dbo.orders AFTER INSERT AS BEGIN INSERT INTO dbo.log (msg) "
	  "SELECT 'new' FROM inserted; END", 1 },
	{ "sqlserver", OFB_SQL_ADD_CONSTRAINT, "ck", "orders",
	  "ALTER TABLE [orders] ADD CONSTRAINT [ck] CHECK ([amount]>=(0))", 1 },
	{ "sqlserver", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE p AS EXEC xp_cmdshell 'dir'", 0 },
	{ "sqlserver", OFB_SQL_CREATE_PROCEDURE, "p", NULL,
	  "CREATE PROCEDURE p AS BEGIN EXEC('DROP TABLE t'); END", 0 },
	{ "sqlserver", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS SELECT * FROM OPENROWSET('SQLNCLI', 'x', 'SELECT 1')", 0 },
	{ "sqlserver", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS SELECT * FROM otherdb.dbo.payroll", 0 },
	{ "sqlserver", OFB_SQL_CREATE_VIEW, "v", NULL, "CREATE VIEW v AS SELECT * FROM otherdb..payroll",
	  0 },
	{ "sqlserver", OFB_SQL_CREATE_VIEW, "v", NULL,
	  "CREATE VIEW v AS SELECT otherdb.dbo.payroll.salary FROM t", 0 },
	{ "sqlserver", OFB_SQL_CREATE_VIEW, "v", NULL, "CREATE VIEW v AS SELECT 1; DROP TABLE t", 0 },
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

/* ---- CHECK conditions and ENUM labels across engines ---- */

static void test_translate(void)
{
	static struct ofb_column cols[] = { { .name = "qty" }, { .name = "Amount" },
					    { .name = "st" } };
	static const struct ofb_table t = { .name = "orders", .columns = cols, .n_columns = 3 };
	static const struct {
		const char *from, *to, *value_column, *cond, *want;
	} cases[] = {
		{ "postgresql", "mariadb", NULL, "((\"Amount\" >= (0)::numeric))",
		  "((`Amount` >= (0)))" },
		{ "postgresql", "sqlite", "qty", "(VALUE > 0)", "(\"qty\" > 0)" },
		{ "postgresql", "mariadb", NULL,
		  "st = ANY (ARRAY['a'::text])", NULL },   /* more than a comparison */
		{ "mariadb", "postgresql", NULL, "`qty` between 1 and 10 or `qty` is null",
		  "\"qty\" BETWEEN 1 AND 10 OR \"qty\" IS NULL" },
		{ "mariadb", "sqlite", NULL, "`st` in ('it\\'s','b') and not `qty` <> -1",
		  "\"st\" IN ('it''s', 'b') AND NOT \"qty\" <> -1" },
		{ "sqlite", "postgresql", NULL, "qty != 0", "\"qty\" <> 0" },
		{ "sqlite", "postgresql", NULL, "qty >= other", NULL },   /* no such column */
		{ "sqlite", "postgresql", NULL, "length(st) > 2", NULL },
		{ "sqlite", "postgresql", NULL, "qty > 0); DROP TABLE t; --", NULL },
		{ "sqlite", "mariadb", NULL, "st = 'x' || 'y'", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = ofb_translate_check(dialect(cases[i].from),
						ofb_driver_by_name(cases[i].to), &t,
						cases[i].value_column, cases[i].cond);
		ofb_expect_str(cases[i].cond, got, cases[i].want, __LINE__);
		free(got);
	}
	{
		char **l = ofb_sql_enum_labels(dialect("mariadb"), "enum('a','it\\'s','')");
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		ofb_expect_str("label 1", l[1], "it's", __LINE__);
		ofb_expect_str("label 2", l[2], "", __LINE__);
		CU_ASSERT_PTR_NULL(l[3]);
		ofb_labels_free(l);
		l = ofb_sql_enum_labels(dialect("postgresql"),
					"CREATE TYPE s AS ENUM ('new', 'paid')");
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		ofb_expect_str("pg label", l[1], "paid", __LINE__);
		ofb_labels_free(l);
		CU_ASSERT_PTR_NULL(ofb_sql_enum_labels(dialect("postgresql"),
						       "CREATE TYPE s AS (a int)"));
	}
	{
		size_t n;
		char **c = ofb_sql_checks(dialect("sqlite"), "CREATE TABLE t (a CHECK (a > 0), "
					  "b TEXT DEFAULT 'CHECK (x)', CHECK ((a) < (5)))", &n);
		CU_ASSERT_EQUAL_FATAL(n, 2);
		ofb_expect_str("check 0", c[0], "a > 0", __LINE__);
		ofb_expect_str("check 1", c[1], "(a) < (5)", __LINE__);
		ofb_labels_free(c);
	}
}

int register_sqlcheck_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "native statements: one, of the kind and object, inside the database", test_native },
		{ "type names and defaults", test_tokens },
		{ "literals across engines, foreign-key actions", test_literals },
		{ "CHECK conditions and ENUM labels across engines", test_translate },
		{ NULL, NULL },
	};
	return ofb_add_suite("sqlcheck", tests);
}
