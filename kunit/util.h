/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the bufpool KUnit suites. They reach bufpool the way a
 * user does: module parameters through sysfs, statistics through debugfs.
 */
#ifndef _BUFPOOL_KUNIT_UTIL_H
#define _BUFPOOL_KUNIT_UTIL_H

#include <kunit/test.h>

/* The counters of a stats file that the suites look at, by name. */
enum bp_stat {
	BP_ALLOC_CALLS, BP_ALLOC_BYTES,
	BP_UNSAFE_POOLED_CALLS, BP_UNSAFE_POOLED_BYTES,
	BP_UNSAFE_DIRECT_CALLS, BP_UNSAFE_DIRECT_BYTES,
	BP_SLOW_CALLS, BP_SLOW_BYTES,
	BP_FROM_POOLED_CALLS, BP_FROM_POOLED_BYTES,
	BP_FROM_DIRECT_CALLS, BP_FROM_DIRECT_BYTES,
	BP_FREES, BP_FAILURES,
	BP_POOLS_CREATED, BP_POOLS_RELEASED,
	BP_POOLS_LIVE, BP_POOL_BYTES_LIVE, BP_RETIRED_POOLS_LIVE,
	BP_SLICES_LIVE, BP_ABANDONED_BYTES, BP_PADDING_BYTES,
	BP_POOL_SIZE, BP_THRESHOLD, BP_ALIGN, BP_ZERO_FILL,
	BP_NR_STATS,
};

extern const char * const bp_stat_names[BP_NR_STATS];

struct bp_stats {
	long v[BP_NR_STATS];
};

int bp_read_file(const char *path, char *buf, size_t size);
int bp_write_file(const char *path, const char *val);
void bp_stats_read(struct kunit *test, const char *pool, struct bp_stats *s);
long bp_stat(struct kunit *test, const char *pool, enum bp_stat item);
int bp_param_set(const char *name, const char *val);
unsigned long bp_param_get(struct kunit *test, const char *name);
bool bp_all_bytes(const void *buf, int c, size_t len);
void bp_expect_begin(struct kunit *test);

void bp_expect_end(struct kunit *test);

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
