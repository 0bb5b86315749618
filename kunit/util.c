// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the bufpool KUnit suites.
 */
#include <kunit/resource.h>
#include <linux/bufpool.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/kmsg_dump.h>

#include "compat.h"
#include "util.h"

const char * const bp_stat_names[BP_NR_STATS] = {
	"alloc_calls", "alloc_bytes",
	"unsafe_pooled_calls", "unsafe_pooled_bytes",
	"unsafe_direct_calls", "unsafe_direct_bytes",
	"slow_calls", "slow_bytes",
	"from_pooled_calls", "from_pooled_bytes",
	"from_direct_calls", "from_direct_bytes",
	"frees", "failures",
	"pools_created", "pools_released",
	"pools_live", "pool_bytes_live", "retired_pools_live",
	"slices_live", "abandoned_bytes", "padding_bytes",
	"pool_size", "threshold", "align", "zero_fill",
};

/* Opens @path as user space sees it, from any kernel thread (compat.h). */
static struct file *bp_open(const char *path, int flags)
{
	struct file *f = ERR_PTR(-ENOENT);

	scoped_with_init_fs()
		f = filp_open(path, flags, 0);
	return f;
}

/* Reads a whole (small) file into @buf, NUL-terminated. */
int bp_read_file(const char *path, char *buf, size_t size)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n, total = 0;

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
	return total;
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

/* Every counter of /sys/kernel/debug/bufpool/@pool/stats, by name. */
void bp_stats_read(struct kunit *test, const char *pool, struct bp_stats *s)
{
	char path[96], *buf, *line, *cur;
	int i, n;

	buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	snprintf(path, sizeof(path), "/sys/kernel/debug/bufpool/%s/stats", pool);
	n = bp_read_file(path, buf, 4096);
	KUNIT_ASSERT_GT_MSG(test, n, 0, "cannot read %s", path);

	for (i = 0; i < BP_NR_STATS; i++)
		s->v[i] = LONG_MIN;
	cur = buf;
	while ((line = strsep(&cur, "\n")) && *line) {
		char *value = strchr(line, ' ');

		KUNIT_ASSERT_NOT_NULL_MSG(test, value, "bad line \"%s\"", line);
		*value++ = '\0';
		for (i = 0; i < BP_NR_STATS; i++)
			if (!strcmp(line, bp_stat_names[i]))
				KUNIT_ASSERT_EQ(test, kstrtol(value, 10, &s->v[i]), 0);
	}
	for (i = 0; i < BP_NR_STATS; i++)
		KUNIT_ASSERT_NE_MSG(test, s->v[i], LONG_MIN, "%s has no %s line",
				    path, bp_stat_names[i]);
	kunit_kfree(test, buf);
}

long bp_stat(struct kunit *test, const char *pool, enum bp_stat item)
{
	struct bp_stats s;

	bp_stats_read(test, pool, &s);
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

bool bp_all_bytes(const void *buf, int c, size_t len)
{
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

#ifdef CONFIG_KASAN
/*
 * The KASAN reports a case expects: read back from the kernel's log, from
 * where bp_kasan_forget() left it, whatever context printed them. What
 * keeps a report from failing the running case changed in 6.2 (compat.h):
 * a named resource before, a call that says a suite expects reports since.
 */

static struct bp_kasan_report bp_kasan;
static struct kmsg_dump_iter bp_kasan_log;
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
	kmsg_dump_rewind(&bp_kasan_log);
	bp_kasan_log.cur_seq = bp_kasan_log.next_seq;
	memset(&bp_kasan, 0, sizeof(bp_kasan));
}

/* The first report the log shows since bp_kasan_forget(): its two lines. */
const struct bp_kasan_report *bp_kasan_report(void)
{
	char line[160];
	size_t len;

	while (kmsg_dump_get_line(&bp_kasan_log, false, line, sizeof(line), &len)) {
		len = min(len, sizeof(line) - 1);
		line[len] = '\0';
		strim(line);
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
