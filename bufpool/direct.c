// SPDX-License-Identifier: GPL-2.0
/*
 * Direct buffers: Buffer.alloc, Buffer.allocUnsafeSlow, and what is too
 * large to slice. A kmalloc object holds the header, then the buffer at
 * the pool's alignment; the header names the pool, which the buffer holds
 * a reference to until it is freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "debug.h"
#include "direct.h"
#include "pool.h"
#include "trace.h"

/* Gfp zone modifiers kmalloc refuses. */
#define BUFPOOL_BAD_ZONES	(__GFP_DMA32 | __GFP_HIGHMEM)

/**
 * bufpool_direct_alloc - a buffer of its own
 * @pool: the pool to count it in.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc(), __GFP_ZERO included.
 * @caller: who asked, for kmalloc's accounting and the messages.
 *
 * Context: As kmalloc() with @gfp.
 * Return: The buffer, aligned to the pool's alignment; %ZERO_SIZE_PTR for
 * a @size of 0; NULL when memory is short, @gfp names a zone kmalloc
 * refuses, or @size is larger than kmalloc can give.
 */
void *bufpool_direct_alloc(struct bufpool *pool, size_t size, gfp_t gfp,
			   unsigned long caller)
{
	size_t lead = bufpool_direct_lead(sizeof(struct bufpool_direct),
					  ARCH_KMALLOC_MINALIGN, pool->align);
	struct bufpool_direct *hdr;
	void *base, *buf;

	/*
	 * What the layout assumes: kmalloc aligns to a power of two of at
	 * least the unit of ->lead, and ->lead holds the lead of the largest
	 * alignment, PAGE_SIZE (64 KB pages included).
	 */
	BUILD_BUG_ON(!is_power_of_2(ARCH_KMALLOC_MINALIGN));
	BUILD_BUG_ON(ARCH_KMALLOC_MINALIGN < BUFPOOL_DIRECT_UNIT);
	BUILD_BUG_ON(bufpool_direct_lead(sizeof(*hdr), ARCH_KMALLOC_MINALIGN,
					 PAGE_SIZE) / BUFPOOL_DIRECT_UNIT >
		     U16_MAX);

	if (!size)
		return ZERO_SIZE_PTR;
	if (unlikely(bufpool_should_fail(size)))
		return NULL;
	if (unlikely(gfp & BUFPOOL_BAD_ZONES)) {
		pr_warn_ratelimited("%ps: gfp %pGg: __GFP_DMA32 and __GFP_HIGHMEM cannot back a buffer\n",
				    (void *)caller, &gfp);
		return NULL;
	}
	/* Larger than kmalloc can ever give: fail quietly, as Node throws. */
	if (unlikely(size > KMALLOC_MAX_SIZE - lead))
		return NULL;

	base = bufpool_kmalloc_caller(size + lead, gfp, caller);
	if (unlikely(!base))
		return NULL;
	buf = PTR_ALIGN(base + sizeof(*hdr), pool->align);
	hdr = buf - sizeof(*hdr);
	hdr->pool = pool;
	hdr->size = size;
	hdr->lead = (buf - base) / BUFPOOL_DIRECT_UNIT;
	hdr->magic = BUFPOOL_DIRECT_MAGIC;
	percpu_ref_get(&pool->ref);
	bufpool_count(pool, BUFPOOL_CNT_DIRECT_LIVE, 1);
	return buf;
}

/**
 * bufpool_direct_free - free a direct buffer
 * @buf: the buffer, which is no slice.
 * @caller: who called bufpool_free().
 *
 * A buffer whose header is not a live one's is left alone, with a WARN:
 * freeing it would corrupt the slab.
 *
 * Context: Any context in which kfree() may be called.
 */
void bufpool_direct_free(const void *buf, unsigned long caller)
{
	struct bufpool_direct *hdr = (struct bufpool_direct *)buf - 1;
	struct bufpool *pool = hdr->pool;

	if (WARN(hdr->magic != BUFPOOL_DIRECT_MAGIC,
		 "bufpool: %p is not a live bufpool buffer\n", buf))
		return;
	hdr->magic = 0;
	trace_bufpool_free(pool->name, caller, buf, false);
	bufpool_count(pool, BUFPOOL_CNT_DIRECT_FREES, 1);
	bufpool_count(pool, BUFPOOL_CNT_DIRECT_LIVE, -1);
	kfree((void *)buf - hdr->lead * BUFPOOL_DIRECT_UNIT);
	percpu_ref_put(&pool->ref);
}
