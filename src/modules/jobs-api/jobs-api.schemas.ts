import { z } from 'zod';

export const jobViewSchema = z
  .object({
    id: z.string(),
    type: z.string().describe('What the job does, e.g. imports.run or customers.points_bulk'),
    status: z.enum(['queued', 'running', 'done', 'dead']).describe('dead: failed after every retry; see lastError'),
    attempts: z.number().int(),
    progress: z.record(z.string(), z.unknown()).nullable().describe('Job-specific progress, e.g. { done, total }'),
    result: z.record(z.string(), z.unknown()).nullable().describe('Job-specific result once done'),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Job' });

export type JobView = z.infer<typeof jobViewSchema>;
