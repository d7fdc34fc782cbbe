import type { Timestamp } from '../../db/types.js';

export type EarningRuleKind = 'signup' | 'birthday' | 'anniversary' | 'custom_action' | 'referral';

export interface EarningRulesTable {
  org_id: string;
  id: string;
  kind: EarningRuleKind;
  key: string;
  name: string;
  points: number;
  active: boolean;
  per_customer_limit: number | null;
  config: string | Record<string, unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    earning_rules: EarningRulesTable;
  }
}
