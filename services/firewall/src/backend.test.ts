import { describe, expect, it } from 'vitest';
import { runWithInput } from './backend.ts';

const node = process.execPath;

describe('runWithInput', () => {
  it('feeds the script on stdin', async () => {
    const check =
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.exit(s==="flush set x\\n"?0:4))';
    await expect(
      runWithInput(node, ['-e', check], 'flush set x\n', 10_000),
    ).resolves.toBeUndefined();
  });

  it('rejects with the exit status and stderr', async () => {
    const fail = 'process.stderr.write("Error: No such file or directory"); process.exit(1)';
    await expect(runWithInput(node, ['-e', fail], '', 10_000)).rejects.toThrow(
      /exit 1: Error: No such file or directory/,
    );
  });

  it('kills a command that hangs', async () => {
    await expect(
      runWithInput(node, ['-e', 'setTimeout(() => {}, 60000)'], '', 300),
    ).rejects.toThrow(/killed after 300 ms/);
  });

  it('reports a missing command', async () => {
    await expect(runWithInput('/nonexistent/nft', ['-f', '-'], '', 1000)).rejects.toThrow(/ENOENT/);
  });
});
