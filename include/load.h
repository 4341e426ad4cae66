/* load.h - restoring one database of a package into a live database: tables, data in
 * batches, indexes, foreign keys, identity state (docs/FORMAT.md). */
#ifndef OFB_LOAD_H
#define OFB_LOAD_H

#include "error.h"
#include "schema.h"

struct ofb_db;
struct ofb_reader;

struct ofb_load_stats {
	size_t tables;
	unsigned long long rows;
	size_t warnings;          /* values whose representation changed (reported) */
};

/* The user tables db holds now (0 for an empty database). */
int ofb_load_count_tables(struct ofb_db *db, size_t *n, struct ofb_error *err);

/* Restore src (a database folder of the package behind r) into db. With replace, the
 * tables db holds are dropped first; without, db must hold none. Runs in one transaction
 * where the engine has transactional DDL (a failure then leaves db as it was); elsewhere a
 * failure drops the tables this call created. subject names the database in messages. */
int ofb_load_database(struct ofb_db *db, struct ofb_reader *r, struct ofb_schema *src,
		      int replace, const char *subject, struct ofb_load_stats *stats,
		      struct ofb_error *err);

/* Open a connection to connstr, creating the database first when it does not exist
 * (SQLite: the file; server engines: CREATE DATABASE through the driver's maintenance
 * database, given the right to). *created tells whether it did. */
/* 0 when a database that cannot be opened now can be created: SQLite: its folder is
 * writable; server engines: the server answers. Else -1 with err saying why. */
int ofb_load_can_create(const char *connstr, struct ofb_error *err);

int ofb_load_open_target(const char *connstr, struct ofb_db **out, int *created,
			 struct ofb_error *err);

#endif
