/**
 * The tracking page's operations, sent exactly as written here: `npm run trusted-documents` puts
 * these texts in the manifest, so /track keeps working when the router runs only trusted documents.
 */
export const loginMutation =
  'mutation Login($input: LoginInput!) { login(input: $input) { accessToken user { name } } }';

export const productsQuery =
  '{ products(first: 50, filter: { inStock: true }) { edges { node { id name } } } }';

export const placeOrderMutation =
  'mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';

export const trackSubscription = `subscription Track($id: ID!) {
  orderStatusChanged(orderId: $id) {
    id status rejectionReason
    total { amountCents currency }
    items { quantity product { name } }
    history { status at reason }
  }
}`;
