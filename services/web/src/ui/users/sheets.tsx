import type { SheetEntry } from '@lanctl/model';
import { useEffect, useId, useRef, useState } from 'react';
import { Secret, useWarnBeforeUnload } from './secret.tsx';
import { pagesOf } from './table.ts';

/**
 * Printable password sheets: cards to cut along the dashes, ten an A4 page, one per user, made
 * from passwords just created (an import, a reset) and held in this page only: nothing keeps
 * them, so leaving this view loses them.
 */
export function PasswordSheets(props: { entries: readonly SheetEntry[]; onClose: () => void }) {
  const id = useId();
  useWarnBeforeUnload();
  const [title, setTitle] = useState('lanctl accounts');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const count = props.entries.length;
  function close() {
    const what = `${count} password${count === 1 ? '' : 's'}`;
    if (window.confirm(`Close the sheets? The ${what} on them are stored nowhere else.`)) {
      props.onClose();
    }
  }
  return (
    <section className="sheets" aria-labelledby={`${id}-title`}>
      <div className="sheets-toolbar">
        <div className="title-row">
          <h1 id={`${id}-title`} ref={heading} tabIndex={-1}>
            Password sheets
          </h1>
          <button type="button" className="primary" onClick={() => window.print()}>
            Print
          </button>
          <button type="button" onClick={close}>
            Close sheets
          </button>
        </div>
        <p className="notice" role="note">
          {count} card{count === 1 ? '' : 's'}, ten an A4 page. These passwords are{' '}
          <strong>not stored</strong> anywhere: print them now. A lost card means a new reset.
        </p>
        <label className="inline-field">
          Title on the cards{' '}
          <input value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
        </label>
      </div>
      {pagesOf(props.entries).map((page) => (
        <div className="sheet-page" key={page[0]!.login}>
          {page.map((entry) => (
            <Card key={entry.login} entry={entry} title={title} />
          ))}
        </div>
      ))}
    </section>
  );
}

function Card({ entry, title }: { entry: SheetEntry; title: string }) {
  return (
    <article className="sheet-card" aria-label={`Card of ${entry.login}`}>
      <div className="sheet-title">{title}</div>
      <div className="sheet-name">
        {entry.firstname} {entry.lastname}
      </div>
      <dl>
        <dt>Login</dt>
        <dd className="sheet-secret sheet-login">{entry.login}</dd>
        <dt>Password</dt>
        <dd className="sheet-secret sheet-password">
          <Secret value={entry.password} />
        </dd>
      </dl>
    </article>
  );
}
