src/error.o: src/error.c include/error.h
include/error.h:
