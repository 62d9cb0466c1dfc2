/** fast-check generators of valid TFTP packets, for the property and fuzz tests. */
import fc from 'fast-check';
import type { TftpPacket } from '../packet.ts';

const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\0'));
const option = fc.record({
  name: text.map((s) => s.toLowerCase()).filter(Boolean),
  value: fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0')),
});
const u16 = fc.integer({ min: 0, max: 0xffff });

export const packetArbitrary: fc.Arbitrary<TftpPacket> = fc.oneof(
  fc.record({
    op: fc.constantFrom('rrq' as const, 'wrq' as const),
    filename: text,
    mode: fc.constantFrom('octet', 'netascii', 'mail'),
    options: fc.array(option, { maxLength: 5 }),
  }),
  fc.record({
    op: fc.constant('data' as const),
    block: u16,
    data: fc.uint8Array({ maxLength: 600 }),
  }),
  fc.record({ op: fc.constant('ack' as const), block: u16 }),
  fc.record({
    op: fc.constant('error' as const),
    code: u16,
    message: fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0')),
  }),
  fc.record({ op: fc.constant('oack' as const), options: fc.array(option, { maxLength: 5 }) }),
);
