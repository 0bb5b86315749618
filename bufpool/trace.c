// SPDX-License-Identifier: GPL-2.0
/*
 * bufpool's tracepoints, defined here and called from the data path.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
