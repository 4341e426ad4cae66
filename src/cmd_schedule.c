/* cmd_schedule.c - "scheduled" (the daily job) and "status" (its last run). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "schedule.h"
#include "util.h"

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

/* path as one shell word ('...' where it holds anything but a plain path's characters);
 * systemd's ExecStart reads it the same way. */
static char *shell_word(const char *path)
{
	struct buf b;
	int plain = 1;

	for (const char *p = path; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("/._-+", *p);
	if (plain)
		return xstrdup(path);
	buf_init(&b);
	buf_addc(&b, '\'');
	for (const char *p = path; *p; p++)
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_addc(&b, *p);
	buf_addc(&b, '\'');
	return buf_detach(&b);
}

/* The scheduler entries for this configuration: a cron line, a systemd service and timer,
 * a Windows Task Scheduler task; what to put where is said in comments. */
static void show_entries(const struct ofb_config *cfg, int cron, int systemd, int windows)
{
	char path[PATH_MAX], *real = realpath(cfg->path, NULL), *exe, *conf;
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	int hour = 2, minute = 30;

	if (n > 0)
		path[n] = '\0';
	else
		snprintf(path, sizeof path, "/usr/local/bin/ofbackup");
	exe = shell_word(path);
	conf = shell_word(real ? real : cfg->path);
	free(real);
	sscanf(cfg->schedule.time, "%d:%d", &hour, &minute);
	if (cron)
		printf("# cron: /etc/cron.d/ofbackup (or 'crontab -e' without the user field)\n"
		       "%d %d * * * root %s -q -c %s scheduled\n\n", minute, hour, exe, conf);
	if (systemd)
		printf("# systemd: /etc/systemd/system/ofbackup-backup.service\n"
		       "[Unit]\nDescription=ofbackup daily job\n\n[Service]\nType=oneshot\n"
		       "UMask=0077\nExecStart=%s -q -c %s scheduled\n\n"
		       "# systemd: /etc/systemd/system/ofbackup-backup.timer, then\n"
		       "# systemctl daemon-reload && systemctl enable --now ofbackup-backup.timer\n"
		       "[Unit]\nDescription=ofbackup daily job at %02d:%02d\n\n[Timer]\n"
		       "OnCalendar=*-*-* %02d:%02d:00\nPersistent=true\n\n[Install]\n"
		       "WantedBy=timers.target\n\n", exe, conf, hour, minute, hour, minute);
	if (windows)
		printf("# Windows Task Scheduler (administrator prompt):\n"
		       "schtasks /Create /TN \"ofbackup daily job\" /SC DAILY /ST %02d:%02d /RU SYSTEM "
		       "/RL HIGHEST /TR \"\\\"C:\\Program Files\\ofbackup\\ofbackup.exe\\\" -q -c "
		       "C:\\ProgramData\\ofbackup\\ofbackup.ini scheduled\"\n"
		       "# or import etc/ofbackup-task.xml (MultipleInstancesPolicy IgnoreNew, "
		       "StartWhenAvailable): schtasks /Create /XML ofbackup-task.xml /TN ofbackup\n",
		       hour, minute);
	free(exe);
	free(conf);
}

int cmd_schedule(struct ofb_cli *cli, int argc, char **argv)
{
	int cron = 0, systemd = 0, windows = 0;

	if (argc < 2 || strcmp(argv[1], "show") != 0)
		return ofb_cli_usage("schedule", "say 'show' (install and remove are not built yet)");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--cron") == 0)
			cron = 1;
		else if (strcmp(argv[i], "--systemd") == 0)
			systemd = 1;
		else if (strcmp(argv[i], "--windows") == 0)
			windows = 1;
		else
			return ofb_cli_usage("schedule", "unknown argument '%s'", argv[i]);
	}
	if (!cron && !systemd && !windows)
		cron = systemd = windows = 1;
	show_entries(cli->cfg, cron, systemd, windows);
	return OFB_EXIT_OK;
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
