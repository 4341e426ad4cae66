drivers/driver.o: drivers/driver.c include/driver.h include/error.h \
 include/util.h include/odbc.h include/schema.h
include/driver.h:
include/error.h:
include/util.h:
include/odbc.h:
include/schema.h:
