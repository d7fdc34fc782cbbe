import { definePatronModule } from '../module.js';
import { preferencesRoutes } from './preferences.routes.js';

/** A customer's communication preferences and consents. */
export const preferencesModule = definePatronModule({ name: 'preferences', routes: preferencesRoutes });
