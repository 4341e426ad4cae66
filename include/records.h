/* records.h - what a manifest record (an entry of "entries") must hold, the forms of its
 * texts, and a bound on what a JSON text holds before it is parsed. */
#ifndef OFB_RECORDS_H
#define OFB_RECORDS_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

/* NULL when rec, the record of entry path, holds what later steps rely on; else why not. */
const char *ofb_record_problem(const char *path, json_t *rec);
/* A non-negative integer (a size, a row count). */
int ofb_record_count_valid(json_t *v);
/* "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (UTC) as the manifest writes modification times. */
int ofb_record_parse_mtime(const char *s, struct timespec *ts);
/* The permission bits of a manifest's "mode" ("0640"), or -1 when it is not such a text. */
int ofb_record_parse_mode(json_t *v);
/* An upper bound of the number of values in a JSON text (without parsing it). */
size_t ofb_json_values(const char *text, size_t len);

#endif
