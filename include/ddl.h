/* ddl.h - the SQL that makes a package's tables in a target engine: CREATE TABLE, indexes,
 * foreign keys, DROP TABLE, as pure functions of a schema and a driver (unit-tested per
 * engine); load.c runs them. */
#ifndef OFB_DDL_H
#define OFB_DDL_H

#include <stddef.h>
#include "schema.h"
#include "sqlcheck.h"

struct ofb_driver;

/* What the statements of one database share: the target, the source schema, and the index
 * and constraint names given so far (unique per database on most engines). */
struct ofb_ddl {
	const struct ofb_driver *drv;
	const struct ofb_schema *src;
	const struct ofb_driver *src_drv;   /* the engine the package comes from, or NULL */
	int same_engine;
	char **names_used;
	size_t n_names;
};

/* One statement to run. native: it is the package's own DDL, to be checked as one
 * statement of kind creating object before it runs (sqlcheck.h). A statement with no sql
 * is a warning only (what is left out, and why). */
struct ofb_ddl_stmt {
	char *sql;
	int native;
	enum ofb_sql_kind kind;
	const char *object;
	char *warning;
};

void ofb_ddl_init(struct ofb_ddl *d, const struct ofb_driver *target, const struct ofb_schema *src);
/* -1 with err naming them when two tables of s would get one name in the engine drv
 * serves (another engine's schema.name becomes "schema__name"; the target may ignore the
 * case of table names, driver.h: fold_table_names), or two columns of one table would
 * (fold_column_names), so that a restore refuses before it makes anything; 0 otherwise
 * (also for drv NULL: the engine is not known yet). */
int ofb_ddl_refuse_clashes(const struct ofb_schema *s, const struct ofb_driver *drv,
			   const char *subject, struct ofb_error *err);
void ofb_ddl_free(struct ofb_ddl *d);
void ofb_ddl_stmts_free(struct ofb_ddl_stmt *v, size_t n);

/* t's name as the target's SQL: schema.name on the same engine, "schema__name" on another
 * (tables of the database's default schema: the name alone). */
void ofb_ddl_quote_table(const struct ofb_ddl *d, struct buf *sql, const struct ofb_table *t);

/* The table's own CREATE TABLE is replayed (same engine, and the engine has one). */
int ofb_ddl_native_table(const struct ofb_ddl *d, const struct ofb_table *t);
/* Whether column c is numbered by the target (engines with one identity column per table
 * number only the table's own). */
int ofb_ddl_is_identity(const struct ofb_ddl *d, const struct ofb_table *t,
			const struct ofb_column *c);

/* CREATE TABLE; key_later: without its primary key, which ofb_ddl_primary_key adds once the
 * rows are in (a key that is the row id stays) */
struct ofb_ddl_stmt ofb_ddl_create_table(struct ofb_ddl *d, const struct ofb_table *t,
					 int key_later);
/* ALTER TABLE ... ADD PRIMARY KEY (...) of a table created with key_later */
struct ofb_ddl_stmt ofb_ddl_primary_key(struct ofb_ddl *d, const struct ofb_table *t);
/* After the data: the table's indexes, then its foreign keys (*n statements, malloc'd). */
/* Non-zero when the target computes column c of t itself (generated, made so by the
 * table's own DDL or the driver's generation clause): no value is loaded into it. */
int ofb_ddl_is_computed(const struct ofb_ddl *d, const struct ofb_table *t,
			const struct ofb_column *c);
/* Warnings for what of t the target will not have when the table is made from its columns
 * (another engine): the source's CHECK constraints and generated columns. */
struct ofb_ddl_stmt *ofb_ddl_table_losses(struct ofb_ddl *d, const struct ofb_table *t,
					  size_t *n);
struct ofb_ddl_stmt *ofb_ddl_indexes(struct ofb_ddl *d, const struct ofb_table *t, size_t *n);
struct ofb_ddl_stmt *ofb_ddl_foreign_keys(struct ofb_ddl *d, const struct ofb_table *t,
					  size_t *n);
/* DROP TABLE of names, without CASCADE: one statement, or one a table where the engine
 * takes one name only (*n_stmts statements, malloc'd). */
char **ofb_ddl_drop_tables(const struct ofb_driver *drv, char *const *names, size_t n,
			   size_t *n_stmts);

#endif
