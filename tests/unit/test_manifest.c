/* Unit tests for registry.c's value rules, backup names and kinds, and reading manifest.json. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <jansson.h>
#include <zip.h>

#include "backup.h"
#include "config.h"
#include "error.h"
#include "manifest.h"
#include "registry.h"
#include "suites.h"
#include "util.h"

/* ---- client ids ---- */

static void test_client_id_valid(void)
{
	char id64[65], id65[66];
	const struct {
		const char *id;
		int valid;
	} cases[] = {
		{ "acme", 1 },
		{ "a.b_c-1", 1 },
		{ "ACME-2", 1 },
		{ "0", 1 },
		{ "a..b", 1 },
		{ id64, 1 },
		{ "", 0 },
		{ ".hidden", 0 },
		{ ".", 0 },
		{ "..", 0 },
		{ id65, 0 },
		{ "a/b", 0 },
		{ "/abs", 0 },
		{ "a\\b", 0 },
		{ "a:b", 0 },
		{ "a b", 0 },
		{ "a*", 0 },
		{ "a?", 0 },
		{ "a\"b", 0 },
		{ "a<b>", 0 },
		{ "a|b", 0 },
		{ "a%41", 0 },
		{ "a\nb", 0 },
		{ "a\tb", 0 },
		{ "\xc3\xa4", 0 },
		{ "caf\xc3\xa9", 0 },
		{ "\xff", 0 },
	};

	memset(id64, 'a', 64);
	id64[64] = '\0';
	memset(id65, 'b', 65);
	id65[65] = '\0';
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char what[128];

		snprintf(what, sizeof what, "ofb_client_id_valid('%.70s')", cases[i].id);
		ofb_expect_long(what, ofb_client_id_valid(cases[i].id) != 0, cases[i].valid,
				__LINE__);
	}
}

/* FORMAT.md promises that ids are "safe folder names on every platform", and packages are
 * opened with Windows Explorer: Windows cannot create folders with reserved device names
 * nor keep a trailing dot. */
static void test_client_id_windows_names(void)
{
	static const char *const reserved[] = { "con", "CON", "nul", "aux", "prn", "com1",
						"LPT1", "a." };

	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
		char what[128];

		snprintf(what, sizeof what, "ofb_client_id_valid('%s') (not a Windows folder name)",
			 reserved[i]);
		ofb_expect_long(what, ofb_client_id_valid(reserved[i]) != 0, 0, __LINE__);
	}
	/* names that only begin like one are fine */
	ofb_expect_long("ofb_client_id_valid('console')", ofb_client_id_valid("console") != 0, 1,
		       __LINE__);
	ofb_expect_long("ofb_client_id_valid('com10')", ofb_client_id_valid("com10") != 0, 1,
		       __LINE__);
}

/* ---- registry values ---- */

static void test_registry_truthy(void)
{
	static const struct {
		const char *value;
		int truthy;
	} cases[] = {
		{ "1", 1 },
		{ "0", 0 },
		{ "true", 1 },
		{ "TRUE", 1 },
		{ "True", 1 },
		{ "FALSE", 0 },
		{ "false", 0 },
		{ "yes", 1 },
		{ "YES", 1 },
		{ "no", 0 },
		{ "on", 1 },
		{ "ON", 1 },
		{ "off", 0 },
		{ "t", 1 },
		{ "T", 1 },
		{ "y", 1 },
		{ "f", 0 },
		{ "n", 0 },
		{ "2", 1 },
		{ "-1", 1 },
		{ "0.0", 0 },
		{ "0.5", 1 },
		{ "00", 0 },
		{ " 1", 1 },
		{ " yes", 1 },
		{ "", 0 },
		{ "   ", 0 },
		{ "offline", 0 },
		{ "abc", 0 },
		{ NULL, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char what[64];

		snprintf(what, sizeof what, "ofb_registry_truthy(%s%s%s)", cases[i].value ? "'" : "",
			 cases[i].value ? cases[i].value : "NULL", cases[i].value ? "'" : "");
		ofb_expect_long(what, ofb_registry_truthy(cases[i].value) != 0, cases[i].truthy,
			       __LINE__);
	}
}

/* A CHAR(n) offline column comes back padded with blanks; leading blanks are already
 * skipped, trailing ones must be too. */
static void test_registry_truthy_padded(void)
{
	static const struct {
		const char *value;
		int truthy;
	} cases[] = {
		{ "1    ", 1 },
		{ "yes  ", 1 },
		{ "true ", 1 },
		{ "y    ", 1 },
		{ "no   ", 0 },
		{ "0    ", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char what[64];

		snprintf(what, sizeof what, "ofb_registry_truthy('%s')", cases[i].value);
		ofb_expect_long(what, ofb_registry_truthy(cases[i].value) != 0, cases[i].truthy,
			       __LINE__);
	}
}

static void test_registry_conn(void)
{
	static const struct {
		const char *value;
		const char *connect;
		const char *dsn;
	} cases[] = {
		{ "acme_pg", NULL, "acme_pg" },
		{ "ACME Production", NULL, "ACME Production" },
		{ "Driver=SQLite3;Database=/srv/of/acme.db",
		  "Driver=SQLite3;Database=/srv/of/acme.db", NULL },
		{ "DSN=acme_pg;UID=backup", "DSN=acme_pg;UID=backup", NULL },
		{ "DSN=acme_pg", "DSN=acme_pg", NULL },
		{ "", NULL, NULL },
		{ NULL, NULL, NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ofb_dbconn conn;
		char what[128];

		memset(&conn, 0x55, sizeof conn);   /* every field must be set */
		ofb_registry_conn(cases[i].value, &conn);
		snprintf(what, sizeof what, "ofb_registry_conn('%s').connect",
			 cases[i].value ? cases[i].value : "NULL");
		ofb_expect_str(what, conn.connect, cases[i].connect, __LINE__);
		snprintf(what, sizeof what, "ofb_registry_conn('%s').dsn",
			 cases[i].value ? cases[i].value : "NULL");
		ofb_expect_str(what, conn.dsn, cases[i].dsn, __LINE__);
		CU_ASSERT_PTR_NULL(conn.user);
		CU_ASSERT_PTR_NULL(conn.password);
		CU_ASSERT_PTR_NULL(conn.password_env);
		CU_ASSERT_PTR_NULL(conn.password_file);
		/* copies, not the registry's own text */
		if (cases[i].value && conn.connect)
			CU_ASSERT_PTR_NOT_EQUAL(conn.connect, cases[i].value);
		if (cases[i].value && conn.dsn)
			CU_ASSERT_PTR_NOT_EQUAL(conn.dsn, cases[i].value);
		ofb_dbconn_free(&conn);
	}
}

/* ---- backup names and kinds ---- */

static void test_kind_name(void)
{
	ofb_expect_str("full", ofb_kind_name(OFB_KIND_FULL), "full", __LINE__);
	ofb_expect_str("partial", ofb_kind_name(OFB_KIND_PARTIAL), "partial", __LINE__);
	ofb_expect_str("export", ofb_kind_name(OFB_KIND_EXPORT), "export", __LINE__);
}

/* Checks name is prefix + YYYYMMDD-HHMMSS + ".zip", the local time of a second within
 * [from, to]. */
static void check_default_name(const char *name, const char *prefix, time_t from, time_t to,
			       unsigned line)
{
	int ok = 0;
	char what[160];

	for (time_t t = from; t <= to && !ok; t++) {
		struct tm tm;
		char stamp[32], *want;

		localtime_r(&t, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		want = xasprintf("%s%s.zip", prefix, stamp);
		ok = strcmp(name, want) == 0;
		free(want);
	}
	snprintf(what, sizeof what, "'%s' is %sYYYYMMDD-HHMMSS.zip of the local time of the call",
		 name, prefix);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, what, __FILE__, "", CU_FALSE);
}

static void test_backup_default_name(void)
{
	time_t from = time(NULL);
	char *full = ofb_backup_default_name(OFB_KIND_FULL, NULL);
	char *partial = ofb_backup_default_name(OFB_KIND_PARTIAL, NULL);
	char *export = ofb_backup_default_name(OFB_KIND_EXPORT, "acme");
	char *export2 = ofb_backup_default_name(OFB_KIND_EXPORT, "a.b_c-1");
	time_t to = time(NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(full);
	CU_ASSERT_PTR_NOT_NULL_FATAL(partial);
	CU_ASSERT_PTR_NOT_NULL_FATAL(export);
	CU_ASSERT_PTR_NOT_NULL_FATAL(export2);
	check_default_name(full, "ofbackup-full-", from, to, __LINE__);
	check_default_name(partial, "ofbackup-partial-", from, to, __LINE__);
	check_default_name(export, "ofbackup-export-acme-", from, to, __LINE__);
	check_default_name(export2, "ofbackup-export-a.b_c-1-", from, to, __LINE__);
	/* a safe file name everywhere */
	CU_ASSERT_PTR_NULL(strpbrk(full, "/\\: "));
	CU_ASSERT_PTR_NULL(strpbrk(export, "/\\: "));
	free(full);
	free(partial);
	free(export);
	free(export2);
}

/* ---- reading manifest.json ---- */


struct zip_member {
	const char *name;
	const char *content;   /* NULL: a folder entry */
};

/* Writes a zip with the given members; returns its malloc'd path or NULL. */
static char *write_zip(const char *dir, const char *file, const struct zip_member *members,
		       size_t n)
{
	char *path = xasprintf("%s/%s", dir, file);
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

	if (!z) {
		free(path);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		zip_source_t *src;

		if (!members[i].content) {
			if (zip_dir_add(z, members[i].name, ZIP_FL_ENC_UTF_8) < 0)
				goto fail;
			continue;
		}
		src = zip_source_buffer(z, members[i].content, strlen(members[i].content), 0);
		if (!src)
			goto fail;
		if (zip_file_add(z, members[i].name, src, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(src);
			goto fail;
		}
	}
	if (zip_close(z) != 0)
		goto fail;
	return path;
fail:
	zip_discard(z);
	unlink(path);
	free(path);
	return NULL;
}

static char *write_file(const char *dir, const char *file, const char *content, size_t n)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(content, 1, n, f) != n) {
		if (f)
			fclose(f);
		free(path);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* Loading path must fail with a message that names the file and says why. */
static void expect_load_fails(const char *what, const char *path, const char *reason,
			      unsigned line)
{
	struct ofb_error err;
	json_t *root;
	char msg[OFB_ERROR_MAX + 200];

	ofb_error_clear(&err);
	root = ofb_manifest_load(path, &err);
	snprintf(msg, sizeof msg, "%s: loading fails", what);
	CU_assertImplementation(root == NULL ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "",
				CU_FALSE);
	json_decref(root);
	snprintf(msg, sizeof msg, "%s: error set", what);
	CU_assertImplementation(err.set ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
	snprintf(msg, sizeof msg, "%s: message names '%s': %s", what, path, err.msg);
	CU_assertImplementation(strstr(err.msg, path) ? CU_TRUE : CU_FALSE, line, msg, __FILE__,
				"", CU_FALSE);
	if (reason) {
		snprintf(msg, sizeof msg, "%s: message says '%s': %s", what, reason, err.msg);
		CU_assertImplementation(strstr(err.msg, reason) ? CU_TRUE : CU_FALSE, line, msg,
					__FILE__, "", CU_FALSE);
	}
}

static void test_manifest_load_failures(void)
{
	static const struct zip_member no_manifest[] = {
		{ "login/", NULL },
		{ "login/schema.json", "{}" },
		{ "clients/acme/manifest.json",
		  "{\"format\": \"ofbackup-package\", \"format_version\": 1}" },
	};
	/* packages whose only member is a manifest.json like these */
	static const struct {
		const char *what, *manifest, *reason;
	} one_member[] = {
		{ "wrong format", "{\"format\": \"other-tool\", \"format_version\": 1}",
		  "not an ofbackup package" },
		{ "no format", "{\"format_version\": 1, \"kind\": \"full\"}",
		  "not an ofbackup package" },
		{ "format_version as text",
		  "{\"format\": \"ofbackup-package\", \"format_version\": \"1\"}", NULL },
		{ "manifest not JSON", "{\"format\": \"ofbackup-package\", ", "JSON" },
		{ "manifest is an array", "[\"ofbackup-package\", 1]", NULL },
	};
	char newer_text[128];
	const struct zip_member newer[] = { { "manifest.json", newer_text } };
	char *dir = unit_temp_dir("manifest");
	char *path;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(newer_text, sizeof newer_text,
		 "{\"format\": \"ofbackup-package\", \"format_version\": %d, \"kind\": \"full\"}",
		 OFB_FORMAT_VERSION + 1);

	path = xasprintf("%s/missing.zip", dir);
	expect_load_fails("missing file", path, NULL, __LINE__);
	free(path);

	path = write_file(dir, "text.zip", "this is not a zip archive\n", 26);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	expect_load_fails("not a zip", path, NULL, __LINE__);
	free(path);

	path = write_file(dir, "empty.zip", "", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	expect_load_fails("empty file", path, NULL, __LINE__);
	free(path);

	path = write_zip(dir, "no-manifest.zip", no_manifest, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	expect_load_fails("zip without manifest.json", path, "manifest.json", __LINE__);
	free(path);

	for (size_t i = 0; i < sizeof one_member / sizeof one_member[0]; i++) {
		const struct zip_member m = { "manifest.json", one_member[i].manifest };
		char *file = xasprintf("case-%zu.zip", i);

		path = write_zip(dir, file, &m, 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(path);
		expect_load_fails(one_member[i].what, path, one_member[i].reason, __LINE__);
		free(path);
		free(file);
	}

	path = write_zip(dir, "newer.zip", newer, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	expect_load_fails("newer format version", path, "newer ofbackup", __LINE__);
	{
		struct ofb_error err;
		char version[32];

		ofb_error_clear(&err);
		json_decref(ofb_manifest_load(path, &err));
		snprintf(version, sizeof version, "version %d", OFB_FORMAT_VERSION + 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, version));
	}
	free(path);

	unit_remove_tree(dir);
}

static void test_manifest_load_valid(void)
{
	static const struct zip_member minimal[] = {
		{ "manifest.json", "{\"format\": \"ofbackup-package\", \"format_version\": 1, "
				   "\"kind\": \"export\", \"clients\": [{\"id\": \"acme\"}]}" },
	};
	static const struct zip_member older_and_more[] = {
		{ "clients/", NULL },
		{ "clients/acme/db/schema.json", "{\"tables\": []}" },
		{ "manifest.json", "{\"format\": \"ofbackup-package\", \"format_version\": 0, "
				   "\"kind\": \"full\", \"host\": \"b\\u00fcro\", "
				   "\"future_field\": {\"x\": 1}}" },
	};
	char *dir = unit_temp_dir("manifest");
	struct ofb_error err;
	json_t *root;
	char *path;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);

	path = write_zip(dir, "minimal.zip", minimal, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	ofb_error_clear(&err);
	root = ofb_manifest_load(path, &err);
	CU_ASSERT_PTR_NOT_NULL(root);
	CU_ASSERT_FALSE(err.set);
	if (root) {
		json_t *clients = json_object_get(root, "clients");
		ofb_expect_str("format", json_string_value(json_object_get(root, "format")),
			       OFB_FORMAT_NAME, __LINE__);
		/* a package of the previous version loads as it is */
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(root, "format_version")), 1);
		ofb_expect_str("kind", json_string_value(json_object_get(root, "kind")), "export",
			       __LINE__);
		CU_ASSERT(json_is_array(clients) && json_array_size(clients) == 1);
		ofb_expect_str("clients[0].id",
			       json_string_value(json_object_get(json_array_get(clients, 0), "id")),
			       "acme", __LINE__);
		json_decref(root);
	}
	free(path);

	/* a file name with a space and an umlaut; other entries around the manifest */
	path = write_zip(dir, "Sicherung M\xc3\xa4rz.zip", older_and_more, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	ofb_error_clear(&err);
	root = ofb_manifest_load(path, &err);
	CU_ASSERT_PTR_NOT_NULL(root);
	if (root) {
		ofb_expect_str("host", json_string_value(json_object_get(root, "host")),
			       "b\xc3\xbcro", __LINE__);
		CU_ASSERT_PTR_NOT_NULL(json_object_get(root, "future_field"));
		json_decref(root);
	}
	free(path);

	unit_remove_tree(dir);
}

int register_manifest_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "client ids", test_client_id_valid },
		{ "client ids Windows cannot use", test_client_id_windows_names },
		{ "registry truthy", test_registry_truthy },
		{ "registry truthy, blank-padded", test_registry_truthy_padded },
		{ "registry connect value", test_registry_conn },
		{ "kind names", test_kind_name },
		{ "default backup names", test_backup_default_name },
		{ "manifest load failures", test_manifest_load_failures },
		{ "manifest load valid", test_manifest_load_valid },
		{ NULL, NULL },
	};

	return ofb_add_suite("manifest", tests);
}
