// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for bufpool/api.c's bulk calls: bufpool_pool_alloc_bulk() is
 * nr calls of bufpool_pool_alloc_unsafe(), all or none, and
 * bufpool_free_bulk() nr calls of bufpool_free(), whatever the buffers.
 * The cases that count chunks run on one CPU, with GFP_ATOMIC.
 */
#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "util.h"

/* The default chunk: 8 KB, or one page where pages are larger. */
#define CHUNK		BUFPOOL_DEFAULT_POOL_SIZE
#define BULK_MAX	64

struct bulk_ctx {
	struct bufpool *pool;
	void *bufs[BULK_MAX];
};

static int bulk_init(struct kunit *test)
{
	struct bulk_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	return 0;
}

static void bulk_exit(struct kunit *test)
{
	struct bulk_ctx *ctx = test->priv;

	bufpool_destroy(ctx->pool);
}

static struct bufpool *bulk_pool(struct kunit *test, unsigned int align,
				 unsigned int flags)
{
	const struct bufpool_params params = { .align = align, .flags = flags };
	struct bulk_ctx *ctx = test->priv;

	ctx->pool = bufpool_create("kunit-bulk", &params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pool);
	return ctx->pool;
}

struct carve_row {
	const char *desc;
	unsigned int size, align, nr;
};

static const struct carve_row carve_rows[] = {
	{ "16 of 60 B, align 8", 60, 8, 16 },
	{ "16 of 64 B, align 64", 64, 64, 16 },
	{ "40 of 1 B, align 8", 1, 8, 40 },
	{ "24 of a ninth of a chunk, align 8: rollovers", CHUNK / 9, 8, 24 },
	{ "64 of 100 B, align 256", 100, 256, 64 },
};

static void carve_desc(const struct carve_row *row, char *desc)
{
	strscpy(desc, row->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(carve, carve_rows, carve_desc);

/*
 * Every buffer a slice of its own, aligned, none overlapping another
 * (each keeps the byte written into it), counted as many calls.
 */
static void bulk_carves_apart(struct kunit *test)
{
	const struct carve_row *row = test->param_value;
	struct bulk_ctx *ctx = test->priv;
	struct bufpool_stats before, after;
	size_t pad = ALIGN(row->size, row->align) - row->size;
	struct bufpool *pool = bulk_pool(test, row->align, 0);
	unsigned int i;

	bufpool_get_stats(pool, &before);
	KUNIT_ASSERT_EQ(test, bufpool_pool_alloc_bulk(pool, row->size, GFP_KERNEL,
						      row->nr, ctx->bufs),
			row->nr);
	bufpool_get_stats(pool, &after);
	for (i = 0; i < row->nr; i++) {
		KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(ctx->bufs[i]));
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)ctx->bufs[i],
						   row->align));
		memset(ctx->bufs[i], i + 1, row->size);
	}
	for (i = 0; i < row->nr; i++)
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(ctx->bufs[i], i + 1,
							 row->size),
				      "buffer %u was overwritten", i);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, UNSAFE_POOLED_CALLS),
			row->nr);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, UNSAFE_POOLED_BYTES),
			(u64)row->nr * row->size);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, PADDING_BYTES),
			(u64)row->nr * pad);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SLICES_LIVE], row->nr);

	bufpool_free_bulk(row->nr, ctx->bufs);
	bufpool_get_stats(pool, &after);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SLICES_LIVE], 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FREES), row->nr);
}

/*
 * 22 slices of an eighth of a chunk, on one CPU: eight to a chunk, so
 * three chunks. Freed at once, the two retired chunks are released (a run
 * puts all its slices in one), and the current one's six go back to its
 * position in one run: it is sliced from its start again (not under
 * init_on_free, which wipes it at the next rollover), and a request that
 * does not fit what it had left slices it again rather than retire it or
 * take a spare.
 */
static void bulk_rolls_over(struct kunit *test)
{
	const unsigned int size = CHUNK / 8 - 8, nr = 22;
	struct bulk_ctx *ctx = test->priv;
	struct bufpool_stats before, after, freed, more;
	struct bufpool *pool = bulk_pool(test, 0, 0);
	void *big = NULL;
	size_t got;

	bufpool_get_stats(pool, &before);
	preempt_disable();
	got = bufpool_pool_alloc_bulk(pool, size, GFP_ATOMIC, nr, ctx->bufs);
	bufpool_get_stats(pool, &after);
	if (got)
		bufpool_free_bulk(nr, ctx->bufs);
	bufpool_get_stats(pool, &freed);
	if (got)
		big = bufpool_pool_alloc_unsafe(pool, CHUNK / 2 - 1, GFP_ATOMIC);
	bufpool_get_stats(pool, &more);
	bufpool_free(big);
	preempt_enable();

	KUNIT_ASSERT_EQ(test, got, nr);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_CREATED), 3);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 2);
	KUNIT_EXPECT_EQ(test, BP_DELTA(freed, after, POOLS_RELEASED), 2);
	KUNIT_EXPECT_EQ(test, freed.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(freed, after, REWINDS),
			want_init_on_free() ? 0 : 1);
	KUNIT_EXPECT_EQ(test, freed.v[BUFPOOL_STAT_SLICES_LIVE], 0);
	KUNIT_ASSERT_NOT_NULL(test, big);
	/* Sliced from the same chunk again: not retired, nor a spare. */
	KUNIT_EXPECT_PTR_EQ(test, virt_to_folio(big),
			    virt_to_folio(ctx->bufs[nr - 1]));
	KUNIT_EXPECT_EQ(test, more.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 0);
}

/*
 * All or none: fault injection fails the second carve of a call whose
 * first took what was left of the chunk; the call returns 0 and what it
 * had carved is freed.
 */
static void bulk_all_or_none(struct kunit *test)
{
	const unsigned int size = CHUNK / 16;
	struct bulk_ctx *ctx = test->priv;
	struct bufpool_stats before, after;
	struct bufpool *pool;
	void *first;
	size_t got;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
	pool = bulk_pool(test, 0, 0);
	preempt_disable();
	first = bufpool_pool_alloc_unsafe(pool, size, GFP_ATOMIC);
	bufpool_get_stats(pool, &before);
#ifdef CONFIG_FAULT_INJECTION
	/* The first carve asks fail_bufpool first, the second next. */
	current->fail_nth = 2;
#endif
	got = bufpool_pool_alloc_bulk(pool, size, GFP_ATOMIC | __GFP_NOWARN,
				      BULK_MAX, ctx->bufs);
#ifdef CONFIG_FAULT_INJECTION
	current->fail_nth = 0;
#endif
	bufpool_get_stats(pool, &after);
	preempt_enable();

	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_EXPECT_EQ(test, got, 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FAILURES), 1);
	/* It had carved the rest of the chunk, 15 slices, and freed them. */
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FREES), 15);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SLICES_LIVE], 1);
	bufpool_free(first);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
}

/* Sizes no slice is for: 0, and the threshold, served directly. */
static void bulk_unsliced_sizes(struct kunit *test)
{
	struct bulk_ctx *ctx = test->priv;
	struct bufpool *pool = bulk_pool(test, 0, 0);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, bufpool_pool_alloc_bulk(pool, 0, GFP_KERNEL, 8,
						      ctx->bufs), 8);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_PTR_EQ(test, ctx->bufs[i], ZERO_SIZE_PTR);
	bufpool_free_bulk(8, ctx->bufs);

	KUNIT_ASSERT_EQ(test, bufpool_pool_alloc_bulk(pool, CHUNK / 2, GFP_KERNEL,
						      8, ctx->bufs), 8);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(ctx->bufs[i]));
		KUNIT_EXPECT_EQ(test, bufpool_backing_size(ctx->bufs[i]),
				CHUNK / 2);
	}
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_DIRECT_LIVE), 8);
	bufpool_free_bulk(8, ctx->bufs);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_DIRECT_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
}

/*
 * bufpool_free_bulk() of anything bufpool_free() takes, in any order:
 * slices of two pools and of runs broken up, direct buffers, NULL and
 * ZERO_SIZE_PTR.
 */
static void free_bulk_mixed(struct kunit *test)
{
	struct bufpool_stats def_before, def_after;
	struct bufpool *pool = bulk_pool(test, 0, 0);
	void *bufs[10];

	bufpool_get_stats(NULL, &def_before);
	bufs[0] = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufs[1] = NULL;
	bufs[2] = bufpool_pool_alloc_unsafe_slow(pool, 100, GFP_KERNEL);
	bufs[3] = bufpool_alloc_unsafe(100, GFP_KERNEL);
	bufs[4] = ZERO_SIZE_PTR;
	bufs[5] = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufs[6] = bufpool_pool_alloc(pool, 100, GFP_KERNEL);
	bufs[7] = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufs[8] = bufpool_alloc_unsafe(200, GFP_KERNEL);
	bufs[9] = bufpool_pool_alloc_unsafe(pool, CHUNK, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bufs[0]);
	KUNIT_ASSERT_NOT_NULL(test, bufs[2]);
	KUNIT_ASSERT_NOT_NULL(test, bufs[3]);
	KUNIT_ASSERT_NOT_NULL(test, bufs[5]);
	KUNIT_ASSERT_NOT_NULL(test, bufs[6]);
	KUNIT_ASSERT_NOT_NULL(test, bufs[7]);
	KUNIT_ASSERT_NOT_NULL(test, bufs[8]);
	KUNIT_ASSERT_NOT_NULL(test, bufs[9]);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 3);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_DIRECT_LIVE), 3);

	bufpool_free_bulk(ARRAY_SIZE(bufs), bufs);
	bufpool_get_stats(NULL, &def_after);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_DIRECT_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_FREES), 6);
	KUNIT_EXPECT_EQ(test, def_after.v[BUFPOOL_STAT_SLICES_LIVE],
			def_before.v[BUFPOOL_STAT_SLICES_LIVE]);
	KUNIT_EXPECT_EQ(test, BP_DELTA(def_after, def_before, FREES), 2);
}

/* bufpool_alloc_bulk() slices from the default pool, counted there. */
static void bulk_default_pool(struct kunit *test)
{
	struct bulk_ctx *ctx = test->priv;
	struct bufpool_stats before, after;
	unsigned int i;

	bufpool_get_stats(NULL, &before);
	KUNIT_ASSERT_EQ(test, bufpool_alloc_bulk(64, GFP_KERNEL, 8, ctx->bufs), 8);
	bufpool_get_stats(NULL, &after);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(ctx->bufs[i]));
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, UNSAFE_POOLED_CALLS), 8);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, SLICES_LIVE), 8);
	bufpool_free_bulk(8, ctx->bufs);
	bufpool_get_stats(NULL, &after);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, SLICES_LIVE), 0);
}

/* Slices a CPU's chunk held before, filled with @c and freed again. */
static void dirty_chunk(struct bufpool *pool, int c)
{
	void *bufs[CHUNK / 512];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		bufs[i] = bufpool_pool_alloc_unsafe(pool, 500, GFP_ATOMIC);
		if (bufs[i])
			memset(bufs[i], c, 500);
	}
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufpool_free(bufs[i]);
}

/*
 * Carves a bulk call's slices on this CPU, where its chunk was filled with
 * 0xa5 and freed, and whether each is zeroed.
 */
static bool bulk_zeroed(struct kunit *test, struct bufpool *pool)
{
	struct bulk_ctx *ctx = test->priv;
	bool zeroed = true;
	size_t got;
	int i;

	preempt_disable();
	dirty_chunk(pool, 0xa5);
	got = bufpool_pool_alloc_bulk(pool, 500, GFP_ATOMIC, 8, ctx->bufs);
	preempt_enable();
	KUNIT_ASSERT_EQ(test, got, 8);
	for (i = 0; i < 8; i++)
		zeroed &= bp_all_bytes(ctx->bufs[i], 0, 500);
	bufpool_free_bulk(8, ctx->bufs);
	return zeroed;
}

/* A zero-filling pool's bulk slices are zeroed, as its calls' are. */
static void bulk_zero_fill(struct kunit *test)
{
	struct bufpool *pool = bulk_pool(test, 0, BUFPOOL_ZERO_FILL);

	KUNIT_EXPECT_TRUE(test, bulk_zeroed(test, pool));
}

/*
 * Under init_on_alloc, a bulk call's slices are zeroed over memory freed
 * dirty, with one memset for a carve's run.
 */
static void bulk_init_on_alloc(struct kunit *test)
{
	struct bufpool *pool;

	if (!want_init_on_alloc(GFP_ATOMIC))
		kunit_skip(test, "needs init_on_alloc=1");
	pool = bulk_pool(test, 0, 0);
	KUNIT_EXPECT_TRUE(test, bulk_zeroed(test, pool));
}

/*
 * A debug pool's slices, each laid out and checked as a call's: freed in
 * bulk, each is known freed, and a second free of one is reported.
 */
static void bulk_debug_pool(struct kunit *test)
{
	struct bulk_ctx *ctx = test->priv;
	struct bufpool_stats after;
	struct bufpool *pool = bulk_pool(test, 0, BUFPOOL_DEBUG);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, bufpool_pool_alloc_bulk(pool, 100, GFP_KERNEL, 16,
						      ctx->bufs), 16);
	for (i = 0; i < 16; i++) {
		KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(ctx->bufs[i]));
		memset(ctx->bufs[i], 0x5a, 100);
	}
	/* The last stays live, so that the chunk does. */
	bufpool_free_bulk(15, ctx->bufs);
	bp_expect_begin(test);
	bufpool_free(ctx->bufs[0]);
	bp_expect_end(test);
	bufpool_free(ctx->bufs[15]);
	bufpool_get_stats(pool, &after);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_MISUSES], 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SLICES_LIVE], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_UNSAFE_POOLED_CALLS], 16);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_CORRUPTIONS], 0);
}

/*
 * A run freed in bulk on another CPU, into the chunk the first CPU slices:
 * one atomic puts all its slices, so that chunk, every slice of it freed,
 * is sliced again in place at its CPU's next rollover.
 */
struct remote_work {
	struct bufpool *pool;
	void **bufs;
	unsigned int nr;
	size_t got;
	void *big;
};

static long remote_alloc(void *arg)
{
	struct remote_work *w = arg;

	w->got = bufpool_pool_alloc_bulk(w->pool, CHUNK / 64, GFP_KERNEL, w->nr,
					 w->bufs);
	return 0;
}

static long remote_free(void *arg)
{
	struct remote_work *w = arg;

	bufpool_free_bulk(w->nr, w->bufs);
	return 0;
}

static long remote_big(void *arg)
{
	struct remote_work *w = arg;

	/* More than the 24/64 the chunk has left after the run: a rollover. */
	w->big = bufpool_pool_alloc_unsafe(w->pool, CHUNK / 2 - 1, GFP_KERNEL);
	return 0;
}

static void free_bulk_elsewhere(struct kunit *test)
{
	struct bulk_ctx *ctx = test->priv;
	struct remote_work w = { .bufs = ctx->bufs, .nr = 40 };
	int home = cpumask_first(cpu_online_mask);
	int away = cpumask_next(home, cpu_online_mask);

	if (away >= nr_cpu_ids)
		kunit_skip(test, "needs 2 CPUs");
	w.pool = bulk_pool(test, 0, 0);
	work_on_cpu(home, remote_alloc, &w);
	KUNIT_ASSERT_EQ(test, w.got, w.nr);
	work_on_cpu(away, remote_free, &w);
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	work_on_cpu(home, remote_big, &w);
	KUNIT_ASSERT_NOT_NULL(test, w.big);
	KUNIT_EXPECT_PTR_EQ(test, virt_to_folio(w.big),
			    virt_to_folio(ctx->bufs[0]));
	KUNIT_EXPECT_EQ(test, bp_stat(w.pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE), 0);
	bufpool_free(w.big);
}

static struct kunit_case bulk_cases[] = {
	KUNIT_CASE_PARAM(bulk_carves_apart, carve_gen_params),
	KUNIT_CASE(bulk_rolls_over),
	KUNIT_CASE(bulk_all_or_none),
	KUNIT_CASE(bulk_unsliced_sizes),
	KUNIT_CASE(free_bulk_mixed),
	KUNIT_CASE(free_bulk_elsewhere),
	KUNIT_CASE(bulk_default_pool),
	KUNIT_CASE(bulk_zero_fill),
	KUNIT_CASE(bulk_init_on_alloc),
	KUNIT_CASE(bulk_debug_pool),
	{}
};

static struct kunit_suite bulk_suite = {
	.name = "bufpool_bulk",
	.init = bulk_init,
	.exit = bulk_exit,
	.test_cases = bulk_cases,
};

kunit_test_suite(bulk_suite);
