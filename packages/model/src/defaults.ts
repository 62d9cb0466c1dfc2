/** SADM's rooms, machine types and pools, seeded once into a new machine database. */
export const DEFAULT_ROOMS = [
  { name: 'pasteur', description: 'Pasteur' },
  { name: 'alt', description: 'Supplementary room' },
  { name: 'cluster', description: 'Cluster' },
  { name: 'other', description: 'Other/Unknown' },
];

export const DEFAULT_POOLS = [
  { name: 'user', network: '192.168.0.0/24', reserved: [] as string[] },
  { name: 'service', network: '192.168.1.0/24', reserved: [] as string[] },
  { name: 'cluster', network: '192.168.2.0/24', reserved: [] as string[] },
];

/** `orga` shares the `user` pool, as in SADM. */
export const DEFAULT_MACHINE_TYPES = [
  { name: 'user', description: 'Contestant machine', pool: 'user' },
  { name: 'orga', description: 'Organizer machine', pool: 'user' },
  { name: 'cluster', description: 'Matches cluster node', pool: 'cluster' },
  { name: 'service', description: 'Server', pool: 'service' },
];
