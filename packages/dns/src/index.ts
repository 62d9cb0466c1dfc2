export { formatIpv6, parseIpv4Bytes, parseIpv6 } from './addresses.ts';
export { decode, decodeFlags } from './decode.ts';
export { EncodeError, encode, encodeFlags } from './encode.ts';
export {
  DecodeError,
  type DecodeReason,
  type DnsFlags,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  type Edns,
  type EdnsOption,
  emptyFlags,
  isDecodeError,
  Opcode,
  Rcode,
  type RData,
  RRClass,
  RRType,
  rcodeName,
  typeName,
} from './message.ts';
export { absolute, lowerName, nameToLabels, readName } from './names.ts';
export {
  alienClients,
  type DnsPlan,
  type DnsPlanInput,
  dnsPlanSchema,
  domainSchema,
  parseUpstream,
  type Upstream,
  upstreamSchema,
} from './plan.ts';
export {
  type PatchOptions,
  parseQuery,
  patchResponse,
  type QuickEdns,
  type QuickQuery,
  udpLimit,
} from './quick.ts';
export {
  buildZones,
  dateSerial,
  MIN_REVERSE_PREFIX,
  nextSerials,
  type RecordType,
  reverseName,
  reverseZoneOf,
  type SerialState,
  type Soa,
  soaRecord,
  sortRecords,
  type ViewName,
  type Zone,
  type ZoneRecord,
  type ZoneSet,
  zoneDigest,
} from './zones.ts';
