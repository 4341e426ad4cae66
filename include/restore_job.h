/* restore_job.h - what restore (restore.c) and import (import.c) share: a job of targets
 * (a database and files folder each) taken from one package, found, checked, saved when
 * replaced, and loaded. Internal to those two modules. */
#ifndef OFB_RESTORE_JOB_H
#define OFB_RESTORE_JOB_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "config.h"
#include "error.h"
#include "reader.h"
#include "registry.h"

struct ofb_db;

/* One database (and files folder) the package is restored into. */
struct target {
	char *subject;            /* "login database", "client 'acme'" */
	char *pkg_id;             /* the client's id in the package; NULL for the login */
	char *db_folder;          /* "login/", "clients/acme/db/" */
	char *files_prefix;       /* "clients/acme/files/"; NULL for the login */
	struct ofb_client client; /* where it goes: conn and files_dir (id: the target id) */
	char *connstr;            /* resolved; may hold a password */
	int db_exists;
	int db_transactional;     /* its engine has transactional DDL (one load transaction) */
	int creates_file;         /* a database file that is not there yet: the restore makes it */
	struct ofb_db *kept;      /* the first target's probe connection, for its load */
	size_t db_tables;
	int files_nonempty;
	int keep_old_files;       /* replaced files not in the safety package: keep them */
	int pkg_has_files;        /* the package holds a files folder for this client */
	int pkg_tables_only;      /* its database folder holds tables alone (load.h) */
	struct ofb_schema *schema; /* its schema.json as the probe read it, kept for the load
				    * within a budget of tables (restore_job.c), else NULL */
};

struct job {
	const struct ofb_config *cfg;
	struct ofb_reader *reader;
	struct target *targets;
	size_t n_targets;
	int replace;
	int strict;               /* import --strict: objects not carried are an error */
	size_t warnings;
	char *safety_path;        /* the package saving what is replaced, if one was written */
	char *password;           /* the package password ([package]), or NULL */
	int allow_plain;          /* --unencrypted: a package without encryption is taken */
	unsigned long long rows;  /* restored, for the summary */
	struct timespec started;
	struct verify_task *verify; /* the package verified beside the work; NULL: done */
	size_t kept_tables;       /* the tables of the targets' kept schemas */
	size_t tables_left;       /* made by a failed load, not dropped again (load.h) */
};

/* Free what the job holds (the reader, every target, their secrets). */
void restore_job_free(struct job *j);
/* A new, empty target. */
struct target *restore_add_target(struct job *j);
/* A client target: the package's client pkg_id goes to where c says (c is copied). */
struct target *restore_add_client_target(struct job *j, const char *pkg_id,
					 const struct ofb_client *c);
/* Open the package; the verification of all of it starts once the targets are known
 * (restore_guard_targets: on a thread, beside what follows, where one can be had) or when
 * first needed; nothing changes before it passed: every step that cannot be taken back
 * asks restore_verified first. */
int restore_open_package(struct job *j, const char *path, struct ofb_error *err);
/* Wait for the verification (run it here if it has not started); -1 with err saying
 * what is damaged. restore_verified leaves out the tables the first load reads itself
 * (for that load's commit); restore_verified_all includes them, read here if that load
 * has not read them all. */
int restore_verified(struct job *j, struct ofb_error *err);
int restore_verified_all(struct job *j, struct ofb_error *err);
/* A run's exit code from ret: a damaged package is the error reported (it caused any
 * failure), a usage error is exit 2. */
int restore_job_end(struct job *j, int ret, struct ofb_error *err);
/* The manifest's record of client id backed up (status ok), or NULL. */
json_t *restore_package_client(const struct job *j, const char *id);
/* The registry as the package's login database holds it / as this installation's does;
 * rows that are no client are warnings (counted in the job). */
int restore_package_registry(struct job *j, struct ofb_client **out, size_t *n,
			     struct ofb_error *err);
int restore_current_registry(struct job *j, struct ofb_client **out, size_t *n,
			     struct ofb_error *err);
/* Check every target; refuse (without replace) or save (with it) every one holding data. */
int restore_guard_targets(struct job *j, struct ofb_error *err);
/* Load every target's database and put its files in place. */
int restore_apply(struct job *j, struct ofb_error *err);

#endif
