/* error.c - filling the error object that library code returns instead of printing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

/* After a cut at len bytes, drop a UTF-8 sequence left incomplete at the end so a
 * truncated message is still valid text. */
static size_t utf8_trim_partial(const char *s, size_t len)
{
	size_t start = len, need;
	unsigned char lead;

	/* a sequence is at most 4 bytes: look back over up to 3 continuation bytes */
	while (start > 0 && len - start < 3 &&
	       ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return len;
	lead = (unsigned char)s[start - 1];
	if (lead < 0xC0)
		return len;    /* ASCII, or continuation bytes without a lead: leave as is */
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (len - (start - 1) < need)
		return start - 1;
	return len;
}

/* Format into out (OFB_ERROR_MAX bytes); always NUL-terminated, cut at a character
 * boundary when too long. */
static void format_message(char *out, const char *fmt, va_list ap)
{
	int n = vsnprintf(out, OFB_ERROR_MAX, fmt, ap);

	if (n < 0) {
		/* an encoding error in an argument: keep at least the format text */
		snprintf(out, OFB_ERROR_MAX, "%s", fmt);
		return;
	}
	if ((size_t)n >= OFB_ERROR_MAX)
		out[utf8_trim_partial(out, OFB_ERROR_MAX - 1)] = '\0';
}

void ofb_error_clear(struct ofb_error *err)
{
	err->set = 0;
	err->exit_code = OFB_EXIT_FAILED;
	err->msg[0] = '\0';
	err->sqlstate[0] = '\0';
	err->sys_errno = 0;
	err->subject[0] = '\0';
}

/* Arguments may point into err->msg itself, so every message is formatted into a
 * separate buffer first. */
static void store(struct ofb_error *err, int exit_code, const char *fmt, va_list ap)
{
	char tmp[OFB_ERROR_MAX];

	format_message(tmp, fmt, ap);
	memcpy(err->msg, tmp, strlen(tmp) + 1);
	err->set = 1;
	err->exit_code = exit_code;
	err->sqlstate[0] = '\0';
	err->sys_errno = 0;
	err->subject[0] = '\0';
}

void ofb_error_set(struct ofb_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	store(err, OFB_EXIT_FAILED, fmt, ap);
	va_end(ap);
}

void ofb_error_errno(struct ofb_error *err, int e, const char *fmt, ...)
{
	char what[OFB_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	format_message(what, fmt, ap);
	va_end(ap);
	ofb_error_set(err, "%s: %s", what, strerror(e));
	err->sys_errno = e;
}

void ofb_error_usage(struct ofb_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	store(err, OFB_EXIT_USAGE, fmt, ap);
	va_end(ap);
}

/* Keeps the exit code of the earlier message; without one, the context becomes the
 * whole message. */
static void prefix_context(struct ofb_error *err, const char *context)
{
	char joined[OFB_ERROR_MAX];
	int n;

	if (!err->set) {
		memcpy(err->msg, context, strlen(context) + 1);
		err->set = 1;
		err->exit_code = OFB_EXIT_FAILED;
		return;
	}
	n = snprintf(joined, sizeof joined, "%s: %s", context, err->msg);
	if (n >= 0 && (size_t)n >= sizeof joined)
		joined[utf8_trim_partial(joined, sizeof joined - 1)] = '\0';
	memcpy(err->msg, joined, strlen(joined) + 1);
	if (err->exit_code == OFB_EXIT_OK)
		err->exit_code = OFB_EXIT_FAILED;
}

void ofb_error_prefix(struct ofb_error *err, const char *fmt, ...)
{
	char context[OFB_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	format_message(context, fmt, ap);
	va_end(ap);
	prefix_context(err, context);
}

void ofb_error_about(struct ofb_error *err, const char *subject)
{
	char context[OFB_ERROR_MAX];

	snprintf(context, sizeof context, "%s", subject);
	if (!err->subject[0]) {
		snprintf(err->subject, sizeof err->subject, "%s", subject);
		err->subject[utf8_trim_partial(err->subject, strlen(err->subject))] = '\0';
	}
	prefix_context(err, context);
}

void ofb_error_wrap(struct ofb_error *err, const struct ofb_error *cause, const char *fmt, ...)
{
	char context[OFB_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	format_message(context, fmt, ap);
	va_end(ap);
	if (cause != err)
		memcpy(err, cause, sizeof *err);
	prefix_context(err, context);
}
