import type { AppContext } from '../../context.js';
import { findOrgBySlug } from '../orgs/index.js';
import { createOrganization } from '../orgs/index.js';
import { createUser } from '../users/index.js';
import { seedDemoCustomers } from './demo-customers.seed.js';
import { seedDemoProgram } from './demo-program.seed.js';

export const DEMO_ORG_SLUG = 'demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.patron.dev';
export const DEMO_ADMIN_PASSWORD = 'patron-demo-1234';
export const DEMO_STAFF_EMAIL = 'support@demo.patron.dev';

export interface DemoResult {
  created: boolean;
  orgId: string;
  adminEmail: string;
  adminPassword: string;
  /** Program and customer histories; awaited by `patron seed demo`, run in the background by `npm start`. */
  content: () => Promise<void>;
}

/** Creates the demo organization and its logins once; later calls change nothing. */
export async function seedDemo(ctx: AppContext): Promise<DemoResult> {
  const existing = await findOrgBySlug(ctx.db, DEMO_ORG_SLUG);
  if (existing) return { created: false, orgId: existing.id, adminEmail: DEMO_ADMIN_EMAIL, adminPassword: DEMO_ADMIN_PASSWORD, content: async () => {} };
  const org = await createOrganization(ctx, { slug: DEMO_ORG_SLUG, name: 'Demo Outfitters', currency: 'USD', timezone: 'America/New_York' });
  await createUser(ctx, org.id, { email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD, name: 'Dana Admin', role: 'admin' });
  await createUser(ctx, org.id, {
    email: DEMO_STAFF_EMAIL,
    password: DEMO_ADMIN_PASSWORD,
    name: 'Sam Support',
    role: 'staff',
    permissions: ['viewer'],
  });
  const content = async () => {
    await seedDemoProgram(ctx, org.id);
    await seedDemoCustomers(ctx, org.id, { adminName: 'Dana Admin' });
  };
  return { created: true, orgId: org.id, adminEmail: DEMO_ADMIN_EMAIL, adminPassword: DEMO_ADMIN_PASSWORD, content };
}
