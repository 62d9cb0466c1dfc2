import { errorLine } from './output.ts';

interface Progress {
  step(label: string): void;
  /** Prints a line above the bar without tearing it. */
  print(stream: NodeJS.WriteStream, line: string): void;
  done(): void;
}

const BAR_WIDTH = 30;

/** A one-line progress bar on stderr, redrawn in place; nothing at all when stderr is no TTY. */
function progressBar(total: number): Progress {
  const err = process.stderr;
  if (!err.isTTY || total < 2) {
    return { step() {}, print: (stream, line) => stream.write(`${line}\n`), done() {} };
  }
  let current = 0;
  let label = '';
  const draw = () => {
    const filled = Math.round((current / total) * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
    err.write(`\r\x1b[K[${bar}] ${current}/${total} ${label}`.slice(0, (err.columns || 80) + 4));
  };
  return {
    step(next) {
      current += 1;
      label = next;
      draw();
    },
    print(stream, line) {
      err.write('\r\x1b[K');
      stream.write(`${line}\n`);
      draw();
    },
    done() {
      err.write('\r\x1b[K');
    },
  };
}

/**
 * Runs `op` on every key in turn and reports each one (success on stdout, failure as a
 * `lanctl: KEY: ...` line on stderr) instead of stopping at the first error. Returns how many
 * failed and sets a non-zero exit code if any did.
 */
export async function runEach(
  keys: string[],
  op: (key: string) => Promise<string>,
): Promise<number> {
  const progress = progressBar(keys.length);
  let failed = 0;
  for (const key of keys) {
    progress.step(key);
    try {
      progress.print(process.stdout, await op(key));
    } catch (e) {
      failed += 1;
      progress.print(process.stderr, `lanctl: ${key}: ${errorLine(e)}`);
    }
  }
  progress.done();
  if (failed > 0) {
    if (keys.length > 1) process.stderr.write(`lanctl: ${failed} of ${keys.length} failed\n`);
    process.exitCode = 1;
  }
  return failed;
}
