import { lookup } from 'node:dns/promises';
import type { ResolveHost } from './ports.js';

/**
 * Every address of `hostname` by the system resolver: `/etc/hosts` and the network's DNS, IPv4 and IPv6,
 * as ffplay or mpg123 will find them.
 */
export const resolveHost: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true })).map((a) => a.address);
