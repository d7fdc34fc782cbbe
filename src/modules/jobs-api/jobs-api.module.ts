import { definePatronModule } from '../module.js';
import { jobsApiRoutes } from './jobs-api.routes.js';

/** Background jobs as the API shows them (progress, outcome). */
export const jobsApiModule = definePatronModule({ name: 'jobs-api', routes: jobsApiRoutes });
