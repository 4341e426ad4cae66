/* Unit-test runner: registers every suite, runs them, prints one summary line. */
#include <stdio.h>
#include <CUnit/Basic.h>
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

int main(void)
{
	int (*const registrars[])(void) = {
		register_util_tests, register_config_tests, register_schema_tests,
		register_sqlserver_tests, register_drivers_tests, register_manifest_tests,
		register_files_tests, register_csv_tests,
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
