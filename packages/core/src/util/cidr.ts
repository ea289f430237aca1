import { BlockList, isIP } from 'node:net';
import { InvalidRequestError } from '../errors.js';

/** Checks CIDR blocks (or bare addresses) from a client, returning them normalized; a malformed one is a 400. */
export function parseCidrs(list: string[], field: string): string[] {
  for (const c of list) toBlock(c, field);
  return [...list];
}

function toBlock(cidr: string, field: string): { addr: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [addr = '', bits, extra] = cidr.trim().split('/');
  const v = isIP(addr);
  const max = v === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!v || extra !== undefined || !(prefix >= 0 && prefix <= max)) throw new InvalidRequestError(`invalid CIDR block ${JSON.stringify(cidr)} in "${field}"`);
  return { addr, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `address` (as a socket reports it, IPv4-mapped IPv6 included) lies in one of `cidrs`. */
export function addressInCidrs(address: string | undefined, cidrs: string[]): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(plain) === 4 ? 'ipv4' : isIP(plain) === 6 ? 'ipv6' : null;
  if (!family) return false;
  const list = new BlockList();
  for (const c of cidrs) {
    const b = toBlock(c, 'bound_cidrs');
    list.addSubnet(b.addr, b.prefix, b.family);
  }
  return list.check(plain, family);
}
