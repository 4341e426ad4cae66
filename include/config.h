/* config.h - the INI configuration: how to reach the login database, how the client
 * registry is mapped, and per-client overrides. */
#ifndef OFB_CONFIG_H
#define OFB_CONFIG_H

#include "connstr.h"
#include "error.h"


/* Where the login database registers its clients. Defaults in parentheses. */
struct ofb_registry_map {
	char *table;          /* clients */
	char *col_id;         /* id */
	char *col_name;       /* name */
	char *col_connect;    /* connect */
	char *col_files;      /* files_dir */
	char *col_offline;    /* offline */
};

struct ofb_client_override {
	char *id;
	struct ofb_dbconn conn;  /* fields left NULL are not overridden */
	char *files;             /* files folder, or NULL */
};

struct ofb_config {
	char *path;
	struct ofb_dbconn login;
	struct ofb_registry_map reg;
	struct ofb_client_override *overrides;
	size_t n_overrides;
	/* [backup] section */
	char *backup_dir;        /* default output folder (NULL: current folder) */
	/* [schedule] section: the daily job (schedule.h) */
	struct ofb_schedule_cfg {
		char *folder;            /* where the weekday files go (NULL: not set up) */
		char *name;              /* files are <name>-<Weekday>.zip */
		int german;              /* weekday_names = de */
		char *time;              /* HH:MM, for the scheduler entries */
		char *log;               /* a line per run appended here, or NULL */
		char *on_failure;        /* a program run when a run fails or warns, or NULL */
		long max_age_hours;      /* status: a success older than this is a warning */
		long keep_weekly;        /* dated copies <name>-YYYY-Www.zip kept (0: none) */
		long keep_monthly;       /* dated copies <name>-YYYY-MM.zip kept (0: none) */
		char *ping_url;          /* healthchecks-style pings (/start, success, /fail) */
		int syslog;              /* the run's line also to syslog */
		char *metrics;           /* a Prometheus textfile written after each run */
		int offline_is_warning;  /* clients registered offline make exit 3 (default) */
	} schedule;
	/* [package]: where the package password comes from (else $OFBACKUP_PASSWORD) */
	struct ofb_package_cfg {
		char *password_env;
		char *password_file;
		int level;               /* compression: deflate 1-9, 0 stored */
		int bytes_level;         /* that of tables of long bytes (OFB_LEVEL_BYTES) */
	} package;
	/* [copy.NAME] sections and [schedule] copy_to: the offsite targets, in file order */
	struct ofb_copy_target {
		char *name;              /* NAME of [copy.NAME]; "copy_to" for the shorthand */
		char *to;                /* a folder, or sftp:// ftps:// https:// s3:// URL */
		char *ssh_key;           /* sftp: private key (default: ~/.ssh/id_ed25519, ...) */
		char *known_hosts;       /* sftp: default ~/.ssh/known_hosts */
		char *user;              /* ftps/https/s3 (s3: the access key) */
		char *password_env;      /* ftps/https/s3 password (s3: the secret key) */
		char *password_file;
		char *endpoint;          /* s3: host[:port] of S3-compatible storage */
		char *region;            /* s3: default us-east-1 */
		char *ca_file;           /* ftps/https/s3: CA certificates (a self-signed NAS) */
		long retries;            /* attempts after the first (default 3) */
	} *copies;
	size_t n_copies;
	/* Problems that do not stop loading, one message each: unknown keys or sections, and
	 * settings that would be ignored (user beside a connect string with UID/USER, a
	 * password source beside one with PWD/PASSWORD, more than one password source). */
	char **warnings;
	size_t n_warnings;
};

/* Load path. Returns 0, or -1 with err set as a usage/config error (exit 2):
 * file missing or unreadable, no [login] connect/dsn, both connect and dsn, bad values.
 * A value iniparser would cut silently is refused, naming file, line, section and key:
 * for connect, dsn, user, password, password_file, files, dir and the [registry] keys, an
 * unquoted value with ';' or '#' after its first character (iniparser starts a comment
 * there, blank before it or not), and a quoted value holding its own quote character or
 * followed by anything but a comment ("..." ; comment is fine); for other keys an unquoted
 * ';' or '#' glued to the text before it; for every key an unclosed quote. Lines ending
 * in '\' are joined with the next, as iniparser does. Settings ofb_dbconn_string would
 * ignore are reported in cfg->warnings (for [client.ID] only against its own connect). */
int ofb_config_load(const char *path, struct ofb_config *cfg, struct ofb_error *err);
void ofb_config_free(struct ofb_config *cfg);

/* The override for client id, or NULL. */
const struct ofb_client_override *ofb_config_client(const struct ofb_config *cfg,
						    const char *id);

/* [package] compression: fast (1), default, best (9), or a level 0 (stored) to 9. The
 * default is chosen by measurement (docs/BENCHMARKS.md). */
#define OFB_LEVEL_FAST 1
#define OFB_LEVEL_DEFAULT 4
#define OFB_LEVEL_BEST 9
/* With the default, the table files of tables of long bytes (ofb_table_has_long_bytes),
 * mostly hex of documents that are compressed already, take this level: 300 rows of
 * 100 KB 35.8 MB against 35.1 MB, in 1.19 s against 2.27 s (level 1: 35.9 MB, 1.02 s;
 * 3: 35.6 MB, 1.89 s); the hex of text 14% larger than at level 4 (level 1: 24%). A
 * level set in the configuration is every table's. */
#define OFB_LEVEL_BYTES 2

/* The package password: [package] password_env/password_file of cfg (may be NULL), else
 * $OFBACKUP_PASSWORD; *out is NULL when none is set (free with ofb_secret_free). -1 with
 * a usage error when the configured source cannot be read or is empty. */
int ofb_package_password(const struct ofb_config *cfg, char **out, struct ofb_error *err);

/* Default config path: $OFBACKUP_CONFIG, else /etc/ofbackup/ofbackup.ini. */
const char *ofb_config_default_path(void);

#endif
