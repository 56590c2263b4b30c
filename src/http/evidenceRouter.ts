import crypto from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import express, { type Request, type Response, type Router } from 'express';
import { GraphQLError } from 'graphql';
import { authenticate, contextFor, type AppDeps } from '../context';
import { ContentError, EvidenceService } from '../services/evidence/EvidenceService';
import { rawBody } from './rawBody';

const HEX64 = /^[0-9a-f]{64}$/;

/** The client's declared SHA-256: `X-Content-SHA256: <hex>` or RFC 9530 `Content-Digest: sha-256=:<base64>:`. */
function declaredSha256(req: Request): string | null {
  const hex = req.header('x-content-sha256');
  if (hex !== undefined) {
    const v = hex.trim().toLowerCase();
    if (!HEX64.test(v)) throw new ContentError(400, 'BAD_USER_INPUT', 'X-Content-SHA256 must be 64 hex digits');
    return v;
  }
  const digest = req.header('content-digest');
  if (digest !== undefined) {
    const m = /sha-256=:([A-Za-z0-9+/=]+):/i.exec(digest);
    const buf = m ? Buffer.from(m[1], 'base64') : null;
    if (!buf || buf.length !== 32) throw new ContentError(400, 'BAD_USER_INPUT', 'Content-Digest must carry sha-256=:<base64>:');
    return buf.toString('hex');
  }
  return null;
}

/** A file name from `X-File-Name` (URI-encoded) or Content-Disposition, reduced to a safe base name. */
function fileName(req: Request): string | null {
  let raw = req.header('x-file-name');
  if (raw !== undefined) {
    try { raw = decodeURIComponent(raw); } catch { /* keep as sent */ }
  } else {
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(req.header('content-disposition') ?? '');
    raw = m?.[1];
  }
  if (!raw) return null;
  const base = raw.replace(/\\/g, '/').split('/').pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return base || null;
}

function fail(res: Response, e: unknown, deps: AppDeps): void {
  if (e instanceof ContentError) {
    res.status(e.status).json({ error: { code: e.code, message: e.message } });
  } else if (e instanceof GraphQLError && e.extensions?.code === 'UNAUTHENTICATED') {
    res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: e.message } });
  } else {
    deps.logger.error({ err: e }, 'evidence content request failed');
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
  }
}

/**
 * `POST /evidence/{id}/content` (streamed upload) and `GET /evidence/{id}/content` (download), authenticated
 * with the same bearer token and permission rules as GraphQL.
 */
export function evidenceRouter(deps: AppDeps): Router {
  const router = express.Router();
  const context = async (req: Request) => {
    const auth = await authenticate(deps, req.header('authorization'));
    return contextFor(deps, auth?.user ?? null, auth?.expiresAt);
  };

  router.post('/evidence/:id/content', async (req, res) => {
    // A large Content-Length body is read past the HTTP parser (src/http/rawBody.ts); the connection then
    // closes after the answer, because the parser never saw the end of this request.
    let raw = false;
    try {
      const ctx = await context(req);
      const length = req.header('content-length') !== undefined ? Number(req.header('content-length')) : null;
      const known = length !== null && Number.isFinite(length) ? length : null;
      const body = rawBody(req, known, () => { raw = true; }) ?? req;
      const item = await EvidenceService.uploadContent(ctx, String(req.params.id), body, {
        declaredSha256: declaredSha256(req),
        fileName: fileName(req),
        mediaType: (req.header('content-type') ?? 'application/octet-stream').slice(0, 200),
        length: known,
      });
      if (raw) res.set('connection', 'close');
      res.status(201).json({ id: item.id, sha256: item.sha256, sizeBytes: item.sizeBytes, originalFileName: item.originalFileName, mediaType: item.mediaType });
    } catch (e) {
      if (raw) res.set('connection', 'close');
      // Drain what the client still sends so that it reads our answer instead of a reset (the raw reader
      // drains by itself).
      else req.resume();
      fail(res, e, deps);
    }
  });

  router.get('/evidence/:id/content', async (req, res) => {
    let opened;
    try {
      opened = await EvidenceService.openContent(await context(req), String(req.params.id));
    } catch (e) {
      fail(res, e, deps);
      return;
    }
    const { item, file } = opened;
    const name = item.originalFileName ?? `${item.id}`;
    res.status(200).set({
      'content-type': item.mediaType ?? 'application/octet-stream',
      'content-length': String(item.sizeBytes ?? ''),
      'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'x-content-sha256': item.sha256!,
      'content-digest': `sha-256=:${Buffer.from(item.sha256!, 'hex').toString('base64')}:`,
      'cache-control': 'no-store',
    });
    // Re-hash on the way out: a file that changed on disk is reported (the client checks Content-Digest too).
    const hash = crypto.createHash('sha256');
    const tee = new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); done(null, chunk); } });
    try {
      await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), tee, res);
      const got = hash.digest('hex');
      if (got !== item.sha256) deps.logger.error({ evidenceId: item.id, expected: item.sha256, got }, 'evidence original changed on disk: run npm run fixity');
    } catch (e) {
      deps.logger.error({ err: e, evidenceId: item.id }, 'evidence download failed');
      res.destroy();
    }
  });
  return router;
}
