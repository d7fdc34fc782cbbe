/**
 * The public entry of the shopify feature: what other features may use of it. Other features
 * import only this file; the module definition is in shopify.module.ts.
 */
export { credentialSealer } from './shopify.connection.js';
export { connectionsForShop } from './shopify.repo.js';
