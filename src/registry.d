src/registry.o: src/registry.c include/driver.h include/error.h \
 include/util.h include/odbc.h include/registry.h include/config.h \
 include/util.h
include/driver.h:
include/error.h:
include/util.h:
include/odbc.h:
include/registry.h:
include/config.h:
include/util.h:
