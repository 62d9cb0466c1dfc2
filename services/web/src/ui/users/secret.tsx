import { useEffect } from 'react';
import { passwordRuns } from './table.ts';

/** The password with its digits and other non-letters marked, so 0/O and 1/l read apart. */
export function Secret({ value }: { value: string }) {
  return (
    <span className="secret">
      {passwordRuns(value).map((run, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: runs are positional and never reordered
        <span key={i} className={`run-${run.kind}`}>
          {run.text}
        </span>
      ))}
    </span>
  );
}

/** While passwords that exist nowhere else are on the page, a reload or a closed tab asks first. */
export function useWarnBeforeUnload(): void {
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);
}
