/* reader.c - reading a package back (reader.h): entry names and the manifest checked at
 * open, entries streamed through SHA-256, verify. Decoding table files is in table_reader.c,
 * extracting files folders in extract.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <zip.h>

#include "manifest.h"
#include "package.h"
#include "progress.h"
#include "reader.h"
#include "reader_internal.h"
#include "util.h"

#define CHUNK_SIZE (64 * 1024)
#define MANIFEST_MAX (512u * 1024 * 1024)
#define SLURP_MAX (256u * 1024 * 1024)
#define ROWS_PER_PROGRESS 1024

struct ofb_reader {
	char *path;
	zip_t *zip;
	json_t *manifest;
	zip_uint64_t manifest_index;
	struct entry *entries;   /* sorted by name; manifest.json is not among them */
	size_t n_entries;
	int verifying;           /* progress line while verify runs */
	uint64_t progress_bytes;
	uint64_t progress_rows;
	size_t vanished;         /* files the last extraction left out (reader.h) */
};

/* --- messages -------------------------------------------------------------------------- */

void reader_add_shown(struct buf *b, const char *s, size_t len, size_t max)
{
	int utf8 = utf8_valid(s, len);

	for (size_t i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
	if (len > max)
		buf_adds(b, "...");
}

void reader_entry_error(struct ofb_error *err, const struct ofb_reader *r, const char *name,
		 const char *fmt, ...)
{
	char tail[OFB_ERROR_MAX];
	struct buf shown;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof tail, fmt, ap);
	va_end(ap);
	buf_init(&shown);
	reader_add_shown(&shown, name, strlen(name), 400);
	ofb_error_set(err, "package '%s': entry '%s'%s", r->path, shown.data, tail);
	buf_free(&shown);
}

/* --- names and manifest records -------------------------------------------------------- */

const char *reader_unsafe_name(const char *name)
{
	size_t len = strlen(name);
	const char *seg = name;

	if (len == 0)
		return "has an empty name";
	if (name[0] == '/')
		return "is an absolute path";
	if (strchr(name, '\\'))
		return "contains a backslash";
	if (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') && name[1] == ':')
		return "starts with a drive letter";
	if (!utf8_valid(name, len))
		return "is not UTF-8";
	while (*seg) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		if (n == 0)
			return "has an empty path segment";
		if (n == 1 && seg[0] == '.')
			return "has a '.' path segment";
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return "has a '..' path segment";
		if (!slash)
			break;
		seg = slash + 1;
	}
	return NULL;
}

static int two_digits(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

int reader_parse_mtime(const char *s, struct timespec *ts)
{
	struct tm tm;
	int cent, year, mon, day, hour, min, sec;
	long nsec = 0, scale = 100000000L;
	const char *p = s + 19;
	time_t t;

	memset(&tm, 0, sizeof tm);
	if (strlen(s) < 20 || two_digits(s, &cent) || two_digits(s + 2, &year) || s[4] != '-' ||
	    two_digits(s + 5, &mon) || s[7] != '-' || two_digits(s + 8, &day) || s[10] != 'T' ||
	    two_digits(s + 11, &hour) || s[13] != ':' || two_digits(s + 14, &min) ||
	    s[16] != ':' || two_digits(s + 17, &sec))
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (!scale)
				return -1;   /* finer than nanoseconds */
			nsec += (*p - '0') * scale;
			scale /= 10;
		}
		if (p == s + 20)
			return -1;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	tm.tm_year = cent * 100 + year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1 && !(cent == 19 && year == 69))
		return -1;
	ts->tv_sec = t;
	ts->tv_nsec = nsec;
	return 0;
}

static int is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

static int valid_count(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* The fields later steps rely on, so they need not check again. */
static int check_record(struct ofb_reader *r, const char *path, json_t *rec,
			struct ofb_error *err)
{
	json_t *type = json_object_get(rec, "type"), *sha = json_object_get(rec, "sha256");
	json_t *mtime = json_object_get(rec, "mtime"), *rows = json_object_get(rec, "rows");
	json_t *vanished = json_object_get(rec, "vanished");
	int is_dir = path[strlen(path) - 1] == '/';
	struct timespec ts;
	int ret = -1;

	if (type && !(json_is_string(type) && strcmp(json_string_value(type), "dir") == 0)) {
		reader_entry_error(err, r, path, ": the manifest gives an unknown type");
		goto out;
	}
	if (!type != !is_dir) {
		reader_entry_error(err, r, path, ": the manifest calls it a %s", type ? "folder" : "file");
		goto out;
	}
	if (!is_dir && (!valid_count(json_object_get(rec, "size")) || !json_is_string(sha) ||
			!is_sha256_hex(json_string_value(sha)))) {
		reader_entry_error(err, r, path, ": the manifest gives no valid size and SHA-256");
		goto out;
	}
	if (mtime && (!json_is_string(mtime) || reader_parse_mtime(json_string_value(mtime), &ts))) {
		reader_entry_error(err, r, path, ": the manifest's mtime is not a UTC time "
			    "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ");
		goto out;
	}
	if (rows && !valid_count(rows)) {
		reader_entry_error(err, r, path, ": the manifest's row count is not a number");
		goto out;
	}
	/* extraction leaves a vanished file out: it must be one that holds nothing */
	if (vanished && (!json_is_boolean(vanished) ||
			 (json_is_true(vanished) &&
			  (is_dir || json_integer_value(json_object_get(rec, "size")) != 0)))) {
		reader_entry_error(err, r, path, ": the manifest's \"vanished\" is %s",
			    !json_is_boolean(vanished) ? "neither true nor false"
						       : "set for what is no empty file");
		goto out;
	}
	ret = 0;
out:
	return ret;
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

size_t reader_lower_bound(const struct ofb_reader *r, const char *key)
{
	size_t lo = 0, hi = r->n_entries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(r->entries[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct entry *find_entry(const struct ofb_reader *r, const char *name)
{
	size_t i = reader_lower_bound(r, name);

	return i < r->n_entries && strcmp(r->entries[i].name, name) == 0 ? &r->entries[i] : NULL;
}

/* --- opening --------------------------------------------------------------------------- */

/* --- explaining why a package does not open ---------------------------------------------- */

/* When libzip refuses a file, the file is walked by hand to say what is wrong with it: from
 * the front, local header by local header, then the zip directory (central directory) and
 * its end record. Only a walk that runs into the end of the file, in a file that does not
 * end with a zip directory end record, is truncation; a walk that meets something wrong is
 * damage, named by entry where the walk can tell which. */

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define LOCAL_SIZE 30
#define CENTRAL_SIZE 46
#define END_SIZE 22
#define END64_SIZE 56
#define LOCATOR64_SIZE 20
#define MAX_COMMENT 65535
#define SATURATED 0xFFFFFFFFu

static uint64_t read_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

enum verdict {
	V_NONE,           /* not walked, or not (yet) a verdict */
	V_UNKNOWN,        /* the walk cannot tell (sizes in data descriptors) */
	V_TRUNCATED,      /* the walk ran into the end of the file */
	V_DAMAGED,        /* the walk met something wrong */
	V_INTACT          /* the walk found nothing wrong */
};

/* What a local header or a zip directory record says of an entry. */
struct zhead {
	uint64_t off;            /* of the local header (records: as they give it) */
	uint64_t comp, uncomp;
	unsigned version, method, time, date, flags;
	unsigned long crc;
	char *name;
	size_t name_len;
	int fixed;               /* its fixed-size part is all in the file */
	int name_whole;          /* and so is its name */
	int matched;             /* local headers: a directory record points to it */
	int extra_ok;            /* its extra field is a well-formed list of fields */
	uint64_t end;            /* the first byte after it (local headers: after the data) */
};

struct zwalk {
	FILE *f;
	uint64_t size;
	struct zhead *loc;       /* the local headers walked, in file order */
	size_t n_loc;
	int has_end;             /* the file ends with a zip directory end record */
	int tail_dir_known;
	uint64_t tail_dir;       /* where that end record puts the directory */
	struct zhead *dir;       /* the records found there, by local header offset */
	size_t n_dir;
	enum verdict verdict;
	struct buf what;         /* what is wrong, for the message */
};

/* n bytes at off; 0 when all of them are in the file. */
static int read_at(struct zwalk *w, uint64_t off, void *p, size_t n)
{
	if (off > w->size || n > w->size - off || fseeko(w->f, (off_t)off, SEEK_SET) != 0)
		return -1;
	return fread(p, 1, n, w->f) == n ? 0 : -1;
}

static uint32_t sig_at(struct zwalk *w, uint64_t off)
{
	unsigned char s[4];

	return read_at(w, off, s, 4) == 0 ? (uint32_t)read_le(s, 4) : 0;
}

/* The saturated fields (*want[i] == SATURATED) from the ZIP64 extra field (id 1), in
 * order; -1 when it does not hold them. */
static int zip64_fields(const unsigned char *x, size_t len, uint64_t **want, int n_want)
{
	int n_saturated = 0;

	for (int i = 0; i < n_want; i++)
		n_saturated += *want[i] == SATURATED;
	if (!n_saturated)
		return 0;
	while (len >= 4) {
		size_t id = (size_t)read_le(x, 2), size = (size_t)read_le(x + 2, 2);
		const unsigned char *p = x + 4;
		if (size > len - 4)
			return -1;
		if (id == 1) {
			if (size < 8 * (size_t)n_saturated)
				return -1;
			for (int i = 0; i < n_want; i++)
				if (*want[i] == SATURATED) {
					*want[i] = read_le(p, 8);
					p += 8;
				}
			return 0;
		}
		x += 4 + size;
		len -= 4 + size;
	}
	return -1;
}

static int extra_well_formed(const unsigned char *x, size_t len)
{
	while (len >= 4 && (size_t)read_le(x + 2, 2) <= len - 4) {
		len -= 4 + (size_t)read_le(x + 2, 2);
		x += 4 + (size_t)read_le(x + 2, 2);
	}
	return len == 0;
}

/* The local header (local) or zip directory record at off, whose signature is there, into
 * h (h->name to be freed). Returns 0; 1 when it runs past the end of the file; -1 when it
 * lacks the ZIP64 field its sizes call for. */
static int read_head(struct zwalk *w, uint64_t off, int local, struct zhead *h)
{
	unsigned char fix[CENTRAL_SIZE], *extra = NULL;
	size_t fix_len = local ? LOCAL_SIZE : CENTRAL_SIZE, extra_len, comment_len = 0;
	const unsigned char *p = fix + (local ? 4 : 6);   /* from "version needed": alike */
	int ret = 1;

	memset(h, 0, sizeof *h);
	h->name = xstrdup("");
	if (read_at(w, off, fix, fix_len) != 0)
		goto out;
	h->fixed = 1;
	h->version = (unsigned)read_le(p, 2);
	h->flags = (unsigned)read_le(p + 2, 2);
	h->method = (unsigned)read_le(p + 4, 2);
	h->time = (unsigned)read_le(p + 6, 2);
	h->date = (unsigned)read_le(p + 8, 2);
	h->crc = (unsigned long)read_le(p + 10, 4);
	h->comp = read_le(p + 14, 4);
	h->uncomp = read_le(p + 18, 4);
	h->name_len = (size_t)read_le(p + 22, 2);
	extra_len = (size_t)read_le(p + 24, 2);
	h->off = local ? off : read_le(fix + 42, 4);
	if (!local)
		comment_len = (size_t)read_le(fix + 32, 2);
	h->name = xrealloc(h->name, h->name_len + 1);
	if (read_at(w, off + fix_len, h->name, h->name_len) != 0) {
		/* what there is of it */
		size_t got = off + fix_len < w->size ? (size_t)(w->size - off - fix_len) : 0;
		if (got > h->name_len || read_at(w, off + fix_len, h->name, got) != 0)
			got = 0;
		h->name_len = got;
		h->name[got] = '\0';
		goto out;
	}
	h->name[h->name_len] = '\0';
	h->name_whole = 1;
	extra = xmalloc(extra_len + 1);
	if (read_at(w, off + fix_len + h->name_len, extra, extra_len) != 0)
		goto out;
	h->extra_ok = extra_well_formed(extra, extra_len);
	if (local) {
		uint64_t *want[] = { &h->uncomp, &h->comp };
		if (zip64_fields(extra, extra_len, want, 2) != 0) {
			ret = -1;
			goto out;
		}
	} else {
		uint64_t *want[] = { &h->uncomp, &h->comp, &h->off };
		if (zip64_fields(extra, extra_len, want, 3) != 0) {
			ret = -1;
			goto out;
		}
	}
	h->end = off + fix_len + h->name_len + extra_len + comment_len;
	if (local && !(h->flags & 8))
		h->end += h->comp;
	if (h->end < off || h->end > w->size)
		goto out;
	ret = 0;
out:
	free(extra);
	return ret;
}

static int cmp_head_off(const void *a, const void *b)
{
	uint64_t x = ((const struct zhead *)a)->off, y = ((const struct zhead *)b)->off;

	return x < y ? -1 : x > y;
}

/* In heads (sorted by offset), the one whose local header is at off. */
static struct zhead *head_at(struct zhead *heads, size_t n, uint64_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (heads[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && heads[lo].off == off ? &heads[lo] : NULL;
}

/* Does the file end with a zip directory end record? Then the directory records it points
 * to, as far as they can be read, so that the walk from the front can compare. */
static void find_end(struct zwalk *w)
{
	unsigned char e[END_SIZE], l[LOCATOR64_SIZE], z[END64_SIZE];
	uint64_t lo = w->size > END_SIZE + MAX_COMMENT ? w->size - END_SIZE - MAX_COMMENT : 0;
	uint64_t at, dir;
	unsigned char *tail;
	size_t cap = 0;

	if (w->size < END_SIZE)
		return;
	tail = xmalloc((size_t)(w->size - lo));
	if (read_at(w, lo, tail, (size_t)(w->size - lo)) != 0) {
		free(tail);
		return;
	}
	for (at = w->size - END_SIZE + 1; at-- > lo;) {
		const unsigned char *p = tail + (at - lo);
		if (read_le(p, 4) == SIG_END && at + END_SIZE + read_le(p + 20, 2) == w->size)
			break;
	}
	if (at >= lo && at <= w->size)
		memcpy(e, tail + (at - lo), END_SIZE);
	free(tail);
	if (at < lo || at > w->size)
		return;
	w->has_end = 1;
	dir = read_le(e + 16, 4);
	if (dir == SATURATED) {
		if (at < LOCATOR64_SIZE || read_at(w, at - LOCATOR64_SIZE, l, sizeof l) != 0 ||
		    read_le(l, 4) != SIG_LOCATOR64 ||
		    read_at(w, read_le(l + 8, 8), z, sizeof z) != 0 || read_le(z, 4) != SIG_END64)
			return;
		dir = read_le(z + 48, 8);
	}
	w->tail_dir_known = 1;
	w->tail_dir = dir;
	while (sig_at(w, dir) == SIG_CENTRAL) {
		struct zhead h;
		if (read_head(w, dir, 0, &h) != 0) {
			free(h.name);
			break;
		}
		if (w->n_dir == cap) {
			cap = cap ? 2 * cap : 64;
			w->dir = xrealloc(w->dir, cap * sizeof *w->dir);
		}
		w->dir[w->n_dir++] = h;
		dir = h.end;
	}
	if (w->n_dir)
		qsort(w->dir, w->n_dir, sizeof *w->dir, cmp_head_off);
}

/* The verdict, and what the message says: before, the entry of h (if any), after. */
static void verdict(struct zwalk *w, enum verdict v, const char *before, const struct zhead *h,
		    const char *after, ...) __attribute__((format(printf, 5, 6)));

static void verdict(struct zwalk *w, enum verdict v, const char *before, const struct zhead *h,
		    const char *after, ...)
{
	char tail[200];
	va_list ap;

	w->verdict = v;
	buf_reset(&w->what);
	buf_adds(&w->what, before);
	if (h && h->name_whole && h->name_len) {
		buf_adds(&w->what, "entry '");
		reader_add_shown(&w->what, h->name, h->name_len, 400);
		buf_addc(&w->what, '\'');
	} else if (h) {
		buf_adds(&w->what, "an entry");
	}
	va_start(ap, after);
	vsnprintf(tail, sizeof tail, after, ap);
	va_end(ap);
	buf_adds(&w->what, tail);
}

/* What libzip's consistency check compares (flags and versions may differ). */
static int same_entry(const struct zhead *l, const struct zhead *c)
{
	return l->method == c->method && l->time == c->time && l->date == c->date &&
	       l->crc == c->crc && l->comp == c->comp && l->uncomp == c->uncomp &&
	       l->name_len == c->name_len && memcmp(l->name, c->name, l->name_len) == 0;
}

/* Which of a local header and its directory record (or NULL) names the entry: the local
 * one unless its name is cut off or is no entry name (its length field is damaged). */
static const struct zhead *naming(const struct zhead *h, const struct zhead *d)
{
	if (d && (!h->name_whole || strlen(h->name) != h->name_len ||
		  reader_unsafe_name(h->name)))
		return d;
	return h;
}

/* The walk from the front, local header by local header. Returns where it stopped (the
 * first byte that is no local header) with no verdict yet, or with one. */
static uint64_t walk_locals(struct zwalk *w)
{
	uint64_t off = 0;
	size_t cap = 0;

	for (;;) {
		struct zhead h, *d;
		int rc;
		if (off == w->size && w->n_loc > 0 && !w->has_end) {
			verdict(w, V_TRUNCATED, "it ends after ", &w->loc[w->n_loc - 1],
				" and the zip directory at its end is missing");
			return off;
		}
		if (sig_at(w, off) != SIG_LOCAL)
			return off;
		rc = read_head(w, off, 1, &h);
		d = h.fixed ? head_at(w->dir, w->n_dir, off) : NULL;
		if (rc == 0 && (h.flags & 8))
			verdict(w, V_UNKNOWN, "", NULL, "sizes in data descriptors");
		else if (rc < 0)
			verdict(w, V_DAMAGED, "the local header of ", naming(&h, d), " is damaged");
		else if (d && (!same_entry(&h, d) || d->version < h.version))
			verdict(w, V_DAMAGED, "the local header of ", naming(&h, d), " and its "
				"record in the zip directory disagree");
		else if (rc == 0 && !h.extra_ok)
			verdict(w, V_DAMAGED, "the local header of ", naming(&h, d), " is damaged");
		else if (rc > 0 && w->has_end)
			verdict(w, V_DAMAGED, "the local header of ", naming(&h, d), " gives a size "
				"that runs past the end of the file, yet the file ends with a zip "
				"directory");
		else if (rc > 0 && h.name_whole)
			verdict(w, V_TRUNCATED, "it breaks off in ", &h, " and the zip directory at "
				"its end is missing");
		else if (rc > 0 && w->n_loc > 0)
			verdict(w, V_TRUNCATED, "it breaks off in the header of the entry after ",
				&w->loc[w->n_loc - 1], " and the zip directory at its end is missing");
		else if (rc > 0)
			verdict(w, V_TRUNCATED, "", NULL, "it breaks off in the header of its first "
				"entry");
		if (w->verdict != V_NONE) {
			free(h.name);
			return off;
		}
		if (w->n_loc == cap) {
			cap = cap ? 2 * cap : 64;
			w->loc = xrealloc(w->loc, cap * sizeof *w->loc);
		}
		w->loc[w->n_loc++] = h;
		off = h.end;
	}
}

/* Something at off, where the local headers stop, is neither one nor the zip directory. */
static void strange_after_locals(struct zwalk *w, uint64_t off)
{
	struct zhead *d = head_at(w->dir, w->n_dir, off);

	if (d)
		verdict(w, V_DAMAGED, "the local header of ", d, " is damaged");
	else if (w->tail_dir_known && w->tail_dir == off)
		verdict(w, V_DAMAGED, "", NULL, "the zip directory is damaged at its start (byte "
			"%llu)", (unsigned long long)off);
	else if (w->n_loc > 0)
		verdict(w, V_DAMAGED, "what follows ", &w->loc[w->n_loc - 1], " (at byte %llu) is "
			"neither an entry nor the zip directory", (unsigned long long)off);
	else
		verdict(w, V_DAMAGED, "", NULL, "byte %llu is neither an entry nor the zip "
			"directory", (unsigned long long)off);
}

/* The zip directory's end record at off; count records were read from start to dir_end. */
static void check_end(struct zwalk *w, uint64_t off, uint64_t start, uint64_t dir_end,
		      uint64_t count, const unsigned char *z64)
{
	unsigned char e[END_SIZE];
	uint64_t n, size, at;

	if (read_at(w, off, e, END_SIZE) != 0) {
		if (w->has_end)
			verdict(w, V_DAMAGED, "", NULL, "the zip directory is damaged (it runs "
				"past the end of the file)");
		else
			verdict(w, V_TRUNCATED, "", NULL, "it breaks off in the zip directory at "
				"its end");
		return;
	}
	n = read_le(e + 10, 2);
	size = read_le(e + 12, 4);
	at = read_le(e + 16, 4);
	if (z64 && n == 0xFFFFu)
		n = read_le(z64 + 32, 8);
	if (z64 && size == SATURATED)
		size = read_le(z64 + 40, 8);
	if (z64 && at == SATURATED)
		at = read_le(z64 + 48, 8);
	for (size_t i = 0; i < w->n_loc; i++)
		if (!w->loc[i].matched) {
			verdict(w, V_DAMAGED, "the zip directory has no record of ", &w->loc[i], "%s",
				"");
			return;
		}
	if (read_le(e + 20, 2) > w->size - off - END_SIZE)
		verdict(w, V_DAMAGED, "", NULL, "the end record of the zip directory is damaged "
			"(its comment runs past the end of the file)");
	else if (read_le(e + 4, 2) != 0 || read_le(e + 6, 2) != 0 ||
		 read_le(e + 8, 2) != read_le(e + 10, 2) || n != count || at != start ||
		 size != dir_end - start)
		verdict(w, V_DAMAGED, "", NULL, "the end record of the zip directory is damaged");
	else if (count != w->n_loc)
		verdict(w, V_DAMAGED, "", NULL, "the zip directory lists %llu entries, the file "
			"holds %zu", (unsigned long long)count, w->n_loc);
	else
		verdict(w, V_INTACT, "", NULL, "no damage found");
}

/* The zip directory from off (where the local headers end) to its end record. */
static void walk_directory(struct zwalk *w, uint64_t off)
{
	uint64_t start = off, dir_end = off, count = 0;
	unsigned char z64[END64_SIZE];
	int have_z64 = 0, in_order = 1;

	for (;;) {
		uint32_t sig = off <= w->size && w->size - off >= 4 ? sig_at(w, off) : 0;
		if (sig == SIG_CENTRAL) {
			struct zhead h, *l;
			int rc = read_head(w, off, 0, &h);
			l = h.fixed ? head_at(w->loc, w->n_loc, h.off) : NULL;
			if (rc < 0)
				verdict(w, V_DAMAGED, "the zip directory's record of ", &h, " is "
					"damaged");
			else if (rc > 0 && !w->has_end)
				verdict(w, V_TRUNCATED, "", NULL, "it breaks off in the zip "
					"directory at its end");
			else if (rc > 0)
				verdict(w, V_DAMAGED, "the zip directory's record of ", l ? l : &h,
					" is damaged");
			else if (!l)
				verdict(w, V_DAMAGED, "the zip directory's record of ", &h, " points to "
					"no entry");
			else if (!same_entry(l, &h) || h.version < l->version)
				verdict(w, V_DAMAGED, "the local header of ", l, " and its record in "
					"the zip directory disagree");
			else if (!h.extra_ok)
				verdict(w, V_DAMAGED, "the zip directory's record of ", l, " is "
					"damaged");
			else if (in_order && count > 0 && count < w->n_loc && l > &w->loc[count])
				/* the records were in file order, and this one skips some: the
				 * lengths in the one before are damaged */
				verdict(w, V_DAMAGED, "the zip directory's record of ",
					&w->loc[count - 1], " is damaged");
			free(h.name);
			if (w->verdict != V_NONE)
				return;
			in_order = in_order && count < w->n_loc && l == &w->loc[count];
			l->matched = 1;
			count++;
			off = dir_end = h.end;
		} else if (sig == SIG_END64 && !have_z64 && read_at(w, off, z64, END64_SIZE) == 0 &&
			   read_le(z64 + 4, 8) == END64_SIZE - 12) {
			have_z64 = 1;
			off += END64_SIZE;
		} else if (sig == SIG_LOCATOR64 && have_z64 == 1 && w->size - off >= LOCATOR64_SIZE) {
			have_z64 = 2;
			off += LOCATOR64_SIZE;
		} else if (sig == SIG_END) {
			check_end(w, off, start, dir_end, count, have_z64 ? z64 : NULL);
			return;
		} else if (!sig && !(off <= w->size && w->size - off >= 4)) {
			if (w->has_end)
				verdict(w, V_DAMAGED, "", NULL, "the zip directory is damaged (it runs "
					"past the end of the file)");
			else
				verdict(w, V_TRUNCATED, "", NULL, "it breaks off in the zip directory "
					"at its end");
			return;
		} else if (off == start) {
			strange_after_locals(w, off);
			return;
		} else if (in_order && count < w->n_loc) {
			verdict(w, V_DAMAGED, "the zip directory's record of ", &w->loc[count],
				" is damaged");
			return;
		} else {
			verdict(w, V_DAMAGED, "", NULL, "the %s of the zip directory is damaged (at "
				"byte %llu)", count >= w->n_loc ? "end record" : "record",
				(unsigned long long)off);
			return;
		}
	}
}

static void walk_zip(struct zwalk *w, const char *path)
{
	off_t size;
	uint64_t stop;

	w->f = fopen(path, "rb");
	if (!w->f || fseeko(w->f, 0, SEEK_END) != 0 || (size = ftello(w->f)) < 0)
		return;
	w->size = (uint64_t)size;
	find_end(w);
	if (sig_at(w, 0) != SIG_LOCAL && !w->has_end)
		return;   /* not a zip */
	stop = walk_locals(w);
	if (w->verdict == V_NONE)
		walk_directory(w, stop);
}

static void open_error(struct ofb_reader *r, int zerr, struct ofb_error *err)
{
	struct zwalk w;
	zip_error_t ze;
	int walk = zerr == ZIP_ER_NOZIP || zerr == ZIP_ER_INCONS || zerr == ZIP_ER_EOF ||
		   zerr == ZIP_ER_MULTIDISK || zerr == ZIP_ER_SEEK;

	memset(&w, 0, sizeof w);
	buf_init(&w.what);
	zip_error_init_with_code(&ze, zerr);
	if (walk)
		walk_zip(&w, r->path);
	if (w.verdict == V_TRUNCATED)
		ofb_error_set(err, "cannot open package '%s': the file is truncated: %s", r->path,
			      w.what.data);
	else if (w.verdict == V_DAMAGED)
		ofb_error_set(err, "cannot open package '%s': the file is damaged: %s", r->path,
			      w.what.data);
	else if (w.verdict == V_INTACT)
		ofb_error_set(err, "cannot open package '%s': %s (the file is damaged)", r->path,
			      zip_error_strerror(&ze));
	else
		ofb_error_set(err, "cannot open package '%s': %s%s", r->path,
			      zip_error_strerror(&ze),
			      walk ? " (the file is damaged or truncated, or not a package)" : "");
	zip_error_fini(&ze);
	if (w.f)
		fclose(w.f);
	for (size_t i = 0; i < w.n_loc; i++)
		free(w.loc[i].name);
	for (size_t i = 0; i < w.n_dir; i++)
		free(w.dir[i].name);
	free(w.loc);
	free(w.dir);
	buf_free(&w.what);
}

static int is_symlink_entry(zip_t *z, zip_uint64_t i)
{
	zip_uint8_t opsys = 0;
	zip_uint32_t attr = 0;

	if (zip_file_get_external_attributes(z, i, 0, &opsys, &attr) != 0)
		return 0;
	return opsys == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK;
}

/* Every name of the central directory: safe, unique, and no name both a file and a folder. */
static int list_entries(struct ofb_reader *r, struct ofb_error *err)
{
	zip_int64_t n = zip_get_num_entries(r->zip, 0);
	int have_manifest = 0, ret = -1;

	r->entries = xcalloc(n > 0 ? (size_t)n : 1, sizeof *r->entries);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(r->zip, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		const char *why;
		struct entry *e;
		if (!name) {
			ofb_error_set(err, "package '%s': cannot read the name of entry %lld: %s",
				      r->path, (long long)i, zip_strerror(r->zip));
			goto out;
		}
		why = reader_unsafe_name(name);
		if (why) {
			reader_entry_error(err, r, name, " is unsafe: it %s", why);
			goto out;
		}
		if (is_symlink_entry(r->zip, (zip_uint64_t)i)) {
			reader_entry_error(err, r, name, " is a symbolic link; packages hold none");
			goto out;
		}
		if (strcmp(name, "manifest.json") == 0) {
			if (have_manifest) {
				reader_entry_error(err, r, name, " appears twice");
				goto out;
			}
			have_manifest = 1;
			r->manifest_index = (zip_uint64_t)i;
			continue;
		}
		e = &r->entries[r->n_entries++];
		e->name = xstrdup(name);
		e->index = (zip_uint64_t)i;
		e->is_dir = name[strlen(name) - 1] == '/';
	}
	if (!have_manifest) {
		ofb_error_set(err, "'%s' is not an ofbackup package: it has no manifest.json",
			      r->path);
		goto out;
	}
	qsort(r->entries, r->n_entries, sizeof *r->entries, cmp_entries);
	for (size_t i = 0; i + 1 < r->n_entries; i++)
		if (strcmp(r->entries[i].name, r->entries[i + 1].name) == 0) {
			reader_entry_error(err, r, r->entries[i].name, " appears twice");
			goto out;
		}
	for (size_t i = 0; i < r->n_entries; i++) {
		char *as_dir;
		size_t k;
		if (r->entries[i].is_dir)
			continue;
		as_dir = xasprintf("%s/", r->entries[i].name);
		k = reader_lower_bound(r, as_dir);
		if (k < r->n_entries && strncmp(r->entries[k].name, as_dir, strlen(as_dir)) == 0) {
			reader_entry_error(err, r, r->entries[i].name, " is both a file and a folder");
			free(as_dir);
			goto out;
		}
		free(as_dir);
	}
	ret = 0;
out:
	return ret;
}

static int load_manifest(struct ofb_reader *r, struct ofb_error *err)
{
	zip_file_t *f = NULL;
	zip_stat_t st;
	struct buf text;
	json_error_t jerr;
	json_t *fmt, *ver;
	int ret = -1;

	buf_init(&text);
	if (zip_stat_index(r->zip, r->manifest_index, 0, &st) != 0 ||
	    !(st.valid & ZIP_STAT_SIZE) || st.size > MANIFEST_MAX) {
		reader_entry_error(err, r, "manifest.json", " is missing its size or implausibly large");
		goto out;
	}
	f = zip_fopen_index(r->zip, r->manifest_index, 0);
	if (!f) {
		reader_entry_error(err, r, "manifest.json", " cannot be read: %s", zip_strerror(r->zip));
		goto out;
	}
	for (;;) {
		zip_int64_t n;
		buf_grow(&text, CHUNK_SIZE);
		n = zip_fread(f, text.data + text.len, CHUNK_SIZE);
		if (n < 0) {
			reader_entry_error(err, r, "manifest.json", " is damaged: %s", zip_file_strerror(f));
			goto out;
		}
		if (n == 0)
			break;
		text.len += (size_t)n;
		if (text.len > MANIFEST_MAX) {
			reader_entry_error(err, r, "manifest.json", " is implausibly large");
			goto out;
		}
	}
	r->manifest = json_loadb(text.data, text.len, 0, &jerr);
	if (!r->manifest) {
		reader_entry_error(err, r, "manifest.json", " is not valid JSON (line %d: %s)", jerr.line,
			    jerr.text);
		goto out;
	}
	fmt = json_object_get(r->manifest, "format");
	ver = json_object_get(r->manifest, "format_version");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), OFB_FORMAT_NAME) != 0 ||
	    !json_is_integer(ver) || json_integer_value(ver) < 1) {
		ofb_error_set(err, "'%s' is not an ofbackup package (manifest format unknown)",
			      r->path);
		goto out;
	}
	if (json_integer_value(ver) > OFB_FORMAT_VERSION) {
		ofb_error_set(err, "package '%s' has format version %lld; this ofbackup reads up to "
			      "%d: use a newer ofbackup", r->path,
			      (long long)json_integer_value(ver), OFB_FORMAT_VERSION);
		goto out;
	}
	ret = 0;
out:
	if (f)
		zip_fclose(f);
	buf_free(&text);
	return ret;
}

/* Every zip entry is listed in the manifest and every listed entry is in the zip. */
static int match_manifest(struct ofb_reader *r, struct ofb_error *err)
{
	json_t *list = json_object_get(r->manifest, "entries"), *rec;
	size_t i;
	int ret = -1;

	if (!json_is_array(list)) {
		reader_entry_error(err, r, "manifest.json", " has no list of entries");
		goto out;
	}
	json_array_foreach(list, i, rec) {
		json_t *path = json_object_get(rec, "path");
		const char *p;
		struct entry *e;
		if (!json_is_string(path) || json_string_length(path) == 0 ||
		    strlen(json_string_value(path)) != json_string_length(path)) {
			reader_entry_error(err, r, "manifest.json", ": entries[%zu] has no valid path", i);
			goto out;
		}
		p = json_string_value(path);
		if (strcmp(p, "manifest.json") == 0) {
			reader_entry_error(err, r, p, " is listed in the manifest, which cannot record "
				    "itself");
			goto out;
		}
		if (check_record(r, p, rec, err) != 0)
			goto out;
		e = find_entry(r, p);
		if (!e) {
			reader_entry_error(err, r, p, " is listed in the manifest but missing from the zip");
			goto out;
		}
		if (e->rec) {
			reader_entry_error(err, r, p, " is listed twice in the manifest");
			goto out;
		}
		e->rec = rec;
	}
	for (i = 0; i < r->n_entries; i++)
		if (!r->entries[i].rec) {
			reader_entry_error(err, r, r->entries[i].name, " is not listed in the manifest");
			goto out;
		}
	ret = 0;
out:
	return ret;
}

struct ofb_reader *ofb_reader_open(const char *path, struct ofb_error *err)
{
	struct ofb_reader *r = xcalloc(1, sizeof *r);
	int zerr = 0, ok = 0;

	r->path = xstrdup(path);
	r->zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (!r->zip) {
		open_error(r, zerr, err);
		goto out;
	}
	if (list_entries(r, err) != 0 || load_manifest(r, err) != 0 ||
	    match_manifest(r, err) != 0)
		goto out;
	ok = 1;
out:
	if (!ok) {
		ofb_reader_close(r);
		r = NULL;
	}
	return r;
}

void ofb_reader_close(struct ofb_reader *r)
{
	if (!r)
		return;
	if (r->zip)
		zip_discard(r->zip);
	json_decref(r->manifest);
	for (size_t i = 0; i < r->n_entries; i++)
		free(r->entries[i].name);
	free(r->entries);
	free(r->path);
	free(r);
}

const char *ofb_reader_path(const struct ofb_reader *r)
{
	return r->path;
}

json_t *ofb_reader_manifest(const struct ofb_reader *r)
{
	return r->manifest;
}

json_t *ofb_reader_entry(const struct ofb_reader *r, const char *path)
{
	struct entry *e = find_entry(r, path);

	return e ? e->rec : NULL;
}

struct entry *reader_entries(const struct ofb_reader *r, size_t *n)
{
	*n = r->n_entries;
	return r->entries;
}

void reader_reset_vanished(struct ofb_reader *r)
{
	r->vanished = 0;
}

void reader_count_vanished(struct ofb_reader *r)
{
	r->vanished++;
}

size_t ofb_reader_extract_vanished(const struct ofb_reader *r)
{
	return r->vanished;
}

void reader_table_rows(struct ofb_reader *r, const char *name, unsigned long long rows)
{
	if (rows == 0) {
		r->progress_rows = 0;
	} else if (r->verifying && rows % ROWS_PER_PROGRESS == 0) {
		r->progress_rows = rows;
		ofb_progress_update(name, rows, r->progress_bytes);
	}
}

/* --- reading entries ------------------------------------------------------------------- */

int reader_read_entry(struct ofb_reader *r, struct entry *e, ofb_chunk_fn *fn, void *ctx,
	       int drain_on_fail, struct ofb_error *err)
{
	zip_file_t *f = NULL;
	EVP_MD_CTX *sha = NULL;
	char *chunk = NULL;
	uint64_t size = 0, want;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	struct ofb_error fn_err;
	struct buf hex;
	zip_stat_t st;
	int fn_failed = 0, ret = -1;

	buf_init(&hex);
	ofb_error_clear(&fn_err);
	if (e->is_dir) {
		if (zip_stat_index(r->zip, e->index, 0, &st) != 0 ||
		    ((st.valid & ZIP_STAT_SIZE) && st.size != 0)) {
			reader_entry_error(err, r, e->name, " is a folder but holds data");
			goto out;
		}
		e->checked = 1;
		ret = 0;
		goto out;
	}
	want = (uint64_t)json_integer_value(json_object_get(e->rec, "size"));
	f = zip_fopen_index(r->zip, e->index, 0);
	if (!f) {
		reader_entry_error(err, r, e->name, " cannot be read: %s", zip_strerror(r->zip));
		goto out;
	}
	sha = EVP_MD_CTX_new();
	if (!sha || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
		reader_entry_error(err, r, e->name, ": cannot start SHA-256");
		goto out;
	}
	chunk = xmalloc(CHUNK_SIZE);
	for (;;) {
		zip_int64_t n;
		if (ofb_interrupted) {
			reader_entry_error(err, r, e->name, ": interrupted");
			goto out;
		}
		n = zip_fread(f, chunk, CHUNK_SIZE);
		if (n < 0) {
			zip_error_t *ze = zip_file_get_error(f);
			if (zip_error_code_zip(ze) == ZIP_ER_CRC)
				reader_entry_error(err, r, e->name, " is damaged: its CRC does not match "
					    "its data");
			else
				reader_entry_error(err, r, e->name, " is damaged or truncated: %s",
					    zip_file_strerror(f));
			goto out;
		}
		if (n == 0)
			break;
		size += (uint64_t)n;
		/* no need to read on into what may be a decompression bomb */
		if (size > want) {
			reader_entry_error(err, r, e->name, " is damaged: it holds more than the %llu bytes "
				    "the manifest gives", (unsigned long long)want);
			goto out;
		}
		EVP_DigestUpdate(sha, chunk, (size_t)n);
		if (r->verifying) {
			r->progress_bytes += (uint64_t)n;
			ofb_progress_update(e->name, r->progress_rows, r->progress_bytes);
		}
		if (fn && !fn_failed && fn(ctx, chunk, (size_t)n, &fn_err) != 0) {
			fn_failed = 1;
			if (!drain_on_fail)
				break;
		}
	}
	if (!fn_failed || drain_on_fail) {
		if (size != want) {
			reader_entry_error(err, r, e->name, " is damaged: it holds %llu bytes, the manifest "
				    "gives %llu", (unsigned long long)size, (unsigned long long)want);
			goto out;
		}
		if (EVP_DigestFinal_ex(sha, md, &md_len) != 1) {
			reader_entry_error(err, r, e->name, ": cannot finish SHA-256");
			goto out;
		}
		buf_add_hex(&hex, md, md_len);
		if (strcmp(hex.data, json_string_value(json_object_get(e->rec, "sha256"))) != 0) {
			reader_entry_error(err, r, e->name, " is damaged: its SHA-256 differs from the "
				    "manifest's");
			goto out;
		}
	}
	if (fn_failed) {
		*err = fn_err;
		goto out;
	}
	e->checked = 1;
	ret = 0;
out:
	if (f)
		zip_fclose(f);
	EVP_MD_CTX_free(sha);
	free(chunk);
	buf_free(&hex);
	return ret;
}

struct entry *reader_need_entry(struct ofb_reader *r, const char *path, struct ofb_error *err)
{
	struct entry *e = find_entry(r, path);

	if (!e)
		reader_entry_error(err, r, path, " is not in the package");
	return e;
}

int ofb_reader_read(struct ofb_reader *r, const char *path, ofb_chunk_fn *fn, void *ctx,
		    struct ofb_error *err)
{
	struct entry *e = reader_need_entry(r, path, err);

	return e ? reader_read_entry(r, e, fn, ctx, 0, err) : -1;
}

static int append_chunk(void *ctx, const char *data, size_t n, struct ofb_error *err)
{
	(void)err;
	buf_add(ctx, data, n);
	return 0;
}

char *ofb_reader_slurp(struct ofb_reader *r, const char *path, size_t *len,
		       struct ofb_error *err)
{
	struct entry *e = reader_need_entry(r, path, err);
	struct buf text;
	char *out = NULL;

	buf_init(&text);
	if (!e)
		goto out;
	if (e->is_dir || json_integer_value(json_object_get(e->rec, "size")) > SLURP_MAX) {
		reader_entry_error(err, r, path, " is %s", e->is_dir ? "a folder" : "implausibly large");
		goto out;
	}
	if (reader_read_entry(r, e, append_chunk, &text, 0, err) != 0)
		goto out;
	if (len)
		*len = text.len;
	out = buf_detach(&text);
out:
	buf_free(&text);
	return out;
}

int ofb_reader_schema(struct ofb_reader *r, const char *folder, struct ofb_schema *out,
		      struct ofb_error *err)
{
	static const char own_prefix[] = "schema.json: ";
	char *path = xasprintf("%sschema.json", folder);
	char *text = NULL;
	int ret = -1;

	memset(out, 0, sizeof *out);
	text = ofb_reader_slurp(r, path, NULL, err);
	if (!text)
		goto out;
	if (ofb_schema_from_json(text, out, err) != 0) {
		/* name the entry rather than just "schema.json" */
		char cause[OFB_ERROR_MAX];
		size_t skip = strncmp(err->msg, own_prefix, sizeof own_prefix - 1) == 0
				      ? sizeof own_prefix - 1 : 0;
		snprintf(cause, sizeof cause, "%s", err->msg + skip);
		reader_entry_error(err, r, path, ": %s", cause);
		goto out;
	}
	for (size_t i = 0; i < out->n_tables; i++) {
		const char *entry = out->tables[i].entry;
		if (!entry || strncmp(entry, folder, strlen(folder)) != 0) {
			reader_entry_error(err, r, path, ": table '%s' has its data file '%s' outside '%s'",
				    out->tables[i].name, entry ? entry : "(none)", folder);
			ofb_schema_free(out);
			goto out;
		}
	}
	ret = 0;
out:
	free(path);
	free(text);
	return ret;
}

/* --- verify ---------------------------------------------------------------------------- */

/* A table of a database as the manifest lists it. */
struct listed_table {
	const char *name;
	const char *entry;
	json_int_t rows;
	size_t pos;              /* in the manifest's list, from 1 */
	int seen;                /* schema.json describes it */
};

static int cmp_listed(const void *a, const void *b)
{
	return strcmp(((const struct listed_table *)a)->name, ((const struct listed_table *)b)->name);
}

static int cmp_table_names(const void *a, const void *b)
{
	return strcmp((*(struct ofb_table *const *)a)->name, (*(struct ofb_table *const *)b)->name);
}

static int valid_text(json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0 &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* The manifest's list of tables and schema.json describe the same tables, each once, with
 * the same data files: what restore loads (schema.json) is what verify decodes and counts. */
static int match_tables(struct ofb_reader *r, json_t *tables, struct ofb_schema *s,
			const char *subject, const char *schema_path, struct listed_table *lt,
			struct ofb_error *err)
{
	size_t n = json_array_size(tables), i;
	struct ofb_table **by_name = xcalloc(s->n_tables + 1, sizeof *by_name);
	json_t *mt;
	int ret = -1;

	json_array_foreach(tables, i, mt) {
		json_t *name = json_object_get(mt, "name"), *entry = json_object_get(mt, "entry");
		json_t *rows = json_object_get(mt, "rows");
		if (!valid_text(name) || !valid_text(entry) || !valid_count(rows)) {
			reader_entry_error(err, r, "manifest.json", ": table %zu of %s has no valid name, "
				    "entry and rows", i + 1, subject);
			goto out;
		}
		lt[i].name = json_string_value(name);
		lt[i].entry = json_string_value(entry);
		lt[i].rows = json_integer_value(rows);
		lt[i].pos = i + 1;
	}
	qsort(lt, n, sizeof *lt, cmp_listed);
	for (i = 0; i + 1 < n; i++)
		if (strcmp(lt[i].name, lt[i + 1].name) == 0) {
			reader_entry_error(err, r, "manifest.json", ": %s lists table '%s' twice (tables "
				    "%zu and %zu)", subject, lt[i].name,
				    lt[i].pos < lt[i + 1].pos ? lt[i].pos : lt[i + 1].pos,
				    lt[i].pos < lt[i + 1].pos ? lt[i + 1].pos : lt[i].pos);
			goto out;
		}
	for (i = 0; i < s->n_tables; i++)
		by_name[i] = &s->tables[i];
	qsort(by_name, s->n_tables, sizeof *by_name, cmp_table_names);
	for (i = 0; i + 1 < s->n_tables; i++)
		if (strcmp(by_name[i]->name, by_name[i + 1]->name) == 0) {
			reader_entry_error(err, r, schema_path, " describes table '%s' of %s twice",
				    by_name[i]->name, subject);
			goto out;
		}
	for (i = 0; i < s->n_tables; i++) {
		struct ofb_table *t = &s->tables[i];
		struct listed_table key, *l;
		key.name = t->name;
		l = bsearch(&key, lt, n, sizeof *lt, cmp_listed);
		if (!l) {
			reader_entry_error(err, r, "manifest.json", ": %s does not list table '%s', which "
				    "'%s' describes", subject, t->name, schema_path);
			goto out;
		}
		if (strcmp(l->entry, t->entry) != 0) {
			reader_entry_error(err, r, "manifest.json", ": %s lists table '%s' with data file "
				    "'%s', '%s' gives '%s'", subject, t->name, l->entry, schema_path,
				    t->entry);
			goto out;
		}
		l->seen = 1;
	}
	for (i = 0; i < n; i++)
		if (!lt[i].seen) {
			reader_entry_error(err, r, "manifest.json", ": %s lists table '%s', which '%s' "
				    "does not describe", subject, lt[i].name, schema_path);
			goto out;
		}
	ret = 0;
out:
	free(by_name);
	return ret;
}

/* One database of the manifest, which must be in folder (where restore looks for it):
 * its schema.json, the manifest's list of its tables, and every table decoded and counted. */
static int verify_database(struct ofb_reader *r, json_t *db, const char *folder,
			   const char *subject, struct ofb_error *err)
{
	json_t *mfolder = json_object_get(db, "folder"), *schema = json_object_get(db, "schema");
	json_t *tables = json_object_get(db, "tables");
	struct listed_table *lt = NULL;
	struct ofb_schema s;
	char *schema_path = NULL;
	int ret = -1;

	memset(&s, 0, sizeof s);
	if (!json_is_string(mfolder) || !json_is_string(schema) || !json_is_array(tables)) {
		reader_entry_error(err, r, "manifest.json", ": %s has no valid folder, schema and tables",
			    subject);
		goto out;
	}
	if (strcmp(json_string_value(mfolder), folder) != 0 ||
	    strlen(folder) != json_string_length(mfolder)) {
		struct buf shown;
		buf_init(&shown);
		reader_add_shown(&shown, json_string_value(mfolder), json_string_length(mfolder), 200);
		reader_entry_error(err, r, "manifest.json", ": the folder of %s is '%s', not '%s'",
			    subject, shown.data, folder);
		buf_free(&shown);
		goto out;
	}
	schema_path = xasprintf("%sschema.json", folder);
	if (strcmp(schema_path, json_string_value(schema)) != 0) {
		reader_entry_error(err, r, "manifest.json", ": the schema of %s is not '%s'", subject,
			    schema_path);
		goto out;
	}
	if (ofb_reader_schema(r, folder, &s, err) != 0)
		goto out;
	lt = xcalloc(json_array_size(tables) + 1, sizeof *lt);
	if (match_tables(r, tables, &s, subject, schema_path, lt, err) != 0)
		goto out;
	/* in schema order, as restore loads them */
	for (size_t i = 0; i < s.n_tables; i++) {
		struct ofb_table *t = &s.tables[i];
		struct listed_table key, *l;
		unsigned long long got = 0;
		key.name = t->name;
		l = bsearch(&key, lt, json_array_size(tables), sizeof *lt, cmp_listed);
		if (ofb_reader_table(r, t, NULL, NULL, &got, err) != 0)
			goto out;
		if (got != (unsigned long long)l->rows) {
			reader_entry_error(err, r, t->entry, " holds %llu rows, the manifest's table '%s' "
				    "of %s gives %lld", got, t->name, subject, (long long)l->rows);
			goto out;
		}
	}
	ret = 0;
out:
	ofb_schema_free(&s);
	free(schema_path);
	free(lt);
	return ret;
}

static int cmp_by_index(const void *a, const void *b)
{
	zip_uint64_t x = (*(struct entry *const *)a)->index, y = (*(struct entry *const *)b)->index;

	return x < y ? -1 : x > y;
}

int ofb_reader_verify(struct ofb_reader *r, struct ofb_error *err)
{
	json_t *login = json_object_get(r->manifest, "login");
	json_t *clients = json_object_get(r->manifest, "clients"), *c;
	struct entry **order = xcalloc(r->n_entries + 1, sizeof *order);
	size_t i;
	json_t *ids = json_object();   /* client ids seen */
	int ret = -1;

	r->verifying = 1;
	r->progress_bytes = 0;
	for (i = 0; i < r->n_entries; i++)
		r->entries[i].checked = 0;
	if (!json_is_null(login)) {
		if (!json_is_object(login)) {
			reader_entry_error(err, r, "manifest.json", ": 'login' is neither a database nor null");
			goto out;
		}
		if (verify_database(r, login, "login/", "the login database", err) != 0)
			goto out;
	}
	if (!json_is_array(clients)) {
		reader_entry_error(err, r, "manifest.json", " has no list of clients");
		goto out;
	}
	json_array_foreach(clients, i, c) {
		json_t *id = json_object_get(c, "id"), *status = json_object_get(c, "status");
		json_t *db = json_object_get(c, "database");
		char *subject, *folder;
		const char *idv;
		int rc;
		if (!valid_text(id) || !json_is_string(status)) {
			reader_entry_error(err, r, "manifest.json", ": client %zu has no id or status", i + 1);
			goto out;
		}
		idv = json_string_value(id);
		if (strchr(idv, '/') || reader_unsafe_name(idv)) {
			struct buf shown;
			buf_init(&shown);
			reader_add_shown(&shown, idv, strlen(idv), 100);
			reader_entry_error(err, r, "manifest.json", ": client %zu has an id ('%s') that is "
				    "no folder name", i + 1, shown.data);
			buf_free(&shown);
			goto out;
		}
		if (json_object_get(ids, idv)) {
			reader_entry_error(err, r, "manifest.json", ": client '%s' is listed twice", idv);
			goto out;
		}
		json_object_set_new(ids, idv, json_true());
		if (strcmp(json_string_value(status), "ok") != 0)
			continue;
		if (!json_is_object(db)) {
			reader_entry_error(err, r, "manifest.json", ": client '%s' has no database",
				    json_string_value(id));
			goto out;
		}
		subject = xasprintf("client '%s'", idv);
		folder = xasprintf("clients/%s/db/", idv);
		rc = verify_database(r, db, folder, subject, err);
		free(folder);
		free(subject);
		if (rc != 0)
			goto out;
	}
	/* what the databases did not read already, in archive order (sequential reads) */
	for (i = 0; i < r->n_entries; i++)
		order[i] = &r->entries[i];
	qsort(order, r->n_entries, sizeof *order, cmp_by_index);
	for (i = 0; i < r->n_entries; i++) {
		r->progress_rows = 0;
		if (!order[i]->checked && reader_read_entry(r, order[i], NULL, NULL, 0, err) != 0)
			goto out;
	}
	ret = 0;
out:
	r->verifying = 0;
	json_decref(ids);
	free(order);
	return ret;
}
