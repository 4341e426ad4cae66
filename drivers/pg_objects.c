/* pg_objects.c - PostgreSQL objects besides tables, read from the catalog as pg_dump does
 * (format_type, pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef,
 * pg_get_constraintdef), with their dependencies from pg_depend (pg_objects.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "odbc.h"
#include "pg_objects.h"
#include "schema.h"

/* Objects of the current schema, one row each: kind, name, table, DDL; types before the
 * domains over them is the order of the rows, the rest is ordered by dependencies. Members
 * of extensions are the extension's. */
#define NS "current_schema()::regnamespace"
#define NOT_EXTENSION(cls, oid) \
	"NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '" cls "'::regclass " \
	"AND x.objid = " oid " AND x.deptype = 'e')"

static const char objects_sql[] =
	/* extensions (the database's own language aside) */
	"SELECT 'extension', e.extname, NULL, format('CREATE EXTENSION IF NOT EXISTS %I', "
	"e.extname) FROM pg_extension e WHERE e.extname <> 'plpgsql' "
	/* ENUM types, labels in their order */
	"UNION ALL SELECT 'type', t.typname, NULL, format('CREATE TYPE %I AS ENUM (%s)', t.typname, "
	"(SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) "
	"FROM pg_enum e WHERE e.enumtypid = t.oid)) "
	"FROM pg_type t WHERE t.typnamespace = " NS " AND t.typtype = 'e' "
	"AND " NOT_EXTENSION("pg_type", "t.oid") " "
	/* composite types */
	"UNION ALL SELECT 'type', t.typname, NULL, format('CREATE TYPE %I AS (%s)', t.typname, "
	"(SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), "
	"', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = t.typrelid "
	"AND a.attnum > 0 AND NOT a.attisdropped)) "
	"FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid "
	"WHERE t.typnamespace = " NS " AND t.typtype = 'c' AND c.relkind = 'c' "
	"AND " NOT_EXTENSION("pg_type", "t.oid") " "
	/* domains with their default, NOT NULL and checks */
	"UNION ALL SELECT 'domain', t.typname, NULL, format('CREATE DOMAIN %I AS %s%s%s%s', "
	"t.typname, format_type(t.typbasetype, t.typtypmod), "
	"coalesce(' DEFAULT ' || t.typdefault, ''), "
	"CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END, "
	"coalesce((SELECT string_agg(format(' CONSTRAINT %I %s', k.conname, "
	"pg_get_constraintdef(k.oid)), '' ORDER BY k.conname) FROM pg_constraint k "
	"WHERE k.contypid = t.oid AND k.contype = 'c'), '')) "
	"FROM pg_type t WHERE t.typnamespace = " NS " AND t.typtype = 'd' "
	"AND " NOT_EXTENSION("pg_type", "t.oid") " "
	/* sequences of their own: not a column's (serial, identity), not drawn on by a
	 * column default (that column's numbering carries it) */
	"UNION ALL SELECT 'sequence', c.relname, NULL, format('CREATE SEQUENCE %I AS %s "
	"INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s%s', c.relname, "
	"format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, "
	"s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END) "
	"FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
	"WHERE c.relnamespace = " NS " AND NOT EXISTS (SELECT 1 FROM pg_depend d "
	"WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid "
	"AND d.classid = 'pg_attrdef'::regclass) AND NOT EXISTS (SELECT 1 FROM pg_depend d "
	"WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
	"AND d.deptype IN ('a', 'i', 'e')) "
	/* functions and procedures */
	"UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, "
	"p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', NULL, "
	"pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = " NS " "
	"AND p.prokind IN ('f', 'p') AND " NOT_EXTENSION("pg_proc", "p.oid") " "
	/* CHECK and EXCLUDE constraints of tables, made after the data */
	"UNION ALL SELECT 'constraint', k.conname, c.relname, "
	"format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, k.conname, "
	"pg_get_constraintdef(k.oid)) FROM pg_constraint k JOIN pg_class c "
	"ON c.oid = k.conrelid WHERE c.relnamespace = " NS " AND c.relkind IN ('r', 'p') "
	"AND k.contype IN ('c', 'x') AND k.conislocal "
	/* views and materialized views (made with their data, after the data is in) */
	"UNION ALL SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, "
	"c.relname, NULL, format('CREATE %sVIEW %I AS %s', CASE c.relkind WHEN 'm' "
	"THEN 'MATERIALIZED ' ELSE '' END, c.relname, "
	"regexp_replace(pg_get_viewdef(c.oid), ';\\s*$', '')) FROM pg_class c "
	"WHERE c.relnamespace = " NS " AND c.relkind IN ('v', 'm') "
	"AND " NOT_EXTENSION("pg_class", "c.oid") " "
	/* comments on tables, views and columns */
	"UNION ALL SELECT 'comment', CASE WHEN d.objsubid = 0 THEN c.relname ELSE c.relname "
	"|| '.' || a.attname END, c.relname, CASE WHEN d.objsubid = 0 THEN "
	"format('COMMENT ON %s %I IS %L', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' "
	"THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, c.relname, d.description) ELSE "
	"format('COMMENT ON COLUMN %I.%I IS %L', c.relname, a.attname, d.description) END "
	"FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass "
	"AND d.objoid = c.oid LEFT JOIN pg_attribute a ON a.attrelid = c.oid "
	"AND a.attnum = d.objsubid WHERE c.relnamespace = " NS " "
	"AND c.relkind IN ('r', 'p', 'v', 'm') "
	/* triggers (not the engine's own, which carry foreign keys) */
	"UNION ALL SELECT 'trigger', g.tgname, c.relname, pg_get_triggerdef(g.oid) "
	"FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
	"WHERE c.relnamespace = " NS " AND NOT g.tgisinternal";

/* What each object needs first, from pg_depend: kind and name of the object, kind and
 * name of what it needs ('tables' for a routine whose SQL-standard body the engine checks
 * against the tables when it is made). */
#define ROUTINE_NAME(p) "p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'"
#define REL_KIND(c) "CASE " c ".relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END"
#define TYPE_KIND(t) "CASE " t ".typtype WHEN 'd' THEN 'domain' ELSE 'type' END"
static const char depends_sql[] =
	/* views on views and routines */
	"SELECT " REL_KIND("v") ", v.relname, CASE WHEN d.refclassid = 'pg_proc'::regclass "
	"THEN (SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END FROM "
	"pg_proc p WHERE p.oid = d.refobjid) ELSE (SELECT " REL_KIND("r") " FROM pg_class r "
	"WHERE r.oid = d.refobjid) END, CASE WHEN d.refclassid = 'pg_proc'::regclass "
	"THEN (SELECT " ROUTINE_NAME("p") " FROM pg_proc p WHERE p.oid = d.refobjid) "
	"ELSE (SELECT r.relname FROM pg_class r WHERE r.oid = d.refobjid) END "
	"FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid "
	"JOIN pg_class v ON v.oid = w.ev_class WHERE d.classid = 'pg_rewrite'::regclass "
	"AND v.relnamespace = " NS " AND v.relkind IN ('v', 'm') AND d.refobjid <> v.oid "
	"AND ((d.refclassid = 'pg_class'::regclass AND EXISTS (SELECT 1 FROM pg_class r "
	"WHERE r.oid = d.refobjid AND r.relkind IN ('v', 'm') AND r.relnamespace = " NS ")) "
	"OR (d.refclassid = 'pg_proc'::regclass AND EXISTS (SELECT 1 FROM pg_proc p "
	"WHERE p.oid = d.refobjid AND p.pronamespace = " NS "))) "
	/* types and domains on types and domains */
	"UNION ALL SELECT " TYPE_KIND("t") ", t.typname, " TYPE_KIND("r") ", r.typname "
	"FROM pg_depend d JOIN pg_type t ON (d.classid = 'pg_type'::regclass AND d.objid = t.oid) "
	"OR (d.classid = 'pg_class'::regclass AND d.objid = t.typrelid AND t.typtype = 'c') "
	"JOIN pg_type r ON d.refclassid = 'pg_type'::regclass AND r.oid = d.refobjid "
	"WHERE t.typnamespace = " NS " AND r.typnamespace = " NS " AND r.oid <> t.oid "
	"AND r.typtype IN ('e', 'c', 'd') AND t.typtype IN ('e', 'c', 'd') "
	/* routines whose body the engine checks at once */
	"UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, "
	ROUTINE_NAME("p") ", 'tables', '' FROM pg_proc p WHERE p.pronamespace = " NS " "
	"AND p.prokind IN ('f', 'p') AND p.prosqlbody IS NOT NULL "
	/* triggers on their routines */
	"UNION ALL SELECT 'trigger', g.tgname, CASE p.prokind WHEN 'p' THEN 'procedure' "
	"ELSE 'function' END, " ROUTINE_NAME("p") " FROM pg_trigger g JOIN pg_class c "
	"ON c.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid WHERE c.relnamespace = " NS " "
	"AND NOT g.tgisinternal AND p.pronamespace = " NS;

static struct ofb_object *find_object(struct ofb_schema *s, size_t first, const char *kind,
				      const char *name)
{
	enum ofb_obj_kind k;

	if (!kind || !name || ofb_object_kind_parse(kind, &k) != 0)
		return NULL;
	for (size_t i = first; i < s->n_objects; i++)
		if (s->objects[i].kind == k && strcmp(s->objects[i].name, name) == 0)
			return &s->objects[i];
	return NULL;
}

static int read_depends(struct ofb_db *db, struct ofb_schema *s, size_t first,
			struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *v[4] = { NULL };
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query(db, depends_sql, &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch_texts(st, v, 4, "cannot read the objects' dependencies", err)) > 0) {
		struct ofb_object *o, *on;
		o = find_object(s, first, v[0], v[1]);
		if (!o)
			continue;
		if (v[2] && strcmp(v[2], "tables") == 0) {
			o->depends_on_tables = 1;
			continue;
		}
		on = find_object(s, first, v[2], v[3]);
		if (on && on != o)
			ofb_object_add_depend(o, on->kind, on->name);
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < 4; i++)
		free(v[i]);
	return ret;
}

/* Where each sequence stands: its last value, and whether nextval() has handed it out. */
static int read_sequence_states(struct ofb_db *db, struct ofb_schema *s, size_t first,
				struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *v[3] = { NULL };
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query(db, "SELECT sequencename, coalesce(last_value, start_value), "
			 "CASE WHEN last_value IS NULL THEN 0 ELSE 1 END FROM pg_sequences "
			 "WHERE schemaname = current_schema()", &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch_texts(st, v, 3, "cannot read where the sequences stand", err)) > 0) {
		struct ofb_object *o;
		o = find_object(s, first, "sequence", v[0]);
		if (!o || !v[1] || !v[2])
			continue;
		o->has_state = 1;
		o->last_value = strtoll(v[1], NULL, 10);
		o->is_called = atoi(v[2]);
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < 3; i++)
		free(v[i]);
	return ret;
}

/* The tables of other schemas are read (catalog.c), their views and other objects not
 * yet: each schema holding views is named in a note, so the backup warns rather than
 * pass over them. */
static int note_other_schemas(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *v[3] = { NULL };
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query(db, "SELECT n.nspname, 0, count(*) FROM pg_namespace n "
			 "JOIN pg_class c ON c.relnamespace = n.oid WHERE c.relkind IN "
			 "('v', 'm') AND n.oid <> " NS " AND n.nspname NOT IN "
			 "('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' "
			 "GROUP BY n.nspname ORDER BY 1", &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch_texts(st, v, 3, "cannot list the schemas", err)) > 0) {
		if (!v[0])
			continue;
		s->notes = xrealloc(s->notes, (s->n_notes + 1) * sizeof *s->notes);
		s->notes[s->n_notes++] =
			xasprintf("schema '%s' holds %s views, which are not backed up (of the "
				  "schemas besides '%s' only the tables are)", v[0], v[2] ? v[2] : "0",
				  s->database ? s->database : "");
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < 3; i++)
		free(v[i]);
	return ret;
}

int pg_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	size_t first = s->n_objects;

	if (ofb_drv_objects_from_query(db, s, objects_sql, err) != 0 ||
	    read_depends(db, s, first, err) != 0 || read_sequence_states(db, s, first, err) != 0 ||
	    note_other_schemas(db, s, err) != 0)
		return -1;
	/* a sequence the catalog could not say the state of is made where it starts */
	for (size_t i = first; i < s->n_objects; i++)
		if (s->objects[i].kind == OFB_OBJ_SEQUENCE && !s->objects[i].has_state) {
			s->objects[i].has_state = 1;
			s->objects[i].last_value = 1;
		}
	return 0;
}

/* Views and routines with a SQL-standard body go before the tables they read (CASCADE
 * takes views on views along: every one is in the package saved before); other routines, types, domains and sequences after them, each
 * refused by the engine while anything outside this schema still uses it. */
int pg_drop_objects(struct ofb_db *db, int after_tables, struct ofb_error *err)
{
	static const char before_sql[] =
		"SELECT format('DROP %sVIEW IF EXISTS %I CASCADE', CASE c.relkind WHEN 'm' "
		"THEN 'MATERIALIZED ' ELSE '' END, c.relname) FROM pg_class c "
		"WHERE c.relnamespace = " NS " AND c.relkind IN ('v', 'm') "
		"AND " NOT_EXTENSION("pg_class", "c.oid") " "
		/* routines whose SQL-standard body holds on to the tables */
		"UNION ALL SELECT format('DROP ROUTINE IF EXISTS %s', p.oid::regprocedure) "
		"FROM pg_proc p WHERE p.pronamespace = " NS " AND p.prokind IN ('f', 'p') "
		"AND p.prosqlbody IS NOT NULL AND " NOT_EXTENSION("pg_proc", "p.oid");
	static const char after_sql[] =
		"SELECT format('DROP ROUTINE IF EXISTS %s', p.oid::regprocedure) FROM pg_proc p "
		"WHERE p.pronamespace = " NS " AND p.prokind IN ('f', 'p') "
		"AND " NOT_EXTENSION("pg_proc", "p.oid") " "
		"UNION ALL SELECT format('DROP SEQUENCE IF EXISTS %I', c.relname) FROM pg_class c "
		"WHERE c.relnamespace = " NS " AND c.relkind = 'S' "
		"AND " NOT_EXTENSION("pg_class", "c.oid") " "
		"UNION ALL SELECT * FROM (SELECT format('DROP %s IF EXISTS %I', CASE t.typtype "
		"WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname) FROM pg_type t "
		"LEFT JOIN pg_class c ON c.oid = t.typrelid WHERE t.typnamespace = " NS " "
		"AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND c.relkind = 'c')) "
		"AND " NOT_EXTENSION("pg_type", "t.oid") " ORDER BY t.typtype = 'e', t.oid DESC) x";

	return ofb_drv_exec_listed(db, after_tables ? after_sql : before_sql, err);
}

/* Sequences continue where they stood. */
int pg_finish_objects(struct ofb_db *db, const struct ofb_schema *s, struct ofb_error *err)
{
	for (size_t i = 0; i < s->n_objects; i++) {
		const struct ofb_object *o = &s->objects[i];
		char value[32];
		const char *args[3] = { o->name, value, o->is_called ? "true" : "false" };
		SQLHSTMT st = NULL;
		if (o->kind != OFB_OBJ_SEQUENCE || !o->has_state)
			continue;
		snprintf(value, sizeof value, "%lld", o->last_value);
		if (ofb_db_query_args(db, "SELECT setval(quote_ident(?)::regclass, ?::bigint, "
				      "?::boolean)", args, 3, &st, err) != 0) {
			ofb_error_prefix(err, "sequence '%s': cannot set where it stands", o->name);
			return -1;
		}
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	return 0;
}

/* Routine bodies are checked against the tables when they are called, as pg_dump's
 * restores do: a routine made before the tables may name them. */
int pg_load_session(struct ofb_db *db, struct ofb_error *err)
{
	return ofb_db_exec(db, "SET check_function_bodies = false", err);
}
