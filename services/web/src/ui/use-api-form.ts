import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { formErrors } from './form-errors.ts';

/**
 * What every form that saves through the API shares: a busy flag, Escape to cancel, and the
 * API's errors put under their fields (`errors`) or above the form (`general`), the first one
 * focused once the messages are drawn. `fold` rewrites list-item errors first (foldListErrors).
 */
export function useApiForm(options: {
  id: string;
  fields: readonly string[];
  onCancel: () => void;
  fold?: (error: unknown) => unknown;
}) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState('');
  const [busy, setBusy] = useState(false);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !busy) options.onCancel();
  };
  /** An `onSubmit` handler running `save`; what was typed stays in the fields on an error. */
  const submit = (save: () => Promise<void>) => async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setGeneral('');
    try {
      await save();
    } catch (e) {
      const found = formErrors(options.fold ? options.fold(e) : e, options.fields);
      setErrors(found.byField);
      setGeneral(found.general);
      // After the re-render that shows the messages: the first field in error, or the message.
      setTimeout(() =>
        document.getElementById(`${options.id}-${found.first ?? 'general'}`)?.focus(),
      );
    } finally {
      setBusy(false);
    }
  };
  return { errors, general, busy, onKeyDown, submit };
}
