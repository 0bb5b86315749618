// SPDX-License-Identifier: GPL-2.0
/*
 * The pool: slicing, rollover, the allocation paths and bufpool_free().
 *
 * A pool chunk is a compound page allocation of pool_size bytes. Each CPU
 * slices its current chunk front to back under a local lock, taking page
 * references from a per-CPU bias as page_frag does, so a slice costs no
 * atomic. The chunk's head page points back at its pool through
 * ->private, tagged in bit 0, which is how bufpool_free() tells a slice
 * from a direct buffer: those are kmalloc objects with a small header in
 * front.
 *
 * When a request does not fit, the CPU slices its chunk again if every
 * slice of it is freed, as page_frag does. Otherwise it retires it: the
 * remainder is abandoned, the unused bias is dropped, and the chunk lives
 * on until its last slice is freed. The CPU that frees that keeps the
 * chunk as one of its few spares for its next rollovers, or gives it back
 * to the page allocator.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/kmemleak.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "pool.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* A chunk's head page ->private: its pool, tagged in bit 0. */
#define BUFPOOL_PAGE_TAG	1UL

/* Gfp zone modifiers kmalloc refuses. */
#define BUFPOOL_BAD_ZONES	(__GFP_DMA32 | __GFP_HIGHMEM)

static LIST_HEAD(bufpool_list);
static DEFINE_MUTEX(bufpool_mutex);	/* protects bufpool_list */
static struct workqueue_struct *bufpool_wq;

struct bufpool *bufpool_default;

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
		bufpool_count(pool, BUFPOOL_STAT_BYTES(path), size);
		return;
	}
	bufpool_count(pool, BUFPOOL_STAT_FAILURES, 1);
	if (bufpool_path_pooled(path))
		bufpool_count(pool, BUFPOOL_STAT_SLICE_FAILURES, 1);
}

/* bufpool_chunk_owner(), inline for bufpool_free(). */
static __always_inline struct bufpool *bufpool_owner(struct folio *folio)
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

/**
 * bufpool_chunk_owner - the pool a chunk belongs to
 * @head: a head page.
 *
 * Context: Any context.
 * Return: The pool whose chunk @head is, or NULL for any other page.
 */
struct bufpool *bufpool_chunk_owner(struct page *head)
{
	return bufpool_owner(page_folio(head));
}

/**
 * bufpool_chunk_alloc - a new chunk from the page allocator
 * @pool: its pool.
 * @size: its size, a power of two of at least PAGE_SIZE.
 * @gfp: allocation flags.
 *
 * Context: As the page allocator with @gfp.
 * Return: The head page, tagged as @pool's, with one reference; or NULL.
 */
struct page *bufpool_chunk_alloc(struct bufpool *pool, unsigned int size,
				 gfp_t gfp)
{
	struct page *page;

	page = alloc_pages((gfp & ~__GFP_ZERO) | __GFP_COMP, get_order(size));
	if (page)
		set_page_private(page, (unsigned long)pool | BUFPOOL_PAGE_TAG);
	return page;
}

/**
 * bufpool_chunk_free - give back a chunk whose only reference is ours
 * @page: its head page.
 *
 * Context: Any context.
 */
void bufpool_chunk_free(struct page *page)
{
	set_page_private(page, 0);
	__free_pages(page, compound_order(page));
}

/*
 * Points @c at @page (or at nothing, for a NULL @page), from its start, with
 * @bias references for the slices, in a new generation: a carve that an
 * interrupt doing this cut short on this CPU starts again.
 */
static void bufpool_chunk_start(struct bufpool_chunk *c, struct page *page,
				unsigned int size, unsigned int bias)
{
	u64 pos = READ_ONCE(c->pos);

	WRITE_ONCE(c->page, page);
	WRITE_ONCE(c->va, page ? page_address(page) : NULL);
	WRITE_ONCE(c->size, size);
	c->bias = bias;
	WRITE_ONCE(c->pos, (pos | (BUFPOOL_POS_GEN - 1)) + 1);
}

/*
 * Makes @page, which holds one reference, the chunk @c slices, and counts
 * it created.
 */
static void bufpool_chunk_begin(struct bufpool *pool, struct bufpool_chunk *c,
				struct page *page, unsigned int size)
{
	/*
	 * Every slice takes at least align bytes, so a chunk never has more
	 * than size / align of them: the bias cannot run out.
	 */
	unsigned int bias = size / pool->align + 1;

	page_ref_add(page, bias - 1);
	bufpool_chunk_start(c, page, size, bias);
	bufpool_count(pool, BUFPOOL_STAT_POOLS_CREATED, 1);
	bufpool_count(pool, BUFPOOL_STAT_POOLS_LIVE, 1);
	bufpool_count(pool, BUFPOOL_STAT_POOL_BYTES_LIVE, size);
}

/**
 * bufpool_chunk_install - make a new chunk the one being sliced
 * @pool: its pool.
 * @c: the slicing state to install it in, which holds no chunk.
 * @page: the chunk, from bufpool_chunk_alloc().
 * @size: its size.
 *
 * Context: Under the lock that protects @c.
 */
void bufpool_chunk_install(struct bufpool *pool, struct bufpool_chunk *c,
			   struct page *page, unsigned int size)
{
	/*
	 * Slices may hold the only pointer to other objects: let kmemleak
	 * scan the chunk, without ever reporting it.
	 */
	kmemleak_alloc(page_address(page), size, 0, GFP_ATOMIC);
	percpu_ref_get(&pool->ref);
	bufpool_chunk_begin(pool, c, page, size);
}

/**
 * bufpool_chunk_retire - stop slicing a chunk
 * @pool: its pool.
 * @c: the slicing state that holds it.
 *
 * Context: Under the lock that protects @c.
 * Return: The chunk when no slice is left in it, for the caller to release
 * with bufpool_chunk_release() outside the lock; otherwise NULL, and the
 * last bufpool_free() of a slice releases it.
 */
struct page *bufpool_chunk_retire(struct bufpool *pool,
				  struct bufpool_chunk *c)
{
	struct page *page = c->page;
	unsigned int bias = bufpool_chunk_bias(c);

	bufpool_chunk_start(c, NULL, 0, 0);

	/* Counted first, so that a racing last free never sees it negative. */
	bufpool_count(pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE, 1);
	if (!page_ref_sub_and_test(page, bias))
		return NULL;
	bufpool_count(pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE, -1);
	return page;
}

/* Counts and traces a chunk's release. */
static void bufpool_chunk_count_release(struct bufpool *pool,
					unsigned long size)
{
	trace_bufpool_pool_release(pool->name, size);
	bufpool_count(pool, BUFPOOL_STAT_POOLS_RELEASED, 1);
	bufpool_count(pool, BUFPOOL_STAT_POOLS_LIVE, -1);
	bufpool_count(pool, BUFPOOL_STAT_POOL_BYTES_LIVE, -size);
}

/*
 * Hands a chunk whose reference count is zero, no longer known to
 * kmemleak, to the page allocator.
 */
static void bufpool_chunk_give_back(struct bufpool *pool, struct page *page)
{
	/* The count is zero, so nobody holds or can take a reference. */
	set_page_count(page, 1);
	bufpool_chunk_free(page);
	percpu_ref_put(&pool->ref);
}

/**
 * bufpool_chunk_release - give back a chunk whose last reference is gone
 * @pool: its pool.
 * @page: its head page, with a reference count of zero.
 *
 * Context: Any context.
 */
void bufpool_chunk_release(struct bufpool *pool, struct page *page)
{
	bufpool_chunk_count_release(pool, page_size(page));
	kmemleak_free(page_address(page));
	bufpool_chunk_give_back(pool, page);
}

/* Spares kept per CPU for chunks of @size: 32 KB of them, at least one. */
static unsigned int bufpool_spares(unsigned long size)
{
	return clamp_t(unsigned long, SZ_32K / size, 1, BUFPOOL_SPARES);
}

/*
 * A CPU keeps a few released chunks as spares, 32 KB of them or one, and
 * slices them at its next rollovers, instead of taking a fresh one from the page allocator (which,
 * with init_on_alloc, zeroes it first): a workload that allocates slices
 * in batches and frees them later no longer pays a chunk's allocation and
 * zeroing per chunk it goes through. A spare is counted as released when
 * it is kept, and as created when it is sliced again.
 *
 * Called with the last reference to @page gone. Also from interrupts and
 * on any CPU: a slot is filled with cmpxchg(), against a rollover on
 * this CPU taking it (under the local lock) or bufpool_destroy() emptying
 * it from another CPU.
 */
static noinline void bufpool_chunk_dead(struct bufpool *pool,
					struct page *page)
{
	unsigned long size = page_size(page);
	struct page **slots;
	int i;

	bufpool_chunk_count_release(pool, size);
	/*
	 * Freed slices hold no references kmemleak should follow, and a
	 * stray free into the chunk is a foreign pointer until it is sliced
	 * again.
	 */
	kmemleak_free(page_address(page));
	set_page_private(page, 0);
	if (size != READ_ONCE(pool->pool_size) || READ_ONCE(pool->dying))
		goto give_back;
	/*
	 * Once the page is in a slot, its reference to the pool is not ours:
	 * bufpool_destroy() may take it and the pool go. The pool is freed
	 * only a grace period after bufpool_destroy(), so this holds it.
	 */
	rcu_read_lock();
	slots = raw_cpu_ptr(pool->pcpu)->spare;
	for (i = 0; i < bufpool_spares(size); i++)
		if (!cmpxchg(&slots[i], NULL, page))
			break;
	if (i == bufpool_spares(size)) {
		rcu_read_unlock();
		goto give_back;
	}
	/*
	 * The cmpxchg() orders this against bufpool_destroy(), which sets
	 * dying before it empties the slots: either it took the page, or we
	 * see dying and take it back ourselves.
	 */
	page = NULL;
	if (unlikely(READ_ONCE(pool->dying)))
		page = xchg(&slots[i], NULL);
	rcu_read_unlock();
	if (!page)
		return;
give_back:
	bufpool_chunk_give_back(pool, page);
}

/* Counts and traces what @c leaves unsliced when @size does not fit. */
static void bufpool_chunk_abandon(struct bufpool *pool,
				  struct bufpool_chunk *c, unsigned int size)
{
	unsigned int left = c->size - bufpool_chunk_offset(c);

	bufpool_count(pool, BUFPOOL_STAT_ABANDONED_BYTES, left);
	trace_bufpool_rollover(pool->name, c->size, left, size);
}

/*
 * Rollover of a chunk whose every slice is freed already, as page_frag
 * does it: slice it again from its start rather than retire it and take
 * (and, with init_on_alloc, zero) another. Counted as a release and a
 * creation, so that the gauges read as they would have. Under @c's lock.
 */
static bool bufpool_chunk_reuse(struct bufpool *pool, struct bufpool_chunk *c,
				unsigned int size)
{
	unsigned int bias = c->size / pool->align + 1;

	/*
	 * The count is the bias exactly when no slice is live: then no free
	 * can race with this. Frozen, not just read, so that a speculative
	 * reference (a pfn walker's get_page_unless_zero()) is not lost; the
	 * freeze also orders the frees before the slices to come.
	 */
	if (!page_ref_freeze(c->page, bufpool_chunk_bias(c)))
		return false;
	bufpool_chunk_abandon(pool, c, size);
	trace_bufpool_pool_release(pool->name, c->size);
	page_ref_unfreeze(c->page, bias);
	bufpool_chunk_start(c, c->page, c->size, bias);
	bufpool_count(pool, BUFPOOL_STAT_POOLS_RELEASED, 1);
	bufpool_count(pool, BUFPOOL_STAT_POOLS_CREATED, 1);
	return true;
}

/* A spare chunk of @pc's, or NULL. Under @pc's lock. */
static struct page *bufpool_spare_take(struct bufpool_cpu *pc)
{
	struct page *page;
	int i;

	for (i = BUFPOOL_SPARES - 1; i >= 0; i--) {
		if (!READ_ONCE(pc->spare[i]))
			continue;
		/* A free may fill it meanwhile, never empty it. */
		page = xchg(&pc->spare[i], NULL);
		if (page)
			return page;
	}
	return NULL;
}

/*
 * Retires @c's chunk, if it has one, when @size does not fit in it.
 * Under @c's lock. Return: as bufpool_chunk_retire().
 */
static struct page *bufpool_chunk_roll(struct bufpool *pool,
				       struct bufpool_chunk *c,
				       unsigned int size)
{
	if (!c->page)
		return NULL;
	bufpool_chunk_abandon(pool, c, size);
	return bufpool_chunk_retire(pool, c);
}

/*
 * Makes a spare, whose count is zero so that nobody else holds it, the
 * chunk @c slices: tagged, known to kmemleak and counted again as when
 * bufpool_chunk_install() starts a new one. It kept its pool reference
 * while it waited.
 */
static void bufpool_spare_revive(struct bufpool *pool, struct bufpool_chunk *c,
				 struct page *spare, unsigned int size)
{
	set_page_count(spare, 1);
	set_page_private(spare, (unsigned long)pool | BUFPOOL_PAGE_TAG);
	kmemleak_alloc(page_address(spare), size, 0, GFP_ATOMIC);
	bufpool_chunk_begin(pool, c, spare, size);
}

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
		bufpool_count(pool, BUFPOOL_STAT_PADDING_BYTES, next - end);
	return va + offset;
}

/*
 * Carves @size bytes from this CPU's chunk when they do not fit in what is
 * left of it: reuses the chunk, or slices a spare, or a new chunk from the
 * page allocator.
 */
static noinline void *bufpool_slice_rollover(struct bufpool *pool,
					     unsigned int size,
					     unsigned int pool_size, gfp_t gfp)
{
	struct page *fresh = NULL, *old = NULL, *spare;
	struct bufpool_chunk *c;
	struct bufpool_cpu *pc;
	unsigned long flags;
	void *buf;

	local_lock_irqsave(&pool->pcpu->lock, flags);
	pc = this_cpu_ptr(pool->pcpu);
	c = &pc->chunk;
	/* An interrupt may have started a chunk since the fast path looked. */
	buf = bufpool_carve(pool, c, size);
	if (buf)
		goto out;
	if (c->page && c->size == pool_size && bufpool_chunk_reuse(pool, c, size))
		goto carve;

	spare = bufpool_spare_take(pc);
	if (spare && page_size(spare) == pool_size) {
		old = bufpool_chunk_roll(pool, c, size);
		bufpool_spare_revive(pool, c, spare, pool_size);
		goto carve;
	}

	/* A new chunk. The page allocator may sleep: not under the lock. */
	local_unlock_irqrestore(&pool->pcpu->lock, flags);
	if (spare)	/* of a size pool_size no longer is */
		bufpool_chunk_give_back(pool, spare);
	fresh = bufpool_chunk_alloc(pool, pool_size, gfp);
	if (!fresh)
		return NULL;
	local_lock_irqsave(&pool->pcpu->lock, flags);
	/* Maybe another CPU now, maybe refilled meanwhile: look again. */
	c = this_cpu_ptr(&pool->pcpu->chunk);
	buf = bufpool_carve(pool, c, size);
	if (buf)
		goto out;
	old = bufpool_chunk_roll(pool, c, size);
	bufpool_chunk_install(pool, c, fresh, pool_size);
	fresh = NULL;
carve:
	/* size <= pool_size: it fits a chunk that starts. */
	buf = bufpool_carve(pool, c, size);
out:
	local_unlock_irqrestore(&pool->pcpu->lock, flags);

	/* Its last slice was freed since the look at its count. */
	if (unlikely(old))
		bufpool_chunk_dead(pool, old);
	if (unlikely(fresh))
		bufpool_chunk_free(fresh);
	return buf;
}

/*
 * Carves @size bytes from this CPU's chunk: the fast path. Preemption off
 * keeps it on this CPU; interrupts stay on, as the carve copes with them.
 * On PREEMPT_RT, where a rollover holds the local lock with preemption on,
 * a task that preempted it must wait for it: the fast path takes the lock.
 */
static __always_inline void *bufpool_slice(struct bufpool *pool,
					   unsigned int size,
					   unsigned int pool_size, gfp_t gfp)
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
		buf = bufpool_slice_rollover(pool, size, pool_size, gfp);
	return buf;
}

/* A buffer of its own: a kmalloc object with a header in front. */
static void *bufpool_direct_alloc(struct bufpool *pool, size_t size, gfp_t gfp,
				  unsigned long caller)
{
	struct bufpool_direct *hdr;
	size_t lead = sizeof(*hdr);
	void *base, *buf;

	if (!size)
		return ZERO_SIZE_PTR;
	if (unlikely(bufpool_should_fail(size)))
		return NULL;
	if (unlikely(gfp & BUFPOOL_BAD_ZONES)) {
		pr_warn_ratelimited("%ps: gfp %pGg: __GFP_DMA32 and __GFP_HIGHMEM cannot back a buffer\n",
				    (void *)caller, &gfp);
		return NULL;
	}
	if (pool->align > ARCH_KMALLOC_MINALIGN)
		lead += pool->align - ARCH_KMALLOC_MINALIGN;
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
	hdr->lead = buf - base;
	hdr->magic = BUFPOOL_DIRECT_MAGIC;
	percpu_ref_get(&pool->ref);
	bufpool_count(pool, BUFPOOL_STAT_DIRECT_LIVE, 1);
	return buf;
}

static void bufpool_direct_free(const void *buf, unsigned long caller)
{
	struct bufpool_direct *hdr = (struct bufpool_direct *)buf - 1;
	struct bufpool *pool = hdr->pool;

	if (WARN(hdr->magic != BUFPOOL_DIRECT_MAGIC,
		 "bufpool: %p is not a live bufpool buffer\n", buf))
		return;
	hdr->magic = 0;
	trace_bufpool_free(pool->name, caller, buf, false);
	bufpool_count(pool, BUFPOOL_STAT_FREES, 1);
	bufpool_count(pool, BUFPOOL_STAT_DIRECT_LIVE, -1);
	kfree((void *)buf - hdr->lead);
	percpu_ref_put(&pool->ref);
}

/*
 * allocUnsafe and from, every case: pooled below the threshold, direct
 * otherwise, zeroed if asked, debug pools, bad zones.
 */
static noinline void *bufpool_get_slow(struct bufpool *pool, size_t size,
				       gfp_t gfp, bool from,
				       unsigned long caller)
{
	unsigned int pool_size = READ_ONCE(pool->pool_size);
	bool zero = !from && ((gfp & __GFP_ZERO) ||
			      (READ_ONCE(pool->flags) & BUFPOOL_ZERO_FILL));
	enum bufpool_path path;
	void *buf;

	if (likely(size && size < bufpool_threshold(pool, pool_size) &&
		   !(gfp & GFP_ZONEMASK) &&
		   !(bufpool_debug_pool(pool) &&
		     bufpool_debug_too_big(pool, size, pool_size)))) {
		path = from ? BUFPOOL_PATH_FROM_POOLED :
			      BUFPOOL_PATH_UNSAFE_POOLED;
		if (unlikely(bufpool_should_fail(size)))
			buf = NULL;
		else if (bufpool_debug_pool(pool))
			buf = bufpool_debug_slice(pool, size, pool_size, gfp,
						  caller);
		else
			buf = bufpool_slice(pool, size, pool_size, gfp);
		if (zero && buf)
			memset(buf, 0, size);
	} else {
		path = from ? BUFPOOL_PATH_FROM_DIRECT :
			      BUFPOOL_PATH_UNSAFE_DIRECT;
		buf = bufpool_direct_alloc(pool, size,
					   zero ? gfp | __GFP_ZERO : gfp,
					   caller);
	}
	bufpool_count_call(pool, path, size, buf);
	trace_bufpool_alloc(pool->name, path, caller, buf, size, gfp);
	return buf;
}

/*
 * allocUnsafe and from: a slice of this CPU's chunk, with nothing to
 * zero, in a pool without debug mode. Anything else, bufpool_get_slow().
 */
static __always_inline void *bufpool_get(struct bufpool *pool, size_t size,
					 gfp_t gfp, bool from,
					 unsigned long caller)
{
	enum bufpool_path path = from ? BUFPOOL_PATH_FROM_POOLED :
					BUFPOOL_PATH_UNSAFE_POOLED;
	unsigned int pool_size = READ_ONCE(pool->pool_size);
	void *buf;

	might_alloc(gfp);
	/* With its tracepoint on, the slow path traces. */
	if (unlikely(!size || size >= bufpool_threshold(pool, pool_size) ||
		     (gfp & (GFP_ZONEMASK | __GFP_ZERO)) ||
		     (READ_ONCE(pool->flags) &
		      (BUFPOOL_ZERO_FILL | BUFPOOL_DEBUG)) ||
		     trace_bufpool_alloc_enabled()))
		return bufpool_get_slow(pool, size, gfp, from, caller);

	if (unlikely(bufpool_should_fail(size)))
		buf = NULL;
	else
		buf = bufpool_slice(pool, size, pool_size, gfp);
	bufpool_count_call(pool, path, size, buf);
	return buf;
}

/* bufpool_get() for the copies, whose memcpy() outweighs a call. */
static noinline void *bufpool_get_from(struct bufpool *pool, size_t size,
				       gfp_t gfp, unsigned long caller)
{
	return bufpool_get(pool, size, gfp, true, caller);
}

/* alloc and allocUnsafeSlow: always direct. */
static void *bufpool_get_direct(struct bufpool *pool, size_t size, gfp_t gfp,
				enum bufpool_path path, unsigned long caller)
{
	void *buf;

	might_alloc(gfp);
	buf = bufpool_direct_alloc(pool, size, gfp, caller);
	bufpool_count_call(pool, path, size, buf);
	trace_bufpool_alloc(pool->name, path, caller, buf, size, gfp);
	return buf;
}

static void *bufpool_copy(struct bufpool *pool, const void *src, size_t len,
			  gfp_t gfp, unsigned long caller)
{
	void *buf = bufpool_get_from(pool, len, gfp, caller);

	if (likely(!ZERO_OR_NULL_PTR(buf)))
		memcpy(buf, src, len);
	return buf;
}

static void *bufpool_copy_user(struct bufpool *pool, const void __user *src,
			       size_t len, unsigned long caller)
{
	void *buf = bufpool_get_from(pool, len, GFP_USER | __GFP_NOWARN,
				     caller);

	if (unlikely(!buf))
		return ERR_PTR(-ENOMEM);
	if (len && copy_from_user(buf, src, len)) {
		bufpool_free(buf);
		bufpool_count(pool, BUFPOOL_STAT_FAILURES, 1);
		return ERR_PTR(-EFAULT);
	}
	return buf;
}

/**
 * bufpool_pool_alloc - zeroed buffer from a pool, never sliced (Buffer.alloc)
 * @pool: the pool to count it in.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A zeroed buffer aligned to the pool's alignment, %ZERO_SIZE_PTR
 * when @size is 0, or NULL when memory is short or @size is larger than
 * kmalloc() can give. Free it with bufpool_free().
 */
void *bufpool_pool_alloc(struct bufpool *pool, size_t size, gfp_t gfp)
{
	return bufpool_get_direct(pool, size, gfp | __GFP_ZERO,
				  BUFPOOL_PATH_ALLOC, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_alloc, BUFPOOL_NS);

/**
 * bufpool_pool_alloc_unsafe - uninitialised buffer (Buffer.allocUnsafe)
 * @pool: the pool to slice it from.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * Sliced from the pool when 0 < @size < the pool's threshold and @gfp
 * names no zone; a buffer of its own otherwise. Its bytes are whatever was
 * there before, unless the pool zero-fills.
 *
 * Context: Any context in which kmalloc() with @gfp may be called: hardirq
 * included with %GFP_ATOMIC, but not on PREEMPT_RT, as for kmalloc().
 * Return: A buffer aligned to the pool's alignment, %ZERO_SIZE_PTR when
 * @size is 0, or NULL when memory is short or @size is larger than
 * kmalloc() can give. Free it with bufpool_free().
 */
void *bufpool_pool_alloc_unsafe(struct bufpool *pool, size_t size, gfp_t gfp)
{
	return bufpool_get(pool, size, gfp, false, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_alloc_unsafe, BUFPOOL_NS);

/**
 * bufpool_pool_alloc_unsafe_slow - uninitialised buffer of its own
 * @pool: the pool to count it in.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * Buffer.allocUnsafeSlow: never sliced from the pool, so it pins no chunk
 * however long it lives.
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A buffer aligned to the pool's alignment, %ZERO_SIZE_PTR when
 * @size is 0, or NULL when memory is short or @size is larger than
 * kmalloc() can give. Free it with bufpool_free().
 */
void *bufpool_pool_alloc_unsafe_slow(struct bufpool *pool, size_t size,
				     gfp_t gfp)
{
	if (READ_ONCE(pool->flags) & BUFPOOL_ZERO_FILL)
		gfp |= __GFP_ZERO;
	return bufpool_get_direct(pool, size, gfp, BUFPOOL_PATH_SLOW, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_alloc_unsafe_slow, BUFPOOL_NS);

/**
 * bufpool_pool_from - copy of kernel memory (Buffer.from)
 * @pool: the pool to slice it from.
 * @src: the bytes to copy.
 * @len: how many.
 * @gfp: allocation flags, as for kmalloc().
 *
 * Pooled by the same rule as bufpool_pool_alloc_unsafe().
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A buffer holding a copy of @src, %ZERO_SIZE_PTR when @len is 0,
 * or NULL when memory is short. Free it with bufpool_free().
 */
void *bufpool_pool_from(struct bufpool *pool, const void *src, size_t len,
			gfp_t gfp)
{
	return bufpool_copy(pool, src, len, gfp, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_from, BUFPOOL_NS);

/**
 * bufpool_pool_from_user - copy of user memory, as memdup_user()
 * @pool: the pool to slice it from.
 * @src: the user address to copy from.
 * @len: how many bytes.
 *
 * Pooled by the same rule as bufpool_pool_alloc_unsafe(); allocated with
 * %GFP_USER.
 *
 * Context: Process context. May sleep.
 * Return: A buffer holding the copy, %ZERO_SIZE_PTR when @len is 0,
 * ERR_PTR(-ENOMEM) when memory is short or ERR_PTR(-EFAULT) when @src
 * cannot be read. Free it with bufpool_free().
 */
void *bufpool_pool_from_user(struct bufpool *pool, const void __user *src,
			     size_t len)
{
	return bufpool_copy_user(pool, src, len, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_from_user, BUFPOOL_NS);

/**
 * bufpool_alloc - zeroed buffer, never pooled (Buffer.alloc)
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * bufpool_pool_alloc() on the default pool.
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A zeroed, 8-byte aligned buffer, %ZERO_SIZE_PTR when @size is 0,
 * or NULL. Free it with bufpool_free().
 */
void *bufpool_alloc(size_t size, gfp_t gfp)
{
	return bufpool_get_direct(bufpool_default, size, gfp | __GFP_ZERO,
				  BUFPOOL_PATH_ALLOC, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_alloc, BUFPOOL_NS);

/**
 * bufpool_alloc_unsafe - uninitialised buffer (Buffer.allocUnsafe)
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * bufpool_pool_alloc_unsafe() on the default pool: sliced from it when
 * 0 < @size < threshold (pool_size / 2 unless set), direct otherwise.
 *
 * Context: Any context in which kmalloc() with @gfp may be called: hardirq
 * included with %GFP_ATOMIC, but not on PREEMPT_RT, as for kmalloc().
 * Return: An 8-byte aligned buffer, %ZERO_SIZE_PTR when @size is 0, or
 * NULL. Free it with bufpool_free().
 */
void *bufpool_alloc_unsafe(size_t size, gfp_t gfp)
{
	return bufpool_get(bufpool_default, size, gfp, false, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_alloc_unsafe, BUFPOOL_NS);

/**
 * bufpool_alloc_unsafe_slow - uninitialised buffer of its own
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * bufpool_pool_alloc_unsafe_slow() on the default pool
 * (Buffer.allocUnsafeSlow).
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: An 8-byte aligned buffer, %ZERO_SIZE_PTR when @size is 0, or
 * NULL. Free it with bufpool_free().
 */
void *bufpool_alloc_unsafe_slow(size_t size, gfp_t gfp)
{
	if (READ_ONCE(bufpool_default->flags) & BUFPOOL_ZERO_FILL)
		gfp |= __GFP_ZERO;
	return bufpool_get_direct(bufpool_default, size, gfp,
				  BUFPOOL_PATH_SLOW, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_alloc_unsafe_slow, BUFPOOL_NS);

/**
 * bufpool_from - copy of kernel memory (Buffer.from)
 * @src: the bytes to copy.
 * @len: how many.
 * @gfp: allocation flags, as for kmalloc().
 *
 * bufpool_pool_from() on the default pool.
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A buffer holding a copy of @src, %ZERO_SIZE_PTR when @len is 0,
 * or NULL. Free it with bufpool_free().
 */
void *bufpool_from(const void *src, size_t len, gfp_t gfp)
{
	return bufpool_copy(bufpool_default, src, len, gfp, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_from, BUFPOOL_NS);

/**
 * bufpool_from_user - copy of user memory, as memdup_user()
 * @src: the user address to copy from.
 * @len: how many bytes.
 *
 * bufpool_pool_from_user() on the default pool.
 *
 * Context: Process context. May sleep.
 * Return: A buffer holding the copy, %ZERO_SIZE_PTR when @len is 0,
 * ERR_PTR(-ENOMEM) or ERR_PTR(-EFAULT). Free it with bufpool_free().
 */
void *bufpool_from_user(const void __user *src, size_t len)
{
	return bufpool_copy_user(bufpool_default, src, len, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_from_user, BUFPOOL_NS);

/*
 * bufpool_free(): a slice goes back to its chunk, a direct buffer to
 * kmalloc. @slow, for bufpool_free_slow(), adds what the fast path leaves
 * out: the tracepoint and debug mode.
 */
static __always_inline void bufpool_do_free(const void *buf,
					    unsigned long caller, bool slow)
{
	struct bufpool *pool;
	struct folio *folio;

	if (unlikely(ZERO_OR_NULL_PTR(buf)))
		return;
	if (slow && bufpool_debug_on() && bufpool_debug_free(buf, caller))
		return;
	folio = virt_to_folio(buf);
	pool = bufpool_owner(folio);
	if (!pool) {
		bufpool_direct_free(buf, caller);
		return;
	}
	if (slow)
		trace_bufpool_free(pool->name, caller, buf, true);
	bufpool_count(pool, BUFPOOL_STAT_SLICE_FREES, 1);
	/* Only a retired chunk can drop to zero: a current one holds a bias. */
	if (folio_ref_dec_and_test(folio)) {
		bufpool_count(pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE, -1);
		bufpool_chunk_dead(pool, &folio->page);
	}
}

static noinline void bufpool_free_slow(const void *buf, unsigned long caller)
{
	bufpool_do_free(buf, caller, true);
}

/**
 * bufpool_free - free a buffer from any bufpool path and pool
 * @buf: the buffer, NULL or %ZERO_SIZE_PTR.
 *
 * A slice goes back to its chunk, which is released with its last slice:
 * kept as a spare of this CPU's or given back to the page allocator. A
 * direct buffer is freed at once. The CPU need not be the one that
 * allocated it.
 *
 * Context: Any context in which kfree() may be called: hardirq included,
 * but not on PREEMPT_RT, as for kfree().
 * Return: Nothing.
 */
void bufpool_free(const void *buf)
{
	/* Traced out of line, so that off it keeps nothing busy here. */
	if (trace_bufpool_free_enabled() || bufpool_debug_on())
		bufpool_free_slow(buf, _RET_IP_);
	else
		bufpool_do_free(buf, _RET_IP_, false);
}
EXPORT_SYMBOL_NS_GPL(bufpool_free, BUFPOOL_NS);

/**
 * bufpool_backing_size - size of the memory behind a buffer
 * @buf: a buffer from bufpool.
 *
 * Node's buf.buffer.byteLength.
 *
 * Context: Any context.
 * Return: The chunk size (pool_size when it was created) for a pooled
 * buffer, the buffer's own size for a direct one, 0 for NULL or
 * %ZERO_SIZE_PTR.
 */
size_t bufpool_backing_size(const void *buf)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(buf))
		return 0;
	page = virt_to_head_page(buf);
	if (bufpool_chunk_owner(page))
		return page_size(page);
	return ((const struct bufpool_direct *)buf - 1)->size;
}
EXPORT_SYMBOL_NS_GPL(bufpool_backing_size, BUFPOOL_NS);

/**
 * bufpool_offset - where a buffer starts inside its pool chunk
 * @buf: a buffer from bufpool.
 *
 * Node's buf.byteOffset.
 *
 * Context: Any context.
 * Return: The offset in the chunk for a pooled buffer, 0 otherwise.
 */
size_t bufpool_offset(const void *buf)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(buf))
		return 0;
	page = virt_to_head_page(buf);
	if (!bufpool_chunk_owner(page))
		return 0;
	return buf - page_address(page);
}
EXPORT_SYMBOL_NS_GPL(bufpool_offset, BUFPOOL_NS);

/**
 * bufpool_is_pooled - whether a buffer was sliced from a pool chunk
 * @buf: a buffer from bufpool.
 *
 * Context: Any context.
 * Return: true for a slice, false for a direct buffer, NULL or
 * %ZERO_SIZE_PTR.
 */
bool bufpool_is_pooled(const void *buf)
{
	if (ZERO_OR_NULL_PTR(buf))
		return false;
	return bufpool_chunk_owner(virt_to_head_page(buf));
}
EXPORT_SYMBOL_NS_GPL(bufpool_is_pooled, BUFPOOL_NS);

/**
 * bufpool_check_params - validate a pool's resolved parameters
 * @p: parameters with every 0 default already filled in but threshold's.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL after saying which parameter is wrong.
 */
int bufpool_check_params(const struct bufpool_params *p)
{
	unsigned int unknown;

	if (!is_power_of_2(p->pool_size) || p->pool_size < PAGE_SIZE ||
	    p->pool_size > BUFPOOL_MAX_POOL_SIZE) {
		pr_err("pool_size %u: must be a power of two from %lu to %lu\n",
		       p->pool_size, PAGE_SIZE, BUFPOOL_MAX_POOL_SIZE);
		return -EINVAL;
	}
	if (!is_power_of_2(p->align) || p->align < BUFPOOL_DEFAULT_ALIGN ||
	    p->align > PAGE_SIZE) {
		pr_err("align %u: must be a power of two from %d to %lu\n",
		       p->align, BUFPOOL_DEFAULT_ALIGN, PAGE_SIZE);
		return -EINVAL;
	}
	if (p->threshold > p->pool_size + 1) {
		pr_err("threshold %u: must be at most pool_size + 1 (%u)\n",
		       p->threshold, p->pool_size + 1);
		return -EINVAL;
	}
	unknown = p->flags & ~(BUFPOOL_ZERO_FILL | BUFPOOL_DEBUG);
	if (unknown) {
		pr_err("flags %#x: unknown flags %#x\n", p->flags, unknown);
		return -EINVAL;
	}
	return 0;
}

static bool bufpool_name_ok(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strnlen(name, BUFPOOL_NAME_MAX);
	if (!len || len == BUFPOOL_NAME_MAX || !isalnum(name[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_-.", name[i]))
			return false;
	return true;
}

static struct bufpool *bufpool_find(const char *name)
{
	struct bufpool *pool;

	lockdep_assert_held(&bufpool_mutex);
	list_for_each_entry(pool, &bufpool_list, node)
		if (!strcmp(pool->name, name))
			return pool;
	return NULL;
}

static void bufpool_free_work(struct work_struct *work)
{
	struct bufpool *pool = container_of(work, struct bufpool, free_work);

	if (pool->flags & BUFPOOL_DEBUG)
		bufpool_debug_put();
	percpu_ref_exit(&pool->ref);
	free_percpu(pool->pcpu);
	kfree(pool);
}

/* The last chunk or direct buffer of a destroyed pool is gone. */
static void bufpool_ref_release(struct percpu_ref *ref)
{
	struct bufpool *pool = container_of(ref, struct bufpool, ref);

	queue_work(bufpool_wq, &pool->free_work);
}

/**
 * bufpool_create - create a named pool
 * @name: unique name of 1 to %BUFPOOL_NAME_MAX - 1 characters: letters,
 *	digits, '_', '-' and '.', starting with a letter or digit. It names
 *	the pool's directory in debugfs.
 * @params: the pool's shape, see struct bufpool_params; NULL for the
 *	defaults.
 *
 * Context: Process context. May sleep.
 * Return: The pool, ERR_PTR(-EINVAL) for a bad name or parameter,
 * ERR_PTR(-EEXIST) when the name is taken or ERR_PTR(-ENOMEM).
 */
struct bufpool *bufpool_create(const char *name,
			       const struct bufpool_params *params)
{
	struct bufpool_params p = {};
	struct bufpool *pool;
	int cpu, err;

	if (!bufpool_name_ok(name)) {
		pr_err("pool name \"%.*s\": use 1 to %d letters, digits, '_', '-' or '.', not starting with a symbol\n",
		       BUFPOOL_NAME_MAX, name ?: "(null)", BUFPOOL_NAME_MAX - 1);
		return ERR_PTR(-EINVAL);
	}
	if (params)
		p = *params;
	p.pool_size = p.pool_size ?: BUFPOOL_DEFAULT_POOL_SIZE;
	p.align = p.align ?: BUFPOOL_DEFAULT_ALIGN;
	err = bufpool_check_params(&p);
	if (err)
		return ERR_PTR(err);

	pool = kzalloc_obj(*pool, GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	strscpy(pool->name, name, sizeof(pool->name));
	pool->pool_size = p.pool_size;
	pool->threshold = p.threshold;
	pool->align = p.align;
	pool->flags = p.flags | (bufpool_debug_all ? BUFPOOL_DEBUG : 0);
	INIT_WORK(&pool->free_work, bufpool_free_work);
	spin_lock_init(&pool->debug.lock);
	INIT_LIST_HEAD(&pool->debug.chunks);

	err = -ENOMEM;
	pool->pcpu = alloc_percpu(struct bufpool_cpu);
	if (!pool->pcpu)
		goto err_free_pool;
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(pool->pcpu, cpu)->lock);
	err = percpu_ref_init(&pool->ref, bufpool_ref_release, 0, GFP_KERNEL);
	if (err)
		goto err_free_pcpu;

	mutex_lock(&bufpool_mutex);
	if (bufpool_find(name)) {
		mutex_unlock(&bufpool_mutex);
		pr_err("pool name \"%s\" is taken\n", name);
		err = -EEXIST;
		goto err_exit_ref;
	}
	list_add_tail(&pool->node, &bufpool_list);
	bufpool_debugfs_add(pool);
	mutex_unlock(&bufpool_mutex);
	if (pool->flags & BUFPOOL_DEBUG)
		bufpool_debug_get();
	return pool;

err_exit_ref:
	percpu_ref_exit(&pool->ref);
err_free_pcpu:
	free_percpu(pool->pcpu);
err_free_pool:
	kfree(pool);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(bufpool_create, BUFPOOL_NS);

/**
 * bufpool_destroy - destroy a named pool
 * @pool: the pool, or NULL or an ERR_PTR, which are ignored.
 *
 * No allocation from @pool may run during or after this call. Buffers
 * still live stay valid and may be freed later with bufpool_free(); the
 * pool's memory goes when the last of them does. Live buffers are
 * reported with pr_warn().
 *
 * Context: Process context. May sleep.
 * Return: Nothing.
 */
void bufpool_destroy(struct bufpool *pool)
{
	long slices, direct;
	struct page *page;
	int cpu, i;

	if (IS_ERR_OR_NULL(pool))
		return;

	mutex_lock(&bufpool_mutex);
	list_del(&pool->node);
	mutex_unlock(&bufpool_mutex);
	bufpool_debugfs_remove(pool);

	WRITE_ONCE(pool->dying, true);
	/* dying before the slots are emptied: see bufpool_chunk_dead(). */
	smp_mb();
	for_each_possible_cpu(cpu) {
		struct bufpool_cpu *pc = per_cpu_ptr(pool->pcpu, cpu);

		/* Already counted as released when they were kept. */
		for (i = 0; i < BUFPOOL_SPARES; i++) {
			page = xchg(&pc->spare[i], NULL);
			if (page)
				bufpool_chunk_give_back(pool, page);
		}
		if (!pc->chunk.page)
			continue;
		page = bufpool_chunk_retire(pool, &pc->chunk);
		if (page)
			bufpool_chunk_release(pool, page);
	}
	bufpool_debug_destroy(pool);

	slices = bufpool_stat_read(pool, BUFPOOL_STAT_SLICES_LIVE);
	direct = bufpool_stat_read(pool, BUFPOOL_STAT_DIRECT_LIVE);
	if (slices || direct) {
		pr_warn("pool %s destroyed with %ld live slices and %ld live direct buffers: their memory stays until they are freed\n",
			pool->name, slices, direct);
		/* Referenced from struct pages, which kmemleak does not scan. */
		kmemleak_not_leak(pool);
	}
	percpu_ref_kill(&pool->ref);
}
EXPORT_SYMBOL_NS_GPL(bufpool_destroy, BUFPOOL_NS);

/**
 * bufpool_core_init - create the workqueue and the default pool
 * @params: the default pool's parameters, from the module parameters.
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
int bufpool_core_init(const struct bufpool_params *params)
{
	struct bufpool *pool;

	bufpool_wq = alloc_workqueue("bufpool", WQ_UNBOUND, 0);
	if (!bufpool_wq)
		return -ENOMEM;
	pool = bufpool_create("default", params);
	if (IS_ERR(pool)) {
		destroy_workqueue(bufpool_wq);
		return PTR_ERR(pool);
	}
	bufpool_default = pool;
	return 0;
}

/**
 * bufpool_core_exit - destroy every pool left, then wait for their frees
 *
 * Context: Module exit. Pools with live buffers are reported and never
 * freed: their memory is still in use.
 */
void bufpool_core_exit(void)
{
	struct bufpool *pool;

	for (;;) {
		mutex_lock(&bufpool_mutex);
		pool = list_first_entry_or_null(&bufpool_list, struct bufpool,
						node);
		mutex_unlock(&bufpool_mutex);
		if (!pool)
			break;
		if (pool != bufpool_default)
			pr_warn("pool %s was not destroyed by its creator\n",
				pool->name);
		bufpool_destroy(pool);
	}
	bufpool_default = NULL;
	/* percpu_ref_kill() confirms in an RCU callback that may release. */
	rcu_barrier();
	destroy_workqueue(bufpool_wq);
}
