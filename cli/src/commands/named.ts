import type { Collection, MdbClient } from '@lanctl/client';
import { type Command, Option } from 'commander';
import { runEach } from '../batch.ts';
import { addWord, apiCommand, type ConnectionOptions, connect, run } from '../command.ts';
import { printDone, printList, printRecord, usageError } from '../output.ts';
import type { Column } from '../table.ts';

/** One field of a record as an option: `--<key> <arg>`, sent as `key` in the body. */
export interface FieldSpec {
  key: string;
  arg: string;
  description: string;
  parse?: (value: string) => unknown;
  /** A word that clears the field (sent as null); commander itself turns a parsed null into ''. */
  nullWord?: string;
  requiredOnAdd?: boolean;
  /** Only offered by `add` or only by `edit` (default: both). */
  only?: 'add' | 'edit';
}

/** What differs between switches, pools, rooms and machine types on the command line. */
export interface ResourceSpec<R extends { name: string }> {
  /** CLI word: `lanctl <word> add|del|list|show|edit`. */
  word: string;
  noun: string;
  plural: string;
  description: string;
  // The bodies are built from options at run time and validated by the API, hence `any`.
  collection(client: MdbClient): Collection<R, any, any>;
  fields: FieldSpec[];
  columns: Column<R>[];
  /** Turns the requested changes into the PATCH body, given the record as it is now. */
}

type Options = ConnectionOptions & { json?: boolean } & Record<string, unknown>;

function addFieldOptions(cmd: Command, fields: FieldSpec[], mode: 'add' | 'edit'): Command {
  for (const f of fields) {
    if (f.only !== undefined && f.only !== mode) continue;
    const option = new Option(`--${f.key} ${f.arg}`, f.description);
    if (f.parse) option.argParser(f.parse);
    cmd.addOption(option.makeOptionMandatory(mode === 'add' && f.requiredOnAdd === true));
  }
  return cmd.option('--json', 'print the resulting record as JSON');
}

function changesFrom(o: Options, fields: FieldSpec[], mode: 'add' | 'edit') {
  const changes: Record<string, unknown> = {};
  for (const f of fields) {
    const value = o[f.key];
    if ((f.only !== undefined && f.only !== mode) || value === undefined) continue;
    changes[f.key] = f.nullWord !== undefined && value === f.nullWord ? null : value;
  }
  return changes;
}

function registerWrites<R extends { name: string }>(word: Command, spec: ResourceSpec<R>): void {
  addFieldOptions(
    apiCommand(word, 'add <name>', `create a ${spec.noun}`),
    spec.fields,
    'add',
  ).action(
    run(async (name: string, o: Options) => {
      const body = { name, ...changesFrom(o, spec.fields, 'add') };
      const created = await spec.collection(connect(o)).create(body);
      printDone(created, `created: ${spec.noun} ${created.name}`, Boolean(o.json));
    }),
  );
  addFieldOptions(
    apiCommand(word, 'edit <name>', `change a ${spec.noun}`),
    spec.fields,
    'edit',
  ).action(
    run(async (name: string, o: Options) => {
      const changes = changesFrom(o, spec.fields, 'edit');
      if (Object.keys(changes).length === 0)
        usageError('nothing to change: give at least one option');
      const records = spec.collection(connect(o));
      const body = changes;
      const updated = await records.update(name, body);
      printDone(updated, `updated: ${spec.noun} ${updated.name}`, Boolean(o.json));
    }),
  );
  apiCommand(word, 'del <name...>', `delete ${spec.plural} (each reported on its own)`).action(
    run(async (names: string[], o: Options) => {
      const records = spec.collection(connect(o));
      await runEach(names, async (n) => `deleted: ${spec.noun} ${(await records.remove(n)).name}`);
    }),
  );
}

/** `lanctl <word> add|del|list|show|edit` for one name-keyed collection. */
export function registerResource<R extends { name: string }>(
  program: Command,
  spec: ResourceSpec<R>,
): void {
  const word = addWord(program, spec.word, spec.description);
  registerWrites(word, spec);
  apiCommand(word, 'list', `list ${spec.plural}`)
    .option('--json', 'print a JSON array')
    .action(
      run(async (o: Options) => {
        const all = await spec.collection(connect(o)).listAll();
        printList(all, spec.columns, Boolean(o.json), spec.plural);
      }),
    );
  apiCommand(word, 'show <name>', `show one ${spec.noun}`)
    .option('--json', 'print JSON')
    .action(
      run(async (name: string, o: Options) => {
        const record = await spec.collection(connect(o)).get(name);
        const entries = spec.columns.map((c): [string, unknown] => [
          c.header.toLowerCase(),
          c.value(record),
        ]);
        printRecord(record, entries, Boolean(o.json));
      }),
    );
}
