import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { ContentSink } from '../services/evidence/evidenceStore';

/**
 * Reading a large request body past Node's HTTP parser.
 *
 * The parser copies every body chunk it sees (≤ 64 KiB, one socket read) into a new Buffer: for a 1 GiB upload
 * that is 16,384 fresh external allocations, which V8 answers with ~35 mark-compacts of the whole heap (about
 * a third of the hub's CPU per GiB, docs/icc.md). For a `Content-Length` body on a plain TCP socket this takes
 * the socket away from the parser once the headers are parsed and reads the body itself (net.Socket's `onread`
 * mechanism): the reads land straight in the free part of the store's current block, no allocation and no copy
 * per read (a read that finds the store's blocks all queued lands in a spill buffer and is copied later).
 *
 * Node offers `onread` for client sockets only; taking over a server socket uses parts of Node that are not
 * public API (the parser's `unconsume`, the handle's `useUserBuffer`, net.Socket's `kBuffer` symbols). Each is
 * checked before use: when one is missing (another Node version, TLS, a chunked body, a parser that already saw
 * the whole body) `takeOver` returns null and the caller reads the request as a stream, as before. The parser
 * never sees the rest of this request, so the connection cannot carry another one: the response must close it
 * (`Connection: close`, set by `closeAfterResponse`).
 */

/** Bodies below this size go through the parser (keep-alive kept; the per-chunk cost does not matter). */
export const RAW_BODY_MIN_BYTES = 1 << 20;
/** The spill buffer: one socket read at most when the store has no free space. */
const READ_BUFFER = 1 << 20;

type Internals = { kBuffer: symbol; kBufferCb: symbol; kBufferGen: symbol };
let internals: Internals | null | undefined;

/** net.Socket's own symbols for `onread` (a socket created here has them as own properties), or null. */
function socketInternals(): Internals | null {
  if (internals !== undefined) return internals;
  const probe = new net.Socket();
  const bySymbol = new Map(Object.getOwnPropertySymbols(probe).map((s) => [s.description, s]));
  const kBuffer = bySymbol.get('kBuffer');
  const kBufferCb = bySymbol.get('kBufferCb');
  const kBufferGen = bySymbol.get('kBufferGen');
  probe.destroy();
  internals = kBuffer && kBufferCb && kBufferGen ? { kBuffer, kBufferCb, kBufferGen } : null;
  return internals;
}

type ServerSocket = net.Socket & {
  _handle?: { useUserBuffer?: (b: Buffer) => void; reading?: boolean } | null;
  parser?: { unconsume?: () => void; _consumed?: boolean; incoming?: unknown } | null;
  _paused?: boolean;
  encrypted?: boolean;
  [k: symbol]: unknown;
};

/** Whether this request's body can be read past the parser (see above). */
function eligible(req: IncomingMessage, length: number): boolean {
  const socket = req.socket as ServerSocket;
  return length >= RAW_BODY_MIN_BYTES
    && req.headers['transfer-encoding'] === undefined
    && !req.complete && !req.readableEnded && req.readableFlowing !== true
    && socket instanceof net.Socket && !socket.encrypted && !socket.destroyed && socket._paused === false
    && typeof socket._handle?.useUserBuffer === 'function'
    && socket.parser?._consumed === true && typeof socket.parser.unconsume === 'function' && socket.parser.incoming === req
    && socketInternals() !== null;
}

/**
 * A body reader for the store (`ContentSource`) that reads `length` bytes straight from the socket, or null when
 * the request must be read as a stream. It checks again when the store calls it (the route awaits the
 * permission check first) and falls back to the stream then too.
 */
export function rawBody(req: IncomingMessage, length: number | null, onTakeOver: () => void): ((sink: ContentSink) => Promise<void>) | null {
  if (length === null || !eligible(req, length)) return null;
  return async (sink) => {
    // Not from inside the parser's own call (a handler that reads at once runs while the parser still holds the
    // rest of the bytes that came with the headers, which it then pushes into the request): after it returns.
    await new Promise((resolve) => setImmediate(resolve));
    if (!eligible(req, length)) {
      for await (const chunk of req) await sink.write(chunk as Buffer);
      return;
    }
    onTakeOver();
    await readPastParser(req, length, sink);
  };
}

function readPastParser(req: IncomingMessage, length: number, sink: ContentSink): Promise<void> {
  const socket = req.socket as ServerSocket;
  const { kBuffer, kBufferCb, kBufferGen } = socketInternals()!;
  // What the parser already handed to the request (it arrived with the headers): take it first.
  const head: Buffer[] = [];
  for (let c = req.read() as Buffer | null; c !== null; c = req.read() as Buffer | null) head.push(c);
  // Detach the parser from the socket the way Node does when a 'data' listener is added to it, and drop the
  // server's pause/resume hooks for the parser-consumed socket (net.Socket's own pause/resume now stop and
  // start reads in the `onread` mode).
  socket.parser!.unconsume!();
  socket.parser!._consumed = false;
  for (const ev of ['pause', 'resume'] as const) {
    for (const fn of socket.listeners(ev)) if ((fn as { name?: string }).name === (ev === 'pause' ? 'onSocketPause' : 'onSocketResume')) socket.removeListener(ev, fn as () => void);
  }
  // Reads land straight in the sink's free space (no copy); when the sink has none, or once the body has ended,
  // in this spill buffer of the upload's own, never in a block that may go back to the shared pool.
  const spill = Buffer.allocUnsafeSlow(READ_BUFFER);
  let received = 0;
  // Bytes of the last read that did not fit into the sink: reading stops until they are written.
  let pending: { from: number; to: number } | null = null;
  let state: 'reading' | 'draining' | 'done' = 'reading';

  return new Promise<void>((resolve, reject) => {
    const finish = (e?: Error): void => {
      if (state === 'done') return;
      state = 'done';
      socket.removeListener('close', onClose);
      if (e) reject(e); else resolve();
    };
    const onClose = (): void => finish(Object.assign(new Error('the client closed the connection before the body ended'), { code: 'ECONNRESET' }));
    const fail = (e: Error): void => {
      // Read and drop the rest of the body, so that the client reads the answer instead of a reset.
      if (received < length && !socket.destroyed) {
        state = 'draining';
        socket.resume();
        rejectAfterDrain = e;
        return;
      }
      finish(e);
    };
    let rejectAfterDrain: Error | null = null;

    /** Copies spill[from, to) into the sink as far as it has space: false when it must wait. */
    const deliver = (from: number, to: number): boolean => {
      while (from < to) {
        const space = sink.space();
        if (!space) { pending = { from, to }; return false; }
        const n = spill.copy(space, 0, from, to);
        sink.commit(n);
        from += n;
      }
      pending = null;
      return true;
    };
    const waitForSpace = (): void => {
      sink.whenSpace().then(() => {
        if (state !== 'reading') return;
        try {
          if (pending && !deliver(pending.from, pending.to)) return waitForSpace();
        } catch (e) { return fail(e as Error); }
        if (received === length) return finish();
        socket.resume();
      }, (e: Error) => fail(e));
    };
    /** Where the next read goes: the sink's free space (at most what the body still has), else the spill buffer. */
    const target = (): Buffer => {
      if (state !== 'reading' || pending || received === length) return spill;
      let space: Buffer | null;
      try { space = sink.space(); } catch { return spill; }
      return space ? space.subarray(0, Math.min(space.length, length - received)) : spill;
    };
    /**
     * Called by net.Socket for each read, into the buffer `target` gave (net.Socket asks `target` for the next one
     * right after); false stops reading. Must not throw (it runs in a native callback).
     */
    const onRead = (nread: number, into: Buffer): boolean => {
      if (state === 'done') return false;
      const take = Math.min(nread, length - received);
      received += take;
      if (state === 'draining') {
        if (received < length) return true;
        finish(rejectAfterDrain ?? undefined);
        return false;
      }
      let fits = true;
      try {
        if (into === spill) fits = deliver(0, take);
        else sink.commit(take);
      } catch (e) { fail(e as Error); return (state as string) === 'draining'; }
      if (!fits) { waitForSpace(); return false; }
      if (received === length) { finish(); return false; }
      return true;
    };

    socket.on('close', onClose);
    try {
      for (const c of head) {
        const n = Math.min(c.length, length - received);
        received += n;
        // The sink has BLOCKS_PER_UPLOAD empty blocks at the start: the few KiB that came with the headers fit.
        if (!deliverChunk(c.subarray(0, n))) throw new Error('the body that came with the headers did not fit');
      }
    } catch (e) { fail(e as Error); }
    function deliverChunk(c: Buffer): boolean {
      let from = 0;
      while (from < c.length) {
        const space = sink.space();
        if (!space) return false;
        const n = c.copy(space, 0, from);
        sink.commit(n);
        from += n;
      }
      return true;
    }
    const first = target();
    socket[kBuffer] = first;
    socket[kBufferCb] = onRead;
    socket[kBufferGen] = target;
    socket._handle!.useUserBuffer!(first);
    if (state === 'reading' && received === length) return finish();
    if (state !== 'done') socket.resume();
  });
}
