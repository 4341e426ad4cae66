/* translate.c - what of one engine's SQL another engine can be given (translate.h): CHECK
 * conditions made of simple comparisons, read under the source's lexical rules and written
 * anew for the target, never passed on as text. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "driver.h"
#include "schema.h"
#include "sqllex.h"
#include "translate.h"
#include "util.h"

#define MAX_CONDITION ((size_t)4096)

struct tr {
	const struct toks *t;
	size_t i, end;
	const struct ofb_driver *target;
	const struct ofb_table *table;
	const char *value_column;
	struct buf *out;
	int depth;
};

static const struct tok *peek(struct tr *r)
{
	return r->i < r->end ? &r->t->v[r->i] : NULL;
}

static int accept_word(struct tr *r, const char *w)
{
	const struct tok *k = peek(r);

	if (k && sqlx_word_is(k, w)) {
		r->i++;
		return 1;
	}
	return 0;
}

static int accept_punct(struct tr *r, const char *p)
{
	const struct tok *k = peek(r);

	if (k && sqlx_punct_is(k, p)) {
		r->i++;
		return 1;
	}
	return 0;
}

/* A cast after an operand (PostgreSQL writes 'paid'::status, (0)::numeric): the value is
 * the same in the target's column type, so it is dropped. */
static void skip_casts(struct tr *r)
{
	while (accept_punct(r, "::")) {
		while (peek(r) && (peek(r)->kind == TK_WORD || peek(r)->kind == TK_QIDENT))
			r->i++;
		if (accept_punct(r, "(")) {
			while (peek(r) && !sqlx_punct_is(peek(r), ")"))
				r->i++;
			accept_punct(r, ")");
		}
		if (accept_punct(r, "["))
			accept_punct(r, "]");
	}
}

static const char *column_named(struct tr *r, const struct tok *k)
{
	if (r->value_column && sqlx_word_is(k, "VALUE"))
		return r->value_column;
	for (size_t c = 0; r->table && c < r->table->n_columns; c++) {
		const char *name = r->table->columns[c].name;
		if (k->kind == TK_WORD ? strcasecmp(name, k->text) == 0 : strcmp(name, k->text) == 0)
			return name;
	}
	return NULL;
}

/* A column, a literal, a signed number, or one of those in parentheses. */
static int operand(struct tr *r)
{
	const struct tok *k = peek(r);
	const char *col;

	if (!k)
		return -1;
	if (sqlx_punct_is(k, "(")) {
		r->i++;
		buf_addc(r->out, '(');
		if (operand(r) != 0 || !accept_punct(r, ")"))
			return -1;
		buf_addc(r->out, ')');
	} else if (sqlx_punct_is(k, "-") && r->i + 1 < r->end &&
		   r->t->v[r->i + 1].kind == TK_NUMBER) {
		buf_addf(r->out, "-%s", r->t->v[r->i + 1].text);
		r->i += 2;
	} else if (k->kind == TK_NUMBER) {
		buf_adds(r->out, k->text);
		r->i++;
	} else if (k->kind == TK_STRING) {
		ofb_sql_add_string(ofb_drv_dialect(r->target), r->out, k->text);
		r->i++;
	} else if ((k->kind == TK_WORD || k->kind == TK_QIDENT) && (col = column_named(r, k))) {
		ofb_drv_quote(r->target, r->out, col);
		r->i++;
	} else {
		return -1;
	}
	skip_casts(r);
	return 0;
}

static int condition(struct tr *r);

/* NOT x, (condition), or a comparison of operands: = <> != < <= > >=, IS [NOT] NULL,
 * [NOT] IN (literals), [NOT] BETWEEN a AND b. */
static int factor(struct tr *r)
{
	static const char *const cmp[] = { "=", "<", ">", "!", NULL };
	const struct tok *k = peek(r);
	size_t mark = r->i, len = r->out->len;
	int depth = r->depth;

	if (!k || ++r->depth > 32)
		return -1;
	if (accept_word(r, "NOT")) {
		int rc;
		buf_adds(r->out, "NOT ");
		rc = factor(r);
		r->depth--;
		return rc;
	}
	if (sqlx_punct_is(k, "(")) {
		/* a condition in parentheses, or an operand in them: try the condition first */
		r->i++;
		buf_addc(r->out, '(');
		if (condition(r) == 0 && accept_punct(r, ")")) {
			buf_addc(r->out, ')');
			skip_casts(r);
			r->depth--;
			if (!peek(r) || sqlx_word_is(peek(r), "AND") || sqlx_word_is(peek(r), "OR") ||
			    sqlx_punct_is(peek(r), ")"))
				return 0;
		}
		r->i = mark;
		r->out->len = len;
		r->out->data[len] = '\0';
		r->depth = depth + 1;
	}
	if (operand(r) != 0)
		return -1;
	k = peek(r);
	if (!k)
		return -1;
	if (accept_word(r, "IS")) {
		buf_adds(r->out, accept_word(r, "NOT") ? " IS NOT NULL" : " IS NULL");
		if (!accept_word(r, "NULL"))
			return -1;
	} else {
		int not = accept_word(r, "NOT");
		if (not)
			buf_adds(r->out, " NOT");
		if (accept_word(r, "IN")) {
			buf_adds(r->out, " IN (");
			if (!accept_punct(r, "("))
				return -1;
			for (;;) {
				if (operand(r) != 0)
					return -1;
				if (!accept_punct(r, ","))
					break;
				buf_adds(r->out, ", ");
			}
			if (!accept_punct(r, ")"))
				return -1;
			buf_addc(r->out, ')');
		} else if (accept_word(r, "BETWEEN")) {
			buf_adds(r->out, " BETWEEN ");
			if (operand(r) != 0 || !accept_word(r, "AND"))
				return -1;
			buf_adds(r->out, " AND ");
			if (operand(r) != 0)
				return -1;
		} else if (!not && k->kind == TK_PUNCT && sqlx_name_in(k->text, cmp)) {
			/* the tokenizer gives < and = (and ! =) as tokens of one character */
			char op[3] = { k->text[0], 0, 0 };
			r->i++;
			if (peek(r) && peek(r)->adjacent && (sqlx_punct_is(peek(r), "=") ||
							     (op[0] == '<' && sqlx_punct_is(peek(r), ">")))) {
				op[1] = peek(r)->text[0];
				r->i++;
			}
			/* "!" alone, and "==" (SQLite's), are not every engine's */
			if (strcmp(op, "!") == 0 || strcmp(op, "==") == 0)
				return -1;
			buf_addf(r->out, " %s ", strcmp(op, "!=") == 0 ? "<>" : op);
			if (operand(r) != 0)
				return -1;
		} else {
			return -1;
		}
	}
	r->depth--;
	return 0;
}

static int term(struct tr *r)
{
	if (factor(r) != 0)
		return -1;
	while (accept_word(r, "AND")) {
		buf_adds(r->out, " AND ");
		if (factor(r) != 0)
			return -1;
	}
	return 0;
}

static int condition(struct tr *r)
{
	if (term(r) != 0)
		return -1;
	while (accept_word(r, "OR")) {
		buf_adds(r->out, " OR ");
		if (term(r) != 0)
			return -1;
	}
	return 0;
}

char *ofb_translate_check(const struct ofb_sql_dialect *src, const struct ofb_driver *target,
			  const struct ofb_table *t, const char *value_column, const char *cond)
{
	struct toks toks;
	struct buf out;
	struct tr r = { .t = &toks, .target = target, .table = t, .value_column = value_column,
			.out = &out };
	char *why = NULL;

	if (sqlx_lex_checked(src, cond, MAX_CONDITION, 0, &toks, &why) != 0) {
		free(why);
		return NULL;
	}
	buf_init(&out);
	r.end = toks.n;
	if (toks.n == 0 || condition(&r) != 0 || r.i != r.end) {
		buf_free(&out);
		sqlx_toks_free(&toks);
		return NULL;
	}
	sqlx_toks_free(&toks);
	return buf_detach(&out);
}

char **ofb_sql_checks(const struct ofb_sql_dialect *d, const char *sql, size_t *n)
{
	struct toks t;
	char **out = NULL, *why = NULL;

	*n = 0;
	if (sqlx_tokenize(d, sql, &t, &why) != 0) {
		free(why);
		return NULL;
	}
	for (size_t i = 0; i + 1 < t.n; i++) {
		size_t depth = 0, k;
		if (!sqlx_word_is(&t.v[i], "CHECK") || !sqlx_punct_is(&t.v[i + 1], "("))
			continue;
		for (k = i + 1; k < t.n; k++) {
			if (sqlx_punct_is(&t.v[k], "("))
				depth++;
			else if (sqlx_punct_is(&t.v[k], ")") && --depth == 0)
				break;
		}
		if (k >= t.n)
			break;
		out = xrealloc(out, (*n + 2) * sizeof *out);
		out[(*n)++] = xstrndup(t.v[i + 1].start + 1,
				       (size_t)(t.v[k].start - t.v[i + 1].start - 1));
		out[*n] = NULL;
		i = k;
	}
	sqlx_toks_free(&t);
	return out;
}

void ofb_labels_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **ofb_sql_enum_labels(const struct ofb_sql_dialect *d, const char *text)
{
	struct toks t;
	char **out = NULL, *why = NULL;
	size_t n = 0, i = 0;

	if (sqlx_tokenize(d, text, &t, &why) != 0) {
		free(why);
		return NULL;
	}
	while (i < t.n && !sqlx_word_is(&t.v[i], "ENUM"))
		i++;
	if (i + 1 < t.n && sqlx_punct_is(&t.v[i + 1], "(")) {
		for (i += 2; i < t.n && t.v[i].kind == TK_STRING; i++) {
			out = xrealloc(out, (n + 2) * sizeof *out);
			out[n++] = xstrdup(t.v[i].text);
			out[n] = NULL;
			if (i + 1 < t.n && sqlx_punct_is(&t.v[i + 1], ","))
				i++;
			else
				break;
		}
		if (!(i + 1 < t.n && sqlx_punct_is(&t.v[i + 1], ")")) || n == 0) {
			ofb_labels_free(out);
			out = NULL;
		}
	}
	sqlx_toks_free(&t);
	return out;
}

const struct ofb_object *ofb_translate_find(const struct ofb_schema *s, int kind,
					    const char *name)
{
	for (size_t i = 0; name && i < s->n_objects; i++) {
		const struct ofb_object *o = &s->objects[i];
		char *label;
		int match;
		if ((int)o->kind != kind)
			continue;
		/* a column's type names one of another schema with it (format_type) */
		label = ofb_object_label(o);
		match = strcmp(label, name) == 0;
		free(label);
		if (match)
			return o;
	}
	return NULL;
}

/* Every CHECK of sql translates (for t, or for a domain's VALUE). */
static int checks_translate(const struct ofb_sql_dialect *d, const struct ofb_driver *target,
			    const struct ofb_table *t, const char *value_column, const char *sql)
{
	size_t n;
	char **checks = ofb_sql_checks(d, sql, &n);
	int ok = 1;

	for (size_t i = 0; i < n && ok; i++) {
		char *tr = ofb_translate_check(d, target, t, value_column, checks[i]);
		ok = tr != NULL;
		free(tr);
	}
	ofb_labels_free(checks);
	return ok;
}

int ofb_translate_carries(const struct ofb_schema *s, const struct ofb_object *o,
			  const struct ofb_driver *target)
{
	const struct ofb_sql_dialect *d = ofb_drv_dialect(ofb_driver_by_name(s->engine));
	const struct ofb_table *t;
	char **labels;
	size_t n;

	switch (o->kind) {
	case OFB_OBJ_TYPE: {
		int ok;
		labels = ofb_sql_enum_labels(d, o->native_ddl);
		ok = labels != NULL;
		ofb_labels_free(labels);
		return ok;
	}
	case OFB_OBJ_DOMAIN:
		return checks_translate(d, target, NULL, "VALUE", o->native_ddl);
	case OFB_OBJ_CONSTRAINT:
		t = o->table ? ofb_schema_find_in((struct ofb_schema *)s, o->schema, o->table) : NULL;
		labels = ofb_sql_checks(d, o->native_ddl, &n);
		ofb_labels_free(labels);
		return t && n > 0 && checks_translate(d, target, t, NULL, o->native_ddl);
	default:
		return 0;
	}
}
