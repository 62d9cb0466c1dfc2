import { encode } from './encode.ts';
import { BROADCAST_FLAG, emptyMessage } from './message.ts';
import { ipBytes, Option, stringBytes, u8Bytes, u16Bytes } from './options.ts';

/**
 * Requests shaped like those of real clients (option sets and order as dhclient 4.4, busybox
 * udhcpc 1.35, iPXE 1.21 and EDK2's PXE client send them), as wire bytes.
 */
function request(mac: string, entries: [number, Buffer][], flags = 0): Buffer {
  const m = emptyMessage();
  m.xid = 0x1234abcd;
  m.flags = flags;
  Buffer.from(mac.replace(/:/g, ''), 'hex').copy(m.chaddr);
  for (const [code, value] of entries) m.options.set(code, value);
  return encode(m);
}

const uuid = Buffer.concat([
  Buffer.from([0]),
  Buffer.from('4c4c4544004235108052b4c04f4e4d32', 'hex'),
]);

export const FIXTURES = {
  dhclient: request('52:54:00:00:00:01', [
    [Option.MESSAGE_TYPE, u8Bytes(1)],
    [Option.HOST_NAME, stringBytes('pas-r01p01')],
    [Option.PARAMETER_LIST, Buffer.from([1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42])],
  ]),
  udhcpc: request('52:54:00:00:00:02', [
    [Option.MESSAGE_TYPE, u8Bytes(1)],
    [Option.CLIENT_ID, Buffer.from([1, 0x52, 0x54, 0, 0, 0, 2])],
    [Option.MAX_MESSAGE_SIZE, u16Bytes(576)],
    [Option.VENDOR_CLASS, stringBytes('udhcp 1.35.0')],
    [Option.PARAMETER_LIST, Buffer.from([1, 3, 6, 12, 15, 28, 42])],
  ]),
  /** iPXE in a BIOS NIC ROM: user class as a bare string, option 175 with its features. */
  ipxe: request(
    '52:54:00:00:00:03',
    [
      [Option.MESSAGE_TYPE, u8Bytes(1)],
      [Option.MAX_MESSAGE_SIZE, u16Bytes(1472)],
      [Option.CLIENT_ARCH, u16Bytes(0)],
      [Option.CLIENT_NDI, Buffer.from([1, 2, 1])],
      [Option.VENDOR_CLASS, stringBytes('PXEClient:Arch:00000:UNDI:002001')],
      [Option.USER_CLASS, stringBytes('iPXE')],
      [
        Option.PARAMETER_LIST,
        Buffer.from([
          1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133, 134, 135,
          175, 203,
        ]),
      ],
      [Option.IPXE, Buffer.from([0xb1, 5, 1, 0x80, 0x86, 0x10, 0x0e, 0x13, 1, 1, 0x11, 1, 1])],
      [Option.CLIENT_MACHINE_ID, uuid],
    ],
    BROADCAST_FLAG,
  ),
  /** OVMF (EDK2) PXE: arch 7, PXEClient vendor class, no user class. */
  edk2: request(
    '52:54:00:00:00:04',
    [
      [Option.MESSAGE_TYPE, u8Bytes(1)],
      [Option.MAX_MESSAGE_SIZE, u16Bytes(1472)],
      [
        Option.PARAMETER_LIST,
        Buffer.from([
          1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60,
          66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135,
        ]),
      ],
      [Option.CLIENT_MACHINE_ID, uuid],
      [Option.CLIENT_NDI, Buffer.from([1, 3, 0])],
      [Option.CLIENT_ARCH, u16Bytes(7)],
      [Option.VENDOR_CLASS, stringBytes('PXEClient:Arch:00007:UNDI:003000')],
    ],
    BROADCAST_FLAG,
  ),
  /** A relayed REQUEST (as perfdhcp sends them): giaddr set, option 82 with circuit id. */
  relayed: (() => {
    const m = emptyMessage();
    m.xid = 7;
    m.hops = 1;
    m.giaddr = '10.98.0.1';
    Buffer.from('525400000005', 'hex').copy(m.chaddr);
    m.options.set(Option.MESSAGE_TYPE, u8Bytes(3));
    m.options.set(Option.REQUESTED_IP, ipBytes('10.98.0.10'));
    m.options.set(Option.SERVER_ID, ipBytes('10.99.0.1'));
    m.options.set(Option.USER_CLASS, Buffer.from([3, 0x61, 0x62, 0x63, 2, 0x78, 0x79]));
    m.options.set(Option.RELAY_AGENT_INFO, Buffer.from([1, 4, 0, 0, 0, 9, 2, 2, 0xaa, 0xbb]));
    return encode(m);
  })(),
};
