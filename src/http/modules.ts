import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';
import { apiKeysRoutes } from '../modules/api-keys/api-keys.routes.js';
import { authRoutes } from '../modules/auth/auth.routes.js';
import { orgsRoutes } from '../modules/orgs/orgs.routes.js';
import { usersRoutes } from '../modules/users/users.routes.js';
import { customersRoutes } from '../modules/customers/customers.routes.js';
import { ordersRoutes } from '../modules/orders/orders.routes.js';
import { pointsRoutes } from '../modules/points/points.routes.js';
import { programRoutes } from '../modules/program/program.routes.js';
import { jobsApiRoutes } from '../modules/jobs-api/jobs-api.routes.js';
import { gridRoutes } from '../modules/grid/grid.routes.js';
import { segmentsRoutes } from '../modules/segments/segments.routes.js';
import { exportsRoutes } from '../modules/exports/exports.routes.js';
import { bulkRoutes } from '../modules/bulk/bulk.routes.js';
import { analyticsRoutes } from '../modules/analytics/analytics.routes.js';
import { importsRoutes } from '../modules/imports/imports.routes.js';
import { rewardsRoutes } from '../modules/rewards/rewards.routes.js';
import { referralsRoutes } from '../modules/referrals/referrals.routes.js';
import { activityRoutes } from '../modules/activity/activity.routes.js';
import { notesRoutes } from '../modules/notes/notes.routes.js';
import { privacyRoutes } from '../modules/privacy/privacy.routes.js';
import { preferencesRoutes } from '../modules/preferences/preferences.routes.js';
import { membershipRoutes } from '../modules/membership/membership.routes.js';
import { tiersRoutes } from '../modules/tiers/tiers.routes.js';
import { rulesRoutes } from '../modules/rules/rules.routes.js';
import { customerEditRoutes } from '../modules/rules/dates.routes.js';
import type { ZodApp } from './types.js';

/** Every feature's routes, in one list. */
const MODULES: ((app: ZodApp, ctx: AppContext) => Promise<void>)[] = [
  authRoutes,
  orgsRoutes,
  usersRoutes,
  apiKeysRoutes,
  programRoutes,
  customersRoutes,
  pointsRoutes,
  ordersRoutes,
  jobsApiRoutes,
  gridRoutes,
  segmentsRoutes,
  exportsRoutes,
  bulkRoutes,
  analyticsRoutes,
  importsRoutes,
  rewardsRoutes,
  referralsRoutes,
  activityRoutes,
  notesRoutes,
  privacyRoutes,
  preferencesRoutes,
  membershipRoutes,
  tiersRoutes,
  rulesRoutes,
  customerEditRoutes,
];

export async function registerModules(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const zapp = app.withTypeProvider<ZodTypeProvider>();
  for (const mod of MODULES) await mod(zapp, ctx);
}
