// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for bufpool/debug.c: debug mode's KASAN reports, poison and
 * redzone checks, owner tracking, misuse checks, and fault injection.
 *
 * Cases that expect a report print the markers verdict.py honours around
 * it, and a misuse's WARN is let through panic_on_warn for the moment.
 * These suites run last: a KASAN report turns lockdep off for good.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/poison.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "debug.h"
#include "util.h"

#define DEBUG_POOL	"kunit-debug"

/* A chunk of the default size: 8 KB, or a page where pages are larger. */
#define CHUNK		BUFPOOL_DEFAULT_POOL_SIZE
/*
 * Two of these fit a debug chunk, with its headers and redzones and a small
 * slice before them, and a third does not: 3000 bytes at 8 KB.
 */
#define BIG		(CHUNK * 3 / 8 - 72)
/*
 * Half a chunk less a slice's header and redzone, below the default
 * threshold (CHUNK / 2): 4000 bytes at 8 KB. After a few small slices, a
 * debug chunk has room for one, not two.
 */
#define HALF		(CHUNK / 2 - 96)

static int debug_pool_init(struct kunit *test)
{
	const struct bufpool_params params = { .flags = BUFPOOL_DEBUG };
	struct bufpool *pool = bufpool_create(DEBUG_POOL, &params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	test->priv = pool;
	return 0;
}

static void debug_pool_exit(struct kunit *test)
{
	bufpool_destroy(test->priv);
}

/* One line of a pool's debug file. */
static long debug_stat(struct kunit *test, const char *pool, const char *name)
{
	char path[96], buf[128], *line, *cur = buf;
	long v;

	snprintf(path, sizeof(path), "/sys/kernel/debug/bufpool/%s/debug", pool);
	KUNIT_ASSERT_GT(test, bp_read_file(path, buf, sizeof(buf)), 0);
	while ((line = strsep(&cur, "\n")) && *line) {
		char *value = strchr(line, ' ');

		if (!value)
			break;
		*value++ = '\0';
		if (!strcmp(line, name)) {
			KUNIT_ASSERT_EQ(test, kstrtol(value, 10, &v), 0);
			return v;
		}
	}
	KUNIT_FAIL(test, "%s has no %s line", path, name);
	return -1;
}

/* -- KASAN ----------------------------------------------------------------- */

#ifdef CONFIG_KASAN
/*
 * Runs @expression, which must make KASAN report a bug of a kind whose
 * name contains @kind ("out-of-bounds", "use-after-free"), found in this
 * file's function @fn, for a @len byte access at @addr: what the report's
 * title and access lines say, read off the kernel's log (util.c).
 */
#define EXPECT_KASAN_REPORT(test, expression, kind, fn, len, addr) do {	\
	struct kunit *__test = (test);					\
	const struct bp_kasan_report *__r;				\
	char __where[64];						\
									\
	bp_kasan_forget();						\
	bp_expect_begin(__test);					\
	barrier();							\
	expression;							\
	barrier();							\
	bp_expect_end(__test);						\
	__r = bp_kasan_report();					\
	KUNIT_EXPECT_TRUE_MSG(__test, READ_ONCE(__r->found),		\
			      "no KASAN report for " #expression);	\
	if (READ_ONCE(__r->found)) {					\
		KUNIT_EXPECT_NOT_NULL_MSG(__test, strstr(__r->title, kind), \
					  "%s", __r->title);		\
		KUNIT_EXPECT_NOT_NULL_MSG(__test, strstr(__r->title, " in " fn "+"), \
					  "%s", __r->title);		\
		snprintf(__where, sizeof(__where), " of size %d at addr %lx", \
			 (int)(len), (unsigned long)(addr));		\
		KUNIT_EXPECT_NOT_NULL_MSG(__test, strstr(__r->access, __where), \
					  "'%s' lacks '%s'", __r->access, __where); \
	}								\
	bp_kasan_forget();						\
} while (0)

static int kasan_suite_init(struct kunit_suite *suite)
{
	return bp_kasan_watch_start();
}

static void kasan_suite_exit(struct kunit_suite *suite)
{
	bp_kasan_watch_stop();
}

static int kasan_case_init(struct kunit *test)
{
	bp_kasan_watch_case(test);
	return debug_pool_init(test);
}

/* Past the end of a slice: into its redzone, and into the next granule. */
static void kasan_overrun(struct kunit *test)
{
	u8 *buf = bufpool_pool_alloc_unsafe(test->priv, 13, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* Reads: a write would also be caught, later, by the redzone check. */
	(void)READ_ONCE(buf[12]);	/* the last byte is fine */
	EXPECT_KASAN_REPORT(test, (void)READ_ONCE(buf[13]), "out-of-bounds",
			    "kasan_overrun", 1, &buf[13]);
	EXPECT_KASAN_REPORT(test, (void)READ_ONCE(buf[16]), "out-of-bounds",
			    "kasan_overrun", 1, &buf[16]);
	bufpool_free(buf);
}

static void kasan_use_after_free(struct kunit *test)
{
	u8 *buf = bufpool_pool_alloc_unsafe(test->priv, 64, GFP_KERNEL);
	u8 *next = bufpool_pool_alloc_unsafe(test->priv, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, next);
	bufpool_free(buf);
	EXPECT_KASAN_REPORT(test, (void)READ_ONCE(buf[0]), "use-after-free",
			    "kasan_use_after_free", 1, &buf[0]);
	EXPECT_KASAN_REPORT(test, (void)READ_ONCE(buf[63]), "use-after-free",
			    "kasan_use_after_free", 1, &buf[63]);
	/* The live neighbour is untouched by all this. */
	WRITE_ONCE(next[0], 1);
	bufpool_free(next);
}

/* Without debug mode, slices are plain page memory: nothing to report. */
static void kasan_quiet_without_debug(struct kunit *test)
{
	struct bufpool *pool = bufpool_create("kunit-plain", NULL);
	u8 *buf;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	buf = bufpool_pool_alloc_unsafe(pool, 13, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	(void)READ_ONCE(buf[13]);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(bp_kasan_report()->found));
	bufpool_free(buf);
	bufpool_destroy(pool);
}

static struct kunit_case kasan_cases[] = {
	KUNIT_CASE(kasan_overrun),
	KUNIT_CASE(kasan_use_after_free),
	KUNIT_CASE(kasan_quiet_without_debug),
	{}
};

static struct kunit_suite kasan_suite = {
	.name = "bufpool_debug_kasan",
	.suite_init = kasan_suite_init,
	.suite_exit = kasan_suite_exit,
	.init = kasan_case_init,
	.exit = debug_pool_exit,
	.test_cases = kasan_cases,
};
#endif /* CONFIG_KASAN */

/* -- Poison and redzones, with or without KASAN ----------------------------- */

/*
 * Writes @len bytes of @c at @p without a KASAN report: what a stray
 * pointer in a kernel without KASAN does.
 */
static void stray_write(void *p, int c, size_t len)
{
	kasan_disable_current();
	memset(p, c, len);
	kasan_enable_current();
}

/*
 * The corruption report a case expects, read off the kernel's log: the
 * byte found and where, what belongs there, whose slice (its size and
 * offset, its allocator @fn and, once @freed, its freer) and which part.
 */
static void expect_corruption(struct kunit *test, struct bp_log *log, u8 bad,
			      size_t at, u8 want, const char *where,
			      size_t size, size_t slice, const char *fn,
			      bool freed)
{
	char byte[96], in[112], freer[48] = "";

	snprintf(byte, sizeof(byte),
		 "pool %s: chunk corrupted: byte %#04x at offset %zu where %#04x belongs",
		 DEBUG_POOL, bad, at, want);
	snprintf(in, sizeof(in),
		 "in the %s of the %zu-byte slice at offset %zu, allocated by %s+",
		 where, size, slice, fn);
	if (freed)
		snprintf(freer, sizeof(freer), ", freed by %s+", fn);
	KUNIT_EXPECT_TRUE_MSG(test, bp_log_has(log, byte, in, freer, NULL),
			      "no report \"%s, %s%s\"", byte, in, freer);
}

/* A write after free is found when the chunk is retired. */
static void poison_write_after_free(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	struct bp_log log;
	u8 *buf, *big[3];
	size_t off;
	int i;

	migrate_disable();	/* one CPU's chunk */
	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	off = bufpool_offset(buf);
	bufpool_free(buf);
	stray_write(buf + 5, 0x42, 1);

	bp_log_mark(&log);
	bp_expect_begin(test);
	/* The third does not fit the first chunk: it is retired, checked. */
	for (i = 0; i < ARRAY_SIZE(big); i++)
		big[i] = bufpool_pool_alloc_unsafe(pool, BIG, GFP_KERNEL);
	bp_expect_end(test);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_CORRUPTIONS), 1);
	/* What was found, where, in whose slice. */
	expect_corruption(test, &log, 0x42, off + 5, POISON_FREE, "poison", 64,
			  off, __func__, true);
	for (i = 0; i < ARRAY_SIZE(big); i++)
		bufpool_free(big[i]);
}

/* An overrun into the redzone is found when the slice is freed. */
static void redzone_overrun(struct kunit *test)
{
	u8 *buf = bufpool_pool_alloc_unsafe(test->priv, 13, GFP_KERNEL);
	struct bp_log log;
	size_t off;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	off = bufpool_offset(buf);
	stray_write(buf + 13, 0, 2);
	bp_log_mark(&log);
	bp_expect_begin(test);
	bufpool_free(buf);
	bp_expect_end(test);
	KUNIT_EXPECT_EQ(test, bp_stat(test->priv, BUFPOOL_STAT_CORRUPTIONS), 1);
	expect_corruption(test, &log, 0, off + 13, SLUB_RED_ACTIVE, "redzone", 13,
			  off, __func__, false);
}

/*
 * The sizes of clean_use(), over several chunks: 100 to 1543 bytes at
 * 8 KB, in proportion to larger chunks.
 */
#define CLEAN_SIZE(i)	((100 + 37 * (i)) * (CHUNK / SZ_8K))

/* Clean use reports nothing, and the slices are still where they were. */
static void clean_use(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	u8 *bufs[40];
	int i;

	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		bufs[i] = bufpool_pool_alloc_unsafe(pool, CLEAN_SIZE(i),
						    GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bufs[i]);
		memset(bufs[i], i, CLEAN_SIZE(i));
	}
	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		KUNIT_EXPECT_TRUE(test, bp_all_bytes(bufs[i], i, CLEAN_SIZE(i)));
		KUNIT_EXPECT_TRUE(test, bufpool_is_pooled(bufs[i]));
		bufpool_free(bufs[i]);
	}
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_CORRUPTIONS), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_MISUSES), 0);
	/* The debug file, as a client reads it. */
	KUNIT_EXPECT_EQ(test, debug_stat(test, DEBUG_POOL, "debug"), 1);
	KUNIT_EXPECT_EQ(test, debug_stat(test, DEBUG_POOL, "corruptions"), 0);
	KUNIT_EXPECT_EQ(test, debug_stat(test, DEBUG_POOL, "misuses"), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_RETIRED_POOLS_LIVE), 0);
}

/*
 * A debug chunk whose last slice goes after its rollover becomes a spare
 * like any other, and is laid out again when the next rollover slices it:
 * that rollover takes the spare and asks the page allocator for nothing
 * (with fail_nth 2 the request would be served directly, as in
 * pool_test.c's rollover_takes_spare; a chunk of one 64 KB page is of
 * order 0, which FAIL_PAGE_ALLOC passes over, and there the spare count
 * tells), its first slice is where the chunk's first one was, and nothing
 * is reported.
 */
static void debug_chunk_becomes_spare(struct kunit *test)
{
	const gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN;
	struct bufpool *pool = test->priv;
	u8 *a, *b, *c, *d, *e = NULL;
	struct page *first;
	u64 spares = 0;

	if (!IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC))
		kunit_skip(test, "needs CONFIG_FAIL_PAGE_ALLOC");
	migrate_disable();	/* one CPU's chunk and spares */
	a = bufpool_pool_alloc_unsafe(pool, BIG, gfp);
	b = bufpool_pool_alloc_unsafe(pool, BIG, gfp);
	c = bufpool_pool_alloc_unsafe(pool, BIG, gfp);	/* a new chunk */
	d = bufpool_pool_alloc_unsafe(pool, BIG, gfp);	/* fills it */
	if (a && b && c && d) {
		bufpool_free(a);
		bufpool_free(b);	/* the first chunk: checked, a spare */
		spares = bp_stat(pool, BUFPOOL_STAT_SPARE_POOLS);
#ifdef CONFIG_FAULT_INJECTION
		current->fail_nth = 2;
		e = bufpool_pool_alloc_unsafe(pool, BIG, gfp);	/* rollover */
		current->fail_nth = 0;
#endif
	}
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, a && b && c && d);
	/* The first chunk was the pool's spare, and the rollover took it. */
	KUNIT_EXPECT_EQ(test, spares, 1);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SPARE_POOLS), 0);
	first = virt_to_head_page(a);
	KUNIT_EXPECT_PTR_NE(test, virt_to_head_page(c), first);
	KUNIT_EXPECT_TRUE_MSG(test, bufpool_is_pooled(e),
			      "the rollover asked the page allocator");
	if (e) {
		KUNIT_EXPECT_PTR_EQ(test, virt_to_head_page(e), first);
		KUNIT_EXPECT_PTR_EQ(test, e, a);
		memset(e, 0x11, BIG);
	}
	bufpool_free(c);
	bufpool_free(d);
	bufpool_free(e);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_CORRUPTIONS), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_MISUSES), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
}

/*
 * A debug pool whose alignment is large next to its chunk of one or two
 * pages: the headers and the redzone take all of it, or more, and every
 * request is served directly; or they leave room for a slice, and every
 * request up to 2000 bytes is sliced. Every request is served, aligned,
 * in its own memory, and nothing is reported.
 */
struct large_align_row {
	unsigned int pool_size, align;
	bool pooled;
};

static const struct large_align_row large_align_rows[] = {
	/* A chunk header and a slice header take the page, with no redzone. */
	{ PAGE_SIZE, PAGE_SIZE / 2, false },
	{ PAGE_SIZE, PAGE_SIZE, false },
	{ 2 * PAGE_SIZE, PAGE_SIZE, false },
	/* Two half pages of headers leave a page and a half of a slice. */
	{ 2 * PAGE_SIZE, PAGE_SIZE / 2, true },
};

static void large_align_desc(const struct large_align_row *row, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "pool_size %u, align %u, %s",
		 row->pool_size, row->align, row->pooled ? "sliced" : "direct");
}

KUNIT_ARRAY_PARAM(large_align, large_align_rows, large_align_desc);

static void debug_large_align(struct kunit *test)
{
	const struct large_align_row *row = test->param_value;
	const struct bufpool_params params = {
		.pool_size = row->pool_size, .align = row->align,
		.flags = BUFPOOL_DEBUG,
	};
	static const size_t sizes[] = { 1, 100, 1000, 2000 };
	struct bufpool *pool = bufpool_create("kunit-align", &params);
	u8 *bufs[ARRAY_SIZE(sizes)];
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		bufs[i] = bufpool_pool_alloc_unsafe(pool, sizes[i], GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL_MSG(test, bufs[i], "%zu bytes", sizes[i]);
		if (!bufs[i])
			continue;
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)bufs[i],
						   row->align));
		KUNIT_EXPECT_EQ_MSG(test, bufpool_is_pooled(bufs[i]),
				    row->pooled, "%zu bytes", sizes[i]);
		memset(bufs[i], i + 1, sizes[i]);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (!bufs[i])
			continue;
		KUNIT_EXPECT_TRUE(test, bp_all_bytes(bufs[i], i + 1, sizes[i]));
		bufpool_free(bufs[i]);
	}
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_CORRUPTIONS), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_DIRECT_LIVE), 0);
	bufpool_destroy(pool);
}

/*
 * Frees @buf, a slice of the case's debug pool whose chunk was corrupted
 * on purpose: the free says @says, counts one corruption and no misuse.
 */
static void free_corrupted(struct kunit *test, void *buf, const char *says)
{
	struct bp_log log;

	bp_log_mark(&log);
	bp_expect_begin(test);
	bufpool_free(buf);
	bp_expect_end(test);
	KUNIT_EXPECT_TRUE_MSG(test, bp_log_has(&log, says, NULL),
			      "no report \"%s\"", says);
	KUNIT_EXPECT_EQ(test, bp_stat(test->priv, BUFPOOL_STAT_CORRUPTIONS), 1);
	KUNIT_EXPECT_EQ(test, bp_stat(test->priv, BUFPOOL_STAT_MISUSES), 0);
}

/*
 * An underrun that rewrites the size in the next slice's header: the free
 * reports the header, trusts it with nothing (no wild poisoning), and the
 * slice is freed all the same.
 */
static void corrupted_slice_size(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	unsigned int head = bufpool_debug_slice_header(pool);
	char says[112];
	u8 *buf, *keep;
	size_t off;
	u32 huge = U32_MAX;

	migrate_disable();
	keep = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, keep);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	off = bufpool_offset(buf) - head;
	kasan_disable_current();
	memcpy(buf - head + offsetof(struct bufpool_debug_slice, size), &huge,
	       sizeof(huge));
	kasan_enable_current();

	snprintf(says, sizeof(says),
		 "pool %s: chunk corrupted: the slice header at offset %zu gives a size of %u",
		 DEBUG_POOL, off, huge);
	free_corrupted(test, buf, says);
	/* Freed, and its neighbour is intact. */
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 1);
	memset(keep, 0x33, 64);
	bufpool_free(keep);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
}

/* What debug mode says of the overwritten header of @buf's chunk. */
static void header_report(char *says, size_t len, const void *buf,
			  u32 magic, u32 flags, u32 used)
{
	snprintf(says, len,
		 "pool %s: chunk corrupted: its header was overwritten, magic %#010x, flags %#x, %u bytes of the %lu-byte chunk carved",
		 DEBUG_POOL, magic, flags, used, folio_size(virt_to_folio(buf)));
}

/* An overrun before @buf's chunk: its header all 0x5a, said in @says. */
static void overwrite_header(struct bufpool *pool, const void *buf,
			     char *says, size_t len)
{
	header_report(says, len, buf, 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a);
	kasan_disable_current();
	memset(folio_address(virt_to_folio(buf)), 0x5a,
	       bufpool_debug_chunk_header(pool));
	kasan_enable_current();
}

/*
 * An overrun of the memory before a chunk that rewrites its header: the
 * next free reports it, bounds the slice by the chunk's end instead, and
 * frees it. The pool finds its chunks without the header: the chunk is
 * released when the pool is destroyed, and the owners file still reads.
 */
static void corrupted_chunk_header(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char says[160], text[256];
	u8 *buf;

	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	overwrite_header(pool, buf, says, sizeof(says));
	free_corrupted(test, buf, says);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	KUNIT_EXPECT_GT(test, bp_read_file("/sys/kernel/debug/bufpool/" DEBUG_POOL "/owners",
					   text, sizeof(text)), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_CORRUPTIONS), 1);
	bufpool_destroy(pool);
	test->priv = NULL;
}

/*
 * The same overrun over a chunk none of whose slices is freed after it:
 * the chunk's retirement, when the pool is destroyed, reports it, whatever
 * the rewritten header's flags say.
 */
static void corrupted_chunk_header_retired(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char says[160];
	struct bp_log log;
	u8 *buf;

	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	bufpool_free(buf);
	/* The chunk stays, debug pools never rewind: its header is read. */
	overwrite_header(pool, buf, says, sizeof(says));

	bp_log_mark(&log);
	bp_expect_begin(test);
	bufpool_destroy(pool);
	bp_expect_end(test);
	test->priv = NULL;
	KUNIT_EXPECT_TRUE_MSG(test, bp_log_has(&log, says, NULL),
			      "no report \"%s\"", says);
}

/*
 * A chunk header whose record of what is carved alone was rewritten: the
 * free reports it as an overwritten header.
 */
static void corrupted_chunk_used(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	struct bufpool_debug_chunk *ch;
	char says[160];
	u32 huge = U32_MAX;
	u8 *buf;

	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	ch = folio_address(virt_to_folio(buf));
	kasan_disable_current();
	memcpy(&ch->used, &huge, sizeof(huge));
	kasan_enable_current();

	header_report(says, sizeof(says), buf, BUFPOOL_CHUNK_MAGIC, 0, huge);
	free_corrupted(test, buf, says);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
}

/* -- Owner tracking ---------------------------------------------------------- */

/* Not tail calls: the return address must be inside these. */
static noinline void *owner_a(struct bufpool *pool, size_t size)
{
	void *buf = bufpool_pool_alloc_unsafe(pool, size, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(buf);
	return buf;
}

/* Different from owner_a(), or the compiler may fold the two into one. */
static noinline void *owner_b(struct bufpool *pool, size_t size)
{
	void *buf = bufpool_pool_alloc_unsafe(pool, size,
					      GFP_KERNEL | __GFP_NOWARN);

	OPTIMIZER_HIDE_VAR(buf);
	return buf;
}

/* The owners line of @fn: its slices, bytes and retired pools. */
static bool owners_line(struct kunit *test, char *text, const char *fn,
			unsigned long *slices, unsigned long *bytes,
			unsigned int *retired)
{
	char *cur = text, *line;
	unsigned int age;
	int n;

	while ((line = strsep(&cur, "\n"))) {
		if (!strstr(line, fn))
			continue;
		n = sscanf(line, "%lu %lu %u %u", slices, bytes, &age, retired);
		KUNIT_ASSERT_EQ(test, n, 4);
		return true;
	}
	return false;
}

static void owners(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char *text = kunit_kzalloc(test, 4096, GFP_KERNEL);
	char *copy = kunit_kzalloc(test, 4096, GFP_KERNEL);
	unsigned long slices, bytes;
	unsigned int retired;
	void *a[3], *b, *fill[2];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, text);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = owner_a(pool, 100);
	b = owner_b(pool, 2000);
	/* Roll over: a and b now pin a retired chunk. */
	fill[0] = bufpool_pool_alloc_unsafe(pool, HALF, GFP_KERNEL);
	fill[1] = bufpool_pool_alloc_unsafe(pool, HALF, GFP_KERNEL);

	KUNIT_ASSERT_GT(test, bp_read_file("/sys/kernel/debug/bufpool/" DEBUG_POOL "/owners",
					   text, 4096), 0);
	memcpy(copy, text, 4096);
	KUNIT_EXPECT_TRUE(test, owners_line(test, text, "owner_a", &slices,
					    &bytes, &retired));
	KUNIT_EXPECT_EQ(test, slices, 3);
	KUNIT_EXPECT_EQ(test, bytes, 300);
	KUNIT_EXPECT_EQ(test, retired, 1);
	KUNIT_EXPECT_TRUE(test, owners_line(test, copy, "owner_b", &slices,
					    &bytes, &retired));
	KUNIT_EXPECT_EQ(test, slices, 1);
	KUNIT_EXPECT_EQ(test, bytes, 2000);
	/* Nothing prints a raw kernel address. */
	KUNIT_EXPECT_NULL(test, strstr(copy, "0xffff"));

	for (i = 0; i < ARRAY_SIZE(a); i++)
		bufpool_free(a[i]);
	bufpool_free(b);
	KUNIT_ASSERT_GT(test, bp_read_file("/sys/kernel/debug/bufpool/" DEBUG_POOL "/owners",
					   text, 4096), 0);
	KUNIT_EXPECT_NULL(test, strstr(text, "owner_a"));
	KUNIT_EXPECT_NULL(test, strstr(text, "owner_b"));
	bufpool_free(fill[0]);
	bufpool_free(fill[1]);
}

/*
 * An owner whose caller has no symbol, as a module's that was unloaded
 * with its slices live: said so, its address not printed.
 */
static void owner_without_symbol(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char *text = kunit_kzalloc(test, 4096, GFP_KERNEL);
	struct bufpool_debug_slice *sl;
	unsigned long caller, slices, bytes;
	unsigned int retired;
	void *a;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, text);
	a = owner_a(pool, 100);
	KUNIT_ASSERT_NOT_NULL(test, a);
	sl = a - bufpool_debug_slice_header(pool);
	/* An address in the heap, where no symbol is: this test's text. */
	kasan_disable_current();
	caller = sl->caller;
	sl->caller = (unsigned long)text;
	kasan_enable_current();
	n = bp_read_file("/sys/kernel/debug/bufpool/" DEBUG_POOL "/owners",
			 text, 4096);
	kasan_disable_current();
	sl->caller = caller;
	kasan_enable_current();
	bufpool_free(a);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_EXPECT_NULL_MSG(test, strstr(text, "0x"), "owners:\n%s", text);
	KUNIT_EXPECT_TRUE(test, owners_line(test, text, "(no symbol)", &slices,
					    &bytes, &retired));
	KUNIT_EXPECT_EQ(test, slices, 1);
	KUNIT_EXPECT_EQ(test, bytes, 100);
}

/*
 * A retired chunk's header, whose record of what is carved was rewritten:
 * repaired at the next free, it still says the chunk is retired, and the
 * owners file counts the chunk its live slice pins.
 */
static void owners_after_corrupted_header(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char *text = kunit_kzalloc(test, 4096, GFP_KERNEL);
	struct bufpool_debug_chunk *ch;
	unsigned long slices, bytes;
	void *a[2], *fill[2];
	unsigned int retired;
	u32 huge = U32_MAX;
	char says[160];

	KUNIT_ASSERT_NOT_NULL(test, text);
	migrate_disable();
	a[0] = owner_a(pool, 100);
	a[1] = owner_a(pool, 100);
	/* Roll over: a's chunk is retired. */
	fill[0] = bufpool_pool_alloc_unsafe(pool, HALF, GFP_KERNEL);
	fill[1] = bufpool_pool_alloc_unsafe(pool, HALF, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, a[0] && a[1] && fill[0] && fill[1]);
	KUNIT_ASSERT_PTR_NE(test, virt_to_head_page(fill[1]),
			    virt_to_head_page(a[0]));
	ch = folio_address(virt_to_folio(a[0]));
	kasan_disable_current();
	memcpy(&ch->used, &huge, sizeof(huge));
	kasan_enable_current();

	header_report(says, sizeof(says), a[0], BUFPOOL_CHUNK_MAGIC,
		      BUFPOOL_CHUNK_RETIRED, huge);
	free_corrupted(test, a[1], says);
	KUNIT_ASSERT_GT(test, bp_read_file("/sys/kernel/debug/bufpool/" DEBUG_POOL "/owners",
					   text, 4096), 0);
	KUNIT_EXPECT_TRUE(test, owners_line(test, text, "owner_a", &slices,
					    &bytes, &retired));
	KUNIT_EXPECT_EQ(test, slices, 1);
	KUNIT_EXPECT_EQ(test, retired, 1);
	bufpool_free(a[0]);
	bufpool_free(fill[0]);
	bufpool_free(fill[1]);
}

/* -- Misuse ------------------------------------------------------------------ */

static void double_free_slice(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	long released = bp_stat(pool, BUFPOOL_STAT_POOLS_RELEASED);
	char who[48], first[80];
	struct bp_log log;
	u8 *buf, *other;

	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	other = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, other);
	memset(other, 0x5a, 64);
	bufpool_free(buf);
	bp_log_mark(&log);
	bp_expect_begin(test);
	bufpool_free(buf);
	bp_expect_end(test);

	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_MISUSES), 1);
	snprintf(who, sizeof(who), "misuse: %s+", __func__);
	snprintf(first, sizeof(first), " a second time, first freed by %s+",
		 __func__);
	KUNIT_EXPECT_TRUE(test, bp_log_has(&log, who, first, NULL));
	/* Nothing corrupted: one free counted, the neighbour intact. */
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 1);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_POOLS_RELEASED), released);
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(other, 0x5a, 64));
	bufpool_free(other);
	/* And the pool goes on working. */
	buf = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, buf);
	bufpool_free(buf);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_CORRUPTIONS), 0);
}

/*
 * A direct buffer of @size freed twice: the second free is a misuse of
 * the default pool (no live pool is behind the pointer), reported as the
 * case @fn's, with @why. Inlined, so that the report names the case.
 */
static __always_inline void double_free_direct_of(struct kunit *test,
						  size_t size, const char *fn,
						  const char *why)
{
	long misuses = bp_stat(NULL, BUFPOOL_STAT_MISUSES);
	u8 *buf = bufpool_pool_alloc_unsafe_slow(test->priv, size, GFP_KERNEL);
	struct bp_log log;
	char who[48];

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, folio_test_slab(virt_to_folio(buf)),
			size <= KMALLOC_MAX_CACHE_SIZE);
	bp_log_mark(&log);
	bp_expect_begin(test);
	/* Back to back: nothing may take the pages again in between. */
	bufpool_free(buf);
	bufpool_free(buf);
	bp_expect_end(test);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_MISUSES), misuses + 1);
	snprintf(who, sizeof(who), "misuse: %s+", fn);
	KUNIT_EXPECT_TRUE(test, bp_log_has(&log, who, why, NULL));
}

/* Its slab is still there: the header says it is no live buffer. */
static void double_free_direct(struct kunit *test)
{
	double_free_direct_of(test, 100, __func__,
			      ", which is freed already or which bufpool never allocated");
}

/*
 * A direct buffer too large for a slab is freed with its pages: its second
 * free must be reported without reading them, which debug_pagealloc
 * unmaps at once.
 */
static void double_free_direct_large(struct kunit *test)
{
	double_free_direct_of(test, 3 * PAGE_SIZE, __func__,
			      ", which is freed already or which bufpool never allocated: its page is free");
}

static u8 foreign_global[64];

struct foreign_row {
	const char *desc;
	int kind;
	const char *says;	/* what the report says of the pointer */
};

enum { FOREIGN_KMALLOC, FOREIGN_STACK, FOREIGN_GLOBAL, FOREIGN_INTERIOR };

static const struct foreign_row foreign_rows[] = {
	{ "kmalloc object", FOREIGN_KMALLOC, "bufpool never allocated" },
	{ "stack buffer", FOREIGN_STACK, "bufpool never allocated" },
	{ "module global", FOREIGN_GLOBAL, "not in the kernel's direct map" },
	{ "inside a live slice", FOREIGN_INTERIOR,
	  "which is inside a chunk but is no slice" },
};

static void foreign_desc(const struct foreign_row *row, char *desc)
{
	strscpy(desc, row->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(foreign, foreign_rows, foreign_desc);

/* A pointer bufpool never handed out: reported, left alone, no crash. */
static void foreign_pointer(struct kunit *test)
{
	const struct foreign_row *row = test->param_value;
	long misuses = bp_stat(NULL, BUFPOOL_STAT_MISUSES) +
		       bp_stat(test->priv, BUFPOOL_STAT_MISUSES);
	u8 stack[64], *p, *owner = NULL;
	struct bp_log log;
	char who[48];

	switch (row->kind) {
	case FOREIGN_KMALLOC:
		p = kunit_kmalloc(test, 64, GFP_KERNEL);
		break;
	case FOREIGN_STACK:
		p = stack;
		break;
	case FOREIGN_GLOBAL:
		p = foreign_global;
		break;
	default:
		owner = bufpool_pool_alloc_unsafe(test->priv, 64, GFP_KERNEL);
		p = owner ? owner + 8 : NULL;
		break;
	}
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x77, 8);
	bp_log_mark(&log);
	bp_expect_begin(test);
	bufpool_free(p);
	bp_expect_end(test);
	snprintf(who, sizeof(who), "misuse: %s+", __func__);
	KUNIT_EXPECT_TRUE_MSG(test, bp_log_has(&log, who, row->says, NULL),
			      "no misuse report saying \"%s\"", row->says);
	KUNIT_EXPECT_EQ(test, bp_stat(NULL, BUFPOOL_STAT_MISUSES) +
			bp_stat(test->priv, BUFPOOL_STAT_MISUSES), misuses + 1);
	KUNIT_EXPECT_TRUE(test, bp_all_bytes(p, 0x77, 8));
	bufpool_free(owner);
}

static struct kunit_case debug_cases[] = {
	KUNIT_CASE(poison_write_after_free),
	KUNIT_CASE(redzone_overrun),
	KUNIT_CASE(clean_use),
	KUNIT_CASE(debug_chunk_becomes_spare),
	KUNIT_CASE_PARAM(debug_large_align, large_align_gen_params),
	KUNIT_CASE(corrupted_slice_size),
	KUNIT_CASE(corrupted_chunk_header),
	KUNIT_CASE(corrupted_chunk_header_retired),
	KUNIT_CASE(corrupted_chunk_used),
	KUNIT_CASE(owners),
	KUNIT_CASE(owner_without_symbol),
	KUNIT_CASE(owners_after_corrupted_header),
	KUNIT_CASE(double_free_slice),
	KUNIT_CASE(double_free_direct),
	KUNIT_CASE(double_free_direct_large),
	KUNIT_CASE_PARAM(foreign_pointer, foreign_gen_params),
	{}
};

static struct kunit_suite debug_suite = {
	.name = "bufpool_debug",
	.init = debug_pool_init,
	.exit = debug_pool_exit,
	.test_cases = debug_cases,
};

/* -- Fault injection ---------------------------------------------------------- */

/*
 * current->fail_nth makes the nth fault-injection point this task passes
 * fail, whatever its attribute's settings: 1 is fail_bufpool, which every
 * path asks first; 2 is the allocator under it, FAILSLAB for a direct
 * buffer or FAIL_PAGE_ALLOC for a fresh chunk. GFP_ATOMIC, because both
 * ignore allocations that may reclaim by default.
 */
#define FAULT_GFP	(GFP_ATOMIC | __GFP_NOWARN)

/*
 * The chunk of the pool the faults are injected in: the default, or two
 * pages where one page is the default (64 KB pages). FAIL_PAGE_ALLOC
 * passes over allocations of order 0 unless its min-order is set, and
 * this module cannot set it: the debugfs file refuses kernel_write().
 */
#define FAULT_CHUNK	max_t(unsigned int, CHUNK, 2 * PAGE_SIZE)
/* At its threshold or above, served directly: 5000 at 8 KB. */
#define FAULT_DIRECT	(FAULT_CHUNK / 2 + 904)
/* What the copies copy. */
#define FAULT_SRC	100

struct fault_row {
	const char *desc;
	unsigned int nth;
	int path;
	bool served;	/* no chunk, but served directly: no failure */
};

enum { PATH_ALLOC, PATH_UNSAFE_POOLED, PATH_UNSAFE_DIRECT, PATH_SLOW, PATH_FROM };

static const struct fault_row fault_rows[] = {
	{ "fail_bufpool: alloc", 1, PATH_ALLOC },
	{ "fail_bufpool: unsafe pooled", 1, PATH_UNSAFE_POOLED },
	{ "fail_bufpool: unsafe direct", 1, PATH_UNSAFE_DIRECT },
	{ "fail_bufpool: slow", 1, PATH_SLOW },
	{ "fail_bufpool: from", 1, PATH_FROM },
	{ "FAILSLAB: alloc", 2, PATH_ALLOC },
	{ "FAILSLAB: unsafe direct", 2, PATH_UNSAFE_DIRECT },
	{ "FAILSLAB: slow", 2, PATH_SLOW },
	{ "FAIL_PAGE_ALLOC: unsafe pooled, served direct", 2,
	  PATH_UNSAFE_POOLED, true },
	{ "FAIL_PAGE_ALLOC: from, served direct", 2, PATH_FROM, true },
};

static void fault_desc(const struct fault_row *row, char *desc)
{
	strscpy(desc, row->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault, fault_rows, fault_desc);

static void *fault_call_gfp(struct bufpool *pool, int path, const u8 *src,
			    gfp_t gfp)
{
	switch (path) {
	case PATH_ALLOC:
		return bufpool_pool_alloc(pool, 100, gfp);
	case PATH_UNSAFE_POOLED:
		return bufpool_pool_alloc_unsafe(pool, 100, gfp);
	case PATH_UNSAFE_DIRECT:
		return bufpool_pool_alloc_unsafe(pool, FAULT_DIRECT, gfp);
	case PATH_SLOW:
		return bufpool_pool_alloc_unsafe_slow(pool, 100, gfp);
	default:
		return bufpool_pool_from(pool, src, FAULT_SRC, gfp);
	}
}

static void *fault_call(struct bufpool *pool, int path, const u8 *src)
{
	return fault_call_gfp(pool, path, src, FAULT_GFP);
}

/* The pool of a fault case, fresh, and the source of its copies, @src. */
static struct bufpool *fault_pool(struct kunit *test, u8 *src)
{
	const struct bufpool_params params = { .pool_size = FAULT_CHUNK };
	struct bufpool *pool;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
	pool = bufpool_create("kunit-fault", &params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	memset(src, 1, FAULT_SRC);
	return pool;
}

static void injected_failure(struct kunit *test)
{
	const struct fault_row *row = test->param_value;
	struct bufpool_stats before, after;
	struct bufpool *pool;
	u8 src[FAULT_SRC];
	void *buf;

	pool = fault_pool(test, src);
	bufpool_get_stats(pool, &before);

	/* The pool is fresh: a pooled request needs a chunk first. */
#ifdef CONFIG_FAULT_INJECTION
	current->fail_nth = row->nth;
	buf = fault_call(pool, row->path, src);
	current->fail_nth = 0;
#else
	buf = NULL;
#endif
	bufpool_get_stats(pool, &after);
	if (row->served) {
		KUNIT_EXPECT_NOT_NULL(test, buf);
		KUNIT_EXPECT_FALSE(test, bufpool_is_pooled(buf));
		KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, CHUNK_FALLBACKS), 1);
		KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FAILURES), 0);
		KUNIT_EXPECT_EQ(test, after.v[BUFPOOL_STAT_DIRECT_LIVE], 1);
	} else {
		KUNIT_EXPECT_NULL(test, buf);
		KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FAILURES), 1);
	}
	bufpool_free(buf);

	/* The pool keeps working. */
	buf = fault_call(pool, row->path, src);
	KUNIT_EXPECT_NOT_NULL(test, buf);
	bufpool_free(buf);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	bufpool_destroy(pool);
}

/*
 * A request with __GFP_NOFAIL, whose caller does not check for NULL, is
 * never failed by fail_bufpool, as failslab and fail_page_alloc never fail
 * one: with fail_nth 1 every path and the bulk call serve it.
 */
static const char * const nofail_paths[] = {
	"alloc", "unsafe pooled", "unsafe direct", "slow", "from", "bulk",
};

static void nofail_desc(const char * const *path, char *desc)
{
	strscpy(desc, *path, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nofail, nofail_paths, nofail_desc);

static void nofail_never_injected(struct kunit *test)
{
	const int path = (const char * const *)test->param_value - nofail_paths;
	const bool bulk = path == ARRAY_SIZE(nofail_paths) - 1;
	const gfp_t gfp = GFP_KERNEL | __GFP_NOFAIL;
	struct bufpool_stats before, after;
	struct bufpool *pool;
	void *bufs[4] = {};
	size_t n = 1, i;
	u8 src[FAULT_SRC];

	pool = fault_pool(test, src);
	bufpool_get_stats(pool, &before);
	/*
	 * The fault point after bufpool's may fail (a chunk, without the
	 * caller's __GFP_NOFAIL): the request is served directly then.
	 */
#ifdef CONFIG_FAULT_INJECTION
	current->fail_nth = 1;
#endif
	if (bulk)
		n = bufpool_pool_alloc_bulk(pool, 100, gfp, ARRAY_SIZE(bufs),
					    bufs);
	else
		bufs[0] = fault_call_gfp(pool, path, src, gfp);
#ifdef CONFIG_FAULT_INJECTION
	current->fail_nth = 0;
#endif
	bufpool_get_stats(pool, &after);
	KUNIT_EXPECT_EQ(test, BP_DELTA(after, before, FAILURES), 0);
	KUNIT_EXPECT_EQ(test, n, bulk ? ARRAY_SIZE(bufs) : 1);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_NOT_NULL(test, bufs[i]);
	bufpool_free_bulk(n, bufs);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_DIRECT_LIVE), 0);
	bufpool_destroy(pool);
}

/* from_user: -ENOMEM when fail_bufpool fires. */
static void injected_from_user(struct kunit *test)
{
	void *buf;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#ifdef CONFIG_FAULT_INJECTION
	current->fail_nth = 1;
	buf = bufpool_from_user(NULL, 16);
	current->fail_nth = 0;
#else
	buf = NULL;
#endif
	KUNIT_EXPECT_PTR_EQ(test, buf, ERR_PTR(-ENOMEM));
}

static struct kunit_case fault_cases[] = {
	KUNIT_CASE_PARAM(injected_failure, fault_gen_params),
	KUNIT_CASE_PARAM(nofail_never_injected, nofail_gen_params),
	KUNIT_CASE(injected_from_user),
	{}
};

static struct kunit_suite fault_suite = {
	.name = "bufpool_faults",
	.test_cases = fault_cases,
};

#ifdef CONFIG_KASAN
kunit_test_suites(&debug_suite, &fault_suite, &kasan_suite);
#else
kunit_test_suites(&debug_suite, &fault_suite);
#endif
