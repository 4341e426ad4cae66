/* mariadb.c - MariaDB/MySQL through MariaDB Connector/ODBC: consistent-snapshot
 * transactions, chunked reads (the connector buffers whole results), and the column
 * details its catalog functions get wrong (nullability, fractional seconds, booleans). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "odbc.h"
#include "schema.h"

static int my_matches(const char *dbms_name)
{
	return strncasecmp(dbms_name, "MariaDB", 7) == 0 ||
	       strncasecmp(dbms_name, "MySQL", 5) == 0;
}

static int my_session(struct ofb_db *db, struct ofb_error *err)
{
	/* UTC so TIMESTAMP text is not shifted by the server's zone; REPEATABLE READ for the
	 * snapshot transaction. */
	return ofb_db_exec(db, "SET time_zone = '+00:00'", err) ||
	       ofb_db_exec(db, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", err)
		       ? -1 : 0;
}

static int my_snapshot(struct ofb_db *db, char **warning, struct ofb_error *err)
{
	(void)warning;
	if (ofb_db_begin(db, err) != 0)
		return -1;
	return ofb_db_exec(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", err);
}

static int my_scope(struct ofb_db *db, char **catalog, char **schema, struct ofb_error *err)
{
	(void)schema;
	if (ofb_db_query_value(db, "SELECT DATABASE()", catalog, err) != 0)
		return -1;
	if (!*catalog) {
		ofb_error_set(err, "no database selected: add Database=... to the connection");
		return -1;
	}
	return 0;
}

/* information_schema knows what the connector's SQLColumns does not tell reliably. */
static int my_table_extra(struct ofb_db *db, struct ofb_table *t, struct ofb_error *err)
{
	SQLHSTMT st = NULL;
	const char *args[1] = { t->name };
	char *v[5] = { 0 }, *next = NULL;
	SQLRETURN rc;
	int ret = -1;

	if (ofb_db_query_args(db,
			      "SELECT COLUMN_NAME, IS_NULLABLE, COLUMN_TYPE, DATETIME_PRECISION, EXTRA "
			      "FROM information_schema.COLUMNS "
			      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
			      args, 1, &st, err) != 0)
		goto out;
	while ((rc = SQLFetch(st)) != SQL_NO_DATA) {
		struct ofb_column *c = NULL;
		if (!SQL_SUCCEEDED(rc)) {
			ofb_odbc_error(err, SQL_HANDLE_STMT, st, "cannot read column details");
			goto out;
		}
		for (int i = 0; i < 5; i++) {
			free(v[i]);
			v[i] = NULL;
			if (ofb_get_text(st, i + 1, &v[i], err) != 0)
				goto out;
		}
		for (size_t i = 0; v[0] && i < t->n_columns; i++)
			if (strcmp(t->columns[i].name, v[0]) == 0)
				c = &t->columns[i];
		if (!c)
			continue;
		c->nullable = v[1] && strcmp(v[1], "YES") == 0;
		if (v[2]) {
			free(c->native_type);
			c->native_type = xstrdup(v[2]);
			if (strcmp(v[2], "tinyint(1)") == 0)
				c->type = OFB_T_BOOLEAN;
			else if (strcmp(v[2], "uuid") == 0)   /* reported as binary */
				c->type = OFB_T_UUID;
			else if (strcmp(v[2], "inet4") == 0 || strcmp(v[2], "inet6") == 0)
				c->type = OFB_T_OTHER;
			else if (strncmp(v[2], "year", 4) == 0)
				c->type = OFB_T_SMALLINT;
		}
		if (v[3] && (c->type == OFB_T_TIME || c->type == OFB_T_TIMESTAMP))
			c->scale = atoi(v[3]);
		if (v[4] && strstr(v[4], "auto_increment")) {
			c->identity = 1;
			free(t->identity_column);
			t->identity_column = xstrdup(c->name);
		}
	}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	st = NULL;
	if (t->identity_column) {
		if (ofb_db_query_args(db, "SELECT AUTO_INCREMENT FROM information_schema.TABLES "
				      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
				      args, 1, &st, err) != 0)
			goto out;
		if (SQL_SUCCEEDED(SQLFetch(st)) && ofb_get_text(st, 1, &next, err) != 0)
			goto out;
		t->identity_next = next ? atoll(next) : 0;
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		st = NULL;
	}
	{
		struct buf sql;
		buf_init(&sql);
		buf_adds(&sql, "SHOW CREATE TABLE ");
		ofb_drv_quote(db->drv, &sql, t->name);
		ret = ofb_db_query(db, sql.data, &st, err);
		buf_free(&sql);
		if (ret != 0)
			goto out;
		ret = -1;
		if (SQL_SUCCEEDED(SQLFetch(st)) && ofb_get_text(st, 2, &t->native_ddl, err) != 0)
			goto out;
	}
	ret = 0;
out:
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (int i = 0; i < 5; i++)
		free(v[i]);
	free(next);
	return ret;
}

static void my_type_ddl(const struct ofb_column *col, struct buf *sql)
{
	switch (col->type) {
	case OFB_T_BOOLEAN: buf_adds(sql, "tinyint(1)"); break;
	case OFB_T_SMALLINT: buf_adds(sql, "smallint"); break;
	case OFB_T_INTEGER: buf_adds(sql, "int"); break;
	case OFB_T_BIGINT: buf_adds(sql, "bigint"); break;
	case OFB_T_DECIMAL: {
		/* MariaDB: precision 1..65, scale 0..38 and not above the precision. Unknown
		 * precision (unbounded numeric) gets the widest that keeps fractions. */
		int scale = col->precision > 0 ? col->scale : 30;
		int precision = col->precision > 0 ? col->precision : 65;
		if (scale > 38)
			scale = 38;
		if (precision < scale)
			precision = scale;
		if (precision > 65)
			precision = 65;
		buf_addf(sql, "decimal(%d,%d)", precision, scale);
		break;
	}
	case OFB_T_REAL: buf_adds(sql, "float"); break;
	case OFB_T_DOUBLE: buf_adds(sql, "double"); break;
	case OFB_T_CHAR:
		if (col->length > 0 && col->length <= 255)
			buf_addf(sql, "char(%ld)", col->length);
		else
			buf_adds(sql, "longtext");
		break;
	case OFB_T_VARCHAR:
		if (col->length > 0 && col->length <= 16383)
			buf_addf(sql, "varchar(%ld)", col->length);
		else
			buf_adds(sql, "longtext");
		break;
	case OFB_T_BINARY:
		if (col->length > 0 && col->length <= 255)
			buf_addf(sql, "binary(%ld)", col->length);
		else
			buf_adds(sql, "longblob");
		break;
	case OFB_T_VARBINARY:
		if (col->length > 0 && col->length <= 65535)
			buf_addf(sql, "varbinary(%ld)", col->length);
		else
			buf_adds(sql, "longblob");
		break;
	case OFB_T_BLOB: buf_adds(sql, "longblob"); break;
	case OFB_T_DATE: buf_adds(sql, "date"); break;
	case OFB_T_TIME: buf_addf(sql, "time(%d)", col->scale > 6 ? 6 : col->scale); break;
	case OFB_T_TIMESTAMP:
	case OFB_T_TIMESTAMPTZ:
		buf_addf(sql, "datetime(%d)", col->scale > 6 ? 6 : col->scale);
		break;
	case OFB_T_UUID: buf_adds(sql, "char(36)"); break;
	case OFB_T_TEXT:
	case OFB_T_OTHER: buf_adds(sql, "longtext"); break;
	}
}

const struct ofb_driver ofb_driver_mariadb = {
	.name = "mariadb",
	.matches = my_matches,
	/* utf8mb4 for characters beyond the BMP; set at connect so the connector converts
	 * with the same character set the server sends. */
	.connect_options = "CHARSET=utf8mb4",
	.quote_open = '`',
	.quote_close = '`',
	.chunk_rows = 5000,
	.session_setup = my_session,
	.begin_snapshot = my_snapshot,
	.catalog_scope = my_scope,
	.table_extra = my_table_extra,
	.type_ddl = my_type_ddl,
};
