import { z } from 'zod';
import { customerFilterSchema } from '../grid/index.js';

export const segmentFilterSchema = customerFilterSchema.omit({ segment: true }).strict();

export const segmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    filter: segmentFilterSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Segment' });

export type SegmentView = z.infer<typeof segmentSchema>;

export const segmentCreateSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  description: z.string().trim().max(500).nullable().optional(),
  filter: segmentFilterSchema,
});

export const segmentPatchSchema = segmentCreateSchema.partial();

export type SegmentCreate = z.infer<typeof segmentCreateSchema>;
export type SegmentPatch = z.infer<typeof segmentPatchSchema>;
