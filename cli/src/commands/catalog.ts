import type { MachineType, Pool, Room, Switch } from '@lanctl/model';
import type { Command } from 'commander';
import { parseList, parseServerNumber } from '../parse.ts';
import { registerResource } from './named.ts';

/** The name-keyed collections next to machines: one spec each, one generic implementation. */

export function registerSwitch(program: Command): void {
  registerResource<Switch>(program, {
    word: 'switch',
    noun: 'switch',
    plural: 'switches',
    description: 'switches, whose LLDP chassis id tells the room, RFS and HFS of a port',
    collection: (client) => client.switches,
    fields: [
      {
        key: 'chassis',
        arg: '<mac>',
        description: 'LLDP chassis id (a MAC address)',
        requiredOnAdd: true,
      },
      { key: 'room', arg: '<room>', description: 'room its ports are in (default: other)' },
      { key: 'rfs', arg: '<n>', description: 'RFS number for its ports', parse: parseServerNumber },
      { key: 'hfs', arg: '<n>', description: 'HFS number for its ports', parse: parseServerNumber },
      { key: 'name', arg: '<new-name>', description: 'rename the switch', only: 'edit' },
    ],
    columns: [
      { header: 'NAME', value: (s) => s.name },
      { header: 'CHASSIS', value: (s) => s.chassis },
      { header: 'ROOM', value: (s) => s.room },
      { header: 'RFS', value: (s) => s.rfs, align: 'right' },
      { header: 'HFS', value: (s) => s.hfs, align: 'right' },
    ],
  });
}

export function registerPool(program: Command): void {
  registerResource<Pool>(program, {
    word: 'pool',
    noun: 'pool',
    plural: 'pools',
    description: 'IP pools that machine types allocate addresses from',
    collection: (client) => client.pools,
    fields: [
      {
        key: 'network',
        arg: '<cidr>',
        description: 'IPv4 network, e.g. 192.168.0.0/24',
        requiredOnAdd: true,
      },
      {
        key: 'reserved',
        arg: '<list>',
        description: 'addresses never handed out: a,b-c ("" clears)',
        parse: parseList,
      },
    ],
    columns: [
      { header: 'NAME', value: (p) => p.name },
      { header: 'NETWORK', value: (p) => p.network },
      { header: 'USED', value: (p) => p.used, align: 'right' },
      { header: 'SIZE', value: (p) => p.size, align: 'right' },
      { header: 'MTYPES', value: (p) => p.mtypes.join(',') },
      { header: 'RESERVED', value: (p) => p.reserved.join(',') },
    ],
  });
}

export function registerRoom(program: Command): void {
  registerResource<Room>(program, {
    word: 'room',
    noun: 'room',
    plural: 'rooms',
    description: 'rooms machines and switches are in',
    collection: (client) => client.rooms,
    fields: [{ key: 'description', arg: '<text>', description: 'what the room is' }],
    columns: [
      { header: 'NAME', value: (r) => r.name },
      { header: 'DESCRIPTION', value: (r) => r.description },
    ],
  });
}

export function registerMtype(program: Command): void {
  registerResource<MachineType>(program, {
    word: 'mtype',
    noun: 'machine type',
    plural: 'machine types',
    description: 'machine types, each drawing addresses from one pool',
    collection: (client) => client.machineTypes,
    fields: [
      { key: 'description', arg: '<text>', description: 'what machines of this type are' },
      {
        key: 'pool',
        arg: '<pool>',
        description: 'pool its machines get addresses from, or "none" (explicit IPs only)',
        nullWord: 'none',
      },
    ],
    columns: [
      { header: 'NAME', value: (t) => t.name },
      { header: 'POOL', value: (t) => t.pool ?? '-' },
      { header: 'DESCRIPTION', value: (t) => t.description },
    ],
  });
}
