// SPDX-License-Identifier: GPL-2.0
/*
 * bufpool_bench - bufpool against kmalloc, page_frag and the page allocator
 *
 * The whole benchmark runs in the module's init function and prints its
 * results with pr_info(); the module then stays loaded, doing nothing,
 * until it is unloaded. `make bench` loads it into Debian's stock kernel
 * under QEMU (tools/testing/bench.sh).
 *
 * Contenders, each called with GFP_ATOMIC:
 *
 *   bufpool_alloc_unsafe       the pooled path, bufpool_free()
 *   bufpool_alloc              zeroed, direct
 *   bufpool_alloc_unsafe_slow  direct
 *   bufpool_alloc_bulk         the pooled path in bulk: pattern b's batch
 *                              in one bufpool_alloc_bulk() and one
 *                              bufpool_free_bulk(), a call of one each
 *                              elsewhere
 *   kmalloc                    kmalloc(), kfree()
 *   page_frag                  page_frag_alloc() on a per-CPU
 *                              page_frag_cache with interrupts off around
 *                              it, as netdev_alloc_frag() does, and
 *                              page_frag_free()
 *   alloc_pages                alloc_pages() of get_order(size), and
 *                              __free_pages()
 *
 * Each is timed in the same loop, specialised for it by the compiler, so
 * that no indirect call or branch on the contender sits in the loop.
 * Sizes passed to page_frag are rounded up to 8 bytes, which keeps its
 * fragments 8-byte aligned as bufpool's slices and kmalloc's objects are.
 *
 * Patterns:
 *
 *   a   alloc then free at once, on one CPU;
 *   b   a batch of allocations, then their frees in the same order;
 *   c   pattern a on every CPU at once; also run on 1 and 2 CPUs, the
 *       scaling of its throughput is reported;
 *   d   a producer on one CPU allocates, a consumer on another frees,
 *       through a ring, as received packets travel.
 *
 * Every measurement is a fixed number of alloc+free pairs after a warm-up
 * of its own (in pattern d, of at least BB_D_WARMUP_BYTES), timed with
 * ktime_get_ns() in kthreads bound to their CPUs.
 * Repetitions are interleaved across contenders, in an order rotated by
 * one at each repetition, and each cell reports the median and the
 * spread, (max - min) / median, of its repetitions.
 *
 * Memory: the bytes held per byte requested by bufpool's pooled path and
 * by kmalloc, for random sizes freed in FIFO order, with and without 1%
 * of long-lived stragglers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bufpool.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/version.h>

/* bufpool's compat (kzalloc_obj() and the like), from BUFPOOL_DIR's tree. */
#include "compat.h"

/*
 * The benchmark's own compat, for page_frag (bufpool has none of it): 6.13
 * moved page_frag out of gfp.h and mm_types.h into its own header, and
 * packed the cache's state so that it has no ->va; page_frag_cache_drain(),
 * there by 6.12 and not in 6.1, empties a cache whatever its layout.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#include <linux/page_frag_cache.h>
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
static void page_frag_cache_drain(struct page_frag_cache *nc)
{
	if (nc->va)
		__page_frag_cache_drain(virt_to_head_page(nc->va),
					nc->pagecnt_bias);
	nc->va = NULL;
}
#endif

#define BB_GFP		GFP_ATOMIC
#define BB_ALIGN	8
#define BB_MAX_SIZES	16
#define BB_MAX_REPS	31
#define BB_MAX_SIZE	32768	/* what a page_frag_cache can give */
#define BB_RING_SLOTS	1024	/* pattern d's ring, a power of two */
/*
 * Pattern d's warm-up allocates at least this many bytes: three of the
 * largest block a contender but alloc_pages frees (page_frag's 32 KB;
 * bufpool's default chunk is 8 KB). The consumer's CPU only frees, so the
 * previous contender's frees pile up in its per-CPU page lists, and 6.12
 * drains them whole (free_high, in free_unref_page_commit()) at the
 * second free of an order 1 to 3 block that follows: whichever contender
 * frees one first pays for alloc_pages' pages. That drain lands in the
 * warm-up, not in the timed part, whatever the size.
 */
#define BB_D_WARMUP_BYTES	(3 * BB_MAX_SIZE)
#define BB_SPINS	2000	/* spins before a waiting thread sleeps */
#define BB_SEED		20240611
#define BB_LINE		256
/* A thread's or a cell's slots: each contender, then each one's solo base. */
#define BB_SLOTS	(2 * BB_NR_CONTENDERS)

enum bb_contender {
	BB_POOLED,
	BB_ZEROED,
	BB_SLOW,
	BB_BULK,
	BB_KMALLOC,
	BB_PAGEFRAG,
	BB_PAGES,
	BB_NR_CONTENDERS,
};

static const char * const bb_names[BB_NR_CONTENDERS] = {
	[BB_POOLED]	= "bufpool_alloc_unsafe",
	[BB_ZEROED]	= "bufpool_alloc",
	[BB_SLOW]	= "bufpool_alloc_unsafe_slow",
	[BB_BULK]	= "bufpool_alloc_bulk",
	[BB_KMALLOC]	= "kmalloc",
	[BB_PAGEFRAG]	= "page_frag",
	[BB_PAGES]	= "alloc_pages",
};

static char *contenders;
module_param(contenders, charp, 0444);
MODULE_PARM_DESC(contenders,
		 "contenders to time, comma-separated names as in the tables (default all)");

/* The contenders timed, in their order, from the contenders parameter. */
static enum bb_contender bb_on[BB_NR_CONTENDERS];
static unsigned int bb_nr_on;
static bool bb_is_on[BB_NR_CONTENDERS];

static unsigned int sizes[BB_MAX_SIZES] = { 16, 64, 256, 1024, 4000 };
static unsigned int nr_sizes = 5;
module_param_array(sizes, uint, &nr_sizes, 0444);
MODULE_PARM_DESC(sizes,
		 "request sizes in bytes, 1 to 32768, comma-separated (default 16,64,256,1024,4000)");

static char *patterns = "abcd";
module_param(patterns, charp, 0444);
MODULE_PARM_DESC(patterns,
		 "patterns to run, any of a (alloc then free), b (batch), c (every CPU at once, with scaling), d (cross-CPU ring) (default abcd)");

static unsigned long iters = 4000;
module_param(iters, ulong, 0444);
MODULE_PARM_DESC(iters,
		 "timed alloc+free pairs per repetition, per CPU (default 4000)");

static unsigned long warmup = 1000;
module_param(warmup, ulong, 0444);
MODULE_PARM_DESC(warmup,
		 "untimed pairs before each timed repetition (default 1000)");

static unsigned int reps = 21;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps,
		 "repetitions per cell, 1 to 31; the median is reported (default 21)");

static unsigned int batch = 512;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch,
		 "allocations per batch in pattern b, 1 to 65536 (default 512)");

static bool mem = true;
module_param(mem, bool, 0444);
MODULE_PARM_DESC(mem,
		 "run the memory workloads (default 1)");

static unsigned int mem_ops = 20000;
module_param(mem_ops, uint, 0444);
MODULE_PARM_DESC(mem_ops,
		 "allocations per memory workload (default 20000)");

static unsigned int mem_live = 1024;
module_param(mem_live, uint, 0444);
MODULE_PARM_DESC(mem_live,
		 "buffers live at once in the memory workloads' FIFO (default 1024)");

static unsigned int mem_max = 4095;
module_param(mem_max, uint, 0444);
MODULE_PARM_DESC(mem_max,
		 "largest random size in the memory workloads: below bufpool's threshold, all pooled (default 4095)");

/* page_frag's per-CPU caches, as the networking core keeps them. */
static struct page_frag_cache __percpu *bb_frag;

enum bb_role {
	BB_ROLE_SINGLE,		/* patterns a and c */
	BB_ROLE_BATCH,		/* pattern b */
	BB_ROLE_PRODUCE,	/* pattern d */
	BB_ROLE_CONSUME,	/* pattern d */
	BB_ROLE_MEM,		/* the memory workloads */
};

/* A single-producer, single-consumer ring of buffers. */
struct bb_ring {
	void **slot;
	unsigned long head ____cacheline_aligned_in_smp;	/* producer's */
	unsigned long tail ____cacheline_aligned_in_smp;	/* consumer's */
};

/* One cell: a pattern and a size, every contender, every repetition. */
struct bb_job {
	unsigned int size;
	unsigned int order;
	unsigned long warmup;
	unsigned long iters;
	unsigned int nthreads;
	bool solo_too;		/* pattern c on several CPUs: see below */
	atomic_t arrived;	/* at the barrier */
	atomic_t gen;		/* barriers passed */
	struct bb_ring ring;
};

/* The outcome of one memory workload. */
struct bb_mem {
	enum bb_contender c;
	bool stragglers;
	u64 requested;		/* bytes asked for by the live buffers */
	u64 held;		/* chunks they pin (bufpool), ksize() (kmalloc) */
	u64 pages;		/* distinct pages or slabs under them */
	u64 used;		/* base pages a live byte lies in */
	unsigned int live;	/* live buffers at the end */
	unsigned int kept;	/* of which stragglers */
};

struct bb_thread {
	struct bb_job *job;
	enum bb_role role;
	enum bb_contender c;	/* being measured */
	unsigned int cpu;
	unsigned int idx;	/* in its job */
	void **slot;		/* pattern b's batch */
	struct bb_mem *mem;
	u64 *ns;		/* [rep][slot], 0 if this thread does not time */
	struct task_struct *task;
	struct completion done;
	int err;
};

/* A pattern as run: c appears once per CPU count. */
struct bb_pattern {
	char name[8];
	char kind;
	unsigned int ncpus;
};

static __always_inline void *bb_frag_alloc(unsigned int size)
{
	unsigned long flags;
	void *p;

	local_irq_save(flags);
	p = page_frag_alloc(this_cpu_ptr(bb_frag), size, BB_GFP);
	local_irq_restore(flags);
	return p;
}

static __always_inline void *bb_alloc(enum bb_contender c, unsigned int size,
				      unsigned int order)
{
	void *p;

	switch (c) {
	case BB_POOLED:
		return bufpool_alloc_unsafe(size, BB_GFP);
	case BB_ZEROED:
		return bufpool_alloc(size, BB_GFP);
	case BB_SLOW:
		return bufpool_alloc_unsafe_slow(size, BB_GFP);
	case BB_BULK:
		/* One at a time outside pattern b: a bulk call of one. */
		return bufpool_alloc_bulk(size, BB_GFP, 1, &p) ? p : NULL;
	case BB_KMALLOC:
		return kmalloc(size, BB_GFP);
	case BB_PAGEFRAG:
		return bb_frag_alloc(size);
	case BB_PAGES:
		return alloc_pages(BB_GFP, order);
	default:
		return NULL;
	}
}

static __always_inline void bb_free(enum bb_contender c, void *p,
				    unsigned int order)
{
	switch (c) {
	case BB_POOLED:
	case BB_ZEROED:
	case BB_SLOW:
		bufpool_free(p);
		break;
	case BB_BULK:
		bufpool_free_bulk(1, &p);
		break;
	case BB_KMALLOC:
		kfree(p);
		break;
	case BB_PAGEFRAG:
		page_frag_free(p);
		break;
	case BB_PAGES:
		__free_pages(p, order);
		break;
	default:
		break;
	}
}

/*
 * A thread waiting for another spins a while, then sleeps a little: under
 * QEMU a spinning vCPU holds a host CPU that the one it waits for may be
 * waiting for, when the host is busy.
 */
static void bb_wait(unsigned int *spins)
{
	if (++*spins < BB_SPINS) {
		cpu_relax();
		return;
	}
	*spins = 0;
	usleep_range(20, 50);
}

/* Pattern a: alloc then free at once. */
static __always_inline int bb_loop_single(enum bb_contender c,
					  unsigned int size, unsigned int order,
					  unsigned long n)
{
	unsigned long i;
	void *p;

	for (i = 0; i < n; i++) {
		p = bb_alloc(c, size, order);
		if (unlikely(!p))
			return -ENOMEM;
		bb_free(c, p, order);
	}
	return 0;
}

/* Pattern b: a batch of allocations, then their frees, oldest first. */
static __always_inline int bb_loop_batch(enum bb_contender c,
					 unsigned int size, unsigned int order,
					 void **slot, unsigned long n)
{
	unsigned int j, k;
	unsigned long i;

	for (i = 0; i < n; i += batch) {
		/* The bulk calls take the batch at once. */
		if (c == BB_BULK) {
			if (unlikely(!bufpool_alloc_bulk(size, BB_GFP, batch,
							 slot)))
				return -ENOMEM;
			bufpool_free_bulk(batch, slot);
			continue;
		}
		for (j = 0; j < batch; j++) {
			slot[j] = bb_alloc(c, size, order);
			if (unlikely(!slot[j]))
				break;
		}
		for (k = 0; k < j; k++)
			bb_free(c, slot[k], order);
		if (unlikely(j < batch))
			return -ENOMEM;
	}
	return 0;
}

/* Pattern d's producer. A failed allocation still sends NULL along. */
static __always_inline int bb_loop_produce(enum bb_contender c,
					   unsigned int size,
					   unsigned int order,
					   struct bb_ring *r, unsigned long n)
{
	unsigned long head = r->head, tail = head - BB_RING_SLOTS;
	unsigned int spins = 0;
	unsigned long i;
	int err = 0;
	void *p;

	for (i = 0; i < n; i++, head++) {
		p = bb_alloc(c, size, order);
		if (unlikely(!p))
			err = -ENOMEM;
		while (head - tail >= BB_RING_SLOTS) {
			bb_wait(&spins);
			/* Pairs with the consumer's release: slots it freed. */
			tail = smp_load_acquire(&r->tail);
		}
		r->slot[head & (BB_RING_SLOTS - 1)] = p;
		/* The slot is written before the consumer sees it. */
		smp_store_release(&r->head, head + 1);
	}
	return err;
}

/* Pattern d's consumer. */
static __always_inline void bb_loop_consume(enum bb_contender c,
					    unsigned int order,
					    struct bb_ring *r, unsigned long n)
{
	unsigned long tail = r->tail, head = tail;
	unsigned int spins = 0;
	unsigned long i;
	void *p;

	for (i = 0; i < n; i++, tail++) {
		while (head == tail) {
			bb_wait(&spins);
			/* Pairs with the producer's release: slots it filled. */
			head = smp_load_acquire(&r->head);
		}
		p = r->slot[tail & (BB_RING_SLOTS - 1)];
		/* The slot is read before the producer may reuse it. */
		smp_store_release(&r->tail, tail + 1);
		if (likely(p))
			bb_free(c, p, order);
	}
}

static __always_inline int bb_work_as(enum bb_contender c,
				      struct bb_thread *t, unsigned long n)
{
	struct bb_job *job = t->job;
	unsigned int size = job->size, order = job->order;

	if (c == BB_PAGEFRAG)
		size = ALIGN(size, BB_ALIGN);
	switch (t->role) {
	case BB_ROLE_SINGLE:
		return bb_loop_single(c, size, order, n);
	case BB_ROLE_BATCH:
		return bb_loop_batch(c, size, order, t->slot, n);
	case BB_ROLE_PRODUCE:
		return bb_loop_produce(c, size, order, &job->ring, n);
	case BB_ROLE_CONSUME:
		bb_loop_consume(c, order, &job->ring, n);
		return 0;
	default:
		return -EINVAL;
	}
}

/* n pairs of the thread's role, the loop specialised for its contender. */
static noinline int bb_work(struct bb_thread *t, unsigned long n)
{
	switch (t->c) {
	case BB_POOLED:
		return bb_work_as(BB_POOLED, t, n);
	case BB_ZEROED:
		return bb_work_as(BB_ZEROED, t, n);
	case BB_SLOW:
		return bb_work_as(BB_SLOW, t, n);
	case BB_BULK:
		return bb_work_as(BB_BULK, t, n);
	case BB_KMALLOC:
		return bb_work_as(BB_KMALLOC, t, n);
	case BB_PAGEFRAG:
		return bb_work_as(BB_PAGEFRAG, t, n);
	case BB_PAGES:
		return bb_work_as(BB_PAGES, t, n);
	default:
		return -EINVAL;
	}
}

/* Every thread of a job waits here until all have arrived. */
static void bb_barrier(struct bb_job *job)
{
	int gen = atomic_read(&job->gen);
	unsigned int spins = 0;

	if (atomic_inc_return(&job->arrived) == job->nthreads) {
		atomic_set(&job->arrived, 0);
		/* Fully ordered: the reset is seen before the release. */
		atomic_inc_return(&job->gen);
		return;
	}
	while (atomic_read_acquire(&job->gen) == gen)
		bb_wait(&spins);
}

static int bb_cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sorts the @n words of @v and returns how many distinct ones they hold;
 * @weight, where set, gives each distinct word's bytes (else PAGE_SIZE).
 */
static u64 bb_distinct(unsigned long *v, unsigned int n,
		       u64 (*weight)(unsigned long))
{
	unsigned int i;
	u64 sum = 0;

	sort(v, n, sizeof(*v), bb_cmp_ptr, NULL);
	for (i = 0; i < n; i++)
		if (!i || v[i] != v[i - 1])
			sum += weight ? weight(v[i]) : PAGE_SIZE;
	return sum;
}

static u64 bb_page_bytes(unsigned long page)
{
	return page_size((struct page *)page);
}

/*
 * Notes the head page of the live buffer @p of @size in @pg and the base
 * pages its bytes lie in, at most bb_mem_span() of them, in @pfn.
 */
static void bb_mem_note(const void *p, unsigned int size, unsigned long *pg,
			unsigned int *n, unsigned long *pfn, unsigned int *npfn)
{
	unsigned long first = (unsigned long)p >> PAGE_SHIFT;
	unsigned long last = ((unsigned long)p + size - 1) >> PAGE_SHIFT;

	pg[(*n)++] = (unsigned long)virt_to_head_page(p);
	while (first <= last)
		pfn[(*npfn)++] = first++;
}

/* The most base pages a buffer of up to mem_max bytes lies in. */
static unsigned int bb_mem_span(void)
{
	return DIV_ROUND_UP(mem_max, PAGE_SIZE) + 1;
}

/*
 * One memory workload: mem_ops allocations of 1 to mem_max bytes, the
 * last mem_live of them live and freed oldest first; with stragglers, one
 * allocation in a hundred is kept until the end instead. What the live
 * buffers hold is measured at the end. The sizes are the same for every
 * contender and both workloads.
 */
static int bb_mem_run(struct bb_mem *m)
{
	unsigned int cap = mem_ops / 50 + 1, kept = 0, n = 0, npfn = 0, i, size;
	unsigned long *pg = NULL, *pfn = NULL;
	unsigned long head = 0, tail = 0, op;
	unsigned int *fsize, *ssize;
	void **fifo, **keep;
	struct rnd_state rnd;
	int err = -ENOMEM;
	bool straggler;
	void *p;

	fifo = kcalloc(mem_live, sizeof(*fifo), GFP_KERNEL);
	fsize = kcalloc(mem_live, sizeof(*fsize), GFP_KERNEL);
	keep = kcalloc(cap, sizeof(*keep), GFP_KERNEL);
	ssize = kcalloc(cap, sizeof(*ssize), GFP_KERNEL);
	if (!fifo || !fsize || !keep || !ssize)
		goto out;

	prandom_seed_state(&rnd, BB_SEED);
	for (op = 0; op < mem_ops; op++) {
		size = 1 + prandom_u32_state(&rnd) % mem_max;
		straggler = prandom_u32_state(&rnd) % 100 == 0;
		p = m->c == BB_POOLED ? bufpool_alloc_unsafe(size, GFP_KERNEL) :
					kmalloc(size, GFP_KERNEL);
		if (!p)
			goto free;
		if (m->stragglers && straggler && kept < cap) {
			keep[kept] = p;
			ssize[kept++] = size;
			continue;
		}
		if (head - tail == mem_live) {
			bb_free(m->c, fifo[tail % mem_live], 0);
			tail++;
		}
		fifo[head % mem_live] = p;
		fsize[head % mem_live] = size;
		head++;
	}

	pg = kcalloc(mem_live + cap, sizeof(*pg), GFP_KERNEL);
	pfn = kcalloc((mem_live + cap) * bb_mem_span(), sizeof(*pfn), GFP_KERNEL);
	if (!pg || !pfn)
		goto free;
	m->requested = 0;
	m->held = 0;
	for (op = tail; op < head; op++) {
		p = fifo[op % mem_live];
		m->requested += fsize[op % mem_live];
		bb_mem_note(p, fsize[op % mem_live], pg, &n, pfn, &npfn);
		if (m->c == BB_KMALLOC)
			m->held += ksize(p);
	}
	for (i = 0; i < kept; i++) {
		m->requested += ssize[i];
		bb_mem_note(keep[i], ssize[i], pg, &n, pfn, &npfn);
		if (m->c == BB_KMALLOC)
			m->held += ksize(keep[i]);
	}
	m->pages = bb_distinct(pg, n, bb_page_bytes);
	m->used = bb_distinct(pfn, npfn, NULL);
	if (m->c == BB_POOLED)
		m->held = m->pages;
	m->live = n;
	m->kept = kept;
	err = 0;
free:
	while (tail < head)
		bb_free(m->c, fifo[tail++ % mem_live], 0);
	for (i = 0; i < kept; i++)
		bb_free(m->c, keep[i], 0);
out:
	kfree(pfn);
	kfree(pg);
	kfree(ssize);
	kfree(keep);
	kfree(fsize);
	kfree(fifo);
	return err;
}

/*
 * Pattern c on several CPUs also times its base, the first thread alone
 * while the others wait, in the same repetition: the scaling compares
 * measurements taken moments apart, not minutes, which the host's other
 * load would skew.
 */
static int bb_solo(struct bb_thread *t, unsigned int rep)
{
	struct bb_job *job = t->job;
	u64 t0;
	int err = 0;

	if (t->idx == 0)
		err = bb_work(t, job->warmup);
	bb_barrier(job);
	if (t->idx == 0) {
		t0 = ktime_get_ns();
		if (!err)
			err = bb_work(t, job->iters);
		t->ns[rep * BB_SLOTS + BB_NR_CONTENDERS + t->c] =
			ktime_get_ns() - t0;
	}
	bb_barrier(job);
	return err;
}

/*
 * Every repetition of every contender, interleaved: the contenders in
 * turn, their order rotated by one at each repetition. Each measurement
 * is a warm-up, then the timed pairs; the threads of the job start each
 * timed part together and wait for each other at its end.
 */
static void bb_measure_all(struct bb_thread *t)
{
	struct bb_job *job = t->job;
	unsigned int rep, k;
	u64 t0;
	int err;

	for (rep = 0; rep < reps; rep++) {
		for (k = 0; k < bb_nr_on; k++) {
			t->c = bb_on[(k + rep) % bb_nr_on];
			t0 = 0;
			switch (t->role) {
			case BB_ROLE_PRODUCE:
				bb_barrier(job);
				err = bb_work(t, job->warmup + job->iters);
				break;
			case BB_ROLE_CONSUME:
				bb_barrier(job);
				bb_work(t, job->warmup);
				t0 = ktime_get_ns();
				err = bb_work(t, job->iters);
				break;
			default:
				if (job->solo_too)
					err = bb_solo(t, rep);
				if (!err)
					err = bb_work(t, job->warmup);
				bb_barrier(job);
				t0 = ktime_get_ns();
				if (!err)
					err = bb_work(t, job->iters);
				break;
			}
			if (t0)
				t->ns[rep * BB_SLOTS + t->c] = ktime_get_ns() - t0;
			if (err && !t->err)
				t->err = err;
			bb_barrier(job);
		}
	}
}

static int bb_thread_fn(void *data)
{
	struct bb_thread *t = data;

	if (t->role == BB_ROLE_MEM)
		t->err = bb_mem_run(t->mem);
	else
		bb_measure_all(t);
	kthread_complete_and_exit(&t->done, 0);
}

/* Runs a job on threads t[0..n-1], whose role and cpu are set. */
static int bb_run(struct bb_job *job, struct bb_thread *t, unsigned int n)
{
	unsigned int i;

	job->nthreads = n;
	atomic_set(&job->arrived, 0);
	atomic_set(&job->gen, 0);
	job->ring.head = 0;
	job->ring.tail = 0;
	for (i = 0; i < n; i++) {
		t[i].job = job;
		t[i].idx = i;
		t[i].err = 0;
		if (t[i].ns)
			memset(t[i].ns, 0, reps * BB_SLOTS * sizeof(u64));
		init_completion(&t[i].done);
		t[i].task = kthread_create_on_cpu(bb_thread_fn, &t[i], t[i].cpu,
						  "bufpool_bench/%u");
		if (IS_ERR(t[i].task)) {
			int err = PTR_ERR(t[i].task);

			/* Never woken, they stop before running bb_thread_fn. */
			while (i--)
				kthread_stop(t[i].task);
			return err;
		}
	}
	for (i = 0; i < n; i++)
		wake_up_process(t[i].task);
	for (i = 0; i < n; i++)
		wait_for_completion(&t[i].done);
	for (i = 0; i < n; i++)
		if (t[i].err)
			return t[i].err;
	return 0;
}

/* A number printed in fixed point, for a %s. */
struct bb_num {
	char s[24];
};

/* Picoseconds as nanoseconds with one decimal: "61.2". */
static const char *bb_ns(struct bb_num *b, u64 ps)
{
	unsigned int t = div_u64(ps + 50, 100);

	snprintf(b->s, sizeof(b->s), "%u.%u", t / 10, t % 10);
	return b->s;
}

/* Thousandths with two decimals, "1.05", or three, "1.048". */
static const char *bb_x(struct bb_num *b, unsigned int m, bool three)
{
	if (three) {
		snprintf(b->s, sizeof(b->s), "%u.%03u", m / 1000, m % 1000);
	} else {
		m = (m + 5) / 10;
		snprintf(b->s, sizeof(b->s), "%u.%02u", m / 100, m % 100);
	}
	return b->s;
}

struct bb_state {
	struct bb_pattern pat[8];
	unsigned int npat;
	unsigned int *cpus;		/* the online CPUs, in order */
	unsigned int ncpus;		/* online CPUs */
	u64 *ps;			/* [pat][size][contender][rep] */
	struct bb_thread *t;
	struct bb_job job;
	struct bb_mem mem[4];
	unsigned int nmem;
};

static u64 *bb_cell(struct bb_state *s, unsigned int p, unsigned int z,
		    unsigned int c)
{
	return &s->ps[((p * nr_sizes + z) * BB_SLOTS + c) * reps];
}

static int bb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of a cell's repetitions, in picoseconds. */
static void bb_stats(struct bb_state *s, unsigned int p, unsigned int z,
		     unsigned int c, u64 *med, u64 *lo, u64 *hi)
{
	u64 v[BB_MAX_REPS];

	memcpy(v, bb_cell(s, p, z, c), reps * sizeof(*v));
	sort(v, reps, sizeof(*v), bb_cmp_u64, NULL);
	*lo = v[0];
	*hi = v[reps - 1];
	*med = reps & 1 ? v[reps / 2] : (v[reps / 2 - 1] + v[reps / 2]) / 2;
}

static u64 bb_median(struct bb_state *s, unsigned int p, unsigned int z,
		     unsigned int c)
{
	u64 med, lo, hi;

	bb_stats(s, p, z, c, &med, &lo, &hi);
	return med;
}

/* a / b in thousandths. */
static unsigned int bb_ratio(u64 a, u64 b)
{
	return b ? div64_u64(a * 1000, b) : 0;
}

static int bb_pattern_index(struct bb_state *s, const char *name)
{
	unsigned int p;

	for (p = 0; p < s->npat; p++)
		if (!strcmp(s->pat[p].name, name))
			return p;
	return -1;
}

/*
 * One cell, every contender and repetition, stored in picoseconds per
 * pair. With several threads timing, a repetition lasts as long as the
 * slowest of them.
 */
static int bb_measure(struct bb_state *s, unsigned int p, unsigned int z)
{
	struct bb_pattern *pat = &s->pat[p];
	struct bb_job *job = &s->job;
	struct bb_thread *t = s->t;
	unsigned int i, k, c, rep, n = 1;
	u64 ns;
	int err;

	job->size = sizes[z];
	job->order = get_order(sizes[z]);
	job->warmup = warmup;
	job->iters = iters;
	job->solo_too = false;
	switch (pat->kind) {
	case 'a':
		t[0].role = BB_ROLE_SINGLE;
		t[0].cpu = s->cpus[0];
		break;
	case 'b':
		t[0].role = BB_ROLE_BATCH;
		t[0].cpu = s->cpus[0];
		job->warmup = roundup(warmup, batch);
		job->iters = roundup(iters, batch);
		break;
	case 'c':
		n = pat->ncpus;
		job->solo_too = n > 1;
		for (i = 0; i < n; i++) {
			t[i].role = BB_ROLE_SINGLE;
			t[i].cpu = s->cpus[i];
		}
		break;
	case 'd':
		n = 2;
		t[0].role = BB_ROLE_PRODUCE;
		t[0].cpu = s->cpus[0];
		t[1].role = BB_ROLE_CONSUME;
		t[1].cpu = s->cpus[1];
		job->warmup = max_t(unsigned long, warmup,
				    DIV_ROUND_UP(BB_D_WARMUP_BYTES, sizes[z]));
		break;
	}
	err = bb_run(job, t, n);
	if (err) {
		pr_err("pattern %s, %u B: error %d\n", pat->name, sizes[z],
		       err);
		return err;
	}
	for (k = 0; k < bb_nr_on; k++) {
		c = bb_on[k];
		for (rep = 0; rep < reps; rep++) {
			ns = 0;
			for (i = 0; i < n; i++)
				ns = max(ns, t[i].ns[rep * BB_SLOTS + c]);
			bb_cell(s, p, z, c)[rep] = div64_u64(ns * 1000,
							     job->iters);
			ns = t[0].ns[rep * BB_SLOTS + BB_NR_CONTENDERS + c];
			bb_cell(s, p, z, BB_NR_CONTENDERS + c)[rep] =
				div64_u64(ns * 1000, job->iters);
		}
	}
	return 0;
}

static const char *bb_describe(const struct bb_pattern *pat, char *buf,
			       size_t len)
{
	switch (pat->kind) {
	case 'a':
		return "alloc then free at once, one CPU";
	case 'b':
		snprintf(buf, len,
			 "%u allocations, then %u frees oldest first, one CPU",
			 batch, batch);
		return buf;
	case 'c':
		if (pat->ncpus == 1)
			return "pattern a in a kthread on one CPU, the base of the scaling";
		snprintf(buf, len,
			 "pattern a on %u CPUs at once; ns per pair on each CPU",
			 pat->ncpus);
		return buf;
	default:
		snprintf(buf, len,
			 "allocated on one CPU, freed on another, through a %u-slot ring; warm-up at least %u KB",
			 BB_RING_SLOTS, BB_D_WARMUP_BYTES / 1024);
		return buf;
	}
}

static void bb_print_table(struct bb_state *s, unsigned int p)
{
	unsigned int z, c, len, r;
	u64 med, lo, hi, base;
	char line[BB_LINE];
	struct bb_num b;

	pr_info("\n");
	pr_info("%s: %s\n", s->pat[p].name,
		bb_describe(&s->pat[p], line, sizeof(line)));
	len = scnprintf(line, sizeof(line), "  %-30s", "ns/pair, spread");
	for (z = 0; z < nr_sizes; z++)
		len += scnprintf(line + len, sizeof(line) - len, "%10u B   ",
				 sizes[z]);
	pr_info("%s\n", line);
	for (c = 0; c < BB_NR_CONTENDERS; c++) {
		if (!bb_is_on[c])
			continue;
		len = scnprintf(line, sizeof(line), "  %-30s", bb_names[c]);
		for (z = 0; z < nr_sizes; z++) {
			bb_stats(s, p, z, c, &med, &lo, &hi);
			len += scnprintf(line + len, sizeof(line) - len,
					 "%10s %3u%%", bb_ns(&b, med),
					 (bb_ratio(hi - lo, med) + 5) / 10);
		}
		pr_info("%s\n", line);
	}
	for (c = BB_KMALLOC; c <= BB_PAGEFRAG; c++) {
		if (!bb_is_on[c] || !bb_is_on[BB_POOLED])
			continue;
		len = scnprintf(line, sizeof(line), "  %-30s",
				c == BB_KMALLOC ? "bufpool_alloc_unsafe/kmalloc" :
						  "bufpool_alloc_unsafe/page_frag");
		for (z = 0; z < nr_sizes; z++) {
			base = bb_median(s, p, z, c);
			r = bb_ratio(bb_median(s, p, z, BB_POOLED), base);
			len += scnprintf(line + len, sizeof(line) - len,
					 "%11sx   ", bb_x(&b, r, false));
		}
		pr_info("%s\n", line);
	}
}

static void bb_print_lines(struct bb_state *s)
{
	struct bb_num b[5];
	u64 med, lo, hi, km, pf;
	unsigned int p, z, c;

	pr_info("\n");
	pr_info("bench-format: pattern size contender ns ratio_kmalloc ratio_pagefrag ns_min ns_max\n");
	for (p = 0; p < s->npat; p++)
		for (z = 0; z < nr_sizes; z++) {
			km = bb_median(s, p, z, BB_KMALLOC);
			pf = bb_median(s, p, z, BB_PAGEFRAG);
			for (c = 0; c < BB_NR_CONTENDERS; c++) {
				if (!bb_is_on[c])
					continue;
				bb_stats(s, p, z, c, &med, &lo, &hi);
				pr_info("bench: %s %u %s %s %s %s %s %s\n",
					s->pat[p].name, sizes[z], bb_names[c],
					bb_ns(&b[0], med),
					km ? bb_x(&b[1], bb_ratio(med, km),
						   true) : "-",
					pf ? bb_x(&b[2], bb_ratio(med, pf),
						   true) : "-",
					bb_ns(&b[3], lo), bb_ns(&b[4], hi));
			}
		}
}

/*
 * Throughput of pattern c on k CPUs over 1 CPU, in thousandths: against
 * the base timed in the same repetitions (bb_solo()).
 */
static unsigned int bb_speedup(struct bb_state *s, int pk, unsigned int z,
			       unsigned int c)
{
	return bb_ratio(s->pat[pk].ncpus *
			bb_median(s, pk, z, BB_NR_CONTENDERS + c),
			bb_median(s, pk, z, c));
}

static void bb_print_scaling(struct bb_state *s)
{
	unsigned int z, c, k, r, len;
	char line[BB_LINE];
	struct bb_num b;
	int pk;

	for (pk = 0; pk < s->npat; pk++) {
		if (s->pat[pk].kind != 'c' || s->pat[pk].ncpus == 1)
			continue;
		k = s->pat[pk].ncpus;
		pr_info("\n");
		pr_info("scaling: throughput of pattern c on %u CPUs over 1 CPU, timed alone in the same repetitions (ideal %u.00x)\n",
			k, k);
		len = scnprintf(line, sizeof(line), "  %-30s", "contender");
		for (z = 0; z < nr_sizes; z++)
			len += scnprintf(line + len, sizeof(line) - len,
					 "%10u B   ", sizes[z]);
		pr_info("%s\n", line);
		for (c = 0; c < BB_NR_CONTENDERS; c++) {
			if (!bb_is_on[c])
				continue;
			len = scnprintf(line, sizeof(line), "  %-30s",
					bb_names[c]);
			for (z = 0; z < nr_sizes; z++) {
				r = bb_speedup(s, pk, z, c);
				len += scnprintf(line + len, sizeof(line) - len,
						 "%11sx   ", bb_x(&b, r, false));
			}
			pr_info("%s\n", line);
		}
		for (z = 0; z < nr_sizes; z++)
			for (c = 0; c < BB_NR_CONTENDERS; c++)
				if (bb_is_on[c])
					pr_info("bench-scale: %u %u %s %s\n",
						k, sizes[z], bb_names[c],
						bb_x(&b, bb_speedup(s, pk, z, c),
						     true));
	}
}

static int bb_memory(struct bb_state *s)
{
	static const enum bb_contender who[] = { BB_POOLED, BB_KMALLOC };
	struct bb_thread *t = s->t;
	struct bb_num b[3];
	unsigned int w, i;
	struct bb_mem *m;
	int err;

	for (w = 0; w < 2; w++)
		for (i = 0; i < ARRAY_SIZE(who); i++) {
			m = &s->mem[s->nmem];
			m->c = who[i];
			m->stragglers = w;
			t[0].role = BB_ROLE_MEM;
			t[0].cpu = s->cpus[0];
			t[0].mem = m;
			err = bb_run(&s->job, t, 1);
			if (err) {
				pr_err("memory workload, %s: error %d\n",
				       bb_names[m->c], err);
				return err;
			}
			s->nmem++;
		}

	pr_info("\n");
	pr_info("memory: %u allocations of 1 to %u B, %u live, freed oldest first; held at the end\n",
		mem_ops, mem_max, mem_live);
	pr_info("  held: chunks pinned (bufpool), ksize() (kmalloc); pages: distinct pages or slabs under the live buffers;\n");
	pr_info("  used: base pages a live byte lies in (what chunks would hold if each page went back when no live slice lies in it)\n");
	pr_info("  %-11s%-22s%6s%11s%11s%10s%11s%10s%11s%10s\n", "workload",
		"contender", "live", "requested", "held", "held/req", "pages",
		"pages/req", "used", "used/req");
	for (i = 0; i < s->nmem; i++) {
		m = &s->mem[i];
		pr_info("  %-11s%-22s%6u%11llu%11llu%10s%11llu%10s%11llu%10s\n",
			m->stragglers ? "stragglers" : "fifo", bb_names[m->c],
			m->live, m->requested, m->held,
			bb_x(&b[0], bb_ratio(m->held, m->requested), true),
			m->pages,
			bb_x(&b[1], bb_ratio(m->pages, m->requested), true),
			m->used,
			bb_x(&b[2], bb_ratio(m->used, m->requested), true));
	}
	for (i = 0; i < s->nmem; i++) {
		m = &s->mem[i];
		pr_info("bench-mem: %s %s %llu %llu %s %u\n",
			m->stragglers ? "stragglers" : "fifo", bb_names[m->c],
			m->requested, m->held,
			bb_x(&b[0], bb_ratio(m->held, m->requested), true),
			m->kept);
	}
	return 0;
}

static void bb_goal(const char *name, bool known, bool met, const char *what)
{
	pr_info("bench-goal: %s %s: %s\n", name,
		!known ? "n/a" : met ? "met" : "MISSED", what);
}

/*
 * The largest median ratio of contender @num over @den in the patterns
 * @pats (comma-separated) at 16 to 1024 B, in thousandths, and where it
 * is ("a/1024"); 0 and "-" when none was measured.
 */
static unsigned int bb_worst(struct bb_state *s, const char *pats,
			     enum bb_contender num, enum bb_contender den,
			     char *where, size_t len)
{
	unsigned int z, r, worst = 0;
	char name[8];
	int p;

	strscpy(where, "-", len);
	if (!bb_is_on[num] || !bb_is_on[den])
		return 0;
	while (*pats) {
		size_t n = strcspn(pats, ",");

		strscpy(name, pats, min(n + 1, sizeof(name)));
		pats += n + (pats[n] == ',');
		p = bb_pattern_index(s, name);
		for (z = 0; p >= 0 && z < nr_sizes; z++) {
			if (sizes[z] < 16 || sizes[z] > 1024)
				continue;
			r = bb_ratio(bb_median(s, p, z, num),
				     bb_median(s, p, z, den));
			if (r >= worst) {
				worst = r;
				snprintf(where, len, "%s/%u", name, sizes[z]);
			}
		}
	}
	return worst;
}

/* A goal "@num/@den <= @limit" over @pats at 16 to 1024 B. */
static void bb_goal_ratio(struct bb_state *s, const char *goal,
			  const char *pats, enum bb_contender num,
			  enum bb_contender den, unsigned int limit)
{
	char what[BB_LINE], where[16], lim[16];
	unsigned int worst = bb_worst(s, pats, num, den, where, sizeof(where));
	struct bb_num b[2];

	strscpy(lim, bb_x(&b[1], limit, false), sizeof(lim));
	snprintf(what, sizeof(what), "%s/%s <= %s in %s at 16-1024 B; worst %s at %s",
		 bb_names[num], bb_names[den], lim, pats,
		 bb_x(&b[0], worst, false), where);
	bb_goal(goal, worst > 0, worst <= limit, what);
}

/* The performance issue's goals, as ratios of this run. */
static void bb_goals(struct bb_state *s)
{
	unsigned int z, r, i, best = UINT_MAX, held[4] = {};
	char what[BB_LINE], where[16] = "-";
	struct bb_num b[4];
	bool known = false;
	int p;

	pr_info("\n");
	bb_goal_ratio(s, "pooled-vs-page_frag", "a,b", BB_POOLED, BB_PAGEFRAG, 900);
	bb_goal_ratio(s, "pooled-vs-kmalloc", "a,b", BB_POOLED, BB_KMALLOC, 500);
	bb_goal_ratio(s, "cross-cpu-vs-page_frag", "d", BB_POOLED, BB_PAGEFRAG, 1000);
	/* Like for like only where kmalloc zeroes too. */
	if (want_init_on_alloc(GFP_KERNEL))
		bb_goal_ratio(s, "zeroed-vs-kmalloc", "a,b", BB_ZEROED,
			      BB_KMALLOC, 1100);
	else
		bb_goal("zeroed-vs-kmalloc", false, false,
			"bufpool_alloc zeroes, kmalloc does not with init_on_alloc=0");
	bb_goal_ratio(s, "slow-vs-kmalloc", "a,b", BB_SLOW, BB_KMALLOC, 1100);

	/* Pattern c on 2 CPUs at least 1.9x the throughput of 1 CPU. */
	p = bb_pattern_index(s, "c2");
	for (z = 0; z < nr_sizes && p >= 0 && bb_is_on[BB_POOLED]; z++) {
		r = bb_speedup(s, p, z, BB_POOLED);
		known = true;
		if (r <= best) {
			best = r;
			snprintf(where, sizeof(where), "%u B", sizes[z]);
		}
	}
	snprintf(what, sizeof(what),
		 "bufpool_alloc_unsafe throughput in c on 2 CPUs >= 1.90x 1 CPU; least %sx at %s",
		 bb_x(&b[0], known ? best : 0, false), where);
	bb_goal("pooled-scaling", known, best >= 1900, what);

	/*
	 * Held per byte requested at most kmalloc's, FIFO and stragglers:
	 * s->mem holds fifo bufpool, fifo kmalloc, stragglers bufpool,
	 * stragglers kmalloc.
	 */
	known = s->nmem >= 4;
	for (i = 0; known && i < 4; i++)
		held[i] = bb_ratio(s->mem[i].held, s->mem[i].requested);
	snprintf(what, sizeof(what),
		 "bytes held per byte requested, bufpool <= kmalloc: fifo %s vs %s, stragglers %s vs %s",
		 bb_x(&b[0], held[0], true), bb_x(&b[1], held[1], true),
		 bb_x(&b[2], held[2], true), bb_x(&b[3], held[3], true));
	bb_goal("pooled-memory", known,
		held[0] <= held[1] && held[2] <= held[3], what);
}

/* Fills bb_on from the contenders parameter. */
static int bb_parse_contenders(void)
{
	char *list, *name, *rest;
	int c, err = 0;

	memset(bb_is_on, 0, sizeof(bb_is_on));
	if (!contenders || !*contenders) {
		for (c = 0; c < BB_NR_CONTENDERS; c++)
			bb_is_on[c] = true;
	} else {
		list = kstrdup(contenders, GFP_KERNEL);
		if (!list)
			return -ENOMEM;
		rest = list;
		while ((name = strsep(&rest, ",")) && !err) {
			c = match_string(bb_names, BB_NR_CONTENDERS, name);
			if (c < 0) {
				pr_err("contenders: '%s' is none of the contenders' names\n",
				       name);
				err = -EINVAL;
			} else {
				bb_is_on[c] = true;
			}
		}
		kfree(list);
		if (err)
			return err;
	}
	bb_nr_on = 0;
	for (c = 0; c < BB_NR_CONTENDERS; c++)
		if (bb_is_on[c])
			bb_on[bb_nr_on++] = c;
	return 0;
}

static int bb_check_params(void)
{
	unsigned int z;
	const char *q;
	int err;

	err = bb_parse_contenders();
	if (err)
		return err;

	if (!nr_sizes) {
		pr_err("sizes: give at least one size\n");
		return -EINVAL;
	}
	for (z = 0; z < nr_sizes; z++)
		if (!sizes[z] || sizes[z] > BB_MAX_SIZE) {
			pr_err("sizes: %u is not in 1 to %u\n", sizes[z],
			       BB_MAX_SIZE);
			return -EINVAL;
		}
	if (!patterns || !*patterns) {
		pr_err("patterns: give at least one of a, b, c, d\n");
		return -EINVAL;
	}
	for (q = patterns; *q; q++)
		if (!strchr("abcd", *q)) {
			pr_err("patterns: '%c' is not one of a, b, c, d\n", *q);
			return -EINVAL;
		}
	if (!reps || reps > BB_MAX_REPS) {
		pr_err("reps: %u is not in 1 to %u\n", reps, BB_MAX_REPS);
		return -EINVAL;
	}
	if (!iters || iters > 100000000) {
		pr_err("iters: %lu is not in 1 to 100000000\n", iters);
		return -EINVAL;
	}
	if (warmup > 100000000) {
		pr_err("warmup: %lu is more than 100000000\n", warmup);
		return -EINVAL;
	}
	if (!batch || batch > 65536) {
		pr_err("batch: %u is not in 1 to 65536\n", batch);
		return -EINVAL;
	}
	if (mem && (!mem_ops || !mem_live || !mem_max || mem_max > BB_MAX_SIZE)) {
		pr_err("mem_ops and mem_live must be positive, mem_max in 1 to %u\n",
		       BB_MAX_SIZE);
		return -EINVAL;
	}
	if (reps < 5)
		pr_warn("reps=%u: the goals want the median of at least 5\n",
			reps);
	return 0;
}

/* Patterns in the order asked, c once per CPU count: 1, 2, all. */
static void bb_plan(struct bb_state *s)
{
	unsigned int k[3] = { 1, 2, s->ncpus }, i;
	struct bb_pattern *pat;
	const char *q;

	for (q = patterns; *q; q++) {
		if (strchr(q + 1, *q))
			continue;	/* asked twice: run the last */
		if (*q == 'd' && s->ncpus < 2) {
			pr_info("pattern d needs 2 CPUs: skipped\n");
			continue;
		}
		for (i = 0; i < (*q == 'c' ? 3 : 1); i++) {
			if (*q == 'c' && (k[i] > s->ncpus ||
					  (i && k[i] == k[i - 1])))
				continue;
			pat = &s->pat[s->npat++];
			pat->kind = *q;
			pat->ncpus = *q == 'c' ? k[i] : 1;
			if (*q == 'c')
				snprintf(pat->name, sizeof(pat->name), "c%u",
					 k[i]);
			else
				snprintf(pat->name, sizeof(pat->name), "%c",
					 *q);
		}
	}
}

static void bb_frag_drain(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		page_frag_cache_drain(per_cpu_ptr(bb_frag, cpu));
}

static int bb_bench(struct bb_state *s)
{
	unsigned int p, z, len, chunk = 0;
	char line[BB_LINE];
	u64 t0 = ktime_get_ns(), tp;
	bool pooled = false;
	void *probe;
	int err;

	probe = bufpool_alloc_unsafe(1, GFP_KERNEL);
	if (probe) {
		chunk = bufpool_backing_size(probe);
		pooled = bufpool_is_pooled(probe);
		bufpool_free(probe);
	}
	len = scnprintf(line, sizeof(line), "sizes");
	for (z = 0; z < nr_sizes; z++)
		len += scnprintf(line + len, sizeof(line) - len, "%c%u",
				 z ? ',' : '=', sizes[z]);
	pr_info("start: %u CPUs online; bufpool chunk %u B%s; init_on_alloc %d; GFP_ATOMIC for all\n",
		s->ncpus, chunk, pooled ? "" : " (NOT POOLED)",
		want_init_on_alloc(GFP_KERNEL));
	pr_info("params: %s patterns=%s iters=%lu warmup=%lu reps=%u batch=%u mem=%d contenders=%s\n",
		line, patterns, iters, warmup, reps, batch, mem,
		contenders && *contenders ? contenders : "all");

	for (p = 0; p < s->npat; p++) {
		tp = ktime_get_ns();
		for (z = 0; z < nr_sizes; z++) {
			err = bb_measure(s, p, z);
			if (err)
				return err;
		}
		pr_info("pattern %s measured in %llu ms\n", s->pat[p].name,
			div_u64(ktime_get_ns() - tp, NSEC_PER_MSEC));
	}

	pr_info("\n");
	pr_info("ns per alloc+free pair, median of %u, spread = (max - min) / median; QEMU TCG inflates atomics: compare ratios within one run only\n",
		reps);
	for (p = 0; p < s->npat; p++)
		bb_print_table(s, p);
	bb_print_scaling(s);
	bb_print_lines(s);
	if (mem) {
		err = bb_memory(s);
		if (err)
			return err;
	}
	bb_goals(s);
	pr_info("done in %llu s\n", div_u64(ktime_get_ns() - t0, NSEC_PER_SEC));
	return 0;
}

static int __init bb_init(void)
{
	struct bb_state *s;
	unsigned int i = 0;
	int cpu, err;

	err = bb_check_params();
	if (err)
		return err;

	s = kzalloc_obj(*s, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	err = -ENOMEM;
	s->cpus = kcalloc(nr_cpu_ids, sizeof(*s->cpus), GFP_KERNEL);
	if (!s->cpus)
		goto out;
	cpus_read_lock();
	for_each_online_cpu(cpu)
		s->cpus[i++] = cpu;
	cpus_read_unlock();
	s->ncpus = i;
	bb_plan(s);

	s->ps = kcalloc(s->npat * nr_sizes * BB_SLOTS * reps,
			sizeof(*s->ps), GFP_KERNEL);
	s->t = kcalloc(s->ncpus, sizeof(*s->t), GFP_KERNEL);
	s->job.ring.slot = kcalloc(BB_RING_SLOTS, sizeof(void *), GFP_KERNEL);
	bb_frag = alloc_percpu(struct page_frag_cache);
	if (!s->ps || !s->t || !s->job.ring.slot || !bb_frag)
		goto out;
	s->t[0].slot = kcalloc(batch, sizeof(void *), GFP_KERNEL);
	if (!s->t[0].slot)
		goto out;
	for (i = 0; i < s->ncpus; i++) {
		s->t[i].ns = kcalloc(reps * BB_SLOTS, sizeof(u64),
				     GFP_KERNEL);
		if (!s->t[i].ns)
			goto out;
	}

	err = bb_bench(s);
	bb_frag_drain();
	if (!err)
		pr_info("the module stays loaded, idle, until rmmod\n");
out:
	free_percpu(bb_frag);
	for (i = 0; s->t && i < s->ncpus; i++)
		kfree(s->t[i].ns);
	if (s->t)
		kfree(s->t[0].slot);
	kfree(s->t);
	kfree(s->job.ring.slot);
	kfree(s->ps);
	kfree(s->cpus);
	kfree(s);
	return err;
}

static void __exit bb_exit(void)
{
}

module_init(bb_init);
module_exit(bb_exit);

MODULE_DESCRIPTION("bufpool against kmalloc, page_frag and the page allocator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(BUFPOOL_NS);
