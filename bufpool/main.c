// SPDX-License-Identifier: GPL-2.0
/*
 * bufpool module: the default pool's parameters, init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "debug.h"
#include "debugfs.h"
#include "pool.h"
#include "version.h"

static unsigned int pool_size = BUFPOOL_DEFAULT_POOL_SIZE;
static unsigned int threshold;
static bool zero_fill;

/* A value a parameter cannot be read as: says so, and refuses it. */
static int bufpool_param_unreadable(const struct kernel_param *kp,
				    const char *val, const char *want)
{
	pr_err("%s=%.*s: must be %s\n", kp->name, (int)strcspn(val, "\n"),
	       val, want);
	return -EINVAL;
}

/*
 * Module parameter writes are serialised by the kernel's param lock, which
 * module init and exit hold while they publish and tear down the default
 * pool.
 */
static int bufpool_pool_size_set(const char *val, const struct kernel_param *kp)
{
	struct bufpool_params p = {
		.align = BUFPOOL_DEFAULT_ALIGN,
		.threshold = threshold,
	};
	int ret;

	if (kstrtouint(val, 0, &p.pool_size))
		return bufpool_param_unreadable(kp, val, "a number");
	/* A smaller pool_size clamps the threshold rather than refusing. */
	p.threshold = min(p.threshold, p.pool_size + 1);
	ret = bufpool_check_params(&p);
	if (ret)
		return ret;
	WRITE_ONCE(pool_size, p.pool_size);
	if (bufpool_default) {
		WRITE_ONCE(bufpool_default->pool_size, p.pool_size);
		bufpool_fast_update(bufpool_default);
	}
	return 0;
}

static int bufpool_threshold_set(const char *val, const struct kernel_param *kp)
{
	struct bufpool_params p = {
		.pool_size = pool_size,
		.align = BUFPOOL_DEFAULT_ALIGN,
	};
	int ret;

	if (kstrtouint(val, 0, &p.threshold))
		return bufpool_param_unreadable(kp, val, "a number");
	ret = bufpool_check_params(&p);
	if (ret)
		return ret;
	WRITE_ONCE(threshold, p.threshold);
	if (bufpool_default) {
		WRITE_ONCE(bufpool_default->threshold, p.threshold);
		bufpool_fast_update(bufpool_default);
	}
	return 0;
}

static int bufpool_zero_fill_set(const char *val, const struct kernel_param *kp)
{
	bool on = true;

	/* A bare zero_fill on the insmod line turns it on, as for any bool. */
	if (val && kstrtobool(val, &on))
		return bufpool_param_unreadable(kp, val,
						"a boolean: 1, y or on; 0, n or off");
	WRITE_ONCE(zero_fill, on);
	if (bufpool_default) {
		unsigned int flags = READ_ONCE(bufpool_default->flags);

		flags = on ? flags | BUFPOOL_ZERO_FILL : flags & ~BUFPOOL_ZERO_FILL;
		WRITE_ONCE(bufpool_default->flags, flags);
		bufpool_fast_update(bufpool_default);
	}
	return 0;
}

static const struct kernel_param_ops bufpool_pool_size_ops = {
	.set = bufpool_pool_size_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops bufpool_threshold_ops = {
	.set = bufpool_threshold_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops bufpool_zero_fill_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = bufpool_zero_fill_set,
	.get = param_get_bool,
};

module_param_cb(pool_size, &bufpool_pool_size_ops, &pool_size, 0644);
__MODULE_PARM_TYPE(pool_size, "uint");
MODULE_PARM_DESC(pool_size,
		 "Bytes in each chunk of the default pool: a power of two from PAGE_SIZE to 4 MB (default 8192, Buffer.poolSize, or PAGE_SIZE if larger); a write takes effect at each CPU's next rollover");
module_param_cb(threshold, &bufpool_threshold_ops, &threshold, 0644);
__MODULE_PARM_TYPE(threshold, "uint");
MODULE_PARM_DESC(threshold,
		 "bufpool_alloc_unsafe() slices requests below this many bytes from the default pool; 0 (default) means pool_size / 2, Node's rule; at most pool_size + 1");
module_param_cb(zero_fill, &bufpool_zero_fill_ops, &zero_fill, 0644);
__MODULE_PARM_TYPE(zero_fill, "bool");
module_param_named(debug, bufpool_debug_all, bool, 0444);
MODULE_PARM_DESC(debug,
		 "Debug mode for every pool: redzones and poison around slices (KASAN reports under KASAN), owner tracking, double-free and foreign-pointer checks (default 0; set at load)");
MODULE_PARM_DESC(zero_fill,
		 "Zero every buffer of the default pool, the unsafe paths included, like node --zero-fill-buffers (default 0)");

static int __init bufpool_init(void)
{
	struct bufpool_params p = { .align = BUFPOOL_DEFAULT_ALIGN };
	int ret;

	bufpool_debugfs_init();
	bufpool_debug_fault_init();
	/*
	 * The parameters are writable in sysfs before this runs: a write
	 * waits until the default pool is made of the values and published,
	 * and then changes it too.
	 */
	kernel_param_lock(THIS_MODULE);
	p.pool_size = pool_size;
	/* As a pool_size write clamps it: both writes may come before. */
	p.threshold = min(threshold, pool_size + 1);
	p.flags = zero_fill ? BUFPOOL_ZERO_FILL : 0;
	ret = bufpool_core_init(&p);
	kernel_param_unlock(THIS_MODULE);
	if (ret)
		goto err_debugfs;
	pr_info("version %s loaded: pool_size %u, threshold %u\n",
		BUFPOOL_VERSION, pool_size,
		bufpool_threshold(bufpool_default, pool_size));
	return 0;

err_debugfs:
	bufpool_debug_fault_exit();
	bufpool_debugfs_exit();
	return ret;
}

static void __exit bufpool_exit(void)
{
	/* A write from here on finds no default pool to change. */
	kernel_param_lock(THIS_MODULE);
	bufpool_core_exit();
	kernel_param_unlock(THIS_MODULE);
	bufpool_debug_fault_exit();
	bufpool_debugfs_exit();
}

module_init(bufpool_init);
module_exit(bufpool_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The bufpool developers");
MODULE_DESCRIPTION("The Node.js Buffer pool for driver code: small buffers sliced from page-backed pools");
MODULE_VERSION(BUFPOOL_VERSION);
