// SPDX-License-Identifier: GPL-2.0
/*
 * bufpoolstat - show the statistics of the bufpool pools
 *
 * Reads /sys/kernel/debug/bufpool/<pool>/stats and prints one row per pool:
 * the totals since load or, with -i, one block of per-second rates per
 * interval, as vmstat and iostat do. With --json, the same as JSON.
 *
 * Userspace, statically linked: it runs in busybox guests and needs
 * nothing but libc.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_ROOT	"/sys/kernel/debug/bufpool"
#define DEBUGFS_MAGIC	0x64626720

/* Exit codes, also listed in the usage text. */
enum {
	EXIT_ERROR = 1,		/* anything else: I/O error, out of memory */
	EXIT_USAGE = 2,
	EXIT_NO_DEBUGFS = 3,
	EXIT_NOT_LOADED = 4,	/* or nothing at the --root directory */
	EXIT_PERM = 5,
};

/*
 * The statistics of the stats file, in its order: the module's own table,
 * so that a new one is listed, parsed and shown here without a change.
 * An event counter counts up from load (or from a write to reset) and is
 * shown as a rate per interval; a gauge or setting is shown as it is.
 */
enum kind { EVENT, GAUGE, SETTING };

enum stat_id {
#define BUFPOOL_STAT(NAME, name, kind, origin)	S_##NAME,
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
	NR_STATS,
	/* The calls and bytes of the six allocation paths come first. */
	S_PATHS_END = S_FROM_DIRECT_BYTES + 1,
};

static const char *const kind_names[] = { "event", "gauge", "setting" };

static const struct {
	const char *name;
	enum kind kind;
} stat_defs[NR_STATS] = {
#define BUFPOOL_STAT(NAME, name, kind, origin)	{ #name, kind },
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
};

struct pool {
	char *name;
	long long val[NR_STATS];
	bool present[NR_STATS];	/* an older module may lack some */
};

struct snapshot {
	struct pool *pools;
	size_t nr;
	struct timespec when;
};

/*
 * One pool as printed: the totals (secs == 0) or, for an interval of secs
 * seconds, the deltas of the event counters and the current gauges.
 */
struct row {
	const struct pool *pool;
	long long val[NR_STATS];
	double secs;
};

static const char *root = DEFAULT_ROOT;
static bool root_given;

/* Reports an error and exits; a macro, for the format checks of fprintf. */
#define die(code, ...)							\
	do {								\
		fflush(stdout);						\
		fprintf(stderr, "bufpoolstat: " __VA_ARGS__);		\
		fputc('\n', stderr);					\
		exit(code);						\
	} while (0)

/* Sums that saturate rather than overflow, whatever the files say. */
static long long add(long long a, long long b)
{
	long long sum;

	if (__builtin_add_overflow(a, b, &sum))
		return b > 0 ? LLONG_MAX : LLONG_MIN;
	return sum;
}

static long long sub(long long a, long long b)
{
	long long diff;

	if (__builtin_sub_overflow(a, b, &diff))
		return b < 0 ? LLONG_MAX : LLONG_MIN;
	return diff;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		die(EXIT_ERROR, "out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die(EXIT_ERROR, "out of memory");
	return p;
}

/* Failing to read path with errno err: the permission cases, or the rest. */
static noreturn void die_read(const char *path, int err)
{
	if (err == EPERM && geteuid() == 0)
		die(EXIT_PERM, "reading %s: %s (kernel lockdown?)", path,
		    strerror(err));
	if (err == EACCES || err == EPERM)
		die(EXIT_PERM, "permission denied reading %s: run as root",
		    path);
	die(EXIT_ERROR, "cannot read %s: %s", path, strerror(err));
}

/* The directory that holds path, ignoring trailing slashes. */
static char *parent_dir(const char *path)
{
	char *dir = xstrdup(path);
	size_t len = strlen(dir);
	char *slash;

	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

/*
 * The root directory is missing (err is ENOENT or ENOTDIR): tell why.
 * Bufpool creates its directory at the top of debugfs, so if the parent is
 * a debugfs, the module is not loaded; otherwise debugfs is not mounted.
 */
static noreturn void die_missing_root(int err)
{
	char *parent = parent_dir(root);
	struct statfs sfs;

	if (err == ENOTDIR)
		die(EXIT_NOT_LOADED, "no bufpool statistics at %s: %s", root,
		    strerror(err));
	if (statfs(parent, &sfs) == 0) {
		if (sfs.f_type == DEBUGFS_MAGIC) {
			if (root_given)
				die(EXIT_NOT_LOADED,
				    "no bufpool statistics at %s: bufpool is not loaded (insmod bufpool.ko)",
				    root);
			die(EXIT_NOT_LOADED,
			    "bufpool is not loaded (insmod bufpool.ko)");
		}
		if (root_given)
			die(EXIT_NO_DEBUGFS,
			    "no bufpool statistics at %s: debugfs is not mounted at %s",
			    root, parent);
		die(EXIT_NO_DEBUGFS,
		    "debugfs is not mounted (mount -t debugfs none %s)",
		    parent);
	}
	if (errno == EACCES || errno == EPERM)
		die_read(parent, errno);
	if (root_given)
		die(EXIT_NOT_LOADED, "no bufpool statistics at %s", root);
	die(EXIT_NO_DEBUGFS,
	    "debugfs is not available: %s is missing (kernel without CONFIG_DEBUG_FS?)",
	    parent);
}

/*
 * Reads a whole file; NULL with errno set when it cannot be opened, or
 * with ENOENT when it went away while it was read: debugfs fails a read
 * of a file removed since it was opened (a pool destroyed now) with EIO.
 */
static char *read_file(const char *path)
{
	size_t size = 4096, len = 0;
	char *buf;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = xrealloc(NULL, size);
	for (;;) {
		if (len + 1 >= size) {
			size *= 2;
			buf = xrealloc(buf, size);
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EIO) {
			close(fd);
			free(buf);
			errno = ENOENT;
			return NULL;
		}
		if (n < 0)
			die_read(path, errno);
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int stat_index(const char *name)
{
	int i;

	for (i = 0; i < NR_STATS; i++)
		if (!strcmp(name, stat_defs[i].name))
			return i;
	return -1;
}

/*
 * Parses "name value" lines by name; unknown names and junk are skipped.
 * The kernel prints each value as an unsigned 64-bit number: one past
 * LLONG_MAX is shown as LLONG_MAX. A file without one statistic this tool
 * knows is not a bufpool stats file it can read: an error, not a row of
 * zeros.
 */
static void parse_stats(struct pool *pool, char *text, const char *path)
{
	char *line, *next, *value, *end;
	unsigned long long v;
	bool any = false;
	int i;

	for (line = text; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		value = strchr(line, ' ');
		if (!value)
			continue;
		*value++ = '\0';
		i = stat_index(line);
		if (i < 0)
			continue;
		if (*value < '0' || *value > '9')
			continue;
		errno = 0;
		v = strtoull(value, &end, 10);
		if (*end && *end != ' ')
			continue;
		if (errno == ERANGE || v > LLONG_MAX)
			v = LLONG_MAX;
		pool->val[i] = (long long)v;
		pool->present[i] = true;
		any = true;
	}
	if (!any)
		die(EXIT_ERROR,
		    "%s: no statistic this bufpoolstat knows (a bufpool of another version?)",
		    path);
}

/* The default pool first, then by name. */
static int pool_cmp(const void *a, const void *b)
{
	const struct pool *p = a, *q = b;
	bool p_default = !strcmp(p->name, "default");
	bool q_default = !strcmp(q->name, "default");

	if (p_default != q_default)
		return p_default ? -1 : 1;
	return strcmp(p->name, q->name);
}

/*
 * Reads every pool under the root. A directory without a stats file is no
 * pool, or one going away right now: either way it is skipped.
 */
static void read_snapshot(struct snapshot *snap)
{
	struct dirent *de;
	size_t alloc = 0;
	char *path, *text;
	DIR *dir;

	memset(snap, 0, sizeof(*snap));
	dir = opendir(root);
	if (!dir) {
		if (errno == ENOENT || errno == ENOTDIR)
			die_missing_root(errno);
		die_read(root, errno);
	}
	clock_gettime(CLOCK_MONOTONIC, &snap->when);
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno)
				die_read(root, errno);
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s/stats", root, de->d_name) < 0)
			die(EXIT_ERROR, "out of memory");
		text = read_file(path);
		if (!text) {
			if (errno != ENOENT && errno != ENOTDIR)
				die_read(path, errno);
			free(path);
			continue;
		}
		if (snap->nr == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			snap->pools = xrealloc(snap->pools,
					       alloc * sizeof(*snap->pools));
		}
		memset(&snap->pools[snap->nr], 0, sizeof(*snap->pools));
		snap->pools[snap->nr].name = xstrdup(de->d_name);
		parse_stats(&snap->pools[snap->nr], text, path);
		snap->nr++;
		free(text);
		free(path);
	}
	closedir(dir);
	if (snap->nr)
		qsort(snap->pools, snap->nr, sizeof(*snap->pools), pool_cmp);
}

static void free_snapshot(struct snapshot *snap)
{
	size_t i;

	for (i = 0; i < snap->nr; i++)
		free(snap->pools[i].name);
	free(snap->pools);
	memset(snap, 0, sizeof(*snap));
}

static const struct pool *find_pool(const struct snapshot *snap,
				    const char *name)
{
	size_t i;

	for (i = 0; i < snap->nr; i++)
		if (!strcmp(snap->pools[i].name, name))
			return &snap->pools[i];
	return NULL;
}

/*
 * The row of pool: its totals without prev, else the deltas since prev.
 * A pool new since prev counted from zero; an event counter that went
 * down was reset, and counted from zero since.
 */
static void make_row(struct row *row, const struct pool *pool,
		     const struct snapshot *prev, double secs)
{
	const struct pool *old = prev ? find_pool(prev, pool->name) : NULL;
	int i;

	row->pool = pool;
	row->secs = secs;
	for (i = 0; i < NR_STATS; i++) {
		row->val[i] = pool->val[i];
		if (old && stat_defs[i].kind == EVENT &&
		    pool->val[i] >= old->val[i])
			row->val[i] = sub(row->val[i], old->val[i]);
	}
}

static long long row_calls(const struct row *row)
{
	long long sum = 0;
	int i;

	for (i = 0; i < S_PATHS_END; i += 2)
		sum = add(sum, row->val[i]);
	return sum;
}

static long long row_bytes(const struct row *row)
{
	long long sum = 0;
	int i;

	for (i = 1; i < S_PATHS_END; i += 2)
		sum = add(sum, row->val[i]);
	return sum;
}

static long long row_waste(const struct row *row)
{
	return add(row->val[S_ABANDONED_BYTES], row->val[S_PADDING_BYTES]);
}

/*
 * The pooled calls and the calls that may be pooled (the unsafe and from
 * paths; alloc and slow never are); false when there were none.
 */
static bool row_hits(const struct row *row, long long *hits, long long *all)
{
	*hits = add(row->val[S_UNSAFE_POOLED_CALLS],
		    row->val[S_FROM_POOLED_CALLS]);
	*all = add(add(*hits, row->val[S_UNSAFE_DIRECT_CALLS]),
		   row->val[S_FROM_DIRECT_CALLS]);
	return *all > 0 && *hits >= 0;
}

static double per_sec(const struct row *row, long long v)
{
	return row->secs > 0 ? (double)v / row->secs : (double)v;
}

/*
 * Formats v for a table column: exact below limit, else scaled by step
 * (1024 for bytes, 1000 for counts) with a K, M, G, ... suffix. A rate
 * below 10 keeps one decimal.
 */
static void fmt_human(char *buf, size_t len, double v, double limit,
		      double step)
{
	static const char units[] = "KMGTPE";
	const char *sign = "";
	int u = -1;

	if (v < 0) {
		sign = "-";
		v = -v;
	}
	if (v < limit) {
		long long n = (long long)(v + 0.5);

		if (v < 9.95 && v != (double)(long long)v)
			snprintf(buf, len, "%s%.1f", sign, v);
		else
			snprintf(buf, len, "%s%lld", sign, n);
		return;
	}
	do {
		v /= step;
		u++;
	} while (v >= 999.5 && units[u + 1]);
	if (v < 9.95)
		snprintf(buf, len, "%s%.1f%c", sign, v, units[u]);
	else
		snprintf(buf, len, "%s%.0f%c", sign, v, units[u]);
}

static void fmt_bytes(char *buf, size_t len, double v)
{
	fmt_human(buf, len, v, 1024, 1024);
}

static void fmt_count(char *buf, size_t len, double v)
{
	fmt_human(buf, len, v, 1e6, 1000);
}

/* Truncated to 0.1, so that 100.0 means no miss at all; "-" for no call. */
static void fmt_hit_rate(char *buf, size_t len, const struct row *row)
{
	long long hits, all, permille;

	if (!row_hits(row, &hits, &all)) {
		snprintf(buf, len, "-");
		return;
	}
	if (hits <= LLONG_MAX / 1000)
		permille = hits * 1000 / all;
	else
		permille = (long long)((double)hits / (double)all * 1000);
	snprintf(buf, len, "%lld.%lld", permille / 10, permille % 10);
}

static void print_table(const struct row *rows, size_t nr, bool rates)
{
	char calls[32], bytes[32], hit[32], live[32], pinned[32];
	char spare[32], retired[32], slices[32], waste[32];
	int width = 7;
	size_t i;

	for (i = 0; i < nr; i++)
		if ((int)strlen(rows[i].pool->name) > width)
			width = (int)strlen(rows[i].pool->name);
	printf("%-*s %9s %8s %6s %5s %7s %7s %8s %7s %8s\n", width, "POOL",
	       rates ? "CALLS/s" : "CALLS", rates ? "BYTES/s" : "BYTES",
	       "HIT%", "LIVE", "PINNED", "SPARE", "RETIRED", "SLICES",
	       rates ? "WASTE/s" : "WASTE");
	for (i = 0; i < nr; i++) {
		const struct row *row = &rows[i];

		fmt_count(calls, sizeof(calls), per_sec(row, row_calls(row)));
		fmt_bytes(bytes, sizeof(bytes), per_sec(row, row_bytes(row)));
		fmt_hit_rate(hit, sizeof(hit), row);
		fmt_count(live, sizeof(live), (double)row->val[S_POOLS_LIVE]);
		fmt_bytes(pinned, sizeof(pinned),
			  (double)row->val[S_POOL_BYTES_LIVE]);
		fmt_bytes(spare, sizeof(spare),
			  (double)row->val[S_SPARE_BYTES]);
		fmt_count(retired, sizeof(retired),
			  (double)row->val[S_RETIRED_POOLS_LIVE]);
		fmt_count(slices, sizeof(slices),
			  (double)row->val[S_SLICES_LIVE]);
		fmt_bytes(waste, sizeof(waste), per_sec(row, row_waste(row)));
		printf("%-*s %9s %8s %6s %5s %7s %7s %8s %7s %8s\n", width,
		       row->pool->name, calls, bytes, hit, live, pinned,
		       spare, retired, slices, waste);
	}
}

/* A JSON number: an exact integer, or a rate to three decimals. */
static void json_number(double v)
{
	char buf[64];
	char *end;

	snprintf(buf, sizeof(buf), "%.3f", v);
	end = buf + strlen(buf);
	while (end[-1] == '0')
		*--end = '\0';
	if (end[-1] == '.')
		*--end = '\0';
	fputs(strcmp(buf, "-0") ? buf : "0", stdout);
}

static void json_value(const struct row *row, long long v, bool rate)
{
	if (rate && row->secs > 0)
		json_number((double)v / row->secs);
	else
		printf("%lld", v);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct row *rows, size_t nr, long report,
		       double secs)
{
	long long hits, all;
	size_t i;
	int s;

	putchar('{');
	if (report >= 0) {
		printf("\"report\":%ld,", report);
		if (secs > 0) {
			fputs("\"seconds\":", stdout);
			json_number(secs);
			putchar(',');
		}
	}
	fputs("\"pools\":[", stdout);
	for (i = 0; i < nr; i++) {
		const struct row *row = &rows[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
		json_string(row->pool->name);
		for (s = 0; s < NR_STATS; s++) {
			if (!row->pool->present[s])
				continue;
			printf(",\"%s\":", stat_defs[s].name);
			json_value(row, row->val[s], stat_defs[s].kind == EVENT);
		}
		fputs(",\"calls\":", stdout);
		json_value(row, row_calls(row), true);
		fputs(",\"bytes\":", stdout);
		json_value(row, row_bytes(row), true);
		fputs(",\"waste\":", stdout);
		json_value(row, row_waste(row), true);
		fputs(",\"hit_rate\":", stdout);
		if (row_hits(row, &hits, &all))
			json_number(100.0 * (double)hits / (double)all);
		else
			fputs("null", stdout);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) +
	       (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

/*
 * Prints a report: the totals of cur without prev, else the rates since
 * prev. report is its number with -i, -1 without.
 */
static void print_report(const struct snapshot *cur,
			 const struct snapshot *prev, bool json, long report)
{
	struct row *rows = xrealloc(NULL, (cur->nr + 1) * sizeof(*rows));
	double secs = 0;
	size_t i;

	if (prev) {
		secs = ts_diff(&cur->when, &prev->when);
		if (secs <= 0)
			secs = 1.0 / 1000000;
	}
	for (i = 0; i < cur->nr; i++)
		make_row(&rows[i], &cur->pools[i], prev, secs);
	if (json) {
		print_json(rows, cur->nr, report, secs);
	} else {
		if (report > 0)
			putchar('\n');
		print_table(rows, cur->nr, secs > 0);
	}
	free(rows);
	if (fflush(stdout) == EOF || ferror(stdout))
		die(EXIT_ERROR, "writing the output: %s", strerror(errno));
}

static void sleep_until(const struct timespec *when)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, when, NULL) ==
	       EINTR)
		;
}

static void list_stats(void)
{
	int i;

	for (i = 0; i < NR_STATS; i++)
		printf("%s %s\n", stat_defs[i].name,
		       kind_names[stat_defs[i].kind]);
}

static void print_usage(FILE *f)
{
	fputs("Usage: bufpoolstat [-i SECONDS [-c COUNT]] [--json] [-r DIR]\n"
	      "       bufpoolstat --list-stats\n"
	      "Show the statistics of the bufpool pools, one row per pool.\n"
	      "\n"
	      "  -i, --interval SECONDS  report every SECONDS (fractions allowed): first the\n"
	      "                          totals since load, then per-second rates of the\n"
	      "                          event counters; gauges show their current value\n"
	      "  -c, --count COUNT       stop after COUNT reports, the first one included\n"
	      "                          (as vmstat's count); without it, run until killed\n"
	      "  -j, --json              one JSON object; with -i, one per line per report\n"
	      "  -r, --root DIR          read DIR instead of " DEFAULT_ROOT "\n"
	      "  -l, --list-stats        list the statistics this bufpoolstat knows, one\n"
	      "                          \"name kind\" line each (event, gauge or setting)\n"
	      "  -h, --help              show this help\n"
	      "\n"
	      "Columns: CALLS and BYTES of all six allocation paths; HIT%, the pooled share\n"
	      "of the unsafe and from calls (slow and alloc are never pooled); LIVE pools;\n"
	      "PINNED, their bytes; SPARE, the bytes of released chunks kept for the next\n"
	      "rollovers; RETIRED pools still pinned by slices; live SLICES;\n"
	      "WASTE, abandoned plus padding bytes. Byte columns scale by 1024 (K, M, G),\n"
	      "counts are exact below a million, then scale by 1000 (M, G).\n"
	      "\n"
	      "Exit status: 0 success, 1 error (a stats file it cannot read among them),\n"
	      "2 usage, 3 debugfs not mounted (with -r, DIR's parent is no debugfs),\n"
	      "4 bufpool not loaded (or no statistics at DIR), 5 permission denied.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "root", required_argument, NULL, 'r' },
		{ "list-stats", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct snapshot prev, cur;
	struct timespec next;
	double interval = 0;
	bool json = false;
	long count = 0;
	long report;
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "i:c:jr:lh", options,
				  NULL)) != -1) {
		switch (opt) {
		case 'i':
			errno = 0;
			interval = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !(interval >= 0.001 && interval <= 86400))
				die(EXIT_USAGE,
				    "bad interval '%s': seconds from 0.001 to 86400",
				    optarg);
			break;
		case 'c':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || count < 1)
				die(EXIT_USAGE,
				    "bad count '%s': a positive integer",
				    optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'r':
			root = optarg;
			root_given = true;
			break;
		case 'l':
			list_stats();
			return 0;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			fputs("bufpoolstat: see --help\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		die(EXIT_USAGE, "unexpected argument '%s' (see --help)",
		    argv[optind]);
	if (count && !interval)
		die(EXIT_USAGE, "-c needs -i");

	read_snapshot(&prev);
	print_report(&prev, NULL, json, interval ? 0 : -1);
	next = prev.when;
	for (report = 1; interval && (!count || report < count); report++) {
		double t = (double)next.tv_nsec / 1e9 + interval;

		/* From the first read on, so that the reports do not drift. */
		next.tv_sec += (time_t)t;
		next.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
		sleep_until(&next);
		read_snapshot(&cur);
		print_report(&cur, &prev, json, report);
		free_snapshot(&prev);
		prev = cur;
	}
	free_snapshot(&prev);
	return 0;
}
