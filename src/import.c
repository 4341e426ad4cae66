/* import.c - import (restore.h): one client of any package into this installation, on any
 * engine, registered in its login database (the work itself: restore_job.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "backup.h"
#include "driver.h"
#include "files.h"
#include "load.h"
#include "odbc.h"
#include "session.h"
#include "progress.h"
#include "reader.h"
#include "verify.h"
#include "registry.h"
#include "restore.h"
#include "restore_job.h"
#include "util.h"

/* --- import ------------------------------------------------------------------------------ */

/* The one client of the package, or the named one. */
static const char *import_source(struct job *j, const struct ofb_import_opts *o,
				 struct ofb_error *err)
{
	json_t *clients = json_object_get(ofb_reader_manifest(j->reader), "clients"), *c;
	const char *only = NULL;
	size_t i, n_ok = 0;

	if (o->client) {
		if (!restore_package_client(j, o->client)) {
			ofb_error_usage(err, "the package holds no client '%s' (see 'ofbackup info')",
					o->client);
			return NULL;
		}
		return o->client;
	}
	json_array_foreach(clients, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		if (id && restore_package_client(j, id)) {
			only = id;
			n_ok++;
		}
	}
	if (n_ok != 1) {
		ofb_error_usage(err, "the package holds %zu clients: name the one to import", n_ok);
		return NULL;
	}
	return only;
}

/* Register (or, when replacing, update) the client in this login database. */
static int register_client(struct job *j, const struct target *t, const char *name,
			   const char *connect_value, int exists, struct ofb_error *err)
{
	struct ofb_db *db = NULL;
	char *conn = ofb_dbconn_string(&j->cfg->login, err);
	int ret = -1;

	if (conn && ofb_db_open(&db, conn, err) == 0)
		ret = ofb_registry_register(db, j->cfg, t->client.id, name, connect_value,
					    t->client.files_dir, exists, err);
	if (ret != 0)
		ofb_error_prefix(err, "%s was restored but cannot be registered in the login "
				 "database", t->subject);
	ofb_db_close(db);
	ofb_secret_free(conn);
	return ret;
}

int ofb_import_run(const struct ofb_config *cfg, const struct ofb_import_opts *o,
		   struct ofb_error *err)
{
	struct job j = { .cfg = cfg, .replace = o->replace, .strict = o->strict,
			 .allow_plain = o->allow_unencrypted };
	struct ofb_client *reg = NULL, where;
	const struct ofb_client *existing;
	const struct ofb_client_override *ov;
	const char *src_id, *id, *connect_value = NULL, *name;
	char *registered = NULL;
	size_t n_reg = 0, n_secrets = 0;
	struct target *t;
	int ret = OFB_EXIT_FAILED;

	memset(&where, 0, sizeof where);
	if (o->connect && o->dsn) {
		ofb_error_usage(err, "give --connect or --dsn, not both");
		goto out;
	}
	if (restore_open_package(&j, o->package, err) != 0)
		goto out;
	src_id = import_source(&j, o, err);
	if (!src_id)
		goto out;
	id = o->as_id ? o->as_id : src_id;
	if (!ofb_client_id_valid(id)) {
		ofb_error_usage(err, "'%s' is not usable as a client id (1-64 of A-Z a-z 0-9 . _ -, "
				"not starting or ending with a dot)", id);
		goto out;
	}
	if (restore_current_registry(&j, &reg, &n_reg, err) != 0)
		goto out;
	existing = ofb_client_find(reg, n_reg, id);
	if (existing && !o->replace) {
		ofb_error_set(err, "client '%s' is already registered: refused, nothing was "
			      "changed (use --as ID for another id, or --replace)", id);
		goto out;
	}
	/* where it goes: the command line, else [client.ID], else the registered client */
	ov = ofb_config_client(cfg, id);
	where.id = (char *)id;
	name = json_string_value(json_object_get(restore_package_client(&j, src_id), "name"));
	where.name = (char *)(name ? name : "");
	if (existing)
		ofb_dbconn_copy(&where.conn, &existing->conn);
	if (ov)
		ofb_dbconn_copy(&where.conn, &ov->conn);
	if (o->connect || o->dsn) {
		struct ofb_dbconn given = { .connect = (char *)o->connect, .dsn = (char *)o->dsn };
		ofb_dbconn_copy(&where.conn, &given);
		connect_value = o->connect ? o->connect : o->dsn;
	} else if (!existing && ov) {
		connect_value = ov->conn.connect ? ov->conn.connect : ov->conn.dsn;
	}
	if (!where.conn.connect && !where.conn.dsn) {
		ofb_error_usage(err, "say where client '%s' goes: --connect CONNSTR or --dsn NAME "
				"(or [client.%s] in the configuration)", id, id);
		goto out;
	}
	where.files_dir = (char *)(o->files ? o->files
				   : ov && ov->files ? ov->files
				   : existing ? existing->files_dir : NULL);
	if (!where.files_dir) {
		ofb_error_usage(err, "say where the files of client '%s' go: --files DIR (or "
				"[client.%s] files = ... in the configuration)", id, id);
		goto out;
	}
	t = restore_add_client_target(&j, src_id, &where);
	if (restore_guard_targets(&j, err) != 0 || restore_apply(&j, err) != 0)
		goto out;
	/* a password never goes into the registry: from there it would reach every package */
	registered = connect_value ? ofb_strip_secrets(connect_value, &n_secrets) : NULL;
	if (register_client(&j, t, where.name, existing ? registered
				: registered ? registered : "", existing != NULL, err) != 0)
		goto out;
	ofb_info("client '%s' is registered in the login database", id);
	if (n_secrets) {
		ofb_warn("client '%s': the password in --connect is not registered with it; put it "
			 "where ofbackup and the application find it: [client.%s] password_env or "
			 "password_file in the configuration, or a DSN", id, id);
		j.warnings++;
	}
	ret = j.warnings ? OFB_EXIT_WARNINGS : OFB_EXIT_OK;
out:
	ret = restore_job_end(&j, ret, err);
	ofb_dbconn_free(&where.conn);
	ofb_clients_free(reg, n_reg);
	ofb_secret_free(registered);
	restore_job_free(&j);
	return ret;
}
