import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from './open.ts';

/**
 * A SHA-256 over every row of the given tables, in primary-key order, with values normalized
 * across engines. Tests use it to prove that a refused request wrote nothing.
 */
export async function tableDigest(
  database: Database,
  tables: { name: string; orderBy: string }[],
): Promise<string> {
  const hash = createHash('sha256');
  for (const { name, orderBy } of tables) {
    const { rows } = await sql<
      Record<string, unknown>
    >`SELECT * FROM ${sql.table(name)} ORDER BY ${sql.ref(orderBy)}`.execute(database.db);
    hash.update(`${name}\n`);
    for (const row of rows) {
      const keys = Object.keys(row).sort();
      hash.update(JSON.stringify(keys.map((k) => [k, normalize(row[k])])));
      hash.update('\n');
    }
  }
  return hash.digest('hex');
}

const normalize = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
