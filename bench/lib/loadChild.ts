import autocannon from 'autocannon';

/*
 * autocannon in a process of its own (forked by bench/audit.ts), so that the parent's CPU time is the hub's alone
 * and the load generator's share neither dilutes nor inflates the CPU per request the benchmark compares.
 * Receives { id, options } over IPC, answers { id, result } with the few figures the parent uses.
 */
process.on('message', (m: { id: number; options: Parameters<typeof autocannon>[0] }) => {
  void (async () => {
    const bodyOk = (b: string) => !b.includes('"errors"');
    const r = await autocannon({ ...m.options, verifyBody: bodyOk, renderProgressBar: false, renderResultsTable: false });
    process.send!({
      id: m.id,
      result: {
        total: r.requests.total, rps: r.requests.average, latency: r.latency.average,
        bad: r.errors + r.non2xx + r.mismatches + r.timeouts,
      },
    });
  })().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
});
process.on('disconnect', () => process.exit(0));
