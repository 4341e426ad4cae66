/* restore_job.c - the work restore and import share (restore_job.h): targets found and
 * checked before anything changes, what is replaced saved first, then the databases
 * loaded and the files put in place. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "backup.h"
#include "ddl.h"
#include "driver.h"
#include "files.h"
#include "load.h"
#include "objects.h"
#include "odbc.h"
#include "package.h"
#include "session.h"
#include "progress.h"
#include "reader.h"
#include "verify.h"
#include "registry.h"
#include "restore_job.h"
#include "util.h"

static void target_free(struct target *t)
{
	free(t->subject);
	free(t->pkg_id);
	free(t->db_folder);
	free(t->files_prefix);
	free(t->client.id);
	free(t->client.name);
	free(t->client.files_dir);
	ofb_dbconn_free(&t->client.conn);
	ofb_secret_free(t->connstr);
	ofb_db_close(t->kept);
	if (t->schema)
		ofb_schema_free(t->schema);
	free(t->schema);
}

/* The schemas the probe reads are kept for the loads while they hold this many tables
 * together (some 6 KB each), so that a package of many clients is not held in memory
 * whole; the others are read again. */
#define KEPT_SCHEMA_TABLES 2000

/* t's schema into *s: the one the probe kept (then t keeps it no longer), else read. */
static int target_schema(struct job *j, struct target *t, struct ofb_schema *s,
			 struct ofb_error *err)
{
	if (!t->schema)
		return ofb_reader_schema(j->reader, t->db_folder, s, err);
	*s = *t->schema;
	free(t->schema);
	t->schema = NULL;
	return 0;
}

/* The whole package verified, from when the targets are known, on a thread of its own
 * with a reader of its own while the first database loads (docs/RESTORE.md); every step
 * that cannot be taken back waits for it (restore_verified_all), and runs it here if it
 * has not started. */
enum verify_state { VERIFY_PENDING, VERIFY_RUNNING, VERIFY_DONE };

struct verify_task {
	enum verify_state state;
	pthread_t thread;
	struct ofb_reader *reader;
	char *loaded;            /* the database folder whose tables the first load checks */
	int loaded_checked;      /* that load (or restore_verified_all) read them all */
	struct ofb_error err;    /* the verification's own, without damage_error's words */
	int interrupted;         /* it ended by an interruption */
	int rc;
	atomic_int failed;       /* the thread ended with rc != 0 (read while it runs) */
};

static void *verify_main(void *arg)
{
	struct verify_task *v = arg;

	v->rc = ofb_reader_verify_but(v->reader, v->loaded, &v->err);
	atomic_store(&v->failed, v->rc != 0);
	return NULL;
}

/* From here on beside the work, leaving the tables of database folder loaded (or NULL)
 * to the first load; stays pending (done when first needed) without a second reader or
 * a thread. */
static void start_verify(struct job *j, const char *loaded)
{
	struct verify_task *v = j->verify;

	if (!v || v->state != VERIFY_PENDING)
		return;
	v->reader = ofb_reader_open_again(j->reader, j->password, &v->err);
	v->loaded = loaded ? xstrdup(loaded) : NULL;
	if (v->reader && pthread_create(&v->thread, NULL, verify_main, v) == 0) {
		v->state = VERIFY_RUNNING;
		return;
	}
	if (!v->reader)
		ofb_notice("the package is verified before the restore goes on: %s", v->err.msg);
	ofb_reader_close(v->reader);
	v->reader = NULL;
	free(v->loaded);
	v->loaded = NULL;
	ofb_error_clear(&v->err);
}

/* The failed verification's error, saying what the restore leaves: nothing changed,
 * unless a load beside it made tables it could not drop again (warned of then). */
static void damage_error(const struct job *j, struct ofb_error *err)
{
	const char *what = j->verify->interrupted ? "interrupted while verifying the package"
						   : "the package is damaged";

	*err = j->verify->err;
	if (j->tables_left)
		ofb_error_prefix(err, "%s; the %zu table%s the restore made meanwhile could not be "
				 "dropped again (see the warning above)", what, j->tables_left,
				 j->tables_left == 1 ? "" : "s");
	else
		ofb_error_prefix(err, "%s; nothing was changed", what);
}

int restore_verified(struct job *j, struct ofb_error *err)
{
	struct verify_task *v = j->verify;

	if (!v)
		return 0;
	if (v->state == VERIFY_PENDING) {
		ofb_error_clear(&v->err);
		v->rc = ofb_reader_verify(j->reader, &v->err);
	} else if (v->state == VERIFY_RUNNING) {
		pthread_join(v->thread, NULL);
		ofb_reader_close(v->reader);
		v->reader = NULL;
	}
	if (v->state != VERIFY_DONE && v->rc != 0)
		v->interrupted = ofb_interrupted != 0;
	v->state = VERIFY_DONE;
	if (v->rc != 0) {
		damage_error(j, err);
		return -1;
	}
	return 0;
}

/* The tables the verification left to the first load, read here (when that load has
 * not read them all: it failed, or has not begun). */
static int check_loaded_tables(struct job *j, struct ofb_error *err)
{
	struct verify_task *v = j->verify;
	struct ofb_schema s;
	int rc;

	memset(&s, 0, sizeof s);
	rc = ofb_reader_schema(j->reader, v->loaded, &s, err);
	for (size_t i = 0; rc == 0 && i < s.n_tables; i++)
		rc = ofb_reader_table(j->reader, &s.tables[i], NULL, NULL, NULL, err);
	ofb_schema_free(&s);
	if (rc != 0) {
		v->err = *err;
		v->interrupted = ofb_interrupted != 0;
		v->rc = -1;
		damage_error(j, err);
		return -1;
	}
	v->loaded_checked = 1;
	return 0;
}

int restore_verified_all(struct job *j, struct ofb_error *err)
{
	if (restore_verified(j, err) != 0)
		return -1;
	if (j->verify && j->verify->loaded && !j->verify->loaded_checked)
		return check_loaded_tables(j, err);
	return 0;
}

int restore_job_end(struct job *j, int ret, struct ofb_error *err)
{
	struct ofb_error damage;

	/* a damaged package is what went wrong, whatever the failure it caused (the first
	 * load may have stopped at the damage of its own tables, or before it) */
	ofb_error_clear(&damage);
	if (ret == OFB_EXIT_FAILED && restore_verified_all(j, &damage) != 0)
		*err = damage;
	if (ret == OFB_EXIT_FAILED && err->exit_code == OFB_EXIT_USAGE)
		ret = OFB_EXIT_USAGE;
	return ret;
}

void restore_job_free(struct job *j)
{
	struct ofb_error ignored;

	/* a verification still running is waited for (not one never started) */
	if (j->verify && j->verify->state == VERIFY_RUNNING)
		restore_verified(j, &ignored);
	if (j->verify)
		free(j->verify->loaded);
	free(j->verify);
	for (size_t i = 0; i < j->n_targets; i++)
		target_free(&j->targets[i]);
	free(j->targets);
	free(j->safety_path);
	ofb_secret_free(j->password);
	ofb_reader_close(j->reader);
}

struct target *restore_add_target(struct job *j)
{
	struct target *t;

	j->targets = xrealloc(j->targets, (j->n_targets + 1) * sizeof *j->targets);
	t = &j->targets[j->n_targets++];
	memset(t, 0, sizeof *t);
	return t;
}

/* The folder files are restored into: without trailing slashes (the new folder is made
 * beside it), and where a symbolic link points (the link stays, its folder is replaced). */
static char *target_folder(const char *dir)
{
	char *d = xstrdup(dir), *real = NULL;
	size_t n = strlen(d);
	struct stat st;

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	if (lstat(d, &st) == 0 && S_ISLNK(st.st_mode))
		real = realpath(d, NULL);
	if (real) {
		free(d);
		d = xstrdup(real);
		free(real);
	}
	return d;
}

/* A client target: the package's client pkg_id goes to where c says (c is copied). */
struct target *restore_add_client_target(struct job *j, const char *pkg_id,
					const struct ofb_client *c)
{
	struct target *t = restore_add_target(j);

	t->subject = xasprintf("client '%s'", c->id);
	t->pkg_id = xstrdup(pkg_id);
	t->db_folder = xasprintf("clients/%s/db/", pkg_id);
	t->files_prefix = xasprintf("clients/%s/files/", pkg_id);
	t->client.id = xstrdup(c->id);
	t->client.name = xstrdup(c->name ? c->name : "");
	t->client.files_dir = c->files_dir ? target_folder(c->files_dir) : NULL;
	ofb_dbconn_copy(&t->client.conn, &c->conn);
	{
		json_t *files = json_object_get(restore_package_client(j, pkg_id), "files");
		t->pkg_has_files = json_is_string(json_object_get(files, "source"));
	}
	return t;
}

/* Open and verify the package: nothing is changed for a damaged one. */
int restore_open_package(struct job *j, const char *path, struct ofb_error *err)
{
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	if (ofb_package_password(j->cfg, &j->password, err) != 0)
		return -1;
	j->reader = ofb_reader_open(path, j->password, err);
	if (!j->reader || ofb_reader_check_plain(j->reader, j->password, j->allow_plain, err))
		return -1;
	ofb_info("verifying '%s'", path);
	j->verify = xcalloc(1, sizeof *j->verify);
	return 0;
}

/* The clients the package holds (status ok), by id. */
json_t *restore_package_client(const struct job *j, const char *id)
{
	json_t *clients = json_object_get(ofb_reader_manifest(j->reader), "clients"), *c;
	size_t i;

	json_array_foreach(clients, i, c) {
		json_t *cid = json_object_get(c, "id"), *st = json_object_get(c, "status");
		if (json_is_string(cid) && !strcmp(json_string_value(cid), id) &&
		    json_is_string(st) && !strcmp(json_string_value(st), "ok"))
			return c;
	}
	return NULL;
}

/* --- the registry that decides where clients go ------------------------------------------ */

struct registry_rows {
	struct job *j;
	const struct ofb_config *cfg;
	int cols[5];              /* column index of id, name, connect, files_dir, offline */
	struct ofb_client *clients;
	size_t n;
};

static int registry_row(void *ctx, const struct ofb_value *values, size_t n,
			struct ofb_error *err)
{
	struct registry_rows *rr = ctx;
	char *v[5] = { 0 };
	int ret;

	(void)n;
	for (int i = 0; i < 5; i++)
		if (rr->cols[i] >= 0 && !values[rr->cols[i]].is_null)
			v[i] = xstrndup(values[rr->cols[i]].data, values[rr->cols[i]].len);
	rr->clients = xrealloc(rr->clients, (rr->n + 1) * sizeof *rr->clients);
	ret = ofb_registry_client(rr->cfg, (const char *const *)v, &rr->clients[rr->n], err);
	if (ret == 0) {
		rr->n++;
	} else {
		/* that row's failure, not the whole restore's */
		ofb_warn("%s (no client of that row is restored)", err->msg);
		ofb_error_clear(err);
		rr->j->warnings++;
		ret = 0;
	}
	for (int i = 0; i < 5; i++)
		free(v[i]);
	return ret;
}

/* The registry as the package's login database holds it: where a full restore puts the
 * clients (the configuration's [client.ID] overrides still apply). */
int restore_package_registry(struct job *j, struct ofb_client **out, size_t *n,
			    struct ofb_error *err)
{
	const struct ofb_registry_map *m = &j->cfg->reg;
	const char *names[5] = { m->col_id, m->col_name, m->col_connect, m->col_files,
				 m->col_offline };
	struct registry_rows rr = { .j = j, .cfg = j->cfg };
	struct ofb_schema s;
	struct ofb_table *t = NULL;
	unsigned long long rows;
	int ret = -1;

	*out = NULL;
	*n = 0;
	if (ofb_reader_schema(j->reader, "login/", &s, err) != 0)
		return -1;
	for (size_t i = 0; i < s.n_tables && !t; i++)
		if (ascii_casecmp(s.tables[i].name, m->table) == 0)
			t = &s.tables[i];
	if (!t) {
		ofb_error_set(err, "the package's login database has no registry table '%s'",
			      m->table);
		goto out;
	}
	for (int i = 0; i < 5; i++) {
		rr.cols[i] = -1;
		for (size_t c = 0; c < t->n_columns; c++)
			if (ascii_casecmp(t->columns[c].name, names[i]) == 0)
				rr.cols[i] = (int)c;
		if (rr.cols[i] < 0 && i < 3) {
			ofb_error_set(err, "the package's registry table '%s' has no column '%s'",
				      m->table, names[i]);
			goto out;
		}
	}
	if (ofb_reader_table(j->reader, t, registry_row, &rr, &rows, err) != 0)
		goto out;
	*out = rr.clients;
	*n = rr.n;
	rr.clients = NULL;
	rr.n = 0;
	ret = 0;
out:
	ofb_clients_free(rr.clients, rr.n);
	ofb_schema_free(&s);
	return ret;
}

/* The registry of this installation's login database. */
int restore_current_registry(struct job *j, struct ofb_client **out, size_t *n,
			    struct ofb_error *err)
{
	struct ofb_db *db = NULL;
	char *conn = ofb_dbconn_string(&j->cfg->login, err);
	char **bad = NULL;
	size_t n_bad = 0;
	int ret = -1;

	if (!conn)
		return -1;
	if (ofb_db_open(&db, conn, err) != 0 ||
	    ofb_registry_load(db, j->cfg, out, n, &bad, &n_bad, err) != 0) {
		ofb_error_about(err, "login database");
		goto out;
	}
	for (size_t i = 0; i < n_bad; i++) {
		ofb_warn("%s (no client of that row is restored)", bad[i]);
		j->warnings++;
	}
	ofb_registry_bad_free(bad, n_bad);
	ret = 0;
out:
	ofb_db_close(db);
	ofb_secret_free(conn);
	return ret;
}

/* --- checking targets before anything changes ------------------------------------------- */

static int remove_leftover(const struct target *t, const char *path, const char *what,
			   struct ofb_error *err)
{
	ofb_notice("%s: removing '%s', %s", t->subject, path, what);
	if (ofb_files_remove_tree(path, err) != 0) {
		ofb_error_about(err, t->subject);
		return -1;
	}
	return 0;
}

/* Folders an earlier, killed restore of this files folder left (docs/RESTORE.md): ours and
 * no longer needed are removed, others reported; with the folder itself missing while an
 * -old- one is there, nothing is decided for the administrator. */
static int handle_leftovers(struct job *j, struct target *t, struct ofb_error *err)
{
	const char *dest = t->client.files_dir;
	struct ofb_leftovers l;
	int ret = -1;

	if (ofb_files_find_leftovers(dest, &l, err) != 0) {
		ofb_error_about(err, t->subject);
		return -1;
	}
	if (access(dest, F_OK) != 0 && (l.n_old || l.n_foreign)) {
		ofb_error_set(err, "%s: its files folder '%s' is missing and '%s' is there: an "
			      "earlier restore was stopped between putting the old folder aside "
			      "and the new one in place; rename one of them to '%s' (docs/RESTORE.md "
			      "says which), then run the restore again; nothing was changed",
			      t->subject, dest, l.n_old ? l.ours_old[0] : l.foreign[0], dest);
		goto out;
	}
	/* removing them is a change: not for a package not yet verified */
	ret = l.n_new || l.n_old ? restore_verified_all(j, err) : 0;
	for (size_t i = 0; ret == 0 && i < l.n_foreign; i++) {
		ofb_warn("%s: '%s' looks like a folder an earlier restore left, but it is not this "
			 "user's folder or its restore still runs: left alone", t->subject,
			 l.foreign[i]);
		j->warnings++;
	}
	for (size_t i = 0; ret == 0 && i < l.n_new; i++)
		ret |= remove_leftover(t, l.ours_new[i], "the files of a restore that was stopped "
				       "before they were in place", err);
	for (size_t i = 0; ret == 0 && i < l.n_old; i++)
		ret |= remove_leftover(t, l.ours_old[i], "the files folder a stopped restore had "
				       "replaced", err);
	ret = ret ? -1 : 0;
out:
	ofb_leftovers_free(&l);
	return ret;
}

static int parent_exists(const char *path)
{
	char *parent = xstrdup(path), *slash = strrchr(parent, '/');
	int ret = 1;

	if (slash && slash != parent) {
		*slash = '\0';
		ret = access(parent, F_OK) == 0;
	}
	free(parent);
	return ret;
}

/* Whether restoring t's files makes folders above its files folder. */
static int makes_folders(const struct target *t)
{
	return t->files_prefix && t->client.files_dir && t->pkg_has_files &&
	       !parent_exists(t->client.files_dir);
}

/* Whether t is the first database and loads beside the verification, reading its own
 * tables in full and checking them as the verification would, before its commit (in one
 * transaction, into a database that is there or a file the restore makes and removes
 * again on a failure) or, without transactional DDL, before its load ends (into a
 * database that is there and holds no tables, OFB_LOAD_BESIDE: the tables it made are
 * dropped again on a failure). Not for a package's database with other objects where
 * there is no transaction (a failed load drops them with those the database held), nor
 * where folders must be made for its files first, which would stay. */
static int loads_beside(const struct job *j, const struct target *t)
{
	if (t != j->targets || makes_folders(t))
		return 0;
	return t->db_transactional ? t->db_exists || t->creates_file
				   : t->db_exists && t->db_tables == 0 && t->pkg_tables_only;
}

static int probe_target(struct job *j, struct target *t, struct ofb_error *err)
{
	struct ofb_db *db = NULL;
	struct ofb_error open_err;
	int ret = -1;

	if (!t->connstr) {
		if (!t->client.conn.connect && !t->client.conn.dsn) {
			ofb_error_set(err, "%s: no database is registered or configured for it",
				      t->subject);
			return -1;
		}
		t->connstr = ofb_dbconn_string(&t->client.conn, err);
		if (!t->connstr) {
			ofb_error_about(err, t->subject);
			return -1;
		}
	}
	ofb_error_clear(&open_err);
	if (ofb_db_open(&db, t->connstr, &open_err) == 0) {
		t->db_exists = 1;
		t->db_transactional = db->drv && db->drv->ddl_in_transaction;
		if (ofb_load_count_tables(db, &t->db_tables, err) != 0) {
			ofb_error_about(err, t->subject);
			goto out;
		}
	} else if (ofb_load_can_create(t->connstr, err) != 0) {
		ofb_error_prefix(err, "%s: %s", t->subject, open_err.msg);
		goto out;
	} else {
		const struct ofb_driver *drv = ofb_driver_for_connstr(t->connstr);
		/* a database file made by the restore (and removed again should its load
		 * fail) */
		t->creates_file = drv && drv->file_database;
		t->db_transactional = t->creates_file && drv->ddl_in_transaction;
	}
	{
		const struct ofb_driver *drv = db ? db->drv : ofb_driver_for_connstr(t->connstr);
		struct ofb_schema s;
		int rc;
		if (ofb_reader_schema(j->reader, t->db_folder, &s, err) != 0)
			goto out;
		t->pkg_tables_only = ofb_load_tables_only(&s);
		rc = ofb_ddl_refuse_clashes(&s, drv, t->subject, err);
		if (rc == 0 && j->strict)
			rc = ofb_objects_refuse_uncarried(&s, drv, t->subject, err);
		if (rc == 0 && j->strict && !drv && s.n_objects) {
			ofb_error_set(err, "%s: which engine its new database would be on cannot "
				      "be told before it is made, so --strict cannot promise that "
				      "its %zu objects can be carried; nothing was changed (name the "
				      "driver in the connection string, or create the database "
				      "first)", t->subject, s.n_objects);
			rc = -1;
		}
		if (rc == 0 && j->kept_tables + s.n_tables <= KEPT_SCHEMA_TABLES) {
			j->kept_tables += s.n_tables;
			t->schema = xmalloc(sizeof *t->schema);
			*t->schema = s;
		} else {
			ofb_schema_free(&s);
		}
		if (rc != 0)
			goto out;
	}
	if (t->files_prefix && t->client.files_dir && t->pkg_has_files) {
		int rc;
		if (ofb_files_is_mount_point(t->client.files_dir)) {
			ofb_error_set(err, "%s: its files folder '%s' is a mount point, which a restore "
				      "cannot replace (it puts a new folder in its place): restore into "
				      "a folder below it ([client.%s] files or --files), nothing was "
				      "changed", t->subject, t->client.files_dir, t->client.id);
			goto out;
		}
		if (handle_leftovers(j, t, err) != 0)
			goto out;
		rc = ofb_files_nonempty(t->client.files_dir, err);
		if (rc < 0) {
			ofb_error_prefix(err, "%s: files folder", t->subject);
			goto out;
		}
		t->files_nonempty = rc;
	}
	/* the first database's connection serves its load, where that load follows the
	 * probes and the extraction of its files (beside the verification) */
	if (t == &j->targets[0] && (t->db_transactional || loads_beside(j, t))) {
		t->kept = db;
		db = NULL;
	}
	ret = 0;
out:
	ofb_db_close(db);
	return ret;
}

/* The safety package must outlive the restore: never inside a folder the restore replaces
 * (run from inside a files folder, or [backup] dir below one). */
static int check_safety_place(const struct job *j, const char *dir, struct ofb_error *err)
{
	char *place = realpath(dir, NULL);
	int ret = 0;

	for (size_t i = 0; place && ret == 0 && i < j->n_targets; i++) {
		const struct target *t = &j->targets[i];
		char *files = t->client.files_dir && t->pkg_has_files
				      ? realpath(t->client.files_dir, NULL) : NULL;
		size_t n = files ? strlen(files) : 0;
		if (files && strncmp(place, files, n) == 0 && (place[n] == '\0' || place[n] == '/' ||
							       strcmp(files, "/") == 0)) {
			ofb_error_set(err, "the package saving what is replaced would be written to "
				      "'%s', inside %s's files folder '%s', which the restore replaces: "
				      "refused, nothing was changed (run it from another folder or set "
				      "[backup] dir outside the files folders)", place, t->subject, files);
			ret = -1;
		}
		free(files);
	}
	free(place);
	return ret;
}

static int holds_data(const struct target *t)
{
	return t->db_tables > 0 || t->files_nonempty;
}

/* The verification beside what follows, when no safety package waits for it. It leaves
 * the tables of a first database that loads beside it (loads_beside) to that load; every
 * other step that cannot be taken back, and the loads after the first, wait for all of
 * it. */
static void start_first_verify(struct job *j)
{
	if (j->n_targets && loads_beside(j, &j->targets[0]))
		start_verify(j, j->targets[0].db_folder);
	else
		start_verify(j, NULL);
}

/* Refuse (without replace) or save (with it) every target that holds data. */
int restore_guard_targets(struct job *j, struct ofb_error *err)
{
	struct ofb_client *save = xcalloc(j->n_targets + 1, sizeof *save);
	const char *login_conn = NULL;
	size_t n_save = 0, busy = 0, warnings = 0;
	char *path = NULL, *name;
	struct buf list;
	int ret = -1;

	buf_init(&list);
	for (size_t i = 0; i < j->n_targets; i++)
		if (probe_target(j, &j->targets[i], err) != 0)
			goto out;
	for (size_t i = 0; i < j->n_targets; i++) {
		struct target *t = &j->targets[i];
		if (!holds_data(t))
			continue;
		busy++;
		buf_addf(&list, "%s%s", list.len ? ", " : "", t->subject);
		if (!t->pkg_id) {
			login_conn = t->db_tables ? t->connstr : NULL;
		} else if (t->db_exists) {
			save[n_save++] = t->client;   /* its database (even empty) and files */
		} else {
			/* no database to save them with: the files folder is kept aside instead */
			t->keep_old_files = 1;
		}
	}
	if (!busy) {
		start_first_verify(j);
		ret = 0;
		goto out;
	}
	if (!j->replace) {
		ofb_error_set(err, "%s already hold%s data: refused, nothing was changed (use "
			      "--replace to replace it; it is saved to a package first)", list.data,
			      busy == 1 ? "s" : "");
		goto out;
	}
	if (!login_conn && n_save == 0) {
		start_first_verify(j);
		ret = 0;
		goto out;
	}
	/* the safety package waits for all of it; a connection kept meanwhile could be
	 * dropped by the server */
	if (j->n_targets) {
		ofb_db_close(j->targets[0].kept);
		j->targets[0].kept = NULL;
	}
	if (restore_verified_all(j, err) != 0 ||
	    check_safety_place(j, j->cfg->backup_dir ? j->cfg->backup_dir : ".", err) != 0)
		goto out;
	/* never over an existing file: it could be the very package being restored */
	name = ofb_backup_stamped_name("replaced");
	path = xasprintf("%s/%s", j->cfg->backup_dir ? j->cfg->backup_dir : ".", name);
	for (int i = 2; access(path, F_OK) == 0; i++) {
		free(path);
		path = xasprintf("%s/%.*s-%d.zip", j->cfg->backup_dir ? j->cfg->backup_dir : ".",
				 (int)strlen(name) - 4, name, i);
	}
	free(name);
	ofb_info("saving what will be replaced (%s)", list.data);
	if (ofb_backup_targets(login_conn, save, n_save, path, j->password, &warnings, err) != 0) {
		ofb_error_prefix(err, "cannot save what would be replaced; nothing was changed");
		goto out;
	}
	ofb_notice("what is replaced was saved to: %s", path);
	j->safety_path = xstrdup(path);
	if (warnings) {
		/* something of the old files did not fit into the package (links, names that
		 * are not UTF-8): their folders are kept as they are instead of removed */
		for (size_t i = 0; i < j->n_targets; i++)
			j->targets[i].keep_old_files = j->targets[i].files_nonempty;
		j->warnings += warnings;
	}
	ret = 0;
out:
	free(save);
	free(path);
	buf_free(&list);
	return ret;
}

/* --- applying ---------------------------------------------------------------------------- */

/* Files go into a new folder beside the target before its database is touched; only
 * when the database is in, the new folder takes the target's place. A failure before
 * that leaves the old folder as it was. */
static int extract_files(struct job *j, struct target *t, char **fresh,
			 struct ofb_error *err)
{
	const char *dest = t->client.files_dir;

	*fresh = NULL;
	if (!dest) {
		ofb_detail("%s has no files folder registered: its files are not restored",
			   t->subject);
		return 0;
	}
	if (!t->pkg_has_files) {
		ofb_detail("%s had no files folder when it was backed up: its files folder is left "
			   "as it is", t->subject);
		return 0;
	}
	/* the folders made above it would stay: not for a package not yet verified */
	if (!parent_exists(dest) && restore_verified_all(j, err) != 0)
		return -1;
	/* a new folder of our own (mkdtemp): never one left by an earlier run or planted */
	*fresh = xasprintf("%s.ofbackup-new-XXXXXX", dest);
	if (ofb_files_mkdirs_parent(dest, err) != 0 || !mkdtemp(*fresh)) {
		if (!err->set)
			ofb_error_set(err, "cannot create a folder beside '%s': %s", dest,
				      strerror(errno));
		free(*fresh);
		*fresh = NULL;
		ofb_error_about(err, t->subject);
		return -1;
	}
	if (ofb_reader_extract(j->reader, t->files_prefix, *fresh, err) != 0) {
		ofb_error_about(err, t->subject);
		return -1;
	}
	if (ofb_reader_extract_vanished(j->reader)) {
		/* deleted while the backup ran: the package holds no content for them */
		ofb_warn("%s: %zu file%s deleted while the backup ran %s not restored", t->subject,
			 ofb_reader_extract_vanished(j->reader),
			 ofb_reader_extract_vanished(j->reader) == 1 ? "" : "s",
			 ofb_reader_extract_vanished(j->reader) == 1 ? "is" : "are");
		j->warnings++;
	}
	return 0;
}

/* A new files folder with no old one to copy from: its parent's owner, and the
 * permissions it had when it was backed up, else the usual ones for a new folder
 * (mkdtemp made it owner-only). */
static int parent_like(const char *dest, int recorded, struct stat *st)
{
	char *parent = xstrdup(dest), *slash = strrchr(parent, '/');
	mode_t mask = umask(0);
	int ret;

	umask(mask);
	if (slash && slash != parent)
		*slash = '\0';
	else
		strcpy(parent, slash ? "/" : ".");
	ret = stat(parent, st);
	st->st_mode = (st->st_mode & ~(mode_t)07777) |
		      (recorded >= 0 ? (mode_t)recorded : 0777 & ~mask);
	free(parent);
	return ret;
}

static int swap_files(struct target *t, int recorded_mode, const char *fresh,
		      struct ofb_error *err)
{
	const char *dest = t->client.files_dir;
	char *old = xasprintf("%s.ofbackup-old-%ld", dest, (long)getpid());
	int had_old = access(dest, F_OK) == 0, ret = -1;
	struct stat st;

	/* the restored folder belongs to whom the old one belonged, with its permissions:
	 * the office application must keep writing there, others must not start reading */
	if (had_old ? stat(dest, &st) == 0 : parent_like(dest, recorded_mode, &st) == 0) {
		if (ofb_files_take_owner(fresh, &st, err) != 0)
			goto out;
	}
	if (had_old && rename(dest, old) != 0) {
		ofb_error_set(err, "cannot move '%s' aside: %s", dest, strerror(errno));
		goto out;
	}
	if (rename(fresh, dest) != 0) {
		ofb_error_set(err, "cannot put the restored files in place at '%s': %s", dest,
			      strerror(errno));
		if (had_old)
			rename(old, dest);
		goto out;
	}
	if (had_old && t->keep_old_files) {
		char *stamp = ofb_backup_stamped_name("replaced");
		char *aside = xasprintf("%s.%.*s", dest, (int)strlen(stamp) - 4, stamp);
		const char *kept = rename(old, aside) == 0 ? aside : old;
		ofb_notice("%s: the files that were in '%s' are kept in '%s'", t->subject, dest,
			   kept);
		free(stamp);
		free(aside);
	} else if (had_old && ofb_files_remove_tree(old, err) != 0) {
		goto out;
	}
	ret = 0;
out:
	free(old);
	return ret;
}

/* Before a database is made: all of the package. */
static int gate_all(void *ctx, struct ofb_error *err)
{
	return restore_verified_all(ctx, err);
}

/* Before the load's commit (or, without transactional DDL, its first change): what the
 * load has not read itself. */
static int gate_verified(void *ctx, struct ofb_error *err)
{
	return restore_verified(ctx, err);
}

/* Whether the verification on its thread has already failed (a load beside it stops). */
static int gate_failed(void *ctx)
{
	const struct job *j = ctx;

	return j->verify && j->verify->state == VERIFY_RUNNING && atomic_load(&j->verify->failed);
}

/* The connection kept since the probe, taken from t, when it still serves (its session
 * set up again); NULL when there is none, or it was dropped by the server while the
 * files were extracted (closed then). */
static struct ofb_db *take_kept(struct target *t)
{
	struct ofb_db *db = t->kept;
	struct ofb_error why;

	t->kept = NULL;
	ofb_error_clear(&why);
	if (!db || ofb_drv_session_setup(db, &why) == 0)
		return db;
	ofb_detail("%s: the connection kept since the probe is gone (%s): connecting again",
		   t->subject, why.msg);
	ofb_db_close(db);
	return NULL;
}

static int restore_target(struct job *j, struct target *t, struct ofb_error *err)
{
	struct ofb_schema s;
	struct ofb_load_stats stats;
	struct ofb_db *db = NULL;
	struct ofb_load_gate gate = { .pass = gate_verified, .failed = gate_failed, .ctx = j };
	struct ofb_load_gate make_gate = { .pass = gate_all, .ctx = j };
	char *fresh = NULL;
	int created = 0, loaded = 0, ret = -1;
	/* the verification left its tables to this load, which must read them itself */
	int beside = j->verify && j->verify->loaded && loads_beside(j, t);

	memset(&s, 0, sizeof s);
	if (target_schema(j, t, &s, err) != 0)
		goto out;
	/* the files go into a new folder of our own, removed on failure, and take the
	 * folder's place after the database's commit, which waits for the verification, as
	 * does making a database */
	if (t->files_prefix && extract_files(j, t, &fresh, err) != 0)
		goto out;
	/* where the load cannot be taken back, it waits before its connection is opened
	 * (not idle on the server meanwhile) */
	if (!t->db_transactional && !beside && restore_verified_all(j, err) != 0)
		goto out;
	db = take_kept(t);
	if (!db && ofb_load_open_target(t->connstr, &db, &created, &make_gate, err) != 0) {
		ofb_error_about(err, t->subject);
		goto out;
	}
	if (created)
		ofb_info("%s: created its database", t->subject);
	if (ofb_load_database(db, t->connstr, j->reader, &s,
			      (t->db_tables > 0 ? OFB_LOAD_REPLACE : 0) |
			      (j->strict ? OFB_LOAD_STRICT : 0) | (beside ? OFB_LOAD_BESIDE : 0),
			      t->subject, &gate, &stats, err) != 0) {
		j->tables_left += stats.tables_left;
		goto out;
	}
	loaded = 1;
	if (j->verify)
		j->verify->loaded_checked = 1;   /* the first load read its tables in full */
	j->warnings += stats.warnings;
	j->rows += stats.rows;
	if (fresh && swap_files(t, ofb_reader_entry_mode(j->reader, t->files_prefix), fresh,
				err) != 0) {
		ofb_error_prefix(err, "%s: its database is restored, its files are not", t->subject);
		goto out;
	}
	ofb_info("%s restored: %zu tables, %llu rows", t->subject, stats.tables, stats.rows);
	ret = 0;
out:
	if (fresh && access(fresh, F_OK) == 0) {
		struct ofb_error ignored;
		ofb_files_remove_tree(fresh, &ignored);
	}
	free(fresh);
	ofb_db_close(db);
	if (ret != 0 && created && !loaded)
		ofb_load_remove_created(t->connstr, t->subject);
	ofb_schema_free(&s);
	return ret;
}

int restore_apply(struct job *j, struct ofb_error *err)
{
	struct timespec end;

	if (!j->n_targets && restore_verified_all(j, err) != 0)
		return -1;
	for (size_t i = 0; i < j->n_targets; i++)
		if (restore_target(j, &j->targets[i], err) != 0) {
			if (i > 0)
				ofb_error_prefix(err, "restored %zu of %zu databases before this "
						 "failure", i, j->n_targets);
			if (j->safety_path)
				ofb_error_prefix(err, "what was there before is saved in '%s'",
						 j->safety_path);
			return -1;
		}
	clock_gettime(CLOCK_MONOTONIC, &end);
	ofb_info("restore finished: %zu database%s, %llu rows, %.1f s", j->n_targets,
		 j->n_targets == 1 ? "" : "s", j->rows,
		 (double)(end.tv_sec - j->started.tv_sec) +
			 (double)(end.tv_nsec - j->started.tv_nsec) / 1e9);
	return 0;
}

