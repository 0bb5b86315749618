/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debug mode and fault injection. Off, they cost the fast path one static
 * branch in bufpool_free() and one flag test per allocation.
 */
#ifndef _BUFPOOL_DEBUG_H
#define _BUFPOOL_DEBUG_H

#include <linux/fault-inject.h>
#include <linux/jump_label.h>
#include <linux/types.h>

struct bufpool;
struct seq_file;

extern bool bufpool_debug_all;
DECLARE_STATIC_KEY_FALSE(bufpool_debug_key);

/* Whether any debug pool, or a buffer of one, exists. */
static inline bool bufpool_debug_on(void)
{
	return static_branch_unlikely(&bufpool_debug_key);
}

static inline bool bufpool_debug_pool(const struct bufpool *pool)
{
	return bufpool_debug_on() && (pool->flags & BUFPOOL_DEBUG);
}

void bufpool_debug_get(void);
void bufpool_debug_put(void);
bool bufpool_debug_too_big(struct bufpool *pool, size_t size,
			   unsigned int pool_size);
void *bufpool_debug_slice(struct bufpool *pool, unsigned int size,
			  unsigned int pool_size, gfp_t gfp,
			  unsigned long caller);
bool bufpool_debug_free(const void *buf, unsigned long caller);
void bufpool_debug_destroy(struct bufpool *pool);
void bufpool_debug_owners_print(struct seq_file *m, struct bufpool *pool);
void bufpool_debug_state_print(struct seq_file *m, struct bufpool *pool);
void bufpool_debug_fault_init(void);
void bufpool_debug_fault_exit(void);

#ifdef CONFIG_KASAN_GENERIC
/* Exported by mm/kasan, but declared only in its private header. */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#endif

#ifdef CONFIG_FAULT_INJECTION
extern struct fault_attr fail_bufpool;

static inline bool bufpool_should_fail(size_t size)
{
	return should_fail(&fail_bufpool, size);
}
#else
static inline bool bufpool_should_fail(size_t size)
{
	return false;
}
#endif

#endif /* _BUFPOOL_DEBUG_H */
