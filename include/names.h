/* names.h - the rules for entry names of a package and how text from a package is shown
 * in messages. A leaf module: it uses nothing of the reader. */
#ifndef OFB_NAMES_H
#define OFB_NAMES_H

#include <stddef.h>

struct buf;

/* NULL when name is a safe relative entry name, else what is wrong with it: relative,
 * '/'-separated, no empty (but a trailing '/' of a folder), '.' or '..' segment, no
 * backslash, no drive letter, UTF-8, segments of at most 255 bytes, at most 128 deep,
 * at most 4000 bytes. */
const char *ofb_name_unsafe(const char *name);
/* The same for a name that need not be UTF-8 (a file name stored as its bytes). */
const char *ofb_name_unsafe_raw(const char *name);

/* Text from a package as a message can show it: control bytes (and every non-ASCII byte
 * of text that is not UTF-8) as \xHH, at most max bytes. */
void ofb_add_shown(struct buf *b, const char *s, size_t len, size_t max);

#endif
