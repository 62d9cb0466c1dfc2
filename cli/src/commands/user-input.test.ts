import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askNewPassword, askSecret, confirm, type PromptIo } from './user-input.ts';

/** A fake terminal: types the next answer whenever a prompt appears; captures what is shown. */
function terminal(...answers: string[]): PromptIo & { shown: () => string } {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk) => {
    text += chunk;
    if (/[:\]] $/.test(text) && answers.length > 0) {
      const answer = answers.shift()!;
      setImmediate(() => input.write(`${answer}\r`));
    }
  });
  return { input, output, shown: () => text };
}

describe('prompts', () => {
  it('reads a secret without echoing it', async () => {
    const tty = terminal('s3cret pw');
    expect(await askSecret('Password: ', tty)).toBe('s3cret pw');
    expect(tty.shown()).toBe('Password: \n');
  });

  it('asks a new password twice and refuses two different ones', async () => {
    const same = terminal('N3w pass', 'N3w pass');
    expect(await askNewPassword(same)).toBe('N3w pass');
    expect(same.shown()).toBe('New password: \nNew password (again): \n');
    await expect(askNewPassword(terminal('a1', 'b2'))).rejects.toThrow(/differ/);
    await expect(askNewPassword(terminal(''))).rejects.toThrow(/empty/);
  });

  it('takes only y or yes as a yes, and shows the answer', async () => {
    const yes = terminal('Yes');
    expect(await confirm('Go?', yes)).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: readline's cursor moves
    expect(yes.shown().replace(/\x1b\[\d*[A-Za-z]/g, '')).toBe('Go? [y/N] Yes\r\n');
    expect(await confirm('Go?', terminal(''))).toBe(false);
    expect(await confirm('Go?', terminal('nope'))).toBe(false);
  });

  it('fails instead of hanging when the input ends', async () => {
    const input = new PassThrough();
    const tty = { input, output: new PassThrough() };
    setImmediate(() => input.end());
    await expect(askSecret('Password: ', tty)).rejects.toThrow(/input ended/);
  });
});
