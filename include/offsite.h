/* offsite.h - sending a package to the offsite targets ([copy.NAME], [schedule] copy_to):
 * a folder (a mounted share), SFTP, FTPS, WebDAV (HTTPS PUT) or S3-compatible storage.
 * Each copy is written under a temporary name and renamed where the protocol allows (S3
 * objects appear whole on their own), checked by size (and by hash where the protocol
 * tells one: a folder re-read, S3's ETag), and retried with backoff. */
#ifndef OFB_OFFSITE_H
#define OFB_OFFSITE_H

#include <stddef.h>
#include "config.h"
#include "error.h"

struct ofb_copy_result {
	char *target;      /* the target's name */
	char *where;       /* where the copy went (no password) */
	int ok;
	char *message;     /* what went wrong, or NULL */
};

struct ofb_copy_report {
	struct ofb_copy_result *results;
	size_t n;
	size_t failed;
};

/* Send file to every configured target (or only those named in names), as remote_name
 * (NULL: file's own name). Returns OFB_EXIT_OK when every copy arrived,
 * OFB_EXIT_WARNINGS when one failed (named in rep and by a warning), OFB_EXIT_USAGE with
 * err set for a name that is no target or nothing to copy to, OFB_EXIT_FAILED with err
 * set when file cannot be read. */
int ofb_copy_send(const struct ofb_config *cfg, const char *file, const char *remote_name,
		  char *const *names, size_t n_names, struct ofb_copy_report *rep,
		  struct ofb_error *err);
/* "name:ok,name:failed" for the log line ("-" when there were none); malloc'd. */
char *ofb_copy_report_line(const struct ofb_copy_report *rep);
void ofb_copy_report_free(struct ofb_copy_report *rep);

#endif
