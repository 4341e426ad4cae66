/* progress.c - a refreshing progress line on a terminal, and user messages by verbosity. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

#define REDRAW_INTERVAL_NS 100000000L    /* ~10 redraws a second */
#define CLEAR_TO_EOL "\033[K"

static enum ofb_verbosity verbosity = OFB_NORMAL;
static int stderr_tty = -1;      /* -1: not yet asked */
static int line_shown;           /* a progress line is on the screen */
static int drawn_before;         /* last_draw holds a time */
static struct timespec last_draw;

void ofb_progress_init(enum ofb_verbosity v)
{
	verbosity = v;
	stderr_tty = isatty(STDERR_FILENO);
	line_shown = 0;
	drawn_before = 0;
}

enum ofb_verbosity ofb_progress_verbosity(void)
{
	return verbosity;
}

static int is_tty(void)
{
	if (stderr_tty < 0)
		stderr_tty = isatty(STDERR_FILENO);
	return stderr_tty;
}

static void clear_line(void)
{
	if (!line_shown)
		return;
	fputs("\r" CLEAR_TO_EOL, stderr);
	line_shown = 0;
	/* the next update redraws at once rather than leaving the line empty */
	drawn_before = 0;
}

static int too_soon(void)
{
	struct timespec now;
	long long elapsed;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 0;
	if (drawn_before) {
		elapsed = (long long)(now.tv_sec - last_draw.tv_sec) * 1000000000LL +
			  (now.tv_nsec - last_draw.tv_nsec);
		if (elapsed >= 0 && elapsed < REDRAW_INTERVAL_NS)
			return 1;
	}
	last_draw = now;
	drawn_before = 1;
	return 0;
}

static void human_bytes(char *out, size_t n, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(out, n, "%llu B", (unsigned long long)bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		u++;
	}
	snprintf(out, n, "%.1f %s", v, units[u]);
}

/* Columns of the terminal, or 0 when unknown. */
static size_t terminal_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) != 0)
		return 0;
	return ws.ws_col;
}

/* Bytes of what that fit in room, cut back to a UTF-8 character boundary. */
static size_t fit_utf8(const char *what, size_t room)
{
	size_t len = strlen(what);

	if (len <= room)
		return len;
	while (room > 0 && ((unsigned char)what[room] & 0xC0) == 0x80)
		room--;
	return room;
}

void ofb_progress_update(const char *what, uint64_t rows, uint64_t bytes)
{
	char size_text[32], tail[96];
	size_t width, shown;

	if (verbosity < OFB_NORMAL || !is_tty() || too_soon())
		return;
	human_bytes(size_text, sizeof size_text, bytes);
	snprintf(tail, sizeof tail, ": %llu %s, %s", (unsigned long long)rows,
		 rows == 1 ? "row" : "rows", size_text);
	/* a line that wraps cannot be redrawn with '\r'; counting bytes as columns errs on
	 * the short side for non-ASCII names */
	shown = strlen(what);
	width = terminal_width();
	if (width > strlen(tail) + 4) {
		size_t room = width - 1 - strlen(tail);

		if (shown > room)
			shown = fit_utf8(what, room - 3);
	}
	fprintf(stderr, "\r%.*s%s%s" CLEAR_TO_EOL, (int)shown, what,
		shown < strlen(what) ? "..." : "", tail);
	fflush(stderr);
	line_shown = 1;
}

void ofb_progress_done(void)
{
	clear_line();
	fflush(stderr);
}

static ofb_msg_sink_fn *msg_sink;

void ofb_set_message_sink(ofb_msg_sink_fn *sink)
{
	msg_sink = sink;
}

/* Formatted once, handed to the sink; an active progress line is cleared first (it comes
 * back with the next update). */
static void message(enum ofb_msg_kind kind, const char *fmt, va_list ap)
{
	char small[1024];
	char *text = small, *big = NULL;
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0) {
		small[0] = '\0';
	} else if ((size_t)n >= sizeof small) {
		big = xmalloc((size_t)n + 1);
		if (vsnprintf(big, (size_t)n + 1, fmt, again) >= 0)
			text = big;
	}
	va_end(again);
	if (msg_sink) {
		clear_line();
		msg_sink(kind, text);
	}
	free(big);
}

void ofb_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < OFB_NORMAL)
		return;   /* not even formatted: the CLI would not show it */
	va_start(ap, fmt);
	message(OFB_MSG_INFO, fmt, ap);
	va_end(ap);
}

void ofb_detail(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < OFB_VERBOSE)
		return;
	va_start(ap, fmt);
	message(OFB_MSG_DETAIL, fmt, ap);
	va_end(ap);
}

void ofb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(OFB_MSG_WARNING, fmt, ap);
	va_end(ap);
}

void ofb_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(OFB_MSG_NOTICE, fmt, ap);
	va_end(ap);
}
