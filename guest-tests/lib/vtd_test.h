/* SPDX-License-Identifier: MIT */
/* What the VT-d test guests (vtd_*.c) share: the unit found in the DMAR and
 * set up (vtd_init), the command line's expectations (cm=0|1: CAP.CM;
 * aw=39|48: MGAW), the edu device as the DMA engine, a random generator
 * (seed=), and pages with canaries around them. */
#ifndef GT_VTD_TEST_H
#define GT_VTD_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "edu.h"
#include "vtd.h"
#include "vtd_pt.h"

#define VT_PAGE	   4096u
#define VT_WAIT_US 3000000 /* QEMU's edu takes 100 ms of virtual time per transfer */
/* edu IOVAs: above the guest's RAM (so an untranslated DMA reaches no RAM)
 * and below 256 MiB (edu's 28-bit DMA mask). */
#define VT_IOVA_BASE 0x8000000ull

struct vtd_env {
	struct vtd_drhd drhd;
	struct vtd v;
	struct edu edu;
	bool cm;     /* cm= on the command line */
	unsigned aw; /* aw= on the command line (0: not given) */
	uint64_t rng;
};

/* known_init, the command line, the DMAR's DRHD, vtd_init on it, CAP.CM
 * against cm=, and the edu opened with bus mastering on; each step a
 * report. false when a later test cannot run. */
bool vtd_env_open(struct vtd_env *t);

/* The edu's requester ID (its bus/device/function). */
uint16_t vtd_env_edu_sid(const struct vtd_env *t);

uint64_t vtd_env_rand(struct vtd_env *t);

/* Three pages (canary, target, canary): the canaries filled with their
 * bytes, the target with fill. */
struct vt_area {
	uint8_t *p;
};
void vt_area_alloc(struct vt_area *a);
void vt_area_fill(struct vt_area *a, uint8_t fill);
uint8_t *vt_area_target(const struct vt_area *a);
bool vt_area_canaries(const struct vt_area *a);

/* n bytes at p all equal to v. */
bool vt_filled(const uint8_t *p, uint8_t v, uint64_t n);

/* A random pattern of n bytes. */
void vt_fill_random(struct vtd_env *t, uint8_t *p, uint64_t n);

/* Context entry of the edu on a table, both caches flushed. */
bool vtd_env_edu_table(struct vtd_env *t, const struct vtd_pt *pt, uint16_t did);

#endif
