import type {
  Machine,
  MachineType,
  machineCreateSchema,
  machineTypeCreateSchema,
  machineTypeUpdateSchema,
  machineUpdateSchema,
  Pool,
  poolCreateSchema,
  poolUpdateSchema,
  Role,
  Room,
  roomCreateSchema,
  roomUpdateSchema,
  SelfRegistrationSetting,
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
  machines: Collection<Machine, MachineCreateInput, MachineUpdateInput, MachineQuery>;
  switches: Collection<Switch, SwitchCreateInput, SwitchUpdateInput>;
  rooms: Collection<Room, RoomCreateInput, RoomUpdateInput>;
  machineTypes: Collection<MachineType, MachineTypeCreateInput, MachineTypeUpdateInput>;
  pools: Collection<Pool, PoolCreateInput, PoolUpdateInput>;
  settings: {
    list(): Promise<SelfRegistrationSetting[]>;
    get(key: SettingKey): Promise<SelfRegistrationSetting>;
    set(key: SettingKey, update: SelfRegistrationUpdateInput): Promise<SelfRegistrationSetting>;
  };
  whoami(): Promise<WhoAmI>;
}

/** A typed client of the mdb API (`/api/v1/...`) over the global fetch. */
export function createMdbClient(options: ClientOptions): MdbClient {
  const call = createTransport(options);
  const setting = (key: string) => `/settings/${encodeURIComponent(key)}`;
  return {
    machines: collection(call, '/machines'),
    switches: collection(call, '/switches'),
    rooms: collection(call, '/rooms'),
    machineTypes: collection(call, '/machine-types'),
    pools: collection(call, '/pools'),
    settings: {
      list: async () =>
        (await call<{ items: SelfRegistrationSetting[] }>('GET', '/settings')).items,
      get: (key) => call('GET', setting(key)),
      set: (key, update) => call('PUT', setting(key), { body: update }),
    },
    whoami: () => call('GET', '/auth/whoami'),
  };
}
