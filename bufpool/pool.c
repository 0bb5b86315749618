// SPDX-License-Identifier: GPL-2.0
/*
 * The pool registry: creating and destroying pools, their names and
 * parameters, the default pool, and a destroyed pool's end, which waits
 * for its last buffer (struct bufpool's ref).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/kmemleak.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chunk.h"
#include "debug.h"
#include "debugfs.h"
#include "direct.h"
#include "pool.h"

/* Changed under bufpool_mutex; the shrinker walks it under RCU. */
static LIST_HEAD(bufpool_list);
static DEFINE_MUTEX(bufpool_mutex);	/* protects bufpool_list */
static struct workqueue_struct *bufpool_wq;
static enum cpuhp_state bufpool_cpuhp_state;
static struct shrinker *bufpool_shrinker;

struct bufpool *bufpool_default;

/**
 * bufpool_check_params - validate a pool's resolved parameters
 * @p: parameters with every 0 default already filled in but threshold's.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL after saying which parameter is wrong.
 */
int bufpool_check_params(const struct bufpool_params *p)
{
	unsigned int unknown;

	if (!is_power_of_2(p->pool_size) || p->pool_size < PAGE_SIZE ||
	    p->pool_size > BUFPOOL_MAX_POOL_SIZE) {
		pr_err("pool_size %u: must be a power of two from %lu to %lu\n",
		       p->pool_size, PAGE_SIZE, BUFPOOL_MAX_POOL_SIZE);
		return -EINVAL;
	}
	if (!is_power_of_2(p->align) || p->align < BUFPOOL_DEFAULT_ALIGN ||
	    p->align > PAGE_SIZE) {
		pr_err("align %u: must be a power of two from %d to %lu\n",
		       p->align, BUFPOOL_DEFAULT_ALIGN, PAGE_SIZE);
		return -EINVAL;
	}
	if (p->threshold > p->pool_size + 1) {
		pr_err("threshold %u: must be at most pool_size + 1 (%u)\n",
		       p->threshold, p->pool_size + 1);
		return -EINVAL;
	}
	unknown = p->flags & ~(BUFPOOL_ZERO_FILL | BUFPOOL_DEBUG);
	if (unknown) {
		pr_err("flags %#x: unknown flags %#x\n", p->flags, unknown);
		return -EINVAL;
	}
	return 0;
}

/**
 * bufpool_fast_update - follow a pool's settings in its fast path's limit
 * @pool: the pool, whose pool_size, threshold or flags were just written.
 *
 * Context: Where those are written: bufpool_create(), or a module
 * parameter's write under the kernel's param lock.
 */
void bufpool_fast_update(struct bufpool *pool)
{
	unsigned int limit = 0;

	if (!(READ_ONCE(pool->flags) & (BUFPOOL_DEBUG | BUFPOOL_ZERO_FILL)))
		limit = bufpool_threshold(pool, READ_ONCE(pool->pool_size));
	WRITE_ONCE(pool->fast_limit, limit ? limit - 1 : 0);
}

/*
 * An ASCII letter or digit: the kernel's isalnum() takes Latin-1 letters
 * too, which would make a name no UTF-8 reader (bufpoolstat's JSON) can
 * print.
 */
static bool bufpool_name_alnum(char c)
{
	return isascii(c) && isalnum(c);
}

static bool bufpool_name_ok(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strnlen(name, BUFPOOL_NAME_MAX);
	if (!len || len == BUFPOOL_NAME_MAX || !bufpool_name_alnum(name[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!bufpool_name_alnum(name[i]) && !strchr("_-.", name[i]))
			return false;
	return true;
}

static struct bufpool *bufpool_find(const char *name)
{
	struct bufpool *pool;

	lockdep_assert_held(&bufpool_mutex);
	list_for_each_entry(pool, &bufpool_list, node)
		if (!strcmp(pool->name, name))
			return pool;
	return NULL;
}

static void bufpool_free_work(struct work_struct *work)
{
	struct bufpool *pool = container_of(work, struct bufpool, free_work);

	if (READ_ONCE(pool->flags) & BUFPOOL_DEBUG)
		bufpool_debug_put();
	percpu_ref_exit(&pool->ref);
	free_percpu(pool->pcpu);
	kfree(pool);
}

/* The last chunk or direct buffer of a destroyed pool is gone. */
static void bufpool_ref_release(struct percpu_ref *ref)
{
	struct bufpool *pool = container_of(ref, struct bufpool, ref);

	queue_work(bufpool_wq, &pool->free_work);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * bufpool_wait_freed - wait for the destroyed pools with no buffer left
 *
 * Description: For the KUnit suites. A destroyed pool whose last chunk
 * and direct buffer were freed before this call is freed when it returns:
 * its reference's kill is confirmed in an RCU callback, which may drop the
 * last reference, and the release frees it from bufpool's workqueue. A
 * pool freed too early is then gone, and what still touches it a KASAN
 * report.
 *
 * Context: Process context. May sleep.
 * Return: Nothing.
 */
void bufpool_wait_freed(void)
{
	rcu_barrier();
	flush_workqueue(bufpool_wq);
}
EXPORT_SYMBOL_NS_GPL(bufpool_wait_freed, BUFPOOL_KUNIT_NS);

/**
 * bufpool_kunit_shrinker - bufpool's shrinker
 *
 * Description: For the KUnit suites, which call its count and scan as
 * reclaim on one node would.
 *
 * Context: Any context, while the module is loaded.
 * Return: The shrinker registered at module init.
 */
struct shrinker *bufpool_kunit_shrinker(void)
{
	return bufpool_shrinker;
}
EXPORT_SYMBOL_NS_GPL(bufpool_kunit_shrinker, BUFPOOL_KUNIT_NS);
#endif

/**
 * bufpool_create - create a named pool
 * @name: unique name of 1 to %BUFPOOL_NAME_MAX - 1 characters: ASCII letters,
 *	digits, '_', '-' and '.', starting with a letter or digit. It names
 *	the pool's directory in debugfs.
 * @params: the pool's shape, see struct bufpool_params; NULL for the
 *	defaults.
 *
 * Context: Process context. May sleep.
 * Return: The pool, ERR_PTR(-EINVAL) for a bad name or parameter,
 * ERR_PTR(-EEXIST) when the name is taken or ERR_PTR(-ENOMEM).
 */
struct bufpool *bufpool_create(const char *name,
			       const struct bufpool_params *params)
{
	struct bufpool_params p = {};
	struct bufpool *pool;
	int cpu, err;

	if (!bufpool_name_ok(name)) {
		pr_err("pool name \"%.*s\": use 1 to %d letters, digits, '_', '-' or '.', not starting with a symbol\n",
		       BUFPOOL_NAME_MAX, name ?: "(null)", BUFPOOL_NAME_MAX - 1);
		return ERR_PTR(-EINVAL);
	}
	if (params)
		p = *params;
	p.pool_size = p.pool_size ?: BUFPOOL_DEFAULT_POOL_SIZE;
	p.align = p.align ?: BUFPOOL_DEFAULT_ALIGN;
	err = bufpool_check_params(&p);
	if (err)
		return ERR_PTR(err);

	pool = kzalloc_obj(*pool, GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	strscpy(pool->name, name, sizeof(pool->name));
	pool->pool_size = p.pool_size;
	pool->threshold = p.threshold;
	pool->align = p.align;
	pool->direct_lead = bufpool_direct_lead(sizeof(struct bufpool_direct),
						ARCH_KMALLOC_MINALIGN, p.align);
	pool->flags = p.flags | (bufpool_debug_all ? BUFPOOL_DEBUG : 0);
	bufpool_fast_update(pool);
	INIT_WORK(&pool->free_work, bufpool_free_work);
	atomic_long_set(&pool->direct_left, BUFPOOL_DIRECT_BIAS);
	spin_lock_init(&pool->debug.lock);
	INIT_LIST_HEAD(&pool->debug.chunks);

	err = -ENOMEM;
	pool->pcpu = alloc_percpu(struct bufpool_cpu);
	if (!pool->pcpu)
		goto err_free_pool;
	for_each_possible_cpu(cpu) {
		local_lock_init(&per_cpu_ptr(pool->pcpu, cpu)->lock);
		per_cpu_ptr(pool->pcpu, cpu)->cpu = cpu;
	}
	err = percpu_ref_init(&pool->ref, bufpool_ref_release, 0, GFP_KERNEL);
	if (err)
		goto err_free_pcpu;

	mutex_lock(&bufpool_mutex);
	if (bufpool_find(name)) {
		mutex_unlock(&bufpool_mutex);
		pr_err("pool name \"%s\" is taken\n", name);
		err = -EEXIST;
		goto err_exit_ref;
	}
	list_add_tail_rcu(&pool->node, &bufpool_list);
	bufpool_debugfs_add(pool);
	mutex_unlock(&bufpool_mutex);
	if (READ_ONCE(pool->flags) & BUFPOOL_DEBUG)
		bufpool_debug_get();
	return pool;

err_exit_ref:
	percpu_ref_exit(&pool->ref);
err_free_pcpu:
	free_percpu(pool->pcpu);
err_free_pool:
	kfree(pool);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(bufpool_create, BUFPOOL_NS);

/**
 * bufpool_destroy - destroy a named pool
 * @pool: the pool, or NULL or an ERR_PTR, which are ignored.
 *
 * No allocation from @pool may run during or after this call. Buffers
 * still live stay valid and may be freed later with bufpool_free(); the
 * pool's memory goes when the last of them does. Live buffers are
 * reported with pr_warn().
 *
 * Context: Process context. May sleep.
 * Return: Nothing.
 */
void bufpool_destroy(struct bufpool *pool)
{
	struct bufpool_stats st;
	long direct;
	int cpu;

	if (IS_ERR_OR_NULL(pool))
		return;

	/*
	 * The directory goes before the name: a pool created under the name
	 * once it is free gets its own files.
	 */
	mutex_lock(&bufpool_mutex);
	bufpool_debugfs_remove(pool);
	list_del_rcu(&pool->node);
	mutex_unlock(&bufpool_mutex);

	WRITE_ONCE(pool->dying, true);
	/*
	 * dying before the spare slots are emptied (see chunk.c), and before
	 * the CPUs' chunks are retired from here: a free into the chunk its
	 * CPU slices, which runs with preemption off and checks dying, is
	 * over (slice.h); and before the live direct buffers are counted: a
	 * free that saw the pool alive has counted itself out (direct.c).
	 */
	synchronize_rcu();
	for_each_possible_cpu(cpu)
		bufpool_chunk_drain(pool, cpu);
	/*
	 * Live direct buffers as the kill counts them: direct_live still
	 * counts those freed since dying was set.
	 */
	direct = bufpool_direct_kill(pool);

	bufpool_get_stats(pool, &st);
	if (st.v[BUFPOOL_STAT_SLICES_LIVE] || direct) {
		pr_warn("pool %s destroyed with %llu live slices and %ld live direct buffers: their memory stays until they are freed\n",
			pool->name, st.v[BUFPOOL_STAT_SLICES_LIVE], direct);
		/*
		 * Slices reference the pool from their chunks' struct
		 * pages, which kmemleak does not scan; direct buffers from
		 * their headers, which it does.
		 */
		if (st.v[BUFPOOL_STAT_SLICES_LIVE])
			kmemleak_not_leak(pool);
	}
	percpu_ref_kill(&pool->ref);
}
EXPORT_SYMBOL_NS_GPL(bufpool_destroy, BUFPOOL_NS);

/*
 * A CPU is dead: in every pool, its chunk is retired and its spares go
 * back to the page allocator, as the page allocator's and SLUB's dead
 * callbacks drain a dead CPU's caches from the CPU that took it down.
 * Nothing runs on it, so nothing slices its chunk meanwhile; a destroyed
 * pool is off the list before bufpool_destroy() drains it.
 */
static int bufpool_cpu_dead(unsigned int cpu)
{
	struct bufpool *pool;

	mutex_lock(&bufpool_mutex);
	/*
	 * @cpu is offline, as a spare put in its slot after this looks sees:
	 * pairs with the cmpxchg() of bufpool_chunk_spare_on().
	 */
	smp_mb();
	list_for_each_entry(pool, &bufpool_list, node)
		bufpool_chunk_drain(pool, cpu);
	mutex_unlock(&bufpool_mutex);
	return 0;
}

/*
 * Pages the spares of every pool hold on the node reclaim asks for, or
 * SHRINK_EMPTY. The shrinker is NUMA-aware: reclaim on one node (kswapd,
 * or a full zonelist's) takes only that node's spares, and drop_caches
 * asks every node in turn.
 */
static unsigned long bufpool_shrink_count(struct shrinker *shrinker,
					  struct shrink_control *sc)
{
	return bufpool_chunk_spare_pages(sc->nid) ?: SHRINK_EMPTY;
}

/*
 * Memory pressure, or drop_caches: the spares of the node's CPUs go back
 * to the page allocator, pool after pool, CPU after CPU, until nr_to_scan
 * pages went. No lock but RCU's, as reclaim may come from under any of
 * bufpool's own; a pool being destroyed is left to bufpool_destroy(),
 * which empties its slots itself.
 */
static unsigned long bufpool_shrink_scan(struct shrinker *shrinker,
					 struct shrink_control *sc)
{
	unsigned long freed = 0;
	struct bufpool *pool;
	int cpu;

	rcu_read_lock();
	list_for_each_entry_rcu(pool, &bufpool_list, node) {
		if (READ_ONCE(pool->dying))
			continue;
		for_each_possible_cpu(cpu) {
			if (cpu_to_mem(cpu) != sc->nid)
				continue;
			freed += bufpool_chunk_drop_spares(pool, cpu,
							   sc->nr_to_scan - freed,
							   true);
			if (freed >= sc->nr_to_scan)
				goto out;
		}
	}
out:
	rcu_read_unlock();
	return freed ?: SHRINK_STOP;
}

static int bufpool_shrinker_init(void)
{
	int ret;

	bufpool_shrinker = bufpool_shrinker_alloc(SHRINKER_NUMA_AWARE,
						  "bufpool");
	if (!bufpool_shrinker)
		return -ENOMEM;
	bufpool_shrinker->count_objects = bufpool_shrink_count;
	bufpool_shrinker->scan_objects = bufpool_shrink_scan;
	bufpool_shrinker->seeks = DEFAULT_SEEKS;
	ret = bufpool_shrinker_register(bufpool_shrinker, "bufpool");
	if (ret)
		bufpool_shrinker_free(bufpool_shrinker);
	return ret;
}

/**
 * bufpool_core_init - create the workqueue and the default pool
 * @params: the default pool's parameters, from the module parameters.
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
int bufpool_core_init(const struct bufpool_params *params)
{
	struct bufpool *pool;
	int ret;

	bufpool_wq = alloc_workqueue("bufpool", WQ_UNBOUND, 0);
	if (!bufpool_wq)
		return -ENOMEM;
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "bufpool:dead",
					NULL, bufpool_cpu_dead);
	if (ret < 0)
		goto err_wq;
	bufpool_cpuhp_state = ret;
	ret = bufpool_shrinker_init();
	if (ret)
		goto err_cpuhp;
	pool = bufpool_create("default", params);
	if (IS_ERR(pool)) {
		ret = PTR_ERR(pool);
		goto err_shrinker;
	}
	bufpool_default = pool;
	return 0;

err_shrinker:
	bufpool_shrinker_free(bufpool_shrinker);
err_cpuhp:
	cpuhp_remove_state_nocalls(bufpool_cpuhp_state);
err_wq:
	destroy_workqueue(bufpool_wq);
	return ret;
}

/**
 * bufpool_core_exit - destroy every pool left, then wait for their frees
 *
 * Context: Module exit. Pools with live buffers are reported and never
 * freed: their memory is still in use.
 */
void bufpool_core_exit(void)
{
	struct bufpool *pool;

	bufpool_shrinker_free(bufpool_shrinker);
	cpuhp_remove_state_nocalls(bufpool_cpuhp_state);
	for (;;) {
		mutex_lock(&bufpool_mutex);
		pool = list_first_entry_or_null(&bufpool_list, struct bufpool,
						node);
		mutex_unlock(&bufpool_mutex);
		if (!pool)
			break;
		if (pool != bufpool_default)
			pr_warn("pool %s was not destroyed by its creator\n",
				pool->name);
		bufpool_destroy(pool);
	}
	bufpool_default = NULL;
	/* percpu_ref_kill() confirms in an RCU callback that may release. */
	rcu_barrier();
	destroy_workqueue(bufpool_wq);
}
