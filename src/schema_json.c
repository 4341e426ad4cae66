/* schema_json.c - schema.json (docs/FORMAT.md) both ways: a struct ofb_schema as text, and
 * text back into one, checked (schema_json.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "schema_json.h"
#include "schema.h"
#include "util.h"

/* Every reading function gets the place of its object ("tables[2] ('order').columns[1]")
 * so an error names the field the way a person finds it in the file. */

static int bad_field(struct ofb_error *err, const char *where, const char *key,
		     const char *what)
{
	ofb_error_set(err, "%s%s'%s' is missing or not %s", where,
		      where[0] ? ": " : "", key, what);
	return -1;
}

static int get_string(json_t *o, const char *where, const char *key, char **out,
		      struct ofb_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return bad_field(err, where, key, "a string");
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* A string or null; the key must be there (the writer always writes it). */
static int get_string_or_null(json_t *o, const char *where, const char *key, char **out,
			      struct ofb_error *err)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	return get_string(o, where, key, out, err);
}

static int get_bool(json_t *o, const char *where, const char *key, int *out,
		    struct ofb_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		return bad_field(err, where, key, "true or false");
	*out = json_is_true(v);
	return 0;
}

static int get_integer(json_t *o, const char *where, const char *key, long long min,
		       long long max, long long *out, struct ofb_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return bad_field(err, where, key, "an integer in range");
	*out = (long long)json_integer_value(v);
	return 0;
}

static int get_int(json_t *o, const char *where, const char *key, int *out,
		   struct ofb_error *err)
{
	long long v = 0;

	if (get_integer(o, where, key, INT_MIN, INT_MAX, &v, err) != 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int get_array(json_t *o, const char *where, const char *key, json_t **out,
		     struct ofb_error *err)
{
	*out = json_object_get(o, key);
	if (!json_is_array(*out))
		return bad_field(err, where, key, "an array");
	return 0;
}

/* A list of column names; null members are kept as NULL, as the writer writes them. */
static int get_names(json_t *o, const char *where, const char *key, char ***out, size_t *n,
		     struct ofb_error *err)
{
	json_t *a, *v;
	size_t i;

	if (get_array(o, where, key, &a, err) != 0)
		return -1;
	*n = json_array_size(a);
	*out = xcalloc(*n, sizeof **out);
	json_array_foreach(a, i, v) {
		if (json_is_null(v))
			continue;
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
			ofb_error_set(err, "%s: '%s'[%zu] is not a string or null",
				      where, key, i);
			return -1;
		}
		(*out)[i] = xstrdup(json_string_value(v));
	}
	return 0;
}

static int read_key(json_t *o, const char *where, int is_index, struct ofb_key *k,
		    struct ofb_error *err)
{
	json_t *desc, *v;
	size_t i;

	if (!json_is_object(o)) {
		ofb_error_set(err, "%s is not an object", where);
		return -1;
	}
	if (get_string_or_null(o, where, "name", &k->name, err) != 0 ||
	    get_names(o, where, "columns", &k->columns, &k->n_columns, err) != 0)
		return -1;
	if (!is_index) {
		k->unique = 1;   /* a primary key; the writer leaves out what is implied */
		return 0;
	}
	if (get_bool(o, where, "unique", &k->unique, err) != 0 ||
	    get_array(o, where, "descending", &desc, err) != 0)
		return -1;
	if (json_array_size(desc) != k->n_columns) {
		ofb_error_set(err, "%s: 'descending' has %zu members for %zu columns",
			      where, json_array_size(desc), k->n_columns);
		return -1;
	}
	k->descending = xcalloc(k->n_columns, sizeof *k->descending);
	json_array_foreach(desc, i, v) {
		if (!json_is_boolean(v)) {
			ofb_error_set(err, "%s: 'descending'[%zu] is not true or false",
				      where, i);
			return -1;
		}
		k->descending[i] = json_is_true(v);
	}
	/* both optional: packages before them describe portable indexes only */
	if (json_object_get(o, "native_ddl") &&
	    get_string_or_null(o, where, "native_ddl", &k->native_ddl, err) != 0)
		return -1;
	v = json_object_get(o, "portable");
	if (v && !json_is_boolean(v)) {
		ofb_error_set(err, "%s: 'portable' is not true or false", where);
		return -1;
	}
	k->not_portable = v && json_is_false(v);
	return 0;
}

static int read_fkey(json_t *o, const char *where, struct ofb_fkey *f, struct ofb_error *err)
{
	char **ref = NULL;
	size_t n_ref = 0;
	int ret = -1;

	if (!json_is_object(o)) {
		ofb_error_set(err, "%s is not an object", where);
		goto out;
	}
	if (get_string(o, where, "name", &f->name, err) != 0 ||
	    get_names(o, where, "columns", &f->columns, &f->n_columns, err) != 0)
		goto out;
	/* ofb_table_free walks both lists by n_columns, also after a failure here */
	f->ref_columns = xcalloc(f->n_columns, sizeof *f->ref_columns);
	if ((json_object_get(o, "ref_schema") &&
	     get_string(o, where, "ref_schema", &f->ref_schema, err) != 0) ||
	    get_string(o, where, "ref_table", &f->ref_table, err) != 0 ||
	    get_names(o, where, "ref_columns", &ref, &n_ref, err) != 0)
		goto out;
	if (n_ref != f->n_columns) {
		ofb_error_set(err, "%s: %zu 'columns' but %zu 'ref_columns'", where,
			      f->n_columns, n_ref);
		goto out;
	}
	free(f->ref_columns);
	f->ref_columns = ref;
	ref = NULL;
	if (get_string(o, where, "on_update", &f->on_update, err) != 0 ||
	    get_string(o, where, "on_delete", &f->on_delete, err) != 0)
		goto out;
	ret = 0;
out:
	if (ref) {
		for (size_t i = 0; i < n_ref; i++)
			free(ref[i]);
		free(ref);
	}
	return ret;
}

static int read_column(json_t *o, const char *where, struct ofb_column *c,
		       struct ofb_error *err)
{
	char *type = NULL;
	long long v = 0;
	int ret = -1;

	if (!json_is_object(o)) {
		ofb_error_set(err, "%s is not an object", where);
		goto out;
	}
	if (get_string(o, where, "name", &c->name, err) != 0 ||
	    get_string(o, where, "type", &type, err) != 0)
		goto out;
	if (ofb_ptype_parse(type, &c->type) != 0) {
		ofb_error_set(err, "%s: 'type' '%s' is not a portable type", where,
			      type);
		goto out;
	}
	/* The qualifying attributes the writer puts for each type, and only those. */
	switch (c->type) {
	case OFB_T_DECIMAL:
		if (get_int(o, where, "precision", &c->precision, err) != 0 ||
		    get_int(o, where, "scale", &c->scale, err) != 0)
			goto out;
		break;
	case OFB_T_CHAR:
	case OFB_T_VARCHAR:
	case OFB_T_BINARY:
	case OFB_T_VARBINARY:
		if (get_integer(o, where, "length", LONG_MIN, LONG_MAX, &v, err) != 0)
			goto out;
		c->length = (long)v;
		break;
	case OFB_T_TIME:
	case OFB_T_TIMESTAMP:
	case OFB_T_TIMESTAMPTZ:
		if (get_int(o, where, "scale", &c->scale, err) != 0)
			goto out;
		break;
	default:
		break;
	}
	if (get_string(o, where, "native_type", &c->native_type, err) != 0 ||
	    get_int(o, where, "sql_type", &c->sql_type, err) != 0 ||
	    get_bool(o, where, "nullable", &c->nullable, err) != 0 ||
	    get_string_or_null(o, where, "default", &c->default_value, err) != 0 ||
	    get_bool(o, where, "identity", &c->identity, err) != 0)
		goto out;
	/* optional: packages before it tracked one identity per table only */
	if (json_object_get(o, "identity_next") &&
	    get_integer(o, where, "identity_next", 0, INT64_MAX, &c->identity_next, err) != 0)
		goto out;
	/* optional: written when true (format version 2 on) */
	if (json_object_get(o, "generated") &&
	    get_bool(o, where, "generated", &c->generated, err) != 0)
		goto out;
	if (json_object_get(o, "generation") &&
	    get_string(o, where, "generation", &c->generation, err) != 0)
		goto out;
	ret = 0;
out:
	free(type);
	return ret;
}

static int read_identity(json_t *o, const char *where, struct ofb_table *t,
			 struct ofb_error *err)
{
	json_t *id = json_object_get(o, "identity");
	char *id_where = NULL;
	long long next = 0;
	int ret = -1;

	if (json_is_null(id)) {
		ret = 0;
		goto out;
	}
	if (!json_is_object(id)) {
		bad_field(err, where, "identity", "an object or null");
		goto out;
	}
	id_where = xasprintf("%s.identity", where);
	if (get_string(id, id_where, "column", &t->identity_column, err) != 0 ||
	    get_integer(id, id_where, "next", LLONG_MIN, LLONG_MAX, &next, err) != 0)
		goto out;
	t->identity_next = next;
	ret = 0;
out:
	free(id_where);
	return ret;
}

static int read_table(json_t *o, const char *where, struct ofb_table *t, struct ofb_error *err)
{
	json_t *cols, *idx, *fks, *pk, *v;
	char *sub = NULL;
	size_t i;
	int ret = -1;

	if (!json_is_object(o)) {
		ofb_error_set(err, "%s is not an object", where);
		goto out;
	}
	if (get_string(o, where, "name", &t->name, err) != 0 ||
	    (json_object_get(o, "schema") &&
	     get_string(o, where, "schema", &t->schema, err) != 0) ||
	    get_string_or_null(o, where, "entry", &t->entry, err) != 0 ||
	    get_array(o, where, "columns", &cols, err) != 0)
		goto out;
	t->columns = xcalloc(json_array_size(cols), sizeof *t->columns);
	json_array_foreach(cols, i, v) {
		free(sub);
		sub = xasprintf("%s.columns[%zu]", where, i);
		t->n_columns = i + 1;
		if (read_column(v, sub, &t->columns[i], err) != 0)
			goto out;
	}
	pk = json_object_get(o, "primary_key");
	if (!json_is_null(pk)) {
		if (!json_is_object(pk)) {
			bad_field(err, where, "primary_key", "an object or null");
			goto out;
		}
		free(sub);
		sub = xasprintf("%s.primary_key", where);
		t->primary_key = xcalloc(1, sizeof *t->primary_key);
		if (read_key(pk, sub, 0, t->primary_key, err) != 0)
			goto out;
	}
	if (get_array(o, where, "indexes", &idx, err) != 0)
		goto out;
	t->indexes = xcalloc(json_array_size(idx), sizeof *t->indexes);
	json_array_foreach(idx, i, v) {
		free(sub);
		sub = xasprintf("%s.indexes[%zu]", where, i);
		t->n_indexes = i + 1;
		if (read_key(v, sub, 1, &t->indexes[i], err) != 0)
			goto out;
	}
	if (get_array(o, where, "foreign_keys", &fks, err) != 0)
		goto out;
	t->fkeys = xcalloc(json_array_size(fks), sizeof *t->fkeys);
	json_array_foreach(fks, i, v) {
		free(sub);
		sub = xasprintf("%s.foreign_keys[%zu]", where, i);
		t->n_fkeys = i + 1;
		if (read_fkey(v, sub, &t->fkeys[i], err) != 0)
			goto out;
	}
	if (read_identity(o, where, t, err) != 0 ||
	    get_string_or_null(o, where, "native_ddl", &t->native_ddl, err) != 0)
		goto out;
	ret = 0;
out:
	free(sub);
	return ret;
}

static int get_kind(json_t *o, const char *where, const char *key, enum ofb_obj_kind *k,
		    struct ofb_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || ofb_object_kind_parse(json_string_value(v), k) != 0)
		return bad_field(err, where, key, "a kind of object FORMAT.md names");
	return 0;
}

static int read_object(json_t *o, const char *where, struct ofb_object *ob,
		       struct ofb_error *err)
{
	json_t *deps, *v, *seq;
	size_t i;

	if (!json_is_object(o)) {
		ofb_error_set(err, "%s: not an object", where);
		return -1;
	}
	if (get_kind(o, where, "kind", &ob->kind, err) != 0 ||
	    get_string(o, where, "name", &ob->name, err) != 0 ||
	    (json_object_get(o, "schema") &&
	     get_string(o, where, "schema", &ob->schema, err) != 0) ||
	    get_string_or_null(o, where, "table", &ob->table, err) != 0 ||
	    get_string(o, where, "native_ddl", &ob->native_ddl, err) != 0 ||
	    get_bool(o, where, "depends_on_tables", &ob->depends_on_tables, err) != 0 ||
	    get_array(o, where, "depends", &deps, err) != 0)
		return -1;
	ob->depends = xcalloc(json_array_size(deps), sizeof *ob->depends);
	json_array_foreach(deps, i, v) {
		char *sub = xasprintf("%s.depends[%zu]", where, i);
		int rc = !json_is_object(v) ? bad_field(err, where, "depends", "a list of objects")
			 : get_kind(v, sub, "kind", &ob->depends[i].kind, err) != 0 ||
			   get_string(v, sub, "name", &ob->depends[i].name, err) != 0 ||
			   (json_object_get(v, "schema") &&
			    get_string(v, sub, "schema", &ob->depends[i].schema, err) != 0) ? -1 : 0;
		free(sub);
		ob->n_depends = i + 1;
		if (rc != 0)
			return -1;
	}
	seq = json_object_get(o, "sequence");
	if (seq && !json_is_null(seq)) {
		char *sub = xasprintf("%s.sequence", where);
		int rc = get_integer(seq, sub, "last_value", LLONG_MIN, LLONG_MAX,
				     &ob->last_value, err) != 0 ||
			 get_bool(seq, sub, "is_called", &ob->is_called, err) != 0 ? -1 : 0;
		free(sub);
		if (rc != 0)
			return -1;
		ob->has_state = 1;
	}
	return 0;
}

/* Objects besides tables (format version 2 on); a package of version 1 has none. */
static int read_objects(json_t *root, struct ofb_schema *out, struct ofb_error *err)
{
	json_t *objects = json_object_get(root, "objects"), *v;
	char *where = NULL;
	size_t i;
	int ret = 0;

	if (!objects)
		return 0;
	if (get_array(root, "", "objects", &objects, err) != 0)
		return -1;
	out->objects = xcalloc(json_array_size(objects), sizeof *out->objects);
	json_array_foreach(objects, i, v) {
		json_t *name = json_object_get(v, "name");
		free(where);
		where = json_is_string(name)
				? xasprintf("objects[%zu] ('%s')", i, json_string_value(name))
				: xasprintf("objects[%zu]", i);
		out->n_objects = i + 1;
		if (read_object(v, where, &out->objects[i], err) != 0) {
			ret = -1;
			break;
		}
	}
	free(where);
	return ret;
}

int ofb_schema_from_json(const char *text, struct ofb_schema *out, struct ofb_error *err)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr), *tables, *v;
	char *where = NULL;
	size_t i;
	int ret = -1;

	memset(out, 0, sizeof *out);
	if (!root) {
		ofb_error_set(err, "not valid JSON (line %d: %s)", jerr.line,
			      jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		ofb_error_set(err, "not a JSON object");
		goto out;
	}
	if (get_string(root, "", "engine", &out->engine, err) != 0 ||
	    get_string(root, "", "dbms_name", &out->dbms_name, err) != 0 ||
	    get_string(root, "", "dbms_version", &out->dbms_version, err) != 0 ||
	    get_string_or_null(root, "", "database", &out->database, err) != 0 ||
	    get_array(root, "", "tables", &tables, err) != 0)
		goto out;
	out->tables = xcalloc(json_array_size(tables), sizeof *out->tables);
	json_array_foreach(tables, i, v) {
		json_t *name = json_object_get(v, "name");
		free(where);
		where = json_is_string(name)
				? xasprintf("tables[%zu] ('%s')", i, json_string_value(name))
				: xasprintf("tables[%zu]", i);
		out->n_tables = i + 1;
		if (read_table(v, where, &out->tables[i], err) != 0)
			goto out;
	}
	if (read_objects(root, out, err) != 0 || ofb_schema_check(out, err) != 0)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		ofb_schema_free(out);
	free(where);
	json_decref(root);
	return ret;
}

/* --- schema.json ----------------------------------------------------------------------- */

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_names(char *const *names, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_str_or_null(names[i]));
	return a;
}

static json_t *key_json(const struct ofb_key *k, int with_unique)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_str_or_null(k->name));
	if (with_unique)
		json_object_set_new(o, "unique", json_boolean(k->unique));
	json_object_set_new(o, "columns", json_names(k->columns, k->n_columns));
	if (with_unique) {
		json_t *d = json_array();
		for (size_t i = 0; i < k->n_columns; i++)
			json_array_append_new(d, json_boolean(k->descending && k->descending[i]));
		json_object_set_new(o, "descending", d);
		if (k->native_ddl)
			json_object_set_new(o, "native_ddl", json_string(k->native_ddl));
		if (k->not_portable)
			json_object_set_new(o, "portable", json_false());
	}
	return o;
}

static json_t *column_json(const struct ofb_column *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "type", json_string(ofb_ptype_name(c->type)));
	switch (c->type) {
	case OFB_T_DECIMAL:
		json_object_set_new(o, "precision", json_integer(c->precision));
		json_object_set_new(o, "scale", json_integer(c->scale));
		break;
	case OFB_T_CHAR:
	case OFB_T_VARCHAR:
	case OFB_T_BINARY:
	case OFB_T_VARBINARY:
		json_object_set_new(o, "length", json_integer(c->length));
		break;
	case OFB_T_TIME:
	case OFB_T_TIMESTAMP:
	case OFB_T_TIMESTAMPTZ:
		json_object_set_new(o, "scale", json_integer(c->scale));
		break;
	default:
		break;
	}
	json_object_set_new(o, "native_type", json_string(c->native_type));
	json_object_set_new(o, "sql_type", json_integer(c->sql_type));
	json_object_set_new(o, "nullable", json_boolean(c->nullable));
	json_object_set_new(o, "default", json_str_or_null(c->default_value));
	json_object_set_new(o, "identity", json_boolean(c->identity));
	if (c->identity && c->identity_next > 0)
		json_object_set_new(o, "identity_next", json_integer(c->identity_next));
	if (c->generated)
		json_object_set_new(o, "generated", json_true());
	if (c->generation)
		json_object_set_new(o, "generation", json_string(c->generation));
	return o;
}

static json_t *table_json(const struct ofb_table *t)
{
	json_t *o = json_object(), *cols = json_array(), *idx = json_array(), *fks = json_array();

	json_object_set_new(o, "name", json_string(t->name));
	if (t->schema)
		json_object_set_new(o, "schema", json_string(t->schema));
	json_object_set_new(o, "entry", json_str_or_null(t->entry));
	for (size_t i = 0; i < t->n_columns; i++)
		json_array_append_new(cols, column_json(&t->columns[i]));
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "primary_key",
			    t->primary_key ? key_json(t->primary_key, 0) : json_null());
	for (size_t i = 0; i < t->n_indexes; i++)
		json_array_append_new(idx, key_json(&t->indexes[i], 1));
	json_object_set_new(o, "indexes", idx);
	for (size_t i = 0; i < t->n_fkeys; i++) {
		const struct ofb_fkey *f = &t->fkeys[i];
		json_t *fo = json_object();
		json_object_set_new(fo, "name", json_string(f->name));
		json_object_set_new(fo, "columns", json_names(f->columns, f->n_columns));
		json_object_set_new(fo, "ref_table", json_string(f->ref_table));
		if (f->ref_schema)
			json_object_set_new(fo, "ref_schema", json_string(f->ref_schema));
		json_object_set_new(fo, "ref_columns", json_names(f->ref_columns, f->n_columns));
		json_object_set_new(fo, "on_update", json_string(f->on_update));
		json_object_set_new(fo, "on_delete", json_string(f->on_delete));
		json_array_append_new(fks, fo);
	}
	json_object_set_new(o, "foreign_keys", fks);
	if (t->identity_column) {
		json_t *id = json_object();
		json_object_set_new(id, "column", json_string(t->identity_column));
		json_object_set_new(id, "next", json_integer(t->identity_next));
		json_object_set_new(o, "identity", id);
	} else {
		json_object_set_new(o, "identity", json_null());
	}
	json_object_set_new(o, "native_ddl", json_str_or_null(t->native_ddl));
	return o;
}

static json_t *object_json(const struct ofb_object *ob)
{
	json_t *o = json_object(), *deps = json_array();

	json_object_set_new(o, "kind", json_string(ofb_object_kind_name(ob->kind)));
	json_object_set_new(o, "name", json_string(ob->name));
	if (ob->schema)
		json_object_set_new(o, "schema", json_string(ob->schema));
	json_object_set_new(o, "table", json_str_or_null(ob->table));
	json_object_set_new(o, "native_ddl", json_string(ob->native_ddl));
	for (size_t i = 0; i < ob->n_depends; i++) {
		json_t *d = json_object();
		json_object_set_new(d, "kind",
				    json_string(ofb_object_kind_name(ob->depends[i].kind)));
		json_object_set_new(d, "name", json_string(ob->depends[i].name));
		if (ob->depends[i].schema)
			json_object_set_new(d, "schema", json_string(ob->depends[i].schema));
		json_array_append_new(deps, d);
	}
	json_object_set_new(o, "depends", deps);
	json_object_set_new(o, "depends_on_tables", json_boolean(ob->depends_on_tables));
	if (ob->has_state) {
		json_t *seq = json_object();
		json_object_set_new(seq, "last_value", json_integer(ob->last_value));
		json_object_set_new(seq, "is_called", json_boolean(ob->is_called));
		json_object_set_new(o, "sequence", seq);
	}
	return o;
}

/* v's JSON text appended to out, as it stands at depth levels of an enclosing text
 * (every line after its first indented so much more); -1 when it cannot be encoded. v is
 * released. */
static int add_dump(struct buf *out, json_t *v, int depth)
{
	char *text = v ? json_dumps(v, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)
		       : NULL;

	json_decref(v);
	if (!text)
		return -1;
	/* the text's only line breaks are its own: a string's are escaped */
	for (const char *p = text; *p; p++) {
		buf_addc(out, *p);
		if (*p == '\n')
			for (int i = 0; i < depth; i++)
				buf_addc(out, ' ');
	}
	free(text);
	return 0;
}

/* The parts are what one json_dumps of the whole schema (JSON_INDENT(1)) gives. */
int ofb_schema_json_part(const struct ofb_schema *s, size_t part, struct buf *out)
{
	if (part == 0) {
		json_t *o = json_object();
		json_object_set_new(o, "engine", json_string(s->engine));
		json_object_set_new(o, "dbms_name", json_string(s->dbms_name));
		json_object_set_new(o, "dbms_version", json_string(s->dbms_version));
		json_object_set_new(o, "database", json_str_or_null(s->database));
		if (add_dump(out, o, 0) != 0)
			return -1;
		/* the object left open after its last member: "\n}" taken off */
		if (out->len >= 2 && out->data[out->len - 1] == '}')
			out->len -= 2;
		out->data[out->len] = '\0';
		buf_adds(out, s->n_tables ? ",\n \"tables\": [" : ",\n \"tables\": []");
		return 0;
	}
	if (part <= s->n_tables) {
		buf_adds(out, part > 1 ? ",\n  " : "\n  ");
		if (add_dump(out, table_json(&s->tables[part - 1]), 2) != 0)
			return -1;
		if (part == s->n_tables)
			buf_adds(out, "\n ]");
		return 0;
	}
	if (part == s->n_tables + 1) {
		json_t *objects = json_array();
		for (size_t i = 0; i < s->n_objects; i++)
			json_array_append_new(objects, object_json(&s->objects[i]));
		buf_adds(out, ",\n \"objects\": ");
		if (add_dump(out, objects, 1) != 0)
			return -1;
		buf_adds(out, "\n}");
		return 0;
	}
	return 1;
}

char *ofb_schema_to_json(const struct ofb_schema *s)
{
	struct buf b;
	int rc = 0;

	buf_init(&b);
	for (size_t part = 0; rc == 0; part++)
		rc = ofb_schema_json_part(s, part, &b);
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}
