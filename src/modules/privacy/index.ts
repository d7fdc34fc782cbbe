import { definePatronModule } from '../module.js';
import { privacyRoutes } from './privacy.routes.js';

/** Data export and erasure (GDPR). */
export const privacyModule = definePatronModule({ name: 'privacy', routes: privacyRoutes });

export { anonymizeCustomer } from './privacy.service.js';
export { exportCustomer } from './privacy.export.js';
