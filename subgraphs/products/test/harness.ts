import { randomUUID } from 'node:crypto';
import { signTestToken, startSubgraphInProcess, subgraphTestRun } from '@cartograph/shared/testing';
import { inject } from 'vitest';
import { createProductsService } from '../src/service.js';
import { graphql } from './__generated__/gql.js';

/**
 * The products subgraph on a free port over this run's database, as `index.ts` builds it: its
 * outbox relay and stock-request consumer run on this run's Redis prefix. Resolvers count their
 * SQL; the event flow has its own client, so its polling never shows in the counts.
 */
export async function startProductsSubgraph() {
  const { service, keys, ...started } = await startSubgraphInProcess(
    createProductsService,
    subgraphTestRun(inject),
  );
  const token = (role: 'CUSTOMER' | 'ADMIN') =>
    signTestToken(keys.privateKeyPem, { sub: randomUUID(), role });
  return {
    ...started,
    stockChanges: service.stockChanges,
    db: service.db,
    events: service.events,
    adminToken: await token('ADMIN'),
    customerToken: await token('CUSTOMER'),
    stop: service.stop,
  };
}

export type ProductsSubgraph = Awaited<ReturnType<typeof startProductsSubgraph>>;

/**
 * Waits until the relay has put every event about `productId` on its stream, so that a
 * subscription opened afterwards starts behind them (creating a product announces its stock).
 */
export async function eventsPublished(subgraph: ProductsSubgraph, productId: string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const pending = await subgraph.db.outboxEvent.count({
      where: { key: productId, publishedAt: null },
    });
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`events about product ${productId} were not published within 10 s`);
}

export const unique = () => randomUUID().slice(0, 8);

/** The NEWEST order: created last first, ties broken by id, as the subgraph sorts. */
export const newestFirst = <T extends { id: string; createdAt: string }>(products: T[]) =>
  [...products].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );

export const CreateCategoryDocument = graphql(`
  mutation CreateCategory($input: CreateCategoryInput!) {
    createCategory(input: $input) {
      id
      name
      slug
    }
  }
`);

export const CreateProductDocument = graphql(`
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      id
      sku
      name
      description
      price {
        amountCents
        currency
      }
      stock
      inStock
      category {
        id
        name
      }
      createdAt
    }
  }
`);

export async function createCategory(subgraph: ProductsSubgraph, name = `Category ${unique()}`) {
  const { data, errors } = await subgraph.request(
    CreateCategoryDocument,
    { input: { name, slug: `cat-${unique()}` } },
    { token: subgraph.adminToken },
  );
  if (!data) throw new Error(`createCategory failed: ${JSON.stringify(errors)}`);
  return data.createCategory;
}

export interface ProductSpec {
  name?: string;
  description?: string | null;
  priceCents?: number;
  stock?: number;
  categoryId?: string | null;
  sku?: string;
}

export async function createProduct(subgraph: ProductsSubgraph, spec: ProductSpec = {}) {
  const { data, errors } = await subgraph.request(
    CreateProductDocument,
    {
      input: {
        sku: spec.sku ?? `SKU-${unique()}`,
        name: spec.name ?? `Product ${unique()}`,
        description: spec.description,
        priceCents: spec.priceCents ?? 1999,
        stock: spec.stock ?? 10,
        categoryId: spec.categoryId,
      },
    },
    { token: subgraph.adminToken },
  );
  if (!data) throw new Error(`createProduct failed: ${JSON.stringify(errors)}`);
  return data.createProduct;
}
