import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A minimal Debian-like root's account files: system users, a local user, sudo, shadow group. */
export const BASE_FILES = {
  passwd: `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
alice:x:1000:1000:Alice Local,,,:/home/alice:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`,
  shadow: `root:$6$rootsalt$Xr0Ot.hash.of.the.local.root:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
bin:*:19000:0:99999:7:::
sys:*:19000:0:99999:7:::
alice:$y$j9T$alice$hash:19100:0:99999:7:::
nobody:*:19000:0:99999:7:::
`,
  group: `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
sudo:x:27:alice
shadow:x:42:
users:x:100:
alice:x:1000:
nogroup:x:65534:
`,
  gshadow: `root:*::
daemon:*::
bin:*::
sys:*::
sudo:*::alice
shadow:*::
users:*::
alice:!::
nogroup:*::
`,
};

/**
 * A root that pwck and grpck accept: the account files above (modes as on Debian), the shells,
 * and every home directory. `homes` adds the managed users' homes (pwck checks they exist).
 */
export function makeTestRoot(root: string): void {
  for (const dir of ['etc', 'root', 'bin', 'usr/sbin', 'dev', 'home/alice', 'nonexistent']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  writeFileSync(join(root, 'bin/bash'), '#!/bin/false\n', { mode: 0o755 });
  writeFileSync(join(root, 'usr/sbin/nologin'), '#!/bin/false\n', { mode: 0o755 });
  resetAccountFiles(root);
}

/** Puts the base account files back, as a fresh install would have them. */
export function resetAccountFiles(root: string): void {
  for (const [name, content] of Object.entries(BASE_FILES)) {
    const path = join(root, 'etc', name);
    writeFileSync(path, content);
    const secret = name === 'shadow' || name === 'gshadow';
    chmodSync(path, secret ? 0o640 : 0o644);
    chownSync(path, 0, secret ? 42 : 0);
  }
}

export function makeHomes(root: string, logins: string[]): void {
  for (const login of logins) mkdirSync(join(root, 'home', login), { recursive: true });
}

/** Exit code and output of `pwck -r -R root` or `grpck -r -R root` (read-only checks). */
export async function check(
  tool: 'pwck' | 'grpck',
  root: string,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(tool, ['-r', '-R', root]);
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: Number(err.code), output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** Whether `hash` is crypt(3) of `password`, checked by Python's crypt module (glibc's crypt). */
export async function cryptVerifies(password: string, hash: string): Promise<boolean> {
  const script =
    'import crypt, sys; sys.exit(0 if crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2] else 1)';
  try {
    await run('python3', ['-W', 'ignore', '-c', script, password, hash]);
    return true;
  } catch (e) {
    if ((e as { code?: number }).code === 1) return false;
    throw e;
  }
}
