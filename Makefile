# ofbackup - backup and restore of office installations over ODBC into zip packages.

CC         ?= cc
CFLAGS     ?= -O2 -g
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR    ?=
SANITIZE   ?=
# Where objects and binaries go: "." (the default build, the one `make install` installs)
# or a folder of their own (the sanitizer build of `make check-asan` uses build-asan).
BUILDDIR   ?= .

VERSION  = 0.1.0
WARN     = -Wall -Wextra
ALL_CPPFLAGS = -Iinclude -I/usr/include/iniparser -D_GNU_SOURCE -DOFB_VERSION=\"$(VERSION)\" $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 -pthread $(WARN) $(CFLAGS) $(SANITIZE)
ALL_LDFLAGS  = $(LDFLAGS) $(SANITIZE)
LIBS     = -lodbc -lodbcinst -lzip -lz -liniparser -ljansson -lcrypto -pthread

B := $(if $(filter .,$(BUILDDIR)),,$(BUILDDIR)/)

SRCS = src/error.c src/util.c src/job_thread.c src/csv.c src/connstr.c src/ini_rules.c src/config.c src/config_unattended.c \
       src/odbc.c src/session.c src/schema.c src/catalog.c src/schema_json.c \
       src/schema_check.c src/sqlcheck.c src/sqlnative.c src/translate.c src/objects.c src/schedule.c src/curl_api.c src/offsite.c src/monitor.c src/dump.c src/row_encoder.c src/package.c src/files.c \
       src/manifest.c src/registry.c src/progress.c src/backup.c src/names.c src/records.c src/reader.c \
       src/zipwalk.c src/table_reader.c src/extract.c src/verify.c src/ddl.c src/load.c \
       src/restore_job.c src/restore.c src/import.c src/cli.c src/cmd_clients.c src/cmd_backup.c src/cmd_info.c \
       src/cmd_verify.c src/cmd_restore.c src/cmd_schedule.c src/cmd_copy.c \
       drivers/driver.c drivers/sqlite.c drivers/postgresql.c drivers/pg_objects.c drivers/mariadb.c \
       drivers/sqlserver.c
MAIN_SRC = src/main.c
TEST_SRCS = tests/unit/main.c tests/unit/test_util.c tests/unit/test_config.c \
            tests/unit/test_schema.c tests/unit/test_sqlserver.c tests/unit/test_drivers.c \
            tests/unit/test_manifest.c tests/unit/test_files.c tests/unit/test_csv.c \
            tests/unit/test_reader.c tests/unit/test_sqlcheck.c tests/unit/test_ddl.c

OBJS      = $(addprefix $(B),$(SRCS:.c=.o))
MAIN_OBJ  = $(addprefix $(B),$(MAIN_SRC:.c=.o))
TEST_OBJS = $(addprefix $(B),$(TEST_SRCS:.c=.o))
PROGRAM   = $(B)ofbackup
UNIT      = $(B)tests/unit/unit-tests

all: $(PROGRAM)

$(PROGRAM): $(OBJS) $(MAIN_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(MAIN_OBJ) $(LIBS)

$(UNIT): $(OBJS) $(TEST_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(TEST_OBJS) $(LIBS) -lcunit

unit: $(UNIT)

$(B)%.o: %.c
	@mkdir -p $(dir $@)
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
	@$(MAKE) --no-print-directory all unit
	@sh tests/run-all.sh

# Same tests with AddressSanitizer and UndefinedBehaviorSanitizer, built in build-asan/ so
# that the sanitizer binary is never the one installed.
check-asan: deps
	@$(MAKE) --no-print-directory BUILDDIR=build-asan \
		SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer" all unit
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		OFBACKUP=$(CURDIR)/build-asan/ofbackup UNIT_TESTS=build-asan/tests/unit/unit-tests \
		sh tests/run-all.sh

bench: all
	@python3 tests/bench.py

install: $(PROGRAM)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SYSCONFDIR)/ofbackup
	install -m 755 $(PROGRAM) $(DESTDIR)$(PREFIX)/bin/ofbackup
	test -e $(DESTDIR)$(SYSCONFDIR)/ofbackup/ofbackup.ini || \
		install -m 600 etc/ofbackup.ini $(DESTDIR)$(SYSCONFDIR)/ofbackup/ofbackup.ini

# The configuration in $(SYSCONFDIR)/ofbackup stays: it is the administrator's.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ofbackup

clean:
	rm -f $(PROGRAM) $(UNIT) $(OBJS) $(MAIN_OBJ) $(TEST_OBJS) \
	      $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJS:.o=.d)
	rm -rf build-asan

.PHONY: all unit deps demo check check-asan bench install uninstall clean

-include $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJS:.o=.d)
