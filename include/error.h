/* error.h - the error object library code fills instead of printing. */
#ifndef OFB_ERROR_H
#define OFB_ERROR_H

#include <stddef.h>

#define OFB_ERROR_MAX 2048

/* Exit codes of the program, documented in the README. */
enum ofb_exit {
	OFB_EXIT_OK = 0,
	OFB_EXIT_FAILED = 1,
	OFB_EXIT_USAGE = 2,
	OFB_EXIT_WARNINGS = 3,
	OFB_EXIT_BUSY = 4          /* another backup, restore or import holds the installation */
};

struct ofb_error {
	int set;                 /* non-zero once a message was stored */
	int exit_code;           /* OFB_EXIT_FAILED unless a caller says otherwise */
	char msg[OFB_ERROR_MAX];
};

void ofb_error_clear(struct ofb_error *err);
/* Store a message (printf-style); replaces any earlier one. */
void ofb_error_set(struct ofb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepend context: "context: earlier message". */
void ofb_error_prefix(struct ofb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Like ofb_error_set, and marks the error as a usage/configuration error (exit 2). */
void ofb_error_usage(struct ofb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
