import { definePatronModule, optionList, optionText } from '../module.js';
import { apiKeysRoutes } from './api-keys.routes.js';
import { getOrganizationBySlug } from '../orgs/index.js';
import { createApiKey } from './api-keys.service.js';

/** API keys for stores and integrations. */
export const apiKeysModule = definePatronModule({
  name: 'api-keys',
  routes: apiKeysRoutes,
  commands: {
    'api-key create': {
      options: { org: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } },
      required: ['org', 'name'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const org = await getOrganizationBySlug(rt.ctx, optionText(v.org)!);
          const { apiKey, secret } = await createApiKey(rt.ctx, org.id, {
            name: optionText(v.name)!,
            scopes: optionList(v.scopes) ?? ['customers:read'],
            createdBy: null,
          });
          io.out(`Created API key "${apiKey.name}" (${apiKey.id}) with scopes ${apiKey.scopes.join(', ')}. The secret is shown once:`);
          io.out(secret);
          return 0;
        }),
    },
  },
});
