/*
 * PostGraphile 5 declares Node >= 22 but only needs `Promise.withResolvers` (Node 22) from it on Node 20.
 * Imported first by the PostGraphile benchmark server, before grafast loads. Also keeps grafast quiet
 * about GRAPHILE_ENV (production mode, as a deployment would run it).
 */
const P = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
process.env.GRAPHILE_ENV ??= 'production';

export {};
