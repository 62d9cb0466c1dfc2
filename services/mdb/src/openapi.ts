import {
  bootProfileCreateSchema,
  bootProfileUpdateSchema,
  contestModeUpdateSchema,
  expectedHostsSchema,
  machineCreateSchema,
  machineImportSchema,
  machineTypeCreateSchema,
  machineTypeUpdateSchema,
  machineUpdateSchema,
  poolCreateSchema,
  poolUpdateSchema,
  registrationSchema,
  roomCreateSchema,
  roomUpdateSchema,
  selfRegistrationUpdateSchema,
  switchCreateSchema,
  switchUpdateSchema,
} from '@lanctl/model';
import { z } from 'zod';

const body = (schema: z.ZodType) => ({
  required: true,
  content: {
    'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
  },
});

const errors = {
  '400': { description: 'unparsable body or schema failure (unknown fields included)' },
  '401': { description: 'missing or invalid bearer token' },
  '403': { description: "the token's role may not do this" },
  '404': { description: 'no such record' },
  '409': { description: 'uniqueness conflict or exhausted pool (code pool_exhausted)' },
  '422': { description: 'a well-typed value that breaks a domain rule' },
};

const ok = (description: string) => ({ '200': { description }, ...errors });

/** CRUD paths for a name-keyed collection. */
function collection(
  path: string,
  key: string,
  create: z.ZodType,
  update: z.ZodType,
  extraQuery: string[] = [],
) {
  const query = ['limit', 'after', ...extraQuery].map((name) => ({
    name,
    in: 'query',
    schema: { type: 'string' },
  }));
  const param = [{ name: key, in: 'path', required: true, schema: { type: 'string' } }];
  return {
    [`/api/v1/${path}`]: {
      get: { summary: `list ${path}`, parameters: query, responses: ok('a page: {items, next}') },
      post: {
        summary: `create one of ${path}`,
        requestBody: body(create),
        responses: { '201': { description: 'created' }, ...errors },
      },
    },
    [`/api/v1/${path}/{${key}}`]: {
      get: { parameters: param, responses: ok('the record') },
      patch: { parameters: param, requestBody: body(update), responses: ok('the updated record') },
      delete: { parameters: param, responses: ok('the deleted record') },
    },
  };
}

const nameParam = [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }];

/** Registration, expect lists and bulk import (issue 6). */
function netbootPaths() {
  return {
    '/api/v1/rooms/{name}/expected': {
      get: {
        parameters: nameParam,
        responses: ok('{room, hostnames}: still to register, in order'),
      },
      put: {
        parameters: nameParam,
        requestBody: body(expectedHostsSchema),
        responses: ok('the new list; errors name the index, e.g. hostnames[3]'),
      },
    },
    '/api/v1/registrations/suggestion': {
      get: {
        parameters: [{ name: 'room', in: 'query', required: true, schema: { type: 'string' } }],
        responses: ok('{room, hostname, source: expected|pattern|null, rfs, hfs}'),
      },
    },
    '/api/v1/registrations': {
      post: {
        summary: 'register a machine (scope machines:register or role root)',
        requestBody: body(registrationSchema),
        responses: {
          '201': { description: 'the created machine' },
          ...errors,
          '403': { description: 'code registration_closed: self-registration is off' },
        },
      },
    },
    '/api/v1/machines/import': {
      post: {
        summary: 'create many machines, all or nothing',
        requestBody: body(machineImportSchema),
        responses: {
          '200': { description: 'dry run: what would be created, nothing written' },
          '201': { description: '{dry_run, created, results: [{row, hostname, ip, mac}]}' },
          ...errors,
          '422': {
            description: 'code import_invalid: every row error as details [{row, field, message}]',
          },
        },
      },
    },
  };
}

let cached: object | undefined;

/** The OpenAPI 3.1 document, derived from the same zod schemas that validate requests. */
export function openApiDocument(): object {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'lanctl mdb',
      version: '1',
      description:
        'Machine database: machines, switches, rooms, machine types, IP pools, boot profiles, registrations, settings.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      ...collection('machines', 'hostname', machineCreateSchema, machineUpdateSchema, [
        'mtype',
        'room',
        'q',
        'faulty',
        'mac',
        'ip',
      ]),
      ...collection('switches', 'name', switchCreateSchema, switchUpdateSchema),
      ...collection('rooms', 'name', roomCreateSchema, roomUpdateSchema),
      ...collection('machine-types', 'name', machineTypeCreateSchema, machineTypeUpdateSchema),
      ...collection('pools', 'name', poolCreateSchema, poolUpdateSchema),
      ...collection('boot-profiles', 'name', bootProfileCreateSchema, bootProfileUpdateSchema),
      ...netbootPaths(),
      '/api/v1/settings': { get: { responses: ok('every setting') } },
      '/api/v1/settings/{key}': {
        get: { responses: ok('the setting, evaluated now') },
        put: {
          requestBody: body(z.union([selfRegistrationUpdateSchema, contestModeUpdateSchema])),
          responses: ok('the setting'),
        },
      },
      '/api/v1/auth/whoami': { get: { responses: ok('the principal of the bearer token') } },
    },
  };
  return cached;
}
