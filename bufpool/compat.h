/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API changes bufpool meets after 6.1, the only series tested here.
 * Each is checked at compile time, so that the module keeps building as
 * kernels move; see "Kernel versions" in README.md. The symbol namespace,
 * which clients need too, is BUFPOOL_NS in <linux/bufpool.h>.
 */
#ifndef _BUFPOOL_COMPAT_H
#define _BUFPOOL_COMPAT_H

#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/version.h>

/* 6.10's memory allocation profiling renamed the caller-tracking kmalloc. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define bufpool_kmalloc_caller(size, gfp, caller)			\
	kmalloc_node_track_caller_noprof(size, gfp, NUMA_NO_NODE, caller)
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

#endif /* _BUFPOOL_COMPAT_H */
