/* package.c - the zip writer behind package.h, on libzip: entries are libzip source
 * callbacks that libzip pulls from during zip_close(), so table data and files stream from
 * the database or disk through SHA-256 and deflate into the archive. A large entry (table
 * data, a file from 1 MiB) is produced (fetched and encoded, or read) on the producer
 * thread while libzip deflates the chunks already made on the main thread: the two halves
 * of the work overlap on two cores. One producer thread serves all of a package's such
 * entries, one after another as libzip writes them (a thread started for each of 200 small
 * tables cost a third of their backup). An entry's open, produce and close all run on it:
 * ODBC drivers keep locks that must be released by the thread that took them. Small files
 * are produced inline, in turn with the compression. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/evp.h>
#include <zip.h>
#include <zlib.h>

#include "job_thread.h"
#include "package.h"

volatile sig_atomic_t ofb_interrupted;

#define PRODUCE_TARGET (64 * 1024)
/* The producer hands over chunks of about this size, at most QUEUE_CHUNKS ahead of libzip:
 * what the overlap holds in memory is bounded (1 MiB) whatever the entry. */
#define CHUNK_TARGET (256 * 1024)
#define QUEUE_CHUNKS 4

struct ofb_pkg;

/* One lazy entry as libzip sees it. At ZIP_SOURCE_OPEN a threaded entry is opened and its
 * first chunk produced on the main thread; an entry that ends there (a small table) goes
 * on as an inline one does, any other is handed to the producer thread, which produces the
 * rest, passes chunks through the queue and closes it at the end. free runs on the main
 * thread. */
struct source {
	struct ofb_pkg *pkg;
	struct ofb_entry_info *info;
	const struct ofb_entry_ops *ops;
	void *ctx;
	struct buf pending;        /* taken from the queue (or produced here, when the entry is
				    * produced inline), handed to libzip from pending_off on */
	size_t pending_off;
	int inline_mode;           /* produced on the main thread (ops not threaded, or the
				    * entry ended within its first chunk) */
	int opened;                /* ops->open succeeded here, ops->close is due here */
	int continued;             /* opened and begun here, the rest for the producer */
	int eof;                   /* the last chunk has been taken */
	EVP_MD_CTX *sha;
	zip_error_t zerr;
	/* what the entry shares with the producer thread, under mu */
	int running;               /* handed to the producer thread, not joined yet */
	int finished;              /* ... which is done with it (closed it, where opened) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct buf queue[QUEUE_CHUNKS];
	size_t q_head, q_len;
	int done;                  /* the producer has ended (all chunks queued, or failed);
				    * inline: produce has said the end */
	int failed;                /* ... with thread_err */
	int stop;                  /* the main thread wants no more */
	int closing;               /* ... and the producer to close the entry, with close_ok */
	int close_ok;
	struct ofb_error *thread_err;  /* malloc'd when it fails: most entries never do, and a
					* package may have thousands */
};

/* The producer thread of a package, started with its first threaded entry that goes on
 * past its first chunk. */
struct producer {
	struct ofb_job_thread thread;
	struct source *open_entry;   /* handed over, not joined yet (the main thread's own) */
};

struct ofb_pkg {
	char *final_path;
	char *temp_path;
	zip_t *zip;
	struct ofb_entry_info **entries;
	size_t n_entries;
	struct ofb_error first_err;  /* what a producer reported; zip_close only says "read error" */
	uint64_t bytes;
	int committed;
	char *password;              /* every file entry AES-256 encrypted with it, or NULL */
	int level;                   /* deflate level, 0: stored */
	int bytes_level;             /* that of entries of bytes (ofb_pkg_add_lazy_bytes) */
	z_stream sample;             /* deflates the samples of files (incompressible) */
	int sample_ready;
	struct producer prod;
};

static struct ofb_entry_info *new_entry(struct ofb_pkg *pkg, const char *path, int is_dir)
{
	struct ofb_entry_info *e = xcalloc(1, sizeof *e);

	e->path = xstrdup(path);
	e->is_dir = is_dir;
	e->mode = -1;
	e->raw_name = !utf8_valid(path, strlen(path));
	pkg->entries = xrealloc(pkg->entries, (pkg->n_entries + 1) * sizeof *pkg->entries);
	pkg->entries[pkg->n_entries++] = e;
	return e;
}

struct ofb_pkg *ofb_pkg_create(const char *final_path, const struct ofb_pkg_settings *set,
			       struct ofb_error *err)
{
	struct ofb_pkg *pkg = NULL;
	char *dir_copy = xstrdup(final_path), *base_copy = xstrdup(final_path);
	const char *dir = dirname(dir_copy), *base = basename(base_copy);
	struct stat st;
	int zerr = 0;

	if (stat(dir, &st) != 0) {
		ofb_error_set(err, "cannot write '%s': folder '%s' does not exist", final_path, dir);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		ofb_error_set(err, "cannot write '%s': '%s' is not a folder (check [backup] dir "
			      "or -o)", final_path, dir);
		goto out;
	}
	if (access(dir, W_OK) != 0) {
		ofb_error_set(err, "cannot write '%s': folder '%s' is not writable (%s)", final_path,
			      dir, strerror(errno));
		goto out;
	}
	/* the rename would put the package in place of whatever is there: only an older
	 * package (a regular file) may be replaced */
	if (lstat(final_path, &st) == 0 && !S_ISREG(st.st_mode)) {
		ofb_error_set(err, "cannot write '%s': it exists and is not a regular file (a "
			      "folder, a link or a device)", final_path);
		goto out;
	}
	pkg = xcalloc(1, sizeof *pkg);
	pkg->final_path = xstrdup(final_path);
	/* Same folder, so the final rename is atomic; the pid keeps concurrent runs apart. */
	pkg->temp_path = xasprintf("%s/.%s.%ld.part", dir, base, (long)getpid());
	unlink(pkg->temp_path);
	pkg->zip = zip_open(pkg->temp_path, ZIP_CREATE | ZIP_EXCL, &zerr);
	if (!pkg->zip) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		ofb_error_set(err, "cannot create '%s': %s", pkg->temp_path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		free(pkg->final_path);
		free(pkg->temp_path);
		free(pkg);
		pkg = NULL;
	} else {
		pkg->password = set->password ? xstrdup(set->password) : NULL;
		pkg->level = set->level;
		pkg->bytes_level = set->bytes_level;
	}
out:
	free(dir_copy);
	free(base_copy);
	return pkg;
}

const char *ofb_pkg_path(const struct ofb_pkg *pkg)
{
	return pkg->final_path;
}

uint64_t ofb_pkg_bytes(const struct ofb_pkg *pkg)
{
	return pkg->bytes;
}

size_t ofb_pkg_entries(const struct ofb_pkg *pkg, struct ofb_entry_info *const **out)
{
	*out = pkg->entries;
	return pkg->n_entries;
}

/* UTF-8 names get the zip's UTF-8 flag; others (Latin-1 file names) are stored as their
 * bytes without it, as Info-ZIP does. */
static zip_flags_t name_flags(const char *path)
{
	if (!utf8_valid(path, strlen(path)))
		return ZIP_FL_ENC_GUESS;   /* taken for CP437: stored as given */
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p >= 0x80)
			return ZIP_FL_ENC_UTF_8;
	return 0;
}

static void set_mtime(struct ofb_pkg *pkg, zip_int64_t idx, const struct timespec *mtime)
{
	if (mtime)
		zip_file_set_mtime(pkg->zip, (zip_uint64_t)idx, mtime->tv_sec, 0);
}

int ofb_pkg_add_dir(struct ofb_pkg *pkg, const char *path, const struct timespec *mtime,
		    int mode, struct ofb_error *err)
{
	zip_int64_t idx = zip_dir_add(pkg->zip, path, name_flags(path));
	struct ofb_entry_info *e;

	if (idx < 0) {
		ofb_error_set(err, "cannot add folder '%s' to the package: %s", path,
			      zip_strerror(pkg->zip));
		return -1;
	}
	set_mtime(pkg, idx, mtime);
	e = new_entry(pkg, path, 1);
	e->mode = mode;
	if (mtime) {
		e->has_mtime = 1;
		e->mtime = *mtime;
	}
	return 0;
}

static int stopped(struct source *s)
{
	int stop;

	pthread_mutex_lock(&s->mu);
	stop = s->stop;
	pthread_mutex_unlock(&s->mu);
	return stop;
}

/* Produces into out until it holds about CHUNK_TARGET bytes or the entry ends (*eof),
 * those bytes through SHA-256: 0; -1 with err (interrupted too); 1 when the main thread
 * wants no more. On the main thread it makes a threaded entry's first chunk: an entry that
 * ends within it needs no thread at all (200 small tables: a hand-over between two threads
 * each cost more than reading them). */
static int produce_chunk(struct source *s, struct buf *out, int *eof, struct ofb_error *err)
{
	size_t from = out->len;

	while (out->len < CHUNK_TARGET && !*eof) {
		if (stopped(s))
			return 1;
		if (ofb_interrupted) {
			ofb_error_set(err, "interrupted while writing '%s'", s->info->path);
			return -1;
		}
		if (s->ops->produce(s->ctx, out, eof, err) != 0)
			return -1;
	}
	if (out->len > from)
		EVP_DigestUpdate(s->sha, out->data + from, out->len - from);
	return 0;
}

/* One entry on the producer thread: ops->open (unless the main thread opened it and
 * produced its first chunk: continued), then chunks of about CHUNK_TARGET through SHA-256
 * into the queue until the end, an error or stop; ops->close once told to (only after an
 * open that succeeded, as on the main thread); then finished. */
static void produce_entry(void *arg)
{
	struct source *s = arg;
	struct ofb_error err;
	int rc = 0, eof = 0, opened;

	ofb_error_clear(&err);
	if (!s->continued && s->ops->open)
		rc = s->ops->open(s->ctx, &err);
	opened = rc == 0;
	while (rc == 0 && !eof) {
		struct buf chunk;
		buf_init(&chunk);
		rc = produce_chunk(s, &chunk, &eof, &err);
		if (rc == 1) {
			buf_free(&chunk);
			rc = 0;
			goto end;
		}
		pthread_mutex_lock(&s->mu);
		while (s->q_len == QUEUE_CHUNKS && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop || rc != 0) {
			pthread_mutex_unlock(&s->mu);
			buf_free(&chunk);
			break;
		}
		s->queue[(s->q_head + s->q_len) % QUEUE_CHUNKS] = chunk;
		s->q_len++;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
end:
	pthread_mutex_lock(&s->mu);
	s->done = 1;
	if (rc != 0) {
		s->failed = 1;
		s->thread_err = xmalloc(sizeof *s->thread_err);
		*s->thread_err = err;
	}
	pthread_cond_broadcast(&s->cv);
	/* the entry is closed here once libzip is done with it */
	while (!s->closing)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	if (opened && s->ops->close)
		s->ops->close(s->ctx, s->close_ok);
	/* the main thread may free s as soon as it sees this */
	pthread_mutex_lock(&s->mu);
	s->finished = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* s handed to the package's producer thread (started the first time); -1 with err. */
static int start_producer(struct source *s, struct ofb_error *err)
{
	struct producer *p = &s->pkg->prod;

	if (p->open_entry) {
		/* libzip writes one entry after the other: never two open at once */
		ofb_error_set(err, "cannot write '%s' while another entry is open", s->info->path);
		return -1;
	}
	/* the entry before this one has finished (join_producer); the thread may still be
	 * returning from it, and takes this one after */
	if (!ofb_job_thread_give(&p->thread, produce_entry, s)) {
		ofb_error_set(err, "cannot start a thread for '%s'", s->info->path);
		return -1;
	}
	p->open_entry = s;
	s->running = 1;
	return 0;
}

/* Stop the producer's work on s (when it has not ended yet), let it close the entry (ok:
 * all of it was written) and wait until it is done with s; the queue emptied. */
static void join_producer(struct source *s, int ok)
{
	if (!s->running)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	s->closing = 1;
	s->close_ok = ok;
	pthread_cond_broadcast(&s->cv);
	while (!s->finished)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	s->running = 0;
	s->pkg->prod.open_entry = NULL;
	for (; s->q_len; s->q_len--, s->q_head = (s->q_head + 1) % QUEUE_CHUNKS)
		buf_free(&s->queue[s->q_head]);
}

/* The next chunk into s->pending: waits for the producer; *got 0 at the end. */
static int take_chunk(struct source *s, int *got, struct ofb_error *err)
{
	*got = 0;
	pthread_mutex_lock(&s->mu);
	while (s->q_len == 0 && !s->done)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->q_len) {
		buf_free(&s->pending);
		s->pending = s->queue[s->q_head];
		s->pending_off = 0;
		s->q_head = (s->q_head + 1) % QUEUE_CHUNKS;
		s->q_len--;
		*got = 1;
		pthread_cond_broadcast(&s->cv);
	} else if (s->failed) {
		*err = *s->thread_err;
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static void source_fail(struct source *s, struct ofb_error *err)
{
	if (!s->pkg->first_err.set)
		s->pkg->first_err = *err;
	zip_error_set(&s->zerr, ZIP_ER_READ, EIO);
}

static zip_int64_t source_cb(void *userdata, void *data, zip_uint64_t len,
			     zip_source_cmd_t cmd)
{
	struct source *s = userdata;
	struct ofb_error err;

	ofb_error_clear(&err);
	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		/* opened again (libzip may read a source twice): the first pass is dropped */
		join_producer(s, 0);
		buf_reset(&s->pending);
		s->pending_off = 0;
		s->eof = s->done = s->failed = s->stop = s->closing = s->close_ok = s->finished = 0;
		s->continued = 0;
		s->info->size = 0;
		if (!s->sha)
			s->sha = EVP_MD_CTX_new();
		if (!s->sha || EVP_DigestInit_ex(s->sha, EVP_sha256(), NULL) != 1) {
			ofb_error_set(&err, "cannot start SHA-256 for '%s'", s->info->path);
			source_fail(s, &err);
			return -1;
		}
		if (s->opened && s->ops->close)
			s->ops->close(s->ctx, 0);
		s->opened = 0;
		if (s->ops->open && s->ops->open(s->ctx, &err) != 0) {
			source_fail(s, &err);
			return -1;
		}
		s->opened = 1;
		s->inline_mode = !s->ops->threaded;
		if (s->inline_mode)
			return 0;
		if (produce_chunk(s, &s->pending, &s->done, &err) != 0) {
			source_fail(s, &err);
			return -1;
		}
		if (s->done) {
			s->inline_mode = 1;
			return 0;
		}
		s->continued = 1;
		s->opened = 0;   /* the producer closes it */
		if (start_producer(s, &err) != 0) {
			s->opened = 1;
			source_fail(s, &err);
			return -1;
		}
		return 0;
	case ZIP_SOURCE_READ: {
		size_t n;
		if (s->pending_off == s->pending.len) {
			/* all handed over: the next bytes start at the front again (libzip reads
			 * 8 KiB at a time; moving the rest down each time would cost more than
			 * the copy itself) */
			buf_reset(&s->pending);
			s->pending_off = 0;
		}
		/* inline: produced here; pending is empty before each produce */
		while (s->inline_mode && s->pending.len == 0 && !s->done) {
			if (ofb_interrupted) {
				ofb_error_set(&err, "interrupted while writing '%s'", s->info->path);
				source_fail(s, &err);
				return -1;
			}
			if (s->ops->produce(s->ctx, &s->pending, &s->done, &err) != 0) {
				source_fail(s, &err);
				return -1;
			}
			EVP_DigestUpdate(s->sha, s->pending.data, s->pending.len);
		}
		if (s->inline_mode && s->pending.len == 0 && s->done)
			s->eof = 1;
		while (!s->inline_mode && s->pending.len == 0 && !s->eof) {
			int got;
			if (take_chunk(s, &got, &err) != 0) {
				source_fail(s, &err);
				return -1;
			}
			if (!got)
				s->eof = 1;
		}
		n = s->pending.len - s->pending_off;
		if (n > len)
			n = (size_t)len;
		memcpy(data, s->pending.data + s->pending_off, n);
		s->pending_off += n;
		s->info->size += n;
		s->pkg->bytes += n;
		return (zip_int64_t)n;
	}
	case ZIP_SOURCE_CLOSE: {
		unsigned char md[32];
		unsigned int md_len = 0;
		int ok = s->eof && s->pending_off == s->pending.len;
		join_producer(s, ok);
		if (s->opened && s->ops->close)
			s->ops->close(s->ctx, ok);
		s->opened = 0;
		if (ok && EVP_DigestFinal_ex(s->sha, md, &md_len) == 1) {
			struct buf hex;
			buf_init(&hex);
			buf_add_hex(&hex, md, md_len);
			snprintf(s->info->sha256, sizeof s->info->sha256, "%s", hex.data);
			buf_free(&hex);
		}
		return 0;
	}
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		if (len < sizeof *st)
			return -1;
		zip_stat_init(st);
		if (s->info->has_mtime) {
			st->mtime = s->info->mtime.tv_sec;
			st->valid |= ZIP_STAT_MTIME;
		}
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->zerr, data, len);
	case ZIP_SOURCE_FREE:
		join_producer(s, 0);
		if (s->opened && s->ops->close)
			s->ops->close(s->ctx, 0);
		if (s->ops->free)
			s->ops->free(s->ctx);
		buf_free(&s->pending);
		EVP_MD_CTX_free(s->sha);
		zip_error_fini(&s->zerr);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s->thread_err);
		free(s);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
						      ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
						      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&s->zerr, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/* Files smaller than this are read inline: a thread per small file cost more than the
 * overlap gains (20,000 files of 4 KiB took three times as long). */
#define THREAD_MIN_BYTES (1024 * 1024)

static int add_lazy(struct ofb_pkg *pkg, const char *path, const struct ofb_entry_ops *ops,
		    void *ctx, const struct timespec *mtime, int level,
		    struct ofb_entry_info **info, struct ofb_error *err)
{
	struct source *s = xcalloc(1, sizeof *s);

	zip_source_t *src;
	zip_int64_t idx;

	s->pkg = pkg;
	s->ops = ops;
	s->ctx = ctx;
	buf_init(&s->pending);
	zip_error_init(&s->zerr);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->info = new_entry(pkg, path, 0);
	if (mtime) {
		s->info->has_mtime = 1;
		s->info->mtime = *mtime;
	}
	if (info)
		*info = s->info;
	src = zip_source_function(pkg->zip, source_cb, s);
	if (!src) {
		ofb_error_set(err, "cannot add '%s' to the package: %s", path,
			      zip_strerror(pkg->zip));
		if (ops->free)
			ops->free(ctx);
		buf_free(&s->pending);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s);
		return -1;
	}
	idx = zip_file_add(pkg->zip, path, src, name_flags(path));
	if (idx < 0) {
		ofb_error_set(err, "cannot add '%s' to the package: %s", path,
			      zip_strerror(pkg->zip));
		zip_source_free(src);   /* runs ZIP_SOURCE_FREE, which frees s and ctx */
		return -1;
	}
	set_mtime(pkg, idx, mtime);
	if (zip_set_file_compression(pkg->zip, (zip_uint64_t)idx, level ? ZIP_CM_DEFLATE :
				     ZIP_CM_STORE, (zip_uint32_t)level) != 0) {
		ofb_error_set(err, "cannot set the compression of '%s': %s", path,
			      zip_strerror(pkg->zip));
		return -1;
	}
	if (pkg->password &&
	    zip_file_set_encryption(pkg->zip, (zip_uint64_t)idx, ZIP_EM_AES_256,
				    pkg->password) != 0) {
		ofb_error_set(err, "cannot encrypt '%s' in the package: %s", path,
			      zip_strerror(pkg->zip));
		return -1;
	}
	return 0;
}

int ofb_pkg_add_lazy(struct ofb_pkg *pkg, const char *path, const struct ofb_entry_ops *ops,
		     void *ctx, struct ofb_entry_info **info, struct ofb_error *err)
{
	return add_lazy(pkg, path, ops, ctx, NULL, pkg->level, info, err);
}

int ofb_pkg_add_lazy_bytes(struct ofb_pkg *pkg, const char *path,
			   const struct ofb_entry_ops *ops, void *ctx,
			   struct ofb_entry_info **info, struct ofb_error *err)
{
	return add_lazy(pkg, path, ops, ctx, NULL, pkg->bytes_level, info, err);
}

/* --- files from disk ------------------------------------------------------------------- */

struct file_src {
	char *source;
	dev_t dev;
	ino_t ino;
	struct ofb_entry_info *info;
	int fd;
};

/* The regular file the scan listed at path (device dev, inode ino), opened without following
 * a link and without waiting on a FIFO or device put there since, non-blocking, *st its
 * status; -1 with errno when it cannot be opened, -2 when something else is in its place
 * (reached through a folder made a link, say). */
static int open_listed(const char *path, dev_t dev, ino_t ino, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_dev != dev ||
	    st->st_ino != ino) {
		close(fd);
		return -2;
	}
	return fd;
}

static int file_open(void *ctx, struct ofb_error *err)
{
	struct file_src *f = ctx;
	struct stat st;
	int flags;

	f->fd = open_listed(f->source, f->dev, f->ino, &st);
	if (f->fd == -2 ||
	    (f->fd < 0 && (errno == ENOENT || errno == ELOOP || errno == ENOTDIR))) {
		/* Deleted, made a link or replaced since the folder was listed (people work
		 * while backups run): not the file that was listed, so not read; the entry
		 * stays, empty, and the manifest says so. */
		f->fd = -1;
		f->info->vanished = 1;
		return 0;
	}
	if (f->fd < 0) {
		ofb_error_set(err, "cannot read file '%s': %s", f->source, strerror(errno));
		return -1;
	}
	flags = fcntl(f->fd, F_GETFL);
	if (flags < 0 || fcntl(f->fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		ofb_error_set(err, "cannot read file '%s': %s", f->source, strerror(errno));
		return -1;
	}
	return 0;
}

static int file_produce(void *ctx, struct buf *out, int *eof, struct ofb_error *err)
{
	struct file_src *f = ctx;
	ssize_t n;

	if (f->fd < 0) {
		*eof = 1;
		return 0;
	}
	buf_grow(out, PRODUCE_TARGET);
	do
		n = read(f->fd, out->data + out->len, PRODUCE_TARGET);
	while (n < 0 && errno == EINTR && !ofb_interrupted);
	if (n < 0) {
		ofb_error_set(err, "cannot read file '%s': %s", f->source, strerror(errno));
		return -1;
	}
	out->len += (size_t)n;
	out->data[out->len] = '\0';
	if (n == 0)
		*eof = 1;
	return 0;
}

static void file_close(void *ctx, int ok)
{
	struct file_src *f = ctx;

	(void)ok;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static void file_free(void *ctx)
{
	struct file_src *f = ctx;

	free(f->source);
	free(f);
}

static const struct ofb_entry_ops file_ops = {
	.open = file_open,
	.produce = file_produce,
	.close = file_close,
	.free = file_free,
};
static const struct ofb_entry_ops big_file_ops = {
	.open = file_open,
	.produce = file_produce,
	.close = file_close,
	.free = file_free,
	.threaded = 1,
};

/* Files from this size on are stored, not deflated, when SAMPLE_BYTES at their start and
 * in their middle do not shrink by SAMPLE_GAIN_PCT at level 1: scans, photos, PDF and
 * office files are compressed already, and deflating them took most of a files folder's
 * backup for a gain under 1%. A sparse file (holes deflate to nothing) is deflated. */
#define SAMPLE_MIN_BYTES (64 * 1024)
#define SAMPLE_BYTES (16 * 1024)
#define SAMPLE_GAIN_PCT 3

/* Whether the n bytes at in shrink by SAMPLE_GAIN_PCT at level 1 (one stream kept for
 * the package: its setup cost more than a sample); 1 when they cannot be told. */
static int sample_shrinks(struct ofb_pkg *pkg, unsigned char *in, size_t n)
{
	unsigned char out[SAMPLE_BYTES];
	int rc;

	if (!pkg->sample_ready) {
		if (deflateInit(&pkg->sample, 1) != Z_OK)
			return 1;
		pkg->sample_ready = 1;
	} else if (deflateReset(&pkg->sample) != Z_OK) {
		return 1;
	}
	pkg->sample.next_in = in;
	pkg->sample.avail_in = (uInt)n;
	pkg->sample.next_out = out;
	pkg->sample.avail_out = (uInt)(n * (100 - SAMPLE_GAIN_PCT) / 100);
	rc = deflate(&pkg->sample, Z_FINISH);
	/* not all of it in that room: it does not shrink enough */
	return rc == Z_STREAM_END || rc == Z_STREAM_ERROR;
}

/* Whether the file the scan saw at fe (open_listed) holds bytes that deflate does not
 * shrink; 0 when it cannot be told now (its entry says what became of it when it is
 * written). */
static int incompressible(struct ofb_pkg *pkg, const struct ofb_file_entry *fe)
{
	unsigned char in[SAMPLE_BYTES];
	struct stat st;
	int fd = open_listed(fe->full, fe->dev, fe->ino, &st);
	int ret = 0;

	if (fd < 0)
		return 0;
	if (st.st_size >= SAMPLE_MIN_BYTES &&
	    (long long)st.st_blocks * 512 >= (long long)st.st_size) {
		off_t at[2] = { 0, (st.st_size / 2) & ~(off_t)(SAMPLE_BYTES - 1) };
		ret = 1;
		for (size_t k = 0; k < 2 && ret; k++)
			ret = pread(fd, in, sizeof in, at[k]) == (ssize_t)sizeof in &&
			      !sample_shrinks(pkg, in, sizeof in);
	}
	close(fd);
	return ret;
}

int ofb_pkg_add_file(struct ofb_pkg *pkg, const char *path, const struct ofb_file_entry *fe,
		     struct ofb_error *err)
{
	struct file_src *f = xcalloc(1, sizeof *f);
	int level = pkg->level;
	int rc;

	f->source = xstrdup(fe->full);
	f->dev = fe->dev;
	f->ino = fe->ino;
	f->fd = -1;
	if (level && fe->size >= SAMPLE_MIN_BYTES && incompressible(pkg, fe))
		level = 0;
	rc = add_lazy(pkg, path, fe->size >= THREAD_MIN_BYTES ? &big_file_ops : &file_ops, f,
		      &fe->mtime, level, &f->info, err);
	if (rc == 0)
		f->info->mode = (int)fe->mode;
	return rc;
}

/* --- finishing ------------------------------------------------------------------------- */

/* The written archive opens cleanly and holds exactly the entries we put in. */
static int check_archive(struct ofb_pkg *pkg, struct ofb_error *err)
{
	int zerr = 0;
	zip_t *z = zip_open(pkg->temp_path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	zip_int64_t n;
	int ret = -1;

	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		ofb_error_set(err, "the written package '%s' does not read back: %s",
			      pkg->temp_path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	n = zip_get_num_entries(z, 0);
	if (n != (zip_int64_t)pkg->n_entries) {
		ofb_error_set(err, "the written package '%s' holds %lld entries instead of %zu",
			      pkg->temp_path, (long long)n, pkg->n_entries);
		goto out;
	}
	ret = 0;
out:
	zip_discard(z);
	return ret;
}

int ofb_pkg_commit(struct ofb_pkg *pkg, struct ofb_error *err)
{
	mode_t old_mask;
	int fd, rc;

	/* libzip creates its own temporary file while closing: owner-only from the start */
	old_mask = umask(077);
	rc = zip_close(pkg->zip);
	umask(old_mask);
	if (rc != 0) {
		if (pkg->first_err.set)
			*err = pkg->first_err;
		else
			ofb_error_set(err, "cannot write package '%s': %s", pkg->final_path,
				      zip_strerror(pkg->zip));
		zip_discard(pkg->zip);
	}
	/* every entry is let go of now, on success as on failure */
	pkg->zip = NULL;
	ofb_job_thread_end(&pkg->prod.thread);
	if (rc != 0) {
		unlink(pkg->temp_path);
		return -1;
	}
	if (check_archive(pkg, err) != 0) {
		unlink(pkg->temp_path);
		return -1;
	}
	/* Readable by its owner only: a package holds the whole business. The data must be
	 * on disk before the name points at it. */
	fd = open(pkg->temp_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
		ofb_error_set(err, "cannot flush package '%s' to disk: %s", pkg->temp_path,
			      strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(pkg->temp_path);
		return -1;
	}
	close(fd);
	if (rename(pkg->temp_path, pkg->final_path) != 0) {
		ofb_error_set(err, "cannot rename '%s' to '%s': %s", pkg->temp_path,
			      pkg->final_path, strerror(errno));
		unlink(pkg->temp_path);
		return -1;
	}
	pkg->committed = 1;
	return 0;
}

void ofb_pkg_free(struct ofb_pkg *pkg)
{
	if (!pkg)
		return;
	if (pkg->zip) {
		zip_discard(pkg->zip);
		unlink(pkg->temp_path);
	}
	ofb_job_thread_end(&pkg->prod.thread);
	if (pkg->sample_ready)
		deflateEnd(&pkg->sample);
	for (size_t i = 0; i < pkg->n_entries; i++) {
		free(pkg->entries[i]->path);
		free(pkg->entries[i]);
	}
	free(pkg->entries);
	free(pkg->final_path);
	free(pkg->temp_path);
	ofb_secret_free(pkg->password);
	free(pkg);
}
