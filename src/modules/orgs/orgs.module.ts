import { definePatronModule, optionText } from '../module.js';
import { orgsRoutes } from './orgs.routes.js';
import { createOrganization } from './orgs.service.js';

/** Organizations (tenants). */
export const orgsModule = definePatronModule({
  name: 'orgs',
  routes: orgsRoutes,
  commands: {
    'org create': {
      options: { slug: { type: 'string' }, name: { type: 'string' }, currency: { type: 'string' }, timezone: { type: 'string' } },
      required: ['slug', 'name'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const org = await createOrganization(rt.ctx, {
            slug: optionText(v.slug)!,
            name: optionText(v.name)!,
            currency: optionText(v.currency),
            timezone: optionText(v.timezone),
          });
          io.out(`Created organization ${org.slug} (${org.id}), ${org.currency}, ${org.timezone}`);
          return 0;
        }),
    },
  },
});
