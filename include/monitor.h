/* monitor.h - what a run of the daily job tells the world: one line in [schedule] log
 * (and syslog), the on_failure program, healthchecks-style pings to ping_url, and a
 * Prometheus textfile (metrics). None of them can stop or hold up a backup: each failure
 * is a warning, each wait is bounded. */
#ifndef OFB_MONITOR_H
#define OFB_MONITOR_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>
#include "config.h"
#include "offsite.h"

/* What one run did: for the log line, the state file, the notifications. */
struct ofb_run_record {
	time_t start, end;
	const char *result;              /* "ok", "warning", "failed" */
	char *package;                   /* the file the run left, or NULL */
	long long size;
	size_t ok, skipped, failed;      /* clients */
	struct ofb_copy_report copies;   /* offsite copies of the package */
	char *message;                   /* what went wrong or what to know, or NULL */
	time_t last_success;             /* end of the newest run that succeeded, or 0 */
	json_t *clients;                 /* [{id, status, reason}] of the package, or NULL */
};

/* ping_url + "/start": the run has begun. */
void ofb_monitor_start(const struct ofb_config *cfg);
/* The run has ended: log line, syslog, on_failure (unless the result is "ok"), the ping
 * (success or /fail), the metrics file. */
void ofb_monitor_finish(const struct ofb_config *cfg, struct ofb_run_record *rr);

#endif
