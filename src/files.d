src/files.o: src/files.c include/files.h include/error.h include/util.h
include/files.h:
include/error.h:
include/util.h:
