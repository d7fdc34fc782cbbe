import type { AppContext } from '../../context.js';
import { parseIsoDate } from '../../core/dates.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { customerSchema, customerUpsertSchema } from '../customers/index.js';
import { updateCustomerProfile } from '../customers/index.js';

const realDate = (field: string) =>
  customerUpsertSchema.shape[field === 'birthday' ? 'birthday' : 'anniversary'].refine((v) => v == null || parseIsoDate(v) !== null, 'must be a real calendar date YYYY-MM-DD');

const customerPatchSchema = customerUpsertSchema
  .pick({ firstName: true, lastName: true, email: true, phone: true })
  .extend({ birthday: realDate('birthday'), anniversary: realDate('anniversary') })
  .strict();

/** Staff edits of the customer's identity and dates (birthday and anniversary feed the date rewards). */
export async function customerEditRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.patch(
    '/api/v1/customers/:id',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: 'Edit name, email, phone, birthday and anniversary (null removes a value)',
        description: 'A birthday or anniversary reward is given at most once per calendar year, whatever edits are made. Anonymized customers cannot be edited (409).',
        params: idParam,
        body: customerPatchSchema,
        response: { 200: customerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return updateCustomerProfile(ctx, auth.orgId, request.params.id, request.body, auth.actor);
    },
  );
}
