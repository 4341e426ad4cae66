/* cli.h - the command line: global options, the command table, shared helpers of the
 * cmd_*.c files. Only this layer prints errors and chooses exit codes. */
#ifndef OFB_CLI_H
#define OFB_CLI_H

#include "config.h"
#include "error.h"

struct ofb_cli {
	const char *config_path;   /* -c, else ofb_config_default_path() */
	/* loaded by main for a command whose table entry needs it (OFB_NEEDS_CONFIG), with
	 * the installation lock taken when the entry says OFB_NEEDS_LOCK; else NULL */
	const struct ofb_config *cfg;
};

typedef int ofb_cmd_fn(struct ofb_cli *cli, int argc, char **argv);

/* What a command needs before it runs (ofb_command.needs). */
enum {
	OFB_NEEDS_CONFIG = 1,      /* reads the configuration (-c) */
	OFB_NEEDS_LOCK = 2,        /* changes or reads the installation as a whole: backup,
				    * restore and import exclude each other */
	OFB_MAY_CONFIG = 4         /* reads the configuration when there is one (-c given,
				    * $OFBACKUP_CONFIG set, or the default file readable) */
};

struct ofb_command {
	const char *name;
	ofb_cmd_fn *fn;
	int needs;
	const char *synopsis;      /* after "ofbackup " */
	const char *help;          /* one line */
};

extern const struct ofb_command ofb_commands[];

int cmd_clients(struct ofb_cli *cli, int argc, char **argv);
int cmd_backup(struct ofb_cli *cli, int argc, char **argv);
int cmd_export(struct ofb_cli *cli, int argc, char **argv);
int cmd_info(struct ofb_cli *cli, int argc, char **argv);
int cmd_restore(struct ofb_cli *cli, int argc, char **argv);
int cmd_import(struct ofb_cli *cli, int argc, char **argv);
int cmd_verify(struct ofb_cli *cli, int argc, char **argv);
int cmd_scheduled(struct ofb_cli *cli, int argc, char **argv);
int cmd_status(struct ofb_cli *cli, int argc, char **argv);
int cmd_schedule(struct ofb_cli *cli, int argc, char **argv);
int cmd_copy(struct ofb_cli *cli, int argc, char **argv);

/* Load the configuration into cfg; prints its warnings. With lock, take the installation
 * lock (held until the process ends, released by the kernel also when it is killed).
 * Returns 0, or the exit code after printing the error. */
int ofb_cli_config(struct ofb_cli *cli, int lock, struct ofb_config *cfg);
/* Send file to the offsite targets (all, or those named); prints what failed. The exit
 * code: 0, 3 when a copy failed, or an error's. */
int ofb_cli_copy(const struct ofb_cli *cli, const char *file, char *const *names, size_t n);
/* Open a package with the package password of cli->cfg (or $OFBACKUP_PASSWORD); one that
 * is not encrypted though a password is set gets a warning with allow_plain, else it is
 * refused (ofb_reader_check_plain). */
struct ofb_reader;
struct ofb_reader *ofb_cli_open_package(const struct ofb_cli *cli, const char *path,
					int allow_plain, struct ofb_error *err);
/* The message sink main installs: one line on stderr, warnings marked. */
#include "progress.h"
void ofb_cli_print_message(enum ofb_msg_kind kind, const char *text);
/* Print "ofbackup: error: ..." and return err's exit code. */
int ofb_cli_fail(const struct ofb_error *err);
/* rc as it is, or err printed (ofb_cli_fail) when rc is OFB_EXIT_FAILED or OFB_EXIT_USAGE. */
int ofb_cli_finish(int rc, const struct ofb_error *err);
/* Print a usage error about the command and return OFB_EXIT_USAGE. */
int ofb_cli_usage(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print the help of one command. */
void ofb_cli_command_help(const char *command);
/* Non-zero when argv has -h/--help before any "--". */
int ofb_cli_wants_help(int argc, char **argv);

#endif
