import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleCommandIo } from '../../src/modules/module.js';
import { shopifyModule } from '../../src/modules/shopify/shopify.module.js';
import { FakeShopify } from '../helpers/fake-shopify.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';

/** `patron shopify connect` and `patron shopify install`, run as the CLI runs a module's command. */

let h: Harness;
let a: OrgFixture;
let fake: FakeShopify;

function io(lines: string[], errors: string[]): ModuleCommandIo {
  return {
    out: (line) => lines.push(line),
    err: (text) => errors.push(text),
    withRuntime: (_config, fn) => fn({ ctx: h.ctx }),
  } as ModuleCommandIo;
}

async function run(words: 'shopify connect' | 'shopify install', values: Record<string, string>) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await shopifyModule.commands[words].run(h.ctx.config, values, io(lines, errors));
  return { code, lines, errors };
}

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  fake = await new FakeShopify().start();
});
afterAll(async () => {
  await fake.stop();
  await h.close();
});

describe(`patron shopify commands on ${ENGINE}`, () => {
  it('connect: reports scopes and subscriptions, exits 1 naming a topic Shopify refused', async () => {
    fake.failingTopics.set('ORDERS_FULFILLED', 'Address is not allowed');
    const r = await run('shopify connect', {
      org: a.org.slug,
      shop: 'cli-shop.myshopify.com',
      'client-id': 'cid',
      'client-secret': 'cli-secret-0123456789',
      'access-token': fake.accessToken,
      'api-url': fake.url,
      'webhook-url': 'https://loyalty.example.com',
    });
    expect(r.lines[0]).toBe(`Connected cli-shop.myshopify.com to ${a.org.slug}: scopes read_customers, read_orders, write_discounts; classic customer accounts`);
    expect(r.lines[1]).toBe('Webhooks go to https://loyalty.example.com/webhooks/shopify: 8 of 9 subscriptions registered');
    expect(r.errors.join('')).toContain('ORDERS_FULFILLED: Address is not allowed');
    expect(r.code).toBe(1);
    // Nothing secret is printed.
    expect([...r.lines, ...r.errors].join('\n')).not.toMatch(/cli-secret|shpat_/);
  });

  it('connect without a public URL connects and says no subscription was registered', async () => {
    fake.failingTopics.clear();
    const r = await run('shopify connect', { org: a.org.slug, shop: 'cli-shop.myshopify.com', 'client-id': 'cid', 'client-secret': 'cli-secret-0123456789', 'access-token': fake.accessToken, 'api-url': fake.url });
    expect(r.code).toBe(0);
    expect(r.lines[1]).toContain('No webhook subscriptions registered: set PATRON_PUBLIC_URL or pass --webhook-url');
  });

  it('refuses bad options naming them, and changes nothing', async () => {
    await expect(run('shopify connect', { org: a.org.slug, shop: 'not-a-shop.example.com', 'client-id': 'c', 'client-secret': 's', 'access-token': 't' })).rejects.toThrow(/--shop: must be the store's permanent domain/);
    await expect(run('shopify connect', { org: a.org.slug, shop: 'x.myshopify.com', 'client-id': 'has space', 'client-secret': 's', 'access-token': 't' })).rejects.toThrow(/--client-id/);
    await expect(run('shopify connect', { org: a.org.slug, shop: 'x.myshopify.com', 'client-id': 'c', 'client-secret': 's', 'access-token': 't', 'api-url': 'ftp://x' })).rejects.toThrow(/--api-url/);
    await expect(run('shopify install', { org: a.org.slug, shop: 'x.myshopify.com', 'client-id': 'c', 'client-secret': 's' })).rejects.toThrow(/PATRON_PUBLIC_URL/);
    expect((await a.admin.get('/api/v1/integrations/shopify')).json()).toMatchObject({ shop: 'cli-shop.myshopify.com', status: 'connected' });
  });

  it('install prints the address the store owner opens', async () => {
    h.ctx.config = { ...h.ctx.config, publicUrl: 'https://loyalty.example.com' };
    const r = await run('shopify install', { org: a.org.slug, shop: 'cli-shop.myshopify.com', 'client-id': 'cid', 'client-secret': 'cli-secret-0123456789', 'api-url': fake.url });
    expect(r.code).toBe(0);
    expect(r.lines.at(-1)).toBe('https://loyalty.example.com/integrations/shopify/install?shop=cli-shop.myshopify.com');
  });
});
