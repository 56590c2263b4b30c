import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { RAW_BODY_MIN_BYTES, rawBody } from '../../src/http/rawBody';
import type { ContentSink } from '../../src/services/evidence/evidenceStore';

/**
 * The raw body reader against a real Node HTTP server and real sockets: what it hands to the sink is exactly the
 * body, whatever the sink's pace; it closes the connection after a raw read; it falls back to the stream for
 * small or chunked bodies; after an error it drains the body so that the client reads the answer.
 */

/** A sink that collects bytes in small slots and makes the reader wait for space every `stallEvery` slots. */
class SlowSink implements ContentSink {
  readonly parts: Buffer[] = [];
  stalls = 0;
  private slot: Buffer | null = Buffer.alloc(256 << 10);
  private filled = 0;
  private waiting: (() => void) | null = null;
  private slots = 0;
  constructor(private readonly stallEvery: number, private readonly failAt = Infinity) {}
  private get size() { return this.parts.reduce((n, p) => n + p.length, 0) + this.filled; }
  space(): Buffer | null { return this.slot ? this.slot.subarray(this.filled) : null; }
  commit(n: number): void {
    if (this.size + n > this.failAt) throw new Error('disk full');
    this.filled += n;
    if (this.filled === this.slot!.length) {
      this.parts.push(Buffer.from(this.slot!));
      this.filled = 0;
      if (++this.slots % this.stallEvery === 0) {
        this.slot = null;
        this.stalls++;
        setTimeout(() => { this.slot = Buffer.alloc(256 << 10); this.waiting?.(); this.waiting = null; }, 5);
      }
    }
  }
  whenSpace(): Promise<void> { return this.slot ? Promise.resolve() : new Promise((r) => { this.waiting = r; }); }
  async write(chunk: Buffer): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const s = this.space();
      if (!s) { await this.whenSpace(); continue; }
      const n = chunk.copy(s, 0, off);
      this.commit(n);
      off += n;
    }
  }
  bytes(): Buffer { return Buffer.concat([...this.parts, this.slot ? this.slot.subarray(0, this.filled) : Buffer.alloc(0)]); }
}

let server: http.Server;
let port: number;
let handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

beforeAll(async () => {
  server = http.createServer((req, res) => { handle(req, res).catch((e) => { res.statusCode = 500; res.end(String(e)); }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

/** Sends a request over a raw socket in pieces (headers and the first body bytes together), returns the answer. */
function send(head: string, body: Buffer, opts: { pieces?: number; cut?: number } = {}): Promise<{ status: number; headers: string; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => { got += d.toString('latin1'); });
    sock.on('error', (e) => (opts.cut !== undefined ? undefined : reject(e)));
    sock.on('close', () => {
      const [headers, text = ''] = got.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 0), headers: headers ?? '', text });
    });
    const end = opts.cut ?? body.length;
    const pieces = opts.pieces ?? 7;
    const step = Math.ceil(end / pieces);
    // The headers go with the first 10,000 body bytes: the parser hands those to the request before the takeover.
    sock.write(Buffer.concat([Buffer.from(head, 'latin1'), body.subarray(0, Math.min(10000, end))]));
    let at = Math.min(10000, end);
    const next = () => {
      if (at >= end) { if (opts.cut !== undefined) sock.destroy(); return; }
      const to = Math.min(end, at + step);
      sock.write(body.subarray(at, to), () => setTimeout(next, 2));
      at = to;
    };
    setTimeout(next, 20);
  });
}

const headFor = (length: number | null) => `POST /x HTTP/1.1\r\nHost: x\r\n${length === null ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`}\r\n\r\n`;

test.each([30, 0])('a large body reaches the sink byte for byte past the parser, across the sink\'s stalls (handler reads after %i ms)', async (delay) => {
  const body = crypto.randomBytes(3 * RAW_BODY_MIN_BYTES + 12345);
  const sink = new SlowSink(3);
  let raw = false;
  let later: Promise<void> = Promise.resolve();
  handle = async (req, res) => {
    const feed = rawBody(req, Number(req.headers['content-length']), () => { raw = true; });
    expect(feed).not.toBeNull();
    // The route awaits the permission check before reading (the parser keeps filling the request meanwhile);
    // a handler that reads at once runs inside the parser's call, before it pushed the bytes that came along.
    if (delay) await new Promise((r) => setTimeout(r, delay));
    later = feed!(sink);
    await later;
    res.setHeader('connection', 'close');
    res.end('ok');
  };
  const r = await send(headFor(body.length), body);
  await later;
  expect(r.status).toBe(200);
  expect(r.text).toBe('ok');
  expect(raw).toBe(true);
  expect(sink.stalls).toBeGreaterThan(2);
  expect(sink.bytes().equals(body)).toBe(true);
});

test('a small body, or a chunked one, is read as a stream (the parser, keep-alive)', async () => {
  for (const length of [1000, null]) {
    const body = crypto.randomBytes(length ?? 2 * RAW_BODY_MIN_BYTES);
    let feed: unknown = 'unset';
    handle = async (req, res) => {
      feed = rawBody(req, length, () => undefined);
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      res.setHeader('connection', 'close');
      res.end(crypto.createHash('sha256').update(Buffer.concat(parts)).digest('hex'));
    };
    const wire = length === null ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
    const r = await send(headFor(length), wire);
    expect(feed).toBeNull();
    expect(r.text).toBe(crypto.createHash('sha256').update(body).digest('hex'));
  }
});

test('when the sink fails, the rest of the body is drained so that the client reads the answer', async () => {
  const body = crypto.randomBytes(4 * RAW_BODY_MIN_BYTES);
  const sink = new SlowSink(1000, RAW_BODY_MIN_BYTES);
  handle = async (req, res) => {
    const feed = rawBody(req, body.length, () => undefined)!;
    await expect(feed(sink)).rejects.toThrow('disk full');
    res.statusCode = 507;
    res.setHeader('connection', 'close');
    res.end('refused');
  };
  const r = await send(headFor(body.length), body);
  expect(r.status).toBe(507);
  expect(r.text).toBe('refused');
});

test('a client that goes away mid-body fails the read (no hang)', async () => {
  const body = crypto.randomBytes(4 * RAW_BODY_MIN_BYTES);
  const sink = new SlowSink(1000);
  let outcome: Promise<unknown> = Promise.resolve();
  handle = async (req) => {
    outcome = rawBody(req, body.length, () => undefined)!(sink).then(() => 'resolved', (e: Error) => e.message);
    await outcome;
  };
  await send(headFor(body.length), body, { cut: RAW_BODY_MIN_BYTES + 5000 });
  expect(await outcome).toMatch(/closed the connection/);
  expect(sink.bytes().length).toBeLessThan(body.length);
});
