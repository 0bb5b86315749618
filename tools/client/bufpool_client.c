// SPDX-License-Identifier: GPL-2.0
/*
 * bufpool_client - a sample driver that uses bufpool.
 *
 * It shows how a client module builds against bufpool (the Kbuild file
 * next to this one, and MODULE_IMPORT_NS(BUFPOOL_NS) below) and how a driver
 * uses the API. The "mode" parameter picks one of three jobs:
 *
 * selftest  At load, call every public function of bufpool once and check
 *	the basics, printing "bufpool-check: ok NAME" or
 *	"bufpool-check: not ok NAME # why" for each check, for the test
 *	harness to count.
 *
 * workload  Until unloaded (or for duration_ms), pass messages between
 *	contexts the way a network or storage driver does:
 *
 *	- a kthread (process context, GFP_KERNEL) builds "tx" messages from
 *	  the default pool with each of its four allocation paths; with
 *	  threads=N, N kthreads do, each bound to a CPU (threads=0: one on
 *	  every online CPU), a concurrent stress of the per-CPU chunks;
 *	- a timer (softirq, GFP_ATOMIC) builds "rx" messages, mostly from a
 *	  named pool, "client-rx", whose buffers are 64-byte aligned.
 *
 *	Messages are mostly small (32 bytes to an Ethernet MTU); one in ten
 *	is 2 to 8 KB, so that both the pooled and the direct paths run. Each
 *	context frees its own messages in FIFO order once their short life
 *	(up to 50 ms) is over, and hands one in four to another context to
 *	free: a kthread to the timer, the timer to each kthread in turn. That
 *	is a free in another context, often on another CPU.
 *
 *	A few messages, "stragglers", are kept until unload, the first
 *	pooled one of each context among them. Each pins the whole chunk it
 *	was sliced from long after the CPU moved on to a new one: Node's
 *	retention problem, visible in the stats as retired_pools_live. A
 *	driver that keeps a buffer for long should take it from
 *	bufpool_alloc_unsafe_slow() instead.
 *
 *	Every message carries its sequence number and a byte pattern, checked
 *	when it is freed, so that slices handed out twice would show.
 *
 * hold      At load, take hold_count buffers of hold_size bytes from
 *	bufpool_alloc_unsafe(), with GFP_KERNEL_ACCOUNT when hold_account is
 *	set, and keep them until unloaded: the memory a driver's long-lived
 *	buffers hold, charged to the memory cgroup of the task that loaded
 *	the module where they are accounted (a request to be charged is
 *	served directly, by kmalloc), and to none where they are sliced.
 */

/*
 * No module-name prefix: the selftest's result lines must start the
 * console line for the harness to count them. Other messages name the
 * module themselves.
 */
#define pr_fmt(fmt) fmt

#include <linux/bufpool.h>
#include <linux/bug.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

enum client_mode {
	CLIENT_SELFTEST,
	CLIENT_WORKLOAD,
	CLIENT_HOLD,
};

static const char * const client_modes[] = {
	[CLIENT_SELFTEST] = "selftest",
	[CLIENT_WORKLOAD] = "workload",
	[CLIENT_HOLD] = "hold",
};

static char *mode = "workload";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode,
		 "selftest: check every bufpool function once at load; workload (default): run a driver-like workload until unloaded; hold: keep hold_count buffers until unloaded");

static unsigned int duration_ms;
module_param(duration_ms, uint, 0444);
MODULE_PARM_DESC(duration_ms,
		 "workload: stop allocating after this many milliseconds (default 0: until unloaded)");

static unsigned int rate = 2000;
module_param(rate, uint, 0444);
MODULE_PARM_DESC(rate,
		 "workload: messages per second from each context, every kthread and the timer (default 2000)");

static unsigned int threads = 1;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads,
		 "workload: producer kthreads (default 1, unbound); other than 1, each is bound to a CPU, round-robin over the online ones; 0: one per online CPU");

static unsigned int stragglers = 16;
module_param(stragglers, uint, 0444);
MODULE_PARM_DESC(stragglers,
		 "workload: messages each context keeps until unload, pinning the chunks they were sliced from (default 16)");

#define CLIENT_HOLD_MAX_COUNT	65536
#define CLIENT_HOLD_MAX_SIZE	SZ_1M

static unsigned int hold_count = 512;
module_param(hold_count, uint, 0444);
MODULE_PARM_DESC(hold_count,
		 "hold: buffers taken at load and kept until unload, 1 to 65536 (default 512)");

static unsigned int hold_size = 4000;
module_param(hold_size, uint, 0444);
MODULE_PARM_DESC(hold_size,
		 "hold: bytes of each, 1 to 1048576 (default 4000)");

static bool hold_account;
module_param(hold_account, bool, 0444);
MODULE_PARM_DESC(hold_account,
		 "hold: allocate with GFP_KERNEL_ACCOUNT, charged to the loading task's memory cgroup (default 0: GFP_KERNEL)");

static enum client_mode client_mode;

/* The selftest. */

static const char client_pattern[] = "bufpool: the Node.js Buffer pool for driver code";

static struct bufpool *client_selftest_pool;	/* "client", 64-byte aligned */
static char client_why[128];

/* Records why a check failed, and fails it. */
static __printf(1, 2) bool client_fail(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(client_why, sizeof(client_why), fmt, args);
	va_end(args);
	return false;
}

/* The seed example: Buffer.allocUnsafe(4).buffer.byteLength is 8192. */
static bool client_check_seed_unsafe(void)
{
	void *buf = bufpool_alloc_unsafe(4, GFP_KERNEL);
	bool ok = true;

	if (!buf)
		return client_fail("allocation failed");
	if (!bufpool_is_pooled(buf))
		ok = client_fail("not pooled");
	else if (bufpool_backing_size(buf) != BUFPOOL_DEFAULT_POOL_SIZE)
		ok = client_fail("backing size %zu, want %u (pool_size set?)",
				 bufpool_backing_size(buf),
				 BUFPOOL_DEFAULT_POOL_SIZE);
	bufpool_free(buf);
	return ok;
}

/* ... and Buffer.allocUnsafeSlow(4).buffer.byteLength is 4. */
static bool client_check_seed_slow(void)
{
	void *buf = bufpool_alloc_unsafe_slow(4, GFP_KERNEL);
	bool ok = true;

	if (!buf)
		return client_fail("allocation failed");
	if (bufpool_is_pooled(buf))
		ok = client_fail("pooled");
	else if (bufpool_backing_size(buf) != 4)
		ok = client_fail("backing size %zu, want 4",
				 bufpool_backing_size(buf));
	else if (bufpool_offset(buf))
		ok = client_fail("offset %zu, want 0", bufpool_offset(buf));
	bufpool_free(buf);
	return ok;
}

static bool client_check_alloc_zeroed(void)
{
	void *buf, *dirty;
	bool ok = true;

	/* Leave garbage where the next allocation of that size likely lands. */
	dirty = bufpool_alloc_unsafe_slow(100, GFP_KERNEL);
	if (dirty)
		memset(dirty, 0xa5, 100);
	bufpool_free(dirty);

	buf = bufpool_alloc(100, GFP_KERNEL);
	if (!buf)
		return client_fail("allocation failed");
	if (memchr_inv(buf, 0, 100))
		ok = client_fail("not zeroed");
	else if (bufpool_is_pooled(buf))
		ok = client_fail("pooled");
	else if (bufpool_backing_size(buf) != 100)
		ok = client_fail("backing size %zu, want 100",
				 bufpool_backing_size(buf));
	bufpool_free(buf);
	return ok;
}

static bool client_check_from(void)
{
	void *buf = bufpool_from(client_pattern, sizeof(client_pattern),
				 GFP_KERNEL);
	bool ok = true;

	if (!buf)
		return client_fail("allocation failed");
	if (memcmp(buf, client_pattern, sizeof(client_pattern)))
		ok = client_fail("the copy differs");
	else if (!bufpool_is_pooled(buf))
		ok = client_fail("not pooled");
	bufpool_free(buf);
	return ok;
}

/* Two small slices in a row sit side by side, each 8-byte aligned. */
static bool client_check_adjacent(void)
{
	size_t offset_a = 0, offset_b = 0;
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		void *a, *b;
		bool ok;

		/*
		 * Slices come from the current CPU's chunk, so stay on one
		 * CPU. migrate_disable() still lets GFP_KERNEL sleep; under
		 * preempt_disable() or local_irq_save() only GFP_ATOMIC would
		 * do, and on PREEMPT_RT, where bufpool's per-CPU lock is a
		 * sleeping lock, not even that.
		 */
		migrate_disable();
		a = bufpool_alloc_unsafe(10, GFP_KERNEL);
		b = bufpool_alloc_unsafe(20, GFP_KERNEL);
		migrate_enable();

		ok = a && b;
		if (ok) {
			offset_a = bufpool_offset(a);
			offset_b = bufpool_offset(b);
			ok = IS_ALIGNED(offset_a, 8) &&
			     offset_b == offset_a + ALIGN(10, 8) &&
			     a + ALIGN(10, 8) == b;
		}
		bufpool_free(a);
		bufpool_free(b);
		if (!a || !b)
			return client_fail("allocation failed");
		if (ok)
			return true;
		/*
		 * The first slice may have ended its chunk, or something else
		 * on this CPU may have sliced in between: try again.
		 */
	}
	return client_fail("slices at offsets %zu and %zu, want them 16 apart in one chunk",
			   offset_a, offset_b);
}

/* Above the threshold (pool_size / 2 = 4096), allocUnsafe goes direct. */
static bool client_check_unsafe_large(void)
{
	void *buf = bufpool_alloc_unsafe(5000, GFP_KERNEL);
	bool ok = true;

	if (!buf)
		return client_fail("allocation failed");
	if (bufpool_is_pooled(buf))
		ok = client_fail("pooled");
	else if (bufpool_backing_size(buf) != 5000)
		ok = client_fail("backing size %zu, want 5000",
				 bufpool_backing_size(buf));
	bufpool_free(buf);
	return ok;
}

static bool client_check_zero_size(void)
{
	if (bufpool_alloc(0, GFP_KERNEL) != ZERO_SIZE_PTR)
		return client_fail("bufpool_alloc(0)");
	if (bufpool_alloc_unsafe(0, GFP_KERNEL) != ZERO_SIZE_PTR)
		return client_fail("bufpool_alloc_unsafe(0)");
	if (bufpool_alloc_unsafe_slow(0, GFP_KERNEL) != ZERO_SIZE_PTR)
		return client_fail("bufpool_alloc_unsafe_slow(0)");
	if (bufpool_from(client_pattern, 0, GFP_KERNEL) != ZERO_SIZE_PTR)
		return client_fail("bufpool_from(0)");
	if (bufpool_from_user(NULL, 0) != ZERO_SIZE_PTR)
		return client_fail("bufpool_from_user(0)");
	if (bufpool_backing_size(ZERO_SIZE_PTR) ||
	    bufpool_offset(ZERO_SIZE_PTR) || bufpool_is_pooled(ZERO_SIZE_PTR))
		return client_fail("ZERO_SIZE_PTR has a backing");
	/* Both are no-ops, as kfree() of them is. */
	bufpool_free(ZERO_SIZE_PTR);
	bufpool_free(NULL);
	return true;
}

static bool client_check_pool_create(void)
{
	const struct bufpool_params params = { .align = 64 };
	struct bufpool *pool;

	pool = bufpool_create("client", &params);
	if (IS_ERR(pool))
		return client_fail("bufpool_create: %ld", PTR_ERR(pool));
	client_selftest_pool = pool;
	return true;
}

/* Every path of a named pool honours its alignment. */
static bool client_check_pool_align(void)
{
	struct bufpool *pool = client_selftest_pool;
	struct {
		const char *what;
		void *buf;
		bool pooled;
	} b[6] = {
		{ "unsafe(1)", NULL, true },
		{ "unsafe(63)", NULL, true },
		{ "unsafe(65)", NULL, true },
		{ "from", NULL, true },
		{ "alloc(100)", NULL, false },
		{ "slow(100)", NULL, false },
	};
	bool ok = true;
	unsigned int i;

	b[0].buf = bufpool_pool_alloc_unsafe(pool, 1, GFP_KERNEL);
	b[1].buf = bufpool_pool_alloc_unsafe(pool, 63, GFP_KERNEL);
	b[2].buf = bufpool_pool_alloc_unsafe(pool, 65, GFP_KERNEL);
	b[3].buf = bufpool_pool_from(pool, client_pattern,
				     sizeof(client_pattern), GFP_KERNEL);
	b[4].buf = bufpool_pool_alloc(pool, 100, GFP_KERNEL);
	b[5].buf = bufpool_pool_alloc_unsafe_slow(pool, 100, GFP_KERNEL);

	for (i = 0; i < ARRAY_SIZE(b) && ok; i++) {
		if (!b[i].buf)
			ok = client_fail("%s failed", b[i].what);
		else if (!IS_ALIGNED((unsigned long)b[i].buf, 64))
			ok = client_fail("%s is at %lu mod 64", b[i].what,
					 (unsigned long)b[i].buf % 64);
		else if (bufpool_is_pooled(b[i].buf) != b[i].pooled)
			ok = client_fail("%s is %spooled", b[i].what,
					 b[i].pooled ? "not " : "");
	}
	if (ok && memcmp(b[3].buf, client_pattern, sizeof(client_pattern)))
		ok = client_fail("from: the copy differs");
	if (ok && memchr_inv(b[4].buf, 0, 100))
		ok = client_fail("alloc(100) is not zeroed");
	for (i = 0; i < ARRAY_SIZE(b); i++)
		bufpool_free(b[i].buf);
	return ok;
}

/* Copies from user memory, as insmod's address space allows at init. */
static bool client_check_from_user(void)
{
	const size_t len = sizeof(client_pattern);
	void __user *ubuf;
	unsigned long addr;
	void *buf;
	bool ok = true;

	if (!current->mm)
		return client_fail("no user address space to copy from");
	addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(addr))
		return client_fail("vm_mmap: %ld", (long)addr);
	ubuf = (void __user *)addr;
	if (copy_to_user(ubuf, client_pattern, len)) {
		ok = client_fail("copy_to_user failed");
		goto unmap;
	}

	buf = bufpool_from_user(ubuf, len);
	if (IS_ERR(buf)) {
		ok = client_fail("bufpool_from_user: %ld", PTR_ERR(buf));
		goto unmap;
	}
	if (memcmp(buf, client_pattern, len))
		ok = client_fail("bufpool_from_user: the copy differs");
	bufpool_free(buf);
	if (!ok)
		goto unmap;

	buf = bufpool_pool_from_user(client_selftest_pool, ubuf, len);
	if (IS_ERR(buf)) {
		ok = client_fail("bufpool_pool_from_user: %ld", PTR_ERR(buf));
		goto unmap;
	}
	if (memcmp(buf, client_pattern, len))
		ok = client_fail("bufpool_pool_from_user: the copy differs");
	else if (!IS_ALIGNED((unsigned long)buf, 64))
		ok = client_fail("bufpool_pool_from_user: not 64-byte aligned");
	bufpool_free(buf);

unmap:
	vm_munmap(addr, PAGE_SIZE);
	if (!ok)
		return false;

	/* Nothing is mapped there now: the copy must fail, and cleanly. */
	buf = bufpool_from_user(ubuf, len);
	if (!IS_ERR(buf)) {
		bufpool_free(buf);
		return client_fail("copy from an unmapped address succeeded");
	}
	if (PTR_ERR(buf) != -EFAULT)
		return client_fail("unmapped address: %ld, want -EFAULT",
				   PTR_ERR(buf));
	return true;
}

/* With its buffers freed, a pool goes, and its name is free again. */
static bool client_check_pool_destroy(void)
{
	struct bufpool *pool;

	bufpool_destroy(client_selftest_pool);
	client_selftest_pool = NULL;
	pool = bufpool_create("client", NULL);
	if (IS_ERR(pool))
		return client_fail("creating \"client\" again: %ld",
				   PTR_ERR(pool));
	bufpool_destroy(pool);
	return true;
}

/* Two fit in an 8 KB chunk, not three; 21 in a 64 KB one. */
#define CLIENT_ROLLOVER_SIZE	3000
/* Slices before giving up: one more than start a second chunk. */
#define CLIENT_ROLLOVER_MAX	(BUFPOOL_DEFAULT_POOL_SIZE / CLIENT_ROLLOVER_SIZE + 2)

/*
 * A fresh named pool of our own, sliced until a slice starts a second
 * chunk: a rollover, which a trace of the selftest shows. The slices of
 * the first chunk must keep their bytes across it.
 */
static bool client_check_rollover(void)
{
	void *buf[CLIENT_ROLLOVER_MAX] = {};
	struct page *first = NULL;
	size_t first_offset = 0;
	unsigned int i, n = 0;
	struct bufpool *pool;
	bool rolled = false;
	bool ok = true;

	pool = bufpool_create("client-rollover", NULL);
	if (IS_ERR(pool))
		return client_fail("bufpool_create: %ld", PTR_ERR(pool));

	/*
	 * On one CPU, the next chunk replaces the first one: a rollover. On
	 * two, the second slice could start another CPU's first chunk.
	 */
	migrate_disable();
	while (ok && !rolled && n < ARRAY_SIZE(buf)) {
		void *b = bufpool_pool_alloc_unsafe(pool, CLIENT_ROLLOVER_SIZE,
						    GFP_KERNEL);

		if (!b) {
			ok = client_fail("slice %u: allocation failed", n);
			break;
		}
		buf[n++] = b;
		memset(b, n, CLIENT_ROLLOVER_SIZE);
		if (!bufpool_is_pooled(b) ||
		    bufpool_backing_size(b) != BUFPOOL_DEFAULT_POOL_SIZE) {
			ok = client_fail("slice %u: not pooled, or backing size %zu",
					 n - 1, bufpool_backing_size(b));
		} else if (n == 1) {
			first = virt_to_head_page(b);
			first_offset = bufpool_offset(b);
		} else if (virt_to_head_page(b) != first) {
			/* A new chunk's first slice: offset 0, as the first. */
			rolled = true;
			if (bufpool_offset(b) != first_offset)
				ok = client_fail("slice %u: new chunk at offset %zu, want %zu",
						 n - 1, bufpool_offset(b),
						 first_offset);
		}
	}
	migrate_enable();

	if (ok && !rolled)
		ok = client_fail("%u slices of %d bytes, all in one chunk", n,
				 CLIENT_ROLLOVER_SIZE);
	for (i = 0; ok && i < n; i++)
		if (memchr_inv(buf[i], i + 1, CLIENT_ROLLOVER_SIZE))
			ok = client_fail("slice %u at offset %zu lost its bytes",
					 i, bufpool_offset(buf[i]));
	for (i = 0; i < n; i++)
		bufpool_free(buf[i]);
	bufpool_destroy(pool);
	return ok;
}

static bool client_skipped;

/* A check that cannot run here: reported as skipped, with why. */
static __printf(1, 2) bool client_skip(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(client_why, sizeof(client_why), fmt, args);
	va_end(args);
	client_skipped = true;
	return true;
}

/*
 * With init_on_alloc=1 (Debian's default) the page allocator zeroes every
 * chunk it hands out, so a fresh pool's unsafe slices hold zeroes; without
 * it they hold whatever the pages held before.
 */
static bool client_check_init_on_alloc(void)
{
	struct bufpool *pool;
	u8 *a, *b;
	bool ok;

	if (!want_init_on_alloc(GFP_KERNEL))
		return client_skip("the kernel runs without init_on_alloc=1");
	pool = bufpool_create("client-fresh", NULL);
	if (IS_ERR(pool))
		return client_fail("bufpool_create: %ld", PTR_ERR(pool));
	a = bufpool_pool_alloc_unsafe(pool, 4000, GFP_KERNEL);
	b = bufpool_pool_alloc_unsafe(pool, 4000, GFP_KERNEL);
	if (!a || !b)
		ok = client_fail("allocation failed");
	else if (memchr_inv(a, 0, 4000) || memchr_inv(b, 0, 4000))
		ok = client_fail("a fresh chunk held nonzero bytes");
	else
		ok = true;
	bufpool_free(a);
	bufpool_free(b);
	bufpool_destroy(pool);
	return ok;
}

/* A driver's own numbers: bufpool_get_stats() sees a slice and its chunk. */
static bool client_check_pool_stats(void)
{
	struct bufpool *pool = client_selftest_pool;
	struct bufpool_stats before, live, after;
	void *buf;

	bufpool_get_stats(pool, &before);
	buf = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);
	if (!buf)
		return client_fail("alloc_unsafe(100) failed");
	bufpool_get_stats(pool, &live);
	bufpool_free(buf);
	bufpool_get_stats(pool, &after);
	if (live.v[BUFPOOL_STAT_SLICES_LIVE] !=
	    before.v[BUFPOOL_STAT_SLICES_LIVE] + 1)
		return client_fail("slices_live %llu with one more slice than %llu",
				   live.v[BUFPOOL_STAT_SLICES_LIVE],
				   before.v[BUFPOOL_STAT_SLICES_LIVE]);
	if (live.v[BUFPOOL_STAT_UNSAFE_POOLED_BYTES] -
	    before.v[BUFPOOL_STAT_UNSAFE_POOLED_BYTES] != 100)
		return client_fail("unsafe_pooled_bytes grew by %llu, not 100",
				   live.v[BUFPOOL_STAT_UNSAFE_POOLED_BYTES] -
				   before.v[BUFPOOL_STAT_UNSAFE_POOLED_BYTES]);
	if (after.v[BUFPOOL_STAT_SLICES_LIVE] != before.v[BUFPOOL_STAT_SLICES_LIVE] ||
	    after.v[BUFPOOL_STAT_ALIGN] != 64)
		return client_fail("after the free: slices_live %llu, align %llu",
				   after.v[BUFPOOL_STAT_SLICES_LIVE],
				   after.v[BUFPOOL_STAT_ALIGN]);
	return true;
}

static const struct {
	const char *name;
	bool (*run)(void);
	bool needs_pool;
} client_checks[] = {
	{ "seed-unsafe-pooled", client_check_seed_unsafe },
	{ "seed-slow-direct", client_check_seed_slow },
	{ "alloc-zeroed-direct", client_check_alloc_zeroed },
	{ "from-copy-pooled", client_check_from },
	{ "adjacent-slices", client_check_adjacent },
	{ "unsafe-5000-direct", client_check_unsafe_large },
	{ "zero-size", client_check_zero_size },
	{ "pool-create", client_check_pool_create },
	{ "pool-align-64", client_check_pool_align, true },
	{ "pool-stats", client_check_pool_stats, true },
	{ "from-user", client_check_from_user, true },
	{ "pool-destroy", client_check_pool_destroy, true },
	{ "rollover", client_check_rollover },
	{ "init-on-alloc-zeroes-chunks", client_check_init_on_alloc },
};

static void client_selftest(void)
{
	unsigned int i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(client_checks); i++) {
		const char *name = client_checks[i].name;
		bool ok;

		client_skipped = false;
		if (client_checks[i].needs_pool && !client_selftest_pool)
			ok = client_fail("no pool: pool-create failed");
		else
			ok = client_checks[i].run();
		if (ok && client_skipped) {
			pr_info("bufpool-check: ok %s # SKIP %s\n", name,
				client_why);
		} else if (ok) {
			pr_info("bufpool-check: ok %s\n", name);
		} else {
			pr_info("bufpool-check: not ok %s # %s\n", name,
				client_why);
			failed++;
		}
	}
	pr_info(KBUILD_MODNAME ": selftest: %u of %u checks passed\n",
		(unsigned int)ARRAY_SIZE(client_checks) - failed,
		(unsigned int)ARRAY_SIZE(client_checks));
}

/* The workload. */

#define CLIENT_PERIOD_MS	5	/* how often each context runs */
#define CLIENT_LIFETIME_MS	50	/* longest life of an ordinary message */
#define CLIENT_HANDOFF_ONE_IN	4	/* messages freed by another context */
#define CLIENT_STRAGGLE_ONE_IN	1000	/* messages kept until unload */
#define CLIENT_BATCH_MAX	256	/* most messages built in one run */
#define CLIENT_MSG_MAX		8192
#define CLIENT_THREADS_MAX	1024

/**
 * struct client_msg - the header a message carries in its own buffer
 * @node: on a queue or a straggler list.
 * @expires: when, in jiffies, its consumer frees it.
 * @len: bytes in the buffer, this header included.
 * @seq: its sequence number in its producer; each byte after the header
 *	holds its low byte.
 */
struct client_msg {
	struct list_head node;
	unsigned long expires;
	u32 len;
	u32 seq;
};

/**
 * struct client_queue - messages waiting for their consumer, oldest first
 * @lock: taken with spin_lock_bh(), as the timer's softirq uses every queue.
 * @msgs: the messages.
 */
struct client_queue {
	spinlock_t lock;	/* protects @msgs */
	struct list_head msgs;
};

/**
 * struct client_ctx - a context that builds, and frees, messages
 * @gfp: what it may allocate with.
 * @rx: whether it is the timer, which builds rx messages from the named
 *	pool; otherwise it is a kthread.
 * @queue: what it frees: its own messages and those handed to it.
 * @thread: a kthread's task, once it is running.
 * @next_peer: the timer's: the kthread it hands a message to next.
 * @rnd: its random state.
 * @scratch: where data is staged for bufpool_from() to copy.
 * @stragglers: messages kept until unload.
 * @nr_stragglers: how many.
 * @made: messages it tried to build; paces it to @rate.
 * @sent: messages it built.
 * @handed: of those, how many went to another context to free.
 * @failed: allocations that failed.
 * @freed: messages it freed.
 * @corrupt: of those, how many had lost their pattern.
 *
 * Only its own context touches its fields, @queue aside.
 */
struct client_ctx {
	gfp_t gfp;
	bool rx;
	struct client_queue queue;
	struct task_struct *thread;
	unsigned int next_peer;
	struct rnd_state rnd;
	u8 *scratch;
	struct list_head stragglers;
	unsigned int nr_stragglers;
	u64 made;
	unsigned long sent;
	unsigned long handed;
	unsigned long failed;
	unsigned long freed;
	unsigned long corrupt;
};

/* The counts of one or more contexts, for the report at unload. */
struct client_tally {
	unsigned long sent;
	unsigned long handed;
	unsigned long failed;
	unsigned long freed;
	unsigned long corrupt;
	unsigned long kept;
};

/* The workload's state. */
static struct {
	struct client_ctx *tx;		/* the kthreads */
	unsigned int nr_tx;		/* how many, their contexts set up */
	struct client_ctx rx;		/* the timer */
	struct bufpool *pool;		/* "client-rx" */
	struct timer_list timer;
	unsigned long start;		/* jiffies */
	unsigned long end;		/* jiffies, when duration_ms is set */
} client;

static u32 client_rand(struct client_ctx *ctx, u32 ceil)
{
	return prandom_u32_state(&ctx->rnd) % ceil;
}

/* Mostly control messages and packets, and one in ten of 2 to 8 KB. */
static u32 client_msg_size(struct client_ctx *ctx)
{
	u32 pick = client_rand(ctx, 100);

	if (pick < 60)
		return 32 + client_rand(ctx, 256 - 32 + 1);
	if (pick < 90)
		return 257 + client_rand(ctx, 1500 - 257 + 1);
	return 2048 + client_rand(ctx, CLIENT_MSG_MAX - 2048 + 1);
}

/* Stages data for bufpool_from(), as a device's ring would hold it. */
static const void *client_stage(struct client_ctx *ctx, u32 len, u8 fill)
{
	memset(ctx->scratch + sizeof(struct client_msg), fill,
	       len - sizeof(struct client_msg));
	return ctx->scratch;
}

/* Writes the pattern into a freshly allocated message, if there is one. */
static void *client_fill(struct client_msg *msg, u32 len, u8 fill)
{
	if (msg)
		memset(msg + 1, fill, len - sizeof(*msg));
	return msg;
}

/* A tx message, built in process context from the default pool. */
static void *client_tx_alloc(struct client_ctx *ctx, u32 len, u8 fill)
{
	u32 pick = client_rand(ctx, 100);
	gfp_t gfp = ctx->gfp;

	if (pick < 55)		/* filled in by the driver */
		return client_fill(bufpool_alloc_unsafe(len, gfp), len, fill);
	if (pick < 80)		/* a copy of the caller's data */
		return bufpool_from(client_stage(ctx, len, fill), len, gfp);
	if (pick < 95)		/* a control block that must start zeroed */
		return client_fill(bufpool_alloc(len, gfp), len, fill);
	return client_fill(bufpool_alloc_unsafe_slow(len, gfp), len, fill);
}

/* An rx message, built in softirq, mostly from the named pool. */
static void *client_rx_alloc(struct client_ctx *ctx, u32 len, u8 fill)
{
	struct bufpool *pool = client.pool;
	u32 pick = client_rand(ctx, 100);
	gfp_t gfp = ctx->gfp;

	if (pick < 40)
		return client_fill(bufpool_pool_alloc_unsafe(pool, len, gfp),
				   len, fill);
	if (pick < 70)		/* copied out of the receive ring */
		return bufpool_pool_from(pool, client_stage(ctx, len, fill),
					 len, gfp);
	if (pick < 80)
		return client_fill(bufpool_pool_alloc(pool, len, gfp), len,
				   fill);
	if (pick < 85)
		return client_fill(bufpool_pool_alloc_unsafe_slow(pool, len, gfp),
				   len, fill);
	/* A small reply, from the default pool in softirq. */
	return client_fill(bufpool_alloc_unsafe(len, gfp), len, fill);
}

/* Whom @ctx hands a message to: the timer, or each kthread in turn. */
static struct client_ctx *client_peer(struct client_ctx *ctx)
{
	unsigned int i;

	if (!ctx->rx)
		return &client.rx;
	i = ctx->next_peer;
	ctx->next_peer = i + 1 < client.nr_tx ? i + 1 : 0;
	return &client.tx[i];
}

static void client_enqueue(struct client_queue *queue, struct client_msg *msg)
{
	spin_lock_bh(&queue->lock);
	list_add_tail(&msg->node, &queue->msgs);
	spin_unlock_bh(&queue->lock);
}

static void client_produce(struct client_ctx *ctx, u32 seq)
{
	u32 len = client_msg_size(ctx);
	struct client_msg *msg;

	msg = ctx->rx ? client_rx_alloc(ctx, len, seq) :
			client_tx_alloc(ctx, len, seq);
	if (!msg) {
		ctx->failed++;
		return;
	}
	msg->len = len;
	msg->seq = seq;
	msg->expires = jiffies +
		       msecs_to_jiffies(1 + client_rand(ctx, CLIENT_LIFETIME_MS));
	ctx->sent++;

	/*
	 * One in CLIENT_STRAGGLE_ONE_IN is a straggler, and always the first
	 * sliced one: however slowly the workload runs, each context pins a
	 * chunk from its start on.
	 */
	if (ctx->nr_stragglers < stragglers &&
	    ((!ctx->nr_stragglers && bufpool_is_pooled(msg)) ||
	     !client_rand(ctx, CLIENT_STRAGGLE_ONE_IN))) {
		list_add_tail(&msg->node, &ctx->stragglers);
		ctx->nr_stragglers++;
	} else if (!client_rand(ctx, CLIENT_HANDOFF_ONE_IN)) {
		client_enqueue(&client_peer(ctx)->queue, msg);
		ctx->handed++;
	} else {
		client_enqueue(&ctx->queue, msg);
	}
}

/* Builds the messages due since the start, at @rate per second. */
static void client_produce_due(struct client_ctx *ctx)
{
	unsigned long now = jiffies;
	u64 due;

	if (duration_ms && time_after_eq(now, client.end))
		return;
	due = div_u64((u64)rate * (now - client.start), HZ);
	/* After a stall, skip what is owed rather than burst. */
	if (due > ctx->made + CLIENT_BATCH_MAX)
		ctx->made = due - CLIENT_BATCH_MAX;
	while (ctx->made < due)
		client_produce(ctx, ctx->made++);
}

static void client_msg_free(struct client_ctx *ctx, struct client_msg *msg)
{
	/* Another slice over this one: a bufpool bug worth a splat. */
	if (memchr_inv(msg + 1, (u8)msg->seq, msg->len - sizeof(*msg))) {
		WARN_ONCE(1, KBUILD_MODNAME ": message %u of %u bytes at offset %zu of a %zu-byte backing was overwritten\n",
			  msg->seq, msg->len, bufpool_offset(msg),
			  bufpool_backing_size(msg));
		ctx->corrupt++;
	}
	bufpool_free(msg);
	ctx->freed++;
}

/* Frees, oldest first, the messages whose time is up; all of them if @all. */
static void client_consume(struct client_ctx *ctx, bool all)
{
	struct client_queue *queue = &ctx->queue;
	unsigned long now = jiffies;
	struct client_msg *msg, *next;
	LIST_HEAD(done);

	spin_lock_bh(&queue->lock);
	while (!list_empty(&queue->msgs)) {
		msg = list_first_entry(&queue->msgs, struct client_msg, node);
		if (!all && time_before(now, msg->expires))
			break;
		list_move_tail(&msg->node, &done);
	}
	spin_unlock_bh(&queue->lock);

	list_for_each_entry_safe(msg, next, &done, node)
		client_msg_free(ctx, msg);
}

static int client_thread(void *data)
{
	struct client_ctx *ctx = data;

	while (!kthread_should_stop()) {
		client_produce_due(ctx);
		client_consume(ctx, false);
		schedule_timeout_interruptible(msecs_to_jiffies(CLIENT_PERIOD_MS));
	}
	return 0;
}

static void client_timer_fn(struct timer_list *timer)
{
	client_produce_due(&client.rx);
	client_consume(&client.rx, false);
	/* A no-op once client_workload_stop() has shut the timer down. */
	mod_timer(timer, jiffies + msecs_to_jiffies(CLIENT_PERIOD_MS));
}

/* Sets up a context; its lists are usable for a drain even when it fails. */
static int client_ctx_init(struct client_ctx *ctx, gfp_t gfp, bool rx)
{
	ctx->gfp = gfp;
	ctx->rx = rx;
	spin_lock_init(&ctx->queue.lock);
	INIT_LIST_HEAD(&ctx->queue.msgs);
	INIT_LIST_HEAD(&ctx->stragglers);
	prandom_seed_state(&ctx->rnd, get_random_u64());
	ctx->scratch = kzalloc(CLIENT_MSG_MAX, GFP_KERNEL);
	return ctx->scratch ? 0 : -ENOMEM;
}

/* Frees what is left once no context runs. */
static void client_ctx_drain(struct client_ctx *ctx)
{
	struct client_msg *msg, *next;

	client_consume(ctx, true);
	list_for_each_entry_safe(msg, next, &ctx->stragglers, node)
		client_msg_free(ctx, msg);
	INIT_LIST_HEAD(&ctx->stragglers);
	kfree(ctx->scratch);
	ctx->scratch = NULL;
}

/*
 * Stops every kthread that runs, then the timer, and frees every message
 * and the contexts. The kthreads go first: the timer may still hand them
 * messages, which sit in their queues until the drain.
 */
static void client_workload_teardown(void)
{
	unsigned int i;

	for (i = 0; i < client.nr_tx; i++)
		if (client.tx[i].thread)
			kthread_stop(client.tx[i].thread);
	timer_shutdown_sync(&client.timer);

	for (i = 0; i < client.nr_tx; i++)
		client_ctx_drain(&client.tx[i]);
	client_ctx_drain(&client.rx);
}

static void client_tally_add(struct client_tally *t,
			     const struct client_ctx *ctx)
{
	t->sent += ctx->sent;
	t->handed += ctx->handed;
	t->failed += ctx->failed;
	t->freed += ctx->freed;
	t->corrupt += ctx->corrupt;
	t->kept += ctx->nr_stragglers;
}

static void client_tally_report(const char *who, const char *peer,
				const struct client_tally *t)
{
	pr_info(KBUILD_MODNAME ": %s: %lu messages (%lu freed by the %s), %lu kept until unload, %lu allocations failed\n",
		who, t->sent, t->handed, peer, t->kept, t->failed);
}

/* The kthreads' counts, summed, then the timer's, then in all. */
static void client_workload_report(void)
{
	struct client_tally tx = {}, rx = {};
	char who[32] = "kthread";
	unsigned long corrupt;
	unsigned int i;

	for (i = 0; i < client.nr_tx; i++)
		client_tally_add(&tx, &client.tx[i]);
	client_tally_add(&rx, &client.rx);
	if (client.nr_tx > 1)
		snprintf(who, sizeof(who), "%u kthreads", client.nr_tx);

	pr_info(KBUILD_MODNAME ": workload ran %u ms\n",
		jiffies_to_msecs(jiffies - client.start));
	client_tally_report(who, "timer", &tx);
	client_tally_report("timer", client.nr_tx > 1 ? "kthreads" : "kthread",
			    &rx);
	corrupt = tx.corrupt + rx.corrupt;
	if (corrupt)
		pr_err(KBUILD_MODNAME ": %lu of %lu messages were corrupted\n",
		       corrupt, tx.freed + rx.freed);
	else
		pr_info(KBUILD_MODNAME ": all %lu messages freed, none corrupted\n",
			tx.freed + rx.freed);
}

/*
 * Starts the kthreads: one, unbound, by default; with threads= other than
 * 1, each bound to a CPU, round-robin over the online ones. @cpus gets
 * the CPUs they are bound to.
 */
static int client_threads_start(struct cpumask *cpus)
{
	struct task_struct *thread;
	unsigned int i;
	int cpu = -1;

	if (threads == 1) {
		thread = kthread_run(client_thread, &client.tx[0],
				     KBUILD_MODNAME);
		if (IS_ERR(thread))
			return PTR_ERR(thread);
		client.tx[0].thread = thread;
		return 0;
	}

	for (i = 0; i < client.nr_tx; i++) {
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		thread = kthread_create(client_thread, &client.tx[i],
					"bufpool_tx/%d", cpu);
		if (IS_ERR(thread))
			return PTR_ERR(thread);
		kthread_bind(thread, cpu);
		cpumask_set_cpu(cpu, cpus);
		client.tx[i].thread = thread;
		wake_up_process(thread);
	}
	return 0;
}

static int client_workload_start(void)
{
	const struct bufpool_params params = { .align = 64 };
	unsigned int nr = threads ?: num_online_cpus();
	cpumask_var_t cpus;
	char until[32];
	int err;

	if (nr > CLIENT_THREADS_MAX) {
		pr_err(KBUILD_MODNAME ": threads=%u: at most %d\n", threads,
		       CLIENT_THREADS_MAX);
		return -EINVAL;
	}
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	client.tx = kcalloc(nr, sizeof(*client.tx), GFP_KERNEL);
	if (!client.tx) {
		err = -ENOMEM;
		goto err_free_cpus;
	}
	client.pool = bufpool_create("client-rx", &params);
	if (IS_ERR(client.pool)) {
		err = PTR_ERR(client.pool);
		goto err_free_tx;
	}

	/* From here on, client_workload_teardown() undoes what was done. */
	client.nr_tx = 0;
	timer_setup(&client.timer, client_timer_fn, 0);
	err = client_ctx_init(&client.rx, GFP_ATOMIC | __GFP_NOWARN, true);
	if (err)
		goto err_teardown;
	while (client.nr_tx < nr) {
		err = client_ctx_init(&client.tx[client.nr_tx++], GFP_KERNEL,
				      false);
		if (err)
			goto err_teardown;
	}

	client.start = jiffies;
	client.end = client.start + msecs_to_jiffies(duration_ms);
	err = client_threads_start(cpus);
	if (err)
		goto err_teardown;
	mod_timer(&client.timer, jiffies + msecs_to_jiffies(CLIENT_PERIOD_MS));

	if (duration_ms)
		snprintf(until, sizeof(until), "for %u ms", duration_ms);
	else
		strscpy(until, "until unloaded", sizeof(until));
	if (threads == 1)
		pr_info(KBUILD_MODNAME ": workload: %u messages/s from a kthread and from a timer, %u stragglers each, %s\n",
			rate, stragglers, until);
	else
		pr_info(KBUILD_MODNAME ": workload: %u messages/s from each of %u kthreads on CPUs %*pbl and from a timer, %u stragglers each, %s\n",
			rate, nr, cpumask_pr_args(cpus), stragglers, until);
	free_cpumask_var(cpus);
	return 0;

err_teardown:
	client_workload_teardown();
	bufpool_destroy(client.pool);
err_free_tx:
	kfree(client.tx);
err_free_cpus:
	free_cpumask_var(cpus);
	return err;
}

static void client_workload_stop(void)
{
	client_workload_teardown();
	client_workload_report();
	bufpool_destroy(client.pool);
	kfree(client.tx);
}

/* The hold mode. */

static void **client_held;

static void client_hold_free(unsigned int n)
{
	while (n)
		bufpool_free(client_held[--n]);
	kvfree(client_held);
}

static int client_hold_start(void)
{
	gfp_t gfp = hold_account ? GFP_KERNEL_ACCOUNT : GFP_KERNEL;
	unsigned int i, pooled = 0;

	if (!hold_count || hold_count > CLIENT_HOLD_MAX_COUNT ||
	    !hold_size || hold_size > CLIENT_HOLD_MAX_SIZE) {
		pr_err(KBUILD_MODNAME ": hold_count=%u hold_size=%u: 1 to %u buffers of 1 to %u bytes\n",
		       hold_count, hold_size, CLIENT_HOLD_MAX_COUNT,
		       CLIENT_HOLD_MAX_SIZE);
		return -EINVAL;
	}
	client_held = kvcalloc(hold_count, sizeof(*client_held), GFP_KERNEL);
	if (!client_held)
		return -ENOMEM;
	for (i = 0; i < hold_count; i++) {
		client_held[i] = bufpool_alloc_unsafe(hold_size, gfp);
		if (!client_held[i]) {
			pr_err(KBUILD_MODNAME ": hold: buffer %u of %u B: out of memory\n",
			       i, hold_size);
			client_hold_free(i);
			return -ENOMEM;
		}
		memset(client_held[i], 0x5a, hold_size);
		pooled += bufpool_is_pooled(client_held[i]);
	}
	pr_info(KBUILD_MODNAME ": hold: %u buffers of %u B with %s, %u of them pooled, until unloaded\n",
		hold_count, hold_size,
		hold_account ? "GFP_KERNEL_ACCOUNT" : "GFP_KERNEL", pooled);
	return 0;
}

static int __init client_init(void)
{
	int ret;

	ret = sysfs_match_string(client_modes, mode);
	if (ret < 0) {
		pr_err(KBUILD_MODNAME ": mode \"%s\": use selftest, workload or hold\n",
		       mode);
		return -EINVAL;
	}
	client_mode = ret;

	if (client_mode == CLIENT_WORKLOAD)
		return client_workload_start();
	if (client_mode == CLIENT_HOLD)
		return client_hold_start();

	client_selftest();
	/*
	 * Stay loaded even when a check failed: the lines printed are the
	 * verdict, and the harness still reads debugfs, then unloads us.
	 */
	return 0;
}

static void __exit client_exit(void)
{
	if (client_mode == CLIENT_WORKLOAD)
		client_workload_stop();
	if (client_mode == CLIENT_HOLD)
		client_hold_free(hold_count);
}

module_init(client_init);
module_exit(client_exit);
MODULE_IMPORT_NS(BUFPOOL_NS);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The bufpool developers");
MODULE_DESCRIPTION("Sample bufpool client: an API selftest and a driver-like workload");
