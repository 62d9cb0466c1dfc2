import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { type CatalogSpec, createBody, type Fields, patchBody, type Row } from './spec.ts';
import { useCatalogRows } from './use-catalog-rows.ts';

/** The open row panel: its edit form in place, or the delete or expected-hostnames dialog. */
export type Panel = { kind: 'edit' | 'delete' | 'expected'; name: string } | null;

/**
 * The catalog view's state: the rows, which form is open (add, or a row's panel), the status
 * line, and what a save, an edit or a delete does to them.
 */
export function useCatalogView(spec: CatalogSpec) {
  const forms = useForms(spec.collection);
  const { rows, loadError, reload, live } = useCatalogRows(spec);
  const { closeAdd, closeEdit, setPanel, setStatus } = forms;
  const base = `/${spec.collection}`;
  const add = async (fields: Fields) => {
    const created = await api<Row>('POST', base, createBody(spec, fields));
    // The table shows the new row before the form closes: no flash of the old list.
    await reload();
    closeAdd();
    setStatus(`${spec.singular} ${created.name} added`);
  };
  const edit = (record: Row) => async (fields: Fields) => {
    const body = patchBody(spec, record, fields);
    if (Object.keys(body).length)
      await api<Row>('PATCH', `${base}/${encodeURIComponent(record.name)}`, body);
    await reload();
    closeEdit(record.name);
    setStatus(`${spec.singular} ${record.name} saved`);
  };
  const deleted = async (record: Row) => {
    setPanel(null);
    setStatus(`${spec.singular} ${record.name} deleted`);
    await reload();
  };
  return { ...forms, rows, loadError, live, add, edit, deleted };
}

/** Which form is open (add, or a row's panel) and the status line. */
function useForms(collection: string) {
  const [adding, setAdding] = useState(false);
  const [panel, setPanel] = useState<Panel>(null);
  const [status, setStatus] = useState('');
  const { addButton, returnTo } = useRefocus(adding || panel !== null);
  const closeAdd = () => {
    returnTo('');
    setAdding(false);
  };
  const closeEdit = (name: string) => {
    returnTo(name);
    setPanel(null);
  };
  // Another collection (app.tsx remounts the view for one, this keeps it right without that).
  const [shown, setShown] = useState(collection);
  if (shown !== collection) {
    setShown(collection);
    setAdding(false);
    setPanel(null);
    setStatus('');
  }
  return { adding, setAdding, panel, setPanel, status, setStatus, addButton, closeAdd, closeEdit };
}

/**
 * Closing a form gives the keyboard back to the button that opened it, once it is drawn:
 * `returnTo('')` the add button, `returnTo(name)` that row's Edit button.
 */
function useRefocus(formOpen: boolean) {
  const addButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef<string | null>(null);
  useEffect(() => {
    const want = refocus.current;
    if (want === null || formOpen) return;
    const target =
      want === ''
        ? addButton.current
        : document.querySelector<HTMLButtonElement>(`button[data-edit="${CSS.escape(want)}"]`);
    refocus.current = null;
    target?.focus();
  });
  const returnTo = (name: string) => {
    refocus.current = name;
  };
  return { addButton, returnTo };
}
