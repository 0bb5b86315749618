#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the A/B runs of `make bench`.

usage: bench-ab.py SERIAL_LOG [CONTENDER REFERENCE]

The guest (guest/bench.sh) runs the benchmark in rounds on bufpool as
built, its tracepoints present but off ("built-in"), and on bufpool built
with NOTRACE, which compiles every trace_*() call out ("compiled-out"),
each built in several code layouts. Each run starts with a
"bench-ab: run VARIANT LAYOUT ROUND" kernel message.

For every pattern and size, the cost of CONTENDER (bufpool_alloc_unsafe
unless said) is taken as its ratio to REFERENCE (page_frag) in the same
run, which cancels most of the drift between runs. Under QEMU's emulation the layout alone moves that ratio
far more than a NOP could, so each variant's median over all its layouts
and rounds is compared with the other's, against the spread of the same
variant's layouts (the range of their medians over the median of all).
Prints a table, one "bench-trace:" line per cell and a "bench-goal:"
line; exits 1 when the log holds no complete A/B.

With BENCH_AB_BASE, the variants are this tree ("change") and the sources
of another commit ("base"), compared the same way: the table, and one
"bench-change:" line per cell, with no goal.
"""
import re
import statistics
import sys

TRACE_VARIANTS = ("built-in", "compiled-out")
CHANGE_VARIANTS = ("change", "base")
PAIR = ("bufpool_alloc_unsafe", "page_frag")
STAMP = re.compile(r"^\[ *\d+\.\d+\] ?")


def parse(path):
    """{(variant, layout, round): {(pattern, size): {contender: ns}}}"""
    runs, cur = {}, None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not STAMP.match(line):
                continue
            line = STAMP.sub("", line)
            m = re.match(r"bench-ab: run (\S+) (\S+) (\d+)$", line)
            if m:
                cur = runs.setdefault((m.group(1), m.group(2),
                                       int(m.group(3))), {})
                continue
            m = re.match(r"bufpool_bench: bench: (\S+) (\d+) (\S+) ([\d.]+) ",
                         line)
            if m and cur is not None:
                cell = cur.setdefault((m.group(1), int(m.group(2))), {})
                cell[m.group(3)] = float(m.group(4))
    return runs


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__.split("\n\n")[1])
    contender, ref = sys.argv[2:4] if len(sys.argv) == 4 else PAIR
    runs = parse(sys.argv[1])
    change = any(v == "change" for (v, _, _) in runs)
    variants = CHANGE_VARIANTS if change else TRACE_VARIANTS
    ratios = {}         # (variant, cell) -> {layout: [ratio per round]}
    for (variant, layout, _), cells in sorted(runs.items()):
        for cell, ns in cells.items():
            if ns.get(contender) and ns.get(ref):
                ratios.setdefault((variant, cell), {}).setdefault(
                    layout, []).append(ns[contender] / ns[ref])
    cells = sorted({c for (v, c) in ratios
                    if all((w, c) in ratios for w in variants)},
                   key=lambda c: (c[0], c[1]))
    rounds = max((r for (_, _, r) in runs), default=0)
    layouts = sorted({l for (_, l, _) in runs})
    what = "change" if change else "tracepoints"
    if not cells:
        print(f"{what}: the log holds no complete A/B run")
        return 1

    print()
    if change:
        print(f"change: bufpool of this tree ({variants[0]}) against the "
              f"sources of BENCH_AB_BASE ({variants[1]}); "
              f"{len(layouts)} code layouts ({', '.join(layouts)}), "
              f"{rounds} rounds")
    else:
        print(f"tracepoints: bufpool as built, tracepoints off ({variants[0]}), "
              f"against bufpool built with NOTRACE ({variants[1]}); "
              f"{len(layouts)} code layouts ({', '.join(layouts)}), "
              f"{rounds} rounds")
    print(f"  {contender}/{ref} in each run; median of all layouts and "
          "rounds, and the lowest to highest layout's median")
    print(f"  {'pattern':<9}{'size':>6}   {variants[0]:<21}"
          f"{variants[1]:<21}{'difference':>10}")
    lines, diffs, worst, within = [], [], 0.0, True
    for cell in cells:
        by = [ratios[(v, cell)] for v in variants]
        a, b = ([x for runs_ in d.values() for x in runs_] for d in by)
        ma, mb = statistics.median(a), statistics.median(b)
        la, lb = ([statistics.median(r) for r in d.values()] for d in by)
        diff = (ma - mb) / mb
        noise = max((max(la) - min(la)) / ma, (max(lb) - min(lb)) / mb)
        diffs.append(diff)
        worst = max(worst, abs(diff))
        if abs(diff) > noise:
            within = False
        print(f"  {cell[0]:<9}{cell[1]:>6}   "
              f"{ma:5.2f} ({min(la):.2f}-{max(la):.2f})     "
              f"{mb:5.2f} ({min(lb):.2f}-{max(lb):.2f})     "
              f"{100 * diff:+8.1f}%")
        lines.append(f"bench-{'change' if change else 'trace'}: "
                     f"{cell[0]} {cell[1]} {ma:.3f} {mb:.3f} "
                     f"{100 * diff:.1f} {100 * noise:.1f}")
    mean = statistics.mean(diffs)
    print(f"  mean difference over the cells: {100 * mean:+.1f}%")
    if change:
        print("bench-change-format: pattern size ratio_change ratio_base "
              "difference_pct layouts_range_pct")
    else:
        print("bench-trace-format: pattern size ratio_built_in "
              "ratio_compiled_out difference_pct layouts_range_pct")
    for line in lines:
        print(line)
    if change:
        return 0
    verdict = "met" if within else "MISSED"
    print(f"bench-goal: tracepoints-off {verdict}: built-in (off) vs "
          f"compiled out, every difference within the spread of the same "
          f"variant's code layouts; largest {100 * worst:.1f}%, "
          f"mean {100 * mean:+.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
