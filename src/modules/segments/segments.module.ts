import { definePatronModule } from '../module.js';
import { segmentsRoutes } from './segments.routes.js';

/** Saved customer segments. */
export const segmentsModule = definePatronModule({ name: 'segments', routes: segmentsRoutes });
