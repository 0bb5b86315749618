// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics: folding the per-CPU counters, and the debugfs files under
 * /sys/kernel/debug/bufpool/<pool>/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uio.h>

#include "pool.h"

static const char * const bufpool_stat_names[BUFPOOL_NR_PRINTED_STATS] = {
	"alloc_calls", "alloc_bytes",
	"unsafe_pooled_calls", "unsafe_pooled_bytes",
	"unsafe_direct_calls", "unsafe_direct_bytes",
	"slow_calls", "slow_bytes",
	"from_pooled_calls", "from_pooled_bytes",
	"from_direct_calls", "from_direct_bytes",
	"frees", "failures",
	"pools_created", "pools_released",
	"pools_live", "pool_bytes_live", "retired_pools_live", "slices_live",
	"abandoned_bytes", "padding_bytes",
};

static const char * const bufpool_path_names[BUFPOOL_NR_PATHS] = {
	"alloc", "unsafe_pooled", "unsafe_direct", "slow", "from_pooled",
	"from_direct",
};

static struct dentry *bufpool_debugfs_root;

/*
 * The files are created without debugfs's proxy, so that reads go through
 * seq_read_iter(), which kernel_read() needs (the KUnit suites read them
 * that way). Each access to the pool holds the file against removal
 * itself, as the proxy would: once bufpool_debugfs_remove() returns, no
 * read or write touches the pool.
 */
static int bufpool_show_guarded(struct seq_file *m,
				void (*print)(struct seq_file *m,
					      struct bufpool *pool))
{
	struct dentry *dentry = file_dentry(m->file);
	int ret;

	ret = debugfs_file_get(dentry);
	if (ret)
		return ret;
	print(m, m->private);
	debugfs_file_put(dentry);
	return 0;
}

#define BUFPOOL_SHOW_ATTRIBUTE(name)						\
static int name##_show(struct seq_file *m, void *v)			\
{									\
	return bufpool_show_guarded(m, name##_print);			\
}									\
									\
static int name##_open(struct inode *inode, struct file *file)		\
{									\
	return single_open(file, name##_show, inode->i_private);	\
}									\
									\
static const struct file_operations name##_fops = {			\
	.owner = THIS_MODULE,						\
	.open = name##_open,						\
	.read_iter = seq_read_iter,					\
	.llseek = seq_lseek,						\
	.release = single_release,					\
}

static bool bufpool_stat_is_gauge(enum bufpool_stat item)
{
	return (item >= BUFPOOL_STAT_POOLS_LIVE &&
		item <= BUFPOOL_STAT_SLICES_LIVE) ||
	       item == BUFPOOL_STAT_DIRECT_LIVE;
}

static bool bufpool_stat_is_calls(enum bufpool_stat item)
{
	return item <= BUFPOOL_STAT_PATHS_END && !(item & 1);
}

/* Racing increments on that CPU are fine: these are snapshots. */
static long bufpool_stat_raw(struct bufpool_cpu_stats *s,
			     enum bufpool_stat item)
{
	return READ_ONCE(s->stat[item]);
}

static long bufpool_stat_calls(struct bufpool_cpu_stats *s,
			       enum bufpool_path path)
{
	unsigned long sum = 0;
	int b;

	for (b = 0; b < BUFPOOL_NR_BUCKETS; b++)
		sum += READ_ONCE(s->hist[path][b]);
	return sum;
}

/* One counter on one CPU, derived as stats.h says where it is. */
static long bufpool_stat_derive(struct bufpool_cpu_stats *s,
				enum bufpool_stat item)
{
	if (bufpool_stat_is_calls(item))
		return bufpool_stat_calls(s, item / 2);

	switch (item) {
	case BUFPOOL_STAT_FREES:
		return bufpool_stat_raw(s, BUFPOOL_STAT_FREES) +
		       bufpool_stat_raw(s, BUFPOOL_STAT_SLICE_FREES);
	case BUFPOOL_STAT_SLICES_LIVE:
		return bufpool_stat_calls(s, BUFPOOL_PATH_UNSAFE_POOLED) +
		       bufpool_stat_calls(s, BUFPOOL_PATH_FROM_POOLED) -
		       bufpool_stat_raw(s, BUFPOOL_STAT_SLICE_FAILURES) -
		       bufpool_stat_raw(s, BUFPOOL_STAT_SLICE_FREES);
	default:
		return bufpool_stat_raw(s, item);
	}
}

/* As shown: an event counter less what the last reset saw of it. */
static long bufpool_stat_cpu(struct bufpool *pool, enum bufpool_stat item,
			     int cpu)
{
	struct bufpool_cpu_stats *s = &per_cpu_ptr(pool->pcpu, cpu)->stats;
	long v = bufpool_stat_derive(s, item);

	if (item < BUFPOOL_NR_PRINTED_STATS && !bufpool_stat_is_gauge(item))
		v -= READ_ONCE(s->base[item]);
	return v;
}

/**
 * bufpool_stat_read - fold one counter over all CPUs
 * @pool: the pool.
 * @item: the counter.
 *
 * Context: Any context.
 * Return: The sum, as the stats file shows it; for a gauge, never below
 * zero, which a fold racing with an allocation on one CPU and its free on
 * another could otherwise show.
 */
long bufpool_stat_read(struct bufpool *pool, enum bufpool_stat item)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += bufpool_stat_cpu(pool, item, cpu);
	if (bufpool_stat_is_gauge(item) && sum < 0)
		sum = 0;
	return sum;
}

static void bufpool_stats_print(struct seq_file *m, struct bufpool *pool)
{
	unsigned int pool_size = READ_ONCE(pool->pool_size);
	int i;

	for (i = 0; i < BUFPOOL_NR_PRINTED_STATS; i++)
		seq_printf(m, "%s %ld\n", bufpool_stat_names[i],
			   bufpool_stat_read(pool, i));
	seq_printf(m, "pool_size %u\n", pool_size);
	seq_printf(m, "threshold %u\n", bufpool_threshold(pool, pool_size));
	seq_printf(m, "align %u\n", pool->align);
	seq_printf(m, "zero_fill %d\n",
		   !!(READ_ONCE(pool->flags) & BUFPOOL_ZERO_FILL));
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_stats);

/* As SLUB_STATS: the total, then every online CPU with a nonzero count. */
static void bufpool_percpu_print(struct seq_file *m, struct bufpool *pool)
{
	int i, cpu;

	for (i = 0; i < BUFPOOL_NR_PRINTED_STATS; i++) {
		seq_printf(m, "%s %ld", bufpool_stat_names[i],
			   bufpool_stat_read(pool, i));
		for_each_online_cpu(cpu) {
			long n = bufpool_stat_cpu(pool, i, cpu);

			if (n)
				seq_printf(m, " C%d=%ld", cpu, n);
		}
		seq_putc(m, '\n');
	}
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_percpu);

static void bufpool_histogram_print(struct seq_file *m, struct bufpool *pool)
{
	int b, path, cpu;

	seq_puts(m, "size");
	for (path = 0; path < BUFPOOL_NR_PATHS; path++)
		seq_printf(m, " %s", bufpool_path_names[path]);
	seq_putc(m, '\n');

	for (b = 0; b < BUFPOOL_NR_BUCKETS; b++) {
		if (b < BUFPOOL_NR_BUCKETS - 1)
			seq_printf(m, "<=%lu", 8UL << b);
		else
			seq_printf(m, ">%lu", 8UL << (b - 1));
		for (path = 0; path < BUFPOOL_NR_PATHS; path++) {
			unsigned long sum = 0;

			for_each_possible_cpu(cpu) {
				struct bufpool_cpu_stats *s;

				s = &per_cpu_ptr(pool->pcpu, cpu)->stats;
				sum += READ_ONCE(s->hist[path][b]) -
				       READ_ONCE(s->hist_base[path][b]);
			}
			seq_printf(m, " %lu", sum);
		}
		seq_putc(m, '\n');
	}
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_histogram);

static void bufpool_owners_print(struct seq_file *m, struct bufpool *pool)
{
	bufpool_debug_owners_print(m, pool);
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_owners);

static void bufpool_debug_print(struct seq_file *m, struct bufpool *pool)
{
	bufpool_debug_state_print(m, pool);
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_debug);

/*
 * Zeroes the event counters and the histogram as shown, not the gauges:
 * each shows less what it was now. The counters themselves are left to
 * the CPUs that bump them, so an event racing with this is counted either
 * before the reset or after it.
 */
static ssize_t bufpool_reset_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct dentry *dentry = file_dentry(iocb->ki_filp);
	struct bufpool *pool = iocb->ki_filp->private_data;
	size_t count = iov_iter_count(from);
	int i, b, path, cpu, ret;

	ret = debugfs_file_get(dentry);
	if (ret)
		return ret;
	for_each_possible_cpu(cpu) {
		struct bufpool_cpu_stats *s = &per_cpu_ptr(pool->pcpu, cpu)->stats;

		for (path = 0; path < BUFPOOL_NR_PATHS; path++) {
			long calls = 0;

			/* A path's calls are its histogram row's, exactly. */
			for (b = 0; b < BUFPOOL_NR_BUCKETS; b++) {
				unsigned long n = READ_ONCE(s->hist[path][b]);

				WRITE_ONCE(s->hist_base[path][b], n);
				calls += n;
			}
			WRITE_ONCE(s->base[BUFPOOL_STAT_CALLS(path)], calls);
		}
		for (i = 0; i < BUFPOOL_NR_PRINTED_STATS; i++)
			if (!bufpool_stat_is_gauge(i) &&
			    !bufpool_stat_is_calls(i))
				WRITE_ONCE(s->base[i],
					   bufpool_stat_derive(s, i));
	}
	debugfs_file_put(dentry);
	return count;
}

static const struct file_operations bufpool_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write_iter = bufpool_reset_write,
	.llseek = noop_llseek,
};

/**
 * bufpool_debugfs_add - create a pool's debugfs directory
 * @pool: the pool, whose name is unique.
 *
 * Context: Process context, under bufpool_mutex.
 */
void bufpool_debugfs_add(struct bufpool *pool)
{
	pool->dir = debugfs_create_dir(pool->name, bufpool_debugfs_root);
	debugfs_create_file_unsafe("stats", 0400, pool->dir, pool,
				   &bufpool_stats_fops);
	debugfs_create_file_unsafe("percpu", 0400, pool->dir, pool,
				   &bufpool_percpu_fops);
	debugfs_create_file_unsafe("histogram", 0400, pool->dir, pool,
				   &bufpool_histogram_fops);
	debugfs_create_file_unsafe("reset", 0200, pool->dir, pool,
				   &bufpool_reset_fops);
	debugfs_create_file_unsafe("owners", 0400, pool->dir, pool,
				   &bufpool_owners_fops);
	debugfs_create_file_unsafe("debug", 0400, pool->dir, pool,
				   &bufpool_debug_fops);
}

/**
 * bufpool_debugfs_remove - remove a pool's debugfs directory
 * @pool: the pool.
 *
 * Waits for readers of its files, so the pool may be freed afterwards.
 *
 * Context: Process context.
 */
void bufpool_debugfs_remove(struct bufpool *pool)
{
	debugfs_remove(pool->dir);
	pool->dir = NULL;
}

/**
 * bufpool_debugfs_init - create /sys/kernel/debug/bufpool
 *
 * Context: Module init.
 * Return: 0. Without debugfs bufpool works, just unseen.
 */
int bufpool_debugfs_init(void)
{
	bufpool_debugfs_root = debugfs_create_dir("bufpool", NULL);
	return 0;
}

/**
 * bufpool_debugfs_exit - remove /sys/kernel/debug/bufpool
 *
 * Context: Module exit, after every pool's directory is gone.
 */
void bufpool_debugfs_exit(void)
{
	debugfs_remove(bufpool_debugfs_root);
}
