/* progress.h - progress on a terminal, and the one path of messages to the user (the
 * sink the CLI sets). The progress line is the only output besides the CLI's. */
#ifndef OFB_PROGRESS_H
#define OFB_PROGRESS_H

#include <stdint.h>

enum ofb_verbosity { OFB_QUIET = 0, OFB_NORMAL = 1, OFB_VERBOSE = 2 };

void ofb_progress_init(enum ofb_verbosity v);
enum ofb_verbosity ofb_progress_verbosity(void);
/* Show "what: rows, bytes" on one refreshing line (at most ~10 times a second); only when
 * stderr is a terminal and not quiet. */
void ofb_progress_update(const char *what, uint64_t rows, uint64_t bytes);
/* Clear the progress line. */
void ofb_progress_done(void);
/* Library code hands every message to one sink, which the CLI sets (it prints them by
 * verbosity; a log or JSON output can take them too). Without a sink they are dropped. */
enum ofb_msg_kind { OFB_MSG_INFO, OFB_MSG_DETAIL, OFB_MSG_WARNING, OFB_MSG_NOTICE };
typedef void ofb_msg_sink_fn(enum ofb_msg_kind kind, const char *text);
void ofb_set_message_sink(ofb_msg_sink_fn *sink);

/* Informational line (normal and verbose), detail line (verbose only), warning (always). */
void ofb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ofb_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ofb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line the user must see even with -q (where a safety copy was written). */
void ofb_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
