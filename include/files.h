/* files.h - a client's files folder as a sorted list of entries; the platform-specific
 * file-system walk lives here (POSIX now; a Windows build replaces files.c only). */
#ifndef OFB_FILES_H
#define OFB_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "error.h"

struct ofb_file_entry {
	char *rel;            /* path relative to the root, '/'-separated; folders end in '/' */
	char *full;           /* path to open */
	int is_dir;
	uint64_t size;
	struct timespec mtime;
	unsigned mode;        /* permission bits (0777) */
	dev_t dev;            /* what was scanned: reading must find the same file */
	ino_t ino;
};

struct ofb_file_list {
	struct ofb_file_entry *items;
	size_t n;
	uint64_t total_bytes;
	size_t n_files;
	size_t n_dirs;
	unsigned root_mode;   /* permission bits of the root folder */
	/* what was left out (symbolic links, special files), one message each */
	char **warnings;
	size_t n_warnings;
};

/* Walk root recursively. Every folder (also empty ones) and every regular file becomes an
 * entry; entries are sorted by rel (byte order), a folder before its contents. Symbolic
 * links and special files are not followed and not stored: each gets a warning.
 * Errors (root missing or not a folder, unreadable folder) name the path and errno text. */
int ofb_files_scan(const char *root, struct ofb_file_list *out, struct ofb_error *err);
void ofb_files_free(struct ofb_file_list *list);

/* 1 when path is a folder holding anything, 0 when it is empty or does not exist, -1 on
 * error (not a folder, unreadable). */
int ofb_files_nonempty(const char *path, struct ofb_error *err);
/* Remove path and everything below it, never following symbolic links. */
int ofb_files_remove_tree(const char *path, struct ofb_error *err);
/* mkdir -p; the folders it makes are 0755 (a way to a files folder others must reach). */
int ofb_files_mkdirs(const char *path, struct ofb_error *err);
/* mkdir -p of the folder that holds path. */
int ofb_files_mkdirs_parent(const char *path, struct ofb_error *err);

/* The installation lock: an exclusive lock on the configuration file at path (flock; the
 * kernel drops it when the process ends, however it ends). Held until exit. Fails at
 * once, with exit code OFB_EXIT_BUSY, when another process holds it. */
int ofb_files_lock(const char *path, struct ofb_error *err);

/* 1 when path is a folder on which another file system is mounted (it cannot be renamed),
 * 0 when not or when it does not exist. */
int ofb_files_is_mount_point(const char *path);
/* All n bytes written to fd (a write cut short or interrupted goes on); 0, or -1 with
 * errno set. */
int ofb_files_write_all(int fd, const void *data, size_t n);
/* The folder's own entries (a rename into it) flushed to disk; 0, or -1 with errno. */
int ofb_files_sync_folder(const char *folder);

/* What a killed restore of folder dest may have left beside it: folders named
 * <dest>.ofbackup-new-* (extraction) and <dest>.ofbackup-old-<pid> (the replaced folder).
 * Ours are folders (not links) of this user, an -old- one only when its process is gone;
 * anything else of those names is listed as foreign and never touched. */
struct ofb_leftovers {
	char **ours_new, **ours_old, **foreign;
	size_t n_new, n_old, n_foreign;
};
int ofb_files_find_leftovers(const char *dest, struct ofb_leftovers *out,
			     struct ofb_error *err);
void ofb_leftovers_free(struct ofb_leftovers *l);

struct stat;
/* Give dir and everything below it the owner and group of st (where this process may),
 * and dir itself st's permissions. */
int ofb_files_take_owner(const char *dir, const struct stat *st, struct ofb_error *err);

#endif
