import { Counter, type Registry } from '@lanctl/core';

export interface NetbootMetrics {
  scripts: Counter<'kind' | 'outcome'>;
  registrations: Counter<'outcome'>;
}

/** The script and registration counters (the boot files module registers its own). */
export function createNetbootMetrics(registry: Registry): NetbootMetrics {
  const registers = [registry];
  return {
    scripts: new Counter({
      name: 'lanctl_netboot_scripts_total',
      help: 'iPXE scripts served, by kind (bootstrap, script, menu, register) and outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    registrations: new Counter({
      name: 'lanctl_netboot_registrations_total',
      help: 'Registrations asked for at a machine, by outcome (registered, closed, duplicate, invalid, refused, limited, failed)',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
