import { MACHINE_CSV_COLUMNS, type MachineImportResult, parseMachineCsv } from '@lanctl/model';
import {
  type FormEvent,
  type RefObject,
  useDeferredValue,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { FileOrPasteField } from '../users/fields.tsx';
import { useWizardSteps, WizardFrame, type WizardSteps } from '../wizard.tsx';
import {
  type Analysis,
  analyse,
  type ImportSource,
  importErrors,
  plural,
  sourceOf,
} from './import.ts';
import { DoneStep, PreviewStep, UnreadRows } from './import-preview.tsx';
import './import.css';
import { importMachines } from './machine-api.ts';

type Step =
  | { name: 'source' }
  | { name: 'preview'; source: ImportSource; analysis: Analysis; leftOut: number }
  | { name: 'done'; result: MachineImportResult; lines: number[] };

const TITLES = { source: '1. The file', preview: '2. Preview', done: '3. Result' };

/**
 * Import machines from a CSV: the file (chosen or pasted, read by the CLI's own parser) → a dry
 * run of every row with its address or its problems, by file row → the real import, all or
 * nothing, of the rows previewed. The text is kept until the wizard closes.
 */
export function MachineImportWizard(props: {
  onImported: (created: number) => void;
  onClose: () => void;
}) {
  const [text, setText] = useState('');
  const wizard = useWizardSteps<Step>({ name: 'source' });
  useFocusBackOnClose(wizard.heading);
  const act = importActions(wizard, props.onImported);
  const { step, busy } = wizard;
  return (
    <WizardFrame
      wizard={wizard}
      className="card machine-import"
      title="Import machines"
      stepTitle={TITLES[step.name]}
      onEscape={props.onClose}
    >
      {step.name === 'source' && (
        <SourceStep
          form={wizard.id}
          text={text}
          busy={busy}
          onText={setText}
          onPreview={(source) => act.preview(source, 0)}
          onCancel={props.onClose}
        />
      )}
      {step.name === 'preview' && (
        <PreviewStep
          source={step.source}
          analysis={step.analysis}
          leftOut={step.leftOut}
          busy={busy}
          onConfirm={() => act.commit(step)}
          onOnlyClean={() => act.onlyClean(step)}
          onBack={act.back}
          onCancel={props.onClose}
        />
      )}
      {step.name === 'done' && (
        <DoneStep result={step.result} lines={step.lines} onClose={props.onClose} />
      )}
    </WizardFrame>
  );
}

/** Closed, the keyboard goes back where it was when the wizard opened (its button). */
function useFocusBackOnClose(heading: RefObject<HTMLHeadingElement | null>) {
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  useEffect(() => {
    const title = heading.current;
    // Only once the wizard is gone (StrictMode's trial unmount leaves it in place).
    return () => void setTimeout(() => title?.isConnected || opener?.focus());
  }, [opener, heading]);
}

type Previewed = Extract<Step, { name: 'preview' }>;

/** What the steps' buttons do: dry runs, the real import, and going back to the file. */
function importActions(wizard: WizardSteps<Step>, onImported: (created: number) => void) {
  const { run, go, setGeneral } = wizard;
  const preview = (source: ImportSource, leftOut: number) =>
    run(async () => {
      const analysis = await analyse(source, importMachines);
      go({ name: 'preview', source, analysis, leftOut });
    });
  const commit = ({ source, analysis, leftOut }: Previewed) =>
    run(async () => {
      try {
        const result = await importMachines(analysis.clean.rows, false);
        go({ name: 'done', result, lines: analysis.clean.lines });
        onImported(result.created);
      } catch (e) {
        if (!importErrors(e)) throw e;
        // mdb changed since the dry run: nothing was written; show the fresh preview.
        const fresh = await analyse(source, importMachines);
        go({ name: 'preview', source, analysis: fresh, leftOut });
        setGeneral(
          'Nothing was written: the machines changed since the preview. Here it is again.',
        );
      }
    });
  /** Previews again the rows without problems alone, counting the rows left out. */
  const onlyClean = ({ analysis, leftOut }: Previewed) => {
    const bad = new Set(analysis.problems.map((p) => p.line)).size;
    return preview({ ...analysis.clean, unread: [] }, leftOut + bad);
  };
  const back = () => {
    setGeneral('');
    go({ name: 'source' });
  };
  return { preview, commit, onlyClean, back };
}

const COLUMNS_HINT = `A header row, then one machine a row. Columns (any order): ${MACHINE_CSV_COLUMNS.join(', ')}; hostname and mac are required, aliases are space-separated, an empty ip takes the next free address of the type's pool. Rows are counted below the header (row 1 is the first machine), as \`lanctl machine import\` counts them.`;

function SourceStep(props: {
  form: string;
  text: string;
  busy: boolean;
  onText: (text: string) => void;
  onPreview: (source: ImportSource) => void;
  onCancel: () => void;
}) {
  const { form, text } = props;
  // Pasting thousands of rows stays responsive: the check catches up when React has time.
  const checked = useDeferredValue(text);
  const csv = useMemo(() => parseMachineCsv(checked), [checked]);
  const fileError = checked.trim() ? csv.errors.find((e) => e.row === 0)?.message : undefined;
  function submit(event: FormEvent) {
    event.preventDefault();
    const source = sourceOf(parseMachineCsv(text));
    if (source) props.onPreview(source);
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Machines file">
      <FileOrPasteField
        form={form}
        fileLabel="CSV file"
        accept=".csv,.txt,text/csv"
        rows={10}
        value={text}
        error={fileError}
        hint={COLUMNS_HINT}
        onText={(t) => props.onText(t)}
      />
      {!fileError && checked.trim() && (
        <p className="summary" role="status">
          {csv.rows.length} machine{csv.rows.length === 1 ? '' : 's'} read
          {csv.errors.length > 0 ? `, ${plural(csv.errors.length, 'problem')} in the file:` : '.'}
        </p>
      )}
      {!fileError && <UnreadRows errors={csv.errors} />}
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={props.busy || !text.trim() || Boolean(fileError)}
        >
          {props.busy ? 'Checking…' : 'Preview (nothing is written)'}
        </button>
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
