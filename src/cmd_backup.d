src/cmd_backup.o: src/cmd_backup.c include/backup.h include/config.h \
 include/error.h include/cli.h
include/backup.h:
include/config.h:
include/error.h:
include/cli.h:
