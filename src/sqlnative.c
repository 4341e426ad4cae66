/* sqlnative.c - an object's own DDL from a package: exactly one statement of the expected
 * kind on the expected object, nothing in it reaching beyond the database (sqlcheck.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlcheck.h"
#include "sqllex.h"
#include "util.h"

/* Longest text any single statement may be: far beyond real DDL, short of abuse. */
#define MAX_NATIVE_SQL ((size_t)1024 * 1024)

struct kind_rule {
	const char *words[2];   /* what follows CREATE (and its modifiers) */
	const char *what;       /* for messages */
	int reads;              /* may read data (SELECT) */
	int body;               /* may hold statements between BEGIN and END */
	int on_table;           /* names its table after ON */
};

static const struct kind_rule rules[] = {
	[OFB_SQL_CREATE_TABLE] = { { "TABLE" }, "table", 0, 0, 0 },
	[OFB_SQL_CREATE_INDEX] = { { "INDEX" }, "index", 0, 0, 1 },
	[OFB_SQL_CREATE_VIEW] = { { "VIEW" }, "view", 1, 0, 0 },
	[OFB_SQL_CREATE_MATVIEW] = { { "MATERIALIZED", "VIEW" }, "materialized view", 1, 0, 0 },
	[OFB_SQL_CREATE_TRIGGER] = { { "TRIGGER" }, "trigger", 1, 1, 1 },
	[OFB_SQL_CREATE_FUNCTION] = { { "FUNCTION" }, "function", 1, 1, 0 },
	[OFB_SQL_CREATE_PROCEDURE] = { { "PROCEDURE" }, "procedure", 1, 1, 0 },
	[OFB_SQL_CREATE_EVENT] = { { "EVENT" }, "event", 1, 1, 0 },
	[OFB_SQL_CREATE_TYPE] = { { "TYPE" }, "type", 0, 0, 0 },
	[OFB_SQL_CREATE_DOMAIN] = { { "DOMAIN" }, "domain", 0, 0, 0 },
	[OFB_SQL_CREATE_SEQUENCE] = { { "SEQUENCE" }, "sequence", 0, 0, 0 },
	[OFB_SQL_ADD_CONSTRAINT] = { { NULL }, "constraint", 0, 0, 1 },
	[OFB_SQL_CREATE_EXTENSION] = { { "EXTENSION" }, "extension", 0, 0, 0 },
	[OFB_SQL_COMMENT] = { { NULL }, "comment", 0, 0, 1 },
};

static int is_name(const struct tok *k)
{
	return k->kind == TK_WORD || k->kind == TK_QIDENT;
}

/* Words that may stand between CREATE and the kind: OR REPLACE, UNIQUE (an index),
 * MariaDB's ALGORITHM = x and SQL SECURITY x, PostgreSQL's RECURSIVE and CONSTRAINT (a
 * constraint trigger). A DEFINER = user clause is refused: the object would run with
 * that user's rights. */
static int skip_modifiers(const struct toks *t, size_t *i, enum ofb_sql_kind kind, char **why)
{
	while (*i < t->n) {
		const struct tok *k = &t->v[*i];
		if (sqlx_word_is(k, "DEFINER"))
			return sqlx_fail(why, "it names a definer, whose rights the %s would run "
					 "with", rules[kind].what);
		if (sqlx_word_is(k, "OR") && *i + 1 < t->n && sqlx_word_is(&t->v[*i + 1], "REPLACE"))
			*i += 2;
		else if (sqlx_word_is(k, "ALGORITHM") && *i + 2 < t->n &&
			 sqlx_punct_is(&t->v[*i + 1], "=") && is_name(&t->v[*i + 2]))
			*i += 3;
		else if (sqlx_word_is(k, "SQL") && *i + 2 < t->n &&
			 sqlx_word_is(&t->v[*i + 1], "SECURITY") &&
			 (sqlx_word_is(&t->v[*i + 2], "DEFINER") ||
			  sqlx_word_is(&t->v[*i + 2], "INVOKER")))
			*i += 3;
		else if ((sqlx_word_is(k, "UNIQUE") && kind == OFB_SQL_CREATE_INDEX) ||
			 (sqlx_word_is(k, "RECURSIVE") && kind == OFB_SQL_CREATE_VIEW) ||
			 (sqlx_word_is(k, "CONSTRAINT") && kind == OFB_SQL_CREATE_TRIGGER))
			(*i)++;
		else
			return 0;
	}
	return 0;
}

/* BEGIN, END and CASE are not reserved everywhere (SQLite and MariaDB take them as names:
 * NEW.begin, "SELECT begin FROM t", "SET a = end"), so each counts as a block word only
 * where a block can stand; anywhere else it is a name. */
static int word_in(const struct tok *k, const char *const *list)
{
	return k->kind == TK_WORD && sqlx_name_in(k->text, list);
}

/* Words a block's first statement (or its own ATOMIC, NOT ATOMIC, END) begins with. */
static const char *const statement_words[] = { "SELECT", "INSERT", "UPDATE", "DELETE",
	"REPLACE", "SET", "DECLARE", "IF", "CASE", "WHILE", "LOOP", "REPEAT", "RETURN", "CALL",
	"BEGIN", "END", "LEAVE", "ITERATE", "SIGNAL", "RESIGNAL", "OPEN", "FETCH", "CLOSE",
	"WITH", "VALUES", "RAISE", "PERFORM", "NULL", "ATOMIC", "NOT", "FOR", "GET", "TRY",
	"CATCH", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "UPSERT", "PRINT", NULL };
/* Words after which a value stands, so BEGIN there is a name. */
static const char *const value_words[] = { "TO", "SETOF", "RETURN", "AS", "SELECT", "WHEN",
	"SET", "THEN", "ELSE", "IS", "AND", "OR", "NOT", "IN", "LIKE", "BETWEEN", "FROM", "WHERE",
	"BY", "VALUES", "INTO", "TABLE", "DO", "DEFAULT", "JOIN", "USING", "HAVING", NULL };

/* The BEGIN at tokens[i] opens a block only where the engine would read one: followed by
 * a statement (or ATOMIC, a label); inside a block, where a statement starts (after ';',
 * the BEGIN that opened it, THEN, ELSE ...); outside every block, where a body starts
 * (after a routine's header, FOR EACH ROW, a trigger's table or WHEN condition, an
 * event's DO, a label, T-SQL's AS). opened is the index of the last BEGIN that opened a
 * block. */
static int opens_block(const struct ofb_sql_dialect *d, const struct toks *t, size_t i,
		       size_t blocks, int seen_when, size_t opened)
{
	/* ... and a MariaDB handler's condition: DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN */
	static const char *const inner[] = { "THEN", "ELSE", "DO", "LOOP", "REPEAT",
		"SQLEXCEPTION", "SQLWARNING", "FOUND", NULL };
	static const char *const outer[] = { "ROW", "DETERMINISTIC", "DATA", "INVOKER",
		"DEFINER", "SQL", NULL };
	const struct tok *prev = i > 0 ? &t->v[i - 1] : NULL;
	const struct tok *before = i > 1 ? &t->v[i - 2] : NULL;
	const struct tok *next = i + 1 < t->n ? &t->v[i + 1] : NULL;
	int body_follows = next && (word_in(next, statement_words) ||
				    (is_name(next) && i + 2 < t->n &&
				     sqlx_punct_is(&t->v[i + 2], ":")));

	if (!prev || !next)
		return 0;
	/* T-SQL reserves BEGIN and END, and ends no statement with ';' */
	if (d->flags & OFB_SQL_CATALOG_NAMES)
		return 1;
	if (!body_follows)
		return 0;
	if (sqlx_punct_is(prev, ":") || sqlx_punct_is(prev, ";") || (opened + 1 == i))
		return 1;
	if (blocks)
		return word_in(prev, inner);
	if (sqlx_word_is(next, "ATOMIC") && !word_in(prev, value_words))
		return 1;
	if (word_in(prev, outer) || sqlx_punct_is(prev, ")") ||
	    (sqlx_word_is(prev, "DO") && before && !sqlx_punct_is(before, ";")))
		return 1;
	if (prev->kind == TK_STRING && before && sqlx_word_is(before, "COMMENT"))
		return 1;
	if (is_name(prev) && before && (sqlx_word_is(before, "ON") || sqlx_word_is(before, "FOLLOWS") ||
				       sqlx_word_is(before, "PRECEDES") ||
				       (sqlx_punct_is(before, ".") && i > 3 &&
					sqlx_word_is(&t->v[i - 4], "ON"))))
		return 1;
	/* after a function's RETURNS type and its characteristics (MariaDB: RETURNS
	 * varchar(10) CHARSET x COLLATE y BEGIN), or a trigger's WHEN condition (SQLite):
	 * a name, number, string or ')' that takes no value after it */
	for (size_t k = 0; k < i; k++)
		if (sqlx_word_is(&t->v[k], "RETURNS"))
			seen_when = 1;
	return seen_when && prev->kind != TK_PUNCT && !word_in(prev, value_words);
}

/* Statements between BEGIN and END (nesting; CASE ... END counts as a block too, END IF,
 * END LOOP and their like close none): a ';' outside every block is a second statement. */
static int check_blocks(const struct ofb_sql_dialect *d, const struct toks *t, int body,
			char **why)
{
	char stack[64];
	size_t depth = 0, parens = 0, opened = (size_t)-2;
	int seen_when = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct tok *k = &t->v[i];
		const struct tok *prev = i > 0 ? &t->v[i - 1] : NULL;
		const struct tok *next = i + 1 < t->n ? &t->v[i + 1] : NULL;
		int named = (prev && sqlx_punct_is(prev, ".")) || (next && sqlx_punct_is(next, "."));
		if (sqlx_punct_is(k, "(")) {
			parens++;
			continue;
		}
		if (sqlx_punct_is(k, ")")) {
			if (parens)
				parens--;
			continue;
		}
		if (sqlx_word_is(k, "WHEN") && depth == 0 && parens == 0)
			seen_when = 1;
		if (sqlx_punct_is(k, ";")) {
			if (!body || depth == 0)
				return sqlx_fail(why, "a statement separator (;)");
			if (stack[depth - 1] == 'C')
				return sqlx_fail(why, "a statement separator (;) inside CASE ... END");
		} else if (named || k->kind != TK_WORD) {
			continue;
		} else if (sqlx_word_is(k, "BEGIN")) {
			if (parens || !opens_block(d, t, i, depth, seen_when, opened))
				continue;
			if (depth == sizeof stack)
				return sqlx_fail(why, "blocks nested too deeply");
			stack[depth++] = 'B';
			opened = i;
		} else if (sqlx_word_is(k, "CASE")) {
			/* a CASE statement (where a statement starts) holds statements, a CASE
			 * expression none: after THEN or ELSE of a CASE expression it is one */
			int in_expr = depth && stack[depth - 1] == 'C';
			int statement = depth && prev &&
					(sqlx_punct_is(prev, ";") || sqlx_punct_is(prev, ":") ||
					 opened + 1 == i ||
					 (!in_expr && (sqlx_word_is(prev, "THEN") ||
						       sqlx_word_is(prev, "ELSE") ||
						       sqlx_word_is(prev, "DO") ||
						       sqlx_word_is(prev, "LOOP") ||
						       sqlx_word_is(prev, "REPEAT"))));
			if (depth == sizeof stack)
				return sqlx_fail(why, "blocks nested too deeply");
			stack[depth] = statement ? 'S' : 'C';
			depth++;
		} else if (sqlx_word_is(k, "END")) {
			if (next && (sqlx_word_is(next, "IF") || sqlx_word_is(next, "LOOP") ||
				     sqlx_word_is(next, "WHILE") || sqlx_word_is(next, "REPEAT") ||
				     sqlx_word_is(next, "FOR"))) {
				i++;
				continue;
			}
			if (depth == 0)
				return sqlx_fail(why, "END without BEGIN");
			/* a block ends after its last statement's ';' (T-SQL needs none); a CASE
			 * expression after its last value */
			if (stack[depth - 1] != 'C' && !(d->flags & OFB_SQL_CATALOG_NAMES) &&
			    !(prev && (sqlx_punct_is(prev, ";") || opened + 1 == i)))
				continue;
			depth--;
			if (next && sqlx_word_is(next, "CASE"))
				i++;
		}
	}
	if (depth)
		return sqlx_fail(why, "BEGIN without END");
	return 0;
}

/* Statements about rights, roles and the server belong in no object (a routine or trigger
 * would run them with its maker's rights). */
static const char *const object_words[] = { "GRANT", "REVOKE", NULL };
/* ... and in a PostgreSQL routine's body (a string) also no languages, extensions,
 * roles, databases, owners, servers, replication or loading of code. */
static const char *const body_words[] = { "GRANT", "REVOKE", "SUPERUSER", "REASSIGN", "LOAD",
	"SESSION_AUTHORIZATION", "SESSION_REPLICATION_ROLE", "OR REPLACE", "OWNER TO",
	"SET ROLE", "RESET ROLE", "SET SESSION", "SECURITY LABEL",
	"CREATE ROLE", "ALTER ROLE", "DROP ROLE", "CREATE USER", "ALTER USER", "DROP USER",
	"CREATE GROUP", "ALTER GROUP", "DROP GROUP", "CREATE LANGUAGE", "ALTER LANGUAGE",
	"CREATE EXTENSION", "ALTER EXTENSION", "CREATE DATABASE", "ALTER DATABASE",
	"DROP DATABASE", "CREATE SERVER", "ALTER SERVER", "CREATE SUBSCRIPTION",
	"CREATE PUBLICATION", "CREATE TABLESPACE", "CREATE FUNCTION", "CREATE PROCEDURE",
	"ALTER FUNCTION", "ALTER PROCEDURE", "CREATE TRIGGER", "CREATE EVENT",
	"CREATE SCHEMA", "ALTER DEFAULT", NULL };

static int check_words(const struct toks *t, const char *const *words, const char *where,
		       char **why)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *w = sqlx_phrase_at(t, i, words, 1);
		if (w)
			return sqlx_fail(why, "%s says '%s', which no object ofbackup restores may",
					 where, w);
	}
	return 0;
}

/* SQL built and run at run time cannot be checked here: EXECUTE (but a trigger's own
 * EXECUTE FUNCTION/PROCEDURE), PREPARE. SECURITY DEFINER (PostgreSQL) would run the
 * routine with the rights of whoever restores it. */
static int check_dynamic(const struct ofb_sql_dialect *d, const struct toks *t,
			 enum ofb_sql_kind kind, char **why)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct tok *k = &t->v[i];
		const struct tok *next = i + 1 < t->n ? &t->v[i + 1] : NULL;
		if (sqlx_word_is(k, "PREPARE") ||
		    (sqlx_word_is(k, "EXECUTE") &&
		     !(kind == OFB_SQL_CREATE_TRIGGER && next &&
		       (sqlx_word_is(next, "FUNCTION") || sqlx_word_is(next, "PROCEDURE")))))
			return sqlx_fail(why, "it builds SQL at run time (%s), which cannot be "
					 "checked", k->text);
		/* MariaDB's SQL SECURITY DEFINER means the definer, who is whoever restores
		 * it once the DEFINER clause is gone, as with any object it makes */
		if (sqlx_word_is(k, "SECURITY") && next && sqlx_word_is(next, "DEFINER") &&
		    ((d->flags & OFB_SQL_DOLLAR_QUOTES) ||
		     !(i > 0 && sqlx_word_is(&t->v[i - 1], "SQL"))))
			return sqlx_fail(why, "it runs with the rights of its owner (SECURITY "
					 "DEFINER), who would be whoever restores it");
	}
	return 0;
}

/* Engines without schemas: a dotted name is a database's table (db.t), a table's column
 * through another database (db.t.c) or a routine of another database (db.f()) unless its
 * qualifier is a table or alias the statement itself names (after FROM, JOIN, INTO ...,
 * or a derived table's name), the trigger's table, NEW or OLD; and it must stand where a
 * column does. */
static int check_references(const struct ofb_sql_dialect *d, const struct toks *t,
			    const char *on_table, char **why)
{
	static const char *const table_words[] = { "FROM", "JOIN", "INTO", "UPDATE", "TABLE",
		"STRAIGHT_JOIN", "INSERT", "REPLACE", "DELETE", "CALL", NULL };
	static const char *const ends_from[] = { "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT",
		"UNION", "ON", "USING", "SET", "VALUES", "SELECT", "WINDOW", "FOR", "BEGIN",
		"END", "DO", "THEN", "ELSE", "RETURN", NULL };
	const char **declared = xcalloc(t->n + 4, sizeof *declared);
	size_t n_declared = 0, depth = 0;
	int expect_table = 0, after_table = 0, ret = -1;

	if (d->flags & OFB_SQL_SCHEMAS) {
		free(declared);
		return 0;
	}
	declared[n_declared++] = "NEW";
	declared[n_declared++] = "OLD";
	if (on_table)
		declared[n_declared++] = on_table;
	/* first pass: the tables and aliases the statement names; in_from per parenthesis
	 * level, so a subquery's clauses do not end the FROM around it */
	unsigned char in_from[65] = { 0 };
	for (size_t i = 0; i < t->n; i++) {
		const struct tok *k = &t->v[i];
		int qualified = i + 1 < t->n && sqlx_punct_is(&t->v[i + 1], ".");
		size_t lv = depth < 64 ? depth : 64;
		if (sqlx_punct_is(k, "(")) {
			/* FROM (t JOIN u ...), FROM (db.t): a table still stands next, unless a
			 * subquery begins */
			int carry = expect_table && !(i + 1 < t->n &&
						     (sqlx_word_is(&t->v[i + 1], "SELECT") ||
						      sqlx_word_is(&t->v[i + 1], "WITH") ||
						      sqlx_word_is(&t->v[i + 1], "VALUES")));
			depth++;
			if (depth < 65)
				in_from[depth] = carry;
			expect_table = carry;
			after_table = 0;
			continue;
		}
		if (sqlx_punct_is(k, ")")) {
			if (depth)
				depth--;
			/* a derived table's name follows its parentheses */
			after_table = in_from[depth < 64 ? depth : 64];
			expect_table = 0;
			continue;
		}
		if (k->kind == TK_WORD && sqlx_name_in(k->text, table_words)) {
			expect_table = 1;
			after_table = 0;
			in_from[lv] = !sqlx_word_is(k, "INTO") && !sqlx_word_is(k, "CALL");
			continue;
		}
		if (in_from[lv] && k->kind == TK_WORD && sqlx_name_in(k->text, ends_from)) {
			in_from[lv] = 0;
			after_table = 0;
			continue;
		}
		if (in_from[lv] && sqlx_punct_is(k, ",")) {
			expect_table = 1;
			after_table = 0;
			continue;
		}
		if (sqlx_word_is(k, "AS") && after_table)
			continue;
		if (is_name(k) && !qualified && !(i > 0 && sqlx_punct_is(&t->v[i - 1], "."))) {
			if (expect_table || after_table)
				declared[n_declared++] = k->text;
			after_table = expect_table;
			expect_table = 0;
			continue;
		}
		if (is_name(k) && qualified) {
			/* a table of another database where a table stands; main.t is this one */
			if (expect_table && !(d->main_schema && strcasecmp(k->text, d->main_schema) == 0)) {
				sqlx_fail(why, "it names '%s.%s', which may lie outside the target "
					  "database", k->text, i + 2 < t->n ? t->v[i + 2].text : "");
				goto out;
			}
			i += 2;
			after_table = expect_table;
			expect_table = 0;
			continue;
		}
		expect_table = after_table = 0;
	}
	/* second pass: every dotted name */
	for (size_t i = 0; i + 1 < t->n; i++) {
		const struct tok *k = &t->v[i], *dot = &t->v[i + 1];
		int known = 0;

		if (!is_name(k) || (i > 0 && sqlx_punct_is(&t->v[i - 1], ".")))
			continue;
		/* name.1x is read as a name and a number: MariaDB reads db.1x as a table */
		if (dot->kind == TK_NUMBER && dot->text[0] == '.' && dot->adjacent) {
			sqlx_fail(why, "it names '%s%s', which may lie outside the target database",
				  k->text, dot->text);
			goto out;
		}
		if (!sqlx_punct_is(dot, ".") || i + 2 >= t->n || !is_name(&t->v[i + 2]))
			continue;
		int main = d->main_schema && strcasecmp(k->text, d->main_schema) == 0;
		for (size_t j = 0; j < n_declared && !known; j++)
			known = strcasecmp(declared[j], k->text) == 0;
		if (!(known || main) ||
		    (!main && i > 0 && t->v[i - 1].kind == TK_WORD &&
		     sqlx_name_in(t->v[i - 1].text, table_words)) ||
		    (i + 3 < t->n && (sqlx_punct_is(&t->v[i + 3], ".") ||
				      sqlx_punct_is(&t->v[i + 3], "(")))) {
			sqlx_fail(why, "it names '%s.%s', which may lie outside the target database",
				  k->text, t->v[i + 2].text);
			goto out;
		}
	}
	ret = 0;
out:
	free(declared);
	return ret;
}

/* T-SQL: a table of another database is db.schema.t (or db..t), a column of one
 * db.schema.t.c, a server's server.db.schema.t. */
static int check_catalog_names(const struct ofb_sql_dialect *d, const struct toks *t,
			       char **why)
{
	static const char *const table_words[] = { "FROM", "JOIN", "INTO", "UPDATE", "TABLE",
		"EXEC", "EXECUTE", "MERGE", "APPLY", NULL };

	if (!(d->flags & OFB_SQL_CATALOG_NAMES))
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t parts = 1, k = i;
		int empty = 0, at_table;
		if (!is_name(&t->v[i]) || (i > 0 && sqlx_punct_is(&t->v[i - 1], ".")))
			continue;
		at_table = i > 0 && t->v[i - 1].kind == TK_WORD &&
			   sqlx_name_in(t->v[i - 1].text, table_words);
		while (k + 1 < t->n && sqlx_punct_is(&t->v[k + 1], ".")) {
			if (k + 2 < t->n && sqlx_punct_is(&t->v[k + 2], ".")) {
				empty = 1;
				k += 1;
			} else if (k + 2 < t->n && is_name(&t->v[k + 2])) {
				k += 2;
			} else {
				break;
			}
			parts++;
		}
		/* schema.table.column is a column too, but db.schema.table stands where one
		 * may (INSERT db.s.t, DELETE db.s.t, FROM t, db.s.t): every three parts refused */
		(void)at_table;
		if (empty || parts >= 3)
			return sqlx_fail(why, "it names '%s' with %zu parts, which may lie in another "
					 "database", t->v[i].text, parts);
		i = k;
	}
	return 0;
}

/* PostgreSQL routines: the language must be SQL or PL/pgSQL, and a body written as a
 * string passes the same checks as the statement. */
static int check_routine_bodies(const struct ofb_sql_dialect *d, const struct toks *t,
				enum ofb_sql_kind kind, char **why)
{
	const char *language = NULL;

	if (!(d->flags & OFB_SQL_DOLLAR_QUOTES))
		return 0;
	for (size_t i = 0; i + 1 < t->n; i++)
		if (sqlx_word_is(&t->v[i], "LANGUAGE") &&
		    (is_name(&t->v[i + 1]) || t->v[i + 1].kind == TK_STRING))
			language = t->v[i + 1].text;
	if (language && strcasecmp(language, "sql") != 0 && strcasecmp(language, "plpgsql") != 0)
		return sqlx_fail(why, "it is written in language '%s': only SQL and PL/pgSQL "
				 "routines are restored", language);
	for (size_t i = 0; i + 1 < t->n; i++) {
		struct toks body;
		int rc;
		if (!sqlx_word_is(&t->v[i], "AS"))
			continue;
		/* E'...' (escapes), U&'...', or strings one after another (which the engine
		 * joins into one body): not read here, so refused */
		if (t->v[i + 1].kind == TK_WORD && i + 2 < t->n && t->v[i + 2].adjacent &&
		    (t->v[i + 2].kind == TK_STRING || sqlx_punct_is(&t->v[i + 2], "&")))
			return sqlx_fail(why, "its body is written with escapes (%s'...')",
					 t->v[i + 1].text);
		if (t->v[i + 1].kind != TK_STRING)
			continue;
		if (i + 2 < t->n && (t->v[i + 2].kind == TK_STRING || sqlx_punct_is(&t->v[i + 2], ",")))
			return sqlx_fail(why, "its body is more than one string");
		if (sqlx_lex_checked(d, t->v[i + 1].text, MAX_NATIVE_SQL, 1, &body, why) != 0) {
			char *inner = *why;
			sqlx_fail(why, "its body: %s", inner);
			free(inner);
			return -1;
		}
		rc = check_dynamic(d, &body, kind, why);
		if (rc == 0)
			rc = check_words(&body, body_words, "its body", why);
		sqlx_toks_free(&body);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* The name of the table after ON (a trigger's, an index's). */
static int check_on_table(const struct ofb_sql_dialect *d, const struct toks *t, size_t *i,
			  const char *on_table, enum ofb_sql_kind kind, char **why)
{
	size_t depth = 0;

	if (kind == OFB_SQL_CREATE_TRIGGER) {
		/* events first: BEFORE INSERT OR UPDATE OF a, b ON t */
		while (*i < t->n && !(depth == 0 && sqlx_word_is(&t->v[*i], "ON"))) {
			if (sqlx_punct_is(&t->v[*i], "("))
				depth++;
			else if (sqlx_punct_is(&t->v[*i], ")") && depth)
				depth--;
			(*i)++;
		}
	}
	if (*i >= t->n || !sqlx_word_is(&t->v[(*i)++], "ON"))
		return sqlx_fail(why, "it names no table (ON ...)");
	if (*i < t->n && sqlx_word_is(&t->v[*i], "ONLY"))
		(*i)++;
	return sqlx_check_name(d, t, i, on_table, "table", why);
}

static int check_constraint(const struct ofb_sql_dialect *d, const struct toks *t, size_t *i,
			    const char *object, const char *on_table, char **why)
{
	if (t->n < 6 || !sqlx_word_is(&t->v[(*i)++], "ALTER") ||
	    !sqlx_word_is(&t->v[(*i)++], "TABLE"))
		return sqlx_fail(why, "it is not an ALTER TABLE ... ADD CONSTRAINT statement");
	if (*i < t->n && sqlx_word_is(&t->v[*i], "ONLY"))
		(*i)++;
	if (sqlx_check_name(d, t, i, on_table, "table", why) != 0)
		return -1;
	if (*i + 1 >= t->n || !sqlx_word_is(&t->v[*i], "ADD") ||
	    !sqlx_word_is(&t->v[*i + 1], "CONSTRAINT"))
		return sqlx_fail(why, "it adds no constraint");
	*i += 2;
	if (sqlx_check_name(d, t, i, object, "constraint", why) != 0)
		return -1;
	if (*i >= t->n || !(sqlx_word_is(&t->v[*i], "CHECK") || sqlx_word_is(&t->v[*i], "EXCLUDE")))
		return sqlx_fail(why, "only CHECK and EXCLUDE constraints are added so");
	/* one change only: ", OWNER TO ..." would be a second one */
	for (size_t k = *i, depth = 0; k < t->n; k++) {
		if (sqlx_punct_is(&t->v[k], "("))
			depth++;
		else if (sqlx_punct_is(&t->v[k], ")") && depth)
			depth--;
		else if (sqlx_punct_is(&t->v[k], ",") && depth == 0)
			return sqlx_fail(why, "it changes more than the one constraint");
	}
	return 0;
}

/* COMMENT ON TABLE|VIEW|MATERIALIZED VIEW t IS '...', or COLUMN t.c: on the object's
 * own table, a string (or NULL) and nothing after it. */
static int check_comment(const struct toks *t, size_t *i, const char *on_table, char **why)
{
	int column = 0;

	if (t->n < 5 || !sqlx_word_is(&t->v[(*i)++], "COMMENT") ||
	    !sqlx_word_is(&t->v[(*i)++], "ON"))
		return sqlx_fail(why, "it is not a COMMENT ON statement");
	if (sqlx_word_is(&t->v[*i], "MATERIALIZED") && *i + 1 < t->n &&
	    sqlx_word_is(&t->v[*i + 1], "VIEW"))
		(*i)++;
	else if (sqlx_word_is(&t->v[*i], "COLUMN"))
		column = 1;
	else if (!sqlx_word_is(&t->v[*i], "TABLE") && !sqlx_word_is(&t->v[*i], "VIEW"))
		return sqlx_fail(why, "only comments on tables, views and columns are restored");
	(*i)++;
	{
		/* [schema.]table[.column]: the table part must be on_table */
		const struct tok *parts[3];
		size_t n = 0, want = column ? 2 : 1;
		while (*i < t->n && is_name(&t->v[*i]) && n < 3) {
			parts[n++] = &t->v[(*i)++];
			if (*i < t->n && sqlx_punct_is(&t->v[*i], "."))
				(*i)++;
			else
				break;
		}
		if (n < want || n > want + 1 || !on_table ||
		    (parts[n - want]->kind == TK_WORD
			     ? strcasecmp(parts[n - want]->text, on_table)
			     : strcmp(parts[n - want]->text, on_table)) != 0)
			return sqlx_fail(why, "it is not on table '%s'", on_table ? on_table : "");
	}
	if (*i >= t->n || !sqlx_word_is(&t->v[(*i)++], "IS"))
		return sqlx_fail(why, "it is not IS followed by the comment's text alone");
	/* E'...' where the text holds a backslash */
	if (*i + 2 == t->n && sqlx_word_is(&t->v[*i], "E") && t->v[*i + 1].kind == TK_STRING &&
	    t->v[*i + 1].adjacent)
		(*i)++;
	if (*i + 1 != t->n || !(t->v[*i].kind == TK_STRING || sqlx_word_is(&t->v[*i], "NULL")))
		return sqlx_fail(why, "it is not IS followed by the comment's text alone");
	*i = t->n;
	return 0;
}

/* CREATE EXTENSION IF NOT EXISTS name, nothing else, of an extension the dialect allows
 * (one that stays inside the database). */
static int check_extension(const struct ofb_sql_dialect *d, const struct toks *t, size_t i,
			   const char *object, char **why)
{
	if (i != t->n)
		return sqlx_fail(why, "it says more than which extension");
	if (!object || !sqlx_name_in(object, d->extensions) || strchr(object, '*'))
		return sqlx_fail(why, "extension '%s' is not one ofbackup creates (it may reach "
				 "beyond the database)", object ? object : "");
	return 0;
}

/* PostgreSQL types: an ENUM, a composite or a range type, not a base type (which is made
 * of C functions). */
static int check_type_form(const struct toks *t, size_t i, char **why)
{
	if (i + 1 < t->n && sqlx_word_is(&t->v[i], "AS") &&
	    (sqlx_word_is(&t->v[i + 1], "ENUM") || sqlx_word_is(&t->v[i + 1], "RANGE") ||
	     sqlx_punct_is(&t->v[i + 1], "(")))
		return 0;
	return sqlx_fail(why, "only ENUM, composite and range types are restored");
}

int ofb_sql_check_native(const struct ofb_sql_dialect *d, enum ofb_sql_kind kind,
			 const char *object, const char *on_table, const char *sql, char **why)
{
	const struct kind_rule *r = &rules[kind];
	struct toks t;
	size_t i = 0;
	int ret = -1;

	if (sqlx_lex_checked(d, sql, MAX_NATIVE_SQL, r->body, &t, why) != 0)
		goto out;
	if (check_blocks(d, &t, r->body, why) != 0 || check_dynamic(d, &t, kind, why) != 0 ||
	    check_words(&t, object_words, "it", why) != 0)
		goto out;
	for (size_t k = 0; !r->reads && k < t.n; k++)
		if (sqlx_word_is(&t.v[k], "SELECT")) {
			sqlx_fail(why, "it reads data (SELECT) where only a definition belongs");
			goto out;
		}
	if (kind == OFB_SQL_ADD_CONSTRAINT) {
		if (check_constraint(d, &t, &i, object, on_table, why) != 0)
			goto out;
	} else if (kind == OFB_SQL_COMMENT) {
		if (check_comment(&t, &i, on_table, why) != 0)
			goto out;
	} else {
		if (t.n < 3 || !sqlx_word_is(&t.v[i++], "CREATE")) {
			sqlx_fail(why, "it is not a CREATE statement");
			goto out;
		}
		if (skip_modifiers(&t, &i, kind, why) != 0)
			goto out;
		for (size_t w = 0; w < 2 && r->words[w]; w++)
			if (i >= t.n || !sqlx_word_is(&t.v[i++], r->words[w])) {
				sqlx_fail(why, "it is not a CREATE %s statement", r->what);
				goto out;
			}
		if (i + 2 < t.n && sqlx_word_is(&t.v[i], "IF") && sqlx_word_is(&t.v[i + 1], "NOT") &&
		    sqlx_word_is(&t.v[i + 2], "EXISTS"))
			i += 3;
		if (sqlx_check_name(d, &t, &i, object, r->what, why) != 0)
			goto out;
		if (r->on_table && check_on_table(d, &t, &i, on_table, kind, why) != 0)
			goto out;
		if (kind == OFB_SQL_CREATE_TYPE && check_type_form(&t, i, why) != 0)
			goto out;
		if (kind == OFB_SQL_CREATE_EXTENSION && check_extension(d, &t, i, object, why) != 0)
			goto out;
	}
	if ((kind == OFB_SQL_CREATE_FUNCTION || kind == OFB_SQL_CREATE_PROCEDURE) &&
	    check_routine_bodies(d, &t, kind, why) != 0)
		goto out;
	if (r->reads ? check_references(d, &t, on_table, why) != 0
		     : sqlx_check_no_qualified(d, &t, i, NULL, why) != 0)
		goto out;
	if (sqlx_check_engine_options(d, &t, why) != 0 || check_catalog_names(d, &t, why) != 0)
		goto out;
	ret = 0;
out:
	sqlx_toks_free(&t);
	return ret;
}
