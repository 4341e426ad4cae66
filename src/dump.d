src/dump.o: src/dump.c include/config.h include/error.h include/driver.h \
 include/util.h include/dump.h include/package.h include/schema.h \
 include/odbc.h include/progress.h include/util.h
include/config.h:
include/error.h:
include/driver.h:
include/util.h:
include/dump.h:
include/package.h:
include/schema.h:
include/odbc.h:
include/progress.h:
include/util.h:
