/**
 * STYLE rule 18: the conventions of STYLE.md, checked on the whole tree.
 * Naming (rule 11), the service shape (rules 7, 9, 10), no service-to-service imports (rule 12),
 * file size (rule 19), metric names, and the service READMEs.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_LINES = 400;
const MAX_MAIN_LINES = 60;
const README_SECTIONS = ['Roles', 'Config', 'Ports & wire', 'Metrics', 'Failure modes'];

const folders = (parent: string) =>
  readdirSync(join(ROOT, parent), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();

const SERVICES = folders('services');
const PACKAGES = folders('packages');
/**
 * Services that are built files, not daemons: no port, config, metrics, main or `lanctl serve`
 * word. `web` is the UI, served by `lanctl start`'s origin or by nginx from its dist.
 */
const STATIC_SERVICES = ['web'];
const DAEMONS = SERVICES.filter((name) => !STATIC_SERVICES.includes(name));

/** Every `.ts` and `.tsx` file under `dir` (relative to the root), node_modules excluded. */
function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.tsx?$/.test(d.name))
    .map((d) => relative(ROOT, join(d.parentPath, d.name)))
    .filter((f) => !f.split('/').includes('node_modules'))
    .sort();
}

const isTest = (file: string) => /\.test\.tsx?$/.test(file);
/** Test-only code: `*.test.ts` and `src/testing/` helpers. */
const isTestOnly = (file: string) => isTest(file) || file.split('/').includes('testing');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

const serviceSources = (name: string) =>
  tsFiles(`services/${name}/src`).filter((f) => !isTestOnly(f));

describe.each([
  ...SERVICES.map((name) => ['services', name] as const),
  ...PACKAGES.map((name) => ['packages', name] as const),
])('%s/%s: package naming (rule 11, 12)', (parent, name) => {
  const pkg = JSON.parse(read(`${parent}/${name}/package.json`)) as {
    name?: string;
    exports?: Record<string, string>;
  };

  // A protocol package shares its folder name with the daemon that speaks it (packages/dhcp is
  // the wire format, services/dhcp the server): the daemon keeps the name, the codec is `-wire`.
  const expected =
    parent === 'packages' && SERVICES.includes(name) ? `@lanctl/${name}-wire` : `@lanctl/${name}`;
  it(`is named ${expected}`, () => {
    expect(pkg.name).toBe(expected);
  });

  it('exports "." as ./src/index.ts', () => {
    expect(pkg.exports?.['.']).toBe('./src/index.ts');
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'lanctl-conventions-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(DAEMONS)('services/%s: shape (rules 7, 9, 10, 11, 18)', (name) => {
  const src = `services/${name}/src`;

  it('has src/index.ts exporting create', () => {
    const text = read(`${src}/index.ts`);
    expect(text).toMatch(
      /export\s+(async\s+)?function\s+create\s*[(<]|export\s+const\s+create\b|export\s*\{[^}]*\bcreate\b[^}]*\}/,
    );
  });

  it(`has src/main.ts of at most ${MAX_MAIN_LINES} lines`, () => {
    expect(lineCount(read(`${src}/main.ts`))).toBeLessThanOrEqual(MAX_MAIN_LINES);
  });

  it('has src/config.ts', () => {
    expect(existsSync(join(ROOT, src, 'config.ts'))).toBe(true);
  });

  it('uses its folder name for the logger and the config file in main.ts', () => {
    const main = read(`${src}/main.ts`);
    for (const call of main.matchAll(/\b(createLogger|loadConfig)\(\s*(['"`])([^'"`]*)\2/g)) {
      expect(call[3], `${call[1]}(...) in main.ts`).toBe(name);
    }
  });

  it('is a `lanctl serve` word (cli/src/services.ts)', () => {
    expect(read('cli/src/services.ts')).toMatch(
      new RegExp(
        `['"]?${name}['"]?\\s*:\\s*\\(\\)\\s*=>\\s*import\\(['"]@lanctl/${name}/main['"]\\)`,
      ),
    );
  });

  it('does nothing at import: create is a function and no handle stays open', async () => {
    const url = pathToFileURL(join(ROOT, src, 'index.ts')).href;
    const script = `const m = await import(${JSON.stringify(url)});
      console.log(JSON.stringify({ create: typeof m.create, resources: process.getActiveResourcesInfo() }));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, timeout: 20_000 },
    );
    const report = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(report.create).toBe('function');
    // Allowed: the child's stdio pipes, and file requests of tsx's own transform cache (a fresh
    // clone has none yet). Not allowed: any timer, socket, server or watcher.
    const allowed = new Set(['PipeWrap', 'TTYWrap', 'FSReqPromise', 'FSReqCallback']);
    expect(report.resources.filter((r: string) => !allowed.has(r))).toEqual([]);
  });

  it('has a README.md with the sections Roles, Config, Ports & wire, Metrics, Failure modes', () => {
    const path = join(ROOT, 'services', name, 'README.md');
    expect(existsSync(path), `services/${name}/README.md is missing`).toBe(true);
    const headings = read(`services/${name}/README.md`)
      .split('\n')
      .filter((l) => /^#{1,6}\s/.test(l))
      .map((l) =>
        l
          .replace(/^#+\s*/, '')
          .trim()
          .toLowerCase(),
      );
    for (const section of README_SECTIONS) {
      expect(
        headings.some((h) => h.startsWith(section.toLowerCase())),
        `README section "${section}"`,
      ).toBe(true);
    }
  });

  it('README config examples parse with the service schema', async () => {
    const readme = join(ROOT, 'services', name, 'README.md');
    expect(existsSync(readme), `services/${name}/README.md is missing`).toBe(true);
    const blocks = [...read(`services/${name}/README.md`).matchAll(/```ya?ml\n([\s\S]*?)```/g)].map(
      (m) => m[1]!,
    );
    expect(blocks.length, 'at least one ```yaml config example').toBeGreaterThan(0);
    const { loadConfig } = await import('../../packages/core/src/index.ts');
    const config = await import(pathToFileURL(join(ROOT, src, 'config.ts')).href);
    const schemas = Object.entries(config).filter(
      ([key, value]) =>
        /ConfigSchema$/.test(key) && typeof (value as any)?.safeParse === 'function',
    );
    expect(
      schemas.map(([key]) => key),
      'one exported *ConfigSchema in config.ts',
    ).toHaveLength(1);
    blocks.forEach((block, i) => {
      const file = join(tmp, `${name}-readme-${i}.yml`);
      writeFileSync(file, block);
      expect(() => loadConfig(name, schemas[0]![1] as any, { path: file, env: {} })).not.toThrow();
    });
  });
});

describe.each(STATIC_SERVICES)('services/%s: a static service (rules 10, 18)', (name) => {
  it('has a README.md with the sections Roles, Build, Serving, Failure modes', () => {
    const path = `services/${name}/README.md`;
    expect(existsSync(join(ROOT, path)), `${path} is missing`).toBe(true);
    const headings = read(path)
      .split('\n')
      .filter((l) => /^#{1,6}\s/.test(l))
      .map((l) => l.replace(/^#+\s*/, '').toLowerCase());
    for (const section of ['roles', 'build', 'serving', 'failure modes']) {
      expect(
        headings.some((h) => h.startsWith(section)),
        `README section "${section}"`,
      ).toBe(true);
    }
  });

  it('does nothing at import: no handle stays open', async () => {
    const url = pathToFileURL(join(ROOT, 'services', name, 'src', 'index.ts')).href;
    const script = `await import(${JSON.stringify(url)});
      console.log(JSON.stringify(process.getActiveResourcesInfo()));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, timeout: 20_000 },
    );
    const resources: string[] = JSON.parse(stdout.trim().split('\n').pop()!);
    const allowed = new Set(['PipeWrap', 'TTYWrap', 'FSReqPromise', 'FSReqCallback']);
    expect(resources.filter((r) => !allowed.has(r))).toEqual([]);
  });
});

describe('services never import services (rule 12)', () => {
  it.each(SERVICES)('services/%s', (name) => {
    const others = SERVICES.filter((s) => s !== name);
    const offenders: string[] = [];
    for (const file of serviceSources(name)) {
      for (const spec of importSpecifiers(read(file))) {
        const pkg = /^@lanctl\/([^/]+)/.exec(spec)?.[1];
        if (pkg && others.includes(pkg)) offenders.push(`${file} imports ${spec}`);
        if (spec.startsWith('.')) {
          const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).split('/');
          if (target[0] === 'services' && target[1] !== name)
            offenders.push(`${file} imports ${spec}`);
        }
      }
    }
    const pkg = JSON.parse(read(`services/${name}/package.json`));
    for (const deps of [pkg.dependencies, pkg.devDependencies]) {
      for (const dep of Object.keys(deps ?? {})) {
        if (others.some((s) => dep === `@lanctl/${s}`))
          offenders.push(`package.json depends on ${dep}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

/** Module specifiers of static imports, re-exports, dynamic imports and requires. */
function importSpecifiers(text: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
}

describe('services read env and argv only in main.ts (rule 7)', () => {
  it.each(SERVICES)('services/%s', (name) => {
    const offenders = serviceSources(name)
      .filter((f) => !f.endsWith('/src/main.ts'))
      .flatMap((file) =>
        read(file)
          .split('\n')
          .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
          .filter(({ line }) => /\bprocess\s*(\.\s*|\[\s*['"])(env|argv)\b/.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });
});

describe(`source files are at most ${MAX_LINES} lines (rule 19)`, () => {
  const sources = ['packages', 'services']
    .flatMap((parent) => folders(parent).map((name) => `${parent}/${name}/src`))
    .concat('cli/src')
    .flatMap(tsFiles)
    .filter((f) => !isTest(f));

  it('finds the sources', () => {
    expect(sources.length).toBeGreaterThan(20);
  });

  it('has no offenders', () => {
    const offenders = sources
      .map((file) => ({ file, lines: lineCount(read(file)) }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(offenders).toEqual([]);
  });
});

interface MetricDecl {
  kind: string;
  name: string;
  at: string;
}

/**
 * `new Counter({ name: '...' })` and friends, with template literals kept verbatim. A name held
 * in a variable cannot be read here; the README metrics table is checked for those.
 */
function metricDeclarations(text: string, file: string): MetricDecl[] {
  const re =
    /new\s+(?:\w+\.)?(Counter|Gauge|Histogram|Summary)\s*(?:<[^>]*>)?\(\s*\{[^{}]*?\bname:\s*(['"`])((?:(?!\2)[^\\]|\\.)*)\2/g;
  return [...text.matchAll(re)].map((m) => ({
    kind: m[1]!,
    name: m[3]!,
    at: `${file}:${text.slice(0, m.index).split('\n').length}`,
  }));
}

function metricProblems(decl: MetricDecl, service?: string): string[] {
  const problems: string[] = [];
  const { kind, name, at } = decl;
  if (kind === 'Counter' && !name.endsWith('_total'))
    problems.push(`${at}: counter ${name} must end in _total`);
  if (kind !== 'Counter' && name.endsWith('_total'))
    problems.push(`${at}: ${kind} ${name} must not end in _total`);
  if ((kind === 'Histogram' || kind === 'Summary') && !/_(seconds|bytes|ratio)$/.test(name)) {
    problems.push(`${at}: ${kind} ${name} must end in a base unit (_seconds, _bytes, _ratio)`);
  }
  if (/_(milliseconds|ms|microseconds|kilobytes|kb|mb|minutes|hours)(_|$)/.test(name)) {
    problems.push(`${at}: ${name} must use base units`);
  }
  if (service && !name.includes('${') && !name.startsWith(`lanctl_${service}_`)) {
    problems.push(`${at}: ${name} must start with lanctl_${service}_`);
  }
  return problems;
}

describe('metric names (rule 18)', () => {
  it('the scanner finds declarations, template literals included', () => {
    const sample = `const a = new Counter({ help: 'x', name: 'lanctl_dhcp_drops' });
      const b = new client.Histogram({
        name: \`\${prefix}_duration_seconds\`, help: 'y' });
      const c = new Gauge({ name: "lanctl_dhcp_leases_total" });
      const d = new Gauge({ name, help, async collect() { this.set({ name: 'no' }, 1); } });
      const e = { name: 'not_a_metric' };`;
    const decls = metricDeclarations(sample, 'sample.ts');
    expect(decls.map((d) => [d.kind, d.name])).toEqual([
      ['Counter', 'lanctl_dhcp_drops'],
      ['Histogram', `\${prefix}_duration_seconds`],
      ['Gauge', 'lanctl_dhcp_leases_total'],
    ]);
    expect(decls.flatMap((d) => metricProblems(d, 'dhcp'))).toHaveLength(2);
  });

  it('counters end in _total and histograms in base units, in packages', () => {
    const decls = PACKAGES.flatMap((name) =>
      tsFiles(`packages/${name}/src`)
        .filter((f) => !isTestOnly(f))
        .flatMap((f) => metricDeclarations(read(f), f)),
    );
    expect(decls.some((d) => d.name.endsWith('_requests_total'))).toBe(true);
    expect(decls.flatMap((d) => metricProblems(d))).toEqual([]);
  });

  it.each(DAEMONS)('services/%s: the README metrics table follows the same rules', (name) => {
    const path = `services/${name}/README.md`;
    expect(existsSync(join(ROOT, path)), `${path} is missing`).toBe(true);
    const kinds: Record<string, string> = {
      counter: 'Counter',
      gauge: 'Gauge',
      histogram: 'Histogram',
      summary: 'Summary',
    };
    const rows = [...read(path).matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|\s*(\w+)\s*\|/gm)]
      .filter((m) => kinds[m[2]!.toLowerCase()])
      .map((m) => ({ kind: kinds[m[2]!.toLowerCase()]!, name: m[1]!, at: path }));
    expect(rows.length, 'a metrics table of `name` | type rows').toBeGreaterThan(0);
    expect(rows.flatMap((d) => metricProblems(d, name))).toEqual([]);
  });

  it.each(SERVICES)(
    'services/%s: counters end in _total, names start with lanctl_<service>_',
    (name) => {
      const decls = serviceSources(name).flatMap((f) => metricDeclarations(read(f), f));
      expect(decls.flatMap((d) => metricProblems(d, name))).toEqual([]);
    },
  );
});
