/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What debug mode reports, apart from the checks that find it: corruption
 * and misuse messages, and the owners file.
 */
#ifndef _BUFPOOL_REPORT_H
#define _BUFPOOL_REPORT_H

#include <linux/types.h>

struct bufpool;
struct bufpool_debug_chunk;
struct bufpool_debug_slice;
struct seq_file;

void bufpool_report_corruption(struct bufpool *pool,
			       struct bufpool_debug_chunk *ch, const u8 *bad,
			       u8 want, const char *where,
			       const struct bufpool_debug_slice *sl);
void bufpool_report_bad_size(struct bufpool *pool,
			     struct bufpool_debug_chunk *ch,
			     const struct bufpool_debug_slice *sl,
			     unsigned int off);
void bufpool_report_bad_chunk(struct bufpool *pool,
			      struct bufpool_debug_chunk *ch, unsigned int size);
void bufpool_report_misuse(struct bufpool *pool, const void *buf,
			   unsigned long caller, const char *what,
			   unsigned long first);
int bufpool_report_owners(struct seq_file *m, struct bufpool *pool);

#endif /* _BUFPOOL_REPORT_H */
