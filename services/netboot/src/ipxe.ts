/**
 * iPXE script text. iPXE expands `${...}` everywhere, splits arguments on spaces and treats
 * `||`, `&&` and a leading `#` or `:` specially; it has no quoting. Anything that did not come
 * from our own validated data (a faulty reason, an error message, a typed hostname) goes through
 * `text()` before it lands in a script, so it is shown, never executed.
 */

/** Characters shown as they are; everything else becomes `?`. */
const SHOWN = /[^A-Za-z0-9 .,:;!?()/_+=@%*<>[\]{}'~^-]/g;
const MAX_TEXT = 300;

/** Free text made safe for an `echo` line (and any other argument position). */
export function text(value: string): string {
  const safe = value.replace(/\s+/g, ' ').replace(SHOWN, '?').trim();
  return safe.length > MAX_TEXT ? `${safe.slice(0, MAX_TEXT - 3)}...` : safe;
}

/** A value that must reach iPXE exactly (a name from mdb): null when it cannot be said safely. */
export function exact(value: string): string | null {
  return /^[A-Za-z0-9._:/@=+-]+$/.test(value) ? value : null;
}

/** A URL query value (percent-encoded; `%` is not special to iPXE). */
export const query = (params: Record<string, string | number>): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

/**
 * iPXE waits for ever on a server that accepted a connection and never answers: every fetch is
 * bounded. Scripts are small; boot files may wait in the boot-storm queue, then stream 30 MB+.
 */
export const SCRIPT_TIMEOUT_MS = 30_000;
export const FILE_TIMEOUT_MS = 600_000;

/**
 * Runs the script at `url` in place of this one (`--replace`: a faulty machine asking again every
 * minute all day must not nest one script deeper each time); when the fetch fails, this script's
 * `lanctl_failed` section.
 */
export const chainTo = (url: string): string =>
  `chain --replace --autofree --timeout ${SCRIPT_TIMEOUT_MS} ${url} || goto lanctl_failed`;

/** The whole script: the `#!ipxe` signature, then the lines. */
export function script(lines: readonly string[]): string {
  return `#!ipxe\n${lines.join('\n')}\n`;
}

/** Serial consoles wrap at 80 columns: messages are cut into lines shorter than that. */
const WIDTH = 76;

function wrap(line: string): string[] {
  // A word longer than a line (a long file name) is cut: no line may pass the width.
  const words = line.split(' ').flatMap((w) => w.match(new RegExp(`.{1,${WIDTH}}`, 'g')) ?? ['']);
  const out: string[] = [];
  let current = '';
  for (const word of words) {
    if (current && current.length + 1 + word.length > WIDTH) {
      out.push(current);
      current = '';
    }
    current = current ? `${current} ${word}` : word;
  }
  out.push(current);
  return out;
}

/** Echo lines for a message (wrapped; an empty line prints a blank). */
export function echo(...lines: string[]): string[] {
  return lines.flatMap((l) => {
    const safe = text(l);
    // `--` ends iPXE's options: a line starting with `-` is printed, not parsed as one.
    return safe === ''
      ? ['echo']
      : wrap(safe).map((w) => (w.startsWith('-') ? `echo -- ${w}` : `echo ${w}`));
  });
}

/**
 * A message that stays on screen, then goes to `next` (a URL chained after the delay). The
 * `prompt` lets someone at the machine skip the wait with a key, or take a shell with Ctrl-B.
 */
export function pauseThen(seconds: number, next: string): string[] {
  return [
    `prompt --key 0x02 --timeout ${seconds * 1000} Press Ctrl-B for an iPXE shell, or wait ${seconds} s... && shell ||`,
    chainTo(next),
    'exit',
    ...failed(next),
  ];
}

/** When even the next request fails (network, service down): wait and try the same again. */
export function failed(next: string): string[] {
  return [
    ':lanctl_failed',
    'echo Could not reach the netboot service; trying again in 10 s.',
    'sleep 10',
    chainTo(next),
  ];
}

/** A delay that differs per MAC, so a room retrying after a boot storm does not retry at once. */
export function jitter(mac: string, base: number): number {
  let h = 0;
  for (const c of mac) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return base + (h % Math.max(1, base));
}
