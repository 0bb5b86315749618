// SPDX-License-Identifier: GPL-2.0
/*
 * Debug mode, owner tracking and fault injection.
 *
 * A pool makes some bugs easier to make and harder to find: an overrun
 * lands in the next slice, not in a redzone; a use after free reads
 * another caller's data; one forgotten slice pins a whole chunk. A debug
 * pool lays its chunks out as SLUB does with red zoning and poisoning:
 *
 *   | chunk header | slice header | data | redzone | slice header | ...
 *
 * A slice header records who allocated and who freed the slice. Under
 * generic KASAN everything but live data is poisoned, so that an overrun
 * or a use after free is reported where it happens. Without KASAN, freed
 * data is filled with POISON_FREE and redzones with SLUB_RED_ACTIVE, and
 * both are checked when the chunk is retired and when it is released.
 *
 * A debug pool slices one chunk at a time under a spinlock: it trades the
 * per-CPU fast path for the checks. A pool that is not in debug mode pays
 * one static branch in bufpool_free() and one flag test per allocation.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kasan.h>
#include <linux/jiffies.h>
#include <linux/poison.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "pool.h"
#include "trace.h"

bool bufpool_debug_all;
DEFINE_STATIC_KEY_FALSE(bufpool_debug_key);

#ifdef CONFIG_FAULT_INJECTION
DECLARE_FAULT_ATTR(fail_bufpool);
static struct dentry *fail_bufpool_dir;
#endif

#define BUFPOOL_SLICE_LIVE	0xb0f1a11c
#define BUFPOOL_SLICE_FREE	0xb0f1f4ee
#define BUFPOOL_REDZONE		8	/* at least, after every slice */
#define BUFPOOL_MAX_OWNERS	64

/**
 * struct bufpool_debug_chunk - the header of a debug pool's chunk
 * @node: on the pool's list of live chunks.
 * @used: where the last slice's redzone ends.
 * @retired: no longer the chunk being sliced.
 * @reported: a corruption was reported, which is said once per chunk.
 */
struct bufpool_debug_chunk {
	struct list_head node;
	unsigned int used;
	bool retired;
	bool reported;
};

/**
 * struct bufpool_debug_slice - the header before a debug pool's slice
 * @magic: %BUFPOOL_SLICE_LIVE or %BUFPOOL_SLICE_FREE.
 * @size: the size asked for.
 * @caller: who allocated it.
 * @freer: who freed it, once freed.
 * @when: jiffies when it was allocated.
 */
struct bufpool_debug_slice {
	u32 magic;
	u32 size;
	unsigned long caller;
	unsigned long freer;
	unsigned long when;
};

#ifdef CONFIG_KASAN_GENERIC
/* mm/kasan/kasan.h's shadow values, so that reports name the bug. */
#define BUFPOOL_KASAN_REDZONE	0xfc	/* KASAN_SLAB_REDZONE: out-of-bounds */
#define BUFPOOL_KASAN_FREE	0xfb	/* KASAN_SLAB_FREE: use-after-free */
#define BUFPOOL_KASAN_GRANULE	8

static void bufpool_kasan_poison(const void *addr, size_t size, u8 value)
{
	kasan_poison(addr, round_up(size, BUFPOOL_KASAN_GRANULE), value, false);
}

/* Makes [addr, addr + size) accessible and the rest of its granule not. */
static void bufpool_kasan_unpoison(const void *addr, size_t size)
{
	size_t whole = round_down(size, BUFPOOL_KASAN_GRANULE);

	kasan_poison(addr, whole, 0, false);
	if (size != whole)
		kasan_poison(addr + whole, BUFPOOL_KASAN_GRANULE,
			     size - whole, false);
}
#else
#define BUFPOOL_KASAN_REDZONE	0
#define BUFPOOL_KASAN_FREE	0

static void bufpool_kasan_poison(const void *addr, size_t size, u8 value)
{
}

static void bufpool_kasan_unpoison(const void *addr, size_t size)
{
}
#endif

/**
 * bufpool_debug_get - note that a debug pool exists
 *
 * Context: Process context.
 */
void bufpool_debug_get(void)
{
	static_branch_inc(&bufpool_debug_key);
}

/**
 * bufpool_debug_put - note that a debug pool is gone, with its buffers
 *
 * Context: Process context.
 */
void bufpool_debug_put(void)
{
	static_branch_dec(&bufpool_debug_key);
}

static unsigned int bufpool_chunk_header(const struct bufpool *pool)
{
	return ALIGN(sizeof(struct bufpool_debug_chunk), pool->align);
}

static unsigned int bufpool_slice_header(const struct bufpool *pool)
{
	return ALIGN(sizeof(struct bufpool_debug_slice), pool->align);
}

/* Where the slice after one of @size bytes at @start begins. */
static unsigned int bufpool_slice_next(const struct bufpool *pool,
				       unsigned int start, unsigned int size,
				       unsigned int chunk_size)
{
	return min(ALIGN(start + size + BUFPOOL_REDZONE, pool->align),
		   chunk_size);
}

/**
 * bufpool_debug_too_big - whether a debug pool cannot slice a request
 * @pool: the pool.
 * @size: the request.
 * @pool_size: the size of a new chunk.
 *
 * Headers and redzones take room: a request that would not fit a fresh
 * chunk with them is allocated directly.
 *
 * Context: Any context.
 * Return: true when @pool is a debug pool and @size does not fit.
 */
bool bufpool_debug_too_big(struct bufpool *pool, size_t size,
			   unsigned int pool_size)
{
	unsigned int room;

	if (!bufpool_debug_pool(pool))
		return false;
	room = pool_size - bufpool_chunk_header(pool) -
	       bufpool_slice_header(pool) - BUFPOOL_REDZONE;
	return size > room;
}

static bool bufpool_debug_fits(struct bufpool *pool, struct bufpool_chunk *c,
			       unsigned int size)
{
	unsigned int room = c->size - bufpool_chunk_offset(c);

	return c->page &&
	       room >= bufpool_slice_header(pool) + size + BUFPOOL_REDZONE;
}

/* Lays out a new chunk: header, everything else poisoned. */
static void bufpool_debug_chunk_init(struct bufpool *pool,
				     struct bufpool_chunk *c)
{
	struct bufpool_debug_chunk *ch = c->va;
	unsigned int head = bufpool_chunk_header(pool);

	memset(ch, 0, sizeof(*ch));
	ch->used = head;
	memset(c->va + head, POISON_FREE, c->size - head);
	list_add_tail(&ch->node, &pool->debug.chunks);
	bufpool_kasan_poison(c->va, c->size, BUFPOOL_KASAN_REDZONE);
	bufpool_chunk_advance(c, head, 0);
}

/* Where the data of the slice behind header @sl starts in its chunk. */
static unsigned int bufpool_slice_offset(const struct bufpool *pool,
					 const void *ch,
					 const struct bufpool_debug_slice *sl)
{
	return (const void *)sl - ch + bufpool_slice_header(pool);
}

static void bufpool_debug_corrupt(struct bufpool *pool,
				  struct bufpool_debug_chunk *ch,
				  const u8 *bad, u8 want, const char *where,
				  const struct bufpool_debug_slice *sl)
{
	unsigned int off = bad - (const u8 *)ch;

	ch->reported = true;
	atomic_long_inc(&pool->debug.corruptions);
	if (sl && sl->freer)
		pr_err("pool %s: chunk corrupted: byte %#04x at offset %u where %#04x belongs, in the %s of the %u-byte slice at offset %u, allocated by %pS, freed by %pS\n",
		       pool->name, *bad, off, want, where, sl->size,
		       bufpool_slice_offset(pool, ch, sl), (void *)sl->caller,
		       (void *)sl->freer);
	else if (sl)
		pr_err("pool %s: chunk corrupted: byte %#04x at offset %u where %#04x belongs, in the %s of the %u-byte slice at offset %u, allocated by %pS\n",
		       pool->name, *bad, off, want, where, sl->size,
		       bufpool_slice_offset(pool, ch, sl), (void *)sl->caller);
	else
		pr_err("pool %s: chunk corrupted: byte %#04x at offset %u where %#04x belongs, in %s\n",
		       pool->name, *bad, off, want, where);
}

/*
 * Checks the poison of freed slices and every redzone, and with @final
 * the unused tail too, reporting the first corrupted byte. KASAN must not
 * look: the caller has unpoisoned the chunk or disabled reports.
 */
static void bufpool_debug_check(struct bufpool *pool, void *va,
				unsigned int size, bool final)
{
	unsigned int head = bufpool_slice_header(pool);
	struct bufpool_debug_chunk *ch = va;
	unsigned int off = bufpool_chunk_header(pool);
	const u8 *bad;

	if (ch->reported)
		return;
	while (off < ch->used) {
		struct bufpool_debug_slice *sl = va + off;
		unsigned int start = off + head, end, next;

		if (sl->magic != BUFPOOL_SLICE_LIVE &&
		    sl->magic != BUFPOOL_SLICE_FREE) {
			bufpool_debug_corrupt(pool, ch, va + off, 0,
					      "a slice header", NULL);
			return;
		}
		end = start + sl->size;
		next = bufpool_slice_next(pool, start, sl->size, size);
		if (sl->magic == BUFPOOL_SLICE_FREE) {
			bad = memchr_inv(va + start, POISON_FREE, sl->size);
			if (bad) {
				bufpool_debug_corrupt(pool, ch, bad, POISON_FREE,
						      "poison", sl);
				return;
			}
		}
		bad = memchr_inv(va + end, SLUB_RED_ACTIVE, next - end);
		if (bad) {
			bufpool_debug_corrupt(pool, ch, bad, SLUB_RED_ACTIVE,
					      "redzone", sl);
			return;
		}
		off = next;
	}
	if (final) {
		bad = memchr_inv(va + ch->used, POISON_FREE, size - ch->used);
		if (bad)
			bufpool_debug_corrupt(pool, ch, bad, POISON_FREE,
					      "the unused end of the chunk", NULL);
	}
}

/* Retires the chunk being sliced, checking what was freed of it so far. */
static struct page *bufpool_debug_retire(struct bufpool *pool, bool rollover)
{
	struct bufpool_chunk *c = &pool->debug.cur;
	struct bufpool_debug_chunk *ch = c->va;

	if (rollover) {
		unsigned int left = c->size - bufpool_chunk_offset(c);

		bufpool_count(pool, BUFPOOL_STAT_ABANDONED_BYTES, left);
		trace_bufpool_rollover(pool->name, c->size, left, 0);
	}
	kasan_disable_current();
	ch->retired = true;
	bufpool_debug_check(pool, c->va, c->size, false);
	kasan_enable_current();
	return bufpool_chunk_retire(pool, c);
}

/* A debug chunk's last reference is gone: check it all, then release it. */
static void bufpool_debug_release(struct bufpool *pool, struct page *page)
{
	struct bufpool_debug_chunk *ch = page_address(page);
	unsigned long flags;

	bufpool_kasan_unpoison(ch, page_size(page));
	spin_lock_irqsave(&pool->debug.lock, flags);
	kasan_disable_current();	/* the neighbours' headers */
	list_del(&ch->node);
	kasan_enable_current();
	spin_unlock_irqrestore(&pool->debug.lock, flags);
	bufpool_debug_check(pool, ch, page_size(page), true);
	bufpool_chunk_release(pool, page);
}

/**
 * bufpool_debug_slice - carve a slice in a debug pool
 * @pool: a debug pool.
 * @size: bytes wanted; bufpool_debug_too_big() said they fit.
 * @pool_size: the size of a new chunk.
 * @gfp: allocation flags.
 * @caller: who asked, for the owners file.
 *
 * Context: As bufpool_pool_alloc_unsafe().
 * Return: The slice, or NULL when no chunk could be had.
 */
void *bufpool_debug_slice(struct bufpool *pool, unsigned int size,
			  unsigned int pool_size, gfp_t gfp,
			  unsigned long caller)
{
	struct bufpool_debug *d = &pool->debug;
	struct page *spare = NULL, *old = NULL;
	struct bufpool_debug_chunk *ch;
	struct bufpool_debug_slice *sl;
	unsigned int offset, start, end, next;
	unsigned long flags;
	void *buf;

	spin_lock_irqsave(&d->lock, flags);
	if (!bufpool_debug_fits(pool, &d->cur, size)) {
		spin_unlock_irqrestore(&d->lock, flags);
		spare = bufpool_chunk_alloc(pool, pool_size, gfp);
		if (!spare)
			return NULL;
		spin_lock_irqsave(&d->lock, flags);
		if (!bufpool_debug_fits(pool, &d->cur, size)) {
			kasan_disable_current();
			if (d->cur.page)
				old = bufpool_debug_retire(pool, true);
			bufpool_chunk_install(pool, &d->cur, spare, pool_size);
			bufpool_debug_chunk_init(pool, &d->cur);
			kasan_enable_current();
			spare = NULL;
		}
	}

	ch = d->cur.va;
	offset = bufpool_chunk_offset(&d->cur);
	sl = d->cur.va + offset;
	start = offset + bufpool_slice_header(pool);
	end = start + size;
	next = bufpool_slice_next(pool, start, size, d->cur.size);
	buf = d->cur.va + start;

	kasan_disable_current();
	sl->magic = BUFPOOL_SLICE_LIVE;
	sl->size = size;
	sl->caller = caller;
	sl->freer = 0;
	sl->when = jiffies;
	memset(d->cur.va + end, SLUB_RED_ACTIVE, next - end);
	ch->used = next;
	kasan_enable_current();
	bufpool_kasan_unpoison(buf, size);

	bufpool_count(pool, BUFPOOL_STAT_PADDING_BYTES, next - end);
	bufpool_chunk_advance(&d->cur, next, 1);
	spin_unlock_irqrestore(&d->lock, flags);

	if (old)
		bufpool_debug_release(pool, old);
	if (spare)
		bufpool_chunk_free(spare);
	return buf;
}

static void bufpool_debug_misuse(struct bufpool *pool, const void *buf,
				 unsigned long caller, const char *what,
				 unsigned long first)
{
	/* A pointer with no pool of its own counts on the default pool. */
	atomic_long_inc(&(pool ?: bufpool_default)->debug.misuses);
	if (first)
		pr_err("misuse: %pS freed %p %s, first freed by %pS\n",
		       (void *)caller, buf, what, (void *)first);
	else
		pr_err("misuse: %pS freed %p, %s\n", (void *)caller, buf, what);
	WARN(1, "bufpool: bufpool_free() misuse by %pS\n", (void *)caller);
}

/* A pointer that is not in a chunk: a live direct buffer, or a misuse. */
static bool bufpool_debug_free_direct(struct page *page, const void *buf,
				      unsigned long caller)
{
	struct bufpool_direct hdr;

	/* The header is in the same slab or compound page as the buffer. */
	if (!virt_addr_valid(buf - sizeof(hdr)) ||
	    virt_to_head_page(buf - sizeof(hdr)) != page) {
		bufpool_debug_misuse(NULL, buf, caller,
				     "which bufpool never allocated", 0);
		return true;
	}
	kasan_disable_current();
	memcpy(&hdr, buf - sizeof(hdr), sizeof(hdr));
	kasan_enable_current();
	if (hdr.magic != BUFPOOL_DIRECT_MAGIC) {
		bufpool_debug_misuse(NULL, buf, caller,
				     "which is freed already or which bufpool never allocated",
				     0);
		return true;
	}
	return false;
}

/**
 * bufpool_debug_free - bufpool_free() while any debug pool exists
 * @buf: what bufpool_free() was given, not NULL or %ZERO_SIZE_PTR.
 * @caller: who called bufpool_free().
 *
 * Frees a debug pool's slice, checking it; reports a double free or a
 * pointer bufpool never handed out, and leaves it alone. Anything else
 * is left to bufpool_free().
 *
 * Context: Any context.
 * Return: true when @buf was dealt with here.
 */
bool bufpool_debug_free(const void *buf, unsigned long caller)
{
	struct bufpool_debug_slice *sl;
	struct bufpool_debug_chunk *ch;
	struct bufpool *pool;
	unsigned long flags, first = 0;
	const char *misuse = NULL;
	unsigned int off, head;
	struct page *page;

	if (!virt_addr_valid(buf)) {
		bufpool_debug_misuse(NULL, buf, caller,
				     "which is not in the kernel's direct map: bufpool never allocated it",
				     0);
		return true;
	}
	page = virt_to_head_page(buf);
	pool = bufpool_chunk_owner(page);
	if (!pool)
		return bufpool_debug_free_direct(page, buf, caller);
	if (!(pool->flags & BUFPOOL_DEBUG))
		return false;

	ch = page_address(page);
	off = buf - (void *)ch;
	head = bufpool_slice_header(pool);
	sl = (void *)buf - head;
	spin_lock_irqsave(&pool->debug.lock, flags);
	kasan_disable_current();
	if (off < bufpool_chunk_header(pool) + head || off >= ch->used ||
	    !IS_ALIGNED(off, pool->align)) {
		misuse = "which is inside a chunk but is no slice";
	} else if (sl->magic == BUFPOOL_SLICE_FREE) {
		misuse = "a second time";
		first = sl->freer;
	} else if (sl->magic != BUFPOOL_SLICE_LIVE) {
		misuse = "which is inside a chunk but is no slice";
	} else {
		unsigned int end = off + sl->size;
		unsigned int next = bufpool_slice_next(pool, off, sl->size,
						       page_size(page));
		const u8 *bad = memchr_inv(buf + sl->size, SLUB_RED_ACTIVE,
					   next - end);

		if (bad && !ch->reported)
			bufpool_debug_corrupt(pool, ch, bad, SLUB_RED_ACTIVE,
					      "redzone", sl);
		sl->magic = BUFPOOL_SLICE_FREE;
		sl->freer = caller;
		memset((void *)buf, POISON_FREE, sl->size);
		bufpool_kasan_poison(buf, sl->size, BUFPOOL_KASAN_FREE);
	}
	kasan_enable_current();
	spin_unlock_irqrestore(&pool->debug.lock, flags);
	if (misuse) {
		bufpool_debug_misuse(pool, buf, caller, misuse, first);
		return true;
	}

	trace_bufpool_free(pool->name, caller, buf, true);
	bufpool_count(pool, BUFPOOL_STAT_SLICE_FREES, 1);
	if (page_ref_dec_and_test(page)) {
		bufpool_count(pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE, -1);
		bufpool_debug_release(pool, page);
	}
	return true;
}

/**
 * bufpool_debug_destroy - retire a debug pool's chunk when it is destroyed
 * @pool: the pool, about to be killed; any pool may be passed.
 *
 * Context: Process context.
 */
void bufpool_debug_destroy(struct bufpool *pool)
{
	struct page *page = NULL;
	unsigned long flags;

	if (!bufpool_debug_pool(pool))
		return;
	spin_lock_irqsave(&pool->debug.lock, flags);
	if (pool->debug.cur.page)
		page = bufpool_debug_retire(pool, false);
	spin_unlock_irqrestore(&pool->debug.lock, flags);
	if (page)
		bufpool_debug_release(pool, page);
}

struct bufpool_owner {
	unsigned long caller;
	unsigned long slices;
	unsigned long bytes;
	unsigned long oldest;
	unsigned int retired;
	const void *last_chunk;
};

static struct bufpool_owner *bufpool_owner_of(struct bufpool_owner *owners,
					      unsigned long caller)
{
	int i;

	for (i = 0; i < BUFPOOL_MAX_OWNERS - 1 && owners[i].caller; i++)
		if (owners[i].caller == caller)
			return &owners[i];
	/* The last entry, caller 0, takes everyone that did not fit. */
	if (i < BUFPOOL_MAX_OWNERS - 1) {
		owners[i].caller = caller;
		owners[i].oldest = jiffies;
	}
	return &owners[i];
}

static void bufpool_owners_collect(struct bufpool *pool,
				   struct bufpool_owner *owners)
{
	unsigned int head = bufpool_slice_header(pool);
	struct bufpool_debug_chunk *ch;
	unsigned long flags;

	owners[BUFPOOL_MAX_OWNERS - 1].oldest = jiffies;
	spin_lock_irqsave(&pool->debug.lock, flags);
	kasan_disable_current();
	list_for_each_entry(ch, &pool->debug.chunks, node) {
		unsigned int size = page_size(virt_to_head_page(ch));
		unsigned int off = bufpool_chunk_header(pool);

		while (off < ch->used) {
			struct bufpool_debug_slice *sl = (void *)ch + off;
			struct bufpool_owner *o;

			if (sl->magic != BUFPOOL_SLICE_LIVE &&
			    sl->magic != BUFPOOL_SLICE_FREE)
				break;	/* corrupted: the checks will say so */
			if (sl->magic == BUFPOOL_SLICE_LIVE) {
				o = bufpool_owner_of(owners, sl->caller);
				o->slices++;
				o->bytes += sl->size;
				if (time_before(sl->when, o->oldest))
					o->oldest = sl->when;
				if (ch->retired && o->last_chunk != ch) {
					o->retired++;
					o->last_chunk = ch;
				}
			}
			off = bufpool_slice_next(pool, off + head, sl->size,
						 size);
		}
	}
	kasan_enable_current();
	spin_unlock_irqrestore(&pool->debug.lock, flags);
}

static int bufpool_owner_cmp(const void *a, const void *b)
{
	const struct bufpool_owner *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return 0;
}

/**
 * bufpool_debug_owners_print - the owners file: who pins the pool's memory
 * @m: the file.
 * @pool: the pool.
 *
 * One line per caller with live slices, most bytes first: how many, their
 * bytes, the age of the oldest, and how many retired chunks they pin.
 *
 * Context: Process context.
 */
void bufpool_debug_owners_print(struct seq_file *m, struct bufpool *pool)
{
	struct bufpool_owner *owners;
	int i;

	if (!(pool->flags & BUFPOOL_DEBUG)) {
		seq_puts(m, "# owner tracking is off: load bufpool with debug=1, or create the pool with BUFPOOL_DEBUG\n");
		return;
	}
	owners = kcalloc(BUFPOOL_MAX_OWNERS, sizeof(*owners), GFP_KERNEL);
	if (!owners)
		return;
	bufpool_owners_collect(pool, owners);
	sort(owners, BUFPOOL_MAX_OWNERS, sizeof(*owners), bufpool_owner_cmp,
	     NULL);
	seq_puts(m, "slices bytes oldest_ms retired_pools caller\n");
	for (i = 0; i < BUFPOOL_MAX_OWNERS; i++) {
		struct bufpool_owner *o = &owners[i];

		if (!o->slices)
			continue;
		seq_printf(m, "%lu %lu %u %u ", o->slices, o->bytes,
			   jiffies_to_msecs(jiffies - o->oldest), o->retired);
		if (o->caller)
			seq_printf(m, "%pS\n", (void *)o->caller);
		else
			seq_puts(m, "(other callers)\n");
	}
	kfree(owners);
}

/**
 * bufpool_debug_state_print - the debug file: mode and what it caught
 * @m: the file.
 * @pool: the pool.
 *
 * Context: Process context.
 */
void bufpool_debug_state_print(struct seq_file *m, struct bufpool *pool)
{
	seq_printf(m, "debug %d\n", !!(pool->flags & BUFPOOL_DEBUG));
	seq_printf(m, "corruptions %ld\n",
		   atomic_long_read(&pool->debug.corruptions));
	seq_printf(m, "misuses %ld\n", atomic_long_read(&pool->debug.misuses));
}

/**
 * bufpool_debug_fault_init - create the fail_bufpool fault attribute
 *
 * /sys/kernel/debug/fail_bufpool/ holds the fault-injection framework's
 * knobs, as failslab's do. Every allocation path asks it first.
 *
 * Context: Module init.
 */
void bufpool_debug_fault_init(void)
{
#ifdef CONFIG_FAULT_INJECTION
	/* The message, without the stack dump a splat check would flag. */
	fail_bufpool.verbose = 1;
#endif
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fail_bufpool_dir = fault_create_debugfs_attr("fail_bufpool", NULL,
						     &fail_bufpool);
#endif
}

/**
 * bufpool_debug_fault_exit - remove the fail_bufpool knobs
 *
 * Context: Module exit.
 */
void bufpool_debug_fault_exit(void)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	if (!IS_ERR_OR_NULL(fail_bufpool_dir))
		debugfs_remove_recursive(fail_bufpool_dir);
#endif
}
