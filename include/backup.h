/* backup.h - the three backup kinds: full, partial, client export. */
#ifndef OFB_BACKUP_H
#define OFB_BACKUP_H

#include <stddef.h>
#include "config.h"
#include "error.h"

enum ofb_kind { OFB_KIND_FULL, OFB_KIND_PARTIAL, OFB_KIND_EXPORT };

const char *ofb_kind_name(enum ofb_kind kind);

struct ofb_backup_opts {
	enum ofb_kind kind;
	const char *output;         /* NULL: a dated name in [backup] dir, else the current folder */
	char *const *clients;       /* partial: the clients to back up; export: exactly one */
	size_t n_clients;
	int skip_failed;            /* record unreachable clients as failed instead of stopping */
	int offline_not_warning;    /* full: clients registered offline are skipped quietly */
	char **written;             /* when not NULL: gets the package's path (malloc'd) */
};

/* Run a backup. Returns the exit code: OFB_EXIT_OK, OFB_EXIT_WARNINGS (package written,
 * something skipped), or OFB_EXIT_FAILED / OFB_EXIT_USAGE with err set and no package. */
int ofb_backup_run(const struct ofb_config *cfg, const struct ofb_backup_opts *opts,
		   struct ofb_error *err);

struct ofb_client;

/* Back up exactly these databases, as a safety copy before a restore replaces them: the
 * login database when login_conn is not NULL, and clients as given (no registry is read;
 * a files folder that does not exist is left out). A partial package, written to output
 * (encrypted with password when it is not NULL);
 * *warnings counts what it had to leave out (links, names that are not UTF-8).
 * Returns 0 or -1 with err set. */
int ofb_backup_targets(const char *login_conn, const struct ofb_client *clients, size_t n,
		       const char *output, const char *password, size_t *warnings,
		       struct ofb_error *err);

/* Default file name: ofbackup-<kind>[-<client>]-YYYYMMDD-HHMMSS.zip (local time). */
char *ofb_backup_default_name(enum ofb_kind kind, const char *client);
/* "ofbackup-<label>-YYYYMMDD-HHMMSS.zip" (local time). */
char *ofb_backup_stamped_name(const char *label);

#endif
