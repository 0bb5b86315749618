// SPDX-License-Identifier: GPL-2.0
/*
 * Debug mode's checks, and fault injection.
 *
 * A pool makes some bugs easier to make and harder to find: an overrun
 * lands in the next slice, not in a redzone; a use after free reads
 * another caller's data; one forgotten slice pins a whole chunk. A debug
 * pool's slices carry a header (who allocated and who freed each) and a
 * redzone (debug.h). Under generic KASAN everything but live data is
 * poisoned, so that an overrun or a use after free is reported where it
 * happens. Without KASAN, freed data is filled with POISON_FREE and
 * redzones with SLUB_RED_ACTIVE, and both are checked when the chunk is
 * retired and when it is released. What is found goes to report.c.
 *
 * The hooks run at the transitions of chunk.c and slice.c: a chunk
 * started, a slice carved, a slice freed, a chunk retired, a chunk
 * released. A slice's header changes, and the walks over them, hold the
 * pool's debug lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kasan.h>
#include <linux/jiffies.h>
#include <linux/poison.h>

#include "debug.h"
#include "direct.h"
#include "report.h"

bool bufpool_debug_all;
DEFINE_STATIC_KEY_FALSE(bufpool_debug_key);

#ifdef CONFIG_FAULT_INJECTION
DECLARE_FAULT_ATTR(fail_bufpool);
static struct dentry *fail_bufpool_dir;
#endif

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

/**
 * __bufpool_debug_chunk_started - lay out a debug pool's chunk
 * @pool: a debug pool.
 * @c: the slicing state the chunk just started in.
 *
 * The header, then everything poisoned; the first slice after the header.
 *
 * Context: Under this CPU's lock of @pool.
 */
void __bufpool_debug_chunk_started(struct bufpool *pool,
				   struct bufpool_chunk *c)
{
	unsigned int head = bufpool_debug_chunk_header(pool);
	struct bufpool_debug_chunk *ch = c->va;
	unsigned long flags;

	kasan_disable_current();	/* a spare's or a recycled chunk's */
	ch->magic = BUFPOOL_CHUNK_MAGIC;
	ch->used = head;
	ch->flags = 0;
	memset(c->va + head, POISON_FREE, c->size - head);
	kasan_enable_current();
	bufpool_kasan_poison(c->va, c->size, BUFPOOL_KASAN_REDZONE);
	spin_lock_irqsave(&pool->debug.lock, flags);
	list_add_tail(&c->page->lru, &pool->debug.chunks);
	spin_unlock_irqrestore(&pool->debug.lock, flags);
	bufpool_chunk_skip(c, head);
}

/**
 * __bufpool_debug_slice_carved - fill in a debug pool's slice
 * @pool: a debug pool.
 * @c: the slicing state it was carved from.
 * @start: where the carve starts: the slice's header.
 * @size: the size asked for.
 * @caller: who asked.
 *
 * Context: Under this CPU's lock of @pool, right after the carve.
 * Return: The slice's data, after its header.
 */
void *__bufpool_debug_slice_carved(struct bufpool *pool,
				   struct bufpool_chunk *c, void *start,
				   unsigned int size, unsigned long caller)
{
	struct bufpool_debug_chunk *ch = c->va;
	struct bufpool_debug_slice *sl = start;
	void *buf = start + bufpool_debug_slice_header(pool);
	unsigned int next = bufpool_chunk_offset(c);
	unsigned long flags;

	spin_lock_irqsave(&pool->debug.lock, flags);
	kasan_disable_current();
	sl->magic = BUFPOOL_SLICE_LIVE;
	sl->size = size;
	sl->caller = caller;
	sl->freer = 0;
	sl->when = jiffies;
	memset(buf + size, SLUB_RED_ACTIVE, c->va + next - (buf + size));
	ch->used = next;
	kasan_enable_current();
	spin_unlock_irqrestore(&pool->debug.lock, flags);
	bufpool_kasan_unpoison(buf, size);
	return buf;
}

/*
 * Checks the poison of freed slices and every redzone of the chunk at @va,
 * and with @final the unused tail too, reporting the first corrupted byte.
 * KASAN must not look: the caller has unpoisoned the chunk or disabled
 * reports.
 */
static void bufpool_debug_check(struct bufpool *pool, void *va,
				unsigned int size, bool final)
{
	unsigned int head = bufpool_debug_slice_header(pool);
	unsigned int off = bufpool_debug_chunk_header(pool);
	struct bufpool_debug_chunk *ch = va;
	const u8 *bad;

	/* Its flags say nothing before the header is known good. */
	if (!bufpool_debug_chunk_ok(pool, ch, size)) {
		bufpool_report_bad_chunk(pool, ch, size);
		return;
	}
	if (bufpool_debug_reported(ch))
		return;
	while (off < ch->used) {
		struct bufpool_debug_slice *sl = va + off;
		unsigned int start = off + head, end, next;

		if (sl->magic != BUFPOOL_SLICE_LIVE &&
		    sl->magic != BUFPOOL_SLICE_FREE) {
			bufpool_report_corruption(pool, ch, va + off, 0,
						  "a slice header", NULL);
			return;
		}
		if (!bufpool_debug_size_ok(sl, start, ch->used)) {
			bufpool_report_bad_size(pool, ch, sl, off);
			return;
		}
		end = start + sl->size;
		next = bufpool_debug_slice_next(pool, start, sl->size, size);
		if (sl->magic == BUFPOOL_SLICE_FREE) {
			bad = memchr_inv(va + start, POISON_FREE, sl->size);
			if (bad) {
				bufpool_report_corruption(pool, ch, bad,
							  POISON_FREE,
							  "poison", sl);
				return;
			}
		}
		bad = memchr_inv(va + end, SLUB_RED_ACTIVE, next - end);
		if (bad) {
			bufpool_report_corruption(pool, ch, bad,
						  SLUB_RED_ACTIVE, "redzone",
						  sl);
			return;
		}
		off = next;
	}
	if (final) {
		bad = memchr_inv(va + ch->used, POISON_FREE, size - ch->used);
		if (bad)
			bufpool_report_corruption(pool, ch, bad, POISON_FREE,
						  "the unused end of the chunk",
						  NULL);
	}
}

/**
 * __bufpool_debug_chunk_retired - check a debug chunk as it is retired
 * @pool: a debug pool.
 * @c: the slicing state that holds it.
 *
 * Context: Under this CPU's lock of @pool, or in bufpool_chunk_drain():
 *	the pool is dying, or the CPU dead.
 */
void __bufpool_debug_chunk_retired(struct bufpool *pool,
				   struct bufpool_chunk *c)
{
	struct bufpool_debug_chunk *ch = c->va;
	unsigned long flags;

	spin_lock_irqsave(&pool->debug.lock, flags);
	kasan_disable_current();
	bufpool_debug_check(pool, c->va, c->size, false);
	ch->flags |= BUFPOOL_CHUNK_RETIRED;
	kasan_enable_current();
	spin_unlock_irqrestore(&pool->debug.lock, flags);
}

/**
 * __bufpool_debug_chunk_released - check a debug chunk as it is released
 * @pool: a debug pool.
 * @page: the chunk, whose reference count is zero.
 *
 * Context: Any context.
 */
void __bufpool_debug_chunk_released(struct bufpool *pool, struct page *page)
{
	struct bufpool_debug_chunk *ch = page_address(page);
	unsigned long flags;

	bufpool_kasan_unpoison(ch, page_size(page));
	spin_lock_irqsave(&pool->debug.lock, flags);
	list_del_init(&page->lru);
	spin_unlock_irqrestore(&pool->debug.lock, flags);
	bufpool_debug_check(pool, ch, page_size(page), true);
}

/**
 * __bufpool_debug_addr_ok - whether bufpool_free() may look @buf up
 * @buf: what bufpool_free() was given, not NULL or %ZERO_SIZE_PTR.
 * @caller: who called bufpool_free().
 *
 * A live buffer's page is in use: it holds a reference (a chunk; a slab or
 * a large kmalloc until 7.x), or it is a slab or compound, as the pages
 * kmalloc allocates frozen (with no reference) by 7.3 are. A page given
 * back to the page allocator is none of these: a buffer freed already, a
 * large one or a chunk's, whose pages may not be read any more (under
 * debug_pagealloc they are unmapped), nor their ->private trusted (a free
 * page's holds its order).
 *
 * Context: Any context.
 * Return: false, after reporting a misuse, when @buf is not in the kernel's
 * direct map, or not in a page in use: bufpool never handed it out, or it
 * is freed already.
 */
bool __bufpool_debug_addr_ok(const void *buf, unsigned long caller)
{
	struct folio *folio;

	if (!virt_addr_valid(buf)) {
		bufpool_report_misuse(NULL, buf, caller,
				      "which is not in the kernel's direct map: bufpool never allocated it",
				      0);
		return false;
	}
	folio = virt_to_folio(buf);
	if (!folio_ref_count(folio) && !folio_test_slab(folio) &&
	    !folio_test_large(folio)) {
		bufpool_report_misuse(NULL, buf, caller,
				      "which is freed already or which bufpool never allocated: its page is free",
				      0);
		return false;
	}
	return true;
}

/**
 * __bufpool_debug_direct_ok - whether a pointer in no chunk is a direct buffer
 * @folio: the folio @buf is in.
 * @buf: the pointer.
 * @caller: who called bufpool_free().
 *
 * Context: Any context.
 * Return: true for a live direct buffer; false, after reporting a misuse,
 * for anything else.
 */
bool __bufpool_debug_direct_ok(struct folio *folio, const void *buf,
			       unsigned long caller)
{
	const void *hdr_va = bufpool_direct_hdr(buf);
	struct bufpool_direct hdr;

	/* The header is in the same slab or compound page as the buffer. */
	if (!virt_addr_valid(hdr_va) || virt_to_folio(hdr_va) != folio) {
		bufpool_report_misuse(NULL, buf, caller,
				      "which bufpool never allocated", 0);
		return false;
	}
	kasan_disable_current();
	memcpy(&hdr, hdr_va, sizeof(hdr));
	kasan_enable_current();
	if (hdr.magic != BUFPOOL_DIRECT_MAGIC) {
		bufpool_report_misuse(NULL, buf, caller,
				      "which is freed already or which bufpool never allocated",
				      0);
		return false;
	}
	return true;
}

/**
 * __bufpool_debug_slice_freed - check and poison a debug pool's slice
 * @pool: a debug pool, whose chunk @folio is.
 * @folio: the chunk.
 * @buf: the pointer given to bufpool_free().
 * @caller: who called bufpool_free().
 *
 * Context: Any context.
 * Return: true when @buf was a live slice, now freed and poisoned; false,
 * after reporting a misuse, for a double free or a pointer into a chunk
 * that is no slice.
 */
bool __bufpool_debug_slice_freed(struct bufpool *pool, struct folio *folio,
				 const void *buf, unsigned long caller)
{
	struct bufpool_debug_chunk *ch = folio_address(folio);
	unsigned int head = bufpool_debug_slice_header(pool);
	struct bufpool_debug_slice *sl = (void *)buf - head;
	unsigned int off = buf - (void *)ch, used;
	unsigned long flags, first = 0;
	const char *misuse = NULL;

	spin_lock_irqsave(&pool->debug.lock, flags);
	kasan_disable_current();
	/*
	 * A header rewritten says nothing: reported, it says from now on
	 * that the chunk's end bounds the slice.
	 */
	if (!bufpool_debug_chunk_ok(pool, ch, folio_size(folio)))
		bufpool_report_bad_chunk(pool, ch, folio_size(folio));
	used = ch->used;
	if (off < bufpool_debug_chunk_header(pool) + head || off >= used ||
	    !IS_ALIGNED(off, pool->align)) {
		misuse = "which is inside a chunk but is no slice";
	} else if (sl->magic == BUFPOOL_SLICE_FREE) {
		misuse = "a second time";
		first = sl->freer;
	} else if (sl->magic != BUFPOOL_SLICE_LIVE) {
		misuse = "which is inside a chunk but is no slice";
	} else if (!bufpool_debug_size_ok(sl, off, used)) {
		/* A live slice whose size was overwritten: freed, unpoisoned. */
		if (!bufpool_debug_reported(ch))
			bufpool_report_bad_size(pool, ch, sl, off - head);
		sl->magic = BUFPOOL_SLICE_FREE;
		sl->freer = caller;
	} else {
		unsigned int end = off + sl->size;
		unsigned int next = bufpool_debug_slice_next(pool, off, sl->size,
							     folio_size(folio));
		const u8 *bad = memchr_inv(buf + sl->size, SLUB_RED_ACTIVE,
					   next - end);

		if (bad && !bufpool_debug_reported(ch))
			bufpool_report_corruption(pool, ch, bad,
						  SLUB_RED_ACTIVE, "redzone",
						  sl);
		sl->magic = BUFPOOL_SLICE_FREE;
		sl->freer = caller;
		memset((void *)buf, POISON_FREE, sl->size);
		bufpool_kasan_poison(buf, sl->size, BUFPOOL_KASAN_FREE);
	}
	kasan_enable_current();
	spin_unlock_irqrestore(&pool->debug.lock, flags);
	if (misuse)
		bufpool_report_misuse(pool, buf, caller, misuse, first);
	return !misuse;
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
