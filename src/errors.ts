/** Every refusal Patron gives has a stable code; the HTTP status is mapped here, in one place. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  API_KEY_REVOKED: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  CSRF_TOKEN_INVALID: 403,
  PERMISSION_DENIED: 403,
  NOT_IN_PROGRAM: 403,
  MEMBERS_ONLY: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_REQUEST_IN_PROGRESS: 409,
  POINTS_INSUFFICIENT: 409,
  MEMBERSHIP_TRANSITION_INVALID: 409,
  MEMBERSHIP_RESTRICTED: 409,
  CUSTOM_ACTION_LIMIT_REACHED: 409,
  CONCURRENT_UPDATE: 409,
  ALREADY_EXISTS: 409,
  COUPON_NOT_REVOCABLE: 409,
  CUSTOMER_ANONYMIZED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RULE_REFUSED: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldProblem {
  field: string;
  problem: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }

  static validation(field: string, problem: string, extra: FieldProblem[] = []): AppError {
    return new AppError('VALIDATION_FAILED', `${field}: ${problem}`, {
      fields: [{ field, problem }, ...extra],
    });
  }

  static notFound(what: string, id?: string): AppError {
    return new AppError('NOT_FOUND', id ? `${what} ${id} was not found` : `${what} was not found`, id ? { id } : {});
  }
}
