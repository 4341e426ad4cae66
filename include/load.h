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
	size_t objects;           /* views, triggers, routines ... made */
	unsigned long long rows;
	size_t warnings;          /* values whose representation changed (reported) */
	size_t tables_left;       /* made by a failed load, not dropped again (warned of) */
};

/* Asked before the first change a failure could not take back: making a database, the
 * commit of a load where DDL is transactional, else before anything is dropped or made
 * (with OFB_LOAD_BESIDE: before the load ends); non-zero, with err set, stops there. */
struct ofb_load_gate {
	int (*pass)(void *ctx, struct ofb_error *err);
	/* without waiting: whether pass would fail (NULL: not known before pass) */
	int (*failed)(void *ctx);
	void *ctx;
};

/* The user tables db holds now (0 for an empty database). */
int ofb_load_count_tables(struct ofb_db *db, size_t *n, struct ofb_error *err);

/* Restore src (a database folder of the package behind r) into db: tables, data, then its
 * other objects in the order their dependencies need (same engine only: on another, each
 * object is named in a warning, or with OFB_LOAD_STRICT refused). With OFB_LOAD_REPLACE,
 * the tables and objects db holds are dropped first; without, db must hold no tables.
 * Runs in one transaction where the engine has transactional DDL (a failure then leaves db
 * as it was); elsewhere a failure drops the tables this call created. subject names the
 * database in messages. connstr is db's connection string, for a second connection that
 * loads beside db where no transaction spans the load (NULL: db alone). */
enum {
	OFB_LOAD_REPLACE = 1 << 0,   /* drop what the database holds first */
	OFB_LOAD_STRICT = 1 << 1,    /* objects that cannot be carried to this engine are an
				      * error before anything changes, not warnings */
	/* Without transactional DDL, into a database that holds no tables, of a src that
	 * ofb_load_tables_only: the tables, rows, indexes and keys, which a failure drops
	 * again, go in before the gate passes (which is then asked before the load ends);
	 * else it is asked first, as without the flag. */
	OFB_LOAD_BESIDE = 1 << 2
};
/* Whether src holds tables alone: no other objects (views, triggers, routines, types,
 * sequences of their own), no tables of other schemas. */
int ofb_load_tables_only(const struct ofb_schema *src);
int ofb_load_database(struct ofb_db *db, const char *connstr, struct ofb_reader *r,
		      struct ofb_schema *src, unsigned flags, const char *subject,
		      const struct ofb_load_gate *gate, struct ofb_load_stats *stats,
		      struct ofb_error *err);

/* 0 when a database that cannot be opened now can be created: SQLite: its folder is
 * writable; server engines: the server answers. Else -1 with err saying why. */
int ofb_load_can_create(const char *connstr, struct ofb_error *err);

/* Open a connection to connstr, creating the database first when it does not exist
 * (SQLite: the file, which the caller removes should what follows fail; server engines:
 * CREATE DATABASE through the driver's maintenance database, given the right to, and
 * after gate passed). *created tells whether it did. */
int ofb_load_open_target(const char *connstr, struct ofb_db **out, int *created,
			 const struct ofb_load_gate *gate, struct ofb_error *err);

/* After a failure before its load was kept: the database ofb_load_open_target made is
 * removed again (SQLite: the file and what the engine keeps beside it; server engines:
 * DROP DATABASE through the maintenance database), saying so; a warning when it cannot
 * be. */
void ofb_load_remove_created(const char *connstr, const char *subject);

#endif
