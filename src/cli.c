/* cli.c - the command table and what every command shares: configuration, errors, help. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "files.h"
#include "progress.h"
#include "reader.h"
#include "util.h"

const struct ofb_command ofb_commands[] = {
	{ "clients", cmd_clients, OFB_NEEDS_CONFIG, "[-c CONFIG] clients",
	  "list registered clients: id, name, engine, online/offline, reachable" },
	{ "backup", cmd_backup, OFB_NEEDS_CONFIG | OFB_NEEDS_LOCK, "[-c CONFIG] backup [-o FILE] [--skip-failed] [--copy] [CLIENT...]",
	  "full backup (login database, all clients, their files); naming clients makes it "
	  "a partial backup" },
	{ "export", cmd_export, OFB_NEEDS_CONFIG | OFB_NEEDS_LOCK, "[-c CONFIG] export CLIENT [-o FILE]",
	  "export one client (its database and files, no login database)" },
	{ "info", cmd_info, OFB_MAY_CONFIG, "[-c CONFIG] info FILE",
	  "show what a package holds: kind, date, clients, tables, row counts" },
	{ "verify", cmd_verify, OFB_MAY_CONFIG, "[-c CONFIG] verify FILE",
	  "re-read the whole package: checksums, every table decoded, row counts" },
	{ "restore", cmd_restore, OFB_NEEDS_CONFIG | OFB_NEEDS_LOCK, "[-c CONFIG] restore FILE [CLIENT...] [--replace] [--unencrypted]",
	  "restore the login database and all clients of a package, or only the named "
	  "clients" },
	{ "import", cmd_import, OFB_NEEDS_CONFIG | OFB_NEEDS_LOCK,
	  "[-c CONFIG] import FILE [CLIENT] [--as ID] [--connect CONNSTR | --dsn NAME] "
	  "[--files DIR] [--replace] [--strict] [--unencrypted]",
	  "bring one client of a package into this installation, on any engine" },
	{ "scheduled", cmd_scheduled, OFB_NEEDS_CONFIG | OFB_NEEDS_LOCK, "[-c CONFIG] scheduled",
	  "the daily job: a full backup into [schedule] folder's file of today's weekday, "
	  "replacing last week's once the new one verified" },
	{ "copy", cmd_copy, OFB_NEEDS_CONFIG, "[-c CONFIG] copy [--unencrypted] FILE [TARGET...]",
	  "verify a package and send it to the offsite targets ([copy.NAME]) again, or to "
	  "those named" },
	{ "status", cmd_status, OFB_NEEDS_CONFIG, "[-c CONFIG] status [--json]",
	  "the daily job's last run, for people and monitoring (exit 0 OK, 1 warning, "
	  "2 critical, 3 unknown)" },
	{ "schedule", cmd_schedule, OFB_NEEDS_CONFIG,
	  "[-c CONFIG] schedule show [--cron] [--systemd] [--windows]",
	  "print the scheduler entries that run the daily job at [schedule] time" },
	{ NULL, NULL, 0, NULL, NULL },
};

void ofb_cli_print_message(enum ofb_msg_kind kind, const char *text)
{
	fprintf(stderr, "%s%s\n", kind == OFB_MSG_WARNING ? "warning: " : "", text);
	fflush(stderr);
}

int ofb_cli_fail(const struct ofb_error *err)
{
	ofb_progress_done();
	fprintf(stderr, "ofbackup: error: %s\n", err->set ? err->msg : "unknown failure");
	return err->exit_code ? err->exit_code : OFB_EXIT_FAILED;
}

int ofb_cli_finish(int rc, const struct ofb_error *err)
{
	if (rc == OFB_EXIT_FAILED || rc == OFB_EXIT_USAGE)
		rc = ofb_cli_fail(err);
	return rc;
}

void ofb_cli_command_help(const char *command)
{
	for (const struct ofb_command *c = ofb_commands; c->name; c++)
		if (strcmp(c->name, command) == 0)
			printf("usage: ofbackup %s\n\n%s\n", c->synopsis, c->help);
}

int ofb_cli_usage(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ofbackup %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	for (const struct ofb_command *c = ofb_commands; c->name; c++)
		if (strcmp(c->name, command) == 0)
			fprintf(stderr, "usage: ofbackup %s\n", c->synopsis);
	return OFB_EXIT_USAGE;
}

int ofb_cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

struct ofb_reader *ofb_cli_open_package(const struct ofb_cli *cli, const char *path,
					int allow_plain, struct ofb_error *err)
{
	struct ofb_reader *r;
	char *password;

	if (ofb_package_password(cli->cfg, &password, err) != 0)
		return NULL;
	r = ofb_reader_open(path, password, err);
	if (r && ofb_reader_check_plain(r, password, allow_plain, err) != 0) {
		ofb_reader_close(r);
		r = NULL;
	}
	ofb_secret_free(password);
	return r;
}

int ofb_cli_config(struct ofb_cli *cli, int lock, struct ofb_config *cfg)
{
	struct ofb_error err;
	const char *path = cli->config_path ? cli->config_path : ofb_config_default_path();

	ofb_error_clear(&err);
	if (ofb_config_load(path, cfg, &err) != 0)
		return ofb_cli_fail(&err);
	if (lock && ofb_files_lock(path, &err) != 0) {
		ofb_config_free(cfg);
		return ofb_cli_fail(&err);
	}
	for (size_t i = 0; i < cfg->n_warnings; i++)
		ofb_warn("%s", cfg->warnings[i]);
	return 0;
}
