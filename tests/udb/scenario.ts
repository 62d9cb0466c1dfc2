/**
 * The contest-morning scenario, shared by tests/udb/import-login.test.ts and `pnpm bench:udb`:
 * an organizer imports N people from a names-only CSV, prints the password sheet (SADM's TSV)
 * from the import's answer, and then every one of them logs in with the password on the sheet.
 */
import { performance } from 'node:perf_hooks';
import { Client, type LoadResult, round, runLoad } from '../../scripts/bench/http.ts';

export interface Person {
  firstname: string;
  lastname: string;
}

// biome-ignore format: a table of names
const FIRST = [
  'Alice', 'Bastien', 'Camille', 'Dorian', 'Élodie', 'François', 'Gaëlle', 'Hugo', 'Inès',
  'Jean-Pierre', 'Karim', 'Léa', 'Mathis', 'Noémie', 'Olivier', 'Pauline', 'Quentin', 'Rose',
  'Samuel', 'Théo', 'Ulysse', 'Valérie', 'William', 'Xavier', 'Yasmine', 'Zoé', 'Anne-Sophie',
  'Benoît', 'Chloé', 'Damien', 'Emma', 'Fatou', 'Gabriel', 'Héloïse', 'Ibrahim', 'Jules',
  'Katia', 'Lucas', 'Manon', 'Nathan',
];
// biome-ignore format: a table of names
const LAST = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy',
  'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux',
  'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier', 'Dupont', 'Lambert', 'Bonnet',
  'François', 'Martinez', 'Legrand', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin',
  'Müller', 'Henry', 'Roussel', 'Nicolas', 'De La Tour',
];

/**
 * `count` distinct people (up to 1,600), always the same ones. Many share an initial and a last
 * name, so the import has to number their logins (`amartin`, `amartin1`…), as at a real contest.
 */
export function generatedPeople(count: number): Person[] {
  if (count > FIRST.length * LAST.length) throw new Error(`at most ${FIRST.length * LAST.length}`);
  // 7 is coprime with 1,600: the stride visits every (first, last) pair once.
  return Array.from({ length: count }, (_, i) => {
    const k = (i * 7) % (FIRST.length * LAST.length);
    return { firstname: FIRST[k % FIRST.length]!, lastname: LAST[Math.floor(k / FIRST.length)]! };
  });
}

/** A names-only CSV (no logins, no passwords): udb derives the logins and makes the passwords. */
export const namesCsv = (people: readonly Person[]) =>
  ['firstname,lastname', ...people.map((p) => `${p.firstname},${p.lastname}`)].join('\n');

/** SADM `pwdsheetdata`'s TSV (`First Last<TAB>login<TAB>password`) → login → password. */
export function sheetPasswords(tsv: string): Map<string, string> {
  const passwords = new Map<string, string>();
  for (const line of tsv.split('\n')) {
    if (!line) continue;
    const [, login, password] = line.split('\t');
    if (login === undefined || password === undefined) throw new Error(`bad sheet line: ${line}`);
    passwords.set(login, password);
  }
  return passwords;
}

export interface ScenarioResult {
  people: number;
  import: { ms: number; summary: Record<string, number> };
  sheet: { ms: number; bytes: number; entries: number };
  logins: LoadResult & { succeeded: number; failures: string[] };
  /** The sheet, for callers that check what else the passwords reached. */
  passwords: Map<string, string>;
}

interface ImportRow {
  row: number;
  login: string;
  status: string;
  password?: string;
}

/** Runs the scenario against udb at `url` with a token allowed to import; throws on a bad answer. */
export async function importThenLogin(
  url: string,
  token: string,
  options: { people: number; concurrency: number },
): Promise<ScenarioResult> {
  const people = generatedPeople(options.people);
  // The login route ignores the bearer token this client sends: people log in anonymously.
  const client = new Client(url, token, options.concurrency);
  try {
    let t0 = performance.now();
    const imported = await client.expect(200, 'POST', '/api/v1/users/import', {
      format: 'csv',
      data: namesCsv(people),
    });
    const importMs = performance.now() - t0;
    const rows = imported.results as ImportRow[];
    const entries = rows
      .filter((r) => r.status === 'created' && r.password)
      .map((r) => ({ login: r.login, ...people[r.row - 1]!, password: r.password! }));
    t0 = performance.now();
    const sheet = await fetch(`${url}/api/v1/users/sheets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ entries, format: 'tsv' }),
    });
    const tsv = await sheet.text();
    const sheetMs = performance.now() - t0;
    if (sheet.status !== 200) throw new Error(`POST /users/sheets: ${sheet.status} ${tsv}`);
    const passwords = sheetPasswords(tsv);
    const logins = [...passwords];
    const failures: string[] = [];
    const load = await runLoad(logins.length, options.concurrency, async (i) => {
      const [login, password] = logins[i]!;
      const reply = await client.call('POST', '/api/v1/auth/login', { login, password });
      if (reply.status !== 200 || reply.body?.user?.login !== login || !reply.body?.token) {
        failures.push(`${login}: ${reply.status} ${JSON.stringify(reply.body)}`);
      }
    });
    return {
      people: people.length,
      import: { ms: round(importMs, 1), summary: imported.summary },
      sheet: { ms: round(sheetMs, 1), bytes: Buffer.byteLength(tsv), entries: entries.length },
      logins: { ...load, succeeded: logins.length - failures.length, failures },
      passwords,
    };
  } finally {
    client.close();
  }
}
