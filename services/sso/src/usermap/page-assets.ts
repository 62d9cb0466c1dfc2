/** The page's inline style and script (no external assets: the page must work offline). */

export const STYLE = `
:root{--user:#208020;--orga:#202080;--root:#802020;--free:#909090}
*{box-sizing:border-box}
body{margin:0;font:18px/1.2 system-ui,sans-serif;background:#fff;color:#111}
header{display:flex;flex-wrap:wrap;gap:.4em 1.5em;align-items:baseline;padding:.4em 1em;border-bottom:3px solid #ccc}
h1{font-size:1.6em;margin:0}
#status{font-weight:bold;padding:.1em .5em;border-radius:4px}
#status.ok{color:#208020}
#status.wait{color:#555}
#status.lost{color:#fff;background:#c00}
.legend{display:flex;flex-wrap:wrap;gap:.3em .8em;font-size:.9em}
.legend .seat{display:inline-block;padding:.05em .4em}
main{padding:.5em 1em;display:flex;flex-direction:column;gap:1em}
body.stale main{opacity:.55}
.room h2{font-size:1.3em;margin:.1em 0 .3em}
.room h2 small{font-weight:normal;color:#444;margin-left:.6em;font-size:.75em}
.room h2 .count{font-weight:normal;color:#444;float:right;font-size:.75em}
.grid{display:grid;gap:4px;grid-auto-rows:1fr}
.flow{display:grid;grid-template-columns:repeat(auto-fill,minmax(7.5em,1fr));grid-auto-rows:1fr;gap:4px}
.grid+.flow{margin-top:8px}
.empty{color:#777;font-style:italic}
.seat{border:3px solid #999;border-radius:5px;padding:.15em .3em;min-width:0;overflow:hidden;background:#fff}
.seat span{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.host{font-size:.7em;color:#333}
.who{font-size:1.05em;font-weight:bold}
.why{font-size:.65em;color:#333}
.free .who{color:var(--free);font-style:italic;font-weight:normal}
.taken{border-color:#111}
.taken.g-user{border-color:var(--user)}.taken.g-user .who{color:var(--user)}
.taken.g-orga{border-color:var(--orga)}.taken.g-orga .who{color:var(--orga)}
.taken.g-root{border-color:var(--root)}.taken.g-root .who{color:var(--root)}
.faulty{border-color:#a6a6a6;background:repeating-linear-gradient(45deg,#ddd 0 8px,#fff 8px 16px)}
.faulty .who{color:#555}
.unreachable{border-color:#e00;background:#ffd0d0}.unreachable .who{color:#b00}
.taken.is-faulty{outline:3px dashed #a6a6a6;outline-offset:-6px}
`;

/** Renders each model the stream sends, with DOM calls only (text is never parsed as HTML). */
export const SCRIPT = `(() => {
  'use strict';
  const LABEL = { free: 'free', faulty: 'faulty', unreachable: 'unreachable' };
  const byId = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  };
  const seat = (s) => {
    let cls = 'seat ' + s.state;
    if (s.state === 'taken') cls += ' g-' + (s.group || 'unknown');
    if (s.state === 'taken' && s.faulty_reason !== undefined) cls += ' is-faulty';
    const d = el('div', cls);
    if (s.row !== undefined) {
      d.style.gridRow = String(s.row);
      d.style.gridColumn = String(s.column);
    }
    d.appendChild(el('span', 'host', s.hostname));
    d.appendChild(el('span', 'who', s.state === 'taken' ? s.login : LABEL[s.state]));
    if (s.faulty_reason) d.appendChild(el('span', 'why', s.faulty_reason));
    d.title = s.hostname + (s.faulty_reason ? ': ' + s.faulty_reason : '');
    return d;
  };
  const room = (r) => {
    const sec = el('section', 'room');
    const h = el('h2', null, r.name);
    if (r.description) h.appendChild(el('small', null, r.description));
    const taken = r.seats.filter((s) => s.state === 'taken').length;
    h.appendChild(el('span', 'count', taken + ' / ' + r.seats.length + ' taken'));
    sec.appendChild(h);
    const grid = r.seats.filter((s) => s.row !== undefined);
    const rest = r.seats.filter((s) => s.row === undefined);
    if (grid.length > 0) {
      const g = el('div', 'grid');
      g.style.gridTemplateColumns = 'repeat(' + r.columns + ', minmax(0, 1fr))';
      grid.forEach((s) => g.appendChild(seat(s)));
      sec.appendChild(g);
    }
    if (rest.length > 0) {
      const f = el('div', 'flow');
      rest.forEach((s) => f.appendChild(seat(s)));
      sec.appendChild(f);
    }
    if (r.seats.length === 0) sec.appendChild(el('p', 'empty', 'no machines'));
    return sec;
  };
  const render = (m) => {
    byId('rooms').replaceChildren(...m.rooms.map(room));
    for (const k of Object.keys(m.totals)) {
      const t = byId('total-' + k);
      if (t) t.textContent = String(m.totals[k]);
    }
    document.body.dataset.ready = String(m.ready);
  };
  let lostAt = null;
  const status = (cls, text) => {
    const s = byId('status');
    s.className = cls;
    s.textContent = text;
    document.body.classList.toggle('stale', cls === 'lost');
  };
  // Beside the page, whatever prefix a proxy put it under: /x/usermap/events for /x/usermap too.
  const path = location.pathname;
  const events = (path.endsWith('/') ? '' : path.slice(path.lastIndexOf('/') + 1) + '/') + 'events';
  let source = null;
  const connect = () => {
    source = new EventSource(events);
    source.onmessage = (e) => {
      let model;
      try {
        model = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      lostAt = null;
      render(model);
      status(model.ready ? 'ok' : 'wait', model.ready ? 'live' : 'waiting for the tables');
    };
    source.onerror = () => {
      if (lostAt === null) lostAt = new Date();
      status('lost', 'connection lost at ' + lostAt.toLocaleTimeString() + ': the map may be stale');
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 5000 + Math.random() * 5000);
      }
    };
  };
  connect();
})();`;
