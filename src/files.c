/* files.c - the POSIX file-system work on a client's files folder: the walk into a sorted
 * list of entries, and what a restore needs (emptiness, removal, folder creation). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "util.h"

struct scan {
	struct ofb_file_list *list;
	size_t cap_items;
	size_t cap_warnings;
};

static struct ofb_file_entry *add_entry(struct scan *sc)
{
	struct ofb_file_list *list = sc->list;

	if (list->n == sc->cap_items) {
		sc->cap_items = sc->cap_items ? sc->cap_items * 2 : 64;
		if (sc->cap_items > SIZE_MAX / sizeof *list->items)
			ofb_out_of_memory(SIZE_MAX);
		list->items = xrealloc(list->items, sc->cap_items * sizeof *list->items);
	}
	memset(&list->items[list->n], 0, sizeof list->items[0]);
	return &list->items[list->n++];
}

static void add_warning(struct scan *sc, char *msg)
{
	struct ofb_file_list *list = sc->list;

	if (list->n_warnings == sc->cap_warnings) {
		sc->cap_warnings = sc->cap_warnings ? sc->cap_warnings * 2 : 8;
		if (sc->cap_warnings > SIZE_MAX / sizeof *list->warnings)
			ofb_out_of_memory(SIZE_MAX);
		list->warnings = xrealloc(list->warnings,
					  sc->cap_warnings * sizeof *list->warnings);
	}
	list->warnings[list->n_warnings++] = msg;
}

/* One directory entry found in a folder: store it, or note why it was left out. */
static int add_child(struct scan *sc, const char *full, const char *rel,
		     struct ofb_error *err)
{
	struct ofb_file_entry *e;
	struct stat st;

	if (lstat(full, &st) != 0) {
		if (errno == ENOENT) {
			/* removed between listing the folder and looking at it */
			add_warning(sc, xasprintf("skipping '%s': it disappeared during the scan",
						  full));
			return 0;
		}
		ofb_error_set(err, "cannot read file information of '%s': %s", full,
			      strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		add_warning(sc, xasprintf("skipping symbolic link '%s'", full));
		return 0;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		add_warning(sc, xasprintf("skipping special file '%s'", full));
		return 0;
	}
	e = add_entry(sc);
	e->full = xstrdup(full);
	e->mtime = st.st_mtim;
	e->mode = st.st_mode & 0777;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	if (S_ISDIR(st.st_mode)) {
		e->rel = xasprintf("%s/", rel);
		e->is_dir = 1;
		sc->list->n_dirs++;
	} else {
		e->rel = xstrdup(rel);
		e->size = (uint64_t)st.st_size;
		sc->list->n_files++;
		sc->list->total_bytes += e->size;
	}
	return 0;
}

/* List one folder; rel_prefix is "" for the root, else the folder's rel ending in '/'.
 * Both strings must not live inside the entry array, which may move as entries are added
 * (the strings an entry points to do not move). */
static int scan_folder(struct scan *sc, const char *dir_path, const char *rel_prefix,
		       struct ofb_error *err)
{
	struct buf full, rel;
	struct dirent *d;
	DIR *dir = NULL;
	size_t full_base, rel_base;
	int rc = -1;

	buf_init(&full);
	buf_init(&rel);
	buf_adds(&full, dir_path);
	if (full.len == 0 || full.data[full.len - 1] != '/')
		buf_addc(&full, '/');
	full_base = full.len;
	buf_adds(&rel, rel_prefix);
	rel_base = rel.len;

	dir = opendir(dir_path);
	if (!dir) {
		ofb_error_set(err, "cannot open folder '%s': %s", dir_path, strerror(errno));
		goto out;
	}
	for (;;) {
		errno = 0;
		d = readdir(dir);
		if (!d)
			break;
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		full.len = full_base;
		buf_adds(&full, d->d_name);
		rel.len = rel_base;
		buf_adds(&rel, d->d_name);
		if (add_child(sc, full.data, rel.data, err) != 0)
			goto out;
	}
	if (errno != 0) {
		ofb_error_set(err, "cannot read folder '%s': %s", dir_path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (dir)
		closedir(dir);
	buf_free(&rel);
	buf_free(&full);
	return rc;
}

static int compare_rel(const void *a, const void *b)
{
	const struct ofb_file_entry *x = a, *y = b;

	/* strcmp compares as unsigned char: byte order, and "dir/" sorts before "dir/x" */
	return strcmp(x->rel, y->rel);
}

static int compare_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The root may itself be a symbolic link to a folder: the configuration names it. On
 * failure *out is left empty, so ofb_files_free(out) is always safe. */
int ofb_files_scan(const char *root, struct ofb_file_list *out, struct ofb_error *err)
{
	struct scan sc = { .list = out };
	struct stat st;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (stat(root, &st) != 0) {
		ofb_error_set(err, "cannot read folder '%s': %s", root, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		ofb_error_set(err, "cannot read folder '%s': %s", root, strerror(ENOTDIR));
		goto out;
	}
	out->root_mode = st.st_mode & 0777;
	if (scan_folder(&sc, root, "", err) != 0)
		goto out;
	/* breadth first without recursion: folders found are appended and visited in turn */
	for (size_t i = 0; i < out->n; i++) {
		const char *dir_path = out->items[i].full, *rel_prefix = out->items[i].rel;

		if (out->items[i].is_dir && scan_folder(&sc, dir_path, rel_prefix, err) != 0)
			goto out;
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof out->items[0], compare_rel);
	/* folders list in no fixed order; sorted warnings make runs comparable */
	if (out->n_warnings > 1)
		qsort(out->warnings, out->n_warnings, sizeof out->warnings[0], compare_text);
	rc = 0;
out:
	if (rc != 0)
		ofb_files_free(out);
	return rc;
}

void ofb_files_free(struct ofb_file_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->items[i].rel);
		free(list->items[i].full);
	}
	free(list->items);
	for (size_t i = 0; i < list->n_warnings; i++)
		free(list->warnings[i]);
	free(list->warnings);
	memset(list, 0, sizeof *list);
}

int ofb_files_nonempty(const char *path, struct ofb_error *err)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		ofb_error_set(err, "cannot inspect '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		ofb_error_set(err, "'%s' is not a folder", path);
		return -1;
	}
	d = opendir(path);
	if (!d) {
		ofb_error_set(err, "cannot read folder '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			ret = 1;
			break;
		}
	closedir(d);
	return ret;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : errno;
}

int ofb_files_remove_tree(const char *path, struct ofb_error *err)
{
	int rc = nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);

	if (rc != 0) {
		ofb_error_set(err, "cannot remove '%s': %s", path,
			      strerror(rc > 0 ? rc : errno));
		return -1;
	}
	return 0;
}

int ofb_files_mkdirs(const char *path, struct ofb_error *err)
{
	char *p;
	int ret = 0;

	if (!*path)
		return 0;
	p = xstrdup(path);

	for (char *s = p + 1; ret == 0; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		/* folders on the way to a files folder: open to traverse, as made by hand (the
		 * process's umask 077 would close them to the office application) */
		if (mkdir(p, 0755) == 0) {
			if (chmod(p, 0755) != 0) {
				ofb_error_errno(err, errno, "cannot set the permissions of folder '%s'", p);
				ret = -1;
			}
		} else if (errno != EEXIST) {
			ofb_error_errno(err, errno, "cannot create folder '%s'", p);
			ret = -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return ret;
}

int ofb_files_mkdirs_parent(const char *path, struct ofb_error *err)
{
	char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	int ret = 0;

	if (slash && slash != parent) {
		*slash = '\0';
		ret = ofb_files_mkdirs(parent, err);
	}
	free(parent);
	return ret;
}

int ofb_files_lock(const char *path, struct ofb_error *err)
{
	static int held = -1;
	int fd;

	if (held >= 0)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ofb_error_errno(err, errno, "cannot open '%s' to lock the installation", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			ofb_error_set(err, "another ofbackup run (backup, export, restore or import) "
				      "is working on this installation (it holds the lock on '%s'): "
				      "try again when it has finished", path);
			err->exit_code = OFB_EXIT_BUSY;
		} else {
			ofb_error_errno(err, e, "cannot lock '%s'", path);
		}
		return -1;
	}
	held = fd;   /* kept open: closing it would drop the lock */
	return 0;
}

int ofb_files_is_mount_point(const char *path)
{
	char *parent = xasprintf("%s/..", path);
	struct stat st, pst;
	int ret = 0;

	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && stat(parent, &pst) == 0)
		ret = st.st_dev != pst.st_dev || st.st_ino == pst.st_ino;
	free(parent);
	return ret;
}

static void add_name(char ***list, size_t *n, const char *name)
{
	*list = xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[(*n)++] = xstrdup(name);
}

int ofb_files_find_leftovers(const char *dest, struct ofb_leftovers *out,
			     struct ofb_error *err)
{
	char *dir = xstrdup(dest), *slash = strrchr(dir, '/'), *base;
	char *new_prefix = NULL, *old_prefix = NULL;
	DIR *d = NULL;
	struct dirent *e;
	int ret = -1;

	memset(out, 0, sizeof *out);
	if (slash) {
		*slash = '\0';
		base = slash + 1;
	} else {
		base = dir;
	}
	new_prefix = xasprintf("%s.ofbackup-new-", base);
	old_prefix = xasprintf("%s.ofbackup-old-", base);
	d = opendir(slash ? (*dir ? dir : "/") : ".");
	if (!d) {
		ret = errno == ENOENT ? 0 : -1;
		if (ret)
			ofb_error_set(err, "cannot read the folder that holds '%s': %s", dest,
				      strerror(errno));
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		int is_new = strncmp(e->d_name, new_prefix, strlen(new_prefix)) == 0;
		int is_old = strncmp(e->d_name, old_prefix, strlen(old_prefix)) == 0;
		char *full;
		struct stat st;
		int ours;
		if (!is_new && !is_old)
			continue;
		full = slash ? xasprintf("%s/%s", *dir ? dir : "", e->d_name) : xstrdup(e->d_name);
		ours = lstat(full, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
		if (ours && is_old) {
			const char *pid_text = e->d_name + strlen(old_prefix);
			char *end;
			long pid = strtol(pid_text, &end, 10);
			ours = *pid_text && *end == '\0' && pid > 0 &&
			       kill((pid_t)pid, 0) != 0 && errno == ESRCH;
		}
		if (!ours)
			add_name(&out->foreign, &out->n_foreign, full);
		else if (is_new)
			add_name(&out->ours_new, &out->n_new, full);
		else
			add_name(&out->ours_old, &out->n_old, full);
		free(full);
	}
	ret = 0;
out:
	if (d)
		closedir(d);
	free(new_prefix);
	free(old_prefix);
	free(dir);
	return ret;
}

void ofb_leftovers_free(struct ofb_leftovers *l)
{
	for (size_t i = 0; i < l->n_new; i++)
		free(l->ours_new[i]);
	for (size_t i = 0; i < l->n_old; i++)
		free(l->ours_old[i]);
	for (size_t i = 0; i < l->n_foreign; i++)
		free(l->foreign[i]);
	free(l->ours_new);
	free(l->ours_old);
	free(l->foreign);
	memset(l, 0, sizeof *l);
}

static uid_t owner_uid;
static gid_t owner_gid;

static int take_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	/* only root may give files away; for anyone else they are theirs already */
	if (lchown(path, owner_uid, owner_gid) != 0 && errno != EPERM)
		return errno;
	return 0;
}

int ofb_files_take_owner(const char *dir, const struct stat *st, struct ofb_error *err)
{
	int rc;

	owner_uid = st->st_uid;
	owner_gid = st->st_gid;
	rc = nftw(dir, take_one, 16, FTW_PHYS);
	if (rc == 0 && chmod(dir, st->st_mode & 07777) != 0)
		rc = errno;
	if (rc != 0) {
		ofb_error_set(err, "cannot give '%s' the owner and permissions of the folder it "
			      "replaces: %s", dir, strerror(rc > 0 ? rc : errno));
		return -1;
	}
	return 0;
}

int ofb_files_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n > 0) {
		ssize_t done = write(fd, p, n);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -1;
		p += done;
		n -= (size_t)done;
	}
	return 0;
}

int ofb_files_sync_folder(const char *folder)
{
	int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd >= 0 ? fsync(fd) : -1;

	if (fd >= 0)
		close(fd);
	return rc;
}
