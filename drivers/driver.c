/* driver.c - choosing an engine driver, and the generic ODBC behaviour behind every hook a
 * driver leaves NULL. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "odbc.h"
#include "schema.h"

static int generic_matches(const char *dbms_name)
{
	(void)dbms_name;
	return 1;
}

const struct ofb_driver ofb_driver_generic = {
	.name = "generic",
	.matches = generic_matches,
};

static const struct ofb_driver *const drivers[] = {
	&ofb_driver_sqlite,
	&ofb_driver_postgresql,
	&ofb_driver_mariadb,
	&ofb_driver_sqlserver,
	&ofb_driver_generic,
};

const struct ofb_driver *ofb_driver_for(const char *dbms_name)
{
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
		if (drivers[i]->matches(dbms_name ? dbms_name : ""))
			return drivers[i];
	return &ofb_driver_generic;
}

char *ofb_drv_probe_options(void)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
		if (!drivers[i]->probe_options)
			continue;
		if (b.len)
			buf_addc(&b, ';');
		buf_adds(&b, drivers[i]->probe_options);
	}
	return buf_detach(&b);
}

const struct ofb_driver *ofb_driver_for_connstr(const char *connstr)
{
	char *name = ofb_connstr_lookup(connstr, "Driver");
	const struct ofb_driver *found = NULL;

	for (size_t i = 0; name && !found && i < sizeof drivers / sizeof drivers[0]; i++)
		if (drivers[i]->driver_name_matches && drivers[i]->driver_name_matches(name))
			found = drivers[i];
	free(name);
	return found;
}

int ofb_drv_is_pk_index(const struct ofb_driver *drv, const char *name)
{
	return drv->is_pk_index && name && drv->is_pk_index(name);
}

int ofb_drv_keyset_unsafe(const struct ofb_driver *drv, const struct ofb_column *col)
{
	return drv->keyset_unsafe && drv->keyset_unsafe(col);
}

int ofb_drv_is_system_name(const struct ofb_driver *drv, const char *name)
{
	return drv->system_prefix && name &&
	       strncmp(name, drv->system_prefix, strlen(drv->system_prefix)) == 0;
}

const struct ofb_driver *ofb_driver_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

/* Contract: the name is enclosed in the driver's quotes and every closing quote character
 * inside it is doubled, which is how all supported engines escape it. */
void ofb_drv_quote(const struct ofb_driver *drv, struct buf *sql, const char *ident)
{
	char open = drv->quote_open ? drv->quote_open : '"';
	char close = drv->quote_close ? drv->quote_close : open;

	buf_addc(sql, open);
	for (const char *p = ident; *p; p++) {
		if (*p == close)
			buf_addc(sql, close);
		buf_addc(sql, *p);
	}
	buf_addc(sql, close);
}

/* SQL-standard quoting, no engine extensions: the strictest reading of native SQL. */
static const char *const generic_default_keywords[] = {
	"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "TRUE", "FALSE", "NULL", NULL
};

static const struct ofb_sql_dialect generic_dialect = {
	.flags = OFB_SQL_SCHEMAS,
	.default_keywords = generic_default_keywords,
};

const struct ofb_sql_dialect *ofb_drv_dialect(const struct ofb_driver *drv)
{
	return drv && drv->dialect ? drv->dialect : &generic_dialect;
}

int ofb_drv_session_setup(struct ofb_db *db, struct ofb_error *err)
{
	return db->drv->session_setup ? db->drv->session_setup(db, err) : 0;
}

int ofb_drv_begin_snapshot(struct ofb_db *db, char **warning, struct ofb_error *err)
{
	*warning = NULL;
	if (db->drv->begin_snapshot)
		return db->drv->begin_snapshot(db, warning, err);
	if (ofb_db_begin(db, err) != 0)
		return -1;
	*warning = xasprintf("engine '%s' has no known snapshot mode: tables are read in one "
			     "transaction at the driver's default isolation", db->dbms_name);
	return 0;
}

int ofb_drv_state_mark(struct ofb_db *db, char **mark, struct ofb_error *err)
{
	*mark = NULL;
	if (db->drv->state_mark && db->drv->state_mark(db, mark, err) != 0) {
		free(*mark);
		*mark = NULL;
		return -1;
	}
	return 0;
}

int ofb_drv_lock_tables(struct ofb_db *db, const struct ofb_table *tables, size_t n,
			struct ofb_error *err)
{
	return db->drv->lock_tables ? db->drv->lock_tables(db, tables, n, err) : 0;
}

int ofb_drv_read_window(struct ofb_db *db, struct ofb_table *tables, size_t n, size_t i,
			size_t window_bytes, struct ofb_error *err)
{
	return db->drv->read_window ? db->drv->read_window(db, tables, n, i, window_bytes, err) : 0;
}

int ofb_drv_catalog_scope(struct ofb_db *db, char **catalog, char **schema,
			  struct ofb_error *err)
{
	*catalog = NULL;
	*schema = NULL;
	return db->drv->catalog_scope ? db->drv->catalog_scope(db, catalog, schema, err) : 0;
}

int ofb_drv_other_schemas(struct ofb_db *db, char ***names, size_t *n, struct ofb_error *err)
{
	*names = NULL;
	*n = 0;
	return db->drv->other_schemas ? db->drv->other_schemas(db, names, n, err) : 0;
}

void ofb_drv_refine_column(const struct ofb_driver *drv, struct ofb_column *col)
{
	if (drv->refine_column)
		drv->refine_column(col);
}

int ofb_drv_table_extra(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err)
{
	return db->drv->table_extra ? db->drv->table_extra(db, t, err) : 0;
}

int ofb_drv_table_rows(struct ofb_db *db, struct ofb_schema *s, const char *sql, int n,
		       int with_schema, ofb_drv_table_row_fn *row, void *ctx, const char *what,
		       struct ofb_error *err)
{
	struct ofb_table *t = NULL;
	SQLHSTMT st = NULL;
	char *v[8] = { NULL };
	int rc;

	if (n > 8)
		n = 8;
	if (ofb_db_query(db, sql, &st, err) != 0) {
		ofb_error_prefix(err, "%s", what);
		return -1;
	}
	/* rows of one table come one after another: the table is looked up when it changes */
	while ((rc = ofb_fetch_texts(st, v, n, what, err)) > 0)
		if (ofb_schema_find_next(s, with_schema ? v[0] : NULL, v[with_schema ? 1 : 0], &t))
			row(t, v, ctx);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < n; i++)
		free(v[i]);
	return rc < 0 ? -1 : 0;
}

int ofb_drv_objects_from_query(struct ofb_db *db, struct ofb_schema *s, const char *sql,
			       struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *v[5] = { NULL };
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query(db, sql, &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch_texts(st, v, 5, "cannot list the objects", err)) > 0) {
		enum ofb_obj_kind kind;
		if (!v[0] || !v[1] || !v[3])
			continue;
		if (ofb_object_kind_parse(v[0], &kind) != 0) {
			ofb_error_set(err, "the catalog lists '%s' of an unknown kind '%s'", v[1], v[0]);
			goto out;
		}
		ofb_schema_add_object(s, kind, v[1], v[2], v[3])->schema = v[4];
		v[3] = v[4] = NULL;
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < 5; i++)
		free(v[i]);
	return ret;
}

int ofb_drv_exec_listed(struct ofb_db *db, const char *sql, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	char *stmt = NULL, **stmts = NULL;
	size_t n = 0;
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query(db, sql, &st, err) != 0)
		return -1;
	while ((rc = ofb_fetch(st, "cannot list the objects", err)) > 0) {
		if (ofb_get_text(st, 1, &stmt, err) != 0)
			goto out;
		if (!stmt)
			continue;
		stmts = xrealloc(stmts, (n + 1) * sizeof *stmts);
		stmts[n++] = stmt;
		stmt = NULL;
	}
	if (rc < 0)
		goto out;
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	st = NULL;
	ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = ofb_db_exec(db, stmts[i], err);
out:
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (size_t i = 0; i < n; i++)
		free(stmts[i]);
	free(stmts);
	free(stmt);
	return ret;
}

int ofb_drv_generated_ddl(const struct ofb_driver *drv, const struct ofb_column *col,
			  struct buf *sql)
{
	if (!drv->generated_ddl || !col->generation)
		return 0;
	drv->generated_ddl(col, sql);
	return 1;
}

void ofb_drv_quote_table(const struct ofb_driver *drv, struct buf *sql, const char *schema,
			 const char *name)
{
	if (schema) {
		ofb_drv_quote(drv, sql, schema);
		buf_addc(sql, '.');
	}
	ofb_drv_quote(drv, sql, name);
}

int ofb_drv_has_objects(const struct ofb_driver *drv)
{
	return drv && drv->read_objects != NULL;
}

int ofb_drv_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err)
{
	return db->drv->read_objects ? db->drv->read_objects(db, s, err) : 0;
}

int ofb_drv_drop_objects(struct ofb_db *db, int after_tables, struct ofb_error *err)
{
	return db->drv->drop_objects ? db->drv->drop_objects(db, after_tables, err) : 0;
}

int ofb_drv_finish_objects(struct ofb_db *db, const struct ofb_schema *s,
			   struct ofb_error *err)
{
	return db->drv->finish_objects ? db->drv->finish_objects(db, s, err) : 0;
}

/* Generic DDL: the SQL-standard spelling of each portable type. */
static void generic_type_ddl(const struct ofb_column *col, struct buf *sql)
{
	switch (col->type) {
	case OFB_T_BOOLEAN: buf_adds(sql, "BOOLEAN"); break;
	case OFB_T_SMALLINT: buf_adds(sql, "SMALLINT"); break;
	case OFB_T_INTEGER: buf_adds(sql, "INTEGER"); break;
	case OFB_T_BIGINT: buf_adds(sql, "BIGINT"); break;
	case OFB_T_DECIMAL:
		if (col->precision > 0)
			buf_addf(sql, "DECIMAL(%d,%d)", col->precision, col->scale);
		else
			buf_adds(sql, "DECIMAL");
		break;
	case OFB_T_REAL: buf_adds(sql, "REAL"); break;
	case OFB_T_DOUBLE: buf_adds(sql, "DOUBLE PRECISION"); break;
	case OFB_T_CHAR: buf_addf(sql, "CHAR(%ld)", col->length > 0 ? col->length : 1); break;
	case OFB_T_VARCHAR:
		if (col->length > 0)
			buf_addf(sql, "VARCHAR(%ld)", col->length);
		else
			buf_adds(sql, "VARCHAR(4000)");
		break;
	case OFB_T_BINARY: buf_addf(sql, "BINARY(%ld)", col->length > 0 ? col->length : 1); break;
	case OFB_T_VARBINARY:
		buf_addf(sql, "VARBINARY(%ld)", col->length > 0 ? col->length : 8000);
		break;
	case OFB_T_BLOB: buf_adds(sql, "BLOB"); break;
	case OFB_T_DATE: buf_adds(sql, "DATE"); break;
	case OFB_T_TIME: buf_addf(sql, "TIME(%d)", col->scale); break;
	case OFB_T_TIMESTAMP: buf_addf(sql, "TIMESTAMP(%d)", col->scale); break;
	case OFB_T_TIMESTAMPTZ: buf_addf(sql, "TIMESTAMP(%d) WITH TIME ZONE", col->scale); break;
	case OFB_T_UUID: buf_adds(sql, "CHAR(36)"); break;
	case OFB_T_TEXT:
	case OFB_T_OTHER: buf_adds(sql, "CLOB"); break;
	}
}

void ofb_drv_type_ddl(const struct ofb_driver *drv, const struct ofb_column *col,
		      struct buf *sql)
{
	if (drv->type_ddl)
		drv->type_ddl(col, sql);
	else
		generic_type_ddl(col, sql);
}

void ofb_drv_limit(const struct ofb_driver *drv, struct buf *sql, unsigned long n)
{
	if (drv->limit_clause)
		drv->limit_clause(sql, n);
	else
		buf_addf(sql, " LIMIT %lu", n);
}

int ofb_drv_select_column(const struct ofb_driver *drv, const struct ofb_column *col,
			  struct buf *sql)
{
	return drv->select_column ? drv->select_column(drv, col, sql) : 0;
}

int ofb_drv_slice_column(const struct ofb_db *db, const struct ofb_table *t,
			 const struct ofb_column *col, unsigned long long over, struct buf *sql,
			 const char **part)
{
	return db->drv->slice_column ? db->drv->slice_column(db, t, col, over, sql, part) : 0;
}

void ofb_drv_long_length(const struct ofb_driver *drv, const struct ofb_column *col,
			 unsigned long long over, const char *bytes_fn, const char *units_fn,
			 struct buf *sql)
{
	buf_addf(sql, "CASE WHEN %s(", bytes_fn);
	ofb_drv_quote(drv, sql, col->name);
	buf_addf(sql, ") > %llu THEN %s(", over, units_fn);
	ofb_drv_quote(drv, sql, col->name);
	buf_adds(sql, ") ELSE 0 END");
}

unsigned ofb_drv_max_params(const struct ofb_db *db)
{
	if (db->max_params)
		return db->max_params;
	return db->drv->max_params ? db->drv->max_params : 2000;
}

int ofb_drv_create_database(struct ofb_db *db, const char *name, struct ofb_error *err)
{
	struct buf sql;
	int ret;

	buf_init(&sql);
	buf_adds(&sql, "CREATE DATABASE ");
	ofb_drv_quote(db->drv, &sql, name);
	if (db->drv->create_database_options)
		buf_addf(&sql, " %s", db->drv->create_database_options);
	ret = ofb_db_exec(db, sql.data, err);
	buf_free(&sql);
	return ret;
}

int ofb_drv_load_session(struct ofb_db *db, struct ofb_error *err)
{
	return db->drv->load_session ? db->drv->load_session(db, err) : 0;
}

int ofb_drv_key_ordered(struct ofb_db *db, const struct ofb_table *t, struct ofb_error *err)
{
	return db->drv->key_ordered ? db->drv->key_ordered(db, t, err) : 0;
}

void ofb_drv_text_literal(const struct ofb_driver *drv, struct buf *sql, const char *s,
			  size_t n)
{
	if (drv->text_literal)
		drv->text_literal(sql, s, n);
	else
		ofb_sql_add_string_n(ofb_drv_dialect(drv), sql, s, n);
}

void ofb_drv_identity_ddl(const struct ofb_driver *drv, const struct ofb_column *col,
			  struct buf *sql)
{
	if (drv->identity_ddl)
		drv->identity_ddl(col, sql);
}

int ofb_drv_set_identity(struct ofb_db *db, const struct ofb_table *t, const char *column,
			 long long next, struct ofb_error *err)
{
	return db->drv->set_identity ? db->drv->set_identity(db, t, column, next, err) : 0;
}

const char *ofb_drv_value_check(const struct ofb_driver *drv, const struct ofb_column *col,
				const char *value, size_t len, int *warn)
{
	*warn = 0;
	return drv->value_check ? drv->value_check(col, value, len, warn) : NULL;
}

char *ofb_drv_adapt_value(const struct ofb_driver *drv, const struct ofb_column *col,
			  const char *value, size_t len)
{
	return drv->adapt_value ? drv->adapt_value(col, value, len) : NULL;
}

/* Digits a decimal text has before and after the point, with an exponent applied
 * ("1.5e-05" has 6 after): leading zeros before the point and trailing zeros after it do
 * not count. -1 when v is no decimal number (NaN and the like). */
int ofb_decimal_shape(const char *v, size_t len, int *before, int *after)
{
	char digits[512];
	size_t i = 0, n = 0, point = 0, first, last;
	int seen_point = 0;
	long exp = 0;

	if (i < len && (v[i] == '-' || v[i] == '+'))
		i++;
	for (; i < len && (isdigit((unsigned char)v[i]) || (v[i] == '.' && !seen_point)); i++) {
		if (v[i] == '.') {
			seen_point = 1;
			point = n;
		} else if (n < sizeof digits) {
			digits[n++] = v[i];
		} else {
			return -1;
		}
	}
	if (!seen_point)
		point = n;
	if (n == 0)
		return -1;
	if (i < len && (v[i] == 'e' || v[i] == 'E')) {
		char *end;
		char *e = xstrndup(v + i + 1, len - i - 1);
		exp = strtol(e, &end, 10);
		i = *end == '\0' && end != e ? len : i;
		free(e);
		if (exp > 400 || exp < -400)
			return -1;
	}
	if (i != len)
		return -1;
	/* the point moves by the exponent */
	for (first = 0; first < n && digits[first] == '0'; first++)
		;
	for (last = n; last > 0 && digits[last - 1] == '0'; last--)
		;
	{
		long p = (long)point + exp;
		*before = first < n && p > (long)first ? (int)(p - (long)first) : 0;
		*after = last > 0 && (long)last > p ? (int)((long)last - p) : 0;
	}
	return 0;
}

/* Fractional digits of seconds in a time text, trailing zeros not counted; and whether
 * it ends in an offset from UTC (+02, -05:30, Z). */
static void time_shape(const char *v, size_t len, int *frac, int *offset)
{
	const char *dot = memchr(v, '.', len);
	size_t i;

	*frac = 0;
	*offset = 0;
	if (dot)
		for (i = (size_t)(dot - v) + 1; i < len && isdigit((unsigned char)v[i]); i++)
			if (v[i] != '0')
				*frac = (int)(i - (size_t)(dot - v));
	/* past the date's own '-' signs: an offset sign after the time */
	for (i = len > 8 ? len - 6 : 0; i < len; i++)
		if ((v[i] == '+' || v[i] == '-') && i > 10)
			*offset = 1;
	if (len && v[len - 1] == 'Z')
		*offset = 1;
}

const char *ofb_value_fits_type(const struct ofb_column *col, const char *v, size_t len)
{
	int before, after;

	switch (col->type) {
	case OFB_T_SMALLINT:
	case OFB_T_INTEGER:
	case OFB_T_BIGINT:
		if (ofb_decimal_shape(v, len, &before, &after) != 0 || after > 0)
			return "the value is not a whole number";
		return NULL;
	case OFB_T_DECIMAL:
		if (col->precision <= 0)
			return NULL;   /* unbounded: the engine decides */
		if (ofb_decimal_shape(v, len, &before, &after) != 0)
			return len == 3 && memcmp(v, "NaN", 3) == 0 ? NULL
			       : "the value is not a decimal number";
		if (after > col->scale)
			return "the value has more digits after the point than the column's scale";
		if (before > col->precision - col->scale)
			return "the value has more digits before the point than the column holds";
		return NULL;
	case OFB_T_TIME:
	case OFB_T_TIMESTAMP:
	case OFB_T_TIMESTAMPTZ: {
		int frac, offset;
		time_shape(v, len, &frac, &offset);
		if (frac > 6)
			return "the value has more than 6 digits of fractional seconds, more than "
			       "this engine keeps";
		if (offset && col->type != OFB_T_TIMESTAMPTZ)
			return "the value has an offset from UTC, which a column without time zone "
			       "does not keep";
		return NULL;
	}
	default:
		return NULL;
	}
}
