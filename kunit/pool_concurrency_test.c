// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for bufpool/pool.c under concurrency: a kthread per CPU, a
 * ring that carries buffers from one CPU to be freed on another, and
 * allocations and frees in hardirq (hrtimer) and softirq (timer) context.
 *
 * Every buffer is stamped over its whole length with a value no other
 * live buffer has, and checked before it is freed: two live slices that
 * overlapped would show as a wrong stamp.
 */
#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

#include "compat.h"
#include "pool.h"
#include "util.h"

#define STRESS_POOL	"kunit-stress"
/*
 * The stress runs STRESS_MS, and on past it, up to STRESS_MAX_MS, until it
 * has done STRESS_MIN_ALLOCS allocations on every CPU and in every context
 * it drives: a floor of work, not of speed, which a host that runs other
 * guests beside this one (KCSAN's, under emulation) must not fail.
 */
#define STRESS_MS	3000
#define STRESS_MAX_MS	30000
#define STRESS_MIN_ALLOCS	1000
#define SLOTS		48
#define RING_SIZE	256

/*
 * The stress pool's threshold, below which requests are sliced: that of
 * 8 KB chunks (the default with 4 KB pages) whatever the page size, for
 * pick_size() to fall on both sides of it. With 64 KB pages the default,
 * 32 KB, makes its direct buffers kmalloc-64k objects, which slub_debug
 * poisons and checks whole: under emulation the stress then got through
 * a fifteenth of the allocations.
 */
#define THRESHOLD	4096

struct stamped {
	u8 *buf;
	u32 size;
	u32 stamp;
	int cpu;
};

struct stress {
	struct bufpool *pool;
	spinlock_t ring_lock;		/* protects ring, head, tail */
	struct stamped ring[RING_SIZE];
	unsigned int head, tail;
	struct hrtimer hrtimer;
	struct timer_list timer;
	bool stopping;
	atomic_t errors;
	atomic_t stamp_seq;
	atomic_long_t allocs, frees, cross_cpu_frees;
	atomic_long_t hardirq_allocs, softirq_allocs;
	atomic_long_t *cpu_allocs;	/* nr_cpu_ids of them */
};

static u32 xorshift(u32 *state)
{
	u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Mostly pooled sizes, some near the threshold, a few direct. */
static u32 pick_size(u32 *rnd)
{
	u32 r = xorshift(rnd);

	switch (r % 10) {
	case 0:
		return THRESHOLD + (r >> 8) % (THRESHOLD - 96);
	case 1:
	case 2:
		return 512 + (r >> 8) % (THRESHOLD - 512);
	default:
		return 1 + (r >> 8) % 512;
	}
}

static void stamp_fill(struct stamped *s)
{
	u32 i;

	for (i = 0; i + 4 <= s->size; i += 4)
		memcpy(s->buf + i, &s->stamp, 4);
	for (; i < s->size; i++)
		s->buf[i] = (u8)s->stamp;
}

static bool stamp_ok(const struct stamped *s)
{
	u32 i, v;

	for (i = 0; i + 4 <= s->size; i += 4) {
		memcpy(&v, s->buf + i, 4);
		if (v != s->stamp)
			return false;
	}
	for (; i < s->size; i++)
		if (s->buf[i] != (u8)s->stamp)
			return false;
	return true;
}

static bool stamped_alloc(struct stress *st, struct stamped *s, u32 *rnd,
			  gfp_t gfp)
{
	u32 r = xorshift(rnd);

	s->size = pick_size(rnd);
	/* Mostly the named pool, some default pool, some other paths. */
	if (r % 16 == 0)
		s->buf = bufpool_alloc_unsafe_slow(s->size, gfp);
	else if (r % 16 == 1)
		s->buf = bufpool_alloc(s->size, gfp);
	else if (r % 4 == 2)
		s->buf = bufpool_alloc_unsafe(s->size, gfp);
	else
		s->buf = bufpool_pool_alloc_unsafe(st->pool, s->size, gfp);
	if (!s->buf)
		return false;
	s->stamp = atomic_inc_return(&st->stamp_seq);
	s->cpu = raw_smp_processor_id();
	stamp_fill(s);
	atomic_long_inc(&st->allocs);
	atomic_long_inc(&st->cpu_allocs[s->cpu]);
	return true;
}

static void stamped_free(struct stress *st, struct stamped *s)
{
	if (!stamp_ok(s)) {
		atomic_inc(&st->errors);
		pr_err("bufpool stress: stamp %#x of a %u-byte buffer overwritten\n",
		       s->stamp, s->size);
	}
	if (s->cpu != raw_smp_processor_id())
		atomic_long_inc(&st->cross_cpu_frees);
	bufpool_free(s->buf);
	s->buf = NULL;
	atomic_long_inc(&st->frees);
}

static bool ring_push(struct stress *st, struct stamped *s)
{
	unsigned long flags;
	bool ok = false;

	spin_lock_irqsave(&st->ring_lock, flags);
	if (st->head - st->tail < RING_SIZE) {
		st->ring[st->head++ % RING_SIZE] = *s;
		ok = true;
	}
	spin_unlock_irqrestore(&st->ring_lock, flags);
	return ok;
}

static bool ring_pop(struct stress *st, struct stamped *s)
{
	unsigned long flags;
	bool ok = false;

	spin_lock_irqsave(&st->ring_lock, flags);
	if (st->head != st->tail) {
		*s = st->ring[st->tail++ % RING_SIZE];
		ok = true;
	}
	spin_unlock_irqrestore(&st->ring_lock, flags);
	return ok;
}

/* One allocation handed on, one taken off the ring: for the irq contexts. */
static void irq_step(struct stress *st, u32 *rnd, atomic_long_t *count)
{
	struct stamped s;

	if (stamped_alloc(st, &s, rnd, GFP_ATOMIC)) {
		atomic_long_inc(count);
		if (!ring_push(st, &s))
			stamped_free(st, &s);
	}
	if (ring_pop(st, &s))
		stamped_free(st, &s);
}

static enum hrtimer_restart stress_hrtimer(struct hrtimer *t)
{
	struct stress *st = container_of(t, struct stress, hrtimer);
	static u32 rnd = 0x1234567;

	irq_step(st, &rnd, in_hardirq() ? &st->hardirq_allocs :
					  &st->softirq_allocs);
	if (READ_ONCE(st->stopping))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(500 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void stress_timer(struct timer_list *t)
{
	struct stress *st = timer_container_of(st, t, timer);
	static u32 rnd = 0x89abcdef;

	irq_step(st, &rnd, in_serving_softirq() ? &st->softirq_allocs :
						  &st->hardirq_allocs);
	if (!READ_ONCE(st->stopping))
		mod_timer(&st->timer, jiffies + 1);
}

static int stress_thread(void *arg)
{
	struct stress *st = arg;
	u32 rnd = 0x9e3779b9 ^ raw_smp_processor_id();
	struct stamped *slots, s;
	unsigned long n = 0;
	int i;

	slots = kcalloc(SLOTS, sizeof(*slots), GFP_KERNEL);
	if (!slots) {
		atomic_inc(&st->errors);
		while (!kthread_should_stop())
			msleep(20);
		return -ENOMEM;
	}
	while (!kthread_should_stop()) {
		u32 r = xorshift(&rnd);
		struct stamped *slot = &slots[r % SLOTS];

		if (slot->buf)
			stamped_free(st, slot);
		else if (stamped_alloc(st, slot, &rnd, GFP_KERNEL) &&
			 (r >> 8) % 4 == 0 && ring_push(st, slot))
			slot->buf = NULL;	/* another CPU frees it */
		if ((r >> 12) % 4 == 0 && ring_pop(st, &s))
			stamped_free(st, &s);
		if (++n % 64 == 0)
			cond_resched();
	}
	for (i = 0; i < SLOTS; i++)
		if (slots[i].buf)
			stamped_free(st, &slots[i]);
	kfree(slots);
	return 0;
}

struct stress_mode {
	const char *desc;
	bool irqs;
};

static const struct stress_mode stress_modes[] = {
	{ "kthreads and ring", false },
	{ "kthreads, ring, hardirq and softirq", true },
};

static void stress_mode_desc(const struct stress_mode *m, char *desc)
{
	strscpy(desc, m->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(stress_mode, stress_modes, stress_mode_desc);

/* Whether the stress did all it must to count. */
static bool stress_enough(struct stress *st, const struct stress_mode *mode)
{
	int cpu;

	if (atomic_long_read(&st->allocs) <= STRESS_MIN_ALLOCS)
		return false;
	if (num_online_cpus() > 1 && !atomic_long_read(&st->cross_cpu_frees))
		return false;
	for_each_online_cpu(cpu)
		if (!atomic_long_read(&st->cpu_allocs[cpu]))
			return false;
	return !mode->irqs || (atomic_long_read(&st->hardirq_allocs) &&
			       atomic_long_read(&st->softirq_allocs));
}

static void stress(struct kunit *test)
{
	const struct stress_mode *mode = test->param_value;
	const struct bufpool_params params = { .threshold = THRESHOLD };
	struct task_struct **threads;
	struct stress *st;
	unsigned int waited;
	struct stamped s;
	int cpu, n = 0;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	threads = kunit_kcalloc(test, nr_cpu_ids, sizeof(*threads), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_NOT_NULL(test, threads);
	st->cpu_allocs = kunit_kcalloc(test, nr_cpu_ids,
				       sizeof(*st->cpu_allocs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->cpu_allocs);
	st->pool = bufpool_create(STRESS_POOL, &params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, st->pool);
	spin_lock_init(&st->ring_lock);

	for_each_online_cpu(cpu) {
		threads[cpu] = kthread_create_on_cpu(stress_thread, st, cpu,
						     "bufpool_stress/%u");
		KUNIT_EXPECT_FALSE(test, IS_ERR(threads[cpu]));
		if (IS_ERR(threads[cpu])) {
			threads[cpu] = NULL;
			continue;
		}
		wake_up_process(threads[cpu]);
		n++;
	}
	if (mode->irqs) {
		hrtimer_setup(&st->hrtimer, stress_hrtimer, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL);
		hrtimer_start(&st->hrtimer, ns_to_ktime(500 * NSEC_PER_USEC), HRTIMER_MODE_REL);
		timer_setup(&st->timer, stress_timer, 0);
		mod_timer(&st->timer, jiffies + 1);
	}

	msleep(STRESS_MS);
	for (waited = STRESS_MS; waited < STRESS_MAX_MS &&
	     !stress_enough(st, mode); waited += 100)
		msleep(100);

	WRITE_ONCE(st->stopping, true);
	if (mode->irqs) {
		hrtimer_cancel(&st->hrtimer);
		timer_delete_sync(&st->timer);
	}
	for_each_online_cpu(cpu)
		if (threads[cpu])
			kthread_stop(threads[cpu]);
	while (ring_pop(st, &s))
		stamped_free(st, &s);

	kunit_info(test, "%d threads: %ld allocs, %ld frees, %ld on another CPU, %ld in hardirq, %ld in softirq\n",
		   n, atomic_long_read(&st->allocs), atomic_long_read(&st->frees),
		   atomic_long_read(&st->cross_cpu_frees),
		   atomic_long_read(&st->hardirq_allocs),
		   atomic_long_read(&st->softirq_allocs));
	KUNIT_EXPECT_EQ(test, atomic_read(&st->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->allocs),
			atomic_long_read(&st->frees));
	KUNIT_EXPECT_GT(test, atomic_long_read(&st->allocs), STRESS_MIN_ALLOCS);
	if (num_online_cpus() > 1)
		KUNIT_EXPECT_GT(test, atomic_long_read(&st->cross_cpu_frees), 0);
	/* Every CPU took part. */
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_GT_MSG(test, atomic_long_read(&st->cpu_allocs[cpu]), 0,
				    "CPU %d allocated nothing", cpu);
	if (mode->irqs) {
		KUNIT_EXPECT_GT(test, atomic_long_read(&st->hardirq_allocs), 0);
		KUNIT_EXPECT_GT(test, atomic_long_read(&st->softirq_allocs), 0);
	}
	KUNIT_EXPECT_EQ(test, bp_stat(st->pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(st->pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE), 0);
	bufpool_destroy(st->pool);
}

/*
 * Two threads create and destroy a pool under one name, each with its own
 * pool_size: whenever a create succeeds, the name's debugfs directory is
 * that pool's, with its files, not the last one's on its way out.
 */
#define RACE_POOL	"kunit-race"
/* The racers' pool sizes: the default chunk, and twice it. */
#define RACE_SIZE	BUFPOOL_DEFAULT_POOL_SIZE
#define RACE_ROUNDS	150

struct race {
	struct completion go;
	atomic_t created, taken, wrong, last_err;
};

struct racer {
	struct race *race;
	unsigned int pool_size;
	struct task_struct *task;
	struct completion done;
};

/* Whether the stats file under the name shows @pool_size. */
static int race_check(unsigned int pool_size)
{
	char buf[1024], want[32];
	int n;

	n = bp_read_file("/sys/kernel/debug/bufpool/" RACE_POOL "/stats", buf,
			 sizeof(buf));
	if (n < 0)
		return n;
	snprintf(want, sizeof(want), "\npool_size %u\n", pool_size);
	return strstr(buf, want) ? 0 : -ESTALE;
}

static int racer_fn(void *data)
{
	struct racer *r = data;
	struct race *race = r->race;
	struct bufpool_params params = { .pool_size = r->pool_size };
	int i, err;

	wait_for_completion(&race->go);
	/* Each round ends with a pool of ours: a taken name is tried again. */
	for (i = 0; i < RACE_ROUNDS; ) {
		struct bufpool *pool = bufpool_create(RACE_POOL, &params);

		if (IS_ERR(pool)) {
			if (PTR_ERR(pool) != -EEXIST) {
				atomic_set(&race->last_err, PTR_ERR(pool));
				break;
			}
			atomic_inc(&race->taken);
			/* Each refusal says so in the log: not too often. */
			usleep_range(20, 50);
			continue;
		}
		atomic_inc(&race->created);
		err = race_check(r->pool_size);
		if (err) {
			atomic_set(&race->last_err, err);
			atomic_inc(&race->wrong);
		}
		bufpool_destroy(pool);
		i++;
	}
	complete(&r->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void create_destroy_race(struct kunit *test)
{
	struct race race = {};
	struct racer r[2] = {
		{ .race = &race, .pool_size = RACE_SIZE },
		{ .race = &race, .pool_size = 2 * RACE_SIZE },
	};
	int i;

	init_completion(&race.go);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		init_completion(&r[i].done);
		r[i].task = kthread_create(racer_fn, &r[i], "bufpool-race/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(r[i].task));
		if (num_online_cpus() > 1)
			kthread_bind(r[i].task, i % num_online_cpus());
		wake_up_process(r[i].task);
	}
	complete_all(&race.go);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		wait_for_completion(&r[i].done);
		kthread_stop(r[i].task);
	}
	kunit_info(test, "%d created, %d found the name taken\n",
		   atomic_read(&race.created), atomic_read(&race.taken));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&race.wrong), 0,
			    "a pool without its own debugfs files (last error %d)",
			    atomic_read(&race.last_err));
	KUNIT_EXPECT_EQ(test, atomic_read(&race.created), 2 * RACE_ROUNDS);
}

/*
 * A kthread per CPU frees direct buffers while the pool is destroyed: the
 * frees before, during and after bufpool_destroy() hold the pool until
 * the last one, and then it goes. A pool released too early is a KASAN
 * report at the next free, one never released a kmemleak report.
 */
#define DYING_BUFS	1024

struct dying {
	struct completion go;
	void *bufs[DYING_BUFS];
	atomic_t next;
	atomic_long_t freed;
};

static int dying_fn(void *data)
{
	struct dying *d = data;
	int i;

	wait_for_completion(&d->go);
	while ((i = atomic_inc_return(&d->next) - 1) < DYING_BUFS) {
		bufpool_free(d->bufs[i]);
		atomic_long_inc(&d->freed);
		usleep_range(10, 30);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void destroy_while_direct_frees(struct kunit *test)
{
	struct task_struct **threads;
	struct bufpool *pool;
	struct dying *d;
	int cpu, i;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	threads = kunit_kcalloc(test, nr_cpu_ids, sizeof(*threads), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, threads);
	init_completion(&d->go);
	pool = bufpool_create("kunit-dying", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	for (i = 0; i < DYING_BUFS; i++) {
		d->bufs[i] = bufpool_pool_alloc_unsafe_slow(pool, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, d->bufs[i]);
	}
	for_each_online_cpu(cpu) {
		threads[cpu] = kthread_create_on_cpu(dying_fn, d, cpu,
						     "bufpool_dying/%u");
		KUNIT_EXPECT_FALSE(test, IS_ERR(threads[cpu]));
		if (IS_ERR(threads[cpu])) {
			threads[cpu] = NULL;
			continue;
		}
		wake_up_process(threads[cpu]);
	}
	complete_all(&d->go);
	/* Destroyed with about a quarter of them freed. */
	while (atomic_long_read(&d->freed) < DYING_BUFS / 4)
		usleep_range(50, 100);
	bufpool_destroy(pool);
	for_each_online_cpu(cpu)
		if (threads[cpu])
			kthread_stop(threads[cpu]);
	bufpool_wait_freed();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&d->freed), DYING_BUFS);
}

static struct kunit_case concurrency_cases[] = {
	KUNIT_CASE_PARAM(stress, stress_mode_gen_params),
	KUNIT_CASE(create_destroy_race),
	KUNIT_CASE(destroy_while_direct_frees),
	{}
};

static struct kunit_suite concurrency_suite = {
	.name = "bufpool_concurrency",
	.test_cases = concurrency_cases,
};

kunit_test_suite(concurrency_suite);
