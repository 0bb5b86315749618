/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the bufpool KUnit suites. They reach bufpool the way a
 * user does: module parameters through sysfs, statistics through
 * bufpool_get_stats() (and, in the stats suite, debugfs).
 */
#ifndef _BUFPOOL_KUNIT_UTIL_H
#define _BUFPOOL_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/kmsg_dump.h>

/* The names of the statistics, from the table, for messages. */
extern const char * const bp_stat_names[BUFPOOL_NR_STATS];

int bp_read_file(const char *path, char *buf, size_t size);
int bp_write_file(const char *path, const char *val);
u64 bp_stat(struct bufpool *pool, enum bufpool_stat_item item);
int bp_free_elsewhere(void *buf, int cpu);

/* How much statistic BUFPOOL_STAT_@item moved from @before to @after. */
#define BP_DELTA(after, before, item) \
	((after).v[BUFPOOL_STAT_##item] - (before).v[BUFPOOL_STAT_##item])
int bp_param_set(const char *name, const char *val);
unsigned long bp_param_get(struct kunit *test, const char *name);
bool bp_all_bytes(const void *buf, int c, size_t len);
void bp_expect_begin(struct kunit *test);

void bp_expect_end(struct kunit *test);

/* The kernel's log, from a mark on. */
struct bp_log {
	struct kmsg_dump_iter iter;
};

void bp_log_mark(struct bp_log *log);
bool bp_log_next(struct bp_log *log, char *line, size_t size);
bool bp_log_has(struct bp_log *log, ...);

#ifdef CONFIG_KASAN
/* The KASAN report a case expects, as the kernel's log shows it. */
struct bp_kasan_report {
	bool found;
	char title[128];	/* "BUG: KASAN: <kind> in <function>..." */
	char access[128];	/* "<Read|Write> of size N at addr <address>..." */
};

/* Exported by mm/kasan for KASAN's own tests; declared in its private header. */
bool kasan_save_enable_multi_shot(void);
void kasan_restore_multi_shot(bool enabled);
void kasan_kunit_test_suite_start(void);
void kasan_kunit_test_suite_end(void);

int bp_kasan_watch_start(void);
void bp_kasan_watch_stop(void);
void bp_kasan_watch_case(struct kunit *test);
void bp_kasan_forget(void);
const struct bp_kasan_report *bp_kasan_report(void);
#endif

#endif /* _BUFPOOL_KUNIT_UTIL_H */
