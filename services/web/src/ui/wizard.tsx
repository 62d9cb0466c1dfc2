import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { formErrors } from './form-errors.ts';

/**
 * A wizard's steps: the step shown, going to another one (its heading then takes the focus,
 * even when the same step is drawn again, e.g. a fresh preview), the busy flag around a request
 * and the general error shown above the step.
 */
export function useWizardSteps<Step>(first: Step) {
  const id = useId();
  const [step, setStep] = useState<Step>(first);
  const [shown, setShown] = useState(0);
  const [general, setGeneral] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new step moves the focus to its heading
  useEffect(() => heading.current?.focus(), [shown]);
  const go = (next: Step) => {
    setStep(next);
    setShown((n) => n + 1);
  };
  /** Runs one request with the busy state; by default its failure is shown above the step. */
  async function run(work: () => Promise<void>, onError?: (error: unknown) => void) {
    setBusy(true);
    setGeneral('');
    try {
      await work();
    } catch (e) {
      if (onError) onError(e);
      else setGeneral(formErrors(e, []).general);
    } finally {
      setBusy(false);
    }
  }
  return { id, step, go, busy, general, setGeneral, run, heading };
}

export type WizardSteps<Step> = ReturnType<typeof useWizardSteps<Step>>;

/**
 * The card a wizard is drawn in: "<title> — <step title>" as its heading (focused at each
 * step), the general error as an alert, `aria-busy` while a request runs; with `onEscape`,
 * Escape closes it unless a request is running (a wizard showing secrets once passes none).
 */
export function WizardFrame(props: {
  wizard: Pick<WizardSteps<unknown>, 'id' | 'busy' | 'general' | 'heading'>;
  className: string;
  title: string;
  stepTitle: string;
  onEscape?: () => void;
  children: ReactNode;
}) {
  const { id, busy, general, heading } = props.wizard;
  const { onEscape } = props;
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !busy) onEscape?.();
  };
  return (
    <section
      className={props.className}
      aria-labelledby={`${id}-title`}
      aria-busy={busy}
      onKeyDown={onEscape && onKeyDown}
    >
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
        {props.title} — {props.stepTitle}
      </h2>
      {general && (
        <p className="error" role="alert">
          {general}
        </p>
      )}
      {props.children}
    </section>
  );
}
