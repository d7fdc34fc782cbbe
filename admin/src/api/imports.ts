import { useQuery } from '@tanstack/react-query';
import { api, request, unwrap } from './client.js';
import type { ImportDryRun, ImportKind, ImportRun } from './models.js';

export const importKeys = { all: ['imports'] as const, one: (id: string) => ['imports', id] as const };

/** Dry run: the per-row report, nothing changes (200). Real run: the stored import, applied by a job (202). */
export function uploadImport(input: { file: File; kind: ImportKind; dryRun: boolean }, key: string): Promise<ImportDryRun | ImportRun> {
  const form = new FormData();
  form.set('kind', input.kind);
  form.set('dryRun', String(input.dryRun));
  form.set('file', input.file, input.file.name);
  return request('POST', '/api/v1/imports', { body: form, idempotencyKey: key });
}

export function isDryRun(r: ImportDryRun | ImportRun): r is ImportDryRun {
  return 'dryRun' in r;
}

const running = (r: ImportRun | undefined) => r !== undefined && (r.status === 'queued' || r.status === 'running');

export function useImports() {
  return useQuery({
    queryKey: importKeys.all,
    queryFn: async ({ signal }): Promise<ImportRun[]> => (await unwrap(api.GET('/api/v1/imports', { params: { query: { limit: 20 } }, signal }))).items,
    refetchInterval: (q) => (q.state.data?.some(running) ? 2000 : false),
  });
}

/** One import, polled every second while its job runs (live progress). */
export function useImport(id: string | null) {
  return useQuery({
    queryKey: importKeys.one(id ?? ''),
    enabled: id !== null,
    queryFn: ({ signal }): Promise<ImportRun> => unwrap(api.GET('/api/v1/imports/{id}', { params: { path: { id: id! } }, signal })),
    refetchInterval: (q) => (running(q.state.data) || !q.state.data ? 1000 : false),
  });
}
