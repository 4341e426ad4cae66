/* reader.h - reading a package back: names checked before anything is extracted, every
 * entry's size and SHA-256 checked against the manifest while it is read, table files
 * decoded against their schema, files folders extracted safely. Used by verify, restore
 * and import. */
#ifndef OFB_READER_H
#define OFB_READER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "error.h"
#include "schema.h"

struct ofb_reader;

/* Open a package: zip central directory, manifest.json (format name and version), and the
 * safety of every entry name: relative, '/'-separated, no "..", "." or empty segments, no
 * backslash, no drive letter, no NUL, not a symbolic link (zip external attributes), and
 * every zip entry listed in the manifest and vice versa. Any violation is an error naming
 * the entry; nothing is extracted before this check passed. An encrypted package (every
 * file entry AES-encrypted, or none) needs password; a missing or wrong one is an error
 * (password may be NULL: none at hand). */
struct ofb_reader *ofb_reader_open(const char *path, const char *password,
				   struct ofb_error *err);
/* The package r reads, opened a second time (for another thread: a reader is used by one
 * at a time), refused when the file now holds another package; it draws no progress
 * line. */
struct ofb_reader *ofb_reader_open_again(const struct ofb_reader *r, const char *password,
					 struct ofb_error *err);
void ofb_reader_close(struct ofb_reader *r);
/* Non-zero when the package's entries are encrypted. */
int ofb_reader_encrypted(const struct ofb_reader *r);
/* When a package password is set, a package that is not encrypted is not authenticated
 * by it either (anyone who could write where it was kept could have made it): with
 * allow, a warning; else an error that says how to accept it (--unencrypted). */
int ofb_reader_check_plain(const struct ofb_reader *r, const char *password, int allow,
			   struct ofb_error *err);
const char *ofb_reader_path(const struct ofb_reader *r);
/* The parsed manifest (owned by the reader). */
json_t *ofb_reader_manifest(const struct ofb_reader *r);
/* The manifest's record of entry path (an object with size, sha256...), or NULL. */
json_t *ofb_reader_entry(const struct ofb_reader *r, const char *path);

/* Receives an entry's content in order, in chunks. */
typedef int ofb_chunk_fn(void *ctx, const char *data, size_t n, struct ofb_error *err);

/* Stream entry path through fn. After the last chunk, the size and SHA-256 are compared
 * with the manifest (and libzip compares the CRC); a mismatch is an error naming the entry,
 * reported after fn has seen all data: callers that act on data must be able to undo. */
int ofb_reader_read(struct ofb_reader *r, const char *path, ofb_chunk_fn *fn, void *ctx,
		    struct ofb_error *err);
/* A small entry (schema.json) whole, NUL-terminated, checked like ofb_reader_read. */
char *ofb_reader_slurp(struct ofb_reader *r, const char *path, size_t *len,
		       struct ofb_error *err);

/* A database folder of the package ("login/", "clients/acme/db/"): its schema.json. */
int ofb_reader_schema(struct ofb_reader *r, const char *folder, struct ofb_schema *out,
		      struct ofb_error *err);

/* One decoded value of a table row. */
struct ofb_value {
	int is_null;
	const char *data;     /* text (UTF-8) or, for binary columns, the decoded bytes */
	size_t len;
	int as_text;          /* a quoted value in a number/boolean column (SQLite keeps any
			       * text in any column): data is that text */
};

/* Receives each row of a table in order; values has t->n_columns entries, valid until the
 * callback returns. */
typedef int ofb_row_fn(void *ctx, const struct ofb_value *values, size_t n,
		       struct ofb_error *err);

/* Decode table t's data file (t->entry) per docs/FORMAT.md: the header must name t's
 * columns in order, every record must have one field per column, each field must be valid
 * for its column's encoding (numbers, \x hex, 1/0 booleans, quoted text). fn may be NULL
 * (verify). *rows gets the number of records, which must equal the manifest's count. */
int ofb_reader_table(struct ofb_reader *r, const struct ofb_table *t, ofb_row_fn *fn,
		     void *ctx, unsigned long long *rows, struct ofb_error *err);

/* Extract the entries below prefix (e.g. "clients/acme/files/") into folder dest, which
 * must exist: folders (also empty ones) and files with their modification times (from the
 * manifest's mtime, nanoseconds where the platform allows). Files are written under a
 * temporary name and renamed when complete and checked. Never writes outside dest. A file
 * the manifest marks "vanished" (deleted while the backup ran, stored empty) is checked but
 * not created; ofb_reader_extract_vanished tells how many were left out. */
int ofb_reader_extract(struct ofb_reader *r, const char *prefix, const char *dest,
		       struct ofb_error *err);
/* How many files the last ofb_reader_extract left out because the manifest marks them
 * "vanished" (the caller warns about them); 0 before any extraction. */
size_t ofb_reader_extract_vanished(const struct ofb_reader *r);



/* The permission bits the manifest records for entry name ("clients/x/files/"), or -1. */
int ofb_reader_entry_mode(const struct ofb_reader *r, const char *name);

#endif
