// SPDX-License-Identifier: GPL-2.0
/*
 * The rollover. Each CPU slices its current chunk front to back (slice.h);
 * when a request does not fit, bufpool_slice_locked() takes the CPU's lock
 * and, in this order: carves again (an interrupt may have started a chunk
 * since the fast path looked), slices the chunk again from its start if
 * every slice of it is freed, starts one of the CPU's spares, or starts a
 * fresh chunk from the page allocator; failing that, slices again from its
 * start a chunk whose size made it wait for a fresh one (init_on_free,
 * bufpool_chunk_recycle()). The old chunk is retired and lives until its
 * last slice is freed.
 *
 * A debug pool slices here always, under the lock, so that debug mode's
 * hooks see each carve whole: the carve takes the slice's header and
 * redzone with it.
 */
#include "chunk.h"
#include "debug.h"
#include "slice.h"

/**
 * bufpool_slice_locked - carve a slice under this CPU's lock, rolling over
 * @pool: the pool.
 * @size: bytes wanted, which bufpool_sliced() allowed.
 * @pool_size: the size of a new chunk.
 * @gfp: allocation flags for a new chunk.
 * @caller: who asked, for debug mode.
 *
 * Context: As bufpool_pool_alloc_unsafe().
 * Return: The slice, or NULL when no chunk could be had.
 */
noinline void *bufpool_slice_locked(struct bufpool *pool, unsigned int size,
				    unsigned int pool_size, gfp_t gfp,
				    unsigned long caller)
{
	unsigned int need = bufpool_debug_need(pool, size);
	struct page *fresh = NULL, *old = NULL, *next;
	struct bufpool_chunk *c;
	unsigned long flags;
	void *buf;

	local_lock_irqsave(&pool->pcpu->lock, flags);
	c = this_cpu_ptr(&pool->pcpu->chunk);
	buf = bufpool_carve(pool, c, need);
	if (buf)
		goto out;
	if (c->size == pool_size && bufpool_chunk_recycle(pool, c, size, false))
		goto carve;
	next = bufpool_chunk_spare_take(pool, pool_size);
	if (next)
		goto roll;

	/* A new chunk. The page allocator may sleep: not under the lock. */
	local_unlock_irqrestore(&pool->pcpu->lock, flags);
	fresh = bufpool_chunk_alloc(pool, pool_size, gfp);
	local_lock_irqsave(&pool->pcpu->lock, flags);
	/* Maybe another CPU now, maybe refilled meanwhile: look again. */
	c = this_cpu_ptr(&pool->pcpu->chunk);
	buf = bufpool_carve(pool, c, need);
	if (buf)
		goto out;
	if (unlikely(!fresh)) {
		/* None to be had: a chunk passed over above, after all. */
		if (c->size == pool_size &&
		    bufpool_chunk_recycle(pool, c, size, true))
			goto carve;
		local_unlock_irqrestore(&pool->pcpu->lock, flags);
		return NULL;
	}
	next = fresh;
	fresh = NULL;
roll:
	old = bufpool_chunk_retire(pool, c, size);
	bufpool_chunk_start(pool, c, next);
carve:
	/* It fits a chunk that starts: bufpool_sliced() said so. */
	buf = bufpool_carve(pool, c, need);
out:
	buf = bufpool_debug_slice_carved(pool, c, buf, size, caller);
	local_unlock_irqrestore(&pool->pcpu->lock, flags);

	/* Its last slice was freed since the look at its count. */
	if (unlikely(old))
		bufpool_chunk_release(pool, old);
	if (unlikely(fresh))
		bufpool_chunk_free(pool, fresh);
	return buf;
}
