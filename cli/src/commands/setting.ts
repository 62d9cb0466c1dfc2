import type { MdbClient } from '@lanctl/client';
import { SETTING_KEYS, type Setting, type SettingKey } from '@lanctl/model';
import { type Command, Option } from 'commander';
import {
  addWord,
  apiCommand,
  type ConnectionOptions,
  connect,
  connectionOptions,
  run,
} from '../command.ts';
import { printDone, printJson, printList, usageError } from '../output.ts';
import { formatDuration, parseDuration, parseOnOff } from '../parse.ts';
import type { Column } from '../table.ts';

const until = (s: Setting) => (s.key === 'allow_self_registration' ? s.enabled_until : null);
const left = (s: Setting) => {
  const end = until(s);
  return end ? formatDuration((Date.parse(end) - Date.now()) / 1000) : '';
};

const COLUMNS: Column<Setting>[] = [
  { header: 'SETTING', value: (s) => s.key },
  { header: 'VALUE', value: (s) => (s.value ? 'on' : 'off') },
  { header: 'UNTIL', value: (s) => until(s) ?? '' },
  { header: 'LEFT', value: left },
];

const summary = (s: Setting) => {
  if (!s.value) return `${s.key} is off`;
  const end = until(s);
  return end ? `${s.key} is on until ${end} (${left(s)} left)` : `${s.key} is on`;
};

function settingKey(key: string): SettingKey {
  if (!(SETTING_KEYS as readonly string[]).includes(key)) {
    usageError(`unknown setting "${key}" (known: ${SETTING_KEYS.join(', ')})`);
  }
  return key as SettingKey;
}

interface SetOptions extends ConnectionOptions {
  for?: number;
  until?: string;
  json?: boolean;
}

/** Self-registration always ends: turning it on needs exactly one of --for and --until. */
function setSetting(client: MdbClient, key: SettingKey, on: boolean, o: SetOptions) {
  const limited = o.for !== undefined || o.until !== undefined;
  if (key !== 'allow_self_registration' || !on) {
    if (limited) usageError('--for and --until only apply when turning allow_self_registration on');
    return client.settings.set(key, { value: on });
  }
  if (!limited) usageError(`turning ${key} on needs --for DURATION (e.g. 2h) or --until TIME`);
  return client.settings.set(
    key,
    o.for !== undefined
      ? { value: true, duration_seconds: o.for }
      : { value: true, enabled_until: o.until },
  );
}

export function registerSetting(program: Command): void {
  const setting = addWord(program, 'setting', `volatile settings (${SETTING_KEYS.join(', ')})`);
  apiCommand(setting, 'get', 'show one setting, or all of them')
    .argument('[key]', 'setting name')
    .option('--json', 'print JSON')
    .action(
      run(async (key: string | undefined, o: ConnectionOptions & { json?: boolean }) => {
        const client = connect(o);
        if (key === undefined) {
          return printList(await client.settings.list(), COLUMNS, Boolean(o.json), 'settings');
        }
        const value = await client.settings.get(settingKey(key));
        if (o.json) printJson(value);
        else process.stdout.write(`${summary(value)}\n`);
      }),
    );
  apiCommand(setting, 'set', 'change a setting, e.g. `set allow_self_registration on --for 2h`')
    .argument('<key>', 'setting name')
    .argument('<value>', 'on or off', parseOnOff)
    .addOption(
      new Option('--for <duration>', 'how long it stays on: 30m, 2h, 1d (at most 7d)')
        .argParser(parseDuration)
        .conflicts('until'),
    )
    .option('--until <time>', 'when it turns off, ISO 8601 with offset (2030-01-01T18:00:00Z)')
    .option('--json', 'print the resulting setting as JSON')
    .action(
      run(async (name: string, on: boolean, o: SetOptions) => {
        const result = await setSetting(connect(o), settingKey(name), on, o);
        printDone(result, summary(result), Boolean(o.json));
      }),
    );
  const contest = connectionOptions(
    addWord(
      program,
      'contest-mode',
      'contest mode: `on` takes the internet away from contestants (firewall), `off` gives it back; no argument shows it',
    ),
  )
    .argument('[value]', 'on or off', parseOnOff)
    .option('--json', 'print the setting as JSON');
  contest.action(
    run(async (on: boolean | undefined, o: ConnectionOptions & { json?: boolean }) => {
      const client = connect(o);
      const result =
        on === undefined
          ? await client.settings.get('contest_mode')
          : await client.settings.set('contest_mode', { value: on });
      printDone(result, summary(result), Boolean(o.json));
    }),
  );
}
