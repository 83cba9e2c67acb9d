/* SPDX-License-Identifier: MIT */
/* TAP back-end for virtio-net: /dev/net/tun with IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR, a 12-byte vnet header, non-blocking.
 *
 * An existing TAP is attached (its owner/group must allow us); a missing
 * one is created by the kernel when we hold CAP_NET_ADMIN, and is then not
 * persistent (it goes away when the fd is closed). Open it while building
 * the machine, before the capabilities are dropped. */
#ifndef DEVICES_VIRTIO_TAP_H
#define DEVICES_VIRTIO_TAP_H

#include <linux/if_tun.h>
#include <stddef.h>

#include "devices/virtio/net_backend.h"

/* The TUN_F_* offloads the VMM may ever ask a TAP for. */
#define TAP_OFFLOADS_ALL (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

extern const struct net_backend_ops tap_backend_ops;

/* Open or create the TAP called name (a "%d" pattern lets the kernel pick
 * the number; be->name gets the real name) and fill *be: fd, ops, the
 * offloads it supports (probed, then left disabled until the guest
 * negotiates). 0, or -errno with a one-line message naming the TAP and the
 * cause in err. */
int tap_open(struct net_backend *be, const char *name, char *err, size_t errlen);

/* Close the TAP (a non-persistent one disappears). Safe to repeat. */
void tap_close(struct net_backend *be);

#endif
