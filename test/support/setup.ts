// Tests reach only loopback: the simulators are the whole outside world.
import net from 'node:net';

const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
  const [first] = args;
  const options = (typeof first === 'object' && first !== null ? first : {}) as {
    host?: string;
    path?: string;
  };
  const host = typeof first === 'number' ? (args[1] as string | undefined) : options.host;
  if (!options.path && host && !loopback.test(host)) {
    throw new Error(`test tried to reach ${host}: only loopback is allowed in tests`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

/*
 * Every Xero exchange of every test file is checked against xero_accounting.yaml: what the product
 * sends through xero-node (raw test calls may be wrong on purpose) and every answer the simulator
 * gives. A problem fails the file that caused it, naming the exchange.
 */
import { afterAll } from 'vitest';
import { type Exchange, exchangeObservers } from '../../sim/xero/exchange-log.js';
import { exchangeProblems, xeroSpec } from '../xero/support/exchange-conformance.js';

// Collected as they happen (a cheap copy), checked after the file: parsing the spec takes ~1.5 s,
// which must not land inside a request the product is timing.
const xeroExchanges: Exchange[] = [];
exchangeObservers.add((exchange) => xeroExchanges.push(structuredClone(exchange)));
afterAll(() => {
  if (xeroExchanges.length === 0) return;
  const problems = new Set<string>();
  for (const exchange of xeroExchanges.splice(0)) {
    const fromProduct = exchange.userAgent?.startsWith('xero-node') === true;
    for (const problem of exchangeProblems(xeroSpec(), exchange, fromProduct)) problems.add(problem);
  }
  if (problems.size === 0) return;
  const list = [...problems].slice(0, 20).join('\n  ');
  throw new Error(`Xero exchanges that do not match xero_accounting.yaml:\n  ${list}`);
});
