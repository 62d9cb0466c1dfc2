import { machineRecord } from '@lanctl/testkit';
import { describe, expect, it } from 'vitest';
import { buildUsermap } from './model.ts';
import { escapeHtml, pageCsp, renderPage } from './page.ts';
import { SCRIPT } from './page-assets.ts';

const EVIL = '<img src=x onerror=alert(1)>"\'&';

describe('renderPage', () => {
  it('escapes hostnames, logins, reasons, room names and descriptions', () => {
    const model = buildUsermap(
      [
        machineRecord({ hostname: `h${EVIL}`, ip: '10.0.0.1', room: `r${EVIL}` }),
        machineRecord({
          hostname: 'pc2',
          ip: '10.0.0.2',
          room: `r${EVIL}`,
          is_faulty: true,
          is_faulty_details: `</script>${EVIL}`,
        }),
      ],
      [{ name: `r${EVIL}`, description: `d${EVIL}`, hostname_pattern: null, seats_per_row: null }],
      new Map([[`h${EVIL}`, `l${EVIL}`]]),
      () => undefined,
      new Set(),
    );
    const html = renderPage({ ready: true, ...model }, `t${EVIL}`);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</script><');
    expect(html.match(/<script>/g)).toHaveLength(1);
    for (const prefix of ['h', 'l', 'r', 'd', 't']) {
      expect(html).toContain(`${prefix}&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;`);
    }
    expect(html).toContain('class="seat taken g-unknown"');
    expect(html).toContain('class="seat faulty"');
  });

  it('places grid seats and sizes the grid from the model', () => {
    const model = buildUsermap(
      [machineRecord({ hostname: 'r2s3', ip: '10.0.0.1', room: 'lab' })],
      [{ name: 'lab', description: '', hostname_pattern: 'r{row}s{seat}', seats_per_row: 4 }],
      new Map(),
      () => undefined,
      new Set(),
    );
    const html = renderPage({ ready: false, ...model }, 'map');
    expect(html).toContain('grid-template-columns:repeat(4, minmax(0, 1fr))');
    expect(html).toContain('style="grid-row:2;grid-column:3"');
    expect(html).toContain('waiting for the tables');
  });

  it('the script renders text with textContent only, and follows a relative `events`', () => {
    expect(SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect(SCRIPT).toContain('new EventSource(events)');
    expect(pageCsp()).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(escapeHtml(`a<b>"c"'&`)).toBe('a&lt;b&gt;&quot;c&quot;&#39;&amp;');
  });
});
