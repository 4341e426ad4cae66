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
/* Its name in SQL: qualified when not in the current schema. */
#define QN(ns, name) \
	"CASE WHEN " ns " = current_schema()::regnamespace THEN quote_ident(" name ") " \
	"ELSE quote_ident((SELECT n.nspname FROM pg_namespace n WHERE n.oid = " ns ")) || " \
	"'.' || quote_ident(" name ") END"
#define NOT_EXTENSION(cls, oid) \
	"NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '" cls "'::regclass " \
	"AND x.objid = " oid " AND x.deptype = 'e')"

/* One row per object of the database's schemas: kind, name, table, DDL, schema (NULL for
 * the current one); types before the domains over them is the order of the rows, the rest
 * is ordered by dependencies. Members of extensions are the extension's. */
static const char objects_sql[] =
	/* extensions (the database's own language aside) */
	"SELECT 'extension', e.extname, NULL, format('CREATE EXTENSION IF NOT EXISTS %I', "
	"e.extname), NULL FROM pg_extension e WHERE e.extname <> 'plpgsql' "
	/* ENUM types, labels in their order */
	"UNION ALL SELECT 'type', t.typname, NULL, format('CREATE TYPE %s AS ENUM (%s)', "
	QN("t.typnamespace", "t.typname") ", (SELECT string_agg(quote_literal(e.enumlabel), "
	"', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)), "
	SCH("t.typnamespace") " FROM pg_type t WHERE " USER_NS("t.typnamespace") " "
	"AND t.typtype = 'e' AND " NOT_EXTENSION("pg_type", "t.oid") " "
	/* composite types */
	"UNION ALL SELECT 'type', t.typname, NULL, format('CREATE TYPE %s AS (%s)', "
	QN("t.typnamespace", "t.typname") ", (SELECT string_agg(format('%I %s', a.attname, "
	"format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum) FROM pg_attribute a "
	"WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)), "
	SCH("t.typnamespace") " FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid "
	"WHERE " USER_NS("t.typnamespace") " AND t.typtype = 'c' AND c.relkind = 'c' "
	"AND " NOT_EXTENSION("pg_type", "t.oid") " "
	/* domains with their default, NOT NULL and checks */
	"UNION ALL SELECT 'domain', t.typname, NULL, format('CREATE DOMAIN %s AS %s%s%s%s', "
	QN("t.typnamespace", "t.typname") ", format_type(t.typbasetype, t.typtypmod), "
	"coalesce(' DEFAULT ' || t.typdefault, ''), "
	"CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END, "
	"coalesce((SELECT string_agg(format(' CONSTRAINT %I %s', k.conname, "
	"pg_get_constraintdef(k.oid)), '' ORDER BY k.conname) FROM pg_constraint k "
	"WHERE k.contypid = t.oid AND k.contype = 'c'), '')), " SCH("t.typnamespace") " "
	"FROM pg_type t WHERE " USER_NS("t.typnamespace") " AND t.typtype = 'd' "
	"AND " NOT_EXTENSION("pg_type", "t.oid") " "
	/* sequences of their own: not a column's (serial, identity), not drawn on by a
	 * column default (that column's numbering carries it) */
	"UNION ALL SELECT 'sequence', c.relname, NULL, format('CREATE SEQUENCE %s AS %s "
	"INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s%s', "
	QN("c.relnamespace", "c.relname") ", format_type(s.seqtypid, NULL), s.seqincrement, "
	"s.seqmin, s.seqmax, s.seqstart, s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' "
	"ELSE '' END), " SCH("c.relnamespace") " FROM pg_sequence s JOIN pg_class c "
	"ON c.oid = s.seqrelid WHERE " USER_NS("c.relnamespace") " AND NOT EXISTS (SELECT 1 "
	"FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid "
	"AND d.classid = 'pg_attrdef'::regclass) AND NOT EXISTS (SELECT 1 FROM pg_depend d "
	"WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
	"AND d.deptype IN ('a', 'i', 'e')) "
	/* functions and procedures (their definition names the schema) */
	"UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, "
	"p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', NULL, "
	"pg_get_functiondef(p.oid), " SCH("p.pronamespace") " FROM pg_proc p "
	"WHERE " USER_NS("p.pronamespace") " AND p.prokind IN ('f', 'p') "
	"AND " NOT_EXTENSION("pg_proc", "p.oid") " "
	/* CHECK and EXCLUDE constraints of tables, made after the data */
	"UNION ALL SELECT 'constraint', k.conname, c.relname, "
	"format('ALTER TABLE %s ADD CONSTRAINT %I %s', " QN("c.relnamespace", "c.relname") ", "
	"k.conname, pg_get_constraintdef(k.oid)), " SCH("c.relnamespace") " "
	"FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
	"WHERE " USER_NS("c.relnamespace") " AND c.relkind IN ('r', 'p') "
	"AND k.contype IN ('c', 'x') AND k.conislocal "
	/* views and materialized views (made with their data, after the data is in) */
	"UNION ALL SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, "
	"c.relname, NULL, format('CREATE %sVIEW %s AS %s', CASE c.relkind WHEN 'm' "
	"THEN 'MATERIALIZED ' ELSE '' END, " QN("c.relnamespace", "c.relname") ", "
	"regexp_replace(pg_get_viewdef(c.oid), ';\\s*$', '')), " SCH("c.relnamespace") " "
	"FROM pg_class c WHERE " USER_NS("c.relnamespace") " AND c.relkind IN ('v', 'm') "
	"AND " NOT_EXTENSION("pg_class", "c.oid") " "
	/* comments on tables, views and columns */
	"UNION ALL SELECT 'comment', CASE WHEN d.objsubid = 0 THEN c.relname ELSE c.relname "
	"|| '.' || a.attname END, c.relname, CASE WHEN d.objsubid = 0 THEN "
	"format('COMMENT ON %s %s IS %L', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' "
	"THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, " QN("c.relnamespace", "c.relname") ", "
	"d.description) ELSE format('COMMENT ON COLUMN %s.%I IS %L', "
	QN("c.relnamespace", "c.relname") ", a.attname, d.description) END, "
	SCH("c.relnamespace") " FROM pg_description d JOIN pg_class c "
	"ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid LEFT JOIN pg_attribute a "
	"ON a.attrelid = c.oid AND a.attnum = d.objsubid WHERE " USER_NS("c.relnamespace") " "
	"AND c.relkind IN ('r', 'p', 'v', 'm') "
	/* triggers (not the engine's own, which carry foreign keys) */
	"UNION ALL SELECT 'trigger', g.tgname, c.relname, pg_get_triggerdef(g.oid), "
	SCH("c.relnamespace") " FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
	"WHERE " USER_NS("c.relnamespace") " AND NOT g.tgisinternal";

/* What each object needs first, from pg_depend: kind, name and schema of the object, and
 * of what it needs ('tables' for a routine whose SQL-standard body the engine checks
 * against the tables when it is made). */
#define ROUTINE_NAME(p) p ".proname || '(' || pg_get_function_identity_arguments(" p ".oid) || ')'"
#define REL_KIND(c) "CASE " c ".relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END"
#define TYPE_KIND(t) "CASE " t ".typtype WHEN 'd' THEN 'domain' ELSE 'type' END"
#define ROUTINE_KIND(p) "CASE " p ".prokind WHEN 'p' THEN 'procedure' ELSE 'function' END"
static const char depends_sql[] =
	/* views on views and on routines */
	"SELECT " REL_KIND("v") ", v.relname, " SCH("v.relnamespace") ", "
	"CASE WHEN r.oid IS NOT NULL THEN " REL_KIND("r") " ELSE " ROUTINE_KIND("p") " END, "
	"coalesce(r.relname, " ROUTINE_NAME("p") "), "
	"CASE WHEN r.oid IS NOT NULL THEN " SCH("r.relnamespace") " ELSE " SCH("p.pronamespace")
	" END FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid "
	"JOIN pg_class v ON v.oid = w.ev_class "
	"LEFT JOIN pg_class r ON d.refclassid = 'pg_class'::regclass AND r.oid = d.refobjid "
	"AND r.relkind IN ('v', 'm') "
	"LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid "
	"WHERE d.classid = 'pg_rewrite'::regclass AND " USER_NS("v.relnamespace") " "
	"AND v.relkind IN ('v', 'm') AND d.refobjid <> v.oid "
	"AND (r.oid IS NOT NULL OR p.oid IS NOT NULL) "
	/* types and domains on types and domains */
	"UNION ALL SELECT " TYPE_KIND("t") ", t.typname, " SCH("t.typnamespace") ", "
	TYPE_KIND("r") ", r.typname, " SCH("r.typnamespace") " "
	"FROM pg_depend d JOIN pg_type t ON (d.classid = 'pg_type'::regclass AND d.objid = t.oid) "
	"OR (d.classid = 'pg_class'::regclass AND d.objid = t.typrelid AND t.typtype = 'c') "
	"JOIN pg_type r ON d.refclassid = 'pg_type'::regclass AND r.oid = d.refobjid "
	"WHERE " USER_NS("t.typnamespace") " AND " USER_NS("r.typnamespace") " AND r.oid <> t.oid "
	"AND r.typtype IN ('e', 'c', 'd') AND t.typtype IN ('e', 'c', 'd') "
	/* routines whose body the engine checks at once */
	"UNION ALL SELECT " ROUTINE_KIND("p") ", " ROUTINE_NAME("p") ", " SCH("p.pronamespace")
	", 'tables', '', NULL FROM pg_proc p WHERE " USER_NS("p.pronamespace") " "
	"AND p.prokind IN ('f', 'p') AND p.prosqlbody IS NOT NULL "
	/* triggers on their routines */
	"UNION ALL SELECT 'trigger', g.tgname, " SCH("c.relnamespace") ", " ROUTINE_KIND("p")
	", " ROUTINE_NAME("p") ", " SCH("p.pronamespace") " FROM pg_trigger g JOIN pg_class c "
	"ON c.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid "
	"WHERE " USER_NS("c.relnamespace") " AND NOT g.tgisinternal "
	"AND " USER_NS("p.pronamespace");

static int same_schema(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static struct ofb_object *find_object(struct ofb_schema *s, size_t first, const char *kind,
				      const char *name, const char *schema)
{
	enum ofb_obj_kind k;

	if (!kind || !name || ofb_object_kind_parse(kind, &k) != 0)
		return NULL;
	for (size_t i = first; i < s->n_objects; i++)
		if (s->objects[i].kind == k && strcmp(s->objects[i].name, name) == 0 &&
		    same_schema(s->objects[i].schema, schema))
			return &s->objects[i];
	return NULL;
}

static int read_depends(struct ofb_db *db, struct ofb_schema *s, size_t first,
			struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *v[6] = { NULL };
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query(db, depends_sql, &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch_texts(st, v, 6, "cannot read the objects' dependencies", err)) > 0) {
		struct ofb_object *o, *on;
		o = find_object(s, first, v[0], v[1], v[2]);
		if (!o)
			continue;
		if (v[3] && strcmp(v[3], "tables") == 0) {
			o->depends_on_tables = 1;
			continue;
		}
		on = find_object(s, first, v[3], v[4], v[5]);
		if (on && on != o)
			ofb_object_add_depend(o, on->kind, on->name, on->schema);
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < 6; i++)
		free(v[i]);
	return ret;
}

/* Where each sequence stands: its last value, and whether nextval() has handed it out. */
static int read_sequence_states(struct ofb_db *db, struct ofb_schema *s, size_t first,
				struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *v[4] = { NULL };
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query(db, "SELECT sequencename, coalesce(last_value, start_value), "
			 "CASE WHEN last_value IS NULL THEN 0 ELSE 1 END, CASE WHEN schemaname = "
			 "current_schema() THEN NULL ELSE schemaname END FROM pg_sequences",
			 &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch_texts(st, v, 4, "cannot read where the sequences stand", err)) > 0) {
		struct ofb_object *o;
		o = find_object(s, first, "sequence", v[0], v[3]);
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
	for (int i = 0; i < 4; i++)
		free(v[i]);
	return ret;
}

int pg_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	size_t first = s->n_objects;

	if (ofb_drv_objects_from_query(db, s, objects_sql, err) != 0 ||
	    read_depends(db, s, first, err) != 0 || read_sequence_states(db, s, first, err) != 0)
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
		"SELECT format('DROP %sVIEW IF EXISTS %s CASCADE', CASE c.relkind WHEN 'm' "
		"THEN 'MATERIALIZED ' ELSE '' END, " QN("c.relnamespace", "c.relname") ") "
		"FROM pg_class c WHERE " USER_NS("c.relnamespace") " AND c.relkind IN ('v', 'm') "
		"AND " NOT_EXTENSION("pg_class", "c.oid") " "
		/* routines whose SQL-standard body holds on to the tables */
		"UNION ALL SELECT format('DROP ROUTINE IF EXISTS %s', p.oid::regprocedure) "
		"FROM pg_proc p WHERE " USER_NS("p.pronamespace") " AND p.prokind IN ('f', 'p') "
		"AND p.prosqlbody IS NOT NULL AND " NOT_EXTENSION("pg_proc", "p.oid");
	static const char after_sql[] =
		"SELECT format('DROP ROUTINE IF EXISTS %s', p.oid::regprocedure) FROM pg_proc p "
		"WHERE " USER_NS("p.pronamespace") " AND p.prokind IN ('f', 'p') "
		"AND " NOT_EXTENSION("pg_proc", "p.oid") " "
		"UNION ALL SELECT format('DROP SEQUENCE IF EXISTS %s', "
		QN("c.relnamespace", "c.relname") ") FROM pg_class c "
		"WHERE " USER_NS("c.relnamespace") " AND c.relkind = 'S' "
		"AND " NOT_EXTENSION("pg_class", "c.oid") " "
		"UNION ALL SELECT * FROM (SELECT format('DROP %s IF EXISTS %s', CASE t.typtype "
		"WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, " QN("t.typnamespace", "t.typname") ") "
		"FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid "
		"WHERE " USER_NS("t.typnamespace") " "
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
		const char *args[4] = { o->schema ? o->schema : "", o->name, value,
					o->is_called ? "true" : "false" };
		SQLHSTMT st = NULL;
		if (o->kind != OFB_OBJ_SEQUENCE || !o->has_state)
			continue;
		snprintf(value, sizeof value, "%lld", o->last_value);
		if (ofb_db_query_args(db, "SELECT setval((quote_ident(coalesce(nullif(?, ''), "
				      "current_schema())) || '.' || quote_ident(?))::regclass, "
				      "?::bigint, ?::boolean)", args, 4, &st, err) != 0) {
			ofb_error_prefix(err, "sequence '%s': cannot set where it stands", o->name);
			return -1;
		}
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	return 0;
}

/* Routine bodies are checked against the tables when they are called, as pg_dump's
 * restores do: a routine made before the tables may name them. */
/* psqlODBC's UseDeclareFetch (its own attribute): a load reads small answers only, each
 * taken whole in one round trip, not through a cursor of three */
#define PG_ATTR_DECLARE_FETCH 65539

int pg_load_session(struct ofb_db *db, struct ofb_error *err)
{
	/* what the driver learnt of the database's tables is from before this load */
	if (db->drv_state_free)
		db->drv_state_free(db->drv_state);
	db->drv_state = NULL;
	db->drv_state_free = NULL;
	if (!SQL_SUCCEEDED(SQLSetConnectAttr(db->dbc, PG_ATTR_DECLARE_FETCH, (SQLPOINTER)0,
					     SQL_IS_INTEGER))) {
		ofb_odbc_error(err, SQL_HANDLE_DBC, db->dbc, "cannot set up the connection");
		return -1;
	}
	return ofb_db_exec(db, "SET check_function_bodies = false", err);
}
