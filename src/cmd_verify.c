/* cmd_verify.c - "verify": re-read a whole package and check it against its manifest. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "progress.h"
#include "reader.h"
#include "verify.h"

struct summary {
	size_t entries;
	size_t tables;
	unsigned long long rows;
	unsigned long long bytes;
};

static void count_database(json_t *db, struct summary *s)
{
	json_t *tables = json_object_get(db, "tables"), *t;
	size_t i;

	json_array_foreach(tables, i, t) {
		s->tables++;
		s->rows += (unsigned long long)json_integer_value(json_object_get(t, "rows"));
	}
}

/* The counts come from the manifest: after a successful verify they are what was read. */
static void summarize(json_t *m, struct summary *s)
{
	json_t *entries = json_object_get(m, "entries"), *e, *c;
	size_t i;

	memset(s, 0, sizeof *s);
	s->entries = json_array_size(entries) + 1;   /* and manifest.json itself */
	json_array_foreach(entries, i, e)
		s->bytes += (unsigned long long)json_integer_value(json_object_get(e, "size"));
	if (json_is_object(json_object_get(m, "login")))
		count_database(json_object_get(m, "login"), s);
	json_array_foreach(json_object_get(m, "clients"), i, c)
		if (json_is_object(json_object_get(c, "database")))
			count_database(json_object_get(c, "database"), s);
}

int cmd_verify(struct ofb_cli *cli, int argc, char **argv)
{
	struct ofb_error err;
	struct ofb_reader *r = NULL;
	struct summary s;
	int ret = OFB_EXIT_OK;

	if (argc != 2) {
		ret = ofb_cli_usage("verify", "name one package file");
		goto out;
	}
	ofb_error_clear(&err);
	r = ofb_cli_open_package(cli, argv[1], 1, &err);
	if (!r || ofb_reader_verify(r, &err) != 0) {
		ret = ofb_cli_fail(&err);
		goto out;
	}
	ofb_progress_done();
	summarize(ofb_reader_manifest(r), &s);
	if (ofb_progress_verbosity() >= OFB_NORMAL)
		printf("package %s is intact: %zu entries, %zu tables, %llu rows, %llu bytes "
		       "checked\n", argv[1], s.entries, s.tables, s.rows, s.bytes);
out:
	ofb_reader_close(r);
	return ret;
}
