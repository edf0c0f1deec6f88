import type { RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cartograph · order tracking</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1d232b; }
  h1 { font-size: 1.4rem; } form, #actions { display: flex; gap: .5rem; flex-wrap: wrap; margin: 1rem 0; }
  input { padding: .4rem; } button { padding: .4rem .9rem; cursor: pointer; }
  #status { font-size: 1.8rem; font-weight: 700; }
  #status[data-status="CONFIRMED"], #status[data-status="PAID"] { color: #1a7f37; }
  #status[data-status="SHIPPED"], #status[data-status="DELIVERED"] { color: #0969da; }
  #status[data-status="REJECTED"], #status[data-status="CANCELLED"] { color: #cf222e; }
  #message { color: #cf222e; min-height: 1.5em; }
</style>
</head>
<body>
<h1>Order tracking</h1>
<form id="login-form">
  <input id="email" type="email" placeholder="email" value="customer@cartograph.dev" required>
  <input id="password" type="password" placeholder="password" required>
  <button id="login" type="submit">Log in</button>
</form>
<div id="actions" hidden>
  <span>Signed in as <b id="who"></b></span>
  <select id="product" aria-label="product"></select>
  <button id="place" type="button">Place an order</button>
  <form id="track-form"><input id="order-input" placeholder="or an order id"><button type="submit">Track</button></form>
</div>
<p id="message" role="alert"></p>
<section id="order" hidden>
  <p>Order <code id="order-id"></code></p>
  <p id="status" aria-live="polite"></p>
  <p>Total: <span id="total"></span></p>
  <ul id="items"></ul>
  <h2>History</h2>
  <ol id="history"></ol>
</section>
<script src="/track/app.js"></script>
</body>
</html>`;

let bundle: Promise<string> | undefined;

/** The page's script with graphql-ws bundled in, built once on first request. */
function appBundle() {
  bundle ??= build({
    entryPoints: [fileURLToPath(new URL('../../src/track/app.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
  }).then((result) => result.outputFiles[0]!.text);
  return bundle;
}

/** `/track`: a small page to watch an order's status live, served by the router itself. */
export const trackingPage: RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
};

export const trackingScript: RequestListener = (_req, res) => {
  appBundle().then(
    (code) => {
      res.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=300',
      });
      res.end(code);
    },
    () => {
      bundle = undefined;
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('The tracking script could not be built');
    },
  );
};
