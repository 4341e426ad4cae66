/* schedule.c - the daily job and its record (schedule.h): a full backup into the weekday
 * file, which replaces last week's only once the new package is complete and verified;
 * one log line and a state file per run, which status reads. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "backup.h"
#include "files.h"
#include "monitor.h"
#include "offsite.h"
#include "progress.h"
#include "reader.h"
#include "schedule.h"
#include "util.h"
#include "verify.h"

static const char *const days_en[7] = { "Sunday", "Monday", "Tuesday", "Wednesday",
					"Thursday", "Friday", "Saturday" };
static const char *const days_de[7] = { "Sonntag", "Montag", "Dienstag", "Mittwoch",
					"Donnerstag", "Freitag", "Samstag" };

const char *ofb_weekday_name(int wday, int german)
{
	return (german ? days_de : days_en)[((wday % 7) + 7) % 7];
}

char *ofb_schedule_state_path(const struct ofb_config *cfg)
{
	return xasprintf("%s/.%s-status.json", cfg->schedule.folder, cfg->schedule.name);
}

/* The state file, written under a temporary name and renamed: status never reads half. */
static void write_state(const struct ofb_config *cfg, const struct ofb_run_record *rr)
{
	char *path = ofb_schedule_state_path(cfg), *tmp = xasprintf("%s.tmp", path), *text;
	json_t *o = json_object();
	FILE *f;

	json_object_set_new(o, "result", json_string(rr->result));
	json_object_set_new(o, "start", json_integer((json_int_t)rr->start));
	json_object_set_new(o, "end", json_integer((json_int_t)rr->end));
	json_object_set_new(o, "package", rr->package ? json_string(rr->package) : json_null());
	json_object_set_new(o, "size", json_integer(rr->size));
	json_object_set_new(o, "clients_ok", json_integer((json_int_t)rr->ok));
	json_object_set_new(o, "clients_skipped", json_integer((json_int_t)rr->skipped));
	json_object_set_new(o, "clients_failed", json_integer((json_int_t)rr->failed));
	json_object_set_new(o, "message", rr->message ? json_string(rr->message) : json_null());
	json_object_set_new(o, "last_success", rr->last_success ?
			    json_integer((json_int_t)rr->last_success) : json_null());
	json_object_set_new(o, "clients", rr->clients ? json_incref(rr->clients) : json_array());
	{
		json_t *copies = json_array();
		for (size_t i = 0; i < rr->copies.n; i++) {
			const struct ofb_copy_result *c = &rr->copies.results[i];
			json_t *x = json_object();
			json_object_set_new(x, "target", json_string(c->target));
			json_object_set_new(x, "to", json_string(c->where));
			json_object_set_new(x, "result", json_string(c->ok ? "ok" : "failed"));
			json_object_set_new(x, "message", c->message ? json_string(c->message)
								     : json_null());
			json_array_append_new(copies, x);
		}
		json_object_set_new(o, "copies", copies);
	}
	text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) == EOF || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		ofb_warn("cannot write the state file '%s': %s", tmp, strerror(errno));
		if (f)
			fclose(f);
		unlink(tmp);
	} else if (fclose(f) != 0 || rename(tmp, path) != 0) {
		ofb_warn("cannot write the state file '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(text);
	free(tmp);
	free(path);
}

/* The new package re-read whole (verify), and its clients counted by their status in its
 * manifest: one opening of the package for both. */
static int verify_and_count(const struct ofb_config *cfg, const char *package,
			    struct ofb_run_record *rr, struct ofb_error *err)
{
	struct ofb_reader *r;
	char *password;
	json_t *c;
	size_t i;
	int rc;

	if (ofb_package_password(cfg, &password, err) != 0)
		return -1;
	r = ofb_reader_open(package, password, err);
	ofb_secret_free(password);
	if (!r)
		return -1;
	rc = ofb_reader_verify(r, err);
	rr->clients = json_array();
	json_array_foreach(json_object_get(ofb_reader_manifest(r), "clients"), i, c) {
		const char *status = json_string_value(json_object_get(c, "status"));
		json_t *x = json_object();
		json_object_set(x, "id", json_object_get(c, "id"));
		json_object_set(x, "status", json_object_get(c, "status"));
		if (json_is_string(json_object_get(c, "reason")))
			json_object_set(x, "reason", json_object_get(c, "reason"));
		json_array_append_new(rr->clients, x);
		if (status && strcmp(status, "ok") == 0)
			rr->ok++;
		else if (status && strcmp(status, "failed") == 0)
			rr->failed++;
		else
			rr->skipped++;
	}
	ofb_reader_close(r);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A dated copy of the weekday file (a second link to it: the weekday file is replaced by
 * a rename next week, the copy keeps this week's package), then the oldest copies of the
 * same pattern beyond keep removed. Only names of exactly that pattern are touched. */
static void keep_dated(const struct ofb_config *cfg, const char *weekday_file,
		       const char *stamp, int monthly, long keep)
{
	const struct ofb_schedule_cfg *sc = &cfg->schedule;
	char *copy = xasprintf("%s/%s-%s.zip", sc->folder, sc->name, stamp);
	size_t prefix = strlen(sc->name) + 1, len = prefix + strlen(stamp) + 4;
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *e;

	if (keep <= 0) {
		free(copy);
		return;
	}
	if (access(copy, F_OK) != 0 && link(weekday_file, copy) != 0)
		ofb_warn("cannot keep '%s': %s", copy, strerror(errno));
	free(copy);
	d = opendir(sc->folder);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *x = e->d_name + prefix;
		int ok = strlen(e->d_name) == len && strncmp(e->d_name, sc->name, prefix - 1) == 0 &&
			 e->d_name[prefix - 1] == '-';
		/* YYYY-Www.zip or YYYY-MM.zip */
		for (size_t i = 0; ok && i < 4; i++)
			ok = x[i] >= '0' && x[i] <= '9';
		if (ok && monthly)
			ok = x[4] == '-' && x[5] >= '0' && x[5] <= '9' && x[6] >= '0' && x[6] <= '9' &&
			     strcmp(x + 7, ".zip") == 0;
		else if (ok)
			ok = x[4] == '-' && x[5] == 'W' && x[6] >= '0' && x[6] <= '9' &&
			     x[7] >= '0' && x[7] <= '9' && strcmp(x + 8, ".zip") == 0;
		if (!ok)
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (n - i > (size_t)keep) {
			char *old = xasprintf("%s/%s", sc->folder, names[i]);
			if (unlink(old) == 0)
				ofb_info("removed '%s' (keeping the newest %ld)", old, keep);
			free(old);
		}
		free(names[i]);
	}
	free(names);
}

/* What killed runs left: .<name>-<day>.incoming.zip.<pid>.part[.XXXXXX] (the package
 * being written, and libzip's file for it while it writes) and <name>-<day>.incoming.zip
 * (written, not yet verified). The installation
 * lock is held, so no other run of this installation can be writing them. */
static void remove_leftovers(const struct ofb_schedule_cfg *sc)
{
	size_t n = strlen(sc->name);
	DIR *d = opendir(sc->folder);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *x = e->d_name, *inc = NULL;
		int part = x[0] == '.';
		if (part)
			x++;
		if (strncmp(x, sc->name, n) != 0 || x[n] != '-')
			continue;
		/* exactly <name>-<Weekday>: not another installation's <name>-branch-<Weekday> */
		for (int day = 0; !inc && day < 14; day++) {
			const char *w = ofb_weekday_name(day % 7, day >= 7);
			size_t wl = strlen(w);
			if (!strncmp(x + n + 1, w, wl) && !strncmp(x + n + 1 + wl, ".incoming.zip", 13))
				inc = x + n + 1 + wl;
		}
		if (!inc || (!part && inc[13] != '\0') ||
		    (part && (inc[13] != '.' || !strstr(inc + 13, ".part"))))
			continue;
		{
			char *path = xasprintf("%s/%s", sc->folder, e->d_name);
			struct stat st;
			if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
				ofb_info("removed '%s', left by a run that was stopped", path);
			free(path);
		}
	}
	closedir(d);
}

/* When the newest successful run ended, as the last state file recorded it. */
static time_t previous_success(const struct ofb_config *cfg)
{
	char *path = ofb_schedule_state_path(cfg);
	json_t *state = json_load_file(path, 0, NULL);
	json_t *last = json_object_get(state, "last_success");
	const char *result = json_string_value(json_object_get(state, "result"));
	time_t t = 0;

	if (json_is_integer(last))
		t = (time_t)json_integer_value(last);
	else if (result && !strcmp(result, "ok"))   /* written before last_success was kept */
		t = (time_t)json_integer_value(json_object_get(state, "end"));
	json_decref(state);
	free(path);
	return t;
}

int ofb_scheduled_run(const struct ofb_config *cfg, struct ofb_error *err)
{
	const struct ofb_schedule_cfg *sc = &cfg->schedule;
	struct ofb_run_record rr = { .start = time(NULL), .result = "failed" };
	struct ofb_backup_opts opts = { .kind = OFB_KIND_FULL, .skip_failed = 1,
					.offline_not_warning = !sc->offline_is_warning };
	char *final = NULL, *incoming = NULL;
	struct tm lt;
	struct stat st;
	int rc = OFB_EXIT_FAILED;

	if (!sc->folder) {
		ofb_error_usage(err, "config '%s': the daily job needs [schedule] folder (where the "
				"weekday files go)", cfg->path);
		return OFB_EXIT_USAGE;
	}
	ofb_monitor_start(cfg);
	rr.last_success = previous_success(cfg);
	/* a share that is not mounted must not fill the local disk instead */
	if (stat(sc->folder, &st) != 0 || !S_ISDIR(st.st_mode)) {
		ofb_error_errno(err, errno ? errno : ENOTDIR, "the [schedule] folder '%s' is not "
				"there (is the share mounted?)", sc->folder);
		rr.message = xstrdup(err->msg);
		goto out;
	}
	localtime_r(&rr.start, &lt);
	final = xasprintf("%s/%s-%s.zip", sc->folder, sc->name,
			  ofb_weekday_name(lt.tm_wday, sc->german));
	incoming = xasprintf("%s/%s-%s.incoming.zip", sc->folder, sc->name,
			     ofb_weekday_name(lt.tm_wday, sc->german));
	remove_leftovers(sc);
	opts.output = incoming;
	rc = ofb_backup_run(cfg, &opts, err);
	if (rc != OFB_EXIT_OK && rc != OFB_EXIT_WARNINGS) {
		ofb_error_prefix(err, "the daily backup failed; '%s' is kept as it was", final);
		rr.message = xstrdup(err->msg);
		goto out;
	}
	ofb_info("verifying '%s'", incoming);
	if (verify_and_count(cfg, incoming, &rr, err) != 0) {
		unlink(incoming);
		rr.ok = rr.skipped = rr.failed = 0;   /* of a package that is gone */
		json_decref(rr.clients);
		rr.clients = NULL;
		ofb_error_prefix(err, "the new package does not verify, it is removed; '%s' is kept "
				 "as it was", final);
		rr.message = xstrdup(err->msg);
		rc = OFB_EXIT_FAILED;
		goto out;
	}
	if (rr.failed && access(final, F_OK) == 0) {
		/* never replace a package with one that holds less */
		char stamp[32];
		char *kept;
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &lt);
		kept = xasprintf("%s/%s-%s-incomplete-%s.zip", sc->folder, sc->name,
				 ofb_weekday_name(lt.tm_wday, sc->german), stamp);
		if (rename(incoming, kept) != 0) {
			ofb_error_errno(err, errno, "cannot rename '%s' to '%s'", incoming, kept);
			free(kept);
			rr.message = xstrdup(err->msg);
			rc = OFB_EXIT_FAILED;
			goto out;
		}
		ofb_warn("%zu client%s failed: '%s' is kept as it was, the new package is '%s'",
			 rr.failed, rr.failed == 1 ? "" : "s", final, kept);
		rr.package = kept;
		rr.message = xasprintf("%zu clients failed; the weekday file was kept", rr.failed);
		rc = OFB_EXIT_WARNINGS;
	} else {
		if (rename(incoming, final) != 0) {
			ofb_error_errno(err, errno, "cannot rename '%s' to '%s'", incoming, final);
			rr.message = xstrdup(err->msg);
			rc = OFB_EXIT_FAILED;
			goto out;
		}
		rr.package = xstrdup(final);
		ofb_info("the daily backup is '%s'", final);
		{
			char week[16], month[16];
			strftime(week, sizeof week, "%G-W%V", &lt);
			strftime(month, sizeof month, "%Y-%m", &lt);
			keep_dated(cfg, final, week, 0, sc->keep_weekly);
			keep_dated(cfg, final, month, 1, sc->keep_monthly);
		}
	}
	if (ofb_files_sync_folder(sc->folder) != 0)
		ofb_warn("cannot sync the folder '%s': %s", sc->folder, strerror(errno));
	if (stat(rr.package, &st) == 0)
		rr.size = (long long)st.st_size;
	/* offsite: the weekday file replaces the remote weekday file the same way; a package
	 * kept beside it (a client failed) stays here */
	if (cfg->n_copies && strcmp(rr.package, final) == 0) {
		struct ofb_error cerr;
		ofb_error_clear(&cerr);
		if (ofb_copy_send(cfg, final, NULL, NULL, 0, &rr.copies, &cerr) != OFB_EXIT_OK) {
			char *msg = xasprintf("%s%s%zu of %zu offsite copies failed", rr.message ?
					      rr.message : "", rr.message ? "; " : "",
					      rr.copies.failed ? rr.copies.failed : rr.copies.n,
					      rr.copies.n);
			if (cerr.set)
				ofb_warn("%s", cerr.msg);
			free(rr.message);
			rr.message = msg;
			rc = OFB_EXIT_WARNINGS;
		}
	}
	rr.result = rc == OFB_EXIT_OK ? "ok" : "warning";
out:
	rr.end = time(NULL);
	if (strcmp(rr.result, "ok") == 0)
		rr.last_success = rr.end;
	ofb_monitor_finish(cfg, &rr);
	if (sc->folder && stat(sc->folder, &st) == 0 && S_ISDIR(st.st_mode))
		write_state(cfg, &rr);
	free(rr.package);
	free(rr.message);
	json_decref(rr.clients);
	ofb_copy_report_free(&rr.copies);
	free(final);
	free(incoming);
	return rc;
}

/* --- status -------------------------------------------------------------------------- */

int ofb_status_run(const struct ofb_config *cfg, int as_json)
{
	char *path = cfg->schedule.folder ? ofb_schedule_state_path(cfg) : NULL;
	json_t *state = path ? json_load_file(path, 0, NULL) : NULL;
	const char *result = json_string_value(json_object_get(state, "result"));
	json_int_t end = json_integer_value(json_object_get(state, "end"));
	long long age = (long long)(time(NULL) - (time_t)end);
	long long max = cfg->schedule.max_age_hours * 3600;
	int code;
	const char *verdict;

	if (!state || !result || !json_is_integer(json_object_get(state, "end"))) {
		code = 3;
		verdict = "UNKNOWN";
	} else if (strcmp(result, "failed") == 0 || age > 2 * max) {
		code = 2;
		verdict = "CRITICAL";
	} else if (strcmp(result, "ok") != 0 || age > max) {
		code = 1;
		verdict = "WARNING";
	} else {
		code = 0;
		verdict = "OK";
	}
	if (as_json) {
		json_t *o = json_object();
		char *text;
		json_object_set_new(o, "status", json_string(verdict));
		json_object_set_new(o, "code", json_integer(code));
		json_object_set_new(o, "age_seconds", state ? json_integer(age) : json_null());
		json_object_set_new(o, "max_age_hours", json_integer(cfg->schedule.max_age_hours));
		json_object_set_new(o, "last_run", state ? json_incref(state) : json_null());
		text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
		json_decref(o);
	} else if (!state) {
		printf("UNKNOWN: no run of the daily job is recorded%s%s%s\n", path ? " ('" : "",
		       path ? path : " ([schedule] folder is not set)", path ? "' is missing)" : "");
	} else {
		const char *pkg = json_string_value(json_object_get(state, "package"));
		const char *msg = json_string_value(json_object_get(state, "message"));
		printf("%s: last daily backup %s %lld hours ago, package %s, %lld bytes, clients "
		       "ok %lld, skipped %lld, failed %lld%s%s\n", verdict, result, age / 3600,
		       pkg ? pkg : "none", (long long)json_integer_value(json_object_get(state, "size")),
		       (long long)json_integer_value(json_object_get(state, "clients_ok")),
		       (long long)json_integer_value(json_object_get(state, "clients_skipped")),
		       (long long)json_integer_value(json_object_get(state, "clients_failed")),
		       msg ? "; " : "", msg ? msg : "");
	}
	json_decref(state);
	free(path);
	return code;
}
