import { ensureWebBuilt } from '../build.ts';

/**
 * Builds the web UI once before the suite if it is missing or stale, so the `lanctl start`
 * processes that tests spawn (several at once) serve it without each building it.
 */
export default async function setup() {
  await ensureWebBuilt();
}
