/**
 * The client side of bench:propagation, run inside a client namespace of the bench LAN (its
 * eth0 on br0 holds an address of the LAN): reads JSON lines on stdin
 * `{id, kind: 'dns' | 'dhcp', name?, mac?, expect, server, timeoutMs}` and, for each, repeats a
 * query every `intervalMs` until the answer carries `expect` (DNS: an A record of `name`;
 * DHCP: an OFFER to `mac` with yiaddr `expect`), then prints `{id, at}` (epoch ms, sub-ms
 * precision, from performance.timeOrigin) or `{id, error}` on timeout. DHCP DISCOVERs are
 * broadcast from port 68 with the broadcast flag, as a booting client sends them.
 *
 *   ip netns exec <client> tsx scripts/bench/lib/probe.ts <intervalMs>
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import * as dhcp from '@lanctl/dhcp-wire';
import * as dns from '@lanctl/dns-wire';

interface Job {
  id: number;
  kind: 'dns' | 'dhcp';
  name?: string;
  mac?: string;
  expect: string;
  server: string;
  timeoutMs: number;
}

const now = () => performance.timeOrigin + performance.now();

// ---- the messages, with the project's own codecs ----

function discover(mac: string, xid: Buffer): Buffer {
  const chaddr = Buffer.alloc(16);
  Buffer.from(mac.replaceAll(':', ''), 'hex').copy(chaddr);
  return dhcp.encode({
    op: dhcp.BOOTREQUEST,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: xid.readUInt32BE(0),
    secs: 0,
    // We have no address the OFFER could be sent to: ask for a broadcast, as a booting client.
    flags: dhcp.BROADCAST_FLAG,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr,
    sname: '',
    file: '',
    options: new Map([
      [53, Buffer.from([dhcp.MessageType.DISCOVER])],
      [55, Buffer.from([1, 3, 6, 15])],
    ]),
  });
}

/** `{xid, yiaddr}` of an OFFER, or undefined for anything else. */
function offer(packet: Buffer): { xid: string; yiaddr: string } | undefined {
  const message = dhcp.decode(packet);
  if (dhcp.isDecodeError(message) || message.op !== dhcp.BOOTREPLY) return undefined;
  if (message.options.get(53)?.[0] !== dhcp.MessageType.OFFER) return undefined;
  const xid = Buffer.alloc(4);
  xid.writeUInt32BE(message.xid);
  return { xid: xid.toString('hex'), yiaddr: message.yiaddr };
}

function query(name: string, id: number): Uint8Array {
  return dns.encode({
    id,
    flags: { ...dns.emptyFlags(), rd: true },
    questions: [{ name, type: dns.RRType.A, class: dns.RRClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
  });
}

/** The id and A-record addresses of an answer, or undefined for what does not decode. */
function answers(packet: Buffer): { id: number; addresses: string[] } | undefined {
  const message = dns.decode(packet);
  if (dns.isDecodeError(message)) return undefined;
  const addresses = message.answers.flatMap((r) => (r.data.kind === 'a' ? [r.data.address] : []));
  return { id: message.id, addresses };
}

// ---- the loop ----

function emit(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Queries in flight, by "dhcp:<xid hex>" or "dns:<id>": what answer completes which job. */
type Pending = Map<string, { expect: string; done: () => void }>;

function run(job: Job, socket: Socket, intervalMs: number, pending: Pending): void {
  const started = now();
  const keys: string[] = [];
  const finish = (value: object) => {
    clearInterval(timer);
    for (const key of keys) pending.delete(key);
    emit({ id: job.id, ...value });
  };
  const entry = { expect: job.expect, done: () => finish({ at: now() }) };
  const send = () => {
    if (now() - started > job.timeoutMs)
      return finish({ error: `no answer within ${job.timeoutMs} ms` });
    if (job.kind === 'dhcp') {
      const xid = randomBytes(4);
      keys.push(`dhcp:${xid.toString('hex')}`);
      pending.set(keys.at(-1)!, entry);
      socket.send(discover(job.mac!, xid), 67, job.server);
    } else {
      const id = randomBytes(2).readUInt16BE(0);
      keys.push(`dns:${id}`);
      pending.set(keys.at(-1)!, entry);
      socket.send(query(job.name!, id), 53, job.server);
    }
  };
  const timer = setInterval(send, intervalMs);
  send();
}

async function main(): Promise<void> {
  const intervalMs = Number(process.argv[2] ?? '2');
  // Only answers carrying the expected address count: an alien OFFER or an NXDOMAIN just lets
  // the next query go.
  const pending: Pending = new Map();
  const dhcpSocket = createSocket({ type: 'udp4', reuseAddr: true });
  const dnsSocket = createSocket('udp4');
  dhcpSocket.on('message', (packet) => {
    const o = offer(packet);
    const entry = o && pending.get(`dhcp:${o.xid}`);
    if (entry && entry.expect === o.yiaddr) entry.done();
  });
  dnsSocket.on('message', (packet) => {
    const a = answers(packet);
    const entry = a && pending.get(`dns:${a.id}`);
    if (entry && a.addresses.includes(entry.expect)) entry.done();
  });
  await new Promise<void>((r) => dhcpSocket.bind(68, () => r()));
  dhcpSocket.setBroadcast(true);
  await new Promise<void>((r) => dnsSocket.bind(0, () => r()));
  emit({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const job = JSON.parse(line) as Job;
    run(job, job.kind === 'dhcp' ? dhcpSocket : dnsSocket, intervalMs, pending);
  }
  dhcpSocket.close();
  dnsSocket.close();
}

await main();
