import type { Machine } from '@lanctl/model';
import { listMachines } from '../api.ts';
import { useKeyedStream } from '../streams/use-keyed-stream.ts';

const hostnameOf = (m: Machine) => m.hostname;

/** Every machine, followed live from mdb's `machines` stream (keyed by hostname). */
export function useMachines() {
  const { items, ...rest } = useKeyedStream('machines', hostnameOf, listMachines);
  return { machines: items, ...rest };
}
