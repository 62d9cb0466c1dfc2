import { execFile } from 'node:child_process';

/** A check or reload command: argv with `{name}` placeholders. */
export type Command = readonly string[];

/** argv with every `{name}` of `vars` replaced. */
export function expand(command: Command, vars: Record<string, string>): string[] {
  return command.map((arg) => arg.replace(/\{(\w+)\}/g, (all, key: string) => vars[key] ?? all));
}

/** How commands run: `execFile` (no shell) bounded by a timeout, in production; a fake in tests. */
export type CommandRunner = (argv: string[]) => Promise<void>;

const tail = (text: string) => text.trim().split('\n').slice(-5).join(' | ').slice(0, 800);

/** Runs argv; rejects naming the program, its exit status and the end of its output. */
export function commandRunner(timeoutMs: number): CommandRunner {
  return (argv) =>
    new Promise((resolve, reject) => {
      const [program, ...args] = argv;
      if (!program) {
        reject(new Error('empty command'));
        return;
      }
      execFile(
        program,
        args,
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
        (error, stdout, stderr) => {
          if (!error) {
            resolve();
            return;
          }
          const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
          const status = e.killed
            ? `killed after ${timeoutMs} ms`
            : typeof e.code === 'number'
              ? `exited with ${e.code}`
              : e.message;
          const output = tail(`${stdout}\n${stderr}`);
          reject(new Error(`${argv.join(' ')}: ${status}${output ? `: ${output}` : ''}`));
        },
      );
    });
}
