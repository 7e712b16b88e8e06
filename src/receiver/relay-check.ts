import { isIpAddress, isPublicAddress, relayUrlProblem } from '../domain/relay-url.js';
import type { ResolveHost } from './ports.js';

/**
 * Why the box must not play this relay, or null: the server's rule for the URL itself, then every
 * address its host resolves to must be public. The server cannot resolve for the box (its DNS, its
 * /etc/hosts and its network are the box's own), so a name that the box's resolver maps into the local
 * network — a router, the commune office's NAS — is refused here, before the player fetches anything.
 *
 * @example await relayRefusal('http://radio.example.vn/live', async () => ['10.0.0.5'])
 *   // 'relay host resolves to a private address: radio.example.vn → 10.0.0.5'
 */
export async function relayRefusal(url: string, resolve: ResolveHost): Promise<string | null> {
  const problem = relayUrlProblem(url);
  if (problem) return `relay URL refused: it ${problem.en}`;
  const host = new URL(url).hostname;
  if (isIpAddress(host)) return null;
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    return `relay host could not be resolved: ${host} (${String(error)})`;
  }
  if (addresses.length === 0) return `relay host could not be resolved: ${host} has no address`;
  // One is enough: the player may connect to any of them.
  const inside = addresses.filter((a) => !isPublicAddress(a));
  if (inside.length > 0) return `relay host resolves to a private address: ${host} → ${inside.join(', ')}`;
  return null;
}
