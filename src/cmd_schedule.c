/* cmd_schedule.c - "scheduled" (the daily job) and "status" (its last run). */
#include <string.h>

#include "cli.h"
#include "schedule.h"

int cmd_scheduled(struct ofb_cli *cli, int argc, char **argv)
{
	struct ofb_error err;

	(void)argv;
	if (argc > 1)
		return ofb_cli_usage("scheduled", "takes no arguments (see [schedule] in the "
				     "configuration)");
	ofb_error_clear(&err);
	return ofb_cli_finish(ofb_scheduled_run(cli->cfg, &err), &err);
}

int cmd_status(struct ofb_cli *cli, int argc, char **argv)
{
	int json = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return ofb_cli_usage("status", "unknown argument '%s'", argv[i]);
	}
	return ofb_status_run(cli->cfg, json);
}
