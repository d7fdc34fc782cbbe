/**
 * The public entry of the storefront feature: what other features may use of it. Other features
 * import only this file; the module definition is in storefront.module.ts.
 */
export { signCustomerToken, verifyCustomerToken, verifyAppProxySignature, appProxyMessage } from './storefront.tokens.js';
