/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Direct buffers: the paths that are never sliced, and requests too large
 * for a chunk. Each is a kmalloc object with a small header in front.
 */
#ifndef _BUFPOOL_DIRECT_H
#define _BUFPOOL_DIRECT_H

#include <linux/types.h>

struct bufpool;

/**
 * struct bufpool_direct - what precedes a direct buffer
 * @pool: the pool it was counted in.
 * @size: the size asked for, which is its backing size.
 * @lead: bytes from the start of the kmalloc object to the buffer.
 * @magic: %BUFPOOL_DIRECT_MAGIC while the buffer is live.
 */
struct bufpool_direct {
	struct bufpool *pool;
	u32 size;
	u16 lead;
	u16 magic;
};

#define BUFPOOL_DIRECT_MAGIC	0xb0f1

static inline const struct bufpool_direct *bufpool_direct_hdr(const void *buf)
{
	return (const struct bufpool_direct *)buf - 1;
}

void *bufpool_direct_alloc(struct bufpool *pool, size_t size, gfp_t gfp,
			   unsigned long caller);
void bufpool_direct_free(const void *buf, unsigned long caller);

#endif /* _BUFPOOL_DIRECT_H */
