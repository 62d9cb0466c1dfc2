/**
 * A boot wave: 300 clients ask for undionly.kpxe at once (blksize 1468, as iPXE and EDK2 ask),
 * from the default root /usr/lib/ipxe. Every copy must be exact; the time is reported, never
 * asserted (the machine is shared).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type TempDir, tempDir } from '../../packages/testkit/src/index.ts';
import { type Daemon, IPXE, ScriptedClient, startDaemon } from './support.ts';

const CLIENTS = 300;
let dir: TempDir | undefined;
let daemon: Daemon | undefined;
afterAll(async () => {
  await daemon?.stop('SIGKILL');
  await dir?.cleanup();
});

it(`serves ${CLIENTS} concurrent downloads of undionly.kpxe byte for byte`, async () => {
  dir = await tempDir('lanctl-tftp-bench-');
  daemon = await startDaemon(dir.path, {}); // root: the default, /usr/lib/ipxe
  const expected = readFileSync(join(IPXE, 'undionly.kpxe'));
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => ScriptedClient.open()));
  const started = performance.now();
  const results = await Promise.all(
    clients.map(async (client) => {
      await client.request(daemon!.port, 'undionly.kpxe', [
        { name: 'tsize', value: '0' },
        { name: 'blksize', value: '1468' },
      ]);
      const { data } = await client.download(1468);
      client.close();
      return data;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const data of results) expect(data.equals(expected)).toBe(true);
  await daemon.metricReaches('lanctl_tftp_transfers_completed_total', CLIENTS);
  const retransmissions = await daemon.metric('lanctl_tftp_retransmissions_total');
  const requests = await daemon.metric('lanctl_tftp_transfers_started_total');
  console.log(
    `tftp bench: ${CLIENTS} x undionly.kpxe (${expected.length} B, blksize 1468) in ` +
      `${seconds.toFixed(2)} s, ${((CLIENTS * expected.length) / seconds / 1e6).toFixed(1)} MB/s, ` +
      `${retransmissions} retransmissions, ${requests - CLIENTS} duplicate transfers`,
  );
});
