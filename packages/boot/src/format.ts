import type { BootSummary } from './types.ts';
import { formatDuration } from './units.ts';

const COLORS = { red: '\x1b[31m', green: '\x1b[32m', dim: '\x1b[2m', reset: '\x1b[0m' };

/** "16:53:22.104" in UTC. */
const clock = (iso: string) => iso.slice(11, 23);

/**
 * `lanctl boot log`: one line per event (UTC time, +time since the boot started, source,
 * ✓ or ✗, summary), then the verdict.
 */
export function formatTimeline(summary: BootSummary, opts: { color?: boolean } = {}): string {
  const paint = (color: keyof typeof COLORS, text: string) =>
    opts.color ? `${COLORS[color]}${text}${COLORS.reset}` : text;
  const lines: string[] = [];
  const start = summary.started_at ? Date.parse(summary.started_at) : 0;
  if (summary.started_at) lines.push(`boot started ${summary.started_at}`);
  for (const e of summary.events) {
    const offset = `+${formatDuration(Date.parse(e.at) - start)}`.padStart(10);
    const mark = e.ok ? paint('green', 'ok ') : paint('red', 'ERR');
    const ip = e.ip ? paint('dim', `  [${e.ip}]`) : '';
    lines.push(`${clock(e.at)} ${offset}  ${e.source.padEnd(7)} ${mark} ${e.summary}${ip}`);
  }
  const stage = summary.stage ? ` (stage ${summary.stage})` : '';
  const verdict = `verdict: ${summary.verdict}${stage}`;
  lines.push(paint(summary.ok ? 'green' : 'red', verdict));
  return `${lines.join('\n')}\n`;
}
