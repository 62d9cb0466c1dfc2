import type { Role } from '@lanctl/model';

/** The views and who may open them: the one table the navigation and the router read. */
export interface View {
  path: string;
  label: string;
  roles: readonly Role[];
  /** Views shown under one entry of the main navigation, with their own tabs. */
  group?: string;
}

export const VIEWS: readonly View[] = [
  { path: '/machines', label: 'Machines', roles: ['root'] },
  { path: '/users', label: 'Users', roles: ['root', 'orga'] },
  { path: '/live/map', label: 'Room map', roles: ['root', 'orga'] },
  { path: '/live/boot', label: 'Boot board', roles: ['root', 'orga'] },
  { path: '/rooms', label: 'Rooms', roles: ['root'], group: 'Catalog' },
  { path: '/switches', label: 'Switches', roles: ['root'], group: 'Catalog' },
  { path: '/pools', label: 'Pools', roles: ['root'], group: 'Catalog' },
  { path: '/machine-types', label: 'Machine types', roles: ['root'], group: 'Catalog' },
  { path: '/settings', label: 'Settings', roles: ['root'] },
  // Contestants and read-only accounts have nothing to manage: they see who they are.
  { path: '/account', label: 'My account', roles: ['user', 'reader'] },
];

export const viewsFor = (role: Role): View[] => VIEWS.filter((v) => v.roles.includes(role));

/** One entry of the main navigation: a view, or a group of views opening on its first. */
export interface NavEntry {
  label: string;
  path: string;
  views: View[];
}

/** The main navigation of a role: its views in order, each group once where it first appears. */
export function navFor(role: Role): NavEntry[] {
  const entries: NavEntry[] = [];
  for (const view of viewsFor(role)) {
    const group = view.group && entries.find((e) => e.label === view.group);
    if (group) group.views.push(view);
    else entries.push({ label: view.group ?? view.label, path: view.path, views: [view] });
  }
  return entries;
}

/** The view a path belongs to (`/machines/foo` is the machines view), if any. */
export const viewOf = (path: string): View | undefined =>
  VIEWS.find((v) => path === v.path || path.startsWith(`${v.path}/`));

/** Where a role lands after logging in, or on `/`. */
export const homeFor = (role: Role): string => viewsFor(role)[0]?.path ?? '/';
