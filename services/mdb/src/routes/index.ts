import type { KeyObject } from 'node:crypto';
import { authenticate, principalOf } from '@lanctl/auth';
import { unauthorized } from '@lanctl/core';
import {
  bootProfileCreateSchema,
  bootProfileUpdateSchema,
  machineTypeCreateSchema,
  machineTypeUpdateSchema,
  poolCreateSchema,
  poolUpdateSchema,
  roomCreateSchema,
  roomUpdateSchema,
  switchCreateSchema,
  switchUpdateSchema,
} from '@lanctl/model';
import { Router } from 'express';
import { openApiDocument } from '../openapi.ts';
import { bootProfileColumns, type MdbStore, poolColumns } from '../store/index.ts';
import { createAccess } from './access.ts';
import { machineRoutes } from './machines.ts';
import { namedRoutes } from './named.ts';
import { expectedRoutes, importRoutes, registrationRoutes } from './registrations.ts';
import { settingRoutes } from './settings.ts';

/**
 * Routes anyone may call: health and metrics for monitoring, the API description, and SADM's
 * `/call/<method>` (each method decides: query/switches/ansible per `sadm.public_read`,
 * register per `allow_self_registration`).
 */
export const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /metrics',
  'GET /api/v1/openapi.json',
  'ALL /call/:name',
  // SADM's mdbsync: each checks SADM's timeauth itself (sub secret, pub secret).
  'GET /poll',
  'POST /update',
];

/** Every mdb route under /api/v1. Only the OpenAPI document is public by design. */
export function apiRouter(
  store: MdbStore,
  publicKey: KeyObject,
  publicRead: boolean,
  streams: Router,
): Router {
  const access = createAccess(publicRead);
  const api = Router();
  api.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  api.use(authenticate(publicKey));
  api.get('/auth/whoami', (_req, res) => {
    const principal = principalOf(res);
    if (!principal) throw unauthorized();
    res.json(principal);
  });
  api.use(streams);
  api.use('/machines', importRoutes(store, access));
  api.use('/machines', machineRoutes(store.machines, access));
  api.use('/registrations', registrationRoutes(store, access));
  api.use(
    '/switches',
    namedRoutes(
      store.switches,
      { path: 'switches', createSchema: switchCreateSchema, updateSchema: switchUpdateSchema },
      access,
    ),
  );
  api.use('/rooms', expectedRoutes(store, access));
  api.use(
    '/rooms',
    namedRoutes(
      store.rooms,
      { path: 'rooms', createSchema: roomCreateSchema, updateSchema: roomUpdateSchema },
      access,
    ),
  );
  api.use(
    '/machine-types',
    namedRoutes(
      store.machineTypes,
      {
        path: 'machine-types',
        createSchema: machineTypeCreateSchema,
        updateSchema: machineTypeUpdateSchema,
      },
      access,
    ),
  );
  api.use(
    '/pools',
    namedRoutes(
      store.pools,
      {
        path: 'pools',
        createSchema: poolCreateSchema,
        updateSchema: poolUpdateSchema,
        toCreate: (input) => ({ name: input.name, ...poolColumns(input.network, input.reserved) }),
      },
      access,
    ),
  );
  api.use(
    '/boot-profiles',
    namedRoutes(
      store.bootProfiles,
      {
        path: 'boot-profiles',
        createSchema: bootProfileCreateSchema,
        updateSchema: bootProfileUpdateSchema,
        toCreate: bootProfileColumns,
      },
      access,
    ),
  );
  api.use('/settings', settingRoutes(store.settings, access));
  return api;
}
