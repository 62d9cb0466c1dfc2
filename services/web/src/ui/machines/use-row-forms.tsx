import type { Machine } from '@lanctl/model';
import { useEffect, useRef, useState } from 'react';
import { draftOf } from './edit.ts';
import type { RowAction } from './grid.tsx';
import { updateMachine } from './machine-api.ts';
import { PanelForm, type RowPanel } from './row-panel.tsx';

/**
 * Focus, after the render that drew the row again (a save re-renders later than a click), the
 * row's button for `action` (or its first button); no hostname: nothing to give the focus to.
 */
function useRefocusRow() {
  const refocus = useRef<{ hostname: string; action?: RowAction } | null>(null);
  useEffect(() => {
    const want = refocus.current;
    if (!want) return;
    const sel = `button[data-host="${CSS.escape(want.hostname)}"]`;
    const target =
      document.querySelector<HTMLElement>(`${sel}[data-action="${want.action}"]`) ??
      document.querySelector<HTMLElement>(sel);
    if (!target) return;
    refocus.current = null;
    target.focus();
  });
  return (hostname?: string, action?: RowAction) => {
    refocus.current = hostname ? { hostname, action } : null;
  };
}

/**
 * The machines table's row actions: which row shows a form (edit, faulty, delete), what a save
 * does to the list, and where the focus goes back (the row's button that opened the form).
 */
export function useRowForms(deps: {
  /** The machine named `before` is now `after` (null: deleted). */
  replace: (before: string, after: Machine | null) => void;
  setAnnounce: (message: string) => void;
  setError: (message: string) => void;
}) {
  const [panel, setPanel] = useState<RowPanel | null>(null);
  const refocusLater = useRefocusRow();
  const close = (hostname?: string, action?: RowAction) => {
    setPanel(null);
    refocusLater(hostname, action);
  };
  /** A saved row replaces the old one (its hostname may have changed); a deleted one goes. */
  const saved = (before: Machine, after: Machine | null, message: string, action?: RowAction) => {
    deps.replace(before.hostname, after);
    deps.setAnnounce(message);
    close(after?.hostname, action ?? panel?.kind);
  };
  async function act(m: Machine, action: RowAction) {
    deps.setAnnounce('');
    deps.setError('');
    if (action === 'edit') setPanel({ kind: 'edit', hostname: m.hostname, draft: draftOf(m) });
    else if (action === 'faulty') setPanel({ kind: 'faulty', hostname: m.hostname, reason: '' });
    else if (action === 'delete') setPanel({ kind: 'delete', hostname: m.hostname });
    else {
      try {
        const after = await updateMachine(m.hostname, { is_faulty: false, is_faulty_details: '' });
        saved(m, after, `Cleared the fault of ${m.hostname}.`, 'faulty');
      } catch (e) {
        deps.setError(`${m.hostname}: ${(e as Error).message}`);
      }
    }
  }
  /** The open form of a row, while its machine still exists. */
  function open(machines: Machine[], rooms: string[], mtypes: string[]) {
    const machine = panel && machines.find((m) => m.hostname === panel.hostname);
    if (!panel || !machine) return undefined;
    const content = (
      <PanelForm
        key={`${panel.kind}-${panel.hostname}`}
        machine={machine}
        panel={panel}
        onDraft={setPanel}
        onSaved={saved}
        onClose={() => close(panel.hostname, panel.kind)}
        rooms={rooms}
        mtypes={mtypes}
      />
    );
    return { hostname: panel.hostname, content };
  }
  return { act, open };
}
