/**
 * A scriptable DHCP peer for what no real client does on demand (a relay with option 82, a
 * REQUEST naming another server): run inside a client namespace as
 * `node --import tsx tests/dhcp/probe.ts '<json>'`; sends one request and prints the decoded
 * replies received within `waitMs` as one JSON line.
 */
import { createSocket } from 'node:dgram';
import {
  decode,
  emptyMessage,
  encode,
  isDecodeError,
  Option,
  readIp,
  readString,
} from '../../packages/dhcp/src/index.ts';

export interface ProbeRequest {
  bind: { address: string; port: number };
  to: { address: string; port: number };
  mac: string;
  xid: number;
  giaddr?: string;
  ciaddr?: string;
  /** option code → hex value */
  options: Record<string, string>;
  waitMs: number;
}

export interface ProbeReply {
  type: number | null;
  yiaddr: string;
  giaddr: string;
  file: string;
  serverId: string | null;
  message: string | null;
  options: Record<string, string>;
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2]!) as ProbeRequest;
  const m = emptyMessage();
  m.xid = req.xid;
  m.giaddr = req.giaddr ?? '0.0.0.0';
  m.ciaddr = req.ciaddr ?? '0.0.0.0';
  if (req.giaddr) m.hops = 1;
  Buffer.from(req.mac.replace(/:/g, ''), 'hex').copy(m.chaddr);
  for (const [code, hex] of Object.entries(req.options))
    m.options.set(Number(code), Buffer.from(hex, 'hex'));
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const replies: ProbeReply[] = [];
  socket.on('message', (bytes) => {
    const r = decode(bytes);
    if (isDecodeError(r) || r.op !== 2 || r.xid !== req.xid) return;
    const options: Record<string, string> = {};
    for (const [code, value] of r.options) options[code] = value.toString('hex');
    replies.push({
      type: r.options.get(Option.MESSAGE_TYPE)?.[0] ?? null,
      yiaddr: r.yiaddr,
      giaddr: r.giaddr,
      file: r.file,
      serverId: readIp(r, Option.SERVER_ID),
      message: readString(r, Option.MESSAGE),
      options,
    });
  });
  await new Promise<void>((resolve) => socket.bind(req.bind.port, req.bind.address, resolve));
  socket.setBroadcast(true);
  await new Promise<void>((resolve, reject) =>
    socket.send(encode(m), req.to.port, req.to.address, (e) => (e ? reject(e) : resolve())),
  );
  await new Promise((r) => setTimeout(r, req.waitMs));
  socket.close();
  process.stdout.write(`${JSON.stringify(replies)}\n`);
}

await main();
