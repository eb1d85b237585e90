// A Function URL's CORS: which origins are allowed, what a preflight answers, what every answer carries.
import { allowedOrigin, corsHeaders, isPreflight, preflightResponse, withCors } from '../../src/router/url/cors.js';

const SHOP = 'https://shop.example.com';

it('echoes a listed origin (case aside), answers * for the wildcard, and the origin for the wildcard with credentials', () => {
  expect(allowedOrigin({ allowOrigins: [SHOP] }, SHOP)).toBe(SHOP);
  expect(allowedOrigin({ allowOrigins: [SHOP] }, 'https://SHOP.example.com')).toBe('https://SHOP.example.com');
  expect(allowedOrigin({ allowOrigins: [SHOP] }, 'https://evil.example')).toBeUndefined();
  expect(allowedOrigin({ allowOrigins: ['*'] }, 'https://any.example')).toBe('*');
  expect(allowedOrigin({ allowOrigins: ['*'], allowCredentials: true }, 'https://any.example')).toBe('https://any.example');
  expect(allowedOrigin({ allowOrigins: ['*'] }, undefined)).toBeUndefined();
  expect(allowedOrigin({}, SHOP)).toBeUndefined();
});

it('tells a preflight (OPTIONS with Origin and Access-Control-Request-Method) from a plain OPTIONS', () => {
  expect(isPreflight('OPTIONS', { origin: SHOP, 'access-control-request-method': 'POST' })).toBe(true);
  expect(isPreflight('OPTIONS', { origin: SHOP })).toBe(false);
  expect(isPreflight('OPTIONS', { 'access-control-request-method': 'POST' })).toBe(false);
  expect(isPreflight('GET', { origin: SHOP, 'access-control-request-method': 'POST' })).toBe(false);
});

it('answers a preflight with the configured methods, headers and max age, to an allowed origin only', () => {
  const cors = { allowOrigins: [SHOP], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type', 'x-api-key'], maxAge: 600, allowCredentials: true, exposeHeaders: ['x-id'] };
  const r = preflightResponse(cors, SHOP);
  expect(r.statusCode).toBe(200);
  expect(r.body.length).toBe(0);
  expect(r.headers).toEqual([
    ['Access-Control-Allow-Origin', SHOP], ['Vary', 'Origin'], ['Access-Control-Allow-Credentials', 'true'], ['Access-Control-Expose-Headers', 'x-id'],
    ['Access-Control-Allow-Methods', 'GET,POST'], ['Access-Control-Allow-Headers', 'content-type,x-api-key'], ['Access-Control-Max-Age', '600'],
  ]);
  expect(preflightResponse(cors, 'https://evil.example').headers).toEqual([]);
});

it('leaves out a header whose list is empty or missing', () => {
  expect(preflightResponse({ allowOrigins: ['*'], allowMethods: [] }, SHOP).headers).toEqual([['Access-Control-Allow-Origin', '*']]);
  expect(corsHeaders({ exposeHeaders: ['x-id'] }, SHOP)).toEqual([]);
});

it("puts the configured headers on a function's answer in place of its own of the same names", () => {
  const res = { statusCode: 200, headers: [['access-control-allow-origin', 'https://other.example'], ['x-a', '1']] as Array<[string, string]>, body: Buffer.from('ok') };
  expect(withCors(res, { allowOrigins: [SHOP] }, SHOP).headers).toEqual([['x-a', '1'], ['Access-Control-Allow-Origin', SHOP], ['Vary', 'Origin']]);
  // no configuration, or an origin not allowed: the function's answer as it was
  expect(withCors(res, undefined, SHOP)).toBe(res);
  expect(withCors(res, { allowOrigins: [SHOP] }, 'https://evil.example')).toBe(res);
});
