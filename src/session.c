/* session.c - opening a database session: detect the engine, reconnect with its driver's
 * options, run its session set-up. Above both the ODBC transport (odbc.c) and the engine
 * drivers (drivers/). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "driver.h"
#include "session.h"
#include "util.h"

/* connstr plus each "key=value" of options whose key it does not set already. */
static char *merge_options(const char *connstr, const char *options)
{
	struct buf b;
	const char *p = options;

	buf_init(&b);
	buf_adds(&b, connstr);
	while (*p) {
		const char *end = strchr(p, ';');
		const char *eq = strchr(p, '=');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *key = eq && (size_t)(eq - p) < len ? xstrndup(p, (size_t)(eq - p)) : NULL;
		char *have = key ? ofb_connstr_get(connstr, key) : NULL;
		if (key && !have) {
			if (b.len && b.data[b.len - 1] != ';')
				buf_addc(&b, ';');
			buf_add(&b, p, len);
		}
		free(key);
		free(have);
		p += len;
		if (*p == ';')
			p++;
	}
	return buf_detach(&b);
}

/* A missing database file is an error unless the caller creates it (restore): it must
 * not become an empty new database. */
static int check_database_file(const char *connstr, const char *label, struct ofb_error *err)
{
	const struct ofb_driver *drv = ofb_driver_for_connstr(connstr);
	char *file = drv && drv->file_database ? ofb_connstr_lookup(connstr, "Database") : NULL;
	struct stat st;
	int ret = 0;

	if (file && strcmp(file, ":memory:") != 0 && stat(file, &st) != 0) {
		ofb_error_set(err, "cannot connect to '%s': database file '%s' does not exist",
			      label, file);
		ret = -1;
	}
	free(file);
	return ret;
}

int ofb_db_open(struct ofb_db **out, const char *connstr, struct ofb_error *err)
{
	return ofb_db_open_flags(out, connstr, 0, err);
}

int ofb_db_open_flags(struct ofb_db **out, const char *connstr, unsigned flags,
		      struct ofb_error *err)
{
	struct ofb_db *db = ofb_db_new(connstr, err);
	const struct ofb_driver *named = ofb_driver_for_connstr(connstr);
	char *merged = NULL, *probe = ofb_drv_probe_options(), *first = NULL;
	int ret = -1;

	*out = NULL;
	if (!db)
		goto out;
	if (!(flags & OFB_DB_MAY_CREATE) && check_database_file(connstr, db->label, err) != 0)
		goto out;
	first = merge_options(connstr, probe);
	/* An engine that Driver= names gets its options at once: one connection, not a first
	 * one to learn the engine and a second with the options (a DSN still takes two). A
	 * database file the caller may create keeps the two: the first is the one that may
	 * create it (SQLite's NoCreat=1 comes with the second); one that must exist was
	 * found above, and NoCreat=1 keeps it from being made should it vanish meanwhile. */
	if (named && named->connect_options &&
	    (!named->file_database || !(flags & OFB_DB_MAY_CREATE))) {
		merged = merge_options(first, named->connect_options);
		ofb_secret_free(first);
		first = merged;
		merged = NULL;
	}
	if (ofb_db_connect(db, first, err) != 0)
		goto out;
	db->drv = ofb_driver_for(db->dbms_name);
	if (db->drv->connect_options) {
		merged = merge_options(first, db->drv->connect_options);
		if (strcmp(merged, first) != 0) {
			ofb_db_disconnect(db);
			if (ofb_db_connect(db, merged, err) != 0)
				goto out;
		}
	}
	if (ofb_drv_session_setup(db, err) != 0) {
		ofb_error_prefix(err, "cannot prepare the session on '%s'", db->label);
		goto out;
	}
	*out = db;
	db = NULL;
	ret = 0;
out:
	ofb_secret_free(merged);
	ofb_secret_free(first);
	free(probe);
	ofb_db_close(db);
	return ret;
}

