import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { createCatalog, loginAdmin, registerCustomer, router } from './harness.js';

const PlaceDocument = graphql(`
  mutation InventoryPlace($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
      status
    }
  }
`);

const OrderDocument = graphql(`
  query InventoryOrder($id: ID!) {
    order(id: $id) {
      status
      rejectionReason
      total {
        amountCents
        currency
      }
      items {
        quantity
        unitPrice {
          amountCents
        }
      }
      history {
        status
      }
    }
  }
`);

const StockDocument = graphql(`
  query InventoryStock($id: ID!) {
    product(id: $id) {
      stock
      inStock
    }
  }
`);

const CancelDocument = graphql(`
  mutation InventoryCancel($id: ID!) {
    cancelOrder(id: $id) {
      status
    }
  }
`);

const request = router();
let adminToken: string;
beforeAll(async () => {
  adminToken = (await loginAdmin(request)).accessToken;
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function placeAndSettle(token: string, items: { productId: string; quantity: number }[]) {
  const placed = await request(
    PlaceDocument,
    { input: { items, idempotencyKey: randomUUID() } },
    { token },
  );
  expect(placed.data?.placeOrder.status).toBe('PENDING');
  const id = placed.data!.placeOrder.id;
  const order = await until(
    async () => (await request(OrderDocument, { id }, { token })).data!.order!,
    (o) => o.status !== 'PENDING',
  );
  return { id, order };
}

const stockOf = async (id: string) => (await request(StockDocument, { id })).data!.product!.stock;

describe('stock reservation through the router', () => {
  it('confirms an order with its reserved prices and the right total, taking the stock', async () => {
    const customer = await registerCustomer(request);
    const { products } = await createCatalog(request, adminToken, 2);
    const [a, b] = products as [(typeof products)[0], (typeof products)[0]];

    const { order } = await placeAndSettle(customer.accessToken, [
      { productId: a.id, quantity: 3 },
      { productId: b.id, quantity: 1 },
    ]);

    expect(order).toMatchObject({
      status: 'CONFIRMED',
      rejectionReason: null,
      total: { amountCents: 3 * a.price.amountCents + b.price.amountCents, currency: 'USD' },
      items: [
        { quantity: 3, unitPrice: { amountCents: a.price.amountCents } },
        { quantity: 1, unitPrice: { amountCents: b.price.amountCents } },
      ],
      history: [{ status: 'PENDING' }, { status: 'CONFIRMED' }],
    });
    expect([await stockOf(a.id), await stockOf(b.id)]).toEqual([a.stock - 3, b.stock - 1]);
  });

  it('rejects a too-large order with a reason and takes nothing', async () => {
    const customer = await registerCustomer(request);
    const { products } = await createCatalog(request, adminToken, 1);
    const product = products[0]!;

    const { order } = await placeAndSettle(customer.accessToken, [
      { productId: product.id, quantity: product.stock + 1 },
    ]);

    expect(order.status).toBe('REJECTED');
    expect(order.rejectionReason).toBe(
      `${product.id}: not enough stock: ${product.stock + 1} requested, ${product.stock} available`,
    );
    expect(order.total).toBeNull();
    expect(await stockOf(product.id)).toBe(product.stock);
  });

  it('puts the stock back when a confirmed order is cancelled', async () => {
    const customer = await registerCustomer(request);
    const { products } = await createCatalog(request, adminToken, 1);
    const product = products[0]!;
    const { id } = await placeAndSettle(customer.accessToken, [
      { productId: product.id, quantity: 4 },
    ]);
    expect(await stockOf(product.id)).toBe(product.stock - 4);

    await request(CancelDocument, { id }, { token: customer.accessToken });

    expect(
      await until(
        () => stockOf(product.id),
        (stock) => stock === product.stock,
      ),
    ).toBe(product.stock);
  });
});
