import type { FastifyContextConfig, FastifySchema } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { errorSchema, standardErrors } from './schemas.js';
import { routeAuth } from './security.js';
import { catalogWebhooks } from '../events/openapi.js';

/**
 * The OpenAPI document is derived from the routes, and so are the error statuses it lists:
 * what a route can answer follows from how it is configured (public or authenticated, the
 * permission it needs, whether it takes input, whether it changes anything), so no route
 * lists them by hand and none can forget one. A route adds a status its configuration does
 * not imply by naming it with `errorSchema` (e.g. `429: errorSchema` on login); the
 * `...errorResponses` spread stands for the computed set. 500 is never an expected answer.
 */

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The form fields of a `multipart/form-data` body, for the document only: multipart
     * bodies are streamed to the handler, which checks them itself.
     */
    multipartBody?: z.ZodType;
  }
}

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface RouteFacts {
  method: string;
  url: string;
  config?: FastifyContextConfig;
  schema?: FastifySchema;
}

/**
 * Body or query fields that name another resource by id, code or token (`customerId`,
 * `segmentId`, `ids`, `code`, `token`, `segment`): a name that matches nothing is a 404.
 * `externalId` is the record's own key (create or update), not a reference.
 */
const REFERENCE = /^(ids?|code|token|segment)$|.(Id|Ids)$/;

type Def = { type: string } & Record<string, unknown>;

/** The field names anywhere in a zod schema (objects, arrays, unions, optional and piped parts). */
function fieldNames(schema: unknown, out = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (!schema || typeof schema !== 'object' || !('_zod' in schema) || seen.has(schema)) return out;
  seen.add(schema);
  const def = (schema as { _zod: { def: Def } })._zod.def;
  const walk = (s: unknown) => fieldNames(s, out, seen);
  switch (def.type) {
    case 'object':
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
        out.add(k);
        walk(v);
      }
      break;
    case 'array':
      walk(def.element);
      break;
    case 'union':
      for (const o of def.options as unknown[]) walk(o);
      break;
    case 'pipe':
      walk(def.in);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      walk(def.innerType);
      break;
    default:
      break;
  }
  return out;
}

export function referencedFields(schema: FastifySchema): string[] {
  const names = new Set<string>();
  for (const part of [schema.body, schema.querystring, schema.multipartBody]) fieldNames(part, names);
  return [...names].filter((n) => n !== 'externalId' && REFERENCE.test(n)).sort();
}

/** Error statuses a route can answer, with what each means for that route. */
export function errorStatuses(route: RouteFacts): Map<number, string> {
  const out = new Map<number, string>();
  const config = route.config ?? {};
  const schema = route.schema ?? {};
  const auth = routeAuth(config, route.url);
  const isPublic = auth === 'public';
  const verifier = typeof auth === 'object' ? auth.verifier : null;
  const mutation = MUTATIONS.has(route.method.toUpperCase());
  const multipart = (schema.consumes ?? []).some((c) => c.startsWith('multipart/'));
  const hasParams = route.url.includes(':');
  const references = referencedFields(schema);

  // Every route reads at least its path and query string (a NUL character is refused anywhere).
  out.set(
    400,
    multipart
      ? 'A form field or the file is missing or invalid; `error.details.fields` names it'
      : 'The request is invalid; `error.details.fields` names each field and what is wrong with it',
  );
  out.set(
    401,
    isPublic
      ? 'The credentials sent are not valid (no credentials are needed here)'
      : verifier
        ? `The request could not be verified (\`${verifier}\`): its signature or token is missing or not valid`
        : 'Not signed in, or the API key is missing, not valid or revoked',
  );
  if (auth === 'staff') {
    const why: string[] = [];
    if (config.adminOnly) why.push('only an organization admin can do this');
    if (config.permission) why.push(`the caller lacks the \`${config.permission}\` permission (named in \`error.details.permission\`)`);
    if (mutation) why.push('a signed-in session sent a change without the `x-csrf-token` header from `GET /api/v1/me`');
    if (why.length > 0) out.set(403, `Refused: ${why.join('; or ')}`);
  }
  const notFound: string[] = [];
  if (hasParams && !isPublic) notFound.push("what the path names is not in the caller's organization (another organization's id answers 404 too)");
  if (references.length > 0) notFound.push(`nothing matches ${references.map((f) => `\`${f}\``).join(', ')}`);
  if (notFound.length > 0) out.set(404, `Not found: ${notFound.join('; or ')}`);
  if (mutation) {
    out.set(
      409,
      'Conflict: the Idempotency-Key was used with a different request or its first request is still running, ' +
        'or the change conflicts with the current state or a simultaneous change; `error.code` says which',
    );
    out.set(413, multipart ? 'The uploaded file is larger than the upload limit' : `The body is larger than ${BODY_LIMIT_BYTES / 1024 / 1024} MB`);
    out.set(415, `The body is not sent as ${multipart ? 'multipart/form-data' : 'application/json'}`);
    if (hasParams || schema.body !== undefined || multipart) {
      out.set(422, 'A business rule refused the change; `error.message` says why and what to do instead');
    }
  }
  return out;
}

const EXPLICIT_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid; `error.details.fields` names each field and what is wrong with it',
  401: 'Not authenticated',
  403: 'Refused',
  404: 'Not found',
  409: 'Conflict; `error.code` says which',
  422: 'A business rule refused the change; `error.message` says why',
  429: 'Too many attempts; retry after the number of seconds in the Retry-After header',
};

const SUCCESS_DESCRIPTIONS: Record<number, string> = {
  200: 'Done',
  201: 'Created',
  202: 'Accepted: the work goes on in a background job',
  204: 'Done; nothing to return',
};

type JsonSchema = Record<string, unknown>;
type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

const idempotencyHeader = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  pattern: '^[\\x21-\\x7e]+$',
  description:
    'Makes the change safe to retry: a retry with the same key and body gets the first reply; another body with the same key is 409. Keys live 7 days.',
};

/**
 * `transform` for @fastify/swagger: the zod conversion, then the computed error statuses,
 * `security: []` on public routes, non-JSON media types (`contentMediaType` on a response
 * schema) and multipart bodies.
 */
export function openApiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const route = (input as { route?: RouteFacts }).route;
  const schema = input.schema as FastifySchema | undefined;
  if (!schema || !route || schema.hide) return jsonSchemaTransform(input);
  const { multipartBody, ...rest } = schema;

  // Responses: successes and explicitly named errors as declared; the standard errors computed.
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const response: Record<string, unknown> = {};
  for (const [status, s] of Object.entries(declared)) {
    if (standardErrors.has(s)) continue;
    response[status] = s;
  }
  const computed = errorStatuses(route);
  for (const status of computed.keys()) response[String(status)] ??= errorSchema;

  const out = jsonSchemaTransform({ ...input, schema: { ...rest, response } });
  const doc = out.schema as FastifySchema & Record<string, unknown>;
  const responses = (doc.response ?? {}) as Record<string, JsonSchema>;
  for (const [status, declaredSchema] of Object.entries(responses)) {
    const code = Number(status);
    let s = declaredSchema;
    if (code >= 400) {
      s = { ...s, description: computed.get(code) ?? EXPLICIT_DESCRIPTIONS[code] ?? 'Refused; `error.code` and `error.message` say why' };
      if (code === 429) s.headers = { 'retry-after': { type: 'integer', description: 'Seconds to wait before trying again' } };
    } else if (typeof s.description !== 'string' && SUCCESS_DESCRIPTIONS[code]) {
      s = { ...s, description: SUCCESS_DESCRIPTIONS[code] };
    }
    if (code >= 300 && code < 400) {
      s = { ...s, headers: { location: { type: 'string', description: 'Where to go' }, ...(s.headers as object | undefined) } };
    }
    const { contentMediaType, description, $id: _id, $schema: _schema, ...media } = s;
    if (code < 300 && typeof contentMediaType === 'string') {
      // A non-JSON success (e.g. text/csv): documented under its own media type.
      s = { description, content: { [contentMediaType]: { schema: media } } };
    }
    responses[status] = s;
  }

  if (multipartBody) {
    const form = jsonSchemaTransform({ ...input, schema: { body: multipartBody } }).schema as { body: JsonSchema };
    doc.body = { content: { 'multipart/form-data': { schema: form.body } } };
  }
  // Only staff credentials are security schemes; a verifier's check is described on its 401.
  const auth = routeAuth(route.config, route.url);
  if (auth !== 'staff') doc.security ??= [];
  if (MUTATIONS.has(route.method.toUpperCase()) && auth === 'staff' && !multipartBody) {
    const headers = (doc.headers ?? { type: 'object', properties: {} }) as { properties: Record<string, unknown> };
    headers.properties['idempotency-key'] = idempotencyHeader;
    doc.headers = headers;
  }
  return out;
}

/** `transformObject` for @fastify/swagger: the document, plus the event catalog as its `webhooks`. */
export const openApiTransformObject: typeof jsonSchemaTransformObject = (input) => ({ ...jsonSchemaTransformObject(input), webhooks: catalogWebhooks() as never });
