import { describe, expect, it } from 'vitest';
import { homeFor, navFor, viewOf, viewsFor } from './nav.ts';

describe('role-aware navigation', () => {
  it('shows roots Machines, Users, the live views, the catalog and Settings, organizers no Machines', () => {
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
    expect(viewsFor('user').map((v) => v.label)).toEqual(['My account']);
    expect(viewsFor('reader').map((v) => v.label)).toEqual(['My account']);
  });

  it('groups the catalog views under one entry of the main navigation', () => {
    const root = navFor('root');
    expect(root.map((e) => e.label)).toEqual([
      'Machines',
      'Users',
      'Room map',
      'Boot board',
      'Catalog',
      'Settings',
    ]);
    const catalog = root.find((e) => e.label === 'Catalog')!;
    expect(catalog.path).toBe('/rooms');
    expect(catalog.views.map((v) => v.label)).toEqual([
      'Rooms',
      'Switches',
      'Pools',
      'Machine types',
    ]);
    expect(navFor('orga').map((e) => e.label)).toEqual(['Users', 'Room map', 'Boot board']);
  });

  it('lands each role on its first view', () => {
    expect(homeFor('root')).toBe('/machines');
    expect(homeFor('orga')).toBe('/users');
    expect(homeFor('user')).toBe('/account');
  });

  it('finds the view of a path and its sub-paths only', () => {
    expect(viewOf('/machines')?.label).toBe('Machines');
    expect(viewOf('/machines/pas-r01p01')?.label).toBe('Machines');
    expect(viewOf('/machinesx')).toBeUndefined();
    expect(viewOf('/')).toBeUndefined();
  });
});
