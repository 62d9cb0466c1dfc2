import type {
  BootProfile,
  bootProfileCreateSchema,
  bootProfileUpdateSchema,
  ExpectedHosts,
  Machine,
  MachineImportResult,
  MachineType,
  machineCreateSchema,
  machineTypeCreateSchema,
  machineTypeUpdateSchema,
  machineUpdateSchema,
  Pool,
  poolCreateSchema,
  poolUpdateSchema,
  RegistrationSuggestion,
  Role,
  Room,
  registrationSchema,
  roomCreateSchema,
  roomUpdateSchema,
  SETTING_UPDATE_SCHEMAS,
  Setting,
  SettingKey,
  Switch,
  selfRegistrationUpdateSchema,
  switchCreateSchema,
  switchUpdateSchema,
} from '@lanctl/model';
import {
  type Collection,
  collection,
  type SchemaInput as Input,
  type ListQuery,
} from './collection.ts';
import { type ClientOptions, createTransport } from './http.ts';

export type MachineCreateInput = Input<typeof machineCreateSchema>;
export type MachineUpdateInput = Input<typeof machineUpdateSchema>;
export type SwitchCreateInput = Input<typeof switchCreateSchema>;
export type SwitchUpdateInput = Input<typeof switchUpdateSchema>;
export type RoomCreateInput = Input<typeof roomCreateSchema>;
export type RoomUpdateInput = Input<typeof roomUpdateSchema>;
export type MachineTypeCreateInput = Input<typeof machineTypeCreateSchema>;
export type MachineTypeUpdateInput = Input<typeof machineTypeUpdateSchema>;
export type PoolCreateInput = Input<typeof poolCreateSchema>;
export type PoolUpdateInput = Input<typeof poolUpdateSchema>;
export type SelfRegistrationUpdateInput = Input<typeof selfRegistrationUpdateSchema>;
export type BootProfileCreateInput = Input<typeof bootProfileCreateSchema>;
export type BootProfileUpdateInput = Input<typeof bootProfileUpdateSchema>;
export type RegistrationInput = Input<typeof registrationSchema>;

export interface MachineQuery extends ListQuery {
  mtype?: string;
  room?: string;
  /** Substring of hostname, aliases, IP or MAC. */
  q?: string;
  faulty?: boolean;
  mac?: string;
  ip?: string;
}

/** The identity behind the token, as `GET /auth/whoami` reports it. */
export interface WhoAmI {
  subject: string;
  role: Role;
  scopes: string[];
  kind: 'service' | 'user';
  tokenId: string;
}

export interface MdbClient {
  machines: Collection<Machine, MachineCreateInput, MachineUpdateInput, MachineQuery> & {
    /**
     * Creates every row or none (`POST /machines/import`); a refused import is an ApiError 422
     * whose `details` are `{row, field, message}` (row: 1-based in `rows`).
     */
    import(
      rows: MachineCreateInput[],
      options?: { dryRun?: boolean },
    ): Promise<MachineImportResult>;
  };
  switches: Collection<Switch, SwitchCreateInput, SwitchUpdateInput>;
  rooms: Collection<Room, RoomCreateInput, RoomUpdateInput> & {
    /** A room's "expect" list: hostnames still to register there, in order. */
    expected: {
      get(room: string): Promise<ExpectedHosts>;
      /** Replaces the list ([] clears it). */
      set(room: string, hostnames: string[]): Promise<ExpectedHosts>;
    };
  };
  bootProfiles: Collection<BootProfile, BootProfileCreateInput, BootProfileUpdateInput>;
  registrations: {
    /** What a machine registering in `room` would be named now (expected list, then pattern). */
    suggest(room: string): Promise<RegistrationSuggestion>;
    /** Registers a machine (token scope `machines:register` or role root; 403 when closed). */
    register(input: RegistrationInput): Promise<Machine>;
  };
  machineTypes: Collection<MachineType, MachineTypeCreateInput, MachineTypeUpdateInput>;
  pools: Collection<Pool, PoolCreateInput, PoolUpdateInput>;
  settings: {
    list(): Promise<Setting[]>;
    get<K extends SettingKey>(key: K): Promise<Extract<Setting, { key: K }>>;
    set<K extends SettingKey>(
      key: K,
      update: Input<(typeof SETTING_UPDATE_SCHEMAS)[K]>,
    ): Promise<Extract<Setting, { key: K }>>;
  };
  whoami(): Promise<WhoAmI>;
}

/** A typed client of the mdb API (`/api/v1/...`) over the global fetch. */
export function createMdbClient(options: ClientOptions): MdbClient {
  const call = createTransport(options);
  const setting = (key: string) => `/settings/${encodeURIComponent(key)}`;
  const expected = (room: string) => `/rooms/${encodeURIComponent(room)}/expected`;
  return {
    machines: {
      ...collection(call, '/machines'),
      import: (rows, options = {}) =>
        call('POST', '/machines/import', { body: { rows, dry_run: options.dryRun ?? false } }),
    },
    switches: collection(call, '/switches'),
    rooms: {
      ...collection(call, '/rooms'),
      expected: {
        get: (room) => call('GET', expected(room)),
        set: (room, hostnames) => call('PUT', expected(room), { body: { hostnames } }),
      },
    },
    bootProfiles: collection(call, '/boot-profiles'),
    registrations: {
      suggest: (room) => call('GET', '/registrations/suggestion', { query: { room } }),
      register: (input) => call('POST', '/registrations', { body: input }),
    },
    machineTypes: collection(call, '/machine-types'),
    pools: collection(call, '/pools'),
    settings: {
      list: async () => (await call<{ items: Setting[] }>('GET', '/settings')).items,
      get: (key) => call('GET', setting(key)),
      set: (key, update) => call('PUT', setting(key), { body: update }),
    },
    whoami: () => call('GET', '/auth/whoami'),
  };
}
