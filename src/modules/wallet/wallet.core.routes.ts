import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses, errorSchema, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { walletSummary } from './wallet.core.service.js';

const walletSummarySchema = z
  .object({
    pass: z
      .object({
        serialNumber: z.string(),
        cardCode: z.string().describe('What the barcode carries; scanners send it to POST /api/v1/scans'),
        webAppUrl: z.string().describe("The customer's pass web app (absolute when PATRON_PUBLIC_URL is set)"),
      })
      .nullable()
      .describe('Null until the pass is first issued (a download, a "send loyalty card")'),
    apple: z.object({ configured: z.boolean(), devices: z.number().int().describe('Apple devices registered for updates of this pass') }),
    google: z.object({ configured: z.boolean(), saved: z.boolean().describe('Whether the customer saved the Google Wallet pass') }),
    balance: z.number().int().describe('Spendable points, as the pass shows them'),
    pushesSent: z.number().int(),
    pushesFailed: z.number().int(),
    clicks: z.number().int().describe('Taps of the pass on NFC readers'),
    scans: z.number().int(),
    lastScanAt: z.string().nullable(),
  })
  .meta({ id: 'WalletSummary' });

export async function walletCoreRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/customers/:id/wallet',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['customers'],
        summary: "The customer's wallet pass: where it is kept (Apple devices, Google saved), pushes sent and failed, taps and scans",
        params: idParam,
        response: { 200: walletSummarySchema, ...errorResponses, 404: errorSchema },
      },
    },
    async (request) => walletSummary(ctx, authOf(request).orgId, request.params.id),
  );
}
