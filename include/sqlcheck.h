/* sqlcheck.h - what SQL text from a package may reach a database. A package is data from
 * places we do not control, so every piece of SQL it carries is checked before it runs:
 * type names against a strict grammar, defaults against literals and a short list of
 * functions, foreign-key actions against the fixed set, and an object's own DDL as exactly
 * one statement of the expected kind on the expected object, with nothing in it that
 * reaches beyond the database. The lexical rules (quotes, escapes, comments) of each engine
 * come from its driver's dialect and must match how the engine itself reads the text in
 * the session a restore runs in. */
#ifndef OFB_SQLCHECK_H
#define OFB_SQLCHECK_H

#include <stddef.h>

struct buf;

/* Lexical and safety rules of one engine's SQL (a driver's .dialect). */
enum {
	OFB_SQL_BACKSLASH_ESCAPES = 1 << 0, /* '\' escapes the next character in strings */
	OFB_SQL_DQUOTE_STRING = 1 << 1,     /* "..." is a string, not an identifier */
	OFB_SQL_BACKTICK_IDENT = 1 << 2,    /* `...` identifiers */
	OFB_SQL_BRACKET_IDENT = 1 << 3,     /* [...] identifiers */
	OFB_SQL_DOLLAR_QUOTES = 1 << 4,     /* $tag$...$tag$ strings, E'...' escape strings */
	OFB_SQL_NESTED_COMMENTS = 1 << 5,   /* block comments nest */
	OFB_SQL_EXEC_COMMENTS = 1 << 6,     /* the inside of / *! ... * / runs as SQL */
	OFB_SQL_HASH_COMMENTS = 1 << 7,     /* # to the end of the line */
	OFB_SQL_DASH_SPACE = 1 << 8,        /* -- starts a comment only before white space */
	OFB_SQL_STRING_NAMES = 1 << 9,      /* 'name' may stand for an object's name */
	OFB_SQL_SCHEMAS = 1 << 10,          /* schema.name stays inside the database; else
					     * only OFB_SQL_MAIN_SCHEMA may qualify a name */
	OFB_SQL_CATALOG_NAMES = 1 << 11,    /* db.schema.table names another database (T-SQL):
					     * refused where a table stands, and every name of
					     * four parts or with an empty one (db..t) */
};

struct ofb_sql_dialect {
	unsigned flags;
	/* The one qualifier that names the target database itself ("main"), or NULL. */
	const char *main_schema;
	/* Bare words that make a statement reach beyond the database (phrases of two words
	 * separated by one space match two words in a row). NULL-terminated. */
	const char *const *forbidden_words;
	/* Functions that reach beyond the database, refused however they are quoted; a name
	 * ending in '*' matches every name it begins. NULL-terminated. */
	const char *const *forbidden_functions;
	/* Functions a column default may call (besides literals and operators). */
	const char *const *default_functions;
	/* Bare words a default may be on its own (CURRENT_TIMESTAMP, TRUE ...). */
	const char *const *default_keywords;
	/* Extensions a package may create (CREATE EXTENSION); NULL: none. */
	const char *const *extensions;
	/* Storage engines a table's own DDL may name (ENGINE=...); NULL: no such option. */
	const char *const *table_engines;
	/* Characters that start a parameter or variable outside quotes (SQLite's $name(...)
	 * takes any text up to ')' into the token, quotes included): none belongs in DDL from
	 * a package, so each is refused. */
	const char *variable_chars;
};

/* The kinds of native statement a package may carry. */
enum ofb_sql_kind {
	OFB_SQL_CREATE_TABLE,
	OFB_SQL_CREATE_INDEX,
	OFB_SQL_CREATE_VIEW,
	OFB_SQL_CREATE_MATVIEW,
	OFB_SQL_CREATE_TRIGGER,
	OFB_SQL_CREATE_FUNCTION,
	OFB_SQL_CREATE_PROCEDURE,
	OFB_SQL_CREATE_EVENT,
	OFB_SQL_CREATE_TYPE,
	OFB_SQL_CREATE_DOMAIN,
	OFB_SQL_CREATE_SEQUENCE,
	OFB_SQL_ADD_CONSTRAINT,     /* ALTER TABLE on_table ADD CONSTRAINT object CHECK|EXCLUDE */
	OFB_SQL_CREATE_EXTENSION,   /* CREATE EXTENSION IF NOT EXISTS object, an allowed one */
	OFB_SQL_COMMENT             /* COMMENT ON TABLE|VIEW|MATERIALIZED VIEW on_table, or
				     * COLUMN on_table.c, IS 'text' */
};

/* 0 when sql is exactly one statement of kind creating object (on table on_table for an
 * index, trigger or constraint; may be NULL for the others), inside the database, with
 * nothing the dialect refuses; else -1 and *why says what is wrong (malloc'd). Views,
 * triggers, routines and events may read data; triggers, routines and events may hold
 * statements between BEGIN and END; routine bodies in strings (PostgreSQL) must be in SQL
 * or PL/pgSQL and pass the same checks; no statement names a definer, runs with its
 * owner's rights (SECURITY DEFINER) or builds SQL at run time (EXECUTE, PREPARE). In
 * engines without schemas a dotted name must be a column of a table or alias the
 * statement names itself. */
int ofb_sql_check_native(const struct ofb_sql_dialect *d, enum ofb_sql_kind kind,
			 const char *object, const char *on_table, const char *sql, char **why);

/* 0 when type is a type name of the dialect's grammar: words (or quoted names), optional
 * "(n[,m])", more words, array brackets; else -1 and *why (malloc'd). */
int ofb_sql_check_type(const struct ofb_sql_dialect *d, const char *type, char **why);

/* 0 when expr is a column default made of literals, casts, arithmetic, the dialect's
 * default keywords and calls of its default functions; else -1 and *why (malloc'd). */
int ofb_sql_check_default(const struct ofb_sql_dialect *d, const char *expr, char **why);
/* The same, where the default may also call the routines named (the database's own,
 * restored with it; NULL-terminated). */
int ofb_sql_check_default_in(const struct ofb_sql_dialect *d, const char *expr,
			     const char *const *routines, char **why);

/* 0 when expr is one expression that stays inside the parentheses it is written in (a
 * generated column's): balanced parentheses, no separator, no SELECT, nothing the dialect
 * refuses; else -1 and *why (malloc'd). */
int ofb_sql_check_expression(const struct ofb_sql_dialect *d, const char *expr, char **why);

/* The canonical spelling of a foreign-key action, or NULL when action is none of
 * CASCADE, RESTRICT, SET NULL, SET DEFAULT, NO ACTION (any case). */
const char *ofb_sql_fk_action(const char *action);

/* A default every engine understands, read from expr under d's rules: a number (its text
 * in *value), a string literal (its content in *value, a PostgreSQL cast dropped), true,
 * false, or the current timestamp; OFB_LIT_NONE for anything else. */
enum ofb_sql_literal {
	OFB_LIT_NONE, OFB_LIT_NUMBER, OFB_LIT_STRING, OFB_LIT_TRUE, OFB_LIT_FALSE, OFB_LIT_NOW
};
enum ofb_sql_literal ofb_sql_default_literal(const struct ofb_sql_dialect *d, const char *expr,
					     char **value);

/* Non-zero when sql, read under d's rules, holds word as a bare word (not in a string, a
 * quoted name or a comment); 0 also when it cannot be read. */
int ofb_sql_mentions(const struct ofb_sql_dialect *d, const char *sql, const char *word);

/* Append s as a string literal of dialect d. */
void ofb_sql_add_string(const struct ofb_sql_dialect *d, struct buf *sql, const char *s);
/* The same for the n bytes at s, which the caller has checked to be UTF-8 without U+0000
 * (an engine's lexer reads no further than such a byte, or reads it otherwise). */
void ofb_sql_add_string_n(const struct ofb_sql_dialect *d, struct buf *sql, const char *s,
			  size_t n);

#endif
