# SPDX-License-Identifier: MIT
# The test-only VMM of tests/seccomp/run.sh: build/vmm with seccomp/install.c
# built with VMM_SECCOMP_TEST_HOOK, so that VMM_TEST_SECCOMP=KIND makes each
# kind of thread call a forbidden syscall right after its filter is on (and
# seccomp/jail.c, for VMM_TEST_JAIL_OPEN). The
# shipped binary has no such hook. Included by the top Makefile.
SECCOMP_TEST_VMM := $(BUILD)/tests/vmm-seccomp-hook

$(BUILD)/tests/obj/seccomp-hook.o: seccomp/install.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DVMM_SECCOMP_TEST_HOOK -c -o $@ $<

$(BUILD)/tests/obj/jail-hook.o: seccomp/jail.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DVMM_SECCOMP_TEST_HOOK -c -o $@ $<

# The hook objects come before libvmm.a, so the archive's own install.o and
# jail.o are never pulled in.
$(SECCOMP_TEST_VMM): $(BUILD)/obj/vmm/main.o $(BUILD)/tests/obj/seccomp-hook.o \
		     $(BUILD)/tests/obj/jail-hook.o $(BUILD)/libvmm.a
	$(CC) -static -o $@ $^ $(LDLIBS)
