// SPDX-License-Identifier: GPL-2.0
/*
 * Chunk life. A chunk is a compound page allocation of pool_size bytes,
 * and goes through these transitions, each one function:
 *
 *   bufpool_chunk_alloc()     a page from the page allocator; it holds a
 *                             reference to its pool from here until it
 *                             goes back
 *   bufpool_chunk_start()     a fresh page or a spare becomes the chunk a
 *                             CPU slices: tagged, known to kmemleak,
 *                             counted live, with a bias of references
 *   bufpool_chunk_recycle()   a rollover over a chunk whose every slice is
 *                             freed slices it again from its start
 *   bufpool_chunk_retire()    a rollover, or the pool's end: the CPU stops
 *                             slicing it and drops the unused bias
 *   bufpool_chunk_release()   the last put: counted released, then kept as
 *                             a spare of its home CPU's (or this CPU's) or
 *                             given back, or left to another holder of its
 *                             page
 *
 * A chunk's slices are counted in its head page's ->index (chunk.h), not
 * in the page's reference count: bufpool holds one page reference from
 * the allocation to the release, and whoever else holds one (the network
 * stack, to which a driver handed a slice; a pfn walker) holds it apart.
 * A chunk is reused (recycled in place, kept as a spare) only when that
 * one reference is the only one; otherwise its release drops it, and the
 * page goes back to the page allocator with the last holder's put_page().
 *
 * A chunk's head page points back at its pool through ->private, tagged in
 * bit 0 (chunk.h), which is how bufpool_free() tells a slice from a direct
 * buffer, and records its home, the CPU that started it, in ->lru.prev
 * (bufpool_chunk_set_home()). Debug mode's hooks (debug.h) run at the
 * start, the retirement and the release.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/kmemleak.h>
#include <linux/rcupdate.h>

#include "chunk.h"
#include "debug.h"
#include "trace.h"

/* Each CPU's spare bytes in all pools; slots are emptied from any CPU. */
static DEFINE_PER_CPU(atomic_long_t, bufpool_cpu_spares);

/*
 * Counts @page into (@n = 1) or out of (@n = -1) @cpu's spares: the pool's
 * gauges and the CPU's bytes over all pools. In before it is in a slot, so
 * that whoever empties the slot counts it out after.
 *
 * Return: false, with nothing counted, when @page would take @cpu's
 * spares past BUFPOOL_CPU_SPARE_BYTES.
 */
static bool bufpool_chunk_count_spare(struct bufpool *pool, int cpu,
				      struct page *page, int n)
{
	atomic_long_t *held = per_cpu_ptr(&bufpool_cpu_spares, cpu);
	long bytes = n * (long)page_size(page);

	if (atomic_long_add_return(bytes, held) > BUFPOOL_CPU_SPARE_BYTES &&
	    n > 0) {
		atomic_long_sub(bytes, held);
		return false;
	}
	bufpool_count(pool, BUFPOOL_CNT_SPARE_POOLS, n);
	bufpool_count(pool, BUFPOOL_CNT_SPARE_BYTES, bytes);
	return true;
}

/*
 * Spare slots a CPU has for chunks of @size: BUFPOOL_POOL_SPARE_BYTES of
 * them, at least one. A chunk larger than BUFPOOL_CPU_SPARE_BYTES fills
 * none: bufpool_chunk_count_spare() refuses it.
 */
static unsigned int bufpool_spares(unsigned long size)
{
	/* A chunk's size is a power of two: a shift, not a division. */
	return clamp_t(unsigned long, BUFPOOL_POOL_SPARE_BYTES >> ilog2(size),
		       1, BUFPOOL_SPARES);
}

/* The references a chunk of @size takes for its slices when it starts. */
static unsigned int bufpool_chunk_full_bias(const struct bufpool *pool,
					    unsigned int size)
{
	/*
	 * Every slice takes at least align bytes, so a chunk never has more
	 * than size / align of them: the bias cannot run out.
	 */
	return size / pool->align + 1;
}

/**
 * bufpool_chunk_alloc - a new chunk from the page allocator
 * @pool: its pool.
 * @size: its size, a power of two of at least PAGE_SIZE.
 * @gfp: allocation flags.
 *
 * Context: As the page allocator with @gfp.
 * Return: The head page with one reference, holding one to @pool; or NULL,
 * which the caller's request does not fail for.
 */
struct page *bufpool_chunk_alloc(struct bufpool *pool, unsigned int size,
				 gfp_t gfp)
{
	struct page *page;

	/*
	 * Asked for as page_frag asks for its high-order page: never with
	 * the caller's __GFP_NOFAIL, which the page allocator refuses from
	 * order 2 on, nor from the memory reserves; without direct reclaim,
	 * not retried, quietly. A request that gets no chunk is served
	 * directly with the caller's flags (api.c). With __GFP_NOMEMALLOC
	 * the page allocator never ignores the watermarks for the chunk, so
	 * it is never a pfmemalloc page, which only such an allocation
	 * marks; a caller's __GFP_HIGH still lets it dip below the min
	 * watermark, as it lets page_frag's page.
	 */
	gfp &= ~(__GFP_ZERO | __GFP_NOFAIL | __GFP_DIRECT_RECLAIM);
	/*
	 * Nor as the caller's kind of memory: a chunk's slices belong to
	 * many callers, so it is charged to no memory cgroup (api.c sends a
	 * request to be charged direct) and grouped as unmovable,
	 * unreclaimable memory, whatever one caller's flags say.
	 */
	gfp &= ~(__GFP_ACCOUNT | __GFP_RECLAIMABLE);
	gfp |= __GFP_COMP | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC;
	/*
	 * From this CPU's node, whatever the task's memory policy: the chunk
	 * is this CPU's cache, as SLUB's per-CPU slabs are its node's. The
	 * node is preferred, not required: short of memory there, a chunk of
	 * the nearest node serves until it is full, as it would SLUB.
	 */
	page = alloc_pages_node(numa_mem_id(), gfp, get_order(size));
	if (!page)
		return NULL;
	percpu_ref_get(&pool->ref);
	return page;
}

/**
 * bufpool_chunk_free - give back a chunk that never started, or a spare
 * @pool: its pool, whose reference the chunk drops.
 * @page: its head page, with one reference (ours) or, a spare's, none.
 *
 * Context: Any context.
 */
void bufpool_chunk_free(struct bufpool *pool, struct page *page)
{
	/* A spare's count is zero: nobody holds or can take a reference. */
	if (!page_ref_count(page))
		page_ref_unfreeze(page, 1);
	__free_pages(page, compound_order(page));
	percpu_ref_put(&pool->ref);
}

/*
 * Points @c at @page from its start, with @bias references for the slices,
 * in a new generation: a carve that an interrupt doing this cut short on
 * this CPU starts again. Counted as a chunk created; debug mode lays it
 * out.
 */
static void bufpool_chunk_begin(struct bufpool *pool, struct bufpool_chunk *c,
				struct page *page, unsigned int bias)
{
	unsigned int size = page_size(page);

	/* The position holds any offset, and the slices of any chunk. */
	BUILD_BUG_ON(BIT(BUFPOOL_POS_OFFSET_BITS) <= BUFPOOL_MAX_POOL_SIZE);
	BUILD_BUG_ON(BIT(BUFPOOL_POS_TAKEN_BITS) <=
		     BUFPOOL_MAX_POOL_SIZE / BUFPOOL_DEFAULT_ALIGN + 1);
	BUILD_BUG_ON(BUFPOOL_POS_OFFSET_BITS + BUFPOOL_POS_TAKEN_BITS > 48);

	WRITE_ONCE(c->page, page);
	WRITE_ONCE(c->va, page_address(page));
	WRITE_ONCE(c->size, size);
	c->bias = bias;
	atomic_long_set(bufpool_chunk_refs(page_folio(page)), bias);
	bufpool_chunk_restart(c);
	bufpool_count(pool, BUFPOOL_CNT_POOLS_CREATED, 1);
	bufpool_count(pool, BUFPOOL_CNT_POOLS_LIVE, 1);
	bufpool_count(pool, BUFPOOL_CNT_POOL_BYTES_LIVE, size);
	bufpool_debug_chunk_started(pool, c);
}

/* Counts and traces a chunk's release; debug mode checks it all. */
static void bufpool_chunk_end(struct bufpool *pool, struct page *page)
{
	unsigned long size = page_size(page);

	trace_bufpool_pool_release(pool->name, size);
	bufpool_count(pool, BUFPOOL_CNT_POOLS_RELEASED, 1);
	bufpool_count(pool, BUFPOOL_CNT_POOLS_LIVE, -1);
	bufpool_count(pool, BUFPOOL_CNT_POOL_BYTES_LIVE, -size);
	bufpool_debug_chunk_released(pool, page);
}

/*
 * With init_on_free, a chunk whose slices are all freed is wiped before it
 * is sliced again (recycled in place, or kept as a spare): freed memory is
 * never handed out again as it was. bufpool knows no slice's size once it
 * is freed, so the wipe waits for the chunk's last free.
 */
static void bufpool_chunk_wipe(struct bufpool *pool, struct page *page)
{
	if (want_init_on_free())
		memset(page_address(page), 0, page_size(page));
}

/* Counts and traces what @c leaves unsliced when @request does not fit. */
static void bufpool_chunk_abandon(struct bufpool *pool,
				  struct bufpool_chunk *c,
				  unsigned int request)
{
	unsigned int left = c->size - bufpool_chunk_offset(c);

	bufpool_count(pool, BUFPOOL_CNT_ABANDONED_BYTES, left);
	trace_bufpool_rollover(pool->name, c->size, left, request);
}

/**
 * bufpool_chunk_spare_take - one of this CPU's spares
 * @pool: the pool.
 * @size: the chunk size wanted.
 *
 * A spare of another size, which pool_size was before a write to it, is
 * given back.
 *
 * Context: Under this CPU's lock of @pool.
 * Return: A spare of @size with one reference, for bufpool_chunk_start();
 * or NULL.
 */
struct page *bufpool_chunk_spare_take(struct bufpool *pool, unsigned int size)
{
	struct bufpool_cpu *pc = this_cpu_ptr(pool->pcpu);
	struct page *page;
	int i;

	bufpool_assert_slicing(pool, &pc->chunk);
	/*
	 * A spare is counted in before it is in a slot, and out after it
	 * left it: none counted on this CPU, in any pool, is none to look
	 * for, the common case of a rollover that goes to the page allocator.
	 */
	if (!atomic_long_read(this_cpu_ptr(&bufpool_cpu_spares)))
		return NULL;
	/* From the last; bufpool_chunk_spare_on() fills from the first. */
	for (i = BUFPOOL_SPARES - 1; i >= 0; i--) {
		if (!READ_ONCE(pc->spare[i]))
			continue;
		/* A release may fill it meanwhile, the shrinker empty it. */
		page = xchg(&pc->spare[i], NULL);
		if (!page)
			continue;
		bufpool_chunk_count_spare(pool, smp_processor_id(), page, -1);
		if (page_size(page) == size) {
			page_ref_unfreeze(page, 1);
			return page;
		}
		bufpool_chunk_free(pool, page);
	}
	return NULL;
}

/*
 * A chunk's home, the CPU that started it, whose spares it goes back to
 * once its slices are all freed (bufpool_chunk_spare()), in its head
 * page's ->lru.prev. ->lru is the page owner's to use (linux/mm_types.h);
 * its first word is left as the page allocator set it, where bit 0 reads
 * as a tail page and bit 1 as a page from the reserves
 * (page_is_pfmemalloc()), which the network stack asks of a page a driver
 * hands it. A debug pool lists its chunks through ->lru (debug.c): they
 * have no home, and go to the releasing CPU's spares.
 */
static void bufpool_chunk_set_home(struct bufpool *pool, struct page *page,
				   int cpu)
{
	if (!(READ_ONCE(pool->flags) & BUFPOOL_DEBUG))
		page->lru.prev = (void *)(unsigned long)cpu;
}

/* @page's home, or nr_cpu_ids where it has none. */
static unsigned int bufpool_chunk_home(struct bufpool *pool, struct page *page)
{
	if (READ_ONCE(pool->flags) & BUFPOOL_DEBUG)
		return nr_cpu_ids;
	return min_t(unsigned long, (unsigned long)page->lru.prev, nr_cpu_ids);
}

/**
 * bufpool_chunk_start - make a chunk the one this CPU slices
 * @pool: its pool.
 * @c: this CPU's slicing state, retired or never used.
 * @page: a chunk from bufpool_chunk_alloc() or bufpool_chunk_spare_take().
 *
 * Context: Under this CPU's lock of @pool.
 */
void bufpool_chunk_start(struct bufpool *pool, struct bufpool_chunk *c,
			 struct page *page)
{
	unsigned int bias = bufpool_chunk_full_bias(pool, page_size(page));

	bufpool_assert_slicing(pool, c);
	set_page_private(page, (unsigned long)pool | BUFPOOL_PAGE_TAG);
	bufpool_chunk_set_home(pool, page,
			       container_of(c, struct bufpool_cpu, chunk)->cpu);
	/*
	 * Slices may hold the only pointer to other objects: let kmemleak
	 * scan the chunk, without ever reporting it.
	 */
	kmemleak_alloc(page_address(page), page_size(page), 0, GFP_ATOMIC);
	bufpool_chunk_begin(pool, c, page, bias);
}

/**
 * bufpool_chunk_recycle - slice a chunk again whose every slice is freed
 * @pool: its pool.
 * @c: this CPU's slicing state.
 * @request: the size that did not fit.
 * @last: no other chunk could be had.
 *
 * A rollover as page_frag does it: rather than retire the chunk and take
 * (and, with init_on_alloc, zero) another, slice it again from its start.
 * Counted as a release and a creation, so the gauges read as they would.
 * Not while another holder of the page may still read what a slice held;
 * nor, under init_on_free, a chunk larger than a CPU's spares may be,
 * unless it is the @last chance: its wipe would keep interrupts off (this
 * CPU's lock) for too long. It is released instead, and the page
 * allocator wipes it outside the lock.
 *
 * Context: Under this CPU's lock of @pool.
 * Return: true when @c's chunk had no live slice and starts again.
 */
bool bufpool_chunk_recycle(struct bufpool *pool, struct bufpool_chunk *c,
			   unsigned int request, bool last)
{
	struct page *page = c->page;
	unsigned int bias;

	bufpool_assert_slicing(pool, c);
	if (!page)
		return false;
	if (!last && want_init_on_free() &&
	    page_size(page) > BUFPOOL_CPU_SPARE_BYTES)
		return false;
	/*
	 * The count is what the chunk holds for slices to come exactly when
	 * no slice is live: then no free can race with this, and nobody can
	 * take a page reference through a slice any more. Acquire: the frees
	 * come before the slices to come.
	 */
	if (atomic_long_read_acquire(bufpool_chunk_refs(page_folio(page))) !=
	    bufpool_chunk_bias(c))
		return false;
	/* Only bufpool's reference: nobody else reads what the slices held. */
	if (page_ref_count(page) != 1)
		return false;
	smp_acquire__after_ctrl_dep();
	bias = bufpool_chunk_full_bias(pool, page_size(page));
	bufpool_chunk_abandon(pool, c, request);
	bufpool_chunk_end(pool, page);
	bufpool_chunk_wipe(pool, page);
	bufpool_chunk_begin(pool, c, page, bias);
	return true;
}

/**
 * bufpool_chunk_retire - stop slicing a chunk
 * @pool: its pool.
 * @c: the slicing state that holds it.
 * @request: the size that did not fit, or 0 from bufpool_chunk_drain().
 *
 * Context: Under this CPU's lock of @pool, or in bufpool_chunk_drain():
 *	the pool is dying, or the CPU dead.
 * Return: The chunk when no slice is left in it, for the caller to pass to
 * bufpool_chunk_release() outside the lock; otherwise NULL, and the last
 * bufpool_free() of a slice releases it.
 */
struct page *bufpool_chunk_retire(struct bufpool *pool,
				  struct bufpool_chunk *c,
				  unsigned int request)
{
	struct page *page = c->page;
	unsigned int bias = bufpool_chunk_bias(c);

	bufpool_assert_slicing(pool, c);
	if (!page)
		return NULL;
	if (request)
		bufpool_chunk_abandon(pool, c, request);
	bufpool_debug_chunk_retired(pool, c);
	WRITE_ONCE(c->page, NULL);
	WRITE_ONCE(c->va, NULL);
	WRITE_ONCE(c->size, 0);
	bufpool_chunk_restart(c);	/* nothing fits a chunk of size 0 */

	/* Counted first, so that a racing last put never sees it negative. */
	bufpool_count(pool, BUFPOOL_CNT_RETIRED_POOLS_LIVE, 1);
	if (!atomic_long_sub_and_test(bias, bufpool_chunk_refs(page_folio(page))))
		return NULL;
	bufpool_count(pool, BUFPOOL_CNT_RETIRED_POOLS_LIVE, -1);
	return page;
}

/**
 * bufpool_chunk_drop_spares - give back a CPU's spares
 * @pool: their pool.
 * @cpu: the CPU whose slots are emptied.
 * @pages: give back spares until this many pages went, or all.
 * @reclaim: for the shrinker: counted in spares_reclaimed.
 *
 * Context: Any context: a slot is emptied with xchg(), against the CPU
 * filling or taking it.
 * Return: The pages given back.
 */
unsigned long bufpool_chunk_drop_spares(struct bufpool *pool, int cpu,
					unsigned long pages, bool reclaim)
{
	struct page **slots = per_cpu_ptr(pool->pcpu, cpu)->spare;
	unsigned long freed = 0;
	struct page *page;
	int i;

	/* From the last; bufpool_chunk_spare_on() fills from the first. */
	for (i = BUFPOOL_SPARES - 1; i >= 0 && freed < pages; i--) {
		if (!READ_ONCE(slots[i]))
			continue;
		page = xchg(&slots[i], NULL);
		if (!page)
			continue;
		freed += compound_nr(page);
		bufpool_chunk_count_spare(pool, cpu, page, -1);
		if (reclaim)
			bufpool_count(pool, BUFPOOL_CNT_SPARES_RECLAIMED, 1);
		bufpool_chunk_free(pool, page);
	}
	return freed;
}

/**
 * bufpool_chunk_spare_pages - the pages a node's CPUs keep as spares
 * @nid: the node.
 *
 * A CPU keeps spares of its own node only (bufpool_chunk_spare()), so the
 * spares of @nid are those of the CPUs whose memory is there.
 *
 * Context: Any context.
 * Return: The pages of those spares in all pools, for the shrinker.
 */
unsigned long bufpool_chunk_spare_pages(int nid)
{
	long bytes = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		if (cpu_to_mem(cpu) == nid)
			bytes += atomic_long_read(per_cpu_ptr(&bufpool_cpu_spares,
							      cpu));
	return bytes > 0 ? bytes >> PAGE_SHIFT : 0;
}

/*
 * Keeps @page, released, in one of @cpu's spare slots, when @cpu is online
 * and of @page's node: 128 KB of them or one per pool, 256 KB in all
 * pools. @cpu's next rollovers slice them rather than take a fresh chunk
 * from the page allocator (which, with init_on_alloc, zeroes it first).
 * From any context and on any CPU: a slot is filled with cmpxchg(),
 * against a rollover on @cpu taking it (under the local lock), or
 * bufpool_destroy(), the shrinker or the CPU hotplug callback emptying it
 * from another CPU. Under init_on_free the page is wiped before it is in a
 * slot, once: @wiped says it was.
 *
 * Return: true when it was kept, or given back here because the pool is
 * dying or @cpu went offline; false when the caller must keep it
 * elsewhere or give it back.
 */
static bool bufpool_chunk_spare_on(struct bufpool *pool, struct page *page,
				   int cpu, bool *wiped)
{
	unsigned int i, n = bufpool_spares(page_size(page));
	struct page **slots;
	bool kept = false;

	if (!cpu_online(cpu))
		return false;
	/* A chunk of another node goes back: @cpu would slice it remote. */
	if (page_to_nid(page) != cpu_to_mem(cpu))
		return false;
	/*
	 * Every slot full, the common case in a burst of releases, in one
	 * look: slots fill from the first, and rollovers and the shrinker
	 * empty them from the last, so that those in use are the first few
	 * and the last is in use only when all are. A race may leave a hole
	 * below it for a while: a chunk given back, not kept, never one leaked.
	 */
	slots = per_cpu_ptr(pool->pcpu, cpu)->spare;
	if (READ_ONCE(slots[n - 1]))
		return false;
	if (!bufpool_chunk_count_spare(pool, cpu, page, 1))
		return false;
	if (!*wiped)
		bufpool_chunk_wipe(pool, page);
	*wiped = true;
	/*
	 * Once the page is in a slot, its reference to the pool is not ours:
	 * bufpool_destroy() or the shrinker may take it and the pool go. An
	 * RCU reader that looks at dying before it fills a slot holds it:
	 * either the reader began after bufpool_destroy() set dying and
	 * waited for a grace period, and sees dying; or bufpool_destroy()
	 * waits for the reader before it drains the slots and kills the
	 * pool's reference, which until then no put can release.
	 */
	rcu_read_lock();
	for (i = 0; !READ_ONCE(pool->dying) && i < n; i++) {
		/* Full slots are passed over without a locked instruction. */
		if (READ_ONCE(slots[i]) || cmpxchg(&slots[i], NULL, page))
			continue;
		/*
		 * The cmpxchg() orders this against bufpool_destroy(), which
		 * sets dying before it empties the slots: either it took the
		 * page, or we see dying and give back what the slot holds.
		 * The same against the CPU hotplug callback that drains
		 * @cpu once it is offline, which it may have gone since
		 * cpu_online() above (and this task, when @cpu is its own,
		 * may have left it): bufpool_cpu_dead().
		 */
		if (unlikely(READ_ONCE(pool->dying) || !cpu_online(cpu)))
			bufpool_chunk_drop_spares(pool, cpu, ULONG_MAX, false);
		kept = true;
		break;
	}
	if (!kept)
		bufpool_chunk_count_spare(pool, cpu, page, -1);
	rcu_read_unlock();
	return kept;
}

/*
 * Keeps @page, released, as a spare of its home, the CPU that sliced it,
 * whose rollovers want chunks, wherever its last slice was freed: a CPU
 * that frees what another allocates, as a consumer of a producer's
 * buffers, would fill its own slots and never slice them, and its
 * producer would take every chunk from the page allocator. As page_pool
 * takes back pages freed on any CPU. When the home is offline, on another
 * node than the page, or has no room, it is this CPU's spare if it can be.
 *
 * Return: true when it was kept (or given back, as bufpool_chunk_spare_on()
 * says); false when the caller must give it back.
 */
static bool bufpool_chunk_spare(struct bufpool *pool, struct page *page)
{
	unsigned int home = bufpool_chunk_home(pool, page);
	int cpu = raw_smp_processor_id();
	bool wiped = false;

	/* Until the page is in a slot, its reference holds the pool. */
	if (page_size(page) != READ_ONCE(pool->pool_size) ||
	    READ_ONCE(pool->dying))
		return false;
	if (home < nr_cpu_ids && home != cpu &&
	    bufpool_chunk_spare_on(pool, page, home, &wiped))
		return true;
	return bufpool_chunk_spare_on(pool, page, cpu, &wiped);
}

/*
 * The last put of @page's slices: counted as released, then kept as a
 * spare when @keep and it can be (bufpool_chunk_spare()), or given back;
 * or left to another holder of the page.
 */
static void bufpool_chunk_let_go(struct bufpool *pool, struct page *page,
				 bool keep)
{
	bufpool_chunk_end(pool, page);
	/*
	 * Freed slices hold no references kmemleak should follow, and a
	 * stray free into the chunk is a foreign pointer until it starts
	 * again.
	 */
	kmemleak_free(page_address(page));
	set_page_private(page, 0);
	/*
	 * Frozen, bufpool's reference is the only one and nobody can take
	 * another: the page is bufpool's to keep. Otherwise it is no longer
	 * bufpool's at all, and what the slices held stays as it was.
	 */
	if (!page_ref_freeze(page, 1)) {
		bufpool_count(pool, BUFPOOL_CNT_POOLS_LEFT_TO_HOLDERS, 1);
		put_page(page);
		percpu_ref_put(&pool->ref);
		return;
	}
	/* Given back, the page allocator wipes it itself if it must. */
	if (!keep || !bufpool_chunk_spare(pool, page))
		bufpool_chunk_free(pool, page);
}

/**
 * bufpool_chunk_release - the last put of a chunk's slices
 * @pool: its pool.
 * @page: its head page, retired, whose count of slices is zero.
 *
 * Counted as released, it is kept as a spare of its home CPU's or of this
 * CPU's, or given back to the page allocator; or, while another holder has
 * a reference to the page, left to that holder, whose last put_page()
 * frees it.
 *
 * Context: Any context.
 */
noinline void bufpool_chunk_release(struct bufpool *pool, struct page *page)
{
	bufpool_chunk_let_go(pool, page, true);
}

/**
 * bufpool_chunk_drain - give back a CPU's chunks
 * @pool: the pool.
 * @cpu: the CPU whose spares go back and whose chunk is retired: its pool
 *	is dying, or it is dead.
 *
 * Its chunk, when no slice of it is live, and its spares go back to the
 * page allocator, not to another CPU's spares.
 *
 * Context: Process context: in bufpool_destroy(), or in the CPU hotplug
 * callback once @cpu is dead. Nothing slices @cpu's chunk meanwhile, nor
 * frees into it without an atomic (slice.h).
 */
void bufpool_chunk_drain(struct bufpool *pool, int cpu)
{
	struct page *page;

	/* Already counted as released when they were kept. */
	bufpool_chunk_drop_spares(pool, cpu, ULONG_MAX, false);
	page = bufpool_chunk_retire(pool, &per_cpu_ptr(pool->pcpu, cpu)->chunk,
				    0);
	if (page)
		bufpool_chunk_let_go(pool, page, false);
}
