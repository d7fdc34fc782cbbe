import { definePatronModule } from '../module.js';
import { authRoutes } from './auth.routes.js';

/** Sign-in, sessions and the caller's own account. */
export const authModule = definePatronModule({ name: 'auth', routes: authRoutes });
