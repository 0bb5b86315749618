// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs files of a pool, under /sys/kernel/debug/bufpool/<pool>/:
 * stats, percpu, histogram, reset, owners and debug.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "debugfs.h"
#include "pool.h"
#include "report.h"

static struct dentry *bufpool_debugfs_root;

/*
 * The files are created without debugfs's proxy, so that reads go through
 * seq_read_iter(), which kernel_read() needs (the KUnit suites read them
 * that way). Each access to the pool holds the file against removal
 * itself, as the proxy would: once bufpool_debugfs_remove() returns, no
 * read or write touches the pool.
 */
static int bufpool_show_guarded(struct seq_file *m,
				int (*print)(struct seq_file *m,
					     struct bufpool *pool))
{
	struct dentry *dentry = file_dentry(m->file);
	int ret;

	ret = debugfs_file_get(dentry);
	if (ret)
		return ret;
	ret = print(m, m->private);
	debugfs_file_put(dentry);
	return ret;
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

/* Every statistic of the table, "name value", in its order. */
static int bufpool_stats_print(struct seq_file *m, struct bufpool *pool)
{
	struct bufpool_stats st;
	int i;

	bufpool_get_stats(pool, &st);
	for (i = 0; i < BUFPOOL_NR_STATS; i++)
		seq_printf(m, "%s %llu\n", bufpool_stat_name(i), st.v[i]);
	return 0;
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_stats);

/*
 * As SLUB_STATS: the total, then every CPU with a nonzero count, online
 * or not: an offline CPU's counts are in the total too, and stay.
 */
static int bufpool_percpu_print(struct seq_file *m, struct bufpool *pool)
{
	long (*v)[BUFPOOL_NR_STATS];
	struct bufpool_stats st;
	int i, cpu;

	/* About 300 bytes a CPU: more than a page from 14 CPUs on. */
	v = kvcalloc(nr_cpu_ids, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	bufpool_get_stats(pool, &st);
	for_each_possible_cpu(cpu)
		bufpool_stats_cpu(pool, cpu, v[cpu]);
	for (i = 0; i < BUFPOOL_NR_STATS; i++) {
		if (bufpool_stat_is_setting(i))
			continue;
		seq_printf(m, "%s %llu", bufpool_stat_name(i), st.v[i]);
		for_each_possible_cpu(cpu)
			if (v[cpu][i])
				seq_printf(m, " C%d=%ld", cpu, v[cpu][i]);
		seq_putc(m, '\n');
	}
	kvfree(v);
	return 0;
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_percpu);

static int bufpool_histogram_print(struct seq_file *m, struct bufpool *pool)
{
	int b, path, cpu;

	seq_puts(m, "size");
	for (path = 0; path < BUFPOOL_NR_PATHS; path++)
		seq_printf(m, " %s", bufpool_path_name(path));
	seq_putc(m, '\n');

	for (b = 0; b < BUFPOOL_NR_BUCKETS; b++) {
		if (b < BUFPOOL_NR_BUCKETS - 1)
			seq_printf(m, "<=%lu", 8UL << b);
		else
			seq_printf(m, ">%lu", 8UL << (b - 1));
		for (path = 0; path < BUFPOOL_NR_PATHS; path++) {
			unsigned long sum = 0;

			for_each_possible_cpu(cpu)
				sum += bufpool_stats_hist(pool, cpu, path, b);
			seq_printf(m, " %lu", sum);
		}
		seq_putc(m, '\n');
	}
	return 0;
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_histogram);

static int bufpool_owners_print(struct seq_file *m, struct bufpool *pool)
{
	return bufpool_report_owners(m, pool);
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_owners);

/* Debug mode, and what it caught. */
static int bufpool_debug_print(struct seq_file *m, struct bufpool *pool)
{
	struct bufpool_stats st;

	bufpool_get_stats(pool, &st);
	seq_printf(m, "debug %d\n", !!(READ_ONCE(pool->flags) & BUFPOOL_DEBUG));
	seq_printf(m, "corruptions %llu\n", st.v[BUFPOOL_STAT_CORRUPTIONS]);
	seq_printf(m, "misuses %llu\n", st.v[BUFPOOL_STAT_MISUSES]);
	return 0;
}
BUFPOOL_SHOW_ATTRIBUTE(bufpool_debug);

static ssize_t bufpool_reset_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct dentry *dentry = file_dentry(iocb->ki_filp);
	size_t count = iov_iter_count(from);
	int ret;

	/* An empty write writes nothing: it resets nothing either. */
	if (!count)
		return 0;
	ret = debugfs_file_get(dentry);
	if (ret)
		return ret;
	bufpool_stats_reset(iocb->ki_filp->private_data);
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
	static const struct {
		const char *name;
		umode_t mode;
		const struct file_operations *fops;
	} files[] = {
		{ "stats", 0400, &bufpool_stats_fops },
		{ "percpu", 0400, &bufpool_percpu_fops },
		{ "histogram", 0400, &bufpool_histogram_fops },
		{ "reset", 0200, &bufpool_reset_fops },
		{ "owners", 0400, &bufpool_owners_fops },
		{ "debug", 0400, &bufpool_debug_fops },
	};
	int i;

	pool->dir = debugfs_create_dir(pool->name, bufpool_debugfs_root);
	for (i = 0; i < ARRAY_SIZE(files); i++)
		debugfs_create_file_unsafe(files[i].name, files[i].mode,
					   pool->dir, pool, files[i].fops);
}

/**
 * bufpool_debugfs_remove - remove a pool's debugfs directory
 * @pool: the pool.
 *
 * Waits for readers of its files, so the pool may be freed afterwards.
 *
 * Context: Process context, under bufpool_mutex.
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
