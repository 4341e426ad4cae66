/* catalog.c - reading a database's schema through the ODBC catalog functions and the
 * engine driver's hooks (catalog.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "driver.h"
#include "odbc.h"
#include "schema.h"
#include "util.h"

/* --- reading the catalog --------------------------------------------------------------- */

struct scope {
	const char *catalog_name;   /* as UTF-8, to compare the catalog's answers with */
	const char *schema_name;
	ofb_wchar *catalog;
	ofb_wchar *schema;
	ofb_wchar *escape;     /* search-pattern escape character, as text */
};

/* The driver's escape character for search patterns, or NULL. */
static ofb_wchar *search_escape(struct ofb_db *db)
{
	SQLWCHAR escape[8] = { 0 };
	SQLSMALLINT len = 0;
	ofb_wchar *w;

	if (!SQL_SUCCEEDED(SQLGetInfoW(db->dbc, SQL_SEARCH_PATTERN_ESCAPE, escape,
				       sizeof escape - sizeof escape[0], &len)))
		return NULL;
	w = xmalloc(sizeof escape);
	memcpy(w, escape, sizeof escape);
	return w;
}

/* The catalog and schema the connection works in, as the driver names them. */
static int scope_open(struct ofb_db *db, struct scope *sc, struct ofb_error *err)
{
	char *catalog = NULL, *schema = NULL;

	int ret;

	memset(sc, 0, sizeof *sc);
	ret = ofb_drv_catalog_scope(db, &catalog, &schema, err);
	sc->catalog_name = catalog;
	sc->schema_name = schema;
	sc->catalog = catalog ? utf8_to_w(catalog, NULL) : NULL;
	sc->schema = schema ? utf8_to_w(schema, NULL) : NULL;
	sc->escape = search_escape(db);
	return ret;
}

static void scope_close(struct scope *sc)
{
	free((char *)sc->catalog_name);
	free((char *)sc->schema_name);
	free(sc->catalog);
	free(sc->schema);
	free(sc->escape);
}

/* The table name as a search pattern: '_' and '%' escaped. */
static ofb_wchar *name_pattern(const struct scope *sc, const char *name)
{
	struct buf b;
	ofb_wchar *w;
	char esc[8] = "";

	buf_init(&b);
	if (sc->escape && sc->escape[0]) {
		struct buf e;
		buf_init(&e);
		w_to_utf8(&e, sc->escape, (size_t)-1, NULL);
		snprintf(esc, sizeof esc, "%s", e.data);
		buf_free(&e);
	}
	for (const char *p = name; *p; p++) {
		if ((*p == '_' || *p == '%') && esc[0])
			buf_adds(&b, esc);
		buf_addc(&b, *p);
	}
	w = utf8_to_w(b.data, NULL);
	buf_free(&b);
	return w;
}

static SQLWCHAR *wptr(ofb_wchar *w)
{
	return (SQLWCHAR *)w;
}

static SQLSMALLINT wlen(const ofb_wchar *w)
{
	return w ? SQL_NTS : 0;
}

/* The ODBC catalog functions this module reads. */
enum cat_call { CAT_TABLES, CAT_COLUMNS, CAT_PRIMARY_KEY, CAT_INDEXES, CAT_FOREIGN_KEYS };

static const char *const cat_what[] = {
	[CAT_TABLES] = "cannot list the tables",
	[CAT_COLUMNS] = "cannot read the columns",
	[CAT_PRIMARY_KEY] = "cannot read the primary key",
	[CAT_INDEXES] = "cannot read the indexes",
	[CAT_FOREIGN_KEYS] = "cannot read the foreign keys",
};

/* Call one catalog function for a table of our scope (every table for CAT_TABLES);
 * *st gets the result set (the caller frees it, also on failure). */
static int catalog_query(struct ofb_db *db, const struct scope *sc, enum cat_call call,
			 const char *table, SQLHSTMT *st, struct ofb_error *err)
{
	ofb_wchar *all = utf8_to_w("%", NULL), *name = NULL, *types = NULL;
	SQLRETURN rc = SQL_ERROR;
	int ret = -1;

	if (ofb_db_stmt(db, st, err) != 0)
		goto out;
	switch (call) {
	case CAT_TABLES:
		types = utf8_to_w("TABLE,VIEW", NULL);
		rc = SQLTablesW(*st, wptr(sc->catalog), wlen(sc->catalog), wptr(sc->schema),
				wlen(sc->schema), wptr(all), SQL_NTS, wptr(types), SQL_NTS);
		break;
	case CAT_COLUMNS:
		/* a pattern argument: '_' escaped; no table: every table of the scope */
		name = table ? name_pattern(sc, table) : utf8_to_w("%", NULL);
		rc = SQLColumnsW(*st, wptr(sc->catalog), wlen(sc->catalog), wptr(sc->schema),
				 wlen(sc->schema), wptr(name), SQL_NTS, wptr(all), SQL_NTS);
		break;
	case CAT_PRIMARY_KEY:
		name = utf8_to_w(table, NULL);
		rc = SQLPrimaryKeysW(*st, wptr(sc->catalog), wlen(sc->catalog), wptr(sc->schema),
				     wlen(sc->schema), wptr(name), SQL_NTS);
		break;
	case CAT_INDEXES:
		name = utf8_to_w(table, NULL);
		rc = SQLStatisticsW(*st, wptr(sc->catalog), wlen(sc->catalog), wptr(sc->schema),
				    wlen(sc->schema), wptr(name), SQL_NTS, SQL_INDEX_ALL, SQL_QUICK);
		break;
	case CAT_FOREIGN_KEYS:
		name = utf8_to_w(table, NULL);
		rc = SQLForeignKeysW(*st, NULL, 0, NULL, 0, NULL, 0, wptr(sc->catalog),
				     wlen(sc->catalog), wptr(sc->schema), wlen(sc->schema),
				     wptr(name), SQL_NTS);
		break;
	}
	if (!SQL_SUCCEEDED(rc)) {
		ofb_odbc_error(err, SQL_HANDLE_STMT, *st, cat_what[call]);
		goto out;
	}
	ret = 0;
out:
	free(all);
	free(name);
	free(types);
	return ret;
}

static int get_col_text(SQLHSTMT st, int n, char **out, struct ofb_error *err)
{
	free(*out);
	*out = NULL;
	return ofb_get_text(st, n, out, err);
}

/* Catalog functions take catalog and schema names as search patterns, where '_' matches
 * any character: a row belongs to our scope only when its names are ours exactly. */
static int in_scope(const struct scope *sc, SQLHSTMT st, int *ok, struct ofb_error *err)
{
	char *cat = NULL, *sch = NULL;
	int ret = -1;

	if (get_col_text(st, 1, &cat, err) || get_col_text(st, 2, &sch, err))
		goto out;
	*ok = (!sc->catalog_name || (cat && strcmp(cat, sc->catalog_name) == 0)) &&
	      (!sc->schema_name || (sch && strcmp(sch, sc->schema_name) == 0));
	ret = 0;
out:
	free(cat);
	free(sch);
	return ret;
}

static int list_tables(struct ofb_db *db, const struct scope *sc, struct ofb_schema *s,
		       struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *name = NULL, *ttype = NULL;
	SQLRETURN rc;
	int ret = -1;

	if (catalog_query(db, sc, CAT_TABLES, NULL, &st, err) != 0)
		goto out;
	while ((rc = ofb_fetch(st, cat_what[CAT_TABLES], err)) > 0) {
		int ours;
		if (in_scope(sc, st, &ours, err) ||
		    get_col_text(st, 3, &name, err) || get_col_text(st, 4, &ttype, err))
			goto out;
		if (ours && ttype && strcmp(ttype, "VIEW") == 0 && !ofb_drv_has_objects(db->drv))
			s->n_views++;
		if (!ours || !name || !ttype || strcmp(ttype, "TABLE") != 0)
			continue;
		/* the engine's own bookkeeping tables (SQLite's) are recreated by the engine */
		if (ofb_drv_is_system_name(db->drv, name))
			continue;
		/* grown one by one: s may hold the tables of other schemas' calls already */
		s->tables = xrealloc(s->tables, (s->n_tables + 1) * sizeof *s->tables);
		memset(&s->tables[s->n_tables], 0, sizeof s->tables[0]);
		s->tables[s->n_tables++].name = name;
		name = NULL;
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(name);
	free(ttype);
	return ret;
}

/* Whether t is a table of schema (NULL: of the default one). */
static int of_schema(const struct ofb_table *t, const char *schema)
{
	return schema ? t->schema && strcmp(t->schema, schema) == 0 : !t->schema;
}

/* SQLColumns's current row, a column of t. */
static int add_column_row(struct ofb_db *db, SQLHSTMT st, struct ofb_table *t, size_t *cap,
			  struct ofb_error *err)
{
	struct ofb_column *c;
	long sql_type, size, digits, nullable;
	int null_size, null_digits, is_null;

	if (t->n_columns == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t->columns = xrealloc(t->columns, *cap * sizeof *t->columns);
	}
	c = &t->columns[t->n_columns];
	memset(c, 0, sizeof *c);
	t->n_columns++;
	if (ofb_get_text(st, 4, &c->name, err) ||
	    ofb_get_long(st, 5, &sql_type, &is_null, err) ||
	    ofb_get_text(st, 6, &c->native_type, err) ||
	    ofb_get_long(st, 7, &size, &null_size, err) ||
	    ofb_get_long(st, 9, &digits, &null_digits, err) ||
	    ofb_get_long(st, 11, &nullable, &is_null, err) ||
	    ofb_get_text(st, 13, &c->default_value, err))
		return -1;
	if (!c->name)
		c->name = xstrdup("");
	if (!c->native_type)
		c->native_type = xstrdup("");
	/* Some drivers spell "no default" as the text NULL; both mean the same. */
	if (c->default_value && strcasecmp(c->default_value, "NULL") == 0) {
		free(c->default_value);
		c->default_value = NULL;
	}
	ofb_column_set_from_sql(c, (int)sql_type, null_size ? 0 : size,
				null_digits ? 0 : (int)digits);
	c->nullable = nullable != SQL_NO_NULLS;
	ofb_drv_refine_column(db->drv, c);
	return 0;
}

/* The columns of the tables of s in scope sc (those of schema, NULL: the default one):
 * one SQLColumns call per table, or with all one for the whole scope. */
static int read_columns(struct ofb_db *db, const struct scope *sc, struct ofb_schema *s,
			const char *schema, int all, struct ofb_error *err)
{
	size_t *caps = xcalloc(s->n_tables + 1, sizeof *caps);
	struct ofb_table *last = NULL, *only = NULL;
	SQLHSTMT st = NULL;
	char *tname = NULL;
	SQLRETURN rc = 0;
	int ret = -1;

	for (size_t i = 0; i < (all ? 1 : s->n_tables); i++) {
		only = all ? NULL : &s->tables[i];
		if (only && !of_schema(only, schema))
			continue;
		if (catalog_query(db, sc, CAT_COLUMNS, only ? only->name : NULL, &st, err) != 0)
			goto out;
		while ((rc = ofb_fetch(st, cat_what[CAT_COLUMNS], err)) > 0) {
			struct ofb_table *t;
			int ours;
			if (in_scope(sc, st, &ours, err) || get_col_text(st, 3, &tname, err))
				goto out;
			if (!ours || !tname)
				continue;
			/* a pattern match of another table, schema or catalog is skipped */
			t = only ? (strcmp(tname, only->name) == 0 ? only : NULL)
				 : ofb_schema_find_next(s, schema, tname, &last);
			if (t && add_column_row(db, st, t, &caps[t - s->tables], err) != 0)
				goto out;
		}
		if (rc < 0)
			goto out;
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		st = NULL;
	}
	only = NULL;
	for (size_t i = 0; i < s->n_tables; i++) {
		struct ofb_table *t = &s->tables[i];
		/* no room kept for columns to come: a database may have thousands of tables */
		if (caps[i] > t->n_columns && t->n_columns) {
			t->columns = xrealloc(t->columns, t->n_columns * sizeof *t->columns);
			caps[i] = t->n_columns;
		}
		if (t->n_columns == 0 && of_schema(t, schema)) {
			char *label = ofb_table_label(t);
			ofb_error_set(err, "table '%s': the catalog lists no columns", label);
			free(label);
			goto out;
		}
	}
	ret = 0;
out:
	if (ret != 0 && only) {
		char *label = ofb_table_label(only);
		ofb_error_prefix(err, "table '%s'", label);
		free(label);
	}
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(tname);
	free(caps);
	return ret;
}

static void key_add_column(struct ofb_key *k, size_t pos, char *name, int desc)
{
	/* Catalog rows carry the 1-based position of the column in the key. */
	size_t n = pos > k->n_columns ? pos : k->n_columns + 1;
	size_t at = pos ? pos - 1 : k->n_columns;

	if (n > k->n_columns) {
		k->columns = xrealloc(k->columns, n * sizeof *k->columns);
		k->descending = xrealloc(k->descending, n * sizeof *k->descending);
		for (size_t i = k->n_columns; i < n; i++) {
			k->columns[i] = NULL;
			k->descending[i] = 0;
		}
		k->n_columns = n;
	}
	free(k->columns[at]);
	k->columns[at] = name;
	k->descending[at] = desc;
}

/* What reads one row of a catalog function's result about table t (default_schema: the
 * default scope's schema name, NULL for none). */
typedef int catalog_row_fn(SQLHSTMT st, struct ofb_table *t, const char *default_schema,
			   struct ofb_error *err);

/* A row of SQLPrimaryKeys's columns, one column of t's primary key. */
static int primary_key_row(SQLHSTMT st, struct ofb_table *t, const char *default_schema,
			   struct ofb_error *err)
{
	char *col = NULL, *pk_name = NULL;
	struct ofb_key *k;
	long seq;
	int is_null;

	(void)default_schema;
	if (ofb_get_text(st, 4, &col, err) || ofb_get_long(st, 5, &seq, &is_null, err) ||
	    ofb_get_text(st, 6, &pk_name, err)) {
		free(col);
		return -1;
	}
	if (col) {
		if (!t->primary_key)
			t->primary_key = xcalloc(1, sizeof *t->primary_key);
		k = t->primary_key;
		if (pk_name && !k->name) {
			k->name = pk_name;
			pk_name = NULL;
		}
		key_add_column(k, is_null || seq < 1 ? 0 : (size_t)seq, col, 0);
	}
	free(pk_name);
	return 0;
}

/* Once every row is in: a primary key is unique and has no column order, and its
 * columns follow one another in the order of the positions the rows gave them, also
 * where the positions leave gaps. */
static void primary_key_done(struct ofb_table *t)
{
	struct ofb_key *k = t->primary_key;
	size_t n = 0;

	if (!k)
		return;
	k->unique = 1;
	free(k->descending);
	k->descending = NULL;
	for (size_t i = 0; i < k->n_columns; i++)
		if (k->columns[i])
			k->columns[n++] = k->columns[i];
	k->n_columns = n;
}

static int same_columns(const struct ofb_key *a, const struct ofb_key *b)
{
	if (a->n_columns != b->n_columns)
		return 0;
	for (size_t i = 0; i < a->n_columns; i++)
		if (!a->columns[i] || !b->columns[i] || strcmp(a->columns[i], b->columns[i]) != 0)
			return 0;
	return 1;
}

/* A row of SQLStatistics's columns, one column of one of t's indexes. */
static int index_row(SQLHSTMT st, struct ofb_table *t, const char *default_schema,
		     struct ofb_error *err)
{
	char *iname = NULL, *col = NULL, *order = NULL;
	long non_unique, type, pos;
	int null_unique, is_null, ret = -1;
	struct ofb_key *k = NULL;

	(void)default_schema;
	if (ofb_get_long(st, 7, &type, &is_null, err))
		goto out;
	if (type == SQL_TABLE_STAT) {
		ret = 0;
		goto out;
	}
	if (ofb_get_long(st, 4, &non_unique, &null_unique, err) ||
	    ofb_get_text(st, 6, &iname, err) || ofb_get_long(st, 8, &pos, &is_null, err) ||
	    ofb_get_text(st, 9, &col, err) || ofb_get_text(st, 10, &order, err))
		goto out;
	ret = 0;
	if (!iname)
		goto out;
	for (size_t i = t->n_indexes; i-- > 0 && !k;)
		if (strcmp(t->indexes[i].name, iname) == 0)
			k = &t->indexes[i];
	if (!k) {
		t->indexes = xrealloc(t->indexes, (t->n_indexes + 1) * sizeof *t->indexes);
		k = &t->indexes[t->n_indexes++];
		memset(k, 0, sizeof *k);
		k->name = iname;
		iname = NULL;
		k->unique = !null_unique && non_unique == 0;
	}
	if (!col) {
		k->not_portable = 1;   /* a key part that is an expression */
		goto out;
	}
	key_add_column(k, is_null || pos < 1 ? 0 : (size_t)pos, col, order && order[0] == 'D');
	col = NULL;
out:
	free(iname);
	free(col);
	free(order);
	return ret;
}

/* Once every row of t's indexes and its primary key are in. */
static void indexes_done(const struct ofb_driver *drv, struct ofb_table *t)
{
	/* An expression in an index comes back as a "column" that is none, or as none at all:
	 * such an index is described only by the engine's own DDL (table_extra). */
	for (size_t i = 0; i < t->n_indexes; i++)
		for (size_t c = 0; c < t->indexes[i].n_columns; c++) {
			char **name = &t->indexes[i].columns[c];
			int known = 0;
			for (size_t k = 0; *name && k < t->n_columns && !known; k++)
				known = strcmp(t->columns[k].name, *name) == 0;
			if (!known) {
				/* an expression's text, as the driver shows it: no column */
				t->indexes[i].not_portable = 1;
				free(*name);
				*name = NULL;
			}
		}
	/* The primary key's own index is described by primary_key. */
	for (size_t i = 0; i < t->n_indexes && t->primary_key; i++) {
		struct ofb_key *k = &t->indexes[i];
		int is_pk = (t->primary_key->name && strcmp(k->name, t->primary_key->name) == 0) ||
			    (k->unique && same_columns(k, t->primary_key) &&
			     ofb_drv_is_pk_index(drv, k->name));
		if (is_pk) {
			ofb_key_free(k);
			memmove(k, k + 1, (t->n_indexes - i - 1) * sizeof *k);
			t->n_indexes--;
			i--;
		}
	}
}

static const char *fk_rule(long rule)
{
	switch (rule) {
	case SQL_CASCADE: return "CASCADE";
	case SQL_RESTRICT: return "RESTRICT";
	case SQL_SET_NULL: return "SET NULL";
	case SQL_SET_DEFAULT: return "SET DEFAULT";
	default: return "NO ACTION";
	}
}

/* A row of SQLForeignKeys's columns, one column of one of t's foreign keys; a table of
 * another schema than default_schema is named with its schema. */
static int foreign_key_row(SQLHSTMT st, struct ofb_table *t, const char *default_schema,
			   struct ofb_error *err)
{
	char *ref_table = NULL, *ref_col = NULL, *col = NULL, *fk_name = NULL, *ref_schema = NULL;
	long seq, upd, del;
	int seq_null, is_null, ret = -1;
	struct ofb_fkey *f = NULL;

	if (ofb_get_text(st, 2, &ref_schema, err) || ofb_get_text(st, 3, &ref_table, err) ||
	    ofb_get_text(st, 4, &ref_col, err) || ofb_get_text(st, 8, &col, err) ||
	    ofb_get_long(st, 9, &seq, &seq_null, err) ||
	    ofb_get_long(st, 10, &upd, &is_null, err) ||
	    ofb_get_long(st, 11, &del, &is_null, err) || ofb_get_text(st, 12, &fk_name, err))
		goto out;
	ret = 0;
	if (!ref_table || !ref_col || !col)
		goto out;
	/* Rows of one key are consecutive and start at KEY_SEQ 1. */
	if (t->n_fkeys && !(seq_null || seq <= 1))
		f = &t->fkeys[t->n_fkeys - 1];
	if (!f) {
		t->fkeys = xrealloc(t->fkeys, (t->n_fkeys + 1) * sizeof *t->fkeys);
		f = &t->fkeys[t->n_fkeys++];
		memset(f, 0, sizeof *f);
		f->name = xstrdup(fk_name ? fk_name : "");
		f->ref_table = xstrdup(ref_table);
		if (ref_schema && default_schema && strcmp(ref_schema, default_schema) != 0)
			f->ref_schema = xstrdup(ref_schema);
		f->on_update = xstrdup(fk_rule(upd));
		f->on_delete = xstrdup(fk_rule(del));
	}
	f->columns = xrealloc(f->columns, (f->n_columns + 1) * sizeof *f->columns);
	f->ref_columns = xrealloc(f->ref_columns, (f->n_columns + 1) * sizeof *f->ref_columns);
	f->columns[f->n_columns] = col;
	f->ref_columns[f->n_columns] = ref_col;
	f->n_columns++;
	col = NULL;
	ref_col = NULL;
out:
	free(ref_table);
	free(ref_schema);
	free(ref_col);
	free(col);
	free(fk_name);
	return ret;
}

/* The rows of catalog function call for table only, or with only NULL, the rows of the
 * driver's query bulk about every table of the database at once, in the same columns
 * (rows of tables not backed up are skipped); each is handed to row with its table.
 * default_schema: the default scope's schema name (NULL: none). */
static int read_catalog_rows(struct ofb_db *db, const struct scope *sc, struct ofb_schema *s,
			     enum cat_call call, struct ofb_table *only, const char *bulk,
			     catalog_row_fn *row, const char *default_schema,
			     struct ofb_error *err)
{
	/* where the rows of a bulk query name the table they are about */
	int at = call == CAT_FOREIGN_KEYS ? 6 : 2;
	struct ofb_table *t = only, *last = NULL;
	char *schema = NULL, *table = NULL;
	SQLHSTMT st = NULL;
	SQLRETURN rc;
	int ret = -1;

	if (only ? catalog_query(db, sc, call, only->name, &st, err)
		 : ofb_db_query(db, bulk, &st, err)) {
		if (!only)
			ofb_error_prefix(err, "%s", cat_what[call]);
		goto out;
	}
	while ((rc = ofb_fetch(st, cat_what[call], err)) > 0) {
		if (!only) {
			const char *in;
			if (get_col_text(st, at, &schema, err) ||
			    get_col_text(st, at + 1, &table, err))
				goto out;
			/* the default schema's tables have none */
			in = schema && (!default_schema || strcmp(schema, default_schema) != 0)
			     ? schema : NULL;
			t = ofb_schema_find_next(s, in, table, &last);
			if (!t)
				continue;   /* a table that is not backed up */
		}
		if (row(st, t, default_schema, err) != 0)
			goto out;
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(schema);
	free(table);
	return ret;
}

/* The names of the tables in scope (table NULL) or of one table's columns. */
static int catalog_names(struct ofb_db *db, const char *table, char ***names, size_t *n,
			 struct ofb_error *err)
{
	struct ofb_schema s;
	struct ofb_table t;
	struct scope sc = { 0 };
	int ret = -1;

	*names = NULL;
	*n = 0;
	memset(&s, 0, sizeof s);
	memset(&t, 0, sizeof t);
	t.name = xstrdup(table ? table : "");
	if (scope_open(db, &sc, err) != 0)
		goto out;
	if (table) {
		s.tables = &t;
		s.n_tables = 1;
	}
	if (table ? read_columns(db, &sc, &s, NULL, 0, err) : list_tables(db, &sc, &s, err))
		goto out;
	*n = table ? t.n_columns : s.n_tables;
	*names = xcalloc(*n + 1, sizeof **names);
	for (size_t i = 0; i < *n; i++) {
		char **name = table ? &t.columns[i].name : &s.tables[i].name;
		(*names)[i] = *name;
		*name = NULL;
	}
	ret = 0;
out:
	if (table) {   /* t is not the schema's to free */
		s.tables = NULL;
		s.n_tables = 0;
	}
	ofb_schema_free(&s);
	ofb_table_free(&t);
	scope_close(&sc);
	return ret;
}

int ofb_schema_table_names(struct ofb_db *db, char ***names, size_t *n,
			   struct ofb_error *err)
{
	return catalog_names(db, NULL, names, n, err);
}

int ofb_schema_column_names(struct ofb_db *db, const char *table, char ***names, size_t *n,
			    struct ofb_error *err)
{
	return catalog_names(db, table, names, n, err);
}

static int cmp_tables(const void *a, const void *b)
{
	return ofb_table_cmp(a, b);
}

/* The scope of another schema of the same catalog. */
static void scope_of_schema(struct ofb_db *db, const struct scope *base, const char *schema,
			    struct scope *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->catalog_name = base->catalog_name ? xstrdup(base->catalog_name) : NULL;
	sc->schema_name = xstrdup(schema);
	sc->catalog = base->catalog_name ? utf8_to_w(base->catalog_name, NULL) : NULL;
	sc->schema = utf8_to_w(schema, NULL);
	sc->escape = search_escape(db);
}

/* The scope of table t's schema among the n scopes of a survey. */
static const struct scope *table_scope(const struct scope *scopes, size_t n,
				       const struct ofb_table *t)
{
	for (size_t k = 1; t->schema && k < n; k++)
		if (strcmp(scopes[k].schema_name, t->schema) == 0)
			return &scopes[k];
	return &scopes[0];
}

/* Primary keys, indexes, foreign keys and what table_extra adds, for every table: each
 * from the driver's query for the whole database where it has one, else by the catalog
 * function for each table. */
static int read_keys(struct ofb_db *db, const struct scope *scopes, size_t n_scopes,
		     struct ofb_schema *s, struct ofb_error *err)
{
	const struct ofb_driver *drv = db->drv;
	const char *default_schema = scopes[0].schema_name;
	static const enum cat_call calls[] = { CAT_PRIMARY_KEY, CAT_INDEXES, CAT_FOREIGN_KEYS };
	const char *bulk[] = { drv->primary_keys_query, drv->indexes_query,
			       drv->foreign_keys_query };
	catalog_row_fn *rows[] = { primary_key_row, index_row, foreign_key_row };
	struct ofb_table *t = NULL;

	for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
		if (bulk[c]) {
			if (read_catalog_rows(db, &scopes[0], s, calls[c], NULL, bulk[c], rows[c],
					      default_schema, err) != 0)
				return -1;
			continue;
		}
		for (size_t i = 0; i < s->n_tables; i++) {
			t = &s->tables[i];
			if (read_catalog_rows(db, table_scope(scopes, n_scopes, t), s, calls[c], t,
					      NULL, rows[c], default_schema, err) != 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < s->n_tables; i++) {
		t = &s->tables[i];
		primary_key_done(t);
		indexes_done(drv, t);
		if (ofb_drv_table_extra(db, t, err) != 0)
			goto fail;
	}
	return 0;
fail:
	{
		char *label = ofb_table_label(t);
		ofb_error_prefix(err, "table '%s'", label);
		free(label);
	}
	return -1;
}

int ofb_schema_read(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	struct scope *scopes = xcalloc(1, sizeof *scopes);
	char **others = NULL;
	size_t n_others = 0, n_scopes = 1;
	int ret = -1;

	memset(s, 0, sizeof *s);
	s->engine = xstrdup(db->drv->name);
	s->dbms_name = xstrdup(db->dbms_name);
	s->dbms_version = xstrdup(db->dbms_version);
	if (scope_open(db, &scopes[0], err) != 0)
		goto out;
	s->database = xstrdup(scopes[0].schema_name ? scopes[0].schema_name
			      : scopes[0].catalog_name ? scopes[0].catalog_name : "");
	if (list_tables(db, &scopes[0], s, err) != 0 ||
	    ofb_drv_other_schemas(db, &others, &n_others, err) != 0)
		goto out;
	/* the tables of the other schemas, each read in its own schema's scope */
	scopes = xrealloc(scopes, (1 + n_others) * sizeof *scopes);
	for (size_t k = 0; k < n_others; k++) {
		size_t before = s->n_tables;
		scope_of_schema(db, &scopes[0], others[k], &scopes[n_scopes++]);
		if (list_tables(db, &scopes[n_scopes - 1], s, err) != 0)
			goto out;
		for (size_t j = before; j < s->n_tables; j++)
			s->tables[j].schema = xstrdup(others[k]);
	}
	qsort(s->tables, s->n_tables, sizeof *s->tables, cmp_tables);
	for (size_t i = 1; i < s->n_tables; i++)
		if (ofb_table_cmp(&s->tables[i - 1], &s->tables[i]) == 0) {
			ofb_error_set(err, "the catalog lists table '%s' twice", s->tables[i].name);
			goto out;
		}
	for (size_t k = 0; k < n_scopes; k++)
		if (read_columns(db, &scopes[k], s, k ? scopes[k].schema_name : NULL,
				 db->drv->catalog_all_columns, err) != 0)
			goto out;
	if (read_keys(db, scopes, n_scopes, s, err) != 0)
		goto out;
	if (db->drv->schema_extra && db->drv->schema_extra(db, s, err) != 0)
		goto out;
	if (ofb_drv_read_objects(db, s, err) != 0) {
		ofb_error_prefix(err, "cannot read the objects besides tables");
		goto out;
	}
	/* what a restore would refuse to run is not written at all */
	{
		char **vetted;
		size_t n;
		ofb_schema_vet(s, &vetted, &n);
		s->notes = xrealloc(s->notes, (s->n_notes + n + 1) * sizeof *s->notes);
		memcpy(s->notes + s->n_notes, vetted, n * sizeof *vetted);
		s->n_notes += n;
		free(vetted);
	}
	ret = 0;
out:
	if (ret != 0)
		ofb_schema_free(s);
	for (size_t k = 0; k < n_scopes; k++)
		scope_close(&scopes[k]);
	free(scopes);
	for (size_t k = 0; k < n_others; k++)
		free(others[k]);
	free(others);
	return ret;
}

