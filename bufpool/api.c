// SPDX-License-Identifier: GPL-2.0
/*
 * The exported allocation paths, bufpool_free() and the questions a buffer
 * answers. A request takes one of Node's paths:
 *
 *   alloc, allocUnsafeSlow        always direct (direct.c)
 *   allocUnsafe, from             sliced when bufpool_sliced() says so
 *                                 (slice.h, slice.c), direct otherwise
 *
 * bufpool_get() is the fast path: a slice of this CPU's chunk, nothing to
 * zero, no debug mode, no tracing. Everything else is bufpool_get_slow().
 * bufpool_free() looks the buffer's owner up once: a slice's reference goes
 * back to the chunk this CPU slices (slice.h) or to its chunk's count
 * (chunk.h), a direct buffer to kmalloc.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/preempt.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "chunk.h"
#include "debug.h"
#include "direct.h"
#include "slice.h"
#include "trace.h"

/*
 * bufpool_count_call() for @n slices of @size the fast path carved: their
 * size is 1 to 4 MB, whose bucket needs no clamp. Inline, so that one
 * slice's counts are an increment and an add.
 */
static __always_inline void bufpool_count_slices(struct bufpool *pool,
						 enum bufpool_path path,
						 size_t size, unsigned int n)
{
	struct bufpool_cpu_stats __percpu *stats = &pool->pcpu->stats;

	this_cpu_add(stats->hist[path][bufpool_slice_bucket(size)], n);
	this_cpu_add(stats->cnt[BUFPOOL_CNT_BYTES(path)], size * n);
}

/*
 * What a sliced request's @gfp must not name: a zone, which a chunk is not
 * of; nor __GFP_ACCOUNT. A chunk's slices go to many callers, of any
 * memory cgroup, and are not charged one by one: a request to be charged
 * is served directly, charged by kmalloc() as kmalloc() charges it.
 */
#define BUFPOOL_GFP_DIRECT	(GFP_ZONEMASK | __GFP_ACCOUNT)

/*
 * Whether the fast path slices a request for @size with @gfp: sizes 1 to
 * fast_limit, which is 0 where it slices none (a debug or zero-filling
 * pool), nothing bufpool_sliced() sends direct, nothing to zero, tracing
 * off. Anything else is bufpool_get_slow()'s.
 */
static __always_inline bool bufpool_fast_ok(struct bufpool *pool,
					    size_t size, gfp_t gfp)
{
	return likely(size - 1 < READ_ONCE(pool->fast_limit) &&
		      !(gfp & (BUFPOOL_GFP_DIRECT | __GFP_ZERO)) &&
		      !trace_bufpool_alloc_enabled());
}

/*
 * Whether an allocUnsafe or from request is sliced from a chunk of
 * @pool_size: Node's rule (0 < size < threshold), a gfp that names no
 * zone and asks for no memory cgroup charge, and room for a debug pool's
 * header and redzone.
 */
static __always_inline bool bufpool_sliced(struct bufpool *pool, size_t size,
					   gfp_t gfp, unsigned int pool_size)
{
	return size && size < bufpool_threshold(pool, pool_size) &&
	       !(gfp & BUFPOOL_GFP_DIRECT) &&
	       !bufpool_debug_too_big(pool, size, pool_size);
}

/*
 * Nothing bufpool does is safe in NMI context, as nothing kmalloc() does
 * is: an NMI may land in the middle of this CPU's rollover, whose chunk
 * it would carve half changed. Refused, said once.
 */
static noinline void *bufpool_nmi_refused(unsigned long caller)
{
	pr_warn_once("allocation from NMI context by %pS refused\n",
		     (void *)caller);
	return NULL;
}

/* Counts and traces the end of a call on @path. */
static void *bufpool_get_done(struct bufpool *pool, enum bufpool_path path,
			      size_t size, void *buf, gfp_t gfp,
			      unsigned long caller)
{
	bufpool_count_call(pool, path, size, buf);
	trace_bufpool_alloc(pool->name, path, caller, buf, size, gfp);
	return buf;
}

/*
 * No chunk could be had for a request that would have been sliced: it is
 * served directly with the caller's flags, so that it fails only where
 * kmalloc() would, counted in the direct path and in chunk_fallbacks.
 */
static noinline void *bufpool_get_fallback(struct bufpool *pool, size_t size,
					   gfp_t gfp, bool from,
					   unsigned long caller)
{
	enum bufpool_path path = from ? BUFPOOL_PATH_FROM_DIRECT :
					BUFPOOL_PATH_UNSAFE_DIRECT;

	bufpool_count(pool, BUFPOOL_CNT_CHUNK_FALLBACKS, 1);
	/* Fault injection was asked about the call before its slice. */
	return bufpool_direct_alloc_asked(pool, size, gfp, path, caller);
}

/*
 * What the fast path leaves to the end of a call, out of line so that it
 * keeps no register across a call: might_alloc()'s check of the context,
 * for a @gfp that may block (after the carve, which does not); and the
 * kernel's policy, as kmalloc() follows it: a slice may be memory another
 * caller freed, zeroed under init_on_alloc, unless a copy overwrites it.
 */
static noinline void *bufpool_got(void *buf, size_t size, gfp_t gfp,
				  bool from)
{
	might_alloc(gfp);
	if (!from && want_init_on_alloc(gfp))
		memset(buf, 0, size);
	return buf;
}

/* A call of the fast path's that fault injection fails. */
static noinline void *bufpool_get_injected(struct bufpool *pool,
					   enum bufpool_path path, size_t size,
					   gfp_t gfp, unsigned long caller)
{
	might_alloc(gfp);
	return bufpool_get_done(pool, path, size, NULL, gfp, caller);
}

/*
 * allocUnsafe and from, every case: pooled below the threshold, direct
 * otherwise, zeroed if asked, debug pools, bad zones. @asked: the fast
 * path has asked fault injection about this call already, which must be
 * asked once a call, and found that it does not fit this CPU's chunk.
 */
static noinline void *bufpool_get_slow(struct bufpool *pool, size_t size,
				       gfp_t gfp, bool from,
				       unsigned long caller, bool asked)
{
	unsigned int pool_size = READ_ONCE(pool->pool_size);
	bool zero = !from && (want_init_on_alloc(gfp) ||
			      (READ_ONCE(pool->flags) & BUFPOOL_ZERO_FILL));
	enum bufpool_path path;
	void *buf;

	might_alloc(gfp);
	if (likely(bufpool_sliced(pool, size, gfp, pool_size))) {
		path = from ? BUFPOOL_PATH_FROM_POOLED :
			      BUFPOOL_PATH_UNSAFE_POOLED;
		if (unlikely(!asked && bufpool_should_fail(size, gfp)))
			return bufpool_get_done(pool, path, size, NULL, gfp,
						caller);
		/*
		 * Debug mode's hooks see each carve whole; and where the fast
		 * path found the chunk too full, the lock's carve is the one
		 * look again that an interrupt meanwhile calls for.
		 */
		if (asked || bufpool_debug_pool(pool))
			buf = bufpool_slice_locked(pool, size, pool_size, gfp,
						   caller);
		else
			buf = bufpool_slice(pool, size, pool_size, gfp, caller);
		if (unlikely(!buf))
			return bufpool_get_fallback(pool, size,
						    zero ? gfp | __GFP_ZERO : gfp,
						    from, caller);
		if (zero)
			memset(buf, 0, size);
	} else {
		path = from ? BUFPOOL_PATH_FROM_DIRECT :
			      BUFPOOL_PATH_UNSAFE_DIRECT;
		if (zero)
			gfp |= __GFP_ZERO;
		/* Asked by the fast path, when pool_size shrank since. */
		if (asked)
			return bufpool_direct_alloc_asked(pool, size, gfp, path,
							  caller);
		return bufpool_direct_alloc(pool, size, gfp, path, caller);
	}
	return bufpool_get_done(pool, path, size, buf, gfp, caller);
}

/*
 * @caller, or, where it is 0, the return address of the exported function
 * bufpool_get() is inlined into: read only on the ways out that want it,
 * so that the fast path does not load it.
 */
#define bufpool_caller(caller)	((caller) ?: _RET_IP_)

/*
 * allocUnsafe and from: a slice of this CPU's chunk, in a pool without
 * debug mode or zero-filling, tracing off. Anything else, and a request
 * that does not fit the chunk, goes to bufpool_get_slow(), which starts
 * again from the top; each leaves by a tail call, so that the fast path
 * saves no register.
 */
static __always_inline void *bufpool_get(struct bufpool *pool, size_t size,
					 gfp_t gfp, bool from,
					 unsigned long caller)
{
	enum bufpool_path path = from ? BUFPOOL_PATH_FROM_POOLED :
					BUFPOOL_PATH_UNSAFE_POOLED;
	void *buf;

	if (unlikely(in_nmi()))
		return bufpool_nmi_refused(bufpool_caller(caller));
	if (!bufpool_fast_ok(pool, size, gfp))
		return bufpool_get_slow(pool, size, gfp, from,
					bufpool_caller(caller), false);
	if (unlikely(bufpool_should_fail(size, gfp)))
		return bufpool_get_injected(pool, path, size, gfp,
					    bufpool_caller(caller));
	buf = bufpool_slice_fast(pool, size);
	if (unlikely(!buf))
		return bufpool_get_slow(pool, size, gfp, from,
					bufpool_caller(caller), true);
	bufpool_count_slices(pool, path, size, 1);
	if (gfpflags_allow_blocking(gfp) || (!from && want_init_on_alloc(gfp)))
		return bufpool_got(buf, size, gfp, from);
	return buf;
}

/* bufpool_get() for the copies, whose memcpy() outweighs a call. */
static noinline void *bufpool_get_from(struct bufpool *pool, size_t size,
				       gfp_t gfp, unsigned long caller)
{
	return bufpool_get(pool, size, gfp, true, caller);
}

/*
 * alloc and allocUnsafeSlow: always direct, by a tail call from the
 * exported function, which bufpool_direct_alloc() counts and traces; its
 * kmalloc() checks the context as might_alloc() does.
 */
static __always_inline void *bufpool_get_direct(struct bufpool *pool,
						size_t size, gfp_t gfp,
						enum bufpool_path path,
						unsigned long caller)
{
	if (unlikely(in_nmi()))
		return bufpool_nmi_refused(caller);
	return bufpool_direct_alloc(pool, size, gfp, path, caller);
}

static void *bufpool_copy(struct bufpool *pool, const void *src, size_t len,
			  gfp_t gfp, unsigned long caller)
{
	void *buf = bufpool_get_from(pool, len, gfp, caller);

	if (likely(!ZERO_OR_NULL_PTR(buf)))
		memcpy(buf, src, len);
	return buf;
}

static void *bufpool_copy_user(struct bufpool *pool, const void __user *src,
			       size_t len, unsigned long caller)
{
	void *buf = bufpool_get_from(pool, len, GFP_USER | __GFP_NOWARN,
				     caller);

	if (unlikely(!buf))
		return ERR_PTR(-ENOMEM);
	if (len && copy_from_user(buf, src, len)) {
		/*
		 * A call that failed, after all. Its bytes stay counted, as
		 * its free is: an event counts only up, and a reader between
		 * the two would have seen a count that then went down.
		 */
		bufpool_count(pool, BUFPOOL_CNT_FAILURES, 1);
		bufpool_free(buf);
		return ERR_PTR(-EFAULT);
	}
	return buf;
}

/**
 * bufpool_pool_alloc - zeroed buffer from a pool, never sliced (Buffer.alloc)
 * @pool: the pool to count it in.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A zeroed buffer aligned to the pool's alignment, %ZERO_SIZE_PTR
 * when @size is 0, or NULL when memory is short or @size is larger than
 * kmalloc() can give. Free it with bufpool_free().
 */
void *bufpool_pool_alloc(struct bufpool *pool, size_t size, gfp_t gfp)
{
	return bufpool_get_direct(pool, size, gfp | __GFP_ZERO,
				  BUFPOOL_PATH_ALLOC, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_alloc, BUFPOOL_NS);

/**
 * bufpool_pool_alloc_unsafe - uninitialised buffer (Buffer.allocUnsafe)
 * @pool: the pool to slice it from.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * Sliced from the pool when 0 < @size < the pool's threshold and @gfp
 * names no zone; a buffer of its own otherwise. With %__GFP_ACCOUNT it is
 * a buffer of its own too, charged to the caller's memory cgroup as
 * kmalloc() charges it: a chunk is shared by callers of any cgroup. Its
 * bytes are whatever was there before, unless the pool zero-fills.
 *
 * Context: Any context in which kmalloc() with @gfp may be called: hardirq
 * included with %GFP_ATOMIC, but not on PREEMPT_RT, as for kmalloc(). In
 * NMI context, where kmalloc() may not be called, it refuses: NULL.
 * Return: A buffer aligned to the pool's alignment, %ZERO_SIZE_PTR when
 * @size is 0, or NULL when memory is short or @size is larger than
 * kmalloc() can give. Free it with bufpool_free().
 */
void *bufpool_pool_alloc_unsafe(struct bufpool *pool, size_t size, gfp_t gfp)
{
	return bufpool_get(pool, size, gfp, false, 0);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_alloc_unsafe, BUFPOOL_NS);

/**
 * bufpool_pool_alloc_unsafe_slow - uninitialised buffer of its own
 * @pool: the pool to count it in.
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * Buffer.allocUnsafeSlow: never sliced from the pool, so it pins no chunk
 * however long it lives.
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A buffer aligned to the pool's alignment, %ZERO_SIZE_PTR when
 * @size is 0, or NULL when memory is short or @size is larger than
 * kmalloc() can give. Free it with bufpool_free().
 */
void *bufpool_pool_alloc_unsafe_slow(struct bufpool *pool, size_t size,
				     gfp_t gfp)
{
	if (READ_ONCE(pool->flags) & BUFPOOL_ZERO_FILL)
		gfp |= __GFP_ZERO;
	return bufpool_get_direct(pool, size, gfp, BUFPOOL_PATH_SLOW, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_alloc_unsafe_slow, BUFPOOL_NS);

/**
 * bufpool_pool_from - copy of kernel memory (Buffer.from)
 * @pool: the pool to slice it from.
 * @src: the bytes to copy.
 * @len: how many.
 * @gfp: allocation flags, as for kmalloc().
 *
 * Pooled by the same rule as bufpool_pool_alloc_unsafe().
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A buffer holding a copy of @src, %ZERO_SIZE_PTR when @len is 0,
 * or NULL when memory is short. Free it with bufpool_free().
 */
void *bufpool_pool_from(struct bufpool *pool, const void *src, size_t len,
			gfp_t gfp)
{
	return bufpool_copy(pool, src, len, gfp, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_from, BUFPOOL_NS);

/**
 * bufpool_pool_from_user - copy of user memory, as memdup_user()
 * @pool: the pool to slice it from.
 * @src: the user address to copy from.
 * @len: how many bytes.
 *
 * Pooled by the same rule as bufpool_pool_alloc_unsafe(); allocated with
 * %GFP_USER.
 *
 * Context: Process context. May sleep.
 * Return: A buffer holding the copy, %ZERO_SIZE_PTR when @len is 0,
 * ERR_PTR(-ENOMEM) when memory is short or ERR_PTR(-EFAULT) when @src
 * cannot be read. Free it with bufpool_free().
 */
void *bufpool_pool_from_user(struct bufpool *pool, const void __user *src,
			     size_t len)
{
	return bufpool_copy_user(pool, src, len, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_from_user, BUFPOOL_NS);

/**
 * bufpool_alloc - zeroed buffer, never pooled (Buffer.alloc)
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * bufpool_pool_alloc() on the default pool.
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A zeroed, 8-byte aligned buffer, %ZERO_SIZE_PTR when @size is 0,
 * or NULL. Free it with bufpool_free().
 */
void *bufpool_alloc(size_t size, gfp_t gfp)
{
	return bufpool_get_direct(bufpool_default, size, gfp | __GFP_ZERO,
				  BUFPOOL_PATH_ALLOC, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_alloc, BUFPOOL_NS);

/**
 * bufpool_alloc_unsafe - uninitialised buffer (Buffer.allocUnsafe)
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * bufpool_pool_alloc_unsafe() on the default pool: sliced from it when
 * 0 < @size < threshold (pool_size / 2 unless set), direct otherwise.
 *
 * Context: Any context in which kmalloc() with @gfp may be called: hardirq
 * included with %GFP_ATOMIC, but not on PREEMPT_RT, as for kmalloc(). In
 * NMI context, where kmalloc() may not be called, it refuses: NULL.
 * Return: An 8-byte aligned buffer, %ZERO_SIZE_PTR when @size is 0, or
 * NULL. Free it with bufpool_free().
 */
void *bufpool_alloc_unsafe(size_t size, gfp_t gfp)
{
	return bufpool_get(bufpool_default, size, gfp, false, 0);
}
EXPORT_SYMBOL_NS_GPL(bufpool_alloc_unsafe, BUFPOOL_NS);

/**
 * bufpool_alloc_unsafe_slow - uninitialised buffer of its own
 * @size: bytes wanted.
 * @gfp: allocation flags, as for kmalloc().
 *
 * bufpool_pool_alloc_unsafe_slow() on the default pool
 * (Buffer.allocUnsafeSlow).
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: An 8-byte aligned buffer, %ZERO_SIZE_PTR when @size is 0, or
 * NULL. Free it with bufpool_free().
 */
void *bufpool_alloc_unsafe_slow(size_t size, gfp_t gfp)
{
	if (READ_ONCE(bufpool_default->flags) & BUFPOOL_ZERO_FILL)
		gfp |= __GFP_ZERO;
	return bufpool_get_direct(bufpool_default, size, gfp,
				  BUFPOOL_PATH_SLOW, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_alloc_unsafe_slow, BUFPOOL_NS);

/**
 * bufpool_from - copy of kernel memory (Buffer.from)
 * @src: the bytes to copy.
 * @len: how many.
 * @gfp: allocation flags, as for kmalloc().
 *
 * bufpool_pool_from() on the default pool.
 *
 * Context: Any context in which kmalloc() with @gfp may be called.
 * Return: A buffer holding a copy of @src, %ZERO_SIZE_PTR when @len is 0,
 * or NULL. Free it with bufpool_free().
 */
void *bufpool_from(const void *src, size_t len, gfp_t gfp)
{
	return bufpool_copy(bufpool_default, src, len, gfp, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_from, BUFPOOL_NS);

/**
 * bufpool_from_user - copy of user memory, as memdup_user()
 * @src: the user address to copy from.
 * @len: how many bytes.
 *
 * bufpool_pool_from_user() on the default pool.
 *
 * Context: Process context. May sleep.
 * Return: A buffer holding the copy, %ZERO_SIZE_PTR when @len is 0,
 * ERR_PTR(-ENOMEM) or ERR_PTR(-EFAULT). Free it with bufpool_free().
 */
void *bufpool_from_user(const void __user *src, size_t len)
{
	return bufpool_copy_user(bufpool_default, src, len, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_from_user, BUFPOOL_NS);

/*
 * bufpool_free(): a slice goes back to its chunk, a direct buffer to
 * kmalloc. @slow, for bufpool_free_slow(), adds what the fast path leaves
 * out: the tracepoint and debug mode's checks, and @caller, which the fast
 * path reads only where it needs it, for a direct buffer's tracepoint, so
 * that a slice's free does not load it.
 */
static __always_inline void bufpool_do_free(const void *buf,
					    unsigned long caller, bool slow)
{
	struct bufpool *pool;
	struct folio *folio;

	if (unlikely(ZERO_OR_NULL_PTR(buf)))
		return;
	/*
	 * Off the slow path no debug pool exists (bufpool_debug_on()), and
	 * a slice of this CPU's chunk of the default pool, the most common
	 * free, is known by its address alone.
	 */
	if (!slow && bufpool_unslice(bufpool_default, buf, NULL, 1))
		return;
	if (slow && !bufpool_debug_addr_ok(buf, caller))
		return;
	folio = virt_to_folio(buf);
	pool = bufpool_chunk_owner(folio);
	if (!pool) {
		if (slow && !bufpool_debug_direct_ok(folio, buf, caller))
			return;
		bufpool_direct_free(buf, slow ? caller : _RET_IP_);
		return;
	}
	if (slow) {
		if (!bufpool_debug_slice_freed(pool, folio, buf, caller))
			return;
		trace_bufpool_free(pool->name, caller, buf, true);
	}
	/* The default pool's own chunk was asked about above. */
	if ((slow ? !bufpool_debug_pool(pool) : pool != bufpool_default) &&
	    bufpool_unslice(pool, buf, folio, 1))
		return;
	bufpool_count(pool, BUFPOOL_CNT_SLICE_FREES, 1);
	bufpool_chunk_put(pool, folio, 1);
}

static noinline void bufpool_free_slow(const void *buf, unsigned long caller)
{
	bufpool_do_free(buf, caller, true);
}

/**
 * bufpool_free - free a buffer from any bufpool path and pool
 * @buf: the buffer, NULL or %ZERO_SIZE_PTR.
 *
 * A slice goes back to its chunk, which is released with its last slice:
 * kept as a spare of the CPU that sliced it (or of this CPU) or given back
 * to the page allocator. A direct buffer is freed at once. The CPU need not
 * be the one that allocated it.
 *
 * Context: Any context in which kfree() may be called: hardirq included,
 * but not on PREEMPT_RT, as for kfree().
 * Return: Nothing.
 */
void bufpool_free(const void *buf)
{
	/* Traced out of line, so that off it keeps nothing busy here. */
	if (trace_bufpool_free_enabled() || bufpool_debug_on())
		bufpool_free_slow(buf, _RET_IP_);
	else
		bufpool_do_free(buf, 0, false);
}
EXPORT_SYMBOL_NS_GPL(bufpool_free, BUFPOOL_NS);

/*
 * Slices for a bulk call that fit this CPU's chunk, carved at once and
 * counted at once, fault injection asked once for them; where not one
 * fits, the next slice rolls over as the slow path of a call does, asked
 * already. None where the fast path would slice none (bufpool_get()).
 *
 * Return: How many went into @bufs (0: none, and fault injection not
 * asked), or -ENOMEM when the call fails.
 */
static int bufpool_get_many(struct bufpool *pool, size_t size, gfp_t gfp,
			    unsigned int max, void **bufs, unsigned long caller)
{
	int n;

	if (!bufpool_fast_ok(pool, size, gfp))
		return 0;
	if (unlikely(bufpool_should_fail(size, gfp))) {
		bufpool_get_done(pool, BUFPOOL_PATH_UNSAFE_POOLED, size, NULL,
				 gfp, caller);
		return -ENOMEM;
	}
	n = bufpool_slice_many(pool, size, max, bufs);
	if (!n) {
		bufs[0] = bufpool_get_slow(pool, size, gfp, false, caller, true);
		return bufs[0] ? 1 : -ENOMEM;
	}
	bufpool_count_slices(pool, BUFPOOL_PATH_UNSAFE_POOLED, size, n);
	/* They lie one after the other: one memset, padding and all. */
	if (want_init_on_alloc(gfp))
		memset(bufs[0], 0, bufs[n - 1] - bufs[0] + size);
	return n;
}

/*
 * Frees @bufs[0] and the slices of the same chunk that follow it in
 * @bufs, at once: one compare-and-exchange of this CPU's position, or one
 * atomic of the chunk's count. Not with a debug pool about.
 *
 * Return: How many it freed, at least one.
 */
static size_t bufpool_free_run(void **bufs, size_t nr, unsigned long caller)
{
	const void *buf = bufs[0];
	unsigned long base, size;
	struct bufpool *pool;
	struct folio *folio;
	unsigned int n;

	if (unlikely(ZERO_OR_NULL_PTR(buf)))
		return 1;
	folio = virt_to_folio(buf);
	pool = bufpool_chunk_owner(folio);
	if (!pool) {
		bufpool_direct_free(buf, caller);
		return 1;
	}
	base = (unsigned long)folio_address(folio);
	size = folio_size(folio);
	/* NULL and ZERO_SIZE_PTR lie in no chunk and end a run too. */
	for (n = 1; n < nr && n < UINT_MAX; n++)
		if ((unsigned long)bufs[n] - base >= size)
			break;
	if (!bufpool_unslice(pool, buf, folio, n)) {
		bufpool_count(pool, BUFPOOL_CNT_SLICE_FREES, n);
		bufpool_chunk_put(pool, folio, n);
	}
	return n;
}

static void bufpool_free_many(size_t nr, void **bufs, unsigned long caller)
{
	size_t i;

	if (trace_bufpool_free_enabled() || bufpool_debug_on()) {
		for (i = 0; i < nr; i++)
			bufpool_free_slow(bufs[i], caller);
		return;
	}
	for (i = 0; i < nr; )
		i += bufpool_free_run(bufs + i, nr - i, caller);
}

/*
 * @nr calls of bufpool_get() for allocUnsafe, all or none: what fits this
 * CPU's chunk is carved at once, and a slice that does not fit rolls over
 * as one call does.
 */
static size_t bufpool_get_bulk(struct bufpool *pool, size_t size, gfp_t gfp,
			       size_t nr, void **bufs, unsigned long caller)
{
	size_t i = 0;
	int n;

	if (unlikely(in_nmi())) {
		bufpool_nmi_refused(caller);
		return 0;
	}
	might_alloc(gfp);
	while (i < nr) {
		n = bufpool_get_many(pool, size, gfp,
				     min_t(size_t, nr - i, UINT_MAX), bufs + i,
				     caller);
		if (unlikely(n < 0))
			goto fail;
		if (n) {
			i += n;
			continue;
		}
		bufs[i] = bufpool_get(pool, size, gfp, false, caller);
		if (unlikely(!bufs[i]))
			goto fail;
		i++;
	}
	return nr;

fail:
	bufpool_free_many(i, bufs, caller);
	return 0;
}

/**
 * bufpool_pool_alloc_bulk - uninitialised buffers of one size, at once
 * @pool: the pool to slice them from.
 * @size: bytes each.
 * @gfp: allocation flags, as for kmalloc().
 * @nr: how many.
 * @bufs: where their addresses go, @nr of them.
 *
 * As @nr calls of bufpool_pool_alloc_unsafe(), all or none, as
 * kmem_cache_alloc_bulk() is: the slices that fit this CPU's chunk are
 * carved with one compare-and-exchange and counted once, and a rollover
 * takes one more chunk, from which the rest is carved at once again. Free
 * them with bufpool_free_bulk() or one at a time with bufpool_free(). When
 * one fails, those the call had are freed: the statistics count them as
 * calls that succeeded and as frees, and the one that failed as a failure.
 *
 * Context: As bufpool_pool_alloc_unsafe().
 * Return: @nr, with @bufs filled in; or 0, with nothing allocated and
 * @bufs undefined, when memory is short, in NMI context, or @size is
 * larger than kmalloc() can give. Each of them is as
 * bufpool_pool_alloc_unsafe() returns it: %ZERO_SIZE_PTR for a @size of 0.
 */
size_t bufpool_pool_alloc_bulk(struct bufpool *pool, size_t size, gfp_t gfp,
			       size_t nr, void **bufs)
{
	return bufpool_get_bulk(pool, size, gfp, nr, bufs, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_pool_alloc_bulk, BUFPOOL_NS);

/**
 * bufpool_alloc_bulk - uninitialised buffers of one size from the default pool
 * @size: bytes each.
 * @gfp: allocation flags, as for kmalloc().
 * @nr: how many.
 * @bufs: where their addresses go, @nr of them.
 *
 * bufpool_pool_alloc_bulk() of the default pool.
 *
 * Context: As bufpool_alloc_unsafe().
 * Return: @nr, with @bufs filled in; or 0, with nothing allocated.
 */
size_t bufpool_alloc_bulk(size_t size, gfp_t gfp, size_t nr, void **bufs)
{
	return bufpool_get_bulk(bufpool_default, size, gfp, nr, bufs, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_alloc_bulk, BUFPOOL_NS);

/**
 * bufpool_free_bulk - free buffers from any bufpool path and pool, at once
 * @nr: how many.
 * @bufs: the buffers, each as bufpool_free() takes it: NULL and
 *	%ZERO_SIZE_PTR are passed over.
 *
 * As bufpool_free() of each, as kmem_cache_free_bulk() is: a run of slices
 * of one chunk, as bufpool_alloc_bulk() gives them, goes back to it with
 * one compare-and-exchange or one atomic.
 *
 * Context: As bufpool_free().
 * Return: Nothing.
 */
void bufpool_free_bulk(size_t nr, void **bufs)
{
	bufpool_free_many(nr, bufs, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(bufpool_free_bulk, BUFPOOL_NS);

/**
 * bufpool_backing_size - size of the memory behind a buffer
 * @buf: a buffer from bufpool.
 *
 * Node's buf.buffer.byteLength.
 *
 * Context: Any context.
 * Return: The chunk size (pool_size when it was created) for a pooled
 * buffer, the buffer's own size for a direct one, 0 for NULL or
 * %ZERO_SIZE_PTR.
 */
size_t bufpool_backing_size(const void *buf)
{
	if (ZERO_OR_NULL_PTR(buf))
		return 0;
	if (bufpool_is_slice(buf))
		return folio_size(virt_to_folio(buf));
	return bufpool_direct_hdr(buf)->size;
}
EXPORT_SYMBOL_NS_GPL(bufpool_backing_size, BUFPOOL_NS);

/**
 * bufpool_offset - where a buffer starts inside its pool chunk
 * @buf: a buffer from bufpool.
 *
 * Node's buf.byteOffset.
 *
 * Context: Any context.
 * Return: The offset in the chunk for a pooled buffer, 0 otherwise.
 */
size_t bufpool_offset(const void *buf)
{
	return bufpool_slice_offset(buf);
}
EXPORT_SYMBOL_NS_GPL(bufpool_offset, BUFPOOL_NS);

/**
 * bufpool_is_pooled - whether a buffer was sliced from a pool chunk
 * @buf: a buffer from bufpool.
 *
 * Context: Any context.
 * Return: true for a slice, false for a direct buffer, NULL or
 * %ZERO_SIZE_PTR.
 */
bool bufpool_is_pooled(const void *buf)
{
	return bufpool_is_slice(buf);
}
EXPORT_SYMBOL_NS_GPL(bufpool_is_pooled, BUFPOOL_NS);
