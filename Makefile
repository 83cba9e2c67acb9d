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

DEB_PKGS := libseccomp-dev libcap-ng-dev libcmocka-dev qemu-system-x86 \
            busybox-static cpio xz-utils kmod zstd e2fsprogs gcc make time acpica-tools

VMM_LIB_SRCS := $(filter-out vmm/main.c,$(sort $(wildcard vmm/*.c vmm/*/*.c \
                devices/*.c devices/*/*.c iommu/*.c seccomp/*.c)))
VMM_LIB_OBJS := $(VMM_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS    := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS    := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

.PHONY: all deps test unit run bench clean format nested guest-tests check-kvm
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

all: $(BUILD)/vmm guest-tests $(UNIT_BINS) $(TINY_ELFS)

# Install the Debian packages the build and the tests need (only missing ones).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

unit: $(UNIT_BINS)
	@RESULTS=$${RESULTS:-/dev/null} tests/unit/run.sh $(UNIT_BINS)

test: deps
	@$(MAKE) --no-print-directory all
	@tests/run-all.sh

run: $(BUILD)/vmm guest-tests
	$(BUILD)/vmm --kernel $(BUILD)/guest-tests/demo.elf --cmdline "hello from make run"

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh

nested: $(BUILD)/vmm
	@tests/nested/run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
