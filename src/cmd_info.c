/* cmd_info.c - "info": what a package holds, from its manifest, after the checks a reader
 * makes when it opens a package (names, manifest, every schema.json): a package that restore
 * would refuse for those is refused here too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "progress.h"
#include "reader.h"
#include "schema.h"
#include "util.h"

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static long long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* A database of the package: engine, tables and rows, the objects besides tables; with
 * -v each table and each object. */
static void print_database(const char *indent, json_t *db, struct ofb_reader *r,
			   const char *folder)
{
	json_t *tables = json_object_get(db, "tables"), *t;
	struct ofb_schema s;
	struct ofb_error err;
	long long rows = 0;
	size_t i;

	memset(&s, 0, sizeof s);
	ofb_error_clear(&err);
	/* read and checked once already (check_schemas) */
	if (ofb_reader_schema(r, folder, &s, &err) != 0)
		memset(&s, 0, sizeof s);
	json_array_foreach(tables, i, t)
		rows += num(t, "rows");
	printf("%sdatabase: %s %s, %zu tables, %lld rows", indent, str(db, "engine"),
	       str(db, "dbms_version"), json_array_size(tables), rows);
	if (s.n_objects)
		printf(", %zu other objects", s.n_objects);
	printf("\n");
	if (ofb_progress_verbosity() >= OFB_VERBOSE) {
		json_array_foreach(tables, i, t)
			printf("%s  %-32s %12lld rows\n", indent, str(t, "name"), num(t, "rows"));
		for (size_t k = 0; k < s.n_objects; k++) {
			char *label = ofb_object_label(&s.objects[k]);
			printf("%s  %-18s %s%s%s\n", indent, ofb_object_kind_name(s.objects[k].kind),
			       label, s.objects[k].table ? " on " : "",
			       s.objects[k].table ? s.objects[k].table : "");
			free(label);
		}
		if (s.n_objects)
			printf("%s  (objects are written in %s's SQL: restored natively on %s; an "
			       "import into another engine names each one it cannot carry)\n",
			       indent, s.engine, s.engine);
	}
	ofb_schema_free(&s);
}

/* Each database's schema.json, read and checked as a restore would. */
static int check_schemas(struct ofb_reader *r, json_t *m, struct ofb_error *err)
{
	json_t *c;
	size_t i;

	if (json_is_object(json_object_get(m, "login"))) {
		struct ofb_schema s;
		if (ofb_reader_schema(r, "login/", &s, err) != 0)
			return -1;
		ofb_schema_free(&s);
	}
	json_array_foreach(json_object_get(m, "clients"), i, c) {
		struct ofb_schema s;
		char *folder;
		int rc;
		if (!json_is_object(json_object_get(c, "database")))
			continue;
		folder = xasprintf("clients/%s/db/", str(c, "id"));
		rc = ofb_reader_schema(r, folder, &s, err);
		free(folder);
		if (rc != 0)
			return -1;
		ofb_schema_free(&s);
	}
	return 0;
}

int cmd_info(struct ofb_cli *cli, int argc, char **argv)
{
	struct ofb_error err;
	struct ofb_reader *r;
	json_t *m, *clients, *c, *warnings, *w;
	size_t i;

	/* -v after the command, as the README shows it ("info FILE (-v: every table)") */
	for (int k = 1; k < argc; k++)
		if (strcmp(argv[k], "-v") == 0 || strcmp(argv[k], "--verbose") == 0) {
			ofb_progress_init(OFB_VERBOSE);
			memmove(&argv[k], &argv[k + 1], (size_t)(argc - k - 1) * sizeof *argv);
			argc--;
			k--;
		} else if (argv[k][0] == '-' && argv[k][1]) {
			return ofb_cli_usage("info", "unknown option '%s'", argv[k]);
		}
	if (argc != 2)
		return ofb_cli_usage("info", "name one package file");
	ofb_error_clear(&err);
	r = ofb_cli_open_package(cli, argv[1], 1, &err);
	if (!r)
		return ofb_cli_fail(&err);
	m = ofb_reader_manifest(r);
	if (check_schemas(r, m, &err) != 0) {
		ofb_reader_close(r);
		return ofb_cli_fail(&err);
	}
	printf("package:  %s%s\n", argv[1],
	       ofb_reader_encrypted(r) ? " (encrypted: AES-256; entry names and sizes are "
					 "visible)" : "");
	printf("kind:     %s\n", str(m, "kind"));
	printf("created:  %s on %s by ofbackup %s (format %lld)\n", str(m, "created"),
	       str(m, "host"), str(m, "tool_version"), num(m, "format_version"));
	if (json_is_object(json_object_get(m, "login"))) {
		printf("login:\n");
		print_database("  ", json_object_get(m, "login"), r, "login/");
	}
	clients = json_object_get(m, "clients");
	printf("clients:  %zu\n", json_array_size(clients));
	json_array_foreach(clients, i, c) {
		json_t *files = json_object_get(c, "files");
		printf("  %s (%s): %s", str(c, "id"), str(c, "name"), str(c, "status"));
		if (json_is_string(json_object_get(c, "reason")))
			printf(" - %s", str(c, "reason"));
		printf("\n");
		if (json_is_object(json_object_get(c, "database"))) {
			char *folder = xasprintf("clients/%s/db/", str(c, "id"));
			print_database("    ", json_object_get(c, "database"), r, folder);
			free(folder);
		}
		if (json_is_object(files))
			printf("    files: %lld files, %lld folders, %lld bytes\n", num(files, "files"),
			       num(files, "folders"), num(files, "bytes"));
	}
	warnings = json_object_get(m, "warnings");
	json_array_foreach(warnings, i, w)
		printf("warning:  %s\n", json_string_value(w));
	ofb_reader_close(r);
	return 0;
}
