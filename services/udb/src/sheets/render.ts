import type { SheetEntry } from '@lanctl/model';

export interface SheetOptions {
  /** Printed on every card and as the page title. */
  title: string;
  /** Where to log in (a URL or a room), printed on every card when given. */
  site?: string;
}

/** Two columns of five 95 × 54 mm cards fill an A4 page inside 10 mm margins. */
export const CARDS_PER_PAGE = 10;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** `"First Last"`, as SADM's `realname`. */
const realname = (entry: SheetEntry) => `${entry.firstname} ${entry.lastname}`;

const STYLE = `
@page { size: A4 portrait; margin: 10mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #000; background: #fff;
  font-family: "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; }
.page { display: grid; grid-template-columns: repeat(2, 95mm); grid-auto-rows: 54mm;
  width: 190mm; break-after: page; page-break-after: always; }
.page:last-child { break-after: auto; page-break-after: auto; }
.card { border: 0.3mm dashed #666; padding: 4mm 5mm; overflow: hidden;
  display: flex; flex-direction: column; gap: 1.5mm;
  break-inside: avoid; page-break-inside: avoid; }
.title { font-size: 8pt; color: #444; text-transform: uppercase; letter-spacing: 0.05em; }
.name { font-size: 12pt; font-weight: bold; overflow-wrap: anywhere; }
.card dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 1mm 3mm;
  align-items: baseline; }
.card dt { font-size: 9pt; color: #444; }
.card dd { margin: 0; }
.secret { font-family: "DejaVu Sans Mono", "Liberation Mono", Consolas, Menlo, "Courier New",
  monospace; font-size: 14pt; letter-spacing: 0.12em; font-variant-ligatures: none;
  font-feature-settings: "zero" 1; overflow-wrap: anywhere; }
.secret .d { font-weight: bold; text-decoration: underline; }
.secret .s { color: #a00; background: #e8e8e8; }
.site { margin-top: auto; font-size: 8pt; color: #444; overflow-wrap: anywhere; }
.empty { padding: 20mm; font-size: 14pt; }
@media screen {
  body { background: #ddd; }
  .page { width: 210mm; padding: 10mm; margin: 10mm auto; background: #fff; }
}
@media print {
  body { background: #fff; }
  .page { margin: 0; padding: 0; }
}
`;

/**
 * A password with its digits (bold, underlined) and other non-letters (red on grey, so a space
 * shows) marked, so 0/O and 1/l/I are told apart even in a font that draws them alike.
 */
function markPassword(password: string): string {
  return password.replace(/(\d+)|([\p{L}\p{M}]+)|[^\d\p{L}\p{M}]+/gu, (run, digits, letters) => {
    if (letters) return escapeHtml(run);
    return `<span class="${digits ? 'd' : 's'}">${escapeHtml(run)}</span>`;
  });
}

function card(entry: SheetEntry, options: SheetOptions): string {
  const site = options.site ? `\n  <div class="site">${escapeHtml(options.site)}</div>` : '';
  return `<div class="card">
  <div class="title">${escapeHtml(options.title)}</div>
  <div class="name">${escapeHtml(realname(entry))}</div>
  <dl>
    <dt>Login</dt><dd class="secret login">${escapeHtml(entry.login)}</dd>
    <dt>Password</dt><dd class="secret password">${markPassword(entry.password)}</dd>
  </dl>${site}
</div>`;
}

/**
 * A printable, self-contained page of cut-out cards (no external resources): one card per entry
 * with the name, the login and the password in a monospace font, dashed borders to cut along,
 * ten cards an A4 page, never split across pages. Everything from `entries` and `options` is
 * HTML-escaped.
 */
export function renderSheetHtml(entries: readonly SheetEntry[], options: SheetOptions): string {
  const pages: string[] = [];
  for (let i = 0; i < entries.length; i += CARDS_PER_PAGE) {
    const cards = entries.slice(i, i + CARDS_PER_PAGE).map((e) => card(e, options));
    pages.push(`<section class="page">\n${cards.join('\n')}\n</section>`);
  }
  if (pages.length === 0) pages.push('<p class="empty">No accounts.</p>');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${pages.join('\n')}
</body>
</html>
`;
}

/** Tabs and line breaks would shift the columns; they become spaces. */
const oneCell = (text: string) => text.replace(/[\t\r\n]/g, ' ');

/**
 * SADM `pwdsheetdata`'s output: `"<First Last>\t<login>\t<password>\n"` per entry. Tabs and line
 * breaks in names become spaces; the password, the last column, is written as it is (a changed
 * password would be a wrong one; udb's own passwords never hold a line break).
 */
export function renderSheetTsv(entries: readonly SheetEntry[]): string {
  return entries
    .map((e) => `${oneCell(realname(e))}\t${oneCell(e.login)}\t${e.password}\n`)
    .join('');
}
