import { definePatronModule } from '../module.js';
import { privacyRoutes } from './privacy.routes.js';

/** Data export and erasure (GDPR). */
export const privacyModule = definePatronModule({ name: 'privacy', routes: privacyRoutes });
