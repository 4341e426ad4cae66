/* ddl.c - the SQL that makes a package's tables in a target engine (ddl.h): pure functions
 * of a schema and a driver, no database. The engine's own declarations when the package
 * comes from the same engine, each engine's best type for the portable type when not. */
#include <stdlib.h>
#include <string.h>

#include "ddl.h"
#include "driver.h"
#include "names.h"
#include "translate.h"
#include "sqlcheck.h"
#include "util.h"

static int is_integer_type(enum ofb_ptype t)
{
	return t == OFB_T_SMALLINT || t == OFB_T_INTEGER || t == OFB_T_BIGINT;
}

/* An engine that numbers rows itself (SQLite): a single-column integer primary key that
 * is an identity becomes the row id ("INTEGER PRIMARY KEY"). */
static int rowid_key(const struct ofb_ddl *l, const struct ofb_table *t,
		     const struct ofb_column *c)
{
	return l->drv->rowid_identity && c->identity && is_integer_type(c->type) &&
	       t->primary_key && t->primary_key->n_columns == 1 &&
	       strcmp(t->primary_key->columns[0], c->name) == 0;
}

/* A default another engine understands: a number, a string literal (read under the
 * source engine's rules and written under the target's), a boolean, or the current
 * timestamp. NULL when none. */
static char *portable_default(const struct ofb_ddl *l, const struct ofb_column *c)
{
	const struct ofb_driver *src = l->src_drv;
	char *value = NULL, *ret = NULL;
	struct buf b;

	if (!c->default_value)
		return NULL;

	buf_init(&b);
	switch (ofb_sql_default_literal(ofb_drv_dialect(src), c->default_value, &value)) {
	case OFB_LIT_NUMBER:
		buf_adds(&b, value);
		break;
	case OFB_LIT_STRING:
		ofb_sql_add_string(ofb_drv_dialect(l->drv), &b, value);
		break;
	case OFB_LIT_TRUE:
		buf_adds(&b, l->drv->true_literal ? l->drv->true_literal : "1");
		break;
	case OFB_LIT_FALSE:
		buf_adds(&b, l->drv->false_literal ? l->drv->false_literal : "0");
		break;
	case OFB_LIT_NOW:
		buf_adds(&b, "CURRENT_TIMESTAMP");
		break;
	case OFB_LIT_NONE:
		break;
	}
	free(value);
	ret = b.len ? buf_detach(&b) : NULL;
	buf_free(&b);
	return ret;
}

/* Whether c is numbered by the target: engines with one identity column per table get
 * the table's own (the others keep their values but number no more). */
int ofb_ddl_is_identity(const struct ofb_ddl *l, const struct ofb_table *t,
		       const struct ofb_column *c)
{
	if (!c->identity || !is_integer_type(c->type))
		return 0;
	return !l->drv->one_identity ||
	       (t->identity_column && strcmp(t->identity_column, c->name) == 0);
}

/* --- checks carried across engines ----------------------------------------------------- */

static void add_text(char ***v, size_t *n, char *text)
{
	*v = xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = text;
	(*v)[*n] = NULL;
}

/* The conditions of every CHECK in sql, translated for the target (into *ok) or not
 * (their source text into *lost). */
static void translate_checks(const struct ofb_ddl *l, const struct ofb_table *t,
			     const char *value_column, const char *sql, char ***ok, size_t *n_ok,
			     char ***lost, size_t *n_lost)
{
	const struct ofb_sql_dialect *d = ofb_drv_dialect(l->src_drv);
	size_t n;
	char **checks = ofb_sql_checks(d, sql, &n);

	for (size_t i = 0; i < n; i++) {
		char *tr = ofb_translate_check(d, l->drv, t, value_column, checks[i]);
		if (tr)
			add_text(ok, n_ok, tr);
		else
			add_text(lost, n_lost, xstrdup(checks[i]));
	}
	ofb_labels_free(checks);
}

/* What the target checks of column c of t when t comes from another engine: an ENUM's
 * labels (MariaDB's enum(...) type, a PostgreSQL ENUM type), a PostgreSQL domain's checks. */
static void column_checks(const struct ofb_ddl *l, const struct ofb_table *t,
			  const struct ofb_column *c, char ***ok, size_t *n_ok, char ***lost,
			  size_t *n_lost)
{
	const struct ofb_sql_dialect *d = ofb_drv_dialect(l->src_drv);
	const struct ofb_object *type = ofb_translate_find(l->src, OFB_OBJ_TYPE, c->native_type);
	const struct ofb_object *domain = ofb_translate_find(l->src, OFB_OBJ_DOMAIN,
							     c->native_type);
	char **labels = NULL;

	if (l->same_engine || !c->native_type)
		return;
	labels = ofb_sql_enum_labels(d, type ? type->native_ddl : c->native_type);
	if (labels) {
		struct buf b;
		buf_init(&b);
		ofb_drv_quote(l->drv, &b, c->name);
		buf_adds(&b, " IN (");
		for (size_t i = 0; labels[i]; i++) {
			if (i)
				buf_adds(&b, ", ");
			ofb_sql_add_string(ofb_drv_dialect(l->drv), &b, labels[i]);
		}
		buf_addc(&b, ')');
		add_text(ok, n_ok, buf_detach(&b));
		ofb_labels_free(labels);
	}
	if (domain)
		translate_checks(l, t, c->name, domain->native_ddl, ok, n_ok, lost, n_lost);
}

/* What the target checks of t as a whole when t comes from another engine: the CHECKs of
 * the table's own DDL (SQLite, MariaDB) and its CHECK constraints (PostgreSQL). */
static void table_checks(const struct ofb_ddl *l, const struct ofb_table *t, char ***ok,
			 size_t *n_ok, char ***lost, size_t *n_lost)
{
	if (l->same_engine)
		return;
	if (t->native_ddl)
		translate_checks(l, t, NULL, t->native_ddl, ok, n_ok, lost, n_lost);
	for (size_t i = 0; i < l->src->n_objects; i++) {
		const struct ofb_object *o = &l->src->objects[i];
		if (o->kind == OFB_OBJ_CONSTRAINT && o->table && strcmp(o->table, t->name) == 0 &&
		    !o->schema == !t->schema && (!o->schema || strcmp(o->schema, t->schema) == 0))
			translate_checks(l, t, NULL, o->native_ddl, ok, n_ok, lost, n_lost);
	}
}

static void add_checks(char **conds, struct buf *sql, const char *sep)
{
	for (size_t i = 0; conds && conds[i]; i++)
		buf_addf(sql, "%sCHECK (%s)", sep, conds[i]);
}

static void column_def(struct ofb_ddl *l, const struct ofb_table *t,
		       const struct ofb_column *c, struct buf *sql)
{
	char **ok = NULL, **lost = NULL;
	size_t n_ok = 0, n_lost = 0;
	char *def = NULL;

	ofb_drv_quote(l->drv, sql, c->name);
	buf_addc(sql, ' ');
	if (rowid_key(l, t, c)) {
		buf_adds(sql, "INTEGER PRIMARY KEY");
		return;
	}
	if (l->same_engine && c->native_type && *c->native_type)
		buf_adds(sql, c->native_type);
	else
		ofb_drv_type_ddl(l->drv, c, sql);
	if (ofb_ddl_is_computed(l, t, c) && ofb_drv_generated_ddl(l->drv, c, sql)) {
		if (!c->nullable)
			buf_adds(sql, " NOT NULL");
		return;   /* computed: no identity or default of its own */
	}
	if (ofb_ddl_is_identity(l, t, c) && !l->drv->rowid_identity)
		ofb_drv_identity_ddl(l->drv, c, sql);
	if (!c->nullable)
		buf_adds(sql, " NOT NULL");
	if (c->identity)
		return;   /* the identity clause replaces serial defaults (nextval...) */
	if (l->same_engine)
		def = c->default_value ? xstrdup(c->default_value) : NULL;
	else
		def = portable_default(l, c);
	if (def) {
		buf_adds(sql, " DEFAULT ");
		/* SQLite wants an expression default in parentheses */
		if (l->drv->parenthesized_defaults && !l->same_engine &&
		    strcmp(def, "CURRENT_TIMESTAMP") != 0)
			buf_addf(sql, "(%s)", def);
		else
			buf_adds(sql, def);
	}
	free(def);
	column_checks(l, t, c, &ok, &n_ok, &lost, &n_lost);
	add_checks(ok, sql, " ");
	ofb_labels_free(ok);
	ofb_labels_free(lost);
}

static void name_list(const struct ofb_driver *drv, char *const *names, size_t n, const int *desc, struct buf *sql)
{
	buf_addc(sql, '(');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(sql, ", ");
		ofb_drv_quote(drv, sql, names[i]);
		if (desc && desc[i])
			buf_adds(sql, " DESC");
	}
	buf_addc(sql, ')');
}

static const char *fk_action(const char *action)
{
	const char *a = ofb_sql_fk_action(action);

	return a ? a : "NO ACTION";
}

/* A table of the package by the name it gets in the target: in its schema on the same
 * engine; on another, "schema__name" (the engines we restore into across engines have
 * no schemas of ours), the name alone for the default schema. */
static char *flat_name(const char *schema, const char *name)
{
	return xasprintf("%s__%s", schema, name);
}

static void quote_table(const struct ofb_ddl *l, struct buf *sql, const char *schema,
			const char *name)
{
	char *joined;

	if (!schema || l->same_engine) {
		ofb_drv_quote_table(l->drv, sql, schema, name);
		return;
	}
	joined = flat_name(schema, name);
	ofb_drv_quote(l->drv, sql, joined);
	free(joined);
}

void ofb_ddl_quote_table(const struct ofb_ddl *l, struct buf *sql, const struct ofb_table *t)
{
	quote_table(l, sql, t->schema, t->name);
}

static void fk_clause(struct ofb_ddl *l, const struct ofb_fkey *f, const char *name,
		      struct buf *sql)
{
	if (name) {
		buf_adds(sql, "CONSTRAINT ");
		ofb_drv_quote(l->drv, sql, name);
		buf_addc(sql, ' ');
	}
	buf_adds(sql, "FOREIGN KEY ");
	name_list(l->drv, f->columns, f->n_columns, NULL, sql);
	buf_adds(sql, " REFERENCES ");
	quote_table(l, sql, f->ref_schema, f->ref_table);
	buf_addc(sql, ' ');
	name_list(l->drv, f->ref_columns, f->n_columns, NULL, sql);
	/* the fixed spellings, never the package's text (ofb_schema_check refused others) */
	buf_addf(sql, " ON DELETE %s ON UPDATE %s", fk_action(f->on_delete),
		 fk_action(f->on_update));
}

/* Index and constraint names must be unique in the whole database on most engines, and
 * an engine's reserved names (SQLite's "sqlite_", from either side) cannot be used: such a
 * name gets the table's name in place of the reserved part. */
static char *unique_name(struct ofb_ddl *l, const char *table, const char *name)
{
	const struct ofb_driver *src = l->src_drv;
	const struct ofb_driver *reserving = ofb_drv_is_system_name(l->drv, name) ? l->drv
					     : src && ofb_drv_is_system_name(src, name) ? src
					     : NULL;
	char *n;
	int clash;

	if (!name || !*name)
		return NULL;
	n = reserving ? xasprintf("%s_%s", table, name + strlen(reserving->system_prefix))
		      : xstrdup(name);
	for (int i = 2;; i++) {
		clash = 0;
		for (size_t j = 0; j < l->n_names && !clash; j++)
			clash = ascii_casecmp(l->names_used[j], n) == 0;
		if (!clash)
			break;
		free(n);
		n = xasprintf("%s_%s_%d", table, name, i);
	}
	l->names_used = xrealloc(l->names_used, (l->n_names + 1) * sizeof *l->names_used);
	l->names_used[l->n_names++] = xstrdup(n);
	return n;
}

/* The engine's own CREATE statement is the most faithful where it has one. */
int ofb_ddl_native_table(const struct ofb_ddl *l, const struct ofb_table *t)
{
	return l->same_engine && t->native_ddl && l->drv->native_table_ddl;
}

void ofb_ddl_init(struct ofb_ddl *d, const struct ofb_driver *target, const struct ofb_schema *src)
{
	memset(d, 0, sizeof *d);
	d->drv = target;
	d->src = src;
	d->src_drv = src->engine ? ofb_driver_by_name(src->engine) : NULL;
	d->same_engine = src->engine && strcmp(src->engine, target->name) == 0;
}

void ofb_ddl_free(struct ofb_ddl *d)
{
	for (size_t i = 0; i < d->n_names; i++)
		free(d->names_used[i]);
	free(d->names_used);
	d->names_used = NULL;
	d->n_names = 0;
}

static struct ofb_ddl_stmt *add_stmt(struct ofb_ddl_stmt **v, size_t *n)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	memset(&(*v)[*n], 0, sizeof **v);
	return &(*v)[(*n)++];
}

void ofb_ddl_stmts_free(struct ofb_ddl_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].sql);
		free(v[i].warning);
	}
	free(v);
}

int ofb_ddl_is_computed(const struct ofb_ddl *l, const struct ofb_table *t,
			const struct ofb_column *c)
{
	return c->generated && (ofb_ddl_native_table(l, t) ||
				(l->same_engine && c->generation && l->drv->generated_ddl));
}

struct ofb_ddl_stmt *ofb_ddl_table_losses(struct ofb_ddl *l, const struct ofb_table *t,
					  size_t *n)
{
	const struct ofb_sql_dialect *d = ofb_drv_dialect(l->src_drv);
	struct ofb_ddl_stmt *v = NULL;
	int flagged = 0;

	*n = 0;
	if (ofb_ddl_native_table(l, t))
		return NULL;
	for (size_t i = 0; i < t->n_columns; i++)
		if (t->columns[i].generated && !ofb_ddl_is_computed(l, t, &t->columns[i])) {
			add_stmt(&v, n)->warning =
				xasprintf("column '%s' is computed by the source engine (generated); "
					  "here it is a plain column holding the values",
					  t->columns[i].name);
			flagged = 1;
		}
	if (l->same_engine)
		return v;
	{
		char **ok = NULL, **lost = NULL;
		size_t n_ok = 0, n_lost = 0;
		table_checks(l, t, &ok, &n_ok, &lost, &n_lost);
		for (size_t i = 0; i < t->n_columns; i++)
			column_checks(l, t, &t->columns[i], &ok, &n_ok, &lost, &n_lost);
		for (size_t i = 0; i < n_lost; i++) {
			struct buf shown;
			buf_init(&shown);
			ofb_add_shown(&shown, lost[i], strlen(lost[i]), 120);
			add_stmt(&v, n)->warning =
				xasprintf("CHECK (%s) is more than simple comparisons of its "
					  "columns and is not carried from %s", shown.data,
					  l->src_drv ? l->src_drv->name : "another engine");
			buf_free(&shown);
		}
		ofb_labels_free(ok);
		ofb_labels_free(lost);
	}
	if (!t->native_ddl)
		return v;
	if (!flagged && ofb_sql_mentions(d, t->native_ddl, "GENERATED"))
		add_stmt(&v, n)->warning =
			xasprintf("its generated columns are computed by %s and are not carried",
				  l->src_drv ? l->src_drv->name : "another engine");
	return v;
}

struct ofb_ddl_stmt ofb_ddl_create_table(struct ofb_ddl *l, const struct ofb_table *t,
					 int key_later)
{
	struct ofb_ddl_stmt st = { 0 };
	struct buf sql;
	int rowid = 0;

	if (ofb_ddl_native_table(l, t)) {
		st.sql = xstrdup(t->native_ddl);
		st.native = 1;
		st.kind = OFB_SQL_CREATE_TABLE;
		st.object = t->name;
		return st;
	}
	buf_init(&sql);
	buf_adds(&sql, "CREATE TABLE ");
	ofb_ddl_quote_table(l, &sql, t);
	buf_adds(&sql, " (\n  ");
	for (size_t i = 0; i < t->n_columns; i++) {
		if (i)
			buf_adds(&sql, ",\n  ");
		column_def(l, t, &t->columns[i], &sql);
		rowid |= rowid_key(l, t, &t->columns[i]);
	}
	if (t->primary_key && !rowid && !key_later) {
		buf_adds(&sql, ",\n  PRIMARY KEY ");
		name_list(l->drv, t->primary_key->columns, t->primary_key->n_columns, NULL, &sql);
	}
	for (size_t i = 0; l->drv->fk_inline && i < t->n_fkeys; i++) {
		buf_adds(&sql, ",\n  ");
		fk_clause(l, &t->fkeys[i], NULL, &sql);
	}
	{
		char **ok = NULL, **lost = NULL;
		size_t n_ok = 0, n_lost = 0;
		table_checks(l, t, &ok, &n_ok, &lost, &n_lost);
		add_checks(ok, &sql, ",\n  ");
		ofb_labels_free(ok);
		ofb_labels_free(lost);
	}
	buf_adds(&sql, "\n)");
	st.sql = buf_detach(&sql);
	return st;
}

struct ofb_ddl_stmt ofb_ddl_primary_key(struct ofb_ddl *l, const struct ofb_table *t)
{
	struct ofb_ddl_stmt st = { 0 };
	struct buf sql;

	buf_init(&sql);
	buf_adds(&sql, "ALTER TABLE ");
	ofb_ddl_quote_table(l, &sql, t);
	buf_adds(&sql, " ADD PRIMARY KEY ");
	name_list(l->drv, t->primary_key->columns, t->primary_key->n_columns, NULL, &sql);
	st.sql = buf_detach(&sql);
	return st;
}

struct ofb_ddl_stmt *ofb_ddl_indexes(struct ofb_ddl *l, const struct ofb_table *t, size_t *n)
{
	struct ofb_ddl_stmt *v = NULL;

	*n = 0;
	if (ofb_ddl_native_table(l, t) && l->drv->native_ddl_has_keys)
		return NULL;   /* the table's own DDL (SHOW CREATE TABLE) carried them */
	for (size_t i = 0; i < t->n_indexes; i++) {
		const struct ofb_key *k = &t->indexes[i];
		struct ofb_ddl_stmt *st;
		struct buf sql;
		char *name;
		/* the engine made these from the table's own DDL (SQLite's UNIQUE) already */
		if (ofb_ddl_native_table(l, t) && ofb_drv_is_system_name(l->drv, k->name))
			continue;
		st = add_stmt(&v, n);
		if (l->same_engine && k->native_ddl) {
			st->sql = xstrdup(k->native_ddl);
			st->native = 1;
			st->kind = OFB_SQL_CREATE_INDEX;
			st->object = k->name;
			continue;
		}
		if (k->not_portable) {
			/* an expression or a condition in another engine's SQL */
			st->warning = xasprintf("index '%s' is left out: it is on expressions or "
						"partial, which only the engine it came from "
						"understands", k->name);
			continue;
		}
		name = unique_name(l, t->name, k->name);
		buf_init(&sql);
		buf_adds(&sql, k->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
		ofb_drv_quote(l->drv, &sql, name);
		buf_adds(&sql, " ON ");
		ofb_ddl_quote_table(l, &sql, t);
		buf_addc(&sql, ' ');
		name_list(l->drv, k->columns, k->n_columns, k->descending, &sql);
		st->sql = buf_detach(&sql);
		free(name);
	}
	return v;
}

struct ofb_ddl_stmt *ofb_ddl_foreign_keys(struct ofb_ddl *l, const struct ofb_table *t,
					  size_t *n)
{
	struct ofb_ddl_stmt *v = NULL;

	*n = 0;
	if (l->drv->fk_inline || (ofb_ddl_native_table(l, t) && l->drv->native_ddl_has_keys))
		return NULL;
	for (size_t i = 0; i < t->n_fkeys; i++) {
		struct buf sql;
		char *name = unique_name(l, t->name, t->fkeys[i].name);
		buf_init(&sql);
		buf_adds(&sql, "ALTER TABLE ");
		ofb_ddl_quote_table(l, &sql, t);
		buf_adds(&sql, " ADD ");
		fk_clause(l, &t->fkeys[i], name, &sql);
		add_stmt(&v, n)->sql = buf_detach(&sql);
		free(name);
	}
	return v;
}

char **ofb_ddl_drop_tables(const struct ofb_driver *drv, char *const *names, size_t n,
			   size_t *n_stmts)
{
	size_t per_statement = drv->drop_one_table ? 1 : n;
	char **v = NULL;

	*n_stmts = 0;
	for (size_t i = 0; i < n; i += per_statement) {
		struct buf sql;
		buf_init(&sql);
		buf_adds(&sql, "DROP TABLE ");
		for (size_t k = i; k < i + per_statement && k < n; k++) {
			if (k > i)
				buf_adds(&sql, ", ");
			ofb_drv_quote(drv, &sql, names[k]);
		}
		v = xrealloc(v, (*n_stmts + 1) * sizeof *v);
		v[(*n_stmts)++] = buf_detach(&sql);
	}
	return v;
}

/* --- names one engine takes for one ---------------------------------------------------- */

struct named {
	const char *schema;   /* tables: compared exactly; columns: NULL */
	const char *name;
	char *made;           /* name, when made here (freed by the caller) */
};

static int cmp_schemas(const struct named *x, const struct named *y)
{
	int c = (x->schema ? 1 : 0) - (y->schema ? 1 : 0);

	return c == 0 && x->schema ? strcmp(x->schema, y->schema) : c;
}

static int cmp_named_fold(const void *a, const void *b)
{
	int c = cmp_schemas(a, b);

	return c ? c : ascii_casecmp(((const struct named *)a)->name,
				     ((const struct named *)b)->name);
}

static int cmp_named(const void *a, const void *b)
{
	int c = cmp_schemas(a, b);

	return c ? c : strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* The first two of the n names that are one (cmp), sorted in place; 0 when none are. */
static int clash(struct named *v, size_t n, int (*cmp)(const void *, const void *),
		 const struct named **a, const struct named **b)
{
	qsort(v, n, sizeof *v, cmp);
	for (size_t i = 1; i < n; i++)
		if (cmp(&v[i - 1], &v[i]) == 0) {
			*a = &v[i - 1];
			*b = &v[i];
			return 1;
		}
	return 0;
}

int ofb_ddl_refuse_clashes(const struct ofb_schema *s, const struct ofb_driver *drv,
			   const char *subject, struct ofb_error *err)
{
	int same = s->engine && drv && strcmp(s->engine, drv->name) == 0;
	int (*cmp)(const void *, const void *);
	const struct named *a, *b;
	size_t most = s->n_tables;
	struct named *v;
	int ret = 0;

	if (!drv)
		return 0;
	for (size_t i = 0; i < s->n_tables; i++)
		if (s->tables[i].n_columns > most)
			most = s->tables[i].n_columns;
	v = xcalloc(most + 1, sizeof *v);
	/* each table by the name it gets there (quote_table) */
	for (size_t i = 0; i < s->n_tables; i++) {
		const struct ofb_table *t = &s->tables[i];
		v[i] = (struct named){ same ? t->schema : NULL, t->name, NULL };
		if (t->schema && !same)
			v[i].name = v[i].made = flat_name(t->schema, t->name);
	}
	cmp = drv->fold_table_names ? cmp_named_fold : cmp_named;
	if (clash(v, s->n_tables, cmp, &a, &b)) {
		ofb_error_set(err, "%s: tables '%s' and '%s' would be one table in %s%s; nothing "
			      "was changed (rename one of them in the source, or restore into an "
			      "engine that keeps them apart)", subject, a->name, b->name, drv->name,
			      drv->fold_table_names ? ", whose table names ignore case" : "");
		ret = -1;
	}
	for (size_t i = 0; i < s->n_tables; i++)
		free(v[i].made);
	for (size_t i = 0; i < s->n_tables && drv->fold_column_names && ret == 0; i++) {
		const struct ofb_table *t = &s->tables[i];
		for (size_t c = 0; c < t->n_columns; c++)
			v[c] = (struct named){ NULL, t->columns[c].name, NULL };
		if (clash(v, t->n_columns, cmp_named_fold, &a, &b)) {
			ofb_error_set(err, "%s: table '%s' has columns '%s' and '%s', which would be "
				      "one column in %s, whose column names ignore case; nothing was "
				      "changed (rename one of them in the source, or restore into an "
				      "engine that keeps them apart)", subject, t->name, a->name,
				      b->name, drv->name);
			ret = -1;
		}
	}
	free(v);
	return ret;
}
