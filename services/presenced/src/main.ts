import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { tokenFromFile } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, presencedConfigSchema } from './index.ts';
import { runPam } from './pam.ts';

const configPath = (argv: string[]) =>
  parseArgs({ args: argv, options: { config: { type: 'string' } } }).values.config;

/** `lanctl serve presenced [--config FILE]`: the heartbeat daemon, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const logger = createLogger('presenced');
  const config = loadConfig('presenced', presencedConfigSchema, { path: configPath(argv) });
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token: tokenFromFile(config.token_file),
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}

/** `lanctl-pam [--config FILE]` under pam_exec: PAM_* from the environment, exit status to PAM. */
export async function pamMain(argv = process.argv.slice(2)): Promise<void> {
  let path: string | undefined;
  try {
    path = configPath(argv);
  } catch {
    path = undefined; // a bad argument must not lock anybody out: the default file is used
  }
  const env = process.env;
  process.exitCode = await runPam({
    env: { PAM_TYPE: env.PAM_TYPE, PAM_SERVICE: env.PAM_SERVICE, PAM_USER: env.PAM_USER },
    config: () => loadConfig('presenced', presencedConfigSchema, { path, env: {} }),
    systemHostname: hostname,
    write: (line) => process.stderr.write(line),
  });
}
