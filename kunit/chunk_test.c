// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for bufpool/chunk.c: a chunk's life where the rest of the
 * kernel takes part. Other holders of a slice's page (the network stack a
 * driver hands it to, a pfn walker's speculative reference); CPU hotplug;
 * memory pressure; NUMA, and the CPU a chunk's last free sends it to.
 *
 * Each case uses a fresh named pool and stays on one CPU
 * (migrate_disable()), so that it knows which chunk a slice lands in.
 */
#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/cpu.h>
#include <linux/mm.h>
#include <linux/workqueue.h>
#include <linux/sched.h>
#include <linux/shrinker.h>

#include "pool.h"
#include "util.h"

#define POOL_NAME	"kunit-chunk"

/* A chunk of the default size: 8 KB, or a page where pages are larger. */
#define CHUNK		BUFPOOL_DEFAULT_POOL_SIZE
/* Two of these fit a chunk, with 192 bytes left: 4000 at 8 KB. */
#define HALF		(CHUNK / 2 - 96)
/* Two of these fit a chunk, with 16 bytes left: 4088 at 8 KB. */
#define SPARE_SLICE	(CHUNK / 2 - 8)
/*
 * The spares a CPU keeps per pool for default chunks (bufpool_spares()):
 * sixteen with 4 KB pages, two with 64 KB pages.
 */
#define SPARES		clamp_t(unsigned long, BUFPOOL_POOL_SPARE_BYTES / CHUNK, \
				1, BUFPOOL_SPARES)

static int chunk_pool_init(struct kunit *test)
{
	struct bufpool *pool = bufpool_create(POOL_NAME, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	test->priv = pool;
	return 0;
}

static void chunk_pool_exit(struct kunit *test)
{
	bufpool_destroy(test->priv);
}

/* -- Other holders of a slice's page ------------------------------------ */

/*
 * Slices a and b of HALF bytes, one chunk, on this CPU (the caller keeps
 * it there); a filled with 0x5a and its page lent to a holder (get_page(),
 * as the network stack takes a fragment); then a freed. Return: the page,
 * or NULL when a slice could not be had.
 */
static struct page *lend_and_free(struct bufpool *pool, u8 **b)
{
	u8 *a = bufpool_pool_alloc_unsafe(pool, HALF, GFP_KERNEL);
	struct page *page;

	*b = bufpool_pool_alloc_unsafe(pool, HALF, GFP_KERNEL);
	if (!a || !*b || virt_to_head_page(a) != virt_to_head_page(*b)) {
		bufpool_free(a);
		return NULL;
	}
	memset(a, 0x5a, HALF);
	page = virt_to_head_page(a);
	get_page(page);
	bufpool_free(a);
	return page;
}

/*
 * Somebody else holds a's page when a retired chunk's last slice is freed:
 * bufpool's books close as for any release, the chunk is not kept as a
 * spare, and the page is left to that holder, bytes intact, with
 * bufpool's reference dropped.
 */
static void holder_outlives_slices(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	struct bufpool_stats before, after;
	struct page *page;
	u8 *b, *c;

	migrate_disable();
	page = lend_and_free(pool, &b);
	/* 200 more do not fit: b's chunk is retired, b still live. */
	c = bufpool_pool_alloc_unsafe(pool, 200, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_PTR_NE(test, virt_to_head_page(c), page);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE), 1);

	bufpool_get_stats(pool, &before);
	bufpool_free(b);
	bufpool_get_stats(pool, &after);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_RELEASED), 1);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_LEFT_TO_HOLDERS), 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_POOLS], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_POOL_BYTES_LIVE], CHUNK);
	/* Ours is the only reference left, and the page is nobody's slice. */
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(page_address(page)));
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(page_address(page), 0x5a, HALF));
	/* The last put frees it: DEBUG_PAGEALLOC unmaps it, kmemleak forgets. */
	put_page(page);
	bufpool_free(c);
}

/*
 * A rollover over a chunk whose slices are all freed does not slice it
 * again in place while somebody else holds its page: what they read stays
 * as it was, and the chunk goes to them. A holder that let go first
 * leaves nothing behind: the chunk is sliced again in place.
 */
static const bool holder_rows[] = { true, false };

static void holder_row_desc(const bool *held, char *desc)
{
	strscpy(desc, *held ? "page still held" : "holder gone first",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(holder, holder_rows, holder_row_desc);

static void holder_blocks_recycle(struct kunit *test)
{
	const bool held = *(const bool *)test->param_value;
	struct bufpool *pool = test->priv;
	struct bufpool_stats before, after;
	struct page *page;
	u8 *b, *c;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	migrate_disable();
	page = lend_and_free(pool, &b);
	if (page && !held)
		put_page(page);
	/* Elsewhere: freed on this CPU, the last slice would rewind it. */
	KUNIT_EXPECT_GE(test, bp_free_elsewhere(b, smp_processor_id()), 0);
	bufpool_get_stats(pool, &before);
	c = bufpool_pool_alloc_unsafe(pool, 200, GFP_KERNEL);
	bufpool_get_stats(pool, &after);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_RELEASED), 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_POOLS_LIVE], 1);
	if (!held) {
		KUNIT_EXPECT_PTR_EQ(test, (void *)c, page_address(page));
		KUNIT_EXPECT_EQ(test, BP_DELTA(after, before,
					       POOLS_LEFT_TO_HOLDERS), 0);
		bufpool_free(c);
		return;
	}
	KUNIT_EXPECT_PTR_NE(test, virt_to_head_page(c), page);
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(page_address(page), 0x5a, HALF));
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_LEFT_TO_HOLDERS), 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_POOLS], 0);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	put_page(page);
	bufpool_free(c);
}

/*
 * Run on one CPU with work_on_cpu(): a, b and then c, which rolls over, so
 * that a and b's chunk is retired; and the frees of a and b, which
 * release it on the CPU they run on.
 */
struct on_cpu {
	struct bufpool *pool;
	u8 *a, *b, *c;
};

static long on_cpu_fill(void *arg)
{
	struct on_cpu *on = arg;

	on->a = bufpool_pool_alloc_unsafe(on->pool, HALF, GFP_KERNEL);
	on->b = bufpool_pool_alloc_unsafe(on->pool, HALF, GFP_KERNEL);
	on->c = bufpool_pool_alloc_unsafe(on->pool, 200, GFP_KERNEL);
	return on->a && on->b && on->c ? 0 : -ENOMEM;
}

static long on_cpu_free(void *arg)
{
	struct on_cpu *on = arg;

	bufpool_free(on->a);
	bufpool_free(on->b);
	return 0;
}

/*
 * A CPU going offline gives back, in every pool, its spares and its
 * current chunk (retired: a live slice keeps it until its free), and
 * slices a fresh chunk when it is back.
 */
static void cpu_offline_gives_back(struct kunit *test)
{
	struct on_cpu on = { .pool = test->priv };
	struct bufpool_stats mid, after;
	const unsigned int cpu = 1;
	int err;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || !cpu_online(cpu))
		kunit_skip(test, "CPU %u cannot go offline here", cpu);
	/* A spare of CPU 1's, and its current chunk, holding c. */
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, on_cpu_fill, &on), 0);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, on_cpu_free, &on), 0);
	bufpool_get_stats(on.pool, &mid);
	KUNIT_EXPECT_EQ(test, mid.v[BUFPOOL_STAT_SPARE_POOLS], 1);
	KUNIT_EXPECT_EQ(test, mid.v[BUFPOOL_STAT_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, mid.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 0);

	err = remove_cpu(cpu);
	if (err) {
		bufpool_free(on.c);
		kunit_skip(test, "remove_cpu(%u): %d", cpu, err);
	}
	bufpool_get_stats(on.pool, &after);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_POOLS], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_BYTES], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_POOLS_LIVE], 1);
	/* The slice is intact, and its free releases the chunk. */
	memset(on.c, 0x3c, 200);
	bufpool_free(on.c);
	KUNIT_EXPECT_EQ(test, bp_stat(on.pool, BUFPOOL_STAT_POOLS_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(on.pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE), 0);

	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, on_cpu_fill, &on), 0);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(on.a));
	KUNIT_EXPECT_EQ(test, bp_stat(on.pool, BUFPOOL_STAT_POOLS_LIVE), 2);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, on_cpu_free, &on), 0);
	bufpool_free(on.c);
}

/* -- Memory pressure ------------------------------------------------------ */

#define DROP_CACHES	"/proc/sys/vm/drop_caches"

/*
 * Releases @n chunks of @pool on this CPU, two slices of each freed after
 * its rollover, so that they become spares as far as the caps let them;
 * the current chunk's two slices stay live, in @live.
 */
static void make_spares(struct kunit *test, struct bufpool *pool, int n,
			void *live[2])
{
	void **bufs = kunit_kcalloc(test, 2 * n, sizeof(*bufs), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, bufs);
	migrate_disable();
	for (i = 0; i < 2 * n; i++)
		bufs[i] = bufpool_pool_alloc_unsafe(pool, SPARE_SLICE, GFP_KERNEL);
	live[0] = bufpool_pool_alloc_unsafe(pool, SPARE_SLICE, GFP_KERNEL);
	live[1] = bufpool_pool_alloc_unsafe(pool, SPARE_SLICE, GFP_KERNEL);
	for (i = 0; i < 2 * n; i++)
		bufpool_free(bufs[i]);
	migrate_enable();
	for (i = 0; i < 2 * n; i++)
		KUNIT_EXPECT_NOT_NULL(test, bufs[i]);
	KUNIT_EXPECT_NOT_NULL(test, live[0]);
	KUNIT_EXPECT_NOT_NULL(test, live[1]);
}

/*
 * drop_caches, as reclaim, calls bufpool's shrinker: every spare goes back
 * to the page allocator, counted; chunks with live slices stay. Of three
 * chunks released, the pool keeps as many as it may: all three with 4 KB
 * pages, two with 64 KB pages.
 */
static void drop_caches_takes_spares(struct kunit *test)
{
	const u64 kept = min_t(unsigned long, 3, SPARES);
	struct bufpool *pool = test->priv;
	struct bufpool_stats mid, after;
	void *live[2], *again;

	make_spares(test, pool, 3, live);
	bufpool_get_stats(pool, &mid);
	KUNIT_EXPECT_EQ(test, mid.v[BUFPOOL_STAT_SPARE_POOLS], kept);
	KUNIT_ASSERT_EQ(test, bp_write_file(DROP_CACHES, "2"), 0);
	bufpool_get_stats(pool, &after);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_POOLS], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_BYTES], 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, mid, SPARES_RECLAIMED), kept);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_POOL_BYTES_LIVE], CHUNK);
	/* The pool slices on, from fresh chunks. */
	again = bufpool_pool_alloc_unsafe(pool, SPARE_SLICE, GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(again));
	bufpool_free(again);
	bufpool_free(live[0]);
	bufpool_free(live[1]);
}

/*
 * However many pools there are, a CPU keeps BUFPOOL_CPU_SPARE_BYTES of
 * spares in all of them together (256 KB): pools that would each keep
 * BUFPOOL_POOL_SPARE_BYTES (128 KB),
 * one more of them than the bound holds (three), keep just the bound.
 */
static void spares_bound_per_cpu(struct kunit *test)
{
	/* What one pool keeps: SPARES chunks, BUFPOOL_POOL_SPARE_BYTES. */
	const u64 cap = SPARES * CHUNK;
	const int n = BUFPOOL_CPU_SPARE_BYTES / cap + 1;
	struct bufpool **pools = kunit_kcalloc(test, n, sizeof(*pools),
					       GFP_KERNEL);
	void *(*live)[2] = kunit_kcalloc(test, n, sizeof(*live), GFP_KERNEL);
	char name[BUFPOOL_NAME_MAX];
	u64 bytes = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pools);
	KUNIT_ASSERT_NOT_NULL(test, live);
	KUNIT_ASSERT_EQ(test, cap, BUFPOOL_POOL_SPARE_BYTES);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "kunit-b%d", i);
		pools[i] = bufpool_create(name, NULL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pools[i]);
	}
	/* No spare of any pool left on any CPU: the bound is all theirs. */
	KUNIT_ASSERT_EQ(test, bp_write_file(DROP_CACHES, "2"), 0);
	/* Each releases a chunk more than it may keep. */
	migrate_disable();
	for (i = 0; i < n; i++)
		make_spares(test, pools[i], SPARES + 1, live[i]);
	migrate_enable();
	for (i = 0; i < n; i++) {
		u64 b = bp_stat(pools[i], BUFPOOL_STAT_SPARE_BYTES);

		kunit_info(test, "%s keeps %llu bytes of spares\n",
			   pools[i]->name, b);
		KUNIT_EXPECT_LE(test, b, cap);
		bytes += b;
	}
	KUNIT_EXPECT_EQ(test, bytes, BUFPOOL_CPU_SPARE_BYTES);
	for (i = 0; i < n; i++) {
		bufpool_free(live[i][0]);
		bufpool_free(live[i][1]);
		bufpool_destroy(pools[i]);
	}
}

/* -- NUMA, and the CPU a chunk goes home to ------------------------------ */

/* The CPU whose spare slots in @pool hold @page, or -1. */
static int spare_cpu_of(struct bufpool *pool, struct page *page)
{
	int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < BUFPOOL_SPARES; i++)
			if (READ_ONCE(per_cpu_ptr(pool->pcpu, cpu)->spare[i]) ==
			    page)
				return cpu;
	return -1;
}

/* Two online CPUs of one node (@same) or of two; false if there are none. */
static bool cpu_pair(bool same, int *home, int *other)
{
	int a, b;

	for_each_online_cpu(a)
		for_each_online_cpu(b)
			if (a != b && (cpu_to_mem(a) == cpu_to_mem(b)) == same) {
				*home = a;
				*other = b;
				return true;
			}
	return false;
}

/* Two CPUs on different nodes, or the case is skipped. */
static void numa_cpus(struct kunit *test, int *near, int *far)
{
	if (num_online_nodes() < 2 || !cpu_pair(false, near, far))
		kunit_skip(test, "needs two CPUs on two nodes");
}

static const bool home_rows[] = { false, true };

static void home_row_desc(const bool *same, char *desc)
{
	strscpy(desc, *same ? "freed on its node" : "freed on another node",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(home, home_rows, home_row_desc);

/*
 * A chunk comes from the node of the CPU that slices it, its home, and its
 * last slice freed on another CPU, of that node or another, makes it a
 * spare of its home: of the CPU whose rollovers want chunks, not of the
 * one that only frees (which, of another node, would slice it remote).
 * The home's next rollover slices it.
 */
static void chunk_goes_home(struct kunit *test)
{
	const bool same = *(const bool *)test->param_value;
	struct on_cpu w = { .pool = test->priv }, again = { .pool = test->priv };
	struct bufpool_stats before, after;
	struct page *page;
	int home, other;

	if (!cpu_pair(same, &home, &other))
		kunit_skip(test, "needs two CPUs %s", same ? "of one node" :
			   "of two nodes");
	KUNIT_ASSERT_EQ(test, work_on_cpu(home, on_cpu_fill, &w), 0);
	page = virt_to_head_page(w.a);
	KUNIT_EXPECT_EQ(test, page_to_nid(page), cpu_to_mem(home));
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_SPARE_POOLS), 0);

	bufpool_get_stats(w.pool, &before);
	KUNIT_ASSERT_EQ(test, work_on_cpu(other, on_cpu_free, &w), 0);
	bufpool_get_stats(w.pool, &after);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_RELEASED), 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_POOLS], 1);
	KUNIT_EXPECT_EQ(test, spare_cpu_of(w.pool, page), home);

	/* c's chunk takes a, not b: b's rollover takes the spare. */
	KUNIT_ASSERT_EQ(test, work_on_cpu(home, on_cpu_fill, &again), 0);
	KUNIT_EXPECT_PTR_EQ(test, virt_to_head_page(again.b), page);
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_SPARE_POOLS), 0);
	KUNIT_EXPECT_EQ(test, spare_cpu_of(w.pool, page), -1);
	bufpool_free(w.c);
	KUNIT_EXPECT_EQ(test, work_on_cpu(home, on_cpu_free, &again), 0);
	bufpool_free(again.c);
}

/*
 * A chunk whose home went offline is a spare of the CPU that frees its
 * last slice, when that CPU is of its node; otherwise it goes back to the
 * page allocator: no CPU slices it remote.
 */
static void chunk_home_offline(struct kunit *test)
{
	struct on_cpu w = { .pool = test->priv };
	const unsigned int home = 1, other = 0;
	struct page *page;
	bool kept;
	int err;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || !cpu_online(home) ||
	    !cpu_online(other))
		kunit_skip(test, "CPU %u cannot go offline here", home);
	KUNIT_ASSERT_EQ(test, work_on_cpu(home, on_cpu_fill, &w), 0);
	page = virt_to_head_page(w.a);
	err = remove_cpu(home);
	if (err) {
		KUNIT_EXPECT_EQ(test, work_on_cpu(other, on_cpu_free, &w), 0);
		bufpool_free(w.c);
		kunit_skip(test, "remove_cpu(%u): %d", home, err);
	}
	kept = page_to_nid(page) == cpu_to_mem(other);
	kunit_info(test, "chunk of node %d, freed on CPU %u of node %d\n",
		   page_to_nid(page), other, cpu_to_mem(other));
	KUNIT_EXPECT_EQ(test, work_on_cpu(other, on_cpu_free, &w), 0);
	KUNIT_EXPECT_EQ(test, spare_cpu_of(w.pool, page), kept ? other : -1);
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_SPARE_POOLS), kept);
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE), 1);
	bufpool_free(w.c);
	KUNIT_ASSERT_EQ(test, add_cpu(home), 0);
}

/* What reclaim on node @nid asks of bufpool's shrinker: a count or a scan. */
static unsigned long shrink_on_node(int nid, unsigned long nr, bool scan)
{
	struct shrinker *s = bufpool_kunit_shrinker();
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nid = nid,
		.nr_to_scan = nr,
	};

	return scan ? s->scan_objects(s, &sc) : s->count_objects(s, &sc);
}

/*
 * The shrinker is NUMA-aware: reclaim on one node counts and gives back
 * the spares of that node's CPUs, and leaves another node's alone.
 */
static void shrinker_per_node(struct kunit *test)
{
	const unsigned long pages = CHUNK >> PAGE_SHIFT;
	struct on_cpu w = { .pool = test->priv };
	int near, far;

	/* Else reclaim would ask with node 0 whichever node it is on. */
	KUNIT_EXPECT_TRUE(test, bufpool_kunit_shrinker()->flags &
			  SHRINKER_NUMA_AWARE);
	numa_cpus(test, &near, &far);
	/* No spare in any pool, then one, the far CPU's. */
	KUNIT_ASSERT_EQ(test, bp_write_file(DROP_CACHES, "2"), 0);
	KUNIT_ASSERT_EQ(test, work_on_cpu(far, on_cpu_fill, &w), 0);
	KUNIT_ASSERT_EQ(test, work_on_cpu(far, on_cpu_free, &w), 0);
	KUNIT_ASSERT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_SPARE_POOLS), 1);

	KUNIT_EXPECT_EQ(test, shrink_on_node(cpu_to_mem(near), 0, false),
			SHRINK_EMPTY);
	KUNIT_EXPECT_EQ(test, shrink_on_node(cpu_to_mem(near), pages, true),
			SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_SPARE_POOLS), 1);

	KUNIT_EXPECT_EQ(test, shrink_on_node(cpu_to_mem(far), 0, false), pages);
	KUNIT_EXPECT_EQ(test, shrink_on_node(cpu_to_mem(far), pages, true),
			pages);
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_SPARE_POOLS), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_SPARES_RECLAIMED), 1);
	bufpool_free(w.c);
}

static const bool refill_rows[] = { false, true };

static void refill_row_desc(const bool *reclaim, char *desc)
{
	strscpy(desc, *reclaim ? "the shrinker took one" :
		"a rollover took one", KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refill, refill_rows, refill_row_desc);

/*
 * A CPU whose spare slots are all in use keeps the next chunk released
 * once one of its spares went, to a rollover or to the shrinker: a release
 * tells full slots by the last one alone (bufpool_chunk_spare_on()), so
 * whatever empties a slot must empty the last one in use.
 */
static void spare_slot_refills(struct kunit *test)
{
	const bool reclaim = *(const bool *)test->param_value;
	const unsigned long pages = CHUNK >> PAGE_SHIFT;
	/* Chunks 0 to n two slices each, n + 1 one, and two more. */
	const int n = SPARES, held = 2 * (n + 1) + 1, all = held + 2;
	struct bufpool *pool = test->priv;
	void **bufs = kunit_kcalloc(test, all, sizeof(*bufs), GFP_KERNEL);
	u64 full, fewer, kept;
	int i, got = held;

	KUNIT_ASSERT_NOT_NULL(test, bufs);
	/* No spare of any pool anywhere: what the shrinker finds is ours. */
	KUNIT_ASSERT_EQ(test, bp_write_file(DROP_CACHES, "2"), 0);
	migrate_disable();
	for (i = 0; i < held; i++)
		bufs[i] = bufpool_pool_alloc_unsafe(pool, SPARE_SLICE, GFP_KERNEL);
	/* Chunks 0 to n - 1 go: n spares, every slot. */
	for (i = 0; i < 2 * n; i++)
		bufpool_free(bufs[i]);
	full = bp_stat(pool, BUFPOOL_STAT_SPARE_POOLS);
	if (reclaim) {
		KUNIT_EXPECT_EQ(test,
				shrink_on_node(cpu_to_mem(smp_processor_id()),
					       pages, true), pages);
	} else {
		/* Chunk n + 1's second slice, then a rollover. */
		for (; got < all; got++)
			bufs[got] = bufpool_pool_alloc_unsafe(pool, SPARE_SLICE,
							      GFP_KERNEL);
	}
	fewer = bp_stat(pool, BUFPOOL_STAT_SPARE_POOLS);
	/* Chunk n goes, and takes the slot that went. */
	bufpool_free(bufs[2 * n]);
	bufpool_free(bufs[2 * n + 1]);
	kept = bp_stat(pool, BUFPOOL_STAT_SPARE_POOLS);
	for (i = 2 * (n + 1); i < got; i++)
		bufpool_free(bufs[i]);
	migrate_enable();
	for (i = 0; i < got; i++)
		KUNIT_EXPECT_NOT_NULL(test, bufs[i]);
	KUNIT_EXPECT_EQ(test, full, n);
	KUNIT_EXPECT_EQ(test, fewer, n - 1);
	KUNIT_EXPECT_EQ(test, kept, n);
}

static struct kunit_case chunk_cases[] = {
	KUNIT_CASE(holder_outlives_slices),
	KUNIT_CASE_PARAM(holder_blocks_recycle, holder_gen_params),
	KUNIT_CASE(cpu_offline_gives_back),
	KUNIT_CASE(drop_caches_takes_spares),
	KUNIT_CASE(spares_bound_per_cpu),
	KUNIT_CASE_PARAM(chunk_goes_home, home_gen_params),
	KUNIT_CASE(chunk_home_offline),
	KUNIT_CASE(shrinker_per_node),
	KUNIT_CASE_PARAM(spare_slot_refills, refill_gen_params),
	{}
};

static struct kunit_suite chunk_suite = {
	.name = "bufpool_chunk",
	.init = chunk_pool_init,
	.exit = chunk_pool_exit,
	.test_cases = chunk_cases,
};

kunit_test_suite(chunk_suite);
