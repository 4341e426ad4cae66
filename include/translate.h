/* translate.h - what of one engine's SQL another engine can be given, for imports across
 * engines: CHECK conditions made of simple comparisons and ENUM labels, read under the
 * source's lexical rules and written anew for the target (never passed on as text). */
#ifndef OFB_TRANSLATE_H
#define OFB_TRANSLATE_H

#include <stddef.h>

struct ofb_sql_dialect;
struct ofb_driver;
struct ofb_table;

/* cond, a CHECK condition in src's SQL, as target writes it (malloc'd): columns of t (and
 * VALUE, a domain's value, as value_column when not NULL) quoted for the target, numbers
 * and strings written anew, casts dropped; comparisons (= <> != < <= > >=), IS [NOT] NULL,
 * [NOT] IN (...), [NOT] BETWEEN, AND, OR, NOT and parentheses. NULL when cond holds
 * anything else (a function call, another column, a subquery). */
char *ofb_translate_check(const struct ofb_sql_dialect *src, const struct ofb_driver *target,
			  const struct ofb_table *t, const char *value_column, const char *cond);

/* The conditions of every CHECK (...) in sql, read under d's rules (NULL-terminated,
 * malloc'd, *n of them; NULL when none). */
char **ofb_sql_checks(const struct ofb_sql_dialect *d, const char *sql, size_t *n);

/* The labels of a MariaDB enum('a','b') type or a PostgreSQL CREATE TYPE ... AS ENUM
 * (...), in their order (NULL-terminated, malloc'd), or NULL when text is neither. */
char **ofb_sql_enum_labels(const struct ofb_sql_dialect *d, const char *text);
void ofb_labels_free(char **v);

struct ofb_schema;
struct ofb_object;
/* Non-zero when an import of s into target (another engine) carries object o as target's
 * own SQL: an ENUM type (its columns become text checked against the labels), a domain
 * whose checks translate (its columns get them), a CHECK constraint that translates. */
int ofb_translate_carries(const struct ofb_schema *s, const struct ofb_object *o,
			  const struct ofb_driver *target);
/* The object of kind and name in s, or NULL (a column's native type may name one). */
const struct ofb_object *ofb_translate_find(const struct ofb_schema *s, int kind,
					    const char *name);

#endif
