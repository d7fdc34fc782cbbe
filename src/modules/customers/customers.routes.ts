import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { customerSchema, customerUpsertSchema } from './customers.schemas.js';
import { getCustomer, upsertCustomer } from './customers.service.js';

export async function customersRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['customers'];
  app.post(
    '/api/v1/customers',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Create a customer, or update the one with the same externalId',
        description: 'Replies 201 when created and 200 when an existing customer (same externalId) was updated.',
        body: customerUpsertSchema,
        response: { 200: customerSchema, 201: customerSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { customer, created } = await upsertCustomer(ctx, auth.orgId, request.body, auth.actor);
      return reply.status(created ? 201 : 200).send(customer);
    },
  );
  app.get(
    '/api/v1/customers/:id',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: 'The customer profile with balances, tier, orders summary, notes and preferences', params: idParam, response: { 200: customerSchema, ...errorResponses } },
    },
    async (request) => getCustomer(ctx, authOf(request).orgId, request.params.id),
  );
}
