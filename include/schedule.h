/* schedule.h - the daily job (the command scheduled) and its record (status): a full
 * backup into <folder>/<name>-<Weekday>.zip, which replaces last week's file only once the
 * new package is complete and has verified; a run with a failed client never replaces a
 * file (its package is kept beside it under a distinct name). Each run appends a line to
 * [schedule] log and writes <folder>/.<name>-status.json. */
#ifndef OFB_SCHEDULE_H
#define OFB_SCHEDULE_H

#include "config.h"
#include "error.h"

/* Sunday (0) to Saturday (6), in English or German. */
const char *ofb_weekday_name(int wday, int german);
/* The state file of the daily job (malloc'd); [schedule] folder must be set. */
char *ofb_schedule_state_path(const struct ofb_config *cfg);

/* The daily job. The exit code: OFB_EXIT_OK, OFB_EXIT_WARNINGS (clients skipped or
 * failed), OFB_EXIT_FAILED / OFB_EXIT_USAGE with err set and the weekday file untouched. */
int ofb_scheduled_run(const struct ofb_config *cfg, struct ofb_error *err);

/* Print the last run's record (as JSON with as_json); the exit code follows the
 * monitoring-plugin conventions: 0 the last run succeeded within max_age hours, 1 it had
 * warnings or is older, 2 it failed or is older than twice max_age, 3 no run recorded. */
int ofb_status_run(const struct ofb_config *cfg, int as_json);

#endif
