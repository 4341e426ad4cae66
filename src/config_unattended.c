/* config_unattended.c - the configuration of unattended operation (config_parts.h): the
 * daily job ([schedule]), the package password source ([package]) and the offsite targets
 * ([copy.NAME], and [schedule] copy_to as a shorthand for one). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config_parts.h"
#include "connstr.h"
#include "util.h"

#define COPY_PREFIX "copy."

/* A [schedule] switch: yes/no (also true/false, on/off, 1/0). */
static int yes_no(const dictionary *dict, const struct ofb_config *cfg, const char *key,
		  int dflt, int *out, struct ofb_error *err)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	const char *v = ofb_config_lookup(dict, "schedule", key);

	*out = dflt;
	if (!v || !*v)
		return 0;
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = 0;
			return 0;
		}
	}
	ofb_error_usage(err, "config '%s': [schedule] %s is yes or no, not '%s'", cfg->path, key,
			v);
	return -1;
}

/* [schedule]: folder, name (letters, digits, '.', '_', '-'), weekday_names en|de, time
 * HH:MM, log, max_age hours, keep_weekly/keep_monthly, on_failure, ping_url, syslog,
 * metrics, offline_is_warning (copy_to is read with the [copy.NAME] sections). */
static int load_schedule(const dictionary *dict, struct ofb_config *cfg, struct ofb_error *err)
{
	struct ofb_schedule_cfg *s = &cfg->schedule;
	const char *v;

	s->max_age_hours = 26;
	s->offline_is_warning = 1;
	if ((v = ofb_config_lookup(dict, "schedule", "folder")) && *v)
		s->folder = xstrdup(v);
	v = ofb_config_lookup(dict, "schedule", "name");
	s->name = xstrdup(v && *v ? v : "ofbackup");
	for (const char *p = s->name; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-') ||
		    (p == s->name && *p == '.')) {
			ofb_error_usage(err, "config '%s': [schedule] name '%s' may hold only letters, "
					"digits, '.', '_' and '-' (files are NAME-Weekday.zip)",
					cfg->path, s->name);
			return -1;
		}
	v = ofb_config_lookup(dict, "schedule", "weekday_names");
	if (v && *v && strcmp(v, "en") != 0 && strcmp(v, "de") != 0) {
		ofb_error_usage(err, "config '%s': [schedule] weekday_names is 'en' (Monday...) or "
				"'de' (Montag...), not '%s'", cfg->path, v);
		return -1;
	}
	s->german = v && strcmp(v, "de") == 0;
	v = ofb_config_lookup(dict, "schedule", "time");
	if (v && *v) {
		int h, m;
		char end;
		if (sscanf(v, "%2d:%2d%c", &h, &m, &end) != 2 || h < 0 || h > 23 || m < 0 || m > 59) {
			ofb_error_usage(err, "config '%s': [schedule] time is HH:MM (24 hours), not "
					"'%s'", cfg->path, v);
			return -1;
		}
	}
	s->time = xstrdup(v && *v ? v : "02:30");
	if ((v = ofb_config_lookup(dict, "schedule", "log")) && *v)
		s->log = xstrdup(v);
	if ((v = ofb_config_lookup(dict, "schedule", "on_failure")) && *v) {
		if (v[0] != '/') {
			ofb_error_usage(err, "config '%s': [schedule] on_failure is a program's absolute "
					"path (it is run directly, not by a shell), not '%s'", cfg->path, v);
			return -1;
		}
		s->on_failure = xstrdup(v);
	}
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "keep_monthly" : "keep_weekly";
		long *out = k ? &s->keep_monthly : &s->keep_weekly;
		char *end;
		if (!(v = ofb_config_lookup(dict, "schedule", key)) || !*v)
			continue;
		*out = strtol(v, &end, 10);
		if (*end || *out < 0 || *out > 1000) {
			ofb_error_usage(err, "config '%s': [schedule] %s is a count (0 to 1000), not "
					"'%s'", cfg->path, key, v);
			return -1;
		}
	}
	if ((v = ofb_config_lookup(dict, "schedule", "max_age")) && *v) {
		char *end;
		long h = strtol(v, &end, 10);
		if (*end || h < 1 || h > 24 * 365) {
			ofb_error_usage(err, "config '%s': [schedule] max_age is hours (1 to 8760), "
					"not '%s'", cfg->path, v);
			return -1;
		}
		s->max_age_hours = h;
	}
	if ((v = ofb_config_lookup(dict, "schedule", "ping_url")) && *v) {
		if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
			ofb_error_usage(err, "config '%s': [schedule] ping_url is an http:// or "
					"https:// address, not '%s'", cfg->path, v);
			return -1;
		}
		s->ping_url = xstrdup(v);
	}
	if ((v = ofb_config_lookup(dict, "schedule", "metrics")) && *v)
		s->metrics = xstrdup(v);
	if (yes_no(dict, cfg, "syslog", 0, &s->syslog, err) != 0 ||
	    yes_no(dict, cfg, "offline_is_warning", 1, &s->offline_is_warning, err) != 0)
		return -1;
	return 0;
}


/* [package]: password_env or password_file (one of them), compression. */
static int load_package(const dictionary *dict, struct ofb_config *cfg, struct ofb_error *err)
{
	const char *env = ofb_config_lookup(dict, "package", "password_env");
	const char *file = ofb_config_lookup(dict, "package", "password_file");
	const char *level = ofb_config_lookup(dict, "package", "compression");

	cfg->package.level = OFB_LEVEL_DEFAULT;
	cfg->package.bytes_level = OFB_LEVEL_BYTES;
	if (level && *level && strcmp(level, "default") != 0) {
		if (!strcmp(level, "fast"))
			cfg->package.level = OFB_LEVEL_FAST;
		else if (!strcmp(level, "best"))
			cfg->package.level = OFB_LEVEL_BEST;
		else if (level[1] || level[0] < '0' || level[0] > '9') {
			ofb_error_usage(err, "config '%s': [package] compression is fast, "
					"default, best or a level 0 (stored) to 9, not '%s'",
					cfg->path, level);
			return -1;
		} else {
			cfg->package.level = level[0] - '0';
		}
		cfg->package.bytes_level = cfg->package.level;
	}

	if (env && *env && file && *file) {
		ofb_error_usage(err, "config '%s': [package] sets both password_env and "
				"password_file; keep one", cfg->path);
		return -1;
	}
	if (env && *env)
		cfg->package.password_env = xstrdup(env);
	if (file && *file)
		cfg->package.password_file = xstrdup(file);
	return 0;
}

/* What a target's address is: a folder (an absolute path) or one of the URL schemes. */
static int valid_target(const char *to)
{
	static const char *const schemes[] = { "sftp://", "ftps://", "https://", "http://",
					       "s3://" };

	if (to[0] == '/')
		return 1;
	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
		if (!strncmp(to, schemes[i], strlen(schemes[i])) && to[strlen(schemes[i])])
			return 1;
	return 0;
}

/* A password written into the address (user:password@host) would show in every message.
 * The last '@' counts, so a password holding '/' is found too; an '@' in the folder's
 * path after a port is taken for one as well (write it as %40 there). */
static int password_in_address(const char *to)
{
	const char *p = strstr(to, "://"), *at, *colon;

	if (!p)
		return 0;
	p += 3;
	at = strrchr(p, '@');
	colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	return colon != NULL;
}

static struct ofb_copy_target *add_target(struct ofb_config *cfg, const char *name)
{
	struct ofb_copy_target *t;

	cfg->copies = xrealloc(cfg->copies, (cfg->n_copies + 1) * sizeof *cfg->copies);
	t = &cfg->copies[cfg->n_copies++];
	memset(t, 0, sizeof *t);
	t->name = xstrdup(name);
	t->retries = 3;
	return t;
}

static int check_target(const struct ofb_config *cfg, const struct ofb_copy_target *t,
			const char *where, struct ofb_error *err)
{
	if (!t->to) {
		ofb_error_usage(err, "config '%s': %s needs 'to' (a folder or an sftp://, "
				"ftps://, https:// or s3:// address)", cfg->path, where);
		return -1;
	}
	if (!valid_target(t->to)) {
		ofb_error_usage(err, "config '%s': %s: 'to' is an absolute folder or an sftp://, "
				"ftps://, https:// (WebDAV) or s3://bucket/prefix address, not '%s' "
				"(for an SMB share, mount it and name the folder)", cfg->path, where,
				t->to);
		return -1;
	}
	if (password_in_address(t->to)) {
		ofb_error_usage(err, "config '%s': %s: 'to' holds a password (user:password@); "
				"name the user there or in 'user', the password with password_env or "
				"password_file ('@' in a folder name: write %%40)", cfg->path, where);
		return -1;
	}
	if (t->password_env && t->password_file) {
		ofb_error_usage(err, "config '%s': %s sets both password_env and password_file; "
				"keep one", cfg->path, where);
		return -1;
	}
	return 0;
}

/* Each [copy.NAME] in file order, then [schedule] copy_to as the target "copy_to". */
static int load_copies(const dictionary *dict, struct ofb_config *cfg, struct ofb_error *err)
{
	static const struct {
		const char *key;
		size_t offset;
	} fields[] = {
		{ "to", offsetof(struct ofb_copy_target, to) },
		{ "ssh_key", offsetof(struct ofb_copy_target, ssh_key) },
		{ "known_hosts", offsetof(struct ofb_copy_target, known_hosts) },
		{ "user", offsetof(struct ofb_copy_target, user) },
		{ "password_env", offsetof(struct ofb_copy_target, password_env) },
		{ "password_file", offsetof(struct ofb_copy_target, password_file) },
		{ "endpoint", offsetof(struct ofb_copy_target, endpoint) },
		{ "region", offsetof(struct ofb_copy_target, region) },
		{ "ca_file", offsetof(struct ofb_copy_target, ca_file) },
	};
	const char *v;

	for (int i = 0; i < dict->size; i++) {
		const char *section = dict->key[i], *name;
		struct ofb_copy_target *t;
		char *where;

		if (!section || dict->val[i] || strncmp(section, COPY_PREFIX, strlen(COPY_PREFIX)))
			continue;
		name = section + strlen(COPY_PREFIX);
		where = xasprintf("[%s]", section);
		if (!*name) {
			ofb_error_usage(err, "config '%s': section [%s] names no target; write its "
					"name after the dot, e.g. [copy.nas]", cfg->path, section);
			free(where);
			return -1;
		}
		t = add_target(cfg, name);
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
			if ((v = ofb_config_lookup(dict, section, fields[f].key)) && *v)
				*(char **)((char *)t + fields[f].offset) = xstrdup(v);
		if ((v = ofb_config_lookup(dict, section, "retries")) && *v) {
			char *end;
			t->retries = strtol(v, &end, 10);
			if (*end || t->retries < 0 || t->retries > 10) {
				ofb_error_usage(err, "config '%s': %s retries is a count (0 to 10), "
						"not '%s'", cfg->path, where, v);
				free(where);
				return -1;
			}
		}
		if (check_target(cfg, t, where, err) != 0) {
			free(where);
			return -1;
		}
		free(where);
	}
	if ((v = ofb_config_lookup(dict, "schedule", "copy_to")) && *v) {
		struct ofb_copy_target *t = add_target(cfg, "copy_to");
		t->to = xstrdup(v);
		if (check_target(cfg, t, "[schedule] copy_to", err) != 0)
			return -1;
	}
	return 0;
}

int ofb_config_load_unattended(const dictionary *dict, struct ofb_config *cfg,
			       struct ofb_error *err)
{
	if (load_schedule(dict, cfg, err) != 0 || load_package(dict, cfg, err) != 0 ||
	    load_copies(dict, cfg, err) != 0)
		return -1;
	return 0;
}

void ofb_config_free_unattended(struct ofb_config *cfg)
{
	struct ofb_schedule_cfg *s = &cfg->schedule;

	free(s->folder);
	free(s->name);
	free(s->time);
	free(s->log);
	free(s->on_failure);
	free(s->ping_url);
	free(s->metrics);
	free(cfg->package.password_env);
	free(cfg->package.password_file);
	for (size_t i = 0; i < cfg->n_copies; i++) {
		struct ofb_copy_target *t = &cfg->copies[i];
		free(t->name);
		free(t->to);
		free(t->ssh_key);
		free(t->known_hosts);
		free(t->user);
		free(t->password_env);
		free(t->password_file);
		free(t->endpoint);
		free(t->region);
		free(t->ca_file);
	}
	free(cfg->copies);
}

int ofb_package_password(const struct ofb_config *cfg, char **out, struct ofb_error *err)
{
	const char *env = cfg ? cfg->package.password_env : NULL;
	const char *file = cfg ? cfg->package.password_file : NULL;

	*out = NULL;
	if (!env && !file) {
		const char *v = getenv("OFBACKUP_PASSWORD");
		if (v && *v)
			*out = xstrdup(v);
		return 0;
	}
	if (ofb_secret_resolve(NULL, env, file, out, err) != 0) {
		ofb_error_prefix(err, "the package password ([package])");
		return -1;
	}
	if (!**out) {
		ofb_secret_free(*out);
		*out = NULL;
		ofb_error_usage(err, "the package password ([package] %s) is empty",
				env ? "password_env" : "password_file");
		return -1;
	}
	return 0;
}
