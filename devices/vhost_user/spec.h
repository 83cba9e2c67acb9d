/* SPDX-License-Identifier: MIT */
/* The vhost-user wire format, from QEMU's docs/interop/vhost-user.rst (the
 * "Message Specification" and "Front-end message types" sections), with the
 * spec's names. What the kernel's UAPI already defines is used from there:
 * struct vhost_vring_state and struct vhost_vring_addr (<linux/vhost_types.h>)
 * are the spec's "vring state description" and "vring address description",
 * byte for byte. All numbers are in the host's byte order. */
#ifndef DEVICES_VHOST_USER_SPEC_H
#define DEVICES_VHOST_USER_SPEC_H

#include <linux/vhost_types.h>
#include <stdint.h>

/* Header: request, flags, size (of the payload that follows). */
struct vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

#define VHOST_USER_VERSION_MASK 0x3u	  /* flags bits 0-1: the version */
#define VHOST_USER_VERSION	0x1u	  /* the only version */
#define VHOST_USER_REPLY_MASK	(1u << 2) /* set on every back-end reply */
#define VHOST_USER_NEED_REPLY	(1u << 3) /* REPLY_ACK: ask for a u64 status */

/* Feature bit 30 (the virtio "UNUSED" bit) of GET_FEATURES/SET_FEATURES: the
 * back end speaks GET_/SET_PROTOCOL_FEATURES. */
#define VHOST_USER_F_PROTOCOL_FEATURES 30

/* Protocol feature bits (GET_/SET_PROTOCOL_FEATURES). Bits 5 and 10 carry
 * the spec's current names (formerly SLAVE_REQ and SLAVE_SEND_FD). */
#define VHOST_USER_PROTOCOL_F_MQ		   0
#define VHOST_USER_PROTOCOL_F_LOG_SHMFD		   1
#define VHOST_USER_PROTOCOL_F_RARP		   2
#define VHOST_USER_PROTOCOL_F_REPLY_ACK		   3
#define VHOST_USER_PROTOCOL_F_NET_MTU		   4
#define VHOST_USER_PROTOCOL_F_BACKEND_REQ	   5
#define VHOST_USER_PROTOCOL_F_CROSS_ENDIAN	   6
#define VHOST_USER_PROTOCOL_F_CRYPTO_SESSION	   7
#define VHOST_USER_PROTOCOL_F_PAGEFAULT		   8
#define VHOST_USER_PROTOCOL_F_CONFIG		   9
#define VHOST_USER_PROTOCOL_F_BACKEND_SEND_FD	   10
#define VHOST_USER_PROTOCOL_F_HOST_NOTIFIER	   11
#define VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD	   12
#define VHOST_USER_PROTOCOL_F_RESET_DEVICE	   13
#define VHOST_USER_PROTOCOL_F_INBAND_NOTIFICATIONS 14
#define VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS  15
#define VHOST_USER_PROTOCOL_F_STATUS		   16

/* Front-end message types (requests the front end sends). */
enum vhost_user_request {
	VHOST_USER_NONE = 0,
	VHOST_USER_GET_FEATURES = 1,	       /* reply u64 */
	VHOST_USER_SET_FEATURES = 2,	       /* u64 */
	VHOST_USER_SET_OWNER = 3,	       /* no payload */
	VHOST_USER_RESET_OWNER = 4,	       /* deprecated */
	VHOST_USER_SET_MEM_TABLE = 5,	       /* memory regions description, fds */
	VHOST_USER_SET_LOG_BASE = 6,	       /* u64 */
	VHOST_USER_SET_LOG_FD = 7,	       /* fd */
	VHOST_USER_SET_VRING_NUM = 8,	       /* vring state */
	VHOST_USER_SET_VRING_ADDR = 9,	       /* vring address */
	VHOST_USER_SET_VRING_BASE = 10,	       /* vring state */
	VHOST_USER_GET_VRING_BASE = 11,	       /* vring state, reply vring state */
	VHOST_USER_SET_VRING_KICK = 12,	       /* u64, fd */
	VHOST_USER_SET_VRING_CALL = 13,	       /* u64, fd */
	VHOST_USER_SET_VRING_ERR = 14,	       /* u64, fd */
	VHOST_USER_GET_PROTOCOL_FEATURES = 15, /* reply u64 */
	VHOST_USER_SET_PROTOCOL_FEATURES = 16, /* u64 */
	VHOST_USER_GET_QUEUE_NUM = 17,	       /* reply u64 */
	VHOST_USER_SET_VRING_ENABLE = 18,      /* vring state */
	VHOST_USER_SEND_RARP = 19,
	VHOST_USER_NET_SET_MTU = 20,
	VHOST_USER_SET_BACKEND_REQ_FD = 21,
	VHOST_USER_IOTLB_MSG = 22,
	VHOST_USER_SET_VRING_ENDIAN = 23,
	VHOST_USER_GET_CONFIG = 24, /* config space, reply config space */
	VHOST_USER_SET_CONFIG = 25,
	VHOST_USER_CREATE_CRYPTO_SESSION = 26,
	VHOST_USER_CLOSE_CRYPTO_SESSION = 27,
	VHOST_USER_POSTCOPY_ADVISE = 28,
	VHOST_USER_POSTCOPY_LISTEN = 29,
	VHOST_USER_POSTCOPY_END = 30,
	VHOST_USER_GET_INFLIGHT_FD = 31,
	VHOST_USER_SET_INFLIGHT_FD = 32,
	VHOST_USER_GPU_SET_SOCKET = 33,
	VHOST_USER_RESET_DEVICE = 34,
	VHOST_USER_VRING_KICK = 35,
	VHOST_USER_GET_MAX_MEM_SLOTS = 36, /* reply u64 */
	VHOST_USER_ADD_MEM_REG = 37,	   /* single memory region, one fd */
	VHOST_USER_REM_MEM_REG = 38,	   /* single memory region */
	VHOST_USER_SET_STATUS = 39,
	VHOST_USER_GET_STATUS = 40,
	VHOST_USER_MAX_REQUEST = 40,
};

/* SET_VRING_KICK/CALL/ERR u64: bits 0-7 the vring index, bit 8 "no fd". */
#define VHOST_USER_VRING_IDX_MASK  0xffu
#define VHOST_USER_VRING_NOFD_MASK (1u << 8)

/* SET_MEM_TABLE carries at most this many regions (and as many fds). */
#define VHOST_MEMORY_BASELINE_NREGIONS 8

/* At most this many fds ride on one message, in either direction. */
#define VHOST_USER_MAX_FDS VHOST_MEMORY_BASELINE_NREGIONS

/* A memory region. Same layout as the UAPI's struct vhost_memory_region,
 * whose last field (flags_padding) is the spec's mmap offset: the offset
 * into the region's fd at which the region starts. */
struct vhost_user_memory_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

/* SET_MEM_TABLE payload: "memory regions description". Only the first
 * nregions entries are sent. */
struct vhost_user_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_memory_region regions[VHOST_MEMORY_BASELINE_NREGIONS];
};

/* ADD_MEM_REG/REM_MEM_REG payload: "single memory region description". */
struct vhost_user_memory_single {
	uint64_t padding;
	struct vhost_user_memory_region region;
};

/* GET_CONFIG/SET_CONFIG payload: "virtio device config space". */
#define VHOST_USER_MAX_CONFIG_SIZE 256
#define VHOST_USER_CONFIG_HDR_SIZE 12 /* offset, size, flags */
struct vhost_user_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags; /* 0: front-end writes; 1: live migration */
	uint8_t region[VHOST_USER_MAX_CONFIG_SIZE];
};

/* Every payload this front end sends or accepts. */
union vhost_user_payload {
	uint64_t u64;
	struct vhost_vring_state state;
	struct vhost_vring_addr addr;
	struct vhost_user_memory memory;
	struct vhost_user_memory_single mem_reg;
	struct vhost_user_config config;
};

#define VHOST_USER_HDR_SIZE    sizeof(struct vhost_user_hdr)
#define VHOST_USER_PAYLOAD_MAX sizeof(union vhost_user_payload)
#define VHOST_USER_MEM_SIZE(n) (8 + (n) * sizeof(struct vhost_user_memory_region))

_Static_assert(sizeof(struct vhost_user_hdr) == 12, "vhost-user header");
_Static_assert(sizeof(struct vhost_vring_state) == 8, "vring state description");
_Static_assert(sizeof(struct vhost_vring_addr) == 40, "vring address description");
_Static_assert(sizeof(struct vhost_user_memory_region) == sizeof(struct vhost_memory_region),
	       "memory region");
_Static_assert(sizeof(struct vhost_user_memory) == VHOST_USER_MEM_SIZE(8), "memory regions");
_Static_assert(sizeof(struct vhost_user_memory_single) == 40, "single memory region");
_Static_assert(sizeof(struct vhost_user_config) == 12 + VHOST_USER_MAX_CONFIG_SIZE, "config");

#endif
