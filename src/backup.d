src/backup.o: src/backup.c include/backup.h include/config.h \
 include/error.h include/dump.h include/package.h include/util.h \
 include/schema.h include/files.h include/manifest.h include/odbc.h \
 include/package.h include/progress.h include/registry.h include/util.h
include/backup.h:
include/config.h:
include/error.h:
include/dump.h:
include/package.h:
include/util.h:
include/schema.h:
include/files.h:
include/manifest.h:
include/odbc.h:
include/package.h:
include/progress.h:
include/registry.h:
include/util.h:
