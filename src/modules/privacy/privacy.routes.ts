import type { AppContext } from '../../context.js';
import { errorResponses, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { customerSchema } from '../customers/index.js';
import { exportCustomer } from './privacy.export.js';
import { anonymizeBodySchema, customerExportSchema, reportingBodySchema } from './privacy.schemas.js';
import { anonymizeCustomer, setReportingExcluded } from './privacy.service.js';

export async function privacyRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['privacy'];
  app.post(
    '/api/v1/customers/:id/anonymize',
    {
      config: { permission: 'customers:anonymize' },
      schema: {
        tags,
        summary: 'GDPR erasure (irreversible): confirm with the customer\'s current email',
        description:
          'Personal data is removed everywhere Patron stores it: the profile, and every email, phone and name the customer has or had before an edit, ' +
          'wherever they appear (timeline summaries and payloads, earlier note versions, ledger reasons and messages, refund reasons, import files, ' +
          'job and event payloads, other customers\' notes). Stored Idempotency-Key replies of requests about the customer then answer 409 ' +
          'CUSTOMER_ANONYMIZED instead of their first reply (nothing runs again). Ledger amounts and reports are unchanged. The customer then ' +
          'refuses every change, a second anonymize included (409 CUSTOMER_ANONYMIZED); a write racing the erasure either lands first and is erased ' +
          'with the rest, or is refused. Scope: docs/architecture.md, Erasure.',
        params: idParam,
        body: anonymizeBodySchema,
        response: { 200: customerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return anonymizeCustomer(ctx, auth.orgId, request.params.id, request.body.confirmEmail, auth.actor);
    },
  );
  app.put(
    '/api/v1/customers/:id/reporting',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: 'Exclude the customer from (or include them in) analytics and list exports', params: idParam, body: reportingBodySchema, response: { 200: customerSchema, ...errorResponses } },
    },
    async (request) => {
      const auth = authOf(request);
      return setReportingExcluded(ctx, auth.orgId, request.params.id, request.body.excluded, auth.actor);
    },
  );
  app.get(
    '/api/v1/customers/:id/export.json',
    {
      config: { permission: 'data:export' },
      schema: { tags, summary: 'Everything stored about the customer, for a data-access request', params: idParam, response: { 200: customerExportSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const body = await exportCustomer(ctx, auth.orgId, request.params.id, auth.actor);
      void reply.header('content-disposition', `attachment; filename="customer-${request.params.id}.json"`);
      return body;
    },
  );
}
