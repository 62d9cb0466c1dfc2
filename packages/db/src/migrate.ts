import { type Kysely, type Migration, type MigrationResult, Migrator } from 'kysely';
import type { Database, Engine } from './open.ts';

/** A migration gets the engine too, for the few column types that differ. */
export interface AppMigration {
  up(db: Kysely<any>, engine: Engine): Promise<void>;
}

/**
 * Applies `migrations` (name → migration, applied in name order) and throws one error listing
 * what failed. Kysely's migrator takes its own lock, so concurrent starts are safe on PostgreSQL.
 */
export async function migrate(
  database: Database,
  migrations: Record<string, AppMigration>,
  tablePrefix = '',
): Promise<MigrationResult[]> {
  const provided: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(migrations)) {
    provided[name] = { up: (db) => m.up(db, database.engine) };
  }
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => provided },
    migrationTableName: `${tablePrefix}schema_migration`,
    migrationLockTableName: `${tablePrefix}schema_migration_lock`,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.filter((r) => r.status === 'Error').map((r) => r.migrationName);
    throw new Error(`migration ${failed.join(', ') || '(setup)'} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return results;
}
