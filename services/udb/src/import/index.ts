export { deriveLogin, loginCandidates, MAX_LOGIN_LENGTH, titleCase, uniqueLogin } from './login.ts';
export {
  type ImportFormat,
  type ParsedRow,
  type ParseError,
  type ParseResult,
  parseImport,
} from './parse.ts';
export {
  type ExistingUser,
  type ImportMode,
  type PlanAction,
  type PlannedRow,
  type PlanOptions,
  planImport,
} from './plan.ts';
