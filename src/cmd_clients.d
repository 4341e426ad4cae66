src/cmd_clients.o: src/cmd_clients.c include/cli.h include/config.h \
 include/error.h include/driver.h include/util.h include/odbc.h \
 include/progress.h include/registry.h include/util.h
include/cli.h:
include/config.h:
include/error.h:
include/driver.h:
include/util.h:
include/odbc.h:
include/progress.h:
include/registry.h:
include/util.h:
