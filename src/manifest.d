src/manifest.o: src/manifest.c include/dump.h include/error.h \
 include/package.h include/util.h include/schema.h include/files.h \
 include/manifest.h include/package.h include/util.h
include/dump.h:
include/error.h:
include/package.h:
include/util.h:
include/schema.h:
include/files.h:
include/manifest.h:
include/package.h:
include/util.h:
