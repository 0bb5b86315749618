// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites broken on purpose, for tools/testing/failure-classes.sh.
 * Built twice: with BROKEN_CRASH a case crashes, cutting its suite short;
 * without, a case fails.
 */
#include <kunit/test.h>
#include <linux/module.h>

static void broken_case(struct kunit *test)
{
#ifdef BROKEN_CRASH
	*(volatile int *)NULL = 1;
#endif
	KUNIT_EXPECT_EQ(test, 1, 2);
}

static void second_case(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1, 1);
}

static struct kunit_case broken_cases[] = {
	KUNIT_CASE(broken_case),
	KUNIT_CASE(second_case),
	{}
};

static struct kunit_suite broken_suite = {
	.name = "bufpool_broken",
	.test_cases = broken_cases,
};

kunit_test_suite(broken_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberately broken KUnit suite for bufpool's harness self-test");
