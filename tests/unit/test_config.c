/* test_config.c - unit tests of the INI loader, connection-string building and masking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "config.h"
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
	CU_ASSERT_STRING_EQUAL(cfg.reg.table, "clients");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_id, "id");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_name, "name");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_connect, "connect");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_files, "files_dir");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_offline, "offline");
	CU_ASSERT_PTR_NULL(cfg.backup_dir);
	CU_ASSERT_EQUAL(cfg.n_overrides, 0);
	CU_ASSERT_EQUAL(cfg.n_warnings, 0);
	CU_ASSERT_PTR_NULL(ofb_config_client(&cfg, "acme"));
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
		{ "connect = DSN=plain   ; a comment", "DSN=plain" },
		{ "CONNECT = \"  spaced  \"", "  spaced  " },
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
	CU_ASSERT_STRING_EQUAL(cfg.reg.table, "dbo.Mandanten");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_id, "MandantNr");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_name, "Bezeichnung");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_connect, "Verbindung");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_files, "Ablage");
	CU_ASSERT_STRING_EQUAL(cfg.reg.col_offline, "Gesperrt");
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

/* Unknown names are reported, in file order, and do not stop loading. */
static void test_warnings(void)
{
	static const struct {
		const char *text;
		const char *want[3];    /* message tails after "config 'PATH': " */
	} cases[] = {
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

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
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

			snprintf(want, sizeof want, "config '%s': %s", path, cases[i].want[w]);
			CU_ASSERT_STRING_EQUAL(cfg.warnings[w], want);
		}
		ofb_config_free(&cfg);
		remove_temp(path);
	}
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
		{ "PWDX=visible;MYPWD=visible", "PWDX=visible;MYPWD=visible", { NULL } },
		{ "flag;PWD=s;", "flag;PWD=***;", { "=s" } },
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

int register_config_tests(void)
{
	static const struct ofb_test tests[] = {
		{ "defaults", test_defaults },
		{ "quoted values", test_quoted_values },
		{ "registry and backup sections", test_registry_and_backup },
		{ "client overrides", test_client_overrides },
		{ "unknown names warn", test_warnings },
		{ "configuration errors", test_config_errors },
		{ "missing file", test_missing_file },
		{ "default path", test_default_path },
		{ "connection strings", test_dbconn_string },
		{ "config to connection string", test_config_to_string },
		{ "dbconn copy", test_dbconn_copy },
		{ "mask secrets", test_mask_secrets },
		{ NULL, NULL },
	};

	return ofb_add_suite("config", tests);
}
