drivers/sqlserver.o: drivers/sqlserver.c include/driver.h include/error.h \
 include/util.h include/error.h include/odbc.h include/schema.h \
 include/util.h
include/driver.h:
include/error.h:
include/util.h:
include/error.h:
include/odbc.h:
include/schema.h:
include/util.h:
