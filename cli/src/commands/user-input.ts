import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { usageError } from '../output.ts';

/** Where prompts read and write: the process's terminal, or streams in tests. */
export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

const processIo = (): PromptIo => ({ input: process.stdin, output: process.stderr });

/** Whether a person can be asked: stdin and stderr are both terminals. */
export const canPrompt = () => Boolean(process.stdin.isTTY && process.stderr.isTTY);

/**
 * One line from the terminal. With `echo`, readline shows the prompt and the typing; without,
 * the prompt is written here and readline's echo goes nowhere.
 */
function ask(question: string, echo: boolean, io: PromptIo): Promise<string> {
  if (!echo) io.output.write(question);
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: io.input, output: echo ? io.output : sink, terminal: true });
  return new Promise((resolve, reject) => {
    rl.on('SIGINT', () => {
      rl.close();
      io.output.write('\n');
      reject(new Error('interrupted'));
    });
    rl.on('close', () => reject(new Error('no answer: the input ended')));
    rl.question(echo ? question : '', (answer) => {
      if (!echo) io.output.write('\n');
      resolve(answer);
      rl.close();
    });
  });
}

/** Asks for a secret without echoing it. */
export function askSecret(question: string, io: PromptIo = processIo()): Promise<string> {
  return ask(question, false, io);
}

/** A new password typed twice; they must match and not be empty. */
export async function askNewPassword(io: PromptIo = processIo()): Promise<string> {
  const first = await askSecret('New password: ', io);
  if (first === '') throw new Error('the new password must not be empty');
  if ((await askSecret('New password (again): ', io)) !== first) {
    throw new Error('the two new passwords differ; nothing was changed');
  }
  return first;
}

/** `[y/N]` question; only `y` or `yes` (any case) is a yes. */
export async function confirm(question: string, io: PromptIo = processIo()): Promise<boolean> {
  const answer = await ask(`${question} [y/N] `, true, io);
  return /^y(es)?$/i.test(answer.trim());
}

/** All of stdin, for `--password-stdin` and piped answers. */
export async function readStdin(input: AsyncIterable<unknown> = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The first `count` lines of stdin, each without its line ending (passwords keep their spaces).
 * Too few lines, or an empty one, is a usage error naming `what`.
 */
export async function stdinLines(count: number, what: string[]): Promise<string[]> {
  const lines = (await readStdin()).split(/\r?\n/).slice(0, count);
  what.forEach((name, i) => {
    if (!lines[i]) {
      usageError(`expected ${what.join(' and ')} on stdin, one a line; ${name} is missing`);
    }
  });
  return lines;
}
