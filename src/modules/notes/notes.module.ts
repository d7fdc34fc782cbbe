import { definePatronModule } from '../module.js';
import { notesRoutes } from './notes.routes.js';

/** Staff notes on a customer. */
export const notesModule = definePatronModule({ name: 'notes', routes: notesRoutes });
