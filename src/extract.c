/* extract.c - extracting a files folder of a package (ofb_reader_extract, reader.h): every
 * entry read and checked through the reader, written below dest and nowhere else. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reader.h"
#include "names.h"
#include "files.h"
#include "reader_internal.h"
#include "records.h"
#include "util.h"

/* --- the file system (POSIX; a Windows build replaces these functions) ------------------ */

/* Every call works relative to an open folder and never follows a symbolic link, so what
 * lies below dest cannot redirect a write elsewhere. */

static int fs_open_root(const char *dest, int *fd, struct ofb_error *err)
{
	int ret = -1;

	*fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		ofb_error_set(err, "cannot open folder '%s': %s", dest, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	return ret;
}

/* A second handle on an open folder, to walk down from. */
static int fs_dup(int dir)
{
	return dup(dir);
}

static void fs_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Open folder name inside dir (creating it when create is set); shown names it in messages. */
static int fs_open_dir(int dir, const char *name, int create, const char *shown, int *fd,
		       struct ofb_error *err)
{
	struct stat st;
	int open_errno, ret = -1;

	if (create && mkdirat(dir, name, 0777) != 0 && errno != EEXIST) {
		ofb_error_set(err, "cannot create folder '%s': %s", shown, strerror(errno));
		goto out;
	}
	*fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		open_errno = errno;
		if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			ofb_error_set(err, "'%s' is a symbolic link: refusing to follow it", shown);
		else if (open_errno == ENOTDIR || open_errno == ELOOP)
			ofb_error_set(err, "'%s' exists and is not a folder", shown);
		else
			ofb_error_set(err, "cannot open folder '%s': %s", shown,
				      strerror(open_errno));
		goto out;
	}
	ret = 0;
out:
	return ret;
}

/* A new file under a name of our own in dir; *tmp gets that name. */
static int fs_create_temp(int dir, char *tmp, size_t n, const char *shown, int *fd,
			  struct ofb_error *err)
{
	static unsigned counter;
	int ret = -1;

	*fd = -1;
	for (int attempt = 0; attempt < 100 && *fd < 0; attempt++) {
		snprintf(tmp, n, ".ofbackup-%ld-%u.part", (long)getpid(), counter++);
		*fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (*fd < 0 && errno != EEXIST)
			break;
	}
	if (*fd < 0) {
		ofb_error_set(err, "cannot create a file next to '%s': %s", shown, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	ret = 0;
out:
	return ret;
}

static int fs_set_mtime(int fd, const struct timespec *mtime)
{
	struct timespec times[2];

	times[0].tv_sec = 0;
	times[0].tv_nsec = UTIME_OMIT;
	times[1] = *mtime;
	return futimens(fd, times);
}

/* Give the finished temporary file its time and its name; *fd is closed. */
static int fs_commit_file(int dir, int *fd, const char *tmp, const char *name,
			  const struct timespec *mtime, const char *shown, struct ofb_error *err)
{
	struct stat st;
	int rc, ret = -1;

	if (mtime && fs_set_mtime(*fd, mtime) != 0) {
		ofb_error_set(err, "cannot set the time of '%s': %s", shown, strerror(errno));
		goto out;
	}
	rc = close(*fd);
	*fd = -1;
	if (rc != 0) {
		ofb_error_set(err, "cannot write '%s': %s", shown, strerror(errno));
		goto out;
	}
	/* rename would replace a link rather than follow it; refusing says what was there */
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))) {
		ofb_error_set(err, "'%s' exists and is a %s: refusing to replace it", shown,
			      S_ISLNK(st.st_mode) ? "symbolic link" : "folder");
		goto out;
	}
	if (renameat(dir, tmp, dir, name) != 0) {
		ofb_error_set(err, "cannot rename a file to '%s': %s", shown, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	return ret;
}

static void fs_remove_temp(int dir, const char *tmp)
{
	unlinkat(dir, tmp, 0);
}

/* --- extracting ------------------------------------------------------------------------ */

struct extract {
	struct ofb_reader *r;
	const char *dest;
	int root;
	char *shown;             /* dest/rel of the entry being written, for messages */
	int fd;
};

/* Open the folder rel[0..len) below the root, one segment at a time. */
static int open_below(struct extract *x, const char *rel, size_t len, int create, int *fd,
		      struct ofb_error *err)
{
	char *path = xstrndup(rel, len), *seg = path, *shown = NULL;
	int cur = fs_dup(x->root), ret = -1;

	if (cur < 0) {
		ofb_error_set(err, "cannot open folder '%s': %s", x->dest, strerror(errno));
		goto out;
	}
	while (*seg) {
		char *slash = strchr(seg, '/');
		int next;
		if (slash)
			*slash = '\0';
		free(shown);
		shown = xasprintf("%s/%.*s", x->dest, (int)(seg + strlen(seg) - path), rel);
		if (fs_open_dir(cur, seg, create, shown, &next, err) != 0)
			goto out;
		fs_close(cur);
		cur = next;
		if (!slash)
			break;
		seg = slash + 1;
	}
	*fd = cur;
	cur = -1;
	ret = 0;
out:
	fs_close(cur);
	free(path);
	free(shown);
	return ret;
}

static int write_chunk(void *ctx, const char *data, size_t n, struct ofb_error *err)
{
	struct extract *x = ctx;
	int ret = -1;

	if (ofb_files_write_all(x->fd, data, n) != 0) {
		ofb_error_set(err, "cannot write '%s': %s", x->shown, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	return ret;
}

static int mtime_of(const struct entry *e, struct timespec *ts)
{
	json_t *m = json_object_get(e->rec, "mtime");

	return json_is_string(m) && ofb_record_parse_mtime(json_string_value(m), ts) == 0;
}

/* The recorded permission bits, or -1 (older packages: the umask decides). */
static int mode_of(const struct entry *e)
{
	json_t *m = json_object_get(e->rec, "mode");

	return m ? ofb_record_parse_mode(m) : -1;
}

static int extract_file(struct extract *x, struct entry *e, const char *rel,
			struct ofb_error *err)
{
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? slash + 1 : rel;
	char tmp[64];
	struct timespec ts;
	int dir = -1, ret = -1;

	x->fd = -1;
	tmp[0] = '\0';
	if (open_below(x, rel, slash ? (size_t)(slash - rel) : 0, 1, &dir, err) != 0 ||
	    fs_create_temp(dir, tmp, sizeof tmp, x->shown, &x->fd, err) != 0)
		goto out;
	if (reader_read_entry(x->r, e, write_chunk, x, 0, err) != 0)
		goto out;
	if (mode_of(e) >= 0 && fchmod(x->fd, (mode_t)mode_of(e)) != 0) {
		ofb_error_set(err, "cannot set the permissions of '%s': %s", x->shown,
			      strerror(errno));
		goto out;
	}
	if (fs_commit_file(dir, &x->fd, tmp, name, mtime_of(e, &ts) ? &ts : NULL, x->shown,
			   err) != 0)
		goto out;
	ret = 0;
out:
	fs_close(x->fd);
	if (ret != 0 && tmp[0] && dir >= 0)
		fs_remove_temp(dir, tmp);
	fs_close(dir);
	return ret;
}

/* Folder times and permissions last, deepest first: writing into a folder changes its
 * time, and a folder without write or search permission for its owner could not be
 * filled. */
static int set_folder_times(struct extract *x, struct entry **dirs, size_t n, size_t skip,
			    struct ofb_error *err)
{
	int ret = -1;

	for (size_t i = n; i-- > 0;) {
		const char *rel = dirs[i]->name + skip;
		struct timespec ts;
		int fd = -1, has_time = mtime_of(dirs[i], &ts), mode = mode_of(dirs[i]);
		if (!has_time && mode < 0)
			continue;
		free(x->shown);
		x->shown = xasprintf("%s/%s", x->dest, rel);
		if (open_below(x, rel, strlen(rel), 0, &fd, err) != 0)
			goto out;
		if ((has_time && fs_set_mtime(fd, &ts) != 0) ||
		    (mode >= 0 && fchmod(fd, (mode_t)mode) != 0)) {
			ofb_error_set(err, "cannot set the %s of '%s': %s",
				      has_time ? "time or permissions" : "permissions", x->shown,
				      strerror(errno));
			fs_close(fd);
			goto out;
		}
		fs_close(fd);
	}
	ret = 0;
out:
	return ret;
}

int ofb_reader_extract(struct ofb_reader *r, const char *prefix, const char *dest,
		       struct ofb_error *err)
{
	struct extract x;
	size_t skip = strlen(prefix), n_dirs = 0, n_entries;
	struct entry *entries = reader_entries(r, &n_entries);
	struct entry **dirs = xcalloc(n_entries + 1, sizeof *dirs);
	int ret = -1;

	memset(&x, 0, sizeof x);
	reader_reset_vanished(r);
	x.r = r;
	x.dest = dest;
	x.root = -1;
	if (skip == 0 || prefix[skip - 1] != '/' || ofb_name_unsafe(prefix)) {
		ofb_error_set(err, "package '%s': cannot extract '%s': not a folder of the package",
			      ofb_reader_path(r), prefix);
		goto out;
	}
	if (fs_open_root(dest, &x.root, err) != 0)
		goto out;
	for (size_t i = reader_lower_bound(r, prefix);
	     i < n_entries && strncmp(entries[i].name, prefix, skip) == 0; i++) {
		struct entry *e = &entries[i];
		const char *rel = e->name + skip;
		/* checked at open already; a second look costs nothing */
		if (rel[0] && (e->raw ? ofb_name_unsafe_raw(rel) : ofb_name_unsafe(rel))) {
			reader_entry_error(err, r, e->name, " is unsafe to extract");
			goto out;
		}
		free(x.shown);
		x.shown = xasprintf("%s/%s", dest, rel);
		if (!e->is_dir && json_is_true(json_object_get(e->rec, "vanished"))) {
			/* deleted while the backup ran, stored empty: not brought back as an
			 * empty file; still read, so a damaged entry is noticed */
			if (reader_read_entry(r, e, NULL, NULL, 0, err) != 0)
				goto out;
			reader_count_vanished(r);
			continue;
		}
		if (e->is_dir) {
			int fd = -1;
			if (reader_read_entry(r, e, NULL, NULL, 0, err) != 0 ||
			    open_below(&x, rel, strlen(rel), 1, &fd, err) != 0)
				goto out;
			fs_close(fd);
			dirs[n_dirs++] = e;
		} else if (extract_file(&x, e, rel, err) != 0) {
			goto out;
		}
	}
	if (set_folder_times(&x, dirs, n_dirs, skip, err) != 0)
		goto out;
	ret = 0;
out:
	fs_close(x.root);
	free(x.shown);
	free(dirs);
	return ret;
}
