/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bufpool - the Node.js Buffer pool for driver code.
 *
 * Small buffers are sliced front to back out of a page-backed pool chunk
 * (8 KB by default, or one page where pages are larger); when a request
 * does not fit, a fresh chunk starts and the old one lives until its last
 * slice is freed. Four ways to get a buffer, named after Node's:
 *
 *   bufpool_alloc()             Buffer.alloc()           zeroed, never pooled
 *   bufpool_alloc_unsafe()      Buffer.allocUnsafe()     pooled below threshold
 *   bufpool_alloc_unsafe_slow() Buffer.allocUnsafeSlow() never pooled
 *   bufpool_from()              Buffer.from(array)       a copy, pooled below
 *                                                        threshold
 *
 * Every buffer, from any path and any pool, is freed with bufpool_free().
 * bufpool_alloc_bulk() and bufpool_free_bulk() take and give back many at
 * once, as kmem_cache_alloc_bulk() and kmem_cache_free_bulk() do.
 * The functions without a pool argument use the default pool, whose
 * settings are the module parameters pool_size, threshold and zero_fill.
 * A driver that wants its own size, alignment or statistics creates a
 * named pool with bufpool_create() and uses the bufpool_pool_*() variants.
 *
 * A slice's page may be handed to code that takes its own references to
 * it (get_page(): an skb fragment, a bio_vec): the page and its bytes stay
 * as they are until the last reference is dropped, the slice freed or
 * not, and that put_page() gives it back. The page must not be mapped to
 * user space (other slices share it), nor its ->private, ->index or
 * ->lru used: they are bufpool's. In a debug pool, bufpool_free()
 * poisons the slice at once. From NMI context every allocation returns
 * NULL.
 *
 * Clients add MODULE_IMPORT_NS(BUFPOOL_NS), which builds on every kernel:
 * namespaces are identifiers before 6.13 and strings from it on.
 */
#ifndef _LINUX_BUFPOOL_H
#define _LINUX_BUFPOOL_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/version.h>
#include <asm/page.h>

/* The symbol namespace of bufpool's exports. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define BUFPOOL_NS	"BUFPOOL"
#else
#define BUFPOOL_NS	BUFPOOL
#endif

struct bufpool;

/* Named pool flags. */
#define BUFPOOL_ZERO_FILL	BIT(0)	/* the unsafe paths return zeroed memory */
#define BUFPOOL_DEBUG		BIT(1)	/* redzones, poison, owner tracking, misuse checks */

/*
 * The default chunk: 8 KB, Node's Buffer.poolSize, or one page where pages
 * are larger (arm64 with 16 or 64 KB pages), as a chunk is whole pages.
 */
#define BUFPOOL_DEFAULT_POOL_SIZE	\
	((unsigned int)(PAGE_SIZE > 8192 ? PAGE_SIZE : 8192))
#define BUFPOOL_DEFAULT_ALIGN		8
#define BUFPOOL_NAME_MAX		32	/* including the terminating NUL */

/**
 * struct bufpool_params - the shape of a named pool
 * @pool_size: bytes in each pool chunk: a power of two from PAGE_SIZE to
 *	the largest block the page allocator gives (4 MB on x86_64).
 *	0 means %BUFPOOL_DEFAULT_POOL_SIZE.
 * @threshold: requests of 1 to @threshold - 1 bytes are sliced from the
 *	pool, larger ones are allocated directly. 0 means @pool_size / 2,
 *	Node's rule; at most @pool_size + 1 (which pools everything that fits).
 * @align: alignment of every buffer: a power of two from 8 to PAGE_SIZE.
 *	0 means %BUFPOOL_DEFAULT_ALIGN.
 * @flags: %BUFPOOL_ZERO_FILL, %BUFPOOL_DEBUG, or 0.
 */
struct bufpool_params {
	unsigned int pool_size;
	unsigned int threshold;
	unsigned int align;
	unsigned int flags;
};

/* A pool's statistics (linux/bufpool_stats.h), e.g. BUFPOOL_STAT_POOLS_LIVE. */
enum bufpool_stat_item {
#define BUFPOOL_STAT(NAME, name, kind, origin)	BUFPOOL_STAT_##NAME,
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
	BUFPOOL_NR_STATS
};

/**
 * struct bufpool_stats - a pool's statistics, as its stats file shows them
 * @v: each statistic, indexed by enum bufpool_stat_item.
 */
struct bufpool_stats {
	u64 v[BUFPOOL_NR_STATS];
};

/* The default pool. */
void *bufpool_alloc(size_t size, gfp_t gfp);
void *bufpool_alloc_unsafe(size_t size, gfp_t gfp);
void *bufpool_alloc_unsafe_slow(size_t size, gfp_t gfp);
void *bufpool_from(const void *src, size_t len, gfp_t gfp);
void *bufpool_from_user(const void __user *src, size_t len);
size_t bufpool_alloc_bulk(size_t size, gfp_t gfp, size_t nr, void **bufs);

/* Named pools. */
struct bufpool *bufpool_create(const char *name,
			       const struct bufpool_params *params);
void bufpool_destroy(struct bufpool *pool);
void *bufpool_pool_alloc(struct bufpool *pool, size_t size, gfp_t gfp);
void *bufpool_pool_alloc_unsafe(struct bufpool *pool, size_t size, gfp_t gfp);
void *bufpool_pool_alloc_unsafe_slow(struct bufpool *pool, size_t size,
				     gfp_t gfp);
void *bufpool_pool_from(struct bufpool *pool, const void *src, size_t len,
			gfp_t gfp);
void *bufpool_pool_from_user(struct bufpool *pool, const void __user *src,
			     size_t len);
size_t bufpool_pool_alloc_bulk(struct bufpool *pool, size_t size, gfp_t gfp,
			       size_t nr, void **bufs);

/* Any buffer, from any path and any pool. */
void bufpool_free(const void *buf);
void bufpool_free_bulk(size_t nr, void **bufs);
size_t bufpool_backing_size(const void *buf);
size_t bufpool_offset(const void *buf);
bool bufpool_is_pooled(const void *buf);

/* Statistics of a named pool, or of the default one for NULL. */
void bufpool_get_stats(struct bufpool *pool, struct bufpool_stats *stats);

#endif /* _LINUX_BUFPOOL_H */
