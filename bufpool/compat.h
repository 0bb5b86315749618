/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API changes bufpool meets from 6.1 to the newest kernel it
 * is tested on (6.1, 6.12 and 7.3: see "Kernel versions" in README.md),
 * each named by the release that made it. The code is written against the
 * newest API; where an older kernel lacks it, it is provided here from
 * the older one. The one difference outside this file is BUFPOOL_NS in
 * <linux/bufpool.h>, the symbol namespace, which clients need too.
 */
#ifndef _BUFPOOL_COMPAT_H
#define _BUFPOOL_COMPAT_H

#include <linux/atomic.h>
#include <linux/fs_struct.h>
#include <linux/hrtimer.h>
#include <linux/mmzone.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/version.h>

/*
 * 6.10: memory allocation profiling. The caller-tracking kmalloc became
 * kmalloc_node_track_caller_noprof(), which carries no allocation tag of
 * its own: alloc_hooks() tags it with this call site, as the kernel's own
 * wrappers do (an untagged allocation WARNs under
 * CONFIG_MEM_ALLOC_PROFILING_DEBUG).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define bufpool_kmalloc_caller(size, gfp, caller)			\
	alloc_hooks(kmalloc_node_track_caller_noprof(size, gfp, NUMA_NO_NODE, caller))
#else
#define bufpool_kmalloc_caller(size, gfp, caller)			\
	__kmalloc_node_track_caller(size, gfp, NUMA_NO_NODE, caller)
#endif

/*
 * The largest order the page allocator hands out: MAX_ORDER - 1 until 6.4
 * made MAX_ORDER inclusive, which 6.8 renamed MAX_PAGE_ORDER.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define BUFPOOL_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define BUFPOOL_MAX_PAGE_ORDER	MAX_ORDER
#else
#define BUFPOOL_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/*
 * 6.10: __assign_str() in a TRACE_EVENT takes the field alone, the source
 * being the one its __string() names. Every bufpool event has one string,
 * its pool's name: a field "pool" copied from the argument "pool".
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define bufpool_assign_pool()	__assign_str(pool)
#else
#define bufpool_assign_pool()	__assign_str(pool, pool)
#endif

/*
 * 6.13: hrtimer_setup() initialises a timer and its callback in one call;
 * 7.0 removed hrtimer_init().
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/* 6.16: from_timer() became timer_container_of(); 7.3 has only the latter. */
#ifndef timer_container_of
#define timer_container_of(var, callback_timer, timer_fieldname)	\
	container_of(callback_timer, typeof(*(var)), timer_fieldname)
#endif

/*
 * By 7.3 (after 6.12): kzalloc_obj() allocates one zeroed object of its
 * argument's type, as the newest checkpatch asks for over kzalloc(sizeof).
 */
#ifndef kzalloc_obj
#define kzalloc_obj(P, gfp)	kzalloc(sizeof(P), gfp)
#endif

/*
 * 6.7: a shrinker is allocated by the kernel (shrinker_alloc()), then
 * registered and freed; before, it was the caller's struct, registered by
 * name. The calls below are the new ones, over either.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline struct shrinker *
bufpool_shrinker_alloc(unsigned int flags, const char *name)
{
	return shrinker_alloc(flags, "%s", name);
}

static inline int bufpool_shrinker_register(struct shrinker *s,
					    const char *name)
{
	shrinker_register(s);
	return 0;
}

static inline void bufpool_shrinker_free(struct shrinker *s)
{
	shrinker_free(s);
}
#else
static inline struct shrinker *
bufpool_shrinker_alloc(unsigned int flags, const char *name)
{
	struct shrinker *s = kzalloc_obj(struct shrinker, GFP_KERNEL);

	if (s)
		s->flags = flags;
	return s;
}

static inline int bufpool_shrinker_register(struct shrinker *s,
					    const char *name)
{
	return register_shrinker(s, "%s", name);
}

/* Unregistering one never registered is a no-op. */
static inline void bufpool_shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	unregister_shrinker(s);
	kfree(s);
}
#endif

/*
 * By 7.3 (nullfs became the root of the VFS in 7.0), kernel threads, a
 * KUnit case's among them, resolve paths from nullfs, where nothing is:
 * scoped_with_init_fs() lends them the user space init's root for the
 * statement or block after it. Before, they shared init's root anyway.
 */
#ifndef scoped_with_init_fs
#define scoped_with_init_fs()
#endif

/*
 * 6.2: a KASAN report fails the running KUnit case unless
 * kasan_kunit_test_suite_start() says its suite expects reports (KASAN's
 * own suite then reads them off the console tracepoint); before, it went
 * into the case's "kasan_status" resource instead, when it had one. By
 * 7.3 the calls are exported in the namespace EXPORTED_FOR_KUNIT_TESTING
 * (strings from 6.13), which importing costs nothing where they are not.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define BUFPOOL_KASAN_KUNIT_SUITE	1
#else
#define BUFPOOL_KASAN_KUNIT_SUITE	0
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define BUFPOOL_KUNIT_NS	"EXPORTED_FOR_KUNIT_TESTING"
#else
#define BUFPOOL_KUNIT_NS	EXPORTED_FOR_KUNIT_TESTING
#endif

/*
 * 6.4: try_cmpxchg64_local(), which says whether the exchange happened
 * and, where it did not, what it found, in one compare-and-exchange (on
 * x86 from 6.10 its flags, with no compare after it). Before, from
 * cmpxchg64_local(), as the kernel's generic fallback has it.
 */
#ifndef try_cmpxchg64_local
static __always_inline bool bufpool_try_cmpxchg64_local(u64 *ptr, u64 *oldp,
							u64 new)
{
	u64 old = *oldp, cur = cmpxchg64_local(ptr, old, new);

	if (unlikely(cur != old))
		*oldp = cur;
	return likely(cur == old);
}

#define try_cmpxchg64_local(ptr, oldp, new)	\
	bufpool_try_cmpxchg64_local(ptr, oldp, new)
#endif

#endif /* _BUFPOOL_COMPAT_H */
