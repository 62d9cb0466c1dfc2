import { Counter, Gauge, type Logger, type Registry } from '@lanctl/core';
import { applyOutput, type OutputResult } from './apply.ts';
import type { CommandRunner } from './commands.ts';
import type { ConfgenConfig } from './config.ts';
import { type OutputName, type OutputPlan, planOutputs, type SiteState } from './site.ts';

/** One output's state, as /healthz shows it. */
export interface OutputStatus {
  result: OutputResult['result'] | 'reload_failed' | null;
  error: string | null;
  /** ISO time of the last apply that succeeded (files and reloads); null: none yet. */
  last_success: string | null;
}

export interface ApplyOutcome {
  /** `ok` when every output's files and reloads succeeded. */
  result: 'ok' | 'failed';
  reason?: string;
  outputs: Partial<Record<OutputName, OutputStatus>>;
}

export interface ApplierDeps {
  logger: Logger;
  metrics: Registry;
  run: CommandRunner;
  now: () => Date;
}

/**
 * Renders and applies every enabled output for a state, counting applies and reloads by result.
 * dhcpd has no reload: its restart is coalesced to at most one per `restart_min_interval_seconds`
 * (a restart asked for sooner is delayed, several become one).
 */
export function createApplier(config: ConfgenConfig, deps: ApplierDeps) {
  const { logger, now } = deps;
  const m = applierMetrics(deps.metrics);
  const status: Partial<Record<OutputName, OutputStatus>> = {};
  const warned = new Map<OutputName, string>();
  const reloader = createReloader(config, deps, m.reloads);

  const applyOne = async (plan: OutputPlan) => {
    const text = plan.warnings.join('; ');
    if (text !== (warned.get(plan.name) ?? '')) {
      if (text) logger.warn('render warnings', { output: plan.name, warnings: plan.warnings });
      warned.set(plan.name, text);
    }
    const res = await applyOutput(plan, deps.run);
    m.applies.inc({ output: plan.name, result: res.result });
    for (const f of res.failures) logger.error('not applied', { output: plan.name, ...f });
    if (res.result === 'written') {
      logger.info('applied', { output: plan.name, written: res.written, removed: res.removed });
    }
    const errors = [...res.failures.map((f) => f.reason), ...(await reloader(plan.name, res))];
    const ok = errors.length === 0;
    const at = now();
    if (ok) m.lastSuccess.set({ output: plan.name }, at.getTime() / 1000);
    status[plan.name] = {
      result: res.result === 'failed' ? 'failed' : ok ? res.result : 'reload_failed',
      error: ok ? null : errors.join('; '),
      last_success: ok ? at.toISOString() : (status[plan.name]?.last_success ?? null),
    };
  };

  return {
    status,
    async apply(state: SiteState): Promise<ApplyOutcome> {
      for (const plan of await planOutputs(config, state, now())) await applyOne(plan);
      const failed = Object.entries(status).filter(([, s]) => s.error !== null);
      if (failed.length === 0) return { result: 'ok', outputs: { ...status } };
      const reason = failed.map(([name, s]) => `${name}: ${s.error}`).join('; ');
      return { result: 'failed', reason, outputs: { ...status } };
    },
    /** Runs a delayed dhcpd restart now (at stop). */
    flush: () => reloader.flush(),
  };
}

function applierMetrics(registry: Registry) {
  return {
    applies: new Counter({
      name: 'lanctl_confgen_applies_total',
      help: 'Applies of an output by result (written, unchanged, failed)',
      labelNames: ['output', 'result'],
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'lanctl_confgen_reloads_total',
      help: 'Reload (or restart) commands run, by output and result (ok, failed)',
      labelNames: ['output', 'result'],
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'lanctl_confgen_last_success_timestamp_seconds',
      help: 'When an output was last applied with success (files and reloads)',
      labelNames: ['output'],
      registers: [registry],
    }),
  };
}

/**
 * Runs the reloads an apply calls for; resolves with their errors. dhcpd's restart runs in the
 * background (coalesced): its failure is reported at the next apply, which retries it.
 */
function createReloader(
  config: ConfgenConfig,
  deps: ApplierDeps,
  counter: Counter<'output' | 'result'>,
) {
  const { logger, run } = deps;
  const restart = createCoalescer(config.dhcpd.restart_min_interval_seconds * 1000, deps.now);
  let restartError: string | null = null;
  const runOne = async (output: OutputName, argv: string[]): Promise<string | null> => {
    try {
      await run(argv);
      counter.inc({ output, result: 'ok' });
      logger.info('reloaded', { output, command: argv.join(' ') });
      return null;
    } catch (e) {
      counter.inc({ output, result: 'failed' });
      logger.error('reload failed', { output, error: (e as Error).message });
      return (e as Error).message;
    }
  };
  const reload = async (output: OutputName, res: OutputResult): Promise<string[]> => {
    if (output !== 'dhcpd') {
      const errors: string[] = [];
      for (const argv of res.reloads) {
        const error = await runOne(output, argv); // in order, one at a time
        if (error !== null) errors.push(error);
      }
      return errors;
    }
    const errors = restartError === null ? [] : [restartError];
    const argv = res.reloads[0] ?? (restartError !== null ? config.dhcpd.restart : null);
    if (argv) {
      void restart(async () => {
        restartError = await runOne(output, [...argv]);
      });
    }
    return errors;
  };
  return Object.assign(reload, { flush: () => restart.flush() });
}

/**
 * At most one action per `minMs`: an action asked for sooner waits for the interval to end;
 * asks made while one waits share it. Resolves when the action it joined has run.
 */
function createCoalescer(minMs: number, now: () => Date) {
  let lastRun = Number.NEGATIVE_INFINITY;
  let pending: { promise: Promise<void>; timer: NodeJS.Timeout; fire: () => void } | null = null;
  const request = (action: () => Promise<void>): Promise<void> => {
    const wait = lastRun + minMs - now().getTime();
    if (pending) return pending.promise;
    if (wait <= 0) {
      lastRun = now().getTime();
      return action();
    }
    let fire!: () => void;
    const promise = new Promise<void>((resolve, reject) => {
      fire = () => {
        pending = null;
        lastRun = now().getTime();
        action().then(resolve, reject);
      };
    });
    pending = { promise, fire, timer: setTimeout(() => fire(), wait) };
    return promise;
  };
  return Object.assign(request, {
    /** Runs a waiting action now. */
    async flush() {
      if (!pending) return;
      const { promise, timer, fire } = pending;
      clearTimeout(timer);
      fire();
      await promise.catch(() => {});
    },
  });
}
