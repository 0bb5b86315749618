// SPDX-License-Identifier: GPL-2.0
/*
 * Direct buffers: Buffer.alloc, Buffer.allocUnsafeSlow, and what is too
 * large to slice. A kmalloc object holds the header, then the buffer at
 * the pool's alignment; the header names the pool.
 *
 * A direct buffer keeps its pool alive without a reference of its own:
 * the pool's direct_live counter, per CPU, already counts it. A free
 * counts itself out of it with preemption off, having seen that the pool
 * is not dying. bufpool_destroy() sets dying and waits for a grace
 * period, after which no free counts there any more and the counter's sum
 * is the buffers still live; it takes one reference of the pool for all
 * of them (bufpool_direct_kill()), which the last of their frees, counting
 * down direct_left, drops. So the frees of a live pool, nearly all of
 * them, do without percpu_ref's RCU read-side calls, which on a
 * preemptible-RCU kernel are two function calls each way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/preempt.h>
#include <linux/slab.h>

#include "debug.h"
#include "direct.h"
#include "pool.h"
#include "trace.h"

/* Gfp zone modifiers kmalloc refuses. */
#define BUFPOOL_BAD_ZONES	(__GFP_DMA32 | __GFP_HIGHMEM)

/* Said out of line: %pGg takes the flags' address. */
static noinline void *bufpool_direct_bad_zone(gfp_t gfp, unsigned long caller)
{
	pr_warn_ratelimited("%ps: gfp %pGg: __GFP_DMA32 and __GFP_HIGHMEM cannot back a buffer\n",
			    (void *)caller, &gfp);
	return NULL;
}

/*
 * bufpool_direct_alloc() but its count and trace of the call; @ask: fault
 * injection is asked about it, which it is once a call.
 */
static __always_inline void *bufpool_direct_make(struct bufpool *pool,
						 size_t size, gfp_t gfp,
						 unsigned long caller, bool ask)
{
	size_t lead = pool->direct_lead;
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
	if (unlikely(ask && bufpool_should_fail(size, gfp)))
		return NULL;
	if (unlikely(gfp & BUFPOOL_BAD_ZONES))
		return bufpool_direct_bad_zone(gfp, caller);
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
	hdr->lead = (unsigned long)(buf - base) / BUFPOOL_DIRECT_UNIT;
	hdr->magic = BUFPOOL_DIRECT_MAGIC;
	bufpool_count(pool, BUFPOOL_CNT_DIRECT_LIVE, 1);
	return buf;
}

/* A direct call: its buffer, counted and traced. */
static __always_inline void *bufpool_direct_call(struct bufpool *pool,
						 size_t size, gfp_t gfp,
						 enum bufpool_path path,
						 unsigned long caller, bool ask)
{
	void *buf = bufpool_direct_make(pool, size, gfp, caller, ask);

	bufpool_count_call(pool, path, size, buf);
	trace_bufpool_alloc(pool->name, path, caller, buf, size, gfp);
	return buf;
}

/**
 * bufpool_direct_alloc - a buffer of its own
 * @pool: the pool to count it in.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc(), __GFP_ZERO included.
 * @path: the call's path, which the call is counted in and traced as.
 * @caller: who asked, for kmalloc's accounting and the messages.
 *
 * Context: As kmalloc() with @gfp.
 * Return: The buffer, aligned to the pool's alignment; %ZERO_SIZE_PTR for
 * a @size of 0; NULL when memory is short, @gfp names a zone kmalloc
 * refuses, or @size is larger than kmalloc can give.
 */
void *bufpool_direct_alloc(struct bufpool *pool, size_t size, gfp_t gfp,
			   enum bufpool_path path, unsigned long caller)
{
	return bufpool_direct_call(pool, size, gfp, path, caller, true);
}

/**
 * bufpool_direct_alloc_asked - bufpool_direct_alloc() for a call that
 *	fault injection was asked about already
 * @pool: the pool to count it in.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc(), __GFP_ZERO included.
 * @path: the call's path.
 * @caller: who asked.
 *
 * A pooled call served directly after all (its slice found no chunk, or
 * the pool's size changed under it) is asked once, not twice.
 *
 * Context: As kmalloc() with @gfp.
 * Return: As bufpool_direct_alloc().
 */
void *bufpool_direct_alloc_asked(struct bufpool *pool, size_t size,
				 gfp_t gfp, enum bufpool_path path,
				 unsigned long caller)
{
	return bufpool_direct_call(pool, size, gfp, path, caller, false);
}

/* A free after bufpool_destroy() set dying: the last drops the pool. */
static noinline void bufpool_direct_put_dying(struct bufpool *pool)
{
	if (atomic_long_dec_and_test(&pool->direct_left))
		percpu_ref_put(&pool->ref);
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
	kfree((void *)buf - (size_t)hdr->lead * BUFPOOL_DIRECT_UNIT);
	bufpool_count(pool, BUFPOOL_CNT_DIRECT_FREES, 1);
	/* Read side of bufpool_direct_kill()'s grace period. */
	preempt_disable();
	if (likely(!READ_ONCE(pool->dying))) {
		bufpool_count(pool, BUFPOOL_CNT_DIRECT_LIVE, -1);
		preempt_enable();
		return;
	}
	preempt_enable();
	bufpool_direct_put_dying(pool);
}

/**
 * bufpool_direct_kill - hold a destroyed pool for its live direct buffers
 * @pool: the pool, whose dying is set and seen: a grace period has passed
 *	since it was set.
 *
 * Counts the direct buffers still live, which the frees after dying count
 * down from direct_left, and holds one reference of @pool until the last
 * of them is freed (none, when none is live).
 *
 * Context: Process context, from bufpool_destroy().
 * Return: The direct buffers live at this point: direct_live less the
 * frees that saw dying, which direct_live does not count out.
 */
long bufpool_direct_kill(struct bufpool *pool)
{
	struct bufpool_cpu_stats *s;
	long live = 0, left;
	int cpu;

	/* No free counts in direct_live any more, and none allocates. */
	for_each_possible_cpu(cpu) {
		s = &per_cpu_ptr(pool->pcpu, cpu)->stats;
		live += READ_ONCE(s->cnt[BUFPOOL_CNT_DIRECT_LIVE]);
	}
	percpu_ref_get(&pool->ref);
	left = atomic_long_sub_return(BUFPOOL_DIRECT_BIAS - live,
				      &pool->direct_left);
	if (!left)
		percpu_ref_put(&pool->ref);
	return left;
}
