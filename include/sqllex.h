/* sqllex.h - the tokens of SQL text as an engine's lexer reads them, and the checks on
 * tokens that the SQL checks (sqlcheck.c, sqlnative.c) share. Internal to those modules. */
#ifndef OFB_SQLLEX_H
#define OFB_SQLLEX_H

#include <stddef.h>

#include "sqlcheck.h"

enum tok_kind { TK_WORD, TK_QIDENT, TK_STRING, TK_NUMBER, TK_PUNCT };

struct tok {
	enum tok_kind kind;
	const char *start;    /* in the checked text */
	size_t len;
	char *text;           /* WORD: as written; QIDENT/STRING: the content, unescaped */
	int adjacent;         /* no space or comment before it */
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

/* Set *why (malloc'd) and return -1. */
int sqlx_fail(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The tokens of sql; on failure none (out is empty) and *why says what is wrong. */
int sqlx_tokenize(const struct ofb_sql_dialect *d, const char *sql, struct toks *out,
		  char **why);
void sqlx_toks_free(struct toks *t);
int sqlx_word_is(const struct tok *t, const char *w);
int sqlx_punct_is(const struct tok *t, const char *p);
/* name is in list (an entry ending in '*' matches every name it begins), any case. */
int sqlx_name_in(const char *name, const char *const *list);
/* The word or two-word phrase of list that tokens[i] starts (any case; quoted names too
 * when quoted), or NULL; a word next to '.' is a name and starts none. */
const char *sqlx_phrase_at(const struct toks *t, size_t i, const char *const *list, int quoted);
/* Anything in the tokens the dialect refuses in any native SQL. */
int sqlx_check_forbidden(const struct ofb_sql_dialect *d, const struct toks *t, char **why);
/* The object name at tokens[*i] ([schema.]name): it must be want (any name when NULL),
 * and a qualifier must stay inside the database. */
int sqlx_check_name(const struct ofb_sql_dialect *d, const struct toks *t, size_t *i,
		    const char *want, const char *what, char **why);
/* Dotted names from token from on: in engines without schemas they name another
 * database, unless the qualifier is one of allowed (NULL-terminated, may be NULL). */
int sqlx_check_no_qualified(const struct ofb_sql_dialect *d, const struct toks *t,
			    size_t from, char *const *allowed, char **why);
int sqlx_check_engine_options(const struct ofb_sql_dialect *d, const struct toks *t,
			      char **why);
/* Every check starts so: not longer than max, tokens as the engine reads them, no
 * statement separator unless semicolons, nothing that reaches beyond the database. On
 * failure t is empty. */
int sqlx_lex_checked(const struct ofb_sql_dialect *d, const char *text, size_t max,
		     int semicolons, struct toks *t, char **why);

#endif
