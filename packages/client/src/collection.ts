import type { Page } from '@lanctl/model';
import type { QueryValue, Transport } from './http.ts';

/** What a caller may send: a schema's input side (defaults optional, MACs in any spelling). */
export type SchemaInput<S extends { _zod: { input: unknown } }> = S['_zod']['input'];

/** Paging parameters every list endpoint takes (`limit` at most 5000). */
export interface ListQuery {
  limit?: number;
  after?: string;
}

/**
 * CRUD on one `/api/v1/<path>` collection keyed by name (hostname for machines, login for users).
 * `N` is what a create answers when it says more than the record (a generated password).
 */
export interface Collection<R, C, U, Q extends ListQuery = ListQuery, N = R> {
  /** One page; pass `next` back as `after` for the following one. */
  list(query?: Q): Promise<Page<R>>;
  /** Every item, following `next` page after page; `onPage` sees each page as it arrives. */
  listAll(query?: Omit<Q, 'after'>, onPage?: (page: Page<R>) => void): Promise<R[]>;
  get(key: string): Promise<R>;
  create(input: C): Promise<N>;
  update(key: string, patch: U): Promise<R>;
  /** Deletes and returns the record as it was. */
  remove(key: string): Promise<R>;
}

/** Big enough to need few round trips, small enough to keep each answer quick. */
const LIST_ALL_PAGE = 1000;

export function collection<R, C, U, Q extends ListQuery = ListQuery, N = R>(
  call: Transport,
  path: string,
): Collection<R, C, U, Q, N> {
  const item = (key: string) => `${path}/${encodeURIComponent(key)}`;
  const list = (query?: Q) =>
    call<Page<R>>('GET', path, { query: query as Record<string, QueryValue> | undefined });
  return {
    list,
    async listAll(query, onPage) {
      const items: R[] = [];
      let after: string | undefined;
      do {
        const page = await list({ limit: LIST_ALL_PAGE, ...query, after } as Q);
        onPage?.(page);
        items.push(...page.items);
        // A cursor that does not move would loop forever; better to fail loudly.
        if (page.next !== null && page.next === after) {
          throw new Error(`${path}: the server returned the same page cursor twice ("${after}")`);
        }
        after = page.next ?? undefined;
      } while (after !== undefined);
      return items;
    },
    get: (key) => call<R>('GET', item(key)),
    create: (input) => call<N>('POST', path, { body: input }),
    update: (key, patch) => call<R>('PATCH', item(key), { body: patch }),
    remove: (key) => call<R>('DELETE', item(key)),
  };
}
