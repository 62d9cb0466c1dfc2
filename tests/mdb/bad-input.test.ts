/**
 * A table of hostile and malformed requests against a started mdb, on SQLite and PostgreSQL:
 * each is refused with the documented status and error code, names the offending field, and
 * leaves every table (change log included) byte for byte as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry } from '../../packages/core/src/index.ts';
import { tableDigest } from '../../packages/db/src/index.ts';
import {
  ENGINES,
  freshDatabaseUrl,
  type TempDir,
  tempDir,
} from '../../packages/testkit/src/index.ts';
import {
  create,
  MDB_DIGEST_TABLES,
  type MdbService,
  mdbConfigSchema,
} from '../../services/mdb/src/index.ts';
import { ALPHA, BETA, CASES, type Ctx, HARMLESS_QUERIES } from './bad-input-cases.ts';
import { call, makeKeys } from './support.ts';

// One database per engine: the engines run side by side, the cases of each one at a time (the
// digest comparison needs a quiet database).
describe.concurrent.each(ENGINES)('mdb refuses bad input on %s', (engine) => {
  const ctx = {} as Ctx & {
    dir: TempDir;
    fresh: { url: string; cleanup(): Promise<void> };
    service: MdbService;
  };
  const digest = () => tableDigest(ctx.service.database, MDB_DIGEST_TABLES);

  beforeAll(async () => {
    ctx.dir = await tempDir('lanctl-mdb-bad-input-');
    ctx.keys = makeKeys(ctx.dir.path);
    ctx.fresh = await freshDatabaseUrl(engine);
    const config = mdbConfigSchema.parse({
      listen: { host: '127.0.0.1', port: 0 },
      sync: { port: 0 },
      database: { url: ctx.fresh.url },
      auth: { public_key_file: ctx.keys.publicKeyFile },
    });
    ctx.service = create(config, {
      logger: createLogger('t', { silent: true }),
      metrics: createMetricsRegistry(),
      publicKey: ctx.keys.publicKey,
    });
    ctx.url = (await ctx.service.start()).url;
    for (const machine of [ALPHA, BETA]) {
      const created = await call(ctx.url, '/api/v1/machines', {
        method: 'POST',
        token: ctx.keys.root,
        json: machine,
      });
      expect(created.status, created.text).toBe(201);
    }
  });

  afterAll(async () => {
    await ctx.service?.stop();
    await ctx.fresh?.cleanup();
    await ctx.dir?.cleanup();
  });

  it.sequential.each(CASES)('$name → $status $code', async (bad) => {
    const before = await digest();
    const reply = await bad.send(ctx);
    const error = reply.body?.error as
      | { code: string; message: string; details?: { field: string }[] }
      | undefined;
    expect({ status: reply.status, code: error?.code ?? null }, reply.text).toEqual({
      status: bad.status,
      code: bad.code,
    });
    if (bad.code !== null) expect(typeof error?.message).toBe('string');
    if (bad.field !== undefined) {
      const fields = error?.details?.map((d) => d.field) ?? [];
      const named =
        fields.length > 0 ? fields.includes(bad.field) : error!.message.includes(bad.field);
      expect(named, `${bad.field} not named in ${reply.text}`).toBe(true);
    }
    if (bad.mentions !== undefined) expect(error?.message).toContain(bad.mentions);
    expect(await digest()).toBe(before);
  });

  it.sequential.each(HARMLESS_QUERIES)('?q=%s matches nothing and changes nothing', async (q) => {
    const before = await digest();
    const reply = await call(ctx.url, `/api/v1/machines?q=${encodeURIComponent(q)}`, {
      token: ctx.keys.root,
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toEqual({ items: [], next: null });
    expect(await digest()).toBe(before);
  });

  it.sequential('?q= still finds by substring (the empty answers above are meaningful)', async () => {
    const reply = await call(ctx.url, '/api/v1/machines?q=LPHA-AL', { token: ctx.keys.root });
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((m: { hostname: string }) => m.hostname)).toEqual(['alpha']);
    const all = await call(ctx.url, '/api/v1/machines', { token: ctx.keys.root });
    expect(all.body.items.map((m: { hostname: string }) => m.hostname)).toEqual(['alpha', 'beta']);
  });
});
