import { createHash } from 'node:crypto';
import type { UsermapModel, UsermapRoom, UsermapSeat } from './model.ts';
import { SCRIPT, STYLE } from './page-assets.ts';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and quoted attribute values. */
export const escapeHtml = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);

/** The Content-Security-Policy of the page: its one inline script by hash, nothing remote. */
export function pageCsp(): string {
  const hash = createHash('sha256').update(SCRIPT).digest('base64');
  return [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const LABEL = { free: 'free', faulty: 'faulty', unreachable: 'unreachable' } as const;

function seatHtml(s: UsermapSeat): string {
  let cls = `seat ${s.state}`;
  if (s.state === 'taken') cls += ` g-${s.group ?? 'unknown'}`;
  if (s.state === 'taken' && s.faulty_reason !== undefined) cls += ' is-faulty';
  const place =
    s.row !== undefined ? ` style="grid-row:${Number(s.row)};grid-column:${Number(s.column)}"` : '';
  const who = s.state === 'taken' ? (s.login ?? '') : LABEL[s.state];
  const why = s.faulty_reason ? `<span class="why">${escapeHtml(s.faulty_reason)}</span>` : '';
  const title = s.hostname + (s.faulty_reason ? `: ${s.faulty_reason}` : '');
  return (
    `<div class="${escapeHtml(cls)}"${place} title="${escapeHtml(title)}">` +
    `<span class="host">${escapeHtml(s.hostname)}</span>` +
    `<span class="who">${escapeHtml(who)}</span>${why}</div>`
  );
}

function roomHtml(r: UsermapRoom): string {
  const taken = r.seats.filter((s) => s.state === 'taken').length;
  const description = r.description ? `<small>${escapeHtml(r.description)}</small>` : '';
  const grid = r.seats.filter((s) => s.row !== undefined);
  const rest = r.seats.filter((s) => s.row === undefined);
  const columns = `grid-template-columns:repeat(${Number(r.columns)}, minmax(0, 1fr))`;
  return [
    '<section class="room">',
    `<h2>${escapeHtml(r.name)}${description}`,
    `<span class="count">${taken} / ${r.seats.length} taken</span></h2>`,
    grid.length ? `<div class="grid" style="${columns}">${grid.map(seatHtml).join('')}</div>` : '',
    rest.length ? `<div class="flow">${rest.map(seatHtml).join('')}</div>` : '',
    r.seats.length ? '' : '<p class="empty">no machines</p>',
    '</section>',
  ].join('');
}

/**
 * The whole page, rendered with the model of the moment (readable without JavaScript); its
 * script then follows `events` (relative: the page may sit under any prefix) and re-renders.
 */
export function renderPage(model: UsermapModel & { ready: boolean }, title: string): string {
  const legend = (['taken', 'free', 'faulty', 'unreachable'] as const)
    .map((k) => {
      const sample = k === 'taken' ? 'seat taken g-user' : `seat ${k}`;
      return `<span class="${sample}">${k} <b id="total-${k}">${model.totals[k]}</b></span>`;
    })
    .join('');
  const groups = (['user', 'orga', 'root'] as const)
    .map((g) => `<span class="seat taken g-${g}"><span class="who">${g}</span></span>`)
    .join('');
  const status = model.ready
    ? '<span id="status" class="wait">connecting…</span>'
    : '<span id="status" class="wait">waiting for the tables</span>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body data-ready="${model.ready}">
<header><h1>${escapeHtml(title)}</h1>${status}
<div class="legend">${legend}${groups}</div></header>
<main id="rooms">${model.rooms.map(roomHtml).join('\n')}</main>
<noscript><p>Without JavaScript this page does not update: reload it.</p></noscript>
<script>${SCRIPT}</script>
</body></html>
`;
}
