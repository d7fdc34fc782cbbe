import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldProblem } from '../errors.js';

function fieldPath(instancePath: string, where: string): string {
  const path = instancePath.replace(/^\//, '').replace(/\//g, '.');
  return path || where;
}

/** Converts anything thrown into the `{ error: { code, message, details } }` shape; never a stack trace. */
export function toAppError(err: FastifyError | Error): AppError {
  if (err instanceof AppError) return err;
  const e = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(e)) {
    const where = (e as FastifyError & { validationContext?: string }).validationContext ?? 'body';
    const issues = e.validation as { instancePath: string; keyword?: string; message?: string; params?: { keys?: unknown } }[];
    const fields: FieldProblem[] = issues.flatMap((v) => {
      // An unknown field is named itself, not the object holding it.
      if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params?.keys)) {
        const prefix = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        return v.params.keys.map((k) => ({
          field: prefix ? `${prefix}.${String(k)}` : String(k),
          problem: 'is not a field of this request; remove it (see the API reference for the fields this route takes)',
        }));
      }
      return [{ field: fieldPath(v.instancePath, where), problem: v.message ?? 'is invalid' }];
    });
    const first = fields[0]!;
    return new AppError('VALIDATION_FAILED', `${first.field}: ${first.problem}`, { fields, in: where });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('INVALID_JSON', 'The request body is not valid JSON; send a JSON object');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than the 1 MB limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('VALIDATION_FAILED', 'Content-Length does not match the body');
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The uploaded file is too large');
    default:
      break;
  }
  if (e instanceof SyntaxError) return new AppError('INVALID_JSON', 'The request body is not valid JSON; send a JSON object');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large');
    if (e.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', e.message);
    return new AppError('VALIDATION_FAILED', e.message);
  }
  return new AppError('INTERNAL', 'Something went wrong on our side; the error was logged');
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) {
      request.log.error({ err, serialization: isResponseSerializationError(err) }, 'request failed');
    }
    if (appErr.code === 'TOO_MANY_REQUESTS' && typeof appErr.details.retryAfterSeconds === 'number') {
      void reply.header('retry-after', String(appErr.details.retryAfterSeconds));
    }
    void reply.status(appErr.status).send({ error: { code: appErr.code, message: appErr.message, details: appErr.details } });
  });
}
