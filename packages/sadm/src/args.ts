import { RpcError } from './errors.ts';

export interface BindOptions {
  /** Accept keyword arguments beyond `params` (Python's `**kwargs`); they land in `extra`. */
  extraKwargs?: boolean;
}

export interface BoundArguments {
  /** Every parameter, by name, from a positional or a keyword argument. */
  values: Record<string, unknown>;
  /** Keyword arguments beyond the parameters (only with `extraKwargs`). */
  extra: Record<string, unknown>;
}

/**
 * Binds positional and keyword arguments to required parameters the way Python calls a bound
 * method, with Python's `TypeError` messages (which count `self`, as SADM's clients see them).
 */
export function bindArguments(
  method: string,
  params: readonly string[],
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: BindOptions = {},
): BoundArguments {
  if (args.length > params.length) {
    const takes = params.length + 1;
    throw new RpcError(
      'TypeError',
      `${method}() takes ${takes} positional argument${takes === 1 ? '' : 's'} but ${args.length + 1} were given`,
    );
  }
  const values: Record<string, unknown> = {};
  params.forEach((name, i) => {
    if (i < args.length) values[name] = args[i];
  });
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    if (params.includes(key)) {
      if (Object.hasOwn(values, key)) {
        throw new RpcError('TypeError', `${method}() got multiple values for argument '${key}'`);
      }
      values[key] = value;
    } else if (options.extraKwargs) {
      extra[key] = value;
    } else {
      throw new RpcError('TypeError', `${method}() got an unexpected keyword argument '${key}'`);
    }
  }
  const missing = params.filter((p) => !Object.hasOwn(values, p));
  if (missing.length > 0) {
    throw new RpcError(
      'TypeError',
      `${method}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${pythonList(missing)}`,
    );
  }
  return { values, extra };
}

/** `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`: how CPython lists missing arguments. */
function pythonList(names: string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}
