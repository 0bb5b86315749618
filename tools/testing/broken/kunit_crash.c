// SPDX-License-Identifier: GPL-2.0
#define BROKEN_CRASH
#include "kunit_broken.c"
