# zreaper build: bpf/*.bpf.c -> one linked BPF object -> skeleton -> build/zreaper.
# Everything generated lives in $(BUILD). `make V=1` shows the commands.

BUILD	?= build
CC	?= gcc
CLANG	?= clang
BPFTOOL	?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH	:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX_H ?=
VERSION	:= $(shell cat VERSION 2>/dev/null || echo 0.1.0)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-5s %s\n' "$(1)" "$(2)";
endif

WARN	:= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	   -Wold-style-definition -Wpointer-arith -Wundef -Wvla -Wwrite-strings \
	   -Wimplicit-fallthrough -Wcast-align -Wswitch-enum
CFLAGS	?= -O2 -g
# The binary is optimised across files at link time (small calls on every event's path, such as
# a kind's row or a table lookup, get inlined: some 5% of a traced line's instructions), and the
# warnings of that link's code generation are errors too. Fat objects also hold plain code: the
# unit tests and bench tools link them without LTO (NO_LTO), which keeps their links quick.
LTO	?= -flto=auto -ffat-lto-objects
NO_LTO	:= -fno-lto
ZR_CFLAGS := -std=gnu11 $(WARN) -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
	   -DZR_VERSION='"$(VERSION)"' -Ibpf -isystem $(BUILD) -MMD -MP
# user/ in layers, each compiled with the headers of its own folder and those below it, so an
# include that reaches up does not build: core (decode, state machine, pipeline, /proc,
# recordings) < outputs (lines, metrics, summary, tree) < reap, init < live (BPF loader, event loop,
# metrics server) < cmd (the commands). core, outputs, reap and init need no kernel: they are
# libzreaper.a, which the binary, the unit tests and the fuzz target link.
LIB_DIRS := core outputs reap init
INC_core    := -Iuser/core
INC_outputs := $(INC_core) -Iuser/outputs
INC_reap    := $(INC_outputs) -Iuser/reap
INC_init    := $(INC_outputs) -Iuser/init
INC_live     = $(INC_outputs) -Iuser/live $(LIBBPF_CFLAGS)
INC_cmd      = $(INC_outputs) -Iuser/reap -Iuser/init -Iuser/live -Iuser/cmd $(LIBBPF_CFLAGS)
LIB_INC     := $(INC_outputs) -Iuser/reap -Iuser/init
ALL_INC      = $(INC_cmd)
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LIBBPF_CFLAGS := $(shell pkg-config --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf)
LDLIBS	:= $(LIBBPF_LIBS) -lelf -lz

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra \
	   -Wno-unused-parameter -Werror -I$(BUILD) -Ibpf -MMD -MP

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
CORE_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard user/$(d)/*.c))
APP_SRCS  := $(wildcard user/live/*.c) $(filter-out user/cmd/commands_init.c,$(wildcard user/cmd/*.c))
USER_SRCS := $(CORE_SRCS) $(APP_SRCS)
CORE_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(CORE_SRCS))
APP_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(APP_SRCS))
CORE_LIB  := $(BUILD)/libzreaper.a
SAN_OBJS  := $(patsubst $(BUILD)/user/%.o,$(BUILD)/user-san/%.o,$(CORE_OBJS))
SAN_LIB   := $(BUILD)/libzreaper-san.a
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
UNIT_SAN  := $(patsubst tests/unit/%.c,$(BUILD)/unit-san/%,$(UNIT_SRCS))
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_BINS := $(patsubst tools/%.c,$(BUILD)/%,$(TOOL_SRCS)) $(BUILD)/zr-work
# zr-work, the tests' workloads: a file per scenario, and core's whole-buffer write.
WORK_SRCS := $(wildcard tools/zr-work/*.c) user/core/fdwrite.c
WORK_HDRS := $(wildcard tools/zr-work/*.h)
# build/static/zr-work.d is a stale one from before zr-work had a folder: it names tools/zr-work.c.
DEPS	  := $(filter-out $(BUILD)/static/zr-work.d,$(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d))

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps test unit e2e check format bench clean run test-kernels

all: deps $(BUILD)/zreaper $(TOOL_BINS)

# Installs missing Debian packages; silent when nothing is missing.
deps:
	$(Q)tools/deps.sh

# Every output directory waits for deps, so `make -jN` on a bare machine installs first.
USER_DIRS := $(foreach d,$(LIB_DIRS) live cmd,$(BUILD)/user/$(d) $(BUILD)/user-san/$(d))
$(BUILD) $(BUILD)/bpf $(BUILD)/unit $(BUILD)/unit-san $(USER_DIRS): | deps
	$(Q)mkdir -p $@

# vmlinux.h from the running kernel's BTF (or a copy of VMLINUX_H).
$(BUILD)/vmlinux.h: | $(BUILD)
ifeq ($(VMLINUX_H),)
	$(call msg,GEN,$@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "zreaper: no BTF at $(VMLINUX_BTF): the kernel needs CONFIG_DEBUG_INFO_BTF" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@
else
	$(call msg,CP,$@)
	$(Q)cp $(VMLINUX_H) $@
endif

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h | $(BUILD)/bpf
	$(call msg,BPF,$<)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# One linked object: shared maps and rodata are __weak in zr_common.bpf.h.
$(BUILD)/zreaper.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(BUILD)/zreaper.skel.h: $(BUILD)/zreaper.bpf.o
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name zreaper_bpf > $@

# Files that include the skeleton wait for it.
$(BUILD)/user/live/bpf_load.o: $(BUILD)/zreaper.skel.h

# One compile rule per layer, each with that layer's include path (INC_<dir>); the library's
# layers are also built with the sanitizers for the unit tests.
define layer_rules
$(BUILD)/user/$(1)/%.o: user/$(1)/%.c | $(BUILD)/user/$(1)
	$$(call msg,CC,$$<)
	$$(Q)$$(CC) $$(CFLAGS) $$(LTO) $$(ZR_CFLAGS) $$(INC_$(1)) -c $$< -o $$@

$(BUILD)/user-san/$(1)/%.o: user/$(1)/%.c | $(BUILD)/user-san/$(1)
	$$(call msg,CC,$$< [san])
	$$(Q)$$(CC) $$(SAN_FLAGS) $$(ZR_CFLAGS) $$(INC_$(1)) -c $$< -o $$@
endef
$(foreach d,$(LIB_DIRS) live cmd,$(eval $(call layer_rules,$(d))))

# The kernel-free core as one library: the binary, the unit tests and the fuzz target link it.
$(CORE_LIB): $(CORE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(SAN_LIB): $(SAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/zreaper: $(APP_OBJS) $(CORE_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LTO) $(WARN) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/%: tools/%.c | $(BUILD)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(ZR_CFLAGS) -pthread $< -o $@

# zr-work's files in one compile, so no .d files: its sources and header are the prerequisites.
WORK_CFLAGS = $(CFLAGS) $(filter-out -MMD -MP,$(ZR_CFLAGS)) $(INC_core) -pthread

$(BUILD)/zr-work: $(WORK_SRCS) $(WORK_HDRS) | $(BUILD)
	$(call msg,CC,tools/zr-work/)
	$(Q)$(CC) $(WORK_CFLAGS) $(WORK_SRCS) -o $@

# Unit tests see the library only: its headers and libzreaper.a (plus zlib, which recordings use).
$(BUILD)/unit/%: tests/unit/%.c $(CORE_LIB) | $(BUILD)/unit
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) $(ZR_CFLAGS) $(LIB_INC) -Itests/unit $< $(CORE_LIB) -lcmocka -lz -o $@

$(BUILD)/unit-san/%: tests/unit/%.c $(SAN_LIB) | $(BUILD)/unit-san
	$(call msg,CC,$< [san])
	$(Q)$(CC) $(SAN_FLAGS) $(ZR_CFLAGS) $(LIB_INC) -Itests/unit $< $(SAN_LIB) -lcmocka -lz -o $@

unit: deps $(UNIT_BINS) $(UNIT_SAN)
	$(Q)tests/run.sh --unit-only

# podman.bats puts the static binary in a container image.
e2e: all $(BUILD)/zreaper-static
	$(Q)tests/run.sh --e2e-only

# The one test command: every suite, last line "N passed, N failed, N skipped".
test: all $(BUILD)/zreaper-static $(BUILD)/zreaper-init $(BUILD)/static/zr-work $(UNIT_BINS) $(UNIT_SAN)
	$(Q)tests/run.sh

# Builds, then traces: `make run ARGS="--json"`.
run: all
	$(Q)$(BUILD)/zreaper trace $(ARGS)

C_FILES := $(wildcard user/*/*.c user/*/*.h tools/*.c tools/zr-work/*.[ch] tools/bench/*.c tests/unit/*.c tests/unit/*.h tests/fuzz/*.c bpf/*.c bpf/*.h)
SH_FILES := $(wildcard tools/*.sh tools/bench/*.sh tests/*.sh tests/e2e/*.bash tests/kernels/*.sh tests/kernels/init .ci/run) \
	    tools/completion/zreaper tools/debian/zreaper.postrm

check: deps $(BUILD)/zreaper.skel.h
	$(call msg,CHK,cppcheck)
	$(Q)cppcheck -q --enable=warning,portability,performance --std=c11 --inline-suppr \
		--error-exitcode=1 $(ALL_INC) -Ibpf -I$(BUILD) $(wildcard user/*/*.c tools/*.c tools/zr-work/*.c tests/unit/*.c)
	$(call msg,CHK,clang-tidy)
	$(Q)clang-tidy --quiet $(wildcard user/*/*.c tools/*.c tools/zr-work/*.c) -- -std=gnu11 $(ALL_INC) -Ibpf -isystem $(BUILD) \
		-DZR_VERSION='"check"' $(LIBBPF_CFLAGS) 2>/dev/null | grep -v 'zreaper\.skel\.h' | \
		(! grep -E 'warning:|error:') # bpftool's generated skeleton is not ours to fix
	$(call msg,CHK,clang-format)
	$(Q)clang-format --dry-run -Werror $(C_FILES)
	$(call msg,CHK,shellcheck)
	$(Q)shellcheck -x $(SH_FILES)
	$(Q)shellcheck -s bash $(wildcard tests/e2e/*.bats)

format:
	$(Q)clang-format -i $(C_FILES)

bench: all
	$(Q)tools/bench/run.sh

clean:
	$(Q)rm -rf $(BUILD)

-include $(DEPS)

# ---- make bench (issue 6): tools/bench/ drivers and the counter-only BPF floor. ----------
# Built only for `make bench`, into $(BUILD)/bench; never part of `all` or `test`.
BENCH_DIR := $(BUILD)/bench

$(BENCH_DIR): | deps
	$(Q)mkdir -p $@

$(BENCH_DIR)/floor.bpf.o: tools/bench/floor.bpf.c $(BUILD)/vmlinux.h | $(BENCH_DIR)
	$(call msg,BPF,$<)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/floor: tools/bench/floor.c | $(BENCH_DIR)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(ZR_CFLAGS) $(LIBBPF_CFLAGS) $< $(LDLIBS) -o $@

$(BENCH_DIR)/storm: tools/bench/storm.c | $(BENCH_DIR)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(ZR_CFLAGS) -pthread $< -o $@

# The orphan-burst workload and the bare wait() loop init every init is compared with.
$(BENCH_DIR)/initwork $(BENCH_DIR)/waitinit: $(BENCH_DIR)/%: tools/bench/%.c | $(BENCH_DIR)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(ZR_CFLAGS) $< -o $@

# The inject pause benchmark drives user/reap/inject.c itself, as `reap` does.
$(BENCH_DIR)/injectbench: tools/bench/injectbench.c $(CORE_LIB) | $(BENCH_DIR)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) $(ZR_CFLAGS) $(LIB_INC) $< $(CORE_LIB) -o $@

# The zombies scan floor (a readdir of /proc and each stat read) and the timer of its pairs.
$(BENCH_DIR)/procscan $(BENCH_DIR)/runtime: $(BENCH_DIR)/%: tools/bench/%.c | $(BENCH_DIR)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(ZR_CFLAGS) $< -o $@

bench: $(BENCH_DIR)/floor.bpf.o $(BENCH_DIR)/floor $(BENCH_DIR)/storm $(BENCH_DIR)/initwork \
	$(BENCH_DIR)/waitinit $(BENCH_DIR)/injectbench $(BENCH_DIR)/procscan $(BENCH_DIR)/runtime

# Only the zombies scan against its floor (tools/bench/zombies.sh), under a minute.
.PHONY: bench-zombies
bench-zombies: all $(BENCH_DIR)/storm $(BENCH_DIR)/procscan $(BENCH_DIR)/runtime
	$(Q)tools/bench/zombies.sh

# Only the orphan burst and the zombie backlog under each init (tools/bench/init.sh), some 17
# minutes (21 on a busy host).
.PHONY: bench-init
bench-init: all $(BENCH_DIR)/initwork $(BENCH_DIR)/waitinit
	$(Q)tools/bench/init.sh

# Only the tracer's user-space and kernel CPU per JSON line (tools/bench/tracer.sh), a minute.
.PHONY: bench-tracer
bench-tracer: all
	$(Q)tools/bench/tracer.sh

# Only the inject pause figures (tools/bench/inject.sh), a few seconds.
.PHONY: bench-inject
bench-inject: $(BENCH_DIR)/injectbench
	$(Q)tools/bench/inject.sh

# ---- make test-kernels (issue 14): the exact-count scenarios on Debian's 5.10, 6.1 and 6.12
# under qemu, then on the host's kernel (native and with every BPF fallback forced). Part of
# `make test`; kernel images are cached in $(BUILD)/kernels (ZR_KERNEL_CACHE). ---------------
$(BUILD)/static: | deps
	$(Q)mkdir -p $@

$(BUILD)/static/zr-work: $(WORK_SRCS) $(WORK_HDRS) | $(BUILD)/static
	$(call msg,CC,tools/zr-work/ [static])
	$(Q)$(CC) $(WORK_CFLAGS) -static $(WORK_SRCS) -o $@

test-kernels: all $(BUILD)/zreaper-static $(BUILD)/static/zr-work
	$(Q)tests/kernels/run.sh

# ---- make static (issues 5, 18): self-contained binaries for scratch images, stripped. ---------
# zreaper-static: every command; glibc static plus libbpf.a, libelf.a and libz.a. getpwnam
# (-u NAME) still wants NSS at run time.
# zreaper-init: `run` and the tini personality only (commands_init.c), built against musl: a
# static glibc printf alone is 682 KB stripped (measured), over tini-static's 708 KB, while the
# whole init is 106 KB with musl. INIT_MAX_KB fails the build when it grows past that.
.PHONY: static
INIT_CC     ?= musl-gcc
INIT_MAX_KB ?= 708
INIT_SRCS   := main commands_init cmd_run run_args opts initd initd_spawn initd_signals initd_reap initd_end cli log status escape jsonw pidset procfs sink_common
INIT_OBJS   := $(patsubst %,$(BUILD)/init/%.o,$(INIT_SRCS))

static: $(BUILD)/zreaper-static $(BUILD)/zreaper-init
	$(Q)tools/static-size.sh $(INIT_MAX_KB) $^

$(BUILD)/zreaper-static: $(APP_OBJS) $(CORE_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LTO) $(WARN) -static -s $^ -l:libbpf.a -l:libelf.a -l:libz.a -o $@

$(BUILD)/init: | deps
	$(Q)mkdir -p $@

# The init's files come from the library and cmd (vpath finds them by name).
vpath %.c user/core user/outputs user/init user/cmd
$(BUILD)/init/%.o: %.c | $(BUILD)/init
	$(call msg,CC,$< [init])
	$(Q)$(INIT_CC) -Os $(ZR_CFLAGS) $(INC_outputs) -Iuser/init -Iuser/cmd -c $< -o $@

$(BUILD)/zreaper-init: $(INIT_OBJS)
	$(call msg,LD,$@)
	$(Q)$(INIT_CC) -static -s $^ -o $@

# ---- make fuzz (issue 8): libFuzzer on the record reader and the replay behind it. ----------
# FUZZ_SECONDS (60) bounds the run; the corpus grows in $(BUILD)/fuzz/corpus from the recorded
# samples in tests/data. A crash leaves crash-* in $(BUILD)/fuzz: add it to tests/data/hostile/.
FUZZ_SECONDS ?= 60
FUZZ_DIR  := $(BUILD)/fuzz
FUZZ_CC   := clang
FUZZ_SAN  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJS := $(patsubst user/%.c,$(FUZZ_DIR)/%.o,$(CORE_SRCS)) # the library: no kernel

.PHONY: fuzz
$(FUZZ_DIR): | deps
	$(Q)mkdir -p $@ $@/corpus

$(FUZZ_DIR)/%.o: user/%.c | $(FUZZ_DIR)
	$(Q)mkdir -p $(dir $@)
	$(call msg,CC,$< [fuzz])
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(ZR_CFLAGS) $(LIB_INC) -c $< -o $@

$(FUZZ_DIR)/libzreaper-fuzz.a: $(FUZZ_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_replay: tests/fuzz/fuzz_replay.c $(FUZZ_DIR)/libzreaper-fuzz.a | $(FUZZ_DIR)
	$(call msg,LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(ZR_CFLAGS) $(LIB_INC) $^ -lz -o $@

fuzz:
	$(Q)tools/deps.sh libclang-rt-14-dev
	$(Q)$(MAKE) --no-print-directory $(FUZZ_DIR)/fuzz_replay
	$(call msg,FUZZ,$(FUZZ_SECONDS) s)
	$(Q)cd $(FUZZ_DIR) && ./fuzz_replay -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-rss_limit_mb=1024 -print_final_stats=1 corpus $(CURDIR)/tests/data $(CURDIR)/tests/fuzz/seeds

# ---- make cross-check-aarch64 (issue 7): inject's aarch64 register path, compiled (not run:
# this machine is x86_64) with Debian's cross compiler, installed on first use. -----------
AARCH64_CC ?= aarch64-linux-gnu-gcc
.PHONY: cross-check-aarch64
cross-check-aarch64: | $(BUILD)
	$(Q)tools/deps.sh gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	$(Q)mkdir -p $(BUILD)/cross
	$(Q)for f in $(wildcard user/reap/inject*.c); do \
		printf '  %-5s %s\n' CC "$$f [aarch64]"; \
		$(AARCH64_CC) $(CFLAGS) $(ZR_CFLAGS) $(INC_reap) -c $$f -o $(BUILD)/cross/$$(basename $$f .c).aarch64.o || exit 1; \
	done

# ---- make install / uninstall / deb (issue 18): installed like a system tool. ---------------
# PREFIX (/usr/local) and DESTDIR as usual; nothing is written outside $(DESTDIR). The unit's
# ExecStart is rewritten to the installed binary. make deb builds $(DEB) with debhelper from
# tools/debian (tools/deb.sh stages a copy of the sources with it as debian/).
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/zreaper
UNITDIR	?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MAN_PAGES := $(wildcard tools/man/*.8)
SHARE_FILES := tools/deploy/daemonset.yaml tools/deploy/daemonset-reap.yaml \
	       tools/deploy/zreaper-alerts.yml
INSTALLED := $(SBINDIR)/zreaper $(UNITDIR)/zreaper.service $(BASHCOMPDIR)/zreaper \
	     $(patsubst tools/man/%,$(MANDIR)/man8/%,$(MAN_PAGES)) \
	     $(patsubst tools/deploy/%,$(DATADIR)/%,$(SHARE_FILES))
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB	 := $(BUILD)/zreaper_$(VERSION)_$(DEB_ARCH).deb

.PHONY: install uninstall deb
install: $(BUILD)/zreaper
	$(call msg,INST,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 755 $(BUILD)/zreaper $(DESTDIR)$(SBINDIR)/zreaper
	$(Q)install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR) $(DESTDIR)$(UNITDIR)
	$(Q)install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/
	$(Q)install -m 644 $(SHARE_FILES) $(DESTDIR)$(DATADIR)/
	$(Q)install -D -m 644 tools/completion/zreaper $(DESTDIR)$(BASHCOMPDIR)/zreaper
	$(Q)sed 's|^ExecStart=[^ ]*zreaper |ExecStart=$(SBINDIR)/zreaper |' tools/deploy/zreaper.service \
		> $(DESTDIR)$(UNITDIR)/zreaper.service
	$(Q)chmod 644 $(DESTDIR)$(UNITDIR)/zreaper.service

uninstall:
	$(call msg,RM,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)! [ -d $(DESTDIR)$(DATADIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DATADIR)

deb: $(DEB)

# tests/e2e/deb.bats installs the package (and purges it).
test: $(DEB)

$(DEB): $(USER_SRCS) $(wildcard user/*/*.h bpf/*.c bpf/*.h tools/debian/* tools/debian/*/*) \
	$(MAN_PAGES) $(SHARE_FILES) tools/deploy/zreaper.service tools/completion/zreaper \
	tools/deb.sh Makefile VERSION | $(BUILD)
	$(call msg,DEB,$@)
	$(Q)tools/deb.sh $(BUILD) $(VERSION) $(DEB_ARCH)
