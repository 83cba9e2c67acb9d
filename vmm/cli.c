// SPDX-License-Identifier: MIT
#include "vmm/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli_dev.h"
#include "vmm/cli_iommu.h"
#include "vmm/cli_kv.h"
#include "vmm/types.h"

void cli_usage(FILE *f)
{
	fputs("Usage: vmm --kernel PATH [options]\n"
	      "\n"
	      "Boot a PVH or Multiboot ELF, or a Linux bzImage, in a KVM microVM.\n"
	      "\n"
	      "  --kernel PATH              kernel image (required)\n"
	      "  --initramfs PATH           initramfs / module 0 (alias: --initrd)\n"
	      "  --cmdline STRING           kernel command line\n"
	      "  --cpus boot=N | N          vCPUs (default 1, at most 254)\n"
	      "  --memory size=SIZE | SIZE  guest RAM, e.g. 512M, 2G (default 256M)\n"
	      "  --serial tty|off|file=PATH where COM1 goes (default tty: stdout)\n"
	      "  --disk path=FILE[,readonly=on][,serial=ID][,iommu=off]\n"
	      "                             virtio-blk on a raw image (repeatable)\n"
	      "  --net tap=NAME[,mac=MAC][,iommu=off]\n"
	      "                             virtio-net on a TAP interface (repeatable)\n"
	      "  --rng[=iommu=off]          virtio-rng\n"
	      "  --edu[=iommu=off]          a device compatible with QEMU's edu\n"
	      "  --console tty|off|file=PATH[,iommu=off]\n"
	      "                             virtio-console (a second console)\n"
	      "  --device path=/sys/bus/pci/devices/DDDD:BB:DD.F[,iommu=off]\n"
	      "                             a host PCI function through VFIO (repeatable)\n"
	      "  --iommu virtio             a virtio-iommu in front of every PCI device\n"
	      "                             (a device opts out with iommu=off)\n"
	      "  --iommu intel[,caching-mode=on|off][,aw-bits=39|48][,eim=on|off]\n"
	      "               [,ioapic-sid=check|ignore][,check-invalidation=on]\n"
	      "                             an Intel VT-d (DMA and interrupt remapping)\n"
	      "                             in front of every PCI device\n"
	      "  --iommu-log FILE           the IOMMU's events as JSON lines\n"
	      "  --seccomp on|off           seccomp filters and Landlock (default on)\n"
	      "  --user UID:GID             run as this user and group after set-up\n"
	      "                             (the VMM must be started as root)\n"
	      "  -v, --verbose              debug logging\n"
	      "  -h, --help                 this text\n"
	      "  -V, --version              version\n"
	      "\n"
	      "Exit status: the guest's (v<<1)|1 for a write of v to port 0xf4;\n"
	      "0 power-off, 2 usage, 4 bad kernel/initramfs, 6 KVM unavailable,\n"
	      "8 guest reset, 10 guest crash (triple fault, KVM internal error),\n"
	      "12 SIGINT/SIGTERM, 14 other host failure. See vmm(1).\n",
	      f);
}

int cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	}
	if (shift && end[0] == 'i' && end[1] == 'B')
		end += 2;
	else if (end[0] == 'B')
		end++;
	if (*end || !v || (shift && v > (~0ull >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static enum cli_result cli_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_kv_vformat(err, errlen, fmt, ap); /* one line, whatever the words held */
	va_end(ap);
	return CLI_ERROR;
}

/* "key=value" or a bare value (the shorthand). Returns the value for key,
 * or NULL when arg has another key. Only one key per option is supported. */
static const char *cli_kv(const char *arg, const char *key)
{
	size_t n = strlen(key);

	if (!strchr(arg, '='))
		return arg;
	if (!strncmp(arg, key, n) && arg[n] == '=')
		return arg + n + 1;
	return NULL;
}

static enum cli_result cli_cpus(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	const char *v = cli_kv(arg, "boot");
	char *end;
	unsigned long n;

	if (!v)
		return cli_fail(err, errlen, "--cpus: unknown parameter in '%s' (expected boot=N)",
				arg);
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > VMM_MAX_CPUS)
		return cli_fail(err, errlen, "--cpus: '%s' is not a CPU count from 1 to %d", v,
				VMM_MAX_CPUS);
	cfg->cpus = n;
	return CLI_RUN;
}

static enum cli_result cli_memory(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	const char *v = cli_kv(arg, "size");
	uint64_t sz;

	if (!v)
		return cli_fail(err, errlen,
				"--memory: unknown parameter in '%s' (expected size=SIZE)", arg);
	if (cli_parse_size(v, &sz))
		return cli_fail(err, errlen, "--memory: '%s' is not a size (e.g. 512M, 2G)", v);
	if (sz < MiB(2) || sz % KiB(4))
		return cli_fail(err, errlen,
				"--memory: %s must be at least 2M and a multiple of 4K", v);
	if (sz > GiB(1024))
		return cli_fail(err, errlen, "--memory: %s is more than 1T", v);
	cfg->mem_size = sz;
	return CLI_RUN;
}

static enum cli_result cli_serial(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	if (!strcmp(arg, "tty")) {
		cfg->serial = SERIAL_TTY;
	} else if (!strcmp(arg, "off") || !strcmp(arg, "null")) {
		cfg->serial = SERIAL_OFF;
	} else if (!strncmp(arg, "file=", 5) && arg[5]) {
		cfg->serial = SERIAL_FILE;
		cfg->serial_path = arg + 5;
	} else {
		return cli_fail(err, errlen, "--serial: '%s' is not tty, off or file=PATH", arg);
	}
	return CLI_RUN;
}

static enum cli_result cli_onoff(const char *opt, const char *arg, bool *out, char *err,
				 size_t errlen)
{
	if (!strcmp(arg, "on") || !strcmp(arg, "true"))
		*out = true;
	else if (!strcmp(arg, "off") || !strcmp(arg, "false"))
		*out = false;
	else
		return cli_fail(err, errlen, "%s: '%s' is not on or off", opt, arg);
	return CLI_RUN;
}

/* One decimal id of --user: 0 .. 2^32 - 2 (-1 means "unchanged" to the
 * kernel). end receives the first character after it. */
static int cli_id(const char *s, char **end, uint32_t *out)
{
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno || v >= UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* --user UID:GID, numbers only: a name would need NSS, which a static binary
 * cannot load. */
static enum cli_result cli_user(const char *arg, struct vmm_config *cfg, char *err, size_t errlen)
{
	uint32_t uid, gid;
	char *end;

	if (cli_id(arg, &end, &uid) || *end != ':' || cli_id(end + 1, &end, &gid) || *end)
		return cli_fail(err, errlen, "--user: '%s' is not UID:GID (two numbers)", arg);
	cfg->user_set = true;
	cfg->uid = uid;
	cfg->gid = gid;
	return CLI_RUN;
}

enum {
	OPT_KERNEL = 256,
	OPT_INITRAMFS,
	OPT_CMDLINE,
	OPT_CPUS,
	OPT_MEMORY,
	OPT_SERIAL,
	OPT_SECCOMP,
	OPT_DISK,
	OPT_NET,
	OPT_RNG,
	OPT_CONSOLE,
	OPT_IOMMU,
	OPT_DEVICE,
	OPT_EDU,
	OPT_IOMMU_LOG,
	OPT_USER,
};

static const struct option cli_options[] = {
	{"kernel", required_argument, NULL, OPT_KERNEL},
	{"initramfs", required_argument, NULL, OPT_INITRAMFS},
	{"initrd", required_argument, NULL, OPT_INITRAMFS},
	{"cmdline", required_argument, NULL, OPT_CMDLINE},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{"serial", required_argument, NULL, OPT_SERIAL},
	{"seccomp", required_argument, NULL, OPT_SECCOMP},
	{"disk", required_argument, NULL, OPT_DISK},
	{"net", required_argument, NULL, OPT_NET},
	{"rng", optional_argument, NULL, OPT_RNG},
	{"console", required_argument, NULL, OPT_CONSOLE},
	{"iommu", required_argument, NULL, OPT_IOMMU},
	{"iommu-log", required_argument, NULL, OPT_IOMMU_LOG},
	{"device", required_argument, NULL, OPT_DEVICE},
	{"edu", optional_argument, NULL, OPT_EDU},
	{"user", required_argument, NULL, OPT_USER},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{0},
};

static enum cli_result cli_option(int c, const char *arg, struct vmm_config *cfg, char *err,
				  size_t errlen)
{
	switch (c) {
	case OPT_KERNEL: cfg->kernel = arg; return CLI_RUN;
	case OPT_INITRAMFS: cfg->initramfs = arg; return CLI_RUN;
	case OPT_CMDLINE: cfg->cmdline = arg; return CLI_RUN;
	case OPT_CPUS: return cli_cpus(arg, cfg, err, errlen);
	case OPT_MEMORY: return cli_memory(arg, cfg, err, errlen);
	case OPT_SERIAL: return cli_serial(arg, cfg, err, errlen);
	case OPT_SECCOMP: return cli_onoff("--seccomp", arg, &cfg->seccomp, err, errlen);
	case OPT_DISK: return cli_disk(arg, cfg, err, errlen) ? CLI_ERROR : CLI_RUN;
	case OPT_NET: return cli_net(arg, cfg, err, errlen) ? CLI_ERROR : CLI_RUN;
	case OPT_RNG: return cli_rng(arg, cfg, err, errlen) ? CLI_ERROR : CLI_RUN;
	case OPT_CONSOLE: return cli_console(arg, cfg, err, errlen) ? CLI_ERROR : CLI_RUN;
	case OPT_DEVICE: return cli_device(arg, cfg, err, errlen) ? CLI_ERROR : CLI_RUN;
	case OPT_EDU: return cli_edu(arg, cfg, err, errlen) ? CLI_ERROR : CLI_RUN;
	case OPT_IOMMU: return cli_iommu(arg, cfg, err, errlen) ? CLI_ERROR : CLI_RUN;
	case OPT_IOMMU_LOG: cfg->iommu_log = arg; return CLI_RUN;
	case OPT_USER: return cli_user(arg, cfg, err, errlen);
	}
	return cli_fail(err, errlen, "internal: option %d", c);
}

static enum cli_result cli_parse_args(int argc, char **argv, struct vmm_config *cfg, char *err,
				      size_t errlen)
{
	int c;

	*cfg = (struct vmm_config){.cmdline = "",
				   .cpus = VMM_DEFAULT_CPUS,
				   .mem_size = VMM_DEFAULT_MEM,
				   .serial = SERIAL_TTY,
				   .seccomp = true};
	optind = 0; /* full reset, so that tests may call us repeatedly */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vhV", cli_options, NULL)) != -1) {
		enum cli_result r;

		switch (c) {
		case 'h': cli_usage(stdout); return CLI_EXIT_OK;
		case 'V': printf("vmm %s\n", VMM_VERSION); return CLI_EXIT_OK;
		case 'v': cfg->verbose = true; continue;
		case ':': return cli_fail(err, errlen, "%s needs an argument", argv[optind - 1]);
		case '?':
			/* A short option inside a cluster (-vZv): getopt has not
			 * moved optind past its argument yet, so name optopt. */
			if (optopt && strncmp(argv[optind - 1], "--", 2))
				return cli_fail(err, errlen, "unknown option '-%c' (see --help)",
						optopt);
			return cli_fail(err, errlen, "unknown option '%s' (see --help)",
					argv[optind - 1]);
		}
		r = cli_option(c, optarg, cfg, err, errlen);
		if (r != CLI_RUN)
			return r;
	}
	if (optind < argc)
		return cli_fail(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!cfg->kernel)
		return cli_fail(err, errlen, "--kernel PATH is required (see --help)");
	return cli_iommu_check(cfg, err, errlen) ? CLI_ERROR : CLI_RUN;
}

enum cli_result cli_parse(int argc, char **argv, struct vmm_config *cfg, char *err, size_t errlen)
{
	enum cli_result r = cli_parse_args(argc, argv, cfg, err, errlen);

	if (r != CLI_RUN)
		cli_free(cfg);
	return r;
}
