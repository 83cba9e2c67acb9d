# SPDX-License-Identifier: MIT
# build/vmm-init: the guest init of `vmm --exec` (vmm/init/init.c), a static
# Linux program built with the host's gcc. exec_conf.c and exec_status.c are
# compiled into it again here; they are also in libvmm.a for the VMM, while
# init.c is filtered out of the library (it has a main and guest-only calls).
# Included by the top Makefile.
INIT_CC     := gcc
INIT_SRCS   := vmm/init/init.c vmm/init/exec_conf.c vmm/init/exec_status.c
INIT_CFLAGS := -std=gnu11 -Os -Wall -Wextra -Werror -Wmissing-prototypes \
               -Wstrict-prototypes -Wshadow -Wvla -fno-strict-aliasing \
               -D_GNU_SOURCE -I.

$(BUILD)/vmm-init: $(INIT_SRCS) $(wildcard vmm/init/*.h)
	@mkdir -p $(dir $@)
	$(INIT_CC) $(INIT_CFLAGS) -static -s -o $@ $(INIT_SRCS)

all: $(BUILD)/vmm-init
