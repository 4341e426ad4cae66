/* zipwalk.c - why a zip file does not open: it is walked by hand and told apart as
 * truncated or damaged, naming the entry where it can (libzip only says "not a zip"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "names.h"
#include "zipwalk.h"
#include "util.h"

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
		ofb_add_shown(&w->what, h->name, h->name_len, 400);
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
		  ofb_name_unsafe(h->name)))
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
/* The zip directory runs past the end of the file: damaged when the file's end record
 * is there, cut off otherwise. */
static void directory_cut_off(struct zwalk *w)
{
	if (w->has_end)
		verdict(w, V_DAMAGED, "", NULL, "the zip directory is damaged (it runs past the "
			"end of the file)");
	else
		verdict(w, V_TRUNCATED, "", NULL, "it breaks off in the zip directory at its end");
}

static void check_end(struct zwalk *w, uint64_t off, uint64_t start, uint64_t dir_end,
		      uint64_t count, const unsigned char *z64)
{
	unsigned char e[END_SIZE];
	uint64_t n, size, at;

	if (read_at(w, off, e, END_SIZE) != 0) {
		directory_cut_off(w);
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
			directory_cut_off(w);
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


enum ofb_zip_verdict ofb_zip_diagnose(const char *path, struct buf *what)
{
	static const enum ofb_zip_verdict map[] = {
		[V_NONE] = OFB_ZIP_UNKNOWN, [V_UNKNOWN] = OFB_ZIP_UNKNOWN,
		[V_TRUNCATED] = OFB_ZIP_TRUNCATED, [V_DAMAGED] = OFB_ZIP_DAMAGED,
		[V_INTACT] = OFB_ZIP_INTACT,
	};
	enum ofb_zip_verdict v;
	struct zwalk w;

	memset(&w, 0, sizeof w);
	buf_init(&w.what);
	walk_zip(&w, path);
	v = map[w.verdict];
	buf_add(what, w.what.data, w.what.len);
	if (w.f)
		fclose(w.f);
	for (size_t i = 0; i < w.n_loc; i++)
		free(w.loc[i].name);
	for (size_t i = 0; i < w.n_dir; i++)
		free(w.dir[i].name);
	free(w.loc);
	free(w.dir);
	buf_free(&w.what);
	return v;
}
