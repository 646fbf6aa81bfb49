// Preloaded into an agent under test (NODE_OPTIONS=--import=...): on SIGUSR2 its
// event loop is held busy for 3 s, as a stuck handler would hold it. The agent's
// own code is unchanged; only the test process environment brings this in.
process.on('SIGUSR2', () => {
  const until = Date.now() + 3_000;
  while (Date.now() < until) {
    // busy: nothing else on this loop runs
  }
});
