import { definePatronModule } from '../module.js';
import { ordersRoutes } from './orders.routes.js';

/** Orders from stores: earning, refunds, cancellations. */
export const ordersModule = definePatronModule({ name: 'orders', routes: ordersRoutes });
