/**
 * udb never keeps, logs or returns a clear password, except once in the answer that made it
 * (creation with a generated password, reset, import) and in the sheet it is asked to print.
 * Every way a password gets in (the API, an import, SADM's `/update`) is exercised with known
 * passwords, every way users get out is read (API, SADM `/call/query*` and `/poll`, the SSE
 * stream, /metrics, /healthz); then the database (every byte
 * of SQLite's files, every row of every table), every log line and every response are searched.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { generateTimeauthToken } from '@lanctl/auth';
import { ENGINES, freshDatabaseUrl, type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningUdb, startUdbIn } from './server.ts';

interface Reply {
  what: string;
  status: number;
  /** Status line, headers and body, as a client (or a proxy log) would see them. */
  text: string;
  body: any;
  /** The clear passwords this answer legitimately carries. */
  allowed: Set<string>;
  /** Set on an answer that leaks for a reason outside udb, checked apart (see the test). */
  knownIssue?: string;
  /** An answer for subscribers granted the hashes (`$6$`), never clear passwords. */
  hashes?: boolean;
}

/** One udb with everything that passed through it. */
class Subject {
  readonly known = new Set<string>();
  readonly replies: Reply[] = [];
  readonly logs: string[] = [];
  udb!: RunningUdb;

  /** A known password that may appear nowhere (unless an answer is allowed to carry it). */
  secret<T extends string | undefined>(password: T): T {
    if (password !== undefined) this.known.add(password);
    return password;
  }

  /** A JSON request, or `raw` as it is (with its content type). */
  async call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    raw?: { type: string; body: string },
  ) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = raw.type;
    const res = await fetch(`${this.udb.url}${path}`, {
      method,
      headers,
      body: raw?.body ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json') && text;
    const reply: Reply = {
      what: `${method} ${path}`,
      status: res.status,
      text: `${res.status}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`,
      body: json ? JSON.parse(text) : text,
      allowed: new Set(),
    };
    this.replies.push(reply);
    return reply;
  }

  /** The start of an endless stream, up to `until`, recorded as `call` does. */
  async stream(
    path: string,
    headers: Record<string, string>,
    until: RegExp,
    hashes: boolean,
  ): Promise<Reply> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    const res = await fetch(`${this.udb.url}${path}`, { headers, signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      while (!until.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    const what = `GET ${path.split('?')[0]} (stream)`;
    const reply = { what, status: res.status, text, body: text, allowed: new Set<string>() };
    this.replies.push({ ...reply, hashes });
    return reply;
  }

  /** An answer that shows a password once: it becomes known, and allowed in this answer only. */
  shown(reply: Reply, password: string): string {
    expect(password, reply.what).toMatch(/^[A-Za-z0-9]{6,}$/);
    reply.allowed.add(this.secret(password));
    return password;
  }
}

const login = (s: Subject, name: string, password: string) =>
  s.call('POST', '/api/v1/auth/login', { login: name, password });

/** Creation with a given and a generated password, a reset, and a password set by a manager. */
async function createAndReset(s: Subject, root: string): Promise<Record<string, string>> {
  const person = (name: string) => ({ login: name, firstname: 'First', lastname: 'Last' });
  const given = s.secret('Given-pass 1 é');
  const explicit = await s.call(
    'POST',
    '/api/v1/users',
    { ...person('given'), password: given },
    root,
  );
  expect(explicit.status).toBe(201);
  const generated = await s.call('POST', '/api/v1/users', person('generated'), root);
  expect(generated.status).toBe(201);
  s.shown(generated, generated.body.password);
  const reset = await s.call('POST', '/api/v1/users/generated/password', {}, root);
  const newGenerated = s.shown(reset, reset.body.password);
  const managerSet = s.secret('Manager-set-2');
  const set = await s.call('POST', '/api/v1/users/given/password', { password: managerSet }, root);
  expect(set.body).toEqual({ login: 'given' });
  return { given: managerSet, generated: newGenerated };
}

/** Imports in every format with passwords in the file, generated ones, a dry run, a re-import. */
async function importAll(s: Subject, root: string): Promise<Record<string, string>> {
  const fromCsv = s.secret('Csv-file-3');
  const fromJson = s.secret('Json-file-4');
  const fromLine = s.secret('Line-file-5');
  // biome-ignore format: one import a line
  const imports = [
    { format: 'csv', data: `firstname,lastname,login,password\nAda,Lovelace,ada,${fromCsv}\nAlan,Turing,,` },
    { format: 'json', data: JSON.stringify([{ username: 'json', first_name: 'J', last_name: 'S', password: fromJson }]) },
    { format: 'tsv', data: `line:${fromLine}` },
    { format: 'tsv', data: 'firstname\tlastname\nAlan\tTuring', mode: 'update', reset_passwords: true },
    { format: 'csv', data: `login,password\ndry,${s.secret('Dry-run-6')}`, dry_run: true },
  ];
  const current: Record<string, string> = { ada: fromCsv, json: fromJson, line: fromLine };
  for (const request of imports) {
    const reply = await s.call('POST', '/api/v1/users/import', request, root);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.summary.error, reply.text).toBe(0);
    for (const row of reply.body.results) {
      if (row.password) current[row.login] = s.shown(reply, row.password);
    }
  }
  expect(Object.keys(current).sort()).toEqual(['ada', 'aturing', 'json', 'line']);
  return current;
}

/** Logins that succeed and fail, a contestant changing their own password, refused inputs. */
async function loginAndChange(
  s: Subject,
  root: string,
  passwords: Record<string, string>,
): Promise<void> {
  for (const [name, password] of Object.entries(passwords)) {
    expect((await login(s, name, password)).status, name).toBe(200);
  }
  expect((await login(s, 'given', 'Given-pass 1 é')).status).toBe(401);
  expect((await login(s, 'ada', s.secret('Wrong-guess-7'))).status).toBe(401);
  expect((await login(s, 'ghost', s.secret('Ghost-guess-8'))).status).toBe(401);
  const session = (await login(s, 'ada', passwords.ada!)).body.token;
  const own = s.secret('Own-new-9');
  const wrong = { current_password: s.secret('Bad-current-10'), password: s.secret('Not-set-11') };
  expect((await s.call('POST', '/api/v1/users/ada/password', wrong, session)).status).toBe(403);
  const change = { current_password: passwords.ada, password: own };
  expect((await s.call('POST', '/api/v1/users/ada/password', change, session)).status).toBe(200);
  expect((await login(s, 'ada', own)).status).toBe(200);
  // biome-ignore format: one request a line
  const refused = [
    ['/api/v1/users', { login: 'nl', firstname: 'N', lastname: 'L', password: s.secret('New\nline-12') }, root],
    ['/api/v1/users/ada/password', { password: s.secret(`Too-long-13${'x'.repeat(300)}`) }, session],
    ['/api/v1/auth/login', { login: 'ada', password: s.secret(`Too-long-14${'y'.repeat(300)}`) }, undefined],
    ['/api/v1/auth/login', { login: 'ada', password: own, extra: s.secret('Unknown-field-15') }, undefined],
  ] as const;
  for (const [path, body, token] of refused) {
    const reply = await s.call('POST', path, body, token);
    expect(reply.status, reply.text).toBe(400);
  }
}

/** The sheet echoes what it is sent; then every read an operator or a scraper makes. */
async function readEverything(s: Subject, root: string): Promise<void> {
  // Letters only: the HTML sheet marks digits and signs with spans, which would split the match.
  const printed = s.secret('SheetOnlyPassword');
  const entries = [{ login: 'ada', firstname: 'Ada', lastname: 'Lovelace', password: printed }];
  for (const format of ['html', 'tsv']) {
    const sheet = await s.call('POST', '/api/v1/users/sheets', { entries, format }, root);
    expect(sheet.text).toContain(printed);
    sheet.allowed.add(printed);
  }
  const list = await s.call('GET', '/api/v1/users?limit=1000', undefined, root);
  expect(list.body.items.length).toBeGreaterThanOrEqual(7);
  for (const user of list.body.items) {
    expect((await s.call('GET', `/api/v1/users/${user.login}`, undefined, root)).status).toBe(200);
  }
  for (const q of ['ada', 'Lovelace', 'Csv-file-3']) {
    await s.call('GET', `/api/v1/users?q=${encodeURIComponent(q)}`, undefined, root);
  }
  expect((await s.call('GET', '/metrics')).text).toContain('lanctl_udb_http_requests_total');
  expect((await s.call('GET', '/healthz')).status).toBe(200);
  await s.call('POST', '/api/v1/auth/logout');
  // A client that forgot to quote the password: V8's JSON.parse message, which
  // packages/core/src/body.ts puts in the 400, quotes ~10 characters of the body around the error.
  const body = `{"login":"ada","password":${s.secret('Unquoted9')}}`;
  const raw = { type: 'application/json', body };
  const malformed = await s.call('POST', '/api/v1/auth/login', undefined, undefined, raw);
  expect(malformed.status).toBe(400);
  malformed.knownIssue = 'core/body.ts echoes a JSON.parse snippet';
}

const SECRETS = { shared: 'sadm-shared-secret', sub: 'sadm-sub-secret', pub: 'sadm-pub-secret' };

/** udb.yml's `sadm` section, with SADM's three secrets in files of their own. */
function sadmConfig(dir: string) {
  const file = (name: keyof typeof SECRETS) => {
    const path = join(dir, `sadm-${name}`);
    writeFileSync(path, `${SECRETS[name]}\n`);
    return path;
  };
  return {
    shared_secret_file: file('shared'),
    sub_secret_file: file('sub'),
    pub_secret_file: file('pub'),
  };
}

/** SADM's ways in and out: /update with clear passwords, /call/query*, /poll, the SSE stream. */
async function sadmPaths(s: Subject, root: string): Promise<void> {
  const publish = (items: unknown[]) => {
    const data = JSON.stringify(items);
    const hmac = generateTimeauthToken(SECRETS.pub, data);
    return s.call('POST', '/update', undefined, undefined, {
      type: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ data, hmac }).toString(),
    });
  };
  const person = { login: 'sadmpub', firstname: 'S', lastname: 'Pub' };
  const published = s.secret('Sadm-update-17');
  const ok = await publish([{ type: 'update', data: { ...person, password: published } }]);
  expect(ok.status, ok.text).toBe(200);
  expect((await login(s, 'sadmpub', published)).status).toBe(200);
  const bad = [{ type: 'update', data: { ...person, password: s.secret('Bad\nsadm-18') } }];
  expect((await publish(bad)).status).toBe(422);
  expect((await s.call('GET', '/call/query')).status).toBe(200);
  const hmac = generateTimeauthToken(SECRETS.shared, 'query_private');
  const query = await s.call('POST', '/call/query_private', { hmac });
  expect(query.text).toContain('$6$');
  query.hashes = true;
  const sub = encodeURIComponent(generateTimeauthToken(SECRETS.sub, null));
  const poll = await s.stream(`/poll?data=%7B%7D&hmac=${sub}`, {}, /"login": ?"sadmpub"/, true);
  expect(poll.text).toMatch(/"login": ?"ada"/);
  // A root token reads users, but the hashes only go to tokens granted `users:hashes`.
  const auth = { authorization: `Bearer ${root}` };
  const sse = await s.stream('/api/v1/sync/users', auth, /"login": ?"sadmpub"/, false);
  expect(sse.status, sse.text).toBe(200);
}

/** Every row of every table of udb's database, as text. */
async function dumpTables(udb: RunningUdb): Promise<Map<string, string>> {
  const { db } = udb.service.database;
  const names = await db.introspection.getTables({ withInternalKyselyTables: true });
  const dumps = new Map<string, string>();
  for (const { name } of names) {
    const rows = await db
      .selectFrom(name as 'users')
      .selectAll()
      .execute();
    dumps.set(name, JSON.stringify(rows));
  }
  return dumps;
}

describe.each(ENGINES)('udb on %s never keeps, logs or returns a clear password', (engine) => {
  const s = new Subject();
  let dir: TempDir;
  let database: { url: string; cleanup(): Promise<void> };
  let running = false;
  beforeAll(async () => {
    dir = await tempDir('lanctl-udb-secrets-');
    database = await freshDatabaseUrl(engine);
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => s.logs.push(chunk.toString('utf8')));
    s.udb = await startUdbIn(dir.path, database.url, {
      logStream,
      config: { sadm: sadmConfig(dir.path) },
    });
    running = true;
    s.secret(s.udb.adminPassword);
    const admin = await login(s, 'admin', s.udb.adminPassword);
    expect(admin.status).toBe(200);
    const passwords = {
      ...(await createAndReset(s, admin.body.token)),
      ...(await importAll(s, s.udb.rootToken)),
    };
    await loginAndChange(s, s.udb.rootToken, passwords);
    await sadmPaths(s, s.udb.rootToken);
    await readEverything(s, s.udb.rootToken);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the last log lines
  }, 120_000);
  afterAll(async () => {
    if (running) await s.udb.stop();
    await database?.cleanup();
    await dir?.cleanup();
  });

  const leaks = (text: string, allowed: ReadonlySet<string> = new Set()) =>
    [...s.known].filter((password) => !allowed.has(password) && text.includes(password));

  it('answers with a password only where it was just made, and never with a hash', () => {
    expect(s.replies.length).toBeGreaterThan(40);
    expect(s.known.size).toBeGreaterThan(20);
    for (const reply of s.replies.filter((r) => !r.knownIssue)) {
      expect(leaks(reply.text, reply.allowed), reply.what).toEqual([]);
      if (!reply.hashes) expect(reply.text, reply.what).not.toContain('$6$');
    }
    // Not blind: the answers for hash subscribers do carry the hashes.
    expect(s.replies.filter((r) => r.hashes && r.text.includes('$6$')).length).toBe(2);
  });

  // packages/core/src/body.ts once answered a malformed JSON body with V8's parse message, which
  // quotes the body around the error.
  it('does not echo a password from a malformed JSON body', () => {
    const echoed = s.replies.filter((r) => r.knownIssue);
    expect(echoed).toHaveLength(1);
    for (const reply of echoed) expect(leaks(reply.text), reply.what).toEqual([]);
  });

  it('logs no password', () => {
    const lines = s.logs.join('').split('\n').filter(Boolean);
    // Not blind: the access log and the first-start line were captured.
    const logins = lines.filter((l) => l.includes('"path":"/api/v1/auth/login"'));
    expect(logins.length).toBeGreaterThan(10);
    expect(lines.some((l) => l.includes('created the initial root account'))).toBe(true);
    for (const line of lines) expect(leaks(line), line).toEqual([]);
  });

  it('logs every change with the password hash ($6$), never a password field', async () => {
    const rows: { record: string }[] = JSON.parse((await dumpTables(s.udb)).get('change_log')!);
    expect(rows.length).toBeGreaterThan(8);
    for (const row of rows) {
      const record = JSON.parse(row.record);
      expect(record.password_hash).toMatch(/^\$6\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/);
      expect(Object.keys(record)).not.toContain('password');
    }
  });

  // Last: on SQLite it stops udb, to search the files again after the checkpoint at close.
  it('stores no password: not in any table, and (SQLite) not in any byte of its files', async () => {
    const dumps = await dumpTables(s.udb);
    expect([...dumps.keys()]).toEqual(expect.arrayContaining(['users', 'change_log']));
    for (const [table, dump] of dumps) expect(leaks(dump), table).toEqual([]);
    if (engine !== 'sqlite') return;
    expect(readFileSync(database.url).length).toBeGreaterThan(0);
    searchFiles(database.url, s.known); // while udb runs: the recent pages are in the WAL
    await s.udb.stop();
    running = false;
    searchFiles(database.url, s.known); // after the checkpoint at close
  });
});

/** Every byte of a SQLite database's files (-wal and -shm are gone after a clean close). */
function searchFiles(url: string, known: ReadonlySet<string>): void {
  for (const file of [url, `${url}-wal`, `${url}-shm`]) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    for (const password of known) {
      expect(bytes.includes(Buffer.from(password)), `${file}: ${password}`).toBe(false);
    }
  }
}
