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
int register_reader_tests(void);
int register_sqlcheck_tests(void);
int register_ddl_tests(void);

/* Shorthand: add a suite with the given tests; returns 0 or -1. */
#include <CUnit/CUnit.h>
struct ofb_test { const char *name; CU_TestFunc fn; };
int ofb_add_suite(const char *name, const struct ofb_test *tests);

/* A portable column type and the declaration a driver's type_ddl must give it. */
#include <stddef.h>
#include "schema.h"
struct ddl_case {
	enum ofb_ptype type;
	long length;
	int precision;
	int scale;
	const char *want;
};
struct ofb_driver;
/* Check drv's declaration for every case. */
void check_ddl(const struct ofb_driver *drv, const struct ddl_case *cases, size_t n);

/* A fresh private folder under $TMPDIR (or /tmp) named after tag, or NULL;
 * unit_scratch_dir fails the test instead of returning NULL. */
char *unit_temp_dir(const char *tag);
char *unit_scratch_dir(const char *tag);
/* Remove dir and everything below it (links not followed), then free the string. */
void unit_remove_tree(char *dir);

/* Non-fatal checks that report "what: got '...', want '...'" at the caller's line. */
void ofb_expect_str(const char *what, const char *got, const char *want, unsigned line);
void ofb_expect_long(const char *what, long long got, long long want, unsigned line);
void ofb_expect_true(const char *what, int ok, unsigned line);

#endif
