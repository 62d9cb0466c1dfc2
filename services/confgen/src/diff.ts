/**
 * A unified diff (`diff -u` format, 3 lines of context) of two texts, for `lanctl dhcp|dns diff`.
 * Pure. Common leading and trailing lines are set aside first (generated files change in a few
 * places); the rest is matched by longest common subsequence, or shown as replaced wholesale
 * when that middle is too large to match cheaply.
 */

const CONTEXT = 3;
/** Cells of the LCS table above which the middle part is shown as one replacement. */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script turning `a` into `b`. */
export function diffLines(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  ops.push(...middle(a.slice(start, endA), b.slice(start, endB)));
  ops.push(...a.slice(endA).map((line): Op => ({ kind: ' ', line })));
  return ops;
}

function middle(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_CELLS) {
    return [
      ...a.map((line): Op => ({ kind: '-', line })),
      ...b.map((line): Op => ({ kind: '+', line })),
    ];
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..], row-major in one array.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++]! });
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) ops.push({ kind: '-', line: a[i++]! });
    else ops.push({ kind: '+', line: b[j++]! });
  }
  while (i < n) ops.push({ kind: '-', line: a[i++]! });
  while (j < m) ops.push({ kind: '+', line: b[j++]! });
  return ops;
}

/**
 * `--- <fromLabel>` / `+++ <toLabel>` and the hunks; '' when the texts are equal. A missing file
 * is passed as null (shown as /dev/null, like `diff -N`).
 */
export function unifiedDiff(
  before: string | null,
  after: string | null,
  fromLabel: string,
  toLabel: string,
): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before ?? ''), splitLines(after ?? ''));
  const hunks = hunksOf(ops);
  if (hunks.length === 0) return '';
  const head = [
    `--- ${before === null ? '/dev/null' : fromLabel}`,
    `+++ ${after === null ? '/dev/null' : toLabel}`,
  ];
  return `${[...head, ...hunks].join('\n')}\n`;
}

function hunksOf(ops: Op[]): string[] {
  const changed = ops.flatMap((op, i) => (op.kind === ' ' ? [] : [i]));
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const first = changed[k]!;
    let last = first;
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * CONTEXT) last = changed[++k]!;
    k++;
    const from = Math.max(0, first - CONTEXT);
    const to = Math.min(ops.length, last + CONTEXT + 1);
    out.push(hunkText(ops, from, to));
  }
  return out;
}

function hunkText(ops: Op[], from: number, to: number): string {
  let lineA = 1;
  let lineB = 1;
  for (let i = 0; i < from; i++) {
    if (ops[i]!.kind !== '+') lineA++;
    if (ops[i]!.kind !== '-') lineB++;
  }
  const body = ops.slice(from, to);
  const countA = body.filter((op) => op.kind !== '+').length;
  const countB = body.filter((op) => op.kind !== '-').length;
  const range = (start: number, count: number) =>
    count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
  return [
    `@@ -${range(lineA, countA)} +${range(lineB, countB)} @@`,
    ...body.map((op) => `${op.kind}${op.line}`),
  ].join('\n');
}
