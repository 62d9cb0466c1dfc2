/**
 * Checks an iPXE script the way iPXE will read it, for the script tests: the `#!ipxe` signature,
 * printable ASCII, unique labels, every `goto` (also `goto lanctl_${choice}`, expanded to the
 * items of the last `choose`) landing on a label, menus with unique ids and keys and a real
 * default, every `chain` with a `|| goto`, echo lines within the console's width. SADM's
 * netboot once jumped to a label that did not exist; this catches that class of bug.
 */
import { expect } from 'vitest';

/** An `item` line's id and key; null for `item --gap`. */
function parseItem(line: string): { id: string; key: string | null } | null {
  const words = line.split(' ').slice(1);
  let key: string | null = null;
  while (words[0]?.startsWith('--')) {
    const option = words.shift();
    if (option === '--gap') return null;
    if (option === '--key') key = words.shift() ?? null;
  }
  return { id: words[0] ?? '', key };
}

/** A `choose` line: its items (since the last `menu`) are unique and hold its static default. */
function parseChoose(lines: readonly string[], at: number): { variable: string; ids: string[] } {
  let start = at - 1;
  while (start >= 0 && !lines[start]?.startsWith('menu')) start--;
  expect(start, `choose without menu: ${lines[at]}`).toBeGreaterThanOrEqual(0);
  const items = lines.slice(start + 1, at).flatMap((l) => {
    const item = l.startsWith('item ') ? parseItem(l) : null;
    return item ? [item] : [];
  });
  const ids = items.map((i) => i.id);
  const keys = items.flatMap((i) => (i.key ? [i.key] : []));
  expect(new Set(ids).size, `repeated item in ${ids}`).toBe(ids.length);
  expect(new Set(keys).size, `repeated key in ${keys}`).toBe(keys.length);
  const words = (lines[at] ?? '').split(' || ')[0]?.split(' ') ?? [];
  const fallback = words.indexOf('--default');
  const chosen = fallback < 0 ? null : (words[fallback + 1] ?? '');
  if (chosen !== null && !chosen.includes('$')) expect(ids).toContain(chosen);
  return { variable: words.at(-1) ?? '', ids };
}

/** A goto's possible labels: `lanctl_${choice}` stands for every item of the last choose. */
function gotoTargets(target: string, menus: ReadonlyMap<string, string[]>): string[] {
  const dynamic = /\$\{([^}]+)\}/.exec(target);
  if (!dynamic) return [target];
  const ids = menus.get(dynamic[1] ?? '');
  expect(ids, `goto ${target}: no choose sets ${dynamic[1]}`).toBeDefined();
  return (ids ?? []).map((id) => target.replace(dynamic[0], id));
}

/**
 * Reads a script as iPXE runs it: signature, one command a line, unique labels, every `goto`
 * (static or through a menu choice) lands on a label of the same script, every `chain` has a
 * fallback, and messages fit a serial console. Returns the lines.
 */
export function checkScript(text: string): string[] {
  expect(text.startsWith('#!ipxe\n'), text).toBe(true);
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice('#!ipxe\n'.length, -1).split('\n');
  const labels = lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1));
  expect(new Set(labels).size, `repeated label in\n${text}`).toBe(labels.length);
  const menus = new Map<string, string[]>();
  lines.forEach((line, i) => {
    expect(line, 'printable ASCII only').toMatch(/^[ -~]*$/);
    if (line.startsWith('choose ')) {
      const { variable, ids } = parseChoose(lines, i);
      menus.set(variable, ids);
    }
    if (/^echo( |$)/.test(line)) {
      expect(line, 'echo takes a leading -x as an option').not.toMatch(/^echo -(?!n |- )/);
      expect(line.replace(/^echo( --)? ?/, '').length, line).toBeLessThanOrEqual(76);
    }
    if (line.startsWith('chain ')) expect(line).toMatch(/ \|\| goto \S+$/);
    for (const [, target] of line.matchAll(/\bgoto (\S+)/g)) {
      for (const t of gotoTargets(target ?? '', menus)) {
        expect(labels, `goto ${t} in\n${text}`).toContain(t);
      }
    }
  });
  return lines;
}
