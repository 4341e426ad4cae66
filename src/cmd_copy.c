/* cmd_copy.c - "copy" (a package sent to the offsite targets again) and the copy step of
 * "backup --copy". */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "offsite.h"
#include "progress.h"
#include "reader.h"
#include "verify.h"

int ofb_cli_copy(const struct ofb_cli *cli, const char *file, char *const *names, size_t n)
{
	struct ofb_copy_report rep;
	struct ofb_error err;
	int rc;

	ofb_error_clear(&err);
	rc = ofb_copy_send(cli->cfg, file, NULL, names, n, &rep, &err);
	if (rep.failed)
		ofb_warn("%zu of %zu offsite copies failed; '%s' is kept here", rep.failed, rep.n,
			 file);
	ofb_copy_report_free(&rep);
	return ofb_cli_finish(rc, &err);
}

int cmd_copy(struct ofb_cli *cli, int argc, char **argv)
{
	struct ofb_reader *r;
	struct ofb_error err;
	int allow_plain = 0;

	if (argc >= 2 && strcmp(argv[1], "--unencrypted") == 0) {
		allow_plain = 1;
		argv++;
		argc--;
	}
	if (argc < 2 || argv[1][0] == '-')
		return ofb_cli_usage("copy", "name one package file, then the targets to send it "
				     "to (default: all)");
	if (!cli->cfg->n_copies)
		return ofb_cli_usage("copy", "the configuration names no offsite target "
				     "([copy.NAME] or [schedule] copy_to)");
	ofb_error_clear(&err);
	/* a damaged package does not go offsite in place of a good one, nor one that is not
	 * encrypted when packages are */
	r = ofb_cli_open_package(cli, argv[1], allow_plain, &err);
	if (!r || ofb_reader_verify(r, &err) != 0) {
		ofb_reader_close(r);
		ofb_error_prefix(&err, "not copied");
		return ofb_cli_fail(&err);
	}
	ofb_reader_close(r);
	ofb_progress_done();
	return ofb_cli_copy(cli, argv[1], argv + 2, (size_t)(argc - 2));
}
