/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Slicing: the carve, the fast path that carves this CPU's chunk, the
 * rollover (slice.c) when a request does not fit, and the free of a slice
 * back into the chunk this CPU slices.
 */
#ifndef _BUFPOOL_SLICE_H
#define _BUFPOOL_SLICE_H

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/preempt.h>

#include "pool.h"

void *bufpool_slice_locked(struct bufpool *pool, unsigned int size,
			   unsigned int pool_size, gfp_t gfp,
			   unsigned long caller);

/*
 * Carves @size bytes from @c where they fit, with one compare-and-exchange
 * of its position: an interrupt on this CPU that slices or starts another
 * chunk meanwhile moves the position, and the carve starts again. Called
 * with preemption off, or under the local lock.
 *
 * Return: The slice, or NULL when @size does not fit.
 */
static __always_inline void *bufpool_carve(struct bufpool *pool,
					   struct bufpool_chunk *c,
					   unsigned int size)
{
	unsigned int offset, end, next, room;
	void *va;
	u64 pos;

	do {
		pos = READ_ONCE(c->pos);
		va = READ_ONCE(c->va);
		room = READ_ONCE(c->size);
		offset = bufpool_pos_offset(pos);
		/* Also true before the first chunk, whose size is 0. */
		if (unlikely(size > room - offset))
			return NULL;
		end = offset + size;
		next = min(ALIGN(end, pool->align), room);
	} while (unlikely(cmpxchg64_local(&c->pos, pos,
					  pos + (next - offset) +
					  BUFPOOL_POS_TAKEN) != pos));
	if (next != end)
		bufpool_count(pool, BUFPOOL_CNT_PADDING_BYTES, next - end);
	return va + offset;
}

/*
 * Carves @size bytes from this CPU's chunk: the fast path. Preemption off
 * keeps it on this CPU; interrupts stay on, as the carve copes with them.
 * On PREEMPT_RT, where a rollover holds the local lock with preemption on,
 * a task that preempted it must wait for it: the fast path takes the lock.
 * What does not fit goes to bufpool_slice_locked().
 */
static __always_inline void *bufpool_slice(struct bufpool *pool,
					   unsigned int size,
					   unsigned int pool_size, gfp_t gfp,
					   unsigned long caller)
{
	void *buf;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		local_lock(&pool->pcpu->lock);
	else
		preempt_disable();
	buf = bufpool_carve(pool, this_cpu_ptr(&pool->pcpu->chunk), size);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		local_unlock(&pool->pcpu->lock);
	else
		preempt_enable();
	if (unlikely(!buf))
		buf = bufpool_slice_locked(pool, size, pool_size, gfp, caller);
	return buf;
}

/*
 * Whether @folio's chunk, whose last live slice is being freed, may be
 * sliced again from its start at once: not while another holder of its
 * page may still read what the slices held, nor with init_on_free, under
 * which the freed bytes are wiped first (the rollover's recycle does).
 */
static __always_inline bool bufpool_may_rewind(struct folio *folio)
{
	return !want_init_on_free() && folio_ref_count(folio) == 1;
}

/*
 * A slice of the chunk this CPU slices, freed on this CPU, gives its
 * reference back to the chunk's bias: one compare-and-exchange of the
 * position, no atomic, as SLUB frees to its CPU's slab. The position is
 * read before the chunk: an interrupt that starts another chunk meanwhile
 * moves the position's generation, and the exchange fails. When it was
 * the last live slice, the chunk is sliced again from its start, as a bump
 * allocator takes back its last allocation: alloc-then-free stays in one
 * cache-hot place. Every slice counts in the position's taken, so taken
 * drops to zero only when every slice was freed here.
 *
 * Preemption off makes it an RCU reader: bufpool_destroy() waits for a
 * grace period after it sets dying, before it retires the CPUs' chunks
 * from its own.
 *
 * Not in a debug pool, whose hooks see each free.
 *
 * Return: true when the slice went back so; false, and the caller puts
 * it, when @folio is not this CPU's chunk or the pool is dying.
 */
static __always_inline bool bufpool_unslice(struct bufpool *pool,
					    struct folio *folio)
{
	struct bufpool_chunk *c;
	bool done = false;
	u64 pos, next;

	if (READ_ONCE(pool->flags) & BUFPOOL_DEBUG)
		return false;
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		local_lock(&pool->pcpu->lock);
	else
		preempt_disable();
	c = this_cpu_ptr(&pool->pcpu->chunk);
	do {
		pos = READ_ONCE(c->pos);
		if (READ_ONCE(c->page) != &folio->page ||
		    READ_ONCE(pool->dying))
			goto out;
		next = pos - BUFPOOL_POS_TAKEN;
		if (bufpool_pos_taken(pos) == 1 && bufpool_may_rewind(folio))
			next -= bufpool_pos_offset(pos);
	} while (unlikely(cmpxchg64_local(&c->pos, pos, next) != pos));
	if (!bufpool_pos_offset(next))
		bufpool_count(pool, BUFPOOL_CNT_REWINDS, 1);
	done = true;
out:
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		local_unlock(&pool->pcpu->lock);
	else
		preempt_enable();
	return done;
}

#endif /* _BUFPOOL_SLICE_H */
