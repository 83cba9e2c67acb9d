// SPDX-License-Identifier: MIT
/* Unit tests for --iommu (vmm/cli_iommu.c): virtio, intel and its options,
 * bad values, iommu=off and --device under --iommu intel, and --iommu-log
 * with check-invalidation. */
#include "tests/unit/cli_fixture.h"

#include "vmm/cli_iommu.h"

/* parse(cfg, "--iommu", "intel", ..., NULL), after "--kernel k". */
static enum cli_result parse(struct vmm_config *cfg, ...)
{
	static const char *const kernel[] = {"--kernel", "k"};
	enum cli_result r;
	va_list ap;

	va_start(ap, cfg);
	r = cli_parse_words(cfg, kernel, 2, ap);
	va_end(ap);
	if (r == CLI_RUN)
		cli_free(cfg);
	return r;
}

static void test_kinds(void **state)
{
	struct vmm_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, NULL), CLI_RUN);
	assert_int_equal(cfg.iommu, IOMMU_NONE);
	assert_int_equal(parse(&cfg, "--iommu", "virtio", NULL), CLI_RUN);
	assert_int_equal(cfg.iommu, IOMMU_VIRTIO);
	assert_int_equal(parse(&cfg, "--iommu", "intel", NULL), CLI_RUN);
	assert_int_equal(cfg.iommu, IOMMU_INTEL);
	assert_false(cfg.iommu_caching_mode);
	assert_int_equal(cfg.iommu_aw_bits, 48);
	assert_true(cfg.iommu_eim); /* the default */
	assert_int_equal(parse(&cfg, "--iommu", "intel,eim=off", NULL), CLI_RUN);
	assert_false(cfg.iommu_eim);
	assert_int_equal(parse(&cfg, "--iommu", "intel,eim=on", NULL), CLI_RUN);
	assert_true(cfg.iommu_eim);
	assert_false(cfg.iommu_ioapic_sid_ignore); /* the default: the spec's check */
	assert_int_equal(parse(&cfg, "--iommu", "intel,ioapic-sid=ignore", NULL), CLI_RUN);
	assert_true(cfg.iommu_ioapic_sid_ignore);
	assert_int_equal(parse(&cfg, "--iommu", "intel,ioapic-sid=check", NULL), CLI_RUN);
	assert_false(cfg.iommu_ioapic_sid_ignore);
	assert_int_equal(parse(&cfg, "--iommu", "intel,caching-mode=on,aw-bits=39", NULL), CLI_RUN);
	assert_true(cfg.iommu_caching_mode);
	assert_int_equal(cfg.iommu_aw_bits, 39);
	assert_int_equal(parse(&cfg, "--iommu", "intel,caching-mode=off,aw-bits=48", NULL),
			 CLI_RUN);
	assert_false(cfg.iommu_caching_mode);
	assert_int_equal(cfg.iommu_aw_bits, 48);
}

static void test_bad_values(void **state)
{
	struct vmm_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--iommu", "amd", NULL), CLI_ERROR);
	assert_string_equal(err, "--iommu: 'amd' is not virtio or intel[,OPTIONS]");
	assert_int_equal(parse(&cfg, "--iommu", "virtio,caching-mode=on", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel=1", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel,aw-bits=57", NULL), CLI_ERROR);
	assert_string_equal(err, "--iommu intel: 'aw-bits=57' is not caching-mode=on|off, "
				 "eim=on|off, aw-bits=39|48, ioapic-sid=check|ignore or "
				 "check-invalidation=on|off");
	assert_int_equal(parse(&cfg, "--iommu", "intel,ioapic-sid=skip", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel,ioapic-sid", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel,eim=maybe", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel,eim", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel,caching-mode", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel,caching-mode=maybe", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel,ir=on", NULL), CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "intel,", NULL), CLI_ERROR);
}

static void test_intel_opt_out(void **state)
{
	struct vmm_config cfg;

	(void)state;
	/* iommu=off is fine with either IOMMU; cli_iommu_opt_outs() says when
	 * the DMAR must list its endpoints instead of INCLUDE_PCI_ALL. */
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--rng", "--disk", "path=/d", NULL),
			 CLI_RUN);
	assert_false(cli_iommu_opt_outs(&cfg));
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--rng=iommu=off", NULL), CLI_RUN);
	assert_true(cli_iommu_opt_outs(&cfg));
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--disk", "path=/d,iommu=off", NULL),
			 CLI_RUN);
	assert_true(cli_iommu_opt_outs(&cfg));
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--net", "tap=t0,iommu=off", NULL),
			 CLI_RUN);
	assert_true(cli_iommu_opt_outs(&cfg));
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--console", "tty,iommu=off", NULL),
			 CLI_RUN);
	assert_true(cli_iommu_opt_outs(&cfg));
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--edu=iommu=off", NULL), CLI_RUN);
	assert_true(cli_iommu_opt_outs(&cfg));
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--device",
			       "path=/sys/bus/pci/devices/0000:00:01.0,iommu=off", NULL),
			 CLI_RUN);
	assert_true(cli_iommu_opt_outs(&cfg));
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--device",
			       "path=/sys/bus/pci/devices/0000:00:01.0", NULL),
			 CLI_RUN);
	assert_false(cli_iommu_opt_outs(&cfg));
}

static void test_log(void **state)
{
	struct vmm_config cfg;

	(void)state;
	/* --iommu-log needs an IOMMU, before or after it on the line. */
	assert_int_equal(parse(&cfg, "--iommu-log", "/tmp/l", NULL), CLI_ERROR);
	assert_string_equal(err, "--iommu-log needs --iommu virtio or intel");
	assert_int_equal(parse(&cfg, "--iommu-log", "/tmp/l", "--iommu", "virtio", NULL), CLI_RUN);
	assert_string_equal(cfg.iommu_log, "/tmp/l");
	assert_false(cfg.iommu_check_inval);
	assert_int_equal(parse(&cfg, "--iommu", "intel", "--iommu-log", "/tmp/m", NULL), CLI_RUN);
	assert_string_equal(cfg.iommu_log, "/tmp/m");
	assert_int_equal(parse(&cfg, NULL), CLI_RUN);
	assert_null(cfg.iommu_log);
	assert_int_equal(parse(&cfg, "--iommu-log", NULL), CLI_ERROR);
	/* check-invalidation=on|off, an option of intel that needs the log. */
	assert_int_equal(parse(&cfg, "--iommu", "intel,check-invalidation=on", "--iommu-log",
			       "/tmp/l", NULL),
			 CLI_RUN);
	assert_true(cfg.iommu_check_inval);
	assert_int_equal(parse(&cfg, "--iommu", "intel,check-invalidation=on,caching-mode=on",
			       "--iommu-log", "/tmp/l", NULL),
			 CLI_RUN);
	assert_true(cfg.iommu_check_inval);
	assert_true(cfg.iommu_caching_mode);
	assert_int_equal(parse(&cfg, "--iommu", "intel,check-invalidation=off", NULL), CLI_RUN);
	assert_false(cfg.iommu_check_inval);
	assert_int_equal(parse(&cfg, "--iommu", "intel,check-invalidation=on", NULL), CLI_ERROR);
	assert_string_equal(err, "--iommu intel,check-invalidation=on needs --iommu-log FILE");
	assert_int_equal(parse(&cfg, "--iommu", "intel,check-invalidation=maybe", "--iommu-log",
			       "/tmp/l", NULL),
			 CLI_ERROR);
	assert_int_equal(
		parse(&cfg, "--iommu", "intel,check-invalidation", "--iommu-log", "/tmp/l", NULL),
		CLI_ERROR);
	assert_int_equal(parse(&cfg, "--iommu", "virtio,check-invalidation=on", "--iommu-log",
			       "/tmp/l", NULL),
			 CLI_ERROR);
	/* A later --iommu virtio drops an earlier intel's check. */
	assert_int_equal(
		parse(&cfg, "--iommu", "intel,check-invalidation=on", "--iommu", "virtio", NULL),
		CLI_RUN);
	assert_false(cfg.iommu_check_inval);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_intel_opt_out),
		cmocka_unit_test(test_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
