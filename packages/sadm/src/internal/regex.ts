import vm from 'node:vm';
import { RpcError } from '../errors.ts';

/** Longest pattern a client may send. */
export const MAX_REGEX_LENGTH = 200;
/** Time budget for matching one pattern against every candidate value. */
export const REGEX_BUDGET_MS = 250;

/** Compiles a client's pattern, or raises SADM's `ValueError` naming the filter. */
export function compileClientRegex(key: string, source: string, ignoreCase: boolean): RegExp {
  if (source.length > MAX_REGEX_LENGTH) {
    throw new RpcError(
      'ValueError',
      `${key}: the pattern is longer than ${MAX_REGEX_LENGTH} characters`,
    );
  }
  try {
    return new RegExp(source, ignoreCase ? 'i' : '');
  } catch (e) {
    throw new RpcError('ValueError', `${key}: invalid regular expression: ${(e as Error).message}`);
  }
}

let context: vm.Context | undefined;
let script: vm.Script | undefined;

/**
 * Tests `re` against every subject inside a time budget: a pattern with catastrophic
 * backtracking (`(a+)+$`) is interrupted by V8's watchdog instead of freezing the service, and
 * the call fails with a `ValueError`. The context is created on first use, never at import.
 */
export function testAll(key: string, re: RegExp, subjects: string[]): boolean[] {
  context ??= vm.createContext({});
  script ??= new vm.Script('subjects.map((s) => re.test(s))');
  context.re = re;
  context.subjects = subjects;
  try {
    return script.runInContext(context, { timeout: REGEX_BUDGET_MS }) as boolean[];
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new RpcError('ValueError', `${key}: the regular expression takes too long to match`);
    }
    throw e;
  } finally {
    context.re = undefined;
    context.subjects = undefined;
  }
}
