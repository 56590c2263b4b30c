import { TokenService } from '../../src/auth/tokens';

/* Verified tokens are kept by their text (issue 11): expiry still applies on every use, and nothing else is accepted. */

test('a kept token stops working at its expiry, with the same error as a fresh verification', async () => {
  const tokens = new TokenService('a-secret-for-this-test-only', 1);
  const token = await tokens.issue('6f1c1b9e-3f5c-4c59-9d7e-3a9f0d2b8c11');
  const first = await tokens.verify(token);
  expect(await tokens.verify(token)).toBe(first);
  // A one-second token: expired within two seconds.
  await new Promise((r) => setTimeout(r, 2100));
  await expect(tokens.verify(token)).rejects.toMatchObject({ message: 'Token expired: log in again', extensions: { code: 'UNAUTHENTICATED' } });
  // Still expired on the next use (it was dropped, and jose says so again).
  await expect(tokens.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
});

test('a token of another key or a changed token is refused even when a valid one is kept', async () => {
  const tokens = new TokenService('a-secret-for-this-test-only', 60);
  const other = new TokenService('another-secret-entirely', 60);
  const token = await tokens.issue('6f1c1b9e-3f5c-4c59-9d7e-3a9f0d2b8c11');
  await tokens.verify(token);
  await expect(other.verify(token)).rejects.toMatchObject({ message: 'Invalid token' });
  const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
  await expect(tokens.verify(tampered)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
});
