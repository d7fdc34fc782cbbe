/**
 * The public entry of the orgs feature: what other features may use of it. Other features
 * import only this file; the module definition is in orgs.module.ts.
 */
export { findOrgBySlug } from './orgs.repo.js';
export { createOrganization, getOrganizationBySlug } from './orgs.service.js';
