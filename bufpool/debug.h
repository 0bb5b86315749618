/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debug mode's hooks, and fault injection. A hook runs at each transition
 * of a debug pool's chunks and slices, and is a no-op for other pools: off,
 * debug mode costs the fast path one static branch in bufpool_free() and
 * one flag test per allocation.
 *
 * A debug pool's chunk is laid out as SLUB lays out a slab with red zoning
 * and poisoning:
 *
 *   | chunk header | slice header | data | redzone | slice header | ...
 *
 * The carve takes a slice's header and redzone with its data
 * (bufpool_debug_need()); the hooks fill them in and check them.
 */
#ifndef _BUFPOOL_DEBUG_H
#define _BUFPOOL_DEBUG_H

#include <linux/bits.h>
#include <linux/fault-inject.h>
#include <linux/jump_label.h>
#include <linux/types.h>

#include "pool.h"

struct seq_file;

extern bool bufpool_debug_all;
DECLARE_STATIC_KEY_FALSE(bufpool_debug_key);

#define BUFPOOL_SLICE_LIVE	0xb0f1a11c
#define BUFPOOL_SLICE_FREE	0xb0f1f4ee
#define BUFPOOL_REDZONE		8	/* at least, after every slice */

#define BUFPOOL_CHUNK_MAGIC	0xb0f1c4e4
#define BUFPOOL_CHUNK_RETIRED	BIT(0)	/* no longer sliced */
#define BUFPOOL_CHUNK_REPORTED	BIT(1)	/* a corruption was reported */
#define BUFPOOL_CHUNK_FLAGS	(BUFPOOL_CHUNK_RETIRED | BUFPOOL_CHUNK_REPORTED)

/**
 * struct bufpool_debug_chunk - the header of a debug pool's chunk
 * @magic: %BUFPOOL_CHUNK_MAGIC.
 * @used: where the last slice's redzone ends.
 * @flags: %BUFPOOL_CHUNK_RETIRED, %BUFPOOL_CHUNK_REPORTED (a corruption is
 *	said once per chunk).
 *
 * An overrun of the memory before the chunk, or an underrun of its first
 * slice, may rewrite it: nothing in it is trusted before
 * bufpool_debug_chunk_ok(), and nothing the pool needs to find its chunks
 * is kept here (the list of them goes through their head pages' ->lru).
 */
struct bufpool_debug_chunk {
	u32 magic;
	u32 used;
	u32 flags;
};

/**
 * struct bufpool_debug_slice - the header before a debug pool's slice
 * @magic: %BUFPOOL_SLICE_LIVE or %BUFPOOL_SLICE_FREE.
 * @size: the size asked for.
 * @caller: who allocated it.
 * @freer: who freed it, once freed.
 * @when: jiffies when it was allocated.
 */
struct bufpool_debug_slice {
	u32 magic;
	u32 size;
	unsigned long caller;
	unsigned long freer;
	unsigned long when;
};

/* Whether any debug pool, or a buffer of one, exists. */
static inline bool bufpool_debug_on(void)
{
	return static_branch_unlikely(&bufpool_debug_key);
}

static inline bool bufpool_debug_pool(const struct bufpool *pool)
{
	return bufpool_debug_on() && (READ_ONCE(pool->flags) & BUFPOOL_DEBUG);
}

static inline unsigned int bufpool_debug_chunk_header(const struct bufpool *pool)
{
	return ALIGN(sizeof(struct bufpool_debug_chunk), pool->align);
}

static inline unsigned int bufpool_debug_slice_header(const struct bufpool *pool)
{
	return ALIGN(sizeof(struct bufpool_debug_slice), pool->align);
}

/*
 * Whether the header of a debug chunk of @size bytes can be trusted: its
 * magic, its flags, and how much of the chunk it says is carved, which is
 * not less than the header nor more than the chunk.
 */
static inline bool bufpool_debug_chunk_ok(const struct bufpool *pool,
					  const struct bufpool_debug_chunk *ch,
					  unsigned int size)
{
	return ch->magic == BUFPOOL_CHUNK_MAGIC &&
	       !(ch->flags & ~BUFPOOL_CHUNK_FLAGS) &&
	       ch->used >= bufpool_debug_chunk_header(pool) && ch->used <= size;
}

/* Whether a corruption of @ch was reported already. */
static inline bool bufpool_debug_reported(const struct bufpool_debug_chunk *ch)
{
	return ch->flags & BUFPOOL_CHUNK_REPORTED;
}

/* Where the slice after one of @size bytes whose data is at @start begins. */
static inline unsigned int bufpool_debug_slice_next(const struct bufpool *pool,
						    unsigned int start,
						    unsigned int size,
						    unsigned int chunk_size)
{
	return min(ALIGN(start + size + BUFPOOL_REDZONE, pool->align),
		   chunk_size);
}

/* What a slice of @size bytes takes of a chunk of @pool's. */
static __always_inline unsigned int bufpool_debug_need(const struct bufpool *pool,
						       unsigned int size)
{
	if (!bufpool_debug_pool(pool))
		return size;
	return bufpool_debug_slice_header(pool) + size + BUFPOOL_REDZONE;
}

/*
 * The most a debug pool's fresh chunk of @pool_size can give one slice,
 * once its header, the slice's header and the redzone are taken: 0 when
 * they do not fit (a large alignment next to a small chunk), and every
 * request goes direct.
 */
static inline unsigned int bufpool_debug_room(const struct bufpool *pool,
					      unsigned int pool_size)
{
	unsigned int overhead = bufpool_debug_chunk_header(pool) +
				bufpool_debug_slice_header(pool) +
				BUFPOOL_REDZONE;

	return pool_size > overhead ? pool_size - overhead : 0;
}

/* Whether @size is too large for a debug pool to slice: it goes direct. */
static __always_inline bool bufpool_debug_too_big(const struct bufpool *pool,
						  size_t size,
						  unsigned int pool_size)
{
	return bufpool_debug_pool(pool) &&
	       size > bufpool_debug_room(pool, pool_size);
}

/*
 * Whether the header @sl of a slice whose data starts at @start gives a
 * size that fits what is carved of its chunk (@used): a header an underrun
 * rewrote must not be trusted with a memset or a walk.
 */
static inline bool bufpool_debug_size_ok(const struct bufpool_debug_slice *sl,
					 unsigned int start, unsigned int used)
{
	return start <= used && sl->size <= used - start;
}

void bufpool_debug_get(void);
void bufpool_debug_put(void);
void __bufpool_debug_chunk_started(struct bufpool *pool,
				   struct bufpool_chunk *c);
void *__bufpool_debug_slice_carved(struct bufpool *pool,
				   struct bufpool_chunk *c, void *start,
				   unsigned int size, unsigned long caller);
void __bufpool_debug_chunk_retired(struct bufpool *pool,
				   struct bufpool_chunk *c);
void __bufpool_debug_chunk_released(struct bufpool *pool, struct page *page);
bool __bufpool_debug_addr_ok(const void *buf, unsigned long caller);
bool __bufpool_debug_direct_ok(struct folio *folio, const void *buf,
			       unsigned long caller);
bool __bufpool_debug_slice_freed(struct bufpool *pool, struct folio *folio,
				 const void *buf, unsigned long caller);
void bufpool_debug_fault_init(void);
void bufpool_debug_fault_exit(void);

/* A chunk started (new, spare or recycled): lay it out, poisoned. */
static inline void bufpool_debug_chunk_started(struct bufpool *pool,
					       struct bufpool_chunk *c)
{
	if (bufpool_debug_pool(pool))
		__bufpool_debug_chunk_started(pool, c);
}

/*
 * A carve of bufpool_debug_need(@size) bytes at @start, or NULL: fill in
 * the slice's header and redzone. Return: the slice's data, or NULL.
 */
static __always_inline void *bufpool_debug_slice_carved(struct bufpool *pool,
							struct bufpool_chunk *c,
							void *start,
							unsigned int size,
							unsigned long caller)
{
	if (!bufpool_debug_pool(pool) || !start)
		return start;
	return __bufpool_debug_slice_carved(pool, c, start, size, caller);
}

/* A chunk is retired: check what was freed of it so far. */
static inline void bufpool_debug_chunk_retired(struct bufpool *pool,
					       struct bufpool_chunk *c)
{
	if (bufpool_debug_pool(pool))
		__bufpool_debug_chunk_retired(pool, c);
}

/* A chunk's last slice is gone: check it all before it is reused. */
static inline void bufpool_debug_chunk_released(struct bufpool *pool,
						struct page *page)
{
	if (bufpool_debug_pool(pool))
		__bufpool_debug_chunk_released(pool, page);
}

/*
 * bufpool_free() of @buf while debug mode is on anywhere: whether it may be
 * looked up at all (it is in the direct map), whether a pointer in no chunk
 * is a live direct buffer, and whether a debug pool's slice is live. Each
 * reports a misuse and returns false for a buffer that must be left alone.
 */
static inline bool bufpool_debug_addr_ok(const void *buf, unsigned long caller)
{
	return !bufpool_debug_on() || __bufpool_debug_addr_ok(buf, caller);
}

static inline bool bufpool_debug_direct_ok(struct folio *folio,
					   const void *buf,
					   unsigned long caller)
{
	return !bufpool_debug_on() ||
	       __bufpool_debug_direct_ok(folio, buf, caller);
}

static inline bool bufpool_debug_slice_freed(struct bufpool *pool,
					     struct folio *folio,
					     const void *buf,
					     unsigned long caller)
{
	return !bufpool_debug_pool(pool) ||
	       __bufpool_debug_slice_freed(pool, folio, buf, caller);
}

#ifdef CONFIG_KASAN_GENERIC
/* Exported by mm/kasan, but declared only in its private header. */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#endif

/*
 * Whether fault injection fails a request for @size with @gfp: never one
 * with __GFP_NOFAIL, whose caller does not check for NULL, as failslab and
 * fail_page_alloc pass those over. (__GFP_NOWARN cannot keep the report
 * quiet: should_fail_ex(), which would, is not exported.)
 */
#ifdef CONFIG_FAULT_INJECTION
extern struct fault_attr fail_bufpool;

static inline bool bufpool_should_fail(size_t size, gfp_t gfp)
{
	return !(gfp & __GFP_NOFAIL) && should_fail(&fail_bufpool, size);
}
#else
static inline bool bufpool_should_fail(size_t size, gfp_t gfp)
{
	return false;
}
#endif

#endif /* _BUFPOOL_DEBUG_H */
