/* cmd_schedule.c - "scheduled" (the daily job), "status" (its last run), and "schedule"
 * (the scheduler entries that run it: shown, or installed in the crontab or systemd). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"
#include "progress.h"
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

/* What the scheduler entries run: this program with this configuration, as shell words
 * (systemd's ExecStart reads them the same way). */
struct entry_words {
	char *exe, *conf;
	int hour, minute;
};

static void entry_words(const struct ofb_config *cfg, struct entry_words *w)
{
	char path[PATH_MAX], *real = realpath(cfg->path, NULL);
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);

	if (n > 0)
		path[n] = '\0';
	else
		snprintf(path, sizeof path, "/usr/local/bin/ofbackup");
	w->exe = shell_word(path);
	w->conf = shell_word(real ? real : cfg->path);
	free(real);
	w->hour = 2;
	w->minute = 30;
	sscanf(cfg->schedule.time, "%d:%d", &w->hour, &w->minute);
}

static void entry_words_free(struct entry_words *w)
{
	free(w->exe);
	free(w->conf);
}

/* s with every '%' written as esc ('%' is a line break to cron, a specifier to systemd). */
static void add_escaped(struct buf *b, const char *s, const char *esc)
{
	for (; *s; s++)
		*s == '%' ? buf_adds(b, esc) : buf_addc(b, *s);
}

/* What the entry runs, as cron reads it: EXE -q -c CONF scheduled. */
static char *cron_command(const struct entry_words *w)
{
	struct buf b;

	buf_init(&b);
	add_escaped(&b, w->exe, "\\%");
	buf_adds(&b, " -q -c ");
	add_escaped(&b, w->conf, "\\%");
	buf_adds(&b, " scheduled");
	return buf_detach(&b);
}

/* The line of a crontab (/etc/cron.d with the user field), marked with the configuration
 * in a user's crontab so that install and remove find it again. */
static char *cron_line(const struct entry_words *w, int with_user)
{
	char *cmd = cron_command(w), *line;

	line = xasprintf("%d %d * * * %s%s", w->minute, w->hour, with_user ? "root " : "", cmd);
	free(cmd);
	return line;
}

static char *cron_marker(const struct entry_words *w)
{
	return xasprintf("# ofbackup daily job of %s", w->conf);
}

/* What ExecStart= runs, '%' written as systemd's "%%". */
static char *exec_start(const struct entry_words *w)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "ExecStart=");
	add_escaped(&b, w->exe, "%%");
	buf_adds(&b, " -q -c ");
	add_escaped(&b, w->conf, "%%");
	buf_adds(&b, " scheduled\n");
	return buf_detach(&b);
}

static char *service_unit(const struct entry_words *w)
{
	char *exec = exec_start(w), *text;
	struct buf conf;

	buf_init(&conf);
	add_escaped(&conf, w->conf, "%%");
	text = xasprintf("[Unit]\nDescription=ofbackup daily job (%s)\n\n[Service]\nType=oneshot\n"
			 "UMask=0077\n%s", conf.data, exec);
	buf_free(&conf);
	free(exec);
	return text;
}

static char *timer_unit(const struct entry_words *w)
{
	struct buf conf;
	char *text;

	buf_init(&conf);
	add_escaped(&conf, w->conf, "%%");
	text = xasprintf("[Unit]\nDescription=ofbackup daily job at %02d:%02d (%s)\n\n[Timer]\n"
			 "OnCalendar=*-*-* %02d:%02d:00\nPersistent=true\n\n[Install]\n"
			 "WantedBy=timers.target\n", w->hour, w->minute, conf.data, w->hour,
			 w->minute);
	buf_free(&conf);
	return text;
}

/* The scheduler entries for this configuration: a cron line, a systemd service and timer,
 * a Windows Task Scheduler task; what to put where is said in comments. */
static void show_entries(const struct ofb_config *cfg, int cron, int systemd, int windows)
{
	struct entry_words w;

	entry_words(cfg, &w);
	if (cron) {
		char *line = cron_line(&w, 1);
		printf("# cron: /etc/cron.d/ofbackup (or 'ofbackup schedule install' for the\n"
		       "# current user's crontab, without the user field)\n%s\n\n", line);
		free(line);
	}
	if (systemd) {
		char *svc = service_unit(&w), *tmr = timer_unit(&w);
		printf("# systemd: /etc/systemd/system/ofbackup-%s.service\n%s\n"
		       "# systemd: /etc/systemd/system/ofbackup-%s.timer, then\n"
		       "# systemctl daemon-reload && systemctl enable --now ofbackup-%s.timer\n"
		       "# (or 'ofbackup schedule install --systemd')\n%s\n", cfg->schedule.name, svc,
		       cfg->schedule.name, cfg->schedule.name, tmr);
		free(svc);
		free(tmr);
	}
	if (windows)
		printf("# Windows Task Scheduler (administrator prompt):\n"
		       "schtasks /Create /TN \"ofbackup daily job\" /SC DAILY /ST %02d:%02d /RU SYSTEM "
		       "/RL HIGHEST /TR \"\\\"C:\\Program Files\\ofbackup\\ofbackup.exe\\\" -q -c "
		       "C:\\ProgramData\\ofbackup\\ofbackup.ini scheduled\"\n"
		       "# or import etc/ofbackup-task.xml (MultipleInstancesPolicy IgnoreNew, "
		       "StartWhenAvailable): schtasks /Create /XML ofbackup-task.xml /TN ofbackup\n",
		       w.hour, w.minute);
	entry_words_free(&w);
}

/* Run argv (no shell) with input on its standard input (when not NULL), its standard
 * output into *out and its standard error into *err_out (each when not NULL, malloc'd;
 * else inherited). Returns the exit code, -1 when it could not be run. */
static int run_program(char *const argv[], const char *input, char **out, char **err_out)
{
	void (*old_pipe)(int);
	FILE *errf = err_out ? tmpfile() : NULL;
	int in_pipe[2], out_pipe[2], status;
	struct buf b;
	pid_t pid;
	ssize_t n;
	char chunk[4096];

	if (err_out)
		*err_out = NULL;
	if (err_out && !errf)
		return -1;
	if (pipe(in_pipe) != 0) {
		if (errf)
			fclose(errf);
		return -1;
	}
	if (pipe(out_pipe) != 0) {
		close(in_pipe[0]);
		close(in_pipe[1]);
		if (errf)
			fclose(errf);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(in_pipe[0]);
		close(in_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		if (errf)
			fclose(errf);
		return -1;
	}
	if (pid == 0) {
		dup2(in_pipe[0], 0);
		dup2(out_pipe[1], 1);
		close(in_pipe[0]);
		close(in_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		if (errf)
			dup2(fileno(errf), 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in_pipe[0]);
	close(out_pipe[1]);
	/* a program that does not read its input must not stop this one */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	if (input) {
		size_t len = strlen(input), done = 0;
		while (done < len && (n = write(in_pipe[1], input + done, len - done)) > 0)
			done += (size_t)n;
	}
	close(in_pipe[1]);
	signal(SIGPIPE, old_pipe);
	buf_init(&b);
	while ((n = read(out_pipe[0], chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(out_pipe[0]);
	if (out)
		*out = buf_detach(&b);
	else
		buf_free(&b);
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	if (errf) {
		struct buf e;
		buf_init(&e);
		rewind(errf);
		while ((n = (ssize_t)fread(chunk, 1, sizeof chunk, errf)) > 0)
			buf_add(&e, chunk, (size_t)n);
		fclose(errf);
		*err_out = buf_detach(&e);
	}
	return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* argv run with its standard error dropped (systemctl's complaints are summed up). */
static int run_quiet(char *const argv[])
{
	char *errtext;
	int rc = run_program(argv, NULL, NULL, &errtext);

	free(errtext);
	return rc;
}

/* The current user's crontab with this configuration's entry taken out (and, with add,
 * put back once at the end); written back only when it changed. */
static int edit_crontab(const struct ofb_config *cfg, int add)
{
	char *const list[] = { "crontab", "-l", NULL }, *const load[] = { "crontab", "-", NULL };
	struct entry_words w;
	char *old = NULL, *errtext = NULL, *marker, *line, *next, *ours;
	struct buf b;
	int rc, changed = 0, found = 0;

	entry_words(cfg, &w);
	marker = cron_marker(&w);
	rc = run_program(list, NULL, &old, &errtext);
	/* only "no crontab for USER" is an empty table: any other failure would make the
	 * table written back lose every line of it */
	if (rc != 0 && !(rc == 1 && errtext && strstr(errtext, "no crontab for"))) {
		if (rc < 0 || rc == 127)
			fprintf(stderr, "ofbackup: error: cannot run crontab (Debian package "
				"cron)\n");
		else
			fprintf(stderr, "ofbackup: error: crontab -l failed (exit code %d): %s; the "
				"crontab was not changed\n", rc, errtext ? errtext : "");
		free(old);
		free(errtext);
		free(marker);
		entry_words_free(&w);
		return OFB_EXIT_FAILED;
	}
	free(errtext);
	if (rc != 0)
		old[0] = '\0';
	buf_init(&b);
	/* our entry is the marker line and, when it is this configuration's command, the
	 * line after it (a line the administrator put there instead stays) */
	ours = cron_command(&w);
	for (line = old; *line; line = next) {
		size_t len = strcspn(line, "\n");
		next = line + len + (line[len] == '\n');
		if (len == strlen(marker) && !strncmp(line, marker, len)) {
			size_t nlen = strcspn(next, "\n"), olen = strlen(ours);
			found = 1;
			if (nlen >= olen && !strncmp(next + nlen - olen, ours, olen))
				next += nlen + (next[nlen] == '\n');
			continue;
		}
		buf_add(&b, line, (size_t)(next - line));
	}
	free(ours);
	if (b.len && b.data[b.len - 1] != '\n')
		buf_addc(&b, '\n');
	line = cron_line(&w, 0);
	if (add) {
		buf_addf(&b, "%s\n%s\n", marker, line);
		changed = !found || !strstr(old, line);
	} else {
		changed = found;
	}
	rc = OFB_EXIT_OK;
	if (changed && run_program(load, b.len ? b.data : "", NULL, NULL) != 0) {
		fprintf(stderr, "ofbackup: error: crontab did not take the new table\n");
		rc = OFB_EXIT_FAILED;
	} else if (ofb_progress_verbosity() >= OFB_NORMAL) {
		if (add)
			printf("%s: %s\n", changed ? "installed in your crontab" :
			       "already in your crontab", line);
		else
			printf("%s\n", changed ? "removed from your crontab" :
			       "your crontab holds no entry for this configuration");
	}
	free(line);
	buf_free(&b);
	free(old);
	free(marker);
	entry_words_free(&w);
	return rc;
}

static int write_unit(const char *path, const char *text)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ok = f && fchmod(fd, 0644) == 0 && fputs(text, f) != EOF && fflush(f) == 0 &&
		 fsync(fd) == 0;

	if (f && fclose(f) != 0)
		ok = 0;
	else if (!f && fd >= 0)
		close(fd);
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, "ofbackup: error: cannot write '%s': %s\n", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* Whether the service at svc (if there is one) belongs to this configuration; when it runs
 * another one, says so and sets *rc (two configurations with the same [schedule] name). */
static int other_owner(const char *svc, const struct entry_words *w, int *rc)
{
	FILE *f = fopen(svc, "r");
	char *exec, line[PATH_MAX * 3];
	int mine = 0;

	if (!f)
		return 1;
	exec = exec_start(w);
	while (!mine && fgets(line, sizeof line, f))
		mine = strcmp(line, exec) == 0;
	fclose(f);
	free(exec);
	if (!mine) {
		fprintf(stderr, "ofbackup: error: '%s' runs another configuration; give this one "
			"another [schedule] name (the units are ofbackup-NAME)\n", svc);
		*rc = OFB_EXIT_USAGE;
	}
	return mine;
}

/* The service and timer ofbackup-<name> in /etc/systemd/system (the user's own units
 * folder when not root), enabled or disabled with systemctl. Without a running systemd
 * the files are still written or removed, and the commands to run are said (exit 3). */
static int edit_systemd(const struct ofb_config *cfg, int add)
{
	const char *home = getenv("HOME");
	int user = geteuid() != 0, rc = OFB_EXIT_OK;
	char *dir = user ? xasprintf("%s/.config/systemd/user", home ? home : ".")
			 : xstrdup("/etc/systemd/system");
	char *unit = xasprintf("ofbackup-%s", cfg->schedule.name);
	char *svc = xasprintf("%s/%s.service", dir, unit), *tmr = xasprintf("%s/%s.timer", dir, unit);
	char *timer_name = xasprintf("%s.timer", unit);
	char *const reload[] = { "systemctl", user ? "--user" : "--system", "daemon-reload", NULL };
	char *const enable[] = { "systemctl", user ? "--user" : "--system", add ? "enable" :
				 "disable", "--now", timer_name, NULL };
	struct entry_words w;

	entry_words(cfg, &w);
	if (!other_owner(svc, &w, &rc)) {
		/* nothing */
	} else if (add) {
		char *s = service_unit(&w), *t = timer_unit(&w);
		struct ofb_error err;
		ofb_error_clear(&err);
		if (ofb_files_mkdirs(dir, &err) != 0 || write_unit(svc, s) != 0 ||
		    write_unit(tmr, t) != 0)
			rc = OFB_EXIT_FAILED;
		if (err.set)
			fprintf(stderr, "ofbackup: error: %s\n", err.msg);
		free(s);
		free(t);
	} else {
		/* stopped before its files go */
		if (access(tmr, F_OK) == 0 && run_quiet(enable) != 0)
			ofb_warn("systemctl could not disable %s (is systemd running?)", timer_name);
		if ((unlink(svc) != 0 && errno != ENOENT) || (unlink(tmr) != 0 && errno != ENOENT)) {
			fprintf(stderr, "ofbackup: error: cannot remove the units in '%s': %s\n", dir,
				strerror(errno));
			rc = OFB_EXIT_FAILED;
		}
	}
	if (rc == OFB_EXIT_OK) {
		if (run_quiet(reload) != 0 ||
		    (add && run_quiet(enable) != 0)) {
			ofb_warn("systemd does not answer (systemctl failed): %s; run 'systemctl "
				 "%sdaemon-reload%s%s' where systemd runs", add ? "the units are "
				 "written" : "the units are removed", user ? "--user " : "",
				 add ? " && systemctl enable --now " : "", add ? timer_name : "");
			rc = OFB_EXIT_WARNINGS;
		}
		if (ofb_progress_verbosity() >= OFB_NORMAL)
			printf("%s %s and %s\n", add ? "installed" : "removed", svc, tmr);
	}
	entry_words_free(&w);
	free(dir);
	free(unit);
	free(svc);
	free(tmr);
	free(timer_name);
	return rc;
}

int cmd_schedule(struct ofb_cli *cli, int argc, char **argv)
{
	int cron = 0, systemd = 0, windows = 0;
	const char *what = argc >= 2 ? argv[1] : "";
	int show = !strcmp(what, "show"), install = !strcmp(what, "install");

	if (!show && !install && strcmp(what, "remove") != 0)
		return ofb_cli_usage("schedule", "say show, install or remove");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--cron") == 0 && show)
			cron = 1;
		else if (strcmp(argv[i], "--systemd") == 0)
			systemd = 1;
		else if (strcmp(argv[i], "--windows") == 0 && show)
			windows = 1;
		else
			return ofb_cli_usage("schedule", "unknown argument '%s'", argv[i]);
	}
	if (!show)
		return systemd ? edit_systemd(cli->cfg, install) : edit_crontab(cli->cfg, install);
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
