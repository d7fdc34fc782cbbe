import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';
import type { EarningRule, ProgramSettings, Reward, Tier, TierSettings } from './models.js';

const idem = (key: string) => ({ 'idempotency-key': key });

export const programKeys = { program: ['program'] as const, rules: ['earning-rules'] as const, rewards: ['rewards'] as const, tiers: ['tiers'] as const };

export type RewardInput = Omit<Reward, 'id' | 'createdAt' | 'updatedAt'>;
export type TierInput = Pick<Tier, 'name' | 'threshold' | 'earnMultiplier' | 'birthdayPoints' | 'entryPoints'>;
export type RuleInput = Pick<EarningRule, 'kind' | 'key' | 'name' | 'points' | 'active' | 'perCustomerLimit' | 'config'>;

export function useProgram() {
  return useQuery({ queryKey: programKeys.program, queryFn: ({ signal }): Promise<ProgramSettings> => unwrap(api.GET('/api/v1/program', { signal })) });
}

export function updateProgram(body: Partial<Omit<ProgramSettings, 'updatedAt'>>, key: string): Promise<ProgramSettings> {
  // Forms start from the settings as read; the API refuses fields it does not take (updatedAt).
  const { updatedAt: _read, ...patch } = body as Partial<ProgramSettings>;
  return unwrap(api.PATCH('/api/v1/program', { body: patch, headers: idem(key) }));
}

export function useEarningRules() {
  return useQuery({ queryKey: programKeys.rules, queryFn: async ({ signal }): Promise<EarningRule[]> => (await unwrap(api.GET('/api/v1/earning-rules', { params: { query: { limit: 200 } }, signal }))).items });
}

export function saveRule(id: string | null, body: RuleInput, key: string): Promise<EarningRule> {
  if (id) {
    const { name, points, active, perCustomerLimit, config } = body;
    return unwrap(api.PATCH('/api/v1/earning-rules/{id}', { params: { path: { id } }, body: { name, points, active, perCustomerLimit, config }, headers: idem(key) }));
  }
  return unwrap(api.POST('/api/v1/earning-rules', { body, headers: idem(key) }));
}

export function deleteRule(id: string, key: string): Promise<unknown> {
  return unwrap(api.DELETE('/api/v1/earning-rules/{id}', { params: { path: { id } }, headers: idem(key) }));
}

export function saveReward(id: string | null, body: RewardInput, key: string): Promise<Reward> {
  if (id) {
    // The type of a reward cannot change (the API refuses the field on edits).
    const { type: _type, ...patch } = body;
    return unwrap(api.PATCH('/api/v1/rewards/{id}', { params: { path: { id } }, body: patch, headers: idem(key) }));
  }
  return unwrap(api.POST('/api/v1/rewards', { body, headers: idem(key) }));
}

export function deleteReward(id: string, key: string): Promise<unknown> {
  return unwrap(api.DELETE('/api/v1/rewards/{id}', { params: { path: { id } }, headers: idem(key) }));
}

export function saveTier(id: string | null, input: TierInput, key: string): Promise<Tier> {
  // Only the tier's inputs: an edit form starts from the tier as read (id, rank, times).
  const { name, threshold, earnMultiplier, birthdayPoints, entryPoints } = input;
  const body = { name, threshold, earnMultiplier, birthdayPoints, entryPoints };
  if (id) return unwrap(api.PATCH('/api/v1/tiers/{id}', { params: { path: { id } }, body, headers: idem(key) }));
  return unwrap(api.POST('/api/v1/tiers', { body, headers: idem(key) }));
}

export function deleteTier(id: string, key: string): Promise<unknown> {
  return unwrap(api.DELETE('/api/v1/tiers/{id}', { params: { path: { id } }, headers: idem(key) }));
}

export function saveTierSettings(body: Omit<TierSettings, 'updatedAt'>, key: string): Promise<TierSettings> {
  return unwrap(api.PUT('/api/v1/tiers/settings', { body, headers: idem(key) }));
}
