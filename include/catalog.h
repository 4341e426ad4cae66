/* catalog.h - a live database's schema, read through the ODBC catalog functions and the
 * engine driver's hooks. */
#ifndef OFB_CATALOG_H
#define OFB_CATALOG_H

#include <stddef.h>
#include "error.h"
#include "schema.h"

struct ofb_db;
/* Read every user table of db's current database/schema via the ODBC catalog and the
 * driver's hooks. Tables are sorted by name. */
int ofb_schema_read(struct ofb_db *db, struct ofb_schema *out, struct ofb_error *err);

/* Just the names of db's user tables (malloc'd array of malloc'd names). */
int ofb_schema_table_names(struct ofb_db *db, char ***names, size_t *n,
			   struct ofb_error *err);

/* The names of table's columns. */
int ofb_schema_column_names(struct ofb_db *db, const char *table, char ***names, size_t *n,
			    struct ofb_error *err);

#endif
