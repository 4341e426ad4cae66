/* cmd_clients.c - "clients": the registry, and whether each client's database answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "driver.h"
#include "odbc.h"
#include "session.h"
#include "progress.h"
#include "registry.h"
#include "util.h"

/* Print s left-aligned in width columns, counting characters rather than UTF-8 bytes. */
static void print_padded(const char *s, int width)
{
	int chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		chars += (*p & 0xC0) != 0x80;
	printf("%s%*s ", s, chars < width ? width - chars : 0, "");
}

/* Try to connect; fills engine and, on failure, why. */
static int probe(const struct ofb_client *c, char **engine, struct ofb_error *err)
{
	struct ofb_db *db = NULL;
	char *conn;
	int ret = -1;

	*engine = NULL;
	if (!c->conn.connect && !c->conn.dsn) {
		ofb_error_set(err, "no connection configured");
		return -1;
	}
	conn = ofb_dbconn_string(&c->conn, err);
	if (!conn)
		return -1;
	if (ofb_db_open(&db, conn, err) == 0) {
		*engine = xasprintf("%s %s", db->drv->name, db->dbms_version);
		ret = 0;
	}
	ofb_db_close(db);
	ofb_secret_free(conn);
	return ret;
}

int cmd_clients(struct ofb_cli *cli, int argc, char **argv)
{
	const struct ofb_config *cfg = cli->cfg;
	struct ofb_client *clients = NULL;
	struct ofb_error err;
	struct ofb_db *login = NULL;
	char *conn = NULL;
	size_t n = 0, unreachable = 0, n_bad = 0;
	char **bad = NULL;
	int rc = 0;

	(void)argv;
	if (argc > 1)
		return ofb_cli_usage("clients", "takes no arguments");
	ofb_error_clear(&err);
	conn = ofb_dbconn_string(&cfg->login, &err);
	if (!conn || ofb_db_open(&login, conn, &err) != 0 ||
	    ofb_registry_load(login, cfg, &clients, &n, &bad, &n_bad, &err) != 0) {
		ofb_error_about(&err, "login database");
		rc = ofb_cli_fail(&err);
		goto out;
	}
	{
		size_t n_msgs;
		char **msgs = ofb_registry_unmatched(cfg, clients, n, &n_msgs);
		for (size_t i = 0; i < n_msgs; i++) {
			ofb_warn("%s", msgs[i]);
			free(msgs[i]);
		}
		free(msgs);
	}
	printf("%-16s %-28s %-22s %-8s %s\n", "ID", "NAME", "ENGINE", "STATUS", "REACHABLE");
	for (size_t i = 0; i < n; i++) {
		char *engine = NULL;
		struct ofb_error cerr;
		int ok;
		ofb_error_clear(&cerr);
		ok = probe(&clients[i], &engine, &cerr) == 0;
		print_padded(clients[i].id, 16);
		print_padded(clients[i].name, 28);
		printf("%-22s %-8s %s\n", engine ? engine : "?",
		       clients[i].offline ? "offline" : "online", ok ? "yes" : "no");
		if (!ok) {
			if (!clients[i].offline)
				unreachable++;
			ofb_detail("client '%s': %s", clients[i].id, cerr.msg);
		}
		free(engine);
	}
	for (size_t i = 0; i < n_bad; i++) {
		ofb_warn("%s", bad[i]);
		rc = OFB_EXIT_WARNINGS;
	}
	if (unreachable) {
		ofb_warn("%zu online client%s cannot be reached (-v shows why)", unreachable,
			 unreachable == 1 ? "" : "s");
		rc = OFB_EXIT_WARNINGS;
	}
out:
	ofb_secret_free(conn);
	ofb_db_close(login);
	ofb_clients_free(clients, n);
	ofb_registry_bad_free(bad, n_bad);
	return rc;
}
