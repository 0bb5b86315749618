// SPDX-License-Identifier: GPL-2.0
/*
 * Debug mode's reports. A corruption names the byte, what belongs there,
 * where it is (a slice's header, poison or redzone, or the chunk's unused
 * end), and the slice's size, offset, allocator and freer. A misuse names
 * the caller of bufpool_free() and the pointer, with a WARN for the stack.
 * The owners file sums the live slices of a debug pool by caller.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kasan.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "debug.h"
#include "report.h"

#define BUFPOOL_MAX_OWNERS	64

/* Where the data of the slice behind header @sl starts in its chunk. */
static unsigned int bufpool_report_slice_offset(const struct bufpool *pool,
						const void *ch,
						const struct bufpool_debug_slice *sl)
{
	return (const void *)sl - ch + bufpool_debug_slice_header(pool);
}

/**
 * bufpool_report_corruption - report a damaged debug chunk, once
 * @pool: its pool.
 * @ch: the chunk.
 * @bad: the first byte found wrong.
 * @want: what belongs there.
 * @where: "poison", "redzone", "a slice header" or "the unused end of the
 *	chunk".
 * @sl: the slice whose poison or redzone it is, or NULL.
 *
 * Context: Any context. The caller keeps KASAN from looking at the chunk.
 */
void bufpool_report_corruption(struct bufpool *pool,
			       struct bufpool_debug_chunk *ch, const u8 *bad,
			       u8 want, const char *where,
			       const struct bufpool_debug_slice *sl)
{
	unsigned int off = bad - (const u8 *)ch;

	ch->flags |= BUFPOOL_CHUNK_REPORTED;
	bufpool_count(pool, BUFPOOL_CNT_CORRUPTIONS, 1);
	if (sl && sl->freer)
		pr_err("pool %s: chunk corrupted: byte %#04x at offset %u where %#04x belongs, in the %s of the %u-byte slice at offset %u, allocated by %pS, freed by %pS\n",
		       pool->name, *bad, off, want, where, sl->size,
		       bufpool_report_slice_offset(pool, ch, sl),
		       (void *)sl->caller, (void *)sl->freer);
	else if (sl)
		pr_err("pool %s: chunk corrupted: byte %#04x at offset %u where %#04x belongs, in the %s of the %u-byte slice at offset %u, allocated by %pS\n",
		       pool->name, *bad, off, want, where, sl->size,
		       bufpool_report_slice_offset(pool, ch, sl),
		       (void *)sl->caller);
	else
		pr_err("pool %s: chunk corrupted: byte %#04x at offset %u where %#04x belongs, in %s\n",
		       pool->name, *bad, off, want, where);
}

/**
 * bufpool_report_bad_size - report a slice header whose size is impossible
 * @pool: its pool.
 * @ch: the chunk.
 * @sl: the header, at offset @off in the chunk.
 * @off: where the header starts.
 *
 * An underrun of the slice before, most likely, rewrote it: the slice is
 * not poisoned, and the chunk's checks stop here.
 *
 * Context: Any context. The caller keeps KASAN from looking at the chunk.
 */
void bufpool_report_bad_size(struct bufpool *pool,
			     struct bufpool_debug_chunk *ch,
			     const struct bufpool_debug_slice *sl,
			     unsigned int off)
{
	ch->flags |= BUFPOOL_CHUNK_REPORTED;
	bufpool_count(pool, BUFPOOL_CNT_CORRUPTIONS, 1);
	pr_err("pool %s: chunk corrupted: the slice header at offset %u gives a size of %u, past the %u bytes carved of the chunk\n",
	       pool->name, off, sl->size, ch->used);
}

/**
 * bufpool_report_bad_chunk - report a chunk header that was overwritten
 * @pool: its pool.
 * @ch: the chunk, of @size bytes.
 * @size: its size.
 *
 * Its magic or flags are wrong, or how much of it is carved, as it says,
 * is less than the header or more than the chunk: an overrun of the memory
 * before it, or an underrun of its first slice, rewrote it. Nothing of the
 * chunk is checked or poisoned by what it said: the header is set to say
 * that the whole chunk is carved and was reported (and retired, where its
 * flags were valid and said so), so that the chunk's end bounds its slices
 * from now on and it is reported once.
 *
 * Context: Any context, under the pool's debug lock or with the chunk
 * released. The caller keeps KASAN from looking at the chunk.
 */
void bufpool_report_bad_chunk(struct bufpool *pool,
			      struct bufpool_debug_chunk *ch, unsigned int size)
{
	bufpool_count(pool, BUFPOOL_CNT_CORRUPTIONS, 1);
	pr_err("pool %s: chunk corrupted: its header was overwritten, magic %#010x, flags %#x, %u bytes of the %u-byte chunk carved (an overrun before it, or an underrun of its first slice)\n",
	       pool->name, ch->magic, ch->flags, ch->used, size);
	/* A flags word that is still one keeps its RETIRED. */
	if (ch->flags & ~BUFPOOL_CHUNK_FLAGS)
		ch->flags = 0;
	ch->magic = BUFPOOL_CHUNK_MAGIC;
	ch->used = size;
	ch->flags |= BUFPOOL_CHUNK_REPORTED;
}

/**
 * bufpool_report_misuse - report a bufpool_free() that is left undone
 * @pool: the pool it was aimed at, or NULL when no pool owns @buf (it is
 *	counted on the default pool).
 * @buf: the pointer.
 * @caller: who called bufpool_free().
 * @what: what is wrong with it.
 * @first: for a double free, who freed it first; otherwise 0.
 *
 * Context: Any context.
 */
void bufpool_report_misuse(struct bufpool *pool, const void *buf,
			   unsigned long caller, const char *what,
			   unsigned long first)
{
	bufpool_count(pool ?: bufpool_default, BUFPOOL_CNT_MISUSES, 1);
	if (first)
		pr_err("misuse: %pS freed %p %s, first freed by %pS\n",
		       (void *)caller, buf, what, (void *)first);
	else
		pr_err("misuse: %pS freed %p, %s\n", (void *)caller, buf, what);
	WARN(1, "bufpool: bufpool_free() misuse by %pS\n", (void *)caller);
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
	unsigned int head = bufpool_debug_slice_header(pool);
	unsigned long flags;
	struct page *page;

	owners[BUFPOOL_MAX_OWNERS - 1].oldest = jiffies;
	spin_lock_irqsave(&pool->debug.lock, flags);
	kasan_disable_current();
	list_for_each_entry(page, &pool->debug.chunks, lru) {
		struct bufpool_debug_chunk *ch = page_address(page);
		unsigned int size = page_size(page);
		unsigned int off = bufpool_debug_chunk_header(pool);

		/* Corrupted: the checks will say so. */
		if (!bufpool_debug_chunk_ok(pool, ch, size))
			continue;
		while (off < ch->used) {
			struct bufpool_debug_slice *sl = (void *)ch + off;
			struct bufpool_owner *o;

			if ((sl->magic != BUFPOOL_SLICE_LIVE &&
			     sl->magic != BUFPOOL_SLICE_FREE) ||
			    !bufpool_debug_size_ok(sl, off + head, ch->used))
				break;	/* corrupted: the checks will say so */
			if (sl->magic == BUFPOOL_SLICE_LIVE) {
				o = bufpool_owner_of(owners, sl->caller);
				o->slices++;
				o->bytes += sl->size;
				if (time_before(sl->when, o->oldest))
					o->oldest = sl->when;
				if ((ch->flags & BUFPOOL_CHUNK_RETIRED) &&
				    o->last_chunk != ch) {
					o->retired++;
					o->last_chunk = ch;
				}
			}
			off = bufpool_debug_slice_next(pool, off + head,
						       sl->size, size);
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

/*
 * An owner's caller, by symbol. One without a symbol (its module was
 * unloaded, or the kernel has no kallsyms) is said so, not printed: %pS
 * prints the address of those, and the file prints no kernel address.
 */
static void bufpool_owner_print(struct seq_file *m, unsigned long caller)
{
	char head[3];

	if (!caller) {
		seq_puts(m, "(other callers)\n");
		return;
	}
	/* No symbol starts with "0x", what %pS prints of an address. */
	snprintf(head, sizeof(head), "%pS", (void *)caller);
	if (!strcmp(head, "0x"))
		seq_puts(m, "(no symbol)\n");
	else
		seq_printf(m, "%pS\n", (void *)caller);
}

/**
 * bufpool_report_owners - the owners file: who pins the pool's memory
 * @m: the file.
 * @pool: the pool.
 *
 * One line per caller with live slices, most bytes first: how many, their
 * bytes, the age of the oldest, and how many retired chunks they pin.
 *
 * Context: Process context.
 * Return: 0, or -ENOMEM when the table cannot be allocated.
 */
int bufpool_report_owners(struct seq_file *m, struct bufpool *pool)
{
	struct bufpool_owner *owners;
	int i;

	if (!(READ_ONCE(pool->flags) & BUFPOOL_DEBUG)) {
		seq_puts(m, "# owner tracking is off: load bufpool with debug=1, or create the pool with BUFPOOL_DEBUG\n");
		return 0;
	}
	owners = kcalloc(BUFPOOL_MAX_OWNERS, sizeof(*owners), GFP_KERNEL);
	if (!owners)
		return -ENOMEM;
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
		bufpool_owner_print(m, o->caller);
	}
	kfree(owners);
	return 0;
}
