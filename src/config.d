src/config.o: src/config.c /usr/include/iniparser/iniparser.h \
 /usr/include/iniparser/dictionary.h include/config.h include/error.h \
 include/error.h include/util.h
/usr/include/iniparser/iniparser.h:
/usr/include/iniparser/dictionary.h:
include/config.h:
include/error.h:
include/error.h:
include/util.h:
