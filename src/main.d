src/main.o: src/main.c include/cli.h include/config.h include/error.h \
 include/package.h include/util.h include/progress.h
include/cli.h:
include/config.h:
include/error.h:
include/package.h:
include/util.h:
include/progress.h:
