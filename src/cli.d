src/cli.o: src/cli.c include/cli.h include/config.h include/error.h \
 include/progress.h
include/cli.h:
include/config.h:
include/error.h:
include/progress.h:
