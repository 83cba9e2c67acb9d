// SPDX-License-Identifier: MIT
/* VT-d: interrupt remapping (VT-d chapter 5, the IRTE of 9.10). A
 * remappable-format request (address bit 4) names an interrupt index; the
 * entry at that index of the table that GCMD.SIRTP latched is read from
 * guest memory each time (no interrupt entry cache, so an invalidation only
 * has to re-route), checked, and turned into the message KVM delivers. A
 * compatibility-format request passes only while GSTS.CFIS is set and EIME
 * clear. A blocked request records a fault through vtd_ir_fault(). */
#include <errno.h>

#include "devices/vtd/vtd_internal.h"
#include "vmm/log.h"

#define DLM_MASK(e) ((unsigned)(((e)&VTD_IRTE_DLM) >> VTD_IRTE_DLM_SHIFT))

unsigned vtd_irte_decode(const uint64_t e[2], bool eime, struct vtd_irte *irte)
{
	uint32_t dst = (uint32_t)(e[0] >> VTD_IRTE_DST_SHIFT);

	*irte = (struct vtd_irte){
		.p = e[0] & VTD_IRTE_P,
		.fpd = e[0] & VTD_IRTE_FPD,
		.dm = e[0] & VTD_IRTE_DM,
		.rh = e[0] & VTD_IRTE_RH,
		.tm = e[0] & VTD_IRTE_TM,
		.dlm = (uint8_t)DLM_MASK(e[0]),
		.vector = (uint8_t)(e[0] >> VTD_IRTE_V_SHIFT),
		.dst = eime ? dst : (dst & VTD_IRTE_DST_XAPIC) >> 8,
		.sid = (uint16_t)(e[1] & VTD_IRTE_SID),
		.sq = (uint8_t)((e[1] >> VTD_IRTE_SQ_SHIFT) & 3),
		.svt = (uint8_t)((e[1] >> VTD_IRTE_SVT_SHIFT) & 3),
	};
	if (!irte->p)
		return VTD_FR_IR_NP;
	if ((e[0] & VTD_IRTE_RSVD_LO) || (e[1] & VTD_IRTE_RSVD_HI) || irte->svt == 3 ||
	    (!eime && (dst & ~VTD_IRTE_DST_XAPIC)))
		return VTD_FR_IR_IRTE_RSVD;
	return 0;
}

bool vtd_irte_sid_ok(const struct vtd_irte *irte, uint16_t rid)
{
	/* SQ: which function-number bits are not compared (VT-d 9.10). */
	static const uint16_t sq_mask[4] = {0xffff, 0xfffb, 0xfff9, 0xfff8};

	switch (irte->svt) {
	case VTD_SVT_NONE: return true;
	case VTD_SVT_SID: return !((rid ^ irte->sid) & sq_mask[irte->sq]);
	case VTD_SVT_BUS: return (rid >> 8) >= (irte->sid >> 8) && (rid >> 8) <= (irte->sid & 0xff);
	default: return false;
	}
}

struct msi_msg vtd_irte_msg(const struct vtd_irte *irte)
{
	struct msi_msg m = {
		.addr = VTD_MSI_ADDR_BASE | (uint64_t)(irte->dst & 0xff) << VTD_MSI_DEST_SHIFT |
			(uint64_t)(irte->dst & 0xffffff00) << 32,
		.data = irte->vector | (uint32_t)irte->dlm << VTD_MSI_DLM_SHIFT,
	};

	if (irte->rh)
		m.addr |= VTD_MSI_RH;
	if (irte->dm)
		m.addr |= VTD_MSI_DM;
	if (irte->tm)
		m.data |= VTD_MSI_LEVEL | VTD_MSI_ASSERT;
	return m;
}

void vtd_ir_fault(struct vtd *v, unsigned reason, uint16_t sid, uint32_t index)
{
	log_guest_limited(5, "vtd: interrupt from %02x:%02x.%x blocked: reason %#x, index %u",
			  sid >> 8, (sid >> 3) & 31, sid & 7, reason, index);
	vtd_record_fault(v, reason, sid, (uint64_t)(index & 0xffff) << DMA_FRCD_FI_IR_SHIFT, false);
}

/* Remap under the lock: 0 and *out, or a fault reason with *index (the
 * interrupt index, 0 before it is known) and *fpd (the IRTE's, when read). */
/* Whether rid's interrupts are the unit's to remap: every requester with
 * INCLUDE_PCI_ALL, else the listed endpoints and the IOAPIC (a device in no
 * DRHD scope is under no remapping unit). eps[] is fixed before the guest
 * runs. */
static bool ir_covers(const struct vtd *v, uint16_t rid)
{
	if (!v->scoped || rid == v->ioapic_rid)
		return true;
	for (unsigned i = 0; i < v->nr_eps; i++)
		if (v->eps[i] == rid)
			return true;
	return false;
}

/* An IOAPIC interrupt whose IRTE names another source-id: the spec blocks
 * it (and with FPD records nothing, so the guest waits in silence); QEMU
 * lets it through. Say so once, with the way to get QEMU's behaviour. */
static void ir_ioapic_sid_note(const struct vtd_irte *irte, uint16_t rid)
{
	log_guest_once("vtd: an IOAPIC interrupt was blocked: its IRTE's source-id is "
		       "%02x:%02x.%x (SVT %u, SQ %u) and the IOAPIC's is %02x:%02x.%x%s; "
		       "--iommu intel,ioapic-sid=ignore skips this check, as QEMU does",
		       irte->sid >> 8, (irte->sid >> 3) & 31, irte->sid & 7, irte->svt, irte->sq,
		       rid >> 8, (rid >> 3) & 31, rid & 7,
		       irte->fpd ? " (FPD: no fault recorded)" : "");
}

static unsigned ir_remap(struct vtd *v, const struct msi_msg *in, uint16_t rid, struct msi_msg *out,
			 uint32_t *index, bool *fpd)
{
	uint32_t gsts = (uint32_t)vtd_reg_get(v, DMAR_GSTS_REG);
	bool eime = v->irta & DMA_IRTA_EIME;
	struct vtd_irte irte;
	uint64_t e[2], base;
	unsigned r;

	*out = *in;
	if (!(gsts & DMA_GSTS_IRES) || !ir_covers(v, rid))
		return 0;
	if (!(in->addr & VTD_MSI_ADDR_IF))
		return (gsts & DMA_GSTS_CFIS) && !eime ? 0 : VTD_FR_IR_COMPAT;
	if ((in->addr & VTD_MSI_ADDR_HEAD) != VTD_MSI_ADDR_BASE || (in->data & VTD_MSI_DATA_RSVD))
		return VTD_FR_IR_REQ_RSVD;
	*index = (uint32_t)((in->addr & VTD_MSI_ADDR_HANDLE) >> 5) |
		 (in->addr & VTD_MSI_ADDR_HANDLE15 ? 1u << 15 : 0);
	if (in->addr & VTD_MSI_ADDR_SHV)
		*index += in->data & 0xffff;
	if (*index >= 2u << (v->irta & DMA_IRTA_S))
		return VTD_FR_IR_INDEX;
	base = v->irta & DMA_IRTA_ADDR;
	if (base + 16ull * *index < base || /* past 2^64: not a wrapped low address */
	    guest_mem_read(v->mem, gpa(base + 16ull * *index), e, sizeof(e)))
		return VTD_FR_IR_TABLE;
	r = vtd_irte_decode(e, eime, &irte);
	*fpd = irte.fpd;
	if (!r && !vtd_irte_sid_ok(&irte, rid) && !(rid == v->ioapic_rid && v->ioapic_sid_ignore)) {
		r = VTD_FR_IR_SID;
		if (rid == v->ioapic_rid)
			ir_ioapic_sid_note(&irte, rid);
	}
	if (!r)
		*out = vtd_irte_msg(&irte);
	return r;
}

int vtd_ir_translate(struct vtd *v, const struct msi_msg *msg, uint16_t rid, struct msi_msg *out,
		     bool record)
{
	uint32_t index = 0;
	bool fpd = false; /* only the qualified faults (an IRTE was read) know it */
	unsigned r;

	pthread_mutex_lock(&v->lock);
	r = ir_remap(v, msg, rid, out, &index, &fpd);
	if (r && record)
		vtd_log_ir_fault(v, rid, index, r);
	if (r && record && !fpd)
		vtd_ir_fault(v, r, rid, index);
	pthread_mutex_unlock(&v->lock);
	return r ? -EPERM : 0;
}

static int ir_send(void *opaque, const struct msi_msg *msg, uint16_t rid)
{
	struct vtd *v = opaque;
	struct msi_msg out;
	int ret = vtd_ir_translate(v, msg, rid, &out, true);

	return ret ?: msi_sink_send(&v->ir_out, &out, rid);
}

struct msi_sink vtd_ir_sink(struct vtd *v, struct msi_sink out)
{
	pthread_mutex_lock(&v->lock);
	v->ir_out = out;
	pthread_mutex_unlock(&v->lock);
	return (struct msi_sink){ir_send, v};
}

static int ir_route(void *opaque, unsigned gsi, const struct msi_msg *msg, uint16_t rid,
		    bool enabled)
{
	struct vtd *v = opaque;
	struct msix_router in = v->ir_inner;
	struct msi_msg out = *msg;
	/* Routing is no interrupt request: a blocked message records nothing
	 * here (the request does, when the device sends it through the sink). */
	int ret = enabled ? vtd_ir_translate(v, msg, rid, &out, false) : 0;

	if (ret) {
		(void)in.route(in.opaque, gsi, msg, rid, false); /* no stale remapped route */
		return ret;
	}
	return in.route(in.opaque, gsi, &out, rid, enabled);
}

static int ir_irqfd(void *opaque, int efd, unsigned gsi, bool assign)
{
	struct vtd *v = opaque;

	return v->ir_inner.irqfd(v->ir_inner.opaque, efd, gsi, assign);
}

struct msix_router vtd_ir_router(struct vtd *v, struct msix_router inner)
{
	pthread_mutex_lock(&v->lock);
	v->ir_inner = inner;
	pthread_mutex_unlock(&v->lock);
	return (struct msix_router){ir_route, ir_irqfd, v};
}

void vtd_ir_set_notify(struct vtd *v, void (*fn)(void *opaque), void *opaque)
{
	v->ir_notify = fn;
	v->ir_notify_opaque = opaque;
}

void vtd_ir_flush(struct vtd *v)
{
	bool dirty;

	pthread_mutex_lock(&v->lock);
	dirty = v->ir_dirty;
	v->ir_dirty = false;
	pthread_mutex_unlock(&v->lock);
	if (dirty && v->ir_notify)
		v->ir_notify(v->ir_notify_opaque);
}
