/* session.h - a database session: an ODBC connection (odbc.h) with its engine's driver
 * chosen, its connection options applied and its session set up. */
#ifndef OFB_SESSION_H
#define OFB_SESSION_H

#include "odbc.h"

/* Connect with connstr (passwords inside are never put in messages), detect the engine
 * from SQL_DBMS_NAME, reconnect with the driver's connection options if it has any,
 * and run its session set-up. */
int ofb_db_open(struct ofb_db **out, const char *connstr, struct ofb_error *err);
/* Flags of ofb_db_open_flags. */
#define OFB_DB_MAY_CREATE 1   /* a missing database file may be created */
int ofb_db_open_flags(struct ofb_db **out, const char *connstr, unsigned flags,
		      struct ofb_error *err);

#endif
