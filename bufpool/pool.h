/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pool's state, shared by the bufpool source files, and the pool
 * registry (pool.c). The public API is include/linux/bufpool.h; nothing
 * here is for client modules.
 */
#ifndef _BUFPOOL_POOL_H
#define _BUFPOOL_POOL_H

#include <linux/bufpool.h>
#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/lockdep.h>
/* PREEMPT_RT's local_lock.h needs spinlock_t, which 6.1's does not include. */
#include <linux/spinlock.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/percpu-refcount.h>
#include <linux/sizes.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "stats.h"

/*
 * Slots for the released chunks a CPU keeps per pool for its next
 * rollovers: BUFPOOL_POOL_SPARE_BYTES of them (bufpool_spares()), sixteen
 * at the default size with 4 KB pages and two with 64 KB pages. 128 KB is
 * a batch of 128 buffers of 1 KB, or 512 of 256 B, freed and allocated
 * again without the page allocator; SLUB keeps as much of empty slabs per
 * node for its kmalloc-1k (min_partial, five slabs of 32 KB). The
 * shrinker takes spares back under pressure.
 */
#define BUFPOOL_SPARES		16
#define BUFPOOL_POOL_SPARE_BYTES	max_t(unsigned long, SZ_128K, PAGE_SIZE)

/*
 * Spare bytes a CPU keeps in all pools together: however many pools there
 * are, their spares hold at most this much per CPU (two pools' worth at
 * the default size), and the shrinker takes them back under pressure.
 */
#define BUFPOOL_CPU_SPARE_BYTES	(2 * BUFPOOL_POOL_SPARE_BYTES)

/*
 * The largest chunk: 4 MB, or the largest block the page allocator hands
 * out if that is less. A chunk's position (below) is sized by it.
 */
#define BUFPOOL_MAX_POOL_SIZE	min_t(unsigned long, SZ_4M, \
				      PAGE_SIZE << BUFPOOL_MAX_PAGE_ORDER)

/*
 * A chunk's position, one u64: the offset of the next slice (0 to 4 MB),
 * the slices taken so far (at most 4 MB / 8, the smallest alignment), and
 * a generation that every start of a chunk on that CPU bumps.
 */
#define BUFPOOL_POS_OFFSET_BITS	23
#define BUFPOOL_POS_TAKEN_BITS	20
#define BUFPOOL_POS_TAKEN	BIT_ULL(BUFPOOL_POS_OFFSET_BITS)
#define BUFPOOL_POS_GEN		BIT_ULL(BUFPOOL_POS_OFFSET_BITS + \
					BUFPOOL_POS_TAKEN_BITS)

/**
 * struct bufpool_chunk - the chunk a CPU slices, and where
 * @page: its head page, or NULL before the first slice.
 * @va: its address.
 * @pos: where the next slice starts, how many slices were taken, and a
 *	generation (above). A slice moves it with one compare-and-exchange
 *	on this CPU, which fails when an interrupt sliced or started another
 *	chunk meanwhile: the fast path needs no interrupts off.
 * @size: bytes in the chunk (pool_size when it started).
 * @bias: page references taken for slices when the chunk started, as
 *	page_frag's pagecnt_bias: a slice takes one without an atomic.
 */
struct bufpool_chunk {
	struct page *page;
	void *va;
	u64 pos;
	unsigned int size;
	unsigned int bias;
};

static inline unsigned int bufpool_pos_offset(u64 pos)
{
	return pos & (BUFPOOL_POS_TAKEN - 1);
}

static inline unsigned int bufpool_pos_taken(u64 pos)
{
	return (pos / BUFPOOL_POS_TAKEN) & (BIT(BUFPOOL_POS_TAKEN_BITS) - 1);
}

/* Where @c's next slice starts. */
static inline unsigned int bufpool_chunk_offset(const struct bufpool_chunk *c)
{
	return bufpool_pos_offset(READ_ONCE(c->pos));
}

/* The page references @c still holds for slices to come. */
static inline unsigned int bufpool_chunk_bias(const struct bufpool_chunk *c)
{
	return c->bias - bufpool_pos_taken(READ_ONCE(c->pos));
}

/*
 * Puts @c's position at offset 0, no slice taken, in a new generation: a
 * carve that an interrupt doing this cut short on this CPU starts again.
 * Under the lock that protects @c.
 */
static inline void bufpool_chunk_restart(struct bufpool_chunk *c)
{
	WRITE_ONCE(c->pos, (READ_ONCE(c->pos) | (BUFPOOL_POS_GEN - 1)) + 1);
}

/*
 * Moves @c's next slice to @next without taking a slice: a debug pool's
 * chunk header. Under the lock that protects @c.
 */
static inline void bufpool_chunk_skip(struct bufpool_chunk *c, unsigned int next)
{
	u64 pos = READ_ONCE(c->pos);

	WRITE_ONCE(c->pos, pos - bufpool_pos_offset(pos) + next);
}

/**
 * struct bufpool_cpu - one CPU's view of a pool
 * @lock: serialises slicing on this CPU against interrupts (and, on
 *	PREEMPT_RT, against other tasks on this CPU).
 * @chunk: this CPU's current chunk.
 * @spare: chunks whose slices are all freed, kept for this CPU's next
 *	rollovers with a reference count of zero; empty slots are NULL.
 *	Filled and emptied with atomics: bufpool_destroy() empties them from
 *	another CPU.
 * @stats: this CPU's counters.
 * @cpu: which CPU this is.
 */
struct bufpool_cpu {
	local_lock_t lock;
	struct bufpool_chunk chunk;
	struct page *spare[BUFPOOL_SPARES];
	struct bufpool_cpu_stats stats;
	int cpu;
};

/**
 * struct bufpool_debug - debug mode's state in a pool
 * @lock: serialises the slice headers' changes and the walks over them.
 * @chunks: every live chunk of the pool, for the checks and the owners
 *	file, by its head page's ->lru: not in the chunk, where an overrun
 *	could rewrite it.
 */
struct bufpool_debug {
	spinlock_t lock;		/* see above */
	struct list_head chunks;
};

/**
 * struct bufpool - a pool
 * @pcpu: per-CPU slicing state and counters.
 * @pool_size: bytes in a new chunk. The default pool's follows the
 *	pool_size parameter and is read once per allocation.
 * @threshold: as in struct bufpool_params, 0 meaning pool_size / 2.
 * @align: slice alignment, a power of two.
 * @direct_lead: the room a direct buffer's kmalloc object takes before
 *	the buffer at most, for @align (bufpool_direct_lead()).
 * @flags: %BUFPOOL_ZERO_FILL, %BUFPOOL_DEBUG.
 * @fast_limit: the largest request bufpool_get()'s fast path slices,
 *	threshold - 1, or 0 where it slices none: a debug or zero-filling
 *	pool. Follows @pool_size, @threshold and @flags (bufpool_fast_update()),
 *	so that the fast path reads one word for them.
 * @dying: set by bufpool_destroy(): no chunk becomes a spare any more,
 *	and a direct buffer's free counts down @direct_left.
 * @ref: one reference per live chunk, one for all the direct buffers of
 *	a destroyed pool, and the creator's, so that a pool destroyed under
 *	live buffers stays until the last one is freed.
 * @direct_left: the direct buffers a destroyed pool waits for, plus
 *	%BUFPOOL_DIRECT_BIAS until bufpool_direct_kill() has counted them
 *	(direct.c).
 * @node: on bufpool_list.
 * @dir: the pool's debugfs directory.
 * @free_work: frees the pool once @ref has dropped to zero.
 * @debug: debug mode's state, used by debug pools only.
 * @name: unique name, also the debugfs directory's.
 */
struct bufpool {
	struct bufpool_cpu __percpu *pcpu;
	unsigned int pool_size;
	unsigned int threshold;
	unsigned int align;
	unsigned int direct_lead;
	unsigned int flags;
	unsigned int fast_limit;
	bool dying;
	struct percpu_ref ref;
	atomic_long_t direct_left;
	struct list_head node;
	struct dentry *dir;
	struct work_struct free_work;
	struct bufpool_debug debug;
	char name[BUFPOOL_NAME_MAX];
};

extern struct bufpool *bufpool_default;

int bufpool_check_params(const struct bufpool_params *params);
void bufpool_fast_update(struct bufpool *pool);
int bufpool_core_init(const struct bufpool_params *params);
void bufpool_core_exit(void);
#if IS_ENABLED(CONFIG_KUNIT)
struct shrinker;

void bufpool_wait_freed(void);
struct shrinker *bufpool_kunit_shrinker(void);
#endif

/* Requests below this many bytes are sliced from a chunk of pool_size. */
static inline unsigned int bufpool_threshold(const struct bufpool *pool,
					     unsigned int pool_size)
{
	unsigned int threshold = READ_ONCE(pool->threshold);

	if (!threshold)
		return pool_size / 2;
	/* pool_size may have shrunk since threshold was set. */
	return min(threshold, pool_size + 1);
}

static inline void bufpool_count(struct bufpool *pool,
				 enum bufpool_counter item, long delta)
{
	this_cpu_add(pool->pcpu->stats.cnt[item], delta);
}

static __always_inline bool bufpool_path_pooled(enum bufpool_path path)
{
	return path == BUFPOOL_PATH_UNSAFE_POOLED ||
	       path == BUFPOOL_PATH_FROM_POOLED;
}

/*
 * Every call counts, in its histogram bucket, which is also its calls
 * count (stats.h); its bytes only when it got them.
 */
static __always_inline void bufpool_count_call(struct bufpool *pool,
					       enum bufpool_path path,
					       size_t size, const void *buf)
{
	this_cpu_inc(pool->pcpu->stats.hist[path][bufpool_size_bucket(size)]);
	if (likely(buf)) {
		bufpool_count(pool, BUFPOOL_CNT_BYTES(path), size);
		return;
	}
	bufpool_count(pool, BUFPOOL_CNT_FAILURES, 1);
	if (bufpool_path_pooled(path))
		bufpool_count(pool, BUFPOOL_CNT_SLICE_FAILURES, 1);
}

/*
 * The slicing state @c of a CPU is what the caller may change: it holds
 * this CPU's lock of @pool and @c is this CPU's; or nothing slices @c any
 * more, because the pool is being destroyed or @c's CPU is dead.
 */
static inline void bufpool_assert_slicing(struct bufpool *pool,
					  struct bufpool_chunk *c)
{
	lockdep_assert(READ_ONCE(pool->dying) ||
		       !cpu_online(container_of(c, struct bufpool_cpu,
						chunk)->cpu) ||
		       (lockdep_is_held(this_cpu_ptr(&pool->pcpu->lock)) &&
			c == this_cpu_ptr(&pool->pcpu->chunk)));
}

#endif /* _BUFPOOL_POOL_H */
