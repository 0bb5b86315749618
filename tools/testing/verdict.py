#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads a guest's serial log and judges it.

Counts the KTAP results of the KUnit suites (a suite loaded as a module
prints no top-level header, so each suite is read on its own) and the
guest's "bufpool-check:" lines, and fails on any sign of trouble: a failed
or missing case, a suite cut short, a KASAN, KMSAN, UBSAN, lockdep or
kmemleak report, a WARN, BUG, Oops or panic, or a guest that did not reach its end.

Prints one line per result and per problem, the offending log lines, and
last a line "passed failed skipped" for check.sh to add up.
"""
import argparse
import re
import sys

STAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SUBTEST = re.compile(r'^(\s*)# Subtest: (\S+)')
PLAN = re.compile(r'^(\s*)1\.\.(\d+)\s*$')
RESULT = re.compile(r'^(\s*)(ok|not ok) (\d+)(?: -)? ([^#]*?)\s*(?:#\s*(.*))?$')
# A kernel message may land on the same serial line, after the check's
# own text: it is not part of the name or the reason.
CHECK = re.compile(r'^bufpool-check: (ok|not ok) ([^\s\[]+)(?: # (.*?))?\s*'
                   r'(?:\[\s*\d+\.\d+\].*)?$')
DONE = re.compile(r'^bufpool-guest: done rc=(\d+)')
# A check line can run into another one that the kernel printed, with its
# timestamp ("...ok load-client[    2.717695] bufpool-check: ok ..."):
# each is a check of its own, and the second may be the one that failed.
MERGED_CHECK = re.compile(r'(?=\[\s*\d+\.\d+\] bufpool-check: )')

# A report from a kernel checker starts with one of these.
SPLATS = [
    (re.compile(r'BUG: KASAN'), 'KASAN report'),
    (re.compile(r'BUG: KMSAN'), 'KMSAN report'),
    (re.compile(r'UBSAN:'), 'UBSAN report'),
    (re.compile(r'possible circular locking|possible recursive locking|'
                r'inconsistent lock state|suspicious RCU usage|'
                r'DEBUG_LOCKS_WARN_ON|lock held when returning|'
                r'bad unlock balance'), 'lockdep report'),
    (re.compile(r'unreferenced object|new suspected memory leak'),
     'kmemleak report'),
    (re.compile(r'BUG \S+ \(.*\): |Poison overwritten|Redzone overwritten'),
     'SLUB debug report'),
    (re.compile(r'bufpool: .*chunk corrupted|bufpool: misuse:'),
     'bufpool debug report'),
    (re.compile(r'BUG:|kernel BUG at'), 'BUG'),
    (re.compile(r'WARNING:'), 'WARN'),
    (re.compile(r'Oops|general protection fault'), 'Oops'),
    (re.compile(r'Kernel panic'), 'panic'),
    (re.compile(r'Call Trace:'), 'stack dump'),
    (re.compile(r'blocked for more than|detected stall|soft lockup'),
     'hang'),
    (re.compile(r'bufpool-host: guest killed'), 'time limit'),
]

# A KUnit case that expects a checker report prints these around it:
# inside, the reports a case may expect are no failure, and nothing else
# is (an Oops, a lockdep report, a leak, a hang still fail the run).
EXPECT_BEGIN = 'bufpool-expect-report: begin'
EXPECT_END = 'bufpool-expect-report: end'
EXPECTABLE = {'KASAN report', 'KMSAN report', 'bufpool debug report',
              'SLUB debug report', 'WARN', 'stack dump'}
# The bench's guest prints its kallsyms between these, gzipped and in
# base64, whose lines may spell any word ("Oops" among them): inside, only
# a kernel message, which carries a timestamp, is read for reports.
DATA_BEGIN = 'bufpool-kallsyms: begin'
DATA_END = 'bufpool-kallsyms: end'


class Suite:
    def __init__(self, name, indent):
        self.name = name
        self.indent = indent
        self.plan = None
        self.cases = []      # (status, name, directive)


def parse(lines):
    suites, checks, problems = [], [], []
    stack = []               # open suites and parameterised cases
    done = None
    expecting = False
    data = False
    for n, raw in enumerate(lines):
        line = STAMP.sub('', raw.rstrip('\r\n'))
        if DATA_BEGIN in line:
            data = True
        elif DATA_END in line:
            data = False
        if data and not STAMP.match(raw):
            continue
        if EXPECT_BEGIN in line:
            expecting = True
        elif EXPECT_END in line:
            expecting = False
        for pattern, what in SPLATS:
            if pattern.search(line):
                if expecting and what in EXPECTABLE:
                    break
                problems.append((what, n))
                break

        found = False
        for part in MERGED_CHECK.split(line):
            m = CHECK.match(STAMP.sub('', part))
            if not m:
                continue
            why = m.group(3) or ''
            status = m.group(1) == 'ok'
            if status and why.upper().startswith('SKIP'):
                status = None
            checks.append((status, m.group(2), why))
            found = True
        if found:
            continue
        m = DONE.match(line)
        if m:
            done = int(m.group(1))
            continue
        m = SUBTEST.match(line)
        if m:
            stack.append(Suite(m.group(2), len(m.group(1))))
            continue
        m = PLAN.match(line)
        if m and stack and len(m.group(1)) == stack[-1].indent:
            stack[-1].plan = int(m.group(2))
            continue
        m = RESULT.match(line)
        if m and stack:
            indent = len(m.group(1))
            status = m.group(2) == 'ok'
            directive = m.group(5) or ''
            if directive.upper().startswith('SKIP'):
                status = None
            top = stack[-1]
            if indent == top.indent:
                top.cases.append((status, m.group(4), directive))
            elif indent < top.indent and m.group(4) == top.name:
                stack.pop()
                if stack:
                    # A parameterised case: its rows are its subtests.
                    stack[-1].cases.append((status, top.name, directive))
                else:
                    top.result = status
                    suites.append(top)
    for open_suite in stack:
        problems.append(('suite %s cut short' % open_suite.name, None))
        if open_suite.indent == 4 or len(stack) == 1:
            suites.append(open_suite)
    return suites, checks, problems, done


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('log')
    ap.add_argument('--label', default='guest')
    ap.add_argument('--suite', action='append', default=[],
                    help='a KUnit suite that must have run')
    args = ap.parse_args()

    with open(args.log, errors='replace') as f:
        lines = f.readlines()
    suites, checks, problems, done = parse(lines)
    passed = failed = skipped = 0
    label = args.label

    seen = {s.name for s in suites}
    for name in args.suite:
        if name not in seen:
            print('%s: FAIL suite %s never ran' % (label, name))
            failed += 1

    for s in suites:
        for status, case, directive in s.cases:
            if status is None:
                skipped += 1
                print('%s: SKIP %s.%s # %s' % (label, s.name, case, directive))
            elif status:
                passed += 1
            else:
                failed += 1
                print('%s: FAIL %s.%s' % (label, s.name, case))
        if s.plan is None or s.plan != len(s.cases):
            failed += 1
            print('%s: FAIL suite %s planned %s cases, reported %d' %
                  (label, s.name, s.plan, len(s.cases)))
        else:
            print('%s: suite %s: %d cases' % (label, s.name, len(s.cases)))

    for ok, name, why in checks:
        if ok is None:
            skipped += 1
            print('%s: SKIP check %s # %s' % (label, name, why))
        elif ok:
            passed += 1
        else:
            failed += 1
            print('%s: FAIL check %s%s' % (label, name, ' (%s)' % why if why else ''))

    if done is None:
        failed += 1
        problems.append(('guest never reached its end', None))
    elif done != 0:
        failed += 1
        problems.append(('guest payload exited %d' % done, None))

    shown = set()
    for what, n in problems:
        print('%s: FAIL %s' % (label, what))
        if n is not None and n not in shown:
            lo, hi = max(0, n - 2), min(len(lines), n + 25)
            for i in range(lo, hi):
                shown.add(i)
                print('    | ' + lines[i].rstrip())
    if problems:
        failed += sum(1 for what, _ in problems
                      if not what.startswith('guest'))
    print('%d %d %d' % (passed, failed, skipped))
    return 0


if __name__ == '__main__':
    sys.exit(main())
