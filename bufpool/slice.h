/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Slicing: the carve, the fast path that carves this CPU's chunk, the
 * rollover (slice.c) when a request does not fit, and the free of a slice
 * back into the chunk this CPU slices.
 */
#ifndef _BUFPOOL_SLICE_H
#define _BUFPOOL_SLICE_H

#include <linux/atomic.h>
#include <linux/kmsan-checks.h>
#include <linux/mm.h>
#include <linux/preempt.h>

#include "pool.h"

void *bufpool_slice_locked(struct bufpool *pool, unsigned int size,
			   unsigned int pool_size, gfp_t gfp,
			   unsigned long caller);

/*
 * A slice handed out is uninitialised memory to KMSAN, as a kmalloc()
 * object is, whoever wrote it before: a slice sliced again, a rewound or
 * recycled chunk, a spare (whose wipe under init_on_free wrote it). Its
 * caller's copy, or the zeroing of init_on_alloc, initialises it after.
 * Nothing without CONFIG_KMSAN.
 */
static __always_inline void bufpool_kmsan_handout(void *buf, size_t size)
{
	kmsan_poison_memory(buf, size, GFP_NOWAIT);
}

/*
 * What @c has left to carve at the position @pos, read before: the
 * address @va and the size are read after it, for one try, so that an
 * interrupt that starts another chunk in between moves the position the
 * try then fails on. 0 before the first chunk too, whose size is 0.
 */
static __always_inline unsigned int bufpool_room(struct bufpool_chunk *c,
						 u64 pos, void **va)
{
	*va = READ_ONCE(c->va);
	return READ_ONCE(c->size) - bufpool_pos_offset(pos);
}

/*
 * Carves @size bytes from @c where they fit, with one compare-and-exchange
 * of its position: an interrupt on this CPU that slices or starts another
 * chunk meanwhile moves the position, and the carve starts again. Called
 * with preemption off, or under the local lock.
 *
 * A chunk's size is a power of two of at least a page and the pool's
 * alignment at most a page (bufpool_check_params()), and every carve
 * moves the position by a multiple of the alignment, a debug pool's
 * header too: the room left is a multiple of it, so @size fits exactly
 * when @size rounded up to it does.
 *
 * Return: The slice, or NULL when @size does not fit.
 */
static __always_inline void *bufpool_carve(struct bufpool *pool,
					   struct bufpool_chunk *c,
					   unsigned int size)
{
	/* Set when the pool was created. */
	unsigned int asize = ALIGN(size, pool->align);
	u64 pos = READ_ONCE(c->pos);
	void *va;

	do {
		if (unlikely(asize > bufpool_room(c, pos, &va)))
			return NULL;
	} while (unlikely(!try_cmpxchg64_local(&c->pos, &pos,
					       pos + asize + BUFPOOL_POS_TAKEN)));
	if (asize != size)
		bufpool_count(pool, BUFPOOL_CNT_PADDING_BYTES, asize - size);
	va += bufpool_pos_offset(pos);
	bufpool_kmsan_handout(va, asize);
	return va;
}

/*
 * bufpool_carve() of up to @max slices of @size at once, for the bulk
 * calls: as many as fit, with one compare-and-exchange of the position,
 * their addresses in @bufs. The taken count holds every slice a chunk can
 * have (bufpool_chunk_begin()), so it holds these.
 *
 * Return: How many were carved, 0 when not one fits.
 */
static __always_inline unsigned int bufpool_carve_many(struct bufpool *pool,
						       struct bufpool_chunk *c,
						       unsigned int size,
						       unsigned int max,
						       void **bufs)
{
	unsigned int asize = ALIGN(size, pool->align);
	u64 pos = READ_ONCE(c->pos);
	unsigned int n, i;
	void *va;

	do {
		n = min(bufpool_room(c, pos, &va) / asize, max);
		if (!n)
			return 0;
	} while (unlikely(!try_cmpxchg64_local(&c->pos, &pos,
					       pos + (u64)n * (asize + BUFPOOL_POS_TAKEN))));
	if (asize != size)
		bufpool_count(pool, BUFPOOL_CNT_PADDING_BYTES,
			      (long)n * (asize - size));
	va += bufpool_pos_offset(pos);
	bufpool_kmsan_handout(va, (size_t)n * asize);
	for (i = 0; i < n; i++)
		bufs[i] = va + i * asize;
	return n;
}

/* Preemption off, or this CPU's lock on PREEMPT_RT (below). */
static __always_inline void bufpool_cpu_enter(struct bufpool *pool)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		local_lock(&pool->pcpu->lock);
	else
		preempt_disable();
}

static __always_inline void bufpool_cpu_exit(struct bufpool *pool)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		local_unlock(&pool->pcpu->lock);
	else
		preempt_enable();
}

/*
 * Carves @size bytes from this CPU's chunk: the fast path. Preemption off
 * keeps it on this CPU; interrupts stay on, as the carve copes with them.
 * On PREEMPT_RT, where a rollover holds the local lock with preemption on,
 * a task that preempted it must wait for it: the fast path takes the lock.
 *
 * Return: The slice, or NULL when @size does not fit the chunk.
 */
static __always_inline void *bufpool_slice_fast(struct bufpool *pool,
						unsigned int size)
{
	void *buf;

	bufpool_cpu_enter(pool);
	buf = bufpool_carve(pool, this_cpu_ptr(&pool->pcpu->chunk), size);
	bufpool_cpu_exit(pool);
	return buf;
}

/* bufpool_carve_many() of this CPU's chunk, as bufpool_slice_fast(). */
static __always_inline unsigned int bufpool_slice_many(struct bufpool *pool,
						       unsigned int size,
						       unsigned int max,
						       void **bufs)
{
	unsigned int n;

	bufpool_cpu_enter(pool);
	n = bufpool_carve_many(pool, this_cpu_ptr(&pool->pcpu->chunk), size,
			       max, bufs);
	bufpool_cpu_exit(pool);
	return n;
}

/*
 * bufpool_slice_fast(), and what does not fit goes to
 * bufpool_slice_locked().
 */
static __always_inline void *bufpool_slice(struct bufpool *pool,
					   unsigned int size,
					   unsigned int pool_size, gfp_t gfp,
					   unsigned long caller)
{
	void *buf = bufpool_slice_fast(pool, size);

	if (unlikely(!buf))
		buf = bufpool_slice_locked(pool, size, pool_size, gfp, caller);
	return buf;
}

/*
 * Whether the chunk of head page @page, whose last live slice is being
 * freed, may be sliced again from its start at once: not while another
 * holder of its page may still read what the slices held, nor with
 * init_on_free, under which the freed bytes are wiped first (the
 * rollover's recycle does).
 */
static __always_inline bool bufpool_may_rewind(struct page *page)
{
	return !want_init_on_free() && page_ref_count(page) == 1;
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
 * The chunk is known by its head page @folio, or, where @folio is NULL,
 * by @buf lying inside it: bufpool_free() asks the default pool so before
 * it looks the owner up. @n slices of the chunk go back at once, as
 * bufpool_free_bulk() gives back a run of them.
 *
 * Preemption off makes it an RCU reader: bufpool_destroy() waits for a
 * grace period after it sets dying, before it retires the CPUs' chunks
 * from its own.
 *
 * Not in a debug pool, whose hooks see each free: the caller asks
 * bufpool_debug_pool() first where one may exist.
 *
 * Return: true when the slices went back so; false, and the caller puts
 * them, when they are not of this CPU's chunk or the pool is dying.
 */
static __always_inline bool bufpool_unslice(struct bufpool *pool,
					    const void *buf,
					    struct folio *folio,
					    unsigned int n)
{
	struct bufpool_chunk *c;
	struct page *page;
	bool done = false;
	u64 pos, next;

	bufpool_cpu_enter(pool);
	c = this_cpu_ptr(&pool->pcpu->chunk);
	pos = READ_ONCE(c->pos);
	do {
		page = READ_ONCE(c->page);
		if (folio ? page != &folio->page :
			    (unsigned long)buf - (unsigned long)READ_ONCE(c->va) >=
			    READ_ONCE(c->size))
			goto out;
		if (READ_ONCE(pool->dying))
			goto out;
		next = pos - (u64)n * BUFPOOL_POS_TAKEN;
		if (bufpool_pos_taken(pos) == n && bufpool_may_rewind(page))
			next -= bufpool_pos_offset(pos);
	} while (unlikely(!try_cmpxchg64_local(&c->pos, &pos, next)));
	bufpool_count(pool, BUFPOOL_CNT_SLICE_FREES, n);
	if (!bufpool_pos_offset(next))
		bufpool_count(pool, BUFPOOL_CNT_REWINDS, 1);
	done = true;
out:
	bufpool_cpu_exit(pool);
	return done;
}

#endif /* _BUFPOOL_SLICE_H */
