import { randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  createCategory,
  CreateCategoryDocument,
  createProduct,
  CreateProductDocument,
  startProductsSubgraph,
  unique,
  type ProductsSubgraph,
} from './harness.js';

const UpdateProductDocument = graphql(`
  mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {
    updateProduct(id: $id, input: $input) {
      id
      name
      description
      price {
        amountCents
      }
      category {
        id
      }
    }
  }
`);

const DeleteProductDocument = graphql(`
  mutation DeleteProduct($id: ID!) {
    deleteProduct(id: $id)
  }
`);

let subgraph: ProductsSubgraph;
beforeAll(async () => {
  subgraph = await startProductsSubgraph();
});
afterAll(() => subgraph.stop());

describe('Mutation.createCategory', () => {
  it('creates a category', async () => {
    const slug = `garden-${unique()}`;

    const { data } = await subgraph.request(
      CreateCategoryDocument,
      { input: { name: ' Garden ', slug } },
      { token: subgraph.adminToken },
    );

    expect(data?.createCategory).toEqual({ id: expect.any(String), name: 'Garden', slug });
  });

  it('refuses a slug that is taken with CONFLICT', async () => {
    const slug = `taken-${unique()}`;
    await subgraph.request(
      CreateCategoryDocument,
      { input: { name: 'A', slug } },
      { token: subgraph.adminToken },
    );

    const again = await subgraph.request(
      CreateCategoryDocument,
      { input: { name: 'B', slug } },
      { token: subgraph.adminToken },
    );

    expect(errorCodes(again)).toEqual(['CONFLICT']);
  });

  it.each([
    ['a slug with capitals', { slug: 'Garden' }, 'slug'],
    ['a slug with spaces', { slug: 'my garden' }, 'slug'],
    ['a slug over 64 characters', { slug: 'a'.repeat(65) }, 'slug'],
    ['a blank name', { name: '  ' }, 'name'],
    ['a name over 100 characters', { name: 'n'.repeat(101) }, 'name'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, override, field) => {
    const result = await subgraph.request(
      CreateCategoryDocument,
      { input: { name: 'Fine', slug: `fine-${unique()}`, ...override } },
      { token: subgraph.adminToken },
    );

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
  });

  it('is FORBIDDEN for a customer and UNAUTHENTICATED for an anonymous caller', async () => {
    const input = { name: 'Nope', slug: `nope-${unique()}` };

    expect(
      errorCodes(
        await subgraph.request(
          CreateCategoryDocument,
          { input },
          { token: subgraph.customerToken },
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(errorCodes(await subgraph.request(CreateCategoryDocument, { input }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('Mutation.createProduct', () => {
  it('creates a product in a category and records its initial stock in the ledger', async () => {
    const category = await createCategory(subgraph, 'Kitchen');
    const sku = `KETTLE-${unique()}`;

    const product = await createProduct(subgraph, {
      sku: ` ${sku} `,
      name: 'Kettle',
      description: '  ',
      priceCents: 4599,
      stock: 7,
      categoryId: category.id,
    });

    expect(product).toEqual({
      id: expect.any(String),
      sku,
      name: 'Kettle',
      description: null,
      price: { amountCents: 4599, currency: 'USD' },
      stock: 7,
      inStock: true,
      category: { id: category.id, name: 'Kitchen' },
      createdAt: expect.any(String),
    });
    const ledger = await subgraph.db.stockMovement.findMany({ where: { productId: product.id } });
    expect(ledger).toMatchObject([{ delta: 7, stockAfter: 7, reason: 'created' }]);
  });

  it('refuses a SKU that is taken with CONFLICT', async () => {
    const sku = `DUP-${unique()}`;
    await createProduct(subgraph, { sku });

    const again = await subgraph.request(
      CreateProductDocument,
      { input: { sku, name: 'Other', priceCents: 100, stock: 1 } },
      { token: subgraph.adminToken },
    );

    expect(errorCodes(again)).toEqual(['CONFLICT']);
  });

  it.each([
    ['a price of 0', { priceCents: 0 }, 'priceCents'],
    ['a negative price', { priceCents: -100 }, 'priceCents'],
    ['a price over the maximum', { priceCents: 100_000_001 }, 'priceCents'],
    ['a negative stock', { stock: -1 }, 'stock'],
    ['a stock over the maximum', { stock: 1_000_000_001 }, 'stock'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name with NUL, which Postgres text cannot hold', { name: 'a\u0000b' }, 'input'],
    ['a SKU with spaces', { sku: 'A B' }, 'sku'],
    ['an empty SKU', { sku: ' ' }, 'sku'],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
    ['a description over 5000 characters', { description: 'd'.repeat(5001) }, 'description'],
    ['an unknown category', { categoryId: randomUUID() }, 'categoryId'],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_case, override, field) => {
    const sku = `BAD-${unique()}`;

    const result = await subgraph.request(
      CreateProductDocument,
      { input: { sku, name: 'Thing', priceCents: 100, stock: 1, ...override } },
      { token: subgraph.adminToken },
    );

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
    expect(await subgraph.db.product.count({ where: { sku } })).toBe(0);
  });

  it('refuses a price beyond a 32-bit Int before running anything', async () => {
    const result = await subgraph.request(
      CreateProductDocument,
      { input: { sku: `BIG-${unique()}`, name: 'Big', priceCents: 2 ** 40, stock: 1 } },
      { token: subgraph.adminToken },
    );

    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('is FORBIDDEN for a customer and UNAUTHENTICATED for an anonymous caller', async () => {
    const input = { sku: `C-${unique()}`, name: 'X', priceCents: 100, stock: 1 };

    const asCustomer = await subgraph.request(
      CreateProductDocument,
      { input },
      { token: subgraph.customerToken },
    );
    const anonymous = await subgraph.request(CreateProductDocument, { input });

    expect(errorCodes(asCustomer)).toEqual(['FORBIDDEN']);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(await subgraph.db.product.count({ where: { sku: input.sku } })).toBe(0);
  });
});

describe('Mutation.updateProduct', () => {
  it('changes the given fields and clears the category with null', async () => {
    const category = await createCategory(subgraph);
    const product = await createProduct(subgraph, { categoryId: category.id, description: 'Old' });

    const { data } = await subgraph.request(
      UpdateProductDocument,
      { id: product.id, input: { name: 'Renamed', priceCents: 2500, categoryId: null } },
      { token: subgraph.adminToken },
    );

    expect(data?.updateProduct).toEqual({
      id: product.id,
      name: 'Renamed',
      description: 'Old',
      price: { amountCents: 2500 },
      category: null,
    });
  });

  it('clears the description with a blank one', async () => {
    const product = await createProduct(subgraph, { description: 'Old' });

    const { data } = await subgraph.request(
      UpdateProductDocument,
      { id: product.id, input: { description: '  ' } },
      { token: subgraph.adminToken },
    );

    expect(data?.updateProduct).toMatchObject({ id: product.id, description: null });
  });

  it.each([
    ['an empty input', {}, 'input'],
    ['a null name', { name: null }, 'name'],
    ['a price of 0', { priceCents: 0 }, 'priceCents'],
    ['an unknown category', { categoryId: randomUUID() }, 'categoryId'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, input, field) => {
    const product = await createProduct(subgraph);

    const result = await subgraph.request(
      UpdateProductDocument,
      { id: product.id, input },
      { token: subgraph.adminToken },
    );

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
  });

  it('is NOT_FOUND for a missing product, even a weird id', async () => {
    for (const id of [randomUUID(), 'x', 'é'.repeat(5000)]) {
      const result = await subgraph.request(
        UpdateProductDocument,
        { id, input: { name: 'X' } },
        { token: subgraph.adminToken },
      );

      expect(errorCodes(result), id.slice(0, 40)).toEqual(['NOT_FOUND']);
    }
  });

  it('is FORBIDDEN for a customer and UNAUTHENTICATED for an anonymous caller', async () => {
    const product = await createProduct(subgraph, { name: 'Unchanged' });
    const variables = { id: product.id, input: { name: 'X' } };

    const asCustomer = await subgraph.request(UpdateProductDocument, variables, {
      token: subgraph.customerToken,
    });
    const anonymous = await subgraph.request(UpdateProductDocument, variables);

    expect(errorCodes(asCustomer)).toEqual(['FORBIDDEN']);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(
      await subgraph.db.product.findUniqueOrThrow({ where: { id: product.id } }),
    ).toMatchObject({ name: 'Unchanged' });
  });
});

describe('Mutation.deleteProduct', () => {
  it('archives the product, and doing it again changes nothing', async () => {
    const product = await createProduct(subgraph);

    const first = await subgraph.request(
      DeleteProductDocument,
      { id: product.id },
      { token: subgraph.adminToken },
    );
    const archived = await subgraph.db.product.findUniqueOrThrow({ where: { id: product.id } });
    const second = await subgraph.request(
      DeleteProductDocument,
      { id: product.id },
      { token: subgraph.adminToken },
    );

    expect(first.data?.deleteProduct).toBe(true);
    expect(second.data?.deleteProduct).toBe(true);
    expect(archived.archivedAt).toBeInstanceOf(Date);
    expect(
      (await subgraph.db.product.findUniqueOrThrow({ where: { id: product.id } })).archivedAt,
    ).toEqual(archived.archivedAt);
  });

  it('is NOT_FOUND for a missing product, even a weird id, and refuses non-admins', async () => {
    const product = await createProduct(subgraph);

    for (const id of [randomUUID(), 'x', 'é'.repeat(5000)]) {
      expect(
        errorCodes(
          await subgraph.request(DeleteProductDocument, { id }, { token: subgraph.adminToken }),
        ),
      ).toEqual(['NOT_FOUND']);
    }
    expect(
      errorCodes(
        await subgraph.request(
          DeleteProductDocument,
          { id: product.id },
          { token: subgraph.customerToken },
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(errorCodes(await subgraph.request(DeleteProductDocument, { id: product.id }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(
      (await subgraph.db.product.findUniqueOrThrow({ where: { id: product.id } })).archivedAt,
    ).toBeNull();
  });
});
