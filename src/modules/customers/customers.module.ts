import { definePatronModule } from '../module.js';
import { customersRoutes } from './customers.routes.js';

/** Customer profiles. */
export const customersModule = definePatronModule({ name: 'customers', routes: customersRoutes });
