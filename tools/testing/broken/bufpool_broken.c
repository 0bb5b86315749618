// SPDX-License-Identifier: GPL-2.0
/*
 * A module that is broken on purpose, one way per value of fault=, to show
 * that make check's judge catches every class of failure it must. Used by
 * tools/testing/failure-classes.sh; never loaded by make check itself.
 * kunit_broken.c does the same for KUnit suites, whose cases run before
 * a module's parameters are parsed and so cannot be steered by fault=.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static char *fault = "none";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault,
		 "kasan, ubsan, lockdep, leak, warn, bug, oops, panic, noload, nounload or none");

static DEFINE_SPINLOCK(lock_a);
static DEFINE_SPINLOCK(lock_b);
static void *leaked;

struct holder {
	int a[4];
	int b;
};

static bool is(const char *what)
{
	return !strcmp(fault, what);
}

/*
 * Several objects, each cleared: kmemleak skips an object that a stale
 * stack slot still points at, and one of sixteen always gets through.
 */
static noinline void leak(void)
{
	int i;

	for (i = 0; i < 16; i++) {
		leaked = kmalloc(128, GFP_KERNEL);
		if (leaked)
			memset(leaked, 0, 128);
	}
	pr_info("leaked 16 objects\n");
	leaked = NULL;
}

static noinline void break_it(void)
{
	volatile int index = 4;
	struct holder h = {};
	char *p;

	if (is("kasan")) {
		p = kmalloc(16, GFP_KERNEL);
		if (p)
			pr_info("read past the end: %d\n", ((volatile char *)p)[16]);
		kfree(p);
	} else if (is("ubsan")) {
		h.a[index] = 1;
		pr_info("wrote h.a[%d]: %d\n", index, h.b);
	} else if (is("lockdep")) {
		spin_lock(&lock_a);
		spin_lock(&lock_b);
		spin_unlock(&lock_b);
		spin_unlock(&lock_a);
		spin_lock(&lock_b);
		spin_lock(&lock_a);
		spin_unlock(&lock_a);
		spin_unlock(&lock_b);
	} else if (is("leak")) {
		leak();
	} else if (is("warn")) {
		WARN_ON(1);
	} else if (is("bug")) {
		BUG();
	} else if (is("oops")) {
		*(volatile int *)NULL = 1;
	} else if (is("panic")) {
		panic("bufpool_broken: fault=panic");
	}
}

static int __init broken_init(void)
{
	if (is("noload"))
		return -ENODEV;
	if (is("nounload"))
		__module_get(THIS_MODULE);
	break_it();
	return 0;
}

static void __exit broken_exit(void)
{
}

module_init(broken_init);
module_exit(broken_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberately broken module for bufpool's harness self-test");
