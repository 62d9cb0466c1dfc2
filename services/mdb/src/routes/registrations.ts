import { parseInput } from '@lanctl/core';
import {
  expectedHostsSchema,
  machineImportSchema,
  registrationSchema,
  registrationSuggestionQuerySchema,
} from '@lanctl/model';
import { Router } from 'express';
import type { MdbStore } from '../store/index.ts';
import type { Access } from './access.ts';

/** `/registrations`: what the netboot service calls for a machine registering at its screen. */
export function registrationRoutes(store: MdbStore, access: Access): Router {
  const router = Router();
  router.get('/suggestion', access.read, async (req, res) => {
    const { room } = parseInput(registrationSuggestionQuerySchema, req.query, 'query');
    res.json(await store.registrations.suggest(room));
  });
  // The body is checked before the setting: a malformed request is a 400 either way.
  router.post('/', access.register, async (req, res) => {
    const machine = await store.registrations.register(
      parseInput(registrationSchema, req.body),
      'api',
    );
    res.status(201).location(`/api/v1/machines/${machine.hostname}`).json(machine);
  });
  return router;
}

/** `/rooms/{name}/expected`: the hostnames still to register in a room, in order. */
export function expectedRoutes(store: MdbStore, access: Access): Router {
  const router = Router();
  router.get('/:name/expected', access.read, async (req, res) => {
    res.json(await store.registrations.expected(req.params.name as string));
  });
  router.put('/:name/expected', access.write, async (req, res) => {
    const { hostnames } = parseInput(expectedHostsSchema, req.body);
    res.json(await store.registrations.setExpected(req.params.name as string, hostnames));
  });
  return router;
}

/** `POST /machines/import`: many machines at once, all or nothing. */
export function importRoutes(store: MdbStore, access: Access): Router {
  const router = Router();
  router.post('/import', access.write, async (req, res) => {
    const { rows, dry_run } = parseInput(machineImportSchema, req.body);
    const result = await store.importMachines(rows, dry_run);
    res.status(result.dry_run ? 200 : 201).json(result);
  });
  return router;
}
