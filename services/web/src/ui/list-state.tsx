import type { ReactNode } from 'react';

/**
 * What a list view draws under its toolbar: the load error (an alert), the loading line until
 * the first answer (none while there is an error), then the content once the data is there.
 */
export function ListState<T>(props: {
  error: string;
  /** null until the first load answers. */
  data: T | null;
  /** The loading line, e.g. `<p>Loading machines…</p>`. */
  loading: ReactNode;
  /** Drawn between the error and the loading line or content (the catalog's add form). */
  above?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { error, data } = props;
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {props.above}
      {data === null && !error && props.loading}
      {data !== null && props.children(data)}
    </>
  );
}
