import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromiumPath } from '@cartograph/shared/testing';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { createCatalog, loginAdmin, router } from './harness.js';

const MoveDocument = graphql(`
  mutation TrackPageMove($id: ID!, $status: OrderStatus!) {
    updateOrderStatus(id: $id, status: $status) {
      status
    }
  }
`);

const profile = mkdtempSync(`${tmpdir()}/cartograph-chromium-`);
let browser: BrowserContext;
beforeAll(async () => {
  // Chromium (Debian's unless CHROMIUM_PATH says), a fresh profile, and nothing that calls home.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});

describe('the /track page', () => {
  it('shows an order go CONFIRMED and then SHIPPED live, without a reload', async () => {
    const page = await browser.newPage();
    const admin = await loginAdmin(router());
    const { products } = await createCatalog(router(), admin.accessToken, 1);
    await page.goto(`${inject('routerUrl')}/track`);

    await page.fill('#email', inject('customer').email);
    await page.fill('#password', inject('customer').password);
    await page.click('#login');
    await page.selectOption('#product', products[0]!.id);
    await page.click('#place');
    await page.locator('#status', { hasText: 'CONFIRMED' }).waitFor({ timeout: 15_000 });
    const orderId = (await page.textContent('#order-id'))!;
    for (const status of ['PAID', 'SHIPPED'] as const) {
      await router()(MoveDocument, { id: orderId, status }, { token: admin.accessToken });
    }
    await page.locator('#status', { hasText: 'SHIPPED' }).waitFor({ timeout: 15_000 });

    expect(await page.textContent('#status')).toBe('SHIPPED');
    expect(await page.locator('#history li').allTextContents()).toEqual([
      expect.stringContaining('PENDING'),
      expect.stringContaining('CONFIRMED'),
      expect.stringContaining('PAID'),
      expect.stringContaining('SHIPPED'),
    ]);
    await page.close();
  });
});
