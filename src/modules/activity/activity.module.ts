import { definePatronModule } from '../module.js';
import { activityRoutes } from './activity.routes.js';

/** The customer timeline. */
export const activityModule = definePatronModule({ name: 'activity', routes: activityRoutes });
