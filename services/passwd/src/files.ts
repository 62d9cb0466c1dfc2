import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFile } from '@lanctl/core';
import { type AccountFiles, shadowGid } from './render.ts';

export type AccountFile = 'passwd' | 'shadow' | 'group' | 'gshadow';

/** Written in this order: a crash between two renames leaves shadow ahead of passwd, which the next run repairs. */
export const WRITE_ORDER: AccountFile[] = ['shadow', 'gshadow', 'group', 'passwd'];
/** Locked in useradd's order. */
export const LOCK_ORDER: AccountFile[] = ['passwd', 'shadow', 'group', 'gshadow'];

/** Mode of each file; shadow and gshadow also belong to the `shadow` group when there is one. */
export const MODES: Record<AccountFile, number> = {
  passwd: 0o644,
  group: 0o644,
  shadow: 0o640,
  gshadow: 0o640,
};

/** `<root>/etc/<file>`'s text; gshadow is optional (undefined when the root has none). */
export async function readAccountFiles(etc: string): Promise<AccountFiles> {
  const read = (name: AccountFile) => readFile(join(etc, name), 'utf8');
  const gshadow = await read('gshadow').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  const files: AccountFiles = {
    passwd: await read('passwd'),
    shadow: await read('shadow'),
    group: await read('group'),
  };
  if (gshadow !== undefined) files.gshadow = gshadow;
  return files;
}

/** Puts each rendered file in place (only those whose content, mode or owner differ). */
export async function writeAccountFiles(etc: string, files: AccountFiles): Promise<AccountFile[]> {
  const written: AccountFile[] = [];
  const shadow = shadowGid(files.group);
  for (const name of WRITE_ORDER) {
    const content = files[name];
    if (content === undefined) continue;
    const gid = name === 'shadow' || name === 'gshadow' ? shadow : 0;
    const result = await applyFile({
      path: join(etc, name),
      content,
      mode: MODES[name],
      owner: { uid: 0, gid },
    });
    if (result === 'written') written.push(name);
  }
  return written;
}
