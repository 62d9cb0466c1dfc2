import { parseInput } from '@lanctl/core';
import { listQuerySchema } from '@lanctl/model';
import { Router } from 'express';
import type { z } from 'zod';
import type { Access } from './access.ts';

/** The store surface the generic routes need (see `NamedStore`). */
interface NamedRecords<R> {
  list(limit?: number, after?: string): Promise<{ items: R[]; next: string | null }>;
  get(name: string): Promise<R>;
  create(fields: never): Promise<R>;
  update(name: string, patch: never): Promise<R>;
  remove(name: string): Promise<R>;
}

export interface NamedRouteSpec<C extends z.ZodType, U extends z.ZodType> {
  path: string;
  createSchema: C;
  updateSchema: U;
  /** Turns validated input into the store's row fields (e.g. a pool's derived columns). */
  toCreate?(input: z.output<C>): unknown;
}

/** List, create, get, patch and delete routes for a name-keyed table. */
export function namedRoutes<R, C extends z.ZodType, U extends z.ZodType>(
  store: NamedRecords<R>,
  spec: NamedRouteSpec<C, U>,
  access: Access,
): Router {
  const router = Router();
  router.get('/', access.read, async (req, res) => {
    const query = parseInput(listQuerySchema, req.query, 'query');
    res.json(await store.list(query.limit, query.after));
  });
  router.post('/', access.write, async (req, res) => {
    const input = parseInput(spec.createSchema, req.body);
    const record = await store.create((spec.toCreate ? spec.toCreate(input) : input) as never);
    res
      .status(201)
      .location(`/api/v1/${spec.path}/${(input as { name: string }).name}`)
      .json(record);
  });
  router.get('/:name', access.read, async (req, res) => {
    res.json(await store.get(req.params.name as string));
  });
  router.patch('/:name', access.write, async (req, res) => {
    const input = parseInput(spec.updateSchema, req.body);
    res.json(await store.update(req.params.name as string, input as never));
  });
  router.delete('/:name', access.write, async (req, res) => {
    res.json(await store.remove(req.params.name as string));
  });
  return router;
}
