import type { SelfRegistrationUpdateInput } from '@lanctl/client';
import { SETTING_KEYS, type SelfRegistrationSetting, type SettingKey } from '@lanctl/model';
import { type Command, Option } from 'commander';
import { addWord, apiCommand, type ConnectionOptions, connect, run } from '../command.ts';
import { printDone, printJson, printList, usageError } from '../output.ts';
import { formatDuration, parseDuration, parseOnOff } from '../parse.ts';
import type { Column } from '../table.ts';

const left = (s: SelfRegistrationSetting) =>
  s.enabled_until ? formatDuration((Date.parse(s.enabled_until) - Date.now()) / 1000) : '';

const COLUMNS: Column<SelfRegistrationSetting>[] = [
  { header: 'SETTING', value: (s) => s.key },
  { header: 'VALUE', value: (s) => (s.value ? 'on' : 'off') },
  { header: 'UNTIL', value: (s) => s.enabled_until ?? '' },
  { header: 'LEFT', value: left },
];

const summary = (s: SelfRegistrationSetting) =>
  s.value ? `${s.key} is on until ${s.enabled_until} (${left(s)} left)` : `${s.key} is off`;

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

/** Turning self-registration on always has an end: exactly one of --for and --until. */
function update(key: SettingKey, on: boolean, o: SetOptions): SelfRegistrationUpdateInput {
  const limited = o.for !== undefined || o.until !== undefined;
  if (!on) {
    if (limited) usageError('--for and --until only apply when turning a setting on');
    return { value: false };
  }
  if (!limited) usageError(`turning ${key} on needs --for DURATION (e.g. 2h) or --until TIME`);
  return o.for !== undefined
    ? { value: true, duration_seconds: o.for }
    : { value: true, enabled_until: o.until };
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
        const key = settingKey(name);
        const result = await connect(o).settings.set(key, update(key, on, o));
        printDone(result, summary(result), Boolean(o.json));
      }),
    );
}
