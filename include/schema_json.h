/* schema_json.h - schema.json (docs/FORMAT.md) both ways. */
#ifndef OFB_SCHEMA_JSON_H
#define OFB_SCHEMA_JSON_H

#include "error.h"
#include "schema.h"

/* schema.json text (malloc'd). */
char *ofb_schema_to_json(const struct ofb_schema *s);
/* schema.json text back into a schema, every field checked (ofb_schema_check). An error
 * names the field ("tables[2] ('order').columns[1]: ..."); the caller names the entry. */
int ofb_schema_from_json(const char *text, struct ofb_schema *out, struct ofb_error *err);

#endif
