/* restore.c - restore (restore.h): the login database and every client of a package, or
 * some clients, to where the registry says (the work itself: restore_job.c). */
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

/* --- restore ----------------------------------------------------------------------------- */

/* A full restore brings back the package's registry: clients registered here since the
 * backup drop out of it (their databases and files stay as they are). Say so. */
static void warn_unregistered(struct job *j, const struct ofb_client *pkg_reg, size_t n_pkg)
{
	struct ofb_client *now = NULL;
	size_t n_now = 0;
	struct ofb_error ignored;

	ofb_error_clear(&ignored);
	if (restore_current_registry(j, &now, &n_now, &ignored) != 0)
		return;   /* no login database here yet: nothing drops out */
	for (size_t i = 0; i < n_now; i++)
		if (!ofb_client_find(pkg_reg, n_pkg, now[i].id)) {
			ofb_warn("client '%s' is registered here but not in the package: after the "
				 "restore it is no longer registered (its database and files stay)",
				 now[i].id);
			j->warnings++;
		}
	ofb_clients_free(now, n_now);
}

static int plan_restore(struct job *j, const struct ofb_restore_opts *o, struct ofb_error *err)
{
	json_t *m = ofb_reader_manifest(j->reader);
	const char *kind = json_string_value(json_object_get(m, "kind"));
	int has_login = json_is_object(json_object_get(m, "login"));
	struct ofb_client *reg = NULL;
	size_t n_reg = 0;
	json_t *clients = json_object_get(m, "clients"), *c;
	size_t i;
	int ret = -1;

	if (kind && !strcmp(kind, "export")) {
		ofb_error_usage(err, "'%s' is a client export: bring it in with 'ofbackup import'",
				o->package);
		return -1;
	}
	for (size_t k = 0; k < o->n_clients; k++)
		if (!restore_package_client(j, o->clients[k])) {
			ofb_error_usage(err, "the package holds no client '%s' (see 'ofbackup info')",
					o->clients[k]);
			return -1;
		}
	if (o->n_clients == 0 && has_login) {
		/* everything: the login database, then the clients where it registers them */
		struct target *t = restore_add_target(j);
		t->subject = xstrdup("login database");
		t->db_folder = xstrdup("login/");
		t->connstr = ofb_dbconn_string(&j->cfg->login, err);
		if (!t->connstr) {
			ofb_error_about(err, "login database");
			goto out;
		}
		if (restore_package_registry(j, &reg, &n_reg, err) != 0)
			goto out;
		warn_unregistered(j, reg, n_reg);
	} else if (restore_current_registry(j, &reg, &n_reg, err) != 0) {
		goto out;
	}
	json_array_foreach(clients, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *status = json_string_value(json_object_get(c, "status"));
		const struct ofb_client *where;
		int wanted = o->n_clients == 0;
		if (wanted && status && strcmp(status, "ok") != 0) {
			/* the package does not hold it: say so rather than pass over it */
			ofb_warn("client '%s' is not in the package (%s): not restored", id, status);
			j->warnings++;
			continue;
		}
		for (size_t k = 0; k < o->n_clients; k++)
			wanted |= !strcmp(o->clients[k], id);
		if (!wanted || !restore_package_client(j, id))
			continue;
		where = ofb_client_find(reg, n_reg, id);
		if (!where) {
			ofb_error_set(err, "client '%s' is not registered in %s login database: bring "
				      "it in with 'ofbackup import'", id,
				      j->n_targets && !j->targets[0].pkg_id ? "the package's" : "this");
			goto out;
		}
		restore_add_client_target(j, id, where);
	}
	ret = 0;
out:
	ofb_clients_free(reg, n_reg);
	return ret;
}

int ofb_restore_run(const struct ofb_config *cfg, const struct ofb_restore_opts *o,
		    struct ofb_error *err)
{
	struct job j = { .cfg = cfg, .replace = o->replace, .allow_plain = o->allow_unencrypted };
	int ret = OFB_EXIT_FAILED;

	if (restore_open_package(&j, o->package, err) != 0 || plan_restore(&j, o, err) != 0 ||
	    restore_guard_targets(&j, err) != 0 || restore_apply(&j, err) != 0)
		goto out;
	ret = j.warnings ? OFB_EXIT_WARNINGS : OFB_EXIT_OK;
out:
	ret = restore_job_end(&j, ret, err);
	restore_job_free(&j);
	return ret;
}

