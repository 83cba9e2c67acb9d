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

/* After every option: what the chosen IOMMU cannot do. --iommu-log needs
 * an IOMMU, check-invalidation=on needs --iommu-log. With --iommu intel,
 * a device cannot opt out (the DMAR's one unit covers every PCI device,
 * INCLUDE_PCI_ALL, and has no way to leave one out) and --device is not
 * supported yet. 0, or -EINVAL with a message in err. */
int cli_iommu_check(const struct vmm_config *cfg, char *err, size_t errlen);

#endif
