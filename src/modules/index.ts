/**
 * Every feature of Patron, one line each. The server (routes, route verifiers), the worker
 * (jobs, schedules) and the CLI (feature commands) are built from this list; adding a
 * feature is one folder with an `index.ts` exporting its module definition, plus one line here.
 * The list's order is the order routes are registered in; the imports follow the order the
 * shared schemas first appeared in, which keeps the API document's components in place.
 */
import type { PatronModule } from './module.js';
import { systemModule } from './system/index.js';
import { apiKeysModule } from './api-keys/index.js';
import { authModule } from './auth/index.js';
import { orgsModule } from './orgs/index.js';
import { usersModule } from './users/index.js';
import { customersModule } from './customers/index.js';
import { ordersModule } from './orders/index.js';
import { pointsModule } from './points/index.js';
import { programModule } from './program/index.js';
import { jobsApiModule } from './jobs-api/index.js';
import { gridModule } from './grid/index.js';
import { segmentsModule } from './segments/index.js';
import { exportsModule } from './exports/index.js';
import { bulkModule } from './bulk/index.js';
import { analyticsModule } from './analytics/index.js';
import { importsModule } from './imports/index.js';
import { rewardsModule } from './rewards/index.js';
import { referralsModule } from './referrals/index.js';
import { activityModule } from './activity/index.js';
import { notesModule } from './notes/index.js';
import { privacyModule } from './privacy/index.js';
import { preferencesModule } from './preferences/index.js';
import { membershipModule } from './membership/index.js';
import { tiersModule } from './tiers/index.js';
import { rulesModule } from './rules/index.js';
import { demoModule } from './demo/index.js';
import { shopifyModule } from './shopify/index.js';
import { marketingModule } from './marketing/index.js';
import { storefrontModule } from './storefront/index.js';
import { webhooksModule } from './webhooks/index.js';

export const MODULES: readonly PatronModule[] = [
  systemModule,
  authModule,
  orgsModule,
  usersModule,
  apiKeysModule,
  programModule,
  customersModule,
  pointsModule,
  ordersModule,
  jobsApiModule,
  gridModule,
  segmentsModule,
  exportsModule,
  bulkModule,
  analyticsModule,
  importsModule,
  rewardsModule,
  referralsModule,
  activityModule,
  notesModule,
  privacyModule,
  preferencesModule,
  membershipModule,
  tiersModule,
  rulesModule,
  demoModule,
  shopifyModule,
  marketingModule,
  storefrontModule,
  webhooksModule,
];
