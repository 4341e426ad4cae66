/* registry.c - reading the client registry table of the login database. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "driver.h"
#include "odbc.h"
#include "registry.h"
#include "schema.h"
#include "util.h"

/* Names Windows reserves for devices, also with an extension ("con.txt"). */
static int windows_device_name(const char *id)
{
	static const char *const names[] = { "con", "prn", "aux", "nul" };
	size_t stem = strcspn(id, ".");

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (stem == 3 && strncasecmp(id, names[i], 3) == 0)
			return 1;
	return stem == 4 && (strncasecmp(id, "com", 3) == 0 || strncasecmp(id, "lpt", 3) == 0) &&
	       id[3] >= '1' && id[3] <= '9';
}

int ofb_client_id_valid(const char *id)
{
	size_t n = strlen(id);

	/* Windows drops a trailing dot, so "a." would land in the folder of "a". */
	if (n == 0 || n > 64 || id[0] == '.' || id[n - 1] == '.' || windows_device_name(id))
		return 0;
	for (const char *p = id; *p; p++)
		if (!(isalnum((unsigned char)*p) && (unsigned char)*p < 0x80) && *p != '.' &&
		    *p != '_' && *p != '-')
			return 0;
	return 1;
}

int ofb_registry_truthy(const char *value)
{
	static const char *const words[] = { "true", "yes", "on", "t", "y" };
	char *v, *end;
	size_t n;
	int ret = 0;

	if (!value)
		return 0;
	while (isspace((unsigned char)*value))
		value++;
	v = xstrdup(value);
	/* CHAR(n) columns arrive blank-padded */
	for (n = strlen(v); n && isspace((unsigned char)v[n - 1]); n--)
		v[n - 1] = '\0';
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		ret |= strcasecmp(v, words[i]) == 0;
	if (!ret && n && (isdigit((unsigned char)v[0]) || v[0] == '-' || v[0] == '+' ||
			  v[0] == '.')) {
		double d = strtod(v, &end);
		ret = *end == '\0' && d != 0;
	}
	free(v);
	return ret;
}

void ofb_registry_conn(const char *value, struct ofb_dbconn *conn)
{
	memset(conn, 0, sizeof *conn);
	if (!value || !*value)
		return;
	if (strchr(value, '='))
		conn->connect = xstrdup(value);
	else
		conn->dsn = xstrdup(value);
}

void ofb_clients_free(struct ofb_client *clients, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(clients[i].id);
		free(clients[i].name);
		free(clients[i].files_dir);
		ofb_dbconn_free(&clients[i].conn);
	}
	free(clients);
}

const struct ofb_client *ofb_client_find(const struct ofb_client *clients, size_t n,
					 const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(clients[i].id, id) == 0)
			return &clients[i];
	return NULL;
}

int ofb_registry_client(const struct ofb_config *cfg, const char *const values[5],
			struct ofb_client *c, struct ofb_error *err)
{
	const struct ofb_client_override *ov;
	char *id = NULL;

	memset(c, 0, sizeof *c);
	if (values[0]) {
		/* CHAR(n) columns arrive blank-padded */
		id = xstrdup(values[0]);
		for (size_t k = strlen(id); k && id[k - 1] == ' '; k--)
			id[k - 1] = '\0';
	}
	if (!id || !ofb_client_id_valid(id)) {
		char shown[80];
		size_t k = 0;
		/* the id as data: no terminal control characters, not too long */
		for (const char *p = values[0] ? values[0] : "(NULL)"; *p && k + 4 < sizeof shown; p++)
			shown[k++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
		shown[k] = '\0';
		ofb_error_set(err, "client registry: id '%s%s' is not usable as a folder name "
			      "(1-64 of A-Z a-z 0-9 . _ -, not starting or ending with a dot, not "
			      "a device name such as 'con')", shown,
			      values[0] && strlen(values[0]) > k ? "..." : "");
		free(id);
		return -1;
	}
	c->id = id;
	c->name = xstrdup(values[1] ? values[1] : "");
	ofb_registry_conn(values[2], &c->conn);
	c->files_dir = values[3] && *values[3] ? xstrdup(values[3]) : NULL;
	c->offline = ofb_registry_truthy(values[4]);
	ov = ofb_config_client(cfg, c->id);
	if (ov) {
		ofb_dbconn_copy(&c->conn, &ov->conn);
		if (ov->files) {
			free(c->files_dir);
			c->files_dir = xstrdup(ov->files);
		}
	}
	return 0;
}

static int cmp_clients(const void *a, const void *b)
{
	return strcmp(((const struct ofb_client *)a)->id, ((const struct ofb_client *)b)->id);
}

/* Every configured column must exist: SQLite would read an unknown "column" in double
 * quotes as a string, and every client would get that string as its id. */
static int check_columns(struct ofb_db *login, const struct ofb_registry_map *m,
			 const char *const cols[5], struct ofb_error *err)
{
	static const char *const keys[5] = { "id", "name", "connect", "files_dir", "offline" };
	char **names = NULL;
	size_t n = 0;
	int ret = -1;

	if (ofb_schema_column_names(login, m->table, &names, &n, err) != 0) {
		ofb_error_usage(err, "the login database has no client registry table '%s' (see "
				"[registry] table in the configuration)", m->table);
		goto out;
	}
	for (int i = 0; i < 5; i++) {
		int found = 0;
		for (size_t k = 0; k < n && !found; k++)
			found = strcmp(names[k], cols[i]) == 0;
		if (!found) {
			ofb_error_usage(err, "the client registry table '%s' has no column '%s' (see "
					"[registry] %s in the configuration)", m->table, cols[i],
					keys[i]);
			goto out;
		}
	}
	ret = 0;
out:
	for (size_t k = 0; k < n; k++)
		free(names[k]);
	free(names);
	return ret;
}

void ofb_registry_bad_free(char **bad, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(bad[i]);
	free(bad);
}

int ofb_registry_load(struct ofb_db *login, const struct ofb_config *cfg,
		      struct ofb_client **out, size_t *n_out, char ***bad, size_t *n_bad,
		      struct ofb_error *err)
{
	const struct ofb_registry_map *m = &cfg->reg;
	const char *cols[] = { m->col_id, m->col_name, m->col_connect, m->col_files,
			       m->col_offline };
	struct ofb_client *clients = NULL;
	size_t n = 0, cap = 0;
	char *v[5] = { 0 };
	SQLHSTMT st = NULL;
	struct buf sql;
	SQLRETURN rc;
	int ret = -1;

	*out = NULL;
	*n_out = 0;
	*bad = NULL;
	*n_bad = 0;
	buf_init(&sql);
	if (check_columns(login, m, cols, err) != 0)
		goto out;
	buf_adds(&sql, "SELECT ");
	for (size_t i = 0; i < 5; i++) {
		if (i)
			buf_adds(&sql, ", ");
		ofb_drv_quote(login->drv, &sql, cols[i]);
	}
	buf_adds(&sql, " FROM ");
	ofb_drv_quote(login->drv, &sql, m->table);
	if (ofb_db_query(login, sql.data, &st, err) != 0) {
		ofb_error_prefix(err, "cannot read the client registry (table '%s'; see [registry] "
				 "in the configuration)", m->table);
		goto out;
	}
	while ((rc = ofb_fetch(st, "cannot read the client registry", err)) > 0) {
		for (size_t i = 0; i < 5; i++) {
			free(v[i]);
			v[i] = NULL;
			if (ofb_get_text(st, (int)i + 1, &v[i], err) != 0) {
				ofb_error_prefix(err, "cannot read the client registry");
				goto out;
			}
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			clients = xrealloc(clients, cap * sizeof *clients);
		}
		{
			struct ofb_error row_err;
			ofb_error_clear(&row_err);
			if (ofb_registry_client(cfg, (const char *const *)v, &clients[n], &row_err) != 0) {
				*bad = xrealloc(*bad, (*n_bad + 1) * sizeof **bad);
				(*bad)[(*n_bad)++] = xstrdup(row_err.msg);
				continue;
			}
		}
		n++;
	}
	if (rc < 0)
		goto out;
	if (n > 1)
		qsort(clients, n, sizeof *clients, cmp_clients);
	/* ids become folder names, and [client.ID] matches them ignoring case: ids that
	 * differ only in case would share a folder and an override */
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (ascii_casecmp(clients[i].id, clients[k].id) == 0) {
				ofb_error_set(err, "client registry: ids '%s' and '%s' differ only in "
					      "letter case; ids must be unique regardless of case",
					      clients[i].id, clients[k].id);
				goto out;
			}
	*out = clients;
	*n_out = n;
	clients = NULL;
	n = 0;
	ret = 0;
out:
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	for (size_t i = 0; i < 5; i++)
		free(v[i]);
	ofb_clients_free(clients, n);
	if (ret != 0) {
		ofb_registry_bad_free(*bad, *n_bad);
		*bad = NULL;
		*n_bad = 0;
	}
	buf_free(&sql);
	return ret;
}

char **ofb_registry_unmatched(const struct ofb_config *cfg, const struct ofb_client *clients,
			      size_t n, size_t *n_msgs)
{
	char **msgs = NULL;

	*n_msgs = 0;
	for (size_t i = 0; i < cfg->n_overrides; i++) {
		int found = 0;
		for (size_t k = 0; k < n && !found; k++)
			found = ascii_casecmp(clients[k].id, cfg->overrides[i].id) == 0;
		if (found)
			continue;
		msgs = xrealloc(msgs, (*n_msgs + 1) * sizeof *msgs);
		msgs[(*n_msgs)++] = xasprintf("config: [client.%s] matches no registered client "
					      "(a typing mistake, or one still to be imported?)", cfg->overrides[i].id);
	}
	return msgs;
}

int ofb_registry_register(struct ofb_db *db, const struct ofb_config *cfg, const char *id,
			  const char *name, const char *connect_value, const char *files_dir,
			  int exists, struct ofb_error *err)
{
	const struct ofb_registry_map *m = &cfg->reg;
	const char *cols[5] = { m->col_id, m->col_name, m->col_connect, m->col_files,
				m->col_offline };
	const char *vals[5] = { id, name, connect_value, files_dir, "0" };
	const char *args[5];
	SQLHSTMT st = NULL;
	struct buf sql;
	int ret;

	buf_init(&sql);
	if (exists) {
		/* id stays; the database connection stays as registered when none was given */
		size_t n = 0;
		buf_adds(&sql, "UPDATE ");
		ofb_drv_quote(db->drv, &sql, m->table);
		buf_adds(&sql, " SET ");
		for (int i = 1; i < 5; i++) {
			if (i == 2 && !connect_value)
				continue;
			if (n)
				buf_adds(&sql, ", ");
			ofb_drv_quote(db->drv, &sql, cols[i]);
			buf_adds(&sql, " = ?");
			args[n++] = vals[i];
		}
		buf_adds(&sql, " WHERE ");
		ofb_drv_quote(db->drv, &sql, cols[0]);
		buf_adds(&sql, " = ?");
		args[n++] = vals[0];
		ret = ofb_db_query_args(db, sql.data, args, n, &st, err);
	} else {
		buf_adds(&sql, "INSERT INTO ");
		ofb_drv_quote(db->drv, &sql, m->table);
		buf_adds(&sql, " (");
		for (int i = 0; i < 5; i++) {
			if (i)
				buf_adds(&sql, ", ");
			ofb_drv_quote(db->drv, &sql, cols[i]);
		}
		buf_adds(&sql, ") VALUES (?, ?, ?, ?, ?)");
		ret = ofb_db_query_args(db, sql.data, vals, 5, &st, err);
	}
	if (st)
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	buf_free(&sql);
	return ret;
}
