/* reader.c - reading a package back (reader.h): entry names and the manifest checked at
 * open, entries streamed through SHA-256. Built on it: decoding table files
 * (table_reader.c), extracting files folders (extract.c), verify (verify.c); the name rules
 * are in names.c, the explanation of a zip that does not open in zipwalk.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zip.h>

#include "schema_json.h"
#include "manifest.h"
#include "package.h"
#include "progress.h"
#include "reader.h"
#include "names.h"
#include "reader_internal.h"
#include "records.h"
#include "zipwalk.h"
#include "util.h"

#define CHUNK_SIZE (64 * 1024)
#define MANIFEST_MAX (512u * 1024 * 1024)
#define SLURP_MAX (256u * 1024 * 1024)
/* What a parsed JSON text may hold, in values: the parser needs some 40 bytes a value,
 * whatever the text's size, so a text of nothing but [0,0,...] would take ten times its
 * size. A manifest lists each entry of the zip once (about ten values each); a schema
 * describes tables and columns (a thousand tables of fifty columns are some 600,000). */
#define MANIFEST_VALUES_BASE 100000u
#define MANIFEST_VALUES_PER_ENTRY 40u
#define SCHEMA_VALUES_MAX 2000000u
#define ROWS_PER_PROGRESS 1024

struct ofb_reader {
	char *path;
	zip_t *zip;
	json_t *manifest;
	zip_uint64_t manifest_index;
	struct entry *entries;   /* sorted by name; manifest.json is not among them */
	size_t n_entries;
	int verifying;           /* progress line while verify runs */
	int quiet;               /* no progress line (read beside other work) */
	uint64_t progress_bytes;
	uint64_t progress_rows;
	size_t vanished;         /* files the last extraction left out (reader.h) */
	int encrypted;           /* every file entry AES-encrypted (the manifest is) */
	struct stat file;        /* the file opened (ofb_reader_open_again opens it again) */
};

/* --- messages -------------------------------------------------------------------------- */

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
	ofb_add_shown(&shown, name, strlen(name), 400);
	ofb_error_set(err, "package '%s': entry '%s'%s", r->path, shown.data, tail);
	buf_free(&shown);
}

/* --- names and manifest records -------------------------------------------------------- */

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

int ofb_reader_entry_mode(const struct ofb_reader *r, const char *name)
{
	const struct entry *e = find_entry(r, name);
	json_t *m = e ? json_object_get(e->rec, "mode") : NULL;

	return m ? ofb_record_parse_mode(m) : -1;
}

/* --- opening --------------------------------------------------------------------------- */

static void open_error(struct ofb_reader *r, int zerr, struct ofb_error *err)
{
	enum ofb_zip_verdict v = OFB_ZIP_UNKNOWN;
	struct buf what;
	zip_error_t ze;
	int walk = zerr == ZIP_ER_NOZIP || zerr == ZIP_ER_INCONS || zerr == ZIP_ER_EOF ||
		   zerr == ZIP_ER_MULTIDISK || zerr == ZIP_ER_SEEK;

	buf_init(&what);
	zip_error_init_with_code(&ze, zerr);
	if (walk)
		v = ofb_zip_diagnose(r->path, &what);
	if (v == OFB_ZIP_TRUNCATED)
		ofb_error_set(err, "cannot open package '%s': the file is truncated: %s", r->path,
			      what.data);
	else if (v == OFB_ZIP_DAMAGED)
		ofb_error_set(err, "cannot open package '%s': the file is damaged: %s", r->path,
			      what.data);
	else if (v == OFB_ZIP_INTACT)
		ofb_error_set(err, "cannot open package '%s': %s (the file is damaged)", r->path,
			      zip_error_strerror(&ze));
	else
		ofb_error_set(err, "cannot open package '%s': %s%s", r->path,
			      zip_error_strerror(&ze),
			      walk ? " (the file is damaged or truncated, or not a package)" : "");
	zip_error_fini(&ze);
	buf_free(&what);
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
		why = ofb_name_unsafe_raw(name);
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
		/* allowed only as a file name the manifest marks raw (match_manifest) */
		e->raw = !utf8_valid(name, strlen(name));
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
	if (!f && zip_error_code_zip(zip_get_error(r->zip)) == ZIP_ER_WRONGPASSWD) {
		ofb_error_set(err, "package '%s': wrong password (the package password does not "
			      "open it); nothing was changed", r->path);
		goto out;
	}
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
	if (ofb_json_values(text.data, text.len) >
	    MANIFEST_VALUES_BASE + MANIFEST_VALUES_PER_ENTRY * r->n_entries) {
		reader_entry_error(err, r, "manifest.json", " holds far more than a manifest of %zu "
				   "entries can: refused unread", r->n_entries);
		goto out;
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
	char *decoded = NULL;
	size_t i;
	int ret = -1;

	if (!json_is_array(list)) {
		reader_entry_error(err, r, "manifest.json", " has no list of entries");
		goto out;
	}
	json_array_foreach(list, i, rec) {
		json_t *path = json_object_get(rec, "path"), *raw = json_object_get(rec, "raw_name");
		const char *why;
		const char *p;
		struct entry *e;
		if (!json_is_string(path) || json_string_length(path) == 0 ||
		    strlen(json_string_value(path)) != json_string_length(path)) {
			reader_entry_error(err, r, "manifest.json", ": entries[%zu] has no valid path", i);
			goto out;
		}
		if (raw && !json_is_true(raw)) {
			reader_entry_error(err, r, "manifest.json", ": entries[%zu]'s raw_name is not true",
					   i);
			goto out;
		}
		free(decoded);
		decoded = NULL;
		p = json_string_value(path);
		if (raw) {
			/* a name that is not UTF-8, written as %XX: its bytes again */
			decoded = ofb_raw_name_decode(p);
			if (!decoded || utf8_valid(decoded, strlen(decoded))) {
				reader_entry_error(err, r, "manifest.json", ": entries[%zu] is marked "
						   "raw_name but its path is no %%XX-encoded name that "
						   "is not UTF-8", i);
				goto out;
			}
			p = decoded;
		}
		if (strcmp(p, "manifest.json") == 0) {
			reader_entry_error(err, r, p, " is listed in the manifest, which cannot record "
				    "itself");
			goto out;
		}
		why = ofb_record_problem(p, rec);
		if (why) {
			reader_entry_error(err, r, p, ": %s", why);
			goto out;
		}
		e = find_entry(r, p);
		if (!e) {
			reader_entry_error(err, r, p, " is listed in the manifest but missing from the zip");
			goto out;
		}
		if (e->raw != (raw != NULL)) {
			reader_entry_error(err, r, p, " is not UTF-8 and not marked raw_name in the "
					   "manifest");
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
	free(decoded);
	return ret;
}

/* Every entry lies in a folder the manifest describes and a restore reads: login/ (when
 * the package has a login database), clients/<id>/db/ and clients/<id>/files/ of a client
 * backed up (status ok). Anything else would be carried along unread. */
/* Whether id[0..len) is a client the manifest lists as backed up. */
static int client_backed_up(json_t *clients, const char *id, size_t len)
{
	json_t *c;
	size_t k;

	json_array_foreach(clients, k, c) {
		json_t *cid = json_object_get(c, "id"), *st = json_object_get(c, "status");
		if (json_is_string(cid) && json_is_string(st) &&
		    strlen(json_string_value(cid)) == len &&
		    strncmp(json_string_value(cid), id, len) == 0 &&
		    strcmp(json_string_value(st), "ok") == 0)
			return 1;
	}
	return 0;
}

static int check_known_folders(struct ofb_reader *r, struct ofb_error *err)
{
	json_t *clients = json_object_get(r->manifest, "clients");
	int has_login = json_is_object(json_object_get(r->manifest, "login"));
	/* entries are sorted: a client's come together, so its answer is asked once */
	const char *last_id = NULL;
	size_t last_len = 0;
	int last_known = 0;

	for (size_t i = 0; i < r->n_entries; i++) {
		const char *name = r->entries[i].name, *id, *rest;
		int known;
		size_t id_len;
		if (strncmp(name, "login/", 6) == 0) {
			if (has_login && !r->entries[i].raw)
				continue;
			reader_entry_error(err, r, name, " is part of a login database the manifest "
					   "does not list");
			return -1;
		}
		if (strcmp(name, "clients/") == 0)
			continue;
		if (strncmp(name, "clients/", 8) == 0) {
			id = name + 8;
			rest = strchr(id, '/');
			id_len = rest ? (size_t)(rest - id) : strlen(id);
			if (!last_id || id_len != last_len || strncmp(id, last_id, id_len) != 0) {
				last_id = id;
				last_len = id_len;
				last_known = client_backed_up(clients, id, id_len);
			}
			known = last_known;
			if (known && rest && strncmp(rest, "/files/", 7) == 0)
				continue;
			if (known && rest && !r->entries[i].raw &&
			    (strcmp(rest, "/") == 0 || strncmp(rest, "/db/", 4) == 0))
				continue;
		}
		reader_entry_error(err, r, name, " lies outside every folder of the package "
				   "(login/, clients/<id>/db/ or files/ of a client it backed up)");
		return -1;
	}
	return 0;
}

/* Which entries are encrypted: all file entries or none (folders hold nothing to encrypt),
 * with the password at hand when they are. A wrong password shows when the manifest is
 * opened (load_manifest). */
static int check_encryption(struct ofb_reader *r, const char *password, struct ofb_error *err)
{
	zip_stat_t st;

	if (zip_stat_index(r->zip, r->manifest_index, 0, &st) != 0) {
		reader_entry_error(err, r, "manifest.json", ": %s", zip_strerror(r->zip));
		return -1;
	}
	r->encrypted = (st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
		       st.encryption_method != ZIP_EM_NONE;
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct entry *e = &r->entries[i];
		int enc;
		if (e->is_dir)
			continue;
		if (zip_stat_index(r->zip, e->index, 0, &st) != 0) {
			reader_entry_error(err, r, e->name, ": %s", zip_strerror(r->zip));
			return -1;
		}
		enc = (st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE;
		if (enc != r->encrypted) {
			reader_entry_error(err, r, e->name, " is %s, but the manifest is %s: the "
					   "package was altered", enc ? "encrypted" : "not encrypted",
					   r->encrypted ? "encrypted" : "not");
			return -1;
		}
	}
	if (r->encrypted && !password) {
		ofb_error_set(err, "package '%s' is encrypted: give its password with [package] "
			      "password_env or password_file in the configuration, or the "
			      "environment variable OFBACKUP_PASSWORD", r->path);
		return -1;
	}
	if (r->encrypted && zip_set_default_password(r->zip, password) != 0) {
		ofb_error_set(err, "package '%s': cannot use the password: %s", r->path,
			      zip_strerror(r->zip));
		return -1;
	}
	return 0;
}

struct ofb_reader *ofb_reader_open(const char *path, const char *password,
				   struct ofb_error *err)
{
	struct ofb_reader *r = xcalloc(1, sizeof *r);
	int zerr = 0, ok = 0, fd;

	r->path = xstrdup(path);
	/* opened here, so that the file read is the file looked at (fstat); not blocking
	 * on a named pipe */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ofb_error_errno(err, errno, "cannot open package '%s'", path);
		goto out;
	}
	if (fstat(fd, &r->file) != 0 || !S_ISREG(r->file.st_mode)) {
		if (S_ISREG(r->file.st_mode) || !r->file.st_mode)
			ofb_error_errno(err, errno, "cannot open package '%s'", path);
		else
			ofb_error_set(err, "cannot open package '%s': it is not a file", path);
		close(fd);
		goto out;
	}
	r->zip = zip_fdopen(fd, ZIP_CHECKCONS, &zerr);   /* it owns fd from now on */
	if (!r->zip) {
		close(fd);
		open_error(r, zerr, err);
		goto out;
	}
	if (list_entries(r, err) != 0 || check_encryption(r, password, err) != 0 ||
	    load_manifest(r, err) != 0 ||
	    match_manifest(r, err) != 0 || check_known_folders(r, err) != 0)
		goto out;
	ok = 1;
out:
	if (!ok) {
		ofb_reader_close(r);
		r = NULL;
	}
	return r;
}

struct ofb_reader *ofb_reader_open_again(const struct ofb_reader *r, const char *password,
					 struct ofb_error *err)
{
	struct ofb_reader *again = ofb_reader_open(r->path, password, err);

	/* Another file put in its place meanwhile, or this one changed: an entry's SHA-256
	 * is known only at its end, while what the other reader takes goes into a database
	 * as it streams. */
	if (again && (again->file.st_dev != r->file.st_dev ||
		      again->file.st_ino != r->file.st_ino ||
		      again->file.st_size != r->file.st_size ||
		      again->file.st_mtim.tv_sec != r->file.st_mtim.tv_sec ||
		      again->file.st_mtim.tv_nsec != r->file.st_mtim.tv_nsec ||
		      !json_equal(again->manifest, r->manifest))) {
		ofb_error_set(err, "package '%s' was replaced while it was being opened", r->path);
		ofb_reader_close(again);
		return NULL;
	}
	if (again)
		again->quiet = 1;
	return again;
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

int ofb_reader_encrypted(const struct ofb_reader *r)
{
	return r->encrypted;
}

int ofb_reader_check_plain(const struct ofb_reader *r, const char *password, int allow,
			   struct ofb_error *err)
{
	if (!password || r->encrypted)
		return 0;
	if (allow) {
		ofb_warn("package '%s' is not encrypted, though a package password is set",
			 r->path);
		return 0;
	}
	ofb_error_set(err, "package '%s' is not encrypted, though a package password is set: "
		      "the password does not vouch for it (anyone who could write where it was "
		      "kept could have made it); if it is one of your own older packages, give "
		      "--unencrypted", r->path);
	return -1;
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

void reader_set_verifying(struct ofb_reader *r, int on)
{
	r->verifying = on && !r->quiet;
	r->progress_bytes = 0;
	r->progress_rows = 0;
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
	char *path = xasprintf("%sschema.json", folder);
	char *text = NULL;
	int ret = -1;

	memset(out, 0, sizeof *out);
	text = ofb_reader_slurp(r, path, NULL, err);
	if (!text)
		goto out;
	if (ofb_json_values(text, strlen(text)) > SCHEMA_VALUES_MAX) {
		reader_entry_error(err, r, path, " holds more than %u values, far beyond any "
				   "database's description: refused unread", SCHEMA_VALUES_MAX);
		goto out;
	}
	if (ofb_schema_from_json(text, out, err) != 0) {
		/* the cause names the field; the entry comes first */
		char cause[OFB_ERROR_MAX];
		snprintf(cause, sizeof cause, "%s", err->msg);
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
