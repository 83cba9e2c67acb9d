// SPDX-License-Identifier: MIT
#include "vmm/cli_iommu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/cli_kv.h"

#define ARG_MAX 128

static int intel_option(const struct cli_kv *kv, struct vmm_config *cfg, char *err, size_t errlen)
{
	if (!strcmp(kv->key, "caching-mode") && kv->val &&
	    !cli_kv_bool(kv->val, &cfg->iommu_caching_mode))
		return 0;
	if (!strcmp(kv->key, "check-invalidation") && kv->val &&
	    !cli_kv_bool(kv->val, &cfg->iommu_check_inval))
		return 0;
	if (!strcmp(kv->key, "eim") && kv->val && !cli_kv_bool(kv->val, &cfg->iommu_eim))
		return 0;
	if (!strcmp(kv->key, "ioapic-sid") && kv->val &&
	    (!strcmp(kv->val, "check") || !strcmp(kv->val, "ignore"))) {
		cfg->iommu_ioapic_sid_ignore = kv->val[0] == 'i';
		return 0;
	}
	if (!strcmp(kv->key, "aw-bits") && kv->val &&
	    (!strcmp(kv->val, "39") || !strcmp(kv->val, "48"))) {
		cfg->iommu_aw_bits = kv->val[0] == '3' ? 39 : 48;
		cfg->iommu_aw_given = true;
		return 0;
	}
	return cli_kv_fail(
		err, errlen,
		"--iommu intel: '%s%s%s' is not caching-mode=on|off, eim=on|off, aw-bits=39|48, "
		"ioapic-sid=check|ignore or check-invalidation=on|off",
		kv->key, kv->val ? "=" : "", kv->val ? kv->val : "");
}

int cli_iommu(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	struct cli_kv kv[CLI_KV_MAX];
	char buf[ARG_MAX];
	int n;

	if (!strcmp(arg, "virtio")) {
		cfg->iommu = IOMMU_VIRTIO;
		cfg->iommu_check_inval = false;
		return 0;
	}
	if (strlen(arg) >= sizeof(buf))
		return cli_kv_fail(err, errlen, "--iommu: '%s' is too long", arg);
	strcpy(buf, arg);
	n = cli_kv_split(buf, kv);
	if (n < 1 || strcmp(kv[0].key, "intel") || kv[0].val)
		return cli_kv_fail(err, errlen, "--iommu: '%s' is not virtio or intel[,OPTIONS]",
				   arg);
	cfg->iommu = IOMMU_INTEL;
	cfg->iommu_caching_mode = false;
	cfg->iommu_check_inval = false;
	cfg->iommu_aw_bits = 48;
	cfg->iommu_eim = true;
	cfg->iommu_ioapic_sid_ignore = false;
	for (int i = 1; i < n; i++)
		if (intel_option(&kv[i], cfg, err, errlen))
			return -EINVAL;
	return 0;
}

bool cli_iommu_opt_outs(const struct vmm_config *cfg)
{
	bool out = !cfg->rng.pci.iommu && cfg->rng.enabled;

	for (unsigned i = 0; i < cfg->nr_vfio; i++)
		out |= !cfg->vfio[i].pci.iommu;
	out |= cfg->console.enabled && !cfg->console.pci.iommu;
	out |= cfg->edu.enabled && !cfg->edu.pci.iommu;
	for (unsigned i = 0; i < cfg->nr_disks; i++)
		out |= !cfg->disks[i].pci.iommu;
	for (unsigned i = 0; i < cfg->nr_nets; i++)
		out |= !cfg->nets[i].pci.iommu;
	return out;
}

int cli_iommu_check(const struct vmm_config *cfg, char *err, size_t errlen)
{
	if (cfg->iommu_log && cfg->iommu == IOMMU_NONE)
		return cli_kv_fail(err, errlen, "--iommu-log needs --iommu virtio or intel");
	if (cfg->iommu_check_inval && !cfg->iommu_log)
		return cli_kv_fail(err, errlen,
				   "--iommu intel,check-invalidation=on needs --iommu-log FILE");
	return 0;
}
