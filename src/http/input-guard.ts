import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { BAD_CURSOR } from './cursor.js';

/**
 * Input rules every route gets without declaring them:
 * - no NUL character (`\u0000`) anywhere in the path, the query or a JSON body (PostgreSQL
 *   cannot store it in text or jsonb); refused with 400 naming the field, before the
 *   handler runs, so nothing is written and no reply has started streaming;
 * - request bodies are strict: a field the route does not know is refused with 400 naming
 *   it, instead of being silently ignored.
 */

export const NUL_PROBLEM = 'contains a NUL character (\\u0000), which cannot be stored; remove it';

/** The path of the first string or object key that contains a NUL character, or null. */
export function findNul(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return [...path, k.replace(/\u0000/g, '\\u0000')];
      const found = findNul(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

/** Throws 400 VALIDATION_FAILED naming the field when `value` holds a NUL character anywhere. */
export function assertNoNul(value: unknown, where: string, prefix: (string | number)[] = []): void {
  const found = findNul(value, prefix);
  if (!found) return;
  const field = found.length > 0 ? found.join('.') : where;
  throw new AppError('VALIDATION_FAILED', `${field}: ${NUL_PROBLEM}`, { fields: [{ field, problem: NUL_PROBLEM }], in: where });
}

type AnyDef = { type: string } & Record<string, unknown>;
const defOf = (s: z.ZodType): AnyDef => s._zod.def as unknown as AnyDef;

/**
 * The same schema with every object in it strict (unknown keys refused). Objects that
 * declare their own catchall (`z.looseObject`, `.catchall(...)`) keep it. Returns the same
 * instance when nothing changes, so shared, named (`.meta({ id })`) schemas keep their
 * identity in the OpenAPI document; a named schema that would need changing must be
 * declared strict where it is defined (startup fails with its name otherwise).
 */
export function strictSchema(schema: z.ZodType, seen = new Map<z.ZodType, z.ZodType>()): z.ZodType {
  const cached = seen.get(schema);
  if (cached) return cached;
  seen.set(schema, schema);
  const def = defOf(schema);
  const walk = (s: unknown): z.ZodType => strictSchema(s as z.ZodType, seen);
  let next: AnyDef | null = null;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const strictShape: Record<string, z.ZodType> = {};
      let changed = def.catchall === undefined;
      for (const [k, v] of Object.entries(shape)) {
        strictShape[k] = walk(v);
        if (strictShape[k] !== v) changed = true;
      }
      if (changed) next = { ...def, shape: strictShape, catchall: def.catchall ?? z.never() };
      break;
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional': {
      const inner = walk(def.innerType);
      if (inner !== def.innerType) next = { ...def, innerType: inner };
      break;
    }
    case 'array': {
      const el = walk(def.element);
      if (el !== def.element) next = { ...def, element: el };
      break;
    }
    case 'union': {
      const options = (def.options as z.ZodType[]).map(walk);
      if (options.some((o, i) => o !== (def.options as z.ZodType[])[i])) next = { ...def, options };
      break;
    }
    case 'pipe': {
      const inS = walk(def.in);
      const outS = walk(def.out);
      if (inS !== def.in || outS !== def.out) next = { ...def, in: inS, out: outS };
      break;
    }
    case 'record': {
      const v = walk(def.valueType);
      if (v !== def.valueType) next = { ...def, valueType: v };
      break;
    }
    case 'tuple': {
      const items = (def.items as z.ZodType[]).map(walk);
      if (items.some((o, i) => o !== (def.items as z.ZodType[])[i])) next = { ...def, items };
      break;
    }
    default:
      // Scalars, enums, literals, transforms; intersections are left as written (strict
      // halves would refuse each other's keys).
      break;
  }
  if (!next) return schema;
  const id = z.globalRegistry.get(schema)?.id;
  if (id) throw new Error(`Schema ${id} is used in a request body but is not strict; declare it with z.strictObject`);
  // parent: descriptions and other metadata stay with the copy.
  const copy = schema.clone(next as unknown as typeof schema._zod.def, { parent: true });
  seen.set(schema, copy);
  return copy;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set from the route's querystring schema: the list pages with `cursor`. */
    takesCursor?: boolean;
  }
}

function checkRequest(request: FastifyRequest): void {
  assertNoNul(request.params, 'params');
  assertNoNul(request.query, 'querystring');
  if (request.body !== undefined) assertNoNul(request.body, 'body');
  // A list that is not paged never hands out a cursor, so any cursor sent to it is foreign.
  const query = request.query as Record<string, unknown> | undefined;
  if (query?.cursor !== undefined && !request.routeOptions.config.takesCursor && request.routeOptions.url?.startsWith('/api/')) {
    throw new AppError('VALIDATION_FAILED', `cursor: ${BAD_CURSOR}`, { fields: [{ field: 'cursor', problem: BAD_CURSOR }], in: 'querystring' });
  }
}

export function registerInputGuard(app: FastifyInstance): void {
  // Every route's JSON body schema is made strict where the route is declared, so the
  // validation and the OpenAPI document (additionalProperties: false) agree.
  app.addHook('onRoute', (route) => {
    const body = route.schema?.body;
    if (body instanceof z.ZodType) route.schema = { ...route.schema, body: strictSchema(body) };
    const query = route.schema?.querystring;
    const takesCursor = query instanceof z.ZodObject && 'cursor' in query.shape;
    route.config = { ...route.config, takesCursor };
  });
  // After authentication (onRequest) and body parsing, before validation and handlers.
  app.addHook('preValidation', async (request) => {
    checkRequest(request);
  });
}
