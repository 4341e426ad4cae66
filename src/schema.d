src/schema.o: src/schema.c include/driver.h include/error.h \
 include/util.h include/odbc.h include/schema.h include/util.h
include/driver.h:
include/error.h:
include/util.h:
include/odbc.h:
include/schema.h:
include/util.h:
