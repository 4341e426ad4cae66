/* manifest.h - manifest.json: what a package holds (docs/FORMAT.md), written as the last
 * entry of every package and read back by info. */
#ifndef OFB_MANIFEST_H
#define OFB_MANIFEST_H

#include <stddef.h>
#include <jansson.h>
#include "error.h"

struct ofb_dbdump;
struct ofb_pkg;
struct ofb_file_list;

#define OFB_FORMAT_NAME "ofbackup-package"
#define OFB_FORMAT_VERSION 2

struct ofb_manifest_client {
	const char *id;
	const char *name;
	const char *status;               /* "ok", "skipped-offline", "failed" */
	const char *reason;               /* NULL when ok */
	const struct ofb_dbdump *db;      /* NULL unless ok */
	const char *files_source;         /* NULL when the client has no files folder */
	const char *files_folder;         /* "clients/<id>/files/" */
	const struct ofb_file_list *files;
};

struct ofb_manifest {
	const char *kind;                 /* "full", "partial", "export" */
	char created[32];                 /* UTC, ISO 8601 */
	char host[256];
	const struct ofb_dbdump *login;   /* NULL for exports */
	struct ofb_manifest_client *clients;
	size_t n_clients;
	const struct ofb_pkg *pkg;        /* its entries are listed */
	char **warnings;
	size_t n_warnings;
	char **registry_errors;           /* registry rows that are no client, as messages */
	size_t n_registry_errors;
};

/* Fill created (now, UTC) and host. */
void ofb_manifest_stamp(struct ofb_manifest *m);
/* The manifest as JSON text (malloc'd). */
char *ofb_manifest_json(const struct ofb_manifest *m);
/* Read and parse manifest.json of the package at path; checks format name and version. */
json_t *ofb_manifest_load(const char *path, struct ofb_error *err);

#endif
