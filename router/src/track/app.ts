/// <reference lib="dom" />
/**
 * The order-tracking page's script, bundled with graphql-ws by the router (no CDN): log in,
 * place an order or pick one, and watch its status change live.
 */
import { createClient, type Client } from 'graphql-ws';
import {
  loginMutation,
  placeOrderMutation,
  productsQuery,
  trackSubscription,
} from './operations.js';

const endpoint = '/graphql';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let token: string | undefined;
let client: Client | undefined;
let unsubscribe: (() => void) | undefined;

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data)
    throw new Error(body.errors?.map((error) => error.message).join('; ') ?? 'request failed');
  return body.data;
}

function show(message: string) {
  $('message').textContent = message;
}

interface TrackedOrder {
  id: string;
  status: string;
  total: { amountCents: number; currency: string } | null;
  rejectionReason: string | null;
  items: { quantity: number; product: { name: string } }[];
  history: { status: string; at: string; reason: string | null }[];
}

function render(order: TrackedOrder) {
  $('order').hidden = false;
  $('order-id').textContent = order.id;
  $('status').textContent = order.status;
  $('status').dataset.status = order.status;
  $('total').textContent = order.total
    ? `${(order.total.amountCents / 100).toFixed(2)} ${order.total.currency}`
    : '—';
  $('items').replaceChildren(
    ...order.items.map((item) =>
      Object.assign(document.createElement('li'), {
        textContent: `${item.quantity} × ${item.product.name}`,
      }),
    ),
  );
  $('history').replaceChildren(
    ...order.history.map((change) =>
      Object.assign(document.createElement('li'), {
        textContent: `${new Date(change.at).toLocaleTimeString()} ${change.status}${change.reason ? ` (${change.reason})` : ''}`,
      }),
    ),
  );
  if (order.rejectionReason) show(order.rejectionReason);
}

function track(orderId: string) {
  unsubscribe?.();
  client ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${endpoint}`,
    connectionParams: () => ({ authorization: `Bearer ${token}` }),
  });
  unsubscribe = client.subscribe<{ orderStatusChanged: TrackedOrder }>(
    {
      query: trackSubscription,
      variables: { id: orderId },
    },
    {
      next: ({ data, errors }) =>
        data ? render(data.orderStatusChanged) : show(errors?.[0]?.message ?? 'error'),
      error: () => show('The live connection ended; reload to track again.'),
      complete: () => undefined,
    },
  );
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { login } = await graphql<{ login: { accessToken: string; user: { name: string } } }>(
      loginMutation,
      {
        input: {
          email: $<HTMLInputElement>('email').value,
          password: $<HTMLInputElement>('password').value,
        },
      },
    );
    token = login.accessToken;
    $('who').textContent = login.user.name;
    $('login-form').hidden = true;
    $('actions').hidden = false;
    show('');
    await loadProducts();
  } catch (error) {
    show((error as Error).message);
  }
});

async function loadProducts() {
  const { products } = await graphql<{
    products: { edges: { node: { id: string; name: string } }[] };
  }>(productsQuery);
  $('product').replaceChildren(
    ...products.edges.map(({ node }) =>
      Object.assign(document.createElement('option'), { value: node.id, textContent: node.name }),
    ),
  );
}

$('place').addEventListener('click', async () => {
  try {
    const productId = $<HTMLSelectElement>('product').value;
    if (!productId) return show('Nothing is in stock.');
    const { placeOrder } = await graphql<{ placeOrder: { id: string } }>(placeOrderMutation, {
      input: { items: [{ productId, quantity: 1 }], idempotencyKey: crypto.randomUUID() },
    });
    track(placeOrder.id);
  } catch (error) {
    show((error as Error).message);
  }
});

$('track-form').addEventListener('submit', (event) => {
  event.preventDefault();
  track($<HTMLInputElement>('order-input').value.trim());
});
