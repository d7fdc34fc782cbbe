import { definePatronModule } from '../module.js';
import { programRoutes } from './program.routes.js';

/** The loyalty program's settings. */
export const programModule = definePatronModule({ name: 'program', routes: programRoutes });
