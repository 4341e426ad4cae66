/* dump.h - backing up one database into a package: schema.json and one CSV data file per
 * table (docs/FORMAT.md), read inside one consistent snapshot while the archive is written. */
#ifndef OFB_DUMP_H
#define OFB_DUMP_H

#include "error.h"
#include "package.h"
#include "schema.h"

struct ofb_dbdump;

/* subject names the database in messages ("login database", "client 'acme'"); folder is
 * its folder in the package ("login/", "clients/acme/db/"). */
struct ofb_dbdump *ofb_dbdump_new(const char *subject, const char *connstr,
				  const char *folder);
void ofb_dbdump_free(struct ofb_dbdump *d);

/* Connect, read the schema, disconnect: finds unreachable databases and bad credentials
 * before any package is started, and fixes the list of entries. With keep, the connection
 * stays open for the snapshot instead (for the database produced first: one connection
 * fewer, and not many left idle). */
int ofb_dbdump_probe(struct ofb_dbdump *d, int keep, struct ofb_error *err);

/* Add schema.json and the table data files to pkg. When the archive is written, the first
 * of them connects and opens the snapshot, the last one ends it. */
int ofb_dbdump_add(struct ofb_dbdump *d, struct ofb_pkg *pkg, struct ofb_error *err);

/* What was dumped (after ofb_pkg_commit): the schema read inside the snapshot, with each
 * table's entry name and row count. */
const struct ofb_schema *ofb_dbdump_schema(const struct ofb_dbdump *d);
const char *ofb_dbdump_source(const struct ofb_dbdump *d);   /* masked connection string */
const char *ofb_dbdump_folder(const struct ofb_dbdump *d);
/* The views the database has (found by ofb_dbdump_probe); they are not backed up. */
size_t ofb_dbdump_views(const struct ofb_dbdump *d);
/* What the probe left out of the schema as unsafe to restore, one message each. */
char *const *ofb_dbdump_notes(const struct ofb_dbdump *d, size_t *n);
/* Warning from the snapshot set-up (weaker isolation), or NULL. */
const char *ofb_dbdump_warning(const struct ofb_dbdump *d);

/* Package entry name of a table's data file: folder + "data/" + the name with unsafe bytes
 * as %XX + ".csv"; taken_lower holds the lowercase names used so far (case collisions get
 * "~N"). Exposed for the unit tests. */
char *ofb_table_entry_name(const char *folder, const char *table, char **taken,
			   size_t n_taken);

#endif
