import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFile } from '@lanctl/core';
import { type CommandRunner, expand } from './commands.ts';
import { unifiedDiff } from './diff.ts';
import type { OutputName, OutputPlan } from './site.ts';

export interface OutputResult {
  name: OutputName;
  /** `failed`: at least one file kept its old content (see `failures`). */
  result: 'written' | 'unchanged' | 'failed';
  written: string[];
  removed: string[];
  failures: { path: string; reason: string }[];
  /** Reload commands the changes call for (expanded, deduplicated, in order). */
  reloads: string[][];
}

const MODE = 0o644;

/**
 * Puts an output's files in place with `applyFile` (each validated by its check on the temp
 * file; an unchanged file is not touched), then removes the stale files of its directories.
 * After a failed file the remaining files that name others (the last one: views, fragment) and
 * the removals are skipped, so what is in place stays consistent. Reloads are returned, not run.
 */
export async function applyOutput(plan: OutputPlan, run: CommandRunner): Promise<OutputResult> {
  const res: OutputResult = {
    name: plan.name,
    result: 'unchanged',
    written: [],
    removed: [],
    failures: [],
    reloads: [],
  };
  const reloads = new Map<string, string[]>();
  const addReload = (argv: string[]) => reloads.set(JSON.stringify(argv), argv);
  let replaced = false;
  for (const dir of plan.owned) await mkdir(dir.dir, { recursive: true });
  for (const [i, file] of plan.files.entries()) {
    const last = i === plan.files.length - 1 && plan.files.length > 1;
    if (last && res.failures.length > 0) {
      res.failures.push({ path: file.path, reason: 'not applied: an earlier file failed' });
      continue;
    }
    const { check, vars } = file;
    const existed = existsSync(file.path);
    try {
      const outcome = await applyFile({
        path: file.path,
        content: file.content,
        mode: MODE,
        validate: check ? (tmp) => run(expand(check, { ...vars, file: tmp })) : undefined,
      });
      if (outcome === 'written') {
        res.written.push(file.path);
        if (existed) replaced = true;
        if (file.reload) addReload(expand(file.reload, { ...vars, file: file.path }));
      }
    } catch (e) {
      res.failures.push({ path: file.path, reason: (e as Error).message });
    }
  }
  if (res.failures.length === 0) res.removed = await removeStale(plan);
  if (plan.reloadOnRemoval && (res.removed.length > 0 || (replaced && plan.name === 'dnsmasq'))) {
    addReload(expand(plan.reloadOnRemoval, {}));
  }
  res.reloads = [...reloads.values()];
  if (res.failures.length > 0) res.result = 'failed';
  else if (res.written.length > 0 || res.removed.length > 0) res.result = 'written';
  return res;
}

/** Files of the owned directories that the plan does not name (absolute paths). */
async function staleFiles(plan: OutputPlan): Promise<string[]> {
  const planned = new Set(plan.files.map((f) => f.path));
  const stale: string[] = [];
  for (const { dir, match } of plan.owned) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      if (match.test(name) && !planned.has(path)) stale.push(path);
    }
  }
  return stale;
}

async function removeStale(plan: OutputPlan): Promise<string[]> {
  const stale = await staleFiles(plan);
  for (const path of stale) await rm(path, { force: true });
  return stale;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** What `applyOutput` would change, as a unified diff per file ('' when nothing); reads only. */
export async function diffOutput(plan: OutputPlan): Promise<string> {
  const parts: string[] = [];
  for (const file of plan.files) {
    parts.push(unifiedDiff(await readOrNull(file.path), file.content, file.path, file.path));
  }
  for (const path of await staleFiles(plan)) {
    parts.push(unifiedDiff(await readOrNull(path), null, path, path));
  }
  return parts.join('');
}
