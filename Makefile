# sealguard - Makefile
#
#   make                 build sealguardd and sealguard into build/
#   make SANITIZE=1      the same with ASan+UBSan, into build-asan/
#   make check           unit tests + integration suite (both builds)
#   make fuzz            every libFuzzer harness of tests/fuzz/ (clang,
#                        ASan+UBSan, into build-fuzz/) for FUZZ_SECONDS
#                        each (default 60); docs/testing.md
#   make bench           the benchmark (tests/bench/run.sh; as root, in a
#                        sandbox; BENCH_ARGS="--quick" for a short run)
#   make stress          the daemon under a mixed load of STRESS_PROCS
#                        processes (16) for STRESS_SECONDS (60), every
#                        decision checked, RSS, fds and threads shown flat
#                        (tests/stress/run.sh; as root, in a sandbox);
#                        docs/testing.md
#   make install         DESTDIR=... PREFIX=/usr (see "install" below)
#   make uninstall       the same variables; keeps the policy and the baseline
#
#   make CC=clang        the same with clang (objects are rebuilt whenever the
#                        compiler or the flags change)
#   make WERROR=0        warnings stay warnings (the packages build so: a
#                        newer distro compiler must not fail the build)
#
# Sources: src/common/*.c form libsealguard.a, shared by the daemon
# (src/daemon/main.c and src/daemon/<component>/*.c) and the CLI
# (src/cli/*.c). include/ holds the headers the CLI and the daemon share;
# the daemon's own headers sit beside their code and are reached only
# with -Isrc/daemon, which the CLI is not given. Unit tests are
# tests/unit/test_<name>.c, each its own cmocka binary.

VERSION := 0.1.0

PKGS := libcap libseccomp inih libsystemd libcrypto
PKG_CONFIG ?= pkg-config

SANITIZE ?= 0
FUZZ ?= 0
ifeq ($(FUZZ),1)
# the fuzz build (make fuzz): libFuzzer needs clang; every object carries
# its coverage hooks, the harnesses get libFuzzer's main at link time
BUILD ?= build-fuzz
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
OPT := -O1 -g
TEST_FLAGS :=
else ifeq ($(SANITIZE),1)
BUILD ?= build-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
OPT := -O1 -g
# the test build also carries the daemon's test hooks (src/daemon/main.c)
TEST_FLAGS := -DSEALGUARD_TEST_HOOKS
else
BUILD ?= build
SAN_FLAGS :=
TEST_FLAGS :=
OPT := -O2 -g
endif

# A missing library is a build error, never a silently weaker daemon.
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ifeq ($(shell $(PKG_CONFIG) --exists $(PKGS) && echo ok),)
$(error missing build dependencies: need pkg-config and the -dev packages of $(PKGS); run tests/install-deps.sh)
endif

# CFLAGS, CPPFLAGS and LDFLAGS from the environment (dpkg-buildflags,
# %set_build_flags) come first and are kept; ours are appended. A distro's
# own _FORTIFY_SOURCE (Fedora sets 3) is not redefined: with -Werror that
# would fail the build.
CC ?= cc
CFLAGS ?= $(OPT)
ifeq ($(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),)
FORTIFY := -D_FORTIFY_SOURCE=2
endif
WERROR ?= 1
ifeq ($(WERROR),1)
WERROR_FLAG := -Werror
endif
CFLAGS += -std=gnu11 -Wall -Wextra $(WERROR_FLAG) -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter \
	-D_GNU_SOURCE $(FORTIFY) -fstack-protector-strong -fPIE \
	-Iinclude $(PKG_CFLAGS) $(SAN_FLAGS) $(TEST_FLAGS) -MMD -MP -DSEALGUARD_VERSION=\"$(VERSION)\"
LDFLAGS += -pie -Wl,-z,relro,-z,now $(SAN_FLAGS)
LDLIBS += $(PKG_LIBS) -lpthread

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/sealguard
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
UNITDIR ?= /lib/systemd/system
CATALOGDIR ?= /usr/lib/systemd/catalog
STATEDIR ?= /var/lib/sealguard
# the canary `sealguard selftest` write-opens: under protected /usr, so in
# the baseline (not $(LIBDIR): Fedora's lib64 is for libraries)
PKGLIBDIR ?= $(PREFIX)/lib/sealguard

COMMON_SRCS := $(sort $(wildcard src/common/*.c))
DAEMON_SRCS := $(sort $(wildcard src/daemon/*.c src/daemon/*/*.c))
CLI_SRCS := $(sort $(wildcard src/cli/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
# the documents the installed policy, unit, catalog and man pages cite
DOCS := $(sort $(wildcard docs/*.md))
# the tether's drop-ins (docs/fleet.md): examples, never active config
TETHER_CONFS := $(sort $(wildcard packaging/tether/*.conf))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB := $(BUILD)/libsealguard.a
DAEMON := $(BUILD)/sealguardd
CLI := $(BUILD)/sealguard
UNITS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

.PHONY: all tests check unit bench stress clean install uninstall FORCE
# keep the unit tests' objects: without this make deletes them as
# intermediates and relinks every test on every run
.SECONDARY:
all: $(DAEMON) $(CLI)
tests: all $(UNITS) $(TOOLS)

# Every object depends on this stamp, rewritten only when the compiler or
# a flag changed: `make CC=clang` on a gcc tree rebuilds everything.
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(FLAGS_NOW)' ]; then \
		printf '%s\n' '$(FLAGS_NOW)' >$@; fi

# The daemon's components and the unit tests see the daemon's headers;
# the CLI does not.
$(BUILD)/obj/src/daemon/%.o $(BUILD)/obj/tests/unit/%.o: DAEMON_INC := -Isrc/daemon

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DAEMON_INC) -c -o $@ $<

$(LIB): $(call obj,$(COMMON_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(DAEMON): $(call obj,$(DAEMON_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(CLI): $(call obj,$(CLI_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests link the library and, for daemon logic, the daemon's objects
# other than its main().
DAEMON_LIB_OBJS = $(call obj,$(filter-out src/daemon/main.c,$(DAEMON_SRCS)))
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(DAEMON_LIB_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# sgtry's io_uring open goes through liburing
$(BUILD)/tools/sgtry: TOOL_LIBS := -luring
$(BUILD)/tools/%: tests/tools/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra $(WERROR_FLAG) -D_GNU_SOURCE -o $@ $< $(TOOL_LIBS)

unit: tests
	@for t in $(UNITS); do $$t || exit 1; done

# Fuzzers: tests/fuzz/fuzz_<target>.c, each linked with libsealguard and
# the daemon sources it names below (only those: the fuzz build stays
# small). `make fuzz` builds them with FUZZ=1 and runs each for
# FUZZ_SECONDS on its seed corpus (tests/fuzz/corpus/<target>/); new
# inputs go to build-fuzz/corpus/, crashes to build-fuzz/crashes/.
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
FUZZERS := $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_NAMES))
FUZZ_SECONDS ?= 60
fuzz_deps_fuzz_intent := src/daemon/fan/intent.c src/daemon/fan/syscallfd.c
fuzz_deps_fuzz_proc_stat := src/daemon/sys/procinfo.c
fuzz_deps_fuzz_proc_status := src/daemon/sys/procinfo.c src/daemon/sys/tracer.c
fuzz_deps_fuzz_mountinfo := src/daemon/sys/mounts.c
fuzz_deps_fuzz_scriptarg := src/daemon/sys/scriptarg.c src/daemon/sys/procinfo.c
fuzz_deps_fuzz_sockdiag := src/daemon/listen/sockdiag.c
fuzz_deps_fuzz_fan_perm := src/daemon/fan/fanread.c
fuzz_deps_fuzz_fan_changes := src/daemon/watch/changes_event.c

$(BUILD)/obj/tests/fuzz/%.o: DAEMON_INC := -Isrc/daemon
define fuzz_rule
$(BUILD)/fuzz/$(1): $(BUILD)/obj/tests/fuzz/$(1).o $(call obj,$(fuzz_deps_$(1))) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -fsanitize=fuzzer -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$(t))))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZERS)
fuzz:
	$(MAKE) FUZZ=1 fuzz-build
	tests/fuzz/run.sh --seconds $(FUZZ_SECONDS)

check:
	tests/run.sh

bench: tests
	tests/bench/run.sh $(BENCH_ARGS)

# SG_BUILD: the stress run tests this build's daemon (build/ by default,
# build-asan/ with SANITIZE=1)
stress: tests
	SG_BUILD=$(BUILD) tests/stress/run.sh

# install: the daemon, the CLI, the systemd unit, the self-test's unit,
# timer and canary, the journal catalog, the man pages, the documents they
# cite (docs/*.md into $(DOCDIR)), the shell completions, the example
# policy and drop-in, the state directory (0700).
# An existing policy is never replaced (a package manager treats it as a
# configuration file too); the example is always in $(DOCDIR)/examples.
# The unit is made from its template here: it names the daemon and the
# policy where this install puts them.
install: all
	install -D -m 0755 $(DAEMON) $(DESTDIR)$(SBINDIR)/sealguardd
	install -D -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/sealguard
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		packaging/systemd/sealguard.service.in >$(DESTDIR)$(UNITDIR)/sealguard.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sealguard.service
	sed -e 's|@BINDIR@|$(BINDIR)|g' packaging/systemd/sealguard-selftest.service.in \
		>$(DESTDIR)$(UNITDIR)/sealguard-selftest.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sealguard-selftest.service
	install -m 0644 packaging/systemd/sealguard-selftest.timer $(DESTDIR)$(UNITDIR)/sealguard-selftest.timer
	install -D -m 0644 packaging/canary $(DESTDIR)$(PKGLIBDIR)/canary
	install -D -m 0644 packaging/sealguard.catalog $(DESTDIR)$(CATALOGDIR)/sealguard.catalog
	install -D -m 0644 packaging/man/sealguardd.8 $(DESTDIR)$(MANDIR)/man8/sealguardd.8
	install -D -m 0644 packaging/man/sealguard.1 $(DESTDIR)$(MANDIR)/man1/sealguard.1
	install -D -m 0644 packaging/man/sealguard.policy.5 $(DESTDIR)$(MANDIR)/man5/sealguard.policy.5
	install -d -m 0755 $(DESTDIR)$(DOCDIR)
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -D -m 0644 packaging/completion/sealguard.bash $(DESTDIR)$(BASHCOMPDIR)/sealguard
	install -D -m 0644 packaging/completion/_sealguard $(DESTDIR)$(ZSHCOMPDIR)/_sealguard
	install -D -m 0644 policy/policy.conf $(DESTDIR)$(DOCDIR)/examples/policy.conf
	install -D -m 0644 packaging/systemd/local.conf $(DESTDIR)$(DOCDIR)/examples/sealguard.service.d/local.conf
	install -d -m 0755 $(DESTDIR)$(DOCDIR)/examples/tether
	install -m 0644 $(TETHER_CONFS) $(DESTDIR)$(DOCDIR)/examples/tether/
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/sealguard
	[ -e $(DESTDIR)$(SYSCONFDIR)/sealguard/policy.conf ] || \
		install -m 0644 policy/policy.conf $(DESTDIR)$(SYSCONFDIR)/sealguard/policy.conf
	install -d -m 0700 $(DESTDIR)$(STATEDIR)

# uninstall: what install put there, except the policy and the state
# directory (the operator's configuration and baseline).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/sealguardd $(DESTDIR)$(BINDIR)/sealguard \
		$(DESTDIR)$(UNITDIR)/sealguard.service \
		$(DESTDIR)$(UNITDIR)/sealguard-selftest.service \
		$(DESTDIR)$(UNITDIR)/sealguard-selftest.timer \
		$(DESTDIR)$(PKGLIBDIR)/canary \
		$(DESTDIR)$(CATALOGDIR)/sealguard.catalog \
		$(DESTDIR)$(MANDIR)/man8/sealguardd.8 $(DESTDIR)$(MANDIR)/man1/sealguard.1 \
		$(DESTDIR)$(MANDIR)/man5/sealguard.policy.5 \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS))) \
		$(DESTDIR)$(BASHCOMPDIR)/sealguard $(DESTDIR)$(ZSHCOMPDIR)/_sealguard \
		$(DESTDIR)$(DOCDIR)/examples/policy.conf \
		$(DESTDIR)$(DOCDIR)/examples/sealguard.service.d/local.conf \
		$(addprefix $(DESTDIR)$(DOCDIR)/examples/tether/,$(notdir $(TETHER_CONFS)))
	-rmdir $(DESTDIR)$(PKGLIBDIR) 2>/dev/null
	-rmdir $(DESTDIR)$(DOCDIR)/examples/sealguard.service.d \
		$(DESTDIR)$(DOCDIR)/examples/tether \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/sealguard and $(DESTDIR)$(STATEDIR): remove them by hand"

clean:
	rm -rf build build-asan build-clang build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
