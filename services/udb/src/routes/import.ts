import { type Principal, principalOf } from '@lanctl/auth';
import { AppError, forbidden, parseInput, unauthorized } from '@lanctl/core';
import {
  type Group,
  type ImportRequest,
  type ImportResult,
  importRequestSchema,
  sheetRequestSchema,
} from '@lanctl/model';
import { type Response, Router } from 'express';
import { type PlannedRow, parseImport, planImport } from '../import/index.ts';
import type { Passwords } from '../passwords.ts';
import { canManage } from '../policy.ts';
import { renderSheetHtml, renderSheetTsv } from '../sheets/render.ts';
import type { UserStore } from '../store/users.ts';

const writer = (res: Response): Principal => {
  const principal = principalOf(res);
  if (!principal) throw unauthorized();
  if (!principal.scopes.includes('users:write'))
    throw forbidden(`role ${principal.role} may not manage accounts`);
  return principal;
};

/** A planned row with its password settled: from the file, generated, or none (kept as is). */
interface Prepared extends PlannedRow {
  newPassword?: string;
  hash?: string;
}

/**
 * `POST /users/import` (SADM's batchimport, per-row results, dry run) and `POST /users/sheets`
 * (the printable password sheet, made from passwords the caller just received).
 */
export function importRoutes(
  users: UserStore,
  passwords: Passwords,
  reserved: Set<string>,
): Router {
  const router = Router();
  router.post('/import', async (req, res) => {
    const principal = writer(res);
    const request = parseInput(importRequestSchema, req.body);
    const parsed = parseImport(request.format, request.data);
    const plan = planImport(parsed.rows, await users.existing(), {
      mode: request.mode,
      group: request.group,
      isReserved: (login) => reserved.has(login),
      canManage: (group: Group) => canManage(principal, group),
    });
    const parseErrors: ImportResult[] = parsed.errors.map((e) => ({
      row: e.row,
      login: null,
      status: 'error',
      reason: e.reason,
    }));
    const results = request.dry_run
      ? plan.map(dryRunResult)
      : await apply(users, await prepare(plan, request, passwords));
    const all = [...parseErrors, ...results].sort((a, b) => a.row - b.row);
    res.json({ dry_run: request.dry_run, summary: summarize(all), results: all });
  });
  router.post('/sheets', (req, res) => {
    writer(res);
    const request = parseInput(sheetRequestSchema, req.body);
    if (request.format === 'tsv') {
      res.type('text/tab-separated-values; charset=utf-8').send(renderSheetTsv(request.entries));
    } else {
      res
        .type('text/html; charset=utf-8')
        .send(renderSheetHtml(request.entries, { title: request.title }));
    }
  });
  return router;
}

function dryRunResult(row: PlannedRow): ImportResult {
  const status = {
    create: 'would_create',
    update: 'would_update',
    skip: 'skipped',
    error: 'error',
  } as const;
  return {
    row: row.row,
    login: row.login,
    firstname: row.firstname,
    lastname: row.lastname,
    status: status[row.action],
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

/**
 * Passwords are generated and hashed before the write lock is taken (hashing is the slow part),
 * yielding to the event loop between rows so logins and other requests are served meanwhile.
 */
async function prepare(
  plan: PlannedRow[],
  request: ImportRequest,
  passwords: Passwords,
): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const row of plan) {
    if (row.action !== 'create' && row.action !== 'update') {
      out.push(row);
      continue;
    }
    const fresh = row.action === 'create' || request.reset_passwords;
    const newPassword =
      row.password ?? (fresh ? passwords.generate(request.password_length) : undefined);
    out.push(
      newPassword === undefined ? row : { ...row, newPassword, hash: passwords.hash(newPassword) },
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/** One transaction for the whole file; a row that breaks a rule is reported and the rest goes on. */
function apply(users: UserStore, rows: Prepared[]): Promise<ImportResult[]> {
  return users.batch(async (tx) => {
    const results: ImportResult[] = [];
    for (const row of rows) {
      // The names go with every row: a preview reads "Jean Dupont → jdupont".
      const base = {
        row: row.row,
        login: row.login,
        firstname: row.firstname,
        lastname: row.lastname,
      };
      if (row.action === 'error' || row.action === 'skip') {
        results.push({
          ...base,
          status: row.action === 'skip' ? 'skipped' : 'error',
          reason: row.reason,
        });
        continue;
      }
      const fields = { firstname: row.firstname, lastname: row.lastname, group: row.group };
      try {
        if (row.action === 'create') {
          await users.insert(tx, {
            login: row.login!,
            ...fields,
            uid: null,
            shell: '/bin/bash',
            ssh_keys: [],
            password_hash: row.hash!,
          });
        } else {
          await users.change(tx, row.login!, {
            ...fields,
            ...(row.hash ? { password_hash: row.hash } : {}),
          });
        }
        // A new password is shown here once; with the names, it is what a sheet prints.
        const shown =
          row.newPassword && row.password === undefined ? { password: row.newPassword } : {};
        results.push({
          ...base,
          status: row.action === 'create' ? 'created' : 'updated',
          ...shown,
        });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        results.push({ ...base, status: 'error', reason: e.message });
      }
    }
    return results;
  });
}

function summarize(results: ImportResult[]): Record<string, number> {
  const summary: Record<string, number> = { created: 0, updated: 0, skipped: 0, error: 0 };
  for (const r of results) summary[r.status] = (summary[r.status] ?? 0) + 1;
  return summary;
}
