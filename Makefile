# ofbackup - backup and restore of office installations over ODBC into zip packages.

CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
DESTDIR ?=
SANITIZE ?=

VERSION  = 0.1.0
WARN     = -Wall -Wextra
ALL_CPPFLAGS = -Iinclude -I/usr/include/iniparser -D_GNU_SOURCE -DOFB_VERSION=\"$(VERSION)\" $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(WARN) $(CFLAGS) $(SANITIZE)
ALL_LDFLAGS  = $(LDFLAGS) $(SANITIZE)
LIBS     = -lodbc -lodbcinst -lzip -liniparser -ljansson -lcrypto

OBJS = src/error.o src/util.o src/csv.o src/connstr.o src/ini_rules.o src/config.o src/odbc.o src/session.o src/schema.o src/catalog.o src/dump.o \
       src/package.o src/files.o src/manifest.o src/registry.o src/progress.o \
       src/backup.o src/cli.o src/cmd_clients.o src/cmd_backup.o src/cmd_info.o \
       src/names.o src/reader.o src/verify.o src/zipwalk.o src/extract.o src/table_reader.o src/schema_json.o src/cmd_verify.o src/sqlcheck.o src/schema_check.o src/ddl.o src/load.o src/restore.o src/cmd_restore.o \
       drivers/driver.o drivers/sqlite.o drivers/postgresql.o drivers/mariadb.o \
       drivers/sqlserver.o
MAIN_OBJ = src/main.o

TEST_OBJS = tests/unit/main.o tests/unit/test_util.o tests/unit/test_config.o \
            tests/unit/test_schema.o tests/unit/test_sqlserver.o tests/unit/test_drivers.o \
            tests/unit/test_manifest.o tests/unit/test_files.o \
            tests/unit/test_csv.o tests/unit/test_reader.o tests/unit/test_sqlcheck.o tests/unit/test_ddl.o

all: ofbackup

ofbackup: $(OBJS) $(MAIN_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(MAIN_OBJ) $(LIBS)

tests/unit/unit-tests: $(OBJS) $(TEST_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(TEST_OBJS) $(LIBS) -lcunit

%.o: %.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Install the Debian packages the build, the demo and the tests need (no-op when present).
deps:
	@sh tests/install-deps.sh

# Build, create a small SQLite installation under demo/ and back it up.
demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh

# Unit tests and end-to-end tests against real SQLite files and private PostgreSQL and
# MariaDB servers started for the run; one closing summary line.
check: deps
	@$(MAKE) --no-print-directory all tests/unit/unit-tests
	@sh tests/run-all.sh

# Same tests with AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan: deps
	@$(MAKE) --no-print-directory clean
	@$(MAKE) --no-print-directory SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer" all tests/unit/unit-tests
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		sh tests/run-all.sh

bench: all
	@sh tests/bench.sh

install: ofbackup
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/ofbackup
	install -m 755 ofbackup $(DESTDIR)$(PREFIX)/bin/ofbackup
	test -e $(DESTDIR)/etc/ofbackup/ofbackup.ini || \
		install -m 600 etc/ofbackup.ini $(DESTDIR)/etc/ofbackup/ofbackup.ini

clean:
	rm -f ofbackup tests/unit/unit-tests $(OBJS) $(MAIN_OBJ) $(TEST_OBJS) \
	      $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJS:.o=.d)

.PHONY: all deps demo check check-asan bench install clean

-include $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJS:.o=.d)
