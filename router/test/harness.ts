import { randomUUID } from 'node:crypto';
import { createGraphQLClient } from '@cartograph/shared/testing';
import { inject } from 'vitest';
import { graphql } from './__generated__/gql.js';

/** A client of the router, the only door a user of the supergraph knows. */
export const router = () => createGraphQLClient(`${inject('routerUrl')}/graphql`);

export type RouterClient = ReturnType<typeof router>;

export const RegisterDocument = graphql(`
  mutation E2ERegister($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      refreshToken
      expiresIn
      user {
        id
        email
        name
      }
    }
  }
`);

export const LoginDocument = graphql(`
  mutation E2ELogin($input: LoginInput!) {
    login(input: $input) {
      accessToken
      refreshToken
      user {
        id
        role
      }
    }
  }
`);

export async function registerCustomer(request: RouterClient, name = 'Ada Customer') {
  const email = `e2e-${randomUUID()}@example.test`;
  const password = `pw-${randomUUID()}`;
  const { data, errors } = await request(RegisterDocument, { input: { email, password, name } });
  if (!data) throw new Error(`register failed: ${JSON.stringify(errors)}`);
  return { ...data.register, email, password };
}

/** Logs in as the admin the test setup seeded. */
export async function loginAdmin(request: RouterClient) {
  const { data, errors } = await request(LoginDocument, { input: inject('admin') });
  if (!data) throw new Error(`admin login failed: ${JSON.stringify(errors)}`);
  return data.login;
}

export const CreateCategoryDocument = graphql(`
  mutation E2ECreateCategory($input: CreateCategoryInput!) {
    createCategory(input: $input) {
      id
      name
      slug
    }
  }
`);

export const CreateProductDocument = graphql(`
  mutation E2ECreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      id
      sku
      name
      price {
        amountCents
        currency
      }
      stock
      category {
        id
      }
    }
  }
`);

/** A fresh category with `count` products in it, made through the router by an admin. */
export async function createCatalog(request: RouterClient, token: string, count: number) {
  const suffix = randomUUID().slice(0, 8);
  const category = await request(
    CreateCategoryDocument,
    { input: { name: `Category ${suffix}`, slug: `category-${suffix}` } },
    { token },
  );
  if (!category.data) throw new Error(`createCategory failed: ${JSON.stringify(category.errors)}`);
  const products = [];
  for (let i = 0; i < count; i++) {
    const { data, errors } = await request(
      CreateProductDocument,
      {
        input: {
          sku: `SKU-${suffix}-${i}`,
          name: `Product ${suffix} ${i}`,
          priceCents: 1000 + i,
          stock: 10 + i,
          categoryId: category.data.createCategory.id,
        },
      },
      { token },
    );
    if (!data) throw new Error(`createProduct failed: ${JSON.stringify(errors)}`);
    products.push(data.createProduct);
  }
  return { category: category.data.createCategory, products };
}
