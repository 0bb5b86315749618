/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The statistics of a pool: the one table that the module, its debugfs
 * stats file, bufpool_get_stats() and the bufpoolstat tool all take their
 * list from. Each user defines BUFPOOL_STAT() for what it needs of a line,
 * includes this file where the list goes, and undefines it, as the
 * kernel's kvm-x86-ops.h is used. Preprocessor only and without includes,
 * so that user space builds it too.
 *
 * BUFPOOL_STAT(NAME, name, kind, origin), in the order of the stats file:
 *   kind    EVENT    counts up from load; the pool's reset file zeroes it
 *                    as shown
 *           GAUGE    what is live now; a reset leaves it alone
 *           SETTING  the pool's current setting
 *   origin  COUNTED  a per-CPU counter of its own, bumped where it happens
 *           DERIVED  computed when read from other counters (the module's
 *                    bufpool/stats.c says how)
 *           POOL     read from the pool
 *
 * Adding a counted statistic is one line here and its increments,
 * bufpool_count(pool, BUFPOOL_CNT_<NAME>, n).
 */
#ifndef BUFPOOL_STAT
#error "define BUFPOOL_STAT() before including linux/bufpool_stats.h"
#endif

/* Each path's calls and bytes; the calls are its histogram row. */
BUFPOOL_STAT(ALLOC_CALLS, alloc_calls, EVENT, DERIVED)
BUFPOOL_STAT(ALLOC_BYTES, alloc_bytes, EVENT, COUNTED)
BUFPOOL_STAT(UNSAFE_POOLED_CALLS, unsafe_pooled_calls, EVENT, DERIVED)
BUFPOOL_STAT(UNSAFE_POOLED_BYTES, unsafe_pooled_bytes, EVENT, COUNTED)
BUFPOOL_STAT(UNSAFE_DIRECT_CALLS, unsafe_direct_calls, EVENT, DERIVED)
BUFPOOL_STAT(UNSAFE_DIRECT_BYTES, unsafe_direct_bytes, EVENT, COUNTED)
BUFPOOL_STAT(SLOW_CALLS, slow_calls, EVENT, DERIVED)
BUFPOOL_STAT(SLOW_BYTES, slow_bytes, EVENT, COUNTED)
BUFPOOL_STAT(FROM_POOLED_CALLS, from_pooled_calls, EVENT, DERIVED)
BUFPOOL_STAT(FROM_POOLED_BYTES, from_pooled_bytes, EVENT, COUNTED)
BUFPOOL_STAT(FROM_DIRECT_CALLS, from_direct_calls, EVENT, DERIVED)
BUFPOOL_STAT(FROM_DIRECT_BYTES, from_direct_bytes, EVENT, COUNTED)

/* Frees of slices and of direct buffers. */
BUFPOOL_STAT(FREES, frees, EVENT, DERIVED)

/* Calls that returned no buffer. */
BUFPOOL_STAT(FAILURES, failures, EVENT, COUNTED)

/* Requests that would have been sliced, served directly: no chunk to be had. */
BUFPOOL_STAT(CHUNK_FALLBACKS, chunk_fallbacks, EVENT, COUNTED)

/* Chunks started and released, reused ones included. */
BUFPOOL_STAT(POOLS_CREATED, pools_created, EVENT, COUNTED)
BUFPOOL_STAT(POOLS_RELEASED, pools_released, EVENT, COUNTED)

/*
 * Released chunks whose page somebody else still held a reference to:
 * no longer bufpool's, freed by that holder's last put_page().
 */
BUFPOOL_STAT(POOLS_LEFT_TO_HOLDERS, pools_left_to_holders, EVENT, COUNTED)

/*
 * Chunks sliced again from their start when the CPU slicing them freed
 * their last live slice, without a rollover.
 */
BUFPOOL_STAT(REWINDS, rewinds, EVENT, COUNTED)

/* Chunks holding slices or being sliced, and their bytes. */
BUFPOOL_STAT(POOLS_LIVE, pools_live, GAUGE, COUNTED)
BUFPOOL_STAT(POOL_BYTES_LIVE, pool_bytes_live, GAUGE, COUNTED)

/* Chunks no longer sliced, kept by slices not yet freed. */
BUFPOOL_STAT(RETIRED_POOLS_LIVE, retired_pools_live, GAUGE, COUNTED)
BUFPOOL_STAT(SLICES_LIVE, slices_live, GAUGE, DERIVED)
BUFPOOL_STAT(DIRECT_LIVE, direct_live, GAUGE, COUNTED)

/* Released chunks the CPUs keep for their next rollovers, and bytes. */
BUFPOOL_STAT(SPARE_POOLS, spare_pools, GAUGE, COUNTED)
BUFPOOL_STAT(SPARE_BYTES, spare_bytes, GAUGE, COUNTED)

/* Spares given back to the page allocator under memory pressure. */
BUFPOOL_STAT(SPARES_RECLAIMED, spares_reclaimed, EVENT, COUNTED)

/* Chunk ends left unsliced at rollovers; alignment padding. */
BUFPOOL_STAT(ABANDONED_BYTES, abandoned_bytes, EVENT, COUNTED)
BUFPOOL_STAT(PADDING_BYTES, padding_bytes, EVENT, COUNTED)

/* Debug mode: damaged chunks found, bad frees caught. */
BUFPOOL_STAT(CORRUPTIONS, corruptions, EVENT, COUNTED)
BUFPOOL_STAT(MISUSES, misuses, EVENT, COUNTED)

/* The pool's settings. */
BUFPOOL_STAT(POOL_SIZE, pool_size, SETTING, POOL)
BUFPOOL_STAT(THRESHOLD, threshold, SETTING, POOL)
BUFPOOL_STAT(ALIGN, align, SETTING, POOL)
BUFPOOL_STAT(ZERO_FILL, zero_fill, SETTING, POOL)
