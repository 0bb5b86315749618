// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for bufpool/pool.c: Node's semantics, slicing and rollover,
 * the allocation paths, named pools, bad input.
 *
 * Tests that depend on where slices land use a fresh named pool and stay
 * on one CPU (migrate_disable()), so that nothing is interleaved.
 */
#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/err.h>
#include <linux/kmsan-checks.h>
#include <linux/mm.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "util.h"

#define POOL_NAME	"kunit"

/* The default chunk: 8 KB, or one page where pages are larger. */
#define CHUNK		BUFPOOL_DEFAULT_POOL_SIZE

/*
 * The spare bytes a CPU keeps per pool (BUFPOOL_POOL_SPARE_BYTES): 128
 * KB, or one page where pages are larger.
 */
#define SPARE_BYTES	(PAGE_SIZE > 131072 ? PAGE_SIZE : 131072)

/* Each test gets a fresh named pool in test->priv. */
static int fresh_pool_init(struct kunit *test)
{
	struct bufpool *pool = bufpool_create(POOL_NAME, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	test->priv = pool;
	return 0;
}

static void fresh_pool_exit(struct kunit *test)
{
	bufpool_destroy(test->priv);
}

static struct page *head_of(const void *buf)
{
	return virt_to_head_page(buf);
}

/* -- Node's semantics ---------------------------------------------------- */

/* The seed document's example, word for word. */
static void seed_example(struct kunit *test)
{
	void *buf1 = bufpool_alloc_unsafe(4, GFP_KERNEL);
	void *buf2 = bufpool_alloc_unsafe_slow(4, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf1);
	KUNIT_ASSERT_NOT_NULL(test, buf2);
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(buf1), CHUNK);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(buf1));
	KUNIT_EXPECT_LT(test, bufpool_backing_size(buf2), CHUNK);
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(buf2), 4);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(buf2));
	KUNIT_EXPECT_EQ(test, bufpool_offset(buf2), 0);
	bufpool_free(buf1);
	bufpool_free(buf2);
}

/* The seed's method table, one row per method. */
struct method_row {
	const char *name;
	void *(*get)(struct bufpool *pool, size_t size, const void *src);
	bool pooled;
	bool zeroed;
	bool copies;
};

static void *row_alloc(struct bufpool *pool, size_t size, const void *src)
{
	return bufpool_pool_alloc(pool, size, GFP_KERNEL);
}

static void *row_unsafe(struct bufpool *pool, size_t size, const void *src)
{
	return bufpool_pool_alloc_unsafe(pool, size, GFP_KERNEL);
}

static void *row_from(struct bufpool *pool, size_t size, const void *src)
{
	return bufpool_pool_from(pool, src, size, GFP_KERNEL);
}

static void *row_slow(struct bufpool *pool, size_t size, const void *src)
{
	return bufpool_pool_alloc_unsafe_slow(pool, size, GFP_KERNEL);
}

static const struct method_row method_rows[] = {
	{ "bufpool_alloc", row_alloc, false, true, false },
	{ "bufpool_alloc_unsafe", row_unsafe, true, false, false },
	{ "bufpool_from", row_from, true, false, true },
	{ "bufpool_alloc_unsafe_slow", row_slow, false, false, false },
};

static void method_row_desc(const struct method_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(method, method_rows, method_row_desc);

static void method_table(struct kunit *test)
{
	const struct method_row *row = test->param_value;
	struct bufpool *pool = test->priv;
	const size_t size = 100;
	u8 src[100], *first, *buf;

	memset(src, 0x3c, sizeof(src));
	migrate_disable();
	/*
	 * Dirty the bytes the next slice of this CPU's fresh chunk will get,
	 * so that a pooled row shows what it does with stale memory.
	 */
	first = bufpool_pool_alloc_unsafe(pool, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, first);
	memset(first + 8, 0xaa, size);
	buf = row->get(pool, size, src);
	migrate_enable();

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, bufpool_is_pooled(buf), row->pooled);
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(buf),
			row->pooled ? CHUNK : size);
	if (row->pooled)
		KUNIT_EXPECT_PTR_EQ(test, (void *)buf, (void *)(first + 8));
	if (row->zeroed)
		KUNIT_EXPECT_TRUE(test, bp_all_bytes(buf, 0, size));
	if (row->copies)
		KUNIT_EXPECT_EQ(test, memcmp(buf, src, size), 0);
	if (row->pooled && !row->zeroed && !row->copies &&
	    want_init_on_alloc(GFP_KERNEL))
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(buf, 0, size),
				      "init_on_alloc: a slice is zeroed, as kmalloc's objects are");
	else if (row->pooled && !row->zeroed && !row->copies)
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(buf, 0xaa, size),
				      "allocUnsafe should hand out the bytes as they were");
	bufpool_free(buf);
	bufpool_free(first);
}

/* The same methods on a zero-filling pool: nothing stale comes back. */
static void method_table_zero_fill(struct kunit *test)
{
	const struct bufpool_params params = { .flags = BUFPOOL_ZERO_FILL };
	const struct method_row *row = test->param_value;
	struct bufpool *pool;
	const size_t size = 100;
	u8 src[100], *first, *buf;

	pool = bufpool_create("kunit-zero", &params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	memset(src, 0x3c, sizeof(src));
	migrate_disable();
	first = bufpool_pool_alloc_unsafe(pool, 8, GFP_KERNEL);
	if (first)
		memset(first + 8, 0xaa, size);
	buf = row->get(pool, size, src);
	migrate_enable();

	KUNIT_EXPECT_NOT_NULL(test, first);
	KUNIT_EXPECT_NOT_NULL(test, buf);
	if (buf && row->copies)
		KUNIT_EXPECT_EQ(test, memcmp(buf, src, size), 0);
	else if (buf)
		KUNIT_EXPECT_TRUE(test, bp_all_bytes(buf, 0, size));
	bufpool_free(buf);
	bufpool_free(first);
	bufpool_destroy(pool);
}

/* Node pools when size < poolSize >>> 1: the threshold is exclusive. */
struct threshold_row {
	size_t size;
	bool pooled;
};

static const struct threshold_row threshold_rows[] = {
	{ 1, true }, { 8, true }, { 100, true }, { CHUNK / 2 - 1, true },
	{ CHUNK / 2, false }, { CHUNK / 2 + 1, false }, { CHUNK, false },
	{ 100000, false },
};

static void threshold_row_desc(const struct threshold_row *row, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size %zu", row->size);
}

KUNIT_ARRAY_PARAM(threshold, threshold_rows, threshold_row_desc);

static void threshold_rule(struct kunit *test)
{
	const struct threshold_row *row = test->param_value;
	u8 *unsafe = bufpool_alloc_unsafe(row->size, GFP_KERNEL);
	u8 *from = bufpool_from(unsafe, row->size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, unsafe);
	KUNIT_ASSERT_NOT_NULL(test, from);
	KUNIT_EXPECT_EQ(test, bufpool_is_pooled(unsafe), row->pooled);
	KUNIT_EXPECT_EQ(test, bufpool_is_pooled(from), row->pooled);
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(unsafe),
			row->pooled ? CHUNK : row->size);
	/* The buffer is usable to its last byte. */
	unsafe[row->size - 1] = 1;
	bufpool_free(from);
	bufpool_free(unsafe);
}

/* Size 0 gives ZERO_SIZE_PTR on every path and uses no pool. */
static void size_zero(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	u8 *a, *b;

	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, bufpool_pool_alloc_unsafe(pool, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, bufpool_pool_alloc(pool, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test,
			    bufpool_pool_alloc_unsafe_slow(pool, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, bufpool_pool_from(pool, a, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, bufpool_from_user(NULL, 0), ZERO_SIZE_PTR);
	b = bufpool_pool_alloc_unsafe(pool, 8, GFP_KERNEL);
	migrate_enable();

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	/* Nothing was consumed between the two slices. */
	KUNIT_EXPECT_PTR_EQ(test, (void *)b, (void *)(a + 8));
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(ZERO_SIZE_PTR), 0);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(ZERO_SIZE_PTR));
	bufpool_free(ZERO_SIZE_PTR);
	bufpool_free(b);
	bufpool_free(a);
}

static struct kunit_case node_cases[] = {
	KUNIT_CASE(seed_example),
	KUNIT_CASE_PARAM(method_table, method_gen_params),
	KUNIT_CASE_PARAM(method_table_zero_fill, method_gen_params),
	KUNIT_CASE_PARAM(threshold_rule, threshold_gen_params),
	KUNIT_CASE(size_zero),
	{}
};

static struct kunit_suite node_suite = {
	.name = "bufpool_node",
	.init = fresh_pool_init,
	.exit = fresh_pool_exit,
	.test_cases = node_cases,
};

/* -- Slicing and rollover ------------------------------------------------ */

/*
 * A chunk is one page-aligned allocation from the page allocator: a
 * compound page when it is more than one page (with 64 KB pages, a default
 * chunk is one page).
 */
static void page_backed(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	void *buf = bufpool_pool_alloc_unsafe(pool, 16, GFP_KERNEL);
	struct page *head;
	void *base;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	head = head_of(buf);
	base = buf - bufpool_offset(buf);
	KUNIT_EXPECT_FALSE(test, PageSlab(head));
	if (get_order(CHUNK))
		KUNIT_EXPECT_TRUE(test, PageCompound(head));
	else
		KUNIT_EXPECT_FALSE(test, PageCompound(head));
	KUNIT_EXPECT_EQ(test, compound_order(head), get_order(CHUNK));
	KUNIT_EXPECT_PTR_EQ(test, base, page_address(head));
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(base));
	KUNIT_EXPECT_EQ(test, page_size(head), CHUNK);
	bufpool_free(buf);
}

/* Consecutive slices, front to back, each start rounded up to 8. */
struct slicing_row {
	unsigned int sizes[6];
	unsigned int offsets[6];
};

static const struct slicing_row slicing_rows[] = {
	{ { 1, 1, 1 }, { 0, 8, 16 } },
	{ { 8, 8, 8 }, { 0, 8, 16 } },
	{ { 10, 5, 8, 1, 9 }, { 0, 16, 24, 32, 40 } },
	/* The largest pooled size, then one that ends 88 bytes short. */
	{ { CHUNK / 2 - 1, 1, CHUNK / 2 - 96 }, { 0, CHUNK / 2, CHUNK / 2 + 8 } },
	{ { 3, 100, 7, 64 }, { 0, 8, 112, 120 } },
};

/* The sizes, as "4095,1,4000". */
static void slicing_row_desc(const struct slicing_row *row, char *desc)
{
	int i, len = 0;

	for (i = 0; i < ARRAY_SIZE(row->sizes) && row->sizes[i]; i++)
		len += scnprintf(desc + len, KUNIT_PARAM_DESC_SIZE - len,
				 "%s%u", i ? "," : "", row->sizes[i]);
}

KUNIT_ARRAY_PARAM(slicing, slicing_rows, slicing_row_desc);

static void front_to_back(struct kunit *test)
{
	const struct slicing_row *row = test->param_value;
	struct bufpool *pool = test->priv;
	void *bufs[6] = {};
	int i;

	migrate_disable();
	for (i = 0; i < ARRAY_SIZE(row->sizes) && row->sizes[i]; i++)
		bufs[i] = bufpool_pool_alloc_unsafe(pool, row->sizes[i],
						    GFP_KERNEL);
	migrate_enable();

	for (i = 0; i < ARRAY_SIZE(row->sizes) && row->sizes[i]; i++) {
		KUNIT_ASSERT_NOT_NULL(test, bufs[i]);
		KUNIT_EXPECT_EQ_MSG(test, bufpool_offset(bufs[i]),
				    row->offsets[i], "slice %d", i);
		KUNIT_EXPECT_PTR_EQ(test, head_of(bufs[i]), head_of(bufs[0]));
	}
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufpool_free(bufs[i]);
}

/*
 * A request that does not fit starts a fresh chunk; the old one keeps its
 * slices intact and is released with the last of them.
 */
static void rollover(struct kunit *test)
{
	const unsigned int size = CHUNK / 2 - 96;	/* 4000 in 8 KB */
	struct bufpool *pool = test->priv;
	struct bufpool_stats before, mid, after;
	u8 *a, *b, *c;

	bufpool_get_stats(pool, &before);
	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, size, GFP_KERNEL);
	b = bufpool_pool_alloc_unsafe(pool, size, GFP_KERNEL);
	if (a && b) {
		memset(a, 0xa1, size);
		memset(b, 0xb2, size);
	}
	c = bufpool_pool_alloc_unsafe(pool, 200, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);

	/* CHUNK - 2 * size = 192 bytes were left: c went to a new chunk. */
	KUNIT_EXPECT_EQ(test, bufpool_offset(b), size);
	KUNIT_EXPECT_EQ(test, bufpool_offset(c), 0);
	KUNIT_EXPECT_PTR_NE(test, head_of(c), head_of(a));
	memset(c, 0xc3, 200);
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(a, 0xa1, size));
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(b, 0xb2, size));

	bufpool_get_stats(pool, &mid);
	KUNIT_EXPECT_EQ(test, BP_DELTA(mid, before, POOLS_CREATED), 2);
	KUNIT_EXPECT_EQ(test, mid.v[BUFPOOL_STAT_POOLS_LIVE], 2);
	KUNIT_EXPECT_EQ(test, mid.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, BP_DELTA(mid, before, ABANDONED_BYTES), 192);

	/* The old chunk outlives its first slice ... */
	bufpool_free(a);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_POOLS_LIVE), 2);
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(b, 0xb2, size));
	/* ... and goes with its last. */
	bufpool_free(b);
	bufpool_get_stats(pool, &after);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_RELEASED), 1);
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(c, 0xc3, 200));
	bufpool_free(c);
}

/* A request that fits exactly does not roll over. */
static void exact_fit(struct kunit *test)
{
	const struct bufpool_params params = { .threshold = CHUNK + 1 };
	struct bufpool *pool;
	u8 *a, *b, *c;

	pool = bufpool_create("kunit-exact", &params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, CHUNK - 192, GFP_KERNEL);
	b = bufpool_pool_alloc_unsafe(pool, 192, GFP_KERNEL);
	c = bufpool_pool_alloc_unsafe(pool, 1, GFP_KERNEL);
	migrate_enable();
	KUNIT_EXPECT_NOT_NULL(test, a);
	KUNIT_EXPECT_NOT_NULL(test, b);
	KUNIT_EXPECT_NOT_NULL(test, c);
	if (a && b && c) {
		KUNIT_EXPECT_EQ(test, bufpool_offset(b), CHUNK - 192);
		KUNIT_EXPECT_PTR_EQ(test, head_of(b), head_of(a));
		KUNIT_EXPECT_EQ(test, bufpool_offset(c), 0);
		KUNIT_EXPECT_PTR_NE(test, head_of(c), head_of(a));
	}
	bufpool_free(a);
	bufpool_free(b);
	bufpool_free(c);
	bufpool_destroy(pool);
}

/* Many rollovers in a row, with every slice kept: all distinct, all intact. */
static void rollover_keeps_slices(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	const int n = 64, size = CHUNK / 8 - 24;	/* 1000 in 8 KB */
	u8 **bufs;
	int i;

	bufs = kunit_kcalloc(test, n, sizeof(*bufs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bufs);
	for (i = 0; i < n; i++) {
		bufs[i] = bufpool_pool_alloc_unsafe(pool, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bufs[i]);
		memset(bufs[i], i, size);
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(bufs[i], i, size),
				      "slice %d was overwritten", i);
	/* 8 slices of CHUNK / 8 - 24 per chunk: at least n / 8 chunks. */
	KUNIT_EXPECT_GE(test, bp_stat(pool, BUFPOOL_STAT_POOLS_CREATED), n / 8);
	for (i = 0; i < n; i++)
		bufpool_free(bufs[i]);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE), 0);
}

/*
 * A rollover over a chunk whose slices are all freed slices it again in
 * place, as page_frag reuses its page: counted as a release and a
 * creation, and the same memory. a is freed on another CPU, so that the
 * chunk's last free does not rewind it (free_rewinds_chunk()).
 */
static void rollover_reuses_empty_chunk(struct kunit *test)
{
	/* Two fit in a chunk, not three: 3000 in 8 KB. */
	const unsigned int size = CHUNK * 3 / 8 - 72;
	struct bufpool *pool = test->priv;
	struct bufpool_stats before, after;
	u8 *a, *b, *c;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	/* One CPU throughout: on another, c would start that CPU's chunk. */
	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, size, GFP_KERNEL);
	b = bufpool_pool_alloc_unsafe(pool, size, GFP_KERNEL);
	KUNIT_EXPECT_GE(test, bp_free_elsewhere(a, smp_processor_id()), 0);
	bufpool_free(b);
	bufpool_get_stats(pool, &before);
	c = bufpool_pool_alloc_unsafe(pool, size, GFP_KERNEL);
	bufpool_get_stats(pool, &after);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_PTR_EQ(test, head_of(a), head_of(b));
	KUNIT_ASSERT_NOT_NULL(test, c);

	KUNIT_EXPECT_PTR_EQ(test, (void *)c, (void *)a);
	KUNIT_EXPECT_EQ(test, bufpool_offset(c), 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_CREATED), 1);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_RELEASED), 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_POOLS_LIVE], before.v[BUFPOOL_STAT_POOLS_LIVE]);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, ABANDONED_BYTES),
			CHUNK - 2 * size);
	bufpool_free(c);
}

/*
 * A slice freed on the CPU that slices its chunk, when it is the chunk's
 * last live slice, gives the chunk back from its start: the next slice
 * starts there, with no rollover, counted in rewinds. A free that leaves
 * a slice live moves nothing. With init_on_free the freed bytes must be
 * wiped first: no rewind, the rollover's recycle does it.
 */
static void free_rewinds_chunk(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	struct bufpool_stats before, after;
	u8 *a, *b, *c, *d;

	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	b = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufpool_get_stats(pool, &before);
	bufpool_free(a);		/* b is live: nothing moves */
	c = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufpool_free(b);
	bufpool_free(c);		/* the last */
	d = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufpool_get_stats(pool, &after);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, d);

	KUNIT_EXPECT_EQ(test, bufpool_offset(a), 0);
	KUNIT_EXPECT_EQ(test, bufpool_offset(c), 208);
	KUNIT_EXPECT_PTR_EQ(test, head_of(d), head_of(a));
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_CREATED), 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, ABANDONED_BYTES), 0);
	if (want_init_on_free()) {
		KUNIT_EXPECT_EQ(test, bufpool_offset(d), 312);
		KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, REWINDS), 0);
	} else {
		KUNIT_EXPECT_EQ(test, bufpool_offset(d), 0);
		KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, REWINDS), 1);
	}
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SLICES_LIVE], 1);
	bufpool_free(d);
}

/*
 * The last live slice, freed on another CPU, or while somebody else holds
 * its page (the network stack, to which a driver lent it), leaves the
 * chunk where it was: the other CPU does not slice it, and the holder may
 * still read what the slices held.
 */
static const char * const no_rewind_rows[] = { "freed elsewhere", "page held" };

static void no_rewind_row_desc(const char * const *row, char *desc)
{
	strscpy(desc, *row, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(no_rewind, no_rewind_rows, no_rewind_row_desc);

static void free_keeps_chunk(struct kunit *test)
{
	const bool elsewhere = test->param_value == &no_rewind_rows[0];
	struct bufpool *pool = test->priv;
	struct bufpool_stats before, after;
	struct page *page = NULL;
	u8 *a, *b;
	int freed;

	if (elsewhere && num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufpool_get_stats(pool, &before);
	if (a && elsewhere) {
		freed = bp_free_elsewhere(a, smp_processor_id());
		KUNIT_EXPECT_NE(test, freed, smp_processor_id());
		KUNIT_EXPECT_GE(test, freed, 0);
	} else if (a) {
		page = head_of(a);
		get_page(page);
		bufpool_free(a);
	}
	b = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufpool_get_stats(pool, &after);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);

	KUNIT_EXPECT_PTR_EQ(test, head_of(b), head_of(a));
	KUNIT_EXPECT_EQ(test, bufpool_offset(b), 104);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, REWINDS), 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_CREATED), 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SLICES_LIVE], 1);
	bufpool_free(b);
	if (page)
		put_page(page);
}

/*
 * The kernel's zeroing policy on memory bufpool hands out again: with
 * init_on_alloc (Debian's default) or init_on_free, a slice of a chunk
 * recycled in place, or of a spare, holds none of the previous owner's
 * bytes; with neither, it holds them (the unsafe path's contract, and what
 * shows the case really reused the memory). make check boots 6.1's debug
 * guest with init_on_alloc=1, 6.12's with init_on_free=1, 7.3's with
 * neither.
 */
static void zeroing_policy(struct kunit *test)
{
	const struct bufpool_params params = { .threshold = CHUNK + 1 };
	const bool wiped = want_init_on_alloc(GFP_KERNEL) || want_init_on_free();
	/* Two do not fit in a chunk: 5000 in 8 KB. */
	const unsigned int big = CHUNK * 5 / 8 - 120;
	struct bufpool *pool = bufpool_create("kunit-zero", &params);
	u8 *a, *b, *c, *e, *first = NULL;
	size_t off;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	kunit_info(test, "init_on_alloc %d, init_on_free %d\n",
		   want_init_on_alloc(GFP_KERNEL), want_init_on_free());
	migrate_disable();
	/* Recycled in place: a's 1000 bytes, then a request that rolls over. */
	a = bufpool_pool_alloc_unsafe(pool, 1000, GFP_KERNEL);
	if (a) {
		memset(a, 0xa5, 1000);
		bufpool_free(a);
	}
	e = bufpool_pool_alloc_unsafe(pool, CHUNK - 692, GFP_KERNEL);
	/* A spare: b's chunk dies after its rollover, c slices it again. */
	b = bufpool_pool_alloc_unsafe(pool, big, GFP_KERNEL);	/* rollover */
	if (b)
		memset(b, 0x5a, big);
	c = bufpool_pool_alloc_unsafe(pool, big, GFP_KERNEL);	/* rollover */
	/*
	 * Where a CPU keeps more than one spare per pool (8 KB chunks), the
	 * first chunk is one too; where it keeps one (64 KB pages), the first
	 * chunk stays live until b's is taken, so that b's is the spare.
	 */
	if (SPARE_BYTES / CHUNK > 1)
		bufpool_free(e);	/* the first chunk: a spare */
	else
		first = e;
	bufpool_free(b);		/* b's: the spare taken first */
	e = bufpool_pool_alloc_unsafe(pool, big, GFP_KERNEL);	/* rollover */
	bufpool_free(first);
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, a && b && c && e);

	KUNIT_EXPECT_PTR_EQ(test, head_of(e), head_of(b));
	if (wiped)
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(e, 0, big),
				      "a spare handed out stale bytes");
	else
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(e, 0x5a, big),
				      "not the spare's old bytes: did the case reuse it?");
	bufpool_free(c);
	bufpool_free(e);

	/* Recycled in place: a, freed, then a request that does not fit. */
	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, 1000, GFP_KERNEL);
	off = bufpool_offset(a);
	if (a) {
		memset(a, 0xa5, 1000);
		bufpool_free(a);
	}
	e = bufpool_pool_alloc_unsafe(pool, CHUNK - 192, GFP_KERNEL); /* recycles */
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, a && e);
	KUNIT_EXPECT_PTR_EQ(test, head_of(e), head_of(a));
	KUNIT_EXPECT_EQ(test, bufpool_offset(e), 0);
	KUNIT_ASSERT_LE(test, off + 1000, CHUNK - 192);
	if (wiped)
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(e + off, 0, 1000),
				      "a recycled chunk handed out stale bytes");
	else
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(e + off, 0xa5, 1000),
				      "not a's old bytes: did the chunk recycle?");
	bufpool_free(e);
	bufpool_destroy(pool);
}

/*
 * A chunk larger than a CPU's spares may be (twice SPARE_BYTES), whose
 * every slice is freed, is sliced again in place (rewound at the last
 * free, or recycled by the next rollover); but not under init_on_free,
 * whose wipe of it would keep interrupts off for as long as it takes: it
 * is released, and a fresh chunk starts; where none can be had, it is
 * sliced again all the same. make check's 6.12 debug guest boots with
 * init_on_free=1.
 */
static void large_chunk_not_wiped_in_place(struct kunit *test)
{
	const unsigned int size = 4 * SPARE_BYTES;
	const struct bufpool_params params = {
		.pool_size = size, .threshold = size + 1,
	};
	struct bufpool *pool = bufpool_create("kunit-large-wipe", &params);
	struct bufpool_stats before, after;
	u8 *a, *e;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, 1000, GFP_KERNEL);
	bufpool_free(a);
	bufpool_get_stats(pool, &before);
	e = bufpool_pool_alloc_unsafe(pool, size - 192, GFP_KERNEL);
	bufpool_get_stats(pool, &after);
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, a && e);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(e));
	if (want_init_on_free()) {
		/* Nor rewound at a's free: init_on_free wipes first. */
		KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_CREATED), 1);
		KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_RELEASED), 1);
		KUNIT_EXPECT_PTR_NE(test, head_of(e), head_of(a));
		KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(e, 0, size - 192),
				      "a fresh chunk handed out stale bytes");
	} else {
		KUNIT_EXPECT_PTR_EQ(test, head_of(e), head_of(a));
	}
	bufpool_free(e);

#ifdef CONFIG_FAULT_INJECTION
	/*
	 * With no fresh chunk to be had (fail_nth 2: fail_bufpool first, the
	 * page allocator next), the idle chunk is sliced again after all.
	 */
	migrate_disable();
	current->fail_nth = 2;
	a = bufpool_pool_alloc_unsafe(pool, size - 192, GFP_KERNEL);
	current->fail_nth = 0;
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(a));
	KUNIT_EXPECT_PTR_EQ(test, head_of(a), head_of(e));
	bufpool_free(a);
#endif
	bufpool_destroy(pool);
}

/*
 * __GFP_NOFAIL is the caller's promise to kmalloc(), not one a chunk of
 * order 2 or more may be asked for with (the page allocator WARNs): each
 * such pool serves it, pooled while memory is plentiful: orders 2 and 4,
 * and 1 MB or 64 pages, whichever is more.
 */
static void nofail_large_chunks(struct kunit *test)
{
	const unsigned int sizes[] = {
		4 * PAGE_SIZE, 16 * PAGE_SIZE,
		max_t(unsigned long, SZ_1M, 64 * PAGE_SIZE),
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const struct bufpool_params params = { .pool_size = sizes[i] };
		struct bufpool *pool = bufpool_create("kunit-nofail", &params);
		void *buf;

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
		buf = bufpool_pool_alloc_unsafe(pool, 100,
						GFP_KERNEL | __GFP_NOFAIL);
		KUNIT_EXPECT_NOT_NULL_MSG(test, buf, "pool_size %u", sizes[i]);
		bufpool_free(buf);
		bufpool_destroy(pool);
	}
}

/*
 * Whether FAIL_PAGE_ALLOC can fail the allocation of a default chunk: it
 * passes over allocations below its min-order, 1 unless lowered through
 * debugfs, and with 64 KB pages a default chunk is of order 0. Asked of
 * the page allocator as a chunk is asked for, with fail_nth 1.
 */
static bool chunk_alloc_can_fail(void)
{
	bool failed = false;
#ifdef CONFIG_FAULT_INJECTION
	struct page *page;

	current->fail_nth = 1;
	page = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, get_order(CHUNK));
	current->fail_nth = 0;
	if (page)
		__free_pages(page, get_order(CHUNK));
	failed = !page;
#endif
	return failed;
}

#define NO_CHUNK_FAILURE \
	"FAIL_PAGE_ALLOC passes over order %u (its min-order is higher: " \
	"echo 0 > /sys/kernel/debug/fail_page_alloc/min-order)"

/*
 * A chunk whose last slice goes after its rollover stays with the CPU as
 * a spare: the next rollover slices it again, counted as a creation, and
 * asks the page allocator for nothing, so that it stays pooled with the
 * page allocator failing (which would have it served directly). fail_nth
 * 2: fail_bufpool is the first fault point a pooled request passes;
 * GFP_ATOMIC, as FAIL_PAGE_ALLOC ignores allocations that may reclaim
 * (and those below its min-order: chunk_alloc_can_fail()).
 */
static void rollover_takes_spare(struct kunit *test)
{
	const gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN;
	const unsigned int size = CHUNK / 2 - 96;	/* 4000 in 8 KB */
	struct bufpool *pool = test->priv;
	struct bufpool_stats before, after;
	u8 *a, *b, *c, *d, *e = NULL;
	struct page *first = NULL;

	if (!IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC))
		kunit_skip(test, "needs CONFIG_FAIL_PAGE_ALLOC");
	if (!chunk_alloc_can_fail())
		kunit_skip(test, NO_CHUNK_FAILURE, get_order(CHUNK));
	migrate_disable();
	a = bufpool_pool_alloc_unsafe(pool, size, gfp);
	b = bufpool_pool_alloc_unsafe(pool, size, gfp);
	c = bufpool_pool_alloc_unsafe(pool, size, gfp);	/* a new chunk */
	d = bufpool_pool_alloc_unsafe(pool, size, gfp);	/* fills it */
	if (a && b && c && d) {
		first = head_of(a);
		bufpool_free(a);
		bufpool_free(b);	/* the first chunk becomes a spare */
		bufpool_get_stats(pool, &before);
		KUNIT_EXPECT_EQ(test, before.v[BUFPOOL_STAT_SPARE_POOLS], 1);
		KUNIT_EXPECT_EQ(test, before.v[BUFPOOL_STAT_SPARE_BYTES], CHUNK);
#ifdef CONFIG_FAULT_INJECTION
		current->fail_nth = 2;
		e = bufpool_pool_alloc_unsafe(pool, size, gfp);
		current->fail_nth = 0;
#endif
		bufpool_get_stats(pool, &after);
	}
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_PTR_NE(test, head_of(c), first);

	KUNIT_EXPECT_TRUE_MSG(test, bufpool_is_pooled(e),
			      "the rollover asked the page allocator");
	if (e) {
		KUNIT_EXPECT_PTR_EQ(test, head_of(e), first);
		KUNIT_EXPECT_EQ(test, bufpool_offset(e), 0);
		KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(e));
	}
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_CREATED), 1);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_RELEASED), 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, POOLS_LIVE), 1);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_RETIRED_POOLS_LIVE], 1);
	/* Sliced again: no longer a spare. */
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_POOLS], 0);
	KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_SPARE_BYTES], 0);
	bufpool_free(c);
	bufpool_free(d);
	bufpool_free(e);
}

/*
 * A CPU keeps 128 KB of spares per pool (a page where pages are
 * larger), at least one: sixteen chunks of 8 KB, one of 128 KB; with 64
 * KB pages, two of the default 64 KB. With that many chunks and one more released, that
 * many rollovers succeed with the page allocator failing, and the next
 * one fails.
 */
struct spares_row {
	unsigned int pool_size;
	unsigned int kept;
};

static const struct spares_row spares_rows[] = {
	{ .pool_size = CHUNK, .kept = SPARE_BYTES / CHUNK },
	{ .pool_size = SPARE_BYTES, .kept = 1 },
};

static void spares_row_desc(const struct spares_row *row, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "pool_size %u keeps %u",
		 row->pool_size, row->kept);
}

KUNIT_ARRAY_PARAM(spares, spares_rows, spares_row_desc);

static void spares_are_capped(struct kunit *test)
{
	const struct spares_row *row = test->param_value;
	const struct bufpool_params params = { .pool_size = row->pool_size };
	const gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN;
	const unsigned int half = row->pool_size / 2 - 8;
	/* kept + 1 chunks to release, then the current one, two slices each */
	const unsigned int n = 2 * (row->kept + 2);
	unsigned int i, got = 0;
	struct bufpool_stats st;
	struct bufpool *pool;
	void **bufs, **more;

	if (!IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC))
		kunit_skip(test, "needs CONFIG_FAIL_PAGE_ALLOC");
	if (row != &spares_rows[0] &&
	    row->pool_size == spares_rows[0].pool_size)
		kunit_skip(test, "the default chunk is %u bytes too: the row above",
			   row->pool_size);
	/* Every row's chunk is at least the default's: failed alike. */
	if (!chunk_alloc_can_fail())
		kunit_skip(test, NO_CHUNK_FAILURE, get_order(CHUNK));
	bufs = kunit_kcalloc(test, n, sizeof(*bufs), GFP_KERNEL);
	more = kunit_kcalloc(test, 2 * (row->kept + 1), sizeof(*more),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bufs);
	KUNIT_ASSERT_NOT_NULL(test, more);
	pool = bufpool_create("kunit-spares", &params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);

	migrate_disable();
	for (i = 0; i < n; i++)
		bufs[i] = bufpool_pool_alloc_unsafe(pool, half, gfp);
	/* Every chunk but the current one goes: kept ones become spares. */
	for (i = 0; i < n - 2; i++)
		bufpool_free(bufs[i]);
	bufpool_get_stats(pool, &st);
	for (i = 0; i <= row->kept; i++) {
#ifdef CONFIG_FAULT_INJECTION
		current->fail_nth = 2;
		more[2 * i] = bufpool_pool_alloc_unsafe(pool, half, gfp);
		current->fail_nth = 0;
#endif
		/* Past the spares, no chunk: served directly instead. */
		if (!bufpool_is_pooled(more[2 * i]))
			break;
		got++;
		more[2 * i + 1] = bufpool_pool_alloc_unsafe(pool, half, gfp);
	}
	migrate_enable();

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, bufs[i], "buffer %u", i);
	KUNIT_EXPECT_EQ_MSG(test, got, row->kept,
			    "rollovers served by spares");
	/* What was kept is in sight, and nothing more. */
	KUNIT_EXPECT_EQ(test, st.v[BUFPOOL_STAT_SPARE_POOLS], row->kept);
	KUNIT_EXPECT_EQ(test, st.v[BUFPOOL_STAT_SPARE_BYTES],
			(u64)row->kept * row->pool_size);
	for (i = 0; i < 2 * (row->kept + 1); i++)
		bufpool_free(more[i]);
	bufpool_free(bufs[n - 2]);
	bufpool_free(bufs[n - 1]);
	bufpool_destroy(pool);
}

static struct kunit_case slicing_cases[] = {
	KUNIT_CASE(page_backed),
	KUNIT_CASE_PARAM(front_to_back, slicing_gen_params),
	KUNIT_CASE(rollover),
	KUNIT_CASE(exact_fit),
	KUNIT_CASE(rollover_keeps_slices),
	KUNIT_CASE(rollover_reuses_empty_chunk),
	KUNIT_CASE(free_rewinds_chunk),
	KUNIT_CASE_PARAM(free_keeps_chunk, no_rewind_gen_params),
	KUNIT_CASE(zeroing_policy),
	KUNIT_CASE(large_chunk_not_wiped_in_place),
	KUNIT_CASE(nofail_large_chunks),
	KUNIT_CASE(rollover_takes_spare),
	KUNIT_CASE_PARAM(spares_are_capped, spares_gen_params),
	{}
};

static struct kunit_suite slicing_suite = {
	.name = "bufpool_slicing",
	.init = fresh_pool_init,
	.exit = fresh_pool_exit,
	.test_cases = slicing_cases,
};

/* -- The paths ----------------------------------------------------------- */

static void from_copies(struct kunit *test)
{
	/* Below the default threshold, at it, and past the chunk. */
	static const size_t sizes[] = {
		1, 7, 64, CHUNK / 2 - 1, CHUNK / 2, 2 * CHUNK + 3616,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *src = kunit_kmalloc(test, sizes[i], GFP_KERNEL);
		u8 *buf;

		KUNIT_ASSERT_NOT_NULL(test, src);
		memset(src, 0x40 + i, sizes[i]);
		buf = bufpool_from(src, sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		KUNIT_EXPECT_EQ(test, memcmp(buf, src, sizes[i]), 0);
		KUNIT_EXPECT_EQ(test, bufpool_is_pooled(buf),
				sizes[i] < CHUNK / 2);
		bufpool_free(buf);
	}
}

/*
 * The cases run in a kthread with no user address space. suite_init runs
 * in insmod's process: borrow its mm for the user-copy case.
 */
static struct mm_struct *paths_mm;

static int paths_suite_init(struct kunit_suite *suite)
{
	paths_mm = current->mm;
	if (paths_mm)
		mmget(paths_mm);
	return 0;
}

static void paths_suite_exit(struct kunit_suite *suite)
{
	if (paths_mm)
		mmput(paths_mm);
	paths_mm = NULL;
}

/*
 * bufpool_from_user(@src, @len) fails with @err (and leaks nothing if not):
 * counted as a call and a failure. A copy that faults had its buffer,
 * freed at once: its bytes stay counted, as its free is, for an event
 * counts only up; -ENOMEM had none.
 */
static void from_user_fails(struct kunit *test, const void __user *src,
			    size_t len, int err)
{
	struct bufpool_stats before, after;
	u8 *buf;

	bufpool_get_stats(NULL, &before);
	buf = bufpool_from_user(src, len);
	bufpool_get_stats(NULL, &after);
	KUNIT_EXPECT_PTR_EQ(test, buf, ERR_PTR(err));
	if (!IS_ERR_OR_NULL(buf))
		bufpool_free(buf);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FAILURES), 1);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FROM_POOLED_CALLS) +
			BP_DELTA(after, before, FROM_DIRECT_CALLS), 1);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FROM_POOLED_BYTES) +
			BP_DELTA(after, before, FROM_DIRECT_BYTES),
			err == -EFAULT ? len : 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FREES),
			err == -EFAULT ? 1 : 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, SLICES_LIVE), 0);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, DIRECT_LIVE), 0);
}

static void from_user(struct kunit *test)
{
	void __user *ubuf;
	unsigned long addr;
	u8 data[256], *buf;

	if (!paths_mm)
		kunit_skip(test, "loaded without a user address space");
	kthread_use_mm(paths_mm);
	/*
	 * Two pages, the second unmapped again: the page after the buffer
	 * is a hole, whatever else the address space holds (a mapping of
	 * one page may be placed right before another one).
	 */
	addr = vm_mmap(NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(addr)) {
		kthread_unuse_mm(paths_mm);
		KUNIT_FAIL(test, "vm_mmap: %ld", (long)addr);
		return;
	}
	KUNIT_EXPECT_EQ(test, vm_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	ubuf = (void __user *)addr;

	memset(data, 0x5e, sizeof(data));
	KUNIT_EXPECT_EQ(test, copy_to_user(ubuf, data, sizeof(data)), 0);

	buf = bufpool_from_user(ubuf, sizeof(data));
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(buf));
	if (!IS_ERR_OR_NULL(buf)) {
		KUNIT_EXPECT_EQ(test, memcmp(buf, data, sizeof(data)), 0);
		KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(buf));
		bufpool_free(buf);
	}

	/* Past the end of the mapping: -EFAULT, and nothing leaks. */
	from_user_fails(test, ubuf + PAGE_SIZE - 16, 64, -EFAULT);
	from_user_fails(test, (void __user *)16, 64, -EFAULT);
	/* More than can ever be allocated: -ENOMEM. */
	from_user_fails(test, ubuf, SIZE_MAX, -ENOMEM);
	vm_munmap(addr, PAGE_SIZE);
	kthread_unuse_mm(paths_mm);
}

/* A slice may be freed on a CPU other than the one that allocated it. */
static void free_on_other_cpu(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	int cpu, freed_on;
	void *buf;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	migrate_disable();
	cpu = smp_processor_id();
	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, buf);
	freed_on = bp_free_elsewhere(buf, cpu);
	KUNIT_EXPECT_GE(test, freed_on, 0);
	KUNIT_EXPECT_NE(test, freed_on, cpu);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
}

/* __GFP_ZERO asks for zeroes on the pooled path too, as for kmalloc(). */
static void unsafe_gfp_zero(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	u8 *first, *buf;

	migrate_disable();
	first = bufpool_pool_alloc_unsafe(pool, 8, GFP_KERNEL);
	if (first)
		memset(first + 8, 0xaa, 64);
	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL | __GFP_ZERO);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_PTR_EQ(test, (void *)buf, (void *)(first + 8));
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(buf, 0, 64));
	bufpool_free(buf);
	bufpool_free(first);
}

/*
 * zero_fill: no path returns stale bytes, even from memory that held a
 * freed buffer's data a moment ago.
 */
static void zero_fill_after_free(struct kunit *test)
{
	const struct bufpool_params params = { .flags = BUFPOOL_ZERO_FILL };
	static const size_t sizes[] = { 100, 1000, 3000, 5000 };
	struct bufpool *pool;
	u8 *bufs[16];
	int round, i;

	pool = bufpool_create("kunit-zero-free", &params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ARRAY_SIZE(bufs); i++) {
			size_t size = sizes[i % ARRAY_SIZE(sizes)];

			if (i % 4 == 3)
				bufs[i] = bufpool_pool_alloc_unsafe_slow(pool, size,
									 GFP_KERNEL);
			else
				bufs[i] = bufpool_pool_alloc_unsafe(pool, size,
								    GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, bufs[i]);
			/* The second round gets memory the first one dirtied. */
			KUNIT_EXPECT_TRUE_MSG(test, bp_all_bytes(bufs[i], 0, size),
					      "round %d, buffer %d", round, i);
			memset(bufs[i], 0xee, size);
		}
		for (i = 0; i < ARRAY_SIZE(bufs); i++)
			bufpool_free(bufs[i]);
	}
	bufpool_destroy(pool);
}

static struct kunit_case paths_cases[] = {
	KUNIT_CASE(zero_fill_after_free),
	KUNIT_CASE(unsafe_gfp_zero),
	KUNIT_CASE(from_copies),
	KUNIT_CASE(from_user),
	KUNIT_CASE(free_on_other_cpu),
	{}
};

static struct kunit_suite paths_suite = {
	.name = "bufpool_paths",
	.suite_init = paths_suite_init,
	.suite_exit = paths_suite_exit,
	.init = fresh_pool_init,
	.exit = fresh_pool_exit,
	.test_cases = paths_cases,
};

/* -- Named pools ---------------------------------------------------------- */

/* Own size, own alignment, all four paths. */
static void named_pool_shape(struct kunit *test)
{
	const struct bufpool_params params = {
		.pool_size = 2 * CHUNK, .align = 64,
	};
	u8 src[300], *bufs[6];
	struct bufpool *pool;
	int i;

	pool = bufpool_create("kunit-shape", &params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	memset(src, 0x77, sizeof(src));
	bufs[0] = bufpool_pool_alloc_unsafe(pool, 1, GFP_KERNEL);
	bufs[1] = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	bufs[2] = bufpool_pool_from(pool, src, sizeof(src), GFP_KERNEL);
	bufs[3] = bufpool_pool_alloc(pool, 100, GFP_KERNEL);
	bufs[4] = bufpool_pool_alloc_unsafe_slow(pool, 100, GFP_KERNEL);
	bufs[5] = bufpool_pool_alloc_unsafe(pool, CHUNK + 808, GFP_KERNEL);

	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		KUNIT_ASSERT_NOT_NULL(test, bufs[i]);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)bufs[i], 64),
				      "buffer %d is not 64-aligned", i);
	}
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(bufs[0]));
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(bufs[0]), 2 * CHUNK);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(bufs[2]));
	KUNIT_EXPECT_EQ(test, memcmp(bufs[2], src, sizeof(src)), 0);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(bufs[3]));
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(bufs[3], 0, 100));
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(bufs[4]));
	/* The threshold is pool_size / 2 = CHUNK here. */
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(bufs[5]));
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(bufs[5]), CHUNK + 808);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_ALIGN), 64);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_THRESHOLD), CHUNK);
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufpool_free(bufs[i]);
	bufpool_destroy(pool);
}

static void named_pool_defaults(struct kunit *test)
{
	struct bufpool *pool = test->priv;	/* created with NULL params */

	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_POOL_SIZE), CHUNK);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_THRESHOLD), CHUNK / 2);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_ALIGN), 8);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_ZERO_FILL), 0);
	KUNIT_EXPECT_NOT_NULL(test, pool);
}

static void named_pool_unique(struct kunit *test)
{
	struct bufpool *again = bufpool_create(POOL_NAME, NULL);
	struct bufpool *dflt = bufpool_create("default", NULL);

	KUNIT_EXPECT_PTR_EQ(test, again, ERR_PTR(-EEXIST));
	KUNIT_EXPECT_PTR_EQ(test, dflt, ERR_PTR(-EEXIST));
	if (!IS_ERR(again))
		bufpool_destroy(again);
	if (!IS_ERR(dflt))
		bufpool_destroy(dflt);
}

/* The directory comes and goes with its pool. */
static void named_pool_debugfs(struct kunit *test)
{
	char buf[16];
	struct bufpool *pool = bufpool_create("kunit-dir", NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	KUNIT_EXPECT_GT(test, bp_read_file("/sys/kernel/debug/bufpool/kunit-dir/stats",
					   buf, sizeof(buf)), 0);
	bufpool_destroy(pool);
	KUNIT_EXPECT_EQ(test, bp_read_file("/sys/kernel/debug/bufpool/kunit-dir/stats",
					   buf, sizeof(buf)), -ENOENT);
}

struct bad_params_row {
	const char *desc;
	const char *name;
	struct bufpool_params params;
};

static const struct bad_params_row bad_params_rows[] = {
	{ "pool_size not a power of two", "p", { .pool_size = CHUNK + 1808 } },
	{ "pool_size below PAGE_SIZE", "p", { .pool_size = PAGE_SIZE / 2 } },
	{ "pool_size above the page allocator", "p", { .pool_size = 8 << 20 } },
	{ "align not a power of two", "p", { .align = 24 } },
	{ "align below 8", "p", { .align = 4 } },
	{ "align above PAGE_SIZE", "p", { .align = 2 * PAGE_SIZE } },
	{ "threshold above pool_size + 1", "p", { .threshold = CHUNK + 2 } },
	{ "unknown flag", "p", { .flags = 0x80 } },
	{ "empty name", "", {} },
	{ "NULL name", NULL, {} },
	{ "slash in name", "a/b", {} },
	{ "dot first", ".hidden", {} },
	{ "space in name", "a b", {} },
	{ "Latin-1 letter first", "\xe9th0", {} },
	{ "Latin-1 letter inside", "eth\xe9", {} },
	{ "name too long", "this-name-is-far-too-long-for-bufpool", {} },
};

static void bad_params_desc(const struct bad_params_row *row, char *desc)
{
	strscpy(desc, row->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_params, bad_params_rows, bad_params_desc);

static void named_pool_bad_params(struct kunit *test)
{
	const struct bad_params_row *row = test->param_value;
	struct bufpool *pool = bufpool_create(row->name, &row->params);

	KUNIT_EXPECT_PTR_EQ(test, pool, ERR_PTR(-EINVAL));
	if (!IS_ERR(pool))
		bufpool_destroy(pool);
}

/*
 * Destroying a pool under live buffers frees nothing they point into:
 * under DEBUG_PAGEALLOC and KASAN, touching freed memory would not pass.
 */
static void destroy_with_live_buffers(struct kunit *test)
{
	struct bufpool *pool = bufpool_create("kunit-live", NULL);
	u8 *a, *b, *d;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	a = bufpool_pool_alloc_unsafe(pool, 3000, GFP_KERNEL);
	b = bufpool_pool_alloc_unsafe(pool, 3000, GFP_KERNEL);
	d = bufpool_pool_alloc_unsafe_slow(pool, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, d);
	memset(a, 1, 3000);
	memset(b, 2, 3000);
	memset(d, 3, 100);

	bufpool_destroy(pool);

	KUNIT_EXPECT_TRUE(test, bp_all_bytes(a, 1, 3000));
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(b, 2, 3000));
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(d, 3, 100));
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(a));
	memset(b, 4, 3000);
	bufpool_free(a);
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(b, 4, 3000));
	bufpool_free(d);
	bufpool_free(b);
}

/*
 * NULL, the default pool to the allocation calls, and a bufpool_create()
 * error are nothing to destroy: the default pool stays, and serves.
 */
static void destroy_null(struct kunit *test)
{
	char buf[64];
	void *slice;

	bufpool_destroy(NULL);
	bufpool_destroy(ERR_PTR(-EINVAL));
	KUNIT_EXPECT_GT(test, bp_read_file("/sys/kernel/debug/bufpool/default/stats",
					   buf, sizeof(buf)), 0);
	slice = bufpool_alloc_unsafe(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slice);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(slice));
	bufpool_free(slice);
}

static struct kunit_case named_cases[] = {
	KUNIT_CASE(named_pool_shape),
	KUNIT_CASE(named_pool_defaults),
	KUNIT_CASE(named_pool_unique),
	KUNIT_CASE(named_pool_debugfs),
	KUNIT_CASE_PARAM(named_pool_bad_params, bad_params_gen_params),
	KUNIT_CASE(destroy_with_live_buffers),
	KUNIT_CASE(destroy_null),
	{}
};

static struct kunit_suite named_suite = {
	.name = "bufpool_named",
	.init = fresh_pool_init,
	.exit = fresh_pool_exit,
	.test_cases = named_cases,
};

/* -- Bad input ------------------------------------------------------------ */

struct absurd_row {
	const char *desc;
	size_t size;
};

static const struct absurd_row absurd_rows[] = {
	{ "SIZE_MAX", SIZE_MAX },
	{ "SIZE_MAX / 2", SIZE_MAX / 2 },
	{ "1 << 40", 1ULL << 40 },
	{ "KMALLOC_MAX_SIZE + 1", KMALLOC_MAX_SIZE + 1 },
	{ "KMALLOC_MAX_SIZE", KMALLOC_MAX_SIZE },
};

static void absurd_desc(const struct absurd_row *row, char *desc)
{
	strscpy(desc, row->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(absurd, absurd_rows, absurd_desc);

/* Sizes no allocator can give: NULL on every path, counted, no splat. */
static void absurd_sizes(struct kunit *test)
{
	const struct absurd_row *row = test->param_value;
	struct bufpool *pool = test->priv;
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	long failures = bp_stat(pool, BUFPOOL_STAT_FAILURES);
	u8 src[1] = { 0 };

	KUNIT_EXPECT_NULL(test, bufpool_pool_alloc(pool, row->size, gfp));
	KUNIT_EXPECT_NULL(test, bufpool_pool_alloc_unsafe(pool, row->size, gfp));
	KUNIT_EXPECT_NULL(test, bufpool_pool_alloc_unsafe_slow(pool, row->size, gfp));
	/* from would read past src if it ever got memory: it must not. */
	KUNIT_EXPECT_NULL(test, bufpool_pool_from(pool, src, row->size, gfp));
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_FAILURES) - failures, 4);
}

static void free_nothing(struct kunit *test)
{
	long frees = bp_stat(NULL, BUFPOOL_STAT_FREES);

	bufpool_free(NULL);
	bufpool_free(ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_FREES), frees);
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(NULL), 0);
	KUNIT_EXPECT_EQ(test, bufpool_offset(NULL), 0);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(NULL));
}

/* Zones a kmalloc cannot serve are refused with NULL, not a splat. */
static void bad_zone(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	u8 *dma;

	KUNIT_EXPECT_NULL(test, bufpool_pool_alloc_unsafe(pool, 64,
							  GFP_KERNEL | __GFP_DMA32));
	KUNIT_EXPECT_NULL(test, bufpool_pool_alloc(pool, 64,
						   GFP_KERNEL | __GFP_HIGHMEM));
	/*
	 * __GFP_DMA is served, never from a shared chunk: from ZONE_DMA
	 * where the kernel has one, as kmalloc() serves it.
	 */
	dma = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL | __GFP_DMA);
	KUNIT_ASSERT_NOT_NULL(test, dma);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(dma));
#ifdef CONFIG_ZONE_DMA
	KUNIT_EXPECT_EQ(test, page_zonenum(virt_to_page(dma)), ZONE_DMA);
#endif
	bufpool_free(dma);
}

/*
 * A request to be charged to the caller's memory cgroup is served
 * directly, where kmalloc() charges it: a chunk's slices go to callers of
 * any cgroup and are not charged one by one. The same request uncharged
 * is sliced, so the charge is what sends it direct.
 */
static void charged_direct(struct kunit *test)
{
	long unsafe = bp_stat(test->priv, BUFPOOL_STAT_UNSAFE_DIRECT_CALLS);
	long from = bp_stat(test->priv, BUFPOOL_STAT_FROM_DIRECT_CALLS);
	long dflt = bp_stat(NULL, BUFPOOL_STAT_UNSAFE_DIRECT_CALLS);
	struct bufpool *pool = test->priv;
	void *got[6], *bulk[2];
	int i;

	got[0] = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got[0]);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(got[0]));
	got[1] = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL_ACCOUNT);
	got[2] = bufpool_pool_alloc_unsafe(pool, 64, GFP_ATOMIC | __GFP_ACCOUNT);
	got[3] = bufpool_pool_from(pool, "charged", 8, GFP_KERNEL_ACCOUNT);
	got[4] = bufpool_alloc_unsafe(64, GFP_KERNEL_ACCOUNT);
	got[5] = bufpool_from("charged", 8, GFP_KERNEL_ACCOUNT);
	for (i = 1; i < ARRAY_SIZE(got); i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, got[i], "call %d", i);
		KUNIT_EXPECT_FALSE_MSG(test, bufpool_is_pooled(got[i]),
				       "call %d", i);
	}
	KUNIT_EXPECT_EQ(test, memcmp(got[3], "charged", 8), 0);
	KUNIT_ASSERT_EQ(test, bufpool_pool_alloc_bulk(pool, 64,
						      GFP_KERNEL_ACCOUNT, 2,
						      bulk), 2);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(bulk[0]));
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(bulk[1]));
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_UNSAFE_DIRECT_CALLS) -
			unsafe, 4);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_FROM_DIRECT_CALLS) -
			from, 1);
	KUNIT_EXPECT_GE(test, bp_stat(NULL, BUFPOOL_STAT_UNSAFE_DIRECT_CALLS) -
			dflt, 1);
	bufpool_free_bulk(2, bulk);
	for (i = 0; i < ARRAY_SIZE(got); i++)
		bufpool_free(got[i]);
}

/*
 * From NMI context every allocation path refuses, and says so once: an NMI
 * can land in this CPU's rollover. The case enters NMI context as far as
 * in_nmi() tells (nmi_enter()'s count), with interrupts off meanwhile.
 */
static void nmi_refused(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	void *got[5], *bulk[2][4] = {}, *warm;
	size_t nr_bulk[2];
	unsigned long flags;
	struct bp_log log;
	int i;

	/* A chunk to carve, so that only the refusal can return NULL. */
	warm = bufpool_pool_alloc_unsafe(pool, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, warm);
	bp_log_mark(&log);
	local_irq_save(flags);
	__preempt_count_add(NMI_OFFSET + HARDIRQ_OFFSET);
	got[0] = bufpool_pool_alloc_unsafe(pool, 16, GFP_ATOMIC);
	got[1] = bufpool_alloc_unsafe(16, GFP_ATOMIC);
	got[2] = bufpool_pool_from(pool, "x", 1, GFP_ATOMIC);
	got[3] = bufpool_pool_alloc(pool, 16, GFP_ATOMIC);
	got[4] = bufpool_pool_alloc_unsafe_slow(pool, 16, GFP_ATOMIC);
	nr_bulk[0] = bufpool_pool_alloc_bulk(pool, 16, GFP_ATOMIC, 4, bulk[0]);
	nr_bulk[1] = bufpool_alloc_bulk(16, GFP_ATOMIC, 4, bulk[1]);
	__preempt_count_sub(NMI_OFFSET + HARDIRQ_OFFSET);
	local_irq_restore(flags);
	for (i = 0; i < ARRAY_SIZE(got); i++) {
		KUNIT_EXPECT_NULL_MSG(test, got[i], "path %d", i);
		bufpool_free(got[i]);
	}
	for (i = 0; i < ARRAY_SIZE(nr_bulk); i++) {
		KUNIT_EXPECT_EQ_MSG(test, nr_bulk[i], 0, "bulk call %d", i);
		bufpool_free_bulk(nr_bulk[i], bulk[i]);
	}
	bufpool_free(warm);
	/* Said once per load of bufpool: the suites run once per boot. */
	KUNIT_EXPECT_TRUE(test, bp_log_has(&log, "allocation from NMI context by",
					   "nmi_refused", "refused", NULL));
}

static struct kunit_case input_cases[] = {
	KUNIT_CASE_PARAM(absurd_sizes, absurd_gen_params),
	KUNIT_CASE(free_nothing),
	KUNIT_CASE(bad_zone),
	KUNIT_CASE(charged_direct),
	KUNIT_CASE(nmi_refused),
	{}
};

static struct kunit_suite input_suite = {
	.name = "bufpool_input",
	.init = fresh_pool_init,
	.exit = fresh_pool_exit,
	.test_cases = input_cases,
};

#ifdef CONFIG_KMSAN
/* -- KMSAN --------------------------------------------------------------- */

#define KMSAN_SLICE	64
#define KMSAN_SLICES	(CHUNK / KMSAN_SLICE)

/*
 * A chunk of this CPU's filled with slices its callers wrote, then every
 * one freed: the next slices are that memory again, rewound, or recycled
 * and wiped under init_on_free. Runs with migration off. Return: the
 * chunk's first slice, which the next carve gives again.
 */
static u8 *kmsan_written_chunk(struct kunit *test, struct bufpool *pool)
{
	struct bp_log log;
	u8 **s = kunit_kcalloc(test, KMSAN_SLICES, sizeof(*s), GFP_KERNEL);
	u8 *first;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < KMSAN_SLICES; i++) {
		s[i] = bufpool_pool_alloc_unsafe(pool, KMSAN_SLICE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s[i]);
		memset(s[i], 0x5a, KMSAN_SLICE);
	}
	/* The pool's first chunk, the slices one after the other. */
	KUNIT_ASSERT_EQ(test, bufpool_offset(s[0]), 0);
	KUNIT_ASSERT_PTR_EQ(test, s[KMSAN_SLICES - 1],
			    s[0] + CHUNK - KMSAN_SLICE);
	/* Written, a slice is initialised: KMSAN says nothing. */
	bp_log_mark(&log);
	kmsan_check_memory(s[0], KMSAN_SLICE);
	KUNIT_EXPECT_FALSE(test, bp_log_has(&log, "BUG: KMSAN", NULL));
	first = s[0];
	for (i = 0; i < KMSAN_SLICES; i++)
		bufpool_free(s[i]);
	return first;
}

/*
 * Under init_on_alloc every slice handed out is zeroed after the carve,
 * as a kmalloc() object is: nothing in it is uninitialised to report.
 */
static void kmsan_skip_zeroed(struct kunit *test)
{
	if (want_init_on_alloc(GFP_KERNEL))
		kunit_skip(test, "init_on_alloc=1 zeroes every slice handed out");
}

/* Whether KMSAN reports @len bytes at @buf uninitialised. */
static bool kmsan_reports_uninit(struct kunit *test, const void *buf,
				 size_t len)
{
	struct bp_log log;

	bp_log_mark(&log);
	bp_expect_begin(test);
	kmsan_check_memory(buf, len);
	bp_expect_end(test);
	return bp_log_has(&log, "BUG: KMSAN: uninit-value", NULL);
}

/*
 * A slice handed out again is uninitialised memory to KMSAN, as a
 * kmalloc() object is: what its last owner wrote does not initialise it
 * for the next, whose use of a byte it did not write KMSAN reports.
 */
static void kmsan_slice_again_uninit(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	u8 *first, *again;

	kmsan_skip_zeroed(test);
	migrate_disable();
	first = kmsan_written_chunk(test, pool);
	again = bufpool_pool_alloc_unsafe(pool, KMSAN_SLICE, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_PTR_EQ(test, again, first);
	KUNIT_EXPECT_TRUE(test, kmsan_reports_uninit(test, again, KMSAN_SLICE));
	bufpool_free(again);
}

/* The same of slices the bulk call carves at once. */
static void kmsan_bulk_again_uninit(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	void *bufs[4];
	u8 *first;
	size_t n;

	kmsan_skip_zeroed(test);
	migrate_disable();
	first = kmsan_written_chunk(test, pool);
	n = bufpool_pool_alloc_bulk(pool, KMSAN_SLICE, GFP_KERNEL,
				    ARRAY_SIZE(bufs), bufs);
	migrate_enable();
	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(bufs));
	KUNIT_ASSERT_PTR_EQ(test, (u8 *)bufs[0], first);
	KUNIT_EXPECT_TRUE(test, kmsan_reports_uninit(test, bufs[3],
						     KMSAN_SLICE));
	bufpool_free_bulk(n, bufs);
}

static struct kunit_case kmsan_cases[] = {
	KUNIT_CASE(kmsan_slice_again_uninit),
	KUNIT_CASE(kmsan_bulk_again_uninit),
	{}
};

static struct kunit_suite kmsan_suite = {
	.name = "bufpool_kmsan",
	.init = fresh_pool_init,
	.exit = fresh_pool_exit,
	.test_cases = kmsan_cases,
};

kunit_test_suites(&node_suite, &slicing_suite, &paths_suite, &named_suite,
		  &input_suite, &kmsan_suite);
#else
kunit_test_suites(&node_suite, &slicing_suite, &paths_suite, &named_suite,
		  &input_suite);
#endif
