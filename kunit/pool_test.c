// SPDX-License-Identifier: GPL-2.0
#include <kunit/test.h>
#include <linux/bufpool.h>
static void seed(struct kunit *test)
{
	void *a = bufpool_alloc_unsafe(4, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, bufpool_backing_size(a), 8192);
	bufpool_free(a);
}
static struct kunit_case cases[] = { KUNIT_CASE(seed), {} };
static struct kunit_suite s = { .name = "bufpool_seed", .test_cases = cases };
kunit_test_suite(s);
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(BUFPOOL);
