/* verify.h - re-reading a whole package and checking it against its manifest (the
 * command verify, and the first step of every restore and import). */
#ifndef OFB_VERIFY_H
#define OFB_VERIFY_H

#include "error.h"
#include "reader.h"

/* Everything verify checks: every entry read and compared with the manifest, every table
 * of every database decoded and counted. Each database of the manifest (the login, each
 * client with status ok) must be in the folder restore loads it from ("login/",
 * "clients/<id>/db/"), and its schema.json and the manifest's list of its tables must name
 * the same tables, each once, with the same data files. Progress on a terminal. */
int ofb_reader_verify(struct ofb_reader *r, struct ofb_error *err);
/* All of that but the table data files of the database in folder loaded ("login/",
 * "clients/<id>/db/"): their row counts are compared with their records only. For a
 * caller that reads each of them in full through ofb_reader_table (which checks size,
 * SHA-256, every value and the count) before anything it did with them is kept. */
int ofb_reader_verify_but(struct ofb_reader *r, const char *loaded, struct ofb_error *err);

#endif
