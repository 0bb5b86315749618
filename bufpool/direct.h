/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Direct buffers: the paths that are never sliced, and requests too large
 * for a chunk. Each is a kmalloc object with a small header in front.
 */
#ifndef _BUFPOOL_DIRECT_H
#define _BUFPOOL_DIRECT_H

#include <linux/align.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/types.h>

#include "stats.h"

struct bufpool;

/**
 * struct bufpool_direct - what precedes a direct buffer
 * @pool: the pool it was counted in.
 * @size: the size asked for, which is its backing size.
 * @lead: from the start of the kmalloc object to the buffer, in units of
 *	%BUFPOOL_DIRECT_UNIT: both are aligned to it.
 * @magic: %BUFPOOL_DIRECT_MAGIC while the buffer is live.
 */
struct bufpool_direct {
	struct bufpool *pool;
	u32 size;
	u16 lead;
	u16 magic;
};

#define BUFPOOL_DIRECT_MAGIC	0xb0f1

/*
 * What a pool's direct_left starts at: more than there can ever be direct
 * buffers, so that frees after bufpool_destroy() has set dying cannot
 * bring it to zero before bufpool_direct_kill() has counted the live ones.
 */
#define BUFPOOL_DIRECT_BIAS	(1L << (BITS_PER_LONG - 2))
#define BUFPOOL_DIRECT_UNIT	8	/* kmalloc's alignment, at least */

/*
 * The most bytes a buffer aligned to @align can lie past the start of a
 * kmalloc object aligned to @minalign (ARCH_KMALLOC_MINALIGN), with a
 * header of @hdr bytes before it: the buffer starts at the first multiple
 * of @align at least @hdr past the object's start. When @align divides
 * @minalign, every object starts on a multiple of @align, and that is
 * @hdr rounded up to @align (the header padded, where @align does not
 * divide it: a 12-byte header on a 32-bit kernel, or 32 B alignment on
 * arm64 before 6.5, whose kmalloc aligns to 128). Otherwise an object may
 * start on any multiple of @minalign, and the worst is @hdr rounded up to
 * @minalign, plus @align - @minalign.
 */
static inline size_t bufpool_direct_lead(size_t hdr, size_t minalign,
					 size_t align)
{
	return ALIGN(hdr, min(align, minalign)) +
	       (align > minalign ? align - minalign : 0);
}

static inline const struct bufpool_direct *bufpool_direct_hdr(const void *buf)
{
	return (const struct bufpool_direct *)buf - 1;
}

void *bufpool_direct_alloc(struct bufpool *pool, size_t size, gfp_t gfp,
			   enum bufpool_path path, unsigned long caller);
void *bufpool_direct_alloc_asked(struct bufpool *pool, size_t size,
				 gfp_t gfp, enum bufpool_path path,
				 unsigned long caller);
void bufpool_direct_free(const void *buf, unsigned long caller);
long bufpool_direct_kill(struct bufpool *pool);

#endif /* _BUFPOOL_DIRECT_H */
