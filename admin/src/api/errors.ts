/** One error type for every failed API call, built from `{ error: { code, message, details } }`. */
export interface FieldProblem {
  field: string;
  problem: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get fields(): FieldProblem[] {
    const fields = this.details.fields;
    return Array.isArray(fields) ? (fields as FieldProblem[]) : [];
  }

  get permission(): string | null {
    return typeof this.details.permission === 'string' ? this.details.permission : null;
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

export function toApiError(status: number, body: unknown): ApiError {
  const err = (body as ErrorBody | null)?.error;
  if (err && typeof err.message === 'string') {
    const details = err.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : {};
    return new ApiError(status, typeof err.code === 'string' ? err.code : 'ERROR', err.message, details);
  }
  if (status === 0) return new ApiError(0, 'NETWORK', 'Patron could not be reached. Check your connection and try again.');
  return new ApiError(status, 'HTTP_' + String(status), `The server answered ${status}. Try again in a moment.`);
}

/** A message for any thrown value, for dialogs and alerts. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong';
}
