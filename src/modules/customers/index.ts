import { definePatronModule } from '../module.js';
import { customersRoutes } from './customers.routes.js';

/** Customer profiles. */
export const customersModule = definePatronModule({ name: 'customers', routes: customersRoutes });

export { findCustomerByExternalId } from './customers.repo.js';
export { customerUpsertSchema, type CustomerUpsert } from './customers.schemas.js';
export { upsertCustomer } from './customers.service.js';
