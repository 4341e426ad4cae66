/* reader_internal.h - what reader.c shares with the modules built on it (extract.c,
 * table_reader.c, verify.c); no other module includes it. */
#ifndef OFB_READER_INTERNAL_H
#define OFB_READER_INTERNAL_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>
#include <zip.h>
#include "error.h"
#include "reader.h"

struct buf;

struct entry {
	char *name;              /* as stored in the zip (UTF-8) */
	zip_uint64_t index;
	json_t *rec;             /* its record in the manifest (borrowed from r->manifest) */
	int is_dir;
	int checked;             /* read fully and found as the manifest says */
	int raw;                 /* the name is not UTF-8: a file name stored as its bytes
				  * (only in a files folder, marked raw_name in the manifest) */
};

/* The package's entries, sorted by name; manifest.json is not among them. *n gets their
 * number. Owned by the reader. */
struct entry *reader_entries(const struct ofb_reader *r, size_t *n);

/* Index of the first entry whose name is not below key in byte order. */
size_t reader_lower_bound(const struct ofb_reader *r, const char *key);




/* "package 'P': entry 'E'" followed by the formatted tail. */
void reader_entry_error(struct ofb_error *err, const struct ofb_reader *r, const char *name,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Stream one entry through fn, then compare size and SHA-256 with the manifest. With
 * drain_on_fail the rest of the entry is still read after fn failed, so that damage is
 * reported as damage rather than as whatever fn made of damaged data. */
int reader_read_entry(struct ofb_reader *r, struct entry *e, ofb_chunk_fn *fn, void *ctx,
	       int drain_on_fail, struct ofb_error *err);

/* The entry named path, or NULL with an error saying it is not in the package. */
struct entry *reader_need_entry(struct ofb_reader *r, const char *path, struct ofb_error *err);

/* The count ofb_reader_extract_vanished reports: reset as an extraction starts, one more
 * for each file left out. */
void reader_reset_vanished(struct ofb_reader *r);
void reader_count_vanished(struct ofb_reader *r);

/* Verify's progress line on (reset) or off while entries are read. */
void reader_set_verifying(struct ofb_reader *r, int on);

/* Rows decoded so far of the table in entry name, for the progress line verify shows: 0 as
 * a table starts, then the count after each row. */
void reader_table_rows(struct ofb_reader *r, const char *name, unsigned long long rows);


#endif
