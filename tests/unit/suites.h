/* suites.h - every unit-test module registers its CUnit suite through one function. */
#ifndef OFB_TEST_SUITES_H
#define OFB_TEST_SUITES_H

int register_util_tests(void);
int register_config_tests(void);
int register_schema_tests(void);
int register_sqlserver_tests(void);
int register_drivers_tests(void);
int register_manifest_tests(void);
int register_files_tests(void);
int register_csv_tests(void);

/* Shorthand: add a suite with the given tests; returns 0 or -1. */
#include <CUnit/CUnit.h>
struct ofb_test { const char *name; CU_TestFunc fn; };
int ofb_add_suite(const char *name, const struct ofb_test *tests);

#endif
