// SPDX-License-Identifier: MIT
#include "vmm/gsi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/layout.h"

void gsi_table_init(struct gsi_table *t, int vm_fd)
{
	memset(t, 0, sizeof(*t));
	t->vm_fd = vm_fd;
	t->next_free = IOAPIC_PINS;
	pthread_mutex_init(&t->lock, NULL);
}

/* Caller holds t->lock. */
static int gsi_push(struct gsi_table *t)
{
	struct kvm_irq_routing *r;
	unsigned n = 0;
	int ret = 0;

	t->pushes++;
	t->stale = false;
	if (t->vm_fd < 0)
		return 0;
	r = calloc(1, sizeof(*r) + GSI_MAX * sizeof(r->entries[0]));
	if (!r) {
		t->stale = true;
		return -ENOMEM;
	}
	for (unsigned i = 0; i < GSI_MAX; i++)
		if (t->used[i] && t->e[i].type)
			r->entries[n++] = t->e[i];
	r->nr = n;
	if (ioctl(t->vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		ret = -errno;
	free(r);
	t->stale = ret != 0;
	return ret;
}

int gsi_set_msi(struct gsi_table *t, unsigned gsi, const struct msi_msg *msg, bool enabled)
{
	struct kvm_irq_routing_entry old;
	bool was;
	int ret = 0;

	if (gsi >= GSI_MAX)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	old = t->e[gsi];
	was = t->used[gsi];
	if (enabled) {
		t->e[gsi] = (struct kvm_irq_routing_entry){
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = {.address_lo = (uint32_t)msg->addr,
				  .address_hi = (uint32_t)(msg->addr >> 32),
				  .data = msg->data},
		};
		t->used[gsi] = true;
	} else {
		memset(&t->e[gsi], 0, sizeof(t->e[gsi]));
		if (gsi < IOAPIC_PINS)
			t->used[gsi] = false;
	}
	if (t->stale || was != t->used[gsi] || memcmp(&old, &t->e[gsi], sizeof(old)))
		ret = gsi_push(t);
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int gsi_alloc(struct gsi_table *t)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < GSI_MAX - IOAPIC_PINS; i++) {
		unsigned g =
			IOAPIC_PINS + (t->next_free - IOAPIC_PINS + i) % (GSI_MAX - IOAPIC_PINS);

		if (!t->used[g]) {
			t->used[g] = true; /* reserved; no route until set */
			t->next_free = g + 1 < GSI_MAX ? g + 1 : IOAPIC_PINS;
			ret = (int)g;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

unsigned gsi_count(struct gsi_table *t)
{
	unsigned n = 0;

	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < GSI_MAX; i++)
		n += t->used[i] && t->e[i].type;
	pthread_mutex_unlock(&t->lock);
	return n;
}
