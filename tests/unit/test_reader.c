/* Unit tests for reader.c and schema_json.c: packages built with libzip, read back, damaged. */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <zip.h>

#include "schema_json.h"
#include "error.h"
#include "reader.h"
#include "verify.h"
#include "schema.h"
#include "suites.h"
#include "util.h"

#define BYTES(s) s, sizeof s - 1
#define MAX_ENTRIES 32

/* ---- building packages ---- */

struct tentry {
	const char *name;
	const char *data;        /* NULL for a folder */
	size_t len;
	const char *mtime;       /* the manifest's mtime, or NULL */
	long long rows;          /* the manifest's row count; -1 for none */
	int stored;              /* no compression, so the bytes can be found in the file */
	int symlink;             /* external attributes of a symbolic link */
	int zip_only;            /* left out of the manifest */
	int manifest_only;       /* left out of the zip */
	int bad_sha;             /* the manifest gives another content's SHA-256 */
};

struct pkg {
	struct tentry e[MAX_ENTRIES];
	size_t n;
	long long login_rows;    /* the login table's count in the manifest's "login" */
	const char *vanished;    /* the entry the manifest marks "vanished", or NULL */
	void (*edit)(json_t *m); /* changes the manifest before it is written, or NULL */
};

static const char t_csv[] =
	"\"id\",\"amount\",\"ratio\",\"flag\",\"name\",\"note\",\"data\"\n"
	"1,12.50,-1.5e+300,1,\"M\xc3\xbcller, \"\"A\"\"\",\"\",\\x00ff10\n"
	"2,NaN,Infinity,0,,,\\x\n"
	"\"n/a\",,-Infinity,2,\"x\ny\",\"\",\n"
	"3,1,NaN,\"yes\",\"z\",,\\x0000\n";
static const char t_rendered[] =
	"1|12.50|-1.5e+300|1|T<M\xc3\xbcller, \"A\">|T<>|B<00ff10>;"
	"2|NaN|Infinity|0|N|N|B<>;"
	"A<n/a>|N|-Infinity|2|T<x\ny>|T<>|N;"
	"3|1|NaN|A<yes>|T<z>|N|B<0000>;";
static const char u_csv[] = "\"v\"\n\"hello\"\n";
static const char stored_text[] = "STORED-CONTENT-0123456789-abcdefghij";
#define FILE_MTIME "2026-11-01T10:00:00.123456789Z"
#define DIR_MTIME "2026-10-02T08:30:00.000000500Z"

static char *schema_t_json;     /* login/schema.json */
static char *schema_u_json;     /* clients/acme/db/schema.json */

static void add_column(struct ofb_table *t, const char *name, const char *type)
{
	struct ofb_column *c;

	t->columns = xrealloc(t->columns, (t->n_columns + 1) * sizeof *t->columns);
	c = &t->columns[t->n_columns++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	CU_ASSERT_EQUAL(ofb_ptype_parse(type, &c->type), 0);
	c->native_type = xstrdup(type);
	c->nullable = 1;
	if (c->type == OFB_T_DECIMAL) {
		c->precision = 12;
		c->scale = 2;
	}
	if (c->type == OFB_T_VARCHAR)
		c->length = 40;
}

/* A schema of one table whose columns are given as "name:type" pairs. */
static char *one_table_schema(const char *table, const char *entry, const char *const *cols)
{
	struct ofb_schema s;
	char *text;

	memset(&s, 0, sizeof s);
	s.engine = xstrdup("sqlite");
	s.dbms_name = xstrdup("SQLite");
	s.dbms_version = xstrdup("3.40.1");
	s.tables = xcalloc(1, sizeof *s.tables);
	s.n_tables = 1;
	s.tables[0].name = xstrdup(table);
	s.tables[0].entry = xstrdup(entry);
	for (; *cols; cols += 2)
		add_column(&s.tables[0], cols[0], cols[1]);
	text = ofb_schema_to_json(&s);
	ofb_schema_free(&s);
	return text;
}

static void add(struct pkg *p, struct tentry e)
{
	CU_ASSERT_FATAL(p->n < MAX_ENTRIES);
	p->e[p->n++] = e;
}

static struct tentry *find(struct pkg *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->e[i].name, name) == 0)
			return &p->e[i];
	CU_FAIL_FATAL("no such test entry");
	return NULL;
}

static void standard_package(struct pkg *p)
{
	static const char *const t_cols[] = { "id", "integer", "amount", "decimal",
					      "ratio", "double", "flag", "boolean",
					      "name", "varchar", "note", "text",
					      "data", "blob", NULL };
	static const char *const u_cols[] = { "v", "text", NULL };

	if (!schema_t_json)
		schema_t_json = one_table_schema("t", "login/data/t.csv", t_cols);
	if (!schema_u_json)
		schema_u_json = one_table_schema("u", "clients/acme/db/data/u.csv", u_cols);
	memset(p, 0, sizeof *p);
	p->login_rows = 4;
	add(p, (struct tentry){ "login/schema.json", schema_t_json, strlen(schema_t_json),
				NULL, -1, 0, 0, 0, 0, 0 });
	add(p, (struct tentry){ "login/data/t.csv", BYTES(t_csv), NULL, 4, 0, 0, 0, 0, 0 });
	add(p, (struct tentry){ "clients/acme/db/schema.json", schema_u_json,
				strlen(schema_u_json), NULL, -1, 0, 0, 0, 0, 0 });
	add(p, (struct tentry){ "clients/acme/db/data/u.csv", BYTES(u_csv), NULL, 1, 0, 0, 0,
				0, 0 });
	add(p, (struct tentry){ "clients/acme/files/", NULL, 0, NULL, -1, 0, 0, 0, 0, 0 });
	add(p, (struct tentry){ "clients/acme/files/Archiv/", NULL, 0, DIR_MTIME, -1, 0, 0, 0,
				0, 0 });
	add(p, (struct tentry){ "clients/acme/files/Archiv/leer/", NULL, 0, DIR_MTIME, -1, 0,
				0, 0, 0, 0 });
	add(p, (struct tentry){ "clients/acme/files/Briefe/", NULL, 0, DIR_MTIME, -1, 0, 0, 0,
				0, 0 });
	add(p, (struct tentry){ "clients/acme/files/Briefe/a.txt", BYTES(stored_text),
				FILE_MTIME, -1, 1, 0, 0, 0, 0 });
	add(p, (struct tentry){ "clients/acme/files/Briefe/Gr\xc3\xb6\xc3\x9f" "e.txt",
				BYTES("x\n"), FILE_MTIME, -1, 0, 0, 0, 0, 0 });
	add(p, (struct tentry){ "clients/acme/files/leer.pdf", "", 0, FILE_MTIME, -1, 0, 0, 0,
				0, 0 });
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	struct buf hex;

	EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL);
	buf_init(&hex);
	buf_add_hex(&hex, md, md_len);
	snprintf(out, 65, "%s", hex.data);
	buf_free(&hex);
}

static json_t *database_json(const char *folder, const char *table, const char *entry,
			     long long rows)
{
	char *schema = xasprintf("%sschema.json", folder);
	json_t *db = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:I}]}", "folder", folder,
			       "engine", "sqlite", "schema", schema, "tables", "name", table,
			       "entry", entry, "rows", (json_int_t)rows);

	free(schema);
	return db;
}

static char *manifest_text(const struct pkg *p)
{
	json_t *m = json_object(), *entries = json_array();
	char *text;

	json_object_set_new(m, "format", json_string("ofbackup-package"));
	json_object_set_new(m, "format_version", json_integer(1));
	json_object_set_new(m, "kind", json_string("full"));
	json_object_set_new(m, "login", database_json("login/", "t", "login/data/t.csv",
							p->login_rows));
	json_object_set_new(m, "clients",
			    json_pack("[{s:s, s:s, s:s, s:o}]", "id", "acme", "name", "ACME",
				      "status", "ok", "database",
				      database_json("clients/acme/db/", "u",
						    "clients/acme/db/data/u.csv", 1)));
	for (size_t i = 0; i < p->n; i++) {
		const struct tentry *e = &p->e[i];
		json_t *o;
		char sha[65];
		if (e->zip_only)
			continue;
		o = json_pack("{s:s}", "path", e->name);
		if (!e->data) {
			json_object_set_new(o, "type", json_string("dir"));
		} else {
			sha256_hex(e->bad_sha ? "other" : e->data, e->bad_sha ? 5 : e->len, sha);
			json_object_set_new(o, "size", json_integer((json_int_t)e->len));
			json_object_set_new(o, "sha256", json_string(sha));
		}
		if (e->rows >= 0)
			json_object_set_new(o, "rows", json_integer(e->rows));
		if (p->vanished && strcmp(p->vanished, e->name) == 0)
			json_object_set_new(o, "vanished", json_true());
		if (e->mtime)
			json_object_set_new(o, "mtime", json_string(e->mtime));
		json_array_append_new(entries, o);
	}
	json_object_set_new(m, "entries", entries);
	json_object_set_new(m, "warnings", json_array());
	if (p->edit)
		p->edit(m);
	text = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(m);
	return text;
}

static int write_package(const struct pkg *p, const char *path)
{
	char *manifest = manifest_text(p);
	int zerr = 0, ret = -1;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

	if (!z)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		const struct tentry *e = &p->e[i];
		zip_int64_t idx;
		if (e->manifest_only)
			continue;
		if (!e->data) {
			idx = zip_dir_add(z, e->name, ZIP_FL_ENC_UTF_8);
		} else {
			zip_source_t *src = zip_source_buffer(z, e->data, e->len, 0);
			idx = src ? zip_file_add(z, e->name, src, ZIP_FL_ENC_UTF_8) : -1;
		}
		if (idx < 0)
			goto out;
		if (e->stored)
			zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
		if (e->symlink)
			zip_file_set_external_attributes(z, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
							  (zip_uint32_t)(S_IFLNK | 0777) << 16);
	}
	if (zip_file_add(z, "manifest.json", zip_source_buffer(z, manifest, strlen(manifest), 0),
			 0) < 0)
		goto out;
	ret = zip_close(z);
	z = NULL;
out:
	if (z)
		zip_discard(z);
	free(manifest);
	return ret;
}

/* ---- scratch folders ---- */

/* A package from p in a fresh folder; *dir gets the folder, the result is the path. */
static char *package_in(const struct pkg *p, char **dir)
{
	char *path;

	*dir = unit_scratch_dir("reader");
	path = xasprintf("%s/p.zip", *dir);
	CU_ASSERT_EQUAL_FATAL(write_package(p, path), 0);
	return path;
}

static void expect_contains(const char *what, const char *msg, const char *part,
			    unsigned line)
{
	char text[1024];

	snprintf(text, sizeof text, "%s: message '%.600s' names '%s'", what, msg, part);
	ofb_expect_true(text, strstr(msg, part) != NULL, line);
}

/* ---- a valid package ---- */

struct rendered {
	const struct ofb_table *t;
	struct buf out;
	unsigned long long calls;
};

static int render_row(void *ctx, const struct ofb_value *v, size_t n, struct ofb_error *err)
{
	struct rendered *r = ctx;

	(void)err;
	CU_ASSERT_EQUAL(n, r->t->n_columns);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(&r->out, '|');
		if (v[i].is_null) {
			buf_adds(&r->out, "N");
		} else if (v[i].as_text) {
			buf_adds(&r->out, "A<");
			buf_add(&r->out, v[i].data, v[i].len);
			buf_addc(&r->out, '>');
		} else if (ofb_ptype_encoding(r->t->columns[i].type) == OFB_ENC_TEXT) {
			buf_adds(&r->out, "T<");
			buf_add(&r->out, v[i].data, v[i].len);
			buf_addc(&r->out, '>');
		} else if (ofb_ptype_encoding(r->t->columns[i].type) == OFB_ENC_BINARY) {
			buf_adds(&r->out, "B<");
			buf_add_hex(&r->out, (const unsigned char *)v[i].data, v[i].len);
			buf_addc(&r->out, '>');
		} else {
			buf_add(&r->out, v[i].data, v[i].len);
		}
	}
	buf_addc(&r->out, ';');
	r->calls++;
	return 0;
}

static void test_open_and_decode(void)
{
	struct pkg p;
	struct ofb_error err;
	struct ofb_schema s;
	struct ofb_reader *r;
	struct rendered rd;
	unsigned long long rows = 0;
	char *dir, *path = NULL, *text;
	size_t len = 0;

	standard_package(&p);
	path = package_in(&p, &dir);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	ofb_expect_str("open a valid package", err.set ? err.msg : NULL, NULL, __LINE__);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	ofb_expect_str("reader path", ofb_reader_path(r), path, __LINE__);
	CU_ASSERT_PTR_NOT_NULL(ofb_reader_entry(r, "login/data/t.csv"));
	CU_ASSERT_PTR_NULL(ofb_reader_entry(r, "manifest.json"));
	CU_ASSERT_PTR_NULL(ofb_reader_entry(r, "nope"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ofb_reader_manifest(r), "kind")),
			       "full");

	text = ofb_reader_slurp(r, "clients/acme/db/schema.json", &len, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	ofb_expect_str("slurped schema.json", text, schema_u_json, __LINE__);
	ofb_expect_long("slurped length", (long long)len, (long long)strlen(schema_u_json),
			__LINE__);
	free(text);
	text = ofb_reader_slurp(r, "clients/acme/files/leer.pdf", &len, &err);
	CU_ASSERT_PTR_NOT_NULL(text);
	ofb_expect_long("empty entry slurped", (long long)len, 0, __LINE__);
	free(text);

	CU_ASSERT_EQUAL_FATAL(ofb_reader_schema(r, "login/", &s, &err), 0);
	CU_ASSERT_EQUAL_FATAL(s.n_tables, 1);
	memset(&rd, 0, sizeof rd);
	rd.t = &s.tables[0];
	buf_init(&rd.out);
	ofb_error_clear(&err);
	ofb_expect_long("decode table t", ofb_reader_table(r, &s.tables[0], render_row, &rd,
							   &rows, &err), 0, __LINE__);
	ofb_expect_str("decode error", err.set ? err.msg : NULL, NULL, __LINE__);
	ofb_expect_str("decoded values", rd.out.data, t_rendered, __LINE__);
	ofb_expect_long("row count", (long long)rows, 4, __LINE__);
	ofb_expect_long("row callbacks", (long long)rd.calls, 4, __LINE__);
	/* verify's way: no callback */
	rows = 0;
	CU_ASSERT_EQUAL(ofb_reader_table(r, &s.tables[0], NULL, NULL, &rows, &err), 0);
	ofb_expect_long("row count without callback", (long long)rows, 4, __LINE__);
	buf_free(&rd.out);
	ofb_schema_free(&s);

	ofb_error_clear(&err);
	ofb_expect_long("verify a valid package", ofb_reader_verify(r, &err), 0, __LINE__);
	ofb_expect_str("verify error", err.set ? err.msg : NULL, NULL, __LINE__);
	ofb_reader_close(r);
	free(path);
	unit_remove_tree(dir);
}

/* The package at path with one bit of byte at of a stored entry's text flipped. */
static void flip_stored(const char *path, const char *text, size_t len, size_t at)
{
	struct buf file;
	FILE *f;
	char chunk[4096], *hit;
	size_t n;

	buf_init(&file);
	f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&file, chunk, n);
	fclose(f);
	hit = memmem(file.data, file.len, text, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
	hit[at] ^= 0x01;
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(file.data, 1, file.len, f), file.len);
	CU_ASSERT_EQUAL(fclose(f), 0);
	buf_free(&file);
}

/* A second reader of the same package for another thread; none when another package was
 * put in its place meanwhile (a rename over it). */
static void test_open_again(void)
{
	struct pkg p, other;
	struct ofb_error err;
	struct ofb_reader *r, *again;
	char *dir, *path, *other_path;

	standard_package(&p);
	path = package_in(&p, &dir);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	again = ofb_reader_open_again(r, NULL, &err);
	ofb_expect_str("open again", err.set ? err.msg : NULL, NULL, __LINE__);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	ofb_expect_long("the second reader verifies", ofb_reader_verify(again, &err), 0, __LINE__);
	ofb_reader_close(again);

	/* the same bytes in another file (a copy renamed over it): refused as well, as
	 * another file could differ in what is read before a SHA-256 is known */
	other_path = xasprintf("%s/copy.zip", dir);
	CU_ASSERT_EQUAL_FATAL(write_package(&p, other_path), 0);
	CU_ASSERT_EQUAL_FATAL(rename(other_path, path), 0);
	free(other_path);
	ofb_error_clear(&err);
	again = ofb_reader_open_again(r, NULL, &err);
	CU_ASSERT_PTR_NULL(again);
	expect_contains("a copy in its place", err.msg, "was replaced", __LINE__);
	ofb_reader_close(again);

	standard_package(&other);
	find(&other, "clients/acme/files/Briefe/a.txt")->data = "OTHER-CONTENT";
	find(&other, "clients/acme/files/Briefe/a.txt")->len = strlen("OTHER-CONTENT");
	other_path = xasprintf("%s/other.zip", dir);
	CU_ASSERT_EQUAL_FATAL(write_package(&other, other_path), 0);
	CU_ASSERT_EQUAL_FATAL(rename(other_path, path), 0);
	ofb_error_clear(&err);
	again = ofb_reader_open_again(r, NULL, &err);
	CU_ASSERT_PTR_NULL(again);
	expect_contains("another package in its place", err.msg, "was replaced", __LINE__);
	ofb_reader_close(again);
	ofb_reader_close(r);
	free(other_path);
	free(path);
	unit_remove_tree(dir);
}

/* A table's damaged data: verify finds it; verify_but leaves that database's tables to
 * the caller, whose ofb_reader_table finds it, and still looks at every other entry. */
static void test_verify_but(void)
{
	struct pkg p;
	struct ofb_error err;
	struct ofb_reader *r;
	struct ofb_schema s;
	char *dir, *path;

	standard_package(&p);
	find(&p, "clients/acme/db/data/u.csv")->stored = 1;
	path = package_in(&p, &dir);
	flip_stored(path, u_csv, sizeof u_csv - 1, 6);   /* in "hello" */

	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_NOT_EQUAL(ofb_reader_verify(r, &err), 0);
	expect_contains("verify", err.msg, "'clients/acme/db/data/u.csv'", __LINE__);
	ofb_error_clear(&err);
	ofb_expect_long("verify but the damaged table's database",
			ofb_reader_verify_but(r, "clients/acme/db/", &err), 0, __LINE__);
	ofb_expect_str("its error", err.set ? err.msg : NULL, NULL, __LINE__);
	ofb_error_clear(&err);
	CU_ASSERT_NOT_EQUAL(ofb_reader_verify_but(r, "login/", &err), 0);
	expect_contains("verify but another database", err.msg, "'clients/acme/db/data/u.csv'",
			__LINE__);
	CU_ASSERT_EQUAL_FATAL(ofb_reader_schema(r, "clients/acme/db/", &s, &err), 0);
	ofb_error_clear(&err);
	CU_ASSERT_NOT_EQUAL(ofb_reader_table(r, &s.tables[0], NULL, NULL, NULL, &err), 0);
	expect_contains("the caller's read", err.msg, "damaged", __LINE__);
	ofb_schema_free(&s);
	ofb_reader_close(r);
	free(path);
	unit_remove_tree(dir);
}

/* Every name below root as "rel" (folders end in '/', files get ":size"), sorted. */
static void list_tree(const char *root, const char *rel, struct buf *out)
{
	char *path = xasprintf("%s/%s", root, rel);
	struct dirent **names = NULL;
	int n = scandir(path, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *sub = xasprintf("%s%s", rel, name), *full = xasprintf("%s/%s", root, sub);
		struct stat st;
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				char *as_dir = xasprintf("%s/", sub);
				buf_addf(out, "%s ", as_dir);
				list_tree(root, as_dir, out);
				free(as_dir);
			} else {
				buf_addf(out, "%s:%lld ", sub, (long long)st.st_size);
			}
		}
		free(sub);
		free(full);
		free(names[i]);
	}
	free(names);
	free(path);
}

static long long utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (long long)timegm(&tm);
}

static void test_extract(void)
{
	struct pkg p;
	struct ofb_error err;
	struct ofb_reader *r;
	struct buf tree;
	struct stat st;
	char *dir, *path, *dest, *file, *content;
	FILE *f;

	standard_package(&p);
	path = package_in(&p, &dir);
	dest = xasprintf("%s/dest", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(dest, 0700), 0);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	ofb_expect_long("extract", ofb_reader_extract(r, "clients/acme/files/", dest, &err), 0,
			__LINE__);
	ofb_expect_str("extract error", err.set ? err.msg : NULL, NULL, __LINE__);
	buf_init(&tree);
	list_tree(dest, "", &tree);
	ofb_expect_str("extracted tree", tree.data,
		       "Archiv/ Archiv/leer/ Briefe/ Briefe/Gr\xc3\xb6\xc3\x9f" "e.txt:2 "
		       "Briefe/a.txt:36 leer.pdf:0 ", __LINE__);
	buf_free(&tree);

	file = xasprintf("%s/Briefe/a.txt", dest);
	content = xcalloc(1, 64);
	f = fopen(file, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fread(content, 1, 63, f), sizeof stored_text - 1);
	fclose(f);
	ofb_expect_str("file content", content, stored_text, __LINE__);
	CU_ASSERT_EQUAL_FATAL(stat(file, &st), 0);
	ofb_expect_long("file mtime", (long long)st.st_mtim.tv_sec,
			utc(2026, 11, 1, 10, 0, 0), __LINE__);
	ofb_expect_long("file mtime ns", st.st_mtim.tv_nsec, 123456789, __LINE__);
	free(file);
	free(content);
	/* folders get their times after their contents were written */
	file = xasprintf("%s/Briefe", dest);
	CU_ASSERT_EQUAL_FATAL(stat(file, &st), 0);
	ofb_expect_long("folder mtime", (long long)st.st_mtim.tv_sec,
			utc(2026, 10, 2, 8, 30, 0), __LINE__);
	ofb_expect_long("folder mtime ns", st.st_mtim.tv_nsec, 500, __LINE__);
	free(file);
	file = xasprintf("%s/Archiv/leer", dest);
	CU_ASSERT_EQUAL(stat(file, &st), 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	ofb_expect_long("empty folder mtime", (long long)st.st_mtim.tv_sec,
			utc(2026, 10, 2, 8, 30, 0), __LINE__);
	free(file);

	/* a prefix that is no folder is refused */
	CU_ASSERT_NOT_EQUAL(ofb_reader_extract(r, "clients/acme/files", dest, &err), 0);
	CU_ASSERT_NOT_EQUAL(ofb_reader_extract(r, "../", dest, &err), 0);
	ofb_reader_close(r);
	free(dest);
	free(path);
	unit_remove_tree(dir);
}

/* A symbolic link already below dest is never followed: nothing lands where it points. */
static void test_extract_refuses_symlink(void)
{
	struct pkg p;
	struct ofb_error err;
	struct ofb_reader *r;
	struct buf tree;
	char *dir, *path, *dest, *outside, *link;

	standard_package(&p);
	path = package_in(&p, &dir);
	dest = xasprintf("%s/dest", dir);
	outside = xasprintf("%s/outside", dir);
	link = xasprintf("%s/Briefe", dest);
	CU_ASSERT_EQUAL_FATAL(mkdir(dest, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(outside, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(outside, link), 0);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_NOT_EQUAL(ofb_reader_extract(r, "clients/acme/files/", dest, &err), 0);
	expect_contains("symlink below dest", err.msg, "Briefe", __LINE__);
	expect_contains("symlink below dest", err.msg, "symbolic link", __LINE__);
	buf_init(&tree);
	list_tree(outside, "", &tree);
	ofb_expect_str("nothing written through the link", tree.data, "", __LINE__);
	buf_free(&tree);
	ofb_reader_close(r);
	free(link);
	free(outside);
	free(dest);
	free(path);
	unit_remove_tree(dir);
}

/* A damaged file is not left behind, neither under its name nor a temporary one. */
static void test_extract_damaged_file(void)
{
	struct pkg p;
	struct ofb_error err;
	struct ofb_reader *r;
	struct buf tree;
	char *dir, *path, *dest;

	standard_package(&p);
	find(&p, "clients/acme/files/Briefe/a.txt")->bad_sha = 1;
	path = package_in(&p, &dir);
	dest = xasprintf("%s/dest", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(dest, 0700), 0);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_NOT_EQUAL(ofb_reader_extract(r, "clients/acme/files/", dest, &err), 0);
	expect_contains("damaged file", err.msg, "clients/acme/files/Briefe/a.txt", __LINE__);
	buf_init(&tree);
	list_tree(dest, "Briefe/", &tree);
	ofb_expect_str("no file and no temporary file", tree.data,
		       "Briefe/Gr\xc3\xb6\xc3\x9f" "e.txt:2 ", __LINE__);
	buf_free(&tree);
	ofb_reader_close(r);
	free(dest);
	free(path);
	unit_remove_tree(dir);
}

/* ---- hostile and damaged packages ---- */

enum stage { AT_OPEN, AT_VERIFY };

struct bad_case {
	const char *name;
	void (*setup)(struct pkg *p);
	enum stage stage;
	const char *names;       /* what the message must contain */
	const char *cause;
};

static void add_hostile(struct pkg *p, const char *name)
{
	add(p, (struct tentry){ name, BYTES("x"), NULL, -1, 0, 0, 0, 0, 0 });
}

static void dotdot(struct pkg *p) { add_hostile(p, "../evil"); }
static void absolute(struct pkg *p) { add_hostile(p, "/abs"); }
static void drive(struct pkg *p) { add_hostile(p, "C:/x"); }
static void backslash(struct pkg *p) { add_hostile(p, "a\\b"); }
static void dot(struct pkg *p) { add_hostile(p, "a/./b"); }
static void empty_segment(struct pkg *p) { add_hostile(p, "clients/acme/files//x"); }
static void dotdot_inside(struct pkg *p) { add_hostile(p, "clients/acme/files/../../x"); }

static void symlink_entry(struct pkg *p)
{
	add(p, (struct tentry){ "clients/acme/files/link", BYTES("/etc/passwd"), NULL, -1, 0, 1,
				0, 0, 0 });
}

static void zip_only(struct pkg *p)
{
	add(p, (struct tentry){ "clients/acme/files/extra.txt", BYTES("x"), NULL, -1, 0, 0, 1, 0,
				0 });
}

static void manifest_only(struct pkg *p)
{
	add(p, (struct tentry){ "clients/acme/files/ghost.txt", BYTES("x"), NULL, -1, 0, 0, 0, 1,
				0 });
}

static void file_and_folder(struct pkg *p)
{
	add(p, (struct tentry){ "clients/acme/files/Archiv", BYTES("x"), NULL, -1, 0, 0, 0, 0,
				0 });
}

static void wrong_sha(struct pkg *p) { find(p, "login/data/t.csv")->bad_sha = 1; }
static void wrong_rows(struct pkg *p) { find(p, "login/data/t.csv")->rows = 5; }
static void wrong_login_rows(struct pkg *p) { p->login_rows = 3; }

static void replace_t(struct pkg *p, const char *csv)
{
	struct tentry *e = find(p, "login/data/t.csv");

	e->data = csv;
	e->len = strlen(csv);
}

#define T_HEADER "\"id\",\"amount\",\"ratio\",\"flag\",\"name\",\"note\",\"data\"\n"

static void too_few_fields(struct pkg *p)
{
	replace_t(p, T_HEADER "1,2,3,1,\"a\",\"b\",\\x00\n2,2,3,1,\"a\",\"b\"\n"
			      "3,2,3,1,\"a\",\"b\",\\x00\n4,2,3,1,\"a\",\"b\",\\x00\n");
}

static void too_many_fields(struct pkg *p)
{
	replace_t(p, T_HEADER "1,2,3,1,\"a\",\"b\",\\x00,\n");
}

static void bad_hex(struct pkg *p)
{
	replace_t(p, T_HEADER "1,2,3,1,\"a\",\"b\",\\x0g\n");
}

static void odd_hex(struct pkg *p)
{
	replace_t(p, T_HEADER "1,2,3,1,\"a\",\"b\",\\x012\n");
}

static void unquoted_text(struct pkg *p)
{
	replace_t(p, T_HEADER "1,2,3,1,abc,\"b\",\\x00\n");
}

static void not_a_number(struct pkg *p)
{
	replace_t(p, T_HEADER "1,2,3,yes,\"a\",\"b\",\\x00\n");
}

static void wrong_header(struct pkg *p)
{
	replace_t(p, "\"id\",\"amount\",\"ratio\",\"flag\",\"title\",\"note\",\"data\"\n");
}

static void malformed_csv(struct pkg *p)
{
	replace_t(p, T_HEADER "1,2,3,1,\"a\"x,\"b\",\\x00\n");
}

static void bad_schema(struct pkg *p)
{
	struct tentry *e = find(p, "login/schema.json");

	e->data = "{\"engine\":\"sqlite\",\"dbms_name\":\"SQLite\",\"dbms_version\":\"3\","
		  "\"database\":null,\"tables\":[{\"name\":\"t\"}]}";
	e->len = strlen(e->data);
}

/* A login database of two tables, a and b (one text column v each), in place of t. */
static const char a_csv[] = "\"v\"\n\"x\"\n";
static const char b_csv[] = "\"v\"\n\"y\"\n\"z\"\n";
static char *schema_ab_json;    /* tables a and b */
static char *schema_aa_json;    /* table a described twice */

static char *two_table_schema(const char *first, const char *second)
{
	static const char *const cols[] = { "v", "text", NULL };
	char *one = one_table_schema(first, "login/data/a.csv", cols);
	char *two = one_table_schema(second, "login/data/b.csv", cols);
	json_t *s1 = json_loads(one, 0, NULL), *s2 = json_loads(two, 0, NULL);
	char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	json_array_extend(json_object_get(s1, "tables"), json_object_get(s2, "tables"));
	text = json_dumps(s1, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(s1);
	json_decref(s2);
	free(one);
	free(two);
	return text;
}

#define TABLE_A "{\"name\":\"a\",\"entry\":\"login/data/a.csv\",\"rows\":1}"
#define TABLE_B "{\"name\":\"b\",\"entry\":\"login/data/b.csv\",\"rows\":2}"

static void set_login_tables(json_t *m, const char *tables)
{
	json_t *t = json_loads(tables, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	json_object_set_new(json_object_get(m, "login"), "tables", t);
}

/* schema.json's order is a, b; the manifest's need not be the same */
static void tables_ba(json_t *m) { set_login_tables(m, "[" TABLE_B "," TABLE_A "]"); }
static void tables_aa(json_t *m) { set_login_tables(m, "[" TABLE_A "," TABLE_A "]"); }
static void tables_a(json_t *m) { set_login_tables(m, "[" TABLE_A "]"); }

static void tables_abc(json_t *m)
{
	set_login_tables(m, "[" TABLE_A "," TABLE_B ",{\"name\":\"c\",\"entry\":"
			 "\"login/data/c.csv\",\"rows\":0}]");
}

static void tables_a_as_b(json_t *m)
{
	set_login_tables(m, "[{\"name\":\"a\",\"entry\":\"login/data/b.csv\",\"rows\":2},"
			 TABLE_B "]");
}

static void ab_package(struct pkg *p, void (*edit)(json_t *m))
{
	struct tentry *e;

	if (!schema_ab_json)
		schema_ab_json = two_table_schema("a", "b");
	e = find(p, "login/schema.json");
	e->data = schema_ab_json;
	e->len = strlen(schema_ab_json);
	e = find(p, "login/data/t.csv");
	e->name = "login/data/a.csv";
	e->data = a_csv;
	e->len = sizeof a_csv - 1;
	e->rows = 1;
	add(p, (struct tentry){ "login/data/b.csv", BYTES(b_csv), NULL, 2, 0, 0, 0, 0, 0 });
	p->edit = edit;
}

/* b's data file is no CSV of its table: only decoding it tells */
static void garbage_b(struct pkg *p)
{
	struct tentry *e = find(p, "login/data/b.csv");

	e->data = "\x01\x02 not a table\n";
	e->len = strlen(e->data);
}

static void table_twice(struct pkg *p)
{
	ab_package(p, tables_aa);
	garbage_b(p);
}

static void table_left_out(struct pkg *p)
{
	ab_package(p, tables_a);
	garbage_b(p);
}

static void table_not_in_schema(struct pkg *p) { ab_package(p, tables_abc); }
static void table_other_entry(struct pkg *p) { ab_package(p, tables_a_as_b); }

static void schema_table_twice(struct pkg *p)
{
	struct tentry *e;

	ab_package(p, tables_ba);
	if (!schema_aa_json)
		schema_aa_json = two_table_schema("a", "a");
	e = find(p, "login/schema.json");
	e->data = schema_aa_json;
	e->len = strlen(schema_aa_json);
}

/* the client's database record points at the login database's folder */
static void client_in_login(json_t *m)
{
	json_t *db = json_object_get(json_array_get(json_object_get(m, "clients"), 0), "database");

	json_object_set(db, "folder", json_object_get(json_object_get(m, "login"), "folder"));
	json_object_set(db, "schema", json_object_get(json_object_get(m, "login"), "schema"));
	json_object_set(db, "tables", json_object_get(json_object_get(m, "login"), "tables"));
}

static void login_in_client(json_t *m)
{
	json_t *db = json_object_get(json_array_get(json_object_get(m, "clients"), 0), "database");

	json_object_set(m, "login", db);
}

static void client_twice(json_t *m)
{
	json_t *clients = json_object_get(m, "clients");

	json_array_append_new(clients, json_deep_copy(json_array_get(clients, 0)));
}

static void client_folder(struct pkg *p) { p->edit = client_in_login; }
static void login_folder(struct pkg *p) { p->edit = login_in_client; }
static void same_client_twice(struct pkg *p) { p->edit = client_twice; }

static void vanished_with_data(struct pkg *p) { p->vanished = "clients/acme/files/Briefe/a.txt"; }

static const struct bad_case bad_cases[] = {
	{ "'..' segment", dotdot, AT_OPEN, "'../evil'", "'..'" },
	{ "absolute name", absolute, AT_OPEN, "'/abs'", "absolute" },
	{ "drive letter", drive, AT_OPEN, "'C:/x'", "drive letter" },
	{ "backslash", backslash, AT_OPEN, "'a\\b'", "backslash" },
	{ "'.' segment", dot, AT_OPEN, "'a/./b'", "'.'" },
	{ "empty segment", empty_segment, AT_OPEN, "'clients/acme/files//x'", "empty" },
	{ "'..' inside", dotdot_inside, AT_OPEN, "'clients/acme/files/../../x'", "'..'" },
	{ "symbolic link", symlink_entry, AT_OPEN, "'clients/acme/files/link'",
	  "symbolic link" },
	{ "not in the manifest", zip_only, AT_OPEN, "'clients/acme/files/extra.txt'",
	  "not listed in the manifest" },
	{ "not in the zip", manifest_only, AT_OPEN, "'clients/acme/files/ghost.txt'",
	  "missing from the zip" },
	{ "file and folder", file_and_folder, AT_OPEN, "'clients/acme/files/Archiv'",
	  "both a file and a folder" },
	{ "SHA-256 mismatch", wrong_sha, AT_VERIFY, "'login/data/t.csv'", "SHA-256" },
	{ "row count of the entry", wrong_rows, AT_VERIFY, "'login/data/t.csv'", "rows" },
	{ "row count of the table", wrong_login_rows, AT_VERIFY, "'login/data/t.csv'", "rows" },
	{ "too few fields", too_few_fields, AT_VERIFY, "'login/data/t.csv', row 2",
	  "6 fields" },
	{ "too many fields", too_many_fields, AT_VERIFY, "'login/data/t.csv', row 1",
	  "more than 7 fields" },
	{ "bad hex", bad_hex, AT_VERIFY, "'login/data/t.csv', row 1, column 'data'", "hex" },
	{ "odd hex", odd_hex, AT_VERIFY, "'login/data/t.csv', row 1, column 'data'", "hex" },
	{ "unquoted text", unquoted_text, AT_VERIFY, "'login/data/t.csv', row 1, column 'name'",
	  "not quoted" },
	{ "not a number", not_a_number, AT_VERIFY, "'login/data/t.csv', row 1, column 'flag'",
	  "not a number" },
	{ "wrong header", wrong_header, AT_VERIFY, "'login/data/t.csv'", "'title'" },
	{ "malformed CSV", malformed_csv, AT_VERIFY, "'login/data/t.csv', row 1", "malformed" },
	{ "malformed schema.json", bad_schema, AT_VERIFY, "'login/schema.json'",
	  "tables[0] ('t'): 'entry'" },
	{ "manifest lists a table twice, leaves one out", table_twice, AT_VERIFY,
	  "the login database lists table 'a' twice", "tables 1 and 2" },
	{ "manifest leaves a table out", table_left_out, AT_VERIFY,
	  "the login database does not list table 'b'", "'login/schema.json' describes" },
	{ "manifest lists a table schema.json lacks", table_not_in_schema, AT_VERIFY,
	  "the login database lists table 'c'", "'login/schema.json' does not describe" },
	{ "manifest gives a table another data file", table_other_entry, AT_VERIFY,
	  "the login database lists table 'a' with data file 'login/data/b.csv'",
	  "gives 'login/data/a.csv'" },
	{ "schema.json describes a table twice", schema_table_twice, AT_VERIFY,
	  "'login/schema.json' describes table 'a' of the login database", "twice" },
	{ "client database in the login's folder", client_folder, AT_VERIFY,
	  "the folder of client 'acme' is 'login/'", "not 'clients/acme/db/'" },
	{ "login database in a client's folder", login_folder, AT_VERIFY,
	  "the folder of the login database is 'clients/acme/db/'", "not 'login/'" },
	{ "client listed twice", same_client_twice, AT_VERIFY, "client 'acme'", "listed twice" },
	{ "vanished file that holds data", vanished_with_data, AT_OPEN,
	  "'clients/acme/files/Briefe/a.txt'", "\"vanished\"" },
};

static void test_bad_packages(void)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ofb_error err;
		struct ofb_reader *r;
		struct pkg p;
		char *dir, *path, what[160];

		standard_package(&p);
		c->setup(&p);
		path = package_in(&p, &dir);
		ofb_error_clear(&err);
		r = ofb_reader_open(path, NULL, &err);
		snprintf(what, sizeof what, "%s: fails at %s", c->name,
			 c->stage == AT_OPEN ? "open" : "verify");
		if (c->stage == AT_OPEN) {
			ofb_expect_true(what, r == NULL, __LINE__);
		} else {
			ofb_expect_true(what, r != NULL && ofb_reader_verify(r, &err) != 0, __LINE__);
		}
		snprintf(what, sizeof what, "%s", c->name);
		expect_contains(what, err.msg, c->names, __LINE__);
		expect_contains(what, err.msg, c->cause, __LINE__);
		expect_contains(what, err.msg, path, __LINE__);
		ofb_reader_close(r);
		free(path);
		unit_remove_tree(dir);
	}
}

/* Flip one byte of the stored entry's data in the file: libzip's CRC check catches it. */
static void test_flipped_byte(void)
{
	struct pkg p;
	struct ofb_error err;
	struct ofb_reader *r;
	char *dir, *path;

	standard_package(&p);
	path = package_in(&p, &dir);
	flip_stored(path, stored_text, sizeof stored_text - 1, 10);

	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);   /* the directory is intact; the data is not */
	CU_ASSERT_NOT_EQUAL(ofb_reader_read(r, "clients/acme/files/Briefe/a.txt", NULL, NULL,
					    &err), 0);
	expect_contains("read flipped entry", err.msg, "'clients/acme/files/Briefe/a.txt'",
			__LINE__);
	expect_contains("read flipped entry", err.msg, "damaged", __LINE__);
	ofb_error_clear(&err);
	CU_ASSERT_NOT_EQUAL(ofb_reader_verify(r, &err), 0);
	expect_contains("verify flipped entry", err.msg, "'clients/acme/files/Briefe/a.txt'",
			__LINE__);
	expect_contains("verify flipped entry", err.msg, "CRC", __LINE__);
	/* unaffected entries still read */
	ofb_error_clear(&err);
	CU_ASSERT_EQUAL(ofb_reader_read(r, "login/data/t.csv", NULL, NULL, &err), 0);
	CU_ASSERT_NOT_EQUAL(ofb_reader_read(r, "no/such/entry", NULL, NULL, &err), 0);
	expect_contains("read missing entry", err.msg, "'no/such/entry'", __LINE__);
	ofb_reader_close(r);
	free(path);
	unit_remove_tree(dir);
}

/* The manifest may list a database's tables in another order than schema.json; every table
 * is decoded, so a damaged data file is found whichever list it is in. */
static void test_verify_table_order(void)
{
	struct ofb_error err;
	struct ofb_reader *r;
	struct pkg p;
	char *dir, *path;

	standard_package(&p);
	ab_package(&p, tables_ba);
	path = package_in(&p, &dir);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	ofb_expect_long("verify, tables in another order", ofb_reader_verify(r, &err), 0,
			__LINE__);
	ofb_expect_str("verify error", err.set ? err.msg : NULL, NULL, __LINE__);
	ofb_reader_close(r);
	free(path);
	unit_remove_tree(dir);

	standard_package(&p);
	ab_package(&p, tables_ba);
	garbage_b(&p);
	path = package_in(&p, &dir);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	ofb_expect_true("verify finds b's data file damaged", ofb_reader_verify(r, &err) != 0,
			__LINE__);
	expect_contains("b damaged", err.msg, "'login/data/b.csv'", __LINE__);
	ofb_reader_close(r);
	free(path);
	unit_remove_tree(dir);
}

/* A file deleted while the backup ran is stored empty and marked "vanished": extraction
 * leaves it out (rather than making an empty file of it) and counts it. */
static void test_extract_vanished(void)
{
	static const char gone[] = "clients/acme/files/Briefe/weg.txt";
	struct pkg p;
	struct ofb_error err;
	struct ofb_reader *r;
	struct buf tree;
	char *dir, *path, *dest, *dest2;

	standard_package(&p);
	add(&p, (struct tentry){ gone, "", 0, FILE_MTIME, -1, 0, 0, 0, 0, 0 });
	p.vanished = gone;
	path = package_in(&p, &dir);
	dest = xasprintf("%s/dest", dir);
	dest2 = xasprintf("%s/dest2", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(dest, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(dest2, 0700), 0);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	ofb_expect_str("open", err.set ? err.msg : NULL, NULL, __LINE__);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	ofb_expect_long("nothing left out before extracting", (long long)ofb_reader_extract_vanished(r),
			0, __LINE__);
	ofb_expect_long("verify", ofb_reader_verify(r, &err), 0, __LINE__);
	ofb_expect_long("extract", ofb_reader_extract(r, "clients/acme/files/", dest, &err), 0,
			__LINE__);
	ofb_expect_str("extract error", err.set ? err.msg : NULL, NULL, __LINE__);
	ofb_expect_long("vanished files left out", (long long)ofb_reader_extract_vanished(r), 1,
			__LINE__);
	buf_init(&tree);
	list_tree(dest, "", &tree);
	ofb_expect_str("extracted tree without the vanished file", tree.data,
		       "Archiv/ Archiv/leer/ Briefe/ Briefe/Gr\xc3\xb6\xc3\x9f" "e.txt:2 "
		       "Briefe/a.txt:36 leer.pdf:0 ", __LINE__);
	buf_free(&tree);
	/* the count is the last extraction's */
	ofb_expect_long("extract Archiv", ofb_reader_extract(r, "clients/acme/files/Archiv/", dest2,
							     &err), 0, __LINE__);
	ofb_expect_long("nothing vanished in Archiv", (long long)ofb_reader_extract_vanished(r), 0,
			__LINE__);
	ofb_reader_close(r);
	free(dest);
	free(dest2);
	free(path);
	unit_remove_tree(dir);
}

/* ---- damaged and truncated files ---- */

static void read_whole(const char *path, struct buf *b)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	buf_init(b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
}

static void write_whole(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	CU_ASSERT_EQUAL(fclose(f), 0);
}

/* The message opening the package at path gives, or NULL when it opens. */
static char *open_message(const char *path)
{
	struct ofb_error err;
	struct ofb_reader *r;

	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	if (r) {
		ofb_reader_close(r);
		return NULL;
	}
	return xstrdup(err.msg);
}

/* Open the file with byte at flipped: the message must call it damaged, not truncated,
 * and name what is given. */
static void expect_damage(const char *what, const struct buf *good, const char *path,
			  size_t at, const char *names, unsigned line)
{
	char *msg;

	good->data[at] ^= 0xff;
	write_whole(path, good->data, good->len);
	good->data[at] ^= 0xff;
	msg = open_message(path);
	ofb_expect_true(what, msg != NULL, line);
	if (!msg)
		return;
	expect_contains(what, msg, "the file is damaged", line);
	expect_contains(what, msg, names, line);
	ofb_expect_true(what, strstr(msg, "truncated") == NULL, line);
	free(msg);
}

static void test_damaged_not_truncated(void)
{
	static const char name[] = "clients/acme/files/Briefe/a.txt";
	struct pkg p;
	struct buf good;
	char *dir, *path, *local, *central, *msg;
	size_t n_damaged = 0;

	standard_package(&p);
	path = package_in(&p, &dir);
	read_whole(path, &good);
	local = memmem(good.data, good.len, name, sizeof name - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(local);
	central = memmem(local + 1, good.len - (size_t)(local + 1 - good.data), name,
			 sizeof name - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(central);
	local -= 30;
	central -= 46;
	CU_ASSERT_FATAL(memcmp(local, "PK\x03\x04", 4) == 0);
	CU_ASSERT_FATAL(memcmp(central, "PK\x01\x02", 4) == 0);
	CU_ASSERT_FATAL(memcmp(good.data + good.len - 22, "PK\x05\x06", 4) == 0);

	expect_damage("local header signature", &good, path, (size_t)(local - good.data) + 1,
		      "the local header of entry 'clients/acme/files/Briefe/a.txt'", __LINE__);
	expect_damage("local header size", &good, path, (size_t)(local - good.data) + 21,
		      "entry 'clients/acme/files/Briefe/a.txt'", __LINE__);
	expect_damage("local header name length", &good, path, (size_t)(local - good.data) + 27,
		      "entry 'clients/acme/files/Briefe/a.txt'", __LINE__);
	expect_damage("directory record signature", &good, path,
		      (size_t)(central - good.data) + 2,
		      "record of entry 'clients/acme/files/Briefe/a.txt'", __LINE__);
	expect_damage("directory record CRC", &good, path, (size_t)(central - good.data) + 16,
		      "entry 'clients/acme/files/Briefe/a.txt'", __LINE__);
	expect_damage("end record signature", &good, path, good.len - 22,
		      "the end record of the zip directory", __LINE__);
	expect_damage("end record directory offset", &good, path, good.len - 22 + 16,
		      "the end record of the zip directory", __LINE__);

	/* whatever single byte is damaged, the file is never called truncated */
	for (size_t at = 0; at < good.len; at++) {
		char what[80];
		good.data[at] ^= 0xff;
		write_whole(path, good.data, good.len);
		good.data[at] ^= 0xff;
		msg = open_message(path);
		if (!msg)
			continue;
		snprintf(what, sizeof what, "byte %zu damaged: not truncated", at);
		ofb_expect_true(what, strstr(msg, "the file is truncated") == NULL, __LINE__);
		n_damaged += strstr(msg, "the file is damaged") != NULL;
		free(msg);
	}
	ofb_expect_true("damage in the zip structure found", n_damaged > 100, __LINE__);
	/* and wherever the file is cut, it is */
	for (size_t len = 4; len < good.len; len++) {
		char what[80];
		write_whole(path, good.data, len);
		msg = open_message(path);
		snprintf(what, sizeof what, "cut to %zu bytes: truncated", len);
		ofb_expect_true(what, msg && strstr(msg, "the file is truncated") != NULL, __LINE__);
		free(msg);
	}
	buf_free(&good);
	free(path);
	unit_remove_tree(dir);
}

static void test_truncated(void)
{
	struct pkg p;
	struct ofb_error err;
	struct stat st;
	char *dir, *path;

	standard_package(&p);
	path = package_in(&p, &dir);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	/* cut inside the stored entry: the walk from the front names it */
	CU_ASSERT_EQUAL_FATAL(truncate(path, st.st_size / 2), 0);
	ofb_error_clear(&err);
	CU_ASSERT_PTR_NULL(ofb_reader_open(path, NULL, &err));
	expect_contains("truncated package", err.msg, path, __LINE__);
	expect_contains("truncated package", err.msg, "truncated", __LINE__);
	expect_contains("truncated package", err.msg, "entry '", __LINE__);
	/* cut at the very end: only the directory is lost */
	CU_ASSERT_EQUAL_FATAL(write_package(&p, path), 0);
	CU_ASSERT_EQUAL_FATAL(truncate(path, st.st_size - 1), 0);
	ofb_error_clear(&err);
	CU_ASSERT_PTR_NULL(ofb_reader_open(path, NULL, &err));
	expect_contains("package cut by one byte", err.msg, "truncated", __LINE__);
	/* cut where the zip directory starts: every entry is whole */
	{
		struct buf whole;
		size_t dir_at;
		CU_ASSERT_EQUAL_FATAL(write_package(&p, path), 0);
		read_whole(path, &whole);
		dir_at = (size_t)(unsigned char)whole.data[whole.len - 6] |
			 (size_t)(unsigned char)whole.data[whole.len - 5] << 8 |
			 (size_t)(unsigned char)whole.data[whole.len - 4] << 16;
		CU_ASSERT_FATAL(dir_at < whole.len);
		write_whole(path, whole.data, dir_at);
		ofb_error_clear(&err);
		CU_ASSERT_PTR_NULL(ofb_reader_open(path, NULL, &err));
		expect_contains("package cut before its directory", err.msg,
				"the file is truncated: it ends after entry 'manifest.json'", __LINE__);
		buf_free(&whole);
	}
	/* not a zip at all */
	CU_ASSERT_EQUAL_FATAL(truncate(path, 0), 0);
	ofb_error_clear(&err);
	CU_ASSERT_PTR_NULL(ofb_reader_open(path, NULL, &err));
	expect_contains("empty file", err.msg, path, __LINE__);
	free(path);
	unit_remove_tree(dir);
}

/* ---- streaming ---- */

struct big_check {
	size_t len;
	int content_ok;
};

static int check_big_row(void *ctx, const struct ofb_value *v, size_t n, struct ofb_error *err)
{
	struct big_check *c = ctx;

	(void)err;
	c->len = n == 1 ? v[0].len : 0;
	c->content_ok = n == 1 && !v[0].is_null && v[0].len >= 3 && v[0].data[0] == '"' &&
			v[0].data[1] == 'a' && v[0].data[v[0].len - 1] == '"';
	return 0;
}

static void test_long_text_field(void)
{
	const size_t value_len = 5u * 1024 * 1024;
	static const char *const cols[] = { "v", "text", NULL };
	struct pkg p;
	struct ofb_error err;
	struct ofb_reader *r;
	struct ofb_schema s;
	struct big_check check = { 0, 0 };
	unsigned long long rows = 0;
	char *schema = one_table_schema("u", "clients/acme/db/data/u.csv", cols);
	char *dir, *path;
	struct buf csv;

	/* the value starts and ends with a quote (written doubled), 'a' in between */
	buf_init(&csv);
	buf_adds(&csv, "\"v\"\n\"\"\"");
	buf_grow(&csv, value_len + 8);
	memset(csv.data + csv.len, 'a', value_len - 2);
	csv.len += value_len - 2;
	buf_adds(&csv, "\"\"\"\n");
	standard_package(&p);
	find(&p, "clients/acme/db/schema.json")->data = schema;
	find(&p, "clients/acme/db/schema.json")->len = strlen(schema);
	find(&p, "clients/acme/db/data/u.csv")->data = csv.data;
	find(&p, "clients/acme/db/data/u.csv")->len = csv.len;
	path = package_in(&p, &dir);
	ofb_error_clear(&err);
	r = ofb_reader_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(ofb_reader_schema(r, "clients/acme/db/", &s, &err), 0);
	ofb_expect_long("decode a 5 MB field",
			ofb_reader_table(r, &s.tables[0], check_big_row, &check, &rows, &err), 0,
			__LINE__);
	ofb_expect_str("decode error", err.set ? err.msg : NULL, NULL, __LINE__);
	ofb_expect_long("rows", (long long)rows, 1, __LINE__);
	ofb_expect_long("value length", (long long)check.len, (long long)value_len, __LINE__);
	CU_ASSERT(check.content_ok);
	ofb_schema_free(&s);
	ofb_reader_close(r);
	buf_free(&csv);
	free(schema);
	free(path);
	unit_remove_tree(dir);
}

/* ---- schema.json ---- */

static const char full_schema[] =
	"{\"engine\":\"postgresql\",\"dbms_name\":\"PostgreSQL\",\"dbms_version\":\"15.18\","
	"\"database\":\"public\",\"tables\":[{\"name\":\"order\","
	"\"entry\":\"clients/acme/db/data/order.csv\",\"columns\":["
	"{\"name\":\"id\",\"type\":\"integer\",\"native_type\":\"int4\",\"sql_type\":4,"
	"\"nullable\":false,\"default\":\"nextval('order_id_seq'::regclass)\",\"identity\":true},"
	"{\"name\":\"amount\",\"type\":\"decimal\",\"precision\":12,\"scale\":4,"
	"\"native_type\":\"numeric\",\"sql_type\":2,\"nullable\":true,\"default\":null,"
	"\"identity\":false},"
	"{\"name\":\"code\",\"type\":\"varchar\",\"length\":40,\"native_type\":\"varchar\","
	"\"sql_type\":12,\"nullable\":true,\"default\":null,\"identity\":false},"
	"{\"name\":\"at\",\"type\":\"timestamptz\",\"scale\":6,\"native_type\":\"timestamptz\","
	"\"sql_type\":93,\"nullable\":true,\"default\":null,\"identity\":false},"
	"{\"name\":\"customer_id\",\"type\":\"bigint\",\"native_type\":\"int8\",\"sql_type\":-5,"
	"\"nullable\":false,\"default\":null,\"identity\":false}],"
	"\"primary_key\":{\"name\":\"order_pkey\",\"columns\":[\"id\"]},"
	"\"indexes\":[{\"name\":\"order_no_key\",\"unique\":true,\"columns\":[\"code\",\"at\"],"
	"\"descending\":[false,true]}],"
	"\"foreign_keys\":[{\"name\":\"order_customer_fk\",\"columns\":[\"customer_id\"],"
	"\"ref_table\":\"customer\",\"ref_columns\":[\"id\"],\"on_update\":\"NO ACTION\","
	"\"on_delete\":\"CASCADE\"}],"
	"\"identity\":{\"column\":\"id\",\"next\":43},\"native_ddl\":null},"
	"{\"name\":\"customer\",\"entry\":null,\"columns\":[{\"name\":\"id\",\"type\":\"blob\","
	"\"native_type\":\"bytea\",\"sql_type\":-4,\"nullable\":true,\"default\":null,"
	"\"identity\":false}],\"primary_key\":null,\"indexes\":[],\"foreign_keys\":[],"
	"\"identity\":null,\"native_ddl\":\"CREATE TABLE customer (id bytea)\"}],"
	"\"objects\":[{\"kind\":\"sequence\",\"name\":\"invoice_no\",\"table\":null,"
	"\"native_ddl\":\"CREATE SEQUENCE invoice_no\",\"depends\":[],"
	"\"depends_on_tables\":false,\"sequence\":{\"last_value\":4711,\"is_called\":true}},"
	"{\"kind\":\"view\",\"name\":\"big orders\",\"table\":null,"
	"\"native_ddl\":\"CREATE VIEW \\\"big orders\\\" AS SELECT id FROM \\\"order\\\"\","
	"\"depends\":[{\"kind\":\"view\",\"name\":\"v0\"}],\"depends_on_tables\":true}]}";

static void test_schema_round_trip(void)
{
	struct ofb_schema s, again;
	struct ofb_error err;
	char *first, *second;
	json_t *canon;

	ofb_error_clear(&err);
	CU_ASSERT_EQUAL_FATAL(ofb_schema_from_json(full_schema, &s, &err), 0);
	CU_ASSERT_EQUAL(s.n_tables, 2);
	CU_ASSERT_EQUAL(s.tables[0].n_columns, 5);
	CU_ASSERT_EQUAL(s.tables[0].columns[1].type, OFB_T_DECIMAL);
	CU_ASSERT_EQUAL(s.tables[0].columns[1].precision, 12);
	CU_ASSERT_EQUAL(s.tables[0].columns[2].length, 40);
	CU_ASSERT_EQUAL(s.tables[0].identity_next, 43);
	CU_ASSERT_PTR_NOT_NULL(s.tables[0].primary_key);
	CU_ASSERT_EQUAL(s.tables[0].indexes[0].descending[1], 1);
	CU_ASSERT_PTR_NULL(s.tables[1].entry);
	CU_ASSERT_EQUAL_FATAL(s.n_objects, 2);
	CU_ASSERT_EQUAL(s.objects[0].kind, OFB_OBJ_SEQUENCE);
	CU_ASSERT_EQUAL(s.objects[0].last_value, 4711);
	CU_ASSERT_EQUAL(s.objects[1].n_depends, 1);
	first = ofb_schema_to_json(&s);
	/* what to_json writes holds exactly what the input held */
	canon = json_loads(full_schema, 0, NULL);
	second = json_dumps(canon, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	ofb_expect_str("to_json of from_json", first, second, __LINE__);
	free(second);
	json_decref(canon);
	CU_ASSERT_EQUAL_FATAL(ofb_schema_from_json(first, &again, &err), 0);
	second = ofb_schema_to_json(&again);
	ofb_expect_str("to_json -> from_json -> to_json", second, first, __LINE__);
	free(first);
	free(second);
	ofb_schema_free(&s);
	ofb_schema_free(&again);
}

static void test_schema_malformed(void)
{
	static const struct {
		const char *json;
		const char *names;
	} cases[] = {
		{ "not json", "not valid JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"dbms_name\":\"x\",\"dbms_version\":\"1\",\"database\":null,\"tables\":[]}",
		  "'engine'" },
		{ "{\"engine\":\"x\",\"dbms_name\":\"x\",\"dbms_version\":\"1\",\"database\":null}",
		  "'tables'" },
		{ "{\"engine\":\"x\",\"dbms_name\":\"x\",\"dbms_version\":\"1\",\"database\":null,"
		  "\"tables\":[{\"name\":\"t\",\"entry\":null,\"columns\":[{\"name\":\"c\","
		  "\"type\":\"money\"}]}]}", "tables[0] ('t').columns[0]: 'type' 'money'" },
		{ "{\"engine\":\"x\",\"dbms_name\":\"x\",\"dbms_version\":\"1\",\"database\":null,"
		  "\"tables\":[{\"name\":\"t\",\"entry\":null,\"columns\":[{\"name\":\"c\","
		  "\"type\":\"decimal\",\"scale\":2}]}]}", "columns[0]: 'precision'" },
		{ "{\"engine\":\"x\",\"dbms_name\":\"x\",\"dbms_version\":\"1\",\"database\":null,"
		  "\"tables\":[{\"name\":\"t\",\"entry\":null,\"columns\":[],\"primary_key\":null,"
		  "\"indexes\":[{\"name\":\"i\",\"unique\":true,\"columns\":[\"a\",\"b\"],"
		  "\"descending\":[false]}]}]}", "indexes[0]: 'descending' has 1 members" },
		{ "{\"engine\":\"x\",\"dbms_name\":\"x\",\"dbms_version\":\"1\",\"database\":null,"
		  "\"tables\":[{\"name\":\"t\",\"entry\":null,\"columns\":[],\"primary_key\":null,"
		  "\"indexes\":[],\"foreign_keys\":[{\"name\":\"f\",\"columns\":[\"a\"],"
		  "\"ref_table\":\"u\",\"ref_columns\":[]}]}]}",
		  "foreign_keys[0]: 1 'columns' but 0 'ref_columns'" },
		{ "{\"engine\":\"x\",\"dbms_name\":\"x\",\"dbms_version\":\"1\",\"database\":null,"
		  "\"tables\":[{\"name\":\"t\",\"entry\":null,\"columns\":[],\"primary_key\":null,"
		  "\"indexes\":[],\"foreign_keys\":[],\"identity\":{\"column\":\"id\"}}]}",
		  "tables[0] ('t').identity: 'next'" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ofb_schema s;
		struct ofb_error err;

		ofb_error_clear(&err);
		ofb_expect_long(cases[i].names, ofb_schema_from_json(cases[i].json, &s, &err), -1,
				__LINE__);
		expect_contains("malformed schema.json", err.msg, cases[i].names, __LINE__);
		CU_ASSERT_PTR_NULL(s.tables);
	}
}

static void cleanup_schemas(void)
{
	free(schema_t_json);
	free(schema_u_json);
	free(schema_ab_json);
	free(schema_aa_json);
	schema_t_json = schema_u_json = schema_ab_json = schema_aa_json = NULL;
}

static void test_cleanup(void)
{
	cleanup_schemas();
	CU_PASS("freed");
}

int register_reader_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "open, slurp, decode, verify a valid package", test_open_and_decode },
		{ "open again: the same package, or refused", test_open_again },
		{ "verify but one database's tables (read by the caller)", test_verify_but },
		{ "extract: tree, contents, times", test_extract },
		{ "extract: symbolic link below dest refused", test_extract_refuses_symlink },
		{ "extract: damaged file leaves nothing", test_extract_damaged_file },
		{ "hostile and damaged packages", test_bad_packages },
		{ "flipped byte in a stored entry", test_flipped_byte },
		{ "verify: manifest tables in another order", test_verify_table_order },
		{ "extract: vanished files left out and counted", test_extract_vanished },
		{ "damaged zip structure is not called truncated", test_damaged_not_truncated },
		{ "truncated package", test_truncated },
		{ "5 MB text field streamed", test_long_text_field },
		{ "schema.json round trip", test_schema_round_trip },
		{ "schema.json malformed", test_schema_malformed },
		{ "free shared fixtures", test_cleanup },
		{ NULL, NULL },
	};

	return ofb_add_suite("reader", tests);
}
