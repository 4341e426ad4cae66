/* monitor.c - what a run of the daily job tells the world (monitor.h): the log line,
 * syslog, on_failure, pings, the metrics textfile. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "curl_api.h"
#include "monitor.h"
#include "progress.h"
#include "util.h"

#define PING_SECONDS 10L

static void iso_time(time_t t, char *out, size_t n)
{
	struct tm lt;

	localtime_r(&t, &lt);
	strftime(out, n, "%Y-%m-%dT%H:%M:%S%z", &lt);
}

/* The run in one line: the log's, and on_failure's summary. */
static char *summary_line(struct ofb_run_record *rr)
{
	char start[40], end[40], *copies, *line;

	iso_time(rr->start, start, sizeof start);
	iso_time(rr->end, end, sizeof end);
	/* one line per run, whatever a driver's message holds */
	for (char *p = rr->message; p && *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	copies = ofb_copy_report_line(&rr->copies);
	line = xasprintf("%s scheduled result=%s start=%s end=%s duration=%lds package=%s "
			 "size=%lld clients_ok=%zu clients_skipped=%zu clients_failed=%zu copies=%s%s%s",
			 end, rr->result, start, end, (long)(rr->end - rr->start),
			 rr->package ? rr->package : "-", rr->size, rr->ok, rr->skipped, rr->failed,
			 copies, rr->message ? " message=" : "", rr->message ? rr->message : "");
	free(copies);
	return line;
}

static void append_log(const struct ofb_config *cfg, const char *line)
{
	FILE *f;

	if (!cfg->schedule.log)
		return;
	f = fopen(cfg->schedule.log, "a");
	if (!f) {
		ofb_warn("cannot append to the log '%s': %s", cfg->schedule.log, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", line);
	if (fclose(f) != 0)
		ofb_warn("cannot append to the log '%s': %s", cfg->schedule.log, strerror(errno));
}

/* [schedule] on_failure, run directly (no shell) with the summary as its argument and as
 * OFBACKUP_RESULT, OFBACKUP_PACKAGE, OFBACKUP_MESSAGE; given a minute, then stopped, so a
 * hanging notifier never holds the installation. */
#define NOTIFY_SECONDS 60

static void notify(const struct ofb_config *cfg, const struct ofb_run_record *rr,
		   const char *summary)
{
	const char *prog = cfg->schedule.on_failure;
	pid_t pid;
	int status = 0;

	if (!prog)
		return;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ofb_warn("cannot run on_failure '%s': %s", prog, strerror(errno));
		return;
	}
	if (pid == 0) {
		setenv("OFBACKUP_RESULT", rr->result, 1);
		setenv("OFBACKUP_PACKAGE", rr->package ? rr->package : "", 1);
		setenv("OFBACKUP_MESSAGE", rr->message ? rr->message : "", 1);
		execl(prog, prog, summary, (char *)NULL);
		_exit(127);
	}
	for (int waited = 0; waited < NOTIFY_SECONDS * 10; waited++) {
		pid_t got = waitpid(pid, &status, WNOHANG);
		if (got == pid) {
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				ofb_warn("on_failure '%s' ended with %s %d", prog,
					 WIFEXITED(status) ? "exit code" : "signal",
					 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			return;
		}
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ofb_warn("on_failure '%s' did not end within %d seconds and was stopped", prog,
		 NOTIFY_SECONDS);
}


/* [schedule] ping_url, healthchecks.io's way: URL/start when a run begins, URL when it
 * succeeded, URL/fail when it failed or warned; the summary as the body. Ten seconds at
 * most: a dead monitor never holds up a backup. */
/* A ping address as messages show it: scheme and host, not the path (healthchecks' path
 * is the check's secret). */
static char *shown_url(const char *url)
{
	const char *host = strstr(url, "://");
	size_t n = host ? (size_t)(host + 3 - url) + strcspn(host + 3, "/?#") : strlen(url);

	return xasprintf("%.*s/...", (int)n, url);
}

static void ping(const struct ofb_config *cfg, const char *suffix, const char *body)
{
	const char *base = cfg->schedule.ping_url;
	char errbuf[CURL_ERROR_SIZE] = "", *url, *shown;
	const struct ofb_curl *curl;
	struct ofb_error err;
	CURL *c;
	CURLcode rc;
	long code = 0;

	if (!base)
		return;
	shown = shown_url(base);
	if (!(curl = ofb_curl_load(&err)) || !(c = curl->easy_init())) {
		ofb_warn("cannot ping '%s': %s", shown, curl ? "libcurl does not start" : err.msg);
		free(shown);
		return;
	}
	url = xasprintf("%.*s%s", (int)strlen(base) - (*suffix && base[strlen(base) - 1] == '/'),
			base, suffix);
	curl->easy_setopt(c, CURLOPT_URL, url);
	curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl->easy_setopt(c, CURLOPT_TIMEOUT, PING_SECONDS);
	curl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, PING_SECONDS / 2);
	curl->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl->easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
	curl->easy_setopt(c, CURLOPT_USERAGENT, "ofbackup");
	rc = curl->easy_perform(c);
	curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK)
		ofb_warn("cannot ping '%s%s': %s", shown, suffix, errbuf[0] ? errbuf :
			 curl->easy_strerror(rc));
	else if (code < 200 || code >= 300)
		ofb_warn("ping '%s%s': the monitor answered %ld", shown, suffix, code);
	curl->easy_cleanup(c);
	free(url);
	free(shown);
}

void ofb_monitor_start(const struct ofb_config *cfg)
{
	ping(cfg, "/start", NULL);
}

/* [schedule] metrics: the Prometheus textfile (node_exporter's textfile collector reads
 * *.prom files), written under a temporary name and renamed. */
static void write_metrics(const struct ofb_config *cfg, const struct ofb_run_record *rr)
{
	const char *path = cfg->schedule.metrics, *name = cfg->schedule.name;
	char *tmp;
	FILE *f;
	int result = !strcmp(rr->result, "ok") ? 0 : !strcmp(rr->result, "warning") ? 1 : 2;

	if (!path)
		return;
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	{
		/* the collector's folder may be writable by others: no link followed */
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (fd >= 0 && !f)
			close(fd);
	}
	if (!f) {
		ofb_warn("cannot write the metrics file '%s': %s", tmp, strerror(errno));
		free(tmp);
		return;
	}
#define GAUGE(metric, help) \
	fprintf(f, "# HELP ofbackup_" metric " " help "\n# TYPE ofbackup_" metric " gauge\n")
	GAUGE("last_run_timestamp_seconds", "When the last run of the daily job ended.");
	fprintf(f, "ofbackup_last_run_timestamp_seconds{name=\"%s\"} %lld\n", name,
		(long long)rr->end);
	GAUGE("last_success_timestamp_seconds", "When the last successful run ended.");
	fprintf(f, "ofbackup_last_success_timestamp_seconds{name=\"%s\"} %lld\n", name,
		(long long)rr->last_success);
	GAUGE("last_run_result", "0 ok, 1 warnings, 2 failed.");
	fprintf(f, "ofbackup_last_run_result{name=\"%s\"} %d\n", name, result);
	GAUGE("last_run_duration_seconds", "How long the last run took.");
	fprintf(f, "ofbackup_last_run_duration_seconds{name=\"%s\"} %lld\n", name,
		(long long)(rr->end - rr->start));
	GAUGE("last_package_size_bytes", "The size of the package the last run left.");
	fprintf(f, "ofbackup_last_package_size_bytes{name=\"%s\"} %lld\n", name, rr->size);
	GAUGE("last_run_clients", "Clients of the last run, by what became of them.");
	fprintf(f, "ofbackup_last_run_clients{name=\"%s\",state=\"ok\"} %zu\n", name, rr->ok);
	fprintf(f, "ofbackup_last_run_clients{name=\"%s\",state=\"skipped\"} %zu\n", name,
		rr->skipped);
	fprintf(f, "ofbackup_last_run_clients{name=\"%s\",state=\"failed\"} %zu\n", name,
		rr->failed);
	GAUGE("last_run_copies_failed", "Offsite copies of the last run that failed.");
	fprintf(f, "ofbackup_last_run_copies_failed{name=\"%s\"} %zu\n", name,
		rr->copies.failed);
#undef GAUGE
	if (fflush(f) != 0 || ferror(f) || fclose(f) != 0) {
		ofb_warn("cannot write the metrics file '%s': %s", tmp, strerror(errno));
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		ofb_warn("cannot write the metrics file '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
}

void ofb_monitor_finish(const struct ofb_config *cfg, struct ofb_run_record *rr)
{
	char *line = summary_line(rr);
	int ok = strcmp(rr->result, "ok") == 0;

	append_log(cfg, line);
	if (cfg->schedule.syslog) {
		openlog("ofbackup", LOG_PID, LOG_DAEMON);
		syslog(ok ? LOG_INFO : strcmp(rr->result, "warning") == 0 ? LOG_WARNING : LOG_ERR,
		       "%s", line);
		closelog();
	}
	if (!ok)
		notify(cfg, rr, line);
	ping(cfg, ok ? "" : "/fail", line);
	write_metrics(cfg, rr);
	free(line);
}
