src/cmd_info.o: src/cmd_info.c include/cli.h include/config.h \
 include/error.h include/manifest.h include/progress.h
include/cli.h:
include/config.h:
include/error.h:
include/manifest.h:
include/progress.h:
