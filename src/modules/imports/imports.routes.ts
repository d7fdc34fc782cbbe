import fastifyMultipart from '@fastify/multipart';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { assertNoNul } from '../../http/input-guard.js';
import { errorResponses, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { parseTimeCursor, timeCursor } from '../points/index.js';
import { IMPORT_KINDS, type ImportKind } from './imports.rows.js';
import { dryRunImport, getImport, listImports, startImport } from './imports.service.js';

/** Upload limit; the file is stored in the database for the job, so there is no row cap below this size. */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

const rowErrorSchema = z.object({ row: z.number().int(), column: z.string().nullable(), problem: z.string() }).meta({ id: 'ImportRowError' });

const importSchema = z
  .object({
    id: z.string(),
    kind: z.enum(IMPORT_KINDS),
    fileName: z.string().nullable(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    rowsTotal: z.number().int(),
    rowsDone: z.number().int(),
    rowsApplied: z.number().int(),
    rowsUnchanged: z.number().int().describe('Rows that changed nothing (already imported, same values)'),
    rowsWithErrors: z.number().int().describe('Rows skipped because of at least one error (rowsApplied + rowsUnchanged + rowsWithErrors = rowsDone)'),
    errorCount: z.number().int().describe('Errors found; one row can have several'),
    errors: z.array(rowErrorSchema).describe('The first 1,000 row errors'),
    jobId: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Import' });

const dryRunSchema = z
  .object({
    dryRun: z.literal(true),
    kind: z.enum(IMPORT_KINDS),
    rowsTotal: z.number().int(),
    rowsValid: z.number().int(),
    rowsWithErrors: z.number().int().describe('Rows with at least one error (rowsTotal - rowsValid)'),
    errorCount: z.number().int().describe('Errors found; one row can have several'),
    errors: z.array(rowErrorSchema).describe('The first 1,000 row errors, by row (row 1 is the header)'),
    ignoredColumns: z.array(z.string()),
  })
  .meta({ id: 'ImportDryRun' });

export async function importsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['imports'];
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, { limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10, fieldSize: 1000 } });
    scope.withTypeProvider().post(
      '/api/v1/imports',
      {
        config: { permission: 'data:import' },
        schema: {
          tags,
          summary: 'Import customers, points, birthdays or tiers from a CSV file (multipart: file, kind, dryRun)',
          description:
            'dryRun=true validates every row and replies 200 with the per-row error report, changing nothing. Otherwise the file is stored and ' +
            'applied by a background job (202): each row in its own transaction, rows with errors skipped and reported. Importing the same file ' +
            'again changes nothing (points rows are keyed by the file hash and row; customers upsert by externalId), so uploads are idempotent by ' +
            'content and the Idempotency-Key header is not needed here (it is not checked for multipart bodies). Columns: docs/grid.md.',
          consumes: ['multipart/form-data'],
          multipartBody: z.object({
            file: z.string().meta({ contentMediaType: 'text/csv', description: 'The CSV file (UTF-8, header row first)' }),
            kind: z.enum(IMPORT_KINDS).describe('What the rows are'),
            dryRun: z.enum(['true', 'false']).default('false').describe('true: validate every row and report, changing nothing'),
          }),
          response: { 200: dryRunSchema, 202: importSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with a file part and the fields kind and dryRun');
        const fields: Record<string, string> = {};
        let file: { bytes: Buffer; fileName: string | null } | null = null;
        for await (const part of request.parts()) {
          if (part.type === 'file') file = { bytes: await part.toBuffer(), fileName: part.filename || null };
          else fields[part.fieldname] = String(part.value);
        }
        assertNoNul(fields, 'body');
        if (file?.fileName) assertNoNul(file.fileName, 'body', ['file', 'filename']);
        const kind = fields.kind;
        if (!kind || !(IMPORT_KINDS as readonly string[]).includes(kind)) throw AppError.validation('kind', `must be one of ${IMPORT_KINDS.join(', ')}`);
        const dryRun = fields.dryRun ?? 'false';
        if (dryRun !== 'true' && dryRun !== 'false') throw AppError.validation('dryRun', 'must be true or false');
        if (!file) throw AppError.validation('file', 'is required: attach the CSV file');
        const auth = authOf(request);
        const input = { kind: kind as ImportKind, fileName: file.fileName, bytes: file.bytes };
        if (dryRun === 'true') return reply.status(200).send(await dryRunImport(ctx, auth.orgId, input));
        return reply.status(202).send(await startImport(ctx, auth.orgId, input, auth.actor));
      },
    );
  });
  app.get(
    '/api/v1/imports/:id',
    {
      config: { permission: 'data:import' },
      schema: { tags, summary: 'An import: progress (rows done of total), rows applied, row errors', params: idParam, response: { 200: importSchema, ...errorResponses } },
    },
    async (request) => getImport(ctx, authOf(request).orgId, request.params.id),
  );
  app.get(
    '/api/v1/imports',
    {
      config: { permission: 'data:import' },
      schema: { tags, summary: 'Imports, newest first', querystring: listQuery, response: { 200: page(importSchema), ...errorResponses } },
    },
    async (request) => {
      const orgId = authOf(request).orgId;
      const scope = { list: 'imports', orgId };
      const c = parseTimeCursor(ctx, scope, request.query.cursor);
      const r = await listImports(ctx, orgId, c, request.query.limit);
      return { items: r.items, nextCursor: timeCursor(ctx, scope, r.next) };
    },
  );
}
