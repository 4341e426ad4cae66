/* cmd_restore.c - "restore" (login database and clients, or some clients) and "import"
 * (one client into this installation). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "restore.h"

int cmd_restore(struct ofb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "replace", no_argument, NULL, 'r' },
		{ "unencrypted", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct ofb_restore_opts ro = { 0 };
	struct ofb_error err;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'r')
			ro.replace = 1;
		else if (opt == 'u')
			ro.allow_unencrypted = 1;
		else
			return ofb_cli_usage("restore", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind >= argc)
		return ofb_cli_usage("restore", "name the package to restore");
	ro.package = argv[optind];
	ro.clients = argv + optind + 1;
	ro.n_clients = (size_t)(argc - optind - 1);
	ofb_error_clear(&err);
	return ofb_cli_finish(ofb_restore_run(cli->cfg, &ro, &err), &err);
}

int cmd_import(struct ofb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ "connect", required_argument, NULL, 'c' },
		{ "dsn", required_argument, NULL, 'd' },
		{ "files", required_argument, NULL, 'f' },
		{ "replace", no_argument, NULL, 'r' },
		{ "strict", no_argument, NULL, 's' },
		{ "unencrypted", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct ofb_import_opts io = { 0 };
	struct ofb_error err;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': io.as_id = optarg; break;
		case 'c': io.connect = optarg; break;
		case 'd': io.dsn = optarg; break;
		case 'f': io.files = optarg; break;
		case 'r': io.replace = 1; break;
		case 's': io.strict = 1; break;
		case 'u': io.allow_unencrypted = 1; break;
		default: return ofb_cli_usage("import", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc || argc - optind > 2)
		return ofb_cli_usage("import", "name the package and at most one client");
	io.package = argv[optind];
	io.client = argc - optind == 2 ? argv[optind + 1] : NULL;
	if ((io.files && !*io.files) || (io.connect && !*io.connect) || (io.dsn && !*io.dsn) ||
	    (io.as_id && !*io.as_id))
		return ofb_cli_usage("import", "an option is given an empty value");
	ofb_error_clear(&err);
	return ofb_cli_finish(ofb_import_run(cli->cfg, &io, &err), &err);
}
