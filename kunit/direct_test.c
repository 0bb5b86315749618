// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for bufpool/direct.c: a direct buffer is a kmalloc object
 * with a header in front and the buffer at the pool's alignment. The
 * room taken for the header must hold on every architecture and page
 * size, not only this one's: the layout's arithmetic is checked for the
 * shapes other kernels have, and this kernel's buffers under KASAN.
 */
#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/limits.h>
#include <linux/slab.h>

#include "direct.h"
#include "pool.h"
#include "util.h"

/* A header size, kmalloc's guaranteed alignment and a pool's alignment. */
struct lead_row {
	const char *desc;
	size_t hdr, minalign, align;
};

static const struct lead_row lead_rows[] = {
	{ "x86_64, align 8", 16, 8, 8 },
	{ "x86_64, align 64", 16, 8, 64 },
	{ "x86_64, align 4096", 16, 8, 4096 },
	{ "32-bit, align 8", 12, 8, 8 },
	{ "32-bit, align 16", 12, 8, 16 },
	{ "arm64 6.1, align 32", 16, 128, 32 },
	{ "arm64 6.1, align 64", 16, 128, 64 },
	{ "arm64 6.1, align 256", 16, 128, 256 },
	{ "arm64 64K pages, align 65536", 16, 8, 65536 },
	{ "arm64 6.1 64K pages, align 65536", 16, 128, 65536 },
};

static void lead_row_desc(const struct lead_row *row, char *desc)
{
	strscpy(desc, row->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(lead, lead_rows, lead_row_desc);

/*
 * Wherever kmalloc may place the object (any multiple of minalign), the
 * buffer, at the first multiple of align at least hdr past its start,
 * lies within the lead the allocation took, and the lead it stores fits
 * its field.
 */
static void lead_holds(struct kunit *test)
{
	const struct lead_row *row = test->param_value;
	size_t lead = bufpool_direct_lead(row->hdr, row->minalign, row->align);
	size_t base, span = 2 * max(row->align, row->minalign);

	for (base = 0; base < span; base += row->minalign) {
		size_t at = ALIGN(base + row->hdr, row->align) - base;

		KUNIT_EXPECT_LE_MSG(test, at, lead, "object at %zu", base);
		KUNIT_EXPECT_EQ(test, at % BUFPOOL_DIRECT_UNIT, 0);
		KUNIT_EXPECT_LE(test, at / BUFPOOL_DIRECT_UNIT, U16_MAX);
	}
}

/*
 * This kernel's direct buffers, in pools of each alignment, written end
 * to end (KASAN reports a byte past the object) and freed.
 */
static void direct_in_bounds(struct kunit *test)
{
	unsigned int align;
	char name[BUFPOOL_NAME_MAX];

	for (align = 8; align <= PAGE_SIZE; align *= 2) {
		const struct bufpool_params params = { .align = align };
		struct bufpool *pool;
		size_t size;

		snprintf(name, sizeof(name), "kunit-direct-%u", align);
		pool = bufpool_create(name, &params);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
		for (size = 1; size <= 2 * PAGE_SIZE; size = size * 2 + 3) {
			u8 *buf = bufpool_pool_alloc_unsafe_slow(pool, size,
								 GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, buf);
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)buf,
							   align));
			KUNIT_EXPECT_EQ(test, bufpool_backing_size(buf), size);
			memset(buf, 0xd1, size);
			bufpool_free(buf);
		}
		bufpool_destroy(pool);
	}
}

/*
 * A pool destroyed under direct buffers alone (no chunk holds it) stays
 * until the last of them is freed, and then goes: a free that touched a
 * pool released too early is a KASAN report, and a pool never released a
 * kmemleak report (only slices keep kmemleak from seeing it, direct
 * buffers reference it from their headers).
 */
static void destroyed_pool_waits_for_direct(struct kunit *test)
{
	struct bufpool *pool = bufpool_create("kunit-direct-live", NULL);
	u8 *slow, *zeroed;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	slow = bufpool_pool_alloc_unsafe_slow(pool, 100, GFP_KERNEL);
	zeroed = bufpool_pool_alloc(pool, 200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slow);
	KUNIT_ASSERT_NOT_NULL(test, zeroed);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(slow));
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(zeroed));
	memset(slow, 0x5a, 100);

	bufpool_destroy(pool);
	bufpool_wait_freed();

	KUNIT_EXPECT_TRUE(test, bp_all_bytes(slow, 0x5a, 100));
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(zeroed, 0, 200));
	bufpool_free(slow);
	bufpool_wait_freed();
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(zeroed), 200);
	bufpool_free(zeroed);
	bufpool_wait_freed();
}

/*
 * A free that sees the pool dying, before bufpool_destroy() counts the
 * live direct buffers, counts itself out of direct_left and not of
 * direct_live: the destroy's warning and the pool's wait count it freed.
 * dying is set here as bufpool_destroy() sets it first, so that the free
 * lands in that window every time.
 */
static void destroy_counts_late_frees(struct kunit *test)
{
	struct bufpool *pool = bufpool_create("kunit-direct-late", NULL);
	struct bp_log log;
	u8 *early, *kept;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	early = bufpool_pool_alloc_unsafe_slow(pool, 100, GFP_KERNEL);
	kept = bufpool_pool_alloc_unsafe_slow(pool, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, early);
	KUNIT_ASSERT_NOT_NULL(test, kept);

	WRITE_ONCE(pool->dying, true);
	bufpool_free(early);
	bp_log_mark(&log);
	bufpool_destroy(pool);
	KUNIT_EXPECT_TRUE_MSG(test,
			      bp_log_has(&log, "pool kunit-direct-late destroyed",
					 " 0 live slices and 1 live direct buffers:",
					 NULL),
			      "the destroy's warning counts the buffer freed after dying");
	/* The pool waits for the one left, and for nothing else. */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pool->direct_left), 1);
	bufpool_free(kept);
	bufpool_wait_freed();
}

static struct kunit_case direct_cases[] = {
	KUNIT_CASE_PARAM(lead_holds, lead_gen_params),
	KUNIT_CASE(direct_in_bounds),
	KUNIT_CASE(destroyed_pool_waits_for_direct),
	KUNIT_CASE(destroy_counts_late_frees),
	{}
};

static struct kunit_suite direct_suite = {
	.name = "bufpool_direct",
	.test_cases = direct_cases,
};

kunit_test_suite(direct_suite);
