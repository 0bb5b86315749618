/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Chunk life: each transition a chunk goes through (chunk.c), from its
 * start to its last put, and how a pointer is known to be in one. Nothing
 * else touches a chunk's reference count, its tag, its
 * kmemleak object, the chunk gauges, the spares or the pool references
 * chunks hold.
 */
#ifndef _BUFPOOL_CHUNK_H
#define _BUFPOOL_CHUNK_H

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/mm.h>

#include "pool.h"

/* A chunk's head page ->private: its pool, tagged in bit 0. */
#define BUFPOOL_PAGE_TAG	1UL

/* The pool a chunk's folio belongs to, or NULL for any other memory. */
static __always_inline struct bufpool *bufpool_chunk_owner(struct folio *folio)
{
	unsigned long priv;

	/* A slab's ->private is slab state, not ours. */
	if (folio_test_slab(folio))
		return NULL;
	priv = (unsigned long)folio->private;
	if (!(priv & BUFPOOL_PAGE_TAG))
		return NULL;
	return (struct bufpool *)(priv & ~BUFPOOL_PAGE_TAG);
}

/* Whether @buf, a live buffer or NULL, is a slice of a chunk. */
static __always_inline bool bufpool_is_slice(const void *buf)
{
	return !ZERO_OR_NULL_PTR(buf) &&
	       bufpool_chunk_owner(virt_to_folio(buf));
}

/* Where slice @buf starts in its chunk; 0 for anything else. */
static __always_inline size_t bufpool_slice_offset(const void *buf)
{
	if (!bufpool_is_slice(buf))
		return 0;
	return buf - folio_address(virt_to_folio(buf));
}

struct page *bufpool_chunk_alloc(struct bufpool *pool, unsigned int size,
				 gfp_t gfp);
void bufpool_chunk_free(struct bufpool *pool, struct page *page);
struct page *bufpool_chunk_spare_take(struct bufpool *pool,
				      unsigned int size);
void bufpool_chunk_start(struct bufpool *pool, struct bufpool_chunk *c,
			 struct page *page);
bool bufpool_chunk_recycle(struct bufpool *pool, struct bufpool_chunk *c,
			   unsigned int request, bool last);
struct page *bufpool_chunk_retire(struct bufpool *pool,
				  struct bufpool_chunk *c,
				  unsigned int request);
void bufpool_chunk_release(struct bufpool *pool, struct page *page);
void bufpool_chunk_drain(struct bufpool *pool, int cpu);
unsigned long bufpool_chunk_drop_spares(struct bufpool *pool, int cpu,
					unsigned long pages, bool reclaim);
unsigned long bufpool_chunk_spare_pages(int nid);

/*
 * The count of @folio's slice references: those it holds for slices to
 * come (the bias) and one per live slice, in its head page's ->index. The
 * page's own reference count is not it: another holder of the page (the
 * network stack, to which a driver handed a slice; a pfn walker) takes
 * and drops references there, and must never stand for a slice. A page
 * from alloc_pages() has the words of ->index and ->private for its
 * owner's use (linux/mm_types.h); counted in with atomics, as fs/erofs
 * counts in ->private.
 */
static __always_inline atomic_long_t *bufpool_chunk_refs(struct folio *folio)
{
	BUILD_BUG_ON(sizeof(folio->index) != sizeof(atomic_long_t));
	return (atomic_long_t *)&folio->index;
}

/*
 * @n slices' references go back to their chunk. Only a retired chunk can
 * drop to zero, a current one holds a bias: its last put releases it.
 */
static __always_inline void bufpool_chunk_put(struct bufpool *pool,
					      struct folio *folio,
					      unsigned int n)
{
	if (atomic_long_sub_and_test(n, bufpool_chunk_refs(folio))) {
		bufpool_count(pool, BUFPOOL_CNT_RETIRED_POOLS_LIVE, -1);
		bufpool_chunk_release(pool, &folio->page);
	}
}

#endif /* _BUFPOOL_CHUNK_H */
