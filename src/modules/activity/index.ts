import { definePatronModule } from '../module.js';
import { activityRoutes } from './activity.routes.js';

/** The customer timeline. */
export const activityModule = definePatronModule({ name: 'activity', routes: activityRoutes });

// The public entry: how other features write to the timeline and read it whole.
export { activityRow, allActivity, recordActivity, type ActivityInput } from './activity.repo.js';
export { activityEventSchema } from './activity.schemas.js';
export { toActivityView } from './activity.service.js';
