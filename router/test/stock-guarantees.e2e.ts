import { randomUUID } from 'node:crypto';
import { signTestToken } from '@cartograph/shared/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { createCatalog, loginAdmin, router } from './harness.js';
import { startInventorySystem, type InventorySystem } from './inventory-system.js';

/** Each test starts processes of its own, which under a full parallel run takes a while. */
const systemTestTimeoutMs = 90_000;

const PlaceDocument = graphql(`
  mutation GuaranteePlace($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
    }
  }
`);

const StatusDocument = graphql(`
  query GuaranteeStatus($id: ID!) {
    order(id: $id) {
      status
    }
  }
`);

const AdjustDocument = graphql(`
  mutation GuaranteeAdjust($productId: ID!, $delta: Int!) {
    adjustStock(productId: $productId, delta: $delta) {
      stock
    }
  }
`);

const StockDocument = graphql(`
  query GuaranteeStock($id: ID!) {
    product(id: $id) {
      stock
    }
  }
`);

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('no oversell', () => {
  it('confirms exactly 50 of 200 concurrent one-unit orders for 50 units, through the router', async () => {
    const request = router();
    const admin = await loginAdmin(request);
    const { products } = await createCatalog(request, admin.accessToken, 1);
    const product = products[0]!;
    await request(
      AdjustDocument,
      { productId: product.id, delta: 50 - product.stock },
      { token: admin.accessToken },
    );
    const customers = await Promise.all(
      Array.from({ length: 200 }, () =>
        signTestToken(inject('privateKeyPem'), { sub: randomUUID() }),
      ),
    );

    const placed = await Promise.all(
      customers.map((token) =>
        request(
          PlaceDocument,
          {
            input: {
              items: [{ productId: product.id, quantity: 1 }],
              idempotencyKey: randomUUID(),
            },
          },
          { token },
        ),
      ),
    );
    expect(placed.flatMap((result) => result.errors ?? [])).toEqual([]);
    const ids = placed.map((result) => result.data!.placeOrder.id);

    const deadline = Date.now() + 60_000;
    let statuses: string[];
    do {
      await pause(250);
      statuses = await Promise.all(
        ids.map(
          async (id, i) =>
            (await request(StatusDocument, { id }, { token: customers[i]! })).data!.order!.status,
        ),
      );
    } while (statuses.includes('PENDING') && Date.now() < deadline);
    expect(statuses.filter((status) => status === 'CONFIRMED')).toHaveLength(50);
    expect(statuses.filter((status) => status === 'REJECTED')).toHaveLength(150);
    expect((await request(StockDocument, { id: product.id })).data!.product!.stock).toBe(0);
  });
});

describe('the inventory flow under failures', { timeout: systemTestTimeoutMs }, () => {
  let system: InventorySystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  /** Places `count` orders of 1 to 3 units, spread over the products, a few at a time. */
  async function placeStream(
    s: InventorySystem,
    productIds: string[],
    count: number,
    during?: (placed: number) => Promise<void>,
  ) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const productId = productIds[i % productIds.length]!;
      ids.push(await s.placeOrder([{ productId, quantity: 1 + (i % 3) }]));
      await during?.(ids.length);
    }
    return ids;
  }

  async function expectEverythingAccountedFor(
    s: InventorySystem,
    initial: Map<string, number>,
    orderIds: string[],
  ) {
    const statuses = await s.settle(orderIds);
    expect(
      [...statuses.values()].filter((status) => status !== 'CONFIRMED' && status !== 'REJECTED'),
    ).toEqual([]);
    expect(statuses.size).toBe(orderIds.length);
    expect(await s.accounted([...initial.keys()])).toEqual(initial);
    // Each order was decided exactly once.
    const decisions = await s.ordersDb.orderStatusChange.groupBy({
      by: ['orderId'],
      where: { orderId: { in: orderIds }, status: { in: ['CONFIRMED', 'REJECTED'] } },
      _count: { _all: true },
    });
    expect(decisions.every((row) => row._count._all === 1)).toBe(true);
    expect(decisions).toHaveLength(orderIds.length);
  }

  /**
   * Freezes the products replica while a burst of orders is placed, so their requests are
   * provably in flight (in Redis, or delivered and unacknowledged) when `fail` strikes.
   */
  async function burstThen(s: InventorySystem, productIds: string[], fail: () => Promise<void>) {
    s.products[0]!.freeze();
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        s.placeOrder([{ productId: productIds[i % productIds.length]!, quantity: 1 }]),
      ),
    );
    const pending = await s.ordersDb.order.count({
      where: { id: { in: burst }, status: 'PENDING' },
    });
    await fail();
    return { burst, pending };
  }

  it('loses nothing when the products subgraph is killed mid-stream and started again', async () => {
    system = await startInventorySystem({ products: 1, orders: 1 });
    const s = system;
    const products = await Promise.all([
      s.createProduct(40),
      s.createProduct(40),
      s.createProduct(15),
    ]);
    const initial = new Map(products.map((product) => [product.id, product.stock]));
    const productIds = [...initial.keys()];
    const before = await placeStream(s, productIds, 20, () => pause(15));

    const { burst, pending } = await burstThen(s, productIds, () => s.crashAndRestartProducts(0));
    const after = await placeStream(s, productIds, 20, () => pause(15));

    expect(pending).toBe(burst.length);
    await expectEverythingAccountedFor(s, initial, [...before, ...burst, ...after]);
  });

  it('loses nothing when Redis restarts, empty, mid-stream', async () => {
    system = await startInventorySystem({ products: 1, orders: 1, privateRedis: true });
    const s = system;
    const products = await Promise.all([
      s.createProduct(40),
      s.createProduct(40),
      s.createProduct(15),
    ]);
    const initial = new Map(products.map((product) => [product.id, product.stock]));
    const productIds = [...initial.keys()];
    const before = await placeStream(s, productIds, 20, () => pause(15));

    const { burst, pending } = await burstThen(s, productIds, async () => {
      await s.redis!.restart();
      s.products[0]!.thaw();
    });
    const after = await placeStream(s, productIds, 20, () => pause(15));

    expect(pending).toBe(burst.length);
    await expectEverythingAccountedFor(s, initial, [...before, ...burst, ...after]);
  });

  it('handles each event once with two replicas of each subgraph sharing one Redis', async () => {
    system = await startInventorySystem({ products: 2, orders: 2 });
    const s = system;
    const products = await Promise.all([s.createProduct(30), s.createProduct(30)]);
    const initial = new Map(products.map((product) => [product.id, product.stock]));

    const ids = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        s.placeOrder([{ productId: products[i % 2]!.id, quantity: 1 }]),
      ),
    );

    await expectEverythingAccountedFor(s, initial, ids);
    const reservations = await s.productsDb.stockMovement.count({
      where: {
        productId: { in: [...initial.keys()] },
        reason: { startsWith: 'reserved for order' },
      },
    });
    expect(reservations).toBe(60);
  });
});
