// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the bufpool KUnit suites.
 */
#include <kunit/resource.h>
#include <linux/bufpool.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kmsan-checks.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/kmsg_dump.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "util.h"

const char * const bp_stat_names[BUFPOOL_NR_STATS] = {
#define BUFPOOL_STAT(NAME, name, kind, origin)	__stringify(name),
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
};

/* Opens @path as user space sees it, from any kernel thread (compat.h). */
static struct file *bp_open(const char *path, int flags)
{
	struct file *f = ERR_PTR(-ENOENT);

	scoped_with_init_fs()
		f = filp_open(path, flags, 0);
	return f;
}

/* Reads a whole (small) file into @buf, NUL-terminated; or -errno. */
int bp_read_file(const char *path, char *buf, size_t size)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n = 0, total = 0;

	f = bp_open(path, O_RDONLY);
	if (IS_ERR(f))
		return PTR_ERR(f);
	while (total < size - 1) {
		n = kernel_read(f, buf + total, size - 1 - total, &pos);
		if (n <= 0)
			break;
		total += n;
	}
	filp_close(f, NULL);
	buf[total] = '\0';
	/* A read that failed is its error, not the bytes before it. */
	return n < 0 ? n : total;
}

/* Writes @val to a file as a user's write(2) would; returns its result. */
int bp_write_file(const char *path, const char *val)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = bp_open(path, O_WRONLY);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	return n < 0 ? n : 0;
}

/* One statistic of @pool (NULL: the default pool), from the fold. */
struct bp_cross_free {
	struct work_struct work;
	void *buf;
	int cpu;
};

static void bp_cross_free_fn(struct work_struct *work)
{
	struct bp_cross_free *cf = container_of(work, struct bp_cross_free,
						 work);

	cf->cpu = raw_smp_processor_id();
	bufpool_free(cf->buf);
}

/*
 * Frees @buf with bufpool_free() in a work item on an online CPU other
 * than @cpu. Return: the CPU it ran on, or -ENODEV when there is none.
 */
int bp_free_elsewhere(void *buf, int cpu)
{
	struct bp_cross_free cf = { .buf = buf, .cpu = -1 };
	int other = cpumask_any_but(cpu_online_mask, cpu);

	if (other >= nr_cpu_ids)
		return -ENODEV;
	INIT_WORK_ONSTACK(&cf.work, bp_cross_free_fn);
	queue_work_on(other, system_wq, &cf.work);
	flush_work(&cf.work);
	destroy_work_on_stack(&cf.work);
	return cf.cpu;
}

u64 bp_stat(struct bufpool *pool, enum bufpool_stat_item item)
{
	struct bufpool_stats s;

	bufpool_get_stats(pool, &s);
	return s.v[item];
}

/* Sets a bufpool module parameter through sysfs; 0 or -errno. */
int bp_param_set(const char *name, const char *val)
{
	char path[80];

	snprintf(path, sizeof(path), "/sys/module/bufpool/parameters/%s", name);
	return bp_write_file(path, val);
}

unsigned long bp_param_get(struct kunit *test, const char *name)
{
	char path[80], buf[32];
	unsigned long v;

	snprintf(path, sizeof(path), "/sys/module/bufpool/parameters/%s", name);
	KUNIT_ASSERT_GT(test, bp_read_file(path, buf, sizeof(buf)), 0);
	strim(buf);
	if (!strcmp(buf, "Y") || !strcmp(buf, "N"))
		return buf[0] == 'Y';
	KUNIT_ASSERT_EQ(test, kstrtoul(buf, 0, &v), 0);
	return v;
}

/*
 * Whether @len bytes at @buf all hold @c. The cases read what a slice
 * holds before its caller wrote it on purpose (stale, wiped or zeroed
 * bytes), which KMSAN calls uninitialised, as it would a kmalloc()
 * object's: read so, they are initialised from here on.
 */
bool bp_all_bytes(const void *buf, int c, size_t len)
{
	kmsan_unpoison_memory(buf, len);
	return !memchr_inv(buf, c, len);
}

#define PANIC_ON_WARN	"/proc/sys/kernel/panic_on_warn"

static char bp_panic_on_warn[16];

/*
 * Around a report a case expects: markers that tools/testing/verdict.py
 * honours, and panic_on_warn off so that an expected WARN does not panic.
 */
void bp_expect_begin(struct kunit *test)
{
	KUNIT_ASSERT_GT(test, bp_read_file(PANIC_ON_WARN, bp_panic_on_warn,
					   sizeof(bp_panic_on_warn)), 0);
	KUNIT_ASSERT_EQ(test, bp_write_file(PANIC_ON_WARN, "0"), 0);
	pr_info("bufpool-expect-report: begin\n");
}

void bp_expect_end(struct kunit *test)
{
	pr_info("bufpool-expect-report: end\n");
	KUNIT_EXPECT_EQ(test, bp_write_file(PANIC_ON_WARN, bp_panic_on_warn), 0);
}

/* Starts @log at the end of the kernel's log: what is printed next. */
void bp_log_mark(struct bp_log *log)
{
	kmsg_dump_rewind(&log->iter);
	log->iter.cur_seq = log->iter.next_seq;
}

/* The next line of the log after @log's mark, trimmed; false at the end. */
bool bp_log_next(struct bp_log *log, char *line, size_t size)
{
	size_t len;

	if (!kmsg_dump_get_line(&log->iter, false, line, size, &len))
		return false;
	len = min(len, size - 1);
	line[len] = '\0';
	strim(line);
	return true;
}

/*
 * Whether one line of the log since @log's mark holds every string of the
 * NULL-terminated list: a report bufpool printed, with what it must say.
 * The lines read are consumed.
 */
bool bp_log_has(struct bp_log *log, ...)
{
	char line[512];
	va_list ap;

	while (bp_log_next(log, line, sizeof(line))) {
		const char *part;
		bool all = true;

		va_start(ap, log);
		while (all && (part = va_arg(ap, const char *)))
			all = strstr(line, part);
		va_end(ap);
		if (all)
			return true;
	}
	return false;
}

#ifdef CONFIG_KASAN
/*
 * The KASAN reports a case expects: read back from the kernel's log, from
 * where bp_kasan_forget() left it, whatever context printed them. What
 * keeps a report from failing the running case changed in 6.2 (compat.h):
 * a named resource before, a call that says a suite expects reports since.
 */

static struct bp_kasan_report bp_kasan;
static struct bp_log bp_kasan_log;
static bool bp_kasan_multishot;

/* For a suite's init: reports are expected. */
int bp_kasan_watch_start(void)
{
#if BUFPOOL_KASAN_KUNIT_SUITE
	kasan_kunit_test_suite_start();
#endif
	bp_kasan_multishot = kasan_save_enable_multi_shot();
	bp_kasan_forget();
	return 0;
}

void bp_kasan_watch_stop(void)
{
	kasan_restore_multi_shot(bp_kasan_multishot);
#if BUFPOOL_KASAN_KUNIT_SUITE
	kasan_kunit_test_suite_end();
#endif
}

#if !BUFPOOL_KASAN_KUNIT_SUITE
/* mm/kasan/report.c's record of a report, by this name and layout. */
struct kunit_kasan_status {
	bool report_found;
	bool sync_fault;
};

static struct kunit_kasan_status bp_kasan_status;
static struct kunit_resource bp_kasan_resource;
#endif

/* For a case's init. */
void bp_kasan_watch_case(struct kunit *test)
{
	bp_kasan_forget();
#if !BUFPOOL_KASAN_KUNIT_SUITE
	kunit_add_named_resource(test, NULL, NULL, &bp_kasan_resource,
				 "kasan_status", &bp_kasan_status);
#endif
}

/* Forgets the report seen so far, and the log up to now. */
void bp_kasan_forget(void)
{
	bp_log_mark(&bp_kasan_log);
	memset(&bp_kasan, 0, sizeof(bp_kasan));
}

/* The first report the log shows since bp_kasan_forget(): its two lines. */
const struct bp_kasan_report *bp_kasan_report(void)
{
	char line[160];

	while (bp_log_next(&bp_kasan_log, line, sizeof(line))) {
		if (!bp_kasan.found && strstr(line, "BUG: KASAN: ")) {
			strscpy(bp_kasan.title, strstr(line, "BUG: KASAN: "),
				sizeof(bp_kasan.title));
			bp_kasan.found = true;
		} else if (bp_kasan.found && !bp_kasan.access[0] &&
			   strstr(line, " of size ")) {
			strscpy(bp_kasan.access, line, sizeof(bp_kasan.access));
		}
	}
	return &bp_kasan;
}
#endif /* CONFIG_KASAN */

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for bufpool");
MODULE_AUTHOR("The bufpool developers");
MODULE_IMPORT_NS(BUFPOOL_NS);
/* KASAN's calls for its own tests, in 7.3 (compat.h). */
MODULE_IMPORT_NS(BUFPOOL_KUNIT_NS);
