#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint (and make check): the kernel's own linters over the tree, with
# the tools of Debian's linux-source-6.1 and, for checkpatch, of the newest
# kernel's source, whose rules are the newest:
#   checkpatch   scripts/checkpatch.pl --strict --no-tree -f, every C file
#                and header (tracked, or new and not ignored);
#   sparse       kbuild with C=2, against every kernel of KERNELS: its
#                debug kernel (the only one with KUnit, so the only one
#                that builds kunit/) and the headers of its stock -rt
#                kernel, for the top-level Kbuild and every other
#                directory with a Kbuild; every kernel C file must have
#                been checked (one skip when sparse is too old for every
#                kernel of KERNELS: KERNELS=7.3 alone);
#   layering     no two files of bufpool/ call each other, even through
#                others: the calls between the objects of sparse's first
#                build form no cycle;
#   kernel-doc   scripts/kernel-doc -none -v (6.1's -v is what later
#                kernels call -Wall: it adds the Return: section check) on
#                include/linux/bufpool.h and every file that exports symbols;
#   kdoc-sections  every exported function has a kernel-doc comment with
#                Context: and Return: sections;
#   clang-format .clang-format is the kernel's own.
# The bar is no error, warning or check at all. An exception is a line of
# tools/testing/lint-exceptions.txt, with its reason; one that no longer
# matches anything is a failure too (a sparse one only when sparse ran
# against the whole matrix: with KERNELS=6.1, an exception for the
# headers of 6.12 has nothing to match).
#
# Prints the offending messages, then one "bufpool-check: ok|not ok NAME"
# line per tool and file. Exits non-zero when any check failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$BUFPOOL_TOP" || exit 1
# Everything it prints is kept in .out/lint.log too: make check shows only
# the failed checks' lines.
mkdir -p "$BUFPOOL_OUT" && exec > >(tee "$BUFPOOL_OUT/lint.log") 2>&1
tee_pid=$!
exceptions=$BUFPOOL_TOP/tools/testing/lint-exceptions.txt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bufpool-lint.XXXXXX") || exit 1
# At the end, tee's last lines are out before the script is: whoever
# reads its output (make check) reads it all.
trap 'rm -rf "$tmp"; exec > /dev/null 2>&1; wait "$tee_pid"' EXIT
: > "$tmp/used"
: > "$tmp/ran"
bad=0


# What it needs (sparse, linux-source-6.1): installed when missing, as
# make check does first.
deps > "$tmp/deps.log" 2>&1 ||
	{ cat "$tmp/deps.log"; say "not ok lint-setup # tools/testing/deps.sh failed"; exit 1; }
if ! src=$(source_tree 6.1) || ! newest_src=$(source_tree "$BUFPOOL_NEWEST"); then
	say "not ok lint-setup # no linux-source-6.1 or linux-source-$BUFPOOL_NEWEST tree"
	exit 1
fi

# judge NAME TOOL PATH MODE FINDINGS: drops the findings an exception
# covers, prints the rest and the check's line. MODE "blocks": findings
# are separated by blank lines (checkpatch); "lines": each starts with a
# "path:line[:col]: " line, and lines without one, or whose message is
# indented (sparse's "expected"/"got"), continue the one before.
cat > "$tmp/judge.py" <<'EOF'
import fnmatch, os, re, sys

name, tool, path, mode, findings = sys.argv[1:6]
loc = re.compile(r'^(\S+?):(\d+)(?::\d+)?: ?(.*)$')
text = open(findings, errors='replace').read()
blocks = []
if mode == 'blocks':
    for b in re.split(r'\n\s*\n', text):
        b = b.strip('\n')
        if b.strip():
            blocks.append(b)
else:
    for line in text.splitlines():
        m = loc.match(line)
        if not line.strip():
            continue
        if m and not m.group(3).startswith('  ') or not blocks:
            blocks.append(line)
        else:
            blocks[-1] += '\n' + line

# The same finding from both kernels' builds counts once.
blocks = list(dict.fromkeys(blocks))

def message(block):
    first = block.split('\n', 1)[0]
    m = loc.match(first)
    return m.group(3) if m else first

exc = []
exc_file = os.environ.get('LINT_EXCEPTIONS', '')
if exc_file and os.path.exists(exc_file):
    for n, line in enumerate(open(exc_file), 1):
        line = line.strip()
        if not line or line.startswith('#') or ' # ' not in line:
            continue
        spec = line.split(' # ', 1)[0].split(None, 2)
        if len(spec) == 3:
            exc.append((n, spec[0], spec[1], spec[2].strip()))

kept, excepted = [], 0
used = open(os.environ['LINT_USED'], 'a')
for b in blocks:
    hit = [n for n, t, g, rx in exc
           if t == tool and fnmatch.fnmatchcase(path, g) and re.search(rx, message(b))]
    if hit:
        excepted += 1
        for n in hit:
            used.write('%d\n' % n)
    else:
        kept.append(b)

note = ' (%d excepted)' % excepted if excepted else ''
if kept:
    for b in kept:
        print(b)
    first = message(kept[0])
    if len(first) > 100:
        first = first[:97] + '...'
    print('%d finding%s%s, first: %s' %
          (len(kept), '' if len(kept) == 1 else 's', note, first))
    sys.exit(1)
print(note.strip())
EOF
export LINT_EXCEPTIONS=$exceptions LINT_USED=$tmp/used

# judge ...: judge.py prints the findings it keeps, and last what the
# check's line says of them.
judge() {
	local out rc
	echo "$2" >> "$tmp/ran"
	out=$(python3 "$tmp/judge.py" "$@")
	rc=$?
	printf '%s\n' "$out" | sed '$d'
	if [ $rc -eq 0 ]; then
		pass "$1$(printf '%s\n' "$out" | tail -n 1 | sed 's/^./ &/')"
	else
		fail "$1" "$(printf '%s\n' "$out" | tail -n 1)"
		bad=1
	fi
}

# tree_files: the tree's files, NUL-terminated: tracked, or new and not
# ignored, and present (outside git: all but .out/ and .git/).
tree_files() {
	if git rev-parse --git-dir > /dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard |
			(while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done)
	else
		find . \( -path ./.out -o -path ./.git \) -prune -o -type f -printf '%P\0'
	fi
}

# The C files and headers.
files=()
while IFS= read -r -d '' f; do
	case $f in *.c | *.h) files+=("$f") ;; esac
done < <(tree_files | sort -zu)
[ ${#files[@]} -gt 0 ] || { say "not ok lint-setup # no C file found"; exit 1; }

# --- checkpatch -----------------------------------------------------------
t=$SECONDS
# The slow part: one checkpatch per CPU, each over its share of the files.
# Each finding names its file, which sorts them out again.
mkdir "$tmp/cp"
export TMPCP=$tmp/cp
printf '%s\0' "${files[@]}" |
	xargs -0 -P "$JOBS" -n $(( (${#files[@]} + JOBS - 1) / JOBS )) sh -c \
		'perl "$0" --strict --no-tree -f -q --no-summary --showfile --color=never \
			"$@" > "$(mktemp -p "$TMPCP")" 2>&1' "$newest_src/scripts/checkpatch.pl"
cat "$tmp"/cp/tmp.* | awk -v dir="$tmp/cp" -v RS= '
	{ f = $0; sub(/:.*/, "", f); gsub("/", "%", f)
	  if ($0 !~ /^[^ :]+:[0-9]+: /) f = "_other"
	  print $0 "\n" >> (dir "/" f ".out") }'
if [ -s "$tmp/cp/_other.out" ]; then
	cat "$tmp/cp/_other.out"
	say "not ok checkpatch-run # checkpatch printed something that names no file"
fi
for f in "${files[@]}"; do
	out=$tmp/cp/$(echo "$f" | tr / %).out
	[ -e "$out" ] || : > "$out"
	judge "checkpatch:$f" checkpatch "$f" blocks "$out"
done

msg "lint: checkpatch took $((SECONDS - t)) s"

# --- sparse ---------------------------------------------------------------
t=$SECONDS
# A C file is kernel code when the nearest Kbuild above it names its object.
kbuild_of() {
	local d
	d=$(dirname "$1")
	while [ "$d" != . ] && [ ! -e "$d/Kbuild" ]; do
		d=$(dirname "$d")
	done
	echo "$d"
}
kernel_c=()
for f in "${files[@]}"; do
	case $f in *.c) ;; *) continue ;; esac
	d=$(kbuild_of "$f")
	rel=${f#"$d"/}
	[ "$d" = . ] && rel=$f
	grep -qE "(^|[[:space:]=])${rel%.c}\.o([[:space:]\\]|$)" "$d/Kbuild" && kernel_c+=("$f")
done
kbuild_dirs=()
while IFS= read -r -d '' k; do
	case $k in */Kbuild) kbuild_dirs+=("${k%/Kbuild}") ;; esac
done < <(tree_files | sort -zu)

# kbuild's CHECK program: sparse, with what it says kept per checked file.
cat > "$tmp/sparse-wrap" <<'EOF'
#!/bin/sh
for f; do :; done
# The file, from the top of the copy: kbuild names it by its absolute
# path before 6.13 and relative to the module's directory after.
case $f in /*) ;; *) f=$PWD/${f#./} ;; esac
out=$LINT_SPARSE_OUT/$(printf '%s' "${f#"$LINT_SPARSE_COPY"/}" | tr / %)
sparse "$@" > "$out" 2>&1
rc=$?
cat "$out" >&2
exit $rc
EOF
chmod +x "$tmp/sparse-wrap"

# sparse_build LABEL KDIR: the tree's sources into a copy, built with C=2
# (whatever make this runs under and its flags say); the kernels'
# builds run side by side.
sparse_build() {
	local label=$1 kdir=$2 copy=$tmp/tree-$1 d log
	mkdir -p "$tmp/sp-$label"
	(copy_tree "$copy") || { fail "sparse-setup:$label" "cannot copy the tree"; return; }
	for d in . "${kbuild_dirs[@]}"; do
		log=$tmp/sparse-$label-${d//\//_}.log
		set -- -j"$JOBS" C=2 CHECK="$tmp/sparse-wrap"
		(
			# Whatever make this runs under, and its flags.
			unset MAKEFLAGS MFLAGS MAKELEVEL
			export LINT_SPARSE_COPY="$copy" LINT_SPARSE_OUT="$tmp/sp-$label"
			if [ "$d" = . ]; then
				make -C "$kdir" M="$copy" "$@" modules
			else
				kbuild_ext "$kdir" "$copy/$d" "$copy" "$copy/Module.symvers" "$@"
			fi
		) > "$log" 2>&1 || {
			# The module itself must build everywhere; another
			# directory (a KUnit-only one) on at least one kernel.
			echo "$d" >> "$tmp/unbuilt-$label"
			if [ "$d" = . ]; then
				tail -n 20 "$log"
				fail "sparse-build:$label" "bufpool did not build against $kdir"
			fi
		}
		# kbuild turns C= off, saying so, when its checker-valid.sh
		# finds the checker too old for the kernel's headers (7.x
		# wants __typeof_unqual__, which sparse 0.6.4 lacks): that
		# kernel is not checked, which is a skip, not a pass.
		if [ "$d" = . ] && grep -q 'specified, but .* is not available or not up to date' "$log"; then
			say "ok sparse-kernel:$label # SKIP sparse $(sparse --version 2>&1 | head -n 1) is too old for its headers: kbuild checked nothing"
			return
		fi
	done
}

# Against every kernel of KERNELS (the whole matrix by default): its debug
# kernel (the only one with KUnit, so the only one that builds kunit/) and
# its stock PREEMPT_RT kernel (which turns the locks into others), two
# builds at a time.
pids=() labels=()
# sparse_bg LABEL KDIR: sparse_build in the background.
sparse_bg() {
	[ ${#pids[@]} -lt "$JOBS" ] || { wait "${pids[0]}"; pids=("${pids[@]:1}"); }
	sparse_build "$1" "$2" > "$tmp/$1.out" 2>&1 &
	pids+=($!)
	labels+=("$1")
}
for k in ${KERNELS:-$BUFPOOL_KERNELS}; do
	# LINT_DEBUG_KDIR= names a debug kernel build tree instead of kernel.sh's.
	if kdir=${LINT_DEBUG_KDIR:-$("$BUFPOOL_TOP/tools/testing/kernel.sh" "$k" 2> "$tmp/kernel.log")}; then
		sparse_bg "debug-$k" "$kdir"
	else
		tail -n 20 "$tmp/kernel.log"
		say "not ok sparse-kernel:debug-$k # the debug kernel $k did not build"
	fi
	kernel_conf "$k"
	kernel_has_stock rt-amd64 || continue
	if dir=$(stock_dir "$k" rt-amd64 2> "$tmp/stock.log"); then
		sparse_bg "rt-$k" "$dir/kdir"
	else
		tail -n 20 "$tmp/stock.log"
		say "not ok sparse-kernel:rt-$k # no stock rt-amd64 kernel $k"
	fi
done
# (Not a bare wait: that would wait for the tee above, too.)
[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
# Whether sparse checked against any kernel: not when each was too new
# for it (KERNELS=7.3 alone).
checked=
for label in "${labels[@]}"; do
	[ -e "$tmp/$label.out" ] || continue
	cat "$tmp/$label.out"
	grep -q '^bufpool-check: not ok ' "$tmp/$label.out" && bad=1
	grep -q '^bufpool-check: ok sparse-kernel:.* # SKIP ' "$tmp/$label.out" ||
		checked=1
	for f in "$tmp/sp-$label"/*; do
		[ -e "$f" ] || continue
		sed "s|$tmp/tree-$label/||g" "$f" >> "$tmp/sparse-of-$(basename "$f")"
	done
done
for d in "${kbuild_dirs[@]}"; do
	for label in "${labels[@]}"; do
		[ -e "$tmp/tree-$label" ] && ! grep -qxF "$d" "$tmp/unbuilt-$label" 2>/dev/null &&
			continue 2
	done
	tail -n 20 "$tmp"/sparse-*-"${d//\//_}".log
	say "not ok sparse-build:$d # built against no kernel"
done
if [ -z "$checked" ] && [ ${#labels[@]} -gt 0 ]; then
	say "ok sparse-files # SKIP sparse checked against no kernel of ${KERNELS:-$BUFPOOL_KERNELS}"
	kernel_c=()
fi
for f in "${kernel_c[@]}"; do
	out=$tmp/sparse-of-$(printf '%s' "$f" | tr / %)
	if [ ! -e "$out" ]; then
		say "not ok sparse:$f # sparse never checked it"
		continue
	fi
	judge "sparse:$f" sparse "$f" lines "$out"
done

msg "lint: sparse took $((SECONDS - t)) s"

# --- layering -------------------------------------------------------------
# No two files of bufpool/ call each other, even through others: the calls
# between the objects sparse's first build left (a function one object
# needs and another defines) form no cycle.
objs=()
for label in "${labels[@]}"; do
	for o in "$tmp/tree-$label"/bufpool/*.o; do
		[ -e "$o" ] && objs+=("$o")
	done
	[ ${#objs[@]} -gt 0 ] && break
done
if [ ${#objs[@]} -eq 0 ]; then
	say "not ok layering # no object of bufpool/ was built"
else
	for o in "${objs[@]}"; do
		echo "== $(basename "$o" .o)"
		nm "$o"
	done > "$tmp/nm"
	python3 - "$tmp/nm" > "$tmp/out" <<'EOF'
import sys
defs, needs, cur = {}, {}, None
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == '==':
        cur = f[1]
        needs[cur] = set()
    elif len(f) == 2 and f[0] == 'U':
        needs[cur].add(f[1])
    elif len(f) == 3 and f[1] == 'T':
        defs[f[2]] = cur
calls = {o: {defs[s] for s in n if s in defs and defs[s] != o}
         for o, n in needs.items()}
state = {}
def visit(o, path):
    state[o] = 1
    for d in sorted(calls[o]):
        if state.get(d) == 1:
            cycle = path[path.index(d):] + [d]
            print('bufpool/%s.c:1: calls in a cycle: %s' % (o, ' -> '.join(cycle)))
            return True
        if d not in state and visit(d, path + [d]):
            return True
    state[o] = 2
    return False
for o in sorted(calls):
    if o not in state and visit(o, [o]):
        break
EOF
	judge layering layering bufpool lines "$tmp/out"
fi

# --- kernel-doc -----------------------------------------------------------
t=$SECONDS
kdoc_files=(include/linux/bufpool.h)
exporting=()
for f in "${files[@]}"; do
	grep -qE '^[[:space:]]*EXPORT_SYMBOL' "$f" && exporting+=("$f")
done
for f in "${kdoc_files[@]}" "${exporting[@]}"; do
	perl "$src/scripts/kernel-doc" -none -v "$f" 2>&1 |
		grep -Ev ': info: Scanning doc for |^[0-9]+ (warnings|errors)$' > "$tmp/out"
	judge "kernel-doc:$f" kernel-doc "$f" lines "$tmp/out"
done

# Every exported function: a kernel-doc comment with Context: and Return:.
for f in "${exporting[@]}"; do
	python3 - "$f" > "$tmp/out" <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
docs = {}
for m in re.finditer(r'/\*\*[ \t]*\n(.*?)\*/', text, re.S):
    head = re.match(r'\s*\*\s*(\w+)(?:\(\))?\s+-', m.group(1))
    if head:
        docs[head.group(1)] = m.group(1)
for m in re.finditer(r'^\s*EXPORT_SYMBOL\w*\(\s*(\w+)', text, re.M):
    fn, line = m.group(1), text.count('\n', 0, m.start()) + 1
    doc = docs.get(fn)
    if doc is None:
        print('%s:%d: %s is exported without a kernel-doc comment' % (path, line, fn))
        continue
    for sect in ('Context', 'Return'):
        if not re.search(r'^\s*\*\s*%s:' % sect, doc, re.M | re.I):
            print('%s:%d: the kernel-doc of exported %s has no %s: section' % (path, line, fn, sect))
EOF
	judge "kdoc-sections:$f" kdoc-sections "$f" lines "$tmp/out"
done

msg "lint: kernel-doc took $((SECONDS - t)) s"

# --- .clang-format --------------------------------------------------------
if cmp -s "$src/.clang-format" .clang-format; then
	say "ok clang-format"
else
	diff -u "$src/.clang-format" .clang-format 2>&1 | head -n 20
	say "not ok clang-format # .clang-format is not linux-source-6.1's"
fi

# --- the exceptions themselves --------------------------------------------
if [ -e "$exceptions" ]; then
	n=0 stale=0
	# Which kernels sparse ran against: all of them, or only some.
	partial=
	if [ "$(printf '%s\n' ${KERNELS:-$BUFPOOL_KERNELS} | sort -u)" != \
		"$(printf '%s\n' $BUFPOOL_KERNELS | sort -u)" ]; then
		partial=1
	fi
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in '' | '#'*) continue ;; esac
		spec=${line%% # *}
		read -r tool glob rx <<< "$spec"
		if [ "$spec" = "$line" ] || [ -z "$rx" ] || [ -z "${line#* # }" ]; then
			echo "lint-exceptions.txt:$n: not \"tool path-glob regex # reason\": $line"
			stale=1
		elif [ "$tool" = sparse ] && [ -n "$partial" ]; then
			continue
		elif grep -qxF "$tool" "$tmp/ran" && ! grep -qxF "$n" "$tmp/used"; then
			echo "lint-exceptions.txt:$n: matches nothing any more: $line"
			stale=1
		fi
	done < "$exceptions"
	if [ $stale -eq 0 ]; then
		say "ok lint-exceptions"
	else
		say "not ok lint-exceptions # malformed or unused exceptions (above)"
	fi
fi

exit $bad
