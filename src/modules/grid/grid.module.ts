import { definePatronModule } from '../module.js';
import { gridRoutes } from './grid.routes.js';

/** The customer grid: search, filters, sorting, counts. */
export const gridModule = definePatronModule({ name: 'grid', routes: gridRoutes });
