/* main.c - global options and dispatch to a command of the table in cli.c. */
#include <getopt.h>
#include <locale.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "manifest.h"
#include "package.h"
#include "progress.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: ofbackup [-c CONFIG] [-q | -v] COMMAND [ARGS]\n\n"
		     "Back up and restore office installations: the login database, every "
		     "client's\ndatabase and files, into one zip package.\n\ncommands:\n");
	for (const struct ofb_command *c = ofb_commands; c->name; c++)
		fprintf(out, "  ofbackup %s\n      %s\n", c->synopsis, c->help);
	fprintf(out, "\nglobal options:\n"
		     "  -c CONFIG   configuration file (default: $OFBACKUP_CONFIG, then "
		     "/etc/ofbackup/ofbackup.ini)\n"
		     "  -q          quiet: only errors and warnings\n"
		     "  -v          more detail\n"
		     "  --help      this help; 'ofbackup COMMAND --help' for one command\n"
		     "  --version   the program's version\n\n"
		     "exit codes: 0 ok, 1 failed, 2 usage or configuration error, "
		     "3 finished with warnings, 4 another run holds the installation\n");
}

static void on_signal(int sig)
{
	(void)sig;
	ofb_interrupted = 1;
}

/* Close stdout and report a failed write (full disk, closed pipe) as a failure. */
static int finish_stdout(int rc)
{
	if (ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "ofbackup: error: cannot write to standard output\n");
		return rc ? rc : 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "config", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct ofb_cli cli = { 0 };
	struct ofb_config cfg = { 0 };
	enum ofb_verbosity verbosity = OFB_NORMAL;
	struct sigaction sa;
	int opt, rc;

#if defined(__GLIBC__)
	/* Buffers of a batch or a chunk (ours, the ODBC drivers' copies of parameters, libpq's
	 * output buffer) are a few MB each, allocated and freed again for every batch, often
	 * on a thread of its own. By default glibc maps each such block afresh and hands freed
	 * memory back at once, so every batch faulted its pages in again: a tenth of a
	 * PostgreSQL restore's time (200,000 narrow rows: 0.80 -> 0.72 s). Blocks up to 32 MB
	 * come from the heap now and up to 128 MB of free memory is kept for the next batch;
	 * the peak RSS stays where it was (about +1 MB). */
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
#endif
	/* Numbers in packages are always written with a decimal point. Characters are UTF-8:
	 * the driver manager converts SQL text and names for drivers without a Unicode
	 * interface (sqliteodbc) into the locale's character set, which must hold every
	 * character (in plain "C" it would turn 'ü' into Latin-1). */
	setlocale(LC_ALL, "C");
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "C.utf8");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a file size limit (ulimit -f) is a write error (EFBIG) like a full disk, reported
	 * and cleaned up, not a kill */
	signal(SIGXFSZ, SIG_IGN);
	/* Whatever this process creates is its owner's alone unless given other permissions
	 * on purpose (packages, restored files with their recorded modes, SQLite databases it
	 * creates, and the log files of ODBC drivers that write any). */
	umask(077);

	while ((opt = getopt_long(argc, argv, "+hVc:qv", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return finish_stdout(0);
		case 'V':
			printf("ofbackup %s (package format %d)\n", OFB_VERSION, OFB_FORMAT_VERSION);
			return finish_stdout(0);
		case 'c':
			cli.config_path = optarg;
			break;
		case 'q':
			verbosity = OFB_QUIET;
			break;
		case 'v':
			verbosity = OFB_VERBOSE;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	ofb_progress_init(verbosity);
	ofb_set_message_sink(ofb_cli_print_message);
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (const struct ofb_command *c = ofb_commands; c->name; c++) {
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		if (strcmp(c->name, argv[optind]) != 0)
			continue;
		if (ofb_cli_wants_help(sub_argc, sub_argv)) {
			ofb_cli_command_help(c->name);
			return finish_stdout(0);
		}
		if ((c->needs & OFB_NEEDS_CONFIG) ||
		    ((c->needs & OFB_MAY_CONFIG) &&
		     (cli.config_path || getenv("OFBACKUP_CONFIG") ||
		      access(ofb_config_default_path(), R_OK) == 0))) {
			int rc = ofb_cli_config(&cli, (c->needs & OFB_NEEDS_LOCK) != 0, &cfg);
			if (rc)
				return finish_stdout(rc);
			cli.cfg = &cfg;
		}
		optind = 0;   /* glibc: start the command's own option parsing afresh */
		opterr = 0;   /* the command names a bad option itself */
		rc = c->fn(&cli, sub_argc, sub_argv);
		ofb_config_free(&cfg);
		return finish_stdout(rc);
	}
	fprintf(stderr, "ofbackup: '%s' is not a command; see 'ofbackup --help'\n", argv[optind]);
	return 2;
}
