// SPDX-License-Identifier: MIT
/* Device options: --disk, --net, --rng, --console, --edu and their key=value lists. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/cli.h"
#include "vmm/cli_kv.h"

static enum cli_result parse(struct vmm_config *cfg, char *err, int n, ...)
{
	char *argv[16] = {"vmm", "--kernel", "k"};
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		argv[3 + i] = va_arg(ap, char *);
	va_end(ap);
	err[0] = '\0';
	return cli_parse(3 + n, argv, cfg, err, 256);
}

static void test_kv_split(void **state)
{
	char s[] = "path=/a,readonly=on,flag";
	struct cli_kv kv[CLI_KV_MAX];
	char empty[] = "a,,b", many[] = "a,b,c,d,e,f,g,h,i";

	(void)state;
	assert_int_equal(cli_kv_split(s, kv), 3);
	assert_string_equal(kv[0].key, "path");
	assert_string_equal(kv[0].val, "/a");
	assert_string_equal(kv[1].val, "on");
	assert_string_equal(kv[2].key, "flag");
	assert_null(kv[2].val);
	assert_int_equal(cli_kv_split(empty, kv), -EINVAL);
	assert_int_equal(cli_kv_split(many, kv), -E2BIG);
}

static void test_kv_mac(void **state)
{
	uint8_t mac[6];

	(void)state;
	assert_int_equal(cli_kv_mac("52:54:00:12:34:56", mac), 0);
	assert_int_equal(mac[0], 0x52);
	assert_int_equal(mac[5], 0x56);
	assert_int_equal(cli_kv_mac("52:54:00:12:34", mac), -EINVAL);
	assert_int_equal(cli_kv_mac("52:54:00:12:34:567", mac), -EINVAL);
	assert_int_equal(cli_kv_mac("52:54:00:12:34:5g", mac), -EINVAL);
	assert_int_equal(cli_kv_mac(NULL, mac), -EINVAL);
}

static void test_disk(void **state)
{
	struct vmm_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cfg, err, 4, "--disk", "path=/a,readonly=on,serial=s1", "--disk",
			       "path=/b,iommu=off"),
			 CLI_RUN);
	assert_int_equal(cfg.nr_disks, 2);
	assert_string_equal(cfg.disks[0].path, "/a");
	assert_true(cfg.disks[0].readonly);
	assert_string_equal(cfg.disks[0].serial, "s1");
	assert_true(cfg.disks[0].pci.iommu);
	assert_false(cfg.disks[1].readonly);
	assert_null(cfg.disks[1].serial);
	assert_false(cfg.disks[1].pci.iommu);
	cli_free(&cfg);
	/* A failed parse keeps nothing: no cli_free after these. */
	assert_int_equal(parse(&cfg, err, 2, "--disk", "readonly=on"), CLI_ERROR);
	assert_non_null(strstr(err, "path=FILE is required"));
	assert_int_equal(parse(&cfg, err, 2, "--disk", "path=/a,size=3"), CLI_ERROR);
	assert_non_null(strstr(err, "unknown parameter 'size'"));
	assert_int_equal(parse(&cfg, err, 2, "--disk", "path=/a,serial=123456789012345678901"),
			 CLI_ERROR);
	assert_int_equal(parse(&cfg, err, 2, "--disk", "path=/a,,readonly=on"), CLI_ERROR);
	assert_int_equal(parse(&cfg, err, 2, "--disk", "path=/a,iommu=maybe"), CLI_ERROR);
	assert_int_equal(parse(&cfg, err, 2, "--disk", "path="), CLI_ERROR);
}

static void test_disk_limit(void **state)
{
	struct vmm_config cfg;
	char *argv[3 + 2 * (VMM_MAX_DISKS + 1)] = {"vmm", "--kernel", "k"};
	char err[256];
	int n = 3;

	(void)state;
	for (int i = 0; i <= VMM_MAX_DISKS; i++) {
		argv[n++] = "--disk";
		argv[n++] = "path=/x";
	}
	assert_int_equal(cli_parse(n, argv, &cfg, err, sizeof(err)), CLI_ERROR);
	assert_non_null(strstr(err, "at most"));
	assert_int_equal(cli_parse(n - 2, argv, &cfg, err, sizeof(err)), CLI_RUN);
	assert_int_equal(cfg.nr_disks, VMM_MAX_DISKS);
	cli_free(&cfg);
}

static void test_net(void **state)
{
	struct vmm_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cfg, err, 2, "--net", "tap=tap0,mac=52:54:00:00:00:01"), CLI_RUN);
	assert_int_equal(cfg.nr_nets, 1);
	assert_string_equal(cfg.nets[0].tap, "tap0");
	assert_true(cfg.nets[0].has_mac);
	assert_int_equal(cfg.nets[0].mac[5], 1);
	cli_free(&cfg);
	assert_int_equal(parse(&cfg, err, 2, "--net", "tap=t0,mac=01:00:00:00:00:01"), CLI_ERROR);
	assert_non_null(strstr(err, "unicast"));
	assert_int_equal(parse(&cfg, err, 2, "--net", "mac=52:54:00:00:00:01"), CLI_ERROR);
	assert_int_equal(parse(&cfg, err, 2, "--net", "tap=abcdefghijklmnopq"), CLI_ERROR);
}

static void test_rng_console(void **state)
{
	struct vmm_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cfg, err, 0), CLI_RUN);
	assert_false(cfg.rng.enabled);
	assert_false(cfg.console.enabled);
	assert_int_equal(parse(&cfg, err, 1, "--rng"), CLI_RUN);
	assert_true(cfg.rng.enabled);
	assert_true(cfg.rng.pci.iommu);
	assert_int_equal(parse(&cfg, err, 1, "--rng=iommu=off"), CLI_RUN);
	assert_false(cfg.rng.pci.iommu);
	assert_int_equal(parse(&cfg, err, 1, "--rng=bogus"), CLI_ERROR);
	assert_int_equal(parse(&cfg, err, 2, "--console", "file=/tmp/c"), CLI_RUN);
	assert_true(cfg.console.enabled);
	assert_int_equal(cfg.console.mode, SERIAL_FILE);
	assert_string_equal(cfg.console.path, "/tmp/c");
	cli_free(&cfg);
	assert_int_equal(parse(&cfg, err, 4, "--console", "file=/tmp/c", "--console", "off"),
			 CLI_RUN);
	assert_false(cfg.console.enabled);
	cli_free(&cfg);
	assert_int_equal(parse(&cfg, err, 2, "--console", "pty"), CLI_ERROR);
}

static void test_edu(void **state)
{
	struct vmm_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cfg, err, 0), CLI_RUN);
	assert_false(cfg.edu.enabled);
	assert_int_equal(parse(&cfg, err, 1, "--edu"), CLI_RUN);
	assert_true(cfg.edu.enabled);
	assert_true(cfg.edu.pci.iommu);
	assert_int_equal(parse(&cfg, err, 1, "--edu=iommu=off"), CLI_RUN);
	assert_true(cfg.edu.enabled);
	assert_false(cfg.edu.pci.iommu);
	assert_int_equal(parse(&cfg, err, 1, "--edu=bogus"), CLI_ERROR);
	assert_non_null(strstr(err, "--edu: unknown parameter 'bogus'"));
	assert_int_equal(parse(&cfg, err, 1, "--edu=iommu=maybe"), CLI_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_split), cmocka_unit_test(test_kv_mac),
		cmocka_unit_test(test_disk),	 cmocka_unit_test(test_disk_limit),
		cmocka_unit_test(test_net),	 cmocka_unit_test(test_rng_console),
		cmocka_unit_test(test_edu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
