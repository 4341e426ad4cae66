/* cmd_backup.c - "backup" (full or partial) and "export" (one client). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "cli.h"

static int run(struct ofb_cli *cli, const char *command, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "skip-failed", no_argument, NULL, 's' },
		{ "copy", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct ofb_backup_opts bo = { .kind = OFB_KIND_FULL };
	struct ofb_error err;
	char *written = NULL;
	int opt, rc, copy = 0;

	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			bo.output = optarg;
			break;
		case 's':
			bo.skip_failed = 1;
			break;
		case 'C':
			copy = 1;
			break;
		default:
			return ofb_cli_usage(command, "unknown option '%s'", argv[optind - 1]);
		}
	}
	bo.clients = argv + optind;
	bo.n_clients = (size_t)(argc - optind);
	if (strcmp(command, "export") == 0) {
		if (bo.n_clients != 1)
			return ofb_cli_usage(command, "name exactly one client to export");
		bo.kind = OFB_KIND_EXPORT;
	} else if (bo.n_clients) {
		bo.kind = OFB_KIND_PARTIAL;
	}
	if (bo.output && !*bo.output)
		return ofb_cli_usage(command, "-o needs a file name");
	if (copy && !cli->cfg->n_copies)
		return ofb_cli_usage(command, "--copy needs an offsite target ([copy.NAME] or "
				     "[schedule] copy_to)");
	ofb_error_clear(&err);
	bo.written = copy ? &written : NULL;
	rc = ofb_backup_run(cli->cfg, &bo, &err);
	if (written) {
		int crc = ofb_cli_copy(cli, written, NULL, 0);
		if (crc != OFB_EXIT_OK && rc == OFB_EXIT_OK)
			rc = crc == OFB_EXIT_WARNINGS ? OFB_EXIT_WARNINGS : crc;
		free(written);
	}
	return ofb_cli_finish(rc, &err);
}

int cmd_backup(struct ofb_cli *cli, int argc, char **argv)
{
	return run(cli, "backup", argc, argv);
}

int cmd_export(struct ofb_cli *cli, int argc, char **argv)
{
	return run(cli, "export", argc, argv);
}
