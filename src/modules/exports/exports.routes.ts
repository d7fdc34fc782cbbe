import { Readable } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { filterFromQuery, filterQuerySchema } from '../grid/index.js';
import { exportCustomersCsv } from './exports.service.js';

export async function exportsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/customers/export.csv',
    {
      config: { permission: 'data:export' },
      schema: {
        tags: ['customers'],
        summary: 'Export the filtered customer list as CSV (streamed)',
        description:
          'Takes the grid filters. UTF-8 with a byte-order mark and a header row; text cells starting with = + - @, tab or carriage return ' +
          'get a leading apostrophe so spreadsheets do not run them. Customers excluded from reports are left out unless includeExcluded=true. ' +
          'The file name names the filter: customers-<filter parts>-<day>.csv (e.g. customers-members_gold_search-zoe-2026-12-02.csv).',
        querystring: filterQuerySchema.extend({
          includeExcluded: z.enum(['true', 'false']).default('false').describe('Include customers excluded from reports'),
        }),
        response: {
          200: z.string().meta({ contentMediaType: 'text/csv', description: 'The customers as CSV (UTF-8 with a byte-order mark), streamed' }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { includeExcluded, ...filter } = request.query;
      const { fileName, chunks } = await exportCustomersCsv(ctx, auth.orgId, { filter: filterFromQuery(filter), includeExcluded: includeExcluded === 'true' });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        // The name says which filter the file holds (ASCII letters, digits, "-" and "_" only).
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        // A stream is sent as it is (Fastify does not serialize streams); the schema above documents it as text.
        .send(Readable.from(chunks, { highWaterMark: 1 }) as unknown as string);
    },
  );
}
