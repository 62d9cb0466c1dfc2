import { parseInput } from '@lanctl/core';
import { SETTING_UPDATE_SCHEMAS, type SettingKey } from '@lanctl/model';
import { Router } from 'express';
import type { SettingsStore } from '../store/settings.ts';
import type { Access } from './access.ts';

export function settingRoutes(store: SettingsStore, access: Access): Router {
  const router = Router();
  router.get('/', access.read, async (_req, res) => {
    res.json({ items: await store.list(), next: null });
  });
  router.get('/:key', access.read, async (req, res) => {
    res.json(await store.get(req.params.key as string));
  });
  router.put('/:key', access.write, async (req, res) => {
    const { key } = await store.get(req.params.key as string);
    const schema = SETTING_UPDATE_SCHEMAS[key as SettingKey];
    res.json(await store.set(key, parseInput(schema, req.body)));
  });
  return router;
}
