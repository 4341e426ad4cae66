src/progress.o: src/progress.c include/progress.h include/util.h
include/progress.h:
include/util.h:
