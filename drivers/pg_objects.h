/* pg_objects.h - the PostgreSQL driver's hooks for objects besides tables (pg_objects.c);
 * internal to the PostgreSQL driver. */
#ifndef OFB_PG_OBJECTS_H
#define OFB_PG_OBJECTS_H

#include "error.h"

struct ofb_db;
struct ofb_schema;

int pg_read_objects(struct ofb_db *db, struct ofb_schema *s, struct ofb_error *err);
int pg_drop_objects(struct ofb_db *db, int after_tables, struct ofb_error *err);
int pg_finish_objects(struct ofb_db *db, const struct ofb_schema *s, struct ofb_error *err);
int pg_load_session(struct ofb_db *db, struct ofb_error *err);

#endif
