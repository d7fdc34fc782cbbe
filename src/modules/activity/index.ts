/**
 * The public entry of the activity feature: what other features may use of it. Other features
 * import only this file; the module definition is in activity.module.ts.
 */
export { activityRow, allActivity, recordActivity, type ActivityInput } from './activity.repo.js';
export { activityEventSchema } from './activity.schemas.js';
export { toActivityView } from './activity.service.js';
