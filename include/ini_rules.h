/* ini_rules.h - the configuration file's vocabulary (which sections and keys there are)
 * and the check of its raw lines that catches what iniparser would cut silently. */
#ifndef OFB_INI_RULES_H
#define OFB_INI_RULES_H

#include <stdio.h>
#include "error.h"

enum ofb_ini_section {
	OFB_INI_UNKNOWN, OFB_INI_LOGIN, OFB_INI_REGISTRY, OFB_INI_BACKUP, OFB_INI_CLIENT,
	OFB_INI_SCHEDULE, OFB_INI_PACKAGE, OFB_INI_COPY
};

/* What section name (lowercase, as iniparser hands it over) is. */
enum ofb_ini_section ofb_ini_section_kind(const char *name);
/* Non-zero when key belongs in a section of that kind. */
int ofb_ini_known_key(enum ofb_ini_section kind, const char *key);
/* Read f (the file at path) line by line as iniparser would and refuse, naming line,
 * section and key, a value iniparser would cut silently, an unclosed quote, a section
 * given twice. Values are never echoed: they may be passwords. */
int ofb_ini_check_lines(FILE *f, const char *path, struct ofb_error *err);

#endif
