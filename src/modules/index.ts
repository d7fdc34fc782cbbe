/**
 * Every feature of Patron, one line each. The server (routes, route verifiers), the worker
 * (jobs, schedules) and the CLI (feature commands) are built from this list; adding a
 * feature is one folder with a `<feature>.module.ts` exporting its module definition (and an
 * `index.ts`, its public entry for other features), plus one line here.
 * The list's order is the order routes are registered in; the imports follow the order the
 * shared schemas first appeared in, which keeps the API document's components in place.
 */
import type { PatronModule } from './module.js';
import { systemModule } from './system/system.module.js';
import { apiKeysModule } from './api-keys/api-keys.module.js';
import { authModule } from './auth/auth.module.js';
import { orgsModule } from './orgs/orgs.module.js';
import { usersModule } from './users/users.module.js';
import { customersModule } from './customers/customers.module.js';
import { ordersModule } from './orders/orders.module.js';
import { pointsModule } from './points/points.module.js';
import { programModule } from './program/program.module.js';
import { jobsApiModule } from './jobs-api/jobs-api.module.js';
import { gridModule } from './grid/grid.module.js';
import { segmentsModule } from './segments/segments.module.js';
import { exportsModule } from './exports/exports.module.js';
import { bulkModule } from './bulk/bulk.module.js';
import { analyticsModule } from './analytics/analytics.module.js';
import { importsModule } from './imports/imports.module.js';
import { rewardsModule } from './rewards/rewards.module.js';
import { referralsModule } from './referrals/referrals.module.js';
import { activityModule } from './activity/activity.module.js';
import { notesModule } from './notes/notes.module.js';
import { privacyModule } from './privacy/privacy.module.js';
import { preferencesModule } from './preferences/preferences.module.js';
import { membershipModule } from './membership/membership.module.js';
import { tiersModule } from './tiers/tiers.module.js';
import { rulesModule } from './rules/rules.module.js';
import { demoModule } from './demo/demo.module.js';
import { shopifyModule } from './shopify/shopify.module.js';
import { marketingModule } from './marketing/marketing.module.js';
import { storefrontModule } from './storefront/storefront.module.js';
import { webhooksModule } from './webhooks/webhooks.module.js';
import { walletModule } from './wallet/wallet.module.js';

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
  walletModule,
];
