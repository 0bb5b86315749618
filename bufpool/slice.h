/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Slicing: the carve, the fast path that carves this CPU's chunk, and the
 * rollover (slice.c) when a request does not fit.
 */
#ifndef _BUFPOOL_SLICE_H
#define _BUFPOOL_SLICE_H

#include <linux/atomic.h>
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

#endif /* _BUFPOOL_SLICE_H */
