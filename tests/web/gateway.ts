import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@lanctl/testkit';

const ROOT = join(import.meta.dirname, '..', '..');
const SERVICES = ['origin', 'mdb', 'mdbsync', 'udb', 'udbsync', 'netboot', 'presence', 'sso'];

export interface RunningGateway {
  origin: string;
  /** The data directory (its token-signing.key issues workstation tokens in tests). */
  data: string;
  adminToken: string;
  adminPassword: string;
  stop(): Promise<void>;
}

/** A real `lanctl start` on port 0 everywhere, in a temporary data directory removed on stop. */
export async function startGateway(): Promise<RunningGateway> {
  const dir = await tempDir('lanctl-web-');
  const data = join(dir.path, 'var');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/src/main.ts',
      'start',
      '--data',
      data,
      ...SERVICES.flatMap((s) => ['--port', `${s}=0`]),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await dir.cleanup();
  };
  const deadline = Date.now() + 45_000;
  while (!output.includes('gateway up')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`lanctl start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const ports = JSON.parse(readFileSync(join(data, 'ports.json'), 'utf8'));
  return {
    origin: ports.origin,
    data,
    adminToken: readFileSync(join(data, 'admin-token'), 'utf8').trim(),
    adminPassword: readFileSync(join(data, 'initial-admin-password'), 'utf8').trim(),
    stop,
  };
}
