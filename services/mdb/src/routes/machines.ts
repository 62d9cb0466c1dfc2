import { parseInput } from '@lanctl/core';
import { machineCreateSchema, machineListQuerySchema, machineUpdateSchema } from '@lanctl/model';
import { Router } from 'express';
import type { MachineStore } from '../store/machines.ts';
import type { Access } from './access.ts';

export function machineRoutes(store: MachineStore, access: Access): Router {
  const router = Router();
  router.get('/', access.read, async (req, res) => {
    res.json(await store.list(parseInput(machineListQuerySchema, req.query, 'query')));
  });
  router.post('/', access.write, async (req, res) => {
    const machine = await store.create(parseInput(machineCreateSchema, req.body));
    res.status(201).location(`/api/v1/machines/${machine.hostname}`).json(machine);
  });
  router.get('/:hostname', access.read, async (req, res) => {
    res.json(await store.get(req.params.hostname as string));
  });
  router.patch('/:hostname', access.write, async (req, res) => {
    res.json(
      await store.update(req.params.hostname as string, parseInput(machineUpdateSchema, req.body)),
    );
  });
  router.delete('/:hostname', access.write, async (req, res) => {
    res.json(await store.remove(req.params.hostname as string));
  });
  return router;
}
