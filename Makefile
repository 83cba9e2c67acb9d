# SPDX-License-Identifier: MIT
# build/vmm, the guest tests, the unit tests. `make test` runs everything.
CC      ?= gcc
BUILD   := build
VERSION := 0.1.0
CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes \
           -Wold-style-definition -Wstrict-prototypes -Wshadow -Wvla \
           -fno-strict-aliasing -D_GNU_SOURCE -DVMM_VERSION='"$(VERSION)"' \
           -I. -MMD -MP -pthread $(EXTRA_CFLAGS)
LDLIBS  := -lseccomp -lcap-ng -pthread

# Debian packages, each with the reason. `make deps` installs the missing ones;
# `make run` needs only the first list.
#   build:  gcc, make, libc6-dev (the compiler, libc headers, binutils for the
#           guest tests), libseccomp-dev and libcap-ng-dev (the security
#           baseline, linked statically), linux-libc-dev (UAPI headers)
#   tests:  libcmocka-dev (unit tests), clang-format (make format-check),
#           qemu-system-x86 (side-by-side checks, the nested harness),
#           busybox-static cpio xz-utils kmod zstd (the nested initramfs),
#           e2fsprogs (ext4 images), acpica-tools (iasl checks the ACPI tables),
#           time (peak RSS in make bench), file (tests/nested/build.sh),
#           iproute2 (test_virtio_net_tap deletes a TAP under a running device),
#           clang and libclang-rt-dev (libFuzzer: the fuzz targets, whose
#           corpora make test replays)
BUILD_PKGS := gcc make libc6-dev linux-libc-dev libseccomp-dev libcap-ng-dev
TEST_PKGS  := libcmocka-dev clang-format qemu-system-x86 busybox-static cpio xz-utils kmod \
              zstd e2fsprogs acpica-tools time file iproute2 clang libclang-rt-dev

VMM_LIB_SRCS := $(filter-out vmm/main.c vmm/init/init.c,$(sort $(wildcard vmm/*.c vmm/*/*.c \
                devices/*.c devices/*/*.c iommu/*.c seccomp/*.c)))
VMM_LIB_OBJS := $(VMM_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS    := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS    := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

.PHONY: all deps deps-build test unit run bench clean format format-check nested guest-tests
all: # the first target; its prerequisites follow the includes below

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libvmm.a: $(VMM_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Static, so that the nested harness can drop it into an initramfs.
$(BUILD)/vmm: $(BUILD)/obj/vmm/main.o $(BUILD)/libvmm.a
	$(CC) -static -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libvmm.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libvmm.a -lcmocka $(LDLIBS)

include guest-tests/guest-tests.mk
include tests/cli/tiny.mk
include tests/seccomp/seccomp.mk
include tests/fuzz/fuzz.mk
include vmm/init/init.mk

all: $(BUILD)/vmm guest-tests $(UNIT_BINS) $(TINY_ELFS) $(SECCOMP_TEST_VMM)

# Install the missing Debian packages of a list (as root, or through sudo).
define install_pkgs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call install_pkgs,$(BUILD_PKGS) $(TEST_PKGS))

deps-build:
	$(call install_pkgs,$(BUILD_PKGS))

unit: $(UNIT_BINS)
	@RESULTS=$${RESULTS:-/dev/null} tests/unit/run.sh $(UNIT_BINS)

test: deps
	@$(MAKE) --no-print-directory all asan fuzz-build
	@tests/run-all.sh

# Without a usable /dev/kvm the demo boots in the nested harness's L1 (QEMU
# TCG, minutes rather than milliseconds; it needs the test packages).
DEMO := $(BUILD)/vmm --kernel $(BUILD)/guest-tests/demo.elf --cmdline "hello from make run"
run: deps-build
	@$(MAKE) --no-print-directory $(BUILD)/vmm $(BUILD)/guest-tests/demo.elf
	@if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then echo '$(DEMO)'; $(DEMO); else \
	  echo "make run: no usable /dev/kvm here; booting the demo in the nested harness's L1 (QEMU TCG: a few minutes)"; \
	  $(MAKE) --no-print-directory deps && tests/nested/run.sh --host demo; fi

bench: deps
	@$(MAKE) --no-print-directory all asan
	@bench/run.sh

nested: $(BUILD)/vmm
	@tests/nested/run.sh

# ---- sanitizer builds ------------------------------------------------------
# `make asan` builds the library, the vmm and the unit tests again with
# AddressSanitizer and UndefinedBehaviorSanitizer, in $(ASAN) with their own
# objects and libvmm.a; build/vmm and its objects are not touched. The vmm is
# linked dynamically: gcc's sanitizer runtimes exist only as shared libraries.
# -fno-sanitize-recover=all makes every UBSan report fatal, as ASan's are;
# tests/sanitize/run.sh (`make sanitize`) sets the runtime options and runs
# the unit tests and the guest tests (under $(ASAN)/vmm) with them.
ASAN           := $(BUILD)/asan
SAN_FLAGS      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS    := $(CFLAGS) $(SAN_FLAGS)
ASAN_LIB_OBJS  := $(VMM_LIB_SRCS:%.c=$(ASAN)/obj/%.o)
ASAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(ASAN)/tests/unit/%)

.PHONY: asan sanitize
# The guest tests themselves are not sanitized (freestanding); the guest tier
# boots the usual images under $(ASAN)/vmm.
asan: $(ASAN)/vmm $(ASAN_UNIT_BINS) guest-tests

sanitize: asan
	@RESULTS=$${RESULTS:-/dev/null} BUILD=$(abspath $(BUILD)) tests/sanitize/run.sh

$(ASAN)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c -o $@ $<

$(ASAN)/libvmm.a: $(ASAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(ASAN)/vmm: $(ASAN)/obj/vmm/main.o $(ASAN)/libvmm.a
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

$(ASAN)/tests/unit/%: tests/unit/%.c $(ASAN)/libvmm.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -o $@ $< $(ASAN)/libvmm.a -lcmocka $(LDLIBS)
# ---- end of sanitizer builds -----------------------------------------------

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_SRCS)

# Fails, naming the files, when any source differs from .clang-format.
format-check:
	@bad=$$(for f in $(FORMAT_SRCS); do \
	  clang-format --dry-run --Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "format-check: not formatted:"; echo "$$bad" | sed 's/^/  /'; exit 1; fi; \
	echo "format-check: $(words $(FORMAT_SRCS)) files formatted"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
