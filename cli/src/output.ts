/** Prints one clear line to stderr and exits non-zero: how every CLI error ends. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`lanctl: ${message}\n`);
  process.exit(code);
}
