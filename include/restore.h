/* restore.h - bringing packages back: restore (login database and clients, or some
 * clients) and import (one client into this installation, on any engine). */
#ifndef OFB_RESTORE_H
#define OFB_RESTORE_H

#include <stddef.h>
#include "config.h"
#include "error.h"

struct ofb_restore_opts {
	const char *package;
	char *const *clients;     /* restore only these; none: everything in the package */
	size_t n_clients;
	int replace;
	int allow_unencrypted;    /* --unencrypted */
};

struct ofb_import_opts {
	const char *package;
	const char *client;       /* the package's client; NULL when it holds exactly one */
	const char *as_id;        /* register under this id; NULL: the package's id */
	const char *connect;      /* target database: a connection string... */
	const char *dsn;          /* ...or a DSN (at most one of the two) */
	const char *files;        /* target files folder */
	int replace;
	int strict;               /* objects another engine cannot take are an error */
	int allow_unencrypted;    /* --unencrypted */
};

/* Both return the exit code: OFB_EXIT_OK, OFB_EXIT_WARNINGS, or OFB_EXIT_FAILED /
 * OFB_EXIT_USAGE with err set. Nothing is changed before the whole package verified and
 * every target was checked; targets holding data are refused without replace, and saved
 * to a package (path printed) before they are replaced. */
int ofb_restore_run(const struct ofb_config *cfg, const struct ofb_restore_opts *opts,
		    struct ofb_error *err);
int ofb_import_run(const struct ofb_config *cfg, const struct ofb_import_opts *opts,
		   struct ofb_error *err);

#endif
