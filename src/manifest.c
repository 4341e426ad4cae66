/* manifest.c - building manifest.json from a finished backup, and reading it back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zip.h>

#include "dump.h"
#include "files.h"
#include "manifest.h"
#include "package.h"
#include "util.h"

void ofb_manifest_stamp(struct ofb_manifest *m)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(m->created, sizeof m->created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (gethostname(m->host, sizeof m->host) != 0)
		snprintf(m->host, sizeof m->host, "unknown");
	m->host[sizeof m->host - 1] = '\0';
}

/* JSON holds UTF-8 only: bytes of a file name that are not become '?'. */
static json_t *utf8_string(const char *s)
{
	char *copy;
	json_t *j;

	if (utf8_valid(s, strlen(s)))
		return json_string(s);
	copy = xstrdup(s);
	for (unsigned char *p = (unsigned char *)copy; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void format_mtime(char *out, size_t n, const struct timespec *ts)
{
	struct tm tm;
	char date[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%09ldZ", date, ts->tv_nsec);
}

static json_t *database_json(const struct ofb_dbdump *d)
{
	const struct ofb_schema *s = ofb_dbdump_schema(d);
	json_t *o = json_object(), *tables = json_array();
	char *schema_entry = xasprintf("%sschema.json", ofb_dbdump_folder(d));

	json_object_set_new(o, "folder", json_string(ofb_dbdump_folder(d)));
	json_object_set_new(o, "engine", str_or_null(s->engine));
	json_object_set_new(o, "dbms_name", str_or_null(s->dbms_name));
	json_object_set_new(o, "dbms_version", str_or_null(s->dbms_version));
	json_object_set_new(o, "source", json_string(ofb_dbdump_source(d)));
	json_object_set_new(o, "schema", json_string(schema_entry));
	for (size_t i = 0; i < s->n_tables; i++) {
		json_t *t = json_object();
		json_object_set_new(t, "name", json_string(s->tables[i].name));
		if (s->tables[i].schema)
			json_object_set_new(t, "schema", json_string(s->tables[i].schema));
		json_object_set_new(t, "entry", str_or_null(s->tables[i].entry));
		json_object_set_new(t, "rows", json_integer((json_int_t)s->tables[i].n_rows));
		json_array_append_new(tables, t);
	}
	json_object_set_new(o, "tables", tables);
	if (ofb_dbdump_warning(d))
		json_object_set_new(o, "snapshot_warning", json_string(ofb_dbdump_warning(d)));
	free(schema_entry);
	return o;
}

static json_t *client_json(const struct ofb_manifest_client *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "name", str_or_null(c->name));
	json_object_set_new(o, "status", json_string(c->status));
	json_object_set_new(o, "reason", str_or_null(c->reason));
	if (c->db)
		json_object_set_new(o, "database", database_json(c->db));
	if (c->db) {
		json_t *f = json_object();
		json_object_set_new(f, "source", str_or_null(c->files_source));
		json_object_set_new(f, "folder", json_string(c->files_folder));
		json_object_set_new(f, "files", json_integer(c->files ? (json_int_t)c->files->n_files : 0));
		json_object_set_new(f, "folders", json_integer(c->files ? (json_int_t)c->files->n_dirs : 0));
		json_object_set_new(f, "bytes",
				    json_integer(c->files ? (json_int_t)c->files->total_bytes : 0));
		json_object_set_new(o, "files", f);
	}
	return o;
}

static json_t *entries_json(const struct ofb_pkg *pkg)
{
	struct ofb_entry_info *const *e;
	size_t n = ofb_pkg_entries(pkg, &e);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		if (strcmp(e[i]->path, "manifest.json") == 0) {
			json_decref(o);
			continue;
		}
		if (e[i]->raw_name) {
			char *text = ofb_raw_name_encode(e[i]->path);
			json_object_set_new(o, "path", json_string(text));
			json_object_set_new(o, "raw_name", json_true());
			free(text);
		} else {
			json_object_set_new(o, "path", json_string(e[i]->path));
		}
		if (e[i]->is_dir) {
			json_object_set_new(o, "type", json_string("dir"));
		} else {
			json_object_set_new(o, "size", json_integer((json_int_t)e[i]->size));
			json_object_set_new(o, "sha256", json_string(e[i]->sha256));
			if (e[i]->has_rows)
				json_object_set_new(o, "rows", json_integer((json_int_t)e[i]->rows));
			if (e[i]->vanished)
				json_object_set_new(o, "vanished", json_true());
		}
		if (e[i]->mode >= 0) {
			char mode[8];
			snprintf(mode, sizeof mode, "%04o", (unsigned)e[i]->mode & 0777);
			json_object_set_new(o, "mode", json_string(mode));
		}
		if (e[i]->has_mtime) {
			char ts[64];
			format_mtime(ts, sizeof ts, &e[i]->mtime);
			json_object_set_new(o, "mtime", json_string(ts));
		}
		json_array_append_new(a, o);
	}
	return a;
}

char *ofb_manifest_json(const struct ofb_manifest *m)
{
	json_t *o = json_object(), *clients = json_array(), *warnings = json_array();
	char *text;

	json_object_set_new(o, "format", json_string(OFB_FORMAT_NAME));
	json_object_set_new(o, "format_version", json_integer(OFB_FORMAT_VERSION));
	json_object_set_new(o, "kind", json_string(m->kind));
	json_object_set_new(o, "tool", json_string("ofbackup"));
	json_object_set_new(o, "tool_version", json_string(OFB_VERSION));
	json_object_set_new(o, "created", json_string(m->created));
	json_object_set_new(o, "host", json_string(m->host));
	json_object_set_new(o, "login", m->login ? database_json(m->login) : json_null());
	for (size_t i = 0; i < m->n_clients; i++)
		json_array_append_new(clients, client_json(&m->clients[i]));
	json_object_set_new(o, "clients", clients);
	if (m->n_registry_errors) {
		json_t *bad = json_array();
		for (size_t i = 0; i < m->n_registry_errors; i++)
			json_array_append_new(bad, utf8_string(m->registry_errors[i]));
		json_object_set_new(o, "failed_registry_rows", bad);
	}
	json_object_set_new(o, "entries", entries_json(m->pkg));
	for (size_t i = 0; i < m->n_warnings; i++)
		json_array_append_new(warnings, utf8_string(m->warnings[i]));
	json_object_set_new(o, "warnings", warnings);
	text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

json_t *ofb_manifest_load(const char *path, struct ofb_error *err)
{
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
	zip_file_t *f = NULL;
	zip_stat_t st;
	char *text = NULL;
	json_t *root = NULL, *fmt, *ver;
	json_error_t jerr;

	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		ofb_error_set(err, "cannot open package '%s': %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return NULL;
	}
	if (zip_stat(z, "manifest.json", 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
		ofb_error_set(err, "'%s' is not an ofbackup package: it has no manifest.json", path);
		goto out;
	}
	if (st.size > 512u * 1024 * 1024) {
		ofb_error_set(err, "package '%s': manifest.json is implausibly large", path);
		goto out;
	}
	f = zip_fopen(z, "manifest.json", 0);
	text = xmalloc((size_t)st.size + 1);
	if (!f || zip_fread(f, text, st.size) != (zip_int64_t)st.size) {
		ofb_error_set(err, "package '%s': cannot read manifest.json: %s", path,
			      zip_strerror(z));
		goto out;
	}
	text[st.size] = '\0';
	root = json_loads(text, 0, &jerr);
	if (!root) {
		ofb_error_set(err, "package '%s': manifest.json is not valid JSON (line %d: %s)",
			      path, jerr.line, jerr.text);
		goto out;
	}
	fmt = json_object_get(root, "format");
	ver = json_object_get(root, "format_version");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), OFB_FORMAT_NAME) != 0 ||
	    !json_is_integer(ver)) {
		ofb_error_set(err, "'%s' is not an ofbackup package (manifest format unknown)", path);
		json_decref(root);
		root = NULL;
		goto out;
	}
	if (json_integer_value(ver) > OFB_FORMAT_VERSION) {
		ofb_error_set(err, "package '%s' has format version %lld; this ofbackup reads up to "
			      "%d: use a newer ofbackup", path, (long long)json_integer_value(ver),
			      OFB_FORMAT_VERSION);
		json_decref(root);
		root = NULL;
	}
out:
	if (f)
		zip_fclose(f);
	free(text);
	zip_discard(z);
	return root;
}
