/* package.h - writing a package: a zip built under a temporary name in the target folder,
 * its entries produced on demand while the archive is written (nothing is held whole in
 * memory), each entry's size and SHA-256 recorded, renamed into place only when complete. */
#ifndef OFB_PACKAGE_H
#define OFB_PACKAGE_H

#include "files.h"
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include "error.h"
#include "util.h"

/* What the package records of one entry; the manifest is made from these. */
struct ofb_entry_info {
	char *path;
	int is_dir;
	uint64_t size;
	char sha256[65];
	int has_rows;                 /* a table data file */
	unsigned long long rows;
	int has_mtime;
	struct timespec mtime;
	int mode;                     /* permission bits, -1 when not recorded */
	int raw_name;                 /* path is not UTF-8: stored as its bytes */
	int vanished;                 /* a file deleted after it was listed: stored empty */
};

/* An entry whose content is produced while the archive is written. Calls come in order:
 * open, produce until *eof, close (also after a failure); free once the package is done. */
struct ofb_entry_ops {
	int (*open)(void *ctx, struct ofb_error *err);
	/* Append the next bytes to out (about 64 KiB at a time is plenty); set *eof at the end. */
	int (*produce)(void *ctx, struct buf *out, int *eof, struct ofb_error *err);
	void (*close)(void *ctx, int ok);
	void (*free)(void *ctx);
	/* 1: beside the compression (large entries: table data, big files): open and the
	 * first chunk (about 256 KiB) on the thread that writes the archive, the rest and
	 * close on the package's producer thread, unless the entry ended within that chunk
	 * (then all of it there); 0: all on the thread that writes the archive, in turn with
	 * it (small entries, and connections bound to a thread) */
	int threaded;
};

struct ofb_pkg;

/* Start a package that will be named final_path. Refuses when final_path's folder does not
 * exist or is not writable. Nothing appears at final_path before ofb_pkg_commit. */
struct ofb_pkg_settings {
	const char *password;      /* every file entry AES-256 encrypted with it, or NULL */
	int level;                 /* deflate level 1-9, 0: stored */
	int bytes_level;           /* that of entries added by ofb_pkg_add_lazy_bytes */
};
struct ofb_pkg *ofb_pkg_create(const char *final_path, const struct ofb_pkg_settings *set,
			       struct ofb_error *err);
/* A folder entry ("path/"); mtime may be NULL, mode -1 (not recorded). */
int ofb_pkg_add_dir(struct ofb_pkg *pkg, const char *path, const struct timespec *mtime,
		    int mode, struct ofb_error *err);
/* A file from disk as the scan found it (f->full), read only when the archive is written.
 * It is opened without following a link and without blocking, and must still be the
 * regular file the scan saw (device and inode): anything else is stored empty and marked
 * vanished. */
int ofb_pkg_add_file(struct ofb_pkg *pkg, const char *path, const struct ofb_file_entry *f,
		     struct ofb_error *err);
/* An entry produced by ops; the package owns ctx (ops->free) from now on, also on failure.
 * *info (if not NULL) points at the entry's record, valid until ofb_pkg_free. */
int ofb_pkg_add_lazy(struct ofb_pkg *pkg, const char *path, const struct ofb_entry_ops *ops,
		     void *ctx, struct ofb_entry_info **info, struct ofb_error *err);
/* The same for an entry that is mostly hex of bytes (a table file of a table of
 * documents): compressed at the settings' bytes_level. */
int ofb_pkg_add_lazy_bytes(struct ofb_pkg *pkg, const char *path,
			   const struct ofb_entry_ops *ops, void *ctx,
			   struct ofb_entry_info **info, struct ofb_error *err);
/* Every entry recorded so far, in order. */
size_t ofb_pkg_entries(const struct ofb_pkg *pkg, struct ofb_entry_info *const **out);
/* Write the archive (this is when entries are produced), check it, and rename it to the
 * final name. On failure nothing is left at the final name nor under a temporary name. */
int ofb_pkg_commit(struct ofb_pkg *pkg, struct ofb_error *err);
/* Give up: remove the temporary file. Safe after commit (then it only frees). */
void ofb_pkg_free(struct ofb_pkg *pkg);
const char *ofb_pkg_path(const struct ofb_pkg *pkg);
/* Bytes written so far into entries (uncompressed), for progress. */
uint64_t ofb_pkg_bytes(const struct ofb_pkg *pkg);

/* Set from a signal handler: producers stop at the next chunk and the package is dropped. */
extern volatile sig_atomic_t ofb_interrupted;

#endif
