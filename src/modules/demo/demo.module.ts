import { AppError } from '../../errors.js';
import { definePatronModule, optionText } from '../module.js';
import { seedBench } from './bench-seed.js';
import { seedDemo } from './demo.service.js';

/** The demo organization and benchmark data. */
export const demoModule = definePatronModule({
  name: 'demo',
  commands: {
    'seed bench': {
      options: { customers: { type: 'string' }, org: { type: 'string' } },
      required: ['customers'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const n = Number(optionText(v.customers));
          if (!Number.isSafeInteger(n) || n < 1 || n > 50_000_000) throw AppError.validation('--customers', 'must be a whole number from 1 to 50000000');
          const r = await seedBench(rt.ctx, {
            customers: n,
            orgSlug: optionText(v.org),
            onProgress: (done, total) => io.err(`\r${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} customers`),
          });
          io.err('\n');
          io.out(`Seeded ${r.customers} customers and ${r.orders} orders into "${r.orgSlug}" (${r.orgId}) in ${r.seconds.toFixed(1)} s`);
          return 0;
        }),
    },
    'seed demo': {
      options: {},
      whenHeld: 'forward',
      run: (config, _v, io) =>
        io.withRuntime(config, async (rt) => {
          const r = await seedDemo(rt.ctx);
          await r.content();
          io.out(r.created ? 'Created the demo organization "demo" with its program and customers.' : 'The demo organization already exists; nothing changed.');
          io.out(`Sign in as ${r.adminEmail} / ${r.adminPassword}`);
          return 0;
        }),
    },
  },
});
