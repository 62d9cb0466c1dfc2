import { describe, expect, it } from 'vitest';
import { homeFor, viewOf, viewsFor } from './nav.ts';

describe('role-aware navigation', () => {
  it('shows roots Machines, Users, the live views, the catalog and Settings, organizers no Machines, others nothing', () => {
    expect(viewsFor('root').map((v) => v.label)).toEqual([
      'Machines',
      'Users',
      'Room map',
      'Boot board',
      'Rooms',
      'Switches',
      'Pools',
      'Machine types',
      'Settings',
    ]);
    expect(viewsFor('orga').map((v) => v.label)).toEqual(['Users', 'Room map', 'Boot board']);
    expect(viewsFor('user')).toEqual([]);
  });

  it('lands each role on its first view', () => {
    expect(homeFor('root')).toBe('/machines');
    expect(homeFor('orga')).toBe('/users');
    expect(homeFor('reader')).toBe('/');
  });

  it('finds the view of a path and its sub-paths only', () => {
    expect(viewOf('/machines')?.label).toBe('Machines');
    expect(viewOf('/machines/pas-r01p01')?.label).toBe('Machines');
    expect(viewOf('/machinesx')).toBeUndefined();
    expect(viewOf('/')).toBeUndefined();
  });
});
