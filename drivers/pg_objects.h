/* pg_objects.h - the PostgreSQL driver's hooks for objects besides tables (pg_objects.c);
 * internal to the PostgreSQL driver. */
#ifndef OFB_PG_OBJECTS_H
#define OFB_PG_OBJECTS_H

#include "error.h"

/* SQL shared by the driver's files. The schemas of the database's own objects: all but
 * the system ones. */
#define USER_NS(ns) \
	ns " IN (SELECT n.oid FROM pg_namespace n WHERE n.nspname NOT IN ('pg_catalog', " \
	"'information_schema') AND n.nspname NOT LIKE 'pg\\_%')"
/* An object's schema as its record gives it: NULL for the current (default) schema. */
#define SCH(ns) \
	"CASE WHEN " ns " = current_schema()::regnamespace THEN NULL ELSE " \
	"(SELECT n.nspname FROM pg_namespace n WHERE n.oid = " ns ") END"

struct ofb_db;
struct ofb_schema;

int pg_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err);
int pg_drop_objects(struct ofb_db *db, int after_tables, struct ofb_error *err);
int pg_finish_objects(struct ofb_db *db, const struct ofb_schema *s, struct ofb_error *err);
int pg_load_session(struct ofb_db *db, struct ofb_error *err);

#endif
