/* Unit-test runner: registers every suite, runs them, prints one summary line. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/Basic.h>
#include "driver.h"
#include "util.h"
#include "suites.h"

int ofb_add_suite(const char *name, const struct ofb_test *tests)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);
	if (!s)
		return -1;
	for (; tests->name; tests++)
		if (!CU_add_test(s, tests->name, tests->fn))
			return -1;
	return 0;
}

/* Records one assertion at the caller's line; the running suite's name stands for its file. */
static void ofb_expect(int ok, const char *msg, unsigned line)
{
	CU_pSuite s = CU_get_current_suite();

	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, s ? s->pName : __FILE__, "",
				CU_FALSE);
}

/* CUnit copies the condition text, so a message built on the stack can name the case. */
void ofb_expect_str(const char *what, const char *got, const char *want, unsigned line)
{
	char msg[1024];
	int ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);

	snprintf(msg, sizeof msg, "%s: got '%.400s', want '%.400s'", what, got ? got : "(null)",
		 want ? want : "(null)");
	ofb_expect(ok, msg, line);
}

void ofb_expect_long(const char *what, long long got, long long want, unsigned line)
{
	char msg[512];

	snprintf(msg, sizeof msg, "%s: got %lld, want %lld", what, got, want);
	ofb_expect(got == want, msg, line);
}

void ofb_expect_true(const char *what, int ok, unsigned line)
{
	ofb_expect(ok, what, line);
}

char *unit_temp_dir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/ofb-%s-XXXXXX", base && *base ? base : "/tmp", tag);

	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

char *unit_scratch_dir(const char *tag)
{
	char *dir = unit_temp_dir(tag);

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	return dir;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

void unit_remove_tree(char *dir)
{
	if (!dir)
		return;
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

void check_ddl(const struct ofb_driver *drv, const struct ddl_case *cases, size_t n)
{
	struct buf sql;

	buf_init(&sql);
	for (size_t i = 0; i < n; i++) {
		struct ofb_column col = { 0 };
		char what[128];

		col.type = cases[i].type;
		col.length = cases[i].length;
		col.precision = cases[i].precision;
		col.scale = cases[i].scale;
		buf_reset(&sql);
		ofb_drv_type_ddl(drv, &col, &sql);
		snprintf(what, sizeof what, "%s type_ddl(%s, length %ld, %d, %d)", drv->name,
			 ofb_ptype_name(col.type), col.length, col.precision, col.scale);
		ofb_expect_str(what, sql.data, cases[i].want, __LINE__);
	}
	buf_free(&sql);
}

int main(void)
{
	int (*const registrars[])(void) = {
		register_util_tests, register_config_tests, register_schema_tests,
		register_sqlserver_tests, register_drivers_tests, register_manifest_tests,
		register_files_tests, register_csv_tests, register_reader_tests,
		register_sqlcheck_tests, register_ddl_tests,
	};
	unsigned failed, run;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (size_t i = 0; i < sizeof registrars / sizeof registrars[0]; i++)
		if (registrars[i]() != 0) {
			fprintf(stderr, "cannot register unit-test suite %zu\n", i);
			CU_cleanup_registry();
			return 1;
		}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	printf("unit: %u passed, %u failed\n", run - failed, failed);
	return failed ? 1 : 0;
}
