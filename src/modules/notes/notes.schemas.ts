import { z } from 'zod';

export const NOTE_MAX = 2000;

export const noteBodySchema = z.object({
  text: z.string('is required (send "" to clear the note)').max(NOTE_MAX, `must be at most ${NOTE_MAX.toLocaleString('en-US')} characters`),
});

export const noteSchema = z
  .object({
    note: z.object({ text: z.string(), updatedAt: z.string().nullable(), updatedBy: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'CustomerNote' });
