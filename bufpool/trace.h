/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bufpool's tracepoints, after the kmem events: turn them on with
 *   echo 1 > /sys/kernel/tracing/events/bufpool/enable
 * Off, each costs a static branch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM bufpool

#if !defined(_BUFPOOL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _BUFPOOL_TRACE_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>

#include "chunk.h"

TRACE_DEFINE_ENUM(BUFPOOL_PATH_ALLOC);
TRACE_DEFINE_ENUM(BUFPOOL_PATH_UNSAFE_POOLED);
TRACE_DEFINE_ENUM(BUFPOOL_PATH_UNSAFE_DIRECT);
TRACE_DEFINE_ENUM(BUFPOOL_PATH_SLOW);
TRACE_DEFINE_ENUM(BUFPOOL_PATH_FROM_POOLED);
TRACE_DEFINE_ENUM(BUFPOOL_PATH_FROM_DIRECT);

#define show_bufpool_path(path)						\
	__print_symbolic(path,						\
			 { BUFPOOL_PATH_ALLOC, "alloc" },		\
			 { BUFPOOL_PATH_UNSAFE_POOLED, "unsafe" },	\
			 { BUFPOOL_PATH_UNSAFE_DIRECT, "unsafe" },	\
			 { BUFPOOL_PATH_SLOW, "unsafe_slow" },		\
			 { BUFPOOL_PATH_FROM_POOLED, "from" },		\
			 { BUFPOOL_PATH_FROM_DIRECT, "from" })

TRACE_EVENT(bufpool_alloc,

	TP_PROTO(const char *pool, int path, unsigned long call_site,
		 const void *ptr, size_t bytes_req, gfp_t gfp_flags),

	TP_ARGS(pool, path, call_site, ptr, bytes_req, gfp_flags),

	TP_STRUCT__entry(
		__string(pool, pool)
		__field(int, path)
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__field(size_t, bytes_req)
		__field(bool, pooled)
		__field(size_t, offset)
		__field(unsigned long, gfp_flags)
	),

	TP_fast_assign(
		bufpool_assign_pool();
		__entry->path = path;
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		__entry->bytes_req = bytes_req;
		__entry->pooled = bufpool_is_slice(ptr);
		__entry->offset = bufpool_slice_offset(ptr);
		__entry->gfp_flags = (__force unsigned long)gfp_flags;
	),

	TP_printk("pool=%s path=%s call_site=%pS ptr=%p bytes_req=%zu pooled=%d offset=%zu gfp_flags=%s",
		  __get_str(pool), show_bufpool_path(__entry->path),
		  (void *)__entry->call_site, __entry->ptr, __entry->bytes_req,
		  __entry->pooled, __entry->offset,
		  show_gfp_flags(__entry->gfp_flags))
);

TRACE_EVENT(bufpool_free,

	TP_PROTO(const char *pool, unsigned long call_site, const void *ptr,
		 bool pooled),

	TP_ARGS(pool, call_site, ptr, pooled),

	TP_STRUCT__entry(
		__string(pool, pool)
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__field(bool, pooled)
	),

	TP_fast_assign(
		bufpool_assign_pool();
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		__entry->pooled = pooled;
	),

	TP_printk("pool=%s call_site=%pS ptr=%p pooled=%d",
		  __get_str(pool), (void *)__entry->call_site, __entry->ptr,
		  __entry->pooled)
);

TRACE_EVENT(bufpool_rollover,

	TP_PROTO(const char *pool, unsigned int chunk_size,
		 unsigned int abandoned, unsigned int request),

	TP_ARGS(pool, chunk_size, abandoned, request),

	TP_STRUCT__entry(
		__string(pool, pool)
		__field(unsigned int, chunk_size)
		__field(unsigned int, abandoned)
		__field(unsigned int, request)
	),

	TP_fast_assign(
		bufpool_assign_pool();
		__entry->chunk_size = chunk_size;
		__entry->abandoned = abandoned;
		__entry->request = request;
	),

	TP_printk("pool=%s chunk_size=%u abandoned=%u request=%u",
		  __get_str(pool), __entry->chunk_size, __entry->abandoned,
		  __entry->request)
);

TRACE_EVENT(bufpool_pool_release,

	TP_PROTO(const char *pool, unsigned long chunk_size),

	TP_ARGS(pool, chunk_size),

	TP_STRUCT__entry(
		__string(pool, pool)
		__field(unsigned long, chunk_size)
	),

	TP_fast_assign(
		bufpool_assign_pool();
		__entry->chunk_size = chunk_size;
	),

	TP_printk("pool=%s chunk_size=%lu", __get_str(pool),
		  __entry->chunk_size)
);

#endif /* _BUFPOOL_TRACE_H */

/* Out of tree: the header is found next to the .c that includes it. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
