import { MACHINE_CSV_COLUMNS, type MachineImportResult, parseMachineCsv } from '@lanctl/model';
import {
  type FormEvent,
  type KeyboardEvent,
  useDeferredValue,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { formErrors } from '../form-errors.ts';
import { FileOrPasteField } from '../users/fields.tsx';
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
  const id = useId();
  const [text, setText] = useState('');
  const [step, setStep] = useState<Step>({ name: 'source' });
  const [shown, setShown] = useState(0);
  const [general, setGeneral] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new step moves the focus to its heading
  useEffect(() => heading.current?.focus(), [shown]);
  // Closed, the keyboard goes back where it was when the wizard opened (its button).
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  useEffect(() => {
    const title = heading.current;
    // Only once the wizard is gone (StrictMode's trial unmount leaves it in place).
    return () => void setTimeout(() => title?.isConnected || opener?.focus());
  }, [opener]);
  const go = (next: Step) => {
    setStep(next);
    setShown((n) => n + 1);
  };

  /** Runs one request with the busy state; its failure is shown above the step. */
  async function run(work: () => Promise<void>) {
    setBusy(true);
    setGeneral('');
    try {
      await work();
    } catch (e) {
      setGeneral(formErrors(e, []).general);
    } finally {
      setBusy(false);
    }
  }
  const preview = (source: ImportSource, leftOut: number) =>
    run(async () => {
      const analysis = await analyse(source, importMachines);
      go({ name: 'preview', source, analysis, leftOut });
    });
  const commit = (source: ImportSource, analysis: Analysis, leftOut: number) =>
    run(async () => {
      try {
        const result = await importMachines(analysis.clean.rows, false);
        go({ name: 'done', result, lines: analysis.clean.lines });
        props.onImported(result.created);
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

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !busy) props.onClose();
  };
  return (
    <section
      className="card machine-import"
      aria-labelledby={`${id}-title`}
      aria-busy={busy}
      onKeyDown={onKeyDown}
    >
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
        Import machines — {TITLES[step.name]}
      </h2>
      {general && (
        <p className="error" role="alert">
          {general}
        </p>
      )}
      {step.name === 'source' && (
        <SourceStep
          form={id}
          text={text}
          busy={busy}
          onText={setText}
          onPreview={(source) => preview(source, 0)}
          onCancel={props.onClose}
        />
      )}
      {step.name === 'preview' && (
        <PreviewStep
          source={step.source}
          analysis={step.analysis}
          leftOut={step.leftOut}
          busy={busy}
          onConfirm={() => commit(step.source, step.analysis, step.leftOut)}
          onOnlyClean={() => {
            const { clean, problems } = step.analysis;
            const bad = new Set(problems.map((p) => p.line)).size;
            preview({ ...clean, unread: [] }, step.leftOut + bad);
          }}
          onBack={() => {
            setGeneral('');
            go({ name: 'source' });
          }}
          onCancel={props.onClose}
        />
      )}
      {step.name === 'done' && (
        <DoneStep result={step.result} lines={step.lines} onClose={props.onClose} />
      )}
    </section>
  );
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
