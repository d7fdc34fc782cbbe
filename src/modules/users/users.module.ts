import { AppError } from '../../errors.js';
import { definePatronModule, optionList, optionText } from '../module.js';
import { getOrganizationBySlug } from '../orgs/index.js';
import { meRoutes } from './me.routes.js';
import { usersRoutes } from './users.routes.js';
import { createUser } from './users.service.js';

/** People, their roles and permissions, invitations. */
export const usersModule = definePatronModule({
  name: 'users',
  routes: async (app, ctx) => {
    await usersRoutes(app, ctx);
    await meRoutes(app, ctx);
  },
  commands: {
    'user create': {
      options: {
        org: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        permissions: { type: 'string' },
      },
      required: ['org', 'email', 'password', 'role'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const role = optionText(v.role);
          if (role !== 'admin' && role !== 'staff') throw AppError.validation('--role', 'must be admin or staff');
          const org = await getOrganizationBySlug(rt.ctx, optionText(v.org)!);
          const user = await createUser(rt.ctx, org.id, {
            email: optionText(v.email)!,
            password: optionText(v.password)!,
            name: optionText(v.name),
            role,
            permissions: optionList(v.permissions),
          });
          io.out(`Created ${user.role} ${user.email} in ${org.slug} (${user.id}) with ${user.permissions.join(', ') || 'no permissions'}`);
          return 0;
        }),
    },
  },
});
