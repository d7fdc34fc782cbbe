import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback, useRef } from 'react';
import { newIdempotencyKey } from '../api/client.js';
import { ApiError } from '../api/errors.js';

interface ActionOptions<TInput, TResult> {
  run: (input: TInput, idempotencyKey: string) => Promise<TResult>;
  /** Queries to refresh after success. */
  invalidate?: QueryKey[];
  onSuccess?: (result: TResult, input: TInput) => void;
}

/**
 * A mutation for one user intent. One Idempotency-Key per intent: kept while the request
 * never got an answer (a network retry replays safely), renewed once the server answered.
 * A second submit while one is running is ignored, so a double click never sends twice.
 */
export function useAction<TInput, TResult>({ run, invalidate = [], onSuccess }: ActionOptions<TInput, TResult>) {
  const qc = useQueryClient();
  const keyRef = useRef<string | null>(null);
  const busy = useRef(false);
  const mutation = useMutation<TResult, unknown, TInput>({
    mutationFn: async (input) => {
      keyRef.current ??= newIdempotencyKey();
      try {
        const result = await run(input, keyRef.current);
        keyRef.current = null;
        return result;
      } catch (err) {
        if (err instanceof ApiError && err.status !== 0) keyRef.current = null;
        throw err;
      }
    },
    onSuccess: async (result, input) => {
      onSuccess?.(result, input);
      await Promise.all(invalidate.map((queryKey) => qc.invalidateQueries({ queryKey })));
    },
  });
  const { mutateAsync, reset } = mutation;
  const submit = useCallback(
    async (input: TInput): Promise<TResult | undefined> => {
      if (busy.current) return undefined;
      busy.current = true;
      try {
        return await mutateAsync(input);
      } catch {
        return undefined;
      } finally {
        busy.current = false;
      }
    },
    [mutateAsync],
  );
  const clear = useCallback(() => {
    keyRef.current = null;
    reset();
  }, [reset]);
  return { submit, pending: mutation.isPending, error: mutation.error, clear, data: mutation.data };
}
