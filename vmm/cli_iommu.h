/* SPDX-License-Identifier: MIT */
/* --iommu virtio | intel[,caching-mode=on|off][,aw-bits=39|48]
 *                       [,check-invalidation=on|off], and --iommu-log. */
#ifndef VMM_CLI_IOMMU_H
#define VMM_CLI_IOMMU_H

#include <stddef.h>

#include "vmm/config.h"

/* Parse the --iommu argument into cfg. 0, or -EINVAL with a one-line
 * message in err. */
int cli_iommu(const char *arg, struct vmm_config *cfg, char *err, size_t errlen);

/* After every option: --iommu-log needs an IOMMU, check-invalidation=on
 * needs --iommu-log. 0, or -EINVAL with a message in err. */
int cli_iommu_check(const struct vmm_config *cfg, char *err, size_t errlen);

/* Whether some PCI device of cfg opts out of the IOMMU (iommu=off). */
bool cli_iommu_opt_outs(const struct vmm_config *cfg);

#endif
