/* schema_check.c - a schema as a restore would use it, checked field by field: names,
 * the column lists of keys, and every piece of SQL text (sqlcheck.h). One walk serves
 * verify and restore (a failure is an error naming table and field) and the backup (what
 * would fail is taken out, with a warning, so that every package written verifies). */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "names.h"
#include "schema.h"
#include "sqlcheck.h"
#include "util.h"

#define MAX_NAME 1024

struct walk {
	const struct ofb_sql_dialect *d;
	int vet;                 /* backup: take out and warn instead of failing */
	char **warnings;
	size_t n_warnings;
	struct ofb_error *err;
	int failed;
	char **routines;         /* names of the schema's routines, NULL-terminated */
};

/* One finding: an error (stops the walk) or, when vetting, a warning. */
static void finding(struct walk *w, const struct ofb_table *t, const char *field,
		    const char *what, const char *why)
{
	if (w->vet) {
		w->warnings = xrealloc(w->warnings, (w->n_warnings + 1) * sizeof *w->warnings);
		w->warnings[w->n_warnings++] =
			xasprintf("table '%s', %s: %s %s", t->name, field, why, what);
		return;
	}
	if (!w->failed)
		ofb_error_set(w->err, "table '%s', %s: %s", t ? t->name : "?", field,
			      why);
	w->failed = 1;
}

static const char *bad_name(const char *name)
{
	if (!name || !*name)
		return "is empty";
	if (strlen(name) > MAX_NAME)
		return "is longer than 1024 bytes";
	if (!utf8_valid(name, strlen(name)))
		return "is not UTF-8";
	return NULL;
}

static int has_column(const struct ofb_table *t, const char *name)
{
	for (size_t i = 0; name && i < t->n_columns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return 1;
	return 0;
}

/* Every column a key lists must be a column of its table (an index on expressions may
 * list none by name: its native DDL says what it is on). */
static void check_key_columns(struct walk *w, const struct ofb_table *t, const char *field,
			      char *const *cols, size_t n, int may_be_null)
{
	for (size_t i = 0; i < n && !w->failed; i++) {
		char *why;
		if (!cols[i] && may_be_null)
			continue;
		if (has_column(t, cols[i]))
			continue;
		why = cols[i] ? xasprintf("lists column '%s', which the table does not have",
					  cols[i])
			      : xstrdup("lists a column without a name");
		finding(w, t, field, "", why);
		free(why);
	}
}

static void check_sql(struct walk *w, const struct ofb_table *t, const char *field,
		      char **text, int rc, char *why, const char *consequence)
{
	struct buf shown;
	char *msg;

	if (rc == 0)
		return;
	/* a table's whole DDL would swamp the message (and the manifest's warnings) */
	buf_init(&shown);
	ofb_add_shown(&shown, *text, strlen(*text), 120);
	msg = xasprintf("'%s' is not SQL ofbackup runs from a package (%s)", shown.data, why);
	buf_free(&shown);
	finding(w, t, field, consequence, msg);
	free(msg);
	free(why);
	if (w->vet) {
		free(*text);
		*text = NULL;
	}
}

static void check_column(struct walk *w, const struct ofb_table *t, struct ofb_column *c,
			 size_t i)
{
	char *field = xasprintf("column '%s'", c->name ? c->name : "?"), *why = NULL;
	const char *bad = bad_name(c->name);

	if (bad) {
		finding(w, t, field, "", bad);
		goto out;
	}
	for (size_t j = 0; j < i; j++)
		if (strcmp(t->columns[j].name, c->name) == 0) {
			finding(w, t, field, "", "appears twice");
			goto out;
		}
	free(field);
	field = xasprintf("column '%s', native_type", c->name);
	if (c->native_type && *c->native_type) {
		int rc = ofb_sql_check_type(w->d, c->native_type, &why);
		check_sql(w, t, field, &c->native_type, rc, why,
			  "(a restore uses its portable type)");
		if (!c->native_type)
			c->native_type = xstrdup("");
	}
	free(field);
	if (c->generation) {
		field = xasprintf("column '%s', generation", c->name);
		if (!c->generated) {
			finding(w, t, field, "", "is given for a column that is not generated");
		} else {
			int rc = ofb_sql_check_expression(w->d, c->generation, &why);
			check_sql(w, t, field, &c->generation, rc, why,
				  "(a restore makes a plain column holding its values)");
		}
		free(field);
		if (w->failed)
			return;
	}
	field = xasprintf("column '%s', default", c->name);
	if (c->default_value) {
		int rc = ofb_sql_check_default_in(w->d, c->default_value,
						  (const char *const *)w->routines, &why);
		check_sql(w, t, field, &c->default_value, rc, why,
			  "(left out: a restore that does not replay the table's own DDL makes "
			  "the column without it)");
	}
out:
	free(field);
}

static void check_table(struct walk *w, struct ofb_table *t)
{
	const char *bad = bad_name(t->name);
	char *why = NULL;

	if (bad) {
		finding(w, t, "name", "", bad);
		return;
	}
	if (t->schema && (bad = bad_name(t->schema)) != NULL) {
		finding(w, t, "schema", "", bad);
		return;
	}
	for (size_t i = 0; i < t->n_columns && !w->failed; i++)
		check_column(w, t, &t->columns[i], i);
	if (t->primary_key && !w->failed)
		check_key_columns(w, t, "primary_key", t->primary_key->columns,
				  t->primary_key->n_columns, 0);
	for (size_t i = 0; i < t->n_indexes && !w->failed; i++) {
		struct ofb_key *k = &t->indexes[i];
		char *field = xasprintf("index '%s'", k->name ? k->name : "?");
		bad = bad_name(k->name);
		if (bad)
			finding(w, t, field, "", bad);
		else
			check_key_columns(w, t, field, k->columns, k->n_columns,
					  k->not_portable || k->native_ddl);
		if (!w->failed && k->native_ddl) {
			char *f = xasprintf("index '%s', native_ddl", k->name);
			int rc = ofb_sql_check_native(w->d, OFB_SQL_CREATE_INDEX, k->name, t->name,
						      k->native_ddl, &why);
			check_sql(w, t, f, &k->native_ddl, rc, why,
				  k->not_portable ? "(the index is left out of the backup)"
						  : "(a restore makes it from its columns)");
			free(f);
		}
		free(field);
	}
	for (size_t i = 0; i < t->n_fkeys && !w->failed; i++) {
		struct ofb_fkey *f = &t->fkeys[i];
		char *field = xasprintf("foreign key '%s'", f->name ? f->name : "?");
		check_key_columns(w, t, field, f->columns, f->n_columns, 0);
		if (!w->failed && ((bad = bad_name(f->ref_table)) != NULL ||
				   (f->ref_schema && bad_name(f->ref_schema))))
			finding(w, t, field, "", "references a table whose name is empty or not UTF-8");
		for (size_t j = 0; j < f->n_columns && !w->failed; j++)
			if (bad_name(f->ref_columns[j]))
				finding(w, t, field, "", "references a column without a usable name");
		if (!w->failed && (!ofb_sql_fk_action(f->on_update) ||
				   !ofb_sql_fk_action(f->on_delete)))
			finding(w, t, field, "", "has an action other than CASCADE, RESTRICT, "
				"SET NULL, SET DEFAULT or NO ACTION");
		free(field);
	}
	if (!w->failed && t->identity_column && !has_column(t, t->identity_column))
		finding(w, t, "identity", "", "names a column the table does not have");
	if (!w->failed && t->native_ddl) {
		int rc = ofb_sql_check_native(w->d, OFB_SQL_CREATE_TABLE, t->name, NULL,
					      t->native_ddl, &why);
		check_sql(w, t, "native_ddl", &t->native_ddl, rc, why,
			  "(a restore makes the table from its columns)");
	}
}

/* A finding about an object: an error, or when vetting a warning, and the object is
 * taken out (*drop). */
static void object_finding(struct walk *w, const struct ofb_object *o, const char *why,
			   int *drop)
{
	const char *kind = ofb_object_kind_name(o->kind), *name = o->name ? o->name : "?";

	if (w->vet) {
		w->warnings = xrealloc(w->warnings, (w->n_warnings + 1) * sizeof *w->warnings);
		w->warnings[w->n_warnings++] =
			xasprintf("%s '%s' is left out of the backup: %s", kind, name, why);
		*drop = 1;
		return;
	}
	if (!w->failed)
		ofb_error_set(w->err, "%s '%s': %s", kind, name, why);
	w->failed = 1;
}

static int same_schema(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A table or view of schema (NULL: the default one) and name. */
static int names_relation(struct ofb_schema *s, const char *schema, const char *name)
{
	if (ofb_schema_find_in(s, schema, name))
		return 1;
	for (size_t i = 0; name && i < s->n_objects; i++)
		if ((s->objects[i].kind == OFB_OBJ_VIEW || s->objects[i].kind == OFB_OBJ_MATVIEW) &&
		    strcmp(s->objects[i].name, name) == 0 && same_schema(s->objects[i].schema, schema))
			return 1;
	return 0;
}

/* 1 when o is to be taken out (vetting). */
static int check_object(struct walk *w, struct ofb_schema *s, struct ofb_object *o)
{
	const char *bad = bad_name(o->name);
	int needs_table = o->kind == OFB_OBJ_TRIGGER || o->kind == OFB_OBJ_CONSTRAINT ||
			  o->kind == OFB_OBJ_COMMENT;
	int drop = 0;
	char *why = NULL, *name;

	if (bad) {
		char *text = xasprintf("its name %s", bad);
		object_finding(w, o, text, &drop);
		free(text);
		return drop;
	}
	if (o->schema && bad_name(o->schema)) {
		object_finding(w, o, "its schema has no usable name", &drop);
		return drop;
	}
	if (needs_table != (o->table != NULL) ||
	    (o->table && !names_relation(s, o->schema, o->table))) {
		object_finding(w, o, needs_table ? "it names no table of this database"
						 : "only triggers, constraints and comments belong to "
						   "a table",
			       &drop);
		return drop;
	}
	for (size_t i = 0; i < o->n_depends; i++)
		if (bad_name(o->depends[i].name) ||
		    (o->depends[i].schema && bad_name(o->depends[i].schema))) {
			object_finding(w, o, "it depends on an object without a usable name", &drop);
			return drop;
		}
	if (o->has_state != (o->kind == OFB_OBJ_SEQUENCE)) {
		object_finding(w, o, "only a sequence has a sequence's state", &drop);
		return drop;
	}
	name = ofb_object_ddl_name(o);
	if (ofb_sql_check_native(w->d, ofb_object_sql_kind(o), name, o->table, o->native_ddl,
				 &why) != 0) {
		char *text = xasprintf("its native_ddl is refused: %s", why);
		object_finding(w, o, text, &drop);
		free(text);
	}
	free(why);
	free(name);
	return drop;
}

static void walk_objects(struct walk *w, struct ofb_schema *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->n_objects && !w->failed; i++) {
		if (check_object(w, s, &s->objects[i])) {
			ofb_object_free(&s->objects[i]);
			continue;
		}
		s->objects[kept++] = s->objects[i];
	}
	if (!w->failed)
		s->n_objects = kept;
}

static void walk_schema(struct walk *w, struct ofb_schema *s)
{
	const struct ofb_driver *drv = s->engine ? ofb_driver_by_name(s->engine) : NULL;

	w->d = ofb_drv_dialect(drv);
	/* the objects first: what a default may call is a routine that stays */
	walk_objects(w, s);
	w->routines = xcalloc(s->n_objects + 1, sizeof *w->routines);
	for (size_t i = 0, n = 0; i < s->n_objects; i++)
		if (s->objects[i].kind == OFB_OBJ_FUNCTION)
			w->routines[n++] = ofb_object_ddl_name(&s->objects[i]);
	/* a table described twice is verify's to report, against the manifest */
	for (size_t i = 0; i < s->n_tables && !w->failed; i++)
		check_table(w, &s->tables[i]);
	for (size_t i = 0; w->routines[i]; i++)
		free(w->routines[i]);
	free(w->routines);
	w->routines = NULL;
}

int ofb_schema_check(struct ofb_schema *s, struct ofb_error *err)
{
	struct walk w = { .err = err };

	walk_schema(&w, s);
	return w.failed ? -1 : 0;
}

void ofb_schema_vet(struct ofb_schema *s, char ***warnings, size_t *n)
{
	struct walk w = { .vet = 1 };

	walk_schema(&w, s);
	*warnings = w.warnings;
	*n = w.n_warnings;
}
