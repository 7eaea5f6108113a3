/**
 * Benchmarks, run by hand: `npm run bench -- <name> [options]`. Not part of `npm test`.
 */
const [name, ...args] = process.argv.slice(2);
const benches: Record<string, () => Promise<{ main(args: string[]): Promise<number> }>> = {
  search: () => import('./search.js'),
  terms: () => import('./terms.js'),
  chat: () => import('./chat.js'),
  broadcast: () => import('./broadcast.js'),
  tune: () => import('./tune.js'),
  cost: () => import('./cost.js'),
  quotes: () => import('./quotes.js'),
};
const load = name ? benches[name] : undefined;
if (!load) {
  process.stdout.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]\n`);
  process.exit(2);
}
process.exit(await (await load()).main(args));
