import type { Role } from '@lanctl/model';

/** The views and who may open them: the one table the navigation and the router read. */
export interface View {
  path: string;
  label: string;
  roles: readonly Role[];
}

export const VIEWS: readonly View[] = [
  { path: '/machines', label: 'Machines', roles: ['root'] },
  { path: '/users', label: 'Users', roles: ['root', 'orga'] },
  { path: '/live/map', label: 'Room map', roles: ['root', 'orga'] },
  { path: '/live/boot', label: 'Boot board', roles: ['root', 'orga'] },
  { path: '/rooms', label: 'Rooms', roles: ['root'] },
  { path: '/switches', label: 'Switches', roles: ['root'] },
  { path: '/pools', label: 'Pools', roles: ['root'] },
  { path: '/machine-types', label: 'Machine types', roles: ['root'] },
  { path: '/settings', label: 'Settings', roles: ['root'] },
];

export const viewsFor = (role: Role): View[] => VIEWS.filter((v) => v.roles.includes(role));

/** The view a path belongs to (`/machines/foo` is the machines view), if any. */
export const viewOf = (path: string): View | undefined =>
  VIEWS.find((v) => path === v.path || path.startsWith(`${v.path}/`));

/** Where a role lands after logging in, or on `/`. */
export const homeFor = (role: Role): string => viewsFor(role)[0]?.path ?? '/';
