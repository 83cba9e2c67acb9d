// SPDX-License-Identifier: MIT
#include "vmm/cli_dev.h"

#include <errno.h>
#include <linux/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"
#include "vmm/cli_kv.h"

/* Split a copy of arg into kv. The copy, which kv points into, goes to *copy
 * (NULL if strdup failed), also on error: the caller keeps it in cfg, or
 * frees it. Returns the pair count or a negative value with err filled. */
static int dev_split(const char *opt, const char *arg, struct cli_kv *kv, char **copy, char *err,
		     size_t errlen)
{
	int n;

	*copy = strdup(arg);
	if (!*copy)
		return cli_kv_fail(err, errlen, "%s: out of memory", opt);
	n = cli_kv_split(*copy, kv);
	if (n < 0)
		return cli_kv_fail(err, errlen, "%s: malformed list '%s'", opt, arg);
	return n;
}

/* Common keys: iommu=on|off. Returns 1 if handled, 0 if not, <0 on error. */
static int dev_common(const char *opt, const struct cli_kv *kv, struct pci_dev_config *pci,
		      char *err, size_t errlen)
{
	if (strcmp(kv->key, "iommu"))
		return 0;
	if (cli_kv_bool(kv->val, &pci->iommu))
		return cli_kv_fail(err, errlen, "%s: iommu=%s is not on or off", opt,
				   kv->val ? kv->val : "");
	return 1;
}

static int dev_unknown(const char *opt, const struct cli_kv *kv, char *err, size_t errlen)
{
	return cli_kv_fail(err, errlen, "%s: unknown parameter '%s'", opt, kv->key);
}

/* Parse --disk's argument into *d (d->opts: the copy its strings point into). */
static int disk_parse(const char *arg, const struct vmm_config *cfg, struct disk_config *d,
		      char *err, size_t errlen)
{
	struct cli_kv kv[CLI_KV_MAX];
	int n = dev_split("--disk", arg, kv, &d->opts, err, errlen);

	if (n < 0)
		return n;
	if (cfg->nr_disks == VMM_MAX_DISKS)
		return cli_kv_fail(err, errlen, "--disk: at most %d disks", VMM_MAX_DISKS);
	for (int i = 0; i < n; i++) {
		int r = dev_common("--disk", &kv[i], &d->pci, err, errlen);

		if (r < 0)
			return r;
		if (r)
			continue;
		if (!strcmp(kv[i].key, "path") && kv[i].val && *kv[i].val)
			d->path = kv[i].val;
		else if (!strcmp(kv[i].key, "readonly")) {
			if (cli_kv_bool(kv[i].val, &d->readonly))
				return cli_kv_fail(err, errlen,
						   "--disk: readonly=%s is not on or off",
						   kv[i].val ? kv[i].val : "");
		} else if (!strcmp(kv[i].key, "serial") && kv[i].val) {
			if (strlen(kv[i].val) > VMM_DISK_SERIAL_MAX)
				return cli_kv_fail(err, errlen,
						   "--disk: serial is longer than %d bytes",
						   VMM_DISK_SERIAL_MAX);
			d->serial = kv[i].val;
		} else
			return dev_unknown("--disk", &kv[i], err, errlen);
	}
	if (!d->path)
		return cli_kv_fail(err, errlen, "--disk: path=FILE is required");
	return 0;
}

int cli_disk(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	struct disk_config d = {.pci.iommu = true};
	int ret = disk_parse(arg, cfg, &d, err, errlen);

	if (ret) {
		free(d.opts);
		return ret;
	}
	cfg->disks[cfg->nr_disks++] = d;
	return 0;
}

/* Parse --net's argument into *nc (nc->opts: the copy its strings point into). */
static int net_parse(const char *arg, const struct vmm_config *cfg, struct net_config *nc,
		     char *err, size_t errlen)
{
	struct cli_kv kv[CLI_KV_MAX];
	int n = dev_split("--net", arg, kv, &nc->opts, err, errlen);

	if (n < 0)
		return n;
	if (cfg->nr_nets == VMM_MAX_NETS)
		return cli_kv_fail(err, errlen, "--net: at most %d interfaces", VMM_MAX_NETS);
	for (int i = 0; i < n; i++) {
		int r = dev_common("--net", &kv[i], &nc->pci, err, errlen);

		if (r < 0)
			return r;
		if (r)
			continue;
		if (!strcmp(kv[i].key, "tap") && kv[i].val && *kv[i].val) {
			if (strlen(kv[i].val) >= IFNAMSIZ)
				return cli_kv_fail(err, errlen, "--net: tap name '%s' is too long",
						   kv[i].val);
			nc->tap = kv[i].val;
		} else if (!strcmp(kv[i].key, "mac")) {
			if (cli_kv_mac(kv[i].val, nc->mac) || (nc->mac[0] & 1))
				return cli_kv_fail(err, errlen,
						   "--net: mac=%s is not a unicast MAC",
						   kv[i].val ? kv[i].val : "");
			nc->has_mac = true;
		} else
			return dev_unknown("--net", &kv[i], err, errlen);
	}
	if (!nc->tap)
		return cli_kv_fail(err, errlen, "--net: tap=NAME is required");
	return 0;
}

int cli_net(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	struct net_config nc = {.pci.iommu = true};
	int ret = net_parse(arg, cfg, &nc, err, errlen);

	if (ret) {
		free(nc.opts);
		return ret;
	}
	cfg->nets[cfg->nr_nets++] = nc;
	return 0;
}

/* Parse --device's argument into *v (v->opts: the copy path points into). */
static int device_parse(const char *arg, const struct vmm_config *cfg, struct vfio_config *v,
			char *err, size_t errlen)
{
	struct cli_kv kv[CLI_KV_MAX];
	int n = dev_split("--device", arg, kv, &v->opts, err, errlen);

	if (n < 0)
		return n;
	if (cfg->nr_vfio == VMM_MAX_VFIO)
		return cli_kv_fail(err, errlen, "--device: at most %d devices", VMM_MAX_VFIO);
	for (int i = 0; i < n; i++) {
		int r = dev_common("--device", &kv[i], &v->pci, err, errlen);

		if (r < 0)
			return r;
		if (r)
			continue;
		if (!strcmp(kv[i].key, "path") && kv[i].val && *kv[i].val)
			v->path = kv[i].val;
		else
			return dev_unknown("--device", &kv[i], err, errlen);
	}
	if (!v->path || strncmp(v->path, "/sys/bus/pci/devices/", 21))
		return cli_kv_fail(err, errlen,
				   "--device: path=/sys/bus/pci/devices/DDDD:BB:DD.F is required");
	for (unsigned i = 0; i < cfg->nr_vfio; i++)
		if (!strcmp(cfg->vfio[i].path, v->path))
			return cli_kv_fail(err, errlen, "--device: %s is given twice", v->path);
	return 0;
}

int cli_device(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	struct vfio_config v = {.pci.iommu = true};
	int ret = device_parse(arg, cfg, &v, err, errlen);

	if (ret) {
		free(v.opts);
		return ret;
	}
	cfg->vfio[cfg->nr_vfio++] = v;
	return 0;
}

/* An optional list of the common keys only (--rng, --edu) into *pci. */
static int common_only(const char *opt, const char *arg, struct pci_dev_config *pci, char *err,
		       size_t errlen)
{
	struct cli_kv kv[CLI_KV_MAX];
	char *copy;
	int n, ret;

	if (!arg)
		return 0;
	n = dev_split(opt, arg, kv, &copy, err, errlen);
	ret = n < 0 ? n : 0;
	for (int i = 0; i < n && !ret; i++) {
		int r = dev_common(opt, &kv[i], pci, err, errlen);

		if (r <= 0)
			ret = r < 0 ? r : dev_unknown(opt, &kv[i], err, errlen);
	}
	free(copy); /* nothing in cfg points into it */
	return ret;
}

int cli_rng(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	cfg->rng = (struct rng_config){.enabled = true, .pci.iommu = true};
	return common_only("--rng", arg, &cfg->rng.pci, err, errlen);
}

int cli_edu(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	cfg->edu = (struct edu_config){.enabled = true, .pci.iommu = true};
	return common_only("--edu", arg, &cfg->edu.pci, err, errlen);
}

/* Parse --console's argument into *c (c->opts: the copy its path points into). */
static int console_parse(const char *arg, struct console_config *c, char *err, size_t errlen)
{
	struct cli_kv kv[CLI_KV_MAX];
	int n = dev_split("--console", arg, kv, &c->opts, err, errlen);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		int r = dev_common("--console", &kv[i], &c->pci, err, errlen);

		if (r < 0)
			return r;
		if (r)
			continue;
		if (!strcmp(kv[i].key, "tty") && !kv[i].val)
			c->mode = SERIAL_TTY;
		else if (!strcmp(kv[i].key, "off") && !kv[i].val)
			c->mode = SERIAL_OFF;
		else if (!strcmp(kv[i].key, "file") && kv[i].val && *kv[i].val)
			c->mode = SERIAL_FILE, c->path = kv[i].val;
		else
			return cli_kv_fail(err, errlen,
					   "--console: '%s' is not tty, off or file=PATH",
					   kv[i].key);
	}
	if (c->mode == SERIAL_OFF)
		c->enabled = false;
	return 0;
}

int cli_console(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	struct console_config c = {.enabled = true, .pci.iommu = true};
	int ret = console_parse(arg, &c, err, errlen);

	if (ret) {
		free(c.opts);
		return ret;
	}
	free(cfg->console.opts); /* an earlier --console's */
	cfg->console = c;
	return 0;
}

void cli_free(struct vmm_config *cfg)
{
	for (unsigned i = 0; i < cfg->nr_disks; i++) {
		free(cfg->disks[i].opts);
		cfg->disks[i].opts = NULL;
	}
	for (unsigned i = 0; i < cfg->nr_nets; i++) {
		free(cfg->nets[i].opts);
		cfg->nets[i].opts = NULL;
	}
	for (unsigned i = 0; i < cfg->nr_vfio; i++) {
		free(cfg->vfio[i].opts);
		cfg->vfio[i].opts = NULL;
	}
	free(cfg->console.opts);
	cfg->console.opts = NULL;
}
