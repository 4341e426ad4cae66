/* sqlcheck.c - the checks SQL text from a package passes before it runs (sqlcheck.h).
 *
 * The text is cut into tokens the way the engine's own lexer does: strings, quoted names
 * and comments are the places a statement separator or a second statement could hide, so
 * each is recognised exactly as the engine recognises it, and where the engine's rule is
 * not followed here (an unusual comment form, a nested executable comment) the text is
 * refused rather than guessed at. Everything is then judged on tokens outside strings and
 * comments. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sqlcheck.h"
#include "sqllex.h"
#include "util.h"

/* Longest text any single check looks at: far beyond real DDL, short of abuse. */
#define MAX_TYPE ((size_t)256)
#define MAX_DEFAULT ((size_t)4096)


void sqlx_toks_free(struct toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	memset(t, 0, sizeof *t);
}

static void toks_add(struct toks *t, enum tok_kind kind, const char *start, size_t len,
		     char *text, int adjacent)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	t->v[t->n].kind = kind;
	t->v[t->n].start = start;
	t->v[t->n].len = len;
	t->v[t->n].text = text ? text : xstrndup(start, len);
	t->v[t->n].adjacent = adjacent;
	t->n++;
}

int sqlx_fail(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int sqlx_fail(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*why = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

static int is_word_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int is_word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* A quoted stretch from p (at the opening quote) to its closing quote: a doubled closing
 * quote stands for one, and with escapes a backslash takes the next byte along. Returns the
 * end (after the closing quote) or NULL when it never closes; *content gets the inside. */
static const char *quoted(const char *p, char close, int escapes, char **content)
{
	struct buf b;

	buf_init(&b);
	for (p++;; p++) {
		if (*p == '\0') {
			buf_free(&b);
			return NULL;
		}
		if (escapes && *p == '\\') {
			if (p[1] == '\0') {
				buf_free(&b);
				return NULL;
			}
			buf_addc(&b, p[1]);
			p++;
			continue;
		}
		if (*p == close) {
			if (p[1] == close && close != ']') {
				buf_addc(&b, close);
				p++;
				continue;
			}
			break;
		}
		buf_addc(&b, *p);
	}
	*content = buf_detach(&b);
	return p + 1;
}

/* PostgreSQL's $tag$ opener at p: its length, or 0 when p starts none. */
static size_t dollar_tag(const char *p)
{
	size_t n = 1;

	if (p[0] != '$')
		return 0;
	if (p[1] == '$')
		return 2;
	if (!is_word_start((unsigned char)p[1]))
		return 0;
	while (is_word_char((unsigned char)p[n]) && p[n] != '$')
		n++;
	return p[n] == '$' ? n + 1 : 0;
}

static int tokenize_into(const struct ofb_sql_dialect *d, const char *sql, struct toks *out,
			 char **why);

/* The tokens of sql; on failure none (out is empty) and *why says what is wrong. */
int sqlx_tokenize(const struct ofb_sql_dialect *d, const char *sql, struct toks *out,
		    char **why)
{
	if (tokenize_into(d, sql, out, why) == 0)
		return 0;
	sqlx_toks_free(out);
	return -1;
}

static int tokenize_into(const struct ofb_sql_dialect *d, const char *sql, struct toks *out,
			 char **why)
{
	const char *p = sql;
	int adjacent = 0, in_exec = 0;

	memset(out, 0, sizeof *out);
	while (*p) {
		unsigned char c = (unsigned char)*p;
		const char *start = p;
		char *content = NULL;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			p++;
			adjacent = 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return sqlx_fail(why, "a control character (0x%02x) outside quotes", c);
		if ((c == '-' && p[1] == '-' &&
		     (!(d->flags & OFB_SQL_DASH_SPACE) || p[2] == '\0' || isspace((unsigned char)p[2]) ||
		      (unsigned char)p[2] < 0x20)) ||
		    (c == '#' && (d->flags & OFB_SQL_HASH_COMMENTS))) {
			while (*p && *p != '\n')
				p++;
			adjacent = 0;
			continue;
		}
		if (c == '/' && p[1] == '*') {
			int depth = 1;
			if ((d->flags & OFB_SQL_EXEC_COMMENTS) &&
			    (p[2] == '!' || (p[2] == 'M' && p[3] == '!'))) {
				/* MariaDB runs what is inside: read it as SQL */
				if (in_exec)
					return sqlx_fail(why, "an executable comment inside another");
				in_exec = 1;
				p += p[2] == '!' ? 3 : 4;
				/* a versioned one (slash-star-bang 50700) runs on some servers
				 * only, and others skip it to the first star-slash, quotes and
				 * all: it cannot be read one way only */
				if (isdigit((unsigned char)*p))
					return sqlx_fail(why, "an executable comment for some server "
							 "versions only");
				adjacent = 0;
				continue;
			}
			if (in_exec)
				return sqlx_fail(why, "a comment inside an executable comment");
			for (p += 2; *p && depth; p++) {
				if (p[0] == '*' && p[1] == '/') {
					depth--;
					p++;
				} else if ((d->flags & OFB_SQL_NESTED_COMMENTS) && p[0] == '/' &&
					   p[1] == '*') {
					depth++;
					p++;
				}
			}
			if (depth)
				return sqlx_fail(why, "a comment that never ends");
			adjacent = 0;
			continue;
		}
		if (in_exec && c == '*' && p[1] == '/') {
			in_exec = 0;
			p += 2;
			adjacent = 0;
			continue;
		}
		if (c == '\'' || (c == '"' && (d->flags & OFB_SQL_DQUOTE_STRING))) {
			int escapes = (d->flags & OFB_SQL_BACKSLASH_ESCAPES) != 0;
			/* PostgreSQL's E'...' (a lone E just before the quote) takes escapes */
			if (c == '\'' && (d->flags & OFB_SQL_DOLLAR_QUOTES) && out->n && adjacent &&
			    out->v[out->n - 1].kind == TK_WORD && out->v[out->n - 1].len == 1 &&
			    (out->v[out->n - 1].start[0] == 'E' || out->v[out->n - 1].start[0] == 'e'))
				escapes = 1;
			p = quoted(p, (char)c, escapes, &content);
			if (!p)
				return sqlx_fail(why, "a string that never ends");
			toks_add(out, TK_STRING, start, (size_t)(p - start), content, adjacent);
		} else if (c == '"' || (c == '`' && (d->flags & OFB_SQL_BACKTICK_IDENT)) ||
			   (c == '[' && (d->flags & OFB_SQL_BRACKET_IDENT))) {
			p = quoted(p, c == '[' ? ']' : (char)c, 0, &content);
			if (!p)
				return sqlx_fail(why, "a quoted name that never ends");
			toks_add(out, TK_QIDENT, start, (size_t)(p - start), content, adjacent);
		} else if (c == '$' && (d->flags & OFB_SQL_DOLLAR_QUOTES) && dollar_tag(p)) {
			size_t tag = dollar_tag(p);
			char *needle = xstrndup(p, tag);
			const char *end = strstr(p + tag, needle);
			free(needle);
			if (!end)
				return sqlx_fail(why, "a $-quoted string that never ends");
			content = xstrndup(p + tag, (size_t)(end - p - tag));
			p = end + tag;
			toks_add(out, TK_STRING, start, (size_t)(p - start), content, adjacent);
		} else if (is_word_start(c)) {
			while (is_word_char((unsigned char)*p))
				p++;
			toks_add(out, TK_WORD, start, (size_t)(p - start), NULL, adjacent);
		} else if (isdigit(c) || (c == '.' && isdigit((unsigned char)p[1]))) {
			while (isdigit((unsigned char)*p))
				p++;
			if (*p == '.')
				for (p++; isdigit((unsigned char)*p); p++)
					;
			if ((*p == 'e' || *p == 'E') &&
			    (isdigit((unsigned char)p[1]) ||
			     ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2]))))
				for (p += 2; isdigit((unsigned char)*p); p++)
					;
			toks_add(out, TK_NUMBER, start, (size_t)(p - start), NULL, adjacent);
		} else {
			size_t n = 1;
			if (c == '{' || c == '}')
				return sqlx_fail(why, "an ODBC escape brace");
			if (c == '?' || (d->variable_chars && strchr(d->variable_chars, c)))
				return sqlx_fail(why, "a parameter or variable marker (%c)", c);
			if ((c == ':' && p[1] == ':') || (c == '|' && p[1] == '|'))
				n = 2;
			p += n;
			toks_add(out, TK_PUNCT, start, n, NULL, adjacent);
		}
		adjacent = 1;
	}
	if (in_exec)
		return sqlx_fail(why, "an executable comment that never ends");
	return 0;
}

int sqlx_word_is(const struct tok *t, const char *w)
{
	return t->kind == TK_WORD && strcasecmp(t->text, w) == 0;
}

int sqlx_punct_is(const struct tok *t, const char *p)
{
	return t->kind == TK_PUNCT && strcmp(t->text, p) == 0;
}

int sqlx_name_in(const char *name, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++) {
		size_t n = strlen(list[i]);
		if (n && list[i][n - 1] == '*' ? strncasecmp(name, list[i], n - 1) == 0
					       : strcasecmp(name, list[i]) == 0)
			return 1;
	}
	return 0;
}

/* Anything in the tokens the dialect refuses in any native SQL. */
static int word_matches(const struct tok *k, const char *w, size_t len, int quoted)
{
	return (k->kind == TK_WORD || (quoted && k->kind == TK_QIDENT)) &&
	       strlen(k->text) == len && strncasecmp(k->text, w, len) == 0;
}

const char *sqlx_phrase_at(const struct toks *t, size_t i, const char *const *list, int quoted)
{
	/* a word next to '.' is part of a name (NEW.password), not a statement's word */
	if ((i > 0 && sqlx_punct_is(&t->v[i - 1], ".")) ||
	    (i + 1 < t->n && sqlx_punct_is(&t->v[i + 1], ".")))
		return NULL;
	for (size_t w = 0; list && list[w]; w++) {
		const char *f = list[w], *sp = strchr(f, ' ');
		if (!sp ? word_matches(&t->v[i], f, strlen(f), quoted)
			: (word_matches(&t->v[i], f, (size_t)(sp - f), quoted) && i + 1 < t->n &&
			   word_matches(&t->v[i + 1], sp + 1, strlen(sp + 1), quoted)))
			return f;
	}
	return NULL;
}

int sqlx_check_forbidden(const struct ofb_sql_dialect *d, const struct toks *t, char **why)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct tok *k = &t->v[i];
		/* PostgreSQL's U&'...' and U&"..." spell names and text with escapes that no
		 * check here reads: refused */
		if ((d->flags & OFB_SQL_DOLLAR_QUOTES) && k->kind == TK_WORD &&
		    strcasecmp(k->text, "U") == 0 && i + 2 < t->n && sqlx_punct_is(&t->v[i + 1], "&") &&
		    t->v[i + 1].adjacent && t->v[i + 2].adjacent &&
		    (t->v[i + 2].kind == TK_STRING || t->v[i + 2].kind == TK_QIDENT))
			return sqlx_fail(why, "a name or text with Unicode escapes (U&)");
		if ((k->kind == TK_WORD || k->kind == TK_QIDENT) &&
		    sqlx_name_in(k->text, d->forbidden_functions))
			return sqlx_fail(why, "it uses '%s', which reaches beyond the database", k->text);
		if (k->kind != TK_WORD && !(k->kind == TK_QIDENT && (d->flags & OFB_SQL_DOLLAR_QUOTES)))
			continue;
		{
			/* PostgreSQL reads SET "role" as SET role: quoted names count there */
			const char *f = sqlx_phrase_at(t, i, d->forbidden_words,
						       (d->flags & OFB_SQL_DOLLAR_QUOTES) != 0);
			if (f)
				return sqlx_fail(why, "it uses '%s', which reaches beyond the database",
						 f);
		}
	}
	return 0;
}

/* The object name at tokens[*i] ([schema.]name): it must be want, and a qualifier must
 * stay inside the database. */
int sqlx_check_name(const struct ofb_sql_dialect *d, const struct toks *t, size_t *i,
		      const char *want, const char *what, char **why)
{
	const struct tok *parts[3];
	size_t n = 0;

	while (*i < t->n && n < 3) {
		const struct tok *k = &t->v[*i];
		if (!(k->kind == TK_WORD || k->kind == TK_QIDENT ||
		      (k->kind == TK_STRING && (d->flags & OFB_SQL_STRING_NAMES))))
			break;
		parts[n++] = k;
		(*i)++;
		if (*i >= t->n || !sqlx_punct_is(&t->v[*i], "."))
			break;
		(*i)++;
	}
	if (n == 0 || n == 3)
		return sqlx_fail(why, "no %s name where one belongs", what);
	if (n == 2 && !(d->flags & OFB_SQL_SCHEMAS) &&
	    !(d->main_schema && strcasecmp(parts[0]->text, d->main_schema) == 0 &&
	      parts[0]->kind != TK_STRING))
		return sqlx_fail(why, "the %s is qualified with '%s': outside the target database",
			    what, parts[0]->text);
	if (want && (parts[n - 1]->kind == TK_WORD ? strcasecmp(parts[n - 1]->text, want)
						   : strcmp(parts[n - 1]->text, want)) != 0)
		return sqlx_fail(why, "it creates %s '%s', not '%s'", what, parts[n - 1]->text, want);
	return 0;
}

/* Dotted names after the object's own: in engines without schemas they name another
 * database. */
int sqlx_check_no_qualified(const struct ofb_sql_dialect *d, const struct toks *t,
			    size_t from, char *const *allowed, char **why)
{
	if (d->flags & OFB_SQL_SCHEMAS)
		return 0;
	for (size_t i = from; i + 2 < t->n; i++) {
		const struct tok *a = &t->v[i], *b = &t->v[i + 2];
		int ok = d->main_schema && strcasecmp(a->text, d->main_schema) == 0;
		for (size_t k = 0; !ok && allowed && allowed[k]; k++)
			ok = strcasecmp(a->text, allowed[k]) == 0;
		if ((a->kind == TK_WORD || a->kind == TK_QIDENT) &&
		    sqlx_punct_is(&t->v[i + 1], ".") &&
		    (b->kind == TK_WORD || b->kind == TK_QIDENT) && !ok)
			return sqlx_fail(why, "it names '%s.%s', which may lie outside the target "
					 "database", a->text, b->text);
	}
	return 0;
}

int sqlx_check_engine_options(const struct ofb_sql_dialect *d, const struct toks *t,
				char **why)
{
	for (size_t i = 0; d->table_engines && i < t->n; i++) {
		size_t v = i + 1;
		if (!sqlx_word_is(&t->v[i], "ENGINE"))
			continue;
		if (v < t->n && sqlx_punct_is(&t->v[v], "="))
			v++;
		if (v >= t->n || !(t->v[v].kind == TK_WORD || t->v[v].kind == TK_QIDENT) ||
		    !sqlx_name_in(t->v[v].text, d->table_engines))
			return sqlx_fail(why, "it asks for storage engine '%s', which is not one ofbackup "
				    "restores", v < t->n ? t->v[v].text : "");
	}
	return 0;
}

/* Every check starts so: not too long, tokens as the engine reads them, nothing that
 * reaches beyond the database. On failure t is empty (toks_free is safe). */
int sqlx_lex_checked(const struct ofb_sql_dialect *d, const char *text, size_t max,
		     int semicolons, struct toks *t, char **why)
{
	memset(t, 0, sizeof *t);
	*why = NULL;
	if (strlen(text) > max)
		return sqlx_fail(why, "longer than %zu bytes", max);
	if (sqlx_tokenize(d, text, t, why) != 0)
		return -1;
	for (size_t i = 0; !semicolons && i < t->n; i++)
		if (sqlx_punct_is(&t->v[i], ";")) {
			sqlx_toks_free(t);
			return sqlx_fail(why, "a statement separator (;)");
		}
	if (sqlx_check_forbidden(d, t, why) != 0) {
		sqlx_toks_free(t);
		return -1;
	}
	return 0;
}


int ofb_sql_check_type(const struct ofb_sql_dialect *d, const char *type, char **why)
{
	struct toks t;
	size_t i = 0;
	int ret = -1, args = 0;

	if (sqlx_lex_checked(d, type, MAX_TYPE, 0, &t, why) != 0)
		goto out;
	if (t.n == 0 || !(t.v[0].kind == TK_WORD || t.v[0].kind == TK_QIDENT)) {
		sqlx_fail(why, "not a type name");
		goto out;
	}
	while (i < t.n) {
		const struct tok *k = &t.v[i];
		if (k->kind == TK_WORD || k->kind == TK_QIDENT) {
			i++;
			if (i + 1 < t.n && sqlx_punct_is(&t.v[i], ".") &&
			    (t.v[i + 1].kind == TK_WORD || t.v[i + 1].kind == TK_QIDENT)) {
				if (!(d->flags & OFB_SQL_SCHEMAS)) {
					sqlx_fail(why, "a qualified type name");
					goto out;
				}
				i += 2;
			}
		} else if (sqlx_punct_is(k, "(") && args++ < 2) {
			/* (n), (n,m), or a list of strings (MariaDB's ENUM and SET) */
			for (i++;; i++) {
				if (i < t.n && sqlx_punct_is(&t.v[i], "-") && i + 1 < t.n &&
				    t.v[i + 1].kind == TK_NUMBER)
					i++;
				if (i >= t.n || !(t.v[i].kind == TK_NUMBER ||
						  (t.v[i].kind == TK_STRING &&
						   (d->flags & OFB_SQL_DQUOTE_STRING)))) {
					sqlx_fail(why, "only numbers belong between the parentheses of a type");
					goto out;
				}
				i++;
				if (i < t.n && sqlx_punct_is(&t.v[i], ")"))
					break;
				if (i >= t.n || !sqlx_punct_is(&t.v[i], ",")) {
					sqlx_fail(why, "unbalanced parentheses");
					goto out;
				}
			}
			i++;
		} else if (sqlx_punct_is(k, "[") && (d->flags & OFB_SQL_DOLLAR_QUOTES)) {
			i++;
			if (i < t.n && t.v[i].kind == TK_NUMBER)
				i++;
			if (i >= t.n || !sqlx_punct_is(&t.v[i], "]")) {
				sqlx_fail(why, "unbalanced brackets");
				goto out;
			}
			i++;
		} else {
			sqlx_fail(why, "'%s' does not belong in a type name", k->text);
			goto out;
		}
	}
	ret = 0;
out:
	sqlx_toks_free(&t);
	return ret;
}

/* --- defaults: a small expression grammar ----------------------------------------------- */

struct expr {
	const struct ofb_sql_dialect *d;
	const struct toks *t;
	size_t i;
	int depth;
	char **why;
	const char *const *routines;   /* the database's own routines, by exact name */
};

static int is_routine(const struct expr *e, const struct tok *k)
{
	for (size_t i = 0; e->routines && e->routines[i]; i++)
		if (k->kind == TK_WORD ? strcasecmp(k->text, e->routines[i]) == 0
				       : strcmp(k->text, e->routines[i]) == 0)
			return 1;
	return 0;
}

static int expr_sum(struct expr *e);

static const struct tok *peek(struct expr *e)
{
	return e->i < e->t->n ? &e->t->v[e->i] : NULL;
}

/* A type after PostgreSQL's :: cast: words, a quoted or qualified name, (n[,m]), []. */
static int expr_cast_type(struct expr *e)
{
	const struct tok *k = peek(e);
	int words = 0;

	while (k && (k->kind == TK_WORD || k->kind == TK_QIDENT)) {
		words++;
		e->i++;
		k = peek(e);
		if (k && sqlx_punct_is(k, ".") && e->i + 1 < e->t->n &&
		    (e->t->v[e->i + 1].kind == TK_WORD || e->t->v[e->i + 1].kind == TK_QIDENT)) {
			e->i++;
			k = peek(e);
			continue;
		}
		if (k && sqlx_punct_is(k, "(")) {
			for (e->i++; (k = peek(e)) && (k->kind == TK_NUMBER || sqlx_punct_is(k, ","));)
				e->i++;
			if (!k || !sqlx_punct_is(k, ")"))
				return sqlx_fail(e->why, "a cast to a malformed type");
			e->i++;
			k = peek(e);
		}
		while (k && sqlx_punct_is(k, "[") && e->i + 1 < e->t->n &&
		       sqlx_punct_is(&e->t->v[e->i + 1], "]")) {
			e->i += 2;
			k = peek(e);
		}
	}
	return words ? 0 : sqlx_fail(e->why, "a cast to no type");
}

static int expr_primary(struct expr *e)
{
	const struct tok *k = peek(e);

	if (!k)
		return sqlx_fail(e->why, "it ends where a value belongs");
	if (++e->depth > 32)
		return sqlx_fail(e->why, "nested too deeply");
	if (sqlx_punct_is(k, "-") || sqlx_punct_is(k, "+")) {
		e->i++;
		return expr_primary(e);
	}
	if (k->kind == TK_NUMBER || k->kind == TK_STRING) {
		e->i++;
	} else if (sqlx_punct_is(k, "(")) {
		e->i++;
		if (expr_sum(e) != 0)
			return -1;
		k = peek(e);
		if (!k || !sqlx_punct_is(k, ")"))
			return sqlx_fail(e->why, "unbalanced parentheses");
		e->i++;
	} else if (k->kind == TK_WORD) {
		const struct tok *next = e->i + 1 < e->t->n ? &e->t->v[e->i + 1] : NULL;
		if (next && next->kind == TK_STRING && next->adjacent &&
		    (sqlx_word_is(k, "X") || sqlx_word_is(k, "B") || sqlx_word_is(k, "N") || sqlx_word_is(k, "E"))) {
			e->i += 2;   /* X'00', N'text', E'text' */
		} else if (next && sqlx_punct_is(next, "(")) {
			if (!sqlx_name_in(k->text, e->d->default_functions) &&
			    !is_routine(e, k))
				return sqlx_fail(e->why, "it calls '%s', which is not a function ofbackup "
					    "restores in a default", k->text);
			e->i += 2;
			k = peek(e);
			if (k && sqlx_punct_is(k, ")")) {
				e->i++;
			} else {
				for (;;) {
					if (expr_sum(e) != 0)
						return -1;
					k = peek(e);
					if (k && sqlx_punct_is(k, ",")) {
						e->i++;
						continue;
					}
					if (!k || !sqlx_punct_is(k, ")"))
						return sqlx_fail(e->why, "unbalanced parentheses");
					e->i++;
					break;
				}
			}
		} else if (sqlx_name_in(k->text, e->d->default_keywords)) {
			e->i++;
		} else {
			return sqlx_fail(e->why, "'%s' is not a value ofbackup restores in a default",
				    k->text);
		}
	} else {
		return sqlx_fail(e->why, "'%s' does not belong in a default", k->text);
	}
	while ((k = peek(e)) && sqlx_punct_is(k, "::")) {
		e->i++;
		if (expr_cast_type(e) != 0)
			return -1;
	}
	e->depth--;
	return 0;
}

static int expr_sum(struct expr *e)
{
	static const char *const ops[] = { "+", "-", "*", "/", "%", "||", NULL };
	const struct tok *k;

	if (expr_primary(e) != 0)
		return -1;
	while ((k = peek(e)) && k->kind == TK_PUNCT) {
		int op = 0;
		for (size_t j = 0; ops[j]; j++)
			op |= strcmp(k->text, ops[j]) == 0;
		if (!op)
			break;
		e->i++;
		if (expr_primary(e) != 0)
			return -1;
	}
	return 0;
}

int ofb_sql_check_default(const struct ofb_sql_dialect *d, const char *expr, char **why)
{
	return ofb_sql_check_default_in(d, expr, NULL, why);
}

int ofb_sql_check_default_in(const struct ofb_sql_dialect *d, const char *expr,
			     const char *const *routines, char **why)
{
	struct toks t;
	struct expr e = { .d = d, .t = &t, .why = why, .routines = routines };
	int ret = -1;

	if (sqlx_lex_checked(d, expr, MAX_DEFAULT, 0, &t, why) != 0 || expr_sum(&e) != 0)
		goto out;
	if (e.i != t.n) {
		sqlx_fail(why, "'%s' does not belong in a default", t.v[e.i].text);
		goto out;
	}
	ret = 0;
out:
	sqlx_toks_free(&t);
	return ret;
}

const char *ofb_sql_fk_action(const char *action)
{
	static const char *const actions[] = { "CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT",
					       "NO ACTION", NULL };

	for (size_t i = 0; action && actions[i]; i++)
		if (strcasecmp(action, actions[i]) == 0)
			return actions[i];
	return NULL;
}

enum ofb_sql_literal ofb_sql_default_literal(const struct ofb_sql_dialect *d, const char *expr,
					     char **value)
{
	enum ofb_sql_literal ret = OFB_LIT_NONE;
	struct toks t;
	size_t a = 0, b;
	char *why = NULL;

	*value = NULL;
	if (strlen(expr) > MAX_DEFAULT || sqlx_tokenize(d, expr, &t, &why) != 0) {
		free(why);
		return OFB_LIT_NONE;
	}
	b = t.n;
	/* MariaDB and SQLite may put a default in parentheses */
	while (b - a >= 3 && sqlx_punct_is(&t.v[a], "(") && sqlx_punct_is(&t.v[b - 1], ")")) {
		a++;
		b--;
	}
	if (b - a == 0)
		goto out;
	if (t.v[a].kind == TK_NUMBER && b - a == 1) {
		ret = OFB_LIT_NUMBER;
		*value = xstrdup(t.v[a].text);
	} else if (b - a == 2 && (sqlx_punct_is(&t.v[a], "-") || sqlx_punct_is(&t.v[a], "+")) &&
		   t.v[a + 1].kind == TK_NUMBER) {
		ret = OFB_LIT_NUMBER;
		*value = xasprintf("%s%s", t.v[a].text, t.v[a + 1].text);
	} else if (t.v[a].kind == TK_STRING &&
		   (b - a == 1 || (sqlx_punct_is(&t.v[a + 1], "::") && b - a >= 3 &&
				   t.v[a + 2].kind == TK_WORD))) {
		/* 'text' or PostgreSQL's 'text'::type */
		ret = OFB_LIT_STRING;
		*value = xstrdup(t.v[a].text);
	} else if (b - a == 1 && (sqlx_word_is(&t.v[a], "TRUE") || sqlx_word_is(&t.v[a], "FALSE"))) {
		ret = sqlx_word_is(&t.v[a], "TRUE") ? OFB_LIT_TRUE : OFB_LIT_FALSE;
	} else if ((b - a == 1 && sqlx_word_is(&t.v[a], "CURRENT_TIMESTAMP")) ||
		   (b - a == 3 && (sqlx_word_is(&t.v[a], "now") || sqlx_word_is(&t.v[a], "CURRENT_TIMESTAMP")) &&
		    sqlx_punct_is(&t.v[a + 1], "(") && sqlx_punct_is(&t.v[a + 2], ")"))) {
		ret = OFB_LIT_NOW;
	}
out:
	sqlx_toks_free(&t);
	return ret;
}

int ofb_sql_check_expression(const struct ofb_sql_dialect *d, const char *expr, char **why)
{
	struct toks t;
	long depth = 0;
	int ret = -1;

	if (sqlx_lex_checked(d, expr, MAX_DEFAULT, 0, &t, why) != 0)
		return -1;
	if (t.n == 0) {
		sqlx_fail(why, "an empty expression");
		goto out;
	}
	for (size_t i = 0; i < t.n; i++) {
		const struct tok *k = &t.v[i];
		if (sqlx_word_is(k, "SELECT")) {
			sqlx_fail(why, "it reads data (SELECT)");
			goto out;
		}
		if (sqlx_punct_is(k, "("))
			depth++;
		else if (sqlx_punct_is(k, ")") && --depth < 0) {
			sqlx_fail(why, "a ')' that closes what it is written in");
			goto out;
		} else if (sqlx_punct_is(k, ",") && depth == 0) {
			sqlx_fail(why, "a ',' outside parentheses");
			goto out;
		}
	}
	if (depth != 0) {
		sqlx_fail(why, "unbalanced parentheses");
		goto out;
	}
	ret = 0;
out:
	sqlx_toks_free(&t);
	return ret;
}

int ofb_sql_mentions(const struct ofb_sql_dialect *d, const char *sql, const char *word)
{
	struct toks t;
	char *why = NULL;
	int found = 0;

	if (sqlx_tokenize(d, sql, &t, &why) != 0) {
		free(why);
		return 0;
	}
	for (size_t i = 0; i < t.n && !found; i++)
		found = sqlx_word_is(&t.v[i], word);
	sqlx_toks_free(&t);
	return found;
}

void ofb_sql_add_string_n(const struct ofb_sql_dialect *d, struct buf *sql, const char *s,
			  size_t n)
{
	int backslash = (d->flags & OFB_SQL_BACKSLASH_ESCAPES) != 0;
	size_t from = 0;

	/* a quote, and where backslashes escape a backslash, is written twice; the runs
	 * between them are copied whole */
	buf_addc(sql, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\'' && (s[i] != '\\' || !backslash))
			continue;
		buf_add(sql, s + from, i + 1 - from);
		from = i;
	}
	buf_add(sql, s + from, n - from);
	buf_addc(sql, '\'');
}

void ofb_sql_add_string(const struct ofb_sql_dialect *d, struct buf *sql, const char *s)
{
	ofb_sql_add_string_n(d, sql, s, strlen(s));
}
