/* Unit tests for files.c: scanning a real temporary folder tree. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "files.h"
#include "suites.h"
#include "util.h"

#define UMLAUT_NAME "Gr\xc3\xb6\xc3\x9f" "e \xc3\xbc.txt"

static int make_dir(const char *root, const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	int rc = mkdir(p, 0755);

	free(p);
	return rc;
}

static int make_file(const char *root, const char *rel, size_t size)
{
	char *p = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "wb");
	int rc = -1;

	if (f) {
		rc = 0;
		for (size_t i = 0; i < size; i++)
			if (fputc('a' + (int)(i % 26), f) == EOF)
				rc = -1;
		if (fclose(f) != 0)
			rc = -1;
	}
	free(p);
	return rc;
}

static int make_symlink(const char *root, const char *target, const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	int rc = symlink(target, p);

	free(p);
	return rc;
}

/*
 * The tree under test:
 *   a.txt (5)  empty.txt (0)  nested.txt (2)  link -> a.txt  fifo (named pipe)
 *   dir with spaces/UMLAUT_NAME (3)
 *   empty/
 *   nested/x (1)  nested/deeper/deep.bin (1000)  nested/dirlink -> ../empty
 */
static char *build_tree(void)
{
	char *root = unit_temp_dir("files");
	char *fifo;
	int rc = 0;

	if (!root)
		return NULL;
	rc |= make_file(root, "a.txt", 5);
	rc |= make_file(root, "empty.txt", 0);
	rc |= make_file(root, "nested.txt", 2);
	rc |= make_symlink(root, "a.txt", "link");
	rc |= make_dir(root, "dir with spaces");
	rc |= make_file(root, "dir with spaces/" UMLAUT_NAME, 3);
	rc |= make_dir(root, "empty");
	rc |= make_dir(root, "nested");
	rc |= make_file(root, "nested/x", 1);
	rc |= make_dir(root, "nested/deeper");
	rc |= make_file(root, "nested/deeper/deep.bin", 1000);
	rc |= make_symlink(root, "../empty", "nested/dirlink");
	fifo = xasprintf("%s/fifo", root);
	rc |= mkfifo(fifo, 0644);
	free(fifo);
	if (rc != 0) {
		unit_remove_tree(root);
		return NULL;
	}
	return root;
}

static const struct {
	const char *rel;
	int is_dir;
	uint64_t size;
} expected_entries[] = {
	{ "a.txt", 0, 5 },
	{ "dir with spaces/", 1, 0 },
	{ "dir with spaces/" UMLAUT_NAME, 0, 3 },
	{ "empty.txt", 0, 0 },            /* '.' sorts before '/' */
	{ "empty/", 1, 0 },
	{ "nested.txt", 0, 2 },
	{ "nested/", 1, 0 },
	{ "nested/deeper/", 1, 0 },
	{ "nested/deeper/deep.bin", 0, 1000 },
	{ "nested/x", 0, 1 },
};

#define N_EXPECTED (sizeof expected_entries / sizeof expected_entries[0])

static int has_warning(const struct ofb_file_list *list, const char *kind, const char *path)
{
	for (size_t i = 0; i < list->n_warnings; i++)
		if (strstr(list->warnings[i], kind) && strstr(list->warnings[i], path))
			return 1;
	return 0;
}

static void test_scan_tree(void)
{
	struct ofb_file_list list;
	struct ofb_error err = { 0 };
	struct timespec times[2] = { { 1600000000, 123456789 }, { 1600000000, 123456789 } };
	char *root = build_tree(), *path;

	if (!root) {
		CU_FAIL("cannot create the test folder");
		return;
	}
	path = xasprintf("%s/a.txt", root);
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, times, 0), 0);
	free(path);

	if (ofb_files_scan(root, &list, &err) != 0) {
		CU_FAIL("scan of the test tree failed");
		unit_remove_tree(root);
		return;
	}
	CU_ASSERT_EQUAL(err.set, 0);
	CU_ASSERT_EQUAL(list.n, N_EXPECTED);
	for (size_t i = 0; i < N_EXPECTED && i < list.n; i++) {
		const struct ofb_file_entry *e = &list.items[i];
		char *full = xasprintf("%s/%s", root, expected_entries[i].rel);

		if (expected_entries[i].is_dir)
			full[strlen(full) - 1] = '\0';
		CU_ASSERT_STRING_EQUAL(e->rel, expected_entries[i].rel);
		CU_ASSERT_STRING_EQUAL(e->full, full);
		CU_ASSERT_EQUAL(e->is_dir, expected_entries[i].is_dir);
		CU_ASSERT_EQUAL(e->size, expected_entries[i].size);
		free(full);
	}
	CU_ASSERT_EQUAL(list.n_files, 6);
	CU_ASSERT_EQUAL(list.n_dirs, 4);
	CU_ASSERT_EQUAL(list.total_bytes, 5 + 0 + 2 + 3 + 1 + 1000);
	CU_ASSERT(list.n > 0 && list.items[0].mtime.tv_sec == 1600000000 &&
		  list.items[0].mtime.tv_nsec == 123456789);

	CU_ASSERT_EQUAL(list.n_warnings, 3);
	path = xasprintf("%s/link", root);
	CU_ASSERT(has_warning(&list, "symbolic link", path));
	free(path);
	path = xasprintf("%s/nested/dirlink", root);
	CU_ASSERT(has_warning(&list, "symbolic link", path));
	free(path);
	path = xasprintf("%s/fifo", root);
	CU_ASSERT(has_warning(&list, "special file", path));
	free(path);

	ofb_files_free(&list);
	CU_ASSERT_EQUAL(list.n, 0);
	CU_ASSERT_PTR_NULL(list.items);
	unit_remove_tree(root);
}

static void test_scan_root_forms(void)
{
	struct ofb_file_list list;
	struct ofb_error err = { 0 };
	char *root = unit_temp_dir("files"), *slashed;

	if (!root) {
		CU_FAIL("cannot create the test folder");
		return;
	}
	/* an empty root has no entries: the root itself is not one */
	CU_ASSERT_EQUAL(ofb_files_scan(root, &list, &err), 0);
	CU_ASSERT_EQUAL(list.n, 0);
	CU_ASSERT_EQUAL(list.n_warnings, 0);
	ofb_files_free(&list);

	/* a trailing slash on the root does not double the separator */
	CU_ASSERT_EQUAL(make_file(root, "f", 1), 0);
	slashed = xasprintf("%s/", root);
	CU_ASSERT_EQUAL(ofb_files_scan(slashed, &list, &err), 0);
	CU_ASSERT_EQUAL(list.n, 1);
	if (list.n == 1) {
		CU_ASSERT_STRING_EQUAL(list.items[0].rel, "f");
		CU_ASSERT_PTR_NULL(strstr(list.items[0].full, "//"));
	}
	ofb_files_free(&list);
	free(slashed);
	unit_remove_tree(root);
}

static void test_scan_errors(void)
{
	struct ofb_file_list list;
	struct ofb_error err = { 0 };
	char *root = unit_temp_dir("files"), *missing, *file;

	if (!root) {
		CU_FAIL("cannot create the test folder");
		return;
	}
	missing = xasprintf("%s/missing", root);
	CU_ASSERT_EQUAL(ofb_files_scan(missing, &list, &err), -1);
	CU_ASSERT_EQUAL(err.set, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, missing));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, strerror(ENOENT)));
	CU_ASSERT_EQUAL(list.n, 0);
	ofb_files_free(&list);

	CU_ASSERT_EQUAL(make_file(root, "plain", 1), 0);
	file = xasprintf("%s/plain", root);
	err.set = 0;
	CU_ASSERT_EQUAL(ofb_files_scan(file, &list, &err), -1);
	CU_ASSERT_EQUAL(err.set, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, file));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, strerror(ENOTDIR)));
	ofb_files_free(&list);

	/* an unreadable folder inside; the superuser reads it anyway, so only checked
	 * for other users */
	if (geteuid() != 0) {
		char *locked = xasprintf("%s/locked", root);

		CU_ASSERT_EQUAL(make_dir(root, "locked"), 0);
		CU_ASSERT_EQUAL(chmod(locked, 0), 0);
		err.set = 0;
		CU_ASSERT_EQUAL(ofb_files_scan(root, &list, &err), -1);
		CU_ASSERT_EQUAL(err.set, 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, locked));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, strerror(EACCES)));
		CU_ASSERT_EQUAL(list.n, 0);
		ofb_files_free(&list);
		chmod(locked, 0755);
		free(locked);
	}
	free(file);
	free(missing);
	unit_remove_tree(root);
}

int register_files_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "scan of a tree", test_scan_tree },
		{ "root forms", test_scan_root_forms },
		{ "errors", test_scan_errors },
		{ NULL, NULL },
	};

	return ofb_add_suite("files", tests);
}
