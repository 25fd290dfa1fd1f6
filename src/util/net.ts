/** Addresses: which are this machine's loopback, and which address this machine uses to reach another host. */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1 and `localhost`: an origin there is a secure context without https. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/**
 * The local address the system would send from to reach `host` (a UDP socket's connect: the
 * routing table is asked, no packet is sent). Where a Grid's nodes reach this machine, when it
 * is not told (--fixture-host).
 */
export async function localAddressToward(host: string): Promise<string> {
  const target = isIP(host.replace(/^\[|\]$/g, '')) ? host.replace(/^\[|\]$/g, '') : (await lookup(host)).address;
  const socket = createSocket(isIP(target) === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(9, target, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}
