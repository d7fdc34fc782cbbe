import { definePatronModule } from '../module.js';
import { exportsRoutes } from './exports.routes.js';

/** CSV exports of the customer grid. */
export const exportsModule = definePatronModule({ name: 'exports', routes: exportsRoutes });
