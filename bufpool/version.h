/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _BUFPOOL_VERSION_H
#define _BUFPOOL_VERSION_H

#define BUFPOOL_VERSION "0.1.0"

#endif /* _BUFPOOL_VERSION_H */
