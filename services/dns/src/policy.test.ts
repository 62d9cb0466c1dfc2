import {
  buildZones,
  type DnsMessage,
  decode,
  dnsPlanSchema,
  emptyFlags,
  encode,
  isDecodeError,
  nextSerials,
  parseQuery,
  patchResponse,
  Rcode,
  RRType,
} from '@lanctl/dns-wire';
import type { Machine, Pool } from '@lanctl/model';
import { parseCidr } from '@lanctl/model';
import { describe, expect, it } from 'vitest';
import { indexZones } from './authority.ts';
import { classify, decide } from './policy.ts';

const machine = (hostname: string, ip: string, aliases: string[] = []): Machine => ({
  hostname,
  aliases,
  ip,
  mac: '52:54:00:00:00:01',
  rfs: 0,
  hfs: 0,
  mtype: 'user',
  room: 'r',
  is_faulty: false,
  is_faulty_details: '',
  uuid: null,
  created_at: '',
  updated_at: '',
});
const pools: Pool[] = [
  { name: 'user', network: '192.168.0.0/24', reserved: [], mtypes: [], used: 0, size: 0 },
];
const plan = dnsPlanSchema.parse({ alien: { clients: ['192.168.250.0/24'] } });
const set = buildZones(plan, [machine('pc1', '192.168.0.10', ['web'])], pools);
const index = indexZones(set, nextSerials({}, set.zones, new Date('2026-11-22T00:00:00Z')));
const allow = plan.allow.map((c) => parseCidr(c)!);

function query(name: string, type: number, extra: Partial<DnsMessage> = {}): Uint8Array {
  return encode({
    id: 7,
    flags: { ...emptyFlags(), rd: true },
    questions: [{ name, type, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
    ...extra,
  });
}

/** decide + patch, decoded: what the client would see. */
function ask(
  from: string,
  name: string,
  type: number,
  extra: Partial<DnsMessage> = {},
  recursion = false,
) {
  const bytes = query(name, type, extra);
  const q = parseQuery(bytes)!;
  const d = decide(q, classify(from, index, allow), { index, recursion });
  if (d.kind === 'forward') return 'forward' as const;
  const m = decode(
    patchResponse(d.template, bytes, q, {
      limit: 512,
      udpSize: 1232,
      extendedRcode: d.extendedRcode,
    }),
  );
  if (isDecodeError(m)) throw new Error(m.message);
  return m;
}

const answers = (m: ReturnType<typeof ask>) =>
  m === 'forward' ? [] : m.answers.map((r) => `${r.name} ${r.type} ${JSON.stringify(r.data)}`);

describe('decide', () => {
  it.each([
    ['pc1.prolo.', RRType.A, Rcode.NOERROR, 1],
    ['WEB.Prolo.', RRType.A, Rcode.NOERROR, 1],
    ['pc1.prolo.', RRType.AAAA, Rcode.NOERROR, 0],
    ['nope.prolo.', RRType.A, Rcode.NXDOMAIN, 0],
    ['10.0.168.192.in-addr.arpa.', RRType.PTR, Rcode.NOERROR, 1],
    ['11.0.168.192.in-addr.arpa.', RRType.PTR, Rcode.NXDOMAIN, 0],
    ['prolo.', RRType.SOA, Rcode.NOERROR, 1],
    ['prolo.', RRType.ANY, Rcode.NOERROR, 2],
    ['example.com.', RRType.A, Rcode.REFUSED, 0],
    ['prolo.', 252, Rcode.REFUSED, 0],
  ])('%s type %i from a LAN client → rcode %i, %i answers', (name, type, rcode, count) => {
    const m = ask('192.168.0.10', name, type);
    if (m === 'forward') throw new Error('forwarded');
    expect(m.flags.rcode).toBe(rcode);
    expect(m.answers).toHaveLength(count);
    expect(m.id).toBe(7);
    expect(m.flags.rd).toBe(true);
    if (rcode !== Rcode.REFUSED) expect(m.flags.aa).toBe(true);
  });

  it('echoes the question case and puts the SOA in the authority of negative answers', () => {
    const m = ask('192.168.0.10', 'NoPe.prolo.', RRType.A);
    if (m === 'forward') throw new Error('forwarded');
    expect(m.questions[0]?.name).toBe('NoPe.prolo.');
    expect(m.authorities.map((r) => r.type)).toEqual([RRType.SOA]);
  });

  it('answers aliens from the alien view', () => {
    expect(answers(ask('192.168.250.3', 'netboot.prolo.', RRType.A))).toEqual([
      'netboot.prolo. 1 {"kind":"a","address":"192.168.250.254"}',
    ]);
    const m = ask('192.168.250.3', 'pc1.prolo.', RRType.A);
    expect(m !== 'forward' && m.flags.rcode).toBe(Rcode.NXDOMAIN);
  });

  it('refuses clients outside allow, and non-IN classes; NOTIMP other opcodes; BADVERS EDNS 1', () => {
    expect(ask('10.0.0.1', 'pc1.prolo.', RRType.A)).toMatchObject({
      flags: { rcode: Rcode.REFUSED },
      answers: [],
    });
    const notimp = ask('192.168.0.10', 'pc1.prolo.', RRType.A, {
      flags: { ...emptyFlags(), opcode: 2 },
    });
    expect(notimp).toMatchObject({ flags: { rcode: Rcode.NOTIMP, opcode: 2 } });
    const edns = { udpSize: 1232, extendedRcode: 0, version: 1, do: false, flags: 0, options: [] };
    expect(ask('192.168.0.10', 'pc1.prolo.', RRType.A, { edns })).toMatchObject({
      flags: { rcode: 0 },
      edns: { extendedRcode: 1 },
    });
  });

  it('forwards names outside our zones when upstreams exist, never our own', () => {
    expect(ask('192.168.0.10', 'example.com.', RRType.A, {}, true)).toBe('forward');
    expect(ask('192.168.0.10', 'nope.prolo.', RRType.A, {}, true)).not.toBe('forward');
  });
});
