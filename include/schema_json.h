/* schema_json.h - schema.json (docs/FORMAT.md) both ways. */
#ifndef OFB_SCHEMA_JSON_H
#define OFB_SCHEMA_JSON_H

#include "error.h"
#include "schema.h"
#include "util.h"

/* schema.json text (malloc'd), or NULL when it cannot be encoded. */
char *ofb_schema_to_json(const struct ofb_schema *s);
/* The same text in parts, for a writer that holds one table's at a time: part 0 is what
 * comes before the tables, parts 1 to n_tables one table each, part n_tables + 1 the rest;
 * each appended to out. 0, 1 when there is no such part, -1 when it cannot be encoded. */
int ofb_schema_json_part(const struct ofb_schema *s, size_t part, struct buf *out);
/* schema.json text back into a schema, every field checked (ofb_schema_check). An error
 * names the field ("tables[2] ('order').columns[1]: ..."); the caller names the entry. */
int ofb_schema_from_json(const char *text, struct ofb_schema *out, struct ofb_error *err);

#endif
