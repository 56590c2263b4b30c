import path from 'node:path';
import express, { type Request, type Router } from 'express';

/**
 * A local GraphiQL for browsers at `GET /graphql`, served entirely by the hub from npm packages (the
 * `graphiql` package's UMD bundle and React's UMD builds): deployments are often offline, and a page that
 * holds a bearer token must not load third-party scripts. The content security policy (security.ts)
 * forbids any other origin. A small login bar gets a token for the demo users and sends it as
 * `Authorization: Bearer …` (kept in sessionStorage, so it ends with the tab).
 */
export function graphiqlRouter(): Router {
  const router = express.Router();
  const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));
  const files: Record<string, { file?: string; body?: string; type: string }> = {
    'react.production.min.js': { file: path.join(packageDir('react'), 'umd/react.production.min.js'), type: 'text/javascript' },
    'react-dom.production.min.js': { file: path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript' },
    'graphiql.min.js': { file: require.resolve('graphiql/graphiql.min.js'), type: 'text/javascript' },
    'graphiql.min.css': { file: require.resolve('graphiql/graphiql.min.css'), type: 'text/css' },
    'hub.js': { body: HUB_JS, type: 'text/javascript' },
    'hub.css': { body: HUB_CSS, type: 'text/css' },
  };
  router.get('/graphiql/:file', (req, res, next) => {
    const asset = files[req.params.file];
    if (!asset) return next();
    res.type(asset.type).set('cache-control', 'public, max-age=3600');
    if (asset.body !== undefined) res.send(asset.body);
    else res.sendFile(asset.file!);
  });
  router.get('/graphql', (req, res, next) => {
    if (!wantsPage(req)) return next();
    res.type('html').set('cache-control', 'no-store').send(PAGE);
  });
  return router;
}

/** A browser navigating to the endpoint (HTML preferred, no operation in the URL). */
function wantsPage(req: Request): boolean {
  if (req.query.query !== undefined) return false;
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

// Relative URLs, so that the page also works behind a path prefix.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BKB Hub · GraphiQL</title>
<link rel="stylesheet" href="graphiql/graphiql.min.css">
<link rel="stylesheet" href="graphiql/hub.css">
</head>
<body>
<form id="login" autocomplete="on">
  <strong>BKB Hub</strong>
  <span id="who">not signed in: schema and data need a login</span>
  <input id="email" type="email" name="email" placeholder="coordinator@demo.bkb" list="demo-users" required>
  <datalist id="demo-users">
    <option value="coordinator@demo.bkb"><option value="case_worker@demo.bkb"><option value="case_worker2@demo.bkb">
    <option value="investigator@demo.bkb"><option value="centre_coordinator@demo.bkb"><option value="specialist@demo.bkb">
    <option value="analyst@demo.bkb"><option value="org_admin@demo.bkb">
  </datalist>
  <input id="password" type="password" name="password" placeholder="password (demo: bkb-demo)" required>
  <button type="submit">Log in</button>
  <button type="button" id="logout">Log out</button>
  <span id="status" role="status"></span>
</form>
<div id="graphiql">Loading GraphiQL…</div>
<script src="graphiql/react.production.min.js"></script>
<script src="graphiql/react-dom.production.min.js"></script>
<script src="graphiql/graphiql.min.js"></script>
<script src="graphiql/hub.js"></script>
</body>
</html>
`;

const HUB_CSS = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
#login { display: flex; gap: .5rem; align-items: center; padding: .4rem .75rem; border-bottom: 1px solid #ddd; font-size: 14px; flex-wrap: wrap; }
#login input { padding: .2rem .4rem; }
#who { color: #555; }
#status { color: #b00020; }
#graphiql { flex: 1; min-height: 0; }
`;

const HUB_JS = `(function () {
  'use strict';
  var endpoint = window.location.pathname;
  var KEY = 'bkb-hub-token';
  var EMAIL = 'bkb-hub-email';
  var generation = 0;
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));

  function post(body, headers) {
    var h = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    var token = sessionStorage.getItem(KEY);
    if (token) h.authorization = 'Bearer ' + token;
    for (var k in headers || {}) h[k] = headers[k];
    return fetch(endpoint, { method: 'POST', headers: h, body: JSON.stringify(body) }).then(function (r) { return r.json(); });
  }

  function render() {
    var email = sessionStorage.getItem(EMAIL);
    document.getElementById('who').textContent = email ? 'signed in as ' + email : 'not signed in: schema and data need a login';
    generation += 1;
    // A new key after each login or logout: GraphiQL starts again and fetches the schema with the new token.
    root.render(React.createElement(GraphiQL, {
      key: 'g' + generation,
      fetcher: function (params, opts) { return post(params, opts && opts.headers); },
      defaultQuery: '# Log in above, then try:\\n{\\n  me { email roles organization { name } }\\n  cases(first: 5) { totalCount edges { node { id status child { givenName familyName } } } }\\n}\\n',
    }));
  }

  document.getElementById('login').addEventListener('submit', function (e) {
    e.preventDefault();
    var email = document.getElementById('email').value;
    var password = document.getElementById('password').value;
    var status = document.getElementById('status');
    status.textContent = '';
    sessionStorage.removeItem(KEY);
    post({ query: 'mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', variables: { e: email, p: password } })
      .then(function (res) {
        if (res.data && res.data.login) {
          sessionStorage.setItem(KEY, res.data.login.token);
          sessionStorage.setItem(EMAIL, email);
          document.getElementById('password').value = '';
          render();
        } else {
          var err = (res.errors && res.errors[0]) || { message: 'Login failed' };
          var retry = err.extensions && err.extensions.retryAfter;
          status.textContent = err.message + (retry ? ' (retry in ' + retry + ' s)' : '');
        }
      })
      .catch(function (err) { status.textContent = String(err); });
  });
  document.getElementById('logout').addEventListener('click', function () {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(EMAIL);
    render();
  });
  render();
})();
`;
