import { GROUPS, type Group, type SheetEntry } from '@lanctl/model';
import { type FormEvent, useState } from 'react';
import { formErrors } from '../form-errors.ts';
import { useWizardSteps, WizardFrame } from '../wizard.tsx';
import {
  type ImportFormat,
  type ImportMode,
  type ImportRequest,
  type ImportResponse,
  importUsers,
} from './api.ts';
import { FileOrPasteField, SelectField } from './fields.tsx';
import { ImportResults } from './import-results.tsx';
import { useWarnBeforeUnload } from './secret.tsx';
import { formatOfFile, sheetEntriesOf, summaryText } from './table.ts';

const FIELDS = ['data', 'format', 'group', 'mode'];
const MODES: Record<ImportMode, string> = {
  create: 'create: an existing login is an error',
  update: 'update: change existing users',
  ignore: 'ignore: skip existing users',
};

type Step = { name: 'source' } | { name: 'preview' | 'done'; answer: ImportResponse };
type Source = Omit<ImportRequest, 'dry_run'>;

const NEW_SOURCE: Source = { format: 'csv', data: '', group: 'user', mode: 'create' };
const TITLES = { source: '1. The file', preview: '2. Preview', done: '3. Result' };

/**
 * Import users: a file or pasted text → udb's dry run (derived logins, conflicts, per-row
 * errors) → confirm → the result with the new passwords, shown once, and their sheets.
 * Escape does not close it: the result shows the only copy of the new passwords.
 */
export function ImportWizard(props: {
  /** Called after a real import. */
  onImported: () => void;
  onPrint: (entries: SheetEntry[]) => void;
  onClose: () => void;
}) {
  const [request, setRequest] = useState<Source>(NEW_SOURCE);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const wizard = useWizardSteps<Step>({ name: 'source' });
  const { step, busy, go } = wizard;
  /** A dry run (the preview) or the real import; an error goes back to the file, under its field. */
  const send = (dryRun: boolean) =>
    wizard.run(
      async () => {
        setErrors({});
        const answer = await importUsers({ ...request, dry_run: dryRun });
        go({ name: dryRun ? 'preview' : 'done', answer });
        if (!dryRun) props.onImported();
      },
      (e) => {
        const found = formErrors(e, FIELDS);
        setErrors(found.byField);
        wizard.setGeneral(found.general);
        if (step.name !== 'source') go({ name: 'source' });
      },
    );
  return (
    <WizardFrame
      wizard={wizard}
      className="card import"
      title="Import users"
      stepTitle={TITLES[step.name]}
    >
      {step.name === 'source' && (
        <SourceStep
          form={wizard.id}
          request={request}
          errors={errors}
          busy={busy}
          onChange={(patch) => setRequest((r) => ({ ...r, ...patch }))}
          onPreview={() => send(true)}
          onCancel={props.onClose}
        />
      )}
      {step.name === 'preview' && (
        <PreviewStep
          answer={step.answer}
          busy={busy}
          onBack={() => go({ name: 'source' })}
          onConfirm={() => send(false)}
        />
      )}
      {step.name === 'done' && (
        <DoneStep answer={step.answer} onPrint={props.onPrint} onClose={props.onClose} />
      )}
    </WizardFrame>
  );
}

function SourceStep(props: {
  form: string;
  request: Source;
  errors: Record<string, string>;
  busy: boolean;
  onChange: (patch: Partial<Source>) => void;
  onPreview: () => void;
  onCancel: () => void;
}) {
  const { form, request, errors, onChange } = props;
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onPreview();
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Import file">
      <FileOrPasteField
        form={form}
        fileLabel="File (CSV, TSV or JSON)"
        accept=".csv,.tsv,.txt,.json,text/csv,text/tab-separated-values,application/json"
        rows={8}
        value={request.data}
        error={errors.data}
        hint="A header row such as firstname,lastname[,login,password,group]; without a login, one is derived from the names."
        onText={(data, fileName) =>
          onChange(fileName ? { data, format: formatOfFile(fileName) } : { data })
        }
      />
      <ImportOptions form={form} request={request} errors={errors} onChange={onChange} />
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy || !request.data.trim()}>
          {props.busy ? 'Checking…' : 'Preview (nothing is written)'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** How the rows are read and what they do: the format, the default group, existing logins. */
function ImportOptions(props: {
  form: string;
  request: Source;
  errors: Record<string, string>;
  onChange: (patch: Partial<Source>) => void;
}) {
  const { form, request, errors, onChange } = props;
  const field = (name: 'format' | 'group' | 'mode', label: string) => ({
    form,
    name,
    label,
    value: request[name],
    error: errors[name],
  });
  return (
    <div className="fields">
      <SelectField
        {...field('format', 'Format')}
        options={['csv', 'tsv', 'json']}
        onChange={(v) => onChange({ format: v as ImportFormat })}
      />
      <SelectField
        {...field('group', 'Group of rows that name none')}
        options={GROUPS}
        onChange={(v) => onChange({ group: v as Group })}
      />
      <SelectField
        {...field('mode', 'Existing logins')}
        options={Object.keys(MODES)}
        hint={MODES[request.mode]}
        onChange={(v) => onChange({ mode: v as ImportMode })}
      />
    </div>
  );
}

function PreviewStep(props: {
  answer: ImportResponse;
  busy: boolean;
  onBack: () => void;
  onConfirm: () => void;
}) {
  const { summary } = props.answer;
  const writes = (summary.would_create ?? 0) + (summary.would_update ?? 0);
  return (
    <>
      <p className="summary" role="status">
        Dry run, nothing written yet: {summaryText(summary, true)}.
      </p>
      <ImportResults results={props.answer.results} caption="What the import would do" />
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={props.onConfirm}
          disabled={props.busy || writes === 0}
        >
          {props.busy ? 'Importing…' : `Import ${writes} user${writes === 1 ? '' : 's'}`}
        </button>
        <button type="button" onClick={props.onBack} disabled={props.busy}>
          Back to the file
        </button>
      </div>
      {summary.error ? (
        <p className="hint">Rows with errors are left out; fix the file and preview again.</p>
      ) : null}
    </>
  );
}

function DoneStep(props: {
  answer: ImportResponse;
  onPrint: (entries: SheetEntry[]) => void;
  onClose: () => void;
}) {
  const entries = sheetEntriesOf(props.answer.results);
  useWarnBeforeUnload();
  return (
    <>
      <p className="summary" role="status">
        Imported: {summaryText(props.answer.summary, false)}.
      </p>
      {entries.length > 0 && (
        <p className="notice">
          {entries.length} new password{entries.length === 1 ? ' is' : 's are'} shown below this
          once and <strong>not stored</strong> anywhere: print the sheets now.
        </p>
      )}
      <ImportResults results={props.answer.results} caption="Import result" />
      <div className="actions">
        {entries.length > 0 && (
          <button type="button" className="primary" onClick={() => props.onPrint(entries)}>
            Print sheets
          </button>
        )}
        <button type="button" onClick={props.onClose}>
          Done
        </button>
      </div>
    </>
  );
}
