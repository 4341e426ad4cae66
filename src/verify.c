/* verify.c - everything verify checks (ofb_reader_verify, verify.h), on top of the reader
 * and the table reader: the manifest's databases against their schemas and data files,
 * every entry read and compared with the manifest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "names.h"
#include "progress.h"
#include "reader.h"
#include "reader_internal.h"
#include "records.h"
#include "verify.h"
#include "util.h"

/* --- verify ---------------------------------------------------------------------------- */

/* A table of a database as the manifest lists it. */
struct listed_table {
	const char *schema;      /* NULL: the database's default schema */
	const char *name;
	const char *entry;
	json_int_t rows;
	size_t pos;              /* in the manifest's list, from 1 */
	int seen;                /* schema.json describes it */
};

static int cmp_listed(const void *a, const void *b)
{
	const struct listed_table *x = a, *y = b;
	struct ofb_table tx = { .schema = (char *)x->schema, .name = (char *)x->name };
	struct ofb_table ty = { .schema = (char *)y->schema, .name = (char *)y->name };

	return ofb_table_cmp(&tx, &ty);
}

static int cmp_table_names(const void *a, const void *b)
{
	return ofb_table_cmp(*(struct ofb_table *const *)a, *(struct ofb_table *const *)b);
}

static int valid_text(json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0 &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* The manifest's list of tables and schema.json describe the same tables, each once, with
 * the same data files: what restore loads (schema.json) is what verify decodes and counts. */
static int match_tables(struct ofb_reader *r, json_t *tables, struct ofb_schema *s,
			const char *subject, const char *schema_path, struct listed_table *lt,
			struct ofb_error *err)
{
	size_t n = json_array_size(tables), i;
	struct ofb_table **by_name = xcalloc(s->n_tables + 1, sizeof *by_name);
	json_t *mt;
	int ret = -1;

	json_array_foreach(tables, i, mt) {
		json_t *name = json_object_get(mt, "name"), *entry = json_object_get(mt, "entry");
		json_t *rows = json_object_get(mt, "rows"), *schema = json_object_get(mt, "schema");
		if (!valid_text(name) || !valid_text(entry) || !ofb_record_count_valid(rows) ||
		    (schema && !valid_text(schema))) {
			reader_entry_error(err, r, "manifest.json", ": table %zu of %s has no valid name, "
				    "entry and rows", i + 1, subject);
			goto out;
		}
		lt[i].name = json_string_value(name);
		lt[i].schema = schema ? json_string_value(schema) : NULL;
		lt[i].entry = json_string_value(entry);
		lt[i].rows = json_integer_value(rows);
		lt[i].pos = i + 1;
	}
	qsort(lt, n, sizeof *lt, cmp_listed);
	for (i = 0; i + 1 < n; i++)
		if (cmp_listed(&lt[i], &lt[i + 1]) == 0) {
			reader_entry_error(err, r, "manifest.json", ": %s lists table '%s' twice (tables "
				    "%zu and %zu)", subject, lt[i].name,
				    lt[i].pos < lt[i + 1].pos ? lt[i].pos : lt[i + 1].pos,
				    lt[i].pos < lt[i + 1].pos ? lt[i + 1].pos : lt[i].pos);
			goto out;
		}
	for (i = 0; i < s->n_tables; i++)
		by_name[i] = &s->tables[i];
	qsort(by_name, s->n_tables, sizeof *by_name, cmp_table_names);
	for (i = 0; i + 1 < s->n_tables; i++)
		if (ofb_table_cmp(by_name[i], by_name[i + 1]) == 0) {
			reader_entry_error(err, r, schema_path, " describes table '%s' of %s twice",
				    by_name[i]->name, subject);
			goto out;
		}
	for (i = 0; i < s->n_tables; i++) {
		struct ofb_table *t = &s->tables[i];
		struct listed_table key, *l;
		key.name = t->name;
		key.schema = t->schema;
		l = bsearch(&key, lt, n, sizeof *lt, cmp_listed);
		if (!l) {
			reader_entry_error(err, r, "manifest.json", ": %s does not list table '%s', which "
				    "'%s' describes", subject, t->name, schema_path);
			goto out;
		}
		if (strcmp(l->entry, t->entry) != 0) {
			reader_entry_error(err, r, "manifest.json", ": %s lists table '%s' with data file "
				    "'%s', '%s' gives '%s'", subject, t->name, l->entry, schema_path,
				    t->entry);
			goto out;
		}
		l->seen = 1;
	}
	for (i = 0; i < n; i++)
		if (!lt[i].seen) {
			reader_entry_error(err, r, "manifest.json", ": %s lists table '%s', which '%s' "
				    "does not describe", subject, lt[i].name, schema_path);
			goto out;
		}
	ret = 0;
out:
	free(by_name);
	return ret;
}

/* One database of the manifest, which must be in folder (where restore looks for it):
 * its schema.json, the manifest's list of its tables, and every table decoded and counted;
 * with data_elsewhere, the tables' counts only compared with their data files' records
 * (the caller reads those files, see verify.h). */
static int verify_database(struct ofb_reader *r, json_t *db, const char *folder,
			   const char *subject, int data_elsewhere, struct ofb_error *err)
{
	json_t *mfolder = json_object_get(db, "folder"), *schema = json_object_get(db, "schema");
	json_t *tables = json_object_get(db, "tables");
	struct listed_table *lt = NULL;
	struct ofb_schema s;
	char *schema_path = NULL;
	int ret = -1;

	memset(&s, 0, sizeof s);
	if (!json_is_string(mfolder) || !json_is_string(schema) || !json_is_array(tables)) {
		reader_entry_error(err, r, "manifest.json", ": %s has no valid folder, schema and tables",
			    subject);
		goto out;
	}
	if (strcmp(json_string_value(mfolder), folder) != 0 ||
	    strlen(folder) != json_string_length(mfolder)) {
		struct buf shown;
		buf_init(&shown);
		ofb_add_shown(&shown, json_string_value(mfolder), json_string_length(mfolder), 200);
		reader_entry_error(err, r, "manifest.json", ": the folder of %s is '%s', not '%s'",
			    subject, shown.data, folder);
		buf_free(&shown);
		goto out;
	}
	schema_path = xasprintf("%sschema.json", folder);
	if (strcmp(schema_path, json_string_value(schema)) != 0) {
		reader_entry_error(err, r, "manifest.json", ": the schema of %s is not '%s'", subject,
			    schema_path);
		goto out;
	}
	if (ofb_reader_schema(r, folder, &s, err) != 0)
		goto out;
	lt = xcalloc(json_array_size(tables) + 1, sizeof *lt);
	if (match_tables(r, tables, &s, subject, schema_path, lt, err) != 0)
		goto out;
	/* in schema order, as restore loads them */
	for (size_t i = 0; i < s.n_tables; i++) {
		struct ofb_table *t = &s.tables[i];
		struct listed_table key, *l;
		unsigned long long got = 0;
		key.name = t->name;
		key.schema = t->schema;
		l = bsearch(&key, lt, json_array_size(tables), sizeof *lt, cmp_listed);
		if (data_elsewhere) {
			struct entry *e = reader_need_entry(r, t->entry, err);
			json_t *rows = e ? json_object_get(e->rec, "rows") : NULL;
			if (!e)
				goto out;
			if (e->is_dir || !rows) {
				reader_entry_error(err, r, t->entry, " is not a table data file in the "
						   "manifest");
				goto out;
			}
			e->checked = 1;   /* not read here: by the caller */
			got = (unsigned long long)json_integer_value(rows);
		} else if (ofb_reader_table(r, t, NULL, NULL, &got, err) != 0) {
			goto out;
		}
		if (got != (unsigned long long)l->rows) {
			reader_entry_error(err, r, t->entry, " %s %llu rows, the manifest's table '%s' "
				    "of %s gives %lld", data_elsewhere ? "is listed with" : "holds",
				    got, t->name, subject, (long long)l->rows);
			goto out;
		}
	}
	ret = 0;
out:
	ofb_schema_free(&s);
	free(schema_path);
	free(lt);
	return ret;
}

static int cmp_by_index(const void *a, const void *b)
{
	zip_uint64_t x = (*(struct entry *const *)a)->index, y = (*(struct entry *const *)b)->index;

	return x < y ? -1 : x > y;
}

int ofb_reader_verify(struct ofb_reader *r, struct ofb_error *err)
{
	return ofb_reader_verify_but(r, NULL, err);
}

int ofb_reader_verify_but(struct ofb_reader *r, const char *loaded, struct ofb_error *err)
{
	json_t *login = json_object_get(ofb_reader_manifest(r), "login");
	json_t *clients = json_object_get(ofb_reader_manifest(r), "clients"), *c;
	size_t n_entries;
	struct entry *entries = reader_entries(r, &n_entries);
	struct entry **order = xcalloc(n_entries + 1, sizeof *order);
	size_t i;
	json_t *ids = json_object();   /* client ids seen */
	int ret = -1;

	reader_set_verifying(r, 1);
	for (i = 0; i < n_entries; i++)
		entries[i].checked = 0;
	if (!json_is_null(login)) {
		if (!json_is_object(login)) {
			reader_entry_error(err, r, "manifest.json", ": 'login' is neither a database nor null");
			goto out;
		}
		if (verify_database(r, login, "login/", "the login database",
				    loaded && strcmp(loaded, "login/") == 0, err) != 0)
			goto out;
	}
	if (!json_is_array(clients)) {
		reader_entry_error(err, r, "manifest.json", " has no list of clients");
		goto out;
	}
	json_array_foreach(clients, i, c) {
		json_t *id = json_object_get(c, "id"), *status = json_object_get(c, "status");
		json_t *db = json_object_get(c, "database");
		char *subject, *folder;
		const char *idv;
		int rc;
		if (!valid_text(id) || !json_is_string(status)) {
			reader_entry_error(err, r, "manifest.json", ": client %zu has no id or status", i + 1);
			goto out;
		}
		idv = json_string_value(id);
		if (strchr(idv, '/') || ofb_name_unsafe(idv)) {
			struct buf shown;
			buf_init(&shown);
			ofb_add_shown(&shown, idv, strlen(idv), 100);
			reader_entry_error(err, r, "manifest.json", ": client %zu has an id ('%s') that is "
				    "no folder name", i + 1, shown.data);
			buf_free(&shown);
			goto out;
		}
		if (json_object_get(ids, idv)) {
			reader_entry_error(err, r, "manifest.json", ": client '%s' is listed twice", idv);
			goto out;
		}
		json_object_set_new(ids, idv, json_true());
		if (strcmp(json_string_value(status), "ok") != 0)
			continue;
		if (!json_is_object(db)) {
			reader_entry_error(err, r, "manifest.json", ": client '%s' has no database",
				    json_string_value(id));
			goto out;
		}
		subject = xasprintf("client '%s'", idv);
		folder = xasprintf("clients/%s/db/", idv);
		rc = verify_database(r, db, folder, subject, loaded && strcmp(loaded, folder) == 0,
				     err);
		free(folder);
		free(subject);
		if (rc != 0)
			goto out;
	}
	/* what the databases did not read already, in archive order (sequential reads) */
	for (i = 0; i < n_entries; i++)
		order[i] = &entries[i];
	qsort(order, n_entries, sizeof *order, cmp_by_index);
	for (i = 0; i < n_entries; i++) {
		reader_table_rows(r, NULL, 0);
		if (!order[i]->checked && reader_read_entry(r, order[i], NULL, NULL, 0, err) != 0)
			goto out;
	}
	ret = 0;
out:
	reader_set_verifying(r, 0);
	json_decref(ids);
	free(order);
	return ret;
}
