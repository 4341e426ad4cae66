src/package.o: src/package.c include/package.h include/error.h \
 include/util.h
include/package.h:
include/error.h:
include/util.h:
