export { dhclient, lastFailure, setMac, udhcpc } from './dhcp-clients.ts';
export type { TempDir } from './engines.ts';
export { ENGINES, freshDatabaseUrl, tempDir } from './engines.ts';
export { callJson, createTestKeys, type JsonReply, type TestKeys } from './http.ts';
export {
  createTestLan,
  type NetnsProcess,
  spawnGroup,
  type TestLan,
  type TestLanOptions,
} from './netns.ts';
export type { PostgresCluster, StartPostgresOptions } from './postgres.ts';
export { createTestDatabase, PG_BIN, PG_MISSING_MESSAGE, startPostgres } from './postgres.ts';
export { machineRecord, poolRecord } from './records.ts';
export { type OpenStream, openStream, waitFor } from './sse.ts';
