/* backup.c - a whole backup run: find what to back up, check every database can be
 * reached, then write the package (login, clients, files, manifest) in one pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "dump.h"
#include "files.h"
#include "manifest.h"
#include "odbc.h"
#include "session.h"
#include "package.h"
#include "progress.h"
#include "registry.h"
#include "util.h"

struct client_job {
	const struct ofb_client *client;
	const char *status;
	char *reason;
	struct ofb_dbdump *dump;
	struct ofb_file_list files;
	char *files_folder;
};

struct run {
	const struct ofb_config *cfg;
	const struct ofb_backup_opts *opts;
	struct ofb_client *clients;
	size_t n_clients;
	struct client_job *jobs;
	size_t n_jobs;
	struct ofb_dbdump *login;
	struct ofb_manifest manifest;
	char **warnings;
	size_t n_warnings;
	char **bad_rows;          /* registry rows that are no client (unusable ids) */
	size_t n_bad_rows;
	struct timespec started;
	const char *password;     /* the package's, or NULL: not encrypted */
	int level;                /* [package] compression */
	int bytes_level;          /* that of tables of long bytes */
	int kept;                 /* a database was probed: the first one keeps its connection */
};

const char *ofb_kind_name(enum ofb_kind kind)
{
	switch (kind) {
	case OFB_KIND_FULL: return "full";
	case OFB_KIND_PARTIAL: return "partial";
	case OFB_KIND_EXPORT: return "export";
	}
	return "full";
}

char *ofb_backup_stamped_name(const char *label)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	return xasprintf("ofbackup-%s-%s.zip", label, stamp);
}

char *ofb_backup_default_name(enum ofb_kind kind, const char *client)
{
	char *label = client ? xasprintf("%s-%s", ofb_kind_name(kind), client)
			     : xstrdup(ofb_kind_name(kind));
	char *name = ofb_backup_stamped_name(label);

	free(label);
	return name;
}

static void add_warning(struct run *r, char *msg)
{
	ofb_warn("%s", msg);
	r->warnings = xrealloc(r->warnings, (r->n_warnings + 1) * sizeof *r->warnings);
	r->warnings[r->n_warnings++] = msg;
}

/* Views are not part of a backup (only tables are), nor what a restore would refuse to
 * run: say so rather than pass over them. */
static void warn_schema(struct run *r, const char *subject, const struct ofb_dbdump *d)
{
	size_t n = ofb_dbdump_views(d), n_notes;
	char *const *notes = ofb_dbdump_notes(d, &n_notes);

	if (n)
		add_warning(r, xasprintf("%s has %zu view%s: views are not backed up, only tables",
					 subject, n, n == 1 ? "" : "s"));
	for (size_t i = 0; i < n_notes; i++)
		add_warning(r, xasprintf("%s, %s", subject, notes[i]));
}

/* Where a client's data lives, to compare clients by: its database (a file's real path,
 * else the DSN or the server, port and database of the connection string) and its files
 * folder's real path. Both malloc'd, NULL when unknown. */
static char *database_key(const struct ofb_client *c)
{
	char *file = NULL, *key = NULL;

	if (c->conn.dsn)
		return xasprintf("dsn %s", c->conn.dsn);
	if (!c->conn.connect)
		return NULL;
	file = ofb_connstr_lookup(c->conn.connect, "Database");
	if (file) {
		char *real = realpath(file, NULL);
		char *server = ofb_connstr_lookup(c->conn.connect, "Server");
		char *port = ofb_connstr_lookup(c->conn.connect, "Port");
		char *dsn = ofb_connstr_lookup(c->conn.connect, "DSN");
		key = real ? xasprintf("file %s", real)
			   : xasprintf("%s|%s|%s|%s", dsn ? dsn : "", server ? server : "",
				       port ? port : "", file);
		free(real);
		free(server);
		free(port);
		free(dsn);
	}
	free(file);
	return key;
}

/* Two clients on one database or one files folder: a restore of one replaces the
 * other's data. Worth a warning on every backup until the registry is corrected. */
static void warn_shared(struct run *r)
{
	/* each client's keys once: a DSN's lookup reads odbc.ini */
	char **db = xcalloc(r->n_clients + 1, sizeof *db);
	char **files = xcalloc(r->n_clients + 1, sizeof *files);

	for (size_t i = 0; i < r->n_clients; i++) {
		db[i] = database_key(&r->clients[i]);
		files[i] = r->clients[i].files_dir ? realpath(r->clients[i].files_dir, NULL) : NULL;
	}
	for (size_t i = 0; i < r->n_clients; i++)
		for (size_t k = i + 1; k < r->n_clients; k++) {
			if (db[i] && db[k] && ascii_casecmp(db[i], db[k]) == 0)
				add_warning(r, xasprintf("clients '%s' and '%s' use the same database: a "
							 "restore of one replaces the other's data; "
							 "correct the registry", r->clients[i].id,
							 r->clients[k].id));
			if (files[i] && files[k] && strcmp(files[i], files[k]) == 0)
				add_warning(r, xasprintf("clients '%s' and '%s' use the same files folder "
							 "'%s': a restore of one replaces the other's "
							 "files; correct the registry", r->clients[i].id,
							 r->clients[k].id, files[i]));
		}
	for (size_t i = 0; i < r->n_clients; i++) {
		ofb_secret_free(db[i]);
		free(files[i]);
	}
	free(db);
	free(files);
}

/* Read the registry through a short-lived connection to the login database. */
static int load_registry(struct run *r, const char *login_conn, struct ofb_error *err)
{
	struct ofb_db *db = NULL;
	int ret = -1;

	if (ofb_db_open(&db, login_conn, err) != 0) {
		ofb_error_prefix(err, "login database");
		goto out;
	}
	if (ofb_registry_load(db, r->cfg, &r->clients, &r->n_clients, &r->bad_rows,
			      &r->n_bad_rows, err) != 0)
		goto out;
	{
		size_t n_msgs;
		char **msgs = ofb_registry_unmatched(r->cfg, r->clients, r->n_clients, &n_msgs);
		/* not a warning: a section may wait for a client to be imported */
		for (size_t i = 0; i < n_msgs; i++) {
			ofb_detail("%s", msgs[i]);
			free(msgs[i]);
		}
		free(msgs);
	}
	ret = 0;
out:
	ofb_db_close(db);
	return ret;
}

/* Which clients this kind of backup covers; unknown names are usage errors. */
static int select_clients(struct run *r, struct ofb_error *err)
{
	const struct ofb_backup_opts *o = r->opts;

	r->jobs = xcalloc(r->n_clients + 1, sizeof *r->jobs);
	if (o->kind == OFB_KIND_FULL) {
		for (size_t i = 0; i < r->n_clients; i++)
			r->jobs[r->n_jobs++].client = &r->clients[i];
		return 0;
	}
	for (size_t i = 0; i < o->n_clients; i++) {
		const struct ofb_client *c = ofb_client_find(r->clients, r->n_clients,
							     o->clients[i]);
		int dup = 0;
		if (!c) {
			ofb_error_usage(err, "client '%s' is not registered in the login database "
					"(see 'ofbackup clients')", o->clients[i]);
			return -1;
		}
		for (size_t j = 0; j < r->n_jobs; j++)
			dup |= r->jobs[j].client == c;
		if (!dup)
			r->jobs[r->n_jobs++].client = c;
	}
	return 0;
}

/* Reach the client's database and list its files; on failure, err says why. */
static int prepare_client(struct run *r, struct client_job *j, struct ofb_error *err)
{
	const struct ofb_client *c = j->client;
	char *subject = xasprintf("client '%s'", c->id);
	char *folder = xasprintf("clients/%s/db/", c->id);
	char *conn = NULL;
	int ret = -1;

	j->files_folder = xasprintf("clients/%s/files/", c->id);
	if (!c->conn.connect && !c->conn.dsn) {
		ofb_error_set(err, "%s has no database: neither its registry entry nor "
			      "[client.%s] in the configuration names a connection", subject, c->id);
		goto out;
	}
	conn = ofb_dbconn_string(&c->conn, err);
	if (!conn) {
		ofb_error_prefix(err, "%s", subject);
		goto out;
	}
	j->dump = ofb_dbdump_new(subject, conn, folder);
	ofb_progress_update(subject, 0, 0);
	if (ofb_dbdump_probe(j->dump, !r->kept, err) != 0)
		goto out;
	r->kept = 1;
	warn_schema(r, subject, j->dump);
	if (c->files_dir) {
		if (ofb_files_scan(c->files_dir, &j->files, err) != 0) {
			ofb_error_prefix(err, "%s: files folder", subject);
			goto out;
		}
		for (size_t i = 0; i < j->files.n_warnings; i++)
			add_warning(r, xasprintf("%s: %s", subject, j->files.warnings[i]));
	} else {
		ofb_detail("%s has no files folder registered", subject);
	}
	ret = 0;
out:
	ofb_secret_free(conn);
	free(subject);
	free(folder);
	return ret;
}

static int add_client_files(struct client_job *j, struct ofb_pkg *pkg, struct ofb_error *err)
{
	if (ofb_pkg_add_dir(pkg, j->files_folder, NULL, (int)j->files.root_mode, err) != 0)
		return -1;
	for (size_t i = 0; i < j->files.n; i++) {
		const struct ofb_file_entry *f = &j->files.items[i];
		char *path = xasprintf("%s%s", j->files_folder, f->rel);
		int rc = f->is_dir ? ofb_pkg_add_dir(pkg, path, &f->mtime, (int)f->mode, err)
				   : ofb_pkg_add_file(pkg, path, f, err);
		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Files deleted while the backup ran were stored empty: each is worth a warning. */
static void note_vanished(struct run *r, const struct ofb_pkg *pkg)
{
	struct ofb_entry_info *const *e;
	size_t n = ofb_pkg_entries(pkg, &e);

	for (size_t i = 0; i < n; i++)
		if (e[i]->vanished)
			add_warning(r, xasprintf("'%s' was deleted or replaced (by a link or something other than the file listed) during the backup: stored empty",
						 e[i]->path));
}

static int manifest_produce(void *ctx, struct buf *out, int *eof, struct ofb_error *err)
{
	struct run *r = ctx;
	char *text;

	note_vanished(r, r->manifest.pkg);
	r->manifest.warnings = r->warnings;
	r->manifest.n_warnings = r->n_warnings;
	text = ofb_manifest_json(&r->manifest);

	if (!text) {
		ofb_error_set(err, "cannot encode manifest.json");
		return -1;
	}
	buf_adds(out, text);
	buf_addc(out, '\n');
	free(text);
	*eof = 1;
	return 0;
}

static const struct ofb_entry_ops manifest_ops = {
	.produce = manifest_produce,
};

static int write_package(struct run *r, const char *path, struct ofb_error *err)
{
	const struct ofb_pkg_settings set = { r->password, r->level, r->bytes_level };
	struct ofb_pkg *pkg = ofb_pkg_create(path, &set, err);
	size_t n_ok = 0;
	int ret = -1;

	if (!pkg)
		return -1;
	if (r->login && ofb_dbdump_add(r->login, pkg, err) != 0)
		goto out;
	r->manifest.clients = xcalloc(r->n_jobs + 1, sizeof *r->manifest.clients);
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct client_job *j = &r->jobs[i];
		struct ofb_manifest_client *mc = &r->manifest.clients[i];
		mc->id = j->client->id;
		mc->name = j->client->name;
		mc->status = j->status;
		mc->reason = j->reason;
		if (strcmp(j->status, "ok") != 0)
			continue;
		if (ofb_dbdump_add(j->dump, pkg, err) != 0 || add_client_files(j, pkg, err) != 0)
			goto out;
		mc->db = j->dump;
		mc->files_source = j->client->files_dir;
		mc->files_folder = j->files_folder;
		mc->files = &j->files;
		n_ok++;
	}
	r->manifest.n_clients = r->n_jobs;
	r->manifest.kind = ofb_kind_name(r->opts->kind);
	r->manifest.login = r->login;
	r->manifest.pkg = pkg;
	/* Last, so that it is produced after every other entry and can list them all. */
	if (ofb_pkg_add_lazy(pkg, "manifest.json", &manifest_ops, r, NULL, err) != 0)
		goto out;
	if (ofb_pkg_commit(pkg, err) != 0)
		goto out;
	ofb_progress_done();
	{
		struct stat st;
		struct timespec end;
		double mib = 1024.0 * 1024.0;
		clock_gettime(CLOCK_MONOTONIC, &end);
		ofb_info("backup written: %s (%s, %zu client%s, %.1f MiB of data in %.1f MiB, "
			 "%.1f s)", path, r->manifest.kind, n_ok, n_ok == 1 ? "" : "s",
			 (double)ofb_pkg_bytes(pkg) / mib,
			 stat(path, &st) == 0 ? (double)st.st_size / mib : 0.0,
			 (double)(end.tv_sec - r->started.tv_sec) +
				 (double)(end.tv_nsec - r->started.tv_nsec) / 1e9);
	}
	ret = 0;
out:
	ofb_progress_done();
	ofb_pkg_free(pkg);
	return ret;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n_jobs; i++) {
		ofb_dbdump_free(r->jobs[i].dump);
		ofb_files_free(&r->jobs[i].files);
		free(r->jobs[i].reason);
		free(r->jobs[i].files_folder);
	}
	free(r->jobs);
	ofb_dbdump_free(r->login);
	ofb_clients_free(r->clients, r->n_clients);
	ofb_registry_bad_free(r->bad_rows, r->n_bad_rows);
	for (size_t i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	free(r->manifest.clients);
}

int ofb_backup_targets(const char *login_conn, const struct ofb_client *clients, size_t n,
		       const char *output, const char *password, size_t *warnings,
		       struct ofb_error *err)
{
	const struct ofb_backup_opts opts = { .kind = OFB_KIND_PARTIAL, .output = output };
	struct run r = { .opts = &opts, .password = password, .level = OFB_LEVEL_DEFAULT,
			 .bytes_level = OFB_LEVEL_BYTES };
	struct ofb_client *copies = xcalloc(n + 1, sizeof *copies);
	int ret = -1;

	ofb_manifest_stamp(&r.manifest);
	clock_gettime(CLOCK_MONOTONIC, &r.started);
	if (login_conn) {
		r.login = ofb_dbdump_new("login database", login_conn, "login/");
		if (ofb_dbdump_probe(r.login, 1, err) != 0)
			goto out;
		r.kept = 1;
	}
	r.jobs = xcalloc(n + 1, sizeof *r.jobs);
	for (size_t i = 0; i < n; i++) {
		struct client_job *j = &r.jobs[r.n_jobs++];
		/* a files folder that is not there holds nothing to save */
		copies[i] = clients[i];
		if (copies[i].files_dir && access(copies[i].files_dir, F_OK) != 0)
			copies[i].files_dir = NULL;
		j->client = &copies[i];
		j->status = "ok";
		if (prepare_client(&r, j, err) != 0)
			goto out;
	}
	ret = write_package(&r, output, err);
	*warnings = r.n_warnings;
out:
	run_free(&r);
	free(copies);
	return ret;
}

int ofb_backup_run(const struct ofb_config *cfg, const struct ofb_backup_opts *opts,
		   struct ofb_error *err)
{
	struct run r = { .cfg = cfg, .opts = opts };
	char *login_conn = NULL, *path = NULL, *password = NULL;
	int ret = OFB_EXIT_FAILED;

	ofb_manifest_stamp(&r.manifest);
	clock_gettime(CLOCK_MONOTONIC, &r.started);
	if (opts->kind == OFB_KIND_EXPORT && opts->n_clients != 1) {
		ofb_error_usage(err, "export takes exactly one client");
		goto out;
	}
	if (ofb_package_password(cfg, &password, err) != 0)
		goto out;
	r.password = password;
	r.level = cfg->package.level;
	r.bytes_level = cfg->package.bytes_level;
	login_conn = ofb_dbconn_string(&cfg->login, err);
	if (!login_conn) {
		ofb_error_prefix(err, "login database");
		goto out;
	}
	if (load_registry(&r, login_conn, err) != 0 || select_clients(&r, err) != 0)
		goto out;
	/* a registry row that is no client is that row's failure: a full backup cannot
	 * cover it, a partial one of other clients is not concerned */
	for (size_t i = 0; i < r.n_bad_rows; i++) {
		if (opts->kind != OFB_KIND_FULL) {
			ofb_detail("%s (not part of this backup)", r.bad_rows[i]);
		} else if (!opts->skip_failed) {
			ofb_error_set(err, "%s: the full backup stops (correct the row, or use "
				      "--skip-failed to back up the other clients)", r.bad_rows[i]);
			goto out;
		} else {
			add_warning(&r, xasprintf("%s (that row is left out of the backup)",
						  r.bad_rows[i]));
		}
	}
	if (opts->kind == OFB_KIND_FULL) {
		r.manifest.registry_errors = r.bad_rows;
		r.manifest.n_registry_errors = r.n_bad_rows;
		warn_shared(&r);
	}
	if (opts->kind != OFB_KIND_EXPORT) {
		r.login = ofb_dbdump_new("login database", login_conn, "login/");
		if (ofb_dbdump_probe(r.login, 1, err) != 0)
			goto out;
		r.kept = 1;
		warn_schema(&r, "login database", r.login);
	}
	for (size_t i = 0; i < r.n_jobs; i++) {
		struct client_job *j = &r.jobs[i];
		struct ofb_error cerr;
		j->status = "ok";
		if (j->client->offline && opts->kind == OFB_KIND_FULL) {
			j->status = "skipped-offline";
			j->reason = xstrdup("registered offline");
			if (opts->offline_not_warning)
				ofb_info("client '%s' is registered offline: skipped",
					 j->client->id);
			else
				add_warning(&r, xasprintf("client '%s' is registered offline: "
							  "skipped", j->client->id));
			continue;
		}
		ofb_error_clear(&cerr);
		if (prepare_client(&r, j, &cerr) == 0)
			continue;
		if (!opts->skip_failed || opts->kind == OFB_KIND_EXPORT) {
			*err = cerr;
			goto out;
		}
		j->status = "failed";
		j->reason = xstrdup(cerr.msg);
		add_warning(&r, xasprintf("%s (left out of the backup)", cerr.msg));
	}
	if (opts->output) {
		path = xstrdup(opts->output);
	} else {
		char *name = ofb_backup_default_name(opts->kind, opts->kind == OFB_KIND_EXPORT
								 ? opts->clients[0] : NULL);
		path = xasprintf("%s/%s", cfg->backup_dir ? cfg->backup_dir : ".", name);
		free(name);
	}
	if (write_package(&r, path, err) != 0)
		goto out;
	if (opts->written)
		*opts->written = xstrdup(path);
	ret = r.n_warnings ? OFB_EXIT_WARNINGS : OFB_EXIT_OK;
out:
	ofb_progress_done();
	if (ret == OFB_EXIT_FAILED && err->exit_code == OFB_EXIT_USAGE)
		ret = OFB_EXIT_USAGE;
	ofb_secret_free(login_conn);
	ofb_secret_free(password);
	free(path);
	run_free(&r);
	return ret;
}
