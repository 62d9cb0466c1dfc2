export { type BindOptions, type BoundArguments, bindArguments } from './args.ts';
export { RpcError } from './errors.ts';
export {
  applyFilters,
  type FieldKind,
  type Filter,
  type FilterFields,
  LOOKUPS,
  type Lookup,
  parseFilters,
} from './filters.ts';
export { MAX_REGEX_LENGTH } from './internal/regex.ts';
export {
  type SadmAuthResult,
  type SadmMethod,
  type SadmRpcOptions,
  sadmRpcRouter,
} from './rpc.ts';
export {
  callFromJson,
  type DecodedCall,
  decodeCall,
  encodeException,
  encodeResult,
  pythonJson,
  pythonRepr,
  type SadmCall,
} from './wire.ts';
