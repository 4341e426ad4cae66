/* test_config.c - unit tests of the INI loader, connection-string building and masking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "config.h"
#include "util.h"
#include "error.h"
#include "suites.h"

#define PASSWORD_VAR "OFB_TEST_CONFIG_PASSWORD"

/* Writes text to a fresh temporary file; returns its malloc'd path, or NULL. */
static char *write_temp(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	FILE *f;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	path = malloc(strlen(dir) + sizeof "/ofb-config-XXXXXX");
	if (!path)
		return NULL;
	sprintf(path, "%s/ofb-config-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

static void remove_temp(char *path)
{
	if (path)
		unlink(path);
	free(path);
}

/* Loads text as a config; the path is handed back for messages and removal. */
static int load_text(const char *text, struct ofb_config *cfg, struct ofb_error *err,
		     char **path)
{
	*path = write_temp(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(*path);
	ofb_error_clear(err);
	return ofb_config_load(*path, cfg, err);
}

/* The registry's table and its id, name, connect, files and offline columns. */
static void expect_registry(const struct ofb_config *cfg, const char *const want[6],
			    unsigned line)
{
	const char *got[6] = { cfg->reg.table, cfg->reg.col_id, cfg->reg.col_name,
			       cfg->reg.col_connect, cfg->reg.col_files, cfg->reg.col_offline };

	for (int i = 0; i < 6; i++)
		ofb_expect_str("registry setting", got[i], want[i], line);
}

static int contains(const char *haystack, const char *needle)
{
	return haystack && needle && strstr(haystack, needle) != NULL;
}

static void test_defaults(void)
{
	struct ofb_config cfg;
	struct ofb_error err;
	char *path;

	CU_ASSERT_EQUAL_FATAL(load_text("[login]\nconnect = \"Driver=SQLite3;Database=login.db\"\n",
					&cfg, &err, &path), 0);
	CU_ASSERT_STRING_EQUAL(cfg.path, path);
	CU_ASSERT_STRING_EQUAL(cfg.login.connect, "Driver=SQLite3;Database=login.db");
	CU_ASSERT_PTR_NULL(cfg.login.dsn);
	CU_ASSERT_PTR_NULL(cfg.login.user);
	CU_ASSERT_PTR_NULL(cfg.login.password);
	expect_registry(&cfg, (const char *[]){ "clients", "id", "name", "connect", "files_dir",
						 "offline" }, __LINE__);
	CU_ASSERT_PTR_NULL(cfg.backup_dir);
	CU_ASSERT_EQUAL(cfg.n_overrides, 0);
	CU_ASSERT_EQUAL(cfg.n_warnings, 0);
	CU_ASSERT_PTR_NULL(ofb_config_client(&cfg, "acme"));
	CU_ASSERT_EQUAL(cfg.package.level, OFB_LEVEL_DEFAULT);
	CU_ASSERT_EQUAL(cfg.package.bytes_level, OFB_LEVEL_BYTES);
	ofb_config_free(&cfg);
	remove_temp(path);
}

/* Quotes are how values with ';' or '#' get through iniparser; both kinds are stripped,
 * and a comment after the closing quote is dropped. */
static void test_quoted_values(void)
{
	static const struct {
		const char *line;
		const char *want;
	} cases[] = {
		{ "connect = \"Driver=SQLite3;Database=/data/login.db\"",
		  "Driver=SQLite3;Database=/data/login.db" },
		{ "connect = 'Driver=SQLite3;Database=x'   ; a comment", "Driver=SQLite3;Database=x" },
		{ "connect = \"DSN=a#b\" # a comment", "DSN=a#b" },
		{ "connect = \"DSN=a;b\";glued comment", "DSN=a;b" },
		{ "connect = \"DSN=x\"   ; a comment with \"quotes\" and 'more'", "DSN=x" },
		{ "connect = DSN=plain", "DSN=plain" },
		{ "connect = 'DSN=it\"s;x'", "DSN=it\"s;x" },
		{ "connect = \"DSN=it's;x\"", "DSN=it's;x" },
		{ "CONNECT = \"  spaced  \"", "  spaced  " },
		/* a line ending in '\\' continues on the next one */
		{ "connect = \"DSN=a;\\\nb\"", "DSN=a;b" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ofb_config cfg;
		struct ofb_error err;
		char text[256], *path;

		snprintf(text, sizeof text, "[Login]\n%s\n", cases[i].line);
		CU_ASSERT_EQUAL_FATAL(load_text(text, &cfg, &err, &path), 0);
		CU_ASSERT_STRING_EQUAL(cfg.login.connect, cases[i].want);
		CU_ASSERT_EQUAL(cfg.n_warnings, 0);
		ofb_config_free(&cfg);
		remove_temp(path);
	}
}

static void test_registry_and_backup(void)
{
	struct ofb_config cfg;
	struct ofb_error err;
	char *path;

	CU_ASSERT_EQUAL_FATAL(load_text(
		"[login]\n"
		"dsn = officefreund_login\n"
		"user = backup\n"
		"password_env = OFB_PW\n"
		"[registry]\n"
		"table = dbo.Mandanten\n"
		"id = MandantNr\n"
		"name = Bezeichnung\n"
		"connect = Verbindung\n"
		"files_dir = Ablage\n"
		"offline = Gesperrt\n"
		"[backup]\n"
		"dir = /var/backups/ofbackup\n", &cfg, &err, &path), 0);
	CU_ASSERT_PTR_NULL(cfg.login.connect);
	CU_ASSERT_STRING_EQUAL(cfg.login.dsn, "officefreund_login");
	CU_ASSERT_STRING_EQUAL(cfg.login.user, "backup");
	CU_ASSERT_STRING_EQUAL(cfg.login.password_env, "OFB_PW");
	/* values keep their case; only names are lowercased */
	expect_registry(&cfg, (const char *[]){ "dbo.Mandanten", "MandantNr", "Bezeichnung",
						 "Verbindung", "Ablage", "Gesperrt" }, __LINE__);
	CU_ASSERT_STRING_EQUAL(cfg.backup_dir, "/var/backups/ofbackup");
	CU_ASSERT_EQUAL(cfg.n_warnings, 0);
	ofb_config_free(&cfg);
	remove_temp(path);
}

static void test_client_overrides(void)
{
	const struct ofb_client_override *o;
	struct ofb_config cfg;
	struct ofb_error err;
	char *path;

	CU_ASSERT_EQUAL_FATAL(load_text(
		"[login]\n"
		"connect = \"Driver=SQLite3;Database=login.db\"\n"
		"[client.ACME]\n"
		"dsn = acme_pg\n"
		"user = acme\n"
		"password_file = /etc/ofbackup/acme.pw\n"
		"files = /srv/officefreund/files/acme\n"
		"[client.beta]\n"
		"files = /srv/beta\n"
		"password =\n", &cfg, &err, &path), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_overrides, 2);

	o = ofb_config_client(&cfg, "Acme");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(o->id, "acme");
	CU_ASSERT_PTR_NULL(o->conn.connect);
	CU_ASSERT_STRING_EQUAL(o->conn.dsn, "acme_pg");
	CU_ASSERT_STRING_EQUAL(o->conn.user, "acme");
	CU_ASSERT_STRING_EQUAL(o->conn.password_file, "/etc/ofbackup/acme.pw");
	CU_ASSERT_STRING_EQUAL(o->files, "/srv/officefreund/files/acme");
	CU_ASSERT_PTR_EQUAL(ofb_config_client(&cfg, "ACME"), o);

	o = ofb_config_client(&cfg, "beta");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NULL(o->conn.connect);
	CU_ASSERT_PTR_NULL(o->conn.dsn);
	CU_ASSERT_PTR_NULL(o->conn.password);    /* an empty value means "not set" */
	CU_ASSERT_STRING_EQUAL(o->files, "/srv/beta");

	CU_ASSERT_PTR_NULL(ofb_config_client(&cfg, "gamma"));
	CU_ASSERT_PTR_NULL(ofb_config_client(&cfg, NULL));
	CU_ASSERT_EQUAL(cfg.n_warnings, 0);
	ofb_config_free(&cfg);
	remove_temp(path);
}

/* A configuration text and the warnings loading it gives. */
struct warning_case {
	const char *text;
	const char *want[3];    /* message tails after "config 'PATH': " */
};

/* Load each case's text: the warnings are the wanted ones, in order (whole messages, or
 * messages that start with them when prefix is set), and never show a secret. */
static void check_warnings(const struct warning_case *cases, size_t n, int prefix)
{
	for (size_t i = 0; i < n; i++) {
		struct ofb_config cfg;
		struct ofb_error err;
		size_t n_want = 0;
		char *path;

		while (n_want < 3 && cases[i].want[n_want])
			n_want++;
		CU_ASSERT_EQUAL_FATAL(load_text(cases[i].text, &cfg, &err, &path), 0);
		CU_ASSERT_EQUAL(cfg.n_warnings, n_want);
		for (size_t w = 0; w < n_want && w < cfg.n_warnings; w++) {
			char want[512];
			int ok;

			snprintf(want, sizeof want, "config '%s': %s", path, cases[i].want[w]);
			ok = prefix ? !strncmp(cfg.warnings[w], want, strlen(want))
				    : !strcmp(cfg.warnings[w], want);
			CU_ASSERT(ok);
			if (!ok)
				fprintf(stderr, "\n  case %zu: got '%s'\n", i, cfg.warnings[w]);
		}
		for (size_t w = 0; w < cfg.n_warnings; w++)
			CU_ASSERT(!contains(cfg.warnings[w], "={a;b}"));
		ofb_config_free(&cfg);
		remove_temp(path);
	}
}

/* Unknown names are reported, in file order, and do not stop loading. */
static void test_warnings(void)
{
	static const struct warning_case cases[] = {
		{ "[login]\nconnect = DSN=x\nfoo = 1\n",
		  { "unknown key 'foo' in section [login]" } },
		{ "[login]\nconnect = DSN=x\n[Extra]\nanything = 1\n",
		  { "unknown section [extra]" } },
		{ "stray = 1\n[login]\ndsn = x\n",
		  { "key 'stray' outside any section" } },
		{ "[login]\ndsn = x\n[registry]\ncolumn = x\n[backup]\nfolder = /x\n",
		  { "unknown key 'column' in section [registry]",
		    "unknown key 'folder' in section [backup]" } },
		{ "[client.a]\nfile = /x\n[login]\ndsn = x\n[clients]\n[client.b]\ntable = t\n",
		  { "unknown key 'file' in section [client.a]", "unknown section [clients]",
		    "unknown key 'table' in section [client.b]" } },
	};

	check_warnings(cases, sizeof cases / sizeof cases[0], 0);
}

/* Every configuration error is a usage error (exit 2) naming the file and what is wrong,
 * and leaves nothing allocated in cfg. */
static void test_config_errors(void)
{
	static const struct {
		const char *text;
		const char *want[3];    /* substrings of the message */
		const char *secret;     /* must not appear in the message */
	} cases[] = {
		{ "[login]\nconnect = DSN=x\ndsn = x\n",
		  { "[login]", "'connect'", "'dsn'" }, NULL },
		{ "[login]\nuser = backup\n",
		  { "[login]", "'connect'", "'dsn'" }, NULL },
		{ "[registry]\ntable = clients\n",
		  { "no [login] section", "'connect'" }, NULL },
		{ "", { "no [login] section" }, NULL },
		{ "[login]\ndsn = x\n[client.acme]\nconnect = DSN=y\ndsn = y\n",
		  { "[client.acme]", "'connect'", "'dsn'" }, NULL },
		{ "[login]\nconnect =\n", { "'connect'", "[login]", "empty" }, NULL },
		{ "[login]\ndsn = \"\"\n", { "'dsn'", "[login]", "empty" }, NULL },
		/* the unquoted form iniparser would cut at the first ';' */
		{ "[login]\nconnect = Driver=SQLite3;Database=/srv/officefreund/login.db   ; odbc\n",
		  { "'connect'", "[login]", "double quotes" }, NULL },
		{ "[login]\ndsn = x\npassword = abc#def\n",
		  { "'password'", "[login]", "double quotes" }, "abc#def" },
		{ "[login]\ndsn = x\npassword = \"unclosed\n",
		  { "'password'", "quote" }, "unclosed" },
		{ "[login]\ndsn = x\n[registry]\ntable = clients; drop table x\n",
		  { "'table'", "[registry]" }, NULL },
		{ "[login]\ndsn = x\n[registry]\nid = \"id, name\"\n",
		  { "'id'", "[registry]", "plain column name" }, NULL },
		{ "[login]\ndsn = x\n[client.]\nfiles = /x\n", { "[client.]", "client id" }, NULL },
		{ "[login]\ndsn = x\nthis line has no equals sign hunter2\n",
		  { "syntax error" }, "hunter2" },
		{ "[login]\ndsn = x\n[schedule]\nweekday_names = fr\n",
		  { "weekday_names", "'de'" }, NULL },
		{ "[login]\ndsn = x\n[schedule]\ntime = 25:00\n", { "[schedule] time", "HH:MM" }, NULL },
		{ "[login]\ndsn = x\n[schedule]\nname = ../evil\n", { "[schedule] name" }, NULL },
		{ "[login]\ndsn = x\n[schedule]\nmax_age = 0\n", { "max_age" }, NULL },
		{ "[login]\ndsn = x\n[schedule]\nkeep_weekly = -1\n", { "keep_weekly" }, NULL },
		{ "[login]\ndsn = x\n[schedule]\non_failure = mail admin\n", { "on_failure",
		  "absolute path" }, NULL },
		{ "[login]\ndsn = x\n[schedule]\nping_url = ftp://hc/x\n", { "ping_url", "https://" },
		  NULL },
		{ "[login]\ndsn = x\n[schedule]\nsyslog = maybe\n", { "syslog", "yes or no" }, NULL },
		{ "[login]\ndsn = x\n[package]\npassword_env = A\npassword_file = /b\n",
		  { "[package]", "keep one" }, NULL },
		{ "[login]\ndsn = x\n[copy.nas]\nuser = u\n", { "[copy.nas]", "needs 'to'" }, NULL },
		{ "[login]\ndsn = x\n[copy.nas]\nto = relative/folder\n", { "[copy.nas]", "SMB" },
		  NULL },
		{ "[login]\ndsn = x\n[copy.nas]\nto = smb://nas/share\n", { "[copy.nas]", "mount" },
		  NULL },
		{ "[login]\ndsn = x\n[copy.off]\nto = sftp://u:hunter2@host/x/\n",
		  { "[copy.off]", "holds a password" }, "hunter2" },
		{ "[login]\ndsn = x\n[copy.off]\nto = /x\nretries = 99\n", { "retries", "0 to 10" },
		  NULL },
		{ "[login]\ndsn = x\n[copy.]\nto = /x\n", { "[copy.]", "names no target" }, NULL },
		{ "[login]\ndsn = x\n[schedule]\ncopy_to = nas:/x\n", { "copy_to" }, NULL },
		{ "[login]\ndsn = x\n[package]\ncompression = 11\n", { "compression", "0 (stored)" },
		  NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ofb_config cfg;
		struct ofb_error err;
		char *path;

		CU_ASSERT_EQUAL(load_text(cases[i].text, &cfg, &err, &path), -1);
		CU_ASSERT_EQUAL(err.set, 1);
		CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_USAGE);
		CU_ASSERT(contains(err.msg, path));
		for (size_t s = 0; s < 3 && cases[i].want[s]; s++)
			CU_ASSERT(contains(err.msg, cases[i].want[s]));
		if (cases[i].secret)
			CU_ASSERT(!contains(err.msg, cases[i].secret));
		CU_ASSERT_PTR_NULL(cfg.path);
		CU_ASSERT_EQUAL(cfg.n_warnings, 0);
		CU_ASSERT_EQUAL(cfg.n_overrides, 0);
		remove_temp(path);
	}
}

/* Values iniparser would cut silently are refused, naming file, line, section and key and
 * saying how to quote; the value itself is never shown. */
static void test_cut_values(void)
{
	static const struct {
		const char *text;
		const char *where;      /* "line N: the value of key 'K' in section [S]" */
		const char *remedy;     /* substring of the advice */
		const char *secret;     /* must not appear in the message */
	} cases[] = {
		/* unquoted: ';' or '#' anywhere after the first character, blank before or not */
		{ "[login]\nconnect = Driver=SQLite3 ;Database=/x\n",
		  "line 2: the value of key 'connect' in section [login] contains ';'",
		  "double quotes: connect = \"...\"", NULL },
		{ "[login]\ndsn = x\npassword = secret #1\n",
		  "line 3: the value of key 'password' in section [login] contains '#'",
		  "double quotes: password = \"...\"", "secret" },
		{ "[login]\nconnect = \"DSN=x\"\n[client.Acme]\nconnect = DSN=y ; comment\n",
		  "line 4: the value of key 'connect' in section [client.acme] contains ';'",
		  "double quotes", NULL },
		{ "[login]\ndsn = x\nUser = backup ; the backup account\n",
		  "line 3: the value of key 'User' in section [login] contains ';'",
		  "double quotes: User = \"...\"", NULL },
		{ "[login]\ndsn = x ;odbc.ini\n",
		  "line 2: the value of key 'dsn' in section [login] contains ';'", "double quotes",
		  NULL },
		{ "[login]\ndsn = x\npassword_file = /etc/pw #1\n",
		  "line 3: the value of key 'password_file' in section [login] contains '#'",
		  "double quotes", NULL },
		{ "[login]\ndsn = x\n[client.a]\nfiles = /srv/a ; files\n",
		  "line 4: the value of key 'files' in section [client.a] contains ';'",
		  "double quotes", NULL },
		{ "[login]\ndsn = x\n[backup]\ndir = /var/backups ; nightly\n",
		  "line 4: the value of key 'dir' in section [backup] contains ';'", "double quotes",
		  NULL },
		{ "[login]\ndsn = x\n[registry]\noffline = locked # 1 = yes\n",
		  "line 4: the value of key 'offline' in section [registry] contains '#'",
		  "double quotes", NULL },
		/* a value with '"' in it goes into single quotes; with both kinds, nowhere */
		{ "[login]\ndsn = x\npassword = ab\"c ;d\n",
		  "line 3: the value of key 'password' in section [login] contains ';'",
		  "single quotes, as it contains '\"': password = '...'", "ab\"c" },
		{ "[login]\ndsn = x\npassword = it's \"x\";y\n",
		  "line 3: the value of key 'password' in section [login] contains ';'",
		  "password_file or password_env", "it's" },
		/* joined with the next line by iniparser, so "#def" belongs to the value */
		{ "[login]\ndsn = x\npassword = abc\\\n#def\n",
		  "line 3: the value of key 'password' in section [login] contains '#'",
		  "double quotes", "abc" },
		/* quoted: the value's own quote, or text after the closing quote */
		{ "[login]\ndsn = x\npassword = \"ab\"cd\"\n",
		  "line 3: the value of key 'password' in section [login] is in double quotes and "
		  "contains that quote itself", "single quotes instead: password = '...'", "ab" },
		{ "[login]\ndsn = x\n[client.b]\ndsn = 'it''s'\n",
		  "line 4: the value of key 'dsn' in section [client.b] is in single quotes and "
		  "contains that quote itself", "double quotes instead: dsn = \"...\"", NULL },
		{ "[login]\ndsn = x\npassword = \"a'b\"c\"\n",
		  "line 3: the value of key 'password' in section [login] is in double quotes",
		  "password_file or password_env", "a'b" },
		{ "[login]\ndsn = x\nuser = \"backup\" admin\n",
		  "line 3: the value of key 'user' in section [login] has text after its closing "
		  "quote", "inside the quotes", "admin" },
		{ "[login]\nconnect = \"\"DSN=x\n",
		  "line 2: the value of key 'connect' in section [login] has text after its "
		  "closing quote", "inside the quotes", NULL },
		/* other keys: a comment after a blank is fine, a glued ';' or '#' is not */
		{ "[login]\ndsn = x\npassword_env = PW#1\n",
		  "line 3: the value of key 'password_env' in section [login] contains '#'",
		  "double quotes", NULL },
		{ "[login]\ndsn = x\nextra = a;b\n",
		  "line 3: the value of key 'extra' in section [login] contains ';'", "double quotes",
		  NULL },
		{ "[login]\ndsn = x\npassword_env = \"PW\n",
		  "line 3: the value of key 'password_env' in section [login] opens a double quote",
		  "close the quote", NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ofb_config cfg;
		struct ofb_error err;
		char want[512], *path;

		CU_ASSERT_EQUAL(load_text(cases[i].text, &cfg, &err, &path), -1);
		CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_USAGE);
		snprintf(want, sizeof want, "config '%s' %s", path, cases[i].where);
		CU_ASSERT(contains(err.msg, want));
		CU_ASSERT(contains(err.msg, cases[i].remedy));
		if (cases[i].secret) {
			/* the message without the file's name, whose random letters may hold it */
			const char *at = strstr(err.msg, path);
			char rest[sizeof err.msg];
			snprintf(rest, sizeof rest, "%.*s%s",
				 at ? (int)(at - err.msg) : (int)strlen(err.msg), err.msg,
				 at ? at + strlen(path) : "");
			CU_ASSERT(!contains(rest, cases[i].secret));
		}
		if (!contains(err.msg, want) || !contains(err.msg, cases[i].remedy))
			fprintf(stderr, "\n  case %zu: got '%s'\n", i, err.msg);
		CU_ASSERT_PTR_NULL(cfg.path);
		remove_temp(path);
	}
}

/* What stays allowed around the refusals above. */
static void test_uncut_values(void)
{
	enum field { LOGIN_CONNECT, LOGIN_DSN, LOGIN_PASSWORD, LOGIN_PASSWORD_ENV, CLIENT_FILES,
		     BACKUP_DIR, REGISTRY_TABLE };
	static const struct {
		const char *text;
		enum field field;
		const char *want;    /* NULL: not set */
		size_t n_warnings;
	} cases[] = {
		{ "[login]\nconnect = \"DSN=x;UID=u\" ; a comment\n", LOGIN_CONNECT, "DSN=x;UID=u", 0 },
		{ "[login]\nconnect = 'DSN=x'# a comment\n", LOGIN_CONNECT, "DSN=x", 0 },
		/* ';' or '#' first: the value is empty, the rest a comment */
		{ "[login]\ndsn = x\npassword = ; none; see password_env\n", LOGIN_PASSWORD, NULL, 0 },
		{ "[login]\ndsn = x\npassword = \"\" ; none\n", LOGIN_PASSWORD, NULL, 0 },
		/* password_env names a variable: a comment after a blank is allowed */
		{ "[login]\ndsn = x\npassword_env = OFB_PW   ; set by the timer unit\n",
		  LOGIN_PASSWORD_ENV, "OFB_PW", 0 },
		/* an unquoted value may hold quotes and '=' */
		{ "[login]\ndsn = x\npassword = a\"b'c=d\n", LOGIN_PASSWORD, "a\"b'c=d", 0 },
		{ "[login]\ndsn = x\n[client.a]\nfiles = \"/srv/a;b\" # share\n", CLIENT_FILES,
		  "/srv/a;b", 0 },
		{ "[login]\ndsn = x\n[backup]\ndir = '/var/backups#1'\n", BACKUP_DIR,
		  "/var/backups#1", 0 },
		{ "[login]\ndsn = x\n[registry]\ntable = \"dbo.clients\" ; schema dbo\n",
		  REGISTRY_TABLE, "dbo.clients", 0 },
		/* unknown keys and sections are warned about, not checked */
		{ "[login]\ndsn = officefreund\nfoo = a ; b\n[other]\nconnect = x ; y\n", LOGIN_DSN,
		  "officefreund", 2 },
		/* a comment line ending in '\\' swallows the next line, as in iniparser */
		{ "[login]\ndsn = x\n; old: \\\npassword = a b;c\n", LOGIN_PASSWORD, NULL, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ofb_config cfg;
		struct ofb_error err;
		const char *got = NULL;
		char *path;

		if (load_text(cases[i].text, &cfg, &err, &path) != 0) {
			fprintf(stderr, "\n  case %zu: %s\n", i, err.msg);
			CU_FAIL("refused");
			remove_temp(path);
			continue;
		}
		switch (cases[i].field) {
		case LOGIN_CONNECT:      got = cfg.login.connect; break;
		case LOGIN_DSN:          got = cfg.login.dsn; break;
		case LOGIN_PASSWORD:     got = cfg.login.password; break;
		case LOGIN_PASSWORD_ENV: got = cfg.login.password_env; break;
		case CLIENT_FILES:
			got = cfg.n_overrides ? cfg.overrides[0].files : NULL;
			break;
		case BACKUP_DIR:         got = cfg.backup_dir; break;
		case REGISTRY_TABLE:     got = cfg.reg.table; break;
		}
		if (cases[i].want) {
			CU_ASSERT_STRING_EQUAL(got ? got : "(null)", cases[i].want);
		} else {
			CU_ASSERT_PTR_NULL(got);
		}
		CU_ASSERT_EQUAL(cfg.n_warnings, cases[i].n_warnings);
		ofb_config_free(&cfg);
		remove_temp(path);
	}
}

/* Settings the connection string would pass over are reported; nothing stops loading. */
/* The unattended sections: targets in file order, copy_to as the last, defaults. */
static void test_unattended(void)
{
	struct ofb_config cfg;
	struct ofb_error err;
	char *path;

	CU_ASSERT_EQUAL_FATAL(load_text("[login]\ndsn = x\n[schedule]\nfolder = /b\n"
					"copy_to = /mnt/nas\nsyslog = yes\noffline_is_warning = no\n"
					"ping_url = https://hc.example/ping/1\n"
					"[package]\npassword_env = PKGPW\ncompression = fast\n"
					"[copy.offsite]\nto = sftp://b@h:2222/srv/\nretries = 0\n"
					"[copy.s3]\nto = s3://bucket/p\nregion = eu-central-1\n",
					&cfg, &err, &path), 0);
	CU_ASSERT_EQUAL(cfg.n_warnings, 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_copies, 3);
	CU_ASSERT_STRING_EQUAL(cfg.copies[0].name, "offsite");
	CU_ASSERT_EQUAL(cfg.copies[0].retries, 0);
	CU_ASSERT_STRING_EQUAL(cfg.copies[1].name, "s3");
	CU_ASSERT_STRING_EQUAL(cfg.copies[1].region, "eu-central-1");
	CU_ASSERT_EQUAL(cfg.copies[1].retries, 3);
	CU_ASSERT_STRING_EQUAL(cfg.copies[2].name, "copy_to");
	CU_ASSERT_STRING_EQUAL(cfg.copies[2].to, "/mnt/nas");
	CU_ASSERT_EQUAL(cfg.schedule.syslog, 1);
	CU_ASSERT_EQUAL(cfg.schedule.offline_is_warning, 0);
	CU_ASSERT_STRING_EQUAL(cfg.package.password_env, "PKGPW");
	CU_ASSERT_EQUAL(cfg.package.level, OFB_LEVEL_FAST);
	CU_ASSERT_EQUAL(cfg.package.bytes_level, OFB_LEVEL_FAST);   /* a level set: every entry's */
	{
		char *pw = NULL;
		setenv("PKGPW", "geheim", 1);
		CU_ASSERT_EQUAL(ofb_package_password(&cfg, &pw, &err), 0);
		CU_ASSERT_STRING_EQUAL(pw, "geheim");
		ofb_secret_free(pw);
		unsetenv("PKGPW");
		CU_ASSERT_EQUAL(ofb_package_password(&cfg, &pw, &err), -1);
		CU_ASSERT(contains(err.msg, "PKGPW"));
		/* no [package]: $OFBACKUP_PASSWORD, or none */
		setenv("OFBACKUP_PASSWORD", "from-env", 1);
		CU_ASSERT_EQUAL(ofb_package_password(NULL, &pw, &err), 0);
		CU_ASSERT_STRING_EQUAL(pw, "from-env");
		ofb_secret_free(pw);
		unsetenv("OFBACKUP_PASSWORD");
		CU_ASSERT_EQUAL(ofb_package_password(NULL, &pw, &err), 0);
		CU_ASSERT_PTR_NULL(pw);
	}
	ofb_config_free(&cfg);
	remove_temp(path);
}

static void test_ignored_settings(void)
{
	static const struct warning_case cases[] = {
		{ "[login]\nconnect = \"DSN=x;UID=given\"\nuser = other\n",
		  { "key 'user' in section [login] is ignored because 'connect' already sets UID; "
		    "remove one of the two" } },
		{ "[login]\nconnect = \"DSN=x; User = given\"\nuser = other\n",
		  { "key 'user' in section [login] is ignored because 'connect' already sets "
		    "User; remove one of the two" } },
		{ "[login]\nconnect = \"DSN=x;Pwd={a;b}\"\npassword_env = PW\npassword_file = /pw\n",
		  { "key 'password_env' in section [login] is ignored because 'connect' already "
		    "sets Pwd; remove one of the two",
		    "key 'password_file' in section [login] is ignored because 'connect' already "
		    "sets Pwd; remove one of the two" } },
		{ "[login]\ndsn = x\n[client.acme]\nconnect = \"DSN=y;PASSWORD=p;uid=u\"\n"
		  "user = a\npassword = q\n",
		  { "key 'user' in section [client.acme] is ignored because 'connect' already sets "
		    "uid; remove one of the two",
		    "key 'password' in section [client.acme] is ignored because 'connect' already "
		    "sets PASSWORD; remove one of the two" } },
		{ "[login]\ndsn = x\npassword = p\npassword_file = /pw\n",
		  { "section [login] sets more than one password source: 'password' is used, "
		    "'password_file' is ignored (the order is password, password_env, "
		    "password_file); remove the others" } },
		{ "[login]\nconnect = \"DSN=x\"\n[client.b]\npassword_file = /pw\npassword_env = E\n"
		  "password = p\n",
		  { "section [client.b] sets more than one password source: 'password' is used, "
		    "'password_env' and 'password_file' are ignored (the order is password, "
		    "password_env, password_file); remove the others" } },
		{ "[login]\ndsn = x\npassword_file = /pw\npassword_env = E\n",
		  { "section [login] sets more than one password source: 'password_env' is used, "
		    "'password_file' is ignored" } },
		/* not ignored: no UID/PWD in the string, a PWD only inside another value, an
		 * empty password, a dsn (its odbc.ini entry is not looked at) */
		{ "[login]\nconnect = \"DSN=x;Options={UID=1;PWD=2}\"\nuser = u\npassword = p\n",
		  { NULL } },
		{ "[login]\nconnect = \"DSN=x;PWD=p\"\npassword =\nuser = u\n", { NULL } },
		{ "[login]\ndsn = x\nuser = u\npassword_env = E\n", { NULL } },
		{ "[login]\nconnect = \"DSN=x;SSLKeyPassword=k;PWDX=1\"\npassword = p\n", { NULL } },
	};

	check_warnings(cases, sizeof cases / sizeof cases[0], 1);
}

static void test_missing_file(void)
{
	struct ofb_config cfg;
	struct ofb_error err;
	char *path = write_temp(""), *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	unlink(path);
	ofb_error_clear(&err);
	CU_ASSERT_EQUAL(ofb_config_load(path, &cfg, &err), -1);
	CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_USAGE);
	CU_ASSERT(contains(err.msg, path));
	CU_ASSERT(contains(err.msg, "No such file"));
	CU_ASSERT(contains(err.msg, "-c"));
	CU_ASSERT_PTR_NULL(cfg.path);
	free(path);

	/* a directory opens for reading but is no configuration */
	dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	ofb_error_clear(&err);
	CU_ASSERT_EQUAL(ofb_config_load(dir, &cfg, &err), -1);
	CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_USAGE);
	CU_ASSERT(contains(err.msg, "directory"));
}

static void test_default_path(void)
{
	char *saved = getenv("OFBACKUP_CONFIG");

	if (saved)
		saved = strdup(saved);
	setenv("OFBACKUP_CONFIG", "/opt/office/ofbackup.ini", 1);
	CU_ASSERT_STRING_EQUAL(ofb_config_default_path(), "/opt/office/ofbackup.ini");
	setenv("OFBACKUP_CONFIG", "", 1);
	CU_ASSERT_STRING_EQUAL(ofb_config_default_path(), "/etc/ofbackup/ofbackup.ini");
	unsetenv("OFBACKUP_CONFIG");
	CU_ASSERT_STRING_EQUAL(ofb_config_default_path(), "/etc/ofbackup/ofbackup.ini");
	if (saved)
		setenv("OFBACKUP_CONFIG", saved, 1);
	free(saved);
}

enum file_setup { NO_FILE, FILE_WITH_TEXT, FILE_MISSING };

struct conn_case {
	const char *name;
	struct ofb_dbconn conn;
	const char *env;           /* value for PASSWORD_VAR; NULL: unset */
	enum file_setup file;      /* what password_file points to */
	const char *file_text;
	const char *want;          /* the connection string, or NULL for an error */
	const char *want_error;    /* substring of the error; "@FILE" for the file's path */
};

static const struct conn_case conn_cases[] = {
	{ "connect as given",
	  { .connect = "Driver=SQLite3;Database=/data/login.db" }, NULL, NO_FILE, NULL,
	  "Driver=SQLite3;Database=/data/login.db", NULL },
	{ "connect plus user and password",
	  { .connect = "Driver=PostgreSQL Unicode;Server=db", .user = "backup",
	    .password = "s3cret" }, NULL, NO_FILE, NULL,
	  "Driver=PostgreSQL Unicode;Server=db;UID=backup;PWD=s3cret;", NULL },
	{ "connect ending in ';'",
	  { .connect = "DSN=x; ", .user = "u" }, NULL, NO_FILE, NULL, "DSN=x; UID=u;", NULL },
	{ "connect that has UID and PWD keeps them",
	  { .connect = "DSN=x;uid=given;Pwd={p;w}", .user = "other", .password = "other" },
	  NULL, NO_FILE, NULL, "DSN=x;uid=given;Pwd={p;w}", NULL },
	{ "connect with PASSWORD and USER keys",
	  { .connect = "Driver=MariaDB Unicode;USER=a;PASSWORD=b", .user = "u",
	    .password = "p" }, NULL, NO_FILE, NULL, "Driver=MariaDB Unicode;USER=a;PASSWORD=b",
	  NULL },
	{ "braced PWD inside another value is not a key",
	  { .connect = "Driver=X;Options={PWD=1}", .password = "p" }, NULL, NO_FILE, NULL,
	  "Driver=X;Options={PWD=1};PWD=p;", NULL },
	{ "dsn alone", { .dsn = "officefreund_login" }, NULL, NO_FILE, NULL,
	  "DSN=officefreund_login;", NULL },
	{ "dsn with user and password",
	  { .dsn = "acme_pg", .user = "acme", .password = "pw" }, NULL, NO_FILE, NULL,
	  "DSN=acme_pg;UID=acme;PWD=pw;", NULL },
	{ "braces for ';' '{' '}' and outer blanks",
	  { .dsn = "d", .user = " lead", .password = "a;b}c{" }, NULL, NO_FILE, NULL,
	  "DSN=d;UID={ lead};PWD={a;b}}c{};", NULL },
	{ "braces for a trailing blank and a leading brace",
	  { .dsn = "d", .user = "trail\t", .password = "{x" }, NULL, NO_FILE, NULL,
	  "DSN=d;UID={trail\t};PWD={{x};", NULL },
	{ "plain special-free values stay bare",
	  { .dsn = "d", .password = "p=w rd!" }, NULL, NO_FILE, NULL, "DSN=d;PWD=p=w rd!;", NULL },
	{ "password_env present",
	  { .dsn = "d", .password_env = PASSWORD_VAR }, "from env", NO_FILE, NULL,
	  "DSN=d;PWD=from env;", NULL },
	{ "password_env set but empty",
	  { .dsn = "d", .password_env = PASSWORD_VAR }, "", NO_FILE, NULL, "DSN=d;PWD=;", NULL },
	{ "password_env missing",
	  { .dsn = "d", .password_env = PASSWORD_VAR }, NULL, NO_FILE, NULL,
	  NULL, PASSWORD_VAR },
	{ "literal password wins over env and file",
	  { .dsn = "d", .password = "lit", .password_env = PASSWORD_VAR }, "env", FILE_WITH_TEXT,
	  "file\n", "DSN=d;PWD=lit;", NULL },
	{ "env wins over file",
	  { .dsn = "d", .password_env = PASSWORD_VAR }, "env", FILE_WITH_TEXT, "file\n",
	  "DSN=d;PWD=env;", NULL },
	{ "password_file first line without CR LF",
	  { .dsn = "d" }, NULL, FILE_WITH_TEXT, "fi;le}pw\r\nsecond line\n",
	  "DSN=d;PWD={fi;le}}pw};", NULL },
	{ "password_file without line end", { .dsn = "d" }, NULL, FILE_WITH_TEXT, "pw",
	  "DSN=d;PWD=pw;", NULL },
	{ "password_file empty", { .dsn = "d" }, NULL, FILE_WITH_TEXT, "", NULL, "empty" },
	{ "password_file missing", { .dsn = "d" }, NULL, FILE_MISSING, NULL, NULL, "@FILE" },
	{ "both connect and dsn", { .connect = "DSN=x", .dsn = "x" }, NULL, NO_FILE, NULL,
	  NULL, "both" },
	{ "neither connect nor dsn", { .user = "u" }, NULL, NO_FILE, NULL, NULL, "neither" },
};

static void test_dbconn_string(void)
{
	for (size_t i = 0; i < sizeof conn_cases / sizeof conn_cases[0]; i++) {
		const struct conn_case *c = &conn_cases[i];
		struct ofb_dbconn conn = c->conn;
		struct ofb_error err;
		char *file = NULL, *got;

		if (c->env)
			setenv(PASSWORD_VAR, c->env, 1);
		else
			unsetenv(PASSWORD_VAR);
		if (c->file != NO_FILE) {
			file = write_temp(c->file_text ? c->file_text : "");
			CU_ASSERT_PTR_NOT_NULL_FATAL(file);
			if (c->file == FILE_MISSING)
				unlink(file);
			conn.password_file = file;
		}
		ofb_error_clear(&err);
		got = ofb_dbconn_string(&conn, &err);
		if (c->want) {
			CU_ASSERT_PTR_NOT_NULL(got);
			CU_ASSERT_STRING_EQUAL(got ? got : "(null)", c->want);
			if (!got || strcmp(got, c->want))
				fprintf(stderr, "\n  case '%s': got '%s'\n", c->name,
					got ? got : err.msg);
			CU_ASSERT_EQUAL(err.set, 0);
		} else {
			CU_ASSERT_PTR_NULL(got);
			CU_ASSERT_EQUAL(err.exit_code, OFB_EXIT_USAGE);
			CU_ASSERT(contains(err.msg, strcmp(c->want_error, "@FILE") ? c->want_error
										     : file));
		}
		free(got);
		remove_temp(file);
	}
	unsetenv(PASSWORD_VAR);
}

/* A whole configuration through to the connection strings of login and a client. */
static void test_config_to_string(void)
{
	const struct ofb_client_override *acme;
	struct ofb_dbconn conn = { 0 };
	struct ofb_config cfg;
	struct ofb_error err;
	char *path, *login, *client;

	setenv(PASSWORD_VAR, "pg;pass", 1);
	CU_ASSERT_EQUAL_FATAL(load_text(
		"[login]\n"
		"connect = \"Driver=PostgreSQL Unicode;Server=db;Database=login\"\n"
		"user = backup\n"
		"password_env = " PASSWORD_VAR "\n"
		"[client.acme]\n"
		"dsn = acme_pg\n", &cfg, &err, &path), 0);
	login = ofb_dbconn_string(&cfg.login, &err);
	CU_ASSERT_STRING_EQUAL(login ? login : "(null)",
			       "Driver=PostgreSQL Unicode;Server=db;Database=login;UID=backup;"
			       "PWD={pg;pass};");
	/* an override layered over a copy: its dsn replaces the connect string */
	acme = ofb_config_client(&cfg, "ACME");
	CU_ASSERT_PTR_NOT_NULL_FATAL(acme);
	ofb_dbconn_copy(&conn, &cfg.login);
	ofb_dbconn_copy(&conn, &acme->conn);
	client = ofb_dbconn_string(&conn, &err);
	CU_ASSERT_STRING_EQUAL(client ? client : "(null)", "DSN=acme_pg;UID=backup;PWD={pg;pass};");
	free(login);
	free(client);
	ofb_dbconn_free(&conn);
	ofb_config_free(&cfg);
	remove_temp(path);
	unsetenv(PASSWORD_VAR);
}

static void test_dbconn_copy(void)
{
	struct ofb_dbconn dst = { 0 };
	const struct ofb_dbconn base = {
		.connect = "Driver=SQLite3;Database=a.db", .user = "u", .password = "literal",
	};
	const struct ofb_dbconn dsn_override = { .dsn = "acme", .password_env = "ACME_PW" };
	const struct ofb_dbconn user_override = { .user = "other" };
	const struct ofb_dbconn empty = { 0 };

	ofb_dbconn_copy(&dst, &base);
	CU_ASSERT_STRING_EQUAL(dst.connect, base.connect);
	CU_ASSERT_PTR_NOT_EQUAL(dst.connect, base.connect);    /* deep */
	CU_ASSERT_STRING_EQUAL(dst.user, "u");
	CU_ASSERT_STRING_EQUAL(dst.password, "literal");
	CU_ASSERT_PTR_NULL(dst.dsn);

	/* dsn replaces connect, password_env replaces the literal password */
	ofb_dbconn_copy(&dst, &dsn_override);
	CU_ASSERT_PTR_NULL(dst.connect);
	CU_ASSERT_STRING_EQUAL(dst.dsn, "acme");
	CU_ASSERT_STRING_EQUAL(dst.user, "u");
	CU_ASSERT_PTR_NULL(dst.password);
	CU_ASSERT_STRING_EQUAL(dst.password_env, "ACME_PW");

	/* NULL fields leave dst alone */
	ofb_dbconn_copy(&dst, &user_override);
	ofb_dbconn_copy(&dst, &empty);
	CU_ASSERT_STRING_EQUAL(dst.dsn, "acme");
	CU_ASSERT_STRING_EQUAL(dst.user, "other");
	CU_ASSERT_STRING_EQUAL(dst.password_env, "ACME_PW");

	ofb_dbconn_copy(&dst, &dst);
	CU_ASSERT_STRING_EQUAL(dst.dsn, "acme");

	ofb_dbconn_free(&dst);
	CU_ASSERT_PTR_NULL(dst.dsn);
	CU_ASSERT_PTR_NULL(dst.user);
	ofb_dbconn_free(&dst);    /* freeing twice is harmless */
}

static void test_mask_secrets(void)
{
	static const struct {
		const char *in;
		const char *want;
		const char *secrets[3];    /* none may survive */
	} cases[] = {
		{ "DSN=x;UID=u;PWD=secret;", "DSN=x;UID=u;PWD=***;", { "secret" } },
		{ "Driver=PostgreSQL Unicode;Password={a;b}} c};Server=s",
		  "Driver=PostgreSQL Unicode;Password=***;Server=s", { "a;b", "b}", " c}" } },
		{ "PWD={x}};y};Server=s", "PWD=***;Server=s", { "x}", "y}" } },
		{ "pwd=secret", "pwd=***", { "secret" } },
		{ "Server=s; Pwd = secret ;x=1", "Server=s; Pwd =***;x=1", { "secret" } },
		{ "PASSWORD=one;pwd=two", "PASSWORD=***;pwd=***", { "one", "two" } },
		{ "PWD={unclosed;Server=s", "PWD=***", { "unclosed", "Server" } },
		{ "Database={C:\\data;PWD=x};PWD=y", "Database={C:\\data;PWD=x};PWD=***", { "=y" } },
		{ "PWD=", "PWD=***", { NULL } },
		{ "Driver=SQLite3;Database=/data/login.db", "Driver=SQLite3;Database=/data/login.db",
		  { NULL } },
		/* every key with PWD or PASSWORD in its name */
		{ "PWDX=a1;MYPWD=b2", "PWDX=***;MYPWD=***", { "a1", "b2" } },
		{ "Driver=PostgreSQL Unicode;SSLKEYPASSWORD=k3y;sslkeypassword={k;y}",
		  "Driver=PostgreSQL Unicode;SSLKEYPASSWORD=***;sslkeypassword=***",
		  { "k3y", "k;y" } },
		{ "Server=s;OldPassword=x1;User=u", "Server=s;OldPassword=***;User=u", { "x1" } },
		{ "PW=visible;PASSWD=visible;UID=visible", "PW=visible;PASSWD=visible;UID=visible",
		  { NULL } },
		{ "flag;PWD=s;", "flag;PWD=***;", { "=s" } },
		/* an unbraced value holding ';': segments without '=' after it are secret too */
		{ "DSN=x;PWD=Wrong;Secret99", "DSN=x;PWD=***", { "Secret99" } },
		{ "PWD=a;b; c;;Server=s;flag", "PWD=***;Server=s;flag", { "b", " c" } },
		{ "Password=a;b=c;d", "Password=***;b=c;d", { "=a" } },
		{ "PWD=Wrong;Secret99;", "PWD=***;", { "Secret99" } },
		{ "", "", { NULL } },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = ofb_mask_secrets(cases[i].in);

		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, cases[i].want);
		for (size_t s = 0; s < 3 && cases[i].secrets[s]; s++)
			CU_ASSERT(!contains(got, cases[i].secrets[s]));
		free(got);
	}
	CU_ASSERT_PTR_NULL(ofb_mask_secrets(NULL));
}

static void test_strip_secrets(void)
{
	static const struct {
		const char *in, *out;
		size_t n;
	} cases[] = {
		{ "Driver=X;PWD=secret;Database=a", "Driver=X;Database=a", 1 },
		{ "Driver=X;Database=a;PWD=x", "Driver=X;Database=a", 1 },
		{ "PWD={a;b};Driver=X", "Driver=X", 1 },
		{ "Driver=X;PWD=ab;cd;Server=s", "Driver=X;Server=s", 1 },
		{ "Driver=X;Database=a;", "Driver=X;Database=a;", 0 },
		{ "Driver=X;UID=u;Password=p;SSLKeyPassword=q;", "Driver=X;UID=u;", 2 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 99;
		char *got = ofb_strip_secrets(cases[i].in, &n);
		ofb_expect_str(cases[i].in, got, cases[i].out, __LINE__);
		ofb_expect_long(cases[i].in, (long long)n, (long long)cases[i].n, __LINE__);
		free(got);
	}
}

int register_config_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "defaults", test_defaults },
		{ "quoted values", test_quoted_values },
		{ "registry and backup sections", test_registry_and_backup },
		{ "client overrides", test_client_overrides },
		{ "unknown names warn", test_warnings },
		{ "configuration errors", test_config_errors },
		{ "values iniparser would cut", test_cut_values },
		{ "values kept whole", test_uncut_values },
		{ "ignored settings warn", test_ignored_settings },
		{ "unattended sections: schedule, package, copy targets", test_unattended },
		{ "missing file", test_missing_file },
		{ "default path", test_default_path },
		{ "connection strings", test_dbconn_string },
		{ "config to connection string", test_config_to_string },
		{ "dbconn copy", test_dbconn_copy },
		{ "mask secrets", test_mask_secrets },
		{ "strip secrets", test_strip_secrets },
		{ NULL, NULL },
	};

	return ofb_add_suite("config", tests);
}
