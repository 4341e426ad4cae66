/* names.c - entry names and text from a package, as rules and as messages show them: the
 * leaf that the reader, the zip walk, the table reader and extraction share. */
#include <string.h>

#include "names.h"
#include "util.h"

void ofb_add_shown(struct buf *b, const char *s, size_t len, size_t max)
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

/* Beyond these no backup writes a name, and a restore could not create it everywhere. */
#define MAX_NAME_BYTES 4000
#define MAX_NAME_DEPTH 128

static const char *unsafe_name(const char *name, int require_utf8);

const char *ofb_name_unsafe(const char *name)
{
	return unsafe_name(name, 1);
}

const char *ofb_name_unsafe_raw(const char *name)
{
	return unsafe_name(name, 0);
}

static const char *unsafe_name(const char *name, int require_utf8)
{
	size_t len = strlen(name), depth = 0;
	const char *seg = name;

	if (len == 0)
		return "has an empty name";
	if (name[0] == '/')
		return "is an absolute path";
	if (strchr(name, '\\'))
		return "contains a backslash";
	if (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') && name[1] == ':')
		return "starts with a drive letter";
	if (require_utf8 && !utf8_valid(name, len))
		return "is not UTF-8";
	if (len > MAX_NAME_BYTES)
		return "is longer than any path a restore writes (4000 bytes)";
	while (*seg) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		if (n == 0)
			return "has an empty path segment";
		if (n == 1 && seg[0] == '.')
			return "has a '.' path segment";
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return "has a '..' path segment";
		if (n > 255)
			return "has a path segment longer than 255 bytes, which no file system holds";
		if (n >= 2 && seg[1] == ':' && ((seg[0] | 0x20) >= 'a' && (seg[0] | 0x20) <= 'z'))
			return "has a segment starting with a drive letter";
		if (++depth > MAX_NAME_DEPTH)
			return "is nested deeper than 128 folders";
		if (!slash)
			break;
		seg = slash + 1;
	}
	return NULL;
}

