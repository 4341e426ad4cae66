/* registry.h - the clients registered in the login database, with the configuration's
 * per-client overrides applied. */
#ifndef OFB_REGISTRY_H
#define OFB_REGISTRY_H

#include <stddef.h>
#include "config.h"
#include "error.h"

struct ofb_db;

struct ofb_client {
	char *id;
	char *name;
	struct ofb_dbconn conn;   /* effective: registry value, then [client.<id>] */
	char *files_dir;          /* effective; NULL when the client has no files folder */
	int offline;
};

/* Read every registered client, sorted by id. A row whose id is not a safe folder name
 * (ofb_client_id_valid) is no client: it is that row's failure, one message in *bad,
 * and the others are read. Ids that differ only in case are an error. */
int ofb_registry_load(struct ofb_db *login, const struct ofb_config *cfg,
		      struct ofb_client **out, size_t *n, char ***bad, size_t *n_bad,
		      struct ofb_error *err);
void ofb_registry_bad_free(char **bad, size_t n);
/* Register client id in the login database db (INSERT), or with exists update its row
 * (the id stays; the connection only when connect_value is given). */
int ofb_registry_register(struct ofb_db *db, const struct ofb_config *cfg, const char *id,
			  const char *name, const char *connect_value, const char *files_dir,
			  int exists, struct ofb_error *err);
void ofb_clients_free(struct ofb_client *clients, size_t n);
/* One client from a registry row (id, name, connect, files_dir, offline; as text, NULL for
 * SQL NULL) with the configuration's overrides applied. The values are copied. */
int ofb_registry_client(const struct ofb_config *cfg, const char *const values[5],
			struct ofb_client *c, struct ofb_error *err);
const struct ofb_client *ofb_client_find(const struct ofb_client *clients, size_t n,
					 const char *id);

/* Messages for [client.ID] sections that match no registered client (malloc'd array of
 * malloc'd strings; *n_msgs of them). */
char **ofb_registry_unmatched(const struct ofb_config *cfg, const struct ofb_client *clients,
			      size_t n, size_t *n_msgs);

/* Ids become folder names: 1-64 of A-Z a-z 0-9 . _ -, not starting or ending with a dot,
 * not a Windows device name (con, prn, aux, nul, com1-9, lpt1-9, also with an extension). */
int ofb_client_id_valid(const char *id);
/* How the registry's offline column reads: 1/true/yes/on/t/y or a non-zero number. */
int ofb_registry_truthy(const char *value);
/* The registry's connect value: a connection string when it contains '=', else a DSN. */
void ofb_registry_conn(const char *value, struct ofb_dbconn *conn);

#endif
