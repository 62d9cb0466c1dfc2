import { useCallback, useEffect, useState } from 'react';
import { errorText, listAll } from '../api.ts';
import { useReloadOnChange } from '../streams/use-table-stream.ts';
import type { CatalogSpec, Row } from './spec.ts';

/**
 * A collection's records (null until the first answer) and the last load's error; loaded again
 * when one of the spec's streams says something changed: another root's change (or a machine
 * taking a pool address) shows without a reload.
 */
export function useCatalogRows(spec: CatalogSpec) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [loadError, setLoadError] = useState('');
  const reload = useCallback(async () => {
    try {
      setRows(await listAll<Row>(spec.collection));
      setLoadError('');
    } catch (e) {
      setLoadError(errorText(e));
    }
  }, [spec.collection]);
  const live = useReloadOnChange(spec.streams[0] ?? null, reload);
  useReloadOnChange(spec.streams[1] ?? null, reload);
  useEffect(() => {
    setRows(null);
    void reload();
  }, [reload]);
  return { rows, loadError, reload, live };
}
