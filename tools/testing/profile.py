#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn two tcgprof dumps into a profile per call, for make profile.

profile.py CALLS_A DUMP_A LOG_A CALLS_B DUMP_B LOG_B DUMP_C LOG_C [TOP]

DUMP_A and DUMP_B are tcgprof.c's output for two boots that differ only in
how many calls the benchmark made (CALLS_A and CALLS_B in all); their
difference, over CALLS_B - CALLS_A, is what one call costs, the boot and
everything else both runs did alike cancelling out. The symbols are
those each guest printed between "bufpool-kallsyms:" lines in its serial
log (LOG_A, LOG_B): Debian ships no System.map. DUMP_C is a boot like A
again: what differs between A and C is what varies with timing (spin
loops, the boot's delay calibration), the noise of each line. Prints the
functions by instructions per call, with the dear ones (tcgprof.c), those
that moved less than twice their noise left out.
"""
import base64
import bisect
import gzip
import sys


def read_symbols(log):
    """The code symbols the guest printed, gzip'd and base64'd."""
    text, inside = [], False
    with open(log, errors='replace') as f:
        for line in f:
            line = line.strip()
            if line == 'bufpool-kallsyms: begin':
                inside = True
            elif line == 'bufpool-kallsyms: end':
                break
            elif inside:
                text.append(line)
    if not text:
        sys.exit('profile.py: no symbols in %s' % log)
    syms = []
    for line in gzip.decompress(base64.b64decode(''.join(text))).decode().splitlines():
        parts = line.split()
        name = parts[2] + (' ' + parts[3] if len(parts) > 3 else '')
        syms.append((int(parts[0], 16), name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def per_symbol(dump, log):
    addrs, names = read_symbols(log)
    insns, dear = {}, {}
    with open(dump) as f:
        for line in f:
            start, n, d, execs = line.split()
            i = bisect.bisect_right(addrs, int(start, 16)) - 1
            name = names[i] if i >= 0 else '?'
            insns[name] = insns.get(name, 0) + int(n) * int(execs)
            dear[name] = dear.get(name, 0) + int(d) * int(execs)
    return insns, dear


def main():
    if len(sys.argv) < 9:
        sys.exit(__doc__)
    calls_a, dump_a, log_a = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    calls_b, dump_b, log_b = int(sys.argv[4]), sys.argv[5], sys.argv[6]
    dump_c, log_c = sys.argv[7], sys.argv[8]
    top = int(sys.argv[9]) if len(sys.argv) > 9 else 30
    calls = calls_b - calls_a
    if calls <= 0:
        sys.exit('profile.py: the second run must make more calls')
    ia, da = per_symbol(dump_a, log_a)
    ib, db = per_symbol(dump_b, log_b)
    ic, _ = per_symbol(dump_c, log_c)
    rows, noisy = [], 0.0
    for name in set(ia) | set(ib):
        base = (ia.get(name, 0) + ic.get(name, 0)) / 2
        n = (ib.get(name, 0) - base) / calls
        d = (db.get(name, 0) - da.get(name, 0)) / calls
        noise = abs(ia.get(name, 0) - ic.get(name, 0)) / calls
        if n < 0.5:
            continue
        if n < 2 * noise:
            noisy += n
            continue
        rows.append((n, d, noise, name))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    total_dear = sum(r[1] for r in rows)
    print('%10s %8s %7s %6s  %s' % ('insns/call', 'dear', 'noise', 'share',
                                     'function'))
    for n, d, noise, name in rows[:top]:
        print('%10.1f %8.1f %7.1f %5.1f%%  %s' % (n, d, noise,
                                                 100 * n / total if total else 0,
                                                 name))
    print('%10.1f %8.1f %7s %6s  all functions above half an instruction per call'
          % (total, total_dear, '', ''))
    print('%10.1f %8s %7s %6s  left out: within twice their noise' % (noisy, '', '', ''))


if __name__ == '__main__':
    main()
