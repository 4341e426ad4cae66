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
	char msg[OFB_ERROR_MAX]; /* the whole message: contexts, then the cause */
	/* The cause, for code that decides by it (not by the text): the ODBC SQLSTATE of
	 * the first diagnostic record ("" when the cause is not ODBC's), the errno of a
	 * failed system call (0 when none). Kept when a context is wrapped around. */
	char sqlstate[6];
	int sys_errno;
	/* What the error is about (a client, a database, a table) when a caller named it
	 * with ofb_error_about: the innermost one, "" when none was named. */
	char subject[256];
};

void ofb_error_clear(struct ofb_error *err);
/* Store a message (printf-style); replaces any earlier one. */
void ofb_error_set(struct ofb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Wrap a cause with context: "context: earlier message"; the cause's exit code,
 * SQLSTATE and errno stay. */
void ofb_error_prefix(struct ofb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* ofb_error_prefix with the subject the error is about: "subject: earlier message",
 * and the subject recorded unless a more specific one already is. */
void ofb_error_about(struct ofb_error *err, const char *subject);
/* err becomes "context: cause's message", with the cause's exit code, SQLSTATE, errno
 * and subject (cause may be err itself). */
void ofb_error_wrap(struct ofb_error *err, const struct ofb_error *cause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like ofb_error_set, for a failed system call: the message ends in ": strerror(e)" and
 * sys_errno is e. */
void ofb_error_errno(struct ofb_error *err, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like ofb_error_set, and marks the error as a usage/configuration error (exit 2). */
void ofb_error_usage(struct ofb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
