// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for bufpool/main.c: the default pool's module parameters,
 * set through /sys/module/bufpool/parameters as a user would.
 */
#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "util.h"

/* The default chunk: 8 KB, or one page where pages are larger. */
#define CHUNK	BUFPOOL_DEFAULT_POOL_SIZE

/* Sets module parameter @name to the number @val, as a user writes it. */
static int param_set_num(const char *name, long val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%ld", val);
	return bp_param_set(name, buf);
}

/*
 * A CPU keeps a chunk of the old pool_size until its next rollover: roll
 * over until the current chunk is the default size again.
 */
static long settle_cpu(void *arg)
{
	void *bufs[8] = {};
	long ok = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(bufs) && !ok; i++) {
		bufs[i] = bufpool_alloc_unsafe(CHUNK / 2 - 1, GFP_KERNEL);
		ok = bufs[i] && bufpool_backing_size(bufs[i]) == CHUNK;
	}
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufpool_free(bufs[i]);
	return ok;
}

static int params_init(struct kunit *test)
{
	int cpu;

	/* Every case starts from, and the suite leaves, the defaults. */
	KUNIT_ASSERT_EQ(test, param_set_num("pool_size", CHUNK), 0);
	KUNIT_ASSERT_EQ(test, bp_param_set("threshold", "0"), 0);
	KUNIT_ASSERT_EQ(test, bp_param_set("zero_fill", "0"), 0);
	for_each_online_cpu(cpu)
		KUNIT_ASSERT_TRUE(test, work_on_cpu(cpu, settle_cpu, NULL));
	return 0;
}

static void params_exit(struct kunit *test)
{
	params_init(test);
}

/*
 * The default pool follows the parameters: a threshold of 0 is half of
 * pool_size, Node's rule. (The values at load, before any write, are the
 * stock guest's load-defaults check.)
 */
static void params_in_stats(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_POOL_SIZE), CHUNK);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_THRESHOLD), CHUNK / 2);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_ZERO_FILL), 0);
	KUNIT_ASSERT_EQ(test, param_set_num("pool_size", 2 * CHUNK), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_POOL_SIZE), 2 * CHUNK);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_THRESHOLD), CHUNK);
	KUNIT_ASSERT_EQ(test, bp_param_set("zero_fill", "y"), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_ZERO_FILL), 1);
}

struct bad_value {
	const char *param;
	const char *value;	/* or NULL: the number @num */
	long num;
};

static const struct bad_value bad_values[] = {
	{ "pool_size", "0" },
	{ "pool_size", "10000" },		/* not a power of two */
	{ "pool_size", NULL, PAGE_SIZE / 2 },	/* less than a page */
	{ "pool_size", "8388608" },		/* more than 4 MB */
	{ "pool_size", NULL, -(long)CHUNK },
	{ "pool_size", "lots" },
	{ "threshold", NULL, CHUNK + 2 },	/* more than pool_size + 1 */
	{ "threshold", "-1" },
	{ "threshold", "4k" },
	{ "zero_fill", "maybe" },
};

static const char *bad_value_str(const struct bad_value *v, char *buf,
				 size_t size)
{
	if (v->value)
		return v->value;
	snprintf(buf, size, "%ld", v->num);
	return buf;
}

static void bad_value_desc(const struct bad_value *v, char *desc)
{
	char buf[24];

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s=%s", v->param,
		 bad_value_str(v, buf, sizeof(buf)));
}

KUNIT_ARRAY_PARAM(bad_value, bad_values, bad_value_desc);

/*
 * A bad value is refused with -EINVAL and a message that names the
 * parameter, and the old one is kept.
 */
static void refuses_bad_value(struct kunit *test)
{
	const struct bad_value *v = test->param_value;
	unsigned long before = bp_param_get(test, v->param);
	struct bp_log log;
	char buf[24];

	bp_log_mark(&log);
	KUNIT_EXPECT_EQ(test, bp_param_set(v->param,
					   bad_value_str(v, buf, sizeof(buf))),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, bp_param_get(test, v->param), before);
	KUNIT_EXPECT_TRUE(test, bp_log_has(&log, "bufpool: ", v->param,
					   ": must be", NULL));
}

/*
 * Like assigning Buffer.poolSize: existing chunks keep their size, the
 * next rollover on each CPU makes chunks of the new size.
 */
static void pool_size_at_next_rollover(struct kunit *test)
{
	void *old, *bufs[8] = {};
	int i, found = -1;

	old = bufpool_alloc_unsafe(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, old);
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(old), CHUNK);
	KUNIT_ASSERT_EQ(test, param_set_num("pool_size", 2 * CHUNK), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_POOL_SIZE), 2 * CHUNK);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_THRESHOLD), CHUNK);

	/*
	 * The first CHUNK - 1192 bytes (7000 with 8 KB chunks) may still fit
	 * this CPU's default-size chunk; two cannot, so by the second a
	 * chunk of twice the size has started.
	 */
	migrate_disable();
	for (i = 0; i < ARRAY_SIZE(bufs) && found < 0; i++) {
		bufs[i] = bufpool_alloc_unsafe(CHUNK - 1192, GFP_KERNEL);
		if (bufs[i] && bufpool_backing_size(bufs[i]) == 2 * CHUNK)
			found = i;
	}
	migrate_enable();
	KUNIT_EXPECT_GE(test, found, 0);
	KUNIT_EXPECT_LE(test, found, 1);
	if (found == 1)
		KUNIT_EXPECT_EQ(test, bufpool_backing_size(bufs[0]), CHUNK);
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(old), CHUNK);
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufpool_free(bufs[i]);
	bufpool_free(old);
}

/*
 * threshold = pool_size + 1 pools everything up to the default chunk (8 KB
 * with 4 KB pages): the seed's "<= 8 KB".
 */
static void threshold_literal_8k(struct kunit *test)
{
	void *a, *b;

	KUNIT_ASSERT_EQ(test, param_set_num("threshold", CHUNK + 1), 0);
	a = bufpool_alloc_unsafe(CHUNK, GFP_KERNEL);
	b = bufpool_alloc_unsafe(CHUNK + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(a));
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(a), CHUNK);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(b));
	bufpool_free(a);
	bufpool_free(b);

	KUNIT_ASSERT_EQ(test, bp_param_set("threshold", "100"), 0);
	a = bufpool_alloc_unsafe(99, GFP_KERNEL);
	b = bufpool_alloc_unsafe(100, GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(a));
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(b));
	bufpool_free(a);
	bufpool_free(b);
}

/* A smaller pool_size clamps a threshold set for a larger one. */
static void threshold_clamped(struct kunit *test)
{
	void *a;

	KUNIT_ASSERT_EQ(test, param_set_num("pool_size", 2 * CHUNK), 0);
	KUNIT_ASSERT_EQ(test, param_set_num("threshold", 2 * CHUNK + 1), 0);
	KUNIT_ASSERT_EQ(test, param_set_num("pool_size", CHUNK), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_THRESHOLD), CHUNK + 1);
	/* Below the threshold set, above the clamped one: 10000 at 8 KB. */
	a = bufpool_alloc_unsafe(CHUNK + 1808, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(a));
	bufpool_free(a);
}

/* zero_fill: like node --zero-fill-buffers, for the unsafe paths too. */
static void zero_fill(struct kunit *test)
{
	u8 *first = NULL, *next = NULL, *slow;
	int tries;

	KUNIT_ASSERT_EQ(test, bp_param_set("zero_fill", "1"), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_ZERO_FILL), 1);
	/* Dirty the bytes the next slice will get, then take them. */
	migrate_disable();
	for (tries = 0; tries < 3 && !next; tries++) {
		bufpool_free(first);
		first = bufpool_alloc_unsafe(64, GFP_KERNEL);
		if (first && bufpool_offset(first) + 128 <= CHUNK) {
			memset(first + 64, 0xee, 64);
			next = bufpool_alloc_unsafe(64, GFP_KERNEL);
		}
	}
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, next);
	KUNIT_EXPECT_PTR_EQ(test, (void *)next, (void *)(first + 64));
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(next, 0, 64));
	slow = bufpool_alloc_unsafe_slow(300, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slow);
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(slow, 0, 300));
	bufpool_free(slow);
	bufpool_free(next);
	bufpool_free(first);
}

/*
 * With orphan=1 this module leaves one default-pool slice live when it is
 * unloaded, so that the harness can then unload bufpool under it: bufpool
 * must report the slice and free nothing it points into. The slice holds
 * the only pointers to kmalloc() objects: kmemleak, which the harness runs
 * next, must scan the chunk and so not report them. Module init runs
 * after the suites, which in 6.1 run before parameters are parsed.
 */
static bool orphan;
module_param(orphan, bool, 0444);
MODULE_PARM_DESC(orphan, "Leave one slice live at unload, for the harness (default 0)");

#define ORPHAN_OBJECTS	16	/* one that a stale stack slot points at is not enough */

static int __init bufpool_kunit_init(void)
{
	void **slot;
	int i;

	if (!orphan)
		return 0;
	slot = bufpool_alloc_unsafe(ORPHAN_OBJECTS * sizeof(*slot), GFP_KERNEL);
	if (!slot)
		return -ENOMEM;
	for (i = 0; i < ORPHAN_OBJECTS; i++)
		slot[i] = kmalloc(64, GFP_KERNEL);
	pr_info("bufpool_kunit: orphan slice left live on purpose\n");
	return 0;
}
module_init(bufpool_kunit_init);

static void __exit bufpool_kunit_exit(void)
{
}
module_exit(bufpool_kunit_exit);

static struct kunit_case params_cases[] = {
	KUNIT_CASE(params_in_stats),
	KUNIT_CASE_PARAM(refuses_bad_value, bad_value_gen_params),
	KUNIT_CASE(pool_size_at_next_rollover),
	KUNIT_CASE(threshold_literal_8k),
	KUNIT_CASE(threshold_clamped),
	KUNIT_CASE(zero_fill),
	{}
};

static struct kunit_suite params_suite = {
	.name = "bufpool_params",
	.init = params_init,
	.exit = params_exit,
	.test_cases = params_cases,
};

kunit_test_suite(params_suite);
