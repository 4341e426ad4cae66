/* schema.c - the portable description of a database: portable types and their encodings,
 * and the schema structures (freeing, finding, adding an index the engine describes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

#include "schema.h"
#include "sqlcheck.h"
#include "util.h"

static const struct {
	enum ofb_ptype type;
	const char *name;
	enum ofb_encoding enc;
} ptypes[] = {
	{ OFB_T_BOOLEAN, "boolean", OFB_ENC_BOOL },
	{ OFB_T_SMALLINT, "smallint", OFB_ENC_NUMBER },
	{ OFB_T_INTEGER, "integer", OFB_ENC_NUMBER },
	{ OFB_T_BIGINT, "bigint", OFB_ENC_NUMBER },
	{ OFB_T_DECIMAL, "decimal", OFB_ENC_NUMBER },
	{ OFB_T_REAL, "real", OFB_ENC_FLOAT },
	{ OFB_T_DOUBLE, "double", OFB_ENC_FLOAT },
	{ OFB_T_CHAR, "char", OFB_ENC_TEXT },
	{ OFB_T_VARCHAR, "varchar", OFB_ENC_TEXT },
	{ OFB_T_TEXT, "text", OFB_ENC_TEXT },
	{ OFB_T_BINARY, "binary", OFB_ENC_BINARY },
	{ OFB_T_VARBINARY, "varbinary", OFB_ENC_BINARY },
	{ OFB_T_BLOB, "blob", OFB_ENC_BINARY },
	{ OFB_T_DATE, "date", OFB_ENC_TEXT },
	{ OFB_T_TIME, "time", OFB_ENC_TEXT },
	{ OFB_T_TIMESTAMP, "timestamp", OFB_ENC_TEXT },
	{ OFB_T_TIMESTAMPTZ, "timestamptz", OFB_ENC_TEXT },
	{ OFB_T_UUID, "uuid", OFB_ENC_TEXT },
	{ OFB_T_OTHER, "other", OFB_ENC_TEXT },
};

const char *ofb_ptype_name(enum ofb_ptype t)
{
	for (size_t i = 0; i < sizeof ptypes / sizeof ptypes[0]; i++)
		if (ptypes[i].type == t)
			return ptypes[i].name;
	return "other";
}

int ofb_ptype_parse(const char *name, enum ofb_ptype *t)
{
	for (size_t i = 0; i < sizeof ptypes / sizeof ptypes[0]; i++)
		if (strcmp(ptypes[i].name, name) == 0) {
			*t = ptypes[i].type;
			return 0;
		}
	return -1;
}

enum ofb_encoding ofb_ptype_encoding(enum ofb_ptype t)
{
	for (size_t i = 0; i < sizeof ptypes / sizeof ptypes[0]; i++)
		if (ptypes[i].type == t)
			return ptypes[i].enc;
	return OFB_ENC_TEXT;
}

/* Character and binary columns this long (or of unknown length) count as unbounded. */
#define UNBOUNDED_LENGTH (1L << 30)

void ofb_column_set_from_sql(struct ofb_column *col, int sql_type, long size, int digits)
{
	col->sql_type = sql_type;
	col->length = 0;
	col->precision = 0;
	col->scale = 0;
	switch (sql_type) {
	case SQL_BIT: col->type = OFB_T_BOOLEAN; break;
	case SQL_TINYINT:
	case SQL_SMALLINT: col->type = OFB_T_SMALLINT; break;
	case SQL_INTEGER: col->type = OFB_T_INTEGER; break;
	case SQL_BIGINT: col->type = OFB_T_BIGINT; break;
	case SQL_DECIMAL:
	case SQL_NUMERIC:
		col->type = OFB_T_DECIMAL;
		col->precision = (int)size;
		col->scale = digits > 0 ? digits : 0;
		break;
	case SQL_REAL: col->type = OFB_T_REAL; break;
	case SQL_FLOAT:
	case SQL_DOUBLE: col->type = OFB_T_DOUBLE; break;
	case SQL_CHAR:
	case SQL_WCHAR:
		col->type = OFB_T_CHAR;
		col->length = size;
		break;
	case SQL_VARCHAR:
	case SQL_WVARCHAR:
		col->type = size > 0 && size < UNBOUNDED_LENGTH ? OFB_T_VARCHAR : OFB_T_TEXT;
		col->length = col->type == OFB_T_VARCHAR ? size : 0;
		break;
	case SQL_LONGVARCHAR:
	case SQL_WLONGVARCHAR: col->type = OFB_T_TEXT; break;
	case SQL_BINARY:
	case SQL_VARBINARY:
		if (size > 0 && size < UNBOUNDED_LENGTH) {
			col->type = sql_type == SQL_BINARY ? OFB_T_BINARY : OFB_T_VARBINARY;
			col->length = size;
		} else {
			col->type = OFB_T_BLOB;
		}
		break;
	case SQL_LONGVARBINARY: col->type = OFB_T_BLOB; break;
	case SQL_TYPE_DATE:
	case SQL_DATE: col->type = OFB_T_DATE; break;
	case SQL_TYPE_TIME:
	case SQL_TIME:
		col->type = OFB_T_TIME;
		col->scale = digits > 0 ? digits : 0;
		break;
	case SQL_TYPE_TIMESTAMP:
	case SQL_TIMESTAMP:
		col->type = OFB_T_TIMESTAMP;
		col->scale = digits > 0 ? digits : 0;
		break;
	case SQL_GUID: col->type = OFB_T_UUID; break;
	default: col->type = OFB_T_OTHER; break;
	}
}

void ofb_column_portable_decl(const struct ofb_column *col, char *out, size_t n)
{
	const char *name = ofb_ptype_name(col->type);

	switch (col->type) {
	case OFB_T_DECIMAL:
		snprintf(out, n, "%s(%d,%d)", name, col->precision, col->scale);
		break;
	case OFB_T_CHAR:
	case OFB_T_VARCHAR:
	case OFB_T_BINARY:
	case OFB_T_VARBINARY:
		snprintf(out, n, "%s(%ld)", name, col->length);
		break;
	case OFB_T_TIME:
	case OFB_T_TIMESTAMP:
	case OFB_T_TIMESTAMPTZ:
		snprintf(out, n, "%s(%d)", name, col->scale);
		break;
	default:
		snprintf(out, n, "%s", name);
		break;
	}
}

void ofb_key_free(struct ofb_key *k)
{
	for (size_t i = 0; i < k->n_columns; i++)
		free(k->columns[i]);
	free(k->columns);
	free(k->descending);
	free(k->name);
	free(k->native_ddl);
}

void ofb_table_free(struct ofb_table *t)
{
	for (size_t i = 0; i < t->n_columns; i++) {
		free(t->columns[i].name);
		free(t->columns[i].native_type);
		free(t->columns[i].default_value);
		free(t->columns[i].generation);
	}
	free(t->columns);
	if (t->primary_key) {
		ofb_key_free(t->primary_key);
		free(t->primary_key);
	}
	for (size_t i = 0; i < t->n_indexes; i++)
		ofb_key_free(&t->indexes[i]);
	free(t->indexes);
	for (size_t i = 0; i < t->n_fkeys; i++) {
		struct ofb_fkey *f = &t->fkeys[i];
		for (size_t j = 0; j < f->n_columns; j++) {
			free(f->columns[j]);
			free(f->ref_columns[j]);
		}
		free(f->columns);
		free(f->ref_columns);
		free(f->name);
		free(f->ref_table);
		free(f->ref_schema);
		free(f->on_update);
		free(f->on_delete);
	}
	free(t->fkeys);
	free(t->name);
	free(t->schema);
	free(t->identity_column);
	free(t->native_ddl);
	free(t->entry);
	memset(t, 0, sizeof *t);
}

void ofb_schema_free(struct ofb_schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_tables; i++)
		ofb_table_free(&s->tables[i]);
	free(s->tables);
	free(s->engine);
	free(s->dbms_name);
	free(s->dbms_version);
	free(s->database);
	for (size_t i = 0; i < s->n_notes; i++)
		free(s->notes[i]);
	free(s->notes);
	for (size_t i = 0; i < s->n_objects; i++)
		ofb_object_free(&s->objects[i]);
	free(s->objects);
	memset(s, 0, sizeof *s);
}

/* --- objects besides tables ------------------------------------------------------------ */

static const char *const object_kinds[OFB_OBJ_KINDS] = {
	[OFB_OBJ_TYPE] = "type",
	[OFB_OBJ_DOMAIN] = "domain",
	[OFB_OBJ_SEQUENCE] = "sequence",
	[OFB_OBJ_FUNCTION] = "function",
	[OFB_OBJ_PROCEDURE] = "procedure",
	[OFB_OBJ_CONSTRAINT] = "constraint",
	[OFB_OBJ_VIEW] = "view",
	[OFB_OBJ_MATVIEW] = "materialized view",
	[OFB_OBJ_EVENT] = "event",
	[OFB_OBJ_TRIGGER] = "trigger",
	[OFB_OBJ_EXTENSION] = "extension",
	[OFB_OBJ_COMMENT] = "comment",
};

const char *ofb_object_kind_name(enum ofb_obj_kind k)
{
	return (unsigned)k < OFB_OBJ_KINDS ? object_kinds[k] : "?";
}

int ofb_object_kind_parse(const char *name, enum ofb_obj_kind *k)
{
	for (int i = 0; i < OFB_OBJ_KINDS; i++)
		if (strcmp(object_kinds[i], name) == 0) {
			*k = (enum ofb_obj_kind)i;
			return 0;
		}
	return -1;
}

enum ofb_obj_phase ofb_object_phase(const struct ofb_object *o)
{
	switch (o->kind) {
	case OFB_OBJ_EXTENSION:
	case OFB_OBJ_TYPE:
	case OFB_OBJ_DOMAIN:
	case OFB_OBJ_SEQUENCE:
		return OFB_PHASE_BEFORE_TABLES;
	case OFB_OBJ_FUNCTION:
	case OFB_OBJ_PROCEDURE:
		/* a body the engine does not check at creation may come first, so that
		 * defaults, checks and indexes can call it */
		return o->depends_on_tables ? OFB_PHASE_AFTER_DATA : OFB_PHASE_BEFORE_TABLES;
	default:
		return OFB_PHASE_AFTER_DATA;
	}
}

int ofb_object_sql_kind(const struct ofb_object *o)
{
	static const enum ofb_sql_kind kinds[OFB_OBJ_KINDS] = {
		[OFB_OBJ_TYPE] = OFB_SQL_CREATE_TYPE,
		[OFB_OBJ_DOMAIN] = OFB_SQL_CREATE_DOMAIN,
		[OFB_OBJ_SEQUENCE] = OFB_SQL_CREATE_SEQUENCE,
		[OFB_OBJ_FUNCTION] = OFB_SQL_CREATE_FUNCTION,
		[OFB_OBJ_PROCEDURE] = OFB_SQL_CREATE_PROCEDURE,
		[OFB_OBJ_CONSTRAINT] = OFB_SQL_ADD_CONSTRAINT,
		[OFB_OBJ_VIEW] = OFB_SQL_CREATE_VIEW,
		[OFB_OBJ_MATVIEW] = OFB_SQL_CREATE_MATVIEW,
		[OFB_OBJ_EVENT] = OFB_SQL_CREATE_EVENT,
		[OFB_OBJ_TRIGGER] = OFB_SQL_CREATE_TRIGGER,
		[OFB_OBJ_EXTENSION] = OFB_SQL_CREATE_EXTENSION,
		[OFB_OBJ_COMMENT] = OFB_SQL_COMMENT,
	};

	return kinds[o->kind];
}

char *ofb_object_ddl_name(const struct ofb_object *o)
{
	const char *paren = strchr(o->name, '(');

	if (paren && (o->kind == OFB_OBJ_FUNCTION || o->kind == OFB_OBJ_PROCEDURE))
		return xstrndup(o->name, (size_t)(paren - o->name));
	return xstrdup(o->name);
}

struct ofb_object *ofb_schema_add_object(struct ofb_schema *s, enum ofb_obj_kind kind,
					 const char *name, const char *table, char *ddl)
{
	struct ofb_object *o;

	s->objects = xrealloc(s->objects, (s->n_objects + 1) * sizeof *s->objects);
	o = &s->objects[s->n_objects++];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->name = xstrdup(name);
	o->table = table ? xstrdup(table) : NULL;
	o->native_ddl = ddl;
	return o;
}

void ofb_object_add_depend(struct ofb_object *o, enum ofb_obj_kind kind, const char *name,
			   const char *schema)
{
	for (size_t i = 0; i < o->n_depends; i++)
		if (o->depends[i].kind == kind && strcmp(o->depends[i].name, name) == 0 &&
		    !o->depends[i].schema == !schema &&
		    (!schema || strcmp(o->depends[i].schema, schema) == 0))
			return;
	o->depends = xrealloc(o->depends, (o->n_depends + 1) * sizeof *o->depends);
	o->depends[o->n_depends].kind = kind;
	o->depends[o->n_depends].schema = schema ? xstrdup(schema) : NULL;
	o->depends[o->n_depends++].name = xstrdup(name);
}

char *ofb_object_label(const struct ofb_object *o)
{
	return o->schema ? xasprintf("%s.%s", o->schema, o->name) : xstrdup(o->name);
}

void ofb_object_free(struct ofb_object *o)
{
	free(o->name);
	free(o->schema);
	free(o->table);
	free(o->native_ddl);
	for (size_t i = 0; i < o->n_depends; i++) {
		free(o->depends[i].name);
		free(o->depends[i].schema);
	}
	free(o->depends);
	memset(o, 0, sizeof *o);
}

struct ofb_table *ofb_schema_find(struct ofb_schema *s, const char *name)
{
	for (size_t i = 0; i < s->n_tables; i++)
		if (!s->tables[i].schema && strcmp(s->tables[i].name, name) == 0)
			return &s->tables[i];
	return NULL;
}

struct ofb_table *ofb_schema_find_in(struct ofb_schema *s, const char *schema,
				     const char *name)
{
	struct ofb_table key = { .schema = (char *)schema, .name = (char *)name };

	for (size_t i = 0; name && i < s->n_tables; i++)
		if (ofb_table_cmp(&s->tables[i], &key) == 0)
			return &s->tables[i];
	return NULL;
}

struct ofb_table *ofb_schema_find_next(struct ofb_schema *s, const char *schema,
				       const char *name, struct ofb_table **last)
{
	struct ofb_table key = { .schema = (char *)schema, .name = (char *)name };

	if (!name)
		return *last = NULL;
	if (!*last || ofb_table_cmp(*last, &key) != 0)
		*last = ofb_schema_find_in(s, schema, name);
	return *last;
}

struct ofb_column *ofb_table_column(struct ofb_table *t, const char *name)
{
	for (size_t i = 0; name && i < t->n_columns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return &t->columns[i];
	return NULL;
}

int ofb_table_has_long_bytes(const struct ofb_table *t)
{
	for (size_t c = 0; c < t->n_columns; c++) {
		const struct ofb_column *col = &t->columns[c];
		if (col->type == OFB_T_BLOB ||
		    ((col->type == OFB_T_BINARY || col->type == OFB_T_VARBINARY) &&
		     (col->length <= 0 || col->length > 255)))
			return 1;
	}
	return 0;
}

char *ofb_table_label(const struct ofb_table *t)
{
	return t->schema ? xasprintf("%s.%s", t->schema, t->name) : xstrdup(t->name);
}

int ofb_table_cmp(const struct ofb_table *a, const struct ofb_table *b)
{
	int c;

	if (!a->schema != !b->schema)
		return a->schema ? 1 : -1;
	if (a->schema && (c = strcmp(a->schema, b->schema)) != 0)
		return c;
	return strcmp(a->name, b->name);
}

void ofb_table_native_index(struct ofb_table *t, const char *name, const char *ddl,
			    int unique, int not_portable)
{
	struct ofb_key *k = NULL;

	for (size_t i = 0; i < t->n_indexes && !k; i++)
		if (t->indexes[i].name && strcmp(t->indexes[i].name, name) == 0)
			k = &t->indexes[i];
	if (!k) {
		t->indexes = xrealloc(t->indexes, (t->n_indexes + 1) * sizeof *t->indexes);
		k = &t->indexes[t->n_indexes++];
		memset(k, 0, sizeof *k);
		k->name = xstrdup(name);
		k->unique = unique;
		not_portable = 1;   /* the catalog had nothing portable to say about it */
	}
	free(k->native_ddl);
	k->native_ddl = xstrdup(ddl);
	k->not_portable |= not_portable;
}
