// SPDX-License-Identifier: MIT
/* VT-d: primary fault recording (FSTS, the fault recording registers), the
 * fault event and the invalidation completion event. The unit's interrupts
 * are MSIs from FEDATA/FEADDR and IEDATA/IEADDR, sent through the VM's sink
 * (not remapped); a masked event sets IP and is sent when unmasked. */
#include "devices/vtd/vtd_internal.h"

#include "iommu/dma.h"
#include "vmm/log.h"

#define FSTS_CAUSES (DMA_FSTS_PFO | DMA_FSTS_PPF | DMA_FSTS_IQE | DMA_FSTS_ICE | DMA_FSTS_ITE)

static void send(struct vtd *v, unsigned data_reg, unsigned addr_reg, unsigned uaddr_reg)
{
	struct msi_msg m = {
		.addr = vtd_reg_get(v, addr_reg) | vtd_reg_get(v, uaddr_reg) << 32,
		.data = (uint32_t)vtd_reg_get(v, data_reg),
	};

	if (v->msi.send && msi_sink_send(&v->msi, &m, 0))
		log_guest_once("vtd: interrupt 0x%llx/0x%x not delivered",
			       (unsigned long long)m.addr, m.data);
}

void vtd_fault_event(struct vtd *v)
{
	if (vtd_reg_get(v, DMAR_FECTL_REG) & DMA_FECTL_IM)
		vtd_reg_mod(v, DMAR_FECTL_REG, 0, DMA_FECTL_IP);
	else
		send(v, DMAR_FEDATA_REG, DMAR_FEADDR_REG, DMAR_FEUADDR_REG);
}

void vtd_record_fault(struct vtd *v, unsigned reason, uint16_t sid, uint64_t addr, bool read)
{
	unsigned frcd = DMAR_FRCD_REG + 16 * v->next_frcd;
	uint64_t fsts = vtd_reg_get(v, DMAR_FSTS_REG);

	if (fsts & DMA_FSTS_PFO) {
		v->faults_dropped++;
		return;
	}
	if (vtd_reg_get(v, frcd + 8) & DMA_FRCD_F) {
		/* The next register still holds an unserviced fault. */
		v->faults_dropped++;
		vtd_reg_mod(v, DMAR_FSTS_REG, 0, DMA_FSTS_PFO);
		vtd_fault_event(v);
		return;
	}
	vtd_reg_set(v, frcd, addr & ~0xfffull);
	vtd_reg_set(v, frcd + 8,
		    DMA_FRCD_F | (read ? DMA_FRCD_T : 0) |
			    (uint64_t)(reason & 0xff) << DMA_FRCD_FR_SHIFT | sid);
	vtd_reg_mod(v, DMAR_FSTS_REG, GENMASK(15, 8),
		    DMA_FSTS_PPF | v->next_frcd << DMA_FSTS_FRI_SHIFT);
	v->next_frcd = (v->next_frcd + 1) % VTD_NR_FRCD;
	v->faults_recorded++;
	if (!(fsts & DMA_FSTS_PPF))
		vtd_fault_event(v);
}

void vtd_fault(void *opaque, uint16_t rid, const struct dma_fault *f)
{
	struct vtd *v = opaque;
	bool read = !(f->access & DMA_ACCESS_WRITE);
	unsigned code = f->code;
	uint64_t dropped;
	bool fpd = false;

	if (!code) {
		switch (f->reason) {
		case DMA_FAULT_PERM:
		case DMA_FAULT_UNMAPPED: code = read ? VTD_FR_READ : VTD_FR_WRITE; break;
		case DMA_FAULT_BLOCKED: code = VTD_FR_CTX_NP; break;
		default:
			/* Translated, but not to RAM: no VT-d reason says so. */
			log_guest_once("vtd: %02x.%x: DMA at 0x%llx translated outside RAM",
				       (rid >> 3) & 31, rid & 7, (unsigned long long)f->iova.a);
			vtd_log_fault(v, rid, f, 0, "translated outside RAM; not recorded");
			return;
		}
		pthread_mutex_lock(&v->walk_lock);
		for (unsigned i = 0; i < v->nr_eps; i++)
			if (v->eps[i] == rid)
				fpd = v->fpd[i];
		pthread_mutex_unlock(&v->walk_lock);
	}
	if (fpd || (code & VTD_FAULT_FPD)) {
		vtd_log_fault(v, rid, f, code & 0xff, "not recorded (FPD)");
		return;
	}
	pthread_mutex_lock(&v->lock);
	dropped = v->faults_dropped;
	vtd_record_fault(v, code, rid, f->iova.a, read);
	dropped = v->faults_dropped - dropped;
	pthread_mutex_unlock(&v->lock);
	vtd_log_fault(v, rid, f, code, dropped ? "not recorded (overflow)" : NULL);
}

void vtd_fault_update(struct vtd *v)
{
	uint64_t ppf = 0;

	for (unsigned i = 0; i < VTD_NR_FRCD; i++)
		if (vtd_reg_get(v, DMAR_FRCD_REG + 16 * i + 8) & DMA_FRCD_F)
			ppf = DMA_FSTS_PPF;
	vtd_reg_mod(v, DMAR_FSTS_REG, DMA_FSTS_PPF, ppf);
	if (!(vtd_reg_get(v, DMAR_FSTS_REG) & FSTS_CAUSES)) {
		vtd_reg_mod(v, DMAR_FECTL_REG, DMA_FECTL_IP, 0);
	} else if ((vtd_reg_get(v, DMAR_FECTL_REG) & (DMA_FECTL_IP | DMA_FECTL_IM)) ==
		   DMA_FECTL_IP) {
		vtd_reg_mod(v, DMAR_FECTL_REG, DMA_FECTL_IP, 0);
		send(v, DMAR_FEDATA_REG, DMAR_FEADDR_REG, DMAR_FEUADDR_REG);
	}
}

void vtd_inv_event(struct vtd *v)
{
	if (vtd_reg_get(v, DMAR_ICS_REG) & DMA_ICS_IWC)
		return; /* the last completion is not acknowledged yet */
	vtd_reg_mod(v, DMAR_ICS_REG, 0, DMA_ICS_IWC);
	if (vtd_reg_get(v, DMAR_IECTL_REG) & DMA_FECTL_IM)
		vtd_reg_mod(v, DMAR_IECTL_REG, 0, DMA_FECTL_IP);
	else
		send(v, DMAR_IEDATA_REG, DMAR_IEADDR_REG, DMAR_IEUADDR_REG);
}

void vtd_inv_update(struct vtd *v)
{
	if (!(vtd_reg_get(v, DMAR_ICS_REG) & DMA_ICS_IWC)) {
		vtd_reg_mod(v, DMAR_IECTL_REG, DMA_FECTL_IP, 0);
	} else if ((vtd_reg_get(v, DMAR_IECTL_REG) & (DMA_FECTL_IP | DMA_FECTL_IM)) ==
		   DMA_FECTL_IP) {
		vtd_reg_mod(v, DMAR_IECTL_REG, DMA_FECTL_IP, 0);
		send(v, DMAR_IEDATA_REG, DMAR_IEADDR_REG, DMAR_IEUADDR_REG);
	}
}
