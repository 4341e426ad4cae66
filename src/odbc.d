src/odbc.o: src/odbc.c include/odbc.h include/error.h include/config.h \
 include/driver.h include/util.h include/util.h
include/odbc.h:
include/error.h:
include/config.h:
include/driver.h:
include/util.h:
include/util.h:
